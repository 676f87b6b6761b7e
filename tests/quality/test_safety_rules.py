"""Safety rules that protect the user's credits, files and secrets, each held by a test that fails when the rule is
mutated away (issue 19, "Tests that kill mutants"). Every test goes through the public surface only: the MCP tools
through the in-memory client, with upstream mocked by respx, so a refactor of kling_mcp/ cannot make them pass
vacuously. Which one-line mutation each test kills is written in its docstring.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import respx
from mcp import Client

from kling_mcp.server import create_server
from tests.factories import accounts, task
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio

# Kling's own CDN: image URLs there are passed through as they are (nothing fetched or uploaded).
START = "https://s21-kling.klingai.com/frames/start.png"
END = "https://s21-kling.klingai.com/frames/end.png"


def png(width: int = 320, height: int = 320) -> bytes:
    """The head of a PNG big enough for useapi's 300 px minimum (only the header is read)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def upstream(api: respx.MockRouter, create_path: str = "/videos/text2video") -> dict[str, respx.Route]:
    """One account, creates answer task 42 (queued), uploads answer a Kling CDN URL, polls say still running."""
    api.get("/accounts").respond(json=accounts("a@x.com"))
    return {
        "create": api.post(create_path).respond(json=task(42)),
        "upload": api.post(path__regex=r"/assets/?").respond(
            json={"status": 3, "url": "https://s21-kling.klingai.com/up/1.png", "message": ""}
        ),
        "poll": api.get("/tasks/42").respond(json=task(42, 10)),
    }


def local_image(tmp_path: Path) -> str:
    image = tmp_path / "start.png"
    image.write_bytes(png())
    return str(image)


# --- idempotency before uploads ------------------------------------------------------------------------------------


async def test_an_animate_replay_uploads_nothing(client: Client, api: respx.MockRouter, tmp_path: Path) -> None:
    """Mutation killed: animate no longer looks the idempotency key up before resolving its images
    (``if idempotency_key and (earlier := ...find_key(...))`` made false): the replay would upload the local image
    again, and only then find the earlier task at the ledger."""
    routes = upstream(api, "/videos/image2video-frames")
    args = {"image": local_image(tmp_path), "model_name": "kling-v2-5", "idempotency_key": "fox-frames-1"}
    first = await client.call_tool("animate_image", args)
    assert not first.is_error, first.content
    assert routes["upload"].call_count == 1 and routes["create"].call_count == 1

    replay = await client.call_tool("animate_image", args)
    assert not replay.is_error, replay.content
    out = replay.structured_content
    assert out["task_id"] == 42 and out["reused"] is True
    assert routes["upload"].call_count == 1  # the replay read no file and uploaded nothing
    assert routes["create"].call_count == 1


async def test_a_blank_idempotency_key_is_refused_before_any_upload(
    client: Client, api: respx.MockRouter, tmp_path: Path
) -> None:
    """Mutation killed: the blank-key check at the top of animate removed. The image was then uploaded (useapi
    keeps it) before the create refused the key, while the error said nothing was sent upstream."""
    routes = upstream(api, "/videos/image2video-frames")
    err = error_of(
        await client.call_tool(
            "animate_image", {"image": local_image(tmp_path), "model_name": "kling-v2-5", "idempotency_key": "  "}
        )
    )
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == "idempotency_key"
    assert "blank" in err["message"]
    assert not routes["upload"].called and not routes["create"].called


# --- argument names ------------------------------------------------------------------------------------------------


async def test_a_misspelt_argument_is_refused_and_nothing_is_sent(client: Client, api: respx.MockRouter) -> None:
    """Mutation killed: the unknown-argument guard removed (the unknown names computed as empty). The SDK then drops
    ``modle_name`` silently and the call spends credits on the default model."""
    routes = upstream(api)
    err = error_of(await client.call_tool("generate_video", {"prompt": "a fox", "modle_name": "kling-v3-0"}))
    assert err["code"] == "invalid_parameter"
    assert err["details"]["parameters"] == ["modle_name"]
    assert "modle_name" in err["message"] and "model_name" in err["message"]  # names the bad one and the allowed ones
    assert not api.calls  # not even the account was looked up
    assert not routes["create"].called


