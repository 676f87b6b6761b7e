"""Videos the user gives (an omni reference or source clip, a motion video, a VIDEO element's cover) on their way to
Kling.

A video reaches useapi as a URL. An https URL is passed as it is: useapi takes URLs for every video field (the
Postman collection: ``video_1`` "URL of reference video", ``motionUrl`` "URL to the motion reference video"), so
there is nothing to gain by fetching up to 100 MB through this server only to upload it again (remote *images* are
fetched and re-uploaded, ``uploads.resolve_image``, because they are small and Kling's image fields want its own
CDN). Plain http is refused: the URL is handed on unread, and every URL useapi documents or returns is https
(reference §7.1, §10); the configured upstream's own origin (e.g. the simulator) is the one exception, as it is for
images. Other schemes (ftp://, s3://, …) are refused by name.

A local file (under the allowed folders and the client's roots, read by ``uploads.read_local`` with the same rules
as images) or a data: URI is checked here and uploaded with useapi's POST /assets. The checks (reference §7.1:
video/mp4 and video/quicktime, 100 MB, "720p/1080p, ≤10 s"):
- it is an MP4 or QuickTime movie by its bytes (an ``ftyp`` box, its major brand ``qt  `` for QuickTime, or a
  classic QuickTime file that starts with ``moov``/``mdat``/``wide``/``free``/``skip``/``pnot``) whose top-level
  boxes tile the file, with a movie header and a video track;
- at most 100 MB (100,000,000 bytes, read as decimal megabytes as the image limit is);
- its length (``mvhd`` duration / timescale, version 0 or 1; a fragmented file's ``mehd``) within the caller's
  bounds: useapi's upload limit of 10 s by default; a motion video passes its own 3–30 s.
The width and height (the video track's ``tkhd``, turned by its matrix, else its sample entry) are reported, not
refused: "720p/1080p" is not precise enough to refuse a file on (the simulator's own clips are 320x180).

The few boxes needed are read here (ISO/IEC 14496-12, and Apple's QuickTime File Format for the classic layout);
nothing is imported from the simulator, whose muxer writes the same boxes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import anyio

from kling_mcp.api.client import KlingClient
from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.jobs import uploads
from kling_mcp.jobs.addresses import Origin, origin

MAX_VIDEO_BYTES = 100_000_000  # reference §7.1: video/mp4, video/quicktime "100 MB" (decimal, as images' 10 MB)
# Reference §7.1 (useapi's POST /assets pages of 2025) says uploaded videos are "≤10 s"; useapi's motion-create page
# (March 2026) and its motion-control README (June 2026) have the 3–30 s motion video uploaded through POST /assets.
# The newer sources win: 30 s.
UPLOAD_MAX_SECONDS = 30.0
MP4 = "video/mp4"
QUICKTIME = "video/quicktime"
# Reference §7.1: the only video Content-Types POST /assets accepts.
UPLOADABLE = (MP4, QUICKTIME)
UPLOAD_LIMITS_TEXT = "useapi's upload limits for videos: MP4 or QuickTime, 100 MB, 720p/1080p, at most 30 s"
# Top-level boxes a classic QuickTime movie (no ftyp) may start with (QuickTime File Format, "Overview of QTFF").
_CLASSIC_FIRST = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
_IMAGE_NAMES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP"}


@dataclass(frozen=True)
class VideoFile:
    """What the checks read of a video file: the Content-Type to upload it with, its length and its frame size."""

    mime: str
    seconds: float
    width: int
    height: int


@dataclass(frozen=True)
class ResolvedVideo:
    """The URL to send upstream for a video argument, and its length when the file was read here (None for a URL)."""

    url: str
    seconds: float | None


def limits(min_seconds: float | None = None, max_seconds: float | None = UPLOAD_MAX_SECONDS) -> uploads.Limits:
    """How a video is read from a file or a data: URI (built at call time from ``MAX_VIDEO_BYTES``)."""
    return uploads.Limits(
        "video",
        MAX_VIDEO_BYTES,
        "100 MB",
        allowed_text(min_seconds, max_seconds),
        "file:///path/to.mp4",
        "data:video/mp4;base64,...",
    )


def _seconds_text(value: float) -> str:
    return f"{value:g} s"


def allowed_text(min_seconds: float | None, max_seconds: float | None) -> str:
    """What is allowed, naming the caller's bounds and, apart, useapi's upload limits."""
    span = uploads.length_span(min_seconds, max_seconds)
    return f"an MP4 or QuickTime (.mov) video{span}, at most 100 MB ({UPLOAD_LIMITS_TEXT})"


# --- reading the boxes ---------------------------------------------------------------------------------------------


class _Unreadable(ValueError):
    """The file is not a movie these checks can read; the text says why."""


def sniff(data: bytes) -> str | None:
    """The video type by the first box: ``ftyp`` (major brand ``qt  `` = QuickTime, any other = MP4), or a classic
    QuickTime file that starts with one of its top-level atoms."""
    if len(data) < 8:
        return None
    kind = data[4:8]
    if kind == b"ftyp":
        return QUICKTIME if data[8:12] == b"qt  " else MP4
    if kind in _CLASSIC_FIRST:
        return QUICKTIME
    return None


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of each box that tiles ``data[start:end]`` (a 32-bit size, or 1 and a 64-bit
    size, or 0 for "to the end"); a box that overruns its parent or a size that cannot be is an error."""
    position = start
    while position < end:
        if end - position < 8:
            raise _Unreadable(f"{end - position} stray bytes after the last box")
        size, kind = struct.unpack_from(">I4s", data, position)
        header = 8
        if size == 1:
            if end - position < 16:
                raise _Unreadable("a box header is cut short")
            (size,) = struct.unpack_from(">Q", data, position + 8)
            header = 16
        elif size == 0:
            size = end - position
        name = kind.decode("latin-1")
        if size < header:
            raise _Unreadable(f"the {name!r} box at byte {position} has an impossible size ({size})")
        if position + size > end:
            raise _Unreadable(f"the {name!r} box at byte {position} is cut short (the file was truncated?)")
        yield kind, position + header, position + size
        position += size


