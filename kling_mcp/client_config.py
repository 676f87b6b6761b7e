"""``kling-mcp print-config``: ready-to-paste set-up for Claude Desktop, Claude Code, Cursor and VS Code, with the
absolute path of the installed command (hosts start servers with a minimal PATH)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from kling_mcp.config import ENVIRONMENT

PLACEHOLDERS = {"USEAPI_TOKEN": "<your useapi.net API token>", "KLING_EMAIL": "<your Kling account email>"}


def server_command() -> tuple[str, list[str]]:
    """The absolute command that starts this installation of kling-mcp."""
    beside = Path(sys.executable).with_name("kling-mcp")
    if beside.is_file():
        return str(beside), []
    found = shutil.which("kling-mcp")
    if found:
        return str(Path(found).resolve()), []
    return sys.executable, ["-m", "kling_mcp"]


def entries(simulate: bool) -> dict[str, Any]:
    command, args = server_command()
    if simulate:
        return {"command": command, "args": [*args, "--simulate"], "env": {}}
    return {"command": command, "args": args, "env": dict(PLACEHOLDERS)}


def render(simulate: bool) -> str:
    entry = entries(simulate)
    name = "kling-simulated" if simulate else "kling"
    desktop = json.dumps({"mcpServers": {name: entry}}, indent=2)
    vscode = json.dumps({"servers": {name: {"type": "stdio", **entry}}}, indent=2)
    env_flags = " ".join(f"--env {key}={value!r}" for key, value in entry["env"].items())
    argv = " ".join([entry["command"], *entry["args"]])
    claude_code = f"claude mcp add {name} {env_flags} -- {argv}".replace("  ", " ")
    lines = [
        "# Claude Desktop: merge into claude_desktop_config.json, then restart Claude Desktop completely",
        "#   macOS: ~/Library/Application Support/Claude/   Windows: %APPDATA%\\Claude\\",
        desktop,
        "",
        "# Claude Code:",
        claude_code,
        "",
        "# Cursor: .cursor/mcp.json (project) or ~/.cursor/mcp.json (global) — same shape as Claude Desktop:",
        desktop,
        "",
        "# VS Code: .vscode/mcp.json",
        vscode,
    ]
    if not simulate:
        lines += ["", "# Optional settings (add to env):"]
        lines += [f"#   {key}: {text}" for key, text in ENVIRONMENT.items() if key not in PLACEHOLDERS]
    return "\n".join(lines)


def print_config(simulate: bool) -> None:
    print(render(simulate))
