"""One pydantic model per tool: the tool's parameters, with their types, bounds, enums and descriptions.

They are the single source of each parameter: the MCP input schema is generated from them (``tools/registry.py``),
the unknown-argument guard and validation read them (``tools/guard.py``), the service takes them typed
(``jobs/service.py``), the confirmation question prices them, the catalog checks their request part, and the batch
command builds ``GenerateVideo`` from each prompts.json entry. They know nothing of MCP: plain pydantic.
"""

from kling_mcp.arguments.account import GetBalance, NoArguments
from kling_mcp.arguments.fields import MAX_ID
from kling_mcp.arguments.tasks import DownloadClean, GetTask, ListJobs
from kling_mcp.arguments.video import AnimateImage, Arguments, GenerateVideo, Generation

__all__ = [
    "MAX_ID",
    "AnimateImage",
    "Arguments",
    "DownloadClean",
    "GenerateVideo",
    "Generation",
    "GetBalance",
    "GetTask",
    "ListJobs",
    "NoArguments",
]
