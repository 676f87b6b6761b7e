"""Local and remote media on their way to Kling: images here, videos in ``videos.py`` and audio in ``audio.py`` (which
reuse the reading).

Every image reaches Kling as a URL it can read: a Kling CDN URL (``*.klingai.com``, or the configured upstream's
own host and port, e.g. the simulator's uploads) passes through; anything else (another http(s) URL, a local path, a
file:// URL or a data: URI) is fetched or read here, checked, and uploaded with the upstream's own POST /assets
(never anywhere else), and the returned URL is used. useapi's Postman collection says of every image field "use
POST /assets to upload image".

Rules, each with its own error (reference §7.1 for the upstream's limits):
- a local file must lie under an allowed folder (KLING_MCP_ALLOWED_DIRS, default the home folder) and, when the MCP
  client shares its roots, under one of those too; the check is made on the path as written (normalised) and again
  after symlinks are resolved, before the file's existence is looked at, so a refusal says nothing about files
  outside those folders; only regular files are read, and never more than the size limit;
- a remote image is fetched through the same URL filter as videos (no internal addresses) and the same size limit;
- it must be an image by its bytes (JPEG, PNG; WebP is recognised but useapi accepts only PNG and JPEG);
- at most 10 MB (10,000,000 bytes), and at least 300 px on each side where the size can be read from the header.

``check_local_media`` runs every local check of a call's images, videos and audio, without uploading anything: what
the service runs before asking for confirmation and before the first upload.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import anyio

from kling_mcp.api.client import KlingClient
from kling_mcp.api.errors import DownloadError, InvalidParameterError, MalformedResponseError
from kling_mcp.jobs import transfers
from kling_mcp.jobs.addresses import Origin, origin

if TYPE_CHECKING:  # a runtime import would load kling_mcp.arguments (and through it the catalog) from here
    from kling_mcp.arguments.fields import MediaInput

MAX_IMAGE_BYTES = 10_000_000  # reference §7.1: image/png, image/jpeg "up to 10 MB" (decimal megabytes)
MIN_SIDE_PX = 300  # reference §7.1: "min 300 px"
UPLOADABLE = {"image/png", "image/jpeg"}  # reference §7.1's Content-Type list has no image/webp
# Kling's own CDN: reference §7.1 (upload answers "https://s21-kling.klingai.com/…") and §10 (outputs on
# s21-kling.klingai.com, v15-kling.klingai.com, …). Kling reads these itself; nothing needs uploading.
KLING_CDN_DOMAIN = "klingai.com"
# A remote image is small: 30 s, plus 1 s per 50 kB received (at most about 230 s for 10 MB).
IMAGE_DEADLINE = transfers.Deadline(allowance_s=30.0)
ALLOWED_TEXT = "PNG or JPEG up to 10 MB"


@dataclass(frozen=True)
class Limits:
    """How one kind of media is read from a file or a data: URI: its name in messages, its size cap, what is allowed
    (for the errors), and examples of a file:// URL and a data: URI."""

    noun: str
    max_bytes: int
    size_text: str
    allowed: str
    file_example: str
    data_example: str

    @property
    def a_file(self) -> str:
        return f"{'an' if self.noun[:1] in 'aeiou' else 'a'} {self.noun} file"


IMAGE = Limits("image", MAX_IMAGE_BYTES, "10 MB", ALLOWED_TEXT, "file:///path/to.png", "data:image/png;base64,...")


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
    try:
        return urlsplit(value).scheme in ("http", "https")
    except ValueError:  # e.g. "http://[::1": remote, and refused as malformed when fetched
        return value[:8].lower().startswith(("http://", "https://"))


def is_local(value: str) -> bool:
    return not is_remote(value) and not value.startswith("data:")


