"""Rules of the upstream client (kling_mcp/api) that protect the user's credits and token, each held by a test that
a mutant of it survived before (mutmut, see tests/quality/mutation.py). Most go through the MCP tools, where the
rule shows; two hold KlingClient's documented create contract (``deadline``, ``tracker``) directly, since the
service only relies on them when a create is cut off at shutdown. The mutant each test kills is in its docstring.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest
import respx
from mcp import Client
from pydantic import SecretStr

from kling_mcp.api.client import CreateAttempt, KlingClient
from kling_mcp.api.errors import SubmitOutcomeUnknownError
from kling_mcp.api.models import Image2VideoFramesRequest, Text2VideoRequest
from kling_mcp.server import create_server
from tests.conftest import BASE
from tests.factories import accounts, task
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio


def _strings(value: Any) -> list[str]:
    """Every string inside a result (text, structured content, _meta), as the agent's client decodes them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [*_strings(k), *_strings(v)]]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def assert_no_secret(result: Any, secret: str) -> None:
    leaks = [s for s in _strings(result.model_dump()) if secret in s]
    assert not leaks, leaks


# --- the token, echoed back in forms the redaction must know ---------------------------------------------------------

QUOTED_TOKEN = 'user:4242-CANARY"quoted'
SLASHED_TOKEN = "user:4242/CANARYslashed"


@pytest.mark.parametrize("status", [502, 400])
async def test_a_token_echoed_json_escaped_in_a_refused_create_never_reaches_the_agent(
    make_settings: Any, api: respx.MockRouter, status: int
) -> None:
    """Mutants killed: the client's error mapping called without its secrets (``summarize_body(answer.text, )`` for a
    gateway status on a create, ``error_from_response(answer, operation, )`` for a refusal). The client first blanks
    the echoes it can match in the raw body, but a JSON-escaped quote (``\\"``) reads as the token only once the
    body is decoded: then only the summary's own pass, with the secrets, blanks it."""
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.post("/videos/text2video").respond(status, json={"error": f"Token {QUOTED_TOKEN} is not valid here"})
    async with Client(create_server(make_settings(token=SecretStr(QUOTED_TOKEN)))) as c:
        result = await c.call_tool("generate_video", {"prompt": "a fox"})
    err = error_of(result)
    assert err["code"] in ("outcome_unknown", "invalid_parameter")
    assert "[redacted]" in err["message"]  # the upstream's words are quoted, the token blanked
    assert_no_secret(result, QUOTED_TOKEN)


async def test_a_token_echoed_with_escaped_slashes_in_a_poll_never_reaches_the_agent(
    make_settings: Any, api: respx.MockRouter
) -> None:
    """Mutants killed: the redaction pattern's JSON ``\\/`` form dropped or misapplied (``if ch == "/"`` negated or
    made never true). A JSON encoder may write "/" as "\\/"; the answer is parsed after the redaction, so an echo in
    that form would reach the task's error text, and from there the agent."""
    failed = json.dumps(task(42, 7, name="failed", error=f"Token {SLASHED_TOKEN} refused"))
    escaped = failed.replace(SLASHED_TOKEN, SLASHED_TOKEN.replace("/", "\\/"))
    api.get("/tasks/42").respond(text=escaped, headers={"content-type": "application/json"})
    async with Client(create_server(make_settings(token=SecretStr(SLASHED_TOKEN)))) as c:
        result = await c.call_tool("get_task", {"task_id": 42, "email": "a@x.com"})
    assert not result.is_error, result.content
    assert result.structured_content["state"] == "failed"
    assert "[redacted]" in json.dumps(result.structured_content)
    assert_no_secret(result, SLASHED_TOKEN)


# --- a billed task's id is never lost over the shape of the answer ---------------------------------------------------


