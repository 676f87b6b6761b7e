"""Values the SDK fills before a tool body runs (``Resolve(...)`` resolvers): the user's confirmation before credits
are spent or an element is deleted (KLING_MCP_CONFIRM, by MCP elicitation), and the client's roots before a local
file is read.

Each resolver takes the tool's argument model whole (``registry.resolver_for``), so one function serves every tool:
``spend_confirmation(OmniVideo)``, ``client_roots(MotionControl)``, ...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult, ListRoots
from mcp.types import ListRootsResult
from pydantic import BaseModel, Field

from kling_mcp.api.errors import KlingError
from kling_mcp.arguments import DeleteElement, Generation, WithMedia
from kling_mcp.jobs import uploads
from kling_mcp.tools.context import AppState, service_of
from kling_mcp.tools.registry import resolver_for


class Confirmation(BaseModel):
    confirm: bool


class SpendConfirmation(Confirmation):
    confirm: bool = Field(description="Spend the credits and submit this generation?")


class DeleteConfirmation(Confirmation):
    confirm: bool = Field(description="Delete it for good?")


class _CannotAsk:
    """The policy wants the user asked, but the client cannot show a question (no elicitation capability)."""


class _CannotAskSpend(_CannotAsk, SpendConfirmation):
    pass


class _CannotAskDelete(_CannotAsk, DeleteConfirmation):
    pass


class ConfirmationError(KlingError):
    code = "declined"


def _can_ask(ctx: Context[AppState]) -> bool:
    capabilities = ctx.client_capabilities
    return capabilities is not None and capabilities.elicitation is not None


async def ask_before_spending(args: Generation, ctx: Context[AppState]) -> Any:
    """Per KLING_MCP_CONFIRM, ask the user (MCP elicitation) before any generation spends credits."""
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
    if not _can_ask(ctx):
        return _CannotAskSpend(confirm=False)
    what = estimate.label or f"{getattr(args, 'model_name', 'Kling')} video"
    audio = ", with audio" if estimate.audio else ""
    note = f" Note: {estimate.note}" if estimate.note else ""
    length = f", {estimate.duration} s" if estimate.duration else ""  # images have no length
    mode = f", {estimate.mode}" if estimate.mode else ""  # nor always a mode or resolution
    return Elicit(
        f"Submit: {what}{length}{mode}{audio}? "
        f"Estimated cost: {estimate.credits:g} Kling credits ({estimate.source} rate).{note}",
        SpendConfirmation,
    )


async def ask_before_deleting(args: DeleteElement, ctx: Context[AppState]) -> Any:
    """A delete cannot be undone: under any KLING_MCP_CONFIRM policy but ``never`` (``above:N`` included, since
    nothing here is priced), ask the user first."""
    if service_of(ctx).settings.confirm == "never":
        return DeleteConfirmation(confirm=True)
    if not _can_ask(ctx):
        return _CannotAskDelete(confirm=False)
    return Elicit(f"Delete the Kling element {args.element_id}? This cannot be undone.", DeleteConfirmation)


def spend_confirmation(model: type[Generation]) -> Callable[..., Awaitable[Any]]:
    """The confirmation resolver of a spending tool whose arguments are ``model``."""
    return resolver_for(model, ask_before_spending)


delete_confirmation = resolver_for(DeleteElement, ask_before_deleting)


def check_confirmation(outcome: ElicitationResult[Any]) -> None:
    """Submit only if the user confirmed the spend (or the policy did not ask); else a ``declined`` error."""
    _check(outcome, "spending credits", "the spend", "Nothing was submitted and nothing spent.")


def check_deletion(outcome: ElicitationResult[Any]) -> None:
    """Delete only if the user confirmed (or the policy did not ask); else a ``declined`` error."""
    _check(outcome, "deleting", "the deletion", "Nothing was deleted.")


def _check(outcome: ElicitationResult[Any], before: str, what: str, nothing: str) -> None:
    match outcome:
        case AcceptedElicitation(data=_CannotAsk()):
            raise ConfirmationError(
                f"KLING_MCP_CONFIRM asks for the user's confirmation before {before}, but this MCP client cannot show "
                f"a question (no elicitation support). {nothing.split(' and ')[0].rstrip('.')}.",
                hint="Ask the user in the conversation; to proceed, they must change KLING_MCP_CONFIRM or use a "
                "client with elicitation.",
            )
        case AcceptedElicitation(data=Confirmation(confirm=True)):
            return
        case _:
            raise ConfirmationError(
                f"The user did not confirm {what} ({outcome.action}). {nothing}",
                hint="Do not retry unless the user asks for it.",
            )


async def ask_roots(args: WithMedia, ctx: Context[AppState]) -> Any:
    """Ask for the client's roots only when a local file is to be read and the client shares roots."""
    local = any(uploads.is_local(item.value) for item in args.media())
    capabilities = ctx.client_capabilities
    if not local or capabilities is None or capabilities.roots is None:
        return None
    return ListRoots()


def client_roots(model: type[WithMedia]) -> Callable[..., Awaitable[Any]]:
    """The roots resolver of a tool whose arguments (``model``) may name local files."""
    return resolver_for(model, ask_roots)


def root_paths(result: ListRootsResult | None) -> list[Path] | None:
    if result is None:
        return None
    return [uploads.local_path(str(root.uri)) for root in result.roots if str(root.uri).startswith("file://")]
