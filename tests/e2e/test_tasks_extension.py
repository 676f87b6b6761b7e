"""The MCP Tasks extension on the real ``kling-mcp`` process, over stdio and over Streamable HTTP, against the simulator
over real HTTP (on a clock the test moves): a handle made by one process is polled to completion by the next one on
the same state folder, answered by another process meanwhile, and cancelled; a client that does not declare the
extension gets today's result."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult

from kling_mcp.simulator import SimulatorConfig, run_in_thread
from tests.e2e.test_end_to_end import _env, http_server
from tests.tools.test_tasks_extension import EMAIL, PROMPT, Clock, Sim, TasksClient, cancel, create, get_state

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def sim() -> Iterator[Sim]:
    with run_in_thread(SimulatorConfig(accounts=[EMAIL], max_jobs=100, credits=1_000_000)) as running:
        clock = Clock()
        running.state.clock = clock
        yield Sim(running, clock)


def _server_env(tmp_path: Path, sim: Sim) -> dict[str, str]:
    return _env(tmp_path, USEAPI_BASE_URL=sim.running.base_url, USEAPI_TOKEN="user:1-e2e", KLING_EMAIL=EMAIL)


def _stdio(env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "kling_mcp"], env=env)


async def _completed_as_get_task(client: Client, task_id: str) -> CallToolResult:
    state = await get_state(client, task_id)
    assert state.status == "completed" and state.result is not None, state
    result = CallToolResult.model_validate(state.result)
    expected = await client.call_tool("get_task", {"task_id": int(task_id)})
    assert (result.content, result.structured_content) == (expected.content, expected.structured_content)
    return result


async def test_over_stdio_a_handle_outlives_its_process(tmp_path: Path, sim: Sim) -> None:
    env = _server_env(tmp_path, sim)
    with anyio.fail_after(120):  # only stops a hang
        async with Client(_stdio(env), extensions=[TasksClient()]) as first:
            created = await create(first)
            assert created.status == "working" and int(created.task_id) in sim.running.state.tasks
        # that process has exited; a new one on the same state folder answers for the task
        async with Client(_stdio(env), extensions=[TasksClient()]) as second:
            assert (await get_state(second, created.task_id)).status == "working"
            sim.clock.finish_everything()
            result = await _completed_as_get_task(second, created.task_id)
        async with Client(_stdio(env)) as plain:  # no extension declared: today's result
            today = await plain.call_tool("generate_video", PROMPT)
    assert not result.is_error and result.structured_content is not None
    assert result.structured_content["state"] == "succeeded"
    assert not today.is_error and today.structured_content is not None
    assert today.structured_content["state"] == "queued"


async def test_over_http_a_handle_is_answered_by_another_process_cancelled_and_completed_after_a_restart(
    tmp_path: Path, sim: Sim
) -> None:
    env = _server_env(tmp_path, sim)
    with anyio.fail_after(120):
        with http_server(env) as url:
            async with Client(url, extensions=[TasksClient()]) as over_http:
                kept = await create(over_http)
                dropped = await create(over_http)
                async with Client(_stdio(env), extensions=[TasksClient()]) as other:  # another process, same folder
                    assert (await get_state(other, kept.task_id)).status == "working"
                    cancelled = await cancel(over_http, dropped.task_id)
                    assert (await get_state(other, dropped.task_id)).status == "cancelled"
        assert cancelled.status_message is not None and "keeps generating" in cancelled.status_message
        assert sim.requests("DELETE", f"/v1/kling/scheduler/{dropped.task_id}") == 1
        with http_server(env) as url:  # the HTTP server restarted
            async with Client(url, extensions=[TasksClient()]) as again:
                assert (await get_state(again, kept.task_id)).status == "working"
                sim.clock.finish_everything()
                result = await _completed_as_get_task(again, kept.task_id)
                assert (await get_state(again, dropped.task_id)).status == "cancelled"
    assert not result.is_error and result.structured_content is not None
    assert result.structured_content["state"] == "succeeded"
