"""The account's own side of the service (``AccountJobs``, a mixin of KlingService): its task history merged with the
job ledger (list_jobs' ``source``), deleting a task, useapi's job slots (capacity, stop tracking), the uploaded
files, and KLING_MCP_ACCOUNT_CHOICE's pick of the account with the most free job slots for a spending call.

It knows nothing of MCP; every failure is a KlingError with a code. Upstream facts: reference §4 (scheduler), §6.3
(GET /tasks), §6.4 (DELETE /tasks/{id}), §7.3 (uploaded files).
"""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from kling_mcp.api.account import (
    AccountSlots,
    HistoryEntry,
    RunningTask,
    TaskDeleted,
    UploadedAsset,
    upload_ids,
)
from kling_mcp.api.errors import AccountError, InvalidParameterError, KlingError, NotFoundError
from kling_mcp.api.models import FAILURE_STATUSES, STATUS_SUBMITTED, STATUS_SUCCEED, SUCCEED_NAME
from kling_mcp.arguments.account_tools import DeleteTask, DeleteUploads, ListUploads, StopTracking
from kling_mcp.arguments.tasks import ListJobs
from kling_mcp.jobs.ledger import SINCE_EXAMPLES, Job, JobState, LedgerUnavailableError, parse_since

if TYPE_CHECKING:
    from kling_mcp.api.client import KlingClient
    from kling_mcp.config import Settings
    from kling_mcp.jobs.ledger import Ledger
    from kling_mcp.jobs.waiting import TaskWatcher

logger = logging.getLogger(__name__)

RowSource = Literal["ledger", "account", "both"]
FINAL_STATES: frozenset[str] = frozenset({"succeeded", "failed", "rejected"})


# --- what the service answers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountWork:
    """One output of a task in the account's history: pass ``work_id`` to download_clean."""

    work_id: int
    content_type: str | None
    url: str | None  # the WATERMARKED preview (works[].resource.resource)
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class AccountTask:
    """A task of the account's history (GET /tasks), read from its entry."""

    task_id: int
    email: str
    state: JobState
    status: int | None
    status_name: str | None
    kind: str | None  # Kling's task type, such as m2v_img2video_hq
    model_name: str | None
    prompt: str | None
    created_at: str | None
    updated_at: str | None
    works: list[AccountWork] = field(default_factory=list)


@dataclass(frozen=True)
class JobRow:
    """One row of list_jobs: a ledger job, an account task, or both (the same task_id). ``source`` says which."""

    source: RowSource
    job: Job | None = None
    task: AccountTask | None = None

    @property
    def task_id(self) -> int | None:
        return self.task.task_id if self.task is not None else self.job.task_id if self.job is not None else None

    @property
    def created_at(self) -> str | None:
        return self.job.created_at if self.job is not None else self.task.created_at if self.task else None

    @property
    def state(self) -> str:
        """The ledger's state, unless the ledger has not seen the task end and the account (read just now) has."""
        if self.job is not None and (
            self.task is None or self.job.state in FINAL_STATES or self.task.state == "unknown"
        ):
            return self.job.state
        assert self.task is not None
        return self.task.state


@dataclass
class JobListing:
    """list_jobs' answer: the rows, newest first, and what could not be read (an account whose history failed)."""

    rows: list[JobRow]
    source: Literal["ledger", "account", "all"]
    accounts: list[str] = field(default_factory=list)  # the accounts whose history was read
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TaskDeletion:
    task_id: int
    email: str
    deleted_works: int | None
    work_ids: list[int]
    already_gone: bool = False
    upstream: str | None = None  # useapi's words when it found nothing to delete
    local_files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RunningJob:
    """A task useapi is tracking (holding a job slot), with what the ledger knows of it."""

    task: RunningTask
    job: Job | None = None


@dataclass(frozen=True)
class CapacityReport:
    accounts: list[AccountSlots]
    running: list[RunningJob]


@dataclass(frozen=True)
class TrackingStop:
    task_id: int
    was_tracked: bool
    email: str | None = None  # the account whose slot was freed, when useapi listed it
    upstream: str | None = None


@dataclass(frozen=True)
class UploadsPage:
    email: str
    assets: list[UploadedAsset]
    page: int | None
    page_size: int | None


@dataclass(frozen=True)
class UploadsDeletion:
    email: str
    asked: list[str]
    deleted: int | None
    ids: list[str]


# --- reading the account's history ----------------------------------------------------------------------------------


def iso_from_ms(epoch_ms: int | None) -> str | None:
    if epoch_ms is None:
        return None
    try:
        return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return None


