"""The files uploaded to the Kling account (core): list_uploads, and delete_uploads (destructive: asks first per
KLING_MCP_CONFIRM). Uploads themselves happen inside the tools that take a local file."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context, Elicit, ElicitationResult, Resolve

from kling_mcp.arguments.account_tools import DeleteUploads, ListUploads
from kling_mcp.results import DeletedUploads, UploadList, deleted_uploads, upload_list
from kling_mcp.tools.account import DELETES
from kling_mcp.tools.confirm import DeleteConfirmation, _can_ask, _CannotAskDelete, check_deletion
from kling_mcp.tools.context import AppState, service_of
from kling_mcp.tools.registry import READS, Toolset, resolver_for

toolset = Toolset("core")

LIST_DESCRIPTION = "List the files uploaded to the Kling account (images, videos, audio) with their ids. Free to call."

DELETE_DESCRIPTION = """Delete uploaded files from the Kling account for good, only when the user asked for it.
Unless KLING_MCP_CONFIRM is never, the user is asked to confirm first."""


async def ask_before_deleting_uploads(args: DeleteUploads, ctx: Context[AppState]) -> Any:
    """As delete_element: under any KLING_MCP_CONFIRM policy but ``never``, ask the user first."""
    if service_of(ctx).settings.confirm == "never":
        return DeleteConfirmation(confirm=True)
    if not _can_ask(ctx):
        return _CannotAskDelete(confirm=False)
    return Elicit(
        f"Delete {len(args.ids)} uploaded file(s) ({', '.join(args.ids)}) from the Kling account? This cannot be "
        "undone.",
        DeleteConfirmation,
    )


@toolset.tool(ListUploads, title="List uploaded files", description=LIST_DESCRIPTION, annotations=READS)
async def list_uploads(args: ListUploads, ctx: Context[AppState]) -> UploadList:
    return upload_list(await service_of(ctx).list_uploads(args))


@toolset.tool(DeleteUploads, title="Delete uploaded files", description=DELETE_DESCRIPTION, annotations=DELETES)
async def delete_uploads(
    args: DeleteUploads,
    ctx: Context[AppState],
    confirmation: Annotated[
        ElicitationResult[DeleteConfirmation], Resolve(resolver_for(DeleteUploads, ask_before_deleting_uploads))
    ],
) -> DeletedUploads:
    check_deletion(confirmation)
    return deleted_uploads(await service_of(ctx).delete_uploads(args))
