"""Values the SDK fills before a tool body runs (``Resolve(...)`` resolvers): the user's confirmation before credits
are spent (KLING_MCP_CONFIRM, by MCP elicitation), and the client's roots before a local image is read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult, ListRoots
from mcp.types import ListRootsResult
from pydantic import BaseModel, Field

from kling_mcp.api.errors import KlingError
from kling_mcp.arguments import AnimateImage, GenerateVideo
from kling_mcp.jobs import uploads
from kling_mcp.tools.context import AppState, service_of
from kling_mcp.tools.registry import resolver_for


class SpendConfirmation(BaseModel):
    confirm: bool = Field(description="Spend the credits and submit this generation?")


class _CannotAsk(SpendConfirmation):
    """The policy wants the user asked, but the client cannot show a question (no elicitation capability)."""


class ConfirmationError(KlingError):
    code = "declined"


async def ask_before_spending(args: GenerateVideo | AnimateImage, ctx: Context[AppState]) -> Any:
    """Per KLING_MCP_CONFIRM, ask the user (MCP elicitation) before a generation spends credits."""
    service = service_of(ctx)
    settings = service.settings
    if settings.confirm == "never":
        return SpendConfirmation(confirm=True)
    try:
        estimate = service.estimate(args)
    except KlingError:
        return SpendConfirmation(confirm=True)  # the tool body reports the invalid parameter, nothing is spent
    if settings.confirm == "above" and estimate.credits <= settings.confirm_above:
        return SpendConfirmation(confirm=True)
    capabilities = ctx.client_capabilities
    if capabilities is None or capabilities.elicitation is None:
        return _CannotAsk(confirm=False)
    audio = " with audio" if estimate.audio else ""
    return Elicit(
        f"Generate a {estimate.duration} s {estimate.mode} {args.model_name} video{audio}? "
        f"Estimated cost: {estimate.credits:g} Kling credits ({estimate.source} rate).",
        SpendConfirmation,
    )


confirm_generate = resolver_for(GenerateVideo, ask_before_spending)
confirm_animate = resolver_for(AnimateImage, ask_before_spending)


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
    local = any(v and uploads.is_local(v.strip()) for v in (image, image_tail))
    capabilities = ctx.client_capabilities
    if not local or capabilities is None or capabilities.roots is None:
        return None
    return ListRoots()


def root_paths(result: ListRootsResult | None) -> list[Path] | None:
    if result is None:
        return None
    return [uploads.local_path(str(root.uri)) for root in result.roots if str(root.uri).startswith("file://")]
