"""kling-mcp batch against the simulator: a mixed batch, 429 bursts, an interrupted and resumed batch, invalid
entries, and the command line."""

from __future__ import annotations

import io
import json
import os
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
from kling_mcp.simulator import RunningSimulator, SimulatorConfig, run_in_thread
from kling_mcp.simulator.media import video

pytestmark = pytest.mark.anyio

EMAIL = "demo@example.com"


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
    assert outcomes[3].error and outcomes[3].task_id
    for o in (outcomes[0], outcomes[1], outcomes[4]):
        assert o.clean is True and o.file is not None
        assert Path(o.file).read_bytes() == video("clean", "9:16" if o.number == 2 else "16:9")
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
