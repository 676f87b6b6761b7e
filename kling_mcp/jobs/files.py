"""Files on the user's machine: streaming downloads into the output folder, safely.

A download is streamed (never whole in memory) to a temporary file beside its destination, checked (size against
Content-Length, the MP4 ``ftyp`` signature, a size cap), and only then renamed into place, so a partial file never
stands under the final name. A connection dropped midway resumes with ``Range`` when the server allows it.

URLs come from the upstream, but an agent may be manipulated, so they are treated as untrusted: only http(s), and
no loopback, private or link-local address (SSRF) unless it is the host of the configured USEAPI_BASE_URL, which
the user chose on purpose (the simulator, or a self-hosted proxy). Redirects are followed by hand, hop by hop,
each checked. The API token is never sent with a download.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import uuid
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

import anyio
import httpx
from mcp.shared.path_security import PathEscapeError, safe_join

from kling_mcp.api.client import KlingClient
from kling_mcp.api.errors import APIConnectionError, DownloadError, InvalidParameterError

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
WRITE_BLOCK = 1 << 20
WRITE_QUEUE = 4


def confined_path(base: Path, name: str) -> Path:
    """``base/name``, refusing anything that would land outside ``base`` (``..``, absolute paths, symlinks)."""
    try:
        return safe_join(base, name)
    except PathEscapeError:
        raise InvalidParameterError(
            "filename", name, "must stay inside the output folder", "a plain file name such as my-clip.mp4"
        ) from None


async def resolve_host(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address ``host`` resolves to (the standard library parses them; no hand-written IP parsing)."""
    try:
        infos = await anyio.getaddrinfo(host, port)
    except OSError:
        raise DownloadError(f"Cannot resolve the download host {host}.") from None
    return [ipaddress.ip_address(info[4][0]) for info in infos]


async def check_url(url: str, trusted_hosts: frozenset[str]) -> None:
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
        addresses = await resolve_host(host, parts.port or (443 if parts.scheme == "https" else 80))
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


async def download(
    client: KlingClient,
    url: str,
    dest: Path,
    *,
    max_bytes: int,
    trusted_hosts: frozenset[str],
    attempts: int = 3,
) -> int:
    """Stream ``url`` into ``dest`` atomically; returns the number of bytes written."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        written = await _fetch(client, url, tmp, max_bytes=max_bytes, trusted_hosts=trusted_hosts, attempts=attempts)
        with tmp.open("rb") as fh:
            head = fh.read(12)
        if len(head) < 8 or head[4:8] != b"ftyp":
            raise DownloadError("The downloaded file is not an MP4 video (no ftyp signature); it was discarded.")
        os.replace(tmp, dest)
        return written
    finally:
        tmp.unlink(missing_ok=True)


async def _fetch(
    client: KlingClient, url: str, tmp: Path, *, max_bytes: int, trusted_hosts: frozenset[str], attempts: int
) -> int:
    written = 0
    total: int | None = None
    failure: Exception | None = None
    with tmp.open("wb") as fh:
        for attempt in range(1, attempts + 1):
            headers = {"Accept-Encoding": "identity"}
            if written:
                headers["Range"] = f"bytes={written}-"
            try:
                async with _open(client, url, headers, trusted_hosts) as response:
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
                    written = await _stream_to_file(response, fh, written, max_bytes)
                if total is not None and written != total:
                    raise httpx.ReadError(f"short body: {written} of {total} bytes")
                return written
            except (httpx.TransportError, APIConnectionError) as exc:
                failure = exc
                written = fh.tell()  # what really reached the file: the resume point
                logger.info(
                    "download interrupted after %d bytes (attempt %d): %s", written, attempt, type(exc).__name__
                )
    raise DownloadError(
        f"The download failed after {attempts} attempts ({type(failure).__name__}); no partial file was kept.",
        hint="Call download_clean again.",
    )


async def _stream_to_file(response: httpx.Response, fh: BinaryIO, written: int, max_bytes: int) -> int:
    """Copy the body into ``fh``: the event loop keeps reading the socket while a worker thread writes the previous
    block, with at most ``WRITE_QUEUE`` blocks of ``WRITE_BLOCK`` bytes in memory whatever the file size."""
    send, receive = anyio.create_memory_object_stream[bytes](WRITE_QUEUE)

    async def writer() -> None:
        async with receive:
            async for block in receive:
                await anyio.to_thread.run_sync(fh.write, block)

    failure: httpx.TransportError | None = None
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(writer)
            async with send:
                buffer = bytearray()
                try:
                    # Raw bytes as they arrive (the request asked for identity encoding): no re-chunking copies.
                    async for chunk in response.aiter_raw():
                        written += len(chunk)
                        if written > max_bytes:
                            raise DownloadError(
                                f"The download passed the {max_bytes}-byte cap "
                                "(KLING_MCP_MAX_DOWNLOAD_MB); it was stopped and discarded."
                            )
                        buffer += chunk
                        if len(buffer) >= WRITE_BLOCK:
                            await send.send(bytes(buffer))
                            buffer.clear()
                except httpx.TransportError as exc:
                    failure = exc  # what arrived is good: write it, so that the file's end is the resume point
                if buffer:
                    await send.send(bytes(buffer))
    except BaseExceptionGroup as group_error:
        if len(group_error.exceptions) == 1:
            raise group_error.exceptions[0] from None
        raise
    if failure is not None:
        raise failure
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

    def __init__(self, client: KlingClient, url: str, headers: dict[str, str], trusted: frozenset[str]) -> None:
        self._client, self._url, self._headers, self._trusted = client, url, headers, trusted
        self._cm: object | None = None

    async def __aenter__(self) -> httpx.Response:
        url = self._url
        for _ in range(MAX_REDIRECTS + 1):
            await check_url(url, self._trusted)
            cm = self._client.stream(url, headers=self._headers)
            response = await cm.__aenter__()
            if response.is_redirect and "Location" in response.headers:
                url = urljoin(url, response.headers["Location"])
                await cm.__aexit__(None, None, None)
                continue
            if response.status_code not in (200, 206):
                await cm.__aexit__(None, None, None)
                raise DownloadError(
                    f"The file host answered HTTP {response.status_code}.",
                    hint="The link may have expired; call get_task for a fresh one.",
                )
            self._cm = cm
            return response
        raise DownloadError(f"More than {MAX_REDIRECTS} redirects; gave up.")

    async def __aexit__(self, *exc: object) -> None:
        if self._cm is not None:
            await self._cm.__aexit__(*exc)  # type: ignore[attr-defined]
