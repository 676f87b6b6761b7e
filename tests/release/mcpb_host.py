"""What an MCP Bundle host (Claude Desktop) does with manifest.json's ``server.mcp_config`` before it starts the
server: a line-by-line port of ``getMcpConfigForManifest`` and ``replaceVariables`` in @anthropic-ai/mcpb
(src/shared/config.ts), the reference implementation of the MCPB spec's variable substitution.

Behaviours kept on purpose, since kling-mcp must cope with them:
- a required ``user_config`` field left empty means no launch config at all (the host does not start the server);
- an optional field with no value and no default is not substituted: ``${user_config.KEY}`` reaches the server as
  it is written;
- booleans become "true"/"false", numbers their decimal text, defaults are used as written (a ``${HOME}`` in a
  default is not expanded by this function).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def _text(value: Any) -> str | list[str]:
    if isinstance(value, list):
        return [str(_text(v)) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # JavaScript's String(5.0) is "5"
    return str(value)


def replace_variables(value: Any, variables: Mapping[str, str | list[str]]) -> Any:
    if isinstance(value, str):
        result = value
        for key, replacement in variables.items():
            pattern = "${" + key + "}"
            if pattern in result and not isinstance(replacement, list):
                result = result.replace(pattern, replacement)
        return result
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            whole = re.fullmatch(r"\$\{(user_config\.[^}]+)\}", item) if isinstance(item, str) else None
            if whole:
                found = variables.get(whole.group(1))
                if found:  # "Variable not found, keep original" (an empty string counts as not found)
                    out.extend(found if isinstance(found, list) else [found])
                else:
                    out.append(item)
            else:
                out.append(replace_variables(item, variables))
        return out
    if isinstance(value, dict):
        return {k: replace_variables(v, variables) for k, v in value.items()}
    return value


def required_missing(manifest: Mapping[str, Any], user_config: Mapping[str, Any]) -> bool:
    for key, option in (manifest.get("user_config") or {}).items():
        if option.get("required"):
            value = user_config.get(key)
            if value is None or value == "" or (isinstance(value, list) and (not value or "" in value)):
                return True
    return False


def launch_config(
    manifest: Mapping[str, Any],
    extension_dir: str,
    user_config: Mapping[str, Any],
    *,
    system_dirs: Mapping[str, str],
    path_separator: str = "/",
    platform: str = "linux",
) -> dict[str, Any] | None:
    """The command, args and env the host runs, or None when a required setting is missing."""
    base = manifest["server"].get("mcp_config")
    if not base:
        return None
    result = dict(base)
    override = (base.get("platform_overrides") or {}).get(platform)
    if override:
        for field in ("command", "args", "env"):
            result[field] = override.get(field) or result.get(field)
    if required_missing(manifest, user_config):
        return None
    variables: dict[str, str | list[str]] = {
        "__dirname": extension_dir,
        "pathSeparator": path_separator,
        "/": path_separator,
        **system_dirs,
    }
    merged: dict[str, Any] = {
        key: option["default"]
        for key, option in (manifest.get("user_config") or {}).items()
        if option.get("default") is not None
    }
    merged.update(user_config)
    for key, value in merged.items():
        variables[f"user_config.{key}"] = _text(value)
    launched: dict[str, Any] = replace_variables(result, variables)
    return launched