def _child(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for found, payload, box_end in _boxes(data, start, end):
        if found == kind:
            return payload, box_end
    return None


def _need(start: int, end: int, size: int, name: str) -> None:
    if end - start < size:
        raise _Unreadable(f"the {name} box is too short ({end - start} bytes)")


def _duration(data: bytes, moov: tuple[int, int]) -> float:
    """The movie's length: ``mvhd`` duration / timescale (version 1: 64-bit times), or, when the movie header says
    0 or "unknown" (all ones), a fragmented file's ``mvex/mehd`` fragment duration."""
    mvhd = _child(data, *moov, b"mvhd")
    if mvhd is None:
        raise _Unreadable("it has no movie header (mvhd box)")
    start, end = mvhd
    version = data[start] if end > start else 0
    if version == 1:
        _need(start, end, 4 + 8 + 8 + 4 + 8, "mvhd")
        timescale, duration = struct.unpack_from(">IQ", data, start + 20)
        unknown = 0xFFFF_FFFF_FFFF_FFFF
    else:
        _need(start, end, 4 + 4 + 4 + 4 + 4, "mvhd")
        timescale, duration = struct.unpack_from(">II", data, start + 12)
        unknown = 0xFFFF_FFFF
    if timescale == 0:
        raise _Unreadable("its movie header gives a timescale of 0")
    if duration in (0, unknown):
        mvex = _child(data, *moov, b"mvex")
        mehd = _child(data, *mvex, b"mehd") if mvex is not None else None
        if mehd is None:
            raise _Unreadable("its movie header gives no duration")
        start, end = mehd
        wide = end > start and data[start] == 1
        _need(start, end, 4 + (8 if wide else 4), "mehd")
        (duration,) = struct.unpack_from(">Q" if wide else ">I", data, start + 4)
        if duration == 0:
            raise _Unreadable("its movie header gives no duration")
    return float(duration / timescale)


def _handler(data: bytes, trak: tuple[int, int]) -> bytes | None:
    mdia = _child(data, *trak, b"mdia")
    hdlr = _child(data, *mdia, b"hdlr") if mdia is not None else None
    if hdlr is None or hdlr[1] - hdlr[0] < 12:
        return None
    return data[hdlr[0] + 8 : hdlr[0] + 12]  # version/flags, pre_defined (QuickTime: component type), handler_type


def _track_size(data: bytes, trak: tuple[int, int]) -> tuple[int, int]:
    """Width and height as shown: the ``tkhd``'s (16.16 fixed point), swapped when its matrix turns the picture a
    quarter; when the track header gives none, the visual sample entry's (``stsd``)."""
    tkhd = _child(data, *trak, b"tkhd")
    if tkhd is None:
        raise _Unreadable("its video track has no track header (tkhd box)")
    start, end = tkhd
    base = start + (4 + 32 if data[start] == 1 else 4 + 20)  # version/flags, then times, ids and duration
    _need(start, end, base - start + 16 + 36 + 8, "tkhd")
    a, b = struct.unpack_from(">ii", data, base + 16)  # the matrix follows reserved, layer, group, volume, reserved
    width, height = (value >> 16 for value in struct.unpack_from(">II", data, base + 52))
    if width and height:
        return (height, width) if a == 0 and b != 0 else (width, height)
    return _sample_entry_size(data, trak)


def _sample_entry_size(data: bytes, trak: tuple[int, int]) -> tuple[int, int]:
    place: tuple[int, int] | None = trak
    for kind in (b"mdia", b"minf", b"stbl", b"stsd"):
        place = _child(data, *place, kind) if place is not None else None
    if place is None or place[1] - place[0] < 8 + 36:
        return 0, 0
    entry = place[0] + 8  # version/flags, entry count; then size, format, reserved, index, pre-defined fields
    width, height = struct.unpack_from(">HH", data, entry + 32)
    return int(width), int(height)


def read_movie(data: bytes) -> tuple[float, int, int]:
    """Length in seconds, width and height of an MP4 or QuickTime movie held in ``data``."""
    moov: tuple[int, int] | None = None
    for kind, payload, end in _boxes(data, 0, len(data)):
        if kind == b"moov" and moov is None:
            moov = (payload, end)
    if moov is None:
        raise _Unreadable("it has no movie box (moov): not a complete movie")
    seconds = _duration(data, moov)
    for kind, payload, end in _boxes(data, *moov):
        if kind == b"trak" and _handler(data, (payload, end)) == b"vide":
            width, height = _track_size(data, (payload, end))
            return seconds, width, height
    raise _Unreadable("it has no video track (an audio-only file?)")


# --- the checks ----------------------------------------------------------------------------------------------------


def check_video(
    data: bytes,
    parameter: str,
    shown: str,
    *,
    max_seconds: float | None = UPLOAD_MAX_SECONDS,
    min_seconds: float | None = None,
) -> VideoFile:
    """What ``data`` is, or an error naming ``parameter``, what was found and what is allowed. ``shown`` is how the
    value appears in the error (the path, or "<data URI>"). The bounds are the caller's: useapi's upload limit of
    10 s by default; a motion video passes 3 and 30."""
    allowed = allowed_text(min_seconds, max_seconds)
    if len(data) > MAX_VIDEO_BYTES:
        raise InvalidParameterError(
            parameter,
            shown,
            f"the video is {len(data):,} bytes, over useapi's 100 MB upload limit ({MAX_VIDEO_BYTES:,} bytes)",
            allowed,
        )
    mime = sniff(data)
    if mime is None:
        image = uploads.sniff(data)
        found = (
            f"the file is a {_IMAGE_NAMES[image]} image, not a video"
            if image is not None
            else "the file is not an MP4 or QuickTime video by its bytes"
        )
        raise InvalidParameterError(parameter, shown, found, allowed)
    kind = "QuickTime" if mime == QUICKTIME else "MP4"
    try:
        seconds, width, height = read_movie(data)
    except _Unreadable as exc:
        raise InvalidParameterError(parameter, shown, f"the {kind} file cannot be read: {exc}", allowed) from None
    if max_seconds is not None and seconds > max_seconds:
        limit = (
            f"useapi's upload limit for videos (POST /assets) is {_seconds_text(max_seconds)}"
            if max_seconds == UPLOAD_MAX_SECONDS
            else f"{parameter} allows at most {_seconds_text(max_seconds)}"
        )
        raise InvalidParameterError(parameter, shown, f"the video lasts {seconds:.2f} s; {limit}", allowed)
    if min_seconds is not None and seconds < min_seconds:
        raise InvalidParameterError(
            parameter,
            shown,
            f"the video lasts {seconds:.2f} s; {parameter} needs at least {_seconds_text(min_seconds)}",
            allowed,
        )
    return VideoFile(mime, seconds, width, height)


def classify(
    value: str, parameter: str, upstream: Origin | None = None, *, noun: str = "videos", kinds: str = "MP4 or QuickTime"
) -> Literal["url", "data", "local"]:
    """Which way a video value goes: an https URL (or one on the upstream's own origin) is kept as a URL, a data:
    URI is decoded, anything else without a scheme (or file://) is a local path. Plain http and other schemes are
    refused here. ``noun`` and ``kinds`` word the refusals (audio.py passes its own)."""
    if value.startswith("data:"):
        return "data"
    try:
        parts = urlsplit(value)
        _ = parts.port  # a port that is not a number raises ValueError here
    except ValueError:
        raise InvalidParameterError(
            parameter, value, "the URL is malformed (its host or port cannot be read)", _url_allowed(kinds)
        ) from None
    scheme = parts.scheme.lower()
    if scheme == "https":
        if not parts.hostname or any(c.isspace() for c in value):
            raise InvalidParameterError(parameter, value, "the URL has no host or contains spaces", _url_allowed(kinds))
        return "url"
    if scheme == "http":
        if upstream is not None and origin(value) == upstream:
            return "url"
        raise InvalidParameterError(
            parameter,
            value,
            f"plain http URLs are not accepted for {noun} (useapi fetches the URL itself; its URLs are https)",
            _url_allowed(kinds),
        )
    # One letter before ":" is a Windows drive ("C:\\clip.mp4"), not a scheme.
    if scheme and scheme != "file" and len(scheme) > 1 and "://" in value:
        raise InvalidParameterError(parameter, value, f"{scheme}:// URLs are not supported", _url_allowed(kinds))
    return "local"


def _url_allowed(kinds: str = "MP4 or QuickTime") -> str:
    return f"an https URL, a local file ({kinds}) under the allowed folders, or a data: URI"


async def read_video(
    value: str,
    parameter: str,
    allowed: Sequence[Path],
    roots: Sequence[Path] | None = None,
    limiter: anyio.CapacityLimiter | None = None,
    *,
    bounds: tuple[float | None, float | None] = (None, UPLOAD_MAX_SECONDS),
) -> tuple[bytes, str]:
    """The bytes of a local video file or a data: URI (the same folder, roots and file rules as images, the video
    size limit), and how the value is shown in errors. ``bounds`` (min, max seconds) only word the refusals."""
    return await uploads.read_given(value, parameter, allowed, roots, limiter, limits(*bounds))


async def resolve_video(
    value: str,
    parameter: str,
    *,
    client: KlingClient,
    email: str | None,
    allowed: Sequence[Path],
    roots: Sequence[Path] | None = None,
    limiter: anyio.CapacityLimiter | None = None,
    max_seconds: float | None = UPLOAD_MAX_SECONDS,
    min_seconds: float | None = None,
) -> ResolvedVideo:
    """The URL to send upstream for a video argument: an https URL (a Kling CDN URL too) as it is; a local file or
    a data: URI checked, uploaded with POST /assets, and the answer's URL."""
    value = value.strip()
    if not value:
        raise InvalidParameterError(parameter, value, "empty", _url_allowed())
    if classify(value, parameter, origin(client.base_url)) == "url":
        return ResolvedVideo(value, None)
    data, shown = await read_video(value, parameter, allowed, roots, limiter, bounds=(min_seconds, max_seconds))
    video = check_video(data, parameter, shown, max_seconds=max_seconds, min_seconds=min_seconds)
    url = await uploads.upload(client, data, video.mime, email, "video")
    return ResolvedVideo(url, video.seconds)
