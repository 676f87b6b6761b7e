"""The two shapes a tool call answers with, in one place.

A result: the output model's short text (``summary``) plus the model as ``structuredContent``, and resource links to
downloaded files. An error: no ``structuredContent`` (it would not match the tool's outputSchema, and the TypeScript
SDK 1.x client validates structuredContent even when isError is true, so clients built on it, the MCP Inspector
among them, would show only "Structured content does not match the tool's output schema" instead of the error); its
text is ``Error [code]: message hint`` and the same, machine-readable, is in ``_meta["kling-mcp/error"]``.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePath
from typing import Protocol, runtime_checkable

from mcp.types import CallToolResult, ContentBlock, ResourceLink, TextContent
from pydantic import BaseModel

from kling_mcp.results import DownloadResult, ErrorInfo, TaskResult

ERROR_META_KEY = "kling-mcp/error"


@runtime_checkable
class Summarised(Protocol):
    """A result model that knows how to say itself in a few lines for the agent."""

    def summary(self) -> str: ...


def error_result(info: ErrorInfo) -> CallToolResult:
    text = f"Error [{info.code}]: {info.message}"
    if info.hint:
        text += f" {info.hint}"
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        is_error=True,
        _meta={ERROR_META_KEY: info.model_dump(mode="json")},
    )


def success_result(model: BaseModel) -> CallToolResult:
    summary = model.summary() if isinstance(model, Summarised) else model.model_dump_json(indent=2)
    content: list[ContentBlock] = [TextContent(type="text", text=summary), *_links(model)]
    return CallToolResult(content=content, structured_content=model.model_dump(mode="json"))


def _links(model: BaseModel) -> list[ContentBlock]:
    """Resource links to downloaded files, so the agent can read them without their bytes in the conversation."""
    pairs: list[tuple[int, int, str | None]] = []
    if isinstance(model, TaskResult):
        pairs = [(model.task_id, v.work_id, v.local_path) for v in model.videos if v.local_path]
        pairs += [(model.task_id, i.work_id, i.local_path) for i in model.images if i.local_path]
        pairs += [(model.task_id, a.work_id, a.local_path) for a in model.audio if a.local_path]
    elif isinstance(model, DownloadResult) and model.saved:
        pairs = [(model.task_id, model.work_id, model.path)]
    return [
        ResourceLink(
            type="resource_link",
            uri=f"kling://videos/{task_id}/{work_id}",
            name=f"kling_{task_id}_{work_id}{PurePath(path or '.mp4').suffix or '.mp4'}",
            mime_type=mimetypes.guess_type(path or "")[0] or "video/mp4",
            description=f"Downloaded file at {path}",
        )
        for task_id, work_id, path in pairs
    ]
