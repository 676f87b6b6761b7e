"""The "video" toolset: every other way of making a video — omni_video (references, frames, editing a clip),
multi_image_video, extend_video, motion_control, apply_effect — and the free lists list_motions and list_effects.
Each spending tool works as generate_video does: checked before anything is uploaded or sent, a confirmation per
KLING_MCP_CONFIRM, the task id at once (or after wait_seconds), then get_task and download_clean."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context, ElicitationResult, Resolve
from mcp.types import ListRootsResult

from kling_mcp.arguments import (
    ApplyEffect,
    ExtendVideo,
    ListEffects,
    ListMotions,
    MotionControl,
    MultiImageVideo,
    OmniVideo,
)
from kling_mcp.results import EffectList, MotionList, TaskResult, effect_list, motion_list, task_result
from kling_mcp.tools.confirm import (
    SpendConfirmation,
    check_confirmation,
    client_roots,
    root_paths,
    spend_confirmation,
)
from kling_mcp.tools.context import AppState, progress_of, service_of
from kling_mcp.tools.generation import NEXT
from kling_mcp.tools.registry import READS, SPENDS, Toolset

toolset = Toolset(
    "video",
    instructions="omni_video (references, elements, frames, editing a clip), multi_image_video, extend_video (clips "
    "past 15 s), motion_control and apply_effect return tasks like generate_video: the same get_task and "
    "download_clean follow.",
)

SPEND = "Returns the task_id at once; costs Kling credits."

OMNI_DESCRIPTION = f"""Kling Omni: one video from references (images @image_1…, elements @element_1…, a video @video_1),
from start/end frames, or an edit of a clip (video_mode transform). {SPEND}
Use it instead of generate_video or animate_image to combine references, keep a character, or change a video.
The video: video (URL or local file) or video_task_id of an earlier task. omni_version v3 (3–15 s, shots) or o1.
{NEXT}"""

MULTI_IMAGE_DESCRIPTION = f"""Combine 1–4 images (people, objects, a place) and elements into one video. {SPEND}
For one start or end frame use animate_image; for @references or a video, omni_video.
Models:
- kling-v1-6: 5 or 10 s, std/pro, aspect_ratio, sound effects if enable_audio
- kling-v3-0: 3–15 s, std/pro, elements, audio always on, aspect ratio from the images
{NEXT}"""

EXTEND_DESCRIPTION = f"""Continue a succeeded video task by a few seconds, as a new task. {SPEND}
For a clip longer than 15 s, extend the result again. To change a clip rather than continue it, use omni_video.
{NEXT}"""

MOTION_DESCRIPTION = f"""Make the person in an image move like a reference video (a dance, a gesture). {SPEND}
motion: a 3–30 s video URL (list_motions has templates) or a local 3–30 s MP4/MOV.
For motion described in a prompt, use animate_image.
Models:
- kling-v3-0: std/pro, element keeps the character
- kling-v2-6: std/pro
{NEXT}"""

EFFECT_DESCRIPTION = f"""Apply a named Kling effect (list_effects) to one image, as a short video. {SPEND}
For motion described in a prompt, use animate_image.
{NEXT}"""

MOTIONS_DESCRIPTION = """List motion videos for motion_control: Kling's templates, or the account's own with mine=true.
Free to call."""

EFFECTS_DESCRIPTION = "List the effect names apply_effect takes. Free to call."


@toolset.tool(
    OmniVideo, title="Omni video: references, frames, editing", description=OMNI_DESCRIPTION, annotations=SPENDS
)
async def omni_video(
    args: OmniVideo,
    ctx: Context[AppState],
    confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(spend_confirmation(OmniVideo))],
    roots: Annotated[ListRootsResult | None, Resolve(client_roots(OmniVideo))],
) -> TaskResult:
    check_confirmation(confirmation)
    report = await service_of(ctx).create(args, progress=progress_of(ctx), roots=root_paths(roots))
    return task_result(report)


@toolset.tool(
    MultiImageVideo, title="Video from several images", description=MULTI_IMAGE_DESCRIPTION, annotations=SPENDS
)
async def multi_image_video(
    args: MultiImageVideo,
    ctx: Context[AppState],
    confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(spend_confirmation(MultiImageVideo))],
    roots: Annotated[ListRootsResult | None, Resolve(client_roots(MultiImageVideo))],
) -> TaskResult:
    check_confirmation(confirmation)
    report = await service_of(ctx).create(args, progress=progress_of(ctx), roots=root_paths(roots))
    return task_result(report)


@toolset.tool(ExtendVideo, title="Extend a video", description=EXTEND_DESCRIPTION, annotations=SPENDS)
async def extend_video(
    args: ExtendVideo,
    ctx: Context[AppState],
    confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(spend_confirmation(ExtendVideo))],
) -> TaskResult:
    check_confirmation(confirmation)
    return task_result(await service_of(ctx).create(args, progress=progress_of(ctx)))


@toolset.tool(MotionControl, title="Motion control", description=MOTION_DESCRIPTION, annotations=SPENDS)
async def motion_control(
    args: MotionControl,
    ctx: Context[AppState],
    confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(spend_confirmation(MotionControl))],
    roots: Annotated[ListRootsResult | None, Resolve(client_roots(MotionControl))],
) -> TaskResult:
    check_confirmation(confirmation)
    report = await service_of(ctx).create(args, progress=progress_of(ctx), roots=root_paths(roots))
    return task_result(report)


@toolset.tool(ListMotions, title="List motions", description=MOTIONS_DESCRIPTION, annotations=READS)
async def list_motions(args: ListMotions, ctx: Context[AppState]) -> MotionList:
    return motion_list(await service_of(ctx).list_motions(args), mine=args.mine)


@toolset.tool(ApplyEffect, title="Apply an effect to an image", description=EFFECT_DESCRIPTION, annotations=SPENDS)
async def apply_effect(
    args: ApplyEffect,
    ctx: Context[AppState],
    confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(spend_confirmation(ApplyEffect))],
    roots: Annotated[ListRootsResult | None, Resolve(client_roots(ApplyEffect))],
) -> TaskResult:
    check_confirmation(confirmation)
    report = await service_of(ctx).create(args, progress=progress_of(ctx), roots=root_paths(roots))
    return task_result(report)


@toolset.tool(ListEffects, title="List effects", description=EFFECTS_DESCRIPTION, annotations=READS)
async def list_effects(args: ListEffects, ctx: Context[AppState]) -> EffectList:
    return effect_list(await service_of(ctx).list_effects(args))
