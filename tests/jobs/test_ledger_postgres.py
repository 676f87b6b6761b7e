"""The ledger's contract, held by both backends: SQLite (the embedded default) and PostgreSQL (a team's replicas,
KLING_MCP_DATABASE_URL) on a throwaway cluster (tests/postgres.py). Idempotency keys and the daily budget hold across
ledgers claiming at once; a submission whose process was killed is settled as unknown, at start-up and as soon as
its key is asked for again, never while that process lives; one process downloads each finished work; schema
migrations are versioned and run at start-up."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import pytest

from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.jobs.ledger import (
    JOB_STATES,
    DownloadRecord,
    IdempotencyConflict,
    Job,
    Ledger,
    LedgerUnavailableError,
    open_ledger,
)
from kling_mcp.jobs.spending import Budget, BudgetExceededError
from tests.postgres import Cluster, cluster

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pg() -> Iterator[Cluster]:
    with cluster() as running:
        yield running


@dataclass
class Backend:
    name: str
    target: str  # the SQLite file, or the database URL
    sql: Callable[..., list[Any]]  # one statement with ? placeholders, run under the ledger

    def open(self) -> Ledger:
        if self.name == "postgres":
            return open_ledger(self.target, Path("/nonexistent/jobs.sqlite3"))
        return open_ledger(None, Path(self.target))


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        path = tmp_path / "jobs.sqlite3"

        def on_sqlite(statement: str, *args: Any) -> list[Any]:
            with sqlite3.connect(path) as conn:
                return conn.execute(statement, args).fetchall()

        return Backend("sqlite", str(path), on_sqlite)
    pg: Cluster = request.getfixturevalue("pg")
    url = pg.new_database()
    return Backend("postgres", url, lambda statement, *args: pg.execute(url, statement.replace("?", "%s"), args))


@pytest.fixture
def ledger(backend: Backend) -> Iterator[Ledger]:
    opened = backend.open()
    yield opened
    opened.close()


def begin(ledger: Ledger, **overrides: Any) -> Job:
    values: dict[str, Any] = {
        "kind": "text2video",
        "params": {"prompt": "a fox"},
        "email": "a@x.com",
        "model_name": "kling-v1-6",
        "prompt": "a fox",
        "credits_estimated": 20.0,
    }
    values.update(overrides)
    return ledger.begin_sync(**values)


def eventually(check: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    """Wait for something another process makes true (a killed process's session ending in the database); the
    bound only stops a hang."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.02)


# --- the same behaviour on both ------------------------------------------------------------------------------------


def test_a_submission_reads_back_the_same_on_both_backends(ledger: Ledger) -> None:
    job = begin(ledger, idempotency_key="fox-1", batch="b1")
    assert job.state == "submitting" and job.task_id is None and job.idempotency_key == "fox-1"
    assert datetime.fromisoformat(job.created_at).utcoffset() == timedelta(0) and len(job.created_at) == 25
    anyio.run(ledger.mark_submitted, job.id, 9001, "queued", 5, "submitted")
    anyio.run(lambda: ledger.add_download(9001, 1, DownloadRecord(path="/out/kling_9001_1.mp4", clean=True, bytes=9)))
    got = ledger.get_sync(9001)
    assert got is not None and (got.id, got.state, got.status_name, got.batch) == (job.id, "queued", "submitted", "b1")
    assert got.params == {"prompt": "a fox"} and got.path == "/out/kling_9001_1.mp4"
    assert [j.id for j in ledger.jobs_sync(batch="b1")] == [job.id]
    assert [j.id for j in ledger.jobs_sync(state="queued")] == [job.id] and ledger.jobs_sync(state="failed") == []


def test_a_key_is_claimed_once_when_two_ledgers_claim_it_at_once(backend: Backend) -> None:
    """Two processes (or replicas) given the same key at the same moment: one claim, the other is told of it."""
    ledgers = [backend.open(), backend.open()]
    keys = [f"key-{n}" for n in range(12)]
    barrier = threading.Barrier(4)

    def claim(ledger: Ledger, key: str) -> tuple[str, int]:
        barrier.wait()
        try:
            return "created", begin(ledger, idempotency_key=key).id
        except IdempotencyConflict as conflict:
            return "conflict", conflict.job.id

    try:
        with ThreadPoolExecutor(4) as pool:
            for key in keys:
                outcomes = list(pool.map(claim, [*ledgers, *ledgers], [key] * 4))
                assert sorted(kind for kind, _ in outcomes) == ["conflict", "conflict", "conflict", "created"], key
                assert len({job_id for _, job_id in outcomes}) == 1, key
        assert len(ledgers[0].jobs_sync(limit=100)) == len(keys)
    finally:
        for each in ledgers:
            each.close()


def test_a_rejected_key_may_be_used_again(ledger: Ledger) -> None:
    job = begin(ledger, idempotency_key="again")
    with pytest.raises(IdempotencyConflict):
        begin(ledger, idempotency_key="again")
    anyio.run(ledger.mark_rejected, job.id, "refused upstream")
    anyio.run(ledger.forget_key, job.id)
    assert begin(ledger, idempotency_key="again").id != job.id


def test_the_daily_budget_holds_when_two_ledgers_claim_at_once(backend: Backend) -> None:
    ledgers = [backend.open(), backend.open()]
    budget = Budget(daily=100.0)
    barrier = threading.Barrier(8)

    def claim(n: int) -> bool:
        barrier.wait()
        try:
            begin(ledgers[n % 2], credits_estimated=30.0, budget=budget)
        except BudgetExceededError:
            return False
        return True

    try:
        with ThreadPoolExecutor(8) as pool:
            taken = list(pool.map(claim, range(8)))
        assert taken.count(True) == 3  # 90 of 100; a fourth would pass the budget
        assert sum(job.credits for job in ledgers[1].spent_sync(datetime.now(UTC) - timedelta(hours=1))) == 90
    finally:
        for each in ledgers:
            each.close()


def test_balance_readings_and_spending_read_back(ledger: Ledger) -> None:
    anyio.run(ledger.note_balance, "a@x.com", 1234.5)
    readings = ledger.balance_readings_sync(datetime.now(UTC) - timedelta(minutes=5))
    assert [(email, total) for _, email, total in readings] == [("a@x.com", 1234.5)]
    assert readings[0][0].tzinfo is not None
    kept, refused = begin(ledger, credits_estimated=20.0), begin(ledger, credits_estimated=60.0)
    anyio.run(ledger.mark_rejected, refused.id, "refused")
    spent = ledger.spent_sync(datetime.now(UTC) - timedelta(minutes=5))
    assert [(job.credits, job.model_name) for job in spent] == [(20.0, "kling-v1-6")] and kept.id


def test_two_works_noted_at_once_from_two_ledgers_are_both_kept(backend: Backend) -> None:
    ledgers = [backend.open(), backend.open()]
    try:
        ledgers[0].adopt_sync(77, "a@x.com")
        barrier = threading.Barrier(2)

        def note(n: int) -> None:
            barrier.wait()
            for attempt in range(1, 6):
                anyio.run(partial(ledgers[n].note_download, 77, 700 + n, attempts=attempt, error=f"e{n}"))

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(note, range(2)))
        row = backend.sql("SELECT downloads FROM jobs WHERE task_id = ?", 77)[0][0]
        downloads = json.loads(row) if isinstance(row, str) else row
        assert {key: value["attempts"] for key, value in downloads.items()} == {"700": 5, "701": 5}
    finally:
        for each in ledgers:
            each.close()


