"""Every tools/call is checked against the tool's argument model before anything runs (tools/guard.py): a misspelt
name, an unknown tool and a value that does not fit are coded tool errors, on both protocol eras, and nothing is
sent, recorded or spent."""

from __future__ import annotations

import json
from typing import Any

import pytest
import respx
from mcp import Client

from kling_mcp.arguments import AnimateImage, GenerateVideo
from kling_mcp.server import create_server
from kling_mcp.tools.guard import decoded
from tests.factories import accounts, task
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_misspelt_argument_is_refused_and_nothing_is_sent(
    make_settings: Any, api: respx.MockRouter, mode: str
) -> None:
    """Without the guard the SDK drops ``modle_name`` and the default model would be billed."""
    api.get("/accounts").respond(json=accounts("a@x.com"))
    create = api.post("/videos/text2video").respond(json=task(77))
    async with Client(create_server(make_settings()), mode=mode) as client:  # type: ignore[arg-type]
        err = error_of(await client.call_tool("generate_video", {"prompt": "a fox", "modle_name": "kling-v3-0"}))
        jobs = (await client.call_tool("list_jobs", {})).structured_content["jobs"]
    assert err["code"] == "invalid_parameter"
    assert err["details"]["parameters"] == ["modle_name"] and "model_name" in err["details"]["allowed"]
    assert "modle_name" in err["message"] and "Nothing was sent upstream" in err["hint"]
    assert not create.called and not api.calls and jobs == []


async def test_an_unknown_tool_is_a_coded_error(client: Client, api: respx.MockRouter) -> None:
    err = error_of(await client.call_tool("no_such_tool", {"prompt": "a fox"}))
    assert err["code"] == "unknown_tool" and "no_such_tool" in err["message"]
    assert not api.calls


@pytest.mark.parametrize(
    ("tool", "arguments", "parameter"),
    [
        ("generate_video", {"prompt": ["a fox"]}, "prompt"),
        ("generate_video", {"prompt": "a fox", "duration": "[5]"}, "duration"),
        ("generate_video", {"prompt": "a fox", "idempotency_key": "k" * 201}, "idempotency_key"),
        ("animate_image", {"image": '["https://cdn.test/a.png"]'}, "image"),
        ("get_task", {"task_id": "forty-two"}, "task_id"),
        ("list_jobs", {"limit": 0}, "limit"),
    ],
)
async def test_a_value_that_does_not_fit_is_a_coded_error_naming_the_parameter(
    client: Client, api: respx.MockRouter, tool: str, arguments: dict[str, Any], parameter: str
) -> None:
    err = error_of(await client.call_tool(tool, arguments))
    assert err["code"] == "invalid_parameter" and err["details"]["parameters"] == [parameter]
    assert parameter in err["message"]
    assert not api.calls


async def test_null_for_an_optional_argument_means_leaving_it_out(client: Client, api: respx.MockRouter) -> None:
    """Some adapters make every optional parameter nullable; the schema has no null, the server takes it as omitted."""
    api.get("/accounts").respond(json=accounts("a@x.com"))
    create = api.post("/videos/text2video").respond(json=task(77))
    arguments = {"prompt": "a fox", "mode": None, "duration": None, "email": None, "idempotency_key": None}
    result = await client.call_tool("generate_video", arguments)
    assert not result.is_error, result.content
    body = json.loads(create.calls.last.request.content)
    assert body["mode"] == "std" and body["duration"] == "5" and body["email"] == "a@x.com"


def test_values_are_read_as_the_sdk_reads_them() -> None:
    """A JSON-encoded list or object for a parameter that is not plain text is decoded (as the SDK's pre-parse does);
    a text parameter keeps its text, and an encoded scalar stays text for pydantic to read."""
    assert decoded(GenerateVideo, {"duration": "[5]", "enable_audio": "true", "cfg_scale": "0.5"}) == {
        "duration": [5],
        "enable_audio": "true",  # JSON true is a bool, and a bool is an int: kept, as the SDK keeps it
        "cfg_scale": "0.5",
    }
    assert decoded(GenerateVideo, {"prompt": '{"scene": "fox"}'}) == {"prompt": '{"scene": "fox"}'}
    assert decoded(AnimateImage, {"image": '["a"]', "unknown": "[1]"}) == {"image": ["a"], "unknown": "[1]"}
