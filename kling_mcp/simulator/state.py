"""The simulated account: balances, tasks and uploads, on an injectable wall clock.

Everything lives in SQLite: in memory by default, or in ``<state_dir>/simulator.sqlite3`` when the configuration names
a state folder (``kling-mcp --simulate`` and ``kling-mcp batch --simulate`` use ``<KLING_MCP_STATE_DIR>/simulated``).
With a folder the account outlives its process as the real one does: a task created by one process is polled,
finished and downloaded by the next, balances and uploads stay. Task creation times are wall-clock epoch seconds,
so a task keeps progressing while no process runs. Each operation is one SQLite transaction (WAL, busy timeout), so
two processes may share the folder at once: a create checks the job limit, debits the balance and takes the next
task id atomically.

A task's progress is computed from the clock when it is read (no background work): ``submitted`` (status 5) for
the queue time, ``processing`` (status 10, [INF] from Kling's web status set) for the processing time, then final.
A task holds one of its account's job slots until it is final (reference §4.4, [INF]), or until DELETE /scheduler/{id}
stops useapi tracking it: the task then keeps running (and was billed) but no longer counts (reference §4.3; useapi's
own MCP tool ``kling_stop_tracking``: "frees the job slot"). A task deleted with DELETE /tasks/{id} is gone: its row
is removed, so its poll answers 404 and its files are no longer served (reference §6.4).

A task makes videos, images or audio (``SimTask.content``): the works of a task are all of one kind. Uploaded files
are also listed as the account's uploaded assets (GET /assets/uploaded/, each with a numeric id), and avatars are
kept per account like elements.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from kling_mcp.api.models import FAILURE_STATUSES, STATUS_PROCESSING, STATUS_SUBMITTED, STATUS_SUCCEED
from kling_mcp.simulator.config import SimulatorConfig

STATE_FILE = "simulator.sqlite3"
# Reference §3.2: the doc sample shows amount 66000 / balance 56000 for what looks like a 660-credit plan, so
# balance figures are taken to be Kling credits x 100 [INF].
UNITS_PER_CREDIT = 100
# Failure names are not documented (reference §6.1); these are plausible and distinct [INF].
FAILURE_NAMES = {6: "failed", 7: "error", 9: "timeout", 50: "failed", 53: "rejected", 54: "rejected", 58: "error"}
FAILURE_TEXT = {
    6: "Generation failed.",
    7: "Generation error, please try again.",
    9: "Generation timed out.",
    50: "Generation failed, credits will be refunded.",
    53: "The input did not pass review.",
    54: "The output did not pass review.",
    58: "Service error, please try again later.",
}
_FAIL = re.compile(r"sim:fail-(\d+)")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (email TEXT PRIMARY KEY, units REAL NOT NULL, granted REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY, email TEXT NOT NULL, ends REAL NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_open ON tasks(email, ends);
CREATE TABLE IF NOT EXISTS uploads (name TEXT PRIMARY KEY, content_type TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS elements (
    id TEXT PRIMARY KEY, email TEXT NOT NULL, created REAL NOT NULL, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS motions (
    id TEXT PRIMARY KEY, email TEXT NOT NULL, created REAL NOT NULL, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS avatars (
    id TEXT PRIMARY KEY, email TEXT NOT NULL, created REAL NOT NULL, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS untracked (id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS uploaded (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, email TEXT NOT NULL, created REAL NOT NULL
);
"""
# Uploaded assets' ids are numeric strings (useapi's uploaded-assets pages show "869218167527833688"): the row id
# plus this offset [INF].
UPLOAD_ID_BASE = 869_000_000_000_000_000
_TRACKED = "id NOT IN (SELECT id FROM untracked)"


class CapacityReached(Exception):
    """Every job slot of the account is taken (useapi answers 429)."""


@dataclass
class Account:
    email: str
    max_jobs: int
    units: float  # balance.total, in useapi's units
    granted: float


