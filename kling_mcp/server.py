"""The MCP layer: tools, resources and their descriptions. Thin and declarative: each tool parses its arguments,
calls the job logic (``jobs/service.py``) and shapes the result; ``tool_errors`` maps every failure to a tool
error with a stable code in one place.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import anyio.to_thread
from mcp import MCPError
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import Context, ElicitationResult, MCPServer, Resolve
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import (
    INVALID_PARAMS,
    CompleteRequestParams,
    CompleteResult,
    Completion,
    EmptyResult,
    ListRootsResult,
    PromptReference,
    SetLevelRequestParams,
    ToolAnnotations,
)
from pydantic import Field

from kling_mcp import __version__, catalog
from kling_mcp.config import Settings
from kling_mcp.jobs.service import KlingService
from kling_mcp.resolvers import (
    AppState,
    SpendConfirmation,
    check_confirmation,
    client_roots,
    confirm_animate,
    confirm_generate,
    progress_of,
    root_paths,
    service_of,
    set_client_log_level,
)
from kling_mcp.results import BalanceResult, DownloadResult, JobList, ModelList, TaskResult
from kling_mcp.tool_results import KlingMCPServer, tool_errors

logger = logging.getLogger(__name__)

INSTRUCTIONS = """\
Kling AI video generation through the user's own Kling account (useapi.net). Generations take minutes and spend
the user's credits. Workflow: generate_video or animate_image returns a task_id at once (keep it; pass
idempotency_key so a retried call never pays twice) -> get_task(task_id, wait_seconds=50) until final ->
download_clean(task_id) saves the watermark-free master (the url in get_task is the WATERMARKED preview).
list_jobs recovers the task_id of any earlier submission. Read kling://models (or list_models) for what each model
allows and costs. Errors carry a code (invalid_parameter, capacity, moderation_rejected, not_found, ...) and say
what to do next."""


# --- parameter types shared by the tools ---------------------------------------------------------------------------

Email = Annotated[str | None, Field(description="Kling account email; omit to use KLING_EMAIL or the only account.")]
WaitSeconds = Annotated[
    float,
    Field(
        ge=0,
        description="Wait server-side up to this many seconds (capped at the "
        "server's KLING_MCP_WAIT_CAP, default 50) for the task to finish, with progress "
        "notifications. 0 answers at once.",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Field(
        max_length=200,
        description="Any string unique to this request. A "
        "second call with the same key returns the first task instead of "
        "spending credits again.",
    ),
]
Prompt = Annotated[
    str,
    Field(description=f"What the video shows; at most {catalog.MAX_PROMPT} UTF-16 units (an emoji counts 2)."),
]
Mode = Annotated[
    str | None,
    Field(
        description="std (720p), pro (1080p) or 4k (kling-v3-0 only); default std, or pro for pro-only models.",
        json_schema_extra={"enum": ["std", "pro", "4k"]},
    ),
]
Duration = Annotated[
    int | None, Field(description="Seconds: 5 or 10; 3–15 for kling-v3-0 and kling-v3-0-turbo. Default 5.")
]
NegativePrompt = Annotated[str | None, Field(description="What to avoid (1.x models only).")]
CfgScale = Annotated[float | None, Field(description="Prompt adherence 0–1 (1.x models only; upstream default 0.5).")]
EnableAudio = Annotated[
    bool | None,
    Field(
        description="Generate audio. kling-v3-0: on unless false; kling-v2-6: pro "
        "only; kling-v3-0-turbo: always on, do not pass."
    ),
]


MAX_ID = 2**63 - 1  # task and work ids are kept in SQLite INTEGER columns (signed 64-bit): larger ones cannot exist
TaskId = Annotated[
    int, Field(ge=1, le=MAX_ID, description="The task_id from generate_video or animate_image (1 to 2^63-1).")
]
WorkId = Annotated[
    int | None, Field(ge=1, le=MAX_ID, description="Which video of the task (1 to 2^63-1); default the first.")
]


def _models_line(names: tuple[str, ...]) -> str:
    """One model a line; the catalog's summaries are phrases, so their own end punctuation is dropped."""
    return "".join(f"\n- {n}: {catalog.MODELS[n].summary.rstrip('.;, ')}" for n in names)


GENERATE_DESCRIPTION = f"""Start a Kling text-to-video generation and return its task_id at once.
Costs Kling credits (the result says the estimate): call only when the user asked for a video. Then call
get_task(task_id, wait_seconds=50) until final, then download_clean(task_id).
Models:{_models_line(catalog.TEXT2VIDEO_MODELS)}
Aspect ratios: {", ".join(catalog.ASPECT_RATIOS)}. Invalid combinations are refused before anything is sent."""

