"""Steps the tool tests on the simulator share: call a tool and take its structured result, submit a task (its id in
the text and the structured content, a next step that names the tool to follow with), poll it to the end, and read
the body the simulator received."""

from __future__ import annotations

import json
from typing import Any

import anyio
from mcp import Client

from kling_mcp.simulator.runner import RunningSimulator


def task_body(sim: RunningSimulator, task_id: int) -> dict[str, Any]:
    """The create body the simulator recorded for a task (plain JSON values)."""
    body: dict[str, Any] = json.loads(json.dumps(sim.state.tasks[task_id].body))
    return body


async def structured(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    out: dict[str, Any] = result.structured_content
    return out


async def submitted(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A spending tool's task: an id in both the structured content and the text, a state, and a next step."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    out: dict[str, Any] = result.structured_content
    assert out["task_id"] and out["state"] in ("queued", "running", "succeeded"), out
    assert "get_task" in out["next_step"] or "download_clean" in out["next_step"]
    assert str(out["task_id"]) in result.content[0].text  # the text carries the task id too
    return out


async def final(client: Client, task_id: int) -> dict[str, Any]:
    """get_task until the task is final."""
    with anyio.fail_after(60):  # only stops a hang
        while True:
            out = await structured(client, "get_task", {"task_id": task_id, "wait_seconds": 5})
            if out["final"]:
                return out


async def succeeded(client: Client, task_id: int) -> dict[str, Any]:
    out = await final(client, task_id)
    assert out["state"] == "succeeded", out
    return out
