"""Replicas load test, loopback only, bounded in time: the load of benchmarks/load_test.py (N concurrent MCP clients
calling get_task, and generate_video one call in five) against one kling-mcp on its SQLite ledger, then against two
``--stateless`` replicas sharing one PostgreSQL ledger (the clients spread over them as a load balancer would), in
one run on one machine. Reports calls/s and p99 of each set-up and their ratios (two on PostgreSQL / one on SQLite).

    .venv/bin/python benchmarks/replicas.py [--clients 16] [--seconds 15]

PostgreSQL comes from Debian's packages (initdb/pg_ctl, a throwaway cluster with its default durability: fsync at
every commit, as SQLite's WAL does here). Both set-ups share the machine's cores with the load generator, the
simulator and the database: on a small machine the ratio says what sharing a ledger costs, not what a second
machine would add. Every request goes to 127.0.0.1; the loop stops by itself.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from kling_mcp.simulator import SimulatorConfig, run_in_thread

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.load_test import percentile  # noqa: E402
from benchmarks.run import free_port, running_task, server_env  # noqa: E402
from tests.postgres import start_cluster  # noqa: E402


def start_server(base_url: str, tmp: Path, name: str, **extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    args = [sys.executable, "-m", "kling_mcp", "--transport", "http", "--port", str(port), "--stateless"]
    env = server_env(base_url, tmp / name, KLING_EMAIL="demo@example.com", KLING_MCP_MIN_POLL_INTERVAL="0", **extra)
    process = subprocess.Popen([*args, "--log-level", "WARNING"], env=env, stdout=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}/mcp"


async def listening(url: str) -> None:
    """Wait until the server accepts connections (a stateless GET /mcp would hold a stream open)."""
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    for _ in range(600):
        try:
            stream = await anyio.connect_tcp("127.0.0.1", port)
        except OSError:
            await anyio.sleep(0.05)
            continue
        await stream.aclose()
        return
    raise RuntimeError(f"{url} did not come up")


async def drive(urls: list[str], clients: int, seconds: float, task_id: int, label: str) -> dict[str, Any]:
    """``clients`` MCP clients, client i on ``urls[i % len(urls)]``, for ``seconds``."""
    for url in urls:
        await listening(url)
    latencies: dict[str, list[float]] = {"get_task": [], "generate_video": []}
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    async def client_loop(number: int) -> None:
        async with Client(urls[number % len(urls)]) as client:
            i = 0
            while time.monotonic() < deadline:
                i += 1
                args: dict[str, Any]
                if i % 5 == 0:
                    name = "generate_video"
                    args = {"prompt": f"{label} {number}-{i}", "idempotency_key": f"{label}-{number}-{i}"}
                else:
                    name, args = "get_task", {"task_id": task_id}
                started = time.perf_counter()
                result = await client.call_tool(name, args)
                latencies[name].append(time.perf_counter() - started)
                if result.is_error:
                    errors.append(getattr(result.content[0], "text", "")[:200])

    started = time.monotonic()
    async with anyio.create_task_group() as group:
        for number in range(clients):
            group.start_soon(client_loop, number)
    wall = time.monotonic() - started
    every = [v for values in latencies.values() for v in values]
    return {
        "replicas": len(urls),
        "calls": len(every),
        "calls_per_s": round(len(every) / wall, 1),
        "p99_ms": round(percentile(every, 0.99) * 1000, 2),
        "latency_ms": {
            name: {"p50": round(statistics.median(v) * 1000, 2), "p99": round(percentile(v, 0.99) * 1000, 2)}
            for name, v in latencies.items()
            if v
        },
        "errors": len(errors),
        "first_errors": errors[:3],
    }


async def compare(clients: int, seconds: float) -> dict[str, Any]:
    config = SimulatorConfig(speed=200, max_jobs=100_000, credits=10_000_000)
    with run_in_thread(config) as sim, tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        tmp = Path(scratch)
        task_id = await running_task(sim.base_url)
        processes: list[subprocess.Popen[bytes]] = []
        try:
            single, url = start_server(sim.base_url, tmp, "sqlite")
            processes.append(single)
            sqlite = await drive([url], clients, seconds, task_id, "sqlite")
            single.terminate()
            single.wait(15)

            pg = stack.enter_context(start_cluster(durable=True))
            database = pg.new_database()
            urls = []
            for name in ("a", "b"):
                process, url = start_server(sim.base_url, tmp, name, KLING_MCP_DATABASE_URL=database)
                processes.append(process)
                urls.append(url)
            postgres = await drive(urls, clients, seconds, task_id, "postgres")
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
                    process.wait(15)
    return {
        "clients": clients,
        "seconds": seconds,
        "one_replica_sqlite": sqlite,
        "two_replicas_postgres": postgres,
        "ratio_calls_per_s": round(postgres["calls_per_s"] / sqlite["calls_per_s"], 2),
        "ratio_p99": round(postgres["p99_ms"] / sqlite["p99_ms"], 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0)
    a = parser.parse_args()
    result = anyio.run(compare, a.clients, a.seconds)
    print(json.dumps(result, indent=2))
    sys.exit(1 if result["one_replica_sqlite"]["errors"] or result["two_replicas_postgres"]["errors"] else 0)
