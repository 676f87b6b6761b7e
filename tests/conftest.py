"""Shared fixtures: settings in temporary folders, a respx-mocked upstream, and the in-memory MCP client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import respx
from pydantic import SecretStr

from kling_mcp.config import Settings

TOKEN = "user:4242-CANARYTOKENxyz"
BASE = "https://api.test"
API = f"{BASE}/v1/kling"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "token": SecretStr(TOKEN),
            "base_url": BASE,
            "output_dir": tmp_path / "out",
            "state_dir": tmp_path / "state",
            "allowed_dirs": (tmp_path,),
            "min_poll_interval": 0.0,
            "auto_download": False,
            "max_retries": 2,
        }
        values.update(overrides)
        return Settings.from_env({}, **values)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


@pytest.fixture(autouse=True)
def _fast_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test really sleeps on retry backoff or wait heartbeats."""
    from kling_mcp.api.retry import RetryPolicy
    from kling_mcp.jobs import waiting

    monkeypatch.setattr(RetryPolicy, "delay", lambda self, n, retry_after=None: 0.0)
    monkeypatch.setattr(waiting, "HEARTBEAT_S", 0.01)


@pytest.fixture(autouse=True)
def _public_test_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sandbox has no DNS: *.test hosts resolve to a public documentation address for the SSRF check."""
    import ipaddress

    from kling_mcp.jobs import files

    real = files.resolve_host

    def resolve(host: str, port: int) -> list[Any]:
        if host.endswith(".test"):
            return [ipaddress.ip_address("93.184.216.34")]
        return real(host, port)

    monkeypatch.setattr(files, "resolve_host", resolve)


@pytest.fixture
async def client(settings: Settings, api: respx.MockRouter) -> AsyncIterator[Any]:
    from mcp import Client

    from kling_mcp.server import create_server

    async with Client(create_server(settings)) as c:
        yield c
