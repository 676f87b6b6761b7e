"""Load test over Streamable HTTP, loopback only, bounded in time: N concurrent MCP clients call get_task and
generate_video on one kling-mcp server (backed by the simulator) for a fixed time.

    .venv/bin/python benchmarks/load_test.py [--clients 20] [--seconds 20] [--stateless]

Reports calls/s, p50/p99 latency per tool, errors (must be zero), and the server's resident memory at the start
and the end. Every request goes to 127.0.0.1; the loop stops by itself.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client

from kling_mcp.simulator import SimulatorConfig, run_in_thread

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.run import free_port, running_task, server_env  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))] if ordered else float("nan")


async def load(clients: int, seconds: float, stateless: bool) -> dict[str, Any]:
    config = SimulatorConfig(speed=200, max_jobs=100_000, credits=10_000_000)
    with run_in_thread(config) as sim, tempfile.TemporaryDirectory() as tmp:
        task_id = await running_task(sim.base_url)
        port = free_port()
        args = [
            sys.executable,
            "-m",
            "kling_mcp",
            "--transport",
            "http",
            "--port",
            str(port),
            "--log-level",
            "WARNING",
            *(["--stateless"] if stateless else []),
        ]
        env = server_env(sim.base_url, Path(tmp), KLING_EMAIL="demo@example.com", KLING_MCP_MIN_POLL_INTERVAL="0")
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/mcp"
            for _ in range(200):
                try:
                    httpx.get(url, timeout=0.5)
                    break
                except httpx.TransportError:
                    await anyio.sleep(0.05)
            latencies: dict[str, list[float]] = {"get_task": [], "generate_video": []}
            errors: list[str] = []
            memory_start = rss_mb(proc.pid)
            deadline = time.monotonic() + seconds

            async def client_loop(number: int) -> None:
                async with Client(url) as client:
                    i = 0
                    while time.monotonic() < deadline:
                        i += 1
                        if i % 5 == 0:
                            name, args_ = "generate_video", {"prompt": f"load {number}-{i}"}
                        else:
                            name, args_ = "get_task", {"task_id": task_id}
                        started = time.perf_counter()
                        result = await client.call_tool(name, args_)
                        latencies[name].append(time.perf_counter() - started)
                        if result.is_error:
                            errors.append(result.content[0].text[:200])

            started = time.monotonic()
            async with anyio.create_task_group() as group:
                for number in range(clients):
                    group.start_soon(client_loop, number)
            wall = time.monotonic() - started
            memory_end = rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)
    calls = sum(len(v) for v in latencies.values())
    return {
        "clients": clients,
        "seconds": round(wall, 2),
        "stateless": stateless,
        "calls": calls,
        "calls_per_s": round(calls / wall, 1),
        "latency_ms": {
            name: {
                "p50": round(statistics.median(v) * 1000, 2),
                "p99": round(percentile(v, 0.99) * 1000, 2),
                "n": len(v),
            }
            for name, v in latencies.items()
            if v
        },
        "errors": len(errors),
        "first_errors": errors[:3],
        "server_rss_mb": {"start": round(memory_start, 1), "end": round(memory_end, 1)},
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--stateless", action="store_true")
    parser.add_argument(
        "--report", action="store_true", help="add the figures to benchmarks/out/BENCHMARKS.md (untracked)"
    )
    parser.add_argument("--publish", action="store_true", help="add them to the tracked BENCHMARKS.md instead")
    a = parser.parse_args()
    result = anyio.run(load, a.clients, a.seconds, a.stateless)
    print(json.dumps(result, indent=2))
    if a.report or a.publish:
        from benchmarks.run import PUBLISHED_REPORT, SCRATCH_REPORT, write_report

        result["command"] = " ".join(["python", "benchmarks/load_test.py", *sys.argv[1:]])
        stored = json.loads(PUBLISHED_REPORT.with_suffix(".json").read_text())
        target = PUBLISHED_REPORT if a.publish else SCRATCH_REPORT
        write_report({"load": result}, stored.get("_command", "python benchmarks/run.py"), target)
        print(f"wrote {target}", file=sys.stderr)
    sys.exit(1 if result["errors"] else 0)
