"""``kling-mcp print-config``: ready-to-paste set-up for Claude Desktop, Claude Code, Cursor and VS Code, with the
absolute path of the installed command (hosts start servers with a minimal PATH).

Each block goes to standard output as valid JSON (or, for Claude Code, one shell command), so that it can be pasted
or piped as it is; headings and advice go to standard error. ``--client`` prints one block alone.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any, TextIO

from kling_mcp.config import ENVIRONMENT, Settings

PLACEHOLDERS = {"USEAPI_TOKEN": "<your useapi.net API token>", "KLING_EMAIL": "<your Kling account email>"}
CLIENTS = ("claude-desktop", "claude-code", "cursor", "vscode")
HEADINGS = {
    "claude-desktop": "Claude Desktop: merge into claude_desktop_config.json (macOS: ~/Library/Application Support/"
    "Claude/, Windows: %APPDATA%\\Claude\\), then restart Claude Desktop completely",
    "claude-code": "Claude Code: run this command",
    "cursor": "Cursor: .cursor/mcp.json (project) or ~/.cursor/mcp.json (global)",
    "vscode": "VS Code: .vscode/mcp.json",
}


def running_under_uvx(prefix: str | None = None) -> bool:
    """True in the throw-away environment ``uvx kling-mcp`` runs in. uv builds it inside its cache, in a folder under
    ``archive-vN`` (uv's cache layout), and marks it as uv-made in pyvenv.cfg; its path may vanish when the cache is
    cleaned, so it must not be written into a client's configuration."""
    root = Path(prefix or sys.prefix)
    if not any(part.startswith("archive-v") for part in root.parts):
        return False
    try:
        cfg = (root / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(line.replace(" ", "").startswith("uv=") for line in cfg.splitlines())


def uvx_command() -> str:
    """The absolute path of uvx (hosts start servers with a minimal PATH). uv tells its children where it is in the
    ``UV`` variable; uvx sits beside it."""
    name = "uvx.exe" if sys.platform == "win32" else "uvx"
    uv = os.environ.get("UV", "")
    if uv and (beside := Path(uv).with_name(name)).is_file():
        return str(beside)
    found = shutil.which("uvx")
    return str(Path(found).resolve()) if found else "uvx"


def server_command() -> tuple[str, list[str]]:
    """The absolute command that starts this installation of kling-mcp; under uvx, ``uvx kling-mcp``."""
    if running_under_uvx():
        return uvx_command(), ["kling-mcp"]
    beside = Path(sys.executable).with_name("kling-mcp")
    if beside.is_file():
        return str(beside), []
    found = shutil.which("kling-mcp")
    if found:
        return str(Path(found).resolve()), []
    return sys.executable, ["-m", "kling_mcp"]


def stdio_entry(simulate: bool) -> dict[str, Any]:
    command, args = server_command()
    if simulate:
        return {"command": command, "args": [*args, "--simulate"], "env": {}}
    return {"command": command, "args": args, "env": dict(PLACEHOLDERS)}


def http_entry(settings: Settings, host: str, port: int) -> dict[str, Any]:
    """A Streamable HTTP entry for a server started with ``kling-mcp --transport http``. The Authorization header is
    included when KLING_MCP_HTTP_TOKEN is set, since the server then requires it."""
    shown = f"[{host}]" if ":" in host else host
    entry: dict[str, Any] = {"type": "http", "url": f"http://{shown}:{port}/mcp"}
    if settings.http_token is not None:
        entry["headers"] = {"Authorization": f"Bearer {settings.http_token.get_secret_value()}"}
    return entry


def block(client: str, name: str, entry: dict[str, Any]) -> str:
    """One client's configuration: JSON for the config-file clients, a shell command for Claude Code."""
    if client == "claude-code":
        if entry.get("type") == "http":
            headers = [f"--header {shlex.quote(f'{k}: {v}')}" for k, v in entry.get("headers", {}).items()]
            return " ".join(["claude mcp add --transport http", name, shlex.quote(entry["url"]), *headers])
        env = [f"--env {shlex.quote(f'{k}={v}')}" for k, v in entry["env"].items()]
        argv = [shlex.quote(part) for part in [entry["command"], *entry["args"]]]
        return " ".join(["claude mcp add", name, *env, "--", *argv])
    if client == "vscode":
        vscode_entry = entry if entry.get("type") == "http" else {"type": "stdio", **entry}
        return json.dumps({"servers": {name: vscode_entry}}, indent=2)
    return json.dumps({"mcpServers": {name: entry}}, indent=2)


def print_config(
    *,
    simulate: bool = False,
    client: str | None = None,
    http: bool = False,
    host: str = "127.0.0.1",
    port: int = 8000,
    settings: Settings | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> None:
    out = out or sys.stdout
    err = err or sys.stderr
    name = "kling-simulated" if simulate and not http else "kling"
    entry = http_entry(settings or Settings.from_env(), host, port) if http else stdio_entry(simulate)
    for each in (client,) if client else CLIENTS:
        if client is None:
            print(f"\n# {HEADINGS[each]}:", file=err, flush=True)
        print(block(each, name, entry), file=out, flush=True)
    if client is None and http:
        print(
            f"\n# Start the server first: kling-mcp --transport http --host {host} --port {port}"
            + (" --simulate" if simulate else ""),
            file=err,
        )
    if client is None and not simulate and not http:
        print("\n# Optional settings (add them to env):", file=err)
        for key, text in ENVIRONMENT.items():
            if key not in PLACEHOLDERS:
                print(f"#   {key}: {text}", file=err)
