"""Long-running work done right: bounded waits with progress, cancellation, the ledger across restarts,
idempotency, unknown outcomes, background downloads, local images and spending confirmation."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import respx
from mcp import Client
from mcp.types import ElicitResult

from kling_mcp.server import create_server
from tests.factories import MP4, accounts, task
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio


def png(width: int = 320, height: int = 320) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def submitted(api: respx.MockRouter, path: str = "/videos/text2video", task_id: int = 42) -> respx.Route:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    return api.post(path).respond(json=task(task_id))


# --- bounded waits -------------------------------------------------------------------------------------------------


async def test_wait_ends_in_success_with_progress_notifications(client: Client, api: respx.MockRouter) -> None:
    submitted(api)
    api.get("/tasks/42").mock(
        side_effect=[
            httpx.Response(200, json=task(42, 5)),
            httpx.Response(200, json=task(42, 10)),
            httpx.Response(200, json=task(42, 99, works=1)),
        ]
    )
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    result = await client.call_tool(
        "generate_video", {"prompt": "a fox", "wait_seconds": 30}, progress_callback=on_progress
    )
    out = result.structured_content
    assert out["task_id"] == 42 and out["state"] == "succeeded" and out["final"] is True
    assert len(seen) >= 2
    assert any("submitted" in (m or "") for _, _, m in seen) and any("processing" in (m or "") for _, _, m in seen)
    assert all(total == 30 for _, total, _ in seen)


async def test_wait_that_times_out_returns_the_task_and_resumes(make_settings: Any, api: respx.MockRouter) -> None:
    submitted(api)
    poll = api.get("/tasks/42").respond(json=task(42, 10))
    async with Client(create_server(make_settings(wait_cap=0.05))) as c:
        first = (await c.call_tool("generate_video", {"prompt": "a fox", "wait_seconds": 50})).structured_content
        assert first["task_id"] == 42 and first["final"] is False and first["poll_after_s"]
        assert "get_task" in first["next_step"]
        poll.respond(json=task(42, 99, works=1))
        again = (await c.call_tool("get_task", {"task_id": 42, "wait_seconds": 50})).structured_content
    assert again["state"] == "succeeded"


async def test_a_cancelled_wait_stops_at_once_and_loses_nothing(client: Client, api: respx.MockRouter) -> None:
    """The client gives up while the server waits on a poll: the server's wait is cancelled there and then (the poll
    in flight is interrupted: no sleeping to see whether more polls come), and the task stays in the ledger."""
    submitted(api)
    polling, interrupted = anyio.Event(), anyio.Event()
    polls: list[httpx.Request] = []

    async def hang(request: httpx.Request) -> httpx.Response:
        polls.append(request)
        polling.set()
        try:
            await anyio.sleep_forever()
        finally:
            interrupted.set()
        raise AssertionError("unreachable")

    api.get("/tasks/42").mock(side_effect=hang)
    async with anyio.create_task_group() as group:

        async def call() -> None:
            await client.call_tool("generate_video", {"prompt": "a fox", "wait_seconds": 50})

        group.start_soon(call)
        with anyio.fail_after(5):  # only stops a hang
            await polling.wait()
        group.cancel_scope.cancel()
    with anyio.fail_after(5):  # only stops a hang
        await interrupted.wait()
    assert len(polls) == 1  # the wait that was cancelled polled no more
    jobs = (await client.call_tool("list_jobs", {})).structured_content["jobs"]
    assert jobs[0]["task_id"] == 42 and jobs[0]["state"] in ("queued", "running")


# --- the ledger ----------------------------------------------------------------------------------------------------


async def test_ledger_survives_a_restart(make_settings: Any, api: respx.MockRouter) -> None:
    submitted(api)
    settings = make_settings()
    async with Client(create_server(settings)) as c:
        assert not (await c.call_tool("generate_video", {"prompt": "a fox on the moon"})).is_error
    async with Client(create_server(settings)) as c:
        jobs = (await c.call_tool("list_jobs", {})).structured_content["jobs"]
        resource = await c.read_resource("kling://jobs/42")
    assert [j["task_id"] for j in jobs] == [42]
    job = jobs[0]
    assert job["prompt"] == "a fox on the moon" and job["model_name"] == "kling-v1-6"
    assert job["email"] == "a@x.com" and job["created_at"] and job["credits_estimated"] == 20
    assert json.loads(resource.contents[0].text)["task_id"] == 42


async def test_list_jobs_filters(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.post("/videos/text2video").mock(
        side_effect=[httpx.Response(200, json=task(1)), httpx.Response(200, json=task(2))]
    )
    api.get("/tasks/2").respond(json=task(2, 99, works=1))
    for _ in range(2):
        await client.call_tool("generate_video", {"prompt": "a fox"})
    await client.call_tool("get_task", {"task_id": 2})
    done = (await client.call_tool("list_jobs", {"state": "succeeded"})).structured_content["jobs"]
    assert [j["task_id"] for j in done] == [2]
    assert len((await client.call_tool("list_jobs", {"limit": 1})).structured_content["jobs"]) == 1
    future = (await client.call_tool("list_jobs", {"since": "2999-01-01"})).structured_content["jobs"]
    assert future == []


async def test_same_idempotency_key_never_pays_twice(client: Client, api: respx.MockRouter) -> None:
    create = submitted(api)
    api.get("/tasks/42").respond(json=task(42, 10))
    args = {"prompt": "a fox", "idempotency_key": "fox-1"}
    first = (await client.call_tool("generate_video", args)).structured_content
    second = (await client.call_tool("generate_video", args)).structured_content
    assert create.call_count == 1
    assert first["task_id"] == second["task_id"] == 42
    assert second["reused"] is True and first["reused"] is False


async def test_unknown_outcome_is_recorded_and_never_resent(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    create = api.post("/videos/text2video").mock(side_effect=httpx.ReadTimeout("no answer"))
    args = {"prompt": "a fox", "idempotency_key": "fox-2"}
    err = error_of(await client.call_tool("generate_video", args))
    assert err["code"] == "outcome_unknown" and "may" in err["message"]
    assert "list_jobs" in err["hint"]
    jobs = (await client.call_tool("list_jobs", {"state": "unknown"})).structured_content["jobs"]
    assert len(jobs) == 1 and jobs[0]["idempotency_key"] == "fox-2"
    again = error_of(await client.call_tool("generate_video", args))
    assert again["code"] == "outcome_unknown"
    assert create.call_count == 1


async def test_a_rejected_submission_frees_its_idempotency_key(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    create = api.post("/videos/text2video").mock(
        side_effect=[
            httpx.Response(500, json={"error": "The content appears to violate the community guidelines."}),
            httpx.Response(200, json=task(43)),
        ]
    )
    args = {"prompt": "a fox", "idempotency_key": "fox-3"}
    assert error_of(await client.call_tool("generate_video", args))["code"] == "moderation_rejected"
    assert (await client.call_tool("generate_video", args)).structured_content["task_id"] == 43
    assert create.call_count == 2


# --- background downloads ------------------------------------------------------------------------------------------


async def test_finished_task_downloads_itself_in_the_background(make_settings: Any, api: respx.MockRouter) -> None:
    submitted(api)
    api.get("/tasks/42").respond(json=task(42, 99, works=1))
    api.get("/assets/download").respond(json={"cdnUrl": "https://cdn.test/clean/420.mp4", "status": "success"})
    media = api.get("https://cdn.test/clean/420.mp4").respond(content=MP4)
    settings = make_settings(auto_download=True)
    async with Client(create_server(settings)) as c:
        await c.call_tool("generate_video", {"prompt": "a fox"})
        await c.call_tool("get_task", {"task_id": 42})
        with anyio.fail_after(5):
            while not media.called or not list(settings.output_dir.glob("*.mp4")):
                await anyio.sleep(0.02)
            result = await c.call_tool("get_task", {"task_id": 42})
            while not result.structured_content["videos"][0]["local_path"]:
                await anyio.sleep(0.02)
                result = await c.call_tool("get_task", {"task_id": 42})
        video = result.structured_content["videos"][0]
        assert Path(video["local_path"]).read_bytes() == MP4
        link = next(block for block in result.content if block.type == "resource_link")
        blob = await c.read_resource(str(link.uri))
        assert base64.b64decode(blob.contents[0].blob) == MP4
        manual = (await c.call_tool("download_clean", {"task_id": 42})).structured_content
        listed = (await c.call_tool("list_jobs", {})).structured_content["jobs"][0]
        assert listed["path"] == video["local_path"]
    assert manual["already_downloaded"] is True and media.call_count == 1


# --- local images --------------------------------------------------------------------------------------------------


async def test_local_image_is_uploaded_to_useapi_and_its_url_used(
    client: Client, api: respx.MockRouter, tmp_path: Path
) -> None:
    create = submitted(api, "/videos/image2video-frames")
    upload = api.post("/assets/").respond(
        json={"status": 3, "url": "https://cdn.test/up/1.png", "message": "", "fileName": "1.png"}
    )
    image = tmp_path / "start.png"
    image.write_bytes(png())
    result = await client.call_tool("animate_image", {"image": str(image), "model_name": "kling-v2-5"})
    assert not result.is_error, result.content
    assert upload.calls.last.request.headers["content-type"] == "image/png"
    assert upload.calls.last.request.content == png()
    assert json.loads(create.calls.last.request.content)["image"] == "https://cdn.test/up/1.png"


async def test_data_uri_and_file_url_are_uploaded(client: Client, api: respx.MockRouter, tmp_path: Path) -> None:
    create = submitted(api, "/videos/image2video-frames")
    upload = api.post("/assets/").respond(json={"status": 3, "url": "https://cdn.test/up/2.png", "message": ""})
    tail = tmp_path / "end frame.png"
    tail.write_bytes(png())
    data = "data:image/png;base64," + base64.b64encode(png()).decode()
    result = await client.call_tool(
        "animate_image", {"image": data, "image_tail": tail.as_uri(), "model_name": "kling-v1-6"}
    )
    assert not result.is_error, result.content
    assert upload.call_count == 2
    body = json.loads(create.calls.last.request.content)
    assert body["image"] == body["image_tail"] == "https://cdn.test/up/2.png"


@pytest.mark.parametrize(
    ("content", "where", "words"),
    [
        (png(), "outside", "outside the folders"),
        (b"not an image at all", "inside", "not a JPEG, PNG or WebP"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "inside", "WebP is not accepted"),
        (png(120, 80), "inside", "at least 300 px"),
        (None, "inside", "10 MB"),
    ],
)
async def test_local_image_rules(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path, content: bytes | None, where: str, words: str
) -> None:
    allowed = tmp_path / "allowed"
    folder = allowed if where == "inside" else tmp_path / "elsewhere"
    folder.mkdir(parents=True)
    image = folder / "frame.png"
    if content is None:
        with image.open("wb") as fh:
            fh.write(png())
            fh.truncate(11 * 1024 * 1024)
    else:
        image.write_bytes(content)
    upload = api.post("/assets/").respond(json={"status": 3, "url": "https://cdn.test/x.png"})
    create = submitted(api, "/videos/image2video-frames")
    async with Client(create_server(make_settings(allowed_dirs=(allowed,)))) as c:
        err = error_of(await c.call_tool("animate_image", {"image": str(image), "model_name": "kling-v2-5"}))
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == "image"
    assert words in err["message"]
    assert not upload.called and not create.called


async def test_symlink_out_of_the_allowed_folder_is_refused(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path
) -> None:
    allowed, secret = tmp_path / "allowed", tmp_path / "secret"
    allowed.mkdir()
    secret.mkdir()
    (secret / "frame.png").write_bytes(png())
    (allowed / "link.png").symlink_to(secret / "frame.png")
    upload = api.post("/assets/").respond(json={"status": 3, "url": "https://cdn.test/x.png"})
    async with Client(create_server(make_settings(allowed_dirs=(allowed,)))) as c:
        err = error_of(
            await c.call_tool("animate_image", {"image": str(allowed / "link.png"), "model_name": "kling-v2-5"})
        )
    assert "outside the folders" in err["message"] and not upload.called


async def test_image_rules_of_the_catalog_come_before_any_upload(
    client: Client, api: respx.MockRouter, tmp_path: Path
) -> None:
    upload = api.post("/assets/").respond(json={"status": 3, "url": "https://cdn.test/x.png"})
    image = tmp_path / "a.png"
    image.write_bytes(png())
    for args, parameter in [
        ({"image_tail": str(image), "model_name": "kling-v3-0-turbo", "image": str(image)}, "image_tail"),
        ({"image_tail": str(image), "model_name": "kling-v2-5"}, "image"),
        ({"model_name": "kling-v2-5"}, "image"),
        ({"image": str(image), "model_name": "kling-v3-0", "aspect_ratio": "16:9"}, "aspect_ratio"),
    ]:
        err = error_of(await client.call_tool("animate_image", args))
        assert err["details"]["parameter"] == parameter, args
    assert not upload.called


# --- spending confirmation -----------------------------------------------------------------------------------------


def _answer(action: str, confirm: bool = True) -> Any:
    asked: list[str] = []

    async def callback(context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action=action, content={"confirm": confirm} if action == "accept" else None)

    callback.asked = asked  # type: ignore[attr-defined]
    return callback


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_confirmation_accepted_submits(make_settings: Any, api: respx.MockRouter, mode: str) -> None:
    create = submitted(api)
    answer = _answer("accept")
    async with Client(create_server(make_settings(confirm="always")), elicitation_callback=answer, mode=mode) as c:
        result = await c.call_tool(
            "generate_video", {"prompt": "a fox", "model_name": "kling-v3-0", "mode": "pro", "duration": 6}
        )
    assert not result.is_error, result.content
    assert create.call_count == 1
    assert "72" in answer.asked[0] and "kling-v3-0" in answer.asked[0]


@pytest.mark.parametrize(("action", "confirm"), [("decline", True), ("cancel", True), ("accept", False)])
async def test_confirmation_declined_submits_nothing(
    make_settings: Any, api: respx.MockRouter, action: str, confirm: bool
) -> None:
    create = submitted(api)
    async with Client(
        create_server(make_settings(confirm="always")), elicitation_callback=_answer(action, confirm)
    ) as c:
        err = error_of(await c.call_tool("generate_video", {"prompt": "a fox"}))
    assert err["code"] == "declined" and "Nothing was submitted" in err["message"]
    assert not create.called


async def test_confirmation_wanted_but_client_cannot_ask(make_settings: Any, api: respx.MockRouter) -> None:
    create = submitted(api)
    async with Client(create_server(make_settings(confirm="always"))) as c:
        err = error_of(await c.call_tool("generate_video", {"prompt": "a fox"}))
    assert err["code"] == "declined" and "cannot show a question" in err["message"]
    assert not create.called


async def test_confirmation_only_above_the_threshold(make_settings: Any, api: respx.MockRouter) -> None:
    create = submitted(api)
    answer = _answer("decline")
    async with Client(
        create_server(make_settings(confirm="above", confirm_above=50)), elicitation_callback=answer
    ) as c:
        cheap = await c.call_tool("generate_video", {"prompt": "a fox"})  # kling-v1-6 std 5 s: 20 credits
        dear = await c.call_tool("generate_video", {"prompt": "a fox", "model_name": "kling-v2-1-master"})
    assert not cheap.is_error and error_of(dear)["code"] == "declined"
    assert create.call_count == 1 and len(answer.asked) == 1


# --- logs and roots ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_wait_logs_each_state_change_to_a_client_that_asked(
    make_settings: Any, api: respx.MockRouter, mode: str
) -> None:
    submitted(api)
    api.get("/tasks/42").mock(
        side_effect=[
            httpx.Response(200, json=task(42, 5)),
            httpx.Response(200, json=task(42, 10)),
            httpx.Response(200, json=task(42, 10)),
            httpx.Response(200, json=task(42, 99, works=1)),
        ]
    )
    logs: list[str] = []

    async def on_log(params: Any) -> None:
        logs.append(str(params.data))

    async with Client(create_server(make_settings()), logging_callback=on_log, log_level="info", mode=mode) as c:
        result = await c.call_tool("generate_video", {"prompt": "a fox", "wait_seconds": 30})
    assert result.structured_content["state"] == "succeeded"
    assert logs == [
        "Task 42 queued (status 5 submitted)",
        "Task 42 running (status 10 processing)",
        "Task 42 succeeded",
    ]


async def test_client_roots_narrow_the_folders_images_may_come_from(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path
) -> None:
    from mcp.types import ListRootsResult, Root

    shared, private = tmp_path / "shared", tmp_path / "private"
    shared.mkdir()
    private.mkdir()
    for folder in (shared, private):
        (folder / "frame.png").write_bytes(png())
    upload = api.post("/assets/").respond(json={"status": 3, "url": "https://cdn.test/x.png"})
    submitted(api, "/videos/image2video-frames")

    async def roots(context: Any) -> ListRootsResult:
        return ListRootsResult(roots=[Root(uri=shared.as_uri(), name="shared")])

    async with Client(create_server(make_settings(allowed_dirs=(tmp_path,))), list_roots_callback=roots) as c:
        refused = await c.call_tool("animate_image", {"image": str(private / "frame.png"), "model_name": "kling-v2-5"})
        assert error_of(refused)["code"] == "invalid_parameter" and not upload.called
        allowed = await c.call_tool("animate_image", {"image": str(shared / "frame.png"), "model_name": "kling-v2-5"})
    assert not allowed.is_error, allowed.content
    assert upload.call_count == 1


async def test_in_memory_task_state_is_bounded(make_settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from kling_mcp.jobs import ledger as ledger_module
    from kling_mcp.jobs import waiting
    from kling_mcp.jobs.service import KlingService

    monkeypatch.setattr(waiting, "MEMORY", 5)
    monkeypatch.setattr(ledger_module, "CACHE_SIZE", 5)
    with respx.mock(base_url="https://api.test/v1/kling", assert_all_called=False) as router:
        router.get(path__regex=r"/tasks/\d+").mock(
            side_effect=lambda request: httpx.Response(200, json=task(int(request.url.path.rsplit("/", 1)[1]), 10))
        )
        async with KlingService.open(make_settings(email="a@x.com")) as service:
            for task_id in range(1, 40):
                await service.ledger.adopt(task_id, "a@x.com")
                await service.get_task(task_id, None)
            assert len(service.watcher._polled) <= 5  # each entry holds the answer and what was recorded
            assert len(service.ledger._cache) <= 5
            assert (await service.get_task(1, None)).task_id == 1  # evicted entries are simply read again
