"""The Python package as PyPI would get it: ``python -m build`` once per session (conftest), ``twine check --strict``,
and the wheel alone, installed into a fresh venv outside the source tree, running the demo and the simulator; then
``uvx`` running it, and ``print-config`` under uvx. Slow (a build and an install), so marked ``real_clients``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import urllib.request
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

from kling_mcp import __version__
from scripts import release
from tests.release.conftest import NETWORK_TROUBLE, Dist, unavailable

pytestmark = pytest.mark.real_clients

MEDIA = {f"{kind}_{aspect}.mp4" for kind in ("clean", "preview") for aspect in ("16x9", "9x16", "1x1")} | {"tone.m4a"}


def test_the_sdist_and_the_wheel_pass_twine_check_strict(dist: Dist) -> None:
    said = release.twine_check(dist.sdist, dist.wheel)
    assert said.count("PASSED") == 2, said


def test_the_wheel_carries_the_media_and_complete_metadata(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as wheel:
        names = set(wheel.namelist())
        metadata = HeaderParser().parsestr(wheel.read(f"kling_mcp-{__version__}.dist-info/METADATA").decode())
        entry_points = wheel.read(f"kling_mcp-{__version__}.dist-info/entry_points.txt").decode()
    assert {f"kling_mcp/simulator/media/{name}" for name in MEDIA} <= names
    assert not [n for n in names if n.startswith(("tests/", "scripts/", "benchmarks/")) or "__pycache__" in n]
    assert "kling-mcp = kling_mcp.cli:main" in entry_points
    assert metadata["Version"] == __version__
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Requires-Python"] == ">=3.11"
    assert metadata["Description-Content-Type"] == "text/markdown"
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL"))
    assert urls["Repository"] == release.REPOSITORY and {"Homepage", "Issues", "Changelog"} <= set(urls)
    assert "Programming Language :: Python :: 3.11" in metadata.get_all("Classifier")
    description = metadata.get_payload()
    assert description.startswith("# kling-mcp") and "mcp-name: io.github." in description
    with tarfile.open(dist.sdist) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    assert {"manifest.json", "server.json", "icon.png", "scripts/release.py", "tests/release/conftest.py"} <= members
    assert not [m for m in members if "node_modules" in m]


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    said = f"{done.stdout[-3000:]}{done.stderr[-3000:]}"
    assert done.returncode == 0, f"{' '.join(command)} exited {done.returncode}:\n{said}"
    return done.stdout


def _clean_env(tmp_path: Path) -> dict[str, str]:
    """This machine's environment without anything of kling-mcp's or of this test run's Python."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KLING_", "USEAPI_", "PYTHON", "VIRTUAL_ENV", "PYTEST", "UV_PROJECT"))
    }
    env["KLING_MCP_STATE_DIR"] = str(tmp_path / "state")
    env["KLING_MCP_OUTPUT_DIR"] = str(tmp_path / "videos")
    return env


def _install_wheel(uv: str, wheel: Path, venv: Path, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    done = subprocess.run(
        [uv, "pip", "install", "--python", str(python), str(wheel)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0 and any(word in done.stderr.lower() for word in NETWORK_TROUBLE):
        unavailable(f"the wheel's dependencies could not be fetched from PyPI: {done.stderr[-500:]}")
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_wheel_alone_runs_the_demo_and_the_simulator(dist: Dist, uv: str, tmp_path: Path) -> None:
    """Installed from the wheel only, in a venv outside the source tree, run from a folder outside it too."""
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = _clean_env(tmp_path)
    venv = tmp_path / "venv"
    _install_wheel(uv, dist.wheel, venv, env)
    bin_dir = venv / "bin"

    assert _run([str(bin_dir / "kling-mcp"), "--version"], work, env).strip() == f"kling-mcp {__version__}"

    probe = (
        "import json, kling_mcp\n"
        "from importlib import resources\n"
        "from kling_mcp.catalog import MODELS, markdown_table\n"
        "media = resources.files('kling_mcp.simulator').joinpath('media')\n"
        "print(json.dumps({'file': kling_mcp.__file__, 'models': sorted(MODELS), 'table': len(markdown_table()),\n"
        "    'media': {p.name: len(p.read_bytes()) for p in media.iterdir()}}))\n"
    )
    seen = json.loads(_run([str(bin_dir / "python"), "-c", probe], work, env))
    assert Path(seen["file"]).is_relative_to(venv)  # the installed copy, not the source tree
    assert len(seen["models"]) == 8 and "kling-v3-0" in seen["models"] and seen["table"] > 500
    assert set(seen["media"]) >= MEDIA and all(seen["media"][name] > 1000 for name in MEDIA)

    said = _run([str(bin_dir / "kling-mcp"), "demo"], work, env)
    assert "Clean MP4:" in said
    videos = list((tmp_path / "videos").glob("*.mp4"))
    assert len(videos) == 1 and videos[0].read_bytes()[4:8] == b"ftyp"

    with subprocess.Popen(
        [str(bin_dir / "kling-mcp"), "simulator", "--port", "0", "--speed", "20"],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as simulator:
        try:
            assert simulator.stdout is not None
            base = simulator.stdout.readline().strip()  # the first line is the base URL
            assert base.startswith("http://127.0.0.1:"), base
            request = urllib.request.Request(f"{base}/v1/kling/accounts", headers={"Authorization": "Bearer user:1-x"})
            with urllib.request.urlopen(request, timeout=30) as answer:  # the timeout only stops a hang
                accounts = json.loads(answer.read())
            assert "demo@example.com" in json.dumps(accounts)
        finally:
            simulator.terminate()
            simulator.wait(10)


def test_uvx_runs_the_wheel_and_print_config_gives_the_uvx_form(dist: Dist, uv: str, tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    uvx = str(Path(uv).with_name("uvx"))
    command = [uvx, "--from", str(dist.wheel), "kling-mcp"]
    done = subprocess.run(
        [*command, "--version"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0 and any(word in done.stderr.lower() for word in NETWORK_TROUBLE):
        unavailable(f"uvx could not fetch the wheel's dependencies from PyPI: {done.stderr[-500:]}")
    assert done.stdout.strip() == f"kling-mcp {__version__}", done.stderr[-3000:]
    for extra, args in (([], ["kling-mcp"]), (["--simulate"], ["kling-mcp", "--simulate"])):
        printed = _run([*command, "print-config", "--client", "claude-desktop", *extra], tmp_path, env)
        entry = next(iter(json.loads(printed)["mcpServers"].values()))
        assert Path(entry["command"]).name == "uvx" and Path(entry["command"]).is_absolute()
        assert entry["args"] == args
