"""The MCP Tasks extension (``io.modelcontextprotocol/tasks``, revision 2026-07-28, SEP-2663): a spending tool answers
a durable task handle instead of its result, and the client polls ``tasks/get`` (or gives up with ``tasks/cancel``).

The SDK has no Tasks runtime; this is one, on its Extension API (``mcp.server.extension``):

- ``intercept_tool_call``: a ``tools/call`` of a spending tool (``ToolSpec.annotations == SPENDS``) whose request
  declares the extension in its per-request client capabilities (2026-07-28 only) runs exactly as today (arguments
  checked, confirmation asked by the tool's resolver, which answers ``input_required`` before any task exists, job
  recorded, create sent once). If that made a task, the answer is ``resultType: "task"`` instead of the tool's result.
  An error, a question or a tool that made no task answers as it always did.
- ``tasks/get``: the task as the ledger and GET /tasks/{id} have it, through the very code of ``get_task``.
  ``working`` while Kling works (its status is the ``statusMessage``); ``completed`` with the CallToolResult that
  ``get_task`` gives once final, ``isError: true`` when Kling failed it (the spec keeps ``failed`` for JSON-RPC
  errors); an id this server never handed out is a JSON-RPC error (-32602).
- ``tasks/cancel``: kling-mcp stops following the task and asks useapi to stop tracking it (DELETE /scheduler/{id},
  which frees the job slot); Kling itself keeps generating and billing it, and the answer says so. The job stays in
  the ledger; ``tasks/get`` answers ``cancelled`` from then on, ``get_task`` still reads the task.

The task id is the Kling task id, as a string: the same number ``get_task`` and ``download_clean`` take, recorded in
the job ledger before the handle is answered, so it survives a restart and every server process sharing
KLING_MCP_STATE_DIR answers ``tasks/get`` for it. (The spec wants ids a third party cannot guess; a Kling task id is
guessable, but anyone who can call this server can already read any task of the account with ``get_task``, so an
unguessable handle would protect nothing.) What a handle adds to its job (its poll interval, time to live and
cancellation) is a row of the ledger's ``mcp_tasks`` table, on SQLite or PostgreSQL: any replica sharing the ledger
answers for it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from mcp import MCPError
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.server.mcpserver import require_client_extension
from mcp.types import INTERNAL_ERROR, INVALID_PARAMS, CallToolRequestParams, CallToolResult
from mcp_types import RequestParams
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import ValidationError

from kling_mcp import catalog
from kling_mcp.api.errors import KlingError, NotFoundError
from kling_mcp.arguments import MAX_ID, Arguments, Generation
from kling_mcp.arguments.account_tools import StopTracking
from kling_mcp.jobs.ledger import Ledger, LedgerUnavailableError
from kling_mcp.jobs.service import KlingService
from kling_mcp.results import task_result
from kling_mcp.tools.context import AppState
from kling_mcp.tools.errors import kling_error
from kling_mcp.tools.registry import SPENDS, Toolset
from kling_mcp.tools.replies import error_result, success_result

logger = logging.getLogger(__name__)
T = TypeVar("T")

IDENTIFIER = "io.modelcontextprotocol/tasks"
MODERN = frozenset(MODERN_PROTOCOL_VERSIONS)  # the extension's requests and "task" results exist from 2026-07-28 on

# The ledger keeps a job for good; a week is promised (useapi keeps job records 7 days for its other services,
# reference §10; a Kling task is read live from the account).
TTL_MS = 7 * 24 * 3600 * 1000
# How long a generation typically takes: "a few minutes depending on model, mode, and duration; std is faster than pro
# or 4k" (useapi guide), read as the simulator reads it. Polled about six times over that, within 10-30 s (useapi's
# own scripts poll every 15-20 s, reference §6.2), and never faster than KLING_MCP_MIN_POLL_INTERVAL.
TYPICAL_S = {"std": 60.0, "pro": 90.0, "4k": 150.0}
TYPICAL_OTHER_S = 90.0
POLLS_PER_RUN = 6
POLL_BOUNDS_S = (10.0, 30.0)


class TaskParams(RequestParams):
    """The params of tasks/get and tasks/cancel: ``{"taskId": ...}``."""

    task_id: str


# --- the handles, in the ledger ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handle:
    task_id: int
    created_at: str
    poll_interval_ms: int
    ttl_ms: int
    cancelled_at: str | None = None
    cancel_note: str | None = None


class Handles:
    """The handles in the job ledger (its ``mcp_tasks`` table, on SQLite or PostgreSQL alike): every process sharing
    the ledger, the replicas of a team deployment included, sees every other's handles at once."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    async def add(self, task_id: int, created_at: str, poll_interval_ms: int) -> Handle:
        """The task's handle, made now unless it has one (a call that reused an idempotency key)."""
        return Handle(**await self.ledger.add_task_handle(task_id, created_at, poll_interval_ms, TTL_MS))

    async def get(self, task_id: int) -> Handle | None:
        row = await self.ledger.task_handle(task_id)
        return None if row is None else Handle(**row)

    async def cancel(self, task_id: int, note: str) -> Handle:
        """Mark the handle cancelled (the first cancellation's time and words stay)."""
        row = await self.ledger.cancel_task_handle(task_id, note)
        assert row is not None
        return Handle(**row)


