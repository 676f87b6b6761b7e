"""The videos the simulator serves, and what it reports about them.

A task's video is built at request time, in pure Python, from small segments shipped as package data
(``media/make_media.sh`` made them with ffmpeg; nothing here needs ffmpeg): the one-second H.264 segment of the
task's aspect ratio, repeated for the task's duration (to the frame: 1/8 s), plus an AAC track when the task has
audio. So a 7 s task serves a 7.000 s MP4 and reports exactly its width, height and duration. The preview carries
a visible "KLING PREVIEW" watermark; the clean master does not. Optionally padded with an MP4 ``free`` box to any size
(benchmarks), streamed in chunks with HTTP Range support.
"""

from __future__ import annotations

import itertools
import math
import re
import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from kling_mcp.simulator import mp4

CHUNK = 1 << 20
ASPECT_RATIOS = ("16:9", "9:16", "1:1")
_RATIO_FILES = {"16:9": "16x9", "9:16": "9x16", "1:1": "1x1"}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
AAC_FRAME = 1024  # samples per AAC-LC frame
FPS = 8  # frames per second of every segment (media/make_media.sh)


@dataclass(frozen=True)
class Segment:
    """One second of video (first sample an IDR frame), ready to be repeated."""

    track: mp4.Track
    fps: int

    @property
    def size(self) -> tuple[int, int]:
        return self.track.width, self.track.height


def _read(name: str) -> list[mp4.Track]:
    return mp4.read_tracks(resources.files("kling_mcp.simulator").joinpath("media", name).read_bytes())


@cache
def segment(kind: str, aspect_ratio: str) -> Segment:
    """The preview (watermarked) or clean one-second segment of an aspect ratio."""
    track = _read(f"{kind}_{_RATIO_FILES.get(aspect_ratio, '16x9')}.mp4")[0]
    if track.handler != b"vide" or sum(track.deltas) != track.timescale:
        raise mp4.Mp4Error(f"{kind} {aspect_ratio}: the segment must be one second of video")
    if track.sync is not None and 0 not in track.sync:
        raise mp4.Mp4Error(f"{kind} {aspect_ratio}: the segment must start with a sync (IDR) frame")
    return Segment(track, len(track.samples))


