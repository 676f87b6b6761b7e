"""Core video generation: generate_video (text to video) and animate_image (frames to video). Both spend credits.
The other ways of making a video are the "video" toolset (``tools/video.py``)."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context, ElicitationResult, Resolve
from mcp.types import ListRootsResult

from kling_mcp import catalog
from kling_mcp.arguments import AnimateImage, GenerateVideo
from kling_mcp.results import TaskResult, task_result
from kling_mcp.tools.confirm import (
    SpendConfirmation,
    check_confirmation,
    client_roots,
    root_paths,
    spend_confirmation,
)
from kling_mcp.tools.context import AppState, progress_of, service_of
from kling_mcp.tools.registry import SPENDS, Toolset

toolset = Toolset("core")


def models_line(names: tuple[str, ...]) -> str:
    """One model a line; the catalog's summaries are phrases, so their own end punctuation is dropped."""
    return "".join(f"\n- {n}: {catalog.MODELS[n].summary.rstrip('.;, ')}" for n in names)


NEXT = "Then get_task(task_id, wait_seconds=50) until final, then download_clean(task_id)."

GENERATE_DESCRIPTION = f"""Start a Kling text-to-video generation and return its task_id at once.
Costs Kling credits (the result says the estimate): call only when the user asked for a video. {NEXT}
Several shots in one clip: shots. A character kept across videos: omni_video.
Models:{models_line(catalog.TEXT2VIDEO_MODELS)}
Aspect ratios: {", ".join(catalog.ASPECT_RATIOS)}. Invalid combinations are refused before anything is sent."""

ANIMATE_DESCRIPTION = f"""Animate a still image (start frame `image`, and/or end frame `image_tail`) into a video;
returns the task_id at once. Costs Kling credits. Images: an https URL, a local file path or file:// URL (under the
allowed folders), or a data: URI; local PNG/JPEG (10 MB max) are uploaded to useapi first. The aspect ratio comes
from the image. Several images or reference videos: omni_video or multi_image_video.
{NEXT}
Models:{models_line(catalog.IMAGE2VIDEO_MODELS)}"""


@toolset.tool(GenerateVideo, title="Generate a video from text", description=GENERATE_DESCRIPTION, annotations=SPENDS)
async def generate_video(
    args: GenerateVideo,
    ctx: Context[AppState],
    confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(spend_confirmation(GenerateVideo))],
) -> TaskResult:
    check_confirmation(confirmation)
    return task_result(await service_of(ctx).generate(args, progress=progress_of(ctx)))


@toolset.tool(AnimateImage, title="Animate an image into a video", description=ANIMATE_DESCRIPTION, annotations=SPENDS)
async def animate_image(
    args: AnimateImage,
    ctx: Context[AppState],
    confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(spend_confirmation(AnimateImage))],
    roots: Annotated[ListRootsResult | None, Resolve(client_roots(AnimateImage))],
) -> TaskResult:
    check_confirmation(confirmation)
    report = await service_of(ctx).animate(args, progress=progress_of(ctx), roots=root_paths(roots))
    return task_result(report)
