"""The Kling account: get_balance (core), and the "account" toolset — delete_task (destructive: asks first per
KLING_MCP_CONFIRM), get_capacity and stop_tracking (useapi's job slots)."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context, Elicit, ElicitationResult, Resolve
from mcp.types import ToolAnnotations

from kling_mcp.arguments import GetBalance
from kling_mcp.arguments.account_tools import DeleteTask, GetCapacity, StopTracking
from kling_mcp.results import (
    BalanceResult,
    CapacityResult,
    DeletedTask,
    TrackingStopped,
    balance_result,
    capacity_result,
    deleted_task,
    tracking_stopped,
)
from kling_mcp.tools.confirm import DeleteConfirmation, _can_ask, _CannotAskDelete, check_deletion
from kling_mcp.tools.context import AppState, service_of
from kling_mcp.tools.registry import READS, Toolset, resolver_for

toolset = Toolset("core")

account_toolset = Toolset(
    "account",
    instructions="get_capacity shows the free job slots of each account; list_jobs(source='account') finds work "
    "made anywhere on the account.",
)

# Gone for good at Kling; deleting it again changes nothing more (useapi then finds nothing to delete).
DELETES = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True)
# Changes what useapi tracks, deletes nothing; a second call finds nothing to stop.
RELEASES = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True)

DELETE_TASK_DESCRIPTION = """Delete a task and all its outputs from the Kling account for good, only when the user
asked for it; files already saved stay. Unless KLING_MCP_CONFIRM is never, the user is asked to confirm first."""

CAPACITY_DESCRIPTION = """Show each account's free job slots and the tasks useapi is running (a create is accepted
only while a slot is free). Free to call."""

# reference §4.3: DELETE /scheduler/{task_id} stops useapi's tracking; the task "keeps running at Kling (and is
# charged)".
STOP_DESCRIPTION = """Stop useapi tracking a running task, to free its job slot when it is stuck. Kling keeps running
the task and still bills it: nothing is cancelled or refunded."""


@toolset.tool(GetBalance, title="Kling credit balance", annotations=READS)
async def get_balance(args: GetBalance, ctx: Context[AppState]) -> BalanceResult:
    """Show the Kling account's remaining credits (as useapi reports them), its credit grants with their expiry,
    and how many jobs it may run at once. Free to call."""
    return balance_result(await service_of(ctx).balance(args.email))


async def ask_before_deleting_task(args: DeleteTask, ctx: Context[AppState]) -> Any:
    """As delete_element: under any KLING_MCP_CONFIRM policy but ``never``, ask the user first."""
    if service_of(ctx).settings.confirm == "never":
        return DeleteConfirmation(confirm=True)
    if not _can_ask(ctx):
        return _CannotAskDelete(confirm=False)
    return Elicit(
        f"Delete Kling task {args.task_id} and all its outputs from the account? This cannot be undone.",
        DeleteConfirmation,
    )


@account_toolset.tool(DeleteTask, title="Delete a task", description=DELETE_TASK_DESCRIPTION, annotations=DELETES)
async def delete_task(
    args: DeleteTask,
    ctx: Context[AppState],
    confirmation: Annotated[
        ElicitationResult[DeleteConfirmation], Resolve(resolver_for(DeleteTask, ask_before_deleting_task))
    ],
) -> DeletedTask:
    check_deletion(confirmation)
    return deleted_task(await service_of(ctx).delete_task(args))


@account_toolset.tool(GetCapacity, title="Free job slots", description=CAPACITY_DESCRIPTION, annotations=READS)
async def get_capacity(_: GetCapacity, ctx: Context[AppState]) -> CapacityResult:
    return capacity_result(await service_of(ctx).capacity())


@account_toolset.tool(StopTracking, title="Stop tracking a task", description=STOP_DESCRIPTION, annotations=RELEASES)
async def stop_tracking(args: StopTracking, ctx: Context[AppState]) -> TrackingStopped:
    return tracking_stopped(await service_of(ctx).stop_tracking(args))
