"""Soak with faults: the load test against an upstream that misbehaves, to show that faults never take the server
down and that nothing billed is ever lost.

    .venv/bin/python benchmarks/soak.py --clients 8 --seconds 60 [--publish]

The simulator runs behind ``benchmarks/fault_proxy.py``, which trickles bodies, cuts connections mid-answer,
answers 502/503 (before and after forwarding) and periodically dies (refuses connections) for a few seconds. The
real server runs as a subprocess (``kling-mcp --transport http``) with auto-download on and its output folder on a
2 MB tmpfs kept full (``--ledger-disk`` also puts the ledger's folder on one, full half the time). N MCP clients
over Streamable HTTP generate (each with a fresh idempotency key; some calls given up early by the client; the same
key sometimes retried after an error), poll, download and list for T seconds. Then:

- server deaths: exits of the server process, calls with no answer within ``--call-timeout``, and a final tools/list
  that does not answer;
- lost task ids: every task id the simulator issued (its own task table, cross-checked with the proxy's log of
  create answers) must be in a tool result or in the ledger (list_jobs, and jobs.sqlite3 read directly); a create
  whose ledger row says "unknown" is recorded, not lost;
- double billing: no idempotency key may have produced two upstream creates (the key is in the prompt).

Prints a JSON summary; exits 1 if there were deaths, lost task ids or double-billed keys. Writes the summary to
benchmarks/out/soak.json (untracked); --publish also writes the "Soak with faults" section of BENCHMARKS.md.
Every address is 127.0.0.1; every loop stops by itself; processes and the mount are cleaned up on the way out.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import httpx
from mcp import Client, MCPError
from mcp.types import CallToolResult, TextContent

from kling_mcp.simulator import SimulatorConfig, run_in_thread

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.fault_proxy import FaultConfig, FaultProxy  # noqa: E402
from benchmarks.load_test import percentile, rss_mb  # noqa: E402
from benchmarks.run import PUBLISHED_REPORT, _wait_http, free_port, server_env  # noqa: E402

EMAIL = "soak@example.com"
TOKEN = "user:1-soak"
SCRATCH_SUMMARY = ROOT / "benchmarks" / "out" / "soak.json"
START, END = "<!-- soak:start -->", "<!-- soak:end -->"
_CODE = re.compile(r"^Error \[([^\]]+)\]")
_NUMBER = re.compile(r"\b\d{6,}\b")
_KEY = re.compile(r"soak-key:(\S+)")


# --- what the clients saw ------------------------------------------------------------------------------------------


@dataclass
class Stats:
    calls: Counter[str] = field(default_factory=Counter)
    ok: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # by code
    errors_by_tool: Counter[str] = field(default_factory=Counter)  # "tool: code"
    first_error: dict[str, str] = field(default_factory=dict)
    hangs: Counter[str] = field(default_factory=Counter)  # no answer within the call timeout, by tool
    unreachable: Counter[str] = field(default_factory=Counter)  # the MCP server could not be reached
    abandoned: Counter[str] = field(default_factory=Counter)  # calls the client gave up on, on purpose
    client_errors: Counter[str] = field(default_factory=Counter)  # an answer the SDK client could not take
    latency: dict[str, list[float]] = field(default_factory=dict)
    task_ids: set[int] = field(default_factory=set)  # every number that reached a client in a result
    keys: set[str] = field(default_factory=set)
    key_retries: int = 0
    retry_outcomes: Counter[str] = field(default_factory=Counter)
    key_history: dict[str, list[str]] = field(default_factory=dict)  # what each generate_video call of a key got
    downloads_saved: int = 0

    def saw(self, key: str, outcome: str) -> None:
        self.key_history.setdefault(key, []).append(outcome)

    def harvest(self, result: CallToolResult) -> None:
        """Every task id in a result: structured fields named task_id, and any long number in the text."""

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    if key == "task_id" and isinstance(item, int):
                        self.task_ids.add(item)
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk(result.structured_content)
        for block in result.content:
            if isinstance(block, TextContent):
                self.task_ids.update(int(n) for n in _NUMBER.findall(block.text))


@dataclass
class Knobs:
    timeout: float  # a call without an answer by then counts as a hang
    abandon: float  # share of generate_video calls the client gives up on early (closing its session)


@dataclass
class ClientState:
    pending: list[int] = field(default_factory=list)  # not final yet
    finished: list[int] = field(default_factory=list)  # succeeded, not downloaded yet
    retries: list[tuple[str, int]] = field(default_factory=list)  # (key, attempt) to send again
    in_flight: tuple[str, str | None, int] | None = None  # (tool, key, attempt) of the call awaiting its answer


class Unanswered(Exception):
    """A call got no answer: the session is dropped and a new one opened."""


class Abandoned(Unanswered):
    """The client gave up on a call on purpose (as a user who closes the app mid-call would)."""


def _contains(exc: BaseException, kind: type[BaseException]) -> bool:
    if isinstance(exc, kind):
        return True
    return isinstance(exc, BaseExceptionGroup) and any(_contains(e, kind) for e in exc.exceptions)


def _leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


# What the SDK client raises when the server's end of the connection is gone.
_UNREACHABLE = (OSError, httpx.TransportError, anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream)


def text_of(result: CallToolResult) -> str:
    return result.content[0].text if result.content and isinstance(result.content[0], TextContent) else ""


def error_code(result: CallToolResult) -> str:
    match = _CODE.match(text_of(result))
    return match.group(1) if match else "uncoded"


def key_of(prompt: str) -> str | None:
    match = _KEY.search(prompt)
    return match.group(1) if match else None


def prompt_of(key: str) -> str:
    """The prompt carries its key, so that the proxy can tell which upstream creates came from one key."""
    return f"a paper boat on a rainy street, soak-key:{key}"


@dataclass
class SoakClient:
    """One simulated user: a loop of tool calls over one MCP session at a time, until the deadline."""

    number: int
    url: str
    stats: Stats
    knobs: Knobs
    rng: random.Random
    deadline: float
    connects: Counter[str]
    state: ClientState = field(default_factory=ClientState)

    async def run(self) -> None:
        stats, state = self.stats, self.state
        # Safety net: a client never outlives the soak by more than one call's timeout plus a reconnect.
        with anyio.move_on_after(max(0.0, self.deadline - time.monotonic()) + self.knobs.timeout + 60):
            while time.monotonic() < self.deadline:
                try:
                    async with Client(self.url) as client:
                        self.connects["sessions"] += 1
                        await self.session(client)
                except Exception as exc:
                    if _contains(exc, Unanswered):
                        self.connects["sessions dropped after a call without answer"] += 1
                        continue
                    # The session could not be opened, or failed under a call (the server went away).
                    kind = type(_leaf(exc)).__name__
                    self.connects[f"session failed: {kind}"] += 1
                    if state.in_flight is not None:
                        name, key, attempt = state.in_flight
                        state.in_flight = None
                        stats.unreachable[f"{name}: session failed ({kind})"] += 1
                        if key is not None and attempt < 2:
                            state.retries.append((key, attempt + 1))
                    await anyio.sleep(1)

    async def call(
        self,
        client: Client,
        name: str,
        arguments: dict[str, Any],
        attempt: int = 0,
        abandon_after: float | None = None,
    ) -> CallToolResult | None:
        """One tool call, recorded. None for an answer that is not a tool result; Unanswered when none came in
        time; Abandoned when the client gave up after ``abandon_after`` seconds."""
        stats, state = self.stats, self.state
        stats.calls[name] += 1
        started = time.perf_counter()
        # Still set if the session itself fails under the call (run() counts it then).
        state.in_flight = (name, arguments.get("idempotency_key"), attempt)
        result: CallToolResult | None = None
        try:
            with anyio.fail_after(self.knobs.timeout):
                with anyio.move_on_after(abandon_after if abandon_after is not None else math.inf):
                    result = await client.call_tool(name, arguments)
        except TimeoutError:
            state.in_flight = None
            stats.hangs[name] += 1
            raise Unanswered from None
        except MCPError as exc:
            state.in_flight = None
            stats.client_errors[f"{name}: mcp_error {exc.error.code}"] += 1
            return None
        except Exception as exc:
            state.in_flight = None
            leaf = _leaf(exc)
            if isinstance(leaf, _UNREACHABLE):
                stats.unreachable[f"{name}: {type(leaf).__name__}"] += 1
                raise Unanswered from None
            # An answer the SDK client could not take (a result that fails its schema, a malformed message).
            stats.client_errors[f"{name}: {type(leaf).__name__}: {str(leaf)[:120]}"] += 1
            return None
        state.in_flight = None
        if result is None:
            stats.abandoned[name] += 1
            raise Abandoned
        stats.latency.setdefault(name, []).append(time.perf_counter() - started)
        stats.harvest(result)
        if result.is_error:
            code = error_code(result)
            stats.errors[code] += 1
            stats.errors_by_tool[f"{name}: {code}"] += 1
            stats.first_error.setdefault(code, text_of(result)[:300])
        else:
            stats.ok[name] += 1
        return result

    async def session(self, client: Client) -> None:
        """Calls on one session until the deadline; Unanswered when a call got no answer."""
        stats, state, rng = self.stats, self.state, self.rng
        counter = 0
        while time.monotonic() < self.deadline:
            counter += 1
            await anyio.sleep(rng.uniform(0.05, 0.3))  # think time
            roll = rng.random()
            if state.retries and roll < 0.5:
                key, attempt = state.retries.pop(0)
                await self.generate(client, key, attempt)
            elif roll < 0.3:
                key = f"{self.number}-{counter}-{uuid.uuid4().hex[:8]}"
                stats.keys.add(key)
                await self.generate(client, key, 0)
            elif roll < 0.65 and (state.pending or state.finished):
                task_id = rng.choice(state.pending or state.finished)
                arguments = {"task_id": task_id, "wait_seconds": rng.choice((0, 0, 1, 2))}
                result = await self.call(client, "get_task", arguments)
                if result is not None and not result.is_error and result.structured_content:
                    if result.structured_content.get("final"):
                        with contextlib.suppress(ValueError):
                            state.pending.remove(task_id)
                        if result.structured_content.get("state") == "succeeded" and task_id not in state.finished:
                            state.finished.append(task_id)
                elif result is not None and result.is_error and error_code(result) in ("not_found", "task_failed"):
                    with contextlib.suppress(ValueError):
                        state.pending.remove(task_id)
            elif roll < 0.8 and state.finished:
                task_id = rng.choice(state.finished)
                result = await self.call(client, "download_clean", {"task_id": task_id})
                if result is not None and not result.is_error:
                    stats.downloads_saved += bool((result.structured_content or {}).get("saved"))
                    state.finished.remove(task_id)
                elif rng.random() < 0.5:  # give up on this one now and then, so as not to spin on one file
                    state.finished.remove(task_id)
            elif roll < 0.9:
                await self.call(client, "list_jobs", {"limit": 20})
            else:
                await self.call(client, "list_models", {})

    async def generate(self, client: Client, key: str, attempt: int) -> None:
        stats, state, rng = self.stats, self.state, self.rng
        arguments: dict[str, Any] = {"prompt": prompt_of(key), "idempotency_key": key}
        if rng.random() < 0.2:
            arguments["wait_seconds"] = 2
        # Most creates answer in tens of milliseconds: give up early enough to land while one is in flight.
        abandon = rng.uniform(0.005, 0.25) if rng.random() < self.knobs.abandon else None
        if attempt:
            stats.key_retries += 1
        try:
            result = await self.call(client, "generate_video", arguments, attempt, abandon)
        except Unanswered as exc:
            stats.saw(key, "given up by the client" if isinstance(exc, Abandoned) else "no answer")
            if attempt < 2:  # the user tries the same request again, with the same key
                state.retries.append((key, attempt + 1))
            raise
        if result is None:
            stats.saw(key, "answer the client could not read")
            return
        if not result.is_error and result.structured_content:
            task_id = result.structured_content.get("task_id")
            stats.saw(key, f"task {task_id}")
            if attempt:
                stats.retry_outcomes["reused" if result.structured_content.get("reused") else "new task"] += 1
            if isinstance(task_id, int):
                done = result.structured_content.get("state") == "succeeded"
                (state.finished if done else state.pending).append(task_id)
            return
        code = error_code(result)
        stats.saw(key, f"error {code}")
        if attempt:
            stats.retry_outcomes[code] += 1
        if code != "invalid_parameter" and attempt < 2 and rng.random() < 0.5:
            state.retries.append((key, attempt + 1))


# --- the server under test -----------------------------------------------------------------------------------------


class ServerProcess:
    """kling-mcp over Streamable HTTP as a subprocess, restarted (and counted) whenever it dies."""

    def __init__(self, port: int, env: dict[str, str], log: Path) -> None:
        self.port, self.env, self.log = port, env, log
        executable = Path(sys.executable).parent / "kling-mcp"
        self.command = ([str(executable)] if executable.exists() else [sys.executable, "-m", "kling_mcp"]) + [
            "--transport",
            "http",
            "--port",
            str(port),
            "--log-level",
            "INFO",
        ]
        self.proc: subprocess.Popen[bytes] | None = None
        self.deaths: list[dict[str, Any]] = []
        self.rss_start = float("nan")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        await _wait_http(self.url)

    async def watch(self) -> None:
        """Until cancelled: notice an exit, record it with the log's tail, and start the server again."""
        while True:
            await anyio.sleep(0.5)
            if self.proc is not None and (code := self.proc.poll()) is not None:
                tail = self.log.read_text(errors="replace").splitlines()[-15:]
                self.deaths.append({"at": time.strftime("%H:%M:%S"), "returncode": code, "log_tail": tail})
                print(f"soak: the server died (exit {code}); restarting it", file=sys.stderr, flush=True)
                await self.start()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


