"""The tool surface an agent pays for on every turn stays within its budget: all tools' description + inputSchema
at most 40 KB, the core seven at most 12 KB (benchmarks/tool_budget.py measures and publishes the figures). Sizes
are deterministic, so they are asserted here."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp import Client

from benchmarks.tool_budget import LIMITS, listed_tools, measure, section, tool_bytes
from kling_mcp.server import create_server
from kling_mcp.tools import TOOLSETS

pytestmark = pytest.mark.anyio


@pytest.fixture
async def figures() -> dict[str, Any]:
    return measure(await listed_tools())


async def test_all_tools_fit_in_40_kb_and_the_core_seven_in_12_kb(figures: dict[str, Any]) -> None:
    assert LIMITS == {"all": 40_000, "core": 12_000}
    assert figures["total"]["bytes"] <= LIMITS["all"], figures["total"]
    assert figures["core_seven"]["bytes"] <= LIMITS["core"], figures["core_seven"]
    assert figures["core_seven"]["tools"] == 7
    assert figures["within"] == {"all": True, "core": True}


async def test_every_tool_is_counted_once_in_its_toolset(figures: dict[str, Any]) -> None:
    declared = {spec.name: toolset.name for toolset in TOOLSETS for spec in toolset.tools}
    assert {name: f["toolset"] for name, f in figures["tools"].items()} == declared
    assert sum(t["bytes"] for t in figures["toolsets"].values()) == figures["total"]["bytes"]
    assert figures["total"]["tokens"] == figures["total"]["bytes"] // 4


async def test_the_figures_are_what_tools_list_sends(make_settings: Any) -> None:
    """A server serving core alone sends exactly the core figure: description + compact inputSchema, UTF-8."""
    async with Client(create_server(make_settings(toolsets=("core",)))) as c:
        core = (await c.list_tools()).tools
    sent = sum(
        len((t.description or "").encode())
        + len(json.dumps(t.input_schema, separators=(",", ":"), ensure_ascii=False).encode())
        for t in core
    )
    measured = measure(await listed_tools())
    assert sent == measured["toolsets"]["core"]["bytes"] == sum(tool_bytes(t)["bytes"] for t in core)
    assert "## Tool budget" in section(measured) and "bytes / 4" in section(measured)
