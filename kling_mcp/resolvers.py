"""Values the MCP layer fills before a tool body runs (SDK resolvers): the user's confirmation before credits
are spent (KLING_MCP_CONFIRM, by MCP elicitation) and the client's roots before a local image is read.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult, ListRoots
from mcp.server.session import ServerSession
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.types import ListRootsResult, LoggingLevel
from pydantic import BaseModel, Field

from kling_mcp.api.errors import KlingError
from kling_mcp.jobs import images
from kling_mcp.jobs.service import KlingService


@dataclass
class AppState:
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


class SpendConfirmation(BaseModel):
    confirm: bool = Field(description="Spend the credits and submit this generation?")


class _CannotAsk(SpendConfirmation):
    """The policy wants the user asked, but the client cannot show a question (no elicitation capability)."""


class ConfirmationError(KlingError):
    code = "declined"


def _ask_before_spending(ctx: Context[AppState], kind: str, params: dict[str, Any]) -> Any:
    """Per KLING_MCP_CONFIRM, ask the user (MCP elicitation) before a generation spends credits."""
    service = service_of(ctx)
    settings = service.settings
    if settings.confirm == "never":
        return SpendConfirmation(confirm=True)
    try:
        estimate = service.estimate(kind, params)
    except KlingError:
        return SpendConfirmation(confirm=True)  # the tool body reports the invalid parameter, nothing is spent
    if settings.confirm == "above" and estimate.credits <= settings.confirm_above:
        return SpendConfirmation(confirm=True)
    capabilities = ctx.client_capabilities
    if capabilities is None or capabilities.elicitation is None:
        return _CannotAsk(confirm=False)
    audio = " with audio" if estimate.audio else ""
    return Elicit(
        f"Generate a {estimate.duration} s {estimate.mode} {params.get('model_name')} video{audio}? "
        f"Estimated cost: {estimate.credits:g} Kling credits ({estimate.source} rate).",
        SpendConfirmation,
    )


async def confirm_generate(
    ctx: Context[AppState],
    prompt: str,
    model_name: str,
    aspect_ratio: str,
    mode: str | None,
    duration: int | None,
    negative_prompt: str | None,
    cfg_scale: float | None,
    enable_audio: bool | None,
) -> Any:
    arguments = dict(locals())  # the resolver takes the tool's arguments by name; pass them all on
    del arguments["ctx"]
    return _ask_before_spending(ctx, "text2video", arguments)


async def confirm_animate(
    ctx: Context[AppState],
    image: str | None,
    image_tail: str | None,
    prompt: str | None,
    model_name: str,
    mode: str | None,
    duration: int | None,
    negative_prompt: str | None,
    cfg_scale: float | None,
    enable_audio: bool | None,
) -> Any:
    arguments = dict(locals())
    del arguments["ctx"]
    # The frames' own checks come later; for the price, any URL stands in for them.
    arguments.update({k: "https://frame" if arguments[k] else None for k in ("image", "image_tail")})
    return _ask_before_spending(ctx, "image2video", arguments)


def check_confirmation(outcome: ElicitationResult[SpendConfirmation]) -> None:
    match outcome:
        case AcceptedElicitation(data=_CannotAsk()):
            raise ConfirmationError(
                "KLING_MCP_CONFIRM asks for the user's confirmation before spending credits, but this MCP client "
                "cannot show a question (no elicitation support). Nothing was submitted.",
                hint="Ask the user in the conversation; to proceed, they must change KLING_MCP_CONFIRM or use a "
                "client with elicitation.",
            )
        case AcceptedElicitation(data=SpendConfirmation(confirm=True)):
            return
        case _:
            raise ConfirmationError(
                f"The user did not confirm the spend ({outcome.action}). Nothing was submitted and nothing spent.",
                hint="Do not retry unless the user asks for it.",
            )


async def client_roots(ctx: Context[AppState], image: str | None, image_tail: str | None) -> Any:
    """Ask for the client's roots only when a local file is to be read and the client shares roots."""
    local = any(v and images.is_local(v.strip()) for v in (image, image_tail))
    capabilities = ctx.client_capabilities
    if not local or capabilities is None or capabilities.roots is None:
        return None
    return ListRoots()


def root_paths(result: ListRootsResult | None) -> list[Path] | None:
    if result is None:
        return None
    return [images.local_path(str(root.uri)) for root in result.roots if str(root.uri).startswith("file://")]
