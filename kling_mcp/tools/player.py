"""The video player for hosts that speak MCP Apps (``io.modelcontextprotocol/ui``, the ext-apps specification
2026-01-26, on the SDK's ``mcp.server.apps`` extension): a ``ui://`` HTML resource (``kling_mcp/apps/player.html``)
that shows a task's clip with its prompt, model, duration and credits, and saves the clean master by calling
download_clean through the host.

What a host sees, and only a host that negotiated Apps (its capabilities list the extension with the
``text/html;profile=mcp-app`` MIME type: ``client_supports_apps``):

- in tools/list, ``_meta.ui.resourceUri`` on every tool that answers with a task (get_task and the spending tools,
  whose ``TaskResult`` the player shows while the task runs and once it is done) and on download_clean, so the host
  renders the player beside their results (spec: "Resource Discovery");
- in those tools' results, ``_meta["kling-mcp/player"]``: what the player shows that the structured content lacks
  (the prompt, from the job ledger; which file is the saved clean master and the ``kling://videos/...`` resource that
  serves it). ``_meta`` is not given to the model (spec: "Data Passing");
- in resources/list, the player itself.

Every other client gets exactly what it got before: the same tools/list, resources/list and results. The extension
itself is advertised to every client (``capabilities.extensions``), as SEP-2133 has servers do; KLING_MCP_APPS=false
turns all of it off. One middleware does the per-client part, since the tools are built once per process for every
server and client (``registry.ToolSpec.sdk_tool``).

The player's Content-Security-Policy (``_meta.ui.csp``) declares the hosts its media come from: Kling's CDN
(reference §10: outputs on ``s21-kling.klingai.com``, ``v15-kling.klingai.com``, …) and the configured upstream when
it is not useapi.net (the simulator, or a self-hosted proxy, which serve the works themselves). A saved clean master is
shown from a ``data:`` URL (ext-apps' default CSP allows ``media-src data:``), read through the host's resources/read.
"""

from __future__ import annotations

import logging
import mimetypes
import typing
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any, Literal
from urllib.parse import urlsplit

from mcp.server.apps import Apps, ResourceCsp, client_supports_apps
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.extension import Extension
from pydantic import BaseModel, Field

from kling_mcp.api import DEFAULT_BASE_URL
from kling_mcp.config import Settings
from kling_mcp.jobs.ledger import Job
from kling_mcp.results import DownloadResult, TaskResult
from kling_mcp.tools.context import AppState
from kling_mcp.tools.registry import Toolset

logger = logging.getLogger(__name__)

PLAYER_URI = "ui://kling-mcp/player.html"
PLAYER_META_KEY = "kling-mcp/player"
# Reference §10: Kling output URLs are Kling CDN URLs (s21-kling.klingai.com, v15-kling.klingai.com, ...).
KLING_CDN = "https://*.klingai.com"
RESULT_MODELS: tuple[type[BaseModel], ...] = (TaskResult, DownloadResult)
"""The tools whose results the player shows: those answering with one of these."""

WorkKind = Literal["video", "image", "audio"]


class PlayerWork(BaseModel):
    """One output of the task, as the player shows it."""

    work_id: int
    kind: WorkKind = "video"
    preview_url: str | None = Field(default=None, description="The WATERMARKED preview.")
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    clean_uri: str | None = Field(
        default=None, description="kling://videos/{task_id}/{work_id}: the saved clean master (resources/read)."
    )
    clean_mime_type: str | None = None
    clean_url: str | None = Field(default=None, description="The clean file's own address, when this call had it.")
    saved_path: str | None = Field(default=None, description="Where the clean master was saved.")


class PlayerView(BaseModel):
    """``_meta["kling-mcp/player"]`` of a result: everything the player shows."""

    task_id: int
    state: str | None = None
    final: bool = False
    prompt: str | None = None
    model_name: str | None = None
    estimated_credits: float | None = None
    email: str | None = None
    error: str | None = None
    works: list[PlayerWork] = Field(default_factory=list)
    work_id: int | None = Field(default=None, description="The output to show first.")
    notice: str | None = Field(default=None, description="Why the saved file is not the clean master.")


