"""Downloads refuse every non-global address, answer every fault with its own code, re-check files already on disk,
keep videos private, and never wait for ever on a slow host."""

from __future__ import annotations

import errno
import ipaddress
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import anyio
import httpx
import pytest
import respx
from mcp import Client

from kling_mcp.api.errors import DownloadError
from kling_mcp.jobs import addresses, transfers
from kling_mcp.server import create_server
from tests.factories import accounts, task
from tests.jobs.mp4 import COMPLETE, box, mp4
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio

CLEAN = "https://cdn.test/clean/420.mp4"


def finished(api: respx.MockRouter, url: str = CLEAN) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(json=task(42, 99, works=1))
    api.get("/assets/download").respond(json={"cdnUrl": url, "status": "success"})


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


class Unsized(httpx.SyncByteStream):
    """A body sent without Content-Length (read until the connection closes): ``data`` and then the end."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self.data), 8192):
            yield self.data[start : start + 8192]


# --- the URL filter ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "100.100.100.200",  # cloud metadata in the shared address space 100.64.0.0/10
        "100.64.0.1",  # CGNAT / Tailscale peers
        "2002:a9fe:a9fe::",  # 6to4 wrapping 169.254.169.254
        "2002:7f00:1::1",  # 6to4 wrapping 127.0.0.1
        "2002:c0a8:101::1",  # 6to4 wrapping 192.168.1.1
        "::ffff:169.254.169.254",  # IPv4-mapped
        "::ffff:100.100.100.200",
        "64:ff9b::a9fe:a9fe",  # NAT64 well-known prefix wrapping 169.254.169.254
        "64:ff9b::a64:a64",  # NAT64 wrapping 10.100.10.100
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1 (obfuscated)
        "::7f00:1",  # IPv4-compatible ::127.0.0.1
        "224.0.0.251",  # multicast
        "198.18.0.1",  # benchmarking
        "192.0.2.10",  # documentation
        "fe80::1",
        "fd00::1",
    ],
)
def test_every_address_that_is_not_global_is_refused(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(DownloadError, match="internal address"):
        addresses.check_url(f"http://{host}/latest/meta-data", frozenset())


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "2002:5db8:d822::1"])
def test_global_addresses_pass(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    addresses.check_url(f"https://{host}/video.mp4", frozenset())


def test_a_name_resolving_to_a_6to4_internal_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(addresses, "resolve_host", lambda host, port: [ipaddress.ip_address("2002:a9fe:a9fe::1")])
    with pytest.raises(DownloadError, match="internal address"):
        addresses.check_url("https://sneaky.example/x.mp4", frozenset())


def test_the_upstream_exception_needs_its_host_and_its_port() -> None:
    trusted = frozenset({("127.0.0.1", 8765)})
    addresses.check_url("http://127.0.0.1:8765/cdn/works/1/clean.mp4", trusted)
    for other in ("http://127.0.0.1:9999/x", "http://127.0.0.1/x", "https://127.0.0.1/x"):
        with pytest.raises(DownloadError, match="internal address"):
            addresses.check_url(other, trusted)


async def test_another_port_of_the_upstream_host_gets_no_request(make_settings: Any) -> None:
    settings = make_settings(base_url="http://127.0.0.1:8765")
    with respx.mock(base_url="http://127.0.0.1:8765/v1/kling", assert_all_called=False) as api:
        finished(api, "http://127.0.0.1:8766/admin/clean.mp4")
        other = api.get("http://127.0.0.1:8766/admin/clean.mp4").respond(content=COMPLETE)
        async with Client(create_server(settings)) as c:
            err = error_of(await c.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed" and "internal address" in err["message"]
    assert not other.called


@pytest.mark.parametrize("url", ["http://[::1", "http://cdn.test:99999/x.mp4", "http://[::1]:port/x.mp4"])
async def test_a_malformed_download_url_is_a_download_error(client: Client, api: respx.MockRouter, url: str) -> None:
    finished(api, url)
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed" and "malformed URL" in err["message"]


# --- the disk ------------------------------------------------------------------------------------------------------


class _FullDisk:
    """A file whose writes fail with ENOSPC after ``room`` bytes."""

    def __init__(self, fh: BinaryIO, room: int) -> None:
        self.fh, self.room = fh, room

    def write(self, data: bytes) -> int:
        if self.fh.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.fh.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fh, name)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fh.close()


async def test_a_full_disk_is_a_download_error_and_leaves_nothing(
    client: Client, api: respx.MockRouter, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = transfers.create_private
    monkeypatch.setattr(transfers, "create_private", lambda path: _FullDisk(real(path), 10_000))
    finished(api)
    api.get(CLEAN).respond(content=COMPLETE)
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed"
    assert "No space left on device" in err["message"] and str(settings.output_dir) in err["message"]
    assert leftovers(settings.output_dir) == []


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 kB tmpfs, where the system allows mounting one (root on Linux); skipped elsewhere."""
    mount, umount = shutil.which("mount"), shutil.which("umount")
    folder = tmp_path / "tiny"
    folder.mkdir()
    if mount is None or umount is None or os.name != "posix":
        pytest.skip("no mount command")
    try:
        done = subprocess.run(
            [mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        pytest.skip("mounting a tmpfs is not possible here")
    if done.returncode != 0:
        pytest.skip("mounting a tmpfs is refused here")
    try:
        yield folder
    finally:
        subprocess.run([umount, str(folder)], capture_output=True, timeout=10)


async def test_a_really_full_disk_is_a_download_error(
    make_settings: Any, api: respx.MockRouter, tiny_tmpfs: Path
) -> None:
    settings = make_settings(output_dir=tiny_tmpfs / "out")
    finished(api)
    api.get(CLEAN).respond(content=mp4(200_000))
    async with Client(create_server(settings)) as c:
        err = error_of(await c.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed" and "No space left on device" in err["message"]
    assert leftovers(settings.output_dir) == []


async def test_an_output_folder_under_a_regular_file_is_a_download_error(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings = make_settings(output_dir=blocker / "out")
    finished(api)
    api.get(CLEAN).respond(content=COMPLETE)
    async with Client(create_server(settings)) as c:
        err = error_of(await c.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed" and str(blocker) in err["message"]
    assert "Not a directory" in err["message"]


async def test_videos_and_the_output_folder_are_private(client: Client, api: respx.MockRouter, settings: Any) -> None:
    finished(api)
    api.get(CLEAN).respond(content=COMPLETE)
    out = (await client.call_tool("download_clean", {"task_id": 42})).structured_content
    assert stat.S_IMODE(Path(out["path"]).stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.output_dir.stat().st_mode) == 0o700


# --- files already on disk, and bodies of unknown length -----------------------------------------------------------


async def test_junk_under_the_final_name_is_not_reported_as_saved(
    client: Client, api: respx.MockRouter, settings: Any
) -> None:
    finished(api)
    media = api.get(CLEAN).respond(content=COMPLETE)
    settings.output_dir.mkdir(parents=True)
    junk = settings.output_dir / "kling_42_420.mp4"
    junk.write_bytes(b"junk")
    result = await client.call_tool("download_clean", {"task_id": 42})
    err = error_of(result)
    assert err["code"] == "download_failed" and "not a complete MP4" in err["message"] and str(junk) in err["message"]
    assert "overwrite=true" in err["hint"] and junk.read_bytes() == b"junk" and not media.called
    replaced = (await client.call_tool("download_clean", {"task_id": 42, "overwrite": True})).structured_content
    assert replaced["clean"] is True and junk.read_bytes() == COMPLETE


async def test_a_recorded_file_replaced_by_junk_is_checked_again(
    client: Client, api: respx.MockRouter, settings: Any
) -> None:
    finished(api)
    api.get(CLEAN).respond(content=COMPLETE)
    first = (await client.call_tool("download_clean", {"task_id": 42})).structured_content
    Path(first["path"]).write_bytes(b"\x00\x00\x00\x18ftypjunk")
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed" and "not a complete MP4" in err["message"]


async def test_a_body_without_length_cut_short_is_not_saved(
    client: Client, api: respx.MockRouter, settings: Any
) -> None:
    finished(api)
    api.get(CLEAN).mock(side_effect=lambda request: httpx.Response(200, stream=Unsized(COMPLETE[: len(COMPLETE) // 2])))
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed" and "cut short" in err["message"] and "no length" in err["message"]
    assert leftovers(settings.output_dir) == []


async def test_a_complete_body_without_length_is_saved(client: Client, api: respx.MockRouter, settings: Any) -> None:
    finished(api)
    api.get(CLEAN).mock(side_effect=lambda request: httpx.Response(200, stream=Unsized(COMPLETE)))
    out = (await client.call_tool("download_clean", {"task_id": 42})).structured_content
    assert out["clean"] is True and Path(out["path"]).read_bytes() == COMPLETE


async def test_a_symlink_under_the_default_name_is_named_as_the_cause(
    client: Client, api: respx.MockRouter, settings: Any, tmp_path: Path
) -> None:
    finished(api)
    api.get(CLEAN).respond(content=COMPLETE)
    settings.output_dir.mkdir(parents=True)
    (settings.output_dir / "kling_42_420.mp4").symlink_to(tmp_path / "elsewhere.mp4")
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed" and "symbolic link" in err["message"]
    assert "filename" not in err["message"] and "kling_42_420.mp4" in err["message"]


@pytest.mark.parametrize(
    ("data", "complete", "problem"),
    [
        (COMPLETE, True, None),
        (COMPLETE[:-1], True, "cut short"),
        (COMPLETE[:-1], False, None),  # a length was announced and matched: the signature is enough
        (box(b"ftyp", b"isom") + box(b"mdat", bytes(10)), True, "no moov"),
        (box(b"ftyp", b"isom") + box(b"moov", b"") + b"\x00\x00\x00\x00mdat" + bytes(50), True, None),
        (box(b"ftyp", b"isom") + box(b"moov", b"") + b"\x00\x00\x00\x01mdat" + (40).to_bytes(8, "big"), True, "cut"),
        (box(b"ftyp", b"isom") + box(b"moov", b"") + b"\x00\x00\x00\x04free", True, "impossible size"),
        (b"junk", True, "no ftyp"),
        (box(b"ftyp", b"isom") + box(b"moov", b"") + b"abc", True, "stray bytes"),
    ],
)
def test_the_mp4_check(tmp_path: Path, data: bytes, complete: bool, problem: str | None) -> None:
    path = tmp_path / "v.mp4"
    path.write_bytes(data)
    found = transfers.mp4_problem(path, complete=complete)
    assert found is None if problem is None else (found is not None and problem in found)


# --- deadlines -----------------------------------------------------------------------------------------------------


class Trickle(httpx.SyncByteStream):
    """An MP4 header, then one byte per chunk for ever (the file host of the report sent one every 2 s)."""

    def __iter__(self) -> Iterator[bytes]:
        yield COMPLETE[:32]
        while True:
            yield b"\0"


class Ticks:
    """A clock that moves one second each time it is read: deadlines are tested without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


async def test_a_trickling_host_is_cut_off_by_the_deadline(tmp_path: Path) -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, stream=Trickle())))
    deadline = transfers.Deadline(allowance_s=120.0, min_rate=50_000.0, clock=Ticks())
    with anyio.fail_after(20), pytest.raises(DownloadError, match="in too long a time") as caught:
        await transfers.download(
            http, "https://cdn.test/x.mp4", tmp_path / "x.mp4", max_bytes=10**9, trusted=frozenset(), deadline=deadline
        )
    http.close()
    assert caught.value.details["transient"] is True
    assert leftovers(tmp_path) == []


async def test_a_fast_download_meets_no_deadline(tmp_path: Path) -> None:
    http = httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, stream=httpx.ByteStream(mp4(2_000_000))))
    )
    deadline = transfers.Deadline(allowance_s=120.0, min_rate=50_000.0, clock=Ticks())
    size = await transfers.download(
        http, "https://cdn.test/x.mp4", tmp_path / "x.mp4", max_bytes=10**9, trusted=frozenset(), deadline=deadline
    )
    http.close()
    assert size == len(mp4(2_000_000))


async def test_each_request_is_given_no_more_time_than_the_deadline_leaves(tmp_path: Path) -> None:
    seen: list[dict[str, float | None]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, stream=httpx.ByteStream(COMPLETE))

    http = httpx.Client(transport=httpx.MockTransport(answer), timeout=60.0)
    await transfers.download(
        http,
        "https://cdn.test/x.mp4",
        tmp_path / "x.mp4",
        max_bytes=10**9,
        trusted=frozenset(),
        deadline=transfers.Deadline(allowance_s=5.0),
    )
    http.close()
    read = seen[0]["read"]
    assert read is not None and read <= 5.0