# --- waits ---------------------------------------------------------------------------------------------------------


async def test_a_wait_never_exceeds_the_wait_cap(make_settings: Any, api: respx.MockRouter) -> None:
    """Mutation killed: wait_seconds no longer clamped to KLING_MCP_WAIT_CAP. The call would then wait the hour
    asked for. The bound below is generous (the cap is 0.3 s): it only turns that hang into a failure."""
    upstream(api)
    totals: list[float | None] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        totals.append(total)

    async with Client(create_server(make_settings(wait_cap=0.3))) as c:
        with anyio.fail_after(20):
            result = await c.call_tool(
                "generate_video", {"prompt": "a fox", "wait_seconds": 3600}, progress_callback=on_progress
            )
    out = result.structured_content
    assert out["task_id"] == 42 and out["final"] is False  # the task never finished: the cap ended the wait
    assert totals and set(totals) == {0.3}  # progress announces the capped wait, not the hour asked for


async def test_progress_is_paced_by_the_heartbeat_not_the_poll_interval(
    make_settings: Any, api: respx.MockRouter
) -> None:
    """Mutation killed: the wait's step no longer bounded by the heartbeat (``step = min(HEARTBEAT_S, ...)`` made
    ``step = <poll interval>``). With a poll interval longer than the heartbeat (here 0.4 s against the test
    suite's 0.01 s stand-in for 5 s) a client would then hear nothing between polls and could drop the call.

    Counting, not timing: the real code sends about 40 progress messages per upstream poll here; the mutant sends
    one per poll. The test asks for at least 3 per poll."""
    routes = upstream(api)
    heard: list[str | None] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        heard.append(message)

    async with Client(create_server(make_settings(min_poll_interval=0.4))) as c:
        with anyio.fail_after(20):
            result = await c.call_tool(
                "generate_video", {"prompt": "a fox", "wait_seconds": 1.3}, progress_callback=on_progress
            )
    assert result.structured_content["final"] is False
    polls = routes["poll"].call_count
    assert polls >= 1
    assert len(heard) >= 3 * polls, (len(heard), polls)


# --- creates on the wire -------------------------------------------------------------------------------------------


class SlowCreate:
    """A create that useapi answers only when the test says so; it notes whether its request was cancelled."""

    def __init__(self, task_id: int = 42) -> None:
        self.task_id = task_id
        self.started = anyio.Event()
        self.release = anyio.Event()
        self.cancelled = False

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.started.set()
        try:
            await self.release.wait()
        except anyio.get_cancelled_exc_class():
            self.cancelled = True
            raise
        return httpx.Response(200, json=task(self.task_id))


async def _recorded(c: Client, key: str) -> dict[str, Any]:
    """The ledger's job for this key once its create has an outcome (bounded: stops a hang only)."""
    with anyio.fail_after(10):
        while True:
            jobs = (await c.call_tool("list_jobs", {})).structured_content["jobs"]
            job: dict[str, Any] = next(j for j in jobs if j["idempotency_key"] == key)
            if job["state"] != "submitting":
                return job
            await anyio.sleep(0.02)