ANIMATE_DESCRIPTION = f"""Animate a still image (start frame `image`, and/or end frame `image_tail`) into a video;
returns the task_id at once. Costs Kling credits. Images: an https URL, a local file path or file:// URL (under the
allowed folders), or a data: URI; local PNG/JPEG (10 MB max) are uploaded to useapi first. The aspect ratio comes
from the image.
Then call get_task(task_id, wait_seconds=50) until final, then download_clean(task_id).
Models:{_models_line(catalog.IMAGE2VIDEO_MODELS)}"""

SPENDS = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)
READS = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
LOCAL_READS = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
WRITES_FILE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True)


def create_server(settings: Settings) -> KlingMCPServer:
    """Build the MCP server. Nothing is opened until a client connects (the lifespan)."""

    @asynccontextmanager
    async def lifespan(_: MCPServer[AppState]) -> AsyncIterator[AppState]:
        async with KlingService.open(settings) as service:
            yield AppState(service=service)

    mcp = KlingMCPServer(
        "kling-mcp",
        title="Kling AI video (useapi.net)",
        version=__version__,
        instructions=INSTRUCTIONS,
        lifespan=lifespan,
    )

    @mcp.tool(title="Generate a video from text", description=GENERATE_DESCRIPTION, annotations=SPENDS)
    @tool_errors
    async def generate_video(
        prompt: Prompt,
        ctx: Context[AppState],
        model_name: Annotated[
            str, Field(description="Kling model.", json_schema_extra={"enum": list(catalog.TEXT2VIDEO_MODELS)})
        ] = catalog.DEFAULT_TEXT2VIDEO_MODEL,
        aspect_ratio: Annotated[
            str, Field(description="Frame shape.", json_schema_extra={"enum": list(catalog.ASPECT_RATIOS)})
        ] = "16:9",
        mode: Mode = None,
        duration: Duration = None,
        negative_prompt: NegativePrompt = None,
        cfg_scale: CfgScale = None,
        enable_audio: EnableAudio = None,
        email: Email = None,
        idempotency_key: IdempotencyKey = None,
        wait_seconds: WaitSeconds = 0,
        confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(confirm_generate)] = None,  # type: ignore[assignment]
    ) -> TaskResult:
        check_confirmation(confirmation)
        return await service_of(ctx).generate(
            prompt=prompt,
            model_name=model_name,
            aspect_ratio=aspect_ratio,
            mode=mode,
            duration=duration,
            negative_prompt=negative_prompt,
            cfg_scale=cfg_scale,
            enable_audio=enable_audio,
            email=email,
            idempotency_key=idempotency_key,
            wait_seconds=wait_seconds,
            progress=progress_of(ctx),
        )

    @mcp.tool(title="Animate an image into a video", description=ANIMATE_DESCRIPTION, annotations=SPENDS)
    @tool_errors
    async def animate_image(
        ctx: Context[AppState],
        image: Annotated[
            str | None, Field(description="Start frame: https URL, local path, file:// URL or data: URI.")
        ] = None,
        image_tail: Annotated[
            str | None, Field(description="End frame: https URL, local path, file:// URL or data: URI.")
        ] = None,
        prompt: Annotated[str | None, Field(description="How the image moves (optional).")] = None,
        model_name: Annotated[
            str, Field(description="Kling model.", json_schema_extra={"enum": list(catalog.IMAGE2VIDEO_MODELS)})
        ] = catalog.DEFAULT_IMAGE2VIDEO_MODEL,
        mode: Mode = None,
        duration: Duration = None,
        negative_prompt: NegativePrompt = None,
        cfg_scale: CfgScale = None,
        enable_audio: EnableAudio = None,
        aspect_ratio: Annotated[
            str | None, Field(description="Not accepted: image-to-video takes the aspect ratio from the image.")
        ] = None,
        email: Email = None,
        idempotency_key: IdempotencyKey = None,
        wait_seconds: WaitSeconds = 0,
        confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(confirm_animate)] = None,  # type: ignore[assignment]
        roots: Annotated[ListRootsResult | None, Resolve(client_roots)] = None,
    ) -> TaskResult:
        check_confirmation(confirmation)
        return await service_of(ctx).animate(
            image=image,
            image_tail=image_tail,
            prompt=prompt,
            model_name=model_name,
            mode=mode,
            duration=duration,
            negative_prompt=negative_prompt,
            cfg_scale=cfg_scale,
            enable_audio=enable_audio,
            aspect_ratio=aspect_ratio,
            email=email,
            idempotency_key=idempotency_key,
            wait_seconds=wait_seconds,
            progress=progress_of(ctx),
            roots=root_paths(roots),
        )

    @mcp.tool(title="Check a generation", annotations=READS)
    @tool_errors
    async def get_task(
        task_id: TaskId,
        ctx: Context[AppState],
        email: Email = None,
        wait_seconds: WaitSeconds = 0,
    ) -> TaskResult:
        """Get a generation's state; with wait_seconds, wait server-side (capped, with progress) until it is final.

        A failed task is a normal result (state "failed" with the reason). While not final, the result says when
        to call again. Once succeeded, call download_clean: the url here is the watermarked preview."""
        return await service_of(ctx).get_task(task_id, email, wait_seconds=wait_seconds, progress=progress_of(ctx))

    @mcp.tool(title="Download the watermark-free video", annotations=WRITES_FILE)
    @tool_errors
    async def download_clean(
        task_id: TaskId,
        ctx: Context[AppState],
        work_id: WorkId = None,
        save: Annotated[
            bool, Field(description="Save the MP4 into the output folder (default); false only returns the link.")
        ] = True,
        email: Email = None,
        overwrite: Annotated[bool, Field(description="Replace an existing file of the same name.")] = False,
    ) -> DownloadResult:
        """Save the clean (watermark-free) master MP4 of a finished task into the output folder.

        The result says clean=true for the master; clean=false means the account could not have it (a free Kling
        plan) and the saved file is the WATERMARKED preview, with the reason. Refuses unfinished or failed tasks.
        Calling it again returns the file already saved."""
        return await service_of(ctx).download_clean(task_id, work_id, save=save, email=email, overwrite=overwrite)

    @mcp.tool(title="Kling credit balance", annotations=READS)
    @tool_errors
    async def get_balance(ctx: Context[AppState], email: Email = None) -> BalanceResult:
        """Show the Kling account's remaining credits (as useapi reports them), its credit grants with their expiry,
        and how many jobs it may run at once. Free to call."""
        return await service_of(ctx).balance(email)

    @mcp.tool(title="List recorded generations", annotations=LOCAL_READS)
    @tool_errors
    async def list_jobs(
        ctx: Context[AppState],
        state: Annotated[
            str | None,
            Field(
                description="Only jobs in this state.",
                json_schema_extra={
                    "enum": ["submitting", "queued", "running", "succeeded", "failed", "rejected", "unknown"]
                },
            ),
        ] = None,
        since: Annotated[str | None, Field(description="Only jobs created at or after this ISO 8601 time.")] = None,
        limit: Annotated[int, Field(ge=1, le=500, description="At most this many, newest first.")] = 20,
    ) -> JobList:
        """List the generations this server has submitted (kept across restarts): task ids, states, prompts and
        local files. Use it to find a task_id that a timed-out call did not return. Free to call."""
        return JobList(jobs=await service_of(ctx).list_jobs(state=state, since=since, limit=limit))

    @mcp.tool(title="List Kling models", annotations=LOCAL_READS)
    @tool_errors
    async def list_models() -> ModelList:
        """What each Kling model allows (durations, modes, audio, parameters) and what it costs in credits."""
        return ModelList.model_validate(catalog.catalog_document())

    @mcp.resource(
        "kling://models",
        title="Kling models",
        mime_type="application/json",
        description="Every model's durations, modes, audio rules, parameters and credit rates.",
    )
    def models_resource() -> str:
        return json.dumps(catalog.catalog_document(), indent=2)

    @mcp.resource(JOB_TEMPLATE, title="A recorded generation", mime_type="application/json")
    async def job_resource(task_id: str, ctx: Context[AppState]) -> str:
        job = await service_of(ctx).job(_id(task_id, "task_id"))
        if job is None:
            raise ResourceNotFoundError(f"No job with task_id {task_id} in the ledger.")
        return job.model_dump_json(indent=2)

    @mcp.resource(
        VIDEO_TEMPLATE,
        title="A downloaded video",
        mime_type="video/mp4",
        description=f"A downloaded MP4 of up to {MAX_VIDEO_RESOURCE_BYTES // 2**20} MB; larger files are refused with "
        "their local path (MCP resources are sent whole, base64-encoded, so they cannot stream).",
    )
    async def video_resource(task_id: str, work_id: str, ctx: Context[AppState]) -> bytes:
        task, work = _id(task_id, "task_id"), _id(work_id, "work_id")
        job = await service_of(ctx).job(task)
        record = None if job is None else job.downloads.get(str(work))
        if record is None or record.path is None:
            raise ResourceNotFoundError(f"Task {task_id} work {work_id} has not been downloaded.")
        return await anyio.to_thread.run_sync(_read_video, Path(record.path), f"kling://videos/{task_id}/{work_id}")

    # Protocol methods MCPServer has no decorator for (its completion decorator does not see the lifespan state).
    mcp.add_request_handler("completion/complete", CompleteRequestParams, _complete)
    mcp.add_request_handler("logging/setLevel", SetLevelRequestParams, _set_log_level)
    return mcp


