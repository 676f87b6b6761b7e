"""Downloads survive faults and stay inside their lines: resume with Range, no partial file under the final name,
a size cap, SSRF checks hop by hop, confined paths, no overwrite unless asked."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from mcp import Client

from kling_mcp.api.errors import DownloadError, InvalidParameterError
from kling_mcp.jobs import addresses, transfers
from kling_mcp.server import create_server
from tests.factories import MP4, accounts, task
from tests.jobs.mp4 import COMPLETE
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio

BODY = MP4 + bytes(range(256)) * 400  # about 100 kB
CLEAN = "https://cdn.test/clean/420.mp4"


class Broken(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that stops with a ReadError after ``cut`` bytes."""

    def __init__(self, data: bytes, cut: int) -> None:
        self.data, self.cut = data, cut

    def __iter__(self) -> Iterator[bytes]:
        yield self.data[: self.cut]
        raise httpx.ReadError("connection reset")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.data[: self.cut]
        raise httpx.ReadError("connection reset")


def finished(api: respx.MockRouter, url: str = CLEAN) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(json=task(42, 99, works=1))
    api.get("/assets/download").respond(json={"cdnUrl": url, "status": "success"})


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_a_dropped_connection_resumes_with_range(client: Client, api: respx.MockRouter, settings: Any) -> None:
    finished(api)
    cut = 30_000
    requests: list[httpx.Request] = []

    def serve(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if "range" not in request.headers:
            return httpx.Response(
                200, headers={"Content-Length": str(len(BODY)), "Accept-Ranges": "bytes"}, stream=Broken(BODY, cut)
            )
        start = int(request.headers["range"].removeprefix("bytes=").rstrip("-"))
        return httpx.Response(
            206, content=BODY[start:], headers={"Content-Range": f"bytes {start}-{len(BODY) - 1}/{len(BODY)}"}
        )

    api.get(CLEAN).mock(side_effect=serve)
    result = await client.call_tool("download_clean", {"task_id": 42})
    out = result.structured_content
    assert not result.is_error, result.content
    assert out["bytes"] == len(BODY) and Path(out["path"]).read_bytes() == BODY
    assert [r.headers.get("range") for r in requests] == [None, f"bytes={cut}-"]
    assert leftovers(settings.output_dir) == [Path(out["path"]).name]


async def test_a_server_without_ranges_is_read_again_from_the_start(
    client: Client, api: respx.MockRouter, settings: Any
) -> None:
    finished(api)
    calls = iter(
        [
            httpx.Response(200, headers={"Content-Length": str(len(BODY))}, stream=Broken(BODY, 10_000)),
            httpx.Response(200, content=BODY),
        ]
    )
    api.get(CLEAN).mock(side_effect=lambda request: next(calls))
    out = (await client.call_tool("download_clean", {"task_id": 42})).structured_content
    assert Path(out["path"]).read_bytes() == BODY


async def test_a_body_that_never_completes_leaves_no_file(client: Client, api: respx.MockRouter, settings: Any) -> None:
    finished(api)
    route = api.get(CLEAN).mock(
        side_effect=lambda request: httpx.Response(
            200, headers={"Content-Length": str(len(BODY))}, stream=Broken(BODY, 1000)
        )
    )
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed" and "no partial file" in err["message"]
    assert route.call_count == 3
    assert leftovers(settings.output_dir) == []


async def test_the_size_cap_stops_a_runaway_download(make_settings: Any, api: respx.MockRouter) -> None:
    finished(api)
    api.get(CLEAN).respond(content=BODY)  # no Content-Length check can help: the cap counts the bytes
    settings = make_settings(max_download_bytes=50_000)
    async with Client(create_server(settings)) as c:
        err = error_of(await c.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed" and "50000-byte cap" in err["message"]
    assert leftovers(settings.output_dir) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.mp4",
        "http://10.0.0.5/x.mp4",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x.mp4",
        "http://[::ffff:127.0.0.1]/x.mp4",
        "http://0.0.0.0/x.mp4",
        "file:///etc/passwd",
        "ftp://cdn.test/x.mp4",
    ],
)
async def test_internal_or_odd_urls_are_refused(client: Client, api: respx.MockRouter, url: str) -> None:
    finished(api, url)
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed" and "Refusing" in err["message"]
    assert not [c for c in api.calls if c.request.url.host not in ("api.test",)]


