"""The simulated account outlives its process when it has a state folder, as the real one does: tasks keep their
wall-clock progress, balances and uploads stay, and two simulators may share the folder (one after the other, or
briefly at once). Also the standalone command's flags and banner."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import anyio
import httpx
import pytest
from pydantic import SecretStr

from kling_mcp.arguments import GenerateVideo
from kling_mcp.cli import build_parser, simulated_settings
from kling_mcp.config import Settings
from kling_mcp.jobs.service import KlingService
from kling_mcp.simulator import SimulatorConfig, SimulatorState, create_app
from kling_mcp.simulator.media import video
from kling_mcp.simulator.runner import banner
from kling_mcp.simulator.state import STATE_FILE

pytestmark = pytest.mark.anyio

AUTH = {"Authorization": "Bearer user:1-sim"}
BALANCE = "/accounts/demo@example.com"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def simulator(config: SimulatorConfig, clock: Callable[[], float]) -> AsyncIterator[httpx.AsyncClient]:
    """One simulator instance, as one process would have it."""
    state = SimulatorState(config, clock=clock)
    transport = httpx.ASGITransport(app=create_app(config, state))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://sim.test/v1/kling", headers=AUTH) as http:
            yield http
    finally:
        state.close()


async def test_a_task_created_by_one_instance_is_polled_to_success_by_the_next(tmp_path: Path) -> None:
    clock, config = Clock(), SimulatorConfig(state_dir=tmp_path)
    async with simulator(config, clock) as first:
        created = await first.post(
            "/videos/text2video",
            json={"prompt": "a fox", "model_name": "kling-v3-0", "aspect_ratio": "9:16", "duration": "7"},
        )
        task_id = created.json()["task"]["id"]
        frame = await first.post("/assets/", content=b"\x89PNG\r\n\x1a\nframe", headers={"Content-Type": "image/png"})
        balance = (await first.get(BALANCE)).json()["balance"]["total"]
    assert balance < 66000  # the create was paid for
    assert (tmp_path / STATE_FILE).is_file()

    async with simulator(config, clock) as second:  # a new process: nothing in memory
        assert (await second.get(f"/tasks/{task_id}")).json()["status_name"] == "submitted"
        clock.now += 1000  # the wall clock moves on, with or without a process running
        done = (await second.get(f"/tasks/{task_id}")).json()
        assert done["status_name"] == "succeed"
        work_id = done["works"][0]["workId"]
        link = (await second.get("/assets/download", params={"workIds": work_id, "fileTypes": "MP4"})).json()
        assert (await second.get(link["cdnUrl"])).content == video("clean", "9:16", 7, True)
        assert (await second.get(BALANCE)).json()["balance"]["total"] == balance
        assert (await second.get(frame.json()["url"])).content == b"\x89PNG\r\n\x1a\nframe"
        again = (await second.post("/videos/text2video", json={"prompt": "a hare"})).json()["task"]["id"]
        assert again != task_id  # ids go on counting, never reused


async def test_two_instances_at_once_share_one_account(tmp_path: Path) -> None:
    clock, config = Clock(), SimulatorConfig(state_dir=tmp_path, max_jobs=2)
    async with simulator(config, clock) as one, simulator(config, clock) as other:
        first = await one.post("/videos/text2video", json={"prompt": "a fox"})
        second = await other.post("/videos/text2video", json={"prompt": "a hare"})
        assert first.json()["task"]["id"] != second.json()["task"]["id"]
        third = await one.post("/videos/text2video", json={"prompt": "an owl"})
        assert third.status_code == 429  # both of the account's job slots are taken, one by each instance
        assert (await other.get(f"/tasks/{first.json()['task']['id']}")).status_code == 200
        spent = 66000 - 2 * 2000  # two kling-v1-6 std 5 s clips, 20 credits each
        assert (await one.get(BALANCE)).json()["balance"]["total"] == spent
        assert (await other.get(BALANCE)).json()["balance"]["total"] == spent


async def test_task_times_are_wall_clock(tmp_path: Path) -> None:
    """Stored as epoch seconds, so that progress carries over between processes (a monotonic clock would not)."""
    before = time.time()
    async with simulator(SimulatorConfig(state_dir=tmp_path), time.time) as http:
        await http.post("/videos/text2video", json={"prompt": "a fox"})
    after = time.time()
    state = SimulatorState(SimulatorConfig(state_dir=tmp_path))
    try:
        (task,) = state.tasks.values()
    finally:
        state.close()
    assert before <= task.created <= after


async def test_without_a_state_folder_nothing_is_kept(tmp_path: Path) -> None:
    clock = Clock()
    async with simulator(SimulatorConfig(), clock) as first:
        task_id = (await first.post("/videos/text2video", json={"prompt": "a fox"})).json()["task"]["id"]
    async with simulator(SimulatorConfig(), clock) as second:
        assert (await second.get(f"/tasks/{task_id}")).status_code == 404
    assert not list(tmp_path.iterdir())


# --- the standalone command ----------------------------------------------------------------------------------------


@contextmanager
def standalone(*args: str) -> Iterator[tuple[str, list[str]]]:
    """``kling-mcp simulator`` in its own process: (base URL, banner lines)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "kling_mcp", "simulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        stdout = process.stdout
        assert stdout is not None
        lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            for line in stdout:
                lines.put(line.rstrip("\n"))

        threading.Thread(target=pump, daemon=True).start()
        banner_lines: list[str] = []
        while not any(line.startswith("triggers") for line in banner_lines):
            banner_lines.append(lines.get(timeout=30))  # queue.Empty if it never prints its banner
        yield banner_lines[0], banner_lines
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_the_standalone_simulator_keeps_its_account_with_state_dir(tmp_path: Path) -> None:
    with standalone("--speed", "100000", "--state-dir", str(tmp_path)) as (base, lines):
        assert any(str(tmp_path / STATE_FILE) in line for line in lines)
        created = httpx.post(f"{base}/v1/kling/videos/text2video", json={"prompt": "a fox"}, headers=AUTH)
        task_id = created.json()["task"]["id"]
    with standalone("--speed", "100000", "--state-dir", str(tmp_path)) as (base, _):
        task = httpx.get(f"{base}/v1/kling/tasks/{task_id}", headers=AUTH)
        assert task.status_code == 200 and task.json()["status_name"] == "succeed"
        assert httpx.get(f"{base}{'/v1/kling' + BALANCE}", headers=AUTH).json()["balance"]["total"] == 66000 - 2000


