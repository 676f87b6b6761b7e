"""kling-mcp benchmarks: each figure against a baseline measured in the same run, on loopback, against the simulator.

    .venv/bin/python benchmarks/run.py [--quick] [--only startup,overhead,concurrency,download,batch] [--publish]

Reports medians of several runs with min and max beside them, as ratios to the baseline (these machines are
noisy), and writes benchmarks/out/BENCHMARKS.md (untracked); --publish writes the tracked BENCHMARKS.md instead.
Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client, StdioServerParameters

from kling_mcp.simulator import SimulatorConfig, run_in_thread

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED_REPORT = ROOT / "BENCHMARKS.md"
# Runs write here unless asked to publish, so that trying a benchmark never rewrites the tracked report.
SCRATCH_REPORT = ROOT / "benchmarks" / "out" / "BENCHMARKS.md"
HERE = Path(__file__).resolve().parent
TOKEN = "user:1-bench"


def stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def fmt(s: dict[str, float], scale: float = 1000.0, unit: str = "ms") -> str:
    return f"{s['median'] * scale:.1f} {unit} (min {s['min'] * scale:.1f}, max {s['max'] * scale:.1f}, n={s['n']:g})"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(base_url: str, tmp: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp),
        "USEAPI_BASE_URL": base_url,
        "USEAPI_TOKEN": TOKEN,
        "KLING_MCP_OUTPUT_DIR": str(tmp / "out"),
        "KLING_MCP_STATE_DIR": str(tmp / "state"),
        "KLING_MCP_AUTO_DOWNLOAD": "false",
        **extra,
    }


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a process, from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


async def running_task(base_url: str) -> int:
    """A task that stays "processing" for the whole benchmark, so every get_task really polls upstream."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=f"{base_url}/v1/kling", headers=headers) as http:
        created = await http.post("/videos/text2video", json={"prompt": "bench sim:slow", "model_name": "kling-v1-6"})
        return int(created.json()["task"]["id"])


