"""Which addresses a download may reach: the filter every URL from the upstream passes, hop by hop.

URLs come from the upstream, but an agent may be manipulated, so they are treated as untrusted: only http(s), and
only globally routable addresses (``ipaddress.is_global``, also for the IPv4 address inside IPv4-mapped, 6to4,
Teredo, NAT64 and IPv4-compatible IPv6 forms) unless the URL's host *and port* are those of the configured
USEAPI_BASE_URL, which the user chose on purpose (the simulator, or a self-hosted proxy). The API token is never sent
with a download. (The check resolves the name, and httpx resolves it again to connect: a DNS answer that changes in
between is not caught.)
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from kling_mcp.api.errors import DownloadError

Origin = tuple[str, int]  # (lower-case host, port) of a URL

_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix: the last 32 bits are an IPv4 address
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d form


def origin(url: str) -> Origin | None:
    """``(host, port)`` of a URL, the port defaulted from the scheme; None when the URL cannot be parsed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


def resolve_host(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address ``host`` resolves to (the standard library parses them; no hand-written IP parsing)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise DownloadError(f"Cannot resolve the download host {host}.", details={"transient": True}) from None
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (IPv4-mapped, 6to4, Teredo server and client, NAT64 well-known
    prefix, IPv4-compatible): each must pass the same filter, or ``2002:a9fe:a9fe::`` would reach 169.254.169.254."""
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for every address that is not plainly global: private, loopback, link-local, CGNAT (100.64.0.0/10,
    where cloud metadata such as 100.100.100.200 lives), reserved, multicast, unspecified, and IPv6 forms wrapping
    any of those."""
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        candidates.extend(embedded_ipv4(address))
    return any(
        not a.is_global or a.is_multicast or a.is_reserved or a.is_unspecified or a.is_loopback or a.is_link_local
        for a in candidates
    )


def check_url(url: str, trusted: frozenset[Origin]) -> None:
    """Refuse URLs a download must not follow (scheme, malformed, and internal addresses unless the URL's host and
    port are a trusted origin)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DownloadError(
            "Refusing to download from a malformed URL (its host or port cannot be parsed).",
            hint="The link came from the upstream; ask for the task again for a fresh one.",
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DownloadError(f"Refusing to download from a non-http(s) URL ({parts.scheme or 'no scheme'}).")
    host = parts.hostname.lower()
    port = port or (443 if parts.scheme == "https" else 80)
    if (host, port) in trusted:
        return
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = resolve_host(host, port)
    for address in addresses:
        if is_internal(address):
            raise DownloadError(
                f"Refusing to download from {host}: it resolves to an internal address ({address}).",
                hint="Only the configured USEAPI_BASE_URL (its host and port) may be internal (e.g. the simulator).",
            )
