"""Moving bytes over HTTP onto the user's disk, safely: streamed downloads into confined, private files.

A download is streamed (never whole in memory) to a temporary file beside its destination (mode 0600), checked (size
against Content-Length, a size cap, and the file's own format: a video's MP4 signature and, when no length was
announced, its box structure; an image's PNG, JPEG or WebP signature and end; an audio file's WAV, MP3, M4A, FLAC, AAC
or Ogg signature and, for WAV, its RIFF length), and only then renamed into place, so a partial file never stands
under the final name. A connection dropped midway resumes with ``Range`` when the server allows it. Every download
has a deadline that grows with the bytes received (``Deadline``), so a host that trickles a byte every few seconds
cannot hold a thread for ever.

The transfer itself runs in a worker thread with httpx's synchronous client: measured on loopback, that moves a
200 MB file about twice as fast as the async stream (whose per-chunk event-loop work is the bottleneck), and it
keeps the event loop free. The thread is taken from a ``CapacityLimiter`` the caller owns (never anyio's default
pool, which the stdio reader and the ledger need). A cancelled call stops the thread at the next chunk
(``anyio.from_thread.check_cancelled``). Every URL, and every redirect hop (followed by hand), passes the address
filter of ``addresses.py`` first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import struct
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import BinaryIO, Literal
from urllib.parse import urljoin

import anyio
import anyio.from_thread
import anyio.to_thread
import httpx
from mcp.shared.path_security import PathEscapeError, safe_join

from kling_mcp.api.errors import DownloadError, InvalidParameterError
from kling_mcp.jobs.addresses import Origin, check_url

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
MediaKind = Literal["video", "image", "audio"]
# How each kind is named when a downloaded file is not what it should be.
KIND_TEXT: dict[MediaKind, str] = {
    "video": "MP4 video",
    "image": "PNG, JPEG or WebP image",
    "audio": "WAV, MP3, M4A, FLAC, AAC or Ogg audio file",
}
_IMAGE_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
_HEAD_BYTES = 64 * 1024  # what is read of a file to tell its format (an MP3's ID3 tag may hold a cover picture)
FILE_MODE = 0o600  # videos hold the user's prompts made visible: readable by the user only
DIR_MODE = 0o700


@dataclass(frozen=True)
class Deadline:
    """How long a download may take: ``allowance_s`` plus one second for every ``min_rate`` bytes received. A
    healthy transfer never meets it; a host that stalls or trickles is cut off after about ``allowance_s``."""

    allowance_s: float = 120.0
    min_rate: float = 50_000.0  # bytes per second, on average, once the allowance is spent
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    def limit(self, started: float, received: int) -> float:
        return started + self.allowance_s + received / self.min_rate


def confined_path(base: Path, name: str, *, parameter: str | None = None) -> Path:
    """``base/name``, refusing anything that would land outside ``base`` (``..``, absolute paths, symlinks).

    ``parameter`` names the tool argument ``name`` came from; without one the name is ours (the default file
    name), so a refusal can only come from the folder's contents (a symlink planted under that name)."""
    try:
        return safe_join(base, name)
    except PathEscapeError:
        if parameter is not None:
            raise InvalidParameterError(
                parameter, name, "must stay inside the output folder", "a plain file name such as my-clip.mp4"
            ) from None
        raise DownloadError(
            f"{Path(base) / name} is a symbolic link leading outside the output folder {base}; "
            "refusing to write through it.",
            hint="Remove or rename that link (or set KLING_MCP_OUTPUT_DIR to another folder).",
        ) from None


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and its parents) if missing; the folder itself is created readable by the user only."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)


# --- transfers in a bounded pool of threads ------------------------------------------------------------------------


async def download(
    http: httpx.Client,
    url: str,
    dest: Path,
    *,
    max_bytes: int,
    trusted: frozenset[Origin],
    deadline: Deadline | None = None,
    limiter: anyio.CapacityLimiter | None = None,
    attempts: int = 3,
    kind: MediaKind = "video",
) -> int:
    """Stream ``url`` into ``dest`` atomically with ``http`` (a client that carries no API token); returns the number
    of bytes written. ``kind`` (a video, an image, an audio file) is the check the bytes must pass before they are
    put in place. Every failure, the disk's included, is a DownloadError."""
    work = partial(_download, http, url, dest, max_bytes, trusted, deadline or Deadline(), attempts, kind)
    return await anyio.to_thread.run_sync(work, limiter=limiter)


