"""The ledger: one typed error naming the path for every unusable database, private files, orphaned submissions
settled at open (never another live process's), and filters that are checked and compared as moments."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kling_mcp.api.errors import InvalidParameterError, KlingError
from kling_mcp.jobs import ledger as ledger_module
from kling_mcp.jobs.ledger import JOB_STATES, Ledger, LedgerUnavailableError

ROOT = Path(__file__).resolve().parents[2]


def begin(ledger: Ledger, **overrides: Any) -> int:
    values: dict[str, Any] = {
        "kind": "text2video",
        "params": {"prompt": "a fox"},
        "email": "a@x.com",
        "model_name": "kling-v1-6",
        "prompt": "a fox",
        "credits_estimated": 20.0,
    }
    values.update(overrides)
    return ledger.begin_sync(**values).id


def state_of(path: Path, job_id: int) -> tuple[str, str | None]:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT state, error FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return row[0], row[1]


def assert_names_the_path(error: LedgerUnavailableError, path: Path) -> None:
    assert isinstance(error, KlingError) and error.code == "ledger_unavailable"
    assert str(path) in error.message and "KLING_MCP_STATE_DIR" in error.message
    assert "Traceback" not in str(error)


# --- an unusable database is one typed error -----------------------------------------------------------------------


def test_garbage_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 200)
    with pytest.raises(LedgerUnavailableError) as caught:
        Ledger(path)
    assert_names_the_path(caught.value, path)
    assert "damaged" in caught.value.message


def test_a_malformed_page(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    ledger = Ledger(path)
    for n in range(200):
        begin(ledger, prompt=f"a fox number {n} " * 20, idempotency_key=f"k{n}")
    ledger.close()
    with sqlite3.connect(path) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    assert pages > 4
    with path.open("r+b") as fh:  # scribble over the middle of the file, past the header and schema pages
        fh.seek(page * (pages // 2))
        fh.write(b"\xa5" * page)
    with pytest.raises(LedgerUnavailableError) as caught:
        Ledger(path)
    assert_names_the_path(caught.value, path)


def test_the_state_dir_is_a_file(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.write_text("oops")
    with pytest.raises(LedgerUnavailableError) as caught:
        Ledger(state / "jobs.sqlite3")
    assert_names_the_path(caught.value, state / "jobs.sqlite3")
    assert "is a file, not a folder" in caught.value.message


def test_a_read_only_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "jobs.sqlite3"
    Ledger(path).close()
    real = sqlite3.connect

    def read_only(database: Any, **kwargs: Any) -> sqlite3.Connection:
        return real(f"file:{database}?mode=ro", uri=True, **kwargs)

    monkeypatch.setattr(ledger_module.sqlite3, "connect", read_only)
    with pytest.raises(LedgerUnavailableError) as caught:
        Ledger(path)
    assert_names_the_path(caught.value, path)
    assert "cannot be written" in caught.value.message


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """A tmpfs that the test can remount read-only, where the system allows mounting (root on Linux)."""
    mount, umount = shutil.which("mount"), shutil.which("umount")
    folder = tmp_path / "mnt"
    folder.mkdir()
    if mount is None or umount is None:
        pytest.skip("no mount command")
    try:
        done = subprocess.run([mount, "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True)
    except OSError:
        pytest.skip("mounting a tmpfs is not possible here")
    if done.returncode != 0:
        pytest.skip("mounting a tmpfs is refused here")

    def make_read_only() -> None:
        subprocess.run([mount, "-o", "remount,ro", str(folder)], check=True, capture_output=True, timeout=10)

    try:
        yield make_read_only
    finally:
        subprocess.run([umount, str(folder)], capture_output=True, timeout=10)


def test_a_read_only_mount(tmp_path: Path, read_only_mount: Callable[[], None]) -> None:
    path = tmp_path / "mnt" / "state" / "jobs.sqlite3"
    Ledger(path).close()
    read_only_mount()
    with pytest.raises(LedgerUnavailableError) as caught:
        Ledger(path)
    assert_names_the_path(caught.value, path)


# --- private files -------------------------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_the_ledger_is_private(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    ledger = Ledger(folder / "jobs.sqlite3")
    begin(ledger)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    ledger.close()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert set(modes) >= {"jobs.sqlite3", "jobs.sqlite3-wal", "jobs.sqlite3-shm"}
    assert set(modes.values()) == {0o600}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_files_left_readable_by_an_older_version_are_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    Ledger(folder / "jobs.sqlite3").close()
    folder.chmod(0o755)
    (folder / "jobs.sqlite3").chmod(0o644)
    Ledger(folder / "jobs.sqlite3").close()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "jobs.sqlite3").stat().st_mode) == 0o600


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_shared_folder_is_not_tightened(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    (tmp_path / "notes.txt").write_text("the user's own things")
    Ledger(tmp_path / "jobs.sqlite3").close()
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "jobs.sqlite3").stat().st_mode) == 0o600


# --- submissions orphaned by a killed process ----------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from kling_mcp.jobs.ledger import Ledger

    ledger = Ledger(Path(sys.argv[1]))
    job = ledger.begin_sync(kind="text2video", params={}, email="a@x.com", model_name="kling-v1-6",
                            prompt="a fox", credits_estimated=20.0, idempotency_key="fox-kill")
    print(job.id, flush=True)
    if sys.argv[2] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)  # kill -9 while the create would be in flight
    sys.stdin.read()  # stay alive, "in flight", until the test closes stdin
    """
)


