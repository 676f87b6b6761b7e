"""The official TypeScript SDK as a client of ``kling-mcp --simulate``, over stdio and Streamable HTTP.

The TypeScript SDK is what the MCP Inspector and many hosts are built on, and it is stricter than the Python SDK: it
validates a result's structuredContent against the tool's outputSchema, even on errors. Every error kind the simulator
can produce must reach it as our ``Error [code]: ...`` text, never as the SDK's own -32602 validation error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.clients.conftest import NodeClients, stdio_server

pytestmark = pytest.mark.real_clients

SDK = "@modelcontextprotocol/sdk"  # pinned in node/package.json
OLD_SDK = "mcp-sdk-1-24"  # @modelcontextprotocol/sdk 1.24.0: the newest 1.x whose latest protocol is 2025-06-18


def call(name: str, arguments: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"op": "callTool", "name": name, "arguments": arguments, **extra}


# Each (step, expectation); "$N.path" in an argument is step N's result at that path.
STEPS: list[tuple[dict[str, Any], str]] = [
    ({"op": "listTools"}, "tools"),
    (call("generate_video", {"prompt": "a fox in the snow", "duration": 5}), "ok"),
    (call("get_task", {"task_id": "$1.structuredContent.task_id", "wait_seconds": 40}, progress=True), "succeeded"),
    (call("download_clean", {"task_id": "$1.structuredContent.task_id"}), "ok"),
    ({"op": "readResource", "uri": "$3.content.1.uri"}, "video"),
    (call("generate_video", {"prompt": "a fox", "model_name": "kling-v3-0", "duration": 16}), "invalid_parameter"),
    (call("generate_video", {"prompt": "a fox", "promt": "a typo"}), "invalid_parameter"),
    (call("generate_video", {"prompt": "a fox", "duration": "five"}), "invalid_parameter"),
    (call("generate_video", {"prompt": "sim:moderation please"}), "moderation_rejected"),
    (call("generate_video", {"prompt": "sim:fail-7"}), "ok"),
    (call("get_task", {"task_id": "$9.structuredContent.task_id", "wait_seconds": 40}), "failed"),
    (call("download_clean", {"task_id": "$9.structuredContent.task_id"}), "task_failed"),
    (call("get_task", {"task_id": 4242}), "not_found"),
    (call("get_task", {"task_id": 2**63}), "invalid_parameter"),
    (call("no_such_tool", {}), "unknown_tool"),
    ({"op": "setLoggingLevel", "level": "info"}, "empty"),
    (
        {
            "op": "complete",
            "ref": {"type": "ref/resource", "uri": "kling://jobs/{task_id}"},
            "argument": {"name": "task_id", "value": ""},
        },
        "completion",
    ),
]


def _check_error(step: dict[str, Any], code: str) -> None:
    assert step["ok"], step["error"]  # a protocol error here is what issue #10 was about
    result = step["result"]
    assert result["isError"] is True and "structuredContent" not in result, result
    text = result["content"][0]["text"]
    assert text.startswith(f"Error [{code}]: "), text
    assert result["_meta"]["kling-mcp/error"]["code"] == code


def _check(plan_steps: list[tuple[dict[str, Any], str]], out: dict[str, Any]) -> None:
    steps = out["steps"]
    assert len(steps) == len(plan_steps)
    for index, ((request, expected), step) in enumerate(zip(plan_steps, steps, strict=True)):
        where = f"step {index}: {request}"
        if expected in ("ok", "succeeded", "failed"):
            # A success reached the application: the SDK validated its structuredContent against the outputSchema.
            assert step["ok"], (where, step["error"])
            result = step["result"]
            assert result.get("isError") is not True and result["structuredContent"], (where, result)
            assert result["content"][0]["type"] == "text"
            if expected != "ok":
                assert result["structuredContent"]["state"] == expected, (where, result["structuredContent"])
        elif expected == "tools":
            assert step["ok"], (where, step)
            tools = {tool["name"]: tool for tool in step["result"]["tools"]}
            assert {"generate_video", "get_task", "download_clean"} <= set(tools)
            assert all(tool["outputSchema"]["type"] == "object" for tool in tools.values())
        elif expected == "video":
            assert step["ok"], (where, step)
            content = step["result"]["contents"][0]
            assert content["mimeType"] == "video/mp4" and content["blob"]
        elif expected == "empty":
            assert step["ok"] and step["result"] == {}, (where, step)  # was -32601 Method not found
        elif expected == "completion":
            assert step["ok"], (where, step)
            values = step["result"]["completion"]["values"]
            assert str(steps[1]["result"]["structuredContent"]["task_id"]) in values, values
        else:
            _check_error(step, expected)


@pytest.fixture
def full_plan(tmp_path: Path) -> dict[str, Any]:
    return {"sdk": SDK, "steps": [step for step, _ in STEPS], "timeoutMs": 90_000}


def _progress_and_logs(out: dict[str, Any]) -> None:
    waited = out["steps"][2]
    assert waited["progress"], "no progress notification during a wait"
    assert all({"progress", "total", "message"} <= set(p) for p in waited["progress"])
    assert all(p["total"] == 40 and 0 <= p["progress"] <= 40 for p in waited["progress"])
    values = [p["progress"] for p in waited["progress"]]
    assert values == sorted(values)  # progress only grows
    # Until a client sets a level, it gets the state changes as info log messages.
    assert waited["logs"] and {log["level"] for log in waited["logs"]} == {"info"}


def test_typescript_sdk_over_stdio(node_clients: NodeClients, full_plan: dict[str, Any], tmp_path: Path) -> None:
    out = node_clients.sdk({**full_plan, "server": stdio_server(tmp_path)})
    assert out["protocolVersion"] == "2025-11-25" and out["serverVersion"]["name"] == "kling-mcp"
    assert out["capabilities"]["logging"] == {} and out["capabilities"]["completions"] == {}
    _check(STEPS, out)
    _progress_and_logs(out)


def test_typescript_sdk_over_streamable_http(
    node_clients: NodeClients, full_plan: dict[str, Any], http_server: str
) -> None:
    out = node_clients.sdk({**full_plan, "server": {"url": http_server}})
    assert out["protocolVersion"] == "2025-11-25"
    _check(STEPS, out)
    _progress_and_logs(out)


def test_log_messages_follow_the_level_the_client_sets(node_clients: NodeClients, tmp_path: Path) -> None:
    submit = call("generate_video", {"prompt": "a slow fox"})
    wait = call("get_task", {"task_id": "$1.structuredContent.task_id", "wait_seconds": 40}, progress=True)
    steps = [{"op": "setLoggingLevel", "level": "warning"}, submit, wait]
    steps += [{"op": "setLoggingLevel", "level": "info"}, submit, {**wait, "arguments": {**wait["arguments"]}}]
    steps[5]["arguments"]["task_id"] = "$4.structuredContent.task_id"
    out = node_clients.sdk({"sdk": SDK, "server": stdio_server(tmp_path), "steps": steps, "timeoutMs": 90_000})
    quiet, chatty = out["steps"][2], out["steps"][5]
    assert quiet["ok"] and chatty["ok"]
    assert quiet["logs"] == []  # state changes are logged at info: below warning
    assert chatty["logs"] and {log["level"] for log in chatty["logs"]} == {"info"}
    assert any("succeeded" in str(log["data"]) for log in chatty["logs"])


OLD_STEPS: list[tuple[dict[str, Any], str]] = [
    ({"op": "listTools"}, "tools"),
    (call("generate_video", {"prompt": "a fox"}), "ok"),
    (call("generate_video", {"prompt": "a fox", "aspect_ratio": "4:3"}), "invalid_parameter"),
]


@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_typescript_sdk_1_24_negotiates_2025_06_18(
    node_clients: NodeClients, tmp_path: Path, http_server: str, transport: str
) -> None:
    server = stdio_server(tmp_path) if transport == "stdio" else {"url": http_server}
    out = node_clients.sdk({"sdk": OLD_SDK, "server": server, "steps": [s for s, _ in OLD_STEPS], "timeoutMs": 60_000})
    assert out["protocolVersion"] == "2025-06-18"
    _check(OLD_STEPS, out)
