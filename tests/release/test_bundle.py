"""The MCP Bundle for Claude Desktop: ``mcpb validate`` accepts manifest.json, ``mcpb pack`` builds the bundle (once
per session, conftest) with nothing but the server in it, and the bundle, unpacked, serves MCP under its manifest's
own launch command: ``mcp_config`` with ``${__dirname}`` and ``${user_config.*}`` substituted as Claude Desktop does
(tests/release/mcpb_host.py), simulate on. Slow (npm, uv, a real generation), so marked ``real_clients``."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from scripts import release
from tests.release.conftest import NETWORK_TROUBLE, unavailable
from tests.release.mcpb_host import launch_config

pytestmark = [pytest.mark.real_clients, pytest.mark.anyio]

IN_THE_BUNDLE = {"manifest.json", "icon.png", "pyproject.toml", "README.md", "LICENSE", "kling_mcp"}
# What a host passes through to the servers it starts (the MCP SDK's own list), plus what reaching PyPI may need.
HOST_ENV = ("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "SSL_CERT_FILE", "SSL_CERT_DIR", "UV_CACHE_DIR")
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "UV_INDEX_URL")


def test_mcpb_validates_the_manifest(mcpb: list[str]) -> None:
    done = subprocess.run([*mcpb, "validate", str(release.MANIFEST)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Manifest schema validation passes!" in done.stdout
    assert "ERROR" not in done.stdout  # the icon is checked too


def test_the_bundle_holds_the_server_and_nothing_else(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        packed_manifest = json.loads(archive.read("manifest.json"))
    assert {name.split("/")[0] for name in names} == IN_THE_BUNDLE  # no tests, benchmarks, scripts, dist, caches
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or "node_modules" in n]
    source = {
        path.relative_to(release.ROOT).as_posix()
        for path in (release.ROOT / "kling_mcp").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert {n for n in names if n.startswith("kling_mcp/")} == source  # the whole package, media included
    assert {"kling_mcp/__main__.py", "kling_mcp/simulator/media/tone.m4a"} <= source
    assert packed_manifest == json.loads(release.MANIFEST.read_text(encoding="utf-8"))
    assert bundle.stat().st_size < 1_000_000  # the source only: uv installs the dependencies


def _host_env(uv: str, extra: dict[str, str]) -> dict[str, str]:
    env = {key: os.environ[key] for key in (*HOST_ENV, *PROXIES) if key in os.environ}
    env["PATH"] = os.pathsep.join([str(Path(uv).parent), env.get("PATH", "")])  # where the host's uv is
    return {**env, **extra}


async def _session(params: StdioServerParameters, out: Path, *, generate: bool) -> list[str]:
    async with Client(params) as client:
        names = [tool.name for tool in (await client.list_tools()).tools]
        if not generate:
            return names
        created = await client.call_tool(
            "generate_video",
            {"prompt": "a paper boat on a pond", "model_name": "kling-v1-6", "duration": 5, "idempotency_key": "b-1"},
        )
        assert not created.is_error, created.content
        task: dict[str, Any] = created.structured_content or {}
        for _ in range(30):  # each call waits server-side; the simulated task ends in seconds
            polled = await client.call_tool("get_task", {"task_id": task["task_id"], "wait_seconds": 20})
            assert not polled.is_error, polled.content
            task = polled.structured_content or {}
            if task["final"]:
                break
        assert task["state"] == "succeeded", task
        saved = await client.call_tool("download_clean", {"task_id": task["task_id"]})
        assert not saved.is_error, saved.content
        path = Path((saved.structured_content or {})["path"])
        assert path.parent == out and path.read_bytes()[4:8] == b"ftyp"
        return names


async def test_the_unpacked_bundle_serves_tools_and_a_video_under_its_own_launch_command(
    bundle: Path, uv: str, tmp_path: Path
) -> None:
    extension = tmp_path / "Claude Extensions" / "kling-mcp"  # a path with a space, as on macOS
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(extension)
    manifest = json.loads((extension / "manifest.json").read_text(encoding="utf-8"))
    out = tmp_path / "Videos"
    launched = launch_config(
        manifest,
        str(extension),
        {"useapi_token": "user:1-bundletest", "simulate": True, "output_dir": str(out)},
        system_dirs={"HOME": str(Path.home()), "DOWNLOADS": str(Path.home() / "Downloads")},
    )
    assert launched is not None
    assert launched["args"][:3] == ["run", "--directory", str(extension)]
    host = {"XDG_STATE_HOME": str(tmp_path / "state")}  # keep the ledger out of this machine's home

    # Install on first start, as the host does: the launch command with nothing on stdin (the server then exits).
    first = subprocess.run(
        [launched["command"], *launched["args"]],
        env=_host_env(uv, {**launched["env"], **host}),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if first.returncode != 0 and any(word in first.stderr.lower() for word in NETWORK_TROUBLE):
        unavailable(f"uv could not fetch the bundle's dependencies from PyPI: {first.stderr[-500:]}")
    assert first.returncode == 0, first.stderr[-3000:]
    assert (extension / ".venv").is_dir()  # uv installed into the bundle's own folder

    params = StdioServerParameters(
        command=launched["command"], args=launched["args"], env=_host_env(uv, {**launched["env"], **host})
    )
    with anyio.fail_after(300):  # only stops a hang
        names = await _session(params, out, generate=True)
    assert names == [tool["name"] for tool in manifest["tools"]]

    # Installed once, it starts with no network at all.
    offline = params.model_copy(update={"env": {**(params.env or {}), "UV_OFFLINE": "1"}})
    with anyio.fail_after(120):
        assert await _session(offline, out, generate=False) == names
