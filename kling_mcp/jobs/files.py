"""Files on the user's machine: streaming downloads into the output folder, safely.

A download is streamed (never whole in memory) to a temporary file beside its destination, checked (size against
Content-Length, the MP4 ``ftyp`` signature, a size cap), and only then renamed into place, so a partial file never
stands under the final name. A connection dropped midway resumes with ``Range`` when the server allows it.

The transfer itself runs in a worker thread with httpx's synchronous client: measured on loopback, that moves a
200 MB file about twice as fast as the async stream (whose per-chunk event-loop work is the bottleneck), and it
keeps the event loop free. A cancelled call stops the thread at the next chunk.

URLs come from the upstream, but an agent may be manipulated, so they are treated as untrusted: only http(s), and
no loopback, private or link-local address (SSRF) unless it is the host of the configured USEAPI_BASE_URL, which
the user chose on purpose (the simulator, or a self-hosted proxy). Redirects are followed by hand, hop by hop,
each checked. The API token is never sent with a download.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import threading
import uuid
from functools import partial
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

import anyio
import anyio.lowlevel
import httpx
from mcp.shared.path_security import PathEscapeError, safe_join

from kling_mcp.api.errors import DownloadError, InvalidParameterError

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5


def confined_path(base: Path, name: str) -> Path:
    """``base/name``, refusing anything that would land outside ``base`` (``..``, absolute paths, symlinks)."""
    try:
        return safe_join(base, name)
    except PathEscapeError:
        raise InvalidParameterError(
            "filename", name, "must stay inside the output folder", "a plain file name such as my-clip.mp4"
        ) from None


def resolve_host(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address ``host`` resolves to (the standard library parses them; no hand-written IP parsing)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError:
        raise DownloadError(f"Cannot resolve the download host {host}.") from None
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def check_url(url: str, trusted_hosts: frozenset[str]) -> None:
    """Refuse URLs a download must not follow (scheme, and internal addresses unless the host is trusted)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DownloadError(f"Refusing to download from a non-http(s) URL ({parts.scheme or 'no scheme'}).")
    host = parts.hostname.lower()
    if host in trusted_hosts:
        return
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = resolve_host(host, parts.port or (443 if parts.scheme == "https" else 80))
    for address in addresses:
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            raise DownloadError(
                f"Refusing to download from {host}: it resolves to an internal address ({address}).",
                hint="Only the configured USEAPI_BASE_URL host may be internal (e.g. the simulator).",
            )


class _Stopped(Exception):
    """The call was cancelled: the worker thread stops at the next chunk."""


async def download(
    http: httpx.Client,
    url: str,
    dest: Path,
    *,
    max_bytes: int,
    trusted_hosts: frozenset[str],
    attempts: int = 3,
) -> int:
    """Stream ``url`` into ``dest`` atomically with ``http`` (a client that carries no API token); returns the number
    of bytes written."""
    stop = threading.Event()
    work = partial(_download, http, url, dest, max_bytes, trusted_hosts, attempts, stop)
    outcome: list[int] = []

    async def stop_when_cancelled() -> None:
        try:
            await anyio.sleep_forever()
        finally:
            stop.set()

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(stop_when_cancelled)
            try:
                outcome.append(await anyio.to_thread.run_sync(work))
            except _Stopped:
                await anyio.lowlevel.checkpoint()  # the cancellation that stopped the thread is delivered here
                raise DownloadError("The download was stopped.") from None
            group.cancel_scope.cancel()
    except BaseExceptionGroup as group_error:
        if len(group_error.exceptions) == 1:
            raise group_error.exceptions[0] from None
        raise
    return outcome[0]


def _download(
    http: httpx.Client,
    url: str,
    dest: Path,
    max_bytes: int,
    trusted: frozenset[str],
    attempts: int,
    stop: threading.Event,
) -> int:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        written = _fetch(http, url, tmp, max_bytes, trusted, attempts, stop)
        with tmp.open("rb") as fh:
            head = fh.read(12)
        if len(head) < 8 or head[4:8] != b"ftyp":
            raise DownloadError("The downloaded file is not an MP4 video (no ftyp signature); it was discarded.")
        os.replace(tmp, dest)
        return written
    finally:
        tmp.unlink(missing_ok=True)


def _fetch(
    http: httpx.Client,
    url: str,
    tmp: Path,
    max_bytes: int,
    trusted: frozenset[str],
    attempts: int,
    stop: threading.Event,
) -> int:
    written = 0
    total: int | None = None
    failure: Exception | None = None
    with tmp.open("wb") as fh:
        for attempt in range(1, attempts + 1):
            headers = {"Accept-Encoding": "identity"}  # raw bytes as they arrive, no decoding layer
            if written:
                headers["Range"] = f"bytes={written}-"
            try:
                with _open(http, url, headers, trusted) as response:
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
                    written = _copy(response, fh, written, max_bytes, stop)
                if total is not None and written != total:
                    raise httpx.ReadError(f"short body: {written} of {total} bytes")
                return written
            except httpx.TransportError as exc:
                failure = exc
                written = fh.tell()  # what really reached the file: the resume point
                logger.info(
                    "download interrupted after %d bytes (attempt %d): %s", written, attempt, type(exc).__name__
                )
    raise DownloadError(
        f"The download failed after {attempts} attempts ({type(failure).__name__}); no partial file was kept.",
        hint="Call download_clean again.",
    )


def _copy(response: httpx.Response, fh: BinaryIO, written: int, max_bytes: int, stop: threading.Event) -> int:
    for chunk in response.iter_raw():
        if stop.is_set():
            raise _Stopped
        written += len(chunk)
        if written > max_bytes:
            raise DownloadError(
                f"The download passed the {max_bytes}-byte cap (KLING_MCP_MAX_DOWNLOAD_MB); it was stopped and "
                "discarded."
            )
        fh.write(chunk)
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


class _open:
    """Open a GET stream, following redirects by hand so that every hop is checked."""

    def __init__(self, http: httpx.Client, url: str, headers: dict[str, str], trusted: frozenset[str]) -> None:
        self._http, self._url, self._headers, self._trusted = http, url, headers, trusted
        self._response: httpx.Response | None = None

    def __enter__(self) -> httpx.Response:
        url = self._url
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, self._trusted)
            response = self._http.send(self._http.build_request("GET", url, headers=self._headers), stream=True)
            if response.is_redirect and "Location" in response.headers:
                url = urljoin(url, response.headers["Location"])
                response.close()
                continue
            if response.status_code not in (200, 206):
                response.close()
                raise DownloadError(
                    f"The file host answered HTTP {response.status_code}.",
                    hint="The link may have expired; call get_task for a fresh one.",
                )
            self._response = response
            return response
        raise DownloadError(f"More than {MAX_REDIRECTS} redirects; gave up.")

    def __exit__(self, *exc: object) -> None:
        if self._response is not None:
            self._response.close()
