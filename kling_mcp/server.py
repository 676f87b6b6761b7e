"""The MCP server: the toolsets of ``kling_mcp/tools`` on one ``MCPServer``, over one service for its whole life.

Each family declares its tools in its own module (``tools/generation.py``, ``tools/tasks.py``, ...); this module only
puts them together, with the guard that checks every call's arguments first (``tools/guard.py``) and the protocol
methods MCPServer has no decorator for (``tools/lowlevel.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from mcp.server.mcpserver import MCPServer

from kling_mcp import __version__
from kling_mcp.config import Settings
from kling_mcp.jobs.service import KlingService
from kling_mcp.tools import Toolset, selected
from kling_mcp.tools.context import AppState
from kling_mcp.tools.guard import ArgumentGuard
from kling_mcp.tools.lowlevel import serve_protocol_methods
from kling_mcp.tools.player import player_extensions, player_middleware
from kling_mcp.tools.registry import argument_models, completers, sdk_tools
from kling_mcp.tools.tasks_extension import tasks_extension

INSTRUCTIONS = """\
Kling AI video generation through the user's own Kling account (useapi.net). Generations take minutes and spend
the user's credits. Workflow: generate_video or animate_image returns a task_id at once (keep it; pass
idempotency_key so a retried call never pays twice) -> get_task(task_id, wait_seconds=50) until final ->
download_clean(task_id) saves the watermark-free master (the url in get_task is the WATERMARKED preview).
list_jobs recovers the task_id of any earlier submission. Read kling://models (or list_models) for what each model
allows and costs. Errors carry a code (invalid_parameter, capacity, moderation_rejected, not_found, ...) and say
what to do next."""


def _lifespan(settings: Settings) -> Callable[[MCPServer[AppState]], AbstractAsyncContextManager[AppState]]:
    @asynccontextmanager
    async def lifespan(_: MCPServer[AppState]) -> AsyncIterator[AppState]:
        async with KlingService.open(settings) as service:
            yield AppState(service=service)

    return lifespan


def create_server(settings: Settings, toolsets: Sequence[Toolset] | None = None) -> MCPServer[AppState]:
    """Build the MCP server with the toolsets KLING_MCP_TOOLSETS chose (``settings.toolsets``) unless ``toolsets``
    are given. Nothing is opened until a client connects (the lifespan)."""
    if toolsets is None:
        toolsets = selected(settings.toolsets)
    mcp = MCPServer[AppState](
        "kling-mcp",
        title="Kling AI video (useapi.net)",
        version=__version__,
        instructions="\n".join([INSTRUCTIONS, *(t.instructions for t in toolsets if t.instructions)]),
        lifespan=_lifespan(settings),
        tools=sdk_tools(toolsets),
        middleware=[ArgumentGuard(argument_models(toolsets)), *player_middleware(settings, toolsets)],
        # MCP Tasks for the spending tools (tools/tasks_extension.py); MCP Apps' player (tools/player.py)
        extensions=[*([tasks_extension(toolsets)] if settings.tasks else []), *player_extensions(settings)],
    )
    for toolset in toolsets:
        toolset.register_resources(mcp)
    serve_protocol_methods(mcp, completers(toolsets))
    return mcp
