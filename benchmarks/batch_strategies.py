"""The batch benchmark: ``kling-mcp batch`` against a faithful sequential re-enactment of the seed script's strategy
and against the lower bound, on the same simulator in the same run.

The seed's kling.mjs submits every prompt one after another (sleeping SLEEP_429 = 10 s on a 429, at most 6 times),
then walks the submitted tasks one at a time, polling each every SLEEP_POLL = 20 s until it is final, and downloads
the clean master (falling back to the watermarked preview). Its sleeps are scaled by the simulator's speed factor
here, exactly as the simulator scales generation time, so both sides live on the same clock.

Lower bound: the time one generation takes on the simulator (measured directly, polling every 10 ms) times the
number of rounds the account's job limit forces (ceil(prompts / maxJobs)).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import time
from pathlib import Path
from typing import Any

import anyio
import httpx

from kling_mcp.batch import CAPACITY_WAIT_S, DEFAULT_POLL_S, load_entries, run_batch
from kling_mcp.config import Settings
from kling_mcp.jobs.service import KlingService
from kling_mcp.simulator import SimulatorConfig, run_in_thread

TOKEN = "user:1-bench"
EMAIL = "demo@example.com"
SEED_SLEEP_429 = 10.0
SEED_MAX_429 = 6
SEED_SLEEP_POLL = 20.0
SPEED = 40.0
MAX_JOBS = 3


def prompts_file(path: Path, count: int) -> Path:
    entries = [
        {"prompt": f"A paper boat drifting down a rain gutter, shot {i}", "model_name": "kling-v1-6", "duration": "5"}
        for i in range(count)
    ]
    path.write_text(json.dumps(entries))
    return path


async def one_generation_s(base_url: str) -> float:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=f"{base_url}/v1/kling", headers=headers) as http:
        started = time.perf_counter()
        task = (
            await http.post("/videos/text2video", json={"prompt": "probe", "model_name": "kling-v1-6", "email": EMAIL})
        ).json()
        while not (await http.get(f"/tasks/{task['task']['id']}", params={"email": EMAIL})).json()["status_final"]:
            await anyio.sleep(0.01)
        return time.perf_counter() - started


async def seed_strategy(base_url: str, prompts: list[dict[str, Any]], out: Path, speed: float) -> int:
    """kling.mjs's execute() then download(), in Python, sleeps scaled by ``speed``."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    out.mkdir(parents=True, exist_ok=True)
    task_ids: list[int] = []
    async with httpx.AsyncClient(headers=headers, timeout=60) as http:
        await http.get(f"{base_url}/v1/kling/accounts")
        for prompt in prompts:
            for _ in range(SEED_MAX_429 + 1):
                response = await http.post(f"{base_url}/v1/kling/videos/text2video", json={"email": EMAIL, **prompt})
                if response.status_code != 429:
                    break
                await anyio.sleep(SEED_SLEEP_429 / speed)
            if response.status_code == 200:
                task_ids.append(response.json()["task"]["id"])
        saved = 0
        for task_id in task_ids:
            while True:
                task = (await http.get(f"{base_url}/v1/kling/tasks/{task_id}", params={"email": EMAIL})).json()
                if task["status_final"]:
                    break
                await anyio.sleep(SEED_SLEEP_POLL / speed)
            if task["status_name"] != "succeed":
                continue
            work = task["works"][0]
            clean = await http.get(
                f"{base_url}/v1/kling/assets/download",
                params={"email": EMAIL, "workIds": work["workId"], "fileTypes": "MP4"},
            )
            url = clean.json()["cdnUrl"] if clean.status_code == 200 else work["resource"]["resource"]
            async with httpx.AsyncClient() as cdn, cdn.stream("GET", url) as media:
                with (out / f"kling_{task_id}.mp4").open("wb") as fh:
                    async for chunk in media.aiter_bytes():
                        fh.write(chunk)
            saved += 1
    return saved


async def run_comparison(count: int, tmp: Path, speed: float = SPEED) -> dict[str, Any]:
    path = prompts_file(tmp / "prompts.json", count)
    prompts = json.loads(path.read_text())
    config = SimulatorConfig(speed=speed, max_jobs=MAX_JOBS, accounts=[EMAIL])
    with run_in_thread(config) as sim:
        generation = await one_generation_s(sim.base_url)
        settings = Settings.from_env(
            {"USEAPI_TOKEN": TOKEN, "USEAPI_BASE_URL": sim.base_url},
            output_dir=tmp / "ours",
            state_dir=tmp / "state",
            auto_download=False,
            min_poll_interval=0.0,
        )
        entries, problems = load_entries(path)
        assert not problems, problems
        started = time.perf_counter()
        async with KlingService.open(settings) as service:
            outcomes = await run_batch(
                service,
                entries,
                email=EMAIL,
                concurrency=None,
                poll_interval=DEFAULT_POLL_S / speed,
                capacity_wait=CAPACITY_WAIT_S / speed,
                out=io.StringIO(),
            )
        ours = time.perf_counter() - started
        started = time.perf_counter()
        seed_files = await seed_strategy(sim.base_url, prompts, tmp / "seed", speed)
        seed = time.perf_counter() - started
    rounds = math.ceil(count / MAX_JOBS)
    return {
        "prompts": count,
        "max_jobs": MAX_JOBS,
        "speed": speed,
        "rounds": rounds,
        "generation_s": generation,
        "lower_bound_s": generation * rounds,
        "ours_s": ours,
        "seed_s": seed,
        "ours_files": sum(o.file is not None for o in outcomes),
        "seed_files": seed_files,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=12)
    parser.add_argument("--speed", type=float, default=SPEED)
    a = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        print(json.dumps(anyio.run(run_comparison, a.prompts, Path(directory), a.speed), indent=2))
