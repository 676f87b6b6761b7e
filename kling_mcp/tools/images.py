"""The "images" toolset: generate_image (Kling Omni or KOLORS), upscale_image (a task's image upscaled, or any image
enhanced), virtual_try_on, each answering a task like generate_video does, and the free recognize_faces. A result
image chains on as ``kling://works/<task_id>/<work_id>`` in any image parameter (animate_image's frame, omni_video's
references)."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context, ElicitationResult, Resolve
from mcp.types import ListRootsResult

from kling_mcp.arguments.images import GenerateImage, RecognizeFaces, UpscaleImage, VirtualTryOn
from kling_mcp.results import FaceList, TaskResult, face_list, task_result
from kling_mcp.tools.confirm import (
    SpendConfirmation,
    check_confirmation,
    client_roots,
    root_paths,
    spend_confirmation,
)
from kling_mcp.tools.context import AppState, progress_of, service_of
from kling_mcp.tools.registry import READS, SPENDS, Toolset

toolset = Toolset(
    "images",
    instructions="generate_image, upscale_image and virtual_try_on return tasks like generate_video (get_task, "
    "download_clean); recognize_faces is free. An image made goes on as kling://works/<task_id>/<work_id>.",
)

SPEND = "Costs credits; returns a task_id."

GENERATE_DESCRIPTION = f"""1–9 images from a prompt. {SPEND}
Any image: URL, path, data: URI or kling://works/<task_id>/<work_id> (a result)."""

UPSCALE_DESCRIPTION = f"""Upscale work_id of image task task_id, or enhance any image. {SPEND}"""

TRY_ON_DESCRIPTION = f"""Dress a person in upper and/or lower, or a dress. {SPEND}"""

FACES_DESCRIPTION = """Number the faces in an image, for generate_image's face_no. Free."""


@toolset.tool(GenerateImage, title="Generate images", description=GENERATE_DESCRIPTION, annotations=SPENDS)
async def generate_image(
    args: GenerateImage,
    ctx: Context[AppState],
    confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(spend_confirmation(GenerateImage))],
    roots: Annotated[ListRootsResult | None, Resolve(client_roots(GenerateImage))],
) -> TaskResult:
    check_confirmation(confirmation)
    report = await service_of(ctx).create(args, progress=progress_of(ctx), roots=root_paths(roots))
    return task_result(report)


@toolset.tool(UpscaleImage, title="Upscale or enhance an image", description=UPSCALE_DESCRIPTION, annotations=SPENDS)
async def upscale_image(
    args: UpscaleImage,
    ctx: Context[AppState],
    confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(spend_confirmation(UpscaleImage))],
    roots: Annotated[ListRootsResult | None, Resolve(client_roots(UpscaleImage))],
) -> TaskResult:
    check_confirmation(confirmation)
    report = await service_of(ctx).create(args, progress=progress_of(ctx), roots=root_paths(roots))
    return task_result(report)


@toolset.tool(VirtualTryOn, title="Virtual try-on", description=TRY_ON_DESCRIPTION, annotations=SPENDS)
async def virtual_try_on(
    args: VirtualTryOn,
    ctx: Context[AppState],
    confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(spend_confirmation(VirtualTryOn))],
    roots: Annotated[ListRootsResult | None, Resolve(client_roots(VirtualTryOn))],
) -> TaskResult:
    check_confirmation(confirmation)
    report = await service_of(ctx).create(args, progress=progress_of(ctx), roots=root_paths(roots))
    return task_result(report)


@toolset.tool(RecognizeFaces, title="Find faces in an image", description=FACES_DESCRIPTION, annotations=READS)
async def recognize_faces(
    args: RecognizeFaces,
    ctx: Context[AppState],
    roots: Annotated[ListRootsResult | None, Resolve(client_roots(RecognizeFaces))],
) -> FaceList:
    return face_list(await service_of(ctx).recognize_faces(args, roots=root_paths(roots)))
