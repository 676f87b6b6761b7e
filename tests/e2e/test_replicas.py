"""A team deployment for real: two ``kling-mcp --transport http --stateless`` replica processes sharing one job
ledger in PostgreSQL (a throwaway cluster, tests/postgres.py) and one simulated useapi. The same generate_video with
the same idempotency_key fired at both replicas at once is created upstream once; a replica killed (kill -9) in the
middle of a create leaves the other replica saying the outcome is unknown, and never resending it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest
import uvicorn
from mcp import Client

from kling_mcp.simulator import SimulatorConfig, SimulatorState, create_app
from kling_mcp.sockets import listening_socket
from tests.mcp_results import error_of
from tests.postgres import Cluster, cluster

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
CREATE = "/v1/kling/videos/text2video"
HOLD = "sim-hold-this-create"  # a prompt with this word is held by the simulator until the test lets it go
KEYS = 50
PAIRS_AT_ONCE = 4  # modest: the machine is shared

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass
class Upstream:
    """What reached the simulated useapi: every create's prompt, in order, and the hold on one create."""

    url: str = ""
    creates: list[str] = field(default_factory=list)
    held: threading.Event = field(default_factory=threading.Event)  # the held create has arrived
    release: threading.Event = field(default_factory=threading.Event)

    def wrap(self, app: App) -> App:
        async def counted(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != CREATE:
                await app(scope, receive, send)
                return
            body, more = b"", True
            while more:
                message = await receive()
                body, more = body + message.get("body", b""), message.get("more_body", False)
            prompt = str(json.loads(body or b"{}").get("prompt", ""))
            self.creates.append(prompt)
            if HOLD in prompt:  # slowed for this create: its answer waits until the test releases it
                self.held.set()
                while not self.release.is_set():
                    await anyio.sleep(0.02)
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await app(scope, replay, send)

        return counted


@contextmanager
def simulated_useapi() -> Iterator[Upstream]:
    upstream = Upstream()
    config = SimulatorConfig(speed=50, max_jobs=10_000, credits=10_000_000)
    state = SimulatorState(config)
    sock = listening_socket("127.0.0.1", 0)
    app = upstream.wrap(create_app(config, state))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="replicas-simulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the simulator did not start"
        time.sleep(0.01)
    upstream.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        yield upstream
    finally:
        upstream.release.set()
        server.should_exit = True
        thread.join(10)
        sock.close()
        state.close()


@dataclass
class Replica:
    process: subprocess.Popen[bytes]
    url: str


@contextmanager
def replica(name: str, database_url: str, upstream: Upstream, tmp_path: Path) -> Iterator[Replica]:
    """One ``kling-mcp --transport http --stateless`` process on the shared ledger; stopped at the end."""
    log = tmp_path / f"{name}.log"
    env = {
        **os.environ,
        "USEAPI_BASE_URL": upstream.url,
        "USEAPI_TOKEN": "user:1-replicas",
        "KLING_EMAIL": "demo@example.com",
        "KLING_MCP_DATABASE_URL": database_url,
        "KLING_MCP_STATE_DIR": str(tmp_path / f"state-{name}"),  # unused with a database: each its own anyway
        "KLING_MCP_OUTPUT_DIR": str(tmp_path / "out"),  # shared, as a team's deployment mounts one folder
        "KLING_MCP_AUTO_DOWNLOAD": "false",
        "KLING_MCP_MIN_POLL_INTERVAL": "0",
    }
    command = [sys.executable, "-m", "kling_mcp", "--transport", "http", "--port", "0", "--stateless"]
    with log.open("wb") as err:
        process = subprocess.Popen([*command, "--log-level", "WARNING"], env=env, stderr=err, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"MCP endpoint \(Streamable HTTP\): (\S+)", log.read_text(errors="replace"))):
            assert process.poll() is None, f"replica {name} stopped: {log.read_text(errors='replace')[-2000:]}"
            assert time.monotonic() < deadline, f"replica {name} did not start"
            time.sleep(0.05)
        yield Replica(process, found[1])
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(15)


@pytest.fixture(scope="module")
def pg() -> Iterator[Cluster]:
    with cluster() as running:
        yield running


