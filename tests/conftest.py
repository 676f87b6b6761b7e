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
TESTS = Path(__file__).resolve().parent
BASE = "https://api.test"
API = f"{BASE}/v1/kling"


# The folders of long tests (real processes, builds, Node programs) run first, so that the workers finish together
# instead of one of them starting a long test at the end.
FIRST = {"release": 0, "e2e": 1, "clients": 1, "batch": 2}
# Folders whose tests share a once-per-run set-up that is not safe to run twice at once (tests/release: npm ci of the
# pinned mcpb CLI, building the sdist and the wheel): under pytest-xdist all of a folder's tests run on one worker,
# so the set-up runs once. (tests/clients guards its own npm ci with a file lock.)
ONE_WORKER = ("release",)


def _folder(item: pytest.Item) -> str:
    parts = item.path.resolve().relative_to(TESTS).parts
    return parts[0] if len(parts) > 1 else ""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: FIRST.get(_folder(item), len(FIRST)))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """pytest-xdist's load balancing, but one work unit per ONE_WORKER folder. (Its own ``--dist loadgroup`` cannot
    be used here: pytest 9 derives a node id from the node, and xdist 3.8 groups by rewriting the id.)"""
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerFolders(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            parts = nodeid.split("/")
            if len(parts) > 2 and parts[0] == "tests" and parts[1] in ONE_WORKER:
                return "/".join(parts[:2])
            return nodeid

    return OneWorkerFolders(config, log)


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

    from kling_mcp.jobs import addresses

    real = addresses.resolve_host

    def resolve(host: str, port: int) -> list[Any]:
        if host.endswith(".test"):
            return [ipaddress.ip_address("93.184.216.34")]
        return real(host, port)

    monkeypatch.setattr(addresses, "resolve_host", resolve)


@pytest.fixture
async def client(settings: Settings, api: respx.MockRouter) -> AsyncIterator[Any]:
    from mcp import Client

    from kling_mcp.server import create_server

    async with Client(create_server(settings)) as c:
        yield c
