"""What an agent meets at the service's edges: a placeholder token, an account useapi does not know, a task polled
without naming its account, a frame quoted back as the user gave it, and a billed task whose ledger write failed."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest
import respx
from mcp import Client
from pydantic import SecretStr

from kling_mcp.jobs.ledger import Ledger
from kling_mcp.server import create_server
from tests.factories import account_detail, accounts, task

pytestmark = pytest.mark.anyio

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") + (360).to_bytes(4, "big") + b"\x08\x02"


def code_of(result: Any) -> str:
    """The error code, read the way every client can: from the text."""
    assert result.is_error, result.content
    match = re.match(r"Error \[(\w+)\]: ", result.content[0].text)
    assert match, result.content[0].text
    return match.group(1)


@pytest.mark.parametrize("token", ["<your useapi.net API token>", "user:1234-abcdefhijklmnopqrstuv"])
async def test_a_placeholder_token_is_refused_at_once_without_calling_upstream(
    make_settings: Any, api: respx.MockRouter, token: str
) -> None:
    async with Client(create_server(make_settings(token=SecretStr(token)))) as c:
        for tool, args in (("generate_video", {"prompt": "a fox"}), ("get_task", {"task_id": 1}), ("get_balance", {})):
            result = await c.call_tool(tool, args)
            assert code_of(result) == "not_configured"
            assert "USEAPI_TOKEN" in result.content[0].text and "placeholder" in result.content[0].text
            assert token not in result.content[0].text
    assert not api.calls


async def test_an_unknown_account_is_account_not_found_naming_the_ones_that_exist(
    client: Client, api: respx.MockRouter
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com", "b@y.com"))
    api.get("/accounts/nobody@x.com").respond(404, json={"error": "Account configuration not found", "code": 404})
    result = await client.call_tool("get_balance", {"email": "nobody@x.com"})
    assert code_of(result) == "account_not_found"
    text = result.content[0].text
    assert "nobody@x.com" in text and "a@x.com" in text and "b@y.com" in text


async def test_get_task_without_email_uses_the_account_that_submitted_it(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com", "b@y.com"))
    api.post("/videos/text2video").respond(json=task(42))
    poll = api.get("/tasks/42").respond(json=task(42, 10))
    created = await client.call_tool("generate_video", {"prompt": "a fox", "email": "b@y.com"})
    assert not created.is_error, created.content
    result = await client.call_tool("get_task", {"task_id": 42})
    assert not result.is_error, result.content
    assert poll.calls.last.request.url.params["email"] == "b@y.com"
    # A task the ledger does not know still needs the account named.
    assert code_of(await client.call_tool("get_task", {"task_id": 43})) == "account_required"


async def test_an_end_frame_refused_by_the_model_is_quoted_as_the_user_gave_it(
    client: Client, api: respx.MockRouter
) -> None:
    # A short path: values over 80 characters are quoted shortened (pytest's tmp_path under xdist is longer).
    with tempfile.TemporaryDirectory(prefix="k") as folder:
        frame = Path(folder) / "end.png"
        frame.write_bytes(PNG)
        result = await client.call_tool(
            "animate_image", {"image": str(frame), "image_tail": str(frame), "model_name": "kling-v3-0-turbo"}
        )
    assert code_of(result) == "invalid_parameter"
    text = result.content[0].text
    assert str(frame) in text and "upload.pending" not in text
    assert not api.calls  # nothing uploaded


async def test_a_billed_task_reaches_the_agent_and_the_log_when_the_ledger_cannot_record_it(
    client: Client, api: respx.MockRouter, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.post("/videos/text2video").respond(json=task(4242))

    async def full_disk(self: Ledger, *args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Ledger, "mark_submitted", full_disk)
    with caplog.at_level(logging.WARNING):
        result = await client.call_tool("generate_video", {"prompt": "a fox", "idempotency_key": "k1"})
    assert not result.is_error, result.content
    assert result.structured_content["task_id"] == 4242
    assert "4242" in result.content[0].text and "ledger" in result.structured_content["warning"]
    assert any("4242" in record.getMessage() for record in caplog.records)


async def test_get_balance_names_the_raw_value_honestly(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/accounts/a@x.com").respond(json=account_detail("a@x.com", 66000))
    result = await client.call_tool("get_balance", {})
    out = result.structured_content
    assert out["balance_total"] == 66000 and "credits" not in out
    assert "raw" in result.content[0].text and "x 100" in result.content[0].text
    assert json.dumps(out).count("66000") >= 1


async def test_a_key_whose_submission_is_still_in_flight_says_so_and_sends_nothing(
    client: Client, api: respx.MockRouter
) -> None:
    import anyio
    import httpx

    api.get("/accounts").respond(json=accounts("a@x.com"))
    release = anyio.Event()
    entered = anyio.Event()

    async def slow_create(request: httpx.Request) -> httpx.Response:
        entered.set()
        await release.wait()
        return httpx.Response(200, json=task(99))

    create = api.post("/videos/text2video").mock(side_effect=slow_create)
    api.get("/tasks/99").respond(json=task(99, 10))
    results: dict[str, Any] = {}

    async def first() -> None:
        results["first"] = await client.call_tool("generate_video", {"prompt": "a fox", "idempotency_key": "k"})

    async with anyio.create_task_group() as group:
        group.start_soon(first)
        with anyio.fail_after(10):
            await entered.wait()
        second = await client.call_tool("generate_video", {"prompt": "a fox", "idempotency_key": "k"})
        assert code_of(second) == "submission_in_progress"
        assert "again" in second.content[0].text and "may be billed" not in second.content[0].text
        release.set()
    assert not results["first"].is_error and results["first"].structured_content["task_id"] == 99
    third = await client.call_tool("generate_video", {"prompt": "a fox", "idempotency_key": "k"})
    assert third.structured_content["task_id"] == 99 and third.structured_content["reused"] is True
    assert create.call_count == 1


@pytest.mark.parametrize("damage", ["file_as_state_dir", "garbage_ledger"])
async def test_an_unusable_ledger_leaves_the_tools_listable_and_answers_a_coded_error(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path, damage: str
) -> None:
    if damage == "file_as_state_dir":
        state = tmp_path / "not-a-folder"
        state.write_text("x")
    else:
        state = tmp_path / "state"
        state.mkdir()
        (state / "jobs.sqlite3").write_bytes(b"this is not a database" * 100)
    api.get("/accounts").respond(json=accounts("a@x.com"))
    create = api.post("/videos/text2video").respond(json=task(7))
    async with Client(create_server(make_settings(state_dir=state))) as c:
        assert "generate_video" in {t.name for t in (await c.list_tools()).tools}
        result = await c.call_tool("generate_video", {"prompt": "a fox"})
        assert code_of(result) == "ledger_unavailable"
        assert "KLING_MCP_STATE_DIR" in result.content[0].text and str(state) in result.content[0].text
        assert code_of(await c.call_tool("list_jobs", {})) == "ledger_unavailable"
        assert not (await c.call_tool("list_models", {})).is_error
    assert not create.called  # nothing is sent that could not be recorded