@pytest.fixture
def team(pg: Cluster, tmp_path: Path) -> Iterator[tuple[Upstream, Replica, Replica]]:
    database_url = pg.new_database()
    with ExitStack() as stack:
        upstream = stack.enter_context(simulated_useapi())
        first = stack.enter_context(replica("a", database_url, upstream, tmp_path))
        second = stack.enter_context(replica("b", database_url, upstream, tmp_path))
        yield upstream, first, second


async def test_the_same_key_fired_at_both_replicas_at_once_is_created_once(
    team: tuple[Upstream, Replica, Replica],
) -> None:
    upstream, first, second = team
    outcomes: dict[int, list[Any]] = {}
    limit = anyio.CapacityLimiter(PAIRS_AT_ONCE)
    with anyio.fail_after(300):  # only against a hang
        async with Client(first.url) as a, Client(second.url) as b:

            async def fire(n: int, client: Client) -> None:
                args = {"prompt": f"a fox, take {n}", "idempotency_key": f"team-key-{n}", "wait_seconds": 0}
                outcomes.setdefault(n, []).append(await client.call_tool("generate_video", args))

            async def pair(n: int) -> None:
                async with limit, anyio.create_task_group() as both:  # both replicas at the same moment
                    both.start_soon(fire, n, a)
                    both.start_soon(fire, n, b)

            async with anyio.create_task_group() as group:
                for n in range(KEYS):
                    group.start_soon(pair, n)
            listed = [await client.call_tool("list_jobs", {"limit": 100}) for client in (a, b)]

    assert len(upstream.creates) == KEYS  # exactly one upstream create per key
    assert Counter(upstream.creates) == Counter(f"a fox, take {n}" for n in range(KEYS))
    task_ids = set()
    for n, results in outcomes.items():
        created = [r.structured_content["task_id"] for r in results if not r.is_error]
        refused = [error_of(r)["code"] for r in results if r.is_error]
        assert created and len(set(created)) == 1, (n, results)  # one task; a second answer is the same task
        assert set(refused) <= {"submission_in_progress"}, (n, refused)  # "being sent right now; call again"
        task_ids.add(created[0])
    assert len(task_ids) == KEYS
    for result in listed:  # each replica lists the whole team's history
        assert not result.is_error, result
        assert {row["task_id"] for row in result.structured_content["jobs"]} >= task_ids


async def test_a_replica_killed_mid_create_leaves_the_other_saying_unknown_and_never_resending(
    team: tuple[Upstream, Replica, Replica],
) -> None:
    upstream, first, second = team
    args: dict[str, Any] = {"prompt": f"a fox {HOLD}", "idempotency_key": "team-kill", "wait_seconds": 0}
    answers: list[str] = []
    with anyio.fail_after(180):  # only against a hang
        async with anyio.create_task_group() as group:

            async def call_the_doomed_replica() -> None:
                with suppress(Exception):  # its connection dies with it
                    async with Client(first.url) as a:
                        await a.call_tool("generate_video", args)

            group.start_soon(call_the_doomed_replica)
            while not upstream.held.is_set():  # the create reached useapi and is waiting for its answer
                await anyio.sleep(0.02)
            os.kill(first.process.pid, signal.SIGKILL)
            first.process.wait(30)
            async with Client(second.url) as b:
                # "in progress" while the database has not yet seen the dead replica's session end; then unknown
                while not answers or answers[-1] == "submission_in_progress":
                    err = error_of(await b.call_tool("generate_video", args))
                    answers.append(err["code"])
                    if err["code"] == "submission_in_progress":
                        await anyio.sleep(0.1)
                unknown = await b.call_tool("list_jobs", {"state": "unknown"})
            group.cancel_scope.cancel()
    assert answers[-1] == "outcome_unknown", answers
    assert "stopped before useapi's answer was recorded" in err["message"] and "billed" in err["message"]
    assert upstream.creates.count(args["prompt"]) == 1  # the other replica never resent it
    (row,) = [r for r in unknown.structured_content["jobs"] if r.get("idempotency_key") == "team-kill"]
    assert row["state"] == "unknown"