def test_a_bad_filter_names_what_is_allowed(ledger: Ledger) -> None:
    begin(ledger)
    with pytest.raises(InvalidParameterError) as caught:
        ledger.jobs_sync(state="bogus")
    assert all(state in caught.value.message for state in JOB_STATES)
    with pytest.raises(InvalidParameterError) as caught:
        ledger.jobs_sync(since="yesterday")
    assert caught.value.parameter == "since" and "ISO 8601" in caught.value.message


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("2026-11-25T05:00:00+09:00", ["late", "evening"]),  # 2026-11-24T20:00Z
        ("2026-11-25", ["late"]),  # midnight UTC
        ("2026-11-24T16:00:01-05:00", ["late"]),  # 21:00:01Z
    ],
)
def test_since_is_compared_as_a_moment(backend: Backend, ledger: Ledger, since: str, expected: list[str]) -> None:
    times = {"early": "2026-11-24T19:59:59+00:00", "evening": "2026-11-24T21:00:00+00:00"}
    times["late"] = "2026-11-25T14:00:00+00:00"
    for prompt, created in times.items():
        job = begin(ledger, prompt=prompt)
        backend.sql("UPDATE jobs SET created_at = ? WHERE id = ?", created, job.id)
    assert [j.prompt for j in ledger.jobs_sync(since=since)] == expected
    assert [j.prompt for j in ledger.jobs_sync(before="2026-11-24T21:00:00Z")] == ["early"]