# --- the full disk -------------------------------------------------------------------------------------------------


def mount_tmpfs(folder: Path, size_kb: int) -> tuple[bool, str]:
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        return False, "no mount command: the full-disk fault was not injected"
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)], capture_output=True, text=True
    )
    if done.returncode != 0:
        return False, f"mounting a tmpfs was refused ({done.stderr.strip()}): the full-disk fault was not injected"
    return True, f"on a {size_kb} KB tmpfs"


def unmount(folder: Path) -> None:
    if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@dataclass
class DiskFaults:
    """Keeps a disk (a small tmpfs) full: a filler file takes most of it (``filler_kb``) or all of it (None), and
    is removed and written again every ``period`` seconds, so that writers meet both a full disk and one that fills
    while they write. Stops at ``until`` (monotonic), removing the filler."""

    name: str
    folder: Path
    size_kb: int
    filler_kb: int | None
    start_full: bool = True
    period: float = 10.0
    until: float = math.inf
    mounted: bool = False
    note: str = ""
    counts: Counter[str] = field(default_factory=Counter)

    def mount(self) -> None:
        self.mounted, self.note = mount_tmpfs(self.folder, self.size_kb)
        self.note = f"{self.name} folder {self.note}" if self.mounted else f"{self.name} folder: {self.note}"
        if not self.mounted:
            print(f"soak: {self.note}", file=sys.stderr, flush=True)

    def fill(self, filler: Path) -> None:
        chunk = b"\0" * 65536
        limit = self.filler_kb // 64 if self.filler_kb is not None else 1 << 14
        with contextlib.suppress(OSError), filler.open("wb") as handle:
            for _ in range(limit):  # stops at ENOSPC when the disk is smaller
                handle.write(chunk)
                handle.flush()

    async def run(self) -> None:
        filler = self.folder / ".soak-filler"
        next_toggle = time.monotonic() + (0.0 if self.start_full else self.period)
        try:
            while time.monotonic() < self.until:
                if time.monotonic() >= next_toggle:
                    next_toggle += self.period
                    if filler.exists():
                        filler.unlink()
                        self.counts["filler removed"] += 1
                    else:
                        self.counts["filler written"] += 1
                        self.fill(filler)
                stat = os.statvfs(self.folder)
                self.counts["samples"] += 1
                if stat.f_bavail * stat.f_frsize < 64 * 1024:
                    self.counts["samples full"] += 1
                await anyio.sleep(0.5)
        finally:
            with contextlib.suppress(OSError):
                filler.unlink()

    def figures(self) -> dict[str, str]:
        c = self.counts
        return {
            f"{self.name} disk full (share of 0.5 s samples)": f"{c['samples full']}/{c['samples']}",
            f"{self.name} disk filler written/removed": f"{c['filler written']}/{c['filler removed']}",
        }