JOB_TEMPLATE = "kling://jobs/{task_id}"
VIDEO_TEMPLATE = "kling://videos/{task_id}/{work_id}"
MAX_VIDEO_RESOURCE_BYTES = 8 * 2**20
"""Largest video served as a resource. A resource read is answered in one JSON message with the bytes base64-encoded
(a third larger), so a 300 MB video would take over a gigabyte of memory and choke most clients."""
MAX_COMPLETIONS = 100  # the spec's limit on completion values in one answer


def _id(value: str, name: str) -> int:
    """A task or work id from a resource URI; anything else is not found (never a crash in the ledger)."""
    try:
        number = int(value)
    except ValueError:
        raise ResourceNotFoundError(f"Not a {name}: {value!r} (a whole number from 1 to 2^63-1).") from None
    if not 1 <= number <= MAX_ID:
        raise ResourceNotFoundError(f"Not a {name}: {value} is outside 1 to 2^63-1.")
    return number


def _read_video(path: Path, uri: str) -> bytes:
    """The file's bytes when it is small enough to send whole; else an error with its local path and size."""
    try:
        size = path.stat().st_size
        if size <= MAX_VIDEO_RESOURCE_BYTES:
            with path.open("rb") as fh:
                data = fh.read(MAX_VIDEO_RESOURCE_BYTES + 1)  # bounded even if the file grew since stat
            if len(data) <= MAX_VIDEO_RESOURCE_BYTES:
                return data
            size = len(data)
    except FileNotFoundError:
        raise ResourceNotFoundError(
            f"The video of {uri} was saved to {path}, but that file no longer exists."
        ) from None
    raise MCPError(
        code=INVALID_PARAMS,
        message=f"The video is too large to send as an MCP resource: {size / 2**20:.1f} MB, over the "
        f"{MAX_VIDEO_RESOURCE_BYTES // 2**20} MB limit. It is saved at {path}: open it there.",
        data={"uri": uri, "path": str(path), "bytes": size, "limit_bytes": MAX_VIDEO_RESOURCE_BYTES},
    )