@cache
def _tone() -> tuple[mp4.Track, bytes]:
    """The AAC track of tone.m4a and one frame from its middle (a steady tone: the frame can follow itself)."""
    track = _read("tone.m4a")[0]
    return track, track.samples[len(track.samples) // 2]


def dimensions(aspect_ratio: str) -> tuple[int, int]:
    """Width and height of every video served for this aspect ratio (what get_task reports)."""
    return segment("clean", aspect_ratio).size


def frames(seconds: float) -> int:
    """How many video frames a clip of ``seconds`` has: the served files come in whole frames (1/8 s), at least
    one."""
    return max(1, round(seconds * FPS))


def served_seconds(seconds: float) -> float:
    """The length of the file served for a clip of ``seconds``: rounded to whole frames."""
    return frames(seconds) / FPS


@cache
def video(kind: str, aspect_ratio: str, duration: float = 5, audio: bool = False) -> bytes:
    """The preview or clean MP4 of a task: ``duration`` seconds (to the frame), with an AAC track when ``audio``."""
    seg = segment(kind, aspect_ratio)
    fps = seg.fps
    count = max(1, round(duration * fps))
    whole, rest = divmod(count, fps)
    # One chunk per second of video; a part second ends the file with the first frames of the segment (its first
    # frame is the IDR frame, so the part decodes on its own).
    chunks = [list(seg.track.samples) for _ in range(whole)] + ([list(seg.track.samples[:rest])] if rest else [])
    tracks = [
        mp4.OutTrack(
            handler=b"vide",
            timescale=fps * 1000,
            stsd=seg.track.stsd,
            chunks=chunks,
            deltas=[1000] * count,
            sync=None
            if seg.track.sync is None
            else [s * fps + i + 1 for s, chunk in enumerate(chunks) for i in sorted(seg.track.sync) if i < len(chunk)],
            width=seg.track.width,
            height=seg.track.height,
        )
    ]
    if audio:
        tone, frame = _tone()
        rate = tone.timescale  # an audio track's timescale is its sample rate
        # Whole AAC frames only: the audio ends within 64 ms before the video. Chunk i of the audio covers the time
        # of chunk i of the video.
        ends = list(itertools.accumulate(len(chunk) for chunk in chunks))
        bounds = [0] + [end * rate // (fps * AAC_FRAME) for end in ends]
        per_chunk = [bounds[i + 1] - bounds[i] for i in range(len(chunks))]
        tracks.append(
            mp4.OutTrack(
                handler=b"soun",
                timescale=rate,
                stsd=tone.stsd,
                chunks=[[frame] * n for n in per_chunk],
                deltas=[AAC_FRAME] * bounds[-1],
            )
        )
    return mp4.mux(tracks)


def aspect_of_size(width: int, height: int) -> str | None:
    """The supported aspect ratio nearest to a picture of this size; None without a size."""
    if not width or not height:
        return None
    ratio = width / height

    def distance(candidate: str) -> float:
        w, h = (int(part) for part in candidate.split(":"))
        return abs(ratio / (w / h) - 1) + abs((w / h) / ratio - 1)

    return min(ASPECT_RATIOS, key=distance)


def aspect_of_image(data: bytes) -> str | None:
    """The supported aspect ratio nearest to a PNG or JPEG image's own, read from its header; None when the bytes
    are neither or the header cannot be read."""
    size = image_size(data)
    return None if size is None else aspect_of_size(*size)


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG IHDR chunk or a JPEG start-of-frame marker."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 <= len(data):
            if data[index] != 0xFF:
                return None
            marker = data[index + 1]
            if marker == 0xFF:  # fill byte
                index += 1
                continue
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
                index += 2
                continue
            (length,) = struct.unpack(">H", data[index + 2 : index + 4])
            # SOF0-SOF15 but DHT (C4), JPG (C8) and DAC (CC): height then width after the precision byte.
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + length
    return None


def _png(width: int, height: int, rows: list[bytes]) -> bytes:
    """An 8-bit greyscale PNG of ``rows`` (``height`` rows of ``width`` bytes each)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 (None) on every row
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


@cache
def cover(aspect_ratio: str) -> bytes:
    """A grey PNG poster of an aspect ratio's size: the cover of an uploaded video or of a motion."""
    width, height = dimensions(aspect_ratio)
    return _png(width, height, [b"\x80" * width] * height)


# --- images ----------------------------------------------------------------------------------------------------------

# The ratios the image endpoints offer (Postman: kolors, kolors-elements and omni images list these eight).
IMAGE_RATIOS = ("16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9")
# The long side of an image at each resolution [INF: "1k", "2k", "4k" read as 1024, 2048 and 4096 pixels].
LONG_SIDES = {"1k": 1024, "2k": 2048, "4k": 4096}


def image_dimensions(aspect_ratio: str, long_side: int) -> tuple[int, int]:
    """Width and height of an image of this ratio whose long side is ``long_side`` (the short side even)."""
    w, h = (int(part) for part in aspect_ratio.split(":"))
    short = max(2, round(long_side * min(w, h) / max(w, h) / 2) * 2)
    return (long_side, short) if w >= h else (short, long_side)


def scaled(width: int, height: int, long_side: int) -> tuple[int, int]:
    """A size of the same ratio as ``width`` x ``height`` whose long side is ``long_side``."""
    if width >= height:
        return long_side, max(1, round(height * long_side / width))
    return max(1, round(width * long_side / height)), long_side


def nearest_image_ratio(width: int, height: int) -> str:
    """The image ratio (``IMAGE_RATIOS``) nearest to a picture of this size."""

    def distance(candidate: str) -> float:
        w, h = (int(part) for part in candidate.split(":"))
        return abs(math.log((width / height) / (w / h)))

    return min(IMAGE_RATIOS, key=distance)


@cache
def picture(kind: str, width: int, height: int) -> bytes:
    """A generated image: a PNG of exactly ``width`` x ``height``, grey bands from light to dark; the ``preview``
    (what a work's resource URL serves) also carries a dark band across its middle, as the videos' watermark does,
    the ``clean`` one (GET /assets/download) does not."""
    bands = 8
    rows = [bytes([230 - 20 * (row * bands // height)]) * width for row in range(height)]
    if kind == "preview":
        for row in range(height * 2 // 5, height * 3 // 5):
            rows[row] = b"\x10" * width
    return _png(width, height, rows)


def _padding_header(padding: int) -> bytes:
    return struct.pack(">I", padding) + b"free" if padding else b""


def serve(request: Request, body: bytes, padding: int, content_type: str = "video/mp4") -> Response:
    """``body`` followed by a ``free`` box of ``padding`` bytes (header included), honouring a Range request."""
    if padding and padding < 8:
        padding = 8
    total = len(body) + padding
    start, end = 0, total - 1
    status = 200
    header = request.headers.get("range")
    if header and (match := _RANGE.match(header.strip())):
        first, last = match.groups()
        if first:
            start = int(first)
            end = min(int(last), total - 1) if last else total - 1
        elif last:
            start = max(total - int(last), 0)
        if start > end or start >= total:
            return Response(status_code=416, headers={"Content-Range": f"bytes */{total}"})
        status = 206
    headers = {"Content-Length": str(end - start + 1), "Accept-Ranges": "bytes"}
    if status == 206:
        headers["Content-Range"] = f"bytes {start}-{end}/{total}"
    return StreamingResponse(
        _chunks(body, padding, start, end), status_code=status, headers=headers, media_type=content_type
    )


async def _chunks(body: bytes, padding: int, start: int, end: int) -> AsyncIterator[bytes]:
    whole = body + _padding_header(padding)
    position = start
    while position <= end:
        if position < len(whole):
            piece = whole[position : min(len(whole), end + 1, position + CHUNK)]
        else:
            piece = bytes(min(CHUNK, end + 1 - position))
        yield piece
        position += len(piece)
