"""The arguments of every ``tools/call``, checked against the tool's argument model before anything runs.

A public SDK hook (``MCPServer(middleware=[...])``, SDK 2.3's ``ServerMiddleware``) sees each request's raw params
before the SDK validates them. The SDK's own validation ignores names the tool does not take, so a misspelt
``modle_name`` would silently become the default model and spend credits on the wrong video: here an unknown name, an
unknown tool or a value that does not fit is answered with a coded ``invalid_parameter`` (or ``unknown_tool``) tool
error, and nothing else runs. The argument models forbid unknown names (``extra="forbid"``), so this check and the
model are one rule.

Values are read as the SDK reads them (``FuncMetadata.pre_parse_json``): a string given for a parameter whose type
is not exactly ``str`` is first tried as JSON (some clients send ``"[1]"`` or ``"true"`` as text), and kept as
text when that gives a string or a number. So whatever passes here also passes the SDK's validation of the same model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import mcp_types.methods
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from pydantic import ValidationError

from kling_mcp.arguments import Arguments
from kling_mcp.results import ErrorInfo
from kling_mcp.tools.errors import argument_error, unknown_arguments, unknown_tool
from kling_mcp.tools.replies import error_result


def decoded(model: type[Arguments], arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments as the SDK hands them to validation (see the module docstring)."""
    values = dict(arguments)
    for name, value in arguments.items():
        info = model.model_fields.get(name)
        if info is None or not isinstance(value, str) or info.annotation is str:
            continue
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            continue
        if not isinstance(parsed, str | int | float):
            values[name] = parsed
    return values


def refusal(models: Mapping[str, type[Arguments]], name: str, arguments: Mapping[str, Any]) -> ErrorInfo | None:
    """Why a call of tool ``name`` with ``arguments`` must not run, or None."""
    model = models.get(name)
    if model is None:
        return unknown_tool(name)
    known = list(model.model_fields)
    unknown = sorted(set(arguments) - set(known))
    if unknown:
        return unknown_arguments(name, unknown, sorted(known))
    try:
        model.model_validate(decoded(model, arguments))
    except ValidationError as exc:
        return argument_error(exc)
    return None


class ArgumentGuard:
    """ServerMiddleware: refuses a ``tools/call`` whose tool or arguments do not fit, before the SDK runs anything."""

    def __init__(self, models: Mapping[str, type[Arguments]]) -> None:
        self.models = dict(models)

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        params = ctx.params
        if ctx.method != "tools/call" or not isinstance(params, Mapping):
            return await call_next(ctx)
        name, arguments = params.get("name"), params.get("arguments") or {}
        if not isinstance(name, str) or not isinstance(arguments, Mapping):
            return await call_next(ctx)  # a malformed request: the SDK answers it as the protocol says
        problem = refusal(self.models, name, arguments)
        if problem is None:
            return await call_next(ctx)
        # Short-circuited, the answer is ours to shape for the connection's protocol version (the SDK does it for
        # the results of handlers), with the SDK's public serializer for spec results.
        wire = error_result(problem).model_dump(by_alias=True, mode="json", exclude_none=True)
        try:
            return mcp_types.methods.serialize_server_result("tools/call", ctx.protocol_version, wire)
        except (KeyError, ValueError):  # a protocol version the serializer does not know: the plain result
            return wire


__all__ = ["ArgumentGuard", "decoded", "refusal"]