async def _set_log_level(ctx: ServerRequestContext[AppState], params: SetLevelRequestParams) -> EmptyResult:
    """logging/setLevel (protocol versions up to 2025-11-25): the least level of the log messages the client gets."""
    set_client_log_level(ctx.session, params.level)
    return EmptyResult()


async def _complete(ctx: ServerRequestContext[AppState], params: CompleteRequestParams) -> CompleteResult:
    """completion/complete: the task_id (and work_id) of the resource templates, from the ledger, newest first.

    The spec has completions for prompt arguments and resource-template variables only; kling-mcp has no prompts."""
    return CompleteResult(completion=await _completion(ctx.lifespan_context, params))


async def _completion(state: AppState, params: CompleteRequestParams) -> Completion:
    ref, argument = params.ref, params.argument
    if isinstance(ref, PromptReference):
        raise MCPError(code=INVALID_PARAMS, message=f"Unknown prompt: {ref.name!r} (kling-mcp has no prompts).")
    if ref.uri not in (JOB_TEMPLATE, VIDEO_TEMPLATE):
        raise MCPError(
            code=INVALID_PARAMS,
            message=f"Unknown resource template: {ref.uri!r}. Templates: {JOB_TEMPLATE}, {VIDEO_TEMPLATE}.",
        )
    if argument.name not in ("task_id", "work_id") or (argument.name == "work_id" and ref.uri == JOB_TEMPLATE):
        raise MCPError(code=INVALID_PARAMS, message=f"{ref.uri} has no variable {argument.name!r}.")
    jobs = await state.service.list_jobs(limit=500)
    if ref.uri == VIDEO_TEMPLATE:
        jobs = [job for job in jobs if any(record.path for record in job.downloads.values())]
    if argument.name == "task_id":
        candidates = [str(job.task_id) for job in jobs if job.task_id is not None]
    else:
        chosen = (params.context.arguments or {}).get("task_id") if params.context else None
        candidates = [
            work_id
            for job in jobs
            if chosen is None or str(job.task_id) == chosen
            for work_id, record in job.downloads.items()
            if record.path
        ]
    matches = list(dict.fromkeys(c for c in candidates if c.startswith(argument.value)))
    return Completion(values=matches[:MAX_COMPLETIONS], total=len(matches), has_more=len(matches) > MAX_COMPLETIONS)