# --- submissions of a killed process -------------------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import anyio
    from kling_mcp.jobs.ledger import open_ledger

    backend, target, action, then = sys.argv[1:5]
    ledger = open_ledger(target if backend == "postgres" else None, Path(target))
    if action == "claim":
        print(anyio.run(ledger.claim_download, 7, 70), flush=True)
    else:
        job = ledger.begin_sync(kind="text2video", params={}, email="a@x.com", model_name="kling-v1-6",
                                prompt="a fox", credits_estimated=20.0, idempotency_key="fox-kill")
        print(job.id, flush=True)
    if then == "kill":
        os.kill(os.getpid(), signal.SIGKILL)  # kill -9 while the create would be in flight
    sys.stdin.read()  # stay alive, "in flight", until the test closes stdin
    """
)


def child(backend: Backend, action: str, then: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, backend.name, backend.target, action, then],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def killed(backend: Backend, action: str) -> str:
    process = child(backend, action, "kill")
    out, _ = process.communicate(timeout=60)
    assert process.returncode == -9
    return out.strip()


def state_of(backend: Backend, job_id: int) -> str:
    state: str = backend.sql("SELECT state FROM jobs WHERE id = ?", job_id)[0][0]
    return state


@pytest.mark.skipif(sys.platform == "win32", reason="process liveness is checked on POSIX")
def test_a_submission_left_by_a_killed_process_is_unknown_at_the_next_start(backend: Backend) -> None:
    backend.open().close()
    job_id = int(killed(backend, "begin"))
    assert state_of(backend, job_id) == "submitting"

    def settled_at_start() -> bool:
        opened = backend.open()
        opened.close()
        return state_of(backend, job_id) == "unknown"

    eventually(settled_at_start, "a start settles the killed process's submission")
    opened = backend.open()
    (job,) = opened.jobs_sync(state="unknown")
    opened.close()
    assert job.id == job_id and job.idempotency_key == "fox-kill"
    assert job.error is not None and "stopped before useapi's answer was recorded" in job.error
    assert "may exist and be billed" in job.error


@pytest.mark.skipif(sys.platform == "win32", reason="process liveness is checked on POSIX")
def test_the_key_of_a_killed_submitter_answers_unknown_without_a_restart(backend: Backend, ledger: Ledger) -> None:
    """The other replica, asked again for the key: unknown at once (it never waits for the dead one, never resends).
    Before, the row stayed ``submitting`` until some process restarted."""
    job_id = int(killed(backend, "begin"))
    eventually(
        lambda: (job := anyio.run(ledger.find_key, "fox-kill")) is not None and job.state == "unknown",
        "the key's submission is settled once its process is gone",
    )
    with pytest.raises(IdempotencyConflict) as caught:
        begin(ledger, idempotency_key="fox-kill")
    assert caught.value.job.id == job_id and caught.value.job.state == "unknown"
    assert (
        caught.value.job.error is not None and "stopped before useapi's answer was recorded" in caught.value.job.error
    )


@pytest.mark.skipif(sys.platform == "win32", reason="process liveness is checked on POSIX")
def test_a_live_process_keeps_its_submission(backend: Backend, ledger: Ledger) -> None:
    process = child(backend, "begin", "stay")
    try:
        assert process.stdout is not None
        job_id = int(process.stdout.readline())
        found = anyio.run(ledger.find_key, "fox-kill")
        assert found is not None and found.state == "submitting"
        with pytest.raises(IdempotencyConflict) as caught:
            begin(ledger, idempotency_key="fox-kill")
        assert caught.value.job.state == "submitting"
        backend.open().close()  # a replica starting while the other is submitting
        assert state_of(backend, job_id) == "submitting"
    finally:
        process.communicate("", timeout=60)


@pytest.mark.parametrize(("age_minutes", "settled"), [(11, True), (1, False)])
def test_a_submission_whose_process_cannot_be_checked_is_settled_only_when_old(
    backend: Backend, age_minutes: int, settled: bool
) -> None:
    opened = backend.open()
    job_id = begin(opened).id
    opened.close()
    created = (datetime.now(UTC) - timedelta(minutes=age_minutes)).isoformat(timespec="seconds")
    backend.sql("UPDATE jobs SET owner = ?, created_at = ? WHERE id = ?", "other-host:1", created, job_id)
    if backend.name == "postgres":  # a row without a replica: written by no process this ledger can check
        backend.sql("UPDATE jobs SET replica = NULL WHERE id = ?", job_id)
    backend.open().close()
    assert state_of(backend, job_id) == ("unknown" if settled else "submitting")


def test_a_running_ledger_s_own_submission_is_left_alone(backend: Backend, ledger: Ledger) -> None:
    job_id = begin(ledger, idempotency_key="mine").id
    other = backend.open()  # another replica (or, on SQLite, another ledger of this process) starting
    found = anyio.run(other.find_key, "mine")
    other.close()
    assert found is not None and found.state == "submitting" and state_of(backend, job_id) == "submitting"


# --- who downloads -------------------------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="process liveness is checked on POSIX")
def test_one_process_downloads_a_work_and_a_stopped_one_s_claim_passes_on(backend: Backend, ledger: Ledger) -> None:
    process = child(backend, "claim", "stay")
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "True"
        assert anyio.run(ledger.claim_download, 7, 70) is False  # the other process downloads it
        assert anyio.run(ledger.claim_download, 7, 71) is True  # another work: free
        assert anyio.run(ledger.claim_download, 7, 71) is True  # and still ours
    finally:
        process.communicate("", timeout=60)
    eventually(lambda: anyio.run(ledger.claim_download, 7, 70), "the stopped process's claim is taken over")
    assert backend.sql("SELECT owner FROM download_claims WHERE task_id = 7 AND work_id = 70")[0][0] == ledger.owner


# --- MCP Tasks handles ---------------------------------------------------------------------------------------------


def test_a_task_handle_given_by_one_replica_is_answered_by_the_other(backend: Backend) -> None:
    """The MCP Tasks handle (tasks/get, tasks/cancel) lives in the ledger: any replica resolves it."""
    first, second = backend.open(), backend.open()
    try:
        made = anyio.run(first.add_task_handle, 9001, "2026-11-25T14:00:00+00:00", 15000, 604800000)
        again = anyio.run(second.add_task_handle, 9001, "2026-11-25T14:05:00+00:00", 20000, 1)  # a reused key
        assert made == again == anyio.run(second.task_handle, 9001)
        assert made["created_at"] == "2026-11-25T14:00:00+00:00" and made["poll_interval_ms"] == 15000
        assert made["cancelled_at"] is None and anyio.run(second.task_handle, 9002) is None
        cancelled = anyio.run(second.cancel_task_handle, 9001, "stopped tracking")
        assert cancelled is not None and cancelled["cancel_note"] == "stopped tracking"
        assert anyio.run(first.cancel_task_handle, 9001, "later") == cancelled  # the first cancellation stays
        assert anyio.run(first.task_handle, 9001) == cancelled and cancelled["cancelled_at"] is not None
        assert anyio.run(first.cancel_task_handle, 9002, "none") is None
    finally:
        first.close()
        second.close()


# --- migrations ----------------------------------------------------------------------------------------------------

OLD_SQLITE = """
CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER UNIQUE, idempotency_key TEXT UNIQUE,
    kind TEXT NOT NULL, email TEXT, model_name TEXT, prompt TEXT, params TEXT NOT NULL, state TEXT NOT NULL,
    status INTEGER, status_name TEXT, error TEXT, videos TEXT NOT NULL DEFAULT '[]',
    downloads TEXT NOT NULL DEFAULT '{}', credits_estimated REAL, batch TEXT, created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL);
