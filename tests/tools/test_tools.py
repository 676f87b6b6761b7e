"""The five core tools through the real MCP protocol layer (the SDK's in-memory client), upstream mocked by respx."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from mcp import Client, MCPError
from mcp.types import INVALID_PARAMS, PromptReference, ResourceTemplateReference

from kling_mcp.config import Settings
from kling_mcp.server import create_server
from tests.conftest import TOKEN
from tests.factories import MP4, account_detail, accounts, task
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio

CORE = {"generate_video", "animate_image", "get_task", "download_clean", "get_balance"}


# --- listing -----------------------------------------------------------------------------------------------------


async def test_tools_list_declares_schemas_titles_and_annotations(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) >= CORE
    for name in CORE:
        assert tools[name].output_schema is not None, name
        assert tools[name].title, name
        assert tools[name].description, name
    for name in ("generate_video", "animate_image"):
        a = tools[name].annotations
        assert (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint) == (
            False,
            False,
            False,
            True,
        )
    assert tools["get_task"].annotations.read_only_hint is True
    assert tools["get_balance"].annotations.read_only_hint is True
    download = tools["download_clean"].annotations
    assert (download.read_only_hint, download.idempotent_hint) == (False, True)
    # the catalog feeds the schema and the description
    props = tools["generate_video"].input_schema["properties"]
    assert props["model_name"]["default"] == "kling-v1-6"
    assert "kling-v3-0-turbo" in props["model_name"]["enum"]
    assert "kling-v2-1" not in props["model_name"]["enum"]  # image-to-video only
    assert "kling-v2-1" in tools["animate_image"].input_schema["properties"]["model_name"]["enum"]
    assert "confirmation" not in props and "roots" not in tools["animate_image"].input_schema["properties"]
    assert "3–15 s" in tools["generate_video"].description


async def test_tools_list_works_without_a_token(make_settings: Any, api: respx.MockRouter) -> None:
    async with Client(create_server(make_settings(token=None))) as c:
        assert {t.name for t in (await c.list_tools()).tools} >= CORE
        err = error_of(await c.call_tool("get_balance", {}))
    assert err["code"] == "not_configured"
    assert "USEAPI_TOKEN" in err["hint"]
    assert not api.calls


# --- generate_video ------------------------------------------------------------------------------------------------


async def test_generate_video_submits_and_returns_task(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    create = api.post("/videos/text2video").respond(json=task(77))
    result = await client.call_tool(
        "generate_video", {"prompt": "a fox", "model_name": "kling-v3-0", "mode": "pro", "duration": 6}
    )
    assert not result.is_error, result.content
    body = json.loads(create.calls.last.request.content)
    assert body == {
        "prompt": "a fox",
        "model_name": "kling-v3-0",
        "mode": "pro",
        "duration": "6",
        "aspect_ratio": "16:9",
        "email": "a@x.com",
    }
    out = result.structured_content
    assert out["task_id"] == 77 and out["state"] == "queued" and out["final"] is False
    assert out["status"] == 5 and out["status_name"] == "submitted"
    assert out["poll_after_s"] and "get_task" in out["next_step"]
    assert out["estimated_credits"] == 72  # reference §9: 6 s v3 pro with audio
    assert "77" in result.content[0].text


@pytest.mark.parametrize(
    ("args", "parameter", "allowed"),
    [
        ({"model_name": "kling-v9"}, "model_name", "kling-v3-0"),
        ({"model_name": "kling-v2-1"}, "model_name", "kling-v1-6"),
        ({"model_name": "kling-v2-5", "mode": "std"}, "mode", '"pro"'),
        ({"model_name": "kling-v3-0-turbo", "mode": "4k"}, "mode", '"std", "pro"'),
        ({"model_name": "kling-v1-6", "duration": 7}, "duration", "5, 10"),
        ({"model_name": "kling-v3-0", "duration": 16}, "duration", "3–15"),
        ({"model_name": "kling-v3-0", "duration": 2}, "duration", "3–15"),
        ({"aspect_ratio": "4:3"}, "aspect_ratio", '"16:9", "9:16", "1:1"'),
        ({"model_name": "kling-v3-0", "negative_prompt": "blur"}, "negative_prompt", "kling-v1-6"),
        ({"model_name": "kling-v2-6", "cfg_scale": 0.5}, "cfg_scale", "kling-v1-5"),
        ({"cfg_scale": 1.5}, "cfg_scale", "0 to 1"),
        ({"model_name": "kling-v3-0-turbo", "enable_audio": True}, "enable_audio", "omit"),
        ({"model_name": "kling-v2-6", "enable_audio": True, "mode": "std"}, "enable_audio", "pro"),
        ({"prompt": "   "}, "prompt", "2500"),
        ({"prompt": "x" * 2501}, "prompt", "2500"),
        ({"mode": "ultra"}, "mode", '"std", "pro"'),
    ],
)
async def test_generate_video_refuses_invalid_parameters_before_sending(
    client: Client, api: respx.MockRouter, args: dict[str, Any], parameter: str, allowed: str
) -> None:
    route = api.post("/videos/text2video").respond(json=task())
    result = await client.call_tool("generate_video", {"prompt": "a fox", **args})
    err = error_of(result)
    assert err["code"] == "invalid_parameter"
    assert err["details"]["parameter"] == parameter
    assert parameter in err["message"] and allowed in err["message"]
    assert not route.called
    assert not api.calls  # not even the account lookup


async def test_schema_level_errors_are_coded_too(client: Client, api: respx.MockRouter) -> None:
    err = error_of(await client.call_tool("generate_video", {"prompt": "a", "duration": "five"}))
    assert err["code"] == "invalid_parameter" and "duration" in err["message"]
    err = error_of(await client.call_tool("generate_video", {}))
    assert err["code"] == "invalid_parameter" and "prompt" in err["message"]
    assert not api.calls


@pytest.mark.parametrize(
    ("status", "body", "code", "words"),
    [
        (401, {"error": "Unauthorized", "code": 401}, "auth_failed", "USEAPI_TOKEN"),
        (402, {"error": "Subscription required", "code": 402}, "subscription_required", "subscription"),
        (429, {"error": "busy", "code": 429}, "capacity", "maxJobs"),
        (
            500,
            {"error": "The content you uploaded appears to violate the community guidelines."},
            "moderation_rejected",
            "moderation",
        ),
        (500, {"error": "Internal error"}, "upstream_error", "500"),
        (596, {"error": "session broken"}, "account_broken", "Re-add"),
        (400, {"error": "prompt is too spicy"}, "invalid_parameter", "prompt is too spicy"),
    ],
)
async def test_upstream_errors_on_create_become_coded_tool_errors(
    client: Client, api: respx.MockRouter, status: int, body: dict[str, Any], code: str, words: str
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    route = api.post("/videos/text2video").respond(status, json=body)
    err = error_of(await client.call_tool("generate_video", {"prompt": "a fox"}))
    assert err["code"] == code
    assert words in err["message"] + " " + err["hint"]
    assert TOKEN not in json.dumps(err)
    # A 429 is retried 6 times as useapi's guide's script does (nothing was created); nothing else is resent.
    assert route.call_count == (7 if status == 429 else 1)
    jobs = (await client.call_tool("list_jobs", {})).structured_content["jobs"]
    assert jobs[0]["state"] == "rejected" and jobs[0]["task_id"] is None


# --- accounts ------------------------------------------------------------------------------------------------------


async def test_several_accounts_without_email_lists_them(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com", "b@y.com"))
    route = api.post("/videos/text2video").respond(json=task())
    err = error_of(await client.call_tool("generate_video", {"prompt": "a fox"}))
    assert err["code"] == "account_required"
    assert "a@x.com" in err["message"] and "b@y.com" in err["message"]
    assert not route.called


async def test_kling_email_setting_skips_the_account_lookup(make_settings: Any, api: respx.MockRouter) -> None:
    listing = api.get("/accounts").respond(json=accounts("a@x.com", "b@y.com"))
    create = api.post("/videos/text2video").respond(json=task())
    async with Client(create_server(make_settings(email="b@y.com"))) as c:
        result = await c.call_tool("generate_video", {"prompt": "a fox"})
    assert not result.is_error
    assert json.loads(create.calls.last.request.content)["email"] == "b@y.com"
    assert not listing.called


async def test_accounts_are_looked_up_once(client: Client, api: respx.MockRouter) -> None:
    listing = api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(json=task(42, 10))
    for _ in range(3):
        assert not (await client.call_tool("get_task", {"task_id": 42})).is_error
    assert listing.call_count == 1


# --- get_task ------------------------------------------------------------------------------------------------------


async def test_get_task_running_then_succeeded(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").mock(
        side_effect=[httpx.Response(200, json=task(42, 10)), httpx.Response(200, json=task(42, 99, works=1))]
    )
    running = (await client.call_tool("get_task", {"task_id": 42})).structured_content
    assert running["state"] == "running" and running["final"] is False and running["poll_after_s"] > 0
    done = await client.call_tool("get_task", {"task_id": 42})
    out = done.structured_content
    assert out["state"] == "succeeded" and out["final"] is True and out["poll_after_s"] is None
    video = out["videos"][0]
    assert video == {
        "work_id": 420,
        "url": "https://cdn.test/42/0/preview.mp4",
        "watermarked": True,
        "width": 1280,
        "height": 720,
        "duration_s": 5.041,
        "local_path": None,
    }
    assert "download_clean" in out["next_step"]
    assert "watermarked" in done.content[0].text


@pytest.mark.parametrize("status", [6, 7, 9, 50, 53, 54, 58])
async def test_failed_task_is_a_normal_result(client: Client, api: respx.MockRouter, status: int) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(json=task(42, status, error="Kling could not render this"))
    result = await client.call_tool("get_task", {"task_id": 42})
    assert not result.is_error
    out = result.structured_content
    assert out["state"] == "failed" and out["final"] is True and out["status"] == status
    assert out["error"] == "Kling could not render this"
    assert "do not poll" in out["next_step"]


async def test_get_task_404_explains_the_three_causes(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(404, json={"error": "Task 42 not found"})
    err = error_of(await client.call_tool("get_task", {"task_id": 42}))
    assert err["code"] == "not_found"
    for cause in ("deleted", "moderation", "credits"):
        assert cause in err["message"]
    assert "get_balance" in err["hint"]


async def test_polls_are_throttled_per_task(make_settings: Any, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    poll = api.get("/tasks/42").respond(json=task(42, 10))
    async with Client(create_server(make_settings(min_poll_interval=60))) as c:
        for _ in range(5):
            assert (await c.call_tool("get_task", {"task_id": 42})).structured_content["state"] == "running"
    assert poll.call_count == 1


# --- download_clean ------------------------------------------------------------------------------------------------


def _finished(api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(json=task(42, 99, works=1))


async def test_download_clean_streams_the_master_into_the_output_folder(
    client: Client, api: respx.MockRouter, settings: Settings
) -> None:
    _finished(api)
    assets = api.get("/assets/download").respond(json={"cdnUrl": "https://cdn.test/clean/420.mp4", "status": "success"})
    media = api.get("https://cdn.test/clean/420.mp4").respond(content=MP4, headers={"Content-Length": str(len(MP4))})
    result = await client.call_tool("download_clean", {"task_id": 42})
    out = result.structured_content
    assert not result.is_error, result.content
    assert dict(assets.calls.last.request.url.params) == {"email": "a@x.com", "workIds": "420", "fileTypes": "MP4"}
    assert out["clean"] is True and out["watermarked"] is False and out["saved"] is True
    assert out["bytes"] == len(MP4)
    path = Path(out["path"])
    assert path.parent == settings.output_dir and path.read_bytes() == MP4
    assert "authorization" not in media.calls.last.request.headers  # the token never goes to the CDN
    assert list(settings.output_dir.iterdir()) == [path]  # no temporary file left behind
    links = [c for c in result.content if c.type == "resource_link"]
    assert links and str(links[0].uri) == "kling://videos/42/420"
    again = (await client.call_tool("download_clean", {"task_id": 42})).structured_content
    assert again["already_downloaded"] is True and again["path"] == out["path"]
    assert media.call_count == 1


async def test_free_account_falls_back_visibly_to_the_watermarked_preview(
    client: Client, api: respx.MockRouter
) -> None:
    _finished(api)
    api.get("/assets/download").respond(403, json={"error": "A paid Kling plan is required"})
    api.get("https://cdn.test/42/0/preview.mp4").respond(content=MP4)
    out = (await client.call_tool("download_clean", {"task_id": 42})).structured_content
    assert out["clean"] is False and out["watermarked"] is True
    assert "paid Kling" in out["reason"] and "WATERMARKED" in out["reason"]
    assert out["path"].endswith("_watermarked.mp4")


async def test_download_clean_without_saving_returns_the_link(client: Client, api: respx.MockRouter) -> None:
    _finished(api)
    api.get("/assets/download").respond(json={"cdnUrl": "https://cdn.test/clean/420.mp4", "status": "success"})
    out = (await client.call_tool("download_clean", {"task_id": 42, "save": False})).structured_content
    assert out == {**out, "saved": False, "path": None, "url": "https://cdn.test/clean/420.mp4", "clean": True}


@pytest.mark.parametrize(("status", "code"), [(5, "task_not_finished"), (10, "task_not_finished"), (7, "task_failed")])
async def test_download_clean_refuses_unfinished_or_failed_tasks(
    client: Client, api: respx.MockRouter, status: int, code: str
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(json=task(42, status))
    assets = api.get("/assets/download").respond(json={"cdnUrl": "https://cdn.test/x.mp4"})
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == code
    assert not assets.called


async def test_download_clean_unknown_work_id_names_the_known_ones(client: Client, api: respx.MockRouter) -> None:
    _finished(api)
    err = error_of(await client.call_tool("download_clean", {"task_id": 42, "work_id": 1}))
    assert err["code"] == "invalid_parameter" and "420" in err["message"]


async def test_a_file_that_is_not_mp4_is_discarded(client: Client, api: respx.MockRouter, settings: Settings) -> None:
    _finished(api)
    api.get("/assets/download").respond(json={"cdnUrl": "https://cdn.test/clean/420.mp4", "status": "success"})
    api.get("https://cdn.test/clean/420.mp4").respond(content=b"<html>expired</html>")
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed" and "MP4" in err["message"]
    assert not any(settings.output_dir.iterdir())


# --- get_balance ---------------------------------------------------------------------------------------------------


async def test_get_balance_reports_total_grants_and_max_jobs(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/accounts/a@x.com").respond(json=account_detail("a@x.com", 56000))
    result = await client.call_tool("get_balance", {})
    out = result.structured_content
    # The raw value keeps its own name: useapi does not document its unit, so it is never called "credits".
    assert out["email"] == "a@x.com" and out["balance_total"] == 56000 and out["max_jobs"] == 3
    assert "credits" not in out
    assert out["grants"][0]["amount"] == 66000 and out["grants"][0]["remaining"] == 56000
    assert out["grants"][0]["expires_at"].startswith("2026-")
    assert "56000" in result.content[0].text


async def test_get_balance_for_an_unknown_account(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/accounts/nobody@x.com").respond(404, json={"error": "Account configuration not found"})
    err = error_of(await client.call_tool("get_balance", {"email": "nobody@x.com"}))
    assert err["code"] == "account_not_found" and "nobody@x.com" in err["message"] and "a@x.com" in err["message"]


@pytest.mark.parametrize("email", ["..", "a/b@x.com", "../../etc/passwd"])
async def test_an_email_that_would_change_the_request_path_is_refused(
    client: Client, api: respx.MockRouter, email: str
) -> None:
    err = error_of(await client.call_tool("get_balance", {"email": email}))
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == "email"
    assert not api.calls


# --- what every client sees: error shape, descriptions, id bounds ---------------------------------------------------


async def test_a_tool_error_has_no_structured_content_and_its_code_in_meta(
    client: Client, api: respx.MockRouter
) -> None:
    # TypeScript-SDK clients validate structuredContent against the outputSchema even on errors (issue #10).
    result = await client.call_tool("generate_video", {"prompt": "a fox", "model_name": "kling-v9"})
    assert result.is_error and result.structured_content is None
    wire = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert "structuredContent" not in wire
    err = wire["_meta"]["kling-mcp/error"]
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == "model_name"
    assert wire["content"][0]["text"].startswith("Error [invalid_parameter]: ")


async def test_every_description_is_dedented_and_punctuated_once(client: Client) -> None:
    tools = (await client.list_tools()).tools
    texts = {t.name: t.description or "" for t in tools}
    for tool in tools:
        for name, prop in tool.input_schema["properties"].items():
            texts[f"{tool.name}.{name}"] = prop.get("description", "")
    for where, text in texts.items():
        assert text and text == text.strip(), where
        for line in text.splitlines():
            assert line == line.strip(), (where, line)  # no docstring indentation, no trailing blanks
        for doubled in (".;", ";.", "..", ",.", ".,", ";;", ": \n"):
            assert doubled not in text, (where, doubled, text)
    assert "\n- kling-v3-0: " in texts["generate_video"]  # one model a line


@pytest.mark.parametrize(
    ("tool", "arguments", "parameter", "bound"),
    [
        ("get_task", {"task_id": 2**63}, "task_id", "9223372036854775807"),
        ("get_task", {"task_id": 2**70}, "task_id", "9223372036854775807"),
        ("get_task", {"task_id": 0}, "task_id", "greater than or equal to 1"),
        ("download_clean", {"task_id": -5}, "task_id", "greater than or equal to 1"),
        ("download_clean", {"task_id": 42, "work_id": 2**64}, "work_id", "9223372036854775807"),
    ],
)
async def test_ids_outside_what_the_ledger_can_hold_are_invalid_parameters(
    client: Client, api: respx.MockRouter, tool: str, arguments: dict[str, Any], parameter: str, bound: str
) -> None:
    err = error_of(await client.call_tool(tool, arguments))
    assert err["code"] == "invalid_parameter"  # was internal_error: SQLite's OverflowError
    assert parameter in err["message"] and bound in err["message"]
    assert not api.calls


# --- resources, completions, client logging -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri", ["kling://jobs/9223372036854775808", "kling://jobs/0", "kling://videos/2/1180591620717411303424"]
)
async def test_a_resource_id_out_of_range_is_not_found(client: Client, uri: str) -> None:
    with pytest.raises(MCPError) as caught:
        await client.read_resource(uri)
    assert caught.value.error.code == INVALID_PARAMS and "2^63-1" in caught.value.error.message


async def test_a_large_video_is_refused_as_a_resource_with_its_path(
    client: Client, api: respx.MockRouter, settings: Settings
) -> None:
    _finished(api)
    api.get("/assets/download").respond(json={"cdnUrl": "https://cdn.test/clean/420.mp4", "status": "success"})
    api.get("https://cdn.test/clean/420.mp4").respond(content=MP4)
    saved = Path((await client.call_tool("download_clean", {"task_id": 42})).structured_content["path"])
    small = await client.read_resource("kling://videos/42/420")
    assert base64.b64decode(small.contents[0].blob) == MP4
    with saved.open("r+b") as fh:
        fh.truncate(300 * 2**20)  # a 300 MB video, sparse: no disk or memory spent on it here
    with pytest.raises(MCPError) as caught:
        await client.read_resource("kling://videos/42/420")
    error = caught.value.error
    assert error.code == INVALID_PARAMS
    assert str(saved) in error.message and "300.0 MB" in error.message and "8 MB" in error.message
    assert error.data["bytes"] == 300 * 2**20 and error.data["path"] == str(saved)
    saved.unlink()
    with pytest.raises(MCPError) as caught:
        await client.read_resource("kling://videos/42/420")
    assert "no longer exists" in caught.value.error.message


async def test_resource_template_variables_complete_from_the_ledger(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.post("/videos/text2video").mock(side_effect=[httpx.Response(200, json=task(n)) for n in (4201, 4202, 5300)])
    for n in range(3):
        assert not (await client.call_tool("generate_video", {"prompt": f"fox {n}"})).is_error
    jobs = ResourceTemplateReference(type="ref/resource", uri="kling://jobs/{task_id}")
    done = await client.complete(jobs, {"name": "task_id", "value": "42"})
    assert done.completion.values == ["4202", "4201"] and done.completion.total == 2  # newest first
    everything = await client.complete(jobs, {"name": "task_id", "value": ""})
    assert sorted(everything.completion.values) == ["4201", "4202", "5300"]
    videos = ResourceTemplateReference(type="ref/resource", uri="kling://videos/{task_id}/{work_id}")
    assert (await client.complete(videos, {"name": "task_id", "value": ""})).completion.values == []  # none saved
    for ref, argument in (
        (PromptReference(type="ref/prompt", name="nope"), "x"),
        (ResourceTemplateReference(type="ref/resource", uri="kling://nope/{x}"), "x"),
        (jobs, "work_id"),
    ):
        with pytest.raises(MCPError) as caught:
            await client.complete(ref, {"name": argument, "value": ""})
        assert caught.value.error.code == INVALID_PARAMS


async def test_work_ids_complete_for_the_chosen_task(client: Client, api: respx.MockRouter) -> None:
    _finished(api)
    api.get("/assets/download").respond(json={"cdnUrl": "https://cdn.test/clean/420.mp4", "status": "success"})
    api.get("https://cdn.test/clean/420.mp4").respond(content=MP4)
    assert not (await client.call_tool("download_clean", {"task_id": 42})).is_error
    videos = ResourceTemplateReference(type="ref/resource", uri="kling://videos/{task_id}/{work_id}")
    assert (await client.complete(videos, {"name": "task_id", "value": "4"})).completion.values == ["42"]
    works = await client.complete(videos, {"name": "work_id", "value": ""}, {"task_id": "42"})
    assert works.completion.values == ["420"]
    other = await client.complete(videos, {"name": "work_id", "value": ""}, {"task_id": "43"})
    assert other.completion.values == []


async def test_a_2025_client_sets_the_level_of_the_log_messages_it_gets(
    make_settings: Any, api: respx.MockRouter
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").mock(
        side_effect=[httpx.Response(200, json=task(42, 10)), httpx.Response(200, json=task(42, 99, works=1))] * 2
    )
    logs: list[tuple[str, Any]] = []

    async def on_log(params: Any) -> None:
        logs.append((params.level, params.data))

    async with Client(create_server(make_settings()), mode="legacy", logging_callback=on_log) as c:
        capabilities = c.server_capabilities
        assert capabilities.logging is not None and capabilities.completions is not None
        assert await c.set_logging_level("warning") is not None  # was -32601 Method not found
        assert not (await c.call_tool("get_task", {"task_id": 42, "wait_seconds": 5})).is_error
        assert logs == []  # the state-change messages are info: below warning
        await c.set_logging_level("debug")
        assert not (await c.call_tool("get_task", {"task_id": 42, "wait_seconds": 5})).is_error
    assert logs and all(level == "info" for level, _ in logs)
