"""Following a task: get_task, download_clean, list_jobs, and the resources of the job ledger (kling://jobs/{task_id},
kling://videos/{task_id}/{work_id}) with their completions."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import anyio.to_thread
from mcp import MCPError
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import INVALID_PARAMS

from kling_mcp.arguments import MAX_ID, DownloadClean, GetTask, ListJobs
from kling_mcp.results import DownloadResult, ListedJobs, TaskResult, download_result, listed_jobs, task_result
from kling_mcp.tools.context import AppState, progress_of, service_of
from kling_mcp.tools.registry import READS, WRITES_FILE, Toolset

toolset = Toolset("core")

JOB_TEMPLATE = "kling://jobs/{task_id}"
VIDEO_TEMPLATE = "kling://videos/{task_id}/{work_id}"
MAX_VIDEO_RESOURCE_BYTES = 8 * 2**20
"""Largest video served as a resource. A resource read is answered in one JSON message with the bytes base64-encoded
(a third larger), so a 300 MB video would take over a gigabyte of memory and choke most clients."""


@toolset.tool(GetTask, title="Check a generation", annotations=READS)
async def get_task(args: GetTask, ctx: Context[AppState]) -> TaskResult:
    """Get a generation's state; with wait_seconds, wait server-side (capped, with progress) until it is final.

    A failed task is a normal result (state "failed" with the reason). While not final, the result says when
    to call again. Once succeeded, call download_clean: the url here is the watermarked preview."""
    report = await service_of(ctx).get_task(
        args.task_id, args.email, wait_seconds=args.wait_seconds, progress=progress_of(ctx)
    )
    return task_result(report)


@toolset.tool(DownloadClean, title="Download the watermark-free video", annotations=WRITES_FILE)
async def download_clean(args: DownloadClean, ctx: Context[AppState]) -> DownloadResult:
    """Save the clean (watermark-free) master of a finished task (MP4, PNG, MP3 or WAV) into the output folder.

    The result says clean=true for the master; clean=false means the account could not have it (a free Kling
    plan) and the saved file is the WATERMARKED preview, with the reason. Refuses unfinished or failed tasks.
    Calling it again returns the file already saved."""
    download = await service_of(ctx).download_clean(
        args.task_id, args.work_id, save=args.save, email=args.email, overwrite=args.overwrite
    )
    return download_result(download)


@toolset.tool(ListJobs, title="List recorded generations", annotations=READS)
async def list_jobs(args: ListJobs, ctx: Context[AppState]) -> ListedJobs:
    """List the generations this server has submitted (kept across restarts): task ids, states, prompts and
    local files, or (source) the account's own tasks. Use it to find a task_id that a timed-out call did not return.
    Free to call."""
    return listed_jobs(await service_of(ctx).find_jobs(args))


@toolset.resource(JOB_TEMPLATE, title="A recorded generation", mime_type="application/json")
async def job_resource(task_id: str, ctx: Context[AppState]) -> str:
    job = await service_of(ctx).job(_id(task_id, "task_id"))
    if job is None:
        raise ResourceNotFoundError(f"No job with task_id {task_id} in the ledger.")
    return job.model_dump_json(indent=2)


@toolset.resource(
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


@toolset.completer(JOB_TEMPLATE)
async def complete_job(state: AppState, _variable: str, _chosen: Mapping[str, str]) -> list[str]:
    """task_id: the ledger's tasks, newest first."""
    jobs = await state.service.list_jobs(limit=500)
    return [str(job.task_id) for job in jobs if job.task_id is not None]


@toolset.completer(VIDEO_TEMPLATE)
async def complete_video(state: AppState, variable: str, chosen: Mapping[str, str]) -> list[str]:
    """task_id: the tasks with a downloaded video, newest first; work_id: their downloaded works (of the chosen
    task_id, when one is chosen)."""
    jobs = [job for job in await state.service.list_jobs(limit=500) if any(r.path for r in job.downloads.values())]
    if variable == "task_id":
        return [str(job.task_id) for job in jobs if job.task_id is not None]
    task = chosen.get("task_id")
    return [
        work_id
        for job in jobs
        if task is None or str(job.task_id) == task
        for work_id, record in job.downloads.items()
        if record.path
    ]


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