# --- the ledger ----------------------------------------------------------------------------------------------------


def read_ledger(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT task_id, idempotency_key, state, prompt, error FROM jobs")]
    finally:
        conn.close()


async def settle(ledger: Path, seconds: float, proxy: FaultProxy, quiet: float = 15.0) -> float:
    """Wait (at most ``seconds``) until no ledger row is still "submitting", or until no create has been on its way
    upstream for ``quiet`` seconds (longer than any wait between two sends of one create); how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        rows = await anyio.to_thread.run_sync(read_ledger, ledger)
        if not any(r["state"] == "submitting" for r in rows):
            break
        if proxy.creates_in_flight == 0 and time.monotonic() - max(proxy.last_create_at, started) > quiet:
            break
        await anyio.sleep(1)
    return time.monotonic() - started


async def final_check(url: str, timeout: float) -> tuple[bool, list[dict[str, Any]], str]:
    """(tools/list answered, list_jobs' jobs, what went wrong) on a fresh session."""
    try:
        with anyio.fail_after(timeout):
            async with Client(url) as client:
                tools = await client.list_tools()
                result = await client.call_tool("list_jobs", {"limit": 500})
                jobs = (result.structured_content or {}).get("jobs", []) if not result.is_error else []
                return bool(tools.tools), list(jobs), ""
    except Exception as exc:
        return False, [], f"{type(exc).__name__}: {exc}"[:300]


# --- the soak ------------------------------------------------------------------------------------------------------


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="kling-soak-"))
    out_dir, state_dir = tmp / "out", tmp / "state"
    stats, connects = Stats(), Counter[str]()
    disks = [] if args.no_disk else [DiskFaults("output", out_dir, args.disk_kb, args.filler_kb)]
    if args.ledger_disk:
        # The ledger's disk starts with room (the server opens its ledger then), and is full half the time after.
        disks.append(DiskFaults("ledger", state_dir, args.ledger_disk_kb, None, start_full=False))
    end: dict[str, Any] = {}  # what the end of the run found
    proxy: FaultProxy | None = None
    server: ServerProcess | None = None
    config = SimulatorConfig(
        accounts=[EMAIL],
        speed=args.speed,
        max_jobs=100_000,
        credits=100_000_000,
        media_padding_bytes=args.media_kb * 1024,
    )
    try:
        state_dir.mkdir(parents=True)
        for disk in disks:
            disk.mount()
        with run_in_thread(config) as sim:
            proxy = FaultProxy(sim.base_url, FaultConfig().scaled(args.fault_scale), seed=args.seed)
            await proxy.start()
            env = server_env(
                proxy.base_url,
                tmp,
                USEAPI_TOKEN=TOKEN,
                KLING_EMAIL=EMAIL,
                KLING_MCP_AUTO_DOWNLOAD="true",
                KLING_MCP_MIN_POLL_INTERVAL="0.5",
            )
            server = ServerProcess(free_port(), env, tmp / "server.log")
            await server.start()
            assert server.proc is not None
            server.rss_start = rss_mb(server.proc.pid)
            started = time.monotonic()
            deadline = started + args.seconds
            async with anyio.create_task_group() as background:
                background.start_soon(server.watch)
                for disk in disks:
                    if disk.mounted:
                        disk.until = deadline
                        background.start_soon(disk.run)
                async with anyio.create_task_group() as group:
                    if args.fault_scale > 0:
                        group.start_soon(proxy.deaths, deadline)
                    knobs = Knobs(timeout=args.call_timeout, abandon=args.abandon)
                    for number in range(args.clients):
                        rng = random.Random(args.seed * 1000 + number)
                        client = SoakClient(number, server.url, stats, knobs, rng, deadline, connects)
                        group.start_soon(client.run)
                end["wall"] = time.monotonic() - started
                proxy.enabled = False  # the faults end with the soak; what is in flight may now finish
                print("soak: clients done; waiting for in-flight creates", file=sys.stderr, flush=True)
                end["settled"] = await settle(state_dir / "jobs.sqlite3", args.settle, proxy)
                end["answered"], end["listed"], end["problem"] = await final_check(server.url, 60)
                end["alive"] = server.proc.poll() is None
                end["rss_end"] = rss_mb(server.proc.pid) if end["alive"] else float("nan")
                # The simulator's own table is the ground truth of billing: every task it ever created.
                end["issued"] = {
                    task_id: key_of(str(task.body.get("prompt") or "")) for task_id, task in sim.state.tasks.items()
                }
                background.cancel_scope.cancel()
            server.stop()
            await proxy.stop()
    finally:
        if server is not None:
            server.stop()
        if proxy is not None:
            with contextlib.suppress(Exception):
                await proxy.stop()
        log_file = tmp / "server.log"
        end["log"] = log_file.read_text(errors="replace") if log_file.exists() else ""
        end["rows"] = read_ledger(state_dir / "jobs.sqlite3")
        for disk in disks:
            if disk.mounted:
                if args.keep:  # the tmpfs goes with the mount: keep a copy of what was on it
                    with contextlib.suppress(OSError):
                        shutil.copytree(disk.folder, tmp / f"{disk.name}-disk-copy")
                unmount(disk.folder)
        if args.keep:
            print(f"soak: kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    assert proxy is not None and server is not None
    return summarise(args, stats, connects, proxy, server, disks, end)


def summarise(
    args: argparse.Namespace,
    stats: Stats,
    connects: Counter[str],
    proxy: FaultProxy,
    server: ServerProcess,
    disks: list[DiskFaults],
    end: dict[str, Any],
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = end["rows"]
    listed: list[dict[str, Any]] = end.get("listed", [])
    log: str = end["log"]
    seen_by_proxy = proxy.ground_truth()
    issued: dict[int, str | None] = end.get("issued", {})
    truth = {**seen_by_proxy, **issued}
    ledger_ids = {int(r["task_id"]) for r in rows if r["task_id"] is not None}
    listed_ids = {int(j["task_id"]) for j in listed if j.get("task_id") is not None}
    unknown_keys = {r["idempotency_key"] for r in rows if r["state"] == "unknown" and r["task_id"] is None}
    lost: list[int] = []
    recorded_unknown: list[int] = []
    for task_id, key in sorted(truth.items()):
        if task_id in stats.task_ids or task_id in ledger_ids or task_id in listed_ids:
            continue
        (recorded_unknown if key is not None and key in unknown_keys else lost).append(task_id)
    by_key = Counter(key for key in truth.values() if key is not None)
    double = sorted(key for key, n in by_key.items() if n > 1)
    logged = {int(n) for n in re.findall(r"task (\d{6,})", log)}
    deaths_exit = len(server.deaths)
    hangs = sum(stats.hangs.values())
    unreachable = sum(stats.unreachable.values())
    final_ok = bool(end.get("answered")) and bool(end.get("alive"))
    deaths = deaths_exit + hangs + unreachable + (0 if final_ok else 1)
    calls = sum(stats.calls.values())
    wall = float(end.get("wall", args.seconds))
    faults: dict[str, int | str] = dict(proxy.fault_counts())
    for disk in disks:
        if disk.mounted:
            faults.update(disk.figures())
    return {
        "command": " ".join(["python", "benchmarks/soak.py", *sys.argv[1:]]),
        "machine": f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "clients": args.clients,
        "seconds": args.seconds,
        "clients_done_after_s": round(wall, 1),
        "settle_seconds": round(float(end.get("settled", 0.0)), 1),
        "disks": [d.note for d in disks] or ["full-disk fault off (--no-disk)"],
        "calls": calls,
        "calls_by_tool": dict(stats.calls),
        "ok_by_tool": dict(stats.ok),
        "errors_by_code": dict(stats.errors.most_common()),
        "errors_by_tool": dict(stats.errors_by_tool.most_common()),
        "first_error_text": stats.first_error,
        "client_errors": dict(stats.client_errors),
        "calls_abandoned_by_clients": dict(stats.abandoned),
        "sessions": dict(connects),
        "faults": faults,
        "upstream_requests": proxy.requests,
        "server_deaths": deaths,
        "deaths_detail": {
            "process_exits": server.deaths,
            "calls_without_answer_in_time": dict(stats.hangs),
            "calls_server_unreachable": dict(stats.unreachable),
            "alive_and_answering_at_end": final_ok,
            "final_check_problem": end.get("problem", ""),
        },
        "keys_sent": len(stats.keys),
        "key_retries": stats.key_retries,
        "retry_outcomes": dict(stats.retry_outcomes),
        "downloads_saved": stats.downloads_saved,
        "billed_task_ids": len(truth),
        "billed_answers_seen_by_proxy": len(seen_by_proxy),
        "billed_not_seen_by_proxy": sorted(set(issued) - set(seen_by_proxy))[:20],
        "billed_with_fault": dict(Counter(c.fault for c in proxy.creates)),
        "task_ids_reached_clients": len(set(truth) & stats.task_ids),
        "task_ids_in_ledger": len(set(truth) & ledger_ids),
        "lost_task_ids": len(lost),
        "lost": lost[:50],
        "lost_detail": [
            {
                "task_id": task_id,
                "key": truth[task_id],
                "proxy_fault_on_the_answer": next((c.fault for c in proxy.creates if c.task_id == task_id), None),
                "client_saw": stats.key_history.get(truth[task_id] or "", []),
                "ledger_rows_of_key": [
                    {k: r[k] for k in ("state", "task_id", "error")}
                    for r in rows
                    if truth[task_id] is not None and r["idempotency_key"] == truth[task_id]
                ],
            }
            for task_id in lost[:10]
        ],
        "lost_but_in_server_log": sorted(set(lost) & logged)[:50],
        "outcome_unknown_recorded": len(recorded_unknown),
        "double_billed_keys": len(double),
        "double_billed": {key: [t for t, k in truth.items() if k == key] for key in double[:20]},
        "ledger_rows": len(rows),
        "ledger_by_state": dict(Counter(r["state"] for r in rows)),
        "ledger_ids_not_issued": len(ledger_ids - set(truth)),
        "list_jobs_rows": len(listed),
        "list_jobs_truncated": len(listed) >= 500,
        "server_log_tracebacks": log.count("Traceback"),
        "server_log_crashed_tools": len(re.findall(r"tool \w+ crashed", log)),
        "server_rss_mb": {
            "start": round(server.rss_start, 1),
            "end": round(float(end.get("rss_end", float("nan"))), 1),
        },
        "latency_ms": {
            name: {
                "p50": round(percentile(v, 0.5) * 1000),
                "p99": round(percentile(v, 0.99) * 1000),
                "max": round(max(v) * 1000),
            }
            for name, v in stats.latency.items()
        },
    }


def failed(summary: dict[str, Any]) -> bool:
    return bool(summary["server_deaths"] or summary["lost_task_ids"] or summary["double_billed_keys"])


# --- the report ----------------------------------------------------------------------------------------------------


def section(s: dict[str, Any]) -> str:
    def table(counts: dict[str, Any], what: str) -> list[str]:
        rows = [f"| {what} | count |", "|---|---|"]
        rows += [f"| {k} | {v} |" for k, v in counts.items()] or ["| (none) | 0 |"]
        return rows

    verdict = "**passed**" if not failed(s) else "**FAILED**"
    d = s["deaths_detail"]
    lines = [
        START,
        f"## Soak with faults: {s['clients']} MCP clients for {s['seconds']:.0f} s against a failing upstream",
        "",
        f"Command: `{s['command']}` (loopback only; stops by itself)  ",
        f"Machine: {s['machine']}  ",
        f"Verdict: {verdict}: {s['server_deaths']} server deaths, {s['lost_task_ids']} lost task ids, "
        f"{s['double_billed_keys']} double-billed keys.",
        "",
        "The simulator sits behind a fault-injecting proxy (benchmarks/fault_proxy.py) that, for a share of "
        "requests, trickles the answer's body a byte every 0.5-2 s (for a few seconds, or for longer than the "
        "server's own deadlines), cuts the connection mid-answer, or answers 502/503 before or after forwarding; and "
        "that dies (refuses connections) for a few seconds every 8-16 s. Disks: "
        + "; ".join(s["disks"])
        + " (kept full by a filler file written and removed every 10 s). Each client generates with a fresh "
        "idempotency key (the key is in the prompt, so the proxy can tell which creates share a key), gives up on "
        "some of those calls early and retries the same key after an error or a give-up now and then, polls, "
        "downloads and lists. Every task id the simulator issued is then looked for in the tool results and in the "
        'job ledger (list_jobs, and jobs.sqlite3 read directly); a create whose ledger row says "unknown" is '
        "recorded, not lost.",
        "",
        "| calls | upstream requests | server deaths | billed task ids | lost | double-billed keys "
        "| outcome unknown (recorded) | downloads saved |",
        "|---|---|---|---|---|---|---|---|",
        f"| {s['calls']} | {s['upstream_requests']} | {s['server_deaths']} | {s['billed_task_ids']} "
        f"| {s['lost_task_ids']} | {s['double_billed_keys']} | {s['ledger_by_state'].get('unknown', 0)} "
        f"| {s['downloads_saved']} |",
        "",
        f"Server deaths count process exits ({len(d['process_exits'])}), calls with no answer in time "
        f"({sum(d['calls_without_answer_in_time'].values())}), calls that found the server unreachable "
        f"({sum(d['calls_server_unreachable'].values())}) and a final tools/list that did not answer "
        f"({0 if d['alive_and_answering_at_end'] else 1}). Ledger rows by state: "
        + ", ".join(f"{k} {v}" for k, v in sorted(s["ledger_by_state"].items()))
        + ".",
        "",
        *table(s["faults"], "fault injected"),
        "",
        *table(s["calls_by_tool"], "tool"),
        "",
        *table(s["errors_by_code"], "error code (tool results)"),
        "",
        *table(
            {
                **{f"{k} given up by the client": v for k, v in s["calls_abandoned_by_clients"].items()},
                **{f"retried key: {k}": v for k, v in s["retry_outcomes"].items()},
            },
            "client behaviour",
        ),
        "",
        END,
    ]
    return "\n".join(lines) + "\n"


def publish(summary: dict[str, Any], path: Path = PUBLISHED_REPORT) -> None:
    """Replace the soak section between its markers, or append it at the end of the file."""
    text = path.read_text()
    block = section(summary)
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--speed", type=float, default=20.0, help="simulator speed (20: a task takes ~3-5 s)")
    parser.add_argument("--fault-scale", type=float, default=1.0, help="multiply every per-request fault share")
    parser.add_argument("--call-timeout", type=float, default=150.0, help="a call without an answer by then hangs")
    parser.add_argument(
        "--abandon", type=float, default=0.1, help="share of generate_video calls a client gives up on early"
    )
    parser.add_argument("--settle", type=float, default=75.0, help="longest wait for in-flight creates at the end")
    parser.add_argument("--disk-kb", type=int, default=2048, help="size of the output tmpfs")
    parser.add_argument("--filler-kb", type=int, default=1024, help="filler file toggled on the output tmpfs")
    parser.add_argument("--media-kb", type=int, default=192, help="padding added to every simulated video")
    parser.add_argument("--no-disk", action="store_true", help="no tmpfs for the output folder, no full disk")
    parser.add_argument(
        "--ledger-disk", action="store_true", help="also put the ledger's folder on a tmpfs that is full half the time"
    )
    parser.add_argument("--ledger-disk-kb", type=int, default=2048, help="size of the ledger's tmpfs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (server log, ledger)")
    parser.add_argument("--publish", action="store_true", help="write the section of the tracked BENCHMARKS.md")
    a = parser.parse_args()
    if a.clients < 1 or a.seconds <= 0:
        parser.error("--clients must be at least 1 and --seconds above 0")
    result = anyio.run(soak, a)
    print(json.dumps(result, indent=2, default=str))
    SCRATCH_SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SCRATCH_SUMMARY.write_text(json.dumps(result, indent=2, default=str) + "\n")
    if a.publish:
        publish(result)
        print(f"wrote {PUBLISHED_REPORT}", file=sys.stderr)
    sys.exit(1 if failed(result) else 0)