CREATE TABLE balance_readings (email TEXT NOT NULL, at TEXT NOT NULL, total REAL NOT NULL);
INSERT INTO jobs (task_id, kind, params, state, created_at, updated_at)
    VALUES (42, 'text2video', '{}', 'succeeded', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00');
"""


def test_an_older_sqlite_ledger_is_migrated_at_start_up(tmp_path: Path) -> None:
    """A file from before versions were kept (no owner column, user_version 0) opens at the current version."""
    path = tmp_path / "jobs.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SQLITE)
    ledger = Ledger(path)
    job = ledger.get_sync(42)
    assert job is not None and job.state == "succeeded"
    assert begin(ledger, idempotency_key="new").id > job.id
    assert anyio.run(ledger.claim_download, 42, 1) is True
    ledger.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
        assert {"download_claims", "mcp_tasks"} <= {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert "owner" in {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}


def test_postgres_replicas_starting_together_migrate_once(pg: Cluster) -> None:
    url = pg.new_database()
    barrier = threading.Barrier(3)

    def start(_: int) -> Ledger:
        barrier.wait()
        return open_ledger(url, Path("/nonexistent/jobs.sqlite3"))

    with ThreadPoolExecutor(3) as pool:
        ledgers = list(pool.map(start, range(3)))
    for each in ledgers:
        each.close()
    assert pg.execute(url, "SELECT version FROM schema_migrations ORDER BY version") == [(1,), (2,)]
    pg.execute(url, "INSERT INTO schema_migrations (version, description) VALUES (99, 'a newer kling-mcp')")
    newer = open_ledger(url, Path("/nonexistent/jobs.sqlite3"))  # a newer schema only added: still opens
    assert begin(newer).id > 0
    newer.close()


# --- configuration -------------------------------------------------------------------------------------------------


def test_an_unreachable_database_is_one_error_naming_it_without_the_password() -> None:
    url = "postgresql://team:s3cret-pw@127.0.0.1:1/kling"  # port 1: nothing listens
    with pytest.raises(LedgerUnavailableError) as caught:
        open_ledger(url, Path("/nonexistent/jobs.sqlite3"))
    error = caught.value
    assert error.code == "ledger_unavailable" and error.details["variable"] == "KLING_MCP_DATABASE_URL"
    assert "postgresql://team@127.0.0.1:1/kling" in error.message and "KLING_MCP_DATABASE_URL" in error.message
    assert "s3cret" not in f"{error.message} {error.hint} {error.details}"


async def test_the_service_opens_the_ledger_the_settings_name(pg: Cluster, make_settings: Any) -> None:
    from pydantic import SecretStr

    from kling_mcp.jobs.ledger_postgres import PostgresStore
    from kling_mcp.jobs.service import KlingService

    url = pg.new_database()
    async with KlingService.open(make_settings(database_url=SecretStr(url))) as service:
        assert isinstance(service.ledger.store, PostgresStore)
        await service.ledger.begin(
            kind="text2video", params={}, email=None, model_name=None, prompt="p", credits_estimated=None
        )
    assert pg.execute(url, "SELECT count(*) FROM jobs") == [(1,)]
    async with KlingService.open(make_settings()) as service:
        assert service.ledger.jobs_sync() == [] and not isinstance(service.ledger.store, PostgresStore)


async def test_a_bad_database_url_is_refused_without_echoing_it() -> None:
    from kling_mcp.config import Settings, SettingsError

    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"KLING_MCP_DATABASE_URL": "mysql://root:hunter2@db/kling"})
    assert "postgresql://" in str(caught.value) and "hunter2" not in str(caught.value)
