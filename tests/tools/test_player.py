"""The MCP Apps player (tools/player.py): the ui:// resource and its CSP, the tools bound to it and the view in their
results, for a client that negotiated Apps only; every other client (and a server with KLING_MCP_APPS=false) gets
exactly what it got before. End to end on the simulator; the player itself runs in Chromium in
tests/clients/test_player_chromium.py."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, MCPError
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID

from kling_mcp.config import Settings, SettingsError
from kling_mcp.server import create_server
from kling_mcp.simulator import SimulatorConfig, run_in_thread
from kling_mcp.simulator.runner import RunningSimulator
from kling_mcp.tools.player import KLING_CDN, PLAYER_META_KEY, PLAYER_URI, player_html
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio

EMAIL = "player@example.com"
PROMPT = "a red fox running through fresh snow at dawn"
BOUND = {"generate_video", "animate_image", "get_task", "download_clean", "omni_video", "lip_sync", "generate_image"}
UNBOUND = {"list_jobs", "get_balance", "list_models", "text_to_speech", "create_element", "delete_task"}


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with run_in_thread(SimulatorConfig(accounts=[EMAIL], speed=2000, max_jobs=20, credits=100_000)) as running:
        yield running


@pytest.fixture
def on_sim(make_settings: Callable[..., Settings], sim: RunningSimulator) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        return make_settings(base_url=sim.base_url, email=EMAIL, **overrides)

    return make


def apps_ad(mime_types: list[str] | None = None) -> Any:
    return advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE] if mime_types is None else mime_types})


@asynccontextmanager
async def connect(settings: Settings, *, apps: bool, mime_types: list[str] | None = None) -> AsyncIterator[Client]:
    extensions = [apps_ad(mime_types)] if apps else None
    async with Client(create_server(settings), extensions=extensions) as client:
        yield client


async def finished_task(client: Client) -> Any:
    """A succeeded text-to-video task: the final get_task result."""
    made = await client.call_tool("generate_video", {"prompt": PROMPT, "duration": 5})
    assert not made.is_error, made.content
    with anyio.fail_after(60):  # only stops a hang
        while True:
            result = await client.call_tool(
                "get_task", {"task_id": made.structured_content["task_id"], "wait_seconds": 5}
            )
            assert not result.is_error, result.content
            if result.structured_content["final"]:
                assert result.structured_content["state"] == "succeeded"
                return result


def wire(result: Any) -> dict[str, Any]:
    return dict(result.model_dump(mode="json", by_alias=True, exclude_none=True))


# --- the resource ---------------------------------------------------------------------------------------------------


async def test_the_player_is_an_mcp_app_resource_with_the_cdn_hosts_in_its_csp(
    on_sim: Callable[..., Settings], sim: RunningSimulator
) -> None:
    async with connect(on_sim(), apps=True) as client:
        assert EXTENSION_ID in (client.server_capabilities.extensions or {})
        listed = {str(r.uri): r for r in (await client.list_resources()).resources}
        assert listed[PLAYER_URI].mime_type == APP_MIME_TYPE
        read = await client.read_resource(PLAYER_URI)
    content = read.contents[0]
    assert content.mime_type == APP_MIME_TYPE and content.text == player_html()
    assert content.text.lstrip().lower().startswith("<!doctype html>")
    ui = (content.meta or {})["ui"]
    # Kling's CDN (reference §10) and the simulator, which serves the works of the tasks it runs
    assert ui["csp"] == {"resourceDomains": [KLING_CDN, sim.base_url]}
    assert ui["prefersBorder"] is True


def test_with_useapi_as_the_upstream_only_klings_cdn_is_declared(make_settings: Callable[..., Settings]) -> None:
    from kling_mcp.tools.player import player_csp

    assert player_csp(make_settings(base_url="https://api.useapi.net")).resource_domains == [KLING_CDN]
    assert player_csp(make_settings(base_url="http://user:pw@10.0.0.2:8080")).resource_domains == [
        KLING_CDN,
        "http://10.0.0.2:8080",
    ]


# --- tools/list and resources/list ----------------------------------------------------------------------------------


async def test_an_apps_client_sees_the_player_on_the_result_tools_only(on_sim: Callable[..., Settings]) -> None:
    async with connect(on_sim(), apps=True) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    for name in BOUND:
        assert (tools[name].meta or {}).get("ui") == {"resourceUri": PLAYER_URI}, name
    for name in UNBOUND:
        assert "ui" not in (tools[name].meta or {}), name


async def test_other_clients_see_the_lists_of_a_server_without_apps(on_sim: Callable[..., Settings]) -> None:
    """No Apps, or Apps without the HTML MIME type (SDK: client_supports_apps): tools/list and resources/list exactly
    as a server with KLING_MCP_APPS=false gives them."""
    async with connect(on_sim(apps=False), apps=False) as client:
        tools_before = wire(await client.list_tools())
        resources_before = wire(await client.list_resources())
        assert EXTENSION_ID not in (client.server_capabilities.extensions or {})
    for apps, mime_types in ((False, None), (True, ["text/uri-list"])):
        async with connect(on_sim(), apps=apps, mime_types=mime_types) as client:
            assert wire(await client.list_tools()) == tools_before
            assert wire(await client.list_resources()) == resources_before
    assert PLAYER_URI not in str(resources_before)


# --- results --------------------------------------------------------------------------------------------------------


async def test_results_carry_the_players_view_for_apps_clients_only(
    on_sim: Callable[..., Settings], sim: RunningSimulator
) -> None:
    settings = on_sim()
    async with connect(settings, apps=True) as client:
        submitted = await client.call_tool("generate_video", {"prompt": PROMPT, "duration": 5})
        pending = (submitted.meta or {})[PLAYER_META_KEY]
        final = await finished_task(client)
        unknown = await client.call_tool("get_task", {"task_id": 999_999})
    task = final.structured_content
    view = (final.meta or {})[PLAYER_META_KEY]
    video = task["videos"][0]
    assert pending["state"] in ("queued", "running") and pending["prompt"] == PROMPT and pending["works"] == []
    assert view == {
        "task_id": task["task_id"],
        "state": "succeeded",
        "final": True,
        "prompt": PROMPT,  # from the job ledger: the structured content does not carry it
        "model_name": task["model_name"],
        "estimated_credits": task["estimated_credits"],
        "email": EMAIL,
        "works": [
            {
                "work_id": video["work_id"],
                "kind": "video",
                "preview_url": video["url"],
                "duration_s": video["duration_s"],
                "width": video["width"],
                "height": video["height"],
            }
        ],
        "work_id": video["work_id"],
    }
    assert video["url"].startswith(f"{sim.base_url}/cdn/")  # a host the player's CSP declares
    assert PLAYER_META_KEY not in (unknown.meta or {}) and error_of(unknown)["code"] == "not_found"

    # The same calls from a client without Apps, and on a server without Apps: today's results, unchanged.
    task_id = task["task_id"]
    async with connect(settings, apps=False) as client:
        plain = await client.call_tool("get_task", {"task_id": task_id})
    async with connect(on_sim(apps=False), apps=True) as client:
        without_apps = await client.call_tool("get_task", {"task_id": task_id})
    assert wire(plain) == wire(without_apps)
    assert PLAYER_META_KEY not in (plain.meta or {})
    assert plain.content == final.content and plain.structured_content == final.structured_content


async def test_after_download_clean_the_view_points_at_the_saved_clean_master(on_sim: Callable[..., Settings]) -> None:
    async with connect(on_sim(), apps=True) as client:
        task = (await finished_task(client)).structured_content
        work_id = task["videos"][0]["work_id"]
        saved = await client.call_tool("download_clean", {"task_id": task["task_id"]})
        again = await client.call_tool("get_task", {"task_id": task["task_id"]})
        view = (saved.meta or {})[PLAYER_META_KEY]
        uri = view["works"][0]["clean_uri"]
        blob = (await client.read_resource(uri)).contents[0]
    download = saved.structured_content
    assert download["clean"] and download["saved"]
    assert view["work_id"] == work_id and view["prompt"] == PROMPT and view["state"] == "succeeded"
    work = view["works"][0]
    assert work["preview_url"] == task["videos"][0]["url"]  # the ledger keeps the preview
    assert uri == f"kling://videos/{task['task_id']}/{work_id}"
    assert work["saved_path"] == download["path"] and work["clean_mime_type"] == "video/mp4"
    assert work["clean_url"] == download["url"]
    assert base64.b64decode(blob.blob) == Path(download["path"]).read_bytes()  # what the player plays
    assert (again.meta or {})[PLAYER_META_KEY]["works"][0]["clean_uri"] == uri


# --- turning it off -------------------------------------------------------------------------------------------------


async def test_kling_mcp_apps_false_turns_the_player_off(on_sim: Callable[..., Settings]) -> None:
    assert Settings.from_env({"KLING_MCP_APPS": "false"}).apps is False
    assert Settings.from_env({}).apps is True
    with pytest.raises(SettingsError, match="KLING_MCP_APPS must be true or false"):
        Settings.from_env({"KLING_MCP_APPS": "maybe"})
    async with connect(on_sim(apps=False), apps=True) as client:
        assert EXTENSION_ID not in (client.server_capabilities.extensions or {})
        tools = (await client.list_tools()).tools
        assert not any("ui" in (tool.meta or {}) for tool in tools)
        with pytest.raises(MCPError) as refused:
            await client.read_resource(PLAYER_URI)
    assert f"Unknown resource: {PLAYER_URI}" in str(refused.value)
