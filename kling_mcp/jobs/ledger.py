"""The job ledger: every submission, recorded before the request is sent and updated after, in SQLite.

It survives restarts (a new session can resume every task), stops double billing (idempotency keys), and is
shared by the MCP server and the batch command (WAL mode; one writer at a time). The token is never stored: rows
hold the request parameters, the account email, task ids, states, videos and local paths only. The folder is
created readable by the user only (0700) and the database files are 0600: prompts and task ids are private.

Opening the ledger touches the database for real (an integrity check and a write), so a damaged file, a read-only
folder or a KLING_MCP_STATE_DIR that names a file is one LedgerUnavailableError naming the path, at once. Opening
also settles submissions a dead process left ``submitting`` (see ``Ledger._settle_orphans``).

sqlite3 is blocking, so the async API runs each statement in a worker thread.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

import anyio.to_thread
from pydantic import BaseModel, Field, computed_field

from kling_mcp.api.errors import InvalidParameterError, KlingError
from kling_mcp.jobs.lru import LRU
from kling_mcp.jobs.spending import COUNTED_STATES, WINDOW, Budget, SpentJob, parse_stamp

logger = logging.getLogger(__name__)

JobState = Literal["submitting", "queued", "running", "succeeded", "failed", "rejected", "unknown"]
JOB_STATES: tuple[str, ...] = get_args(JobState)
T = TypeVar("T")
CACHE_SIZE = 1000  # rows kept in memory, most recently used last
SCHEMA_VERSION = 2  # 2: jobs.owner
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

_SCHEMA = (
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
    updated_at      TEXT NOT NULL,
    owner           TEXT
)""",
    "CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state)",
    "CREATE INDEX IF NOT EXISTS jobs_created ON jobs(created_at)",
    # Each balance read (get_balance), in useapi's raw unit: the spending report sets its change beside the estimates.
    "CREATE TABLE IF NOT EXISTS balance_readings (email TEXT NOT NULL, at TEXT NOT NULL, total REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS balance_readings_at ON balance_readings(at)",
)


class LedgerUnavailableError(KlingError):
    """The job ledger cannot be opened or written (damaged file, read-only folder, KLING_MCP_STATE_DIR naming a
    file, ...). The message names the path and the variable; the cause is one short phrase."""

    code = "ledger_unavailable"

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"The job ledger {path} cannot be used: {reason}. Its folder is KLING_MCP_STATE_DIR (now {path.parent}).",
            hint="Set KLING_MCP_STATE_DIR to a writable folder, or move the damaged file aside (a new, empty ledger "
            "is then created), and restart the server.",
            details={"path": str(path), "variable": "KLING_MCP_STATE_DIR"},
        )
        self.path = path
        self.reason = reason


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


