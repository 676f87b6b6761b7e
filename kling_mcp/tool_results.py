"""How tool outcomes reach the agent, in one place: a result model becomes a short text plus structuredContent
(and resource links to downloaded files); a KlingError becomes a tool error whose text (``Error [code]: ...``) and
``_meta["kling-mcp/error"]`` carry a stable code, what happened and what to do next. Argument-validation failures
get the same coded shape.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, Protocol, runtime_checkable

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ContentBlock, Icon, ResourceLink, TextContent, ToolAnnotations
from pydantic import BaseModel, ValidationError

from kling_mcp.api.errors import KlingError
from kling_mcp.results import DownloadResult, ErrorInfo, TaskResult

logger = logging.getLogger(__name__)


@runtime_checkable
class Summarised(Protocol):
    """A result model that knows how to say itself in a few lines for the agent."""

    def summary(self) -> str: ...


P = ParamSpec("P")


class KlingMCPServer(MCPServer[Any]):
    """MCPServer whose argument-validation failures come back with the same coded error shape as every other
    failure (the SDK's default is a bare pydantic message without a code), whose tool descriptions are dedented
    docstrings, and which can serve protocol methods MCPServer has no decorator for and run on given streams."""

    def add_tool(
        self,
        fn: Callable[..., Any],
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        annotations: ToolAnnotations | None = None,
        icons: list[Icon] | None = None,
        meta: dict[str, Any] | None = None,
        structured_output: bool | None = None,
    ) -> None:
        # The SDK takes a docstring as it is, indentation included; agents get the dedented text.
        super().add_tool(
            fn,
            name=name,
            title=title,
            description=inspect.cleandoc(description if description is not None else fn.__doc__ or ""),
            annotations=annotations,
            icons=icons,
            meta=meta,
            structured_output=structured_output,
        )

    def add_request_handler(self, method: str, params_type: type[Any], handler: Callable[..., Any]) -> None:
        """Serve a protocol method (the capability it implies is then advertised, as the SDK derives them)."""
        self._lowlevel_server.add_request_handler(method, params_type, handler)

    async def serve_streams(self, read_stream: Any, write_stream: Any) -> None:
        """Serve one connection over the given message streams, as ``run_stdio_async`` does over its own."""
        await self._lowlevel_server.run(
            read_stream, write_stream, self._lowlevel_server.create_initialization_options()
        )

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        tool = self._tool_manager.get_tool(name)
        if tool is not None:
            known = set(tool.parameters.get("properties", {}))
            unknown = sorted(set(arguments) - known)
            if unknown:
                # A misspelt argument silently replaced by its default could spend credits on the wrong video.
                return error_result(
                    ErrorInfo(
                        code="invalid_parameter",
                        message=f"Unknown argument(s) for {name}: {', '.join(unknown)}. "
                        f"Allowed: {', '.join(sorted(known))}.",
                        hint="Nothing was sent upstream. Fix the argument names and call again.",
                        details={"parameters": unknown, "allowed": sorted(known)},
                    )
                )
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError):
                return error_result(_argument_error(cause))
            if tool is None:
                return error_result(
                    ErrorInfo(
                        code="unknown_tool",
                        message=f"There is no tool named {name!r}.",
                        hint="Call tools/list to see the tools.",
                    )
                )
            raise


def _argument_error(error: ValidationError) -> ErrorInfo:
    problems = []
    for item in error.errors()[:5]:
        parameter = ".".join(str(p) for p in item["loc"]) or "(arguments)"
        value = json.dumps(item.get("input"), default=str)
        if len(value) > 60:
            value = value[:57] + "…"
        problems.append(f"{parameter}={value}: {item['msg']}")
    return ErrorInfo(
        code="invalid_parameter",
        message="Invalid arguments: " + "; ".join(problems) + ".",
        hint="Nothing was sent upstream. Fix the arguments (see the tool's input schema) and call again.",
        details={"parameters": [".".join(str(p) for p in i["loc"]) for i in error.errors()]},
    )


ERROR_META_KEY = "kling-mcp/error"


def error_result(info: ErrorInfo) -> CallToolResult:
    """A tool error: the code, message and hint in the text, and the same as data in the result's ``_meta``.

    No structuredContent: it would not match the tool's outputSchema, and the TypeScript SDK 1.x client validates
    structuredContent even when isError is true, so clients built on it (the MCP Inspector) would show only
    "Structured content does not match the tool's output schema" instead of this error.
    """
    text = f"Error [{info.code}]: {info.message}"
    if info.hint:
        text += f" {info.hint}"
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        is_error=True,
        _meta={ERROR_META_KEY: info.model_dump(mode="json")},
    )


def success_result(model: BaseModel, links: list[ContentBlock] | None = None) -> CallToolResult:
    summary = model.summary() if isinstance(model, Summarised) else model.model_dump_json(indent=2)
    content: list[ContentBlock] = [TextContent(type="text", text=summary), *(links or [])]
    return CallToolResult(content=content, structured_content=model.model_dump(mode="json"))


def tool_errors(fn: Callable[P, Awaitable[BaseModel]]) -> Callable[P, Awaitable[CallToolResult]]:
    """Turn a tool's model into a result (summary text + structuredContent), and a KlingError into a coded tool
    error. Anything else is a bug: it is logged and reported without its text (which could hold anything)."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> CallToolResult:
        try:
            model = await fn(*args, **kwargs)
        except KlingError as exc:
            logger.info("tool %s failed: %s", fn.__name__, exc.code)
            return error_result(
                ErrorInfo(code=exc.code, message=exc.message, hint=exc.hint, details=_plain(exc.details))
            )
        except (ToolError, KeyboardInterrupt):
            raise
        except Exception:
            logger.exception("tool %s crashed", fn.__name__)
            return error_result(
                ErrorInfo(
                    code="internal_error",
                    message="kling-mcp hit an unexpected error.",
                    hint="See the server log; the task ids already returned stay valid.",
                )
            )
        return success_result(model, _links(model))

    return wrapper


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = json.loads(json.dumps(details, default=str))
    return plain


def _links(model: BaseModel) -> list[ContentBlock]:
    """Resource links to downloaded files, so the agent can read them without their bytes in the conversation."""
    links: list[ContentBlock] = []
    pairs: list[tuple[int, int, str | None]] = []
    if isinstance(model, TaskResult):
        pairs = [(model.task_id, v.work_id, v.local_path) for v in model.videos if v.local_path]
    elif isinstance(model, DownloadResult) and model.saved:
        pairs = [(model.task_id, model.work_id, model.path)]
    for task_id, work_id, path in pairs:
        links.append(
            ResourceLink(
                type="resource_link",
                uri=f"kling://videos/{task_id}/{work_id}",
                name=f"kling_{task_id}_{work_id}.mp4",
                mime_type="video/mp4",
                description=f"Downloaded video at {path}",
            )
        )
    return links