def _epoch_ms(value: str, parameter: str) -> int:
    """An ISO 8601 moment (naive = UTC) as epoch milliseconds, as GET /tasks takes createdBefore/createdAfter."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except (ValueError, TypeError, AttributeError):
        raise InvalidParameterError(parameter, value, "not an ISO 8601 date or time", SINCE_EXAMPLES) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def entry_state(entry: HistoryEntry) -> JobState:
    """The state of a history entry by the rule useapi's scripts use (final + "succeed" = success, any other final =
    failure; reference §6.1), from the status code when ``status_final`` is missing."""
    final, status, name = entry.final, entry.status_code, entry.state_name
    if final is None and status is not None:
        final = status == STATUS_SUCCEED or status in FAILURE_STATUSES
    if final:
        return "succeeded" if name == SUCCEED_NAME or (name is None and status == STATUS_SUCCEED) else "failed"
    if status is None and name is None:
        return "unknown"
    return "queued" if status == STATUS_SUBMITTED else "running"


def account_task(entry: HistoryEntry, email: str) -> AccountTask:
    task_id = entry.task_id
    assert task_id is not None  # TaskHistory.entries keeps only entries that name their task
    works = [
        AccountWork(
            work_id=work.workId,
            content_type=work.contentType,
            url=work.resource.resource if work.resource is not None else None,
            # useapi gives durations in milliseconds (reference §6.1: "duration (ms, e.g. 5041)")
            duration_s=None
            if work.resource is None or work.resource.duration is None
            else round(work.resource.duration / 1000, 3),
            width=work.resource.width if work.resource is not None else None,
            height=work.resource.height if work.resource is not None else None,
        )
        for work in entry.works
        if work.workId is not None
    ]
    return AccountTask(
        task_id=task_id,
        email=email,
        state=entry_state(entry),
        status=entry.status_code,
        status_name=entry.state_name,
        kind=entry.kind,
        # taskInfo.arguments carries the request (reference §6.1 sample: prompt, duration, kling_version)
        model_name=entry.argument("model_name") or entry.argument("kling_version"),
        prompt=entry.argument("prompt"),
        created_at=iso_from_ms(entry.created_ms),
        updated_at=iso_from_ms(entry.updated_ms),
        works=works,
    )


def _upstream_words(exc: KlingError) -> str | None:
    said = exc.details.get("upstream_message")
    return said if isinstance(said, str) and said else None


# --- the mixin ------------------------------------------------------------------------------------------------------


class AccountJobs:
    """Service methods of the account family. Mixed into KlingService, whose client, ledger and account logic they
    use."""

    if TYPE_CHECKING:
        settings: Settings
        client: KlingClient
        ledger: Ledger
        watcher: TaskWatcher
        _default_email: str | None

        def _require_token(self) -> None: ...

        async def resolve_email(self, email: str | None, *, task_id: int | None = None) -> str: ...

        async def _accounts(self) -> list[str]: ...

        def _known_account(self, email: str) -> AbstractAsyncContextManager[None]: ...

    # --- list_jobs ---

    async def find_jobs(self, args: ListJobs) -> JobListing:
        """list_jobs: the ledger's jobs (``source`` "ledger", nothing sent upstream), the account's history (GET /tasks
        of KLING_EMAIL's account, else of every account), or both merged by task_id (a task in both is one row whose
        ledger facts are kept, ``source`` "both"). Newest first, at most ``limit``."""
        if args.content_type is not None and args.source == "ledger":
            raise InvalidParameterError(
                "content_type",
                args.content_type,
                "it filters the account's task history, which source='ledger' does not read",
                "source='account' or source='all' with content_type",
            )
        before = None if args.created_before is None else parse_since_as("created_before", args.created_before)
        if args.source == "ledger":
            jobs = await self.ledger.jobs(state=args.state, since=args.since, before=before, limit=args.limit)
            return JobListing(rows=[JobRow("ledger", job=job) for job in jobs], source=args.source)

        listing = JobListing(rows=[], source=args.source)
        tasks = await self._account_tasks(args, listing)
        known: dict[int, Job] = {}
        try:
            if args.source == "all":
                for job in await self.ledger.jobs(state=args.state, since=args.since, before=before, limit=args.limit):
                    if job.task_id is not None and job.task_id in tasks:
                        known[job.task_id] = job
                    elif args.content_type is None:  # a job the account's history does not list (or not that type)
                        listing.rows.append(JobRow("ledger", job=job))
            for task_id in tasks:
                if task_id not in known and (found := await self.ledger.get(task_id)) is not None:
                    known[task_id] = found
        except LedgerUnavailableError as exc:  # the account's history is still worth showing
            listing.warnings.append(f"The job ledger could not be read: {exc.message}")
        for task_id, task in tasks.items():
            recorded = known.get(task_id)
            listing.rows.append(
                JobRow("both", job=recorded, task=task) if recorded is not None else JobRow("account", task=task)
            )
        if args.state is not None:
            listing.rows = [row for row in listing.rows if row.state == args.state]
        listing.rows.sort(key=lambda row: row.created_at or "", reverse=True)
        del listing.rows[args.limit :]
        return listing

    async def _account_tasks(self, args: ListJobs, listing: JobListing) -> dict[int, AccountTask]:
        """The tasks of the account's history that fit the filters, by task_id. GET /tasks takes createdBefore or
        createdAfter, not both (useapi doc "Retrieve Kling tasks", 2025-04-18): with both, the upstream gets
        createdBefore and the other bound is applied here."""
        self._require_token()
        if args.state is not None:
            from kling_mcp.jobs.ledger import JOB_STATES

            if args.state not in JOB_STATES:
                raise InvalidParameterError("state", args.state, "not a job state", list(JOB_STATES))
        after = None if args.since is None else _epoch_ms(args.since, "since")
        before = None if args.created_before is None else _epoch_ms(args.created_before, "created_before")
        emails = [self.settings.email] if self.settings.email else await self._accounts()
        found: dict[int, AccountTask] = {}
        failures: list[KlingError] = []
        for email in emails:
            try:
                async with self._known_account(email):
                    history = await self.client.list_tasks(
                        email=email,
                        page_size=args.limit,
                        created_before=before,
                        created_after=after if before is None else None,
                        content_type=args.content_type,
                    )
            except KlingError as exc:
                if len(emails) == 1:
                    raise
                failures.append(exc)
                listing.warnings.append(f"The task history of {email} could not be read ({exc.code}: {exc.message})")
                continue
            listing.accounts.append(email)
            for entry in history.entries:
                created = entry.created_ms
                if created is not None and (
                    (after is not None and created < after) or (before is not None and created >= before)
                ):
                    continue
                task = account_task(entry, email)
                found.setdefault(task.task_id, task)
        if failures and not listing.accounts:
            raise failures[-1]
        return found

    # --- delete_task ---

    async def delete_task(self, args: DeleteTask) -> TaskDeletion:
        """DELETE /tasks/{id}: the task and every work of it, at Kling, for good (reference §6.4). Deleting a task that
        is already gone is not an error: useapi's 404 ("No works found for task <id>") is reported as such, so that a
        retried call does not look like a failure. The ledger keeps its row and the files already saved stay."""
        account = await self.resolve_email(args.email, task_id=args.task_id)
        try:
            async with self._known_account(account):
                answer: TaskDeleted = await self.client.delete_task(args.task_id, account)
        except NotFoundError as exc:
            return TaskDeletion(args.task_id, account, 0, [], already_gone=True, upstream=_upstream_words(exc))
        self.watcher.forget(args.task_id)  # a final answer is otherwise kept for good: get_task must see it gone
        logger.info("deleted task %s (%s works)", args.task_id, answer.deleted)
        job = await self.ledger.get(args.task_id)
        saved = [record.path for record in job.downloads.values() if record.path] if job is not None else []
        return TaskDeletion(args.task_id, account, answer.deleted, answer.workIds, local_files=saved)

    # --- get_capacity, stop_tracking ---

    async def capacity(self) -> CapacityReport:
        """GET /scheduler/available (free job slots per account, running tasks); GET /scheduler when that answer
        leaves the running tasks out. Each running task comes with the ledger's row when it has one."""
        self._require_token()
        answer = await self.client.get_capacity()
        running = answer.executing
        if running is None:
            running = (await self.client.list_running()).tasks
        rows = [RunningJob(task, await self.ledger.get(task.id) if task.id is not None else None) for task in running]
        return CapacityReport(accounts=answer.available, running=rows)

    async def stop_tracking(self, args: StopTracking) -> TrackingStop:
        """DELETE /scheduler/{id}: useapi stops tracking the task and frees its job slot; the task keeps running and
        billing at Kling (reference §4.3). A task useapi is not tracking (404, "Unable to locate running task_id")
        is reported as such: there is nothing to stop."""
        self._require_token()
        job = await self.ledger.get(args.task_id)
        try:
            await self.client.stop_tracking(args.task_id)
        except NotFoundError as exc:
            return TrackingStop(args.task_id, False, job.email if job else None, _upstream_words(exc))
        logger.info("useapi stopped tracking task %s (it keeps running at Kling)", args.task_id)
        return TrackingStop(args.task_id, True, job.email if job else None)

    # --- list_uploads, delete_uploads ---

    async def list_uploads(self, args: ListUploads) -> UploadsPage:
        account = await self.resolve_email(args.email)
        async with self._known_account(account):
            answer = await self.client.list_uploaded(
                email=account, page_num=args.page, page_size=args.page_size, content_type=args.content_type
            )
        return UploadsPage(account, answer.assets, args.page, args.page_size)

    async def delete_uploads(self, args: DeleteUploads) -> UploadsDeletion:
        """DELETE /assets/uploaded/: up to 10 uploaded files, for good (useapi doc "Delete uploaded Kling assets",
        2026-05-06). The ids are checked before anything is sent."""
        ids = upload_ids(args.ids)
        account = await self.resolve_email(args.email)
        async with self._known_account(account):
            answer = await self.client.delete_uploaded(ids, account)
        logger.info("deleted %s uploaded file(s) of %s", answer.deleted, account)
        return UploadsDeletion(account, ids, answer.deleted, answer.ids)

    # --- KLING_MCP_ACCOUNT_CHOICE ---

    async def spending_account(self, email: str | None, *, task_id: int | None = None) -> tuple[str, str | None]:
        """The account a spending call uses, and a note when KLING_MCP_ACCOUNT_CHOICE picked it.

        As ``resolve_email`` (the argument, KLING_EMAIL, the account the ledger recorded for ``task_id``, the only
        account), except that with several accounts and ``most_free`` the one with the most free job slots in GET
        /scheduler/available is used instead of refusing (useapi itself picks an account with free capacity when no
        email is sent: reference §1, "Load balancing")."""
        given = (email or "").strip() or self.settings.email
        if given or self.settings.account_choice != "most_free" or self._default_email is not None:
            return await self._asked_account(email, task_id), None
        if task_id is not None and (job := await self.ledger.get(task_id)) is not None and job.email:
            return job.email, None
        self._require_token()
        accounts = await self._accounts()
        if len(accounts) <= 1:
            return await self.resolve_email(email), None
        return await self._most_free(accounts)

    async def _asked_account(self, email: str | None, task_id: int | None) -> str:
        try:
            return await self.resolve_email(email, task_id=task_id)
        except AccountError as exc:
            if exc.code == "account_required":
                exc.hint += (
                    " Or set KLING_MCP_ACCOUNT_CHOICE=most_free to let spending calls use the account with the most "
                    "free job slots."
                )
            raise

    async def _most_free(self, accounts: list[str]) -> tuple[str, str]:
        slots = {slot.email: slot for slot in (await self.client.get_capacity()).available if slot.email}
        ranked = [(slots[email].free, email) for email in accounts if email in slots and slots[email].free is not None]
        if not ranked:
            raise AccountError(
                f"Several Kling accounts are configured ({', '.join(accounts)}) and KLING_MCP_ACCOUNT_CHOICE is "
                "most_free, but useapi's GET /scheduler/available reported no free job slots for any of them.",
                hint="Pass email=<one of them>, or set KLING_EMAIL in the server configuration.",
                details={"accounts": accounts},
            )
        best = max(free for free, _ in ranked if free is not None)
        chosen = next(email for free, email in ranked if free == best)
        slot = slots[chosen]
        of = f" of {slot.maxJobs}" if slot.maxJobs is not None else ""
        note = (
            f"No email was given: KLING_MCP_ACCOUNT_CHOICE=most_free chose {chosen}, the account with the most free "
            f"job slots ({best}{of} free)."
        )
        logger.info("account choice: %s (%s free job slots)", chosen, best)
        return chosen, note


def parse_since_as(parameter: str, value: str) -> str:
    """``parse_since`` with the error naming ``parameter``."""
    try:
        return parse_since(value)
    except InvalidParameterError:
        raise InvalidParameterError(parameter, value, "not an ISO 8601 date or time", SINCE_EXAMPLES) from None


__all__ = [
    "AccountJobs",
    "AccountTask",
    "AccountWork",
    "CapacityReport",
    "JobListing",
    "JobRow",
    "RunningJob",
    "TaskDeletion",
    "TrackingStop",
    "UploadsDeletion",
    "UploadsPage",
    "account_task",
    "entry_state",
    "iso_from_ms",
]
