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


def test_readme_model_table_is_the_catalog() -> None:
    block = README.split("<!-- models-table:start -->")[1].split("<!-- models-table:end -->")[0].strip()
    assert block == markdown_table()


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
    assert servers["kling"]["command"] == "kling-mcp"
    assert set(servers["kling"]["env"]) <= set(ENVIRONMENT)
    assert servers["kling-simulated"]["args"] == ["--simulate"]