# --- the extension --------------------------------------------------------------------------------------------------


class TasksExtension(Extension):
    identifier = IDENTIFIER

    def __init__(self, spending: Mapping[str, type[Arguments]]) -> None:
        """``spending``: the argument model of each spending tool, by name."""
        self.spending = dict(spending)

    def methods(self) -> Sequence[MethodBinding]:
        return (
            MethodBinding("tasks/get", TaskParams, self.get, MODERN),
            MethodBinding("tasks/cancel", TaskParams, self.cancel, MODERN),
        )

    async def intercept_tool_call(
        self, params: CallToolRequestParams, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        result = await call_next(ctx)
        if params.name not in self.spending or not declared(ctx):
            return result
        if not isinstance(result, CallToolResult) or result.is_error:
            return result  # a question (input_required) or an error: nothing was submitted
        task_id = (result.structured_content or {}).get("task_id")
        if not isinstance(task_id, int):
            return result
        service = _service(ctx)
        try:
            # The spec: no handle before tasks/get can resolve it. The job is in the ledger (unless the ledger failed
            # while recording it, and then the result says so: it is answered as it is).
            job = await service.job(task_id)
            if job is None:
                return result
            interval = self._poll_interval_ms(service, params, result)
            handle = await _handles(service).add(task_id, job.created_at, interval)
        except Exception as exc:  # the task exists and is billed: whatever fails here, its id reaches the client
            reason = exc.message if isinstance(exc, KlingError) else type(exc).__name__
            logger.error(
                "task %s: no task handle (%s); answering the tool's result",
                task_id,
                reason,
                exc_info=not isinstance(exc, KlingError),
            )
            return result
        first_line = next((block.text for block in result.content if block.type == "text"), "").split("\n")[0]
        return _task(handle, "working", first_line, job.updated_at) | {"resultType": "task"}

    async def get(self, ctx: ServerRequestContext[Any, Any], params: TaskParams) -> dict[str, Any]:
        require_client_extension(ctx, IDENTIFIER)
        service = _service(ctx)
        handle = await _handle(service, params.task_id)
        return await _detailed(service, handle)

    async def cancel(self, ctx: ServerRequestContext[Any, Any], params: TaskParams) -> dict[str, Any]:
        """Cooperative, as the spec allows: kling-mcp stops following the task, useapi stops tracking it; Kling goes
        on. A task already final is not cancelled: the answer is its state, saying so."""
        require_client_extension(ctx, IDENTIFIER)
        service = _service(ctx)
        handle = await _handle(service, params.task_id)
        if handle.cancelled_at is None:
            current = await _detailed(service, handle)
            if current["status"] == "completed":
                return current | {"statusMessage": f"{current['statusMessage']}. It had finished: nothing to cancel."}
            handle = await _handles(service).cancel(handle.task_id, await _stop_tracking(service, handle.task_id))
            logger.info("task handle %s cancelled (the task goes on at Kling)", handle.task_id)
        return await _detailed(service, handle)

    def _poll_interval_ms(self, service: KlingService, params: CallToolRequestParams, result: CallToolResult) -> int:
        """From the typical time of the call's model, mode and length (its estimate), never under the poll throttle."""
        estimate: catalog.Estimate | None = None
        try:
            args = self.spending[params.name].model_validate(params.arguments or {})
            if isinstance(args, Generation):
                estimate = service.estimate(args)
        except (ValidationError, KlingError):
            pass  # the call was accepted, so this does not happen; the interval then falls back to the usual one
        model = str((result.structured_content or {}).get("model_name") or "")
        return poll_interval_ms(estimate, model, service.settings.min_poll_interval)


def tasks_extension(toolsets: Sequence[Toolset]) -> TasksExtension:
    """The extension over the spending tools of ``toolsets``."""
    return TasksExtension(
        {spec.name: spec.arguments for toolset in toolsets for spec in toolset.tools if spec.annotations == SPENDS}
    )


def declared(ctx: ServerRequestContext[Any, Any]) -> bool:
    """Whether this request declares the extension (per-request client capabilities, 2026-07-28)."""
    capabilities = ctx.session.client_capabilities
    extensions = capabilities.extensions if capabilities is not None else None
    return ctx.protocol_version in MODERN and extensions is not None and IDENTIFIER in extensions


def poll_interval_ms(estimate: catalog.Estimate | None, model_name: str, min_poll_interval: float) -> int:
    """A sixth of the typical time of the model, mode and length, within 10-30 s and never under the poll throttle
    (a call without an estimate: the usual 15 s)."""
    typical = TYPICAL_OTHER_S
    if estimate is not None:
        typical = TYPICAL_S.get(estimate.mode, TYPICAL_OTHER_S) + 6.0 * max(estimate.duration - 5, 0)
    if model_name.endswith("turbo"):
        typical *= 0.6
    low, high = POLL_BOUNDS_S
    return round(max(min(max(typical / POLLS_PER_RUN, low), high), min_poll_interval) * 1000)


# --- what tasks/get and tasks/cancel answer -------------------------------------------------------------------------


def _service(ctx: ServerRequestContext[Any, Any]) -> KlingService:
    state = ctx.lifespan_context
    assert isinstance(state, AppState)
    return state.service


def _handles(service: KlingService) -> Handles:
    """The handles of the service's ledger (an unusable ledger answers ledger_unavailable: the spending tools then
    answer as they always did)."""
    return Handles(service.ledger)


async def _handle(service: KlingService, task_id: str) -> Handle:
    """The handle of a task id from a request; an unknown one is the spec's -32602, a ledger that cannot be read
    -32603."""
    number = int(task_id) if task_id.isascii() and task_id.isdigit() else 0
    try:
        handle = await _handles(service).get(number) if 0 < number <= MAX_ID else None
    except LedgerUnavailableError as exc:
        raise MCPError(code=INTERNAL_ERROR, message=exc.message) from None
    if handle is None:
        raise MCPError(
            code=INVALID_PARAMS,
            message=f"Failed to retrieve task: task {task_id!r} not found. Task ids are the Kling task ids this "
            "server answered as task handles.",
            data={"taskId": task_id},
        )
    return handle


async def _detailed(service: KlingService, handle: Handle) -> dict[str, Any]:
    """The task as tasks/get answers it: the ledger and GET /tasks/{id}, read by the code of get_task."""
    task_id = handle.task_id
    if handle.cancelled_at is not None:
        return _task(handle, "cancelled", handle.cancel_note, handle.cancelled_at)
    try:
        report = await service.get_task(task_id, None)
    except NotFoundError as exc:
        # useapi guide: a 404 on the poll means deleted, moderated or out of credits, gone for good. get_task answers
        # this error; so does the task.
        return _task(
            handle,
            "completed",
            f"Kling: {exc.message}",
            await _updated(service, handle),
            error_result(kling_error(exc)),
        )
    except KlingError as exc:  # the task was not read this time (useapi unreachable, ...): as far as known it goes on
        note = f"Could not read the task just now ({exc.code}: {exc.message}); poll again."
        return _task(handle, "working", note, await _updated(service, handle))
    answer = report.answer
    note = f"Kling: {answer.status_name or report.state} (status {answer.status})"
    updated = await _updated(service, handle)
    if not report.final:
        return _task(handle, "working", note, updated)
    result = success_result(task_result(report))
    if report.state == "failed":
        result = result.model_copy(update={"is_error": True})  # Kling's failure is the tool call's error
    return _task(handle, "completed", note, updated, result)


async def _updated(service: KlingService, handle: Handle) -> str:
    """When the ledger last saw the task change (the handle's creation if it cannot say)."""
    try:
        job = await service.job(handle.task_id)
    except KlingError:
        return handle.created_at
    return job.updated_at if job is not None else handle.created_at


async def _stop_tracking(service: KlingService, task_id: int) -> str:
    """DELETE /scheduler/{id}, and the words of the cancellation: plainly, Kling goes on and bills."""
    try:
        stop = await service.stop_tracking(StopTracking(task_id=task_id))
        tracking = (
            ", and useapi stopped tracking it (its job slot is free again)"
            if stop.was_tracked
            else " (useapi was no longer tracking it)"
        )
    except KlingError as exc:
        logger.warning("task %s: useapi could not be told to stop tracking it: %s", task_id, exc.code)
        tracking = f" (useapi could not be told to stop tracking it: {exc.code}: {exc.message})"
    return (
        f"Cancelled: kling-mcp no longer follows Kling task {task_id}{tracking}. Kling itself keeps generating it and "
        "the credits are billed all the same: a Kling task cannot be stopped once submitted. The job stays in the "
        f"ledger: get_task(task_id={task_id}) still reads it, and download_clean saves the video once it is done."
    )


def _task(
    handle: Handle, status: str, message: str | None, updated: str, result: CallToolResult | None = None
) -> dict[str, Any]:
    """A Task on the wire (tasks/get's ``resultType`` is ``complete``: the runner fills it in)."""
    task: dict[str, Any] = {
        "taskId": str(handle.task_id),
        "status": status,
        "createdAt": _utc(handle.created_at),
        "lastUpdatedAt": _utc(max(updated, handle.created_at)),
        "ttlMs": handle.ttl_ms,
        "pollIntervalMs": handle.poll_interval_ms,
    }
    if message:
        task["statusMessage"] = message
    if result is not None:
        task["result"] = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    return task


def _utc(stamp: str) -> str:
    """The ledger's UTC stamps (``...+00:00``) in the spec's examples' form (``...Z``)."""
    return stamp.removesuffix("+00:00") + "Z" if stamp.endswith("+00:00") else stamp


__all__ = ["IDENTIFIER", "TasksExtension", "declared", "poll_interval_ms", "tasks_extension"]