@dataclass
class SimTask:
    id: int
    email: str
    kind: str  # the Kling task type: m2v_txt2video_hq, m2v_img2video_hq, m2v_extend_video, ...
    body: dict[str, Any]
    created: float  # the state's clock: wall-clock epoch seconds unless a test injects a clock
    queue_s: float
    process_s: float
    aspect_ratio: str
    mode: str
    duration: float  # seconds of each video (served to the frame: media.served_seconds)
    outcome: str  # succeed | fail | vanish | moderation_later | out_of_credits
    fail_status: int = 0
    work_id: int = 0  # the first work's id; a task with several works numbers them on (work_ids)
    created_ms: int = 0
    audio: bool = False
    works: int = 1
    credits: float = 0.0  # what the task cost (0 for tasks recorded before this field existed)
    model_name: str = ""
    content: str = "video"  # what its works are: video | image | audio (reference §6.1 contentType)
    width: int = 0  # an image task's picture size (a video's comes from its aspect ratio)
    height: int = 0
    reply_url: str = ""  # replyUrl / replyRef, as GET /scheduler lists them (reference §4.1)
    reply_ref: str = ""

    @property
    def work_ids(self) -> list[int]:
        return [self.work_id + n for n in range(self.works)]

    @property
    def ends(self) -> float:
        return self.created + self.queue_s + self.process_s

    def phase(self, now: float) -> str:
        elapsed = now - self.created
        if elapsed < self.queue_s:
            return "submitted"
        if elapsed < self.queue_s + self.process_s:
            return "processing"
        return "final"


_TASK_FIELDS = {f.name for f in fields(SimTask)}


def _task(data: str) -> SimTask:
    values = json.loads(data)
    return SimTask(**{k: v for k, v in values.items() if k in _TASK_FIELDS})


@dataclass(frozen=True)
class Creation:
    """What create needs to know about a validated generation request."""

    kind: str
    body: dict[str, Any]
    model_name: str
    mode: str
    duration: float
    credits: float
    aspect_ratio: str
    audio: bool
    works: int = 1
    content: str = "video"  # video | image | audio
    width: int = 0  # images: the picture size
    height: int = 0
    reply_url: str = ""
    reply_ref: str = ""
    immediate: bool = False  # already final when created (text to speech): takes no job slot


