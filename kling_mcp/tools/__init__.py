"""The MCP layer: the tools and resources, one module per family, each declaring a ``Toolset``.

Adding a family is a module here (its tools, declared with its ``Toolset``), its argument models in
``kling_mcp/arguments/``, its rules in the catalog, its name in ``config.TOOLSET_NAMES`` and one line in ``TOOLSETS``
below. ``core`` (generate_video, animate_image, get_task, download_clean, get_balance, list_jobs, list_models,
list_uploads, delete_uploads) is always served; KLING_MCP_TOOLSETS chooses among the others (``selected``).
"""

from collections.abc import Iterable

from kling_mcp.tools import account, audio, catalog, elements, generation, images, tasks, uploads, video
from kling_mcp.tools.registry import Toolset

TOOLSETS: tuple[Toolset, ...] = (
    generation.toolset,
    tasks.toolset,
    account.toolset,
    catalog.toolset,
    uploads.toolset,
    video.toolset,
    elements.toolset,
    audio.toolset,
    images.toolset,
    account.account_toolset,
)


def selected(names: Iterable[str]) -> tuple[Toolset, ...]:
    """The toolsets of the given family names, ``core`` always among them, in ``TOOLSETS`` order."""
    chosen = {"core", *names}
    return tuple(toolset for toolset in TOOLSETS if toolset.name in chosen)


__all__ = ["TOOLSETS", "Toolset", "selected"]
