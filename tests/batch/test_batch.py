"""kling-mcp batch against the simulator: a mixed batch, 429 bursts, an interrupted and resumed batch, invalid
entries, and the command line."""

from __future__ import annotations

import io
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from kling_mcp.batch import load_entries, run_batch
from kling_mcp.config import Settings
from kling_mcp.jobs.service import KlingService
from kling_mcp.simulator import RunningSimulator, SimulatorConfig, SimulatorState, run_in_thread
from kling_mcp.simulator.media import video

pytestmark = pytest.mark.anyio

EMAIL = "demo@example.com"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def write_prompts(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(entries))
    return path


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    with run_in_thread(SimulatorConfig(speed=600, max_jobs=2)) as sim:
        yield sim


def settings_for(sim: RunningSimulator, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {"USEAPI_TOKEN": "user:1-batch", "USEAPI_BASE_URL": sim.base_url},
        output_dir=tmp_path / "out",
        state_dir=tmp_path / "state",
        auto_download=False,
        min_poll_interval=0.0,
    )


async def batch(sim: RunningSimulator, tmp_path: Path, prompts: Path, concurrency: int | None = None) -> list[Any]:
    entries, problems = load_entries(prompts)
    assert not problems
    async with KlingService.open(settings_for(sim, tmp_path)) as service:
        return await run_batch(
            service,
            entries,
            email=None,
            concurrency=concurrency,
            poll_interval=0.02,
            capacity_wait=0.02,
            out=io.StringIO(),
        )


def creates(sim: RunningSimulator) -> int:
    return sum(1 for method, path, _ in sim.state.requests if method == "POST" and path.endswith("/text2video"))


async def test_mixed_batch(simulator: RunningSimulator, tmp_path: Path) -> None:
    prompts = write_prompts(
        tmp_path / "prompts.json",
        [
            {"prompt": "a fox in the snow", "__note": "ignored"},
            {
                "prompt": "a city at night",
                "model_name": "kling-v3-0",
                "mode": "pro",
                "duration": "5",
                "aspect_ratio": "9:16",
            },
            {"prompt": "sim:moderation of a fox"},
            {"prompt": "sim:fail-7 a boat"},
            {"prompt": "a boat at dawn", "model_name": "kling-v1-6", "negative_prompt": "blur", "cfg_scale": 0.4},
        ],
    )
    outcomes = await batch(simulator, tmp_path, prompts, concurrency=4)  # above maxJobs: 429 bursts happen
    states = {o.number: o.state for o in outcomes}
    assert states == {1: "succeeded", 2: "succeeded", 3: "failed", 4: "failed", 5: "succeeded"}
    assert "moderation_rejected" in (outcomes[2].error or "")
    assert "Rephrase the entry's prompt" in (outcomes[2].error or "")  # the batch's own next step, for a person
    assert outcomes[3].error and outcomes[3].task_id
    for o in (outcomes[0], outcomes[1], outcomes[4]):
        assert o.clean is True and o.file is not None
        # The clean master of each task as the simulator serves it; #2 (kling-v3-0) has audio by default.
        expected = video("clean", "9:16", 5, True) if o.number == 2 else video("clean", "16:9", 5, False)
        assert Path(o.file).read_bytes() == expected
    assert any(status == 429 for status in _statuses(simulator)), "the burst should have met maxJobs"
    accepted = [s for s in _statuses(simulator) if s == 200]
    assert len(accepted) == 4 == len(simulator.state.tasks)  # each valid prompt paid for exactly once


def _statuses(sim: RunningSimulator) -> list[int]:
    return [status for method, path, status in sim.state.responses if path.endswith("/text2video")]