async def test_a_name_that_resolves_inside_is_refused(
    client: Client, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    def resolve(host: str, port: int) -> list[Any]:
        return [ipaddress.ip_address("192.168.1.10")]

    monkeypatch.setattr(addresses, "resolve_host", resolve)
    finished(api, "https://sneaky.example/x.mp4")
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert "internal address" in err["message"]


async def test_redirects_are_checked_hop_by_hop(client: Client, api: respx.MockRouter) -> None:
    finished(api)
    api.get(CLEAN).respond(302, headers={"Location": "http://169.254.169.254/latest"})
    metadata = api.get("http://169.254.169.254/latest").respond(content=MP4)
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert "Refusing" in err["message"] and not metadata.called


async def test_a_redirect_to_another_public_host_is_followed(client: Client, api: respx.MockRouter) -> None:
    finished(api)
    api.get(CLEAN).respond(302, headers={"Location": "https://mirror.test/420.mp4"})
    mirror = api.get("https://mirror.test/420.mp4").respond(content=MP4)
    out = (await client.call_tool("download_clean", {"task_id": 42})).structured_content
    assert mirror.called and out["bytes"] == len(MP4)
    assert "authorization" not in mirror.calls.last.request.headers


def test_the_configured_upstream_host_is_trusted_even_on_loopback() -> None:
    addresses.check_url("http://127.0.0.1:8765/cdn/works/1/clean.mp4", frozenset({("127.0.0.1", 8765)}))
    with pytest.raises(DownloadError):
        addresses.check_url("http://127.0.0.1:8765/cdn/works/1/clean.mp4", frozenset({("api.test", 443)}))


@pytest.mark.parametrize("name", ["../x.mp4", "/etc/x.mp4", "a/../../x.mp4", "bad\x00.mp4"])
def test_output_paths_are_confined(tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        transfers.confined_path(tmp_path, name, parameter="filename")
    assert caught.value.parameter == "filename"


def test_a_symlink_out_of_the_output_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    base = tmp_path / "out"
    base.mkdir()
    (base / "link").symlink_to(outside)
    with pytest.raises(InvalidParameterError):
        transfers.confined_path(base, "link/x.mp4", parameter="filename")
    assert transfers.confined_path(base, "fine.mp4") == base.resolve() / "fine.mp4"


async def test_an_existing_file_is_kept_unless_overwrite(client: Client, api: respx.MockRouter, settings: Any) -> None:
    finished(api)
    media = api.get(CLEAN).respond(content=MP4)
    settings.output_dir.mkdir(parents=True)
    existing = settings.output_dir / "kling_42_420.mp4"
    existing.write_bytes(COMPLETE)
    kept = (await client.call_tool("download_clean", {"task_id": 42})).structured_content
    assert kept["already_downloaded"] is True and existing.read_bytes() == COMPLETE
    assert not media.called
    replaced = (await client.call_tool("download_clean", {"task_id": 42, "overwrite": True})).structured_content
    assert replaced["already_downloaded"] is False and existing.read_bytes() == MP4


class Slow(httpx.SyncByteStream):
    """An endless body, one chunk every 20 ms."""

    def __iter__(self) -> Iterator[bytes]:
        import time

        yield MP4
        while True:
            time.sleep(0.02)
            yield b"\0" * 1024


async def test_a_cancelled_download_stops_its_thread_and_leaves_nothing(tmp_path: Path) -> None:
    import time

    import anyio

    http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, stream=Slow())))
    started = time.monotonic()
    with anyio.move_on_after(0.3) as scope:
        await transfers.download(
            http, "https://cdn.test/x.mp4", tmp_path / "x.mp4", max_bytes=10**9, trusted=frozenset()
        )
    http.close()
    assert scope.cancelled_caught and time.monotonic() - started < 2
    assert leftovers(tmp_path) == []
