"""What the account family's tools answer: list_jobs' rows (the ledger, the account's task history, or both),
delete_task, get_capacity, stop_tracking, list_uploads and delete_uploads. Rendering only: the facts come from
``jobs/account.py``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from kling_mcp.jobs.account import (
    AccountTask,
    CapacityReport,
    JobListing,
    JobRow,
    TaskDeletion,
    TrackingStop,
    UploadsDeletion,
    UploadsPage,
    iso_from_ms,
)
from kling_mcp.jobs.ledger import DownloadRecord

# reference §4.3 (useapi's DELETE /scheduler/{task_id}: the task "keeps running at Kling (and is charged)").
KEEPS_BILLING = "Kling keeps running the task and bills it"


# --- list_jobs ------------------------------------------------------------------------------------------------------


class WorkInfo(BaseModel):
    work_id: int = Field(description="Pass to download_clean as work_id.")
    content_type: str | None = Field(default=None, description="video, image or audio.")
    url: str | None = Field(default=None, description="The WATERMARKED preview; download_clean saves the clean file.")
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None


class ListedJob(BaseModel):
    """One row of list_jobs: the ledger's facts when it has the task, the account's history otherwise."""

    source: Literal["ledger", "account", "both"] = Field(
        description="ledger: recorded by this server only; account: in the account's task history only (made "
        "elsewhere, or not recorded); both: in both, the ledger's facts kept."
    )
    id: int | None = Field(default=None, description="The ledger row id; null for a task of the account only.")
    task_id: int | None = Field(description="Kling task id; null while submitting or when the outcome is unknown.")
    state: str
    kind: str | None = Field(default=None, description="The ledger's kind, else Kling's task type.")
    model_name: str | None = None
    prompt: str | None = None
    email: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    status: int | None = None
    status_name: str | None = None
    error: str | None = None
    idempotency_key: str | None = None
    credits_estimated: float | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    videos: list[dict[str, Any]] = Field(default_factory=list)
    downloads: dict[str, DownloadRecord] = Field(default_factory=dict)
    batch: str | None = None
    path: str | None = Field(default=None, description="The local file of the first download, clean preferred.")
    download_error: str | None = None
    works: list[WorkInfo] = Field(
        default_factory=list, description="The task's outputs as the account's history lists them (account and both)."
    )


def _works(task: AccountTask | None) -> list[WorkInfo]:
    if task is None:
        return []
    return [
        WorkInfo(
            work_id=w.work_id,
            content_type=w.content_type,
            url=w.url,
            duration_s=w.duration_s,
            width=w.width,
            height=w.height,
        )
        for w in task.works
    ]


def listed_job(row: JobRow) -> ListedJob:
    task = row.task
    if row.job is not None:
        values = row.job.model_dump()
        values.update(source=row.source, state=row.state, works=_works(task))
        if task is not None and row.state != row.job.state:  # the account has seen the task end; the ledger not yet
            values.update(status=task.status, status_name=task.status_name)
        values["kind"] = values.get("kind") or (task.kind if task else None)
        return ListedJob.model_validate(values)
    assert task is not None
    return ListedJob(
        source=row.source,
        task_id=task.task_id,
        state=row.state,
        kind=task.kind,
        model_name=task.model_name,
        prompt=task.prompt,
        email=task.email,
        created_at=task.created_at,
        updated_at=task.updated_at,
        status=task.status,
        status_name=task.status_name,
        works=_works(task),
    )


class ListedJobs(BaseModel):
    jobs: list[ListedJob]
    source: Literal["ledger", "account", "all"] = Field(description="Where the rows come from (the source asked).")
    accounts: list[str] = Field(default_factory=list, description="The accounts whose task history was read.")
    warnings: list[str] = Field(default_factory=list, description="Histories that could not be read.")

    def summary(self) -> str:
        lines = list(self.warnings)
        if not self.jobs:
            lines.append("No jobs recorded." if self.source == "ledger" else "No jobs or account tasks found.")
            return "\n".join(lines)
        lines.append(f"{len(self.jobs)} job(s), newest first:")
        for job in self.jobs:
            where = f" -> {job.path}" if job.path else ""
            task = f"task {job.task_id}" if job.task_id is not None else f"ledger job {job.id} (no task id)"
            mark = "" if self.source == "ledger" else f" [{job.source}]"
            lines.append(f"- {task}{mark}: {job.state} {job.model_name or job.kind or ''} {job.created_at}{where}")
            if job.state in ("unknown", "rejected", "failed") and job.error:
                lines.append(f"  reason: {job.error}")
            if job.download_error:
                lines.append(f"  last download failure: {job.download_error}")
            if job.works and not job.path:
                shown = ", ".join(f"{w.work_id} ({w.content_type or 'file'})" for w in job.works[:5])
                lines.append(f"  works: {shown}")
        if self.source != "ledger":
            lines.append("download_clean(task_id, work_id) saves any of them; delete_task removes one at Kling.")
        return "\n".join(lines)


def listed_jobs(listing: JobListing) -> ListedJobs:
    return ListedJobs(
        jobs=[listed_job(row) for row in listing.rows],
        source=listing.source,
        accounts=listing.accounts,
        warnings=listing.warnings,
    )


# --- delete_task ----------------------------------------------------------------------------------------------------


class DeletedTask(BaseModel):
    task_id: int
    email: str
    deleted: bool = Field(description="True: deleted now. False: Kling had nothing to delete (already gone).")
    deleted_works: int | None = Field(default=None, description="How many works Kling deleted, as useapi reports.")
    work_ids: list[int] = Field(default_factory=list)
    reason: str | None = Field(default=None, description="useapi's words when there was nothing to delete.")
    local_files: list[str] = Field(default_factory=list, description="Files saved earlier: they are kept.")

    def summary(self) -> str:
        if not self.deleted:
            said = f' (useapi: "{self.reason}")' if self.reason else ""
            return (
                f"Task {self.task_id} has nothing to delete at Kling{said}: it was already deleted, or never had works."
            )
        works = f"{self.deleted_works} work(s)" if self.deleted_works is not None else "its works"
        text = f"Deleted task {self.task_id} and {works} from the Kling account {self.email}, for good."
        if self.local_files:
            text += f" The files saved earlier are kept: {', '.join(self.local_files)}."
        return text


def deleted_task(deletion: TaskDeletion) -> DeletedTask:
    return DeletedTask(
        task_id=deletion.task_id,
        email=deletion.email,
        deleted=not deletion.already_gone,
        deleted_works=deletion.deleted_works,
        work_ids=deletion.work_ids,
        reason=deletion.upstream,
        local_files=deletion.local_files,
    )


# --- get_capacity, stop_tracking ------------------------------------------------------------------------------------


class AccountCapacity(BaseModel):
    email: str | None
    max_jobs: int | None = Field(default=None, description="Jobs the account may run at once (maxJobs).")
    running: int | None = Field(default=None, description="Jobs running now.")
    free: int | None = Field(default=None, description="Free job slots: a create is accepted while this is above 0.")


class RunningInfo(BaseModel):
    task_id: int | None
    email: str | None = None
    started: str | None = None
    elapsed: str | None = Field(default=None, description="MM:SS since it started, as useapi reports.")
    recorded: bool = Field(default=False, description="True when this server's ledger has the task.")
    model_name: str | None = None
    prompt: str | None = None


class CapacityResult(BaseModel):
    accounts: list[AccountCapacity]
    running: list[RunningInfo] = Field(description="Tasks useapi is tracking; each holds a job slot.")
    next_step: str

    def summary(self) -> str:
        lines = [
            f"- {a.email}: {_shown(a.free)} free of {_shown(a.max_jobs)} job slots ({_shown(a.running)} running)"
            for a in self.accounts
        ] or ["useapi reported no accounts."]
        for task in self.running:
            what = f" {task.model_name or ''} {(task.prompt or '')[:60]!r}" if task.recorded else " (not in the ledger)"
            lines.append(f"  running: task {task.task_id} on {task.email}, {task.elapsed or '?'} elapsed{what}")
        lines.append(self.next_step)
        return "\n".join(lines)


def _shown(value: int | None) -> str:
    return "?" if value is None else str(value)


def capacity_result(report: CapacityReport) -> CapacityResult:
    running = [
        RunningInfo(
            task_id=item.task.id,
            email=item.task.email,
            started=item.task.started,
            elapsed=item.task.elapsed,
            recorded=item.job is not None,
            model_name=item.job.model_name if item.job else None,
            prompt=item.job.prompt if item.job else None,
        )
        for item in report.running
    ]
    accounts = [
        AccountCapacity(email=a.email, max_jobs=a.maxJobs, running=a.executing, free=a.free) for a in report.accounts
    ]
    full = bool(accounts) and all(a.free is not None and a.free <= 0 for a in accounts)
    step = (
        "Every job slot is busy: a new create waits for one (useapi answers 429). A task stuck for long can be "
        f"released with stop_tracking ({KEEPS_BILLING.lower()})."
        if full
        else "A create is accepted while an account has a free slot; pass its email to use that one."
    )
    return CapacityResult(accounts=accounts, running=running, next_step=step)


class TrackingStopped(BaseModel):
    task_id: int
    stopped: bool = Field(description="True: useapi stopped tracking it now. False: it was not tracking it.")
    still_running_at_kling: Literal[True] = Field(
        default=True, description="Always true: stopping the tracking neither cancels nor refunds the task."
    )
    email: str | None = None
    reason: str | None = Field(default=None, description="useapi's words when it was not tracking the task.")

    def summary(self) -> str:
        if not self.stopped:
            said = f' (useapi: "{self.reason}")' if self.reason else ""
            return (
                f"useapi was not tracking task {self.task_id}{said}: nothing to stop. It has finished, was released "
                "already, or is not a running task."
            )
        return (
            f"useapi stopped tracking task {self.task_id}; its job slot is free. {KEEPS_BILLING} (nothing is "
            "cancelled or refunded); get_task still reads it."
        )


def tracking_stopped(stop: TrackingStop) -> TrackingStopped:
    return TrackingStopped(task_id=stop.task_id, stopped=stop.was_tracked, email=stop.email, reason=stop.upstream)


# --- list_uploads, delete_uploads -----------------------------------------------------------------------------------


class UploadInfo(BaseModel):
    id: str = Field(description="Pass to delete_uploads.")
    name: str | None = None
    content_type: str | None = None
    url: str | None = None
    duration_s: float | None = None
    uploaded_at: str | None = None


class UploadList(BaseModel):
    email: str
    uploads: list[UploadInfo]
    page: int | None = None
    page_size: int | None = None
    next_step: str

    def summary(self) -> str:
        if not self.uploads:
            return f"No uploaded files on this page ({self.email})."
        lines = [f"{len(self.uploads)} uploaded file(s) of {self.email}, newest first:"]
        for upload in self.uploads:
            lines.append(f"- {upload.id}: {upload.name or '?'} ({upload.content_type or 'file'}) {upload.url or ''}")
        lines.append(self.next_step)
        return "\n".join(lines)


def upload_list(page: UploadsPage) -> UploadList:
    uploads = [
        UploadInfo(
            id=asset.id or "",
            name=asset.name,
            content_type=asset.contentType,
            url=asset.resource.resource if asset.resource else None,
            duration_s=None
            if asset.resource is None or not asset.resource.duration
            else round(asset.resource.duration / 1000, 3),  # milliseconds (reference §7.3 sample: 9040)
            uploaded_at=iso_from_ms(asset.createTime),
        )
        for asset in page.assets
    ]
    step = "delete_uploads(ids=[...]) removes files no longer needed (up to 10 at a time)."
    size = page.page_size or 20  # GET /assets/uploaded/ pages hold 20 by default (Postman)
    if len(uploads) >= size:
        step += f" More may follow: call list_uploads with page={(page.page or 1) + 1}."
    return UploadList(email=page.email, uploads=uploads, page=page.page, page_size=page.page_size, next_step=step)


class DeletedUploads(BaseModel):
    email: str
    asked: list[str] = Field(description="The ids asked for.")
    deleted: int | None = Field(default=None, description="How many useapi reports deleted.")
    ids: list[str] = Field(default_factory=list, description="The ids useapi reports deleted.")

    def summary(self) -> str:
        count = self.deleted if self.deleted is not None else len(self.ids)
        text = f"Deleted {count} of {len(self.asked)} uploaded file(s) of {self.email}, for good."
        missing = [i for i in self.asked if self.ids and i not in self.ids]
        if missing:
            text += f" Not deleted (not found): {', '.join(missing)}."
        return text


def deleted_uploads(deletion: UploadsDeletion) -> DeletedUploads:
    return DeletedUploads(email=deletion.email, asked=deletion.asked, deleted=deletion.deleted, ids=deletion.ids)


__all__ = [
    "KEEPS_BILLING",
    "AccountCapacity",
    "CapacityResult",
    "DeletedTask",
    "DeletedUploads",
    "ListedJob",
    "ListedJobs",
    "RunningInfo",
    "TrackingStopped",
    "UploadInfo",
    "UploadList",
    "WorkInfo",
    "capacity_result",
    "deleted_task",
    "deleted_uploads",
    "listed_job",
    "listed_jobs",
    "tracking_stopped",
    "upload_list",
]
