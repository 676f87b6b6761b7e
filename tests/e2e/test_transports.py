"""The real ``kling-mcp`` process at the transport level: what a client gets for bytes that are not a JSON-RPC
message on stdio, and what HTTP mode tells the user at start-up."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.abc import Process
from anyio.streams.buffered import BufferedByteReceiveStream
from mcp import Client

pytestmark = pytest.mark.anyio

DEEP = b"[" * 100_000 + b"]" * 100_000


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "KLING_MCP_OUTPUT_DIR": str(tmp_path / "out"),
        "KLING_MCP_STATE_DIR": str(tmp_path / "state"),
        "KLING_MCP_AUTO_DOWNLOAD": "false",
    }


@asynccontextmanager
async def _running(command: list[str], tmp_path: Path, **kwargs: Any) -> AsyncIterator[Process]:
    """The process, stopped at the end whatever happened (anyio's own exit would wait for it forever)."""
    async with await anyio.open_process(command, env=_env(tmp_path), **kwargs) as process:
        try:
            yield process
        finally:
            with suppress(ProcessLookupError):
                process.kill()


async def _replies_until(stdout: BufferedByteReceiveStream, request_id: int) -> list[dict[str, Any]]:
    """Every message the server writes, up to and including the answer to ``request_id``."""
    seen: list[dict[str, Any]] = []
    while not seen or seen[-1].get("id") != request_id:
        seen.append(json.loads(await stdout.receive_until(b"\n", 1 << 20)))
    return seen


@pytest.mark.parametrize(
    ("line", "code", "request_id"),
    [
        pytest.param(
            b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"\\ud800"}}', -32700, None, id="surrogate"
        ),
        pytest.param(b"{", -32700, None, id="truncated"),
        pytest.param(b'[{"jsonrpc":"2.0","id":2,"method":"ping"}]', -32600, None, id="batch"),
        pytest.param(b'{"jsonrpc":"2.0","id":3,"method":"ping","params":{"a":' + DEEP + b"}}", -32700, None, id="deep"),
        pytest.param(b'{"jsonrpc":"2.0","id":4,"method":7}', -32600, 4, id="not-a-request"),
        pytest.param(b"\xff\xfe\x00 not utf-8", -32700, None, id="bytes"),
    ],
)
async def test_a_line_that_is_not_a_message_gets_a_json_rpc_error_on_stdio(
    tmp_path: Path, line: bytes, code: int, request_id: int | None
) -> None:
    process: Process
    async with _running([sys.executable, "-m", "kling_mcp", "--simulate"], tmp_path) as process:
        assert process.stdin and process.stdout and process.stderr
        stdout = BufferedByteReceiveStream(process.stdout)
        with anyio.fail_after(30):  # before the fix the client waited here until its own timeout
            await process.stdin.send(line + b"\n")
            await process.stdin.send(b'{"jsonrpc":"2.0","id":99,"method":"ping"}\n')
            replies = await _replies_until(stdout, 99)
            await process.stdin.aclose()
            log = b"".join([chunk async for chunk in process.stderr]).decode(errors="replace")
            await process.wait()
    error, pong = replies
    assert error["jsonrpc"] == "2.0" and error["id"] == request_id and error["error"]["code"] == code
    assert error["error"]["message"].startswith("Parse error" if code == -32700 else "Invalid Request")
    assert pong == {"jsonrpc": "2.0", "id": 99, "result": {}}  # the server is still serving
    assert "not a JSON-RPC message" in log  # and the server's log says so


async def test_a_batch_is_refused_by_name(tmp_path: Path) -> None:
    async with _running([sys.executable, "-m", "kling_mcp"], tmp_path, stderr=subprocess.DEVNULL) as process:
        assert process.stdin and process.stdout
        with anyio.fail_after(30):
            await process.stdin.send(
                b'[{"jsonrpc":"2.0","id":1,"method":"ping"}]\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n'
            )
            error, _ = await _replies_until(BufferedByteReceiveStream(process.stdout), 2)
            await process.stdin.aclose()
            await process.wait()
    assert "batches are not supported" in error["error"]["message"]


async def test_http_mode_prints_its_mcp_endpoint(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "kling_mcp", "--transport", "http", "--port", "0", "--simulate"]
    async with _running([*command, "--log-level", "INFO"], tmp_path) as process:
        assert process.stderr is not None
        stderr = BufferedByteReceiveStream(process.stderr)
        lines: list[str] = []
        with anyio.fail_after(30):
            while not any("MCP endpoint" in line for line in lines):
                lines.append((await stderr.receive_until(b"\n", 1 << 16)).decode())
            endpoint = next(line for line in lines if "MCP endpoint" in line)
            match = re.fullmatch(
                r"kling-mcp: MCP endpoint \(Streamable HTTP\): (http://127\.0\.0\.1:\d+/mcp)", endpoint
            )
            assert match, endpoint
            simulator = next(line for line in lines if "simulator" in line)
            assert match[1] not in simulator  # the simulator's URL is another one, said apart
            async with Client(match[1]) as client:
                assert "generate_video" in {t.name for t in (await client.list_tools()).tools}
