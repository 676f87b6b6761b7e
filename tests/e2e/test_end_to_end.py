"""End to end: the real ``kling-mcp`` process, driven by the SDK's client over stdio and over Streamable HTTP, against
the simulator over real HTTP. The errors an agent sees here must be the ones the seed describes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client, StdioServerParameters

from kling_mcp.simulator import SimulatorConfig, run_in_thread
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio

FAST = 400.0  # simulator speed: minutes of generation in well under a second


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "KLING_MCP_OUTPUT_DIR": str(tmp_path / "out"),
        "KLING_MCP_STATE_DIR": str(tmp_path / "state"),
        "KLING_MCP_MIN_POLL_INTERVAL": "0",
        "KLING_MCP_AUTO_DOWNLOAD": "false",
        **extra,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def http_server(env: dict[str, str]) -> Iterator[str]:
    """``kling-mcp --transport http`` as a subprocess; yields its /mcp URL."""
    port = _free_port()
    log = Path(env["KLING_MCP_STATE_DIR"]).with_name("server.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kling_mcp", "--transport", "http", "--port", str(port), "--log-level", "WARNING"],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/mcp", timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"the HTTP server did not start: {log.read_text()}")
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        proc.wait(10)


@asynccontextmanager
async def over_http(tmp_path: Path, config: SimulatorConfig, **extra: str) -> AsyncIterator[Client]:
    with run_in_thread(config) as sim:
        env = _env(tmp_path, USEAPI_BASE_URL=sim.base_url, USEAPI_TOKEN=extra.pop("token", "user:1-e2e"), **extra)
        with http_server(env) as url:
            async with Client(url) as client:
                yield client


async def _until_final(client: Client, task_id: int, **extra: Any) -> dict[str, Any]:
    for _ in range(40):
        result = await client.call_tool("get_task", {"task_id": task_id, "wait_seconds": 2, **extra})
        assert not result.is_error, result.content
        if result.structured_content["final"]:
            return dict(result.structured_content)
    raise AssertionError("the task never finished")


async def test_full_life_cycle_over_stdio_with_simulate(tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "kling_mcp", "--simulate", "--sim-speed", str(FAST)],
        env=_env(tmp_path),
    )
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"generate_video", "animate_image", "get_task", "download_clean", "get_balance"} <= names
        before = (await client.call_tool("get_balance", {})).structured_content
        submitted = await client.call_tool(
            "generate_video", {"prompt": "a fox", "model_name": "kling-v3-0", "mode": "pro", "duration": 5}
        )
        task_id = submitted.structured_content["task_id"]
        done = await _until_final(client, task_id)
        assert done["state"] == "succeeded" and done["videos"][0]["watermarked"] is True
        download = (await client.call_tool("download_clean", {"task_id": task_id})).structured_content
        after = (await client.call_tool("get_balance", {})).structured_content
    assert download["clean"] is True
    saved = Path(download["path"])
    assert saved.parent == tmp_path / "out" and saved.read_bytes()[4:8] == b"ftyp"
    # v3 pro 5 s with audio; balance units are credits x 100
    assert before["balance_total"] - after["balance_total"] == 60 * 100


async def test_life_cycle_and_failures_over_http(tmp_path: Path) -> None:
    config = SimulatorConfig(speed=FAST, accounts=["demo@example.com"])
    async with over_http(tmp_path, config) as client:
        ok = await client.call_tool("generate_video", {"prompt": "a calm lake", "aspect_ratio": "9:16"})
        done = await _until_final(client, ok.structured_content["task_id"])
        video = done["videos"][0]
        assert video["height"] > video["width"]
        download = (await client.call_tool("download_clean", {"task_id": done["task_id"]})).structured_content
        assert download["clean"] is True and Path(download["path"]).is_file()

        moderated = error_of(await client.call_tool("generate_video", {"prompt": "sim:moderation please"}))
        assert moderated["code"] == "moderation_rejected" and "guidelines" in moderated["message"]

        for status in (6, 7, 9, 50, 53, 54, 58):
            started = await client.call_tool("generate_video", {"prompt": f"sim:fail-{status}"})
            failed = await _until_final(client, started.structured_content["task_id"])
            assert failed["state"] == "failed" and failed["status"] == status and failed["error"]

        vanished = await client.call_tool("generate_video", {"prompt": "sim:vanish"})
        for _ in range(40):
            result = await client.call_tool(
                "get_task", {"task_id": vanished.structured_content["task_id"], "wait_seconds": 1}
            )
            if result.is_error:
                break
        err = error_of(result)
        assert err["code"] == "not_found" and "credits" in err["message"] and "get_balance" in err["hint"]


async def test_multiple_accounts_and_free_plan_over_http(tmp_path: Path) -> None:
    config = SimulatorConfig(speed=FAST, accounts=["pro@example.com", "free@example.com"])
    async with over_http(tmp_path, config) as client:
        err = error_of(await client.call_tool("generate_video", {"prompt": "a fox"}))
        assert err["code"] == "account_required" and "free@example.com" in err["message"]
        started = await client.call_tool("generate_video", {"prompt": "a fox", "email": "free@example.com"})
        done = await _until_final(client, started.structured_content["task_id"], email="free@example.com")
        download = await client.call_tool("download_clean", {"task_id": done["task_id"], "email": "free@example.com"})
        out = download.structured_content
    assert out["clean"] is False and out["watermarked"] is True and out["reason"]
    assert out["path"].endswith("_watermarked.mp4")


async def test_wrong_token_over_http(tmp_path: Path) -> None:
    config = SimulatorConfig(speed=FAST, token="user:1-right")
    async with over_http(tmp_path, config, token="user:1-wrong") as client:
        err = error_of(await client.call_tool("get_balance", {"email": "demo@example.com"}))
    assert err["code"] == "auth_failed" and "user:1-wrong" not in str(err)


async def test_capacity_over_http(tmp_path: Path) -> None:
    config = SimulatorConfig(speed=1.0, max_jobs=1)
    # The second create is answered 429 and retried every 10 s (useapi guide) within its deadline, which is
    # KLING_MCP_WAIT_CAP but at least 30 s: a small cap makes that the 30 s floor (two waits, not four).
    async with over_http(tmp_path, config, KLING_MCP_MAX_RETRIES="0", KLING_MCP_WAIT_CAP="1") as client:
        first = await client.call_tool("generate_video", {"prompt": "a fox"})
        assert not first.is_error
        err = error_of(await client.call_tool("generate_video", {"prompt": "another fox"}))
    assert err["code"] == "capacity" and "not accepted" in err["message"]


async def test_animate_a_local_image_over_http(tmp_path: Path) -> None:
    from tests.tools.test_long_jobs import png

    image = tmp_path / "start.png"
    image.write_bytes(png())
    config = SimulatorConfig(speed=FAST)
    async with over_http(tmp_path, config, KLING_MCP_ALLOWED_DIRS=str(tmp_path)) as client:
        started = await client.call_tool(
            "animate_image", {"image": str(image), "model_name": "kling-v2-5", "prompt": "the boat drifts"}
        )
        assert not started.is_error, started.content
        done = await _until_final(client, started.structured_content["task_id"])
        download = (await client.call_tool("download_clean", {"task_id": done["task_id"]})).structured_content
    assert done["state"] == "succeeded" and download["clean"] is True


async def test_moderation_later_and_running_out_of_credits_poll_404(tmp_path: Path) -> None:
    config = SimulatorConfig(speed=FAST, credits=30)  # one kling-v1-6 std clip costs 20
    async with over_http(tmp_path, config) as client:
        later = (await client.call_tool("generate_video", {"prompt": "sim:moderation-later"})).structured_content
        broke = (await client.call_tool("generate_video", {"prompt": "a second fox"})).structured_content
        for task_id in (later["task_id"], broke["task_id"]):
            for _ in range(40):
                result = await client.call_tool("get_task", {"task_id": task_id, "wait_seconds": 1})
                if result.is_error:
                    break
            err = error_of(result)
            assert err["code"] == "not_found"
            assert all(cause in err["message"] for cause in ("deleted", "moderation", "credits"))
        balance = (await client.call_tool("get_balance", {})).structured_content
        jobs = (await client.call_tool("list_jobs", {})).structured_content["jobs"]
    assert balance["balance_total"] == 1000  # 30 credits - 20 for the first clip, in useapi's units
    assert {j["task_id"]: j["state"] for j in jobs}[broke["task_id"]] == "failed"