@dataclass
class SimulatorState:
    config: SimulatorConfig
    clock: Callable[[], float] = time.time
    requests: list[tuple[str, str, str]] = field(default_factory=list)
    responses: list[tuple[str, str, int]] = field(default_factory=list)
    peers: set[tuple[str, int]] = field(default_factory=set)  # client (address, port): one per TCP connection

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        state_dir = self.config.state_dir
        if state_dir is None:
            self.path: Path | None = None
            self._conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        else:
            state_dir.mkdir(parents=True, exist_ok=True)
            self.path = state_dir / STATE_FILE
            self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30, isolation_level=None)
            self._conn.execute("PRAGMA busy_timeout=30000")
            self._conn.execute("PRAGMA journal_mode=WAL")
        with self._lock:
            self._conn.executescript(_SCHEMA)
        first = self.config.first_task_id
        first_id = first if first is not None else 100_000_000 + int(time.time() * 1000) % 800_000_000
        units = self.config.credits * UNITS_PER_CREDIT
        with self._tx() as conn:
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('next_id', ?)", (first_id,))
            for email in self.config.accounts:
                conn.execute(
                    "INSERT OR IGNORE INTO accounts (email, units, granted) VALUES (?, ?, ?)", (email, units, units)
                )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE takes SQLite's write lock first, so that a read-then-write (the
        job limit, the balance, the next id) is atomic against another process on the same file."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._conn.execute(sql, args).fetchall())

    # --- accounts -------------------------------------------------------------------------------------------------

    @property
    def accounts(self) -> dict[str, Account]:
        """The configured accounts with their balances, in configuration order."""
        rows = {email: (units, granted) for email, units, granted in self._read("SELECT * FROM accounts")}
        return {
            email: Account(email, self.config.max_jobs, *rows[email]) for email in self.config.accounts if email in rows
        }

    def executing(self, email: str) -> int:
        """Job slots taken: the account's tasks not final yet that useapi still tracks."""
        sql = f"SELECT COUNT(*) FROM tasks WHERE email = ? AND ends > ? AND {_TRACKED}"
        return int(self._read(sql, (email, self.clock()))[0][0])

    def running(self) -> list[SimTask]:
        """Every tracked task not final yet, of every account, oldest first (GET /scheduler)."""
        sql = f"SELECT data FROM tasks WHERE ends > ? AND {_TRACKED} ORDER BY id"
        return [_task(row[0]) for row in self._read(sql, (self.clock(),))]

    def untrack(self, task_id: int) -> bool:
        """DELETE /scheduler/{id}: stop tracking a running task (it keeps running); False when no tracked task of
        that id is running."""
        with self._tx() as conn:
            found = conn.execute(
                f"SELECT COUNT(*) FROM tasks WHERE id = ? AND ends > ? AND {_TRACKED}", (task_id, self.clock())
            ).fetchone()[0]
            if found:
                conn.execute("INSERT INTO untracked (id) VALUES (?)", (task_id,))
        return bool(found)

    # --- tasks ----------------------------------------------------------------------------------------------------

    @property
    def tasks(self) -> dict[int, SimTask]:
        """Every task, by id (tests and tools; the API reads one task at a time)."""
        return {row[0]: _task(row[1]) for row in self._read("SELECT id, data FROM tasks ORDER BY id")}

    def task(self, task_id: int) -> SimTask | None:
        rows = self._read("SELECT data FROM tasks WHERE id = ?", (task_id,))
        return _task(rows[0][0]) if rows else None

    def work(self, work_id: int) -> SimTask | None:
        """The task a work belongs to: work ids are task id x 10 + 1, + 2, ... one per work (at most 9)."""
        task = self.task(work_id // 10)
        return task if task is not None and work_id in task.work_ids else None

    def timing(self, model_name: str, mode: str, duration: float, prompt: str) -> tuple[float, float]:
        config = self.config
        if config.process_seconds is not None:
            process = config.process_seconds
        else:
            # [INF] "a few minutes depending on model, mode, and duration — std is faster than pro or 4k" (seed).
            process = {"std": 60.0, "pro": 90.0, "4k": 150.0}.get(mode, 90.0) + 6.0 * max(duration - 5, 0)
            if model_name.endswith("turbo"):
                process *= 0.6
        if "sim:slow" in prompt:
            process *= 10
        return config.queue_seconds / config.speed, process / config.speed

    def create(self, email: str, request: Creation) -> SimTask:
        """Take a job slot, debit the balance and record the task, atomically; CapacityReached when every slot of
        the account is taken."""
        prompt = prompt_text(request.body)
        outcome, fail_status = "succeed", 0
        if match := _FAIL.search(prompt):
            code = int(match.group(1))
            outcome, fail_status = ("fail", code) if code in FAILURE_STATUSES else ("fail", 6)
        elif "sim:vanish" in prompt:
            outcome = "vanish"
        elif "sim:moderation-later" in prompt:
            outcome = "moderation_later"
        queue_s, process_s = self.timing(request.model_name, request.mode, request.duration, prompt)
        if request.immediate:
            queue_s = process_s = 0.0
        cost = request.credits * UNITS_PER_CREDIT
        with self._tx() as conn:
            now = self.clock()
            (running,) = conn.execute(
                f"SELECT COUNT(*) FROM tasks WHERE email = ? AND ends > ? AND {_TRACKED}", (email, now)
            ).fetchone()
            if running >= self.config.max_jobs and not request.immediate:
                raise CapacityReached
            (units,) = conn.execute("SELECT units FROM accounts WHERE email = ?", (email,)).fetchone()
            if units < cost:
                # Seed: a job may clear creation and later poll 404 when the account ran out of credits.
                outcome = "out_of_credits"
            else:
                conn.execute("UPDATE accounts SET units = units - ? WHERE email = ?", (cost, email))
            (task_id,) = conn.execute("SELECT value FROM meta WHERE key = 'next_id'").fetchone()
            conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'next_id'")
            task = SimTask(
                id=task_id,
                email=email,
                kind=request.kind,
                body=request.body,
                created=now,
                queue_s=queue_s,
                process_s=process_s,
                aspect_ratio=request.aspect_ratio,
                mode=request.mode,
                duration=request.duration,
                outcome=outcome,
                fail_status=fail_status,
                work_id=task_id * 10 + 1,
                created_ms=int(now * 1000),  # the state's clock, so that GET /tasks filters follow it
                audio=request.audio,
                works=request.works,
                credits=request.credits,
                model_name=request.model_name,
                content=request.content,
                width=request.width,
                height=request.height,
                reply_url=request.reply_url,
                reply_ref=request.reply_ref,
            )
            conn.execute(
                "INSERT INTO tasks (id, email, ends, data) VALUES (?, ?, ?, ?)",
                (task.id, email, task.ends, json.dumps(asdict(task))),
            )
        return task

    def status(self, task: SimTask) -> tuple[int, str, bool] | None:
        """(status, status_name, final) as a poll sees it now; None when the poll answers 404."""
        phase = task.phase(self.clock())
        if phase == "submitted":
            return STATUS_SUBMITTED, "submitted", False
        if phase == "processing":
            return STATUS_PROCESSING, "processing", False
        if task.outcome == "succeed":
            return STATUS_SUCCEED, "succeed", True
        if task.outcome == "fail":
            return task.fail_status, FAILURE_NAMES[task.fail_status], True
        return None  # vanish, moderation_later, out_of_credits: the seed's three causes of a 404

    def history(self, email: str, *, content: str | None, before_ms: int | None, after_ms: int | None) -> list[SimTask]:
        """GET /tasks: the account's tasks, newest first, of one kind of content, created before or after a moment
        (epoch ms)."""
        tasks = [_task(row[0]) for row in self._read("SELECT data FROM tasks WHERE email = ?", (email,))]
        chosen = [
            t
            for t in tasks
            if (content is None or t.content == content)
            and (before_ms is None or t.created_ms < before_ms)
            and (after_ms is None or t.created_ms > after_ms)
        ]
        chosen.sort(key=lambda t: (t.created_ms, t.id), reverse=True)
        return chosen

    def delete_task(self, email: str, task_id: int) -> bool:
        """DELETE /tasks/{id}: remove a task of the account for good."""
        with self._tx() as conn:
            deleted = conn.execute("DELETE FROM tasks WHERE id = ? AND email = ?", (task_id, email)).rowcount
            conn.execute("DELETE FROM untracked WHERE id = ?", (task_id,))
        return bool(deleted)

    # --- uploads --------------------------------------------------------------------------------------------------

    def add_upload(self, name: str, content_type: str, data: bytes, email: str | None = None) -> str | None:
        """Keep an uploaded file; with ``email``, also list it among that account's uploaded assets. The asset's
        id (a string of digits), or None without an email."""
        with self._tx() as conn:
            conn.execute("INSERT INTO uploads (name, content_type, data) VALUES (?, ?, ?)", (name, content_type, data))
            if email is None:
                return None
            row = conn.execute(
                "INSERT INTO uploaded (name, email, created) VALUES (?, ?, ?)", (name, email, self.clock())
            ).lastrowid
        return str(UPLOAD_ID_BASE + int(row or 0))

    def uploaded(self, email: str) -> list[tuple[str, str, str, float]]:
        """The account's uploaded assets: (id, file name, content type, upload time), oldest first."""
        rows = self._read(
            "SELECT uploaded.id, uploaded.name, uploads.content_type, uploaded.created FROM uploaded "
            "JOIN uploads ON uploads.name = uploaded.name WHERE uploaded.email = ? ORDER BY uploaded.id",
            (email,),
        )
        return [(str(UPLOAD_ID_BASE + int(i)), str(n), str(c), float(t)) for i, n, c, t in rows]

    def delete_uploaded(self, email: str, ids: list[str]) -> list[str]:
        """Delete the account's uploaded assets of these ids (their files are no longer served); the ids deleted."""
        deleted: list[str] = []
        with self._tx() as conn:
            for asset_id in ids:
                row = int(asset_id) - UPLOAD_ID_BASE
                found = conn.execute("SELECT name FROM uploaded WHERE id = ? AND email = ?", (row, email)).fetchone()
                if found is None:
                    continue
                conn.execute("DELETE FROM uploaded WHERE id = ?", (row,))
                conn.execute("DELETE FROM uploads WHERE name = ?", (found[0],))
                deleted.append(asset_id)
        return deleted

    def upload(self, name: str) -> tuple[str, bytes] | None:
        rows = self._read("SELECT content_type, data FROM uploads WHERE name = ?", (name,))
        return (str(rows[0][0]), bytes(rows[0][1])) if rows else None

    @property
    def uploads(self) -> dict[str, tuple[str, bytes]]:
        return {str(n): (str(c), bytes(d)) for n, c, d in self._read("SELECT name, content_type, data FROM uploads")}

    # --- elements and motions (JSON objects of an account, newest first) --------------------------------------------

    def add_element(self, email: str, element: dict[str, Any]) -> None:
        self._add("elements", email, str(element["id"]), element)

    def element(self, email: str, element_id: str) -> dict[str, Any] | None:
        return self._one("elements", email, element_id)

    def elements(self, email: str) -> list[dict[str, Any]]:
        return self._all("elements", email)

    def delete_element(self, email: str, element_id: str) -> bool:
        with self._tx() as conn:
            deleted = conn.execute("DELETE FROM elements WHERE id = ? AND email = ?", (element_id, email)).rowcount
        return bool(deleted)

    def add_motion(self, email: str, motion: dict[str, Any]) -> None:
        self._add("motions", email, str(motion["assetId"]), motion)

    def motions(self, email: str) -> list[dict[str, Any]]:
        return self._all("motions", email)

    def add_avatar(self, email: str, avatar: dict[str, Any]) -> None:
        self._add("avatars", email, str(avatar["id"]), avatar)

    def avatar(self, email: str, avatar_id: str) -> dict[str, Any] | None:
        return self._one("avatars", email, avatar_id)

    def avatars(self, email: str) -> list[dict[str, Any]]:
        return self._all("avatars", email)

    def delete_avatar(self, email: str, avatar_id: str) -> bool:
        with self._tx() as conn:
            deleted = conn.execute("DELETE FROM avatars WHERE id = ? AND email = ?", (avatar_id, email)).rowcount
        return bool(deleted)

    # ``table`` is always one of the three names above, never user input.
    def _add(self, table: str, email: str, key: str, data: dict[str, Any]) -> None:
        with self._tx() as conn:
            conn.execute(
                f"INSERT INTO {table} (id, email, created, data) VALUES (?, ?, ?, ?)",
                (key, email, self.clock(), json.dumps(data)),
            )

    def _one(self, table: str, email: str, key: str) -> dict[str, Any] | None:
        rows = self._read(f"SELECT data FROM {table} WHERE id = ? AND email = ?", (key, email))
        return dict(json.loads(rows[0][0])) if rows else None

    def _all(self, table: str, email: str) -> list[dict[str, Any]]:
        rows = self._read(f"SELECT data FROM {table} WHERE email = ? ORDER BY created DESC, rowid DESC", (email,))
        return [dict(json.loads(row[0])) for row in rows]


def prompt_text(body: dict[str, Any]) -> str:
    """The prompts of a request (prompt and every shot_N_prompt): where the trigger words are looked for."""
    return " ".join(
        str(value)
        for key, value in body.items()
        if key == "prompt" or (key.startswith("shot_") and key.endswith("_prompt"))
    )