def on_kling_cdn(url: str, upstream: Origin | None = None) -> bool:
    """True for a URL Kling serves itself (its CDN), or one on the configured upstream's own host and port."""
    where = origin(url)
    if where is None:
        return False
    host = where[0]
    return (
        host == KLING_CDN_DOMAIN
        or host.endswith("." + KLING_CDN_DOMAIN)
        or (upstream is not None and where == upstream)
    )


def local_path(value: str, parameter: str = "image", example: str = "file:///path/to.png") -> Path:
    if value.startswith("file://"):
        parts = urlsplit(value)
        if parts.netloc not in ("", "localhost"):
            raise InvalidParameterError(parameter, value, "file:// URLs must name a local file", example)
        return Path(unquote(parts.path))
    return Path(value).expanduser()


def _under(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _outside(parameter: str, path: Path, allowed: Sequence[Path]) -> InvalidParameterError:
    return InvalidParameterError(
        parameter,
        str(path),
        "the file is outside the folders kling-mcp may read",
        "a file under "
        + (", ".join(str(r) for r in allowed) or "no folder (none allowed)")
        + " (KLING_MCP_ALLOWED_DIRS, and the client's roots when it shares them)",
    )


def check_allowed(path: Path, allowed: Sequence[Path], parameter: str, noun: str = "image") -> Path:
    """The resolved path, if it lies under one of ``allowed``.

    Confinement is checked first on the path as written (made absolute and normalised, without touching the
    disk), then on the path with every symlink resolved, and only then is the file looked for: a path outside
    the folders gets the same answer whether or not something exists there."""
    text = str(path)
    if "\x00" in text:
        raise InvalidParameterError(parameter, text, "the path contains a NUL character", "a file path")
    lexical = Path(os.path.abspath(path))
    roots: list[tuple[Path, Path | None]] = []
    for root in allowed:
        try:
            real: Path | None = root.resolve()
        except (OSError, RuntimeError, ValueError):
            real = None
        roots.append((Path(os.path.abspath(root)), real))
    if not any(_under(lexical, lex) or (real is not None and _under(lexical, real)) for lex, real in roots):
        raise _outside(parameter, path, allowed)
    try:
        resolved = path.absolute().resolve()
    except (OSError, RuntimeError):
        raise InvalidParameterError(
            parameter, text, "the path cannot be resolved (a loop of symbolic links?)", f"an existing {noun} file"
        ) from None
    if not any(real is not None and _under(resolved, real) for _, real in roots):
        raise _outside(parameter, path, allowed)
    try:
        resolved.stat()
    except OSError:
        raise InvalidParameterError(parameter, text, "no such file", f"an existing {noun} file") from None
    return resolved


def check_image(data: bytes, parameter: str, shown: str) -> str:
    """The upload Content-Type for ``data``, or an error naming the rule it breaks."""
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidParameterError(
            parameter,
            shown,
            f"the image is over useapi's 10 MB limit ({MAX_IMAGE_BYTES:,} bytes)"
            if len(data) == MAX_IMAGE_BYTES + 1
            else f"the image is {len(data):,} bytes, over useapi's 10 MB limit ({MAX_IMAGE_BYTES:,} bytes)",
            ALLOWED_TEXT,
        )
    mime = sniff(data)
    if mime is None:
        raise InvalidParameterError(
            parameter, shown, "the file is not a JPEG, PNG or WebP image by its bytes", ALLOWED_TEXT
        )
    if mime not in UPLOADABLE:
        raise InvalidParameterError(
            parameter,
            shown,
            "WebP is not accepted by useapi's POST /assets (PNG and JPEG only); convert it first",
            ALLOWED_TEXT,
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


def decode_data_uri(value: str, parameter: str, limits: Limits = IMAGE) -> bytes:
    header, _, payload = value.partition(",")
    if ";base64" not in header:
        raise InvalidParameterError(parameter, value[:40], "data: URIs must be base64", limits.data_example)
    # Refuse cheaply before decoding: base64 is 4 characters for every 3 bytes.
    if len(payload) * 3 // 4 > limits.max_bytes + 3:
        raise InvalidParameterError(
            parameter,
            f"<data URI of {len(payload)} characters>",
            f"over useapi's {limits.size_text} {limits.noun} limit ({limits.max_bytes:,} bytes)",
            limits.allowed,
        )
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameterError(parameter, value[:40], "not valid base64", limits.data_example) from None


def _read_regular(path: Path, parameter: str, limits: Limits = IMAGE) -> bytes:
    """At most ``limits.max_bytes`` + 1 bytes of ``path``, which must be a non-empty regular file. Opened without
    blocking (a FIFO swapped in cannot hang the call) and without following a symlink swapped in since the check."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InvalidParameterError(
            parameter, str(path), f"the file cannot be opened ({exc.strerror or exc})", f"a readable {limits.noun} file"
        ) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InvalidParameterError(parameter, str(path), "not a regular file", limits.a_file)
        if info.st_size == 0:
            # Also what /proc and /sys files report: their real length is unknown, so they are never read.
            raise InvalidParameterError(
                parameter, str(path), "the file is empty (or a special file of unknown size)", limits.allowed
            )
        if info.st_size > limits.max_bytes:
            raise InvalidParameterError(
                parameter,
                str(path),
                f"the file is {info.st_size:,} bytes, over useapi's {limits.size_text} limit "
                f"({limits.max_bytes:,} bytes)",
                limits.allowed,
            )
        try:
            return fh.read(limits.max_bytes + 1)
        except OSError as exc:
            raise InvalidParameterError(
                parameter,
                str(path),
                f"the file cannot be read ({exc.strerror or exc})",
                f"a readable {limits.noun} file",
            ) from None


async def upload(client: KlingClient, data: bytes, mime: str, email: str | None, noun: str) -> str:
    """POST /assets the checked bytes of a video or an audio file; the URL to send on. Reference §7.1: every client
    reads ``url``; video uploads also carry ``resourceUrl`` (the processed file), taken when ``url`` is missing."""
    answer = await client.upload_asset(data, mime, email)
    url = answer.url or answer.resourceUrl
    if not url:
        raise MalformedResponseError(
            f"useapi's answer to the {noun} upload has no url nor resourceUrl.",
            hint="This is an upstream fault or an API change; try again, and report it if it persists.",
        )
    return url


def length_span(min_seconds: float | None, max_seconds: float | None) -> str:
    """A length bound in words for an allowed-values text: " of 3–30 s", " of at most 30 s", "" when unbounded."""
    if min_seconds is not None and max_seconds is not None:
        return f" of {min_seconds:g}–{max_seconds:g} s"
    if max_seconds is not None:
        return f" of at most {max_seconds:g} s"
    if min_seconds is not None:
        return f" of at least {min_seconds:g} s"
    return ""


async def read_given(
    value: str,
    parameter: str,
    allowed: Sequence[Path],
    roots: Sequence[Path] | None,
    limiter: anyio.CapacityLimiter | None,
    rules: Limits,
) -> tuple[bytes, str]:
    """The bytes of a local file or a data: URI under ``rules`` (a video's or an audio file's size limit; the folder,
    roots and file rules of images), and how the value is shown in errors."""
    if value.startswith("data:"):
        return decode_data_uri(value, parameter, rules), "<data URI>"
    return await read_local(value, parameter, allowed, roots, limits=rules, limiter=limiter), value


async def read_local(
    value: str,
    parameter: str,
    allowed: Sequence[Path],
    roots: Sequence[Path] | None = None,
    *,
    limits: Limits = IMAGE,
    limiter: anyio.CapacityLimiter | None = None,
) -> bytes:
    path = check_allowed(local_path(value, parameter, limits.file_example), allowed, parameter, limits.noun)
    if roots is not None:
        path = check_allowed(path, roots, parameter, limits.noun)
    return await anyio.to_thread.run_sync(partial(_read_regular, path, parameter, limits), limiter=limiter)


async def fetch_remote(
    url: str,
    parameter: str,
    client: KlingClient,
    *,
    trusted: frozenset[Origin],
    limiter: anyio.CapacityLimiter | None = None,
) -> bytes:
    """A remote image's bytes (at most one byte over the limit), fetched without the API token through the
    download URL filter."""
    try:
        return await transfers.fetch_bytes(
            client.media, url, max_bytes=MAX_IMAGE_BYTES, trusted=trusted, deadline=IMAGE_DEADLINE, limiter=limiter
        )
    except DownloadError as exc:
        raise InvalidParameterError(
            parameter,
            url,
            f"the image could not be fetched: {exc.message.rstrip('.')}",
            "an http(s) URL of a PNG or JPEG up to 10 MB, a local file, or a data: URI",
        ) from None


async def resolve_image(
    value: str | None,
    parameter: str,
    *,
    client: KlingClient,
    email: str | None,
    allowed: Sequence[Path],
    roots: Sequence[Path] | None = None,
    limiter: anyio.CapacityLimiter | None = None,
) -> str | None:
    """The URL to send upstream for an image argument: a Kling CDN URL as it is; anything else uploaded first."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    upstream = origin(client.base_url)
    if is_remote(value):
        if on_kling_cdn(value, upstream):
            return value
        data = await fetch_remote(
            value, parameter, client, trusted=frozenset({upstream} if upstream else set()), limiter=limiter
        )
        shown = value
    elif value.startswith("data:"):
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


async def check_local_media(
    items: Sequence[MediaInput],
    allowed: Sequence[Path],
    roots: Sequence[Path] | None = None,
    *,
    video_bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
    upstream: Origin | None = None,
    audio_bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> dict[str, float | None]:
    """Every local check of a call's media, without uploading anything (run before asking for confirmation and
    before the first upload, so that no file is sent for a call that a later file would make fail).

    Images get ``check_image`` when local or a data: URI (a remote image is fetched only when it is resolved).
    Videos get ``videos.classify`` (plain http and other schemes refused at once) and, when local or a data: URI,
    ``videos.check_video`` with their label's ``(min_seconds, max_seconds)`` from ``video_bounds`` (a label not
    there: useapi's upload limits). Audio is checked the same way (``audio.classify``, ``audio.check_audio``, its
    bounds from ``audio_bounds``). ``upstream`` is the configured upstream's origin, whose http URLs are kept as
    ``resolve_video`` keeps them. Returns each video or audio label's length in seconds, None for a URL (not read
    here)."""
    from kling_mcp.jobs import audio, videos  # both import this module

    seconds: dict[str, float | None] = {}
    for item in items:
        value = item.value.strip()
        if not value:
            continue
        if item.kind == "video":
            low, high = (video_bounds or {}).get(item.label, (None, videos.UPLOAD_MAX_SECONDS))
            if videos.classify(value, item.label, upstream) == "url":
                seconds[item.label] = None
                continue
            data, shown = await videos.read_video(value, item.label, allowed, roots, bounds=(low, high))
            seconds[item.label] = videos.check_video(data, item.label, shown, min_seconds=low, max_seconds=high).seconds
        elif item.kind == "audio":
            low, high = (audio_bounds or {}).get(item.label, (None, audio.UPLOAD_MAX_SECONDS))
            if audio.classify(value, item.label, upstream) == "url":
                seconds[item.label] = None
                continue
            data, shown = await audio.read_audio(value, item.label, allowed, roots, bounds=(low, high))
            seconds[item.label] = audio.check_audio(data, item.label, shown, min_seconds=low, max_seconds=high).seconds
        elif value.startswith("data:"):
            check_image(decode_data_uri(value, item.label), item.label, "<data URI>")
        elif is_local(value):
            check_image(await read_local(value, item.label, allowed, roots), item.label, value)
    return seconds
