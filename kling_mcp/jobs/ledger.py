"""The job ledger: every submission, recorded before the request is sent and updated after.

It survives restarts (a new session can resume every task), stops double billing (idempotency keys), and is
shared by the MCP server, the batch command and, with PostgreSQL, every replica of a team's deployment. The token
is never stored: rows hold the request parameters, the account email, task ids, states, videos and local paths only.

One interface, two backends. ``Ledger`` is what the service uses: the rules (idempotency, the budget's claim, the
orphan rule, the row cache, the filters) live here once. Each backend is a ``LedgerStore`` holding all of its SQL:
``SqliteStore`` below (the embedded default, a file in KLING_MCP_STATE_DIR) and ``PostgresStore`` in
ledger_postgres.py (KLING_MCP_DATABASE_URL: one ledger for several replicas). ``open_ledger`` picks one. Each store
runs its own versioned schema migrations when it opens, so an upgrade needs no manual step.

SQLite: WAL mode, one writer at a time. The folder is created readable by the user only (0700) and the database
files are 0600: prompts and task ids are private. Opening touches the database for real (an integrity check and a
write), so a damaged file, a read-only folder or a KLING_MCP_STATE_DIR that names a file is one
LedgerUnavailableError naming the path, at once.

Opening also settles submissions a dead process left ``submitting`` (``Ledger._settle_orphans``), and so does every
look-up of an idempotency key that finds one: a replica asked again for a key whose submitter died answers "outcome
unknown" at once, never resends. Both drivers block, so the async API runs each statement in a worker thread.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import socket
import sqlite3
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar, get_args

import anyio.to_thread
from pydantic import BaseModel, Field, computed_field

from kling_mcp.api.errors import InvalidParameterError, KlingError
from kling_mcp.jobs.lru import LRU
from kling_mcp.jobs.spending import COUNTED_STATES, WINDOW, Budget, SpentJob, parse_stamp

logger = logging.getLogger(__name__)

JobState = Literal["submitting", "queued", "running", "succeeded", "failed", "rejected", "unknown"]
JOB_STATES: tuple[str, ...] = get_args(JobState)
T = TypeVar("T")
Row = Mapping[str, Any]
# What a claim checks inside its transaction: given a reader of the spending since a moment, raise to refuse.
SpendingCheck = Callable[[Callable[[datetime], list[SpentJob]]], None]
CACHE_SIZE = 1000  # rows kept in memory, most recently used last
# A submission still ``submitting`` after this long, by a process that cannot be checked (another machine's, or a
# row written before owners were recorded), is taken as orphaned. A create is one HTTP request with bounded
# retries: minutes at most.
ORPHAN_AFTER = timedelta(minutes=10)
FILE_MODE = 0o600
DIR_MODE = 0o700
SINCE_EXAMPLES = (
    "an ISO 8601 date or time such as 2026-11-25, 2026-11-25T14:30:00Z or 2026-11-25T05:00:00+09:00 "
    "(a time without a zone is taken as UTC)"
)
# The columns a job row is written with (``jobs`` of both backends), in this order.
JOB_COLUMNS = (
    "idempotency_key",
    "kind",
    "email",
    "model_name",
    "prompt",
    "params",
    "state",
    "credits_estimated",
    "batch",
    "created_at",
    "updated_at",
)
JSON_COLUMNS = ("params", "videos", "downloads")
STAMP_COLUMNS = ("created_at", "updated_at")
# An MCP Tasks handle (tools/tasks_extension.py): a Kling task id handed to a client, as Ledger.task_handle gives it.
HANDLE_COLUMNS = ("task_id", "created_at", "poll_interval_ms", "ttl_ms", "cancelled_at", "cancel_note")
# Columns ``Ledger._update_sync`` may set (the names are put into SQL: nothing else is accepted).
UPDATABLE = frozenset(
    {"task_id", "idempotency_key", "state", "status", "status_name", "error", "videos", "downloads", "params"}
)


class LedgerUnavailableError(KlingError):
    """The job ledger cannot be opened or written (damaged file, read-only folder, KLING_MCP_STATE_DIR naming a
    file, a PostgreSQL database that cannot be reached, ...). The message names the file or the database (never a
    password) and the variable; the cause is one short phrase."""

    code = "ledger_unavailable"

    def __init__(self, path: Path | str, reason: str, variable: str = "KLING_MCP_STATE_DIR") -> None:
        if variable == "KLING_MCP_STATE_DIR":
            where = Path(path)
            message = (
                f"The job ledger {where} cannot be used: {reason}. Its folder is KLING_MCP_STATE_DIR (now "
                f"{where.parent})."
            )
            hint = (
                "Set KLING_MCP_STATE_DIR to a writable folder, or move the damaged file aside (a new, empty ledger "
                "is then created), and restart the server."
            )
        else:
            message = f"The job ledger in the PostgreSQL database {path} cannot be used: {reason}. It is {variable}."
            hint = (
                f"Check that the database is up and reachable and that {variable} is right "
                "(postgresql://user:password@host:5432/dbname), or unset it to keep the ledger in a local SQLite "
                "file, and restart the server."
            )
        super().__init__(message, hint=hint, details={"path": str(path), "variable": variable})
        self.path = path
        self.reason = reason
        self.variable = variable


class DownloadRecord(BaseModel):
    """What happened to one video of a job: the saved file, and the last failure when there was one."""

    path: str | None = Field(default=None, description="The saved file (null while none is saved).")
    clean: bool = Field(default=False, description="True: the file is the watermark-free master.")
    bytes: int | None = None
    reason: str | None = Field(default=None, description="Why the saved file is not the clean master.")
    error: str | None = Field(
        default=None, description="The last download failure (code: message); null once a download worked."
    )
    attempts: int = Field(default=0, description="Background download attempts so far.")
    retry_at: str | None = Field(
        default=None, description="When the background download tries again (UTC); null when no retry is planned."
    )


class Job(BaseModel):
    """One ledger row, as list_jobs and kling://jobs/{task_id} show it."""

    id: int
    task_id: int | None = Field(description="Kling task id; null while submitting or when the outcome is unknown.")
    state: JobState
    kind: str
    model_name: str | None
    prompt: str | None
    email: str | None
    created_at: str
    updated_at: str
    status: int | None = None
    status_name: str | None = None
    error: str | None = None
    idempotency_key: str | None = None
    credits_estimated: float | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    videos: list[dict[str, Any]] = Field(default_factory=list)
    downloads: dict[str, DownloadRecord] = Field(default_factory=dict)
    batch: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def path(self) -> str | None:
        """The local file of the first download, clean preferred."""
        records = sorted((r for r in self.downloads.values() if r.path), key=lambda r: not r.clean)
        return records[0].path if records else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def download_error(self) -> str | None:
        """The last failure of a download of this job's videos, when one failed."""
        return next((r.error for r in self.downloads.values() if r.error), None)