async def fetch_bytes(
    http: httpx.Client,
    url: str,
    *,
    max_bytes: int,
    trusted: frozenset[Origin],
    deadline: Deadline | None = None,
    limiter: anyio.CapacityLimiter | None = None,
) -> bytes:
    """The body of ``url`` in memory, through the same URL filter; at most ``max_bytes + 1`` bytes are read, so a
    caller sees that a body is over its cap without the rest being fetched."""
    work = partial(_fetch_bytes, http, url, max_bytes, trusted, deadline or Deadline())
    return await anyio.to_thread.run_sync(work, limiter=limiter)


# --- the transfer (in the worker thread) ---------------------------------------------------------------------------


def _download(
    http: httpx.Client,
    url: str,
    dest: Path,
    max_bytes: int,
    trusted: frozenset[Origin],
    deadline: Deadline,
    attempts: int,
    kind: MediaKind = "video",
) -> int:
    try:
        make_private_dir(dest.parent)
    except OSError as exc:
        raise DownloadError(
            f"Cannot create the output folder {dest.parent}: {exc.strerror or exc}.",
            hint="Set KLING_MCP_OUTPUT_DIR to a writable folder (not under a file).",
        ) from None
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with create_private(tmp) as fh:
            written, total = _fetch(http, url, fh, max_bytes, trusted, deadline, attempts)
            fh.flush()
            os.fsync(fh.fileno())  # a full disk may only say so here
        problem = file_problem(tmp, kind, complete=total is None)
        if problem is not None:
            unverified = " and the host announced no length" if total is None else ""
            raise DownloadError(
                f"The downloaded file is not a complete {KIND_TEXT[kind]} ({problem}){unverified}; it was discarded.",
                hint="The connection may have been cut.",
                details={"transient": True},
            )
        os.replace(tmp, dest)
        return written
    except OSError as exc:
        raise DownloadError(
            f"Could not write the file into {dest.parent}: {exc.strerror or exc}; no partial file was kept.",
            hint="Free some disk space, or set KLING_MCP_OUTPUT_DIR to a writable folder.",
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def create_private(path: Path) -> BinaryIO:
    """A new file, readable and writable by the user only (FILE_MODE whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), FILE_MODE)
    return os.fdopen(fd, "wb")


def _fetch(
    http: httpx.Client,
    url: str,
    fh: BinaryIO,
    max_bytes: int,
    trusted: frozenset[Origin],
    deadline: Deadline,
    attempts: int,
) -> tuple[int, int | None]:
    """Fill ``fh``; returns the bytes written and the length the host announced (None when it announced none)."""
    started = deadline.clock()
    written = 0
    total: int | None = None
    failure: Exception | None = None
    for attempt in range(1, attempts + 1):
        headers = {"Accept-Encoding": "identity"}  # raw bytes as they arrive, no decoding layer
        if written:
            headers["Range"] = f"bytes={written}-"
        timeout = _timeout(http, deadline.limit(started, written) - deadline.clock())
        try:
            with _checked_stream(http, url, headers, trusted, timeout) as response:
                if written and response.status_code != 206:
                    fh.seek(0)
                    fh.truncate()
                    written = 0
                if total is None or response.status_code == 200:
                    total = _expected_total(response, written)
                if total is not None and total > max_bytes:
                    raise DownloadError(
                        f"The file is {total} bytes, over the {max_bytes}-byte cap (KLING_MCP_MAX_DOWNLOAD_MB)."
                    )
                written = _copy(response, fh, written, max_bytes, deadline, started)
            if total is not None and written != total:
                raise httpx.ReadError(f"short body: {written} of {total} bytes")
            return written, total
        except httpx.TransportError as exc:
            failure = exc
            written = fh.tell()  # what really reached the file: the resume point
            logger.info("download interrupted after %d bytes (attempt %d): %s", written, attempt, type(exc).__name__)
            if deadline.clock() >= deadline.limit(started, written):
                _too_slow(written, deadline)
    raise DownloadError(
        f"The download failed after {attempts} attempts ({type(failure).__name__}); no partial file was kept.",
        hint="The connection kept failing; it may work later.",
        details={"transient": True},
    )


def _fetch_bytes(http: httpx.Client, url: str, max_bytes: int, trusted: frozenset[Origin], deadline: Deadline) -> bytes:
    started = deadline.clock()
    body = bytearray()
    try:
        with _checked_stream(
            http, url, {"Accept-Encoding": "identity"}, trusted, _timeout(http, deadline.allowance_s)
        ) as r:
            for chunk in r.iter_raw():
                anyio.from_thread.check_cancelled()  # a cancelled call stops here, at the next chunk
                body += chunk
                if len(body) > max_bytes:
                    break
                if deadline.clock() >= deadline.limit(started, len(body)):
                    _too_slow(len(body), deadline)
    except httpx.TransportError as exc:
        raise DownloadError(f"The download failed ({type(exc).__name__}).", details={"transient": True}) from None
    return bytes(body[: max_bytes + 1])


def _timeout(http: httpx.Client, remaining: float) -> httpx.Timeout:
    """The client's timeouts, none longer than what is left of the deadline (so a silent host is cut off too)."""
    remaining = max(remaining, 0.001)
    base = http.timeout

    def cap(value: float | None) -> float:
        return remaining if value is None else min(value, remaining)

    return httpx.Timeout(connect=cap(base.connect), read=cap(base.read), write=cap(base.write), pool=cap(base.pool))


def _too_slow(received: int, deadline: Deadline) -> None:
    raise DownloadError(
        f"The file host sent only {received} bytes in too long a time (a download may take "
        f"{deadline.allowance_s:g} s plus 1 s per {deadline.min_rate / 1000:g} kB); it was stopped and discarded.",
        hint="The host may be overloaded; try again later.",
        details={"transient": True},
    )


def _copy(
    response: httpx.Response,
    fh: BinaryIO,
    written: int,
    max_bytes: int,
    deadline: Deadline,
    started: float,
) -> int:
    for chunk in response.iter_raw():
        anyio.from_thread.check_cancelled()  # a cancelled call stops here, at the next chunk
        written += len(chunk)
        if written > max_bytes:
            raise DownloadError(
                f"The download passed the {max_bytes}-byte cap (KLING_MCP_MAX_DOWNLOAD_MB); it was stopped and "
                "discarded."
            )
        fh.write(chunk)
        if deadline.clock() >= deadline.limit(started, written):
            _too_slow(written, deadline)
    return written


def _expected_total(response: httpx.Response, offset: int) -> int | None:
    if response.status_code == 206:
        content_range = response.headers.get("Content-Range", "")
        if "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
            return int(content_range.rsplit("/", 1)[1])
    length = response.headers.get("Content-Length")
    if length is not None and length.isdigit():
        return int(length) + (offset if response.status_code == 206 else 0)
    return None


@contextlib.contextmanager
def _checked_stream(
    http: httpx.Client, url: str, headers: dict[str, str], trusted: frozenset[Origin], timeout: httpx.Timeout
) -> Iterator[httpx.Response]:
    """Open a GET stream, following redirects by hand so that every hop passes the address filter."""
    for _ in range(MAX_REDIRECTS + 1):
        check_url(url, trusted)
        try:
            request = http.build_request("GET", url, headers=headers, timeout=timeout)
        except (httpx.InvalidURL, ValueError, UnicodeError):
            raise DownloadError("Refusing to download from a malformed URL.") from None
        response = http.send(request, stream=True)
        if response.is_redirect and "Location" in response.headers:
            try:
                url = urljoin(url, response.headers["Location"])
            except ValueError:
                url = "malformed:"
            response.close()
            continue
        if response.status_code not in (200, 206):
            response.close()
            transient = response.status_code == 429 or response.status_code >= 500
            raise DownloadError(
                f"The file host answered HTTP {response.status_code}.",
                hint="Try again later."
                if transient
                else "The link may have expired; ask for the task again for a fresh one.",
                details={"transient": transient, "http_status": response.status_code},
            )
        try:
            yield response
        finally:
            response.close()
        return
    raise DownloadError(f"More than {MAX_REDIRECTS} redirects; gave up.")


# --- checking a file on disk ---------------------------------------------------------------------------------------


def file_problem(path: Path, kind: MediaKind = "video", *, complete: bool = True) -> str | None:
    """Why the file at ``path`` is not a usable file of ``kind``, or None: ``mp4_problem`` for a video; for an image,
    a PNG, JPEG or WebP signature (with ``complete``: a PNG's IEND chunk, a JPEG's end-of-image marker, a WebP's RIFF
    length); for audio, one of the six formats useapi takes (with ``complete``: a WAV's RIFF length)."""
    if kind == "video":
        return mp4_problem(path, complete=complete)
    try:
        with path.open("rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                return "not a regular file"
            size = info.st_size
            head = fh.read(_HEAD_BYTES)
            fh.seek(max(size - 32, 0))
            tail = fh.read(32)
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    mime = _sniff(head, kind)
    if mime is None:
        return f"no {KIND_TEXT[kind]} signature at the start ({size} bytes)"
    if not complete:
        return None
    if mime == "image/png" and b"IEND" not in tail[-12:]:
        return "the PNG has no IEND chunk at its end (cut short?)"
    if mime == "image/jpeg" and b"\xff\xd9" not in tail:
        return "the JPEG has no end-of-image marker (cut short?)"
    if mime in ("image/webp", "audio/wav") and len(head) >= 8:
        claimed = struct.unpack_from("<I", head, 4)[0] + 8
        if claimed > size:
            return f"its RIFF header claims {claimed} bytes, the file has {size} (cut short?)"
    return None


def right_suffix(path: Path, kind: MediaKind) -> Path:
    """``path``, or the same name with the suffix its bytes call for when they are another format of its kind than
    the name says (a JPEG saved as .png) and nothing stands under that name yet."""
    right = content_suffix(path, kind)
    if right is None or right == path.suffix.lower():
        return path
    renamed = path.with_suffix(right)
    if os.path.lexists(renamed):
        return path
    try:
        os.rename(path, renamed)
    except OSError:
        return path
    return renamed


def content_suffix(path: Path, kind: MediaKind) -> str | None:
    """The file name suffix the bytes at ``path`` call for (".png", ".jpg", ".mp3", …), None for a video or when
    the format is not one of its kind's."""
    if kind == "video":
        return None
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError:
        return None
    mime = _sniff(head, kind)
    if mime is None:
        return None
    if kind == "image":
        return _IMAGE_SUFFIXES.get(mime)
    from kling_mcp.jobs import audio  # audio imports uploads, which imports this module

    return audio.SUFFIXES.get(mime)


def _sniff(head: bytes, kind: MediaKind) -> str | None:
    """The image or audio Content-Type of a file's first bytes (the sniffing of uploads.py and audio.py)."""
    from kling_mcp.jobs import audio, uploads  # both import this module

    return uploads.sniff(head) if kind == "image" else audio.sniff(head)


def mp4_problem(path: Path, *, complete: bool = True) -> str | None:
    """Why the file at ``path`` is not a usable MP4, or None.

    Always: it is a regular file that starts with an ``ftyp`` box. With ``complete``: its top-level boxes (ISO/IEC
    14496-12: a 32-bit size, or 1 and a 64-bit size, or 0 for "to the end of the file") tile the file exactly, and a
    ``moov`` box is among them. A file cut short ends inside a box, so its last box claims more bytes than remain."""
    try:
        with path.open("rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                return "not a regular file"
            size = info.st_size
            head = fh.read(16)
            if len(head) < 8 or head[4:8] != b"ftyp":
                return f"no ftyp signature at the start ({size} bytes)"
            if not complete:
                return None
            return _box_problem(fh, size)
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"


def _box_problem(fh: BinaryIO, size: int) -> str | None:
    position = 0
    seen: set[bytes] = set()
    while position < size:
        fh.seek(position)
        header = fh.read(16)
        if len(header) < 8:
            return f"{size - position} stray bytes after the last box"
        length, kind = struct.unpack(">I4s", header[:8])
        if length == 1:
            if len(header) < 16:
                return "a box header is cut short"
            length = struct.unpack(">Q", header[8:16])[0]
        elif length == 0:
            length = size - position
        if length < 8:
            return f"a box of impossible size {length} at byte {position}"
        if position + length > size:
            name = kind.decode("latin-1")
            return f"the {name!r} box at byte {position} is cut short ({size} of {position + length} bytes)"
        seen.add(kind)
        position += length
    if b"moov" not in seen:
        return "no moov box (the movie header is missing)"
    return None
