"""The docs match the code: the README's model table, configuration table and commands, and the example config."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kling_mcp.catalog import markdown_table
from kling_mcp.config import ENVIRONMENT
from kling_mcp.simulator.config import triggers_markdown

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _models_block() -> str:
    return README.split("<!-- models-table:start -->")[1].split("<!-- models-table:end -->")[0].strip()


def test_readme_model_table_is_the_catalog() -> None:
    assert _models_block() == markdown_table()


def test_readme_model_table_shows_modes_per_endpoint_with_their_sources() -> None:
    """Issue #17's done-when: per-endpoint modes, with the source of each rule."""
    block = _models_block()
    header = block.splitlines()[0]
    assert "text→video modes" in header and "image→video modes" in header
    rows = {
        line.split("|")[1].strip(" `"): [c.strip() for c in line.split("|")[2:-1]]
        for line in block.splitlines()
        if line.startswith("| `")
    }
    assert len(rows) == 8
    assert rows["kling-v2-5"][0] == "**pro** [P]"  # text2video: "Models 2.1-master and 2.5 only support pro"
    assert rows["kling-v2-5"][1] == "**std** · pro [P]"  # image2video-frames names only 2.1-master as pro-only
    assert rows["kling-v3-0"][0] == "**std** · pro [P] · 4k [G only]"
    assert rows["kling-v2-1"][0].startswith("not offered")
    for name, cells in rows.items():
        assert all(re.search(r"\[[PGFI](, [PGFI])*( only)?\]", cell) for cell in cells), name
    for source in ("[P] useapi's Postman collection", "[G] useapi.net's guide", "[F] useapi's documentation", "[I]"):
        assert source in " ".join(block.splitlines())


def test_readme_simulator_triggers_are_the_simulators() -> None:
    block = README.split("<!-- simulator-triggers:start -->")[1].split("<!-- simulator-triggers:end -->")[0].strip()
    assert block == triggers_markdown()


def test_readme_configuration_table_lists_every_variable() -> None:
    section = README.split("## Configuration")[1].split("\n## ")[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.M))
    assert documented == set(ENVIRONMENT)


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"```bash\n(.+?)\n```", README.split("## Two commands on a fresh machine")[1], flags=re.S)
    assert len(commands) >= 2
    demo, tests = commands[0].strip(), commands[1].strip()
    assert demo.endswith("kling-mcp demo")
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_example_desktop_config_uses_the_documented_names() -> None:
    config = json.loads((ROOT / "claude_desktop_config.example.json").read_text(encoding="utf-8"))
    servers = config["mcpServers"]
    assert servers["kling"]["command"].endswith("/.venv/bin/kling-mcp")  # absolute, as the README tells
    assert set(servers["kling"]["env"]) <= set(ENVIRONMENT)
    assert servers["kling-simulated"]["args"] == ["--simulate"]
