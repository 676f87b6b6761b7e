"""The videos the simulator serves: real, small H.264 MP4s shipped as package data (``media/make_media.sh`` made
them with ffmpeg; nothing here needs ffmpeg), optionally padded with an MP4 ``free`` box to any size, streamed in
chunks with HTTP Range support."""

from __future__ import annotations

import re
import struct
from collections.abc import AsyncIterator
from functools import cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

CHUNK = 1 << 20
_RATIO_FILES = {"16:9": "16x9", "9:16": "9x16", "1:1": "1x1"}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


@cache
def video(kind: str, aspect_ratio: str) -> bytes:
    """The preview (watermarked) or clean master sample for an aspect ratio."""
    name = f"{kind}_{_RATIO_FILES.get(aspect_ratio, '16x9')}.mp4"
    return resources.files("kling_mcp.simulator").joinpath("media", name).read_bytes()


def nominal_size(aspect_ratio: str, mode: str) -> tuple[int, int]:
    """The width and height useapi would report: 720p for std, 1080p for pro, 4K for 4k (seed's model table)."""
    short = {"std": 720, "pro": 1080, "4k": 2160}.get(mode, 720)
    long = short * 16 // 9
    if aspect_ratio == "9:16":
        return short, long
    if aspect_ratio == "1:1":
        return short, short
    return long, short


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
