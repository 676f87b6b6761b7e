"""Release artifacts, built once per test run: the sdist and the wheel (``python -m build``), and the MCP Bundle
(``mcpb pack``, with the @anthropic-ai/mcpb pinned in node/package-lock.json, installed by ``npm ci`` once and
cached in node/node_modules).

``scripts/release.py`` sets KLING_MCP_RELEASE_DIST to its dist/ folder, so that these tests check the very files it
is about to hand over for publishing instead of building their own.

Without node, npm, the npm registry or PyPI, the tests that need them are skipped with the reason, except under CI
(CI=true), where they fail: CI must run them.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts import release
from tests.outside import unavailable

ROOT = release.ROOT


@dataclass(frozen=True)
class Dist:
    sdist: Path
    wheel: Path


def _prebuilt() -> Path | None:
    folder = os.environ.get("KLING_MCP_RELEASE_DIST", "").strip()
    return Path(folder) if folder else None


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """The sdist and the wheel, built once per session (or the ones scripts/release.py just built)."""
    if (folder := _prebuilt()) is not None:
        v = release.__version__
        return Dist(folder / f"kling_mcp-{v}.tar.gz", folder / f"kling_mcp-{v}-py3-none-any.whl")
    try:
        sdist, wheel = release.build_python(tmp_path_factory.mktemp("dist"))
    except RuntimeError as exc:
        if "Could not" in str(exc) or "connection" in str(exc).lower():  # build's isolated env needs hatchling
            unavailable(f"python -m build could not fetch its build backend (is PyPI reachable?): {exc}")
        raise
    return Dist(sdist, wheel)


@pytest.fixture(scope="session")
def mcpb() -> list[str]:
    """The command that runs the pinned mcpb CLI (``node .../cli.js``)."""
    try:
        return release.mcpb_command()
    except release.ToolUnavailable as exc:
        unavailable(str(exc))
        raise AssertionError("unreachable") from None


@pytest.fixture(scope="session")
def bundle(mcpb: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """kling-mcp-X.Y.Z.mcpb, packed once per session from the repository root."""
    if (folder := _prebuilt()) is not None:
        return folder / f"kling-mcp-{release.__version__}.mcpb"
    return release.pack_bundle(tmp_path_factory.mktemp("bundle"))


@pytest.fixture(scope="session")
def uv() -> str:
    """uv, which the bundle's launch command and ``uvx`` need (the test extra installs it beside this Python)."""
    beside = Path(sys.executable).with_name("uv.exe" if sys.platform == "win32" else "uv")
    found = str(beside) if beside.is_file() else shutil.which("uv")
    if found is None:
        unavailable("uv is not installed (pip install -e '.[test]' installs it)")
        raise AssertionError("unreachable")
    return found


NETWORK_TROUBLE = ("failed to fetch", "error sending request", "dns error", "could not connect", "network")


@pytest.fixture
def clean_home(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Variables that send kling-mcp's files (ledger, videos) into tmp_path, whatever the machine's settings."""
    yield {"XDG_STATE_HOME": str(tmp_path / "xdg-state"), "KLING_MCP_OUTPUT_DIR": str(tmp_path / "videos")}