@cache
def player_html() -> str:
    return resources.files("kling_mcp").joinpath("apps", "player.html").read_text(encoding="utf-8")


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def player_csp(settings: Settings) -> ResourceCsp:
    """The hosts the player loads media from: Kling's CDN, and the upstream itself when it is not useapi.net."""
    domains = [KLING_CDN]
    upstream = _origin(settings.base_url)
    if upstream is not None and upstream != _origin(DEFAULT_BASE_URL):
        domains.append(upstream)
    return ResourceCsp(resource_domains=domains)


def player_extensions(settings: Settings) -> list[Extension]:
    """The Apps extension with the player resource, for ``MCPServer(extensions=...)``; none when KLING_MCP_APPS is
    off."""
    if not settings.apps:
        return []
    apps = Apps()
    apps.add_html_resource(
        PLAYER_URI,
        player_html(),
        name="kling-player",
        title="Kling video player",
        description="Plays a Kling task's video (the watermarked preview, or the saved clean master) with its prompt, "
        "model, duration and credits, and saves the clean master with download_clean.",
        csp=player_csp(settings),
        prefers_border=True,
    )
    return [apps]


def player_tools(toolsets: Sequence[Toolset]) -> dict[str, type[BaseModel]]:
    """The tools the player is bound to, with the model of their results: every tool answering with a task
    (get_task and the spending tools) or a download."""
    bound: dict[str, type[BaseModel]] = {}
    for toolset in toolsets:
        for spec in toolset.tools:
            answer = typing.get_type_hints(spec.function).get("return")
            if answer in RESULT_MODELS:
                bound[spec.name] = answer
    return bound


def player_middleware(settings: Settings, toolsets: Sequence[Toolset]) -> list[PlayerMiddleware]:
    """The middleware for ``MCPServer(middleware=...)``; none when KLING_MCP_APPS is off."""
    return [PlayerMiddleware(player_tools(toolsets))] if settings.apps else []


class PlayerMiddleware:
    """ServerMiddleware: for a client that negotiated MCP Apps, binds the player to its tools in tools/list and adds
    the player's view to their results; for any other client, leaves the player out of resources/list."""

    def __init__(self, tools: Mapping[str, type[BaseModel]]) -> None:
        self.tools = dict(tools)

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        if ctx.request_id is None or not isinstance(result, dict):
            return result
        if ctx.method == "resources/list":
            return result if client_supports_apps(ctx) else without_player(result)
        if ctx.method == "tools/list" and client_supports_apps(ctx):
            return bound_tools(result, self.tools)
        if ctx.method == "tools/call" and client_supports_apps(ctx):
            name = ctx.params.get("name") if isinstance(ctx.params, Mapping) else None
            model = self.tools.get(name) if isinstance(name, str) else None
            if model is not None:
                return await with_view(result, model, ctx.lifespan_context)
        return result


def bound_tools(result: dict[str, Any], tools: Iterable[str]) -> dict[str, Any]:
    """A tools/list result with ``_meta.ui.resourceUri`` on the player's tools."""
    names = set(tools)
    listed = []
    for tool in result.get("tools") or []:
        if isinstance(tool, dict) and tool.get("name") in names:
            meta = dict(tool.get("_meta") or {})
            meta["ui"] = {**(meta.get("ui") or {}), "resourceUri": PLAYER_URI}
            tool = {**tool, "_meta": meta}
        listed.append(tool)
    return {**result, "tools": listed}


def without_player(result: dict[str, Any]) -> dict[str, Any]:
    listed = [r for r in result.get("resources") or [] if not (isinstance(r, dict) and r.get("uri") == PLAYER_URI)]
    return {**result, "resources": listed}


