"""What a tool reaches through its ``Context``: the service (the lifespan state), progress notifications, and log
messages to the client at the level the client chose."""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import get_args

from mcp.server.mcpserver import Context
from mcp.server.session import ServerSession
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.types import LoggingLevel

from kling_mcp.jobs.service import KlingService


@dataclass
class AppState:
    """The lifespan state: one service (HTTP pool, ledger, background work) for the server's life."""

    service: KlingService


def service_of(ctx: Context[AppState]) -> KlingService:
    return ctx.request_context.lifespan_context.service


LOG_LEVELS: tuple[LoggingLevel, ...] = get_args(LoggingLevel)  # least to most severe (RFC 5424 order)
_client_log_levels: dict[int, LoggingLevel] = {}


def set_client_log_level(session: ServerSession, level: LoggingLevel) -> None:
    """Remember a connection's logging/setLevel (protocol versions up to 2025-11-25, where the SDK sends every log
    message and leaves the filtering to the server). The connection's initialize parameters stand for the connection:
    the SDK keeps one object per connection, and the entry goes when it does."""
    params = session.client_params
    if params is None:
        return
    key = id(params)
    if key not in _client_log_levels:
        weakref.finalize(params, _client_log_levels.pop, key, None)
    _client_log_levels[key] = level


def client_wants_log(session: ServerSession, level: LoggingLevel) -> bool:
    """Whether a log message at ``level`` passes the level the client set (every level until it sets one). From
    2026-07-28 the SDK itself sends only what the request opted in to."""
    params = session.client_params
    least = None if params is None else _client_log_levels.get(id(params))
    return least is None or LOG_LEVELS.index(level) >= LOG_LEVELS.index(least)


def progress_of(ctx: Context[AppState]) -> Callable[[float, float | None, str], Awaitable[None]]:
    """Progress notifications for a wait (when the client asked for them), and a log message to the client each
    time the upstream state changes (when it asked for logs)."""
    last_state = [""]

    async def report(progress: float, total: float | None, message: str) -> None:
        await ctx.report_progress(progress, total, message)
        state = message.split(";")[0]
        if state != last_state[0] and client_wants_log(ctx.session, "info"):
            last_state[0] = state
            with warnings.catch_warnings():
                # Logging to the client is deprecated in the 2026-07-28 revision (SEP-2577) but still what clients
                # on the older revision show; the SDK sends it only to clients that asked.
                warnings.simplefilter("ignore", MCPDeprecationWarning)
                await ctx.log("info", state, logger_name="kling-mcp")

    return report
