"""Images for animate_image: an https URL passes through; a local path, a file:// URL or a data: URI is checked
and uploaded with the upstream's own POST /assets (never anywhere else), and the returned URL is used.

Rules, each with its own error (reference §7.1 for the upstream's limits):
- a local file must lie under an allowed folder (KLING_MCP_ALLOWED_DIRS, default the home folder) and, when the MCP
  client shares its roots, under one of those too; symlinks are resolved before the check;
- it must be an image by its bytes (JPEG, PNG; WebP is recognised but useapi accepts only PNG and JPEG);
- at most 10 MB, and at least 300 px on each side where the size can be read from the header.
"""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

import anyio

from kling_mcp.api.client import KlingClient
from kling_mcp.api.errors import InvalidParameterError

MAX_IMAGE_BYTES = 10 * 1024 * 1024  # reference §7.1: image/png, image/jpeg up to 10 MB
MIN_SIDE_PX = 300  # reference §7.1: "min 300 px"
UPLOADABLE = {"image/png", "image/jpeg"}  # reference §7.1's Content-Type list has no image/webp


def sniff(data: bytes) -> str | None:
    """The image type by its first bytes."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def dimensions(data: bytes, mime: str) -> tuple[int, int] | None:
    """Width and height from a PNG or JPEG header, or None when they cannot be read cheaply."""
    if mime == "image/png" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if mime == "image/jpeg":
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                return None
            marker = data[index + 1]
            length = struct.unpack(">H", data[index + 2 : index + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + length
    return None


def is_remote(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https")


def is_local(value: str) -> bool:
    return not is_remote(value) and not value.startswith("data:")


def local_path(value: str) -> Path:
    if value.startswith("file://"):
        parts = urlsplit(value)
        if parts.netloc not in ("", "localhost"):
            raise InvalidParameterError("image", value, "file:// URLs must name a local file", "file:///path/to.png")
        return Path(unquote(parts.path))
    return Path(value).expanduser()


def check_allowed(path: Path, allowed: Sequence[Path], parameter: str) -> Path:
    """The resolved path, if it lies under one of ``allowed`` (symlinks resolved first)."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise InvalidParameterError(parameter, str(path), "no such file", "an existing image file") from None
    for root in allowed:
        try:
            resolved.relative_to(root.resolve())
            return resolved
        except (ValueError, OSError):
            continue
    raise InvalidParameterError(
        parameter,
        str(path),
        "the file is outside the folders kling-mcp may read",
        "a file under "
        + (", ".join(str(r) for r in allowed) or "no folder (none allowed)")
        + " (KLING_MCP_ALLOWED_DIRS, and the client's roots when it shares them)",
    )


def check_image(data: bytes, parameter: str, shown: str) -> str:
    """The upload Content-Type for ``data``, or an error naming the rule it breaks."""
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidParameterError(
            parameter, shown, f"the image is {len(data)} bytes, over useapi's 10 MB limit", "PNG or JPEG up to 10 MB"
        )
    mime = sniff(data)
    if mime is None:
        raise InvalidParameterError(
            parameter, shown, "the file is not a JPEG, PNG or WebP image by its bytes", "PNG or JPEG up to 10 MB"
        )
    if mime not in UPLOADABLE:
        raise InvalidParameterError(
            parameter,
            shown,
            "WebP is not accepted by useapi's POST /assets (PNG and JPEG only); convert it first",
            "PNG or JPEG up to 10 MB",
        )
    size = dimensions(data, mime)
    if size is not None and min(size) < MIN_SIDE_PX:
        raise InvalidParameterError(
            parameter,
            shown,
            f"the image is {size[0]}x{size[1]} px; useapi needs at least {MIN_SIDE_PX} px on each side",
            f"at least {MIN_SIDE_PX}x{MIN_SIDE_PX} px",
        )
    return mime


def decode_data_uri(value: str, parameter: str) -> bytes:
    header, _, payload = value.partition(",")
    if ";base64" not in header:
        raise InvalidParameterError(parameter, value[:40], "data: URIs must be base64", "data:image/png;base64,...")
    # Refuse cheaply before decoding: base64 is 4 characters for every 3 bytes.
    if len(payload) * 3 // 4 > MAX_IMAGE_BYTES + 3:
        raise InvalidParameterError(
            parameter,
            f"<data URI of {len(payload)} characters>",
            "over useapi's 10 MB image limit",
            "PNG or JPEG up to 10 MB",
        )
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameterError(parameter, value[:40], "not valid base64", "data:image/png;base64,...") from None


async def read_local(value: str, parameter: str, allowed: Sequence[Path], roots: Sequence[Path] | None = None) -> bytes:
    path = check_allowed(local_path(value), allowed, parameter)
    if roots is not None:
        path = check_allowed(path, roots, parameter)
    if not path.is_file():
        raise InvalidParameterError(parameter, str(path), "not a regular file", "an image file")
    if path.stat().st_size > MAX_IMAGE_BYTES:
        raise InvalidParameterError(
            parameter,
            str(path),
            f"the file is {path.stat().st_size} bytes, over useapi's 10 MB limit",
            "PNG or JPEG up to 10 MB",
        )
    return await anyio.Path(path).read_bytes()


async def resolve_image(
    value: str | None,
    parameter: str,
    *,
    client: KlingClient,
    email: str | None,
    allowed: Sequence[Path],
    roots: Sequence[Path] | None = None,
) -> str | None:
    """The URL to send upstream for an image argument, uploading local data first."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if is_remote(value):
        return value
    if value.startswith("data:"):
        data = decode_data_uri(value, parameter)
        shown = "<data URI>"
    else:
        data = await read_local(value, parameter, allowed, roots)
        shown = value
    mime = check_image(data, parameter, shown)
    uploaded = await client.upload_asset(data, mime, email)
    return uploaded.url


async def check_local_images(
    values: Sequence[tuple[str, str | None]], allowed: Sequence[Path], roots: Sequence[Path] | None = None
) -> None:
    """Run every local-file check without uploading (used before asking for confirmation)."""
    for parameter, value in values:
        if value and is_local(value.strip()):
            data = await read_local(value.strip(), parameter, allowed, roots)
            check_image(data, parameter, value)
        elif value and value.strip().startswith("data:"):
            check_image(decode_data_uri(value.strip(), parameter), parameter, "<data URI>")