async def with_view(result: dict[str, Any], model: type[BaseModel], state: AppState) -> dict[str, Any]:
    """A tool's result with the player's view in ``_meta``. An error, or a result that is not a finished call (an
    elicitation round, a task handle), is left as it is. The view is an extra: if it cannot be made, the result
    goes out without it (and the failure is logged)."""
    structured = result.get("structuredContent")
    if result.get("isError") or not isinstance(structured, dict):
        return result
    try:
        parsed = model.model_validate(structured)
        if isinstance(parsed, TaskResult):
            view = task_view(parsed, await state.service.job(parsed.task_id))
        elif isinstance(parsed, DownloadResult):
            view = download_view(parsed, await state.service.job(parsed.task_id))
        else:
            return result
    except Exception:
        logger.exception("the player's view of a %s could not be made", model.__name__)
        return result
    meta = {**(result.get("_meta") or {}), PLAYER_META_KEY: view.model_dump(mode="json", exclude_none=True)}
    return {**result, "_meta": meta}


def _resource_uri(task_id: int, work_id: int) -> str:
    return f"kling://videos/{task_id}/{work_id}"  # tools/tasks.py's video resource serves the saved file


def _clean_files(job: Job | None) -> dict[int, str]:
    """The saved clean masters of a job, by work id."""
    if job is None:
        return {}
    return {int(work): record.path for work, record in job.downloads.items() if record.clean and record.path}


def _work(task_id: int, work: Mapping[str, Any], clean: Mapping[int, str]) -> PlayerWork:
    """A work as a TaskResult lists it (or the ledger keeps it), with its clean master when one is saved."""
    work_id = int(work["work_id"])
    kind: WorkKind = work.get("kind") or "video"  # pydantic checks it is one of the three
    path = clean.get(work_id) or work.get("local_path")  # a TaskResult's local_path is the clean master's
    return PlayerWork(
        work_id=work_id,
        kind=kind,
        preview_url=work.get("url"),
        duration_s=work.get("duration_s"),
        width=work.get("width"),
        height=work.get("height"),
        clean_uri=None if path is None else _resource_uri(task_id, work_id),
        clean_mime_type=None if path is None else mimetypes.guess_type(path)[0],
        saved_path=path,
    )


def task_view(result: TaskResult, job: Job | None) -> PlayerView:
    clean = _clean_files(job)
    works = [
        _work(result.task_id, {**work.model_dump(), "kind": kind}, clean)
        for kind, group in (("video", result.videos), ("image", result.images), ("audio", result.audio))
        for work in group
    ]
    credits = result.estimated_credits
    return PlayerView(
        task_id=result.task_id,
        state=result.state,
        final=result.final,
        prompt=None if job is None else job.prompt,
        model_name=result.model_name or (None if job is None else job.model_name),
        estimated_credits=credits if credits is not None or job is None else job.credits_estimated,
        email=result.email,
        error=result.error,
        works=works,
        work_id=works[0].work_id if works else None,
    )


def download_view(result: DownloadResult, job: Job | None) -> PlayerView:
    """After download_clean: the task's works as the ledger keeps them (with their previews), the downloaded one
    with its clean master."""
    clean = _clean_files(job)
    if result.saved and result.clean and result.path:
        clean[result.work_id] = result.path
    works = [_work(result.task_id, work, clean) for work in ([] if job is None else job.videos) if "work_id" in work]
    if not any(work.work_id == result.work_id for work in works):  # a task this server did not submit
        works.append(_work(result.task_id, {"work_id": result.work_id, "kind": result.kind}, clean))
    if result.clean:  # the clean file's own address (download_clean fetched it from there)
        works = [w.model_copy(update={"clean_url": result.url}) if w.work_id == result.work_id else w for w in works]
    return PlayerView(
        task_id=result.task_id,
        state="succeeded",  # download_clean refuses unfinished and failed tasks
        final=True,
        prompt=None if job is None else job.prompt,
        model_name=None if job is None else job.model_name,
        estimated_credits=None if job is None else job.credits_estimated,
        email=None if job is None else job.email,
        works=works,
        work_id=result.work_id,
        notice=result.reason,
    )


__all__ = [
    "KLING_CDN",
    "PLAYER_META_KEY",
    "PLAYER_URI",
    "PlayerMiddleware",
    "PlayerView",
    "PlayerWork",
    "player_csp",
    "player_extensions",
    "player_html",
    "player_middleware",
    "player_tools",
]