async def _chunks(body: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        await anyio.sleep(0)
        yield body[start : start + size]


async def test_a_create_answer_that_arrives_in_pieces_gives_its_task_id(
    make_settings: Any, api: respx.MockRouter
) -> None:
    """Mutant killed: the answer's pieces joined with anything but nothing (``b"XXXX".join(chunks)``). Real answers
    come in several network reads; a mangled body would turn a billed task into an unknown outcome."""
    api.get("/accounts").respond(json=accounts("a@x.com"))
    body = json.dumps(task(42)).encode()
    api.post("/videos/text2video").mock(
        side_effect=lambda request: httpx.Response(
            200, headers={"content-type": "application/json"}, content=_chunks(body, 7)
        )
    )
    async with Client(create_server(make_settings())) as c:
        result = await c.call_tool("generate_video", {"prompt": "a fox"})
    assert not result.is_error, result.content
    assert result.structured_content["task_id"] == 42


async def test_a_create_answer_with_a_stray_byte_gives_its_task_id(make_settings: Any, api: respx.MockRouter) -> None:
    """Mutants killed: the body decoded strictly (``errors="replace"`` dropped or misspelt). One byte that is not
    UTF-8 in a message field would turn a billed task into an unknown outcome."""
    api.get("/accounts").respond(json=accounts("a@x.com"))
    text = json.dumps({**task(42), "message": "queued for caf\u00e9"}, ensure_ascii=False)
    body = text.encode().replace("\u00e9".encode(), b"\xe9")  # Latin-1, not UTF-8
    assert b"\xe9" in body
    api.post("/videos/text2video").respond(content=body, headers={"content-type": "application/json"})
    async with Client(create_server(make_settings())) as c:
        result = await c.call_tool("generate_video", {"prompt": "a fox"})
    assert not result.is_error, result.content
    assert result.structured_content["task_id"] == 42


async def test_a_create_answer_with_odd_fields_is_a_task_still_to_poll(
    make_settings: Any, api: respx.MockRouter
) -> None:
    """Mutant killed: the fallback for a create answer whose other fields have an unexpected shape says the task is
    final (``status_final=True``). The task just created would then never be polled again: get_task would answer
    from the create's answer forever and the billed video would never be fetched."""
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.post("/videos/text2video").respond(json={"task": {"id": 42}, "status": "not a number", "works": "none"})
    poll = api.get("/tasks/42").respond(json=task(42, 99, works=1))
    async with Client(create_server(make_settings())) as c:
        created = await c.call_tool("generate_video", {"prompt": "a fox"})
        assert not created.is_error, created.content
        assert created.structured_content["task_id"] == 42 and created.structured_content["final"] is False
        later = await c.call_tool("get_task", {"task_id": 42})
    assert poll.called and later.structured_content["state"] == "succeeded"


async def test_a_poll_answer_that_takes_a_moment_is_read(make_settings: Any, api: respx.MockRouter) -> None:
    """Mutant killed: the read's time limit computed as already spent (``started - budget - clock``), so every answer
    that is not instant would time out. (Mocked answers are instant unless they wait, so this one waits a little.)"""

    async def slow(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(0.05)
        return httpx.Response(200, json=task(42, 10))

    api.get("/tasks/42").mock(side_effect=slow)
    async with Client(create_server(make_settings())) as c:
        result = await c.call_tool("get_task", {"task_id": 42, "email": "a@x.com"})
    assert not result.is_error, result.content
    assert result.structured_content["state"] == "running"


async def test_an_answer_declared_too_large_is_refused_as_too_large(make_settings: Any, api: respx.MockRouter) -> None:
    """Mutant killed: an answer whose Content-Length is over the cap reported as complete (``return b"", False``):
    it then reads as "not JSON", which hides why."""
    api.get("/tasks/42").respond(content=b"{}", headers={"content-length": str(64 * 2**20)})
    async with Client(create_server(make_settings())) as c:
        err = error_of(await c.call_tool("get_task", {"task_id": 42, "email": "a@x.com"}))
    assert err["code"] == "upstream_error" and "larger than" in err["message"]


# --- the create contract the service relies on at shutdown -----------------------------------------------------------

T2V = Text2VideoRequest(prompt="a fox", model_name="kling-v1-6", duration="5")
I2V = Image2VideoFramesRequest(model_name="kling-v2-5", image="https://s21-kling.klingai.com/a.png", duration="5")
ENDPOINTS = {"text2video": "/videos/text2video", "image2video-frames": "/videos/image2video-frames"}


async def _create(kling: KlingClient, endpoint: str, **kwargs: Any) -> Any:
    if endpoint == "text2video":
        return await kling.create_text2video(T2V, **kwargs)
    return await kling.create_image2video_frames(I2V, **kwargs)


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
async def test_a_create_keeps_the_callers_tracker_current(api: respx.MockRouter, endpoint: str) -> None:
    """Mutant killed: create_image2video_frames not passing the caller's tracker on (``tracker`` made None). The
    service reads ``maybe_sent`` when a create is cut off at shutdown: left False, it would free the idempotency key
    of a request useapi may have billed, and a retry would pay twice."""
    api.post(ENDPOINTS[endpoint]).respond(json=task(42))
    tracker = CreateAttempt()
    async with KlingClient(token="user:1-abcdefgh", base_url=BASE) as kling:
        created = await _create(kling, endpoint, tracker=tracker)
    assert created.task.id == 42
    assert tracker.attempts == 1 and tracker.maybe_sent is True


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
async def test_a_create_keeps_the_callers_deadline(api: respx.MockRouter, endpoint: str) -> None:
    """Mutant killed: create_image2video_frames dropping the caller's deadline for the 60 s default. The bound below
    only turns that into a failure."""

    async def never(request: httpx.Request) -> httpx.Response:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    api.post(ENDPOINTS[endpoint]).mock(side_effect=never)
    async with KlingClient(token="user:1-abcdefgh", base_url=BASE) as kling:
        with anyio.fail_after(20), pytest.raises(SubmitOutcomeUnknownError):
            await _create(kling, endpoint, deadline=0.2)
