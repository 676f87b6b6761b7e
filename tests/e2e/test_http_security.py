"""Remote use locked down: loopback by default with Host/Origin checks, a bearer token for MCP clients, and no
start-up on a public address without one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_end_to_end import _env, http_server

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}},
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def _post(url: str, **headers: str) -> httpx.Response:
    return httpx.post(url, json=INITIALIZE, headers={**HEADERS, **headers}, timeout=10)


def test_bearer_token_is_required_when_configured(tmp_path: Path) -> None:
    env = _env(tmp_path, USEAPI_TOKEN="user:1-x", KLING_MCP_HTTP_TOKEN="s3cret-http-token")
    with http_server(env) as url:
        missing = _post(url)
        wrong = _post(url, Authorization="Bearer nope")
        right = _post(url, Authorization="Bearer s3cret-http-token")
    assert missing.status_code == wrong.status_code == 401
    assert "s3cret" not in missing.text + wrong.text
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert right.status_code == 200


def test_loopback_server_checks_host_and_origin(tmp_path: Path) -> None:
    with http_server(_env(tmp_path, USEAPI_TOKEN="user:1-x")) as url:
        assert _post(url).status_code == 200
        assert _post(url, Host="evil.example").status_code == 421
        assert _post(url, Origin="http://evil.example").status_code == 403


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10"])
def test_a_public_address_without_a_token_refuses_to_start(tmp_path: Path, host: str) -> None:
    env = {**os.environ, **_env(tmp_path, USEAPI_TOKEN="user:1-x")}
    env.pop("KLING_MCP_HTTP_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "kling_mcp", "--transport", "http", "--host", host, "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert done.returncode == 2
    assert "KLING_MCP_HTTP_TOKEN" in done.stderr
