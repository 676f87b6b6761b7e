"""How a family of tools is declared and put on a server: ``Toolset``.

A family module declares its tools at module level::

    toolset = Toolset("core")

    @toolset.tool(GenerateVideo, title="...", description="...", annotations=SPENDS)
    async def generate_video(args: GenerateVideo, ctx: Context[AppState]) -> TaskResult: ...

The first parameter receives the tool's argument model, already validated; any other parameter is what the SDK
injects (the ``Context``, values filled by ``Resolve(...)`` resolvers). The function returns its output model; a
``KlingError`` it raises becomes a coded tool error (``tools/errors.py``).

The SDK (``Tool.from_function``, what ``MCPServer.add_tool`` uses) builds a tool's input schema and validator from
the function's signature (``inspect.signature``, which honours ``__signature__``). So the function given to the SDK is
an adapter whose ``__signature__`` lists the argument model's fields, each with its own type and ``FieldInfo``: the
published schema is the model's, and the SDK's validation is the model's (``tools/guard.py`` has checked the same
model first, unknown names included). ``resolver_for`` gives a resolver the same treatment. The SDK tools are built
once per process and passed to each server (``MCPServer(tools=...)``).
"""

from __future__ import annotations

import inspect
import logging
import typing
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import BaseModel

from kling_mcp.api.errors import KlingError
from kling_mcp.arguments import Arguments
from kling_mcp.tools.completion import Completer
from kling_mcp.tools.errors import crash_error, kling_error
from kling_mcp.tools.replies import error_result, success_result

logger = logging.getLogger(__name__)

# What a tool does to the world, as MCP tool annotations (clients may ask before calling a tool that spends).
SPENDS = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)
READS = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
LOCAL_READS = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
WRITES_FILE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True)

ToolFunction = Callable[..., Awaitable[BaseModel]]
F = TypeVar("F", bound=ToolFunction)
R = TypeVar("R")


def field_parameters(model: type[BaseModel]) -> list[inspect.Parameter]:
    """The model's fields as keyword-only parameters: ``Annotated[type, FieldInfo]`` with the field's default."""
    return [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[info.annotation, info],
            default=inspect.Parameter.empty if info.is_required() else info.default,
        )
        for name, info in model.model_fields.items()
    ]


def _adapter(
    fn: Callable[..., Awaitable[R]], model: type[BaseModel], call: Callable[..., Awaitable[Any]], name: str
) -> Callable[..., Awaitable[Any]]:
    """A function the SDK sees as taking ``model``'s fields plus ``fn``'s other parameters (and returning what ``fn``
    returns), which calls ``call(args, **others)`` with the fields gathered into ``model``."""
    hints = typing.get_type_hints(fn, include_extras=True)
    own = list(inspect.signature(fn).parameters.values())
    others = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints.get(p.name, p.annotation)) for p in own[1:]
    ]
    fields = field_parameters(model)
    names = set(model.model_fields)

    async def adapter(**kwargs: Any) -> Any:
        args = model.model_validate({key: value for key, value in kwargs.items() if key in names})
        return await call(args, **{key: value for key, value in kwargs.items() if key not in names})

    parameters = [*fields, *others]
    adapter.__signature__ = inspect.Signature(parameters, return_annotation=hints.get("return"))  # type: ignore[attr-defined]
    adapter.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": hints.get("return")}
    adapter.__name__ = adapter.__qualname__ = name
    adapter.__module__ = fn.__module__
    adapter.__doc__ = fn.__doc__
    return adapter


def resolver_for(model: type[Arguments], fn: Callable[..., Awaitable[R]]) -> Callable[..., Awaitable[R]]:
    """A ``Resolve(...)`` resolver that receives the tool's arguments as ``model`` (first parameter of ``fn``) instead
    of one parameter per argument; ``fn``'s other parameters (the ``Context``) are injected as usual."""

    async def call(args: Arguments, **others: Any) -> R:
        return await fn(args, **others)

    # A stable name: it is the resolver's key in the request state of a multi-round call (any worker must agree).
    return _adapter(fn, model, call, f"{fn.__name__}[{model.__name__}]")


