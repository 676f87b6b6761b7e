"""The job ledger: every submission, recorded before the request is sent and updated after, in SQLite.

It survives restarts (a new session can resume every task), stops double billing (idempotency keys), and is
shared by the MCP server and the batch command (WAL mode; one writer at a time). The token is never stored: rows
hold the request parameters, the account email, task ids, states, videos and local paths only.

sqlite3 is blocking, so the async API runs each statement in a worker thread.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import anyio.to_thread
from pydantic import BaseModel, Field, computed_field

JobState = Literal["submitting", "queued", "running", "succeeded", "failed", "rejected", "unknown"]
T = TypeVar("T")
CACHE_SIZE = 1000  # rows kept in memory, most recently used last

_SCHEMA = """
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
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs(created_at);
"""


class DownloadRecord(BaseModel):
    path: str
    clean: bool
    bytes: int


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
        records = sorted(self.downloads.values(), key=lambda r: not r.clean)
        return records[0].path if records else None


@dataclass
class IdempotencyConflict(Exception):
    job: Job


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Ledger:
    """SQLite-backed record of submissions. Open one per process; it is safe to share between tasks."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        # Rows of tasks this process has read or written, kept current by its own writes, so that polling a task
        # costs no database read. (Another process's later writes to the same task are not seen here.)
        self._cache: dict[int, Job] = {}
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA busy_timeout=30000")
            self._conn.executescript(_SCHEMA)

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

    async def _run(self, fn: Callable[[], T]) -> T:
        return await anyio.to_thread.run_sync(fn)

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
    ) -> Job:
        """Record a submission about to be sent. With an idempotency key already on record, raise
        IdempotencyConflict carrying the earlier job instead (nothing new is recorded or sent)."""
        stamp = now_iso()
        with self._tx() as conn:
            if idempotency_key is not None:
                row = conn.execute("SELECT * FROM jobs WHERE idempotency_key = ?", (idempotency_key,)).fetchone()
                if row is not None:
                    raise IdempotencyConflict(_job(row))
            cursor = conn.execute(
                "INSERT INTO jobs (idempotency_key, kind, email, model_name, prompt, params, state, "
                "credits_estimated, batch, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    idempotency_key,
                    kind,
                    email,
                    model_name,
                    prompt,
                    json.dumps(params),
                    "submitting",
                    credits_estimated,
                    batch,
                    stamp,
                    stamp,
                ),
            )
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return _job(row)

    async def begin(self, **kwargs: Any) -> Job:
        return await self._run(lambda: self.begin_sync(**kwargs))

    def _update_sync(self, job_id: int, **fields: Any) -> Job:
        fields["updated_at"] = now_iso()
        for key in ("videos", "downloads", "params"):
            if key in fields and not isinstance(fields[key], str):
                fields[key] = json.dumps(fields[key])
        assignments = ", ".join(f"{key} = ?" for key in fields)
        with self._tx() as conn:
            conn.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", (*fields.values(), job_id))
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return self._cached(_job(row))

    def _cached(self, job: Job) -> Job:
        if job.task_id is not None:
            self._cache.pop(job.task_id, None)
            self._cache[job.task_id] = job
            if len(self._cache) > CACHE_SIZE:  # bounded: a long-lived server must not grow with every task
                self._cache.pop(next(iter(self._cache)))
        return job

    async def mark_submitted(self, job_id: int, task_id: int, state: JobState, status: int, status_name: str) -> Job:
        return await self._run(
            lambda: self._update_sync(job_id, task_id=task_id, state=state, status=status, status_name=status_name)
        )

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

    async def add_download(self, task_id: int, work_id: int, record: DownloadRecord) -> Job | None:
        def work() -> Job | None:
            job = self.get_sync(task_id)
            if job is None:
                return None
            downloads = {k: v.model_dump() for k, v in job.downloads.items()}
            downloads[str(work_id)] = record.model_dump()
            return self._update_sync(job.id, downloads=downloads)

        return await self._run(work)

    def adopt_sync(self, task_id: int, email: str | None) -> Job:
        """Record a task the ledger did not submit (e.g. created elsewhere), so its downloads can be tracked."""
        existing = self.get_sync(task_id)
        if existing is not None:
            return existing
        stamp = now_iso()
        with self._tx() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO jobs (task_id, kind, email, params, state, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?)",
                (task_id, "external", email, "{}", "queued", stamp, stamp),
            )
        job = self.get_sync(task_id)
        assert job is not None
        return job

    async def adopt(self, task_id: int, email: str | None) -> Job:
        return await self._run(lambda: self.adopt_sync(task_id, email))

    # --- reads ----------------------------------------------------------------------------------------------------

    def get_sync(self, task_id: int) -> Job | None:
        if (job := self._cache.get(task_id)) is not None:
            return job
        with self._lock:
            row = self._conn.execute("SELECT * FROM jobs WHERE task_id = ?", (task_id,)).fetchone()
        return None if row is None else self._cached(_job(row))

    async def get(self, task_id: int) -> Job | None:
        if (job := self._cache.get(task_id)) is not None:
            return job
        return await self._run(lambda: self.get_sync(task_id))

    async def find_key(self, idempotency_key: str) -> Job | None:
        def work() -> Job | None:
            with self._lock:
                row = self._conn.execute("SELECT * FROM jobs WHERE idempotency_key = ?", (idempotency_key,)).fetchone()
            return None if row is None else _job(row)

        return await self._run(work)

    def list_sync(
        self,
        *,
        state: str | None = None,
        since: str | None = None,
        limit: int = 50,
        batch: str | None = None,
    ) -> list[Job]:
        clauses, args = [], []
        if state is not None:
            clauses.append("state = ?")
            args.append(state)
        if since is not None:
            clauses.append("created_at >= ?")
            args.append(since)
        if batch is not None:
            clauses.append("batch = ?")
            args.append(batch)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT * FROM jobs {where} ORDER BY id DESC LIMIT ?", (*args, int(limit))
            ).fetchall()
        return [_job(row) for row in rows]

    async def list(self, **kwargs: Any) -> list[Job]:
        return await self._run(lambda: self.list_sync(**kwargs))


def _job(row: sqlite3.Row) -> Job:
    data = dict(row)
    data["params"] = json.loads(data["params"] or "{}")
    data["videos"] = json.loads(data["videos"] or "[]")
    data["downloads"] = json.loads(data["downloads"] or "{}")
    return Job.model_validate(data)