async def test_a_create_on_the_wire_is_recorded_when_the_caller_is_cancelled(
    client: Client, api: respx.MockRouter
) -> None:
    """Mutation killed: the create no longer runs in the service's own task group (``if self._background is None``
    made true, so it runs in the caller's scope). A client that gives up would then cancel a request useapi may
    already have billed: the job is recorded as an unknown outcome and the retry cannot return the task."""
    api.get("/accounts").respond(json=accounts("a@x.com"))
    slow = SlowCreate()
    create = api.post("/videos/text2video").mock(side_effect=slow)
    api.get("/tasks/42").respond(json=task(42, 10))
    args = {"prompt": "a fox", "idempotency_key": "fox-shielded"}

    async with anyio.create_task_group() as group:
        group.start_soon(client.call_tool, "generate_video", args)
        with anyio.fail_after(10):
            await slow.started.wait()
        group.cancel_scope.cancel()  # the client gives up while the create is on the wire
    # A round trip after the cancellation: the server has dealt with it before this answer comes back.
    await client.call_tool("list_jobs", {})
    slow.release.set()  # useapi answers: the task exists and is billed

    job = await _recorded(client, "fox-shielded")
    assert not slow.cancelled
    assert job["task_id"] == 42 and job["state"] == "queued"
    retry = await client.call_tool("generate_video", args)
    assert not retry.is_error, retry.content
    assert retry.structured_content["task_id"] == 42 and retry.structured_content["reused"] is True
    assert create.call_count == 1


async def test_a_create_on_the_wire_is_recorded_when_the_server_is_stopped(
    make_settings: Any, api: respx.MockRouter
) -> None:
    """Mutation killed: the create's scope no longer shielded (``CancelScope(shield=True)`` made ``shield=False``).
    A server cancelled while a create is out (the host stopping it) would then cancel the create with the service's
    task group; the request may already be billed, so its task id is lost. With the shield it is answered within
    the shutdown grace period and recorded, and the next server returns it for the same key."""
    settings = make_settings()
    api.get("/accounts").respond(json=accounts("a@x.com"))
    slow = SlowCreate()
    create = api.post("/videos/text2video").mock(side_effect=slow)
    api.get("/tasks/42").respond(json=task(42, 10))
    args = {"prompt": "a fox", "idempotency_key": "fox-shutdown"}

    async def serve_and_call() -> None:
        async with Client(create_server(settings)) as c:
            await c.call_tool("generate_video", args)

    with anyio.fail_after(30):  # the shutdown grace period is 10 s; this only stops a hang
        async with anyio.create_task_group() as group:
            group.start_soon(serve_and_call)
            await slow.started.wait()
            group.cancel_scope.cancel()  # the whole server is stopped while the create is on the wire
            slow.release.set()  # useapi answers after the stop began

    assert not slow.cancelled
    async with Client(create_server(settings)) as c:
        job = await _recorded(c, "fox-shutdown")
        retry = await c.call_tool("generate_video", args)
    assert job["task_id"] == 42 and job["state"] == "queued"
    assert not retry.is_error, retry.content
    assert retry.structured_content["task_id"] == 42 and retry.structured_content["reused"] is True
    assert create.call_count == 1


# --- the catalog ---------------------------------------------------------------------------------------------------


async def test_kling_v2_6_native_audio_takes_no_end_frame(client: Client, api: respx.MockRouter) -> None:
    """Mutation killed: the catalog rule "kling-v2-6 Native Audio works with the start frame only" removed
    (its condition made false): the request would be sent and billed, and useapi ignores or refuses the end
    frame. The two neighbouring requests that the rule must not refuse are checked too."""
    routes = upstream(api, "/videos/image2video-frames")
    audio_and_end = {
        "image": START,
        "image_tail": END,
        "model_name": "kling-v2-6",
        "mode": "pro",
        "enable_audio": True,
    }
    err = error_of(await client.call_tool("animate_image", audio_and_end))
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == "image_tail"
    assert "kling-v2-6" in err["message"] and "Native Audio" in err["message"]
    assert "start frame only" in err["message"]  # says why
    assert not routes["create"].called and not routes["upload"].called

    without_audio = {**audio_and_end, "enable_audio": False}
    assert not (await client.call_tool("animate_image", without_audio)).is_error
    audio_start_only = {k: v for k, v in audio_and_end.items() if k != "image_tail"}
    assert not (await client.call_tool("animate_image", audio_start_only)).is_error
    assert routes["create"].call_count == 2