def test_the_banner_tells_the_real_token_instruction() -> None:
    anything = banner(SimulatorConfig(), "http://127.0.0.1:8765")
    assert any("USEAPI_TOKEN=anything" in line for line in anything)
    assert any("in memory only" in line and "--state-dir" in line for line in anything)
    guarded = banner(SimulatorConfig(token="user:77-s3cr3t"), "http://127.0.0.1:8765")
    text = "\n".join(guarded)
    assert "anything" not in text  # the only token accepted is the one given
    assert "USEAPI_TOKEN='<the value given to --token>'" in text and "Bearer <the value given to --token>" in text
    assert "s3cr3t" not in text  # not echoed: it may be a real one
    for line in anything + guarded:
        assert "seed" not in line.lower()


@pytest.mark.parametrize("command", ["simulator", "batch"])
def test_help_shows_every_flag_with_its_meaning(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "seed" not in text.lower()
    if command == "simulator":
        for flag, words in {
            "--host": "address to listen on",
            "--port": "0 picks a free one",
            "--speed": "times faster than real time",
            "--state-dir": "outlives the process",
            "--token": "the only bearer token accepted",
            "--max-jobs": "maxJobs",
            "--accounts": "account emails",
        }.items():
            assert flag in text and words in text, flag


async def test_simulate_sessions_one_after_the_other_share_the_account(tmp_path: Path) -> None:
    """generate_video under one `kling-mcp --simulate` process, get_task under the next: the task is found and
    finishes (it was not_found, and the ledger then marked it failed)."""
    settings = Settings.from_env(
        {},
        token=SecretStr("user:1-sim"),
        state_dir=tmp_path / "state",
        output_dir=tmp_path / "out",
        min_poll_interval=0.0,
        auto_download=False,
    )
    with simulated_settings(settings, speed=1000) as first:
        async with KlingService.open(first) as service:
            task_id = (await service.generate(GenerateVideo(prompt="a fox"))).task_id
    with simulated_settings(settings, speed=1000) as second:
        async with KlingService.open(second) as service:
            with anyio.fail_after(30):
                polled = await service.get_task(task_id, None, wait_seconds=20)
                while polled.state != "succeeded":
                    assert polled.state in ("queued", "running"), polled
                    polled = await service.get_task(task_id, None, wait_seconds=20)
            (job,) = await service.list_jobs()
    assert job.task_id == task_id and job.state == "succeeded"
