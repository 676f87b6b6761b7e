"""The Kling account: get_balance."""

from __future__ import annotations

from mcp.server.mcpserver import Context

from kling_mcp.arguments import GetBalance
from kling_mcp.results import BalanceResult, balance_result
from kling_mcp.tools.context import AppState, service_of
from kling_mcp.tools.registry import READS, Toolset

toolset = Toolset("core")


@toolset.tool(GetBalance, title="Kling credit balance", annotations=READS)
async def get_balance(args: GetBalance, ctx: Context[AppState]) -> BalanceResult:
    """Show the Kling account's remaining credits (as useapi reports them), its credit grants with their expiry,
    and how many jobs it may run at once. Free to call."""
    return balance_result(await service_of(ctx).balance(args.email))
