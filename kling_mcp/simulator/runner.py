"""Running the simulator: in a background thread (for ``--simulate``, tests and benchmarks) or in the foreground
(``kling-mcp simulator``)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

import uvicorn

from kling_mcp.simulator.app import create_app
from kling_mcp.simulator.config import TRIGGERS, SimulatorConfig
from kling_mcp.simulator.state import STATE_FILE, SimulatorState
from kling_mcp.sockets import listening_socket


@dataclass
class RunningSimulator:
    base_url: str
    state: SimulatorState
    config: SimulatorConfig


def _server(config: SimulatorConfig, state: SimulatorState) -> uvicorn.Server:
    app = create_app(config, state)
    return uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))


@contextmanager
def run_in_thread(config: SimulatorConfig, host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningSimulator]:
    """Serve the simulator on ``host:port`` (0 picks a free port) in a daemon thread with its own event loop."""
    state = SimulatorState(config)
    try:
        sock = listening_socket(host, port)
    except BaseException:
        state.close()
        raise
    server = _server(config, state)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="kling-simulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the simulator did not start")
        time.sleep(0.01)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    try:
        yield RunningSimulator(f"http://{shown}:{bound_port}", state, config)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        state.close()


def banner(config: SimulatorConfig, base: str) -> list[str]:
    """What ``kling-mcp simulator`` prints on start: the base URL first, then how to use it."""
    if config.token is None:
        auth, token = "any non-empty bearer token", "anything"
    else:
        # The token is not echoed: the user typed it, and it may be a real one.
        auth, token = "only the token given with --token", "'<the value given to --token>'"
    if config.state_dir is None:
        kept = "in memory only: tasks, balances and uploads end with this process (--state-dir keeps them)"
    else:
        kept = f"in {config.state_dir / STATE_FILE} (tasks, balances and uploads outlive this process)"
    return [
        base,
        f"accounts: {', '.join(config.accounts)} (maxJobs {config.max_jobs}, {config.credits:g} credits each)",
        f"auth: {auth}; speed: {config.speed:g}x real time",
        f"state: {kept}",
        f"use it: USEAPI_BASE_URL={base} USEAPI_TOKEN={token} kling-mcp",
        f"   or: curl -H 'Authorization: Bearer {token.strip(chr(39))}' {base}/v1/kling/accounts",
        "triggers (words in a prompt): " + "; ".join(f"{k}: {v}" for k, v in TRIGGERS.items()),
    ]


def serve(config: SimulatorConfig, host: str = "127.0.0.1", port: int = 8765, out: TextIO = sys.stdout) -> None:
    """Serve in the foreground. The first line printed is the base URL."""
    state = SimulatorState(config)
    try:
        sock = listening_socket(host, port)
        bound_port = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        for line in banner(config, f"http://{shown}:{bound_port}"):
            print(line, file=out)
        out.flush()
        _server(config, state).run(sockets=[sock])
    finally:
        state.close()