@dataclass
class IdempotencyConflict(Exception):
    job: Job


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def this_process() -> str:
    """Who writes a row: ``host:pid``. The orphan rule reads it back (``SqliteStore.owner_state``)."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Liveness:
    """Whether the process that wrote a row is still running: True, False, or None when it cannot be told (another
    machine's process on a shared SQLite folder, or a row written before owners were recorded). ``who`` names it."""

    alive: bool | None
    who: str


# --- the interface of a backend ----------------------------------------------------------------------------------


class LedgerStore(ABC):
    """Every statement one backend runs: the whole of its SQL. Rows are mappings of column to value; JSON columns
    and time stamps may come back as text (SQLite) or as values (PostgreSQL): ``job_of`` reads both.

    Each method is one transaction and blocks (``Ledger`` runs it in a worker thread). Errors of the driver
    (``errors``) are turned into LedgerUnavailableError by ``unavailable``."""

    owner: str  # written on the rows this process claims
    where: str  # what an error names: the file, or the database without its password
    variable: ClassVar[str]  # the setting that chose this backend
    # Another process writes the same rows all the time (replicas): a row is read again rather than cached.
    shared: ClassVar[bool]
    errors: tuple[type[Exception], ...]

    @abstractmethod
    def reason(self, exc: Exception) -> str:
        """One short phrase saying why a driver error makes the ledger unusable."""

    def unavailable(self, exc: Exception) -> LedgerUnavailableError:
        return LedgerUnavailableError(self.where, self.reason(exc), self.variable)

    @abstractmethod
    def close(self) -> None: ...

    # writes
    @abstractmethod
    def claim(self, values: dict[str, Any], check: SpendingCheck | None) -> tuple[Row, bool]:
        """Insert a job (``JOB_COLUMNS`` and ``owner``) unless its idempotency key is on record: (row, True), or the
        earlier row and False (nothing written). With ``check``, the spending check runs in the same transaction,
        serialized against every other checked claim of the ledger, and may raise to refuse."""

    @abstractmethod
    def update(self, job_id: int, fields: dict[str, Any]) -> Row:
        """Set ``fields`` (JSON columns as text, time stamps as ISO text) and return the row."""

    @abstractmethod
    def change_download(self, task_id: int, change: Callable[[dict[str, Any]], dict[str, Any]]) -> Row | None:
        """Read a task's ``downloads``, replace them with ``change(downloads)``, in one transaction; None when the
        ledger has no such task."""

    @abstractmethod
    def adopt(self, task_id: int, email: str | None, stamp: str) -> None:
        """Insert a row for a task submitted elsewhere, unless the task is on record."""

    @abstractmethod
    def settle(self, job_id: int, error: str, stamp: str) -> bool:
        """``submitting`` -> ``unknown`` with ``error``; False when the row is no longer submitting."""

    @abstractmethod
    def claim_download(self, task_id: int, work_id: int) -> bool:
        """Claim the background download of one work for this process: True when the claim is new, already ours,
        or its owner has stopped (then it is taken over); False while another live process holds it."""

    @abstractmethod
    def note_balance(self, email: str, at: str, total: float) -> None: ...

    @abstractmethod
    def add_handle(self, task_id: int, created_at: str, poll_interval_ms: int, ttl_ms: int) -> Row:
        """Insert a task's MCP Tasks handle unless it has one; the handle (``HANDLE_COLUMNS``)."""

    @abstractmethod
    def handle(self, task_id: int) -> Row | None: ...

    @abstractmethod
    def cancel_handle(self, task_id: int, note: str, stamp: str) -> Row | None:
        """Mark a handle cancelled, keeping the first cancellation's time and note; None when there is none."""

    # reads
    @abstractmethod
    def by_id(self, job_id: int) -> Row | None: ...

    @abstractmethod
    def by_task(self, task_id: int) -> Row | None: ...

    @abstractmethod
    def by_key(self, key: str) -> Row | None: ...

    @abstractmethod
    def select(self, filters: Sequence[tuple[str, str, Any]], limit: int) -> list[Row]:
        """Jobs newest first; each filter is (column, operator, value), the operators ``=``, ``>=`` and ``<``, time
        stamps given as ISO text in UTC."""

    @abstractmethod
    def spent(self, since: datetime) -> list[SpentJob]: ...

    @abstractmethod
    def balance_readings(self, since: datetime) -> list[tuple[datetime, str, float]]: ...

    @abstractmethod
    def submitting(self) -> list[Row]:
        """Every row still ``submitting``."""

    @abstractmethod
    def owner_state(self, row: Row) -> Liveness:
        """Whether the process that claimed ``row`` is still running."""


# --- the ledger ---------------------------------------------------------------------------------------------------


class Ledger:
    """The record of submissions, over one backend. Open one per process; it is safe to share between tasks.

    ``Ledger(path)`` is the embedded SQLite file; ``Ledger(store=...)`` takes another backend (``open_ledger``
    chooses). Raises LedgerUnavailableError when the ledger cannot be used."""

    def __init__(self, path: Path | None = None, *, store: LedgerStore | None = None) -> None:
        if store is None:
            if path is None:
                raise TypeError("Ledger needs the path of its SQLite file, or a store")
            store = SqliteStore(path)
        self.path = path
        self._store = store
        self.owner = store.owner
        # Rows of tasks this process has read or written, kept current by its own writes, so that polling a task
        # costs no database read. (Another process's later writes to the same task are not seen here, so a shared
        # backend keeps none.)
        self._cache: LRU[int, Job] = LRU(CACHE_SIZE)
        try:
            self._settle_orphans()
        except store.errors as exc:
            store.close()
            raise store.unavailable(exc) from None

    @property
    def store(self) -> LedgerStore:
        return self._store

    def _settle_orphans(self) -> None:
        """Mark ``unknown`` the submissions left ``submitting`` by a process that stopped (kill -9, a crash, a
        power cut) before useapi's answer was recorded: the task may exist and be billed, and list_jobs(state=
        "unknown") is where the user looks for it. Never another live process's row (``_orphaned``)."""
        for row in self._store.submitting():
            self._settle_if_orphaned(row)

    def _orphaned(self, row: Row) -> str | None:
        """Why ``row``'s submission is orphaned, or None while its process may still answer. A row whose process
        can be checked (this machine's, or any replica's on PostgreSQL) is settled once that process is gone; one
        that cannot be checked only after ORPHAN_AFTER."""
        state = self._store.owner_state(row)
        if state.alive:
            return None
        if state.alive is False:
            return f"{state.who} that was submitting it stopped before useapi's answer was recorded"
        created = row["created_at"]
        try:
            moment = created if isinstance(created, datetime) else datetime.fromisoformat(created)
        except (TypeError, ValueError):
            moment = datetime.now(UTC)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if datetime.now(UTC) - moment < ORPHAN_AFTER:
            return None
        return (
            f"it was still being submitted after {int(ORPHAN_AFTER.total_seconds() // 60)} minutes: the process "
            "submitting it stopped before useapi's answer was recorded"
        )

    def _settle_if_orphaned(self, row: Row) -> Row:
        """``row``, marked ``unknown`` first when it is a submission its process left behind."""
        if row["state"] != "submitting" or (why := self._orphaned(row)) is None:
            return row
        error = (
            f"Outcome unknown: {why}. The task may exist and be billed; look for it in the Kling account before "
            "submitting the same request again."
        )
        if self._store.settle(row["id"], error, now_iso()):
            logger.warning("ledger job %s was left submitting by a stopped process; marked unknown", row["id"])
        return self._store.by_id(row["id"]) or row

    def close(self) -> None:
        self._store.close()

    async def _run(self, fn: Callable[[], T]) -> T:
        """Run a statement in a worker thread; a database that fails now (a full disk, a file removed or damaged
        under us, a database server gone) is the same coded error as one that cannot be opened."""
        try:
            return await anyio.to_thread.run_sync(fn)
        except self._store.errors as exc:
            raise self._store.unavailable(exc) from None

    # --- writes ---------------------------------------------------------------------------------------------------

    def begin_sync(
        self,
        *,
        kind: str,
        params: dict[str, Any],
        email: str | None,
        model_name: str | None,
        prompt: str | None,
        credits_estimated: float | None,
        idempotency_key: str | None = None,
        batch: str | None = None,
        budget: Budget | None = None,
    ) -> Job:
        """Record a submission about to be sent. With an idempotency key already on record, raise
        IdempotencyConflict carrying the earlier job instead (nothing new is recorded, sent or counted). The key is
        claimed by the database (a unique column), so this holds across processes and replicas. With a budget, the
        spending check and the claim are one transaction: concurrent calls (of any process sharing the ledger)
        cannot both take the last room; a refusal raises BudgetExceededError and records nothing."""
        now = datetime.now(UTC)
        stamp = now.isoformat(timespec="seconds")
        check: SpendingCheck | None = None
        if budget is not None and credits_estimated is not None:
            estimate, limits = credits_estimated, budget

            def check(spent_since: Callable[[datetime], list[SpentJob]]) -> None:
                limits.check_call(estimate)
                if limits.daily is not None:
                    counted = [(job.created_at, job.credits) for job in spent_since(now - WINDOW)]
                    limits.check_window(estimate, counted, now)

        values = {
            "idempotency_key": idempotency_key,
            "kind": kind,
            "email": email,
            "model_name": model_name,
            "prompt": prompt,
            "params": json.dumps(params),
            "state": "submitting",
            "credits_estimated": credits_estimated,
            "batch": batch,
            "created_at": stamp,
            "updated_at": stamp,
        }
        row, created = self._store.claim(values, check)
        if not created:
            raise IdempotencyConflict(job_of(self._settle_if_orphaned(row)))
        return job_of(row)

    async def begin(self, **kwargs: Any) -> Job:
        return await self._run(lambda: self.begin_sync(**kwargs))

    def spent_sync(self, since: datetime) -> list[SpentJob]:
        """Every job created since ``since`` that counts against the budget (it may have been billed)."""
        return self._store.spent(since)

    async def spent(self, since: datetime) -> list[SpentJob]:
        return await self._run(lambda: self.spent_sync(since))

    async def note_balance(self, email: str, total: float) -> None:
        await self._run(lambda: self._store.note_balance(email, now_iso(), total))

    def balance_readings_sync(self, since: datetime) -> list[tuple[datetime, str, float]]:
        """(time, email, raw balance.total) of every balance read since ``since``, oldest first."""
        return self._store.balance_readings(since)

    async def balance_readings(self, since: datetime) -> list[tuple[datetime, str, float]]:
        return await self._run(lambda: self.balance_readings_sync(since))

    def _update_sync(self, job_id: int, **fields: Any) -> Job:
        unknown = set(fields) - UPDATABLE
        if unknown:
            raise ValueError(f"not a column the ledger updates: {', '.join(sorted(unknown))}")
        fields["updated_at"] = now_iso()
        for key in JSON_COLUMNS:
            if key in fields and not isinstance(fields[key], str):
                fields[key] = json.dumps(fields[key])
        return self._cached(job_of(self._store.update(job_id, fields)))

    def _cached(self, job: Job) -> Job:
        if job.task_id is not None and not self._store.shared:
            self._cache[job.task_id] = job  # bounded: a long-lived server must not grow with every task
        return job

    async def mark_submitted(self, job_id: int, task_id: int, state: JobState, status: int, status_name: str) -> Job:
        return await self._run(
            lambda: self._update_sync(job_id, task_id=task_id, state=state, status=status, status_name=status_name)
        )

    async def mark_made(self, job_id: int, params: dict[str, Any]) -> Job:
        """A submission that makes no task (an element) was answered: ``params`` is the request and what it made."""
        return await self._run(lambda: self._update_sync(job_id, state="succeeded", params=params))

    async def mark_rejected(self, job_id: int, error: str) -> Job:
        """The upstream refused the submission: nothing was created, nothing spent."""
        return await self._run(lambda: self._update_sync(job_id, state="rejected", error=error))

    async def mark_unknown(self, job_id: int, error: str) -> Job:
        """The submission was sent but its outcome is unknown: it may exist and be billed."""
        return await self._run(lambda: self._update_sync(job_id, state="unknown", error=error))

    async def forget_key(self, job_id: int) -> None:
        """Release the idempotency key of a rejected submission so the same key may be used again."""
        await self._run(lambda: self._update_sync(job_id, idempotency_key=None))

    async def update_task(
        self,
        task_id: int,
        *,
        state: JobState,
        status: int,
        status_name: str,
        error: str | None,
        videos: list[dict[str, Any]],
    ) -> Job | None:
        def work() -> Job | None:
            job = self.get_sync(task_id)
            if job is None:
                return None
            return self._update_sync(
                job.id, state=state, status=status, status_name=status_name, error=error, videos=videos
            )

        return await self._run(work)

    def _download_sync(self, task_id: int, work_id: int, changes: dict[str, Any], replace: bool) -> Job | None:
        """Read, change and write one video's download record in a single transaction (two videos of one task
        may finish at once, on two replicas too)."""

        def change(downloads: dict[str, Any]) -> dict[str, Any]:
            current = {} if replace else downloads.get(str(work_id), {})
            record = DownloadRecord.model_validate({**current, **changes}).model_dump(mode="json")
            return {**downloads, str(work_id): record}

        row = self._store.change_download(task_id, change)
        return None if row is None else self._cached(job_of(row))

    async def add_download(self, task_id: int, work_id: int, record: DownloadRecord) -> Job | None:
        """Record a saved file (replacing whatever was recorded for that video)."""
        return await self._run(lambda: self._download_sync(task_id, work_id, record.model_dump(), True))

    async def note_download(self, task_id: int, work_id: int, **changes: Any) -> Job | None:
        """Change some fields of a video's download record (a failure, a planned retry), keeping the others."""
        return await self._run(lambda: self._download_sync(task_id, work_id, changes, False))

    async def claim_download(self, task_id: int, work_id: int) -> bool:
        """Whether this process is the one to download a finished work in the background: the first to claim it,
        or the heir of a claimer that stopped. Of several replicas (or a server and a batch) that see the task
        finish, one downloads it; the others leave it to that one, so each file is written once."""
        return await self._run(lambda: self._store.claim_download(task_id, work_id))

    def adopt_sync(self, task_id: int, email: str | None) -> Job:
        """Record a task the ledger did not submit (e.g. created elsewhere), so its downloads can be tracked."""
        existing = self.get_sync(task_id)
        if existing is not None:
            return existing
        self._store.adopt(task_id, email, now_iso())
        job = self.get_sync(task_id)
        assert job is not None
        return job

    async def adopt(self, task_id: int, email: str | None) -> Job:
        return await self._run(lambda: self.adopt_sync(task_id, email))

    # MCP Tasks handles live in the ledger, so that every process sharing it (every replica) answers tasks/get and
    # tasks/cancel for a handle any of them gave out.

    async def add_task_handle(
        self, task_id: int, created_at: str, poll_interval_ms: int, ttl_ms: int
    ) -> dict[str, Any]:
        """The handle of a task, made now unless it has one (a call that reused an idempotency key)."""
        row = await self._run(lambda: self._store.add_handle(task_id, created_at, poll_interval_ms, ttl_ms))
        return handle_of(row)

    async def task_handle(self, task_id: int) -> dict[str, Any] | None:
        row = await self._run(lambda: self._store.handle(task_id))
        return None if row is None else handle_of(row)

    async def cancel_task_handle(self, task_id: int, note: str) -> dict[str, Any] | None:
        """Mark a handle cancelled (the first cancellation's time and words stay); None when it has no handle."""
        row = await self._run(lambda: self._store.cancel_handle(task_id, note, now_iso()))
        return None if row is None else handle_of(row)

    # --- reads ----------------------------------------------------------------------------------------------------

    def get_sync(self, task_id: int) -> Job | None:
        if (job := self._cache.get(task_id)) is not None:
            return job
        row = self._store.by_task(task_id)
        return None if row is None else self._cached(job_of(row))

    async def get(self, task_id: int) -> Job | None:
        if (job := self._cache.get(task_id)) is not None:
            return job
        return await self._run(lambda: self.get_sync(task_id))

    async def find_key(self, idempotency_key: str) -> Job | None:
        """The job claimed with this key. One left ``submitting`` by a process that has stopped is settled as
        ``unknown`` first: the caller then says so and sends nothing, rather than waiting for an answer that will
        never be recorded."""

        def work() -> Job | None:
            row = self._store.by_key(idempotency_key)
            return None if row is None else job_of(self._settle_if_orphaned(row))

        return await self._run(work)

    def jobs_sync(
        self,
        *,
        state: str | None = None,
        since: str | None = None,
        limit: int = 50,
        batch: str | None = None,
        before: str | None = None,
    ) -> list[Job]:
        """Jobs newest first. ``state`` must be one of JOB_STATES; ``since`` is ISO 8601 (a time without a zone is
        UTC) and compared as a moment, not as text. A bad filter is an InvalidParameterError."""
        filters: list[tuple[str, str, Any]] = []
        if state is not None:
            if state not in JOB_STATES:
                raise InvalidParameterError("state", state, "not a job state", list(JOB_STATES))
            filters.append(("state", "=", state))
        if since is not None:
            filters.append(("created_at", ">=", parse_since(since)))
        if before is not None:
            filters.append(("created_at", "<", parse_since(before)))
        if batch is not None:
            filters.append(("batch", "=", batch))
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidParameterError("limit", limit, "must be a whole number of at least 1", "1, 2, 3, …")
        return [job_of(row) for row in self._store.select(filters, int(limit))]

    async def jobs(self, **kwargs: Any) -> list[Job]:
        return await self._run(lambda: self.jobs_sync(**kwargs))


def open_ledger(database_url: str | None, path: Path) -> Ledger:
    """The ledger the settings choose: in PostgreSQL when KLING_MCP_DATABASE_URL is set (a team's replicas share
    it), else the SQLite file ``path``."""
    if database_url:
        from kling_mcp.jobs.ledger_postgres import PostgresStore

        return Ledger(store=PostgresStore(database_url))
    return Ledger(path)


def parse_since(value: str) -> str:
    """``value`` (ISO 8601; naive means UTC) as the UTC text the ledger stores, which then compares in order."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except (ValueError, TypeError, AttributeError):
        raise InvalidParameterError("since", value, "not an ISO 8601 date or time", SINCE_EXAMPLES) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def stamp_of(value: Any) -> str:
    """A time stamp as the ledger shows it: ISO 8601 in UTC, to the second."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    return str(value)


def handle_of(row: Row) -> dict[str, Any]:
    """A handle row of either backend, time stamps as ISO text."""
    data = {column: row[column] for column in HANDLE_COLUMNS}
    for key in ("created_at", "cancelled_at"):
        data[key] = None if data[key] is None else stamp_of(data[key])
    return data


def job_of(row: Row) -> Job:
    """A row of either backend as a Job (JSON columns as text or as values, time stamps as text or datetimes)."""
    data = dict(row)
    for key, empty in (("params", "{}"), ("videos", "[]"), ("downloads", "{}")):
        value = data.get(key)
        data[key] = json.loads(value or empty) if value is None or isinstance(value, str) else value
    for key in STAMP_COLUMNS:
        data[key] = stamp_of(data[key])
    return Job.model_validate(data)


# --- the SQLite backend --------------------------------------------------------------------------------------------

SCHEMA_VERSION = 4  # PRAGMA user_version once SQLITE_MIGRATIONS have run


def _add_owner(conn: sqlite3.Connection) -> None:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
    if "owner" not in columns:
        conn.execute("ALTER TABLE jobs ADD COLUMN owner TEXT")


# Versioned, in order; each step also accepts a file an older kling-mcp left, whose version it may not have written
# (IF NOT EXISTS, a column added only when missing). The file's version is PRAGMA user_version.
SQLITE_MIGRATIONS: tuple[tuple[int, tuple[str | Callable[[sqlite3.Connection], None], ...]], ...] = (
    (
        1,
        (
            """
CREATE TABLE IF NOT EXISTS jobs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id         INTEGER UNIQUE,
    idempotency_key TEXT UNIQUE,
    kind            TEXT NOT NULL,
    email           TEXT,
    model_name      TEXT,
    prompt          TEXT,
    params          TEXT NOT NULL,
    state           TEXT NOT NULL,
    status          INTEGER,
    status_name     TEXT,
    error           TEXT,
    videos          TEXT NOT NULL DEFAULT '[]',
    downloads       TEXT NOT NULL DEFAULT '{}',
    credits_estimated REAL,
    batch           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
)""",
            "CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state)",
            "CREATE INDEX IF NOT EXISTS jobs_created ON jobs(created_at)",
            # Each balance read (get_balance), in useapi's raw unit: the spending report sets its change beside the
            # estimates.
            "CREATE TABLE IF NOT EXISTS balance_readings (email TEXT NOT NULL, at TEXT NOT NULL, total REAL NOT NULL)",
            "CREATE INDEX IF NOT EXISTS balance_readings_at ON balance_readings(at)",
        ),
    ),
    (2, (_add_owner,)),  # jobs.owner: who is submitting, for the orphan rule
    (
        3,  # who downloads a finished work in the background (a server and a batch may both see it finish)
        (
            "CREATE TABLE IF NOT EXISTS download_claims (task_id INTEGER NOT NULL, work_id INTEGER NOT NULL, "
            "owner TEXT NOT NULL, claimed_at TEXT NOT NULL, PRIMARY KEY (task_id, work_id))",
        ),
    ),
    (
        4,  # MCP Tasks handles (the table tools/tasks_extension.py made on its own before)
        (
            "CREATE TABLE IF NOT EXISTS mcp_tasks (task_id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, "
            "poll_interval_ms INTEGER NOT NULL, ttl_ms INTEGER NOT NULL, cancelled_at TEXT, cancel_note TEXT)",
        ),
    ),
)


class SqliteStore(LedgerStore):
    """The ledger in one SQLite file (WAL): the embedded default, shared by the processes of one machine."""

    variable = "KLING_MCP_STATE_DIR"
    shared = False
    errors = (sqlite3.Error,)

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        self.owner = this_process()
        self._lock = threading.Lock()
        try:
            self._conn = self._connect()
        except sqlite3.Error as exc:
            raise LedgerUnavailableError(path, _sqlite_reason(exc)) from None
        except OSError as exc:
            raise LedgerUnavailableError(path, _os_reason(exc)) from None

    def reason(self, exc: Exception) -> str:
        return _sqlite_reason(exc) if isinstance(exc, sqlite3.Error) else str(exc)

    def unavailable(self, exc: Exception) -> LedgerUnavailableError:
        return LedgerUnavailableError(self.path, self.reason(exc))

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        _private_folder(path.parent)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))  # sqlite gives -wal and -shm its mode
        conn = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA journal_mode=WAL")
            problems = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise sqlite3.DatabaseError(f"the integrity check failed ({problems[0]})")
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._migrate(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except BaseException:
            conn.close()
            raise
        for suffix in ("", "-wal", "-shm"):  # files made by an older version were 0644
            _restrict(Path(f"{path}{suffix}"), FILE_MODE)
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for number, steps in SQLITE_MIGRATIONS:
            if number <= version:
                continue
            for step in steps:
                if isinstance(step, str):
                    conn.execute(step)
                else:
                    step(conn)
            logger.info("job ledger %s: schema migrated to version %d", self.path, number)
        if version > SCHEMA_VERSION:  # a newer kling-mcp's file: its steps only add, so this version still works
            logger.info(
                "job ledger %s has schema version %d (this kling-mcp knows %d)", self.path, version, SCHEMA_VERSION
            )
        # A write on every open: a read-only file or folder fails here, not at the first submission.
        conn.execute(f"PRAGMA user_version = {max(version, SCHEMA_VERSION)}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _one(self, sql: str, args: Sequence[Any] = ()) -> Row | None:
        with self._lock:
            row: Row | None = self._conn.execute(sql, args).fetchone()
        return row

    # writes: BEGIN IMMEDIATE takes the file's one write lock, so every claim is serialized across processes

    def claim(self, values: dict[str, Any], check: SpendingCheck | None) -> tuple[Row, bool]:
        with self._tx() as conn:
            if values["idempotency_key"] is not None:
                row = conn.execute("SELECT * FROM jobs WHERE idempotency_key = ?", (values["idempotency_key"],))
                if (earlier := row.fetchone()) is not None:
                    return earlier, False
            if check is not None:
                check(lambda since: self._spent(conn, since))
            columns = (*JOB_COLUMNS, "owner")
            cursor = conn.execute(
                f"INSERT INTO jobs ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                (*(values[c] for c in JOB_COLUMNS), self.owner),
            )
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return row, True

    def update(self, job_id: int, fields: dict[str, Any]) -> Row:
        assignments = ", ".join(f"{key} = ?" for key in fields)
        with self._tx() as conn:
            conn.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", (*fields.values(), job_id))
            row: Row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return row

    def change_download(self, task_id: int, change: Callable[[dict[str, Any]], dict[str, Any]]) -> Row | None:
        with self._tx() as conn:
            row = conn.execute("SELECT * FROM jobs WHERE task_id = ?", (task_id,)).fetchone()
            if row is None:
                return None
            downloads = change(json.loads(row["downloads"] or "{}"))
            conn.execute(
                "UPDATE jobs SET downloads = ?, updated_at = ? WHERE id = ?",
                (json.dumps(downloads), now_iso(), row["id"]),
            )
            changed: Row = conn.execute("SELECT * FROM jobs WHERE id = ?", (row["id"],)).fetchone()
        return changed

    def adopt(self, task_id: int, email: str | None, stamp: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO jobs (task_id, kind, email, params, state, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?)",
                (task_id, "external", email, "{}", "queued", stamp, stamp),
            )

    def settle(self, job_id: int, error: str, stamp: str) -> bool:
        with self._tx() as conn:
            cursor = conn.execute(
                "UPDATE jobs SET state = 'unknown', error = ?, updated_at = ? WHERE id = ? AND state = 'submitting'",
                (error, stamp, job_id),
            )
        return cursor.rowcount > 0

    def claim_download(self, task_id: int, work_id: int) -> bool:
        with self._tx() as conn:
            row = conn.execute(
                "SELECT owner FROM download_claims WHERE task_id = ? AND work_id = ?", (task_id, work_id)
            ).fetchone()
            if row is not None and (row["owner"] == self.owner or self.owner_state(row).alive is not False):
                return bool(row["owner"] == self.owner)
            conn.execute(
                "INSERT OR REPLACE INTO download_claims (task_id, work_id, owner, claimed_at) VALUES (?,?,?,?)",
                (task_id, work_id, self.owner, now_iso()),
            )
        return True

    def note_balance(self, email: str, at: str, total: float) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO balance_readings (email, at, total) VALUES (?, ?, ?)", (email, at, total))

    def add_handle(self, task_id: int, created_at: str, poll_interval_ms: int, ttl_ms: int) -> Row:
        with self._tx() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO mcp_tasks (task_id, created_at, poll_interval_ms, ttl_ms) VALUES (?,?,?,?)",
                (task_id, created_at, poll_interval_ms, ttl_ms),
            )
            row: Row = conn.execute("SELECT * FROM mcp_tasks WHERE task_id = ?", (task_id,)).fetchone()
        return row

    def handle(self, task_id: int) -> Row | None:
        return self._one("SELECT * FROM mcp_tasks WHERE task_id = ?", (task_id,))

    def cancel_handle(self, task_id: int, note: str, stamp: str) -> Row | None:
        with self._tx() as conn:
            conn.execute(
                "UPDATE mcp_tasks SET cancelled_at = ?, cancel_note = ? WHERE task_id = ? AND cancelled_at IS NULL",
                (stamp, note, task_id),
            )
            row: Row | None = conn.execute("SELECT * FROM mcp_tasks WHERE task_id = ?", (task_id,)).fetchone()
        return row

    # reads

    def by_id(self, job_id: int) -> Row | None:
        return self._one("SELECT * FROM jobs WHERE id = ?", (job_id,))

    def by_task(self, task_id: int) -> Row | None:
        return self._one("SELECT * FROM jobs WHERE task_id = ?", (task_id,))

    def by_key(self, key: str) -> Row | None:
        return self._one("SELECT * FROM jobs WHERE idempotency_key = ?", (key,))

    def select(self, filters: Sequence[tuple[str, str, Any]], limit: int) -> list[Row]:
        where = " AND ".join(f"{column} {operator} ?" for column, operator, _ in filters)
        sql = f"SELECT * FROM jobs {'WHERE ' + where if where else ''} ORDER BY id DESC LIMIT ?"
        with self._lock:
            return list(self._conn.execute(sql, (*(value for *_, value in filters), limit)).fetchall())

    def _spent(self, conn: sqlite3.Connection, since: datetime) -> list[SpentJob]:
        marks = ",".join("?" for _ in COUNTED_STATES)
        rows = conn.execute(
            f"SELECT created_at, email, model_name, credits_estimated FROM jobs WHERE state IN ({marks}) "
            "AND created_at >= ? AND credits_estimated IS NOT NULL ORDER BY created_at",
            (*COUNTED_STATES, since.astimezone(UTC).isoformat(timespec="seconds")),
        ).fetchall()
        return [
            SpentJob(parse_stamp(row["created_at"]), row["email"], row["model_name"], row["credits_estimated"])
            for row in rows
        ]

    def spent(self, since: datetime) -> list[SpentJob]:
        with self._lock:
            return self._spent(self._conn, since)

    def balance_readings(self, since: datetime) -> list[tuple[datetime, str, float]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT at, email, total FROM balance_readings WHERE at >= ? ORDER BY at",
                (since.astimezone(UTC).isoformat(timespec="seconds"),),
            ).fetchall()
        return [(parse_stamp(row["at"]), row["email"], row["total"]) for row in rows]

    def submitting(self) -> list[Row]:
        with self._lock:
            return list(self._conn.execute("SELECT * FROM jobs WHERE state = 'submitting'").fetchall())

    def owner_state(self, row: Row) -> Liveness:
        """A row of a process on this machine (``host:pid``) is alive while that process is; any other (another
        machine's on a shared folder, a row from before owners) cannot be told."""
        owner = row["owner"] or ""
        owner_host, _, owner_pid = owner.rpartition(":")
        if owner_host == socket.gethostname() and owner_pid.isdigit() and _checkable():
            pid = int(owner_pid)
            return Liveness(pid == os.getpid() or _alive(pid), f"the process (pid {pid})")
        return Liveness(None, f"the process {owner}" if owner else "the process")


# --- the files on disk ---------------------------------------------------------------------------------------------


def _private_folder(folder: Path) -> None:
    """Create the state folder 0700. An existing one is tightened to 0700 only when it holds nothing but
    kling-mcp's databases (the ledger, the simulator's state): KLING_MCP_STATE_DIR may name a folder the user
    shares with other things."""
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"{folder} is a file, not a folder")
    if not folder.exists():
        folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        return
    with contextlib.suppress(OSError):
        if all(entry.name.startswith(("jobs.sqlite3", "simulator.sqlite3")) for entry in folder.iterdir()):
            _restrict(folder, DIR_MODE)


def _restrict(path: Path, mode: int) -> None:
    """chmod ``path`` to ``mode`` when it is wider; a failure (not the owner, a read-only mount) only logs."""
    if sys.platform == "win32":
        return
    try:
        current = path.stat().st_mode & 0o777
        if current & ~mode:
            path.chmod(mode)
    except FileNotFoundError:
        return
    except OSError as exc:
        logger.info("could not restrict the permissions of %s: %s", path, exc.strerror)


def _checkable() -> bool:
    """Whether another process's liveness can be asked safely (on Windows os.kill would terminate it)."""
    return sys.platform != "win32"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to someone else
    return True


def _sqlite_reason(exc: sqlite3.Error) -> str:
    text = str(exc) or type(exc).__name__
    if "not a database" in text or "malformed" in text or "integrity" in text:
        return f"the file is damaged ({text})"
    if "readonly" in text or "read-only" in text:
        return f"it cannot be written ({text})"
    return text


def _os_reason(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"