def child(path: Path, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.skipif(sys.platform == "win32", reason="process liveness is checked on POSIX")
def test_a_submission_left_by_a_killed_process_becomes_unknown(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    Ledger(path).close()
    process = child(path, "kill")
    out, _ = process.communicate(timeout=60)
    assert process.returncode == -9
    job_id = int(out.split()[0])
    assert state_of(path, job_id)[0] == "submitting"
    ledger = Ledger(path)
    unknown = ledger.jobs_sync(state="unknown")
    ledger.close()
    assert [j.id for j in unknown] == [job_id] and unknown[0].idempotency_key == "fox-kill"
    assert unknown[0].error is not None and "stopped before useapi's answer was recorded" in unknown[0].error
    assert "may exist and be billed" in unknown[0].error


@pytest.mark.skipif(sys.platform == "win32", reason="process liveness is checked on POSIX")
def test_a_live_process_keeps_its_submission(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    Ledger(path).close()
    process = child(path, "stay")
    try:
        assert process.stdout is not None
        job_id = int(process.stdout.readline())
        Ledger(path).close()  # e.g. the server starting while the batch is submitting
        assert state_of(path, job_id)[0] == "submitting"
    finally:
        process.communicate("", timeout=60)


@pytest.mark.parametrize(("age_minutes", "settled"), [(11, True), (1, False)])
def test_a_submission_whose_process_cannot_be_checked_is_settled_only_when_old(
    tmp_path: Path, age_minutes: int, settled: bool
) -> None:
    path = tmp_path / "jobs.sqlite3"
    ledger = Ledger(path)
    job_id = begin(ledger)
    ledger.close()
    created = (datetime.now(UTC) - timedelta(minutes=age_minutes)).isoformat(timespec="seconds")
    with sqlite3.connect(path) as conn:  # another machine's row (a shared folder), or one from before owners
        conn.execute("UPDATE jobs SET owner = ?, created_at = ? WHERE id = ?", ("other-host:1", created, job_id))
    Ledger(path).close()
    assert state_of(path, job_id)[0] == ("unknown" if settled else "submitting")


def test_this_process_s_own_submission_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    first = Ledger(path)
    job_id = begin(first)
    Ledger(path).close()
    first.close()
    assert state_of(path, job_id)[0] == "submitting"


# --- list filters --------------------------------------------------------------------------------------------------


def test_a_bad_state_names_the_states(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "jobs.sqlite3")
    begin(ledger)
    with pytest.raises(InvalidParameterError) as caught:
        ledger.jobs_sync(state="bogus")
    ledger.close()
    assert caught.value.parameter == "state"
    assert all(state in caught.value.message for state in JOB_STATES)


@pytest.mark.parametrize("since", ["yesterday", "25/11/2026", "", "2026-13-01"])
def test_a_bad_since_is_refused(tmp_path: Path, since: str) -> None:
    ledger = Ledger(tmp_path / "jobs.sqlite3")
    begin(ledger)
    with pytest.raises(InvalidParameterError) as caught:
        ledger.jobs_sync(since=since)
    ledger.close()
    assert caught.value.parameter == "since" and "ISO 8601" in caught.value.message
    assert "UTC" in caught.value.message


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("2026-11-25T05:00:00+09:00", ["late", "evening"]),  # 2026-11-24T20:00Z
        ("2026-11-25 23:59:59", []),  # no zone: UTC
        ("2026-11-25", ["late"]),  # midnight UTC
        ("2026-11-25T14:00:00Z", ["late"]),
        ("2026-11-25T14:00:01+00:00", []),
        ("2026-11-24T15:00:00-05:00", ["late", "evening"]),  # 20:00Z
        ("2026-11-24T16:00:01-05:00", ["late"]),  # 21:00:01Z
    ],
)
def test_since_is_compared_as_a_moment(tmp_path: Path, since: str, expected: list[str]) -> None:
    path = tmp_path / "jobs.sqlite3"
    ledger = Ledger(path)
    times = {"early": "2026-11-24T19:59:59+00:00", "evening": "2026-11-24T21:00:00+00:00"}
    times["late"] = "2026-11-25T14:00:00+00:00"
    for prompt, created in times.items():
        job_id = begin(ledger, prompt=prompt)
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE jobs SET created_at = ? WHERE id = ?", (created, job_id))
    found = [j.prompt for j in ledger.jobs_sync(since=since)]
    ledger.close()
    assert found == expected


async def test_list_jobs_filters_reach_the_agent_as_errors(client: Any) -> None:
    from tests.mcp_results import error_of

    for args, parameter in [({"state": "bogus"}, "state"), ({"since": "yesterday"}, "since")]:
        err = error_of(await client.call_tool("list_jobs", args))
        assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == parameter


def test_download_records_of_older_rows_still_read(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    ledger = Ledger(path)
    ledger.adopt_sync(42, "a@x.com")
    ledger.close()
    with sqlite3.connect(path) as conn:
        old = {"420": {"path": "/videos/kling_42_420.mp4", "clean": True, "bytes": 1000}}
        conn.execute("UPDATE jobs SET downloads = ? WHERE task_id = 42", (json.dumps(old),))
    ledger = Ledger(path)
    job = ledger.get_sync(42)
    ledger.close()
    assert job is not None and job.path == "/videos/kling_42_420.mp4" and job.download_error is None
