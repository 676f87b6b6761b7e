"""One pydantic model per tool: the tool's parameters, with their types, bounds, enums and descriptions.

They are the single source of each parameter: the MCP input schema is generated from them (``tools/registry.py``),
the unknown-argument guard and validation read them (``tools/guard.py``), the service takes them typed
(``jobs/service.py``), the confirmation question prices them, the catalog checks their request part
(``catalog_fields``; images and videos given as paths or URLs are listed by ``media``), and the batch command builds
``GenerateVideo`` from each prompts.json entry. They know nothing of MCP: plain pydantic.

A module per family: ``video`` (the core generation tools, and what every spending tool shares), ``omni`` (the
"video" toolset), ``elements``, ``tasks``, ``account``.
"""

from kling_mcp.arguments.account import GetBalance, NoArguments
from kling_mcp.arguments.elements import CreateElement, DeleteElement, ListElements
from kling_mcp.arguments.fields import MAX_ID, MediaInput
from kling_mcp.arguments.omni import (
    ApplyEffect,
    ExtendVideo,
    ListEffects,
    ListMotions,
    MotionControl,
    MultiImageVideo,
    OmniVideo,
)
from kling_mcp.arguments.tasks import DownloadClean, GetTask, ListJobs
from kling_mcp.arguments.video import AnimateImage, Arguments, GenerateVideo, Generation, Shot, WithMedia

__all__ = [
    "MAX_ID",
    "AnimateImage",
    "ApplyEffect",
    "Arguments",
    "CreateElement",
    "DeleteElement",
    "DownloadClean",
    "ExtendVideo",
    "GenerateVideo",
    "Generation",
    "GetBalance",
    "GetTask",
    "ListEffects",
    "ListElements",
    "ListJobs",
    "ListMotions",
    "MediaInput",
    "MotionControl",
    "MultiImageVideo",
    "NoArguments",
    "OmniVideo",
    "Shot",
    "WithMedia",
]