async def test_interrupted_batch_resumes_without_paying_or_downloading_twice(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    prompts = write_prompts(tmp_path / "prompts.json", [{"prompt": f"shot {i}"} for i in range(4)])
    async with anyio.create_task_group() as group:  # Ctrl-C, a crash, a closed laptop: partway through
        group.start_soon(batch, simulator, tmp_path, prompts)
        with anyio.fail_after(10):
            while len(simulator.state.tasks) < 2:
                await anyio.sleep(0.001)
        group.cancel_scope.cancel()
    assert 2 <= len(simulator.state.tasks) < 4
    assert not list((tmp_path / "out").glob("*.mp4")) or len(list((tmp_path / "out").glob("*.mp4"))) < 4
    outcomes = await batch(simulator, tmp_path, prompts)
    assert all(o.state == "succeeded" and o.clean for o in outcomes), [(o.state, o.error) for o in outcomes]
    assert len(simulator.state.tasks) == 4  # nothing submitted twice
    again = await batch(simulator, tmp_path, prompts)
    assert all(o.reused for o in again) and len(simulator.state.tasks) == 4
    downloads = [p for m, p, _ in simulator.state.requests if m == "GET" and p.endswith("/clean.mp4")]
    assert len(downloads) == len(set(downloads)) == 4  # nothing downloaded twice
    assert len(list((tmp_path / "out").glob("*.mp4"))) == 4


def test_invalid_entries_are_all_reported_with_their_numbers(tmp_path: Path) -> None:
    prompts = write_prompts(
        tmp_path / "prompts.json",
        [
            {"prompt": "fine"},
            {"prompt": ""},
            {"prompt": "x", "model_name": "kling-v2-5", "mode": "std"},
            {"prompt": "x", "colour": "red"},
            {"prompt": "x" * 2501},
            "not an object",
        ],
    )
    entries, problems = load_entries(prompts)
    assert [e.number for e in entries] == [1]
    assert [p.split(":")[0] for p in problems] == ["Prompt 2", "Prompt 3", "Prompt 4", "Prompt 5", "Prompt 6"]
    assert "colour" in problems[2] and "mode" in problems[1] and "2500" in problems[3]


def _cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(tmp_path), "KLING_MCP_STATE_DIR": str(tmp_path / "state")}
    return subprocess.run(
        [sys.executable, "-m", "kling_mcp", "batch", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
    )


def test_cli_refuses_an_invalid_file_and_submits_nothing(tmp_path: Path) -> None:
    prompts = write_prompts(tmp_path / "p.json", [{"prompt": "ok"}, {"prompt": "x", "duration": "7"}])
    done = _cli(str(prompts), "--simulate", tmp_path=tmp_path)
    assert done.returncode == 2 and "Prompt 2" in done.stderr and "Nothing was submitted" in done.stderr


def test_cli_dry_run_prices_and_submits_nothing(tmp_path: Path) -> None:
    prompts = write_prompts(tmp_path / "p.json", [{"prompt": "ok"}, {"prompt": "ok", "model_name": "kling-v2-5"}])
    done = _cli(str(prompts), "--dry-run", tmp_path=tmp_path)
    assert done.returncode == 0 and "estimated 45 credits" in done.stdout and "nothing submitted" in done.stdout


def test_cli_simulated_batch_with_json_summary(tmp_path: Path) -> None:
    prompts = write_prompts(
        tmp_path / "p.json", [{"prompt": "ok"}, {"prompt": "sim:fail-9"}, {"prompt": "x", "duration": "7"}]
    )
    done = _cli(
        str(prompts),
        "--simulate",
        "--speed",
        "600",
        "--skip-invalid",
        "--json",
        "--out",
        str(tmp_path / "videos"),
        tmp_path=tmp_path,
    )
    summary = json.loads(done.stdout)
    assert done.returncode == 1  # not every job succeeded
    assert [j["state"] for j in summary["jobs"]] == ["succeeded", "failed"]
    assert Path(summary["jobs"][0]["file"]).parent == tmp_path / "videos"
    assert len(summary["problems"]) == 1


# --- re-runs and resumes across processes (issue: the simulated account forgot everything) ------------------------


def _simulated_account(tmp_path: Path) -> tuple[int, float]:
    """(tasks created, balance) of the account `--simulate` keeps under KLING_MCP_STATE_DIR."""
    state = SimulatorState(SimulatorConfig(state_dir=tmp_path / "state" / "simulated"))
    try:
        return len(state.tasks), state.accounts[EMAIL].units
    finally:
        state.close()


def test_cli_rerun_of_a_finished_batch_reports_it_and_spends_nothing(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "prompts.json", tmp_path / "prompts.json")  # the useapi guide's own four prompts
    args = ("prompts.json", "--simulate", "--speed", "600", "--json", "--out", str(tmp_path / "videos"))
    first = _cli(*args, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    jobs = json.loads(first.stdout)["jobs"]
    after_first = _simulated_account(tmp_path)
    assert after_first[0] == 4

    second = _cli(*args, tmp_path=tmp_path)  # a new process, a new simulator on the same state folder
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)["jobs"]
    assert [j["state"] for j in again] == ["succeeded"] * 4
    assert [j["task_id"] for j in again] == [j["task_id"] for j in jobs] and all(j["task_id"] for j in again)
    assert [j["file"] for j in again] == [j["file"] for j in jobs] and all(Path(j["file"]).is_file() for j in again)
    assert all(j["reused"] for j in again)
    assert _simulated_account(tmp_path) == after_first  # no new create, nothing spent
    table = _cli(*args[:-3], "--out", str(tmp_path / "videos"), tmp_path=tmp_path)
    assert "4 of 4 succeeded; estimated credits spent this run: 0" in table.stdout


async def test_entries_done_by_an_earlier_run_are_reported_from_the_ledger(tmp_path: Path) -> None:
    """Even when the upstream no longer knows the tasks, a re-run reports each finished entry with its task id and
    file (both were null), submits nothing and downloads nothing."""
    prompts = write_prompts(tmp_path / "prompts.json", [{"prompt": f"shot {i}"} for i in range(3)])
    with run_in_thread(SimulatorConfig(speed=600)) as first:
        done = await batch(first, tmp_path, prompts)
    with run_in_thread(SimulatorConfig(speed=600)) as forgetful:  # memory only: knows none of those tasks
        again = await batch(forgetful, tmp_path, prompts)
        assert not forgetful.state.tasks and creates(forgetful) == 0
        assert not [p for m, p, _ in forgetful.state.requests if p.endswith(".mp4")]
    assert [(o.state, o.task_id, o.file, o.clean) for o in again] == [
        ("succeeded", o.task_id, o.file, True) for o in done
    ]
    assert all(o.task_id and o.file and o.reused for o in again)


def test_ctrl_c_says_how_to_resume_and_the_same_command_resumes(tmp_path: Path) -> None:
    write_prompts(tmp_path / "p.json", [{"prompt": f"shot {i}"} for i in range(4)])
    # Slow enough (a task takes 3 s or more) that the batch is still running when Ctrl-C comes.
    args = ["p.json", "--out", str(tmp_path / "videos"), "--simulate", "--speed", "20"]
    env = {**os.environ, "HOME": str(tmp_path), "KLING_MCP_STATE_DIR": str(tmp_path / "state"), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "kling_mcp", "batch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:  # wait for the first submission, then press Ctrl-C
            if "submitted" in line:
                break
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130
    assert "Interrupted" in stderr and "run the same command again" in stderr
    assert "kling-mcp batch " + shlex.join(args) in stderr
    assert "Traceback" not in stderr

    resumed = _cli(*args, tmp_path=tmp_path)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "4 of 4 succeeded" in resumed.stdout
    assert _simulated_account(tmp_path)[0] == 4  # nothing submitted twice


# --- the file itself (issue: raw TypeErrors, a hint that could not help, plain text for --json) --------------------


def test_entries_with_a_missing_prompt_or_wrong_types_are_clear_problems(tmp_path: Path) -> None:
    prompts = write_prompts(
        tmp_path / "prompts.json",
        [
            {"model_name": "kling-v1-6"},
            {"prompt": 5},
            {"prompt": "x", "model_name": "kling-v1-6", "cfg_scale": "high"},
            {"prompt": "x", "model_name": "kling-v3-0", "enable_audio": "yes"},
            {"prompt": "x", "duration": [5]},
            {"prompt": "fine", "model_name": "kling-v1-6", "cfg_scale": "0.5"},
        ],
    )
    entries, problems = load_entries(prompts)
    assert [e.number for e in entries] == [6] and entries[0].args.cfg_scale == 0.5
    assert [p.split(":")[0] for p in problems] == ["Prompt 1", "Prompt 2", "Prompt 3", "Prompt 4", "Prompt 5"]
    assert "prompt" in problems[0] and "must not be empty" in problems[0]
    assert "prompt must be text" in problems[1]
    assert "cfg_scale must be a number" in problems[2]
    assert "enable_audio must be true or false" in problems[3]
    assert "duration must be a whole number" in problems[4]
    for problem in problems:
        assert "TypeError" not in problem and "keyword" not in problem and "validate_" not in problem
    done = _cli(str(prompts), tmp_path=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "Prompt 1" in done.stderr


@pytest.mark.parametrize("kind", ["missing", "directory", "not json", "not a list"])
def test_an_unusable_file_says_why_without_suggesting_skip_invalid(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "p.json"
    if kind == "directory":
        path.mkdir()
    elif kind == "not json":
        path.write_text("[{'prompt': 'single quotes'}]")
    elif kind == "not a list":
        path.write_text('{"prompt": "a fox"}')
    done = _cli(str(path), "--simulate", "--json", tmp_path=tmp_path)
    assert done.returncode == 2 and "Nothing was submitted" in done.stderr
    assert "skip-invalid" not in done.stderr and "Traceback" not in done.stderr
    words = {"missing": "no such file", "directory": "Cannot read", "not json": "not valid JSON", "not a list": "list"}
    assert words[kind] in done.stderr
    as_json = json.loads(done.stdout)  # --json: stdout is JSON, whatever happened
    assert as_json["submitted"] is False and words[kind] in as_json["error"]


def test_dry_run_with_json_prints_json(tmp_path: Path) -> None:
    prompts = write_prompts(tmp_path / "p.json", [{"prompt": "ok"}, {"prompt": "ok", "model_name": "kling-v2-5"}])
    done = _cli(str(prompts), "--dry-run", "--json", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["dry_run"] is True and document["estimated_credits"] == 45
    assert [(e["number"], e["model_name"]) for e in document["entries"]] == [(1, "kling-v1-6"), (2, "kling-v2-5")]
    assert not (tmp_path / "state" / "simulated").exists()  # a dry run starts nothing


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_a_ctrl_c_during_a_shielded_section_is_not_lost() -> None:
    """The batch's Ctrl-C cancels its scope for good: a press that lands while a create's ledger record is shielded
    takes effect once the shield ends (asyncio's own handler cancels the task once, which a shield can swallow)."""
    from kling_mcp.batch import _cancel_on_sigint

    interrupted = anyio.Event()
    after_shield = False
    with anyio.fail_after(10):  # only stops a hang
        async with anyio.create_task_group() as group:
            group.start_soon(_cancel_on_sigint, group.cancel_scope, interrupted)
            await anyio.sleep(0.05)  # the receiver is listening
            with anyio.CancelScope(shield=True):
                os.kill(os.getpid(), signal.SIGINT)
                await anyio.sleep(0.2)  # the signal arrives here
            after_shield = True
            await anyio.sleep(5)  # cancelled at once: the scope stayed cancelled
            pytest.fail("the Ctrl-C was lost")
    assert interrupted.is_set() and after_shield