@dataclass(frozen=True)
class ToolSpec:
    name: str
    arguments: type[Arguments]
    function: ToolFunction
    title: str
    description: str
    annotations: ToolAnnotations

    @cached_property
    def sdk_tool(self) -> Tool:
        """The SDK's tool, built once per process (its schemas and validator take tens of milliseconds to make) and
        shared by every server: it holds no per-server state."""

        async def call(args: Arguments, **others: Any) -> CallToolResult:
            try:
                model = await self.function(args, **others)
            except KlingError as exc:
                logger.info("tool %s failed: %s", self.name, exc.code)
                return error_result(kling_error(exc))
            except ToolError:
                raise
            except Exception:
                logger.exception("tool %s crashed", self.name)
                return error_result(crash_error())
            return success_result(model)

        tool = Tool.from_function(
            _adapter(self.function, self.arguments, call, self.name),
            name=self.name,
            title=self.title,
            description=inspect.cleandoc(self.description),
            annotations=self.annotations,
        )
        untitled(tool.parameters)
        return tool


def untitled(schema: Any) -> None:
    """Drop the ``title`` pydantic gives every property ("Model Name" beside ``model_name``): an agent reads the
    input schema of every tool on every turn, and the title repeats the name. Only annotations are dropped, never a
    property that happens to be named ``title``."""
    if not isinstance(schema, dict):
        return
    if isinstance(schema.get("title"), str):
        del schema["title"]
    for key in ("properties", "$defs", "definitions"):
        for child in (schema.get(key) or {}).values():
            untitled(child)
    for key in ("items", "additionalProperties", "not"):
        untitled(schema.get(key))
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for child in schema.get(key) or []:
            untitled(child)


@dataclass
class Toolset:
    """The tools (and resources) of one family. ``name`` is what KLING_MCP_TOOLSETS will choose by."""

    name: str
    instructions: str = ""  # a line for the server's instructions when this family is served
    tools: list[ToolSpec] = field(default_factory=list)
    resources: list[tuple[Callable[..., Any], dict[str, Any]]] = field(default_factory=list)
    completers: dict[str, Completer] = field(default_factory=dict)

    def tool(
        self, arguments: type[Arguments], *, title: str, description: str | None = None, annotations: ToolAnnotations
    ) -> Callable[[F], F]:
        """Declare a tool; ``description`` defaults to the function's docstring."""

        def declare(fn: F) -> F:
            text = description if description is not None else fn.__doc__ or ""
            self.tools.append(ToolSpec(fn.__name__, arguments, fn, title, text, annotations))
            return fn

        return declare

    def resource(self, uri: str, **options: Any) -> Callable[[Callable[..., R]], Callable[..., R]]:
        """Declare a resource (or a resource template) as ``MCPServer.resource`` takes it."""

        def declare(fn: Callable[..., R]) -> Callable[..., R]:
            self.resources.append((fn, {"uri": uri, **options}))
            return fn

        return declare

    def completer(self, template: str) -> Callable[[Completer], Completer]:
        """Declare how the variables of a resource template are completed (completion/complete)."""

        def declare(fn: Completer) -> Completer:
            self.completers[template] = fn
            return fn

        return declare

    def register_resources(self, mcp: MCPServer[Any]) -> None:
        for fn, options in self.resources:
            mcp.resource(**options)(fn)


def sdk_tools(toolsets: Sequence[Toolset]) -> list[Tool]:
    """Every tool of the toolsets, as ``MCPServer(tools=...)`` takes them."""
    return [spec.sdk_tool for toolset in toolsets for spec in toolset.tools]


def argument_models(toolsets: Sequence[Toolset]) -> dict[str, type[Arguments]]:
    """Each tool's argument model, by tool name."""
    return {spec.name: spec.arguments for toolset in toolsets for spec in toolset.tools}


def completers(toolsets: Sequence[Toolset]) -> dict[str, Completer]:
    """Each resource template's completer, by template."""
    return {template: fn for toolset in toolsets for template, fn in toolset.completers.items()}


__all__ = [
    "LOCAL_READS",
    "READS",
    "SPENDS",
    "WRITES_FILE",
    "ToolSpec",
    "Toolset",
    "argument_models",
    "completers",
    "field_parameters",
    "resolver_for",
    "sdk_tools",
]
