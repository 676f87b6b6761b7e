"""Background downloads never take the server down, never starve it of threads, record what went wrong on the job,
and try a temporary refusal of the clean master again; useapi's answer is quoted as it is."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import respx
from mcp import Client

from kling_mcp.jobs import downloads, transfers
from kling_mcp.jobs.service import KlingService
from kling_mcp.server import create_server
from tests.factories import accounts, task
from tests.jobs.mp4 import COMPLETE
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio

CLEAN = "https://cdn.test/clean/420.mp4"
PREVIEW = "https://cdn.test/42/0/preview.mp4"


def finished(api: respx.MockRouter, url: str = CLEAN) -> respx.Route:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.post("/videos/text2video").respond(json=task(42))
    api.get("/tasks/42").respond(json=task(42, 99, works=1))
    return api.get("/assets/download").respond(json={"cdnUrl": url, "status": "success"})


async def submit_and_finish(c: Client) -> None:
    """Submit task 42 (so the ledger knows it) and see it finished: that starts its auto-download."""
    assert not (await c.call_tool("generate_video", {"prompt": "a fox"})).is_error
    assert (await c.call_tool("get_task", {"task_id": 42})).structured_content["state"] == "succeeded"


async def job_when(c: Client, ready: Any) -> dict[str, Any]:
    """The job of task 42 once ``ready(job)`` holds (bounded: a hang fails the test)."""
    with anyio.fail_after(10):
        while True:
            result = await c.call_tool("list_jobs", {})
            assert not result.is_error, result.content
            jobs = result.structured_content["jobs"]
            if jobs and ready(jobs[0]):
                return dict(jobs[0])
            await anyio.sleep(0.02)


# --- failures are recorded, and the server keeps serving ------------------------------------------------------------


async def test_a_background_download_that_raises_anything_is_recorded_and_the_server_keeps_serving(
    make_settings: Any, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("a bug nobody foresaw, with /secret/details")

    monkeypatch.setattr(transfers, "download", broken)
    finished(api)
    async with Client(create_server(make_settings(auto_download=True))) as c:
        await submit_and_finish(c)
        job = await job_when(c, lambda j: j["download_error"])
        assert job["download_error"].startswith("internal_error: an unexpected RuntimeError")
        assert "/secret/details" not in job["download_error"]
        record = job["downloads"]["420"]
        assert record["attempts"] == 1 and record["retry_at"] is None and record["path"] is None
        again = await c.call_tool("get_task", {"task_id": 42})
        assert not again.is_error and again.structured_content["state"] == "succeeded"


@pytest.mark.parametrize("url", ["http://[::1", "http://169.254.169.254/latest/meta-data"])
async def test_a_background_download_of_a_bad_url_is_recorded(
    make_settings: Any, api: respx.MockRouter, url: str
) -> None:
    finished(api, url)
    async with Client(create_server(make_settings(auto_download=True))) as c:
        await submit_and_finish(c)
        job = await job_when(c, lambda j: j["download_error"])
        assert job["download_error"].startswith("download_failed: Refusing")
        assert error_of(await c.call_tool("list_jobs", {"state": "bogus"}))["code"] == "invalid_parameter"


class Stalled(httpx.SyncByteStream):
    """A file host that sends an MP4 header, then a byte now and then until released."""

    def __init__(self, release: threading.Event) -> None:
        self.release = release

    def __iter__(self) -> Iterator[bytes]:
        yield COMPLETE[:32]
        while not self.release.wait(0.05):
            yield b"\0"


async def test_many_finished_tasks_do_not_starve_the_server(make_settings: Any) -> None:
    """More finished tasks than anyio's default thread pool (40) auto-download from a stalled host: the ledger, and
    a download of another task, still answer."""
    release = threading.Event()
    count = 45
    with respx.mock(assert_all_called=False) as api:
        api.get(host="api.test", path__regex=r"/v1/kling/tasks/\d+").mock(
            side_effect=lambda request: httpx.Response(
                200, json=task(int(request.url.path.rsplit("/", 1)[1]), 99, works=1)
            )
        )

        def asset(request: httpx.Request) -> httpx.Response:
            work = request.url.params["workIds"]
            host = "fast.test" if work == "10000" else "stalled.test"
            return httpx.Response(200, json={"cdnUrl": f"https://{host}/{work}.mp4", "status": "success"})

        api.get("https://api.test/v1/kling/assets/download").mock(side_effect=asset)
        api.get("https://fast.test/10000.mp4").respond(content=COMPLETE)
        stalled = api.get(host="stalled.test").mock(
            side_effect=lambda request: httpx.Response(200, stream=Stalled(release))
        )
        try:
            settings = make_settings(email="a@x.com", auto_download=True)
            async with KlingService.open(settings) as service:
                with anyio.fail_after(20):  # the ledger must keep answering while the downloads stall
                    for task_id in range(1, count + 1):
                        await service.ledger.adopt(task_id, "a@x.com")
                        await service.get_task(task_id, None)
                    while not stalled.called:
                        await anyio.sleep(0.01)
                    jobs = await service.list_jobs(limit=100)
                assert len(jobs) == count
                await service.ledger.adopt(1000, "a@x.com")
                with anyio.fail_after(10):
                    out = await service.download_clean(1000, None)
                assert out.clean and Path(out.path or "").read_bytes() == COMPLETE
                assert stalled.call_count <= downloads.BACKGROUND_DOWNLOADS
        finally:
            release.set()


# --- the clean master: useapi's answer quoted, temporary refusals tried again ----------------------------------------


@pytest.mark.parametrize(
    ("status", "text", "temporary"),
    [(503, "Service busy, try later", True), (429, "Too many requests", True), (400, "Invalid parameters", False)],
)
async def test_the_reason_quotes_useapi_as_it_answered(
    client: Client, api: respx.MockRouter, status: int, text: str, temporary: bool
) -> None:
    finished(api).respond(status, json={"error": text})
    api.get(PREVIEW).respond(content=COMPLETE)
    out = (await client.call_tool("download_clean", {"task_id": 42})).structured_content
    assert out["clean"] is False and out["path"].endswith("_watermarked.mp4")
    assert f"HTTP {status}" in out["reason"] and text in out["reason"]
    assert "seed" not in out["reason"]
    assert ("free Kling account" not in out["reason"]) and (("temporary" in out["reason"]) is temporary)


async def test_download_clean_asks_for_the_clean_master_again_after_a_watermarked_copy(
    make_settings: Any, api: respx.MockRouter
) -> None:
    asset = finished(api)
    asset.mock(
        side_effect=[
            httpx.Response(503, json={"error": "busy"}),
            httpx.Response(200, json={"cdnUrl": CLEAN, "status": "success"}),
        ]
    )
    api.get(PREVIEW).respond(content=COMPLETE)
    api.get(CLEAN).respond(content=COMPLETE)
    async with Client(create_server(make_settings(max_retries=0))) as client:  # one request per attempt
        first = (await client.call_tool("download_clean", {"task_id": 42})).structured_content
        second = (await client.call_tool("download_clean", {"task_id": 42})).structured_content
        job = (await client.call_tool("list_jobs", {})).structured_content["jobs"][0]
    assert first["clean"] is False and second["clean"] is True and asset.call_count == 2
    assert second["path"].endswith("kling_42_420.mp4")
    assert job["path"] == second["path"]


async def test_a_temporary_refusal_is_retried_in_the_background(
    make_settings: Any, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(downloads, "CLEAN_RETRY_DELAYS_S", (0.0, 0.0))
    asset = finished(api)
    asset.mock(
        side_effect=[
            httpx.Response(503, json={"error": "busy"}),
            httpx.Response(200, json={"cdnUrl": CLEAN, "status": "success"}),
        ]
    )
    api.get(PREVIEW).respond(content=COMPLETE)
    api.get(CLEAN).respond(content=COMPLETE)
    settings = make_settings(auto_download=True, max_retries=0)
    async with Client(create_server(settings)) as c:
        await submit_and_finish(c)
        job = await job_when(c, lambda j: j["downloads"].get("420", {}).get("clean"))
    assert job["path"].endswith("kling_42_420.mp4") and asset.call_count == 2
    assert sorted(p.name for p in settings.output_dir.glob("*.mp4")) == [
        "kling_42_420.mp4",
        "kling_42_420_watermarked.mp4",
    ]


async def test_background_retries_are_bounded(
    make_settings: Any, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(downloads, "CLEAN_RETRY_DELAYS_S", (0.0, 0.0))
    asset = finished(api)
    asset.respond(503, json={"error": "busy"})
    api.get(PREVIEW).respond(content=COMPLETE)
    async with Client(create_server(make_settings(auto_download=True, max_retries=0))) as c:
        await submit_and_finish(c)
        job = await job_when(c, lambda j: j["downloads"].get("420", {}).get("attempts") == 3)
    record = job["downloads"]["420"]
    assert record["retry_at"] is None and record["clean"] is False and "HTTP 503" in record["reason"]
    assert asset.call_count == 3


async def test_a_final_refusal_plans_no_retry(make_settings: Any, api: respx.MockRouter) -> None:
    finished(api).respond(400, json={"error": "Invalid parameters"})
    api.get(PREVIEW).respond(content=COMPLETE)
    async with Client(create_server(make_settings(auto_download=True))) as c:
        await submit_and_finish(c)
        job = await job_when(c, lambda j: j["path"])
    record = job["downloads"]["420"]
    assert record["clean"] is False and record["retry_at"] is None and record["error"] is None


async def test_a_failed_host_is_retried_and_its_error_cleared(
    make_settings: Any, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(downloads, "CLEAN_RETRY_DELAYS_S", (0.0,))
    finished(api)
    media = api.get(CLEAN).mock(side_effect=[httpx.Response(502), httpx.Response(200, content=COMPLETE)])
    async with Client(create_server(make_settings(auto_download=True))) as c:
        await submit_and_finish(c)
        job = await job_when(c, lambda j: j["downloads"].get("420", {}).get("clean"))
    assert job["download_error"] is None and media.call_count == 2


async def test_a_download_error_reaches_the_caller_with_its_code(client: Client, api: respx.MockRouter) -> None:
    finished(api)
    api.get(CLEAN).respond(404)
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed" and "HTTP 404" in err["message"]
