"""completion/complete: the variables of the resource templates, each template completed by the family that serves
it (``Toolset.completer``). The spec has completions for prompt arguments and resource-template variables only;
kling-mcp has no prompts."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from mcp import MCPError
from mcp.types import INVALID_PARAMS, CompleteRequestParams, Completion, PromptReference

MAX_COMPLETIONS = 100  # the spec's limit on completion values in one answer

# (lifespan state, the variable to complete, the variables already chosen) -> candidate values, best first
Completer = Callable[[Any, str, Mapping[str, str]], Awaitable[list[str]]]
Completers = Mapping[str, Completer]


def variables(template: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", template)


async def complete(completers: Completers, state: Any, params: CompleteRequestParams) -> Completion:
    ref, argument = params.ref, params.argument
    if isinstance(ref, PromptReference):
        raise MCPError(code=INVALID_PARAMS, message=f"Unknown prompt: {ref.name!r} (kling-mcp has no prompts).")
    completer = completers.get(ref.uri)
    if completer is None:
        raise MCPError(
            code=INVALID_PARAMS,
            message=f"Unknown resource template: {ref.uri!r}. Templates: {', '.join(completers)}.",
        )
    if argument.name not in variables(ref.uri):
        raise MCPError(code=INVALID_PARAMS, message=f"{ref.uri} has no variable {argument.name!r}.")
    chosen = (params.context.arguments or {}) if params.context else {}
    candidates = await completer(state, argument.name, chosen)
    matches = list(dict.fromkeys(c for c in candidates if c.startswith(argument.value)))
    return Completion(values=matches[:MAX_COMPLETIONS], total=len(matches), has_more=len(matches) > MAX_COMPLETIONS)
