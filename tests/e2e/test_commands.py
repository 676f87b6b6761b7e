"""The kling-mcp commands a user runs: demo, simulator, print-config; and the client against the simulator."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from kling_mcp.api.client import KlingClient
from kling_mcp.simulator import SimulatorConfig, run_in_thread

pytestmark = pytest.mark.anyio


def _run(*args: str, tmp_path: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(tmp_path), "KLING_MCP_STATE_DIR": str(tmp_path / "state")}
    env.pop("USEAPI_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "kling_mcp", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def test_demo_walks_the_whole_flow(tmp_path: Path) -> None:
    done = _run("demo", "--speed", "300", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for step in ("tools/list", "get_balance", "generate_video", "get_task", "download_clean", "get_balance again"):
        assert step in out
    clean = Path(re.search(r"Clean MP4: (.+)", out).group(1))  # type: ignore[union-attr]
    assert clean.is_file() and clean.read_bytes()[4:8] == b"ftyp" and clean.is_relative_to(tmp_path)
    assert "Credits spent: 6000" in out  # 60 Kling credits, in useapi's balance units (x 100)
    assert "Error [budget_exceeded]" in out and "KLING_MCP_DAILY_BUDGET" in out  # the demo's budget refuses a second


def test_simulator_command_prints_its_base_url_first(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kling_mcp", "simulator", "--port", "0", "--accounts", "a@x.com,b@y.com"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        second = proc.stdout.readline()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", first)
        assert "a@x.com, b@y.com" in second
        import httpx

        listing = httpx.get(f"{first}/v1/kling/accounts", headers={"Authorization": "Bearer x"}).json()
        assert sorted(listing) == ["a@x.com", "b@y.com"]
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout:
            proc.stdout.close()


def test_print_config_gives_absolute_commands(tmp_path: Path) -> None:
    done = _run("print-config", "--simulate", "--client", "claude-desktop", tmp_path=tmp_path)
    assert done.returncode == 0
    entry = json.loads(done.stdout)["mcpServers"]["kling-simulated"]  # the whole output is one JSON document
    assert Path(entry["command"]).is_absolute() and entry["args"][-1] == "--simulate"
    everything = _run("print-config", "--simulate", tmp_path=tmp_path)
    assert "claude mcp add kling-simulated" in everything.stdout and '"type": "stdio"' in everything.stdout
    assert "#" not in everything.stdout  # headings go to stderr, so every block pastes as it is
    assert "Claude Desktop" in everything.stderr
    real = _run("print-config", tmp_path=tmp_path)
    assert "USEAPI_TOKEN" in real.stdout and "KLING_EMAIL" in real.stdout


async def test_the_client_reads_every_field_it_needs_from_the_simulator() -> None:
    """One source of truth for shapes: the simulator answers with the client's own models; this checks that every
    field the client and the tools read is really filled in."""
    with run_in_thread(SimulatorConfig(speed=2000)) as sim:
        async with KlingClient(token="user:1-x", base_url=sim.base_url) as client:
            accounts = await client.list_accounts()
            email = next(iter(accounts.root))
            account = await client.get_account(email)
            assert account.balance is not None and account.balance.total > 0 and account.maxJobs
            from kling_mcp.api.models import Text2VideoRequest

            created = await client.create_text2video(Text2VideoRequest(prompt="a fox", model_name="kling-v1-6"))
            assert created.task is not None and created.task.id and created.status == 5
            task = await client.get_task(created.task.id, email)
            while not task.status_final:
                await anyio.sleep(0.02)
                task = await client.get_task(created.task.id, email)
            work = task.works[0]
            assert work.resource is not None
            assert all(
                v is not None
                for v in (
                    work.workId,
                    work.resource.resource,
                    work.resource.width,
                    work.resource.height,
                    work.resource.duration,
                )
            )
            link = await client.get_clean_download(work.workId, email)
            assert link.cdnUrl.startswith(sim.base_url)
            upload = await client.upload_asset(b"\xff\xd8\xff" + b"0" * 100, "image/jpeg", email)
            assert upload.url.startswith(sim.base_url) and upload.status == 3
