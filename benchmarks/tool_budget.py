"""The tool surface an agent pays for: the bytes of every tool's ``description`` and ``inputSchema``, per toolset and
in total, against the budget (all tools at most 40 KB, the core seven at most 12 KB; 1 KB = 1000 bytes).

    .venv/bin/python benchmarks/tool_budget.py [--publish]

A model reads each tool's name, description and input schema on every turn. The figures are what tools/list sends
(the server's own answer to an in-memory MCP client, the schema as compact JSON, UTF-8), so they change only when a
tool does: deterministic, hence also asserted in the suite (tests/test_tool_budget.py). The token count beside them
is rough: bytes / 4, the usual average for English text and JSON; real tokenizers differ by model.

Prints the table; writes benchmarks/out/tool_budget.json and .md (untracked); --publish also writes the "Tool
budget" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.types import Tool

from kling_mcp.config import Settings
from kling_mcp.server import create_server
from kling_mcp.tools import TOOLSETS

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED_REPORT = ROOT / "BENCHMARKS.md"
SCRATCH = ROOT / "benchmarks" / "out"
START, END = "<!-- tool-budget:start -->", "<!-- tool-budget:end -->"

KB = 1000
LIMITS = {"all": 40 * KB, "core": 12 * KB}
BYTES_PER_TOKEN = 4  # rough: see the module docstring
# The core limit holds for these seven; core's later tools (list_uploads, delete_uploads) count toward "all" only.
CORE_SEVEN = (
    "generate_video",
    "animate_image",
    "get_task",
    "download_clean",
    "get_balance",
    "list_jobs",
    "list_models",
)


def tool_bytes(tool: Tool) -> dict[str, int]:
    """What one tool costs the agent: its description and its input schema as tools/list sends them."""
    description = len((tool.description or "").encode())
    schema = len(json.dumps(tool.input_schema, separators=(",", ":"), ensure_ascii=False).encode())
    return {"description": description, "input_schema": schema, "bytes": description + schema}


async def listed_tools() -> list[Tool]:
    """tools/list of a server with every toolset, answered to an in-memory client (nothing upstream is called)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = Settings.from_env(
            {}, base_url="https://api.invalid", output_dir=folder / "out", state_dir=folder / "state"
        )
        async with Client(create_server(settings, TOOLSETS)) as client:
            return list((await client.list_tools()).tools)


def _figure(total: int) -> dict[str, int]:
    return {"bytes": total, "tokens": total // BYTES_PER_TOKEN}


def measure(tools: list[Tool]) -> dict[str, Any]:
    """Bytes (and rough tokens) per tool, per toolset and in total, with the limits and whether they hold."""
    family = {spec.name: toolset.name for toolset in TOOLSETS for spec in toolset.tools}
    per_tool = {tool.name: {"toolset": family[tool.name], **tool_bytes(tool)} for tool in tools}
    toolsets: dict[str, Any] = {}
    for name in dict.fromkeys(family.values()):
        members = {tool: figures for tool, figures in per_tool.items() if figures["toolset"] == name}
        toolsets[name] = {"tools": len(members), **_figure(sum(f["bytes"] for f in members.values()))}
    total = _figure(sum(f["bytes"] for f in per_tool.values()))
    seven = {"tools": sum(n in per_tool for n in CORE_SEVEN), **_figure(sum(per_tool[n]["bytes"] for n in CORE_SEVEN))}
    within = {"all": total["bytes"] <= LIMITS["all"], "core": seven["bytes"] <= LIMITS["core"]}
    return {
        "unit": f"bytes of description + inputSchema (compact JSON, UTF-8); tokens ~ bytes / {BYTES_PER_TOKEN}",
        "limits": LIMITS,
        "within": within,
        "total": {"tools": len(per_tool), **total},
        "toolsets": toolsets,
        "core_seven": seven,
        "tools": per_tool,
    }


def _kb(n: int) -> str:
    return f"{n / KB:.1f} KB"


def table(figures: dict[str, Any]) -> str:
    """The figures as Markdown: per toolset, the total, the limits, then each tool."""
    limits = figures["limits"]
    lines = [
        "| Toolset | Tools | Bytes | ~Tokens (bytes/4) | Limit |",
        "|---|---:|---:|---:|---|",
    ]
    for name, f in figures["toolsets"].items():
        lines.append(f"| {name} | {f['tools']} | {f['bytes']} ({_kb(f['bytes'])}) | {f['tokens']} |  |")
    s = figures["core_seven"]
    lines.append(
        f"| core seven | {s['tools']} | {s['bytes']} ({_kb(s['bytes'])}) | {s['tokens']} | ≤ {_kb(limits['core'])} |"
    )
    t = figures["total"]
    lines.append(
        f"| **all** | {t['tools']} | {t['bytes']} ({_kb(t['bytes'])}) | {t['tokens']} | ≤ {_kb(limits['all'])} |"
    )
    lines += ["", "| Tool | Toolset | Description | inputSchema | Bytes |", "|---|---|---:|---:|---:|"]
    for name, f in figures["tools"].items():
        lines.append(f"| {name} | {f['toolset']} | {f['description']} | {f['input_schema']} | {f['bytes']} |")
    verdict = "within" if all(figures["within"].values()) else "OVER"
    lines += ["", f"Budget: {verdict} (all tools ≤ {_kb(limits['all'])}, core seven ≤ {_kb(limits['core'])})."]
    return "\n".join(lines)


def section(figures: dict[str, Any]) -> str:
    return "\n".join(
        [
            START,
            "## Tool budget: what an agent reads about the tools on every turn",
            "",
            "The bytes of each tool's `description` and `inputSchema` as tools/list sends them (compact JSON, UTF-8),",
            "with a rough token count (bytes / 4). `KLING_MCP_TOOLSETS` serves fewer families (`core` always).",
            "Reproduce: `.venv/bin/python benchmarks/tool_budget.py` (also asserted by tests/test_tool_budget.py).",
            "",
            table(figures),
            END,
        ]
    )


def publish(figures: dict[str, Any], path: Path = PUBLISHED_REPORT) -> None:
    """Replace the section between its markers, or append it at the end of the file."""
    text = path.read_text()
    block = section(figures)
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--publish", action="store_true", help="write the section of the tracked BENCHMARKS.md")
    arguments = parser.parse_args()
    figures = measure(anyio.run(listed_tools))
    print(table(figures))
    SCRATCH.mkdir(parents=True, exist_ok=True)
    (SCRATCH / "tool_budget.json").write_text(json.dumps(figures, indent=2) + "\n")
    (SCRATCH / "tool_budget.md").write_text(section(figures) + "\n")
    print(f"wrote {SCRATCH / 'tool_budget.json'}", file=sys.stderr)
    if arguments.publish:
        publish(figures)
        print(f"wrote {PUBLISHED_REPORT}", file=sys.stderr)
    return 0 if all(figures["within"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
