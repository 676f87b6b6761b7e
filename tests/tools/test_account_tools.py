"""The account family over MCP (issue #13, items 8-12): list_jobs finds work made elsewhere, delete_task (destructive,
asks first), get_capacity and stop_tracking (which says plainly that Kling keeps running and billing the task),
list_uploads / delete_uploads, and KLING_MCP_ACCOUNT_CHOICE=most_free naming the account it picked. Success paths
run on the simulator; refusals and confirmations on a mocked upstream, where nothing may be sent."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import respx
from mcp import Client
from mcp.types import ElicitResult

from kling_mcp.api.client import KlingClient
from kling_mcp.api.models import Text2VideoRequest
from kling_mcp.server import create_server
from kling_mcp.simulator import SimulatorConfig, run_in_thread
from kling_mcp.simulator.runner import RunningSimulator
from tests.conftest import TOKEN
from tests.factories import accounts, task
from tests.mcp_results import error_of
from tests.tools.test_long_jobs import png

pytestmark = pytest.mark.anyio

A, B = "acct-a@example.com", "acct-b@example.com"


@pytest.fixture(scope="module")
def fast() -> Iterator[RunningSimulator]:
    """Tasks finish in a fraction of a second."""
    with run_in_thread(SimulatorConfig(accounts=[A], speed=2000)) as running:
        yield running


@pytest.fixture
def slow() -> Iterator[RunningSimulator]:
    """Tasks run for minutes (they hold their job slot for the whole test), two accounts of two slots each."""
    with run_in_thread(SimulatorConfig(accounts=[A, B], speed=1, max_jobs=2)) as running:
        yield running


@pytest.fixture
async def on_fast(make_settings: Any, fast: RunningSimulator) -> AsyncIterator[Client]:
    async with Client(create_server(make_settings(base_url=fast.base_url, email=A))) as c:
        yield c


def _ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    out: dict[str, Any] = result.structured_content
    return out


def _answer(action: str) -> Any:
    asked: list[str] = []

    async def callback(context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action=action, content={"confirm": True} if action == "accept" else None)

    callback.asked = asked  # type: ignore[attr-defined]
    return callback


# --- the surface ----------------------------------------------------------------------------------------------------


async def test_the_account_tools_are_listed_with_their_annotations(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    for name in ("delete_task", "delete_uploads"):
        hints = tools[name].annotations
        assert (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint) == (False, True, True), name
    for name in ("get_capacity", "list_uploads", "list_jobs"):
        assert tools[name].annotations.read_only_hint is True, name
    stop = tools["stop_tracking"]
    assert (stop.annotations.read_only_hint, stop.annotations.destructive_hint) == (False, False)
    assert "keeps running" in stop.description and "bills" in stop.description
    jobs = tools["list_jobs"].input_schema["properties"]
    assert jobs["source"]["enum"] == ["ledger", "account", "all"] and jobs["source"]["default"] == "ledger"
    assert jobs["content_type"]["enum"] == ["video", "image", "audio"] and "created_before" in jobs
    assert tools["delete_uploads"].input_schema["properties"]["ids"]["maxItems"] == 10


# --- success paths on the simulator ---------------------------------------------------------------------------------


async def _generate(client: Client, prompt: str, **extra: Any) -> dict[str, Any]:
    return _ok(await client.call_tool("generate_video", {"prompt": prompt, "wait_seconds": 30, **extra}))


async def test_list_jobs_finds_a_task_made_elsewhere_and_it_can_be_downloaded(
    on_fast: Client, fast: RunningSimulator
) -> None:
    ours = await _generate(on_fast, "a red fox in the snow")
    async with KlingClient(token=TOKEN, base_url=fast.base_url) as other_tool:  # not through this server
        made = await other_tool.create_text2video(
            Text2VideoRequest(prompt="a lighthouse at dusk", model_name="kling-v1-6", email=A)
        )
    assert made.task is not None
    elsewhere = made.task.id
    with anyio.fail_after(30):
        while _ok(await on_fast.call_tool("get_task", {"task_id": elsewhere, "wait_seconds": 5}))["final"] is False:
            pass

    ledger = _ok(await on_fast.call_tool("list_jobs", {}))
    assert ledger["source"] == "ledger" and elsewhere not in [j["task_id"] for j in ledger["jobs"]]
    merged = await on_fast.call_tool("list_jobs", {"source": "all", "content_type": "video"})
    rows = {j["task_id"]: j for j in _ok(merged)["jobs"]}
    assert rows[ours["task_id"]]["source"] == "both" and rows[ours["task_id"]]["model_name"] == ours["model_name"]
    other = rows[elsewhere]
    assert other["source"] == "account" and other["state"] == "succeeded" and other["email"] == A
    assert other["prompt"] == "a lighthouse at dusk" and other["works"][0]["content_type"] == "video"
    assert f"task {elsewhere} [account]" in merged.content[0].text

    saved = _ok(
        await on_fast.call_tool("download_clean", {"task_id": elsewhere, "work_id": other["works"][0]["work_id"]})
    )
    assert saved["clean"] and Path(saved["path"]).is_file()


async def test_delete_task_removes_it_from_the_account(on_fast: Client) -> None:
    made = await _generate(on_fast, "a paper boat on a river")
    deleted = await on_fast.call_tool("delete_task", {"task_id": made["task_id"]})
    out = _ok(deleted)
    assert out["deleted"] is True and out["deleted_works"] == len(made["videos"])
    assert "for good" in deleted.content[0].text
    listed = _ok(await on_fast.call_tool("list_jobs", {"source": "account", "limit": 50}))
    assert made["task_id"] not in [j["task_id"] for j in listed["jobs"]]
    assert error_of(await on_fast.call_tool("get_task", {"task_id": made["task_id"]}))["code"] == "not_found"
    again = _ok(await on_fast.call_tool("delete_task", {"task_id": made["task_id"]}))
    assert again["deleted"] is False  # a retried delete is not a failure


async def test_capacity_and_stop_tracking(make_settings: Any, slow: RunningSimulator) -> None:
    async with Client(create_server(make_settings(base_url=slow.base_url, email=A))) as c:
        running = _ok(await c.call_tool("generate_video", {"prompt": "a slow sunrise over hills"}))
        capacity = _ok(await c.call_tool("get_capacity", {}))
        slots = {a["email"]: a for a in capacity["accounts"]}
        assert slots[A]["max_jobs"] == 2 and slots[A]["free"] <= 1 and slots[B]["free"] == 2
        (tracked,) = [t for t in capacity["running"] if t["task_id"] == running["task_id"]]
        assert tracked["recorded"] and tracked["email"] == A

        stopped = await c.call_tool("stop_tracking", {"task_id": running["task_id"]})
        out = _ok(stopped)
        assert out["stopped"] is True and out["still_running_at_kling"] is True
        assert "keeps running the task and bills it" in stopped.content[0].text
        after = _ok(await c.call_tool("get_capacity", {}))
        assert running["task_id"] not in [t["task_id"] for t in after["running"]]
        assert {a["email"]: a["free"] for a in after["accounts"]}[A] == slots[A]["free"] + 1
        assert not (await c.call_tool("get_task", {"task_id": running["task_id"]})).is_error  # still readable
        again = _ok(await c.call_tool("stop_tracking", {"task_id": running["task_id"]}))
        assert again["stopped"] is False


async def test_most_free_uses_the_account_with_the_most_free_slots_and_names_it(
    make_settings: Any, slow: RunningSimulator
) -> None:
    settings = make_settings(base_url=slow.base_url, account_choice="most_free")
    async with Client(create_server(settings)) as c:
        _ok(await c.call_tool("generate_video", {"prompt": "a filler clip", "email": A}))  # A: 1 of 2 slots free
        chosen = await c.call_tool("generate_video", {"prompt": "a kite over the beach"})
        out = _ok(chosen)
        assert out["email"] == B and "most_free" in out["warning"] and "2 of 2 free" in out["warning"]
        assert B in chosen.content[0].text
        after = _ok(await c.call_tool("get_capacity", {}))
        assert {a["email"]: a["free"] for a in after["accounts"]} == {A: 1, B: 1}  # the task runs on B
        # a read does not guess
        assert error_of(await c.call_tool("list_uploads", {}))["code"] == "account_required"


async def test_list_and_delete_uploads(on_fast: Client, fast: RunningSimulator, tmp_path: Path) -> None:
    frame = tmp_path / "frame.png"
    frame.write_bytes(png(640, 640))
    _ok(await on_fast.call_tool("animate_image", {"image": str(frame), "prompt": "the leaves move"}))
    listed = await on_fast.call_tool("list_uploads", {"content_type": "image"})
    uploads = _ok(listed)["uploads"]
    assert uploads and uploads[0]["content_type"] == "image" and uploads[0]["id"] in listed.content[0].text
    gone = _ok(await on_fast.call_tool("delete_uploads", {"ids": [uploads[0]["id"]]}))
    assert gone["deleted"] == 1 and gone["ids"] == [uploads[0]["id"]]
    left = _ok(await on_fast.call_tool("list_uploads", {"content_type": "image"}))["uploads"]
    assert uploads[0]["id"] not in [u["id"] for u in left]


# --- refusals and confirmations (nothing may be sent) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "arguments", "parameter", "allowed"),
    [
        ("list_jobs", {"source": "everything"}, "source", "'ledger', 'account' or 'all'"),
        ("list_jobs", {"content_type": "video"}, "content_type", "source='account'"),
        ("list_jobs", {"source": "account", "content_type": "gif"}, "content_type", "'video', 'image' or 'audio'"),
        ("list_jobs", {"created_before": "last week"}, "created_before", "ISO 8601"),
        ("delete_uploads", {"ids": [str(n) for n in range(11)]}, "ids", "at most 10"),
        ("delete_uploads", {"ids": ["12", "abc"]}, "ids", "string of digits"),
        ("list_uploads", {"page_size": 101}, "page_size", "100"),
        ("delete_task", {"task_id": 0}, "task_id", "1"),
    ],
)
async def test_bad_arguments_are_refused_naming_what_is_allowed_and_send_nothing(
    client: Client, api: respx.MockRouter, tool: str, arguments: dict[str, Any], parameter: str, allowed: str
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    err = error_of(await client.call_tool(tool, arguments))
    assert err["code"] == "invalid_parameter" and parameter in err["message"] and allowed in err["message"], err
    assert not [call for call in api.calls if call.request.url.path != "/v1/kling/accounts"]


@pytest.mark.parametrize(
    ("tool", "arguments", "route", "asked"),
    [
        ("delete_task", {"task_id": 700}, ("DELETE", "/tasks/700"), "task 700"),
        ("delete_uploads", {"ids": ["11", "12"]}, ("DELETE", "/assets/uploaded/"), "11, 12"),
    ],
)
async def test_a_delete_asks_first_and_a_refusal_deletes_nothing(
    make_settings: Any, api: respx.MockRouter, tool: str, arguments: dict[str, Any], route: Any, asked: str
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    delete = api.request(*route).respond(json={"deleted": 1})
    declined = _answer("decline")
    async with Client(create_server(make_settings(confirm="always")), elicitation_callback=declined) as c:
        err = error_of(await c.call_tool(tool, arguments))
    assert err["code"] == "declined" and "Nothing was deleted" in err["message"]
    assert len(declined.asked) == 1 and asked in declined.asked[0] and "cannot be undone" in declined.asked[0]
    assert not delete.called
    accepted = _answer("accept")
    async with Client(create_server(make_settings(confirm="always")), elicitation_callback=accepted) as c:
        _ok(await c.call_tool(tool, arguments))
    assert delete.call_count == 1


async def test_most_free_on_a_spending_call_sends_the_chosen_email(make_settings: Any, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com", "b@x.com"))
    api.get("/scheduler/available").respond(
        json={
            "executing": [],
            "available": [
                {"email": "a@x.com", "maxJobs": 3, "executing": 3, "available": 0},
                {"email": "b@x.com", "maxJobs": 3, "executing": 1, "available": 2},
            ],
        }
    )
    create = api.post("/videos/text2video").respond(json=task(42))
    async with Client(create_server(make_settings(account_choice="most_free"))) as c:
        result = await c.call_tool("generate_video", {"prompt": "a fox"})
    out = _ok(result)
    assert json.loads(create.calls.last.request.content)["email"] == "b@x.com"
    assert out["email"] == "b@x.com" and "b@x.com" in result.content[0].text and "2 of 3 free" in out["warning"]


async def test_an_unusable_ledger_still_lets_the_account_history_be_listed(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path
) -> None:
    state = tmp_path / "not-a-folder"
    state.write_text("x")
    api.get("/tasks").respond(json={"history": [{"task": {"id": 9, "status": 99, "status_name": "succeed"}}]})
    async with Client(create_server(make_settings(state_dir=state, email="a@x.com"))) as c:
        assert error_of(await c.call_tool("list_jobs", {}))["code"] == "ledger_unavailable"
        listed = await c.call_tool("list_jobs", {"source": "all"})
    out = _ok(listed)
    assert [(j["task_id"], j["source"], j["state"]) for j in out["jobs"]] == [(9, "account", "succeeded")]
    assert "KLING_MCP_STATE_DIR" in out["warnings"][0] and out["warnings"][0] in listed.content[0].text