async def finished_task(base_url: str) -> tuple[int, int]:
    """Submit one generation on the simulator and wait until it is done: (task_id, work_id)."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=f"{base_url}/v1/kling", headers=headers) as http:
        created = (await http.post("/videos/text2video", json={"prompt": "bench", "model_name": "kling-v1-6"})).json()
        task_id = created["task"]["id"]
        while True:
            task = (await http.get(f"/tasks/{task_id}")).json()
            if task["status_final"]:
                return task_id, task["works"][0]["workId"]
            await anyio.sleep(0.05)


# --- 1. start-up ---------------------------------------------------------------------------------------------------


async def time_to_tools_list(params: StdioServerParameters) -> float:
    started = time.perf_counter()
    async with Client(params) as client:
        await client.list_tools()
        elapsed = time.perf_counter() - started
    return elapsed


async def bench_startup(runs: int, tmp: Path) -> dict[str, Any]:
    ours = StdioServerParameters(
        command=sys.executable, args=["-m", "kling_mcp"], env=server_env("http://127.0.0.1:9", tmp)
    )
    floor = StdioServerParameters(command=sys.executable, args=[str(HERE / "minimal_server.py")], env={})
    a, b = [], []
    for _ in range(runs):  # interleaved so that drift hits both alike
        b.append(await time_to_tools_list(floor))
        a.append(await time_to_tools_list(ours))
    sa, sb = stats(a), stats(b)
    return {"kling-mcp": sa, "minimal MCPServer": sb, "ratio": sa["median"] / sb["median"], "goal": 1.25}


# --- 2. tool-call overhead -----------------------------------------------------------------------------------------


async def bench_overhead(calls: int, tmp: Path) -> dict[str, Any]:
    with run_in_thread(SimulatorConfig(speed=1, queue_seconds=0)) as sim:
        task_id = await running_task(sim.base_url)
        direct: list[float] = []
        async with httpx.AsyncClient(
            base_url=f"{sim.base_url}/v1/kling", headers={"Authorization": f"Bearer {TOKEN}"}
        ) as http:
            for _ in range(calls):
                started = time.perf_counter()
                response = await http.get(f"/tasks/{task_id}")
                response.json()
                direct.append(time.perf_counter() - started)
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "kling_mcp"],
            env=server_env(sim.base_url, tmp, KLING_MCP_MIN_POLL_INTERVAL="0", KLING_EMAIL="demo@example.com"),
        )
        via_mcp: list[float] = []
        before = len(sim.state.requests)
        peers_before = set(sim.state.peers)
        async with Client(params) as client:
            await client.call_tool("get_task", {"task_id": task_id})  # warm-up: imports, ledger, first connection
            for _ in range(calls):
                started = time.perf_counter()
                result = await client.call_tool("get_task", {"task_id": task_id})
                via_mcp.append(time.perf_counter() - started)
                assert not result.is_error, result.content
        upstream_calls = len(sim.state.requests) - before
        connections = len(sim.state.peers - peers_before)
    floor: list[float] = []  # the SDK's own cost of one tool call over stdio, for a tool that does nothing
    async with Client(StdioServerParameters(command=sys.executable, args=[str(HERE / "minimal_server.py")])) as c:
        await c.call_tool("ping", {"text": "x"})
        for _ in range(calls):
            started = time.perf_counter()
            await c.call_tool("ping", {"text": "x"})
            floor.append(time.perf_counter() - started)
    shaped: list[float] = []  # the same, for a constant result of get_task's shape and output schema
    async with Client(
        StdioServerParameters(
            command=sys.executable, args=[str(HERE / "shaped_server.py")], env={"PYTHONPATH": str(ROOT)}
        )
    ) as c:
        await c.call_tool("get_task", {"task_id": 1})
        for _ in range(calls):
            started = time.perf_counter()
            await c.call_tool("get_task", {"task_id": 1})
            shaped.append(time.perf_counter() - started)
    sd, sm, sf, ss = stats(direct), stats(via_mcp), stats(floor), stats(shaped)
    return {
        "direct httpx GET": sd,
        "get_task over MCP stdio": sm,
        "minimal tool over MCP stdio": sf,
        "constant get_task-shaped result over MCP stdio": ss,
        "logic_ms": (sm["median"] - sd["median"] - ss["median"]) * 1000,
        "added_ms": (sm["median"] - sd["median"]) * 1000,
        "own_ms": (sm["median"] - sd["median"] - sf["median"]) * 1000,
        "goal_added_ms": 2.0,
        "upstream_requests": upstream_calls,
        "upstream_connections": connections,
        "calls": calls,
    }


# --- 3. concurrency ------------------------------------------------------------------------------------------------


async def bench_concurrency(concurrent: int, tmp: Path) -> dict[str, Any]:
    with run_in_thread(SimulatorConfig(speed=1, queue_seconds=0)) as sim:
        task_id = await running_task(sim.base_url)

        async def direct_round() -> list[float]:
            latencies: list[float] = []
            async with httpx.AsyncClient(
                base_url=f"{sim.base_url}/v1/kling",
                headers={"Authorization": f"Bearer {TOKEN}"},
                limits=httpx.Limits(max_connections=concurrent),
            ) as http:

                async def one() -> None:
                    started = time.perf_counter()
                    (await http.get(f"/tasks/{task_id}")).raise_for_status()
                    latencies.append(time.perf_counter() - started)

                async with anyio.create_task_group() as group:
                    for _ in range(concurrent):
                        group.start_soon(one)
            return latencies

        port = free_port()
        env = server_env(sim.base_url, tmp, KLING_MCP_MIN_POLL_INTERVAL="0", KLING_EMAIL="demo@example.com")
        proc = subprocess.Popen(
            [sys.executable, "-m", "kling_mcp", "--transport", "http", "--port", str(port), "--log-level", "WARNING"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            await _wait_http(f"http://127.0.0.1:{port}/mcp")
            errors = 0
            latencies: list[float] = []
            async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                await client.call_tool("get_task", {"task_id": task_id})

                async def one_mcp() -> None:
                    nonlocal errors
                    started = time.perf_counter()
                    result = await client.call_tool("get_task", {"task_id": task_id})
                    latencies.append(time.perf_counter() - started)
                    errors += bool(result.is_error)

                started = time.perf_counter()
                async with anyio.create_task_group() as group:
                    for _ in range(concurrent):
                        group.start_soon(one_mcp)
                wall = time.perf_counter() - started
            started = time.perf_counter()
            base_lat = await direct_round()
            base_wall = time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait(10)
    p99 = sorted(latencies)[int(0.99 * (len(latencies) - 1))]
    base_p99 = sorted(base_lat)[int(0.99 * (len(base_lat) - 1))]
    return {
        "calls": concurrent,
        "errors": errors,
        "throughput_per_s": concurrent / wall,
        "p99_ms": p99 * 1000,
        "baseline_throughput_per_s": concurrent / base_wall,
        "baseline_p99_ms": base_p99 * 1000,
        "throughput_ratio": (concurrent / wall) / (concurrent / base_wall),
    }


async def _wait_http(url: str) -> None:
    for _ in range(200):
        try:
            async with httpx.AsyncClient() as http:
                await http.get(url, timeout=0.5)
            return
        except httpx.TransportError:
            await anyio.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


# --- 4. downloads --------------------------------------------------------------------------------------------------


async def bench_download(sizes_mb: list[int], runs: int, tmp: Path) -> dict[str, Any]:
    curl = shutil.which("curl")
    results: dict[str, Any] = {}
    for size in sizes_mb:
        config = SimulatorConfig(speed=1000, media_padding_bytes=size * 1024 * 1024)
        with run_in_thread(config) as sim:
            ours, theirs, peaks = [], [], []
            for run in range(runs):
                task_id, work_id = await finished_task(sim.base_url)
                async with httpx.AsyncClient(
                    base_url=f"{sim.base_url}/v1/kling", headers={"Authorization": f"Bearer {TOKEN}"}
                ) as http:
                    url = (await http.get("/assets/download", params={"workIds": work_id, "fileTypes": "MP4"})).json()[
                        "cdnUrl"
                    ]
                if curl and run % 2 == 0:  # alternate who goes first: the page cache favours neither
                    theirs.append(_curl(curl, url, tmp))
                params = StdioServerParameters(
                    command=sys.executable,
                    args=["-m", "kling_mcp"],
                    env=server_env(
                        sim.base_url,
                        tmp / f"s{size}-{run}",
                        KLING_EMAIL="demo@example.com",
                        KLING_MCP_MIN_POLL_INTERVAL="0",
                    ),
                )
                async with Client(params) as client:
                    await client.call_tool("get_task", {"task_id": task_id})  # warm-up
                    started = time.perf_counter()
                    result = await client.call_tool("download_clean", {"task_id": task_id})
                    ours.append(time.perf_counter() - started)
                    assert not result.is_error, result.content
                    size_bytes = result.structured_content["bytes"]
                    peaks.append(_server_peak_rss())  # read while the server process still runs
                Path(result.structured_content["path"]).unlink()  # no dirty pages left to slow the next run
                if curl and run % 2 == 1:
                    theirs.append(_curl(curl, url, tmp))
        entry: dict[str, Any] = {"bytes": size_bytes, "download_clean": stats(ours), "server_peak_rss_mb": max(peaks)}
        entry["throughput_MBps"] = size_bytes / entry["download_clean"]["median"] / 1e6
        if theirs:
            entry["curl"] = stats(theirs)
            entry["curl_MBps"] = size_bytes / entry["curl"]["median"] / 1e6
            entry["ratio_to_curl"] = entry["throughput_MBps"] / entry["curl_MBps"]
        results[f"{size} MB"] = entry
    return results


def _curl(curl: str, url: str, tmp: Path) -> float:
    target = tmp / "curl.mp4"
    started = time.perf_counter()
    subprocess.run([curl, "-s", "-o", str(target), url], check=True)
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def _server_peak_rss() -> float:
    """Peak RSS of our most recent kling_mcp child process (found through /proc)."""
    best = float("nan")
    for pid in children_of(os.getpid()):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"kling_mcp" in cmd:
            best = peak_rss_mb(pid)
    return best


# --- 5. batch ------------------------------------------------------------------------------------------------------


async def bench_batch(prompts: int, tmp: Path) -> dict[str, Any]:
    from benchmarks.batch_strategies import run_comparison

    return await run_comparison(prompts, tmp)


# --- driver --------------------------------------------------------------------------------------------------------

SECTIONS: dict[str, Callable[[argparse.Namespace, Path], Awaitable[dict[str, Any]]]] = {
    "startup": lambda a, t: bench_startup(3 if a.quick else 9, t),
    "overhead": lambda a, t: bench_overhead(50 if a.quick else 300, t),
    "concurrency": lambda _a, t: bench_concurrency(100, t),
    "download": lambda a, t: bench_download([20] if a.quick else [20, 200], 1 if a.quick else 4, t),
    "batch": lambda a, t: bench_batch(6 if a.quick else 12, t),
}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in args.only.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"== {name}", file=sys.stderr, flush=True)
            results[name] = await SECTIONS[name](args, Path(tmp))
            print(json.dumps(results[name], indent=2, default=str), file=sys.stderr, flush=True)
    return results


def write_report(results: dict[str, Any], command: str, path: Path) -> None:
    """Write the report; sections not run this time keep their figures from the last run (BENCHMARKS.json)."""
    from benchmarks.report import render

    store = path.with_suffix(".json")
    # A partial run fills in its sections over the last figures: this report's own, else the published ones.
    base = store if store.exists() else PUBLISHED_REPORT.with_suffix(".json")
    if base.exists():
        results = {**json.loads(base.read_text()), **results}
    path.parent.mkdir(parents=True, exist_ok=True)
    results.setdefault("_command", command)
    command = results["_command"]
    store.write_text(json.dumps(results, indent=2, default=str) + "\n")
    text = render(
        results,
        command=command,
        machine=f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    )
    path.write_text(text + _kept_sections(path))


# Sections other scripts publish into the same report (benchmarks/soak.py); a run of this script keeps them.
KEPT_SECTIONS = (("<!-- soak:start -->", "<!-- soak:end -->"),)


def _kept_sections(path: Path) -> str:
    old = path.read_text() if path.exists() else PUBLISHED_REPORT.read_text() if PUBLISHED_REPORT.exists() else ""
    kept = ""
    for start, end in KEPT_SECTIONS:
        if start in old and end in old:
            kept += "\n" + old[old.index(start) : old.index(end) + len(end)] + "\n"
    return kept


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke check, not for publishing)")
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument(
        "--out",
        default=str(SCRATCH_REPORT),
        help=f"report path (default {SCRATCH_REPORT.relative_to(ROOT)}, untracked; see --publish)",
    )
    parser.add_argument(
        "--publish", action="store_true", help="write the tracked BENCHMARKS.md and BENCHMARKS.json at the top"
    )
    arguments = parser.parse_args()
    if arguments.publish:
        arguments.out = str(PUBLISHED_REPORT)
    sys.path.insert(0, str(ROOT))
    measured = anyio.run(main, arguments)
    command = " ".join(["python", "benchmarks/run.py", *sys.argv[1:]])
    if set(arguments.only.split(",")) == set(SECTIONS):
        measured["_command"] = command
    else:  # a partial run updates its sections; the report keeps naming the full run it builds on
        measured["_partial_" + arguments.only] = command
    write_report(measured, command, Path(arguments.out))
    print(f"wrote {arguments.out}", file=sys.stderr)