class Ledger:
    """SQLite-backed record of submissions. Open one per process; it is safe to share between tasks.

    Raises LedgerUnavailableError when the file cannot be used."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self._lock = threading.Lock()
        # Rows of tasks this process has read or written, kept current by its own writes, so that polling a task
        # costs no database read. (Another process's later writes to the same task are not seen here.)
        self._cache: LRU[int, Job] = LRU(CACHE_SIZE)
        try:
            self._conn = self._connect()
        except sqlite3.Error as exc:
            raise LedgerUnavailableError(path, _sqlite_reason(exc)) from None
        except OSError as exc:
            raise LedgerUnavailableError(path, _os_reason(exc)) from None

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
                for statement in _SCHEMA:
                    conn.execute(statement)
                columns = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
                if "owner" not in columns:
                    conn.execute("ALTER TABLE jobs ADD COLUMN owner TEXT")
                # A write on every open: a read-only file or folder fails here, not at the first submission.
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                self._settle_orphans(conn)
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

    def _settle_orphans(self, conn: sqlite3.Connection) -> None:
        """Mark ``unknown`` the submissions left ``submitting`` by a process that stopped (kill -9, a crash, a
        power cut) before useapi's answer was recorded: the task may exist and be billed, and list_jobs(state=
        "unknown") is where the user looks for it. Never another live process's row: a row of a process on this
        machine is settled only once that process is gone; a row whose process cannot be checked (another machine
        sharing the folder, or written before owners were recorded) only after ORPHAN_AFTER."""
        rows = conn.execute("SELECT id, owner, created_at FROM jobs WHERE state = 'submitting'").fetchall()
        now = datetime.now(UTC)
        host = socket.gethostname()
        for row in rows:
            owner_host, _, owner_pid = (row["owner"] or "").rpartition(":")
            if owner_host == host and owner_pid.isdigit() and _checkable():
                pid = int(owner_pid)
                if pid == os.getpid() or _alive(pid):
                    continue
                why = f"the process (pid {pid}) that was submitting it stopped before useapi's answer was recorded"
            else:
                try:
                    created = datetime.fromisoformat(row["created_at"])
                except ValueError:
                    created = now
                if created.tzinfo is None:
                    created = created.replace(tzinfo=UTC)
                if now - created < ORPHAN_AFTER:
                    continue
                why = (
                    f"it was still being submitted after {int(ORPHAN_AFTER.total_seconds() // 60)} minutes: the "
                    "process submitting it stopped before useapi's answer was recorded"
                )
            error = (
                f"Outcome unknown: {why}. The task may exist and be billed; look for it in the Kling account before "
                "submitting the same request again."
            )
            conn.execute(
                "UPDATE jobs SET state = 'unknown', error = ?, updated_at = ? WHERE id = ?",
                (error, now_iso(), row["id"]),
            )
            logger.warning("ledger job %s was left submitting by a stopped process; marked unknown", row["id"])

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
        """Run a statement in a worker thread; a database that fails now (a full disk, a file removed or damaged
        under us) is the same coded error as one that cannot be opened."""
        try:
            return await anyio.to_thread.run_sync(fn)
        except sqlite3.Error as exc:
            raise LedgerUnavailableError(self.path, _sqlite_reason(exc)) from None

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
        IdempotencyConflict carrying the earlier job instead (nothing new is recorded, sent or counted). With a
        budget, the spending check and the claim are one transaction: concurrent calls (of any process sharing the
        file) cannot both take the last room; a refusal raises BudgetExceededError and records nothing."""
        now = datetime.now(UTC)
        stamp = now.isoformat(timespec="seconds")
        with self._tx() as conn:
            if idempotency_key is not None:
                row = conn.execute("SELECT * FROM jobs WHERE idempotency_key = ?", (idempotency_key,)).fetchone()
                if row is not None:
                    raise IdempotencyConflict(_job(row))
            if budget is not None and credits_estimated is not None:
                budget.check_call(credits_estimated)
                if budget.daily is not None:
                    counted = [(job.created_at, job.credits) for job in self._spent(conn, now - WINDOW)]
                    budget.check_window(credits_estimated, counted, now)
            cursor = conn.execute(
                "INSERT INTO jobs (idempotency_key, kind, email, model_name, prompt, params, state, "
                "credits_estimated, batch, created_at, updated_at, owner) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
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
                    self.owner,
                ),
            )
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return _job(row)

    async def begin(self, **kwargs: Any) -> Job:
        return await self._run(lambda: self.begin_sync(**kwargs))

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

    def spent_sync(self, since: datetime) -> list[SpentJob]:
        """Every job created since ``since`` that counts against the budget (it may have been billed)."""
        with self._lock:
            return self._spent(self._conn, since)

    async def spent(self, since: datetime) -> list[SpentJob]:
        return await self._run(lambda: self.spent_sync(since))

    async def note_balance(self, email: str, total: float) -> None:
        def work() -> None:
            with self._tx() as conn:
                conn.execute("INSERT INTO balance_readings VALUES (?, ?, ?)", (email, now_iso(), total))

        await self._run(work)

    def balance_readings_sync(self, since: datetime) -> list[tuple[datetime, str, float]]:
        """(time, email, raw balance.total) of every balance read since ``since``, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT at, email, total FROM balance_readings WHERE at >= ? ORDER BY at",
                (since.astimezone(UTC).isoformat(timespec="seconds"),),
            ).fetchall()
        return [(parse_stamp(row["at"]), row["email"], row["total"]) for row in rows]

    async def balance_readings(self, since: datetime) -> list[tuple[datetime, str, float]]:
        return await self._run(lambda: self.balance_readings_sync(since))

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
        may finish at once)."""
        with self._tx() as conn:
            row = conn.execute("SELECT * FROM jobs WHERE task_id = ?", (task_id,)).fetchone()
            if row is None:
                return None
            downloads = json.loads(row["downloads"] or "{}")
            current = {} if replace else downloads.get(str(work_id), {})
            downloads[str(work_id)] = DownloadRecord.model_validate({**current, **changes}).model_dump(mode="json")
            conn.execute(
                "UPDATE jobs SET downloads = ?, updated_at = ? WHERE id = ?",
                (json.dumps(downloads), now_iso(), row["id"]),
            )
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (row["id"],)).fetchone()
        return self._cached(_job(row))

    async def add_download(self, task_id: int, work_id: int, record: DownloadRecord) -> Job | None:
        """Record a saved file (replacing whatever was recorded for that video)."""
        return await self._run(lambda: self._download_sync(task_id, work_id, record.model_dump(), True))

    async def note_download(self, task_id: int, work_id: int, **changes: Any) -> Job | None:
        """Change some fields of a video's download record (a failure, a planned retry), keeping the others."""
        return await self._run(lambda: self._download_sync(task_id, work_id, changes, False))

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
        clauses, args = [], []
        if state is not None:
            if state not in JOB_STATES:
                raise InvalidParameterError("state", state, "not a job state", list(JOB_STATES))
            clauses.append("state = ?")
            args.append(state)
        if since is not None:
            clauses.append("created_at >= ?")
            args.append(parse_since(since))
        if before is not None:
            clauses.append("created_at < ?")
            args.append(parse_since(before))
        if batch is not None:
            clauses.append("batch = ?")
            args.append(batch)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidParameterError("limit", limit, "must be a whole number of at least 1", "1, 2, 3, …")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT * FROM jobs {where} ORDER BY id DESC LIMIT ?", (*args, int(limit))
            ).fetchall()
        return [_job(row) for row in rows]

    async def jobs(self, **kwargs: Any) -> list[Job]:
        return await self._run(lambda: self.jobs_sync(**kwargs))


def parse_since(value: str) -> str:
    """``value`` (ISO 8601; naive means UTC) as the UTC text the ledger stores, which then compares in order."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except (ValueError, TypeError, AttributeError):
        raise InvalidParameterError("since", value, "not an ISO 8601 date or time", SINCE_EXAMPLES) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _job(row: sqlite3.Row) -> Job:
    data = dict(row)
    data["params"] = json.loads(data["params"] or "{}")
    data["videos"] = json.loads(data["videos"] or "[]")
    data["downloads"] = json.loads(data["downloads"] or "{}")
    return Job.model_validate(data)


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
