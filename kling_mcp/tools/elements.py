"""The "elements" toolset: saved characters and objects (Kling elements) that keep a subject the same across
videos — create_element, list_elements, delete_element (destructive: asks first per KLING_MCP_CONFIRM)."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context, ElicitationResult, Resolve
from mcp.types import ListRootsResult, ToolAnnotations

from kling_mcp.arguments import CreateElement, DeleteElement, ListElements
from kling_mcp.results import DeletedElement, ElementList, NewElements, element_list, new_elements
from kling_mcp.tools.confirm import (
    DeleteConfirmation,
    check_deletion,
    client_roots,
    delete_confirmation,
    root_paths,
)
from kling_mcp.tools.context import AppState, service_of
from kling_mcp.tools.registry import READS, Toolset

toolset = Toolset(
    "elements",
    instructions="To keep a character the same across videos, save it once with create_element (or find it with "
    "list_elements) and pass its element_id in elements.",
)

# An element is made upstream (no credits); a second call makes a second one.
CREATES = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)
# Gone for good; deleting it again changes nothing more.
DELETES = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True)

CREATE_DESCRIPTION = """Save a character or object (a cover image, optional extra views) as a Kling element, to keep it
the same across videos: pass its element_id in elements of omni_video, animate_image or multi_image_video, or as
element of motion_control. Costs no credits. Look in list_elements first for one that exists."""

LIST_DESCRIPTION = "List the account's saved elements (ids, names, tags), a page at a time. Free to call."

DELETE_DESCRIPTION = """Delete a saved element for good, only when the user asked for it. Unless KLING_MCP_CONFIRM is
never, the user is asked to confirm first."""


@toolset.tool(CreateElement, title="Create an element", description=CREATE_DESCRIPTION, annotations=CREATES)
async def create_element(
    args: CreateElement,
    ctx: Context[AppState],
    roots: Annotated[ListRootsResult | None, Resolve(client_roots(CreateElement))],
) -> NewElements:
    return new_elements(await service_of(ctx).create_element(args, roots=root_paths(roots)))


@toolset.tool(ListElements, title="List elements", description=LIST_DESCRIPTION, annotations=READS)
async def list_elements(args: ListElements, ctx: Context[AppState]) -> ElementList:
    listing = await service_of(ctx).list_elements(args)
    return element_list(listing, page=args.page, page_size=args.page_size)


@toolset.tool(DeleteElement, title="Delete an element", description=DELETE_DESCRIPTION, annotations=DELETES)
async def delete_element(
    args: DeleteElement,
    ctx: Context[AppState],
    confirmation: Annotated[ElicitationResult[DeleteConfirmation], Resolve(delete_confirmation)],
) -> DeletedElement:
    check_deletion(confirmation)
    return DeletedElement(element_id=await service_of(ctx).delete_element(args))
