"""The "elements" toolset over MCP: create, list and delete an element on the simulator; delete is annotated
destructive and asks first per KLING_MCP_CONFIRM; refusals name the parameter and send nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import respx
from mcp import Client
from mcp.types import ElicitResult

from kling_mcp.server import create_server
from kling_mcp.simulator import SimulatorConfig, run_in_thread
from kling_mcp.simulator.runner import RunningSimulator
from tests.factories import accounts
from tests.mcp_results import error_of
from tests.tools.test_long_jobs import png

pytestmark = pytest.mark.anyio

EMAIL = "elements@example.com"


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with run_in_thread(SimulatorConfig(accounts=[EMAIL], speed=2000)) as running:
        yield running


@pytest.fixture
async def on_sim(make_settings: Any, sim: RunningSimulator) -> AsyncIterator[Client]:
    async with Client(create_server(make_settings(base_url=sim.base_url, email=EMAIL))) as c:
        yield c


@pytest.fixture
def cover(tmp_path: Path) -> Path:
    path = tmp_path / "mara.png"
    path.write_bytes(png(640, 640))
    return path


def _answer(action: str, confirm: bool = True) -> Any:
    asked: list[str] = []

    async def callback(context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action=action, content={"confirm": confirm} if action == "accept" else None)

    callback.asked = asked  # type: ignore[attr-defined]
    return callback


async def _listed_ids(client: Client) -> list[str]:
    result = await client.call_tool("list_elements", {})
    assert not result.is_error, result.content
    return [element["element_id"] for element in result.structured_content["elements"]]


async def test_the_element_tools_are_listed_with_their_annotations(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    delete = tools["delete_element"].annotations
    assert (delete.read_only_hint, delete.destructive_hint) == (False, True)
    create = tools["create_element"].annotations
    assert (create.read_only_hint, create.destructive_hint, create.idempotent_hint) == (False, False, False)
    assert tools["list_elements"].annotations.read_only_hint is True
    for name in ("create_element", "list_elements", "delete_element"):
        assert tools[name].title and tools[name].description and tools[name].output_schema, name
    assert tools["create_element"].input_schema["required"] == ["name", "cover_image"]
    assert tools["create_element"].input_schema["properties"]["type"]["enum"] == ["IMAGE", "VIDEO"]


async def test_create_list_and_delete_an_element(on_sim: Client, sim: RunningSimulator, cover: Path) -> None:
    made = await on_sim.call_tool("create_element", {"name": "Mara", "cover_image": str(cover)})
    assert not made.is_error, made.content
    (element,) = made.structured_content["elements"]
    element_id = element["element_id"]
    assert element_id in made.content[0].text and "omni_video" in made.structured_content["next_step"]
    sent = [body for method, path, body in sim.state.requests if method == "POST" and path.endswith("/elements")]
    assert len(sent) == 1 and str(cover) not in sent[0]  # the cover went up through POST /assets first
    assert element_id in await _listed_ids(on_sim)

    deleted = await on_sim.call_tool("delete_element", {"element_id": element_id})
    assert not deleted.is_error, deleted.content
    assert deleted.structured_content == {"element_id": element_id, "deleted": True}
    assert element_id in deleted.content[0].text
    assert element_id not in await _listed_ids(on_sim)


async def test_list_elements_pages_and_says_when_more_may_follow(
    on_sim: Client, sim: RunningSimulator, cover: Path
) -> None:
    for name in ("Ann", "Bo"):
        assert not (await on_sim.call_tool("create_element", {"name": name, "cover_image": str(cover)})).is_error
    first = await on_sim.call_tool("list_elements", {"page": 1, "page_size": 1})
    assert not first.is_error, first.content
    out = first.structured_content
    assert len(out["elements"]) == 1 and (out["page"], out["page_size"]) == (1, 1)
    assert "page=2" in out["next_step"] and "page=2" in first.content[0].text


@pytest.mark.parametrize(("action", "confirm"), [("decline", True), ("cancel", True), ("accept", False)])
async def test_delete_asks_first_and_a_refusal_deletes_nothing(
    make_settings: Any, api: respx.MockRouter, action: str, confirm: bool
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    delete = api.delete("/elements/u_123").respond(json={})
    answer = _answer(action, confirm)
    async with Client(create_server(make_settings(confirm="always")), elicitation_callback=answer) as c:
        err = error_of(await c.call_tool("delete_element", {"element_id": "u_123"}))
    assert err["code"] == "declined" and "Nothing was deleted" in err["message"]
    assert len(answer.asked) == 1 and "u_123" in answer.asked[0]
    assert not delete.called


@pytest.mark.parametrize("policy", [{"confirm": "always"}, {"confirm": "above", "confirm_above": 1000}])
async def test_delete_goes_ahead_once_the_user_confirms(
    make_settings: Any, api: respx.MockRouter, policy: dict[str, Any]
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    delete = api.delete("/elements/u_123").respond(json={})
    answer = _answer("accept")
    async with Client(create_server(make_settings(**policy)), elicitation_callback=answer) as c:
        result = await c.call_tool("delete_element", {"element_id": "u_123"})
    assert not result.is_error, result.content
    assert delete.call_count == 1 and len(answer.asked) == 1


async def test_delete_is_refused_when_confirmation_is_wanted_but_the_client_cannot_ask(
    make_settings: Any, api: respx.MockRouter
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    delete = api.delete("/elements/u_123").respond(json={})
    async with Client(create_server(make_settings(confirm="always"))) as c:
        err = error_of(await c.call_tool("delete_element", {"element_id": "u_123"}))
    assert err["code"] == "declined" and "cannot show a question" in err["message"]
    assert "Nothing was deleted" in err["message"]
    assert not delete.called


async def test_delete_without_a_confirmation_policy_asks_nothing(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    delete = api.delete("/elements/u_123").respond(json={})
    result = await client.call_tool("delete_element", {"element_id": "u_123"})
    assert not result.is_error, result.content
    assert delete.call_count == 1


@pytest.mark.parametrize(
    ("arguments", "parameter", "allowed"),
    [
        ({"name": "A" * 16, "cover_image": "https://cdn.test/a.png"}, "name", "15"),
        ({"name": "Mara", "cover_image": "https://cdn.test/a.png", "type": "AUDIO"}, "type", "VIDEO"),
        ({"name": "Mara", "cover_image": "https://cdn.test/a.png", "description": "d" * 101}, "description", "100"),
        (
            {"name": "Mara", "cover_image": "https://cdn.test/a.png", "generate_views": True,
             "extra_images": ["https://cdn.test/b.png"]},
            "generate_views",
            "extra_images",
        ),
    ],
)  # fmt: skip
async def test_create_element_refusals_name_the_parameter_and_send_nothing(
    client: Client, api: respx.MockRouter, arguments: dict[str, Any], parameter: str, allowed: str
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    upload = api.post("/assets/").respond(json={"status": 3, "url": "https://cdn.test/x.png"})
    create = api.post("/elements").respond(json={"id": "u_1"})
    err = error_of(await client.call_tool("create_element", arguments))
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"].startswith(parameter), err
    assert allowed in err["message"], err
    assert not upload.called and not create.called


@pytest.mark.parametrize(
    ("tool", "arguments", "parameter"),
    [
        ("delete_element", {"element_id": "../accounts"}, "element_id"),
        ("list_elements", {"page_size": 101}, "page_size"),
        ("list_elements", {"page": 0}, "page"),
        ("create_element", {"name": "Mara"}, "cover_image"),
    ],
)
async def test_element_arguments_that_do_not_fit_are_refused_before_sending(
    client: Client, api: respx.MockRouter, tool: str, arguments: dict[str, Any], parameter: str
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    err = error_of(await client.call_tool(tool, arguments))
    assert err["code"] == "invalid_parameter" and parameter in err["message"], err
    assert not [call for call in api.calls if call.request.url.path != "/v1/kling/accounts"]


async def test_the_same_idempotency_key_makes_one_element(
    make_settings: Any, sim: RunningSimulator, cover: Path
) -> None:
    """A retried create_element (the agent lost the first answer) returns the element made the first time, from
    the ledger, even in a new server process: nothing is sent twice."""
    settings = make_settings(base_url=sim.base_url, email=EMAIL)
    args = {"name": "Once", "cover_image": str(cover), "idempotency_key": "once-1"}
    before = sum(1 for method, path, _ in sim.state.requests if method == "POST" and path.endswith("/elements"))
    async with Client(create_server(settings)) as first:
        made = await first.call_tool("create_element", args)
        assert not made.is_error, made.content
    async with Client(create_server(settings)) as second:
        again = await second.call_tool("create_element", args)
        assert not again.is_error, again.content
    after = sum(1 for method, path, _ in sim.state.requests if method == "POST" and path.endswith("/elements"))
    assert after - before == 1
    ids = [e["element_id"] for e in made.structured_content["elements"]]
    assert ids and [e["element_id"] for e in again.structured_content["elements"]] == ids


async def test_a_blank_idempotency_key_is_refused_before_the_cover_is_uploaded(
    on_sim: Client, sim: RunningSimulator, cover: Path
) -> None:
    before = len(sim.state.requests)
    result = await on_sim.call_tool(
        "create_element", {"name": "Blank", "cover_image": str(cover), "idempotency_key": "  "}
    )
    assert error_of(result)["code"] == "invalid_parameter"
    assert len(sim.state.requests) == before
