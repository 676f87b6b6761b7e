"""The MCP layer: the tools and resources, one module per family, each declaring a ``Toolset``.

Adding a family is a module here (its tools, declared with its ``Toolset``), its argument models in
``kling_mcp/arguments/``, its rules in the catalog, and one line in ``TOOLSETS`` below. ``core`` (today's seven tools)
is always served; the other names are what KLING_MCP_TOOLSETS will choose from.
"""

from kling_mcp.tools import account, catalog, tasks, video
from kling_mcp.tools.registry import Toolset

TOOLSETS: tuple[Toolset, ...] = (
    video.toolset,
    tasks.toolset,
    account.toolset,
    catalog.toolset,
)

__all__ = ["TOOLSETS", "Toolset"]
