"""The model catalog for agents: list_models, and the kling://models resource (the same document)."""

from __future__ import annotations

import json

from kling_mcp import catalog
from kling_mcp.arguments import NoArguments
from kling_mcp.results import ModelList
from kling_mcp.tools.registry import LOCAL_READS, Toolset

toolset = Toolset("core")


@toolset.tool(NoArguments, title="List Kling models", annotations=LOCAL_READS)
async def list_models(_: NoArguments) -> ModelList:
    """What each Kling model allows (durations, modes, audio, parameters) and what it costs in credits."""
    return ModelList.model_validate(catalog.catalog_document())


@toolset.resource(
    "kling://models",
    title="Kling models",
    mime_type="application/json",
    description="Every model's durations, modes, audio rules, parameters and credit rates.",
)
def models_resource() -> str:
    return json.dumps(catalog.catalog_document(), indent=2)
