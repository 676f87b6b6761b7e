"""The MCP Tasks extension (io.modelcontextprotocol/tasks, 2026-07-28) on the simulator, in process: a client that
declares it gets a task handle from every spending tool and polls it to the very result get_task gives; it can
cancel; the handle outlives the server; a client that does not declare it gets today's results.

The simulator runs on a clock the tests move (``Clock``), so a task is still working exactly until a test says
otherwise: no test waits for time to pass."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import anyio
import pytest
from mcp import Client, MCPError
from mcp.client.extension import ClaimContext, ClientExtension, ResultClaim
from mcp.client.session import ClientRequestContext
from mcp.types import CallToolResult, ElicitRequestParams, ElicitResult
from mcp_types import Request, RequestParams, Result

from kling_mcp.config import Settings
from kling_mcp.server import create_server
from kling_mcp.simulator import SimulatorConfig, run_in_thread
from kling_mcp.simulator.runner import RunningSimulator
from kling_mcp.tools.tasks_extension import IDENTIFIER, Handles, poll_interval_ms

pytestmark = pytest.mark.anyio

EMAIL = "tasks@example.com"
DAY_MS = 24 * 3600 * 1000
PROMPT = {"prompt": "a lighthouse at dusk, waves below"}


# --- a client of the extension, as a host would write it with the SDK -------------------------------------------------


class CreatedTask(Result):
    """CreateTaskResult: what a spending tool answers a client that declared the extension."""

    result_type: Literal["task"]
    task_id: str
    status: str
    status_message: str | None = None
    created_at: str
    last_updated_at: str
    ttl_ms: int | None
    poll_interval_ms: int | None = None


class TaskState(Result):
    """GetTaskResult (a DetailedTask): the task, and its result once completed."""

    task_id: str
    status: Literal["working", "input_required", "completed", "failed", "cancelled"]
    status_message: str | None = None
    created_at: str
    last_updated_at: str
    ttl_ms: int | None
    poll_interval_ms: int | None = None
    result: dict[str, Any] | None = None


class TaskParams(RequestParams):
    task_id: str


class GetTaskRequest(Request[TaskParams, Literal["tasks/get"]]):
    method: Literal["tasks/get"] = "tasks/get"
    params: TaskParams
    name_param = "taskId"  # SEP-2663: the Mcp-Name header carries the task id over HTTP


class CancelTaskRequest(Request[TaskParams, Literal["tasks/cancel"]]):
    method: Literal["tasks/cancel"] = "tasks/cancel"
    params: TaskParams
    name_param = "taskId"


class TasksClient(ClientExtension):
    """Declares the extension on every request; ``Client.call_tool`` then polls a handle to its final result
    (``between_polls`` stands for waiting pollIntervalMs)."""

    identifier = IDENTIFIER

    def __init__(self, between_polls: Callable[[], Awaitable[None]] | None = None) -> None:
        self.between_polls = between_polls or (lambda: anyio.sleep(0.01))
        self.handles: list[CreatedTask] = []

    def claims(self) -> Sequence[ResultClaim[Any]]:
        return [ResultClaim(result_type="task", model=CreatedTask, resolve=self._resolve)]

    async def _resolve(self, created: CreatedTask, claim: ClaimContext) -> CallToolResult:
        self.handles.append(created)
        while True:
            state = await claim.session.send_request(
                GetTaskRequest(params=TaskParams(task_id=created.task_id)), TaskState
            )
            if state.status == "completed" and state.result is not None:
                return CallToolResult.model_validate(state.result)
            assert state.status == "working", state
            await self.between_polls()


async def get_state(client: Client, task_id: str) -> TaskState:
    return await client.session.send_request(GetTaskRequest(params=TaskParams(task_id=task_id)), TaskState)


async def cancel(client: Client, task_id: str) -> TaskState:
    return await client.session.send_request(CancelTaskRequest(params=TaskParams(task_id=task_id)), TaskState)


async def create(client: Client, tool: str = "generate_video", arguments: dict[str, Any] | None = None) -> CreatedTask:
    """A spending call that must answer a task handle."""
    answer = await client.session.call_tool(tool, arguments or PROMPT, allow_claimed=True)
    assert isinstance(answer, CreatedTask), answer
    return answer


# --- the simulator on a clock the tests move --------------------------------------------------------------------------


@dataclass
class Clock:
    now: float = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def finish_everything(self) -> None:
        self.now += 100_000  # longer than any simulated task


@dataclass
class Sim:
    running: RunningSimulator
    clock: Clock

    def requests(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in self.running.state.requests if (m, p) == (method, path))


@pytest.fixture(scope="module")
def sim() -> Iterator[Sim]:
    with run_in_thread(SimulatorConfig(accounts=[EMAIL], max_jobs=100, credits=1_000_000)) as running:
        clock = Clock()
        running.state.clock = clock
        yield Sim(running, clock)


@pytest.fixture
def sim_settings(make_settings: Callable[..., Settings], sim: Sim) -> Settings:
    return make_settings(base_url=sim.running.base_url, email=EMAIL)


@pytest.fixture
async def tasks_client(sim_settings: Settings) -> AsyncIterator[Client]:
    async with Client(create_server(sim_settings), extensions=[TasksClient()]) as c:
        yield c


@pytest.fixture
async def plain_client(sim_settings: Settings) -> AsyncIterator[Client]:
    async with Client(create_server(sim_settings)) as c:
        yield c


def _same_result(state: TaskState, expected: CallToolResult, *, is_error: bool) -> None:
    assert state.status == "completed" and state.result is not None
    result = CallToolResult.model_validate(state.result)
    assert result.is_error is is_error
    assert result.structured_content == expected.structured_content
    assert result.content == expected.content


# --- advertising, and clients that do not declare it ------------------------------------------------------------------


async def test_the_server_advertises_the_extension(plain_client: Client) -> None:
    capabilities = plain_client.server_capabilities
    assert capabilities is not None and capabilities.extensions is not None
    assert capabilities.extensions[IDENTIFIER] == {}  # no settings: the spec defines none


async def test_a_client_that_does_not_declare_it_gets_the_tools_result_and_cannot_poll(
    plain_client: Client, sim: Sim
) -> None:
    result = await plain_client.call_tool("generate_video", PROMPT)
    assert not result.is_error and result.result_type == "complete"
    out = result.structured_content
    assert out is not None and out["state"] == "queued" and "get_task" in out["next_step"]
    with pytest.raises(MCPError) as refused:  # the spec: -32021 for tasks/* from a client that did not declare it
        await get_state(plain_client, str(out["task_id"]))
    assert refused.value.error.code == -32021


async def test_a_legacy_connection_gets_the_tools_result(sim_settings: Settings) -> None:
    async with Client(create_server(sim_settings), mode="legacy", extensions=[TasksClient()]) as client:
        result = await client.call_tool("generate_video", PROMPT)
    assert not result.is_error and result.structured_content is not None
    assert result.structured_content["state"] == "queued"


# --- a handle, polled to completion -----------------------------------------------------------------------------------


async def test_a_spending_tool_answers_a_handle_and_tasks_get_ends_with_get_tasks_result(
    tasks_client: Client, sim: Sim
) -> None:
    created = await create(tasks_client)
    task_id = int(created.task_id)
    assert created.status == "working" and created.ttl_ms is not None and created.ttl_ms >= DAY_MS
    assert created.poll_interval_ms is not None and created.poll_interval_ms >= 10_000
    assert f"Task {task_id}: queued" in (created.status_message or "")
    assert datetime.fromisoformat(created.created_at) <= datetime.fromisoformat(created.last_updated_at)
    assert task_id in sim.running.state.tasks  # submitted once, and recorded before the handle was answered
    assert sim.requests("POST", "/v1/kling/videos/text2video") >= 1
    job = await tasks_client.read_resource(f"kling://jobs/{task_id}")
    assert f'"task_id": {task_id}' in job.contents[0].text  # type: ignore[union-attr]

    working = await get_state(tasks_client, created.task_id)
    assert working.status == "working" and working.result is None
    assert working.status_message == "Kling: submitted (status 5)"
    assert (working.created_at, working.ttl_ms, working.poll_interval_ms) == (
        created.created_at,
        created.ttl_ms,
        created.poll_interval_ms,
    )

    sim.clock.finish_everything()
    done = await get_state(tasks_client, created.task_id)
    expected = await tasks_client.call_tool("get_task", {"task_id": task_id})  # read-only: no handle
    assert expected.structured_content is not None and expected.structured_content["state"] == "succeeded"
    _same_result(done, expected, is_error=False)
    assert done.status_message == "Kling: succeed (status 99)"


async def test_the_sdk_client_polls_the_handle_itself_and_returns_the_final_result(
    sim_settings: Settings, sim: Sim
) -> None:
    polls: list[None] = []

    async def between_polls() -> None:
        polls.append(None)
        sim.clock.finish_everything()

    extension = TasksClient(between_polls)
    async with Client(create_server(sim_settings), extensions=[extension]) as client:
        with anyio.fail_after(30):  # only stops a hang
            result = await client.call_tool("generate_video", PROMPT)
    assert len(extension.handles) == 1 and polls == [None]
    assert not result.is_error and result.structured_content is not None
    assert result.structured_content["state"] == "succeeded"
    assert result.structured_content["task_id"] == int(extension.handles[0].task_id)


async def test_every_spending_tool_answers_a_handle(tasks_client: Client, sim: Sim) -> None:
    created = await create(tasks_client, "generate_image", {"prompt": "a red kite"})
    assert created.status == "working" and int(created.task_id) in sim.running.state.tasks
    listed = await tasks_client.call_tool("list_jobs", {})  # a tool that spends nothing answers as ever
    assert not listed.is_error and listed.structured_content is not None


async def test_a_kling_failure_completes_with_is_error(tasks_client: Client, sim: Sim) -> None:
    created = await create(tasks_client, arguments={"prompt": "a storm sim:fail-6"})
    sim.clock.finish_everything()
    state = await get_state(tasks_client, created.task_id)
    expected = await tasks_client.call_tool("get_task", {"task_id": int(created.task_id)})
    assert expected.is_error is False and expected.structured_content is not None  # get_task: a normal result
    assert expected.structured_content["state"] == "failed"
    _same_result(state, expected, is_error=True)  # the task: the tool call failed


async def test_a_task_kling_lost_completes_with_get_tasks_error(tasks_client: Client, sim: Sim) -> None:
    created = await create(tasks_client, arguments={"prompt": "a ghost sim:vanish"})
    sim.clock.finish_everything()
    state = await get_state(tasks_client, created.task_id)
    assert state.status == "completed" and state.result is not None
    result = CallToolResult.model_validate(state.result)
    assert result.is_error and result.content[0].text.startswith("Error [not_found]")  # type: ignore[union-attr]


async def test_an_unknown_task_id_is_a_json_rpc_error(tasks_client: Client) -> None:
    for task_id in ("999999999", "abc", "0", "-5"):
        for call in (get_state, cancel):
            with pytest.raises(MCPError) as refused:
                await call(tasks_client, task_id)
            assert refused.value.error.code == -32602 and "not found" in refused.value.error.message


async def test_when_no_handle_can_be_made_the_client_still_gets_the_task_id(
    tasks_client: Client, sim: Sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Handles, "add", broken)
    result = await tasks_client.session.call_tool("generate_video", PROMPT, allow_claimed=True)
    assert isinstance(result, CallToolResult) and not result.is_error  # the tool's own result: nothing is lost
    assert result.structured_content is not None and result.structured_content["task_id"] in sim.running.state.tasks


async def test_a_task_submitted_without_the_extension_has_no_handle(tasks_client: Client, plain_client: Client) -> None:
    result = await plain_client.call_tool("generate_video", PROMPT)
    assert result.structured_content is not None
    with pytest.raises(MCPError) as refused:
        await get_state(tasks_client, str(result.structured_content["task_id"]))
    assert refused.value.error.code == -32602


# --- the poll interval ------------------------------------------------------------------------------------------------


async def test_the_poll_interval_never_goes_under_the_poll_throttle(
    make_settings: Callable[..., Settings], sim: Sim
) -> None:
    settings = make_settings(base_url=sim.running.base_url, email=EMAIL, min_poll_interval=120)
    async with Client(create_server(settings), extensions=[TasksClient()]) as client:
        created = await create(client)
    assert created.poll_interval_ms == 120_000


def test_the_poll_interval_follows_the_typical_time_of_model_mode_and_length() -> None:
    from kling_mcp import catalog

    def estimate(mode: str, duration: int) -> catalog.Estimate:
        return catalog.Estimate(credits=1, source="", mode=mode, duration=duration, audio=False)

    assert poll_interval_ms(estimate("std", 5), "kling-v2-6", 0) == 10_000
    assert poll_interval_ms(estimate("pro", 5), "kling-v2-6", 0) == 15_000
    assert poll_interval_ms(estimate("pro", 10), "kling-v2-6", 0) == 20_000
    assert poll_interval_ms(estimate("4k", 15), "kling-v3-0", 0) == 30_000
    assert poll_interval_ms(estimate("pro", 5), "kling-v2-5-turbo", 0) == 10_000
    assert poll_interval_ms(None, "", 0) == 15_000
    assert poll_interval_ms(estimate("std", 5), "kling-v2-6", 42.5) == 42_500


# --- confirmation comes before the task -------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["accept", "decline"])
async def test_the_confirmation_is_asked_before_any_task_exists(
    make_settings: Callable[..., Settings], sim: Sim, action: Literal["accept", "decline"]
) -> None:
    settings = make_settings(base_url=sim.running.base_url, email=EMAIL, confirm="always")
    asked: list[int] = []

    async def answer(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        asked.append(len(sim.running.state.tasks))  # how many tasks exist while the user is asked
        assert "Estimated cost" in params.message
        return ElicitResult(action=action, content={"confirm": True} if action == "accept" else None)

    async def between_polls() -> None:
        sim.clock.finish_everything()

    extension = TasksClient(between_polls)
    before = len(sim.running.state.tasks)
    async with Client(create_server(settings), extensions=[extension], elicitation_callback=answer) as client:
        with anyio.fail_after(30):  # only stops a hang
            result = await client.call_tool("generate_video", PROMPT)
    assert asked == [before]  # asked once, before the task existed
    if action == "decline":
        assert result.is_error and not extension.handles and len(sim.running.state.tasks) == before
    else:  # the answer came with the retried call, which made the task and answered its handle
        assert len(extension.handles) == 1 and len(sim.running.state.tasks) == before + 1
        assert result.structured_content is not None and result.structured_content["state"] == "succeeded"


# --- cancelling -------------------------------------------------------------------------------------------------------


async def test_cancel_stops_tracking_and_says_kling_keeps_billing(tasks_client: Client, sim: Sim) -> None:
    created = await create(tasks_client)
    task_id = int(created.task_id)
    scheduler = f"/v1/kling/scheduler/{task_id}"
    assert sim.requests("DELETE", scheduler) == 0

    cancelled = await cancel(tasks_client, created.task_id)
    assert cancelled.status == "cancelled" and cancelled.result is None
    message = cancelled.status_message or ""
    assert "keeps generating" in message and "billed" in message and "useapi stopped tracking it" in message
    assert sim.requests("DELETE", scheduler) == 1  # useapi told to stop tracking: the job slot is free

    sim.clock.finish_everything()  # Kling goes on: the task still finishes (and is billed)
    assert await get_state(tasks_client, created.task_id) == cancelled  # the handle stays cancelled, unpolled
    again = await cancel(tasks_client, created.task_id)  # a second cancel changes nothing
    assert again == cancelled and sim.requests("DELETE", scheduler) == 1
    job = await tasks_client.call_tool("list_jobs", {})
    assert job.structured_content is not None
    assert task_id in [j["task_id"] for j in job.structured_content["jobs"]]  # it stays in the ledger
    read = await tasks_client.call_tool("get_task", {"task_id": task_id})
    assert read.structured_content is not None and read.structured_content["state"] == "succeeded"


async def test_cancelling_a_finished_task_cancels_nothing(tasks_client: Client, sim: Sim) -> None:
    created = await create(tasks_client)
    sim.clock.finish_everything()
    answer = await cancel(tasks_client, created.task_id)
    assert answer.status == "completed" and "nothing to cancel" in (answer.status_message or "")
    assert sim.requests("DELETE", f"/v1/kling/scheduler/{created.task_id}") == 0
    assert (await get_state(tasks_client, created.task_id)).status == "completed"


# --- restarts and other processes -------------------------------------------------------------------------------------


async def test_a_handle_survives_a_restart_between_create_and_completion(sim_settings: Settings, sim: Sim) -> None:
    async with Client(create_server(sim_settings), extensions=[TasksClient()]) as first:
        created = await create(first)
    async with Client(create_server(sim_settings), extensions=[TasksClient()]) as second:
        assert (await get_state(second, created.task_id)).status == "working"
        sim.clock.finish_everything()
        done = await get_state(second, created.task_id)
        expected = await second.call_tool("get_task", {"task_id": int(created.task_id)})
    _same_result(done, expected, is_error=False)
    assert done.created_at == created.created_at


async def test_another_server_on_the_same_state_folder_answers_and_sees_a_cancel(
    sim_settings: Settings, sim: Sim
) -> None:
    async with (
        Client(create_server(sim_settings), extensions=[TasksClient()]) as one,
        Client(create_server(sim_settings), extensions=[TasksClient()]) as other,
    ):
        created = await create(one)
        assert (await get_state(other, created.task_id)).status == "working"
        await cancel(other, created.task_id)
        assert (await get_state(one, created.task_id)).status == "cancelled"


async def test_a_handle_resolves_on_another_replica_sharing_postgresql(
    make_settings: Callable[..., Settings], sim: Sim, tmp_path: Path
) -> None:
    """Two replicas with their own state folders and one PostgreSQL ledger (KLING_MCP_DATABASE_URL): a handle given
    by one is answered, and cancelled, by the other."""
    from pydantic import SecretStr

    from tests.postgres import cluster

    with cluster() as pg:
        url = SecretStr(pg.new_database())
        first = make_settings(base_url=sim.running.base_url, email=EMAIL, database_url=url, state_dir=tmp_path / "a")
        second = make_settings(base_url=sim.running.base_url, email=EMAIL, database_url=url, state_dir=tmp_path / "b")
        async with (
            Client(create_server(first), extensions=[TasksClient()]) as one,
            Client(create_server(second), extensions=[TasksClient()]) as other,
        ):
            created = await create(one)
            assert (await get_state(other, created.task_id)).status == "working"
            await cancel(other, created.task_id)
            assert (await get_state(one, created.task_id)).status == "cancelled"


async def test_kling_mcp_tasks_false_answers_a_declaring_client_as_one_without_it(
    make_settings: Callable[..., Settings], sim: Sim
) -> None:
    settings = make_settings(base_url=sim.running.base_url, email=EMAIL, tasks=False)
    async with Client(create_server(settings), extensions=[TasksClient()]) as client:
        capabilities = client.server_capabilities
        assert capabilities is None or IDENTIFIER not in (capabilities.extensions or {})
        result = await client.call_tool("generate_video", PROMPT)
    assert not result.is_error and result.result_type == "complete"
    assert result.structured_content is not None and result.structured_content["state"] == "queued"
