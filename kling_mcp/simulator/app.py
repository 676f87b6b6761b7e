"""The simulator's HTTP application: the route table (``ROUTES``), the wrapper that answers 401 and turns errors into
useapi's JSON error bodies, and a request log. The endpoints themselves are in ``handlers.py`` (accounts, text2video,
image2video-frames, a task's poll, assets, files), ``video_handlers.py`` (the other video endpoints),
``element_handlers.py``, ``sound_handlers.py`` (lip sync, add-sound, speech, avatars), ``image_handlers.py`` and
``account_handlers.py`` (task history, scheduler, uploaded files); the rules that decide what a create call accepts in
``rules.py``, ``video_rules.py``, ``elements.py``, ``sound_rules.py`` and ``image_rules.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kling_mcp.simulator import (
    account_handlers,
    element_handlers,
    handlers,
    image_handlers,
    sound_handlers,
    video_handlers,
)
from kling_mcp.simulator.config import SimulatorConfig
from kling_mcp.simulator.handlers import ApiError, error_response
from kling_mcp.simulator.state import SimulatorState

logger = logging.getLogger(__name__)
PREFIX = "/v1/kling"

Handler = Callable[[Request, SimulatorState], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    path: str
    method: str
    handler: Handler
    auth: bool = True  # the "CDN" serves files without the bearer token, as Kling's CDN does


ROUTES: tuple[Endpoint, ...] = (
    Endpoint(f"{PREFIX}/accounts", "GET", handlers.accounts),
    Endpoint(f"{PREFIX}/accounts/{{email}}", "GET", handlers.account),
    Endpoint(f"{PREFIX}/videos/text2video", "POST", handlers.text2video),
    Endpoint(f"{PREFIX}/videos/image2video-frames", "POST", handlers.image2video_frames),
    Endpoint(f"{PREFIX}/videos/omni", "POST", video_handlers.omni),
    Endpoint(f"{PREFIX}/videos/image2video-elements", "POST", video_handlers.multi_image),
    Endpoint(f"{PREFIX}/videos/image2video-effects", "POST", video_handlers.effect),
    Endpoint(f"{PREFIX}/videos/extend", "POST", video_handlers.extend),
    Endpoint(f"{PREFIX}/videos/motion-create", "POST", video_handlers.motion),
    Endpoint(f"{PREFIX}/videos/motion-upload", "POST", video_handlers.motion_upload),
    Endpoint(f"{PREFIX}/videos/motions", "GET", video_handlers.motions),
    Endpoint(f"{PREFIX}/videos/effects", "GET", video_handlers.effects),
    Endpoint(f"{PREFIX}/videos/effects/", "GET", video_handlers.effects),
    Endpoint(f"{PREFIX}/elements", "GET", element_handlers.listing),
    Endpoint(f"{PREFIX}/elements/", "GET", element_handlers.listing),
    Endpoint(f"{PREFIX}/elements", "POST", element_handlers.create),
    Endpoint(f"{PREFIX}/elements/tags", "GET", element_handlers.tags),
    Endpoint(f"{PREFIX}/elements/voices", "GET", element_handlers.voices),
    Endpoint(f"{PREFIX}/elements/{{element_id}}", "GET", element_handlers.get),
    Endpoint(f"{PREFIX}/elements/{{element_id}}", "DELETE", element_handlers.delete),
    Endpoint(f"{PREFIX}/videos/lipsync", "POST", sound_handlers.lipsync),
    Endpoint(f"{PREFIX}/videos/add-sound", "POST", sound_handlers.add_sound),
    Endpoint(f"{PREFIX}/tts/voices", "GET", sound_handlers.voices),
    Endpoint(f"{PREFIX}/tts/create", "POST", sound_handlers.speak),
    Endpoint(f"{PREFIX}/avatars", "GET", sound_handlers.avatars),
    Endpoint(f"{PREFIX}/avatars/", "GET", sound_handlers.avatars),
    Endpoint(f"{PREFIX}/avatars", "POST", sound_handlers.create_avatar),
    Endpoint(f"{PREFIX}/avatars/video", "POST", sound_handlers.avatar_video),
    Endpoint(f"{PREFIX}/avatars/{{avatar_id}}", "DELETE", sound_handlers.delete_avatar),
    Endpoint(f"{PREFIX}/images/omni", "POST", image_handlers.omni),
    Endpoint(f"{PREFIX}/images/kolors", "POST", image_handlers.kolors),
    Endpoint(f"{PREFIX}/images/kolors-elements", "POST", image_handlers.kolors_elements),
    Endpoint(f"{PREFIX}/images/upscale", "POST", image_handlers.upscale),
    Endpoint(f"{PREFIX}/images/enhance", "POST", image_handlers.enhance),
    Endpoint(f"{PREFIX}/images/virtual-try-on", "POST", image_handlers.try_on),
    Endpoint(f"{PREFIX}/images/recognize-faces", "POST", image_handlers.recognize_faces),
    Endpoint(f"{PREFIX}/tasks", "GET", account_handlers.list_tasks),
    Endpoint(f"{PREFIX}/tasks/", "GET", account_handlers.list_tasks),
    Endpoint(f"{PREFIX}/tasks/{{task_id}}", "GET", handlers.get_task),
    Endpoint(f"{PREFIX}/tasks/{{task_id}}", "DELETE", account_handlers.delete_task),
    Endpoint(f"{PREFIX}/scheduler", "GET", account_handlers.scheduler),
    Endpoint(f"{PREFIX}/scheduler/available", "GET", account_handlers.available),
    Endpoint(f"{PREFIX}/scheduler/{{task_id}}", "DELETE", account_handlers.stop_tracking),
    Endpoint(f"{PREFIX}/assets/download", "GET", handlers.download),
    Endpoint(f"{PREFIX}/assets/uploaded/", "GET", account_handlers.list_uploaded),
    Endpoint(f"{PREFIX}/assets/uploaded", "GET", account_handlers.list_uploaded),
    Endpoint(f"{PREFIX}/assets/uploaded/", "DELETE", account_handlers.delete_uploaded),
    Endpoint(f"{PREFIX}/assets/uploaded", "DELETE", account_handlers.delete_uploaded),
    Endpoint(f"{PREFIX}/assets/", "POST", handlers.upload),
    Endpoint(f"{PREFIX}/assets", "POST", handlers.upload),
    Endpoint("/cdn/works/{work_id:int}/{kind}.{ext}", "GET", handlers.work_media, auth=False),
    Endpoint("/cdn/zip/{ids}.zip", "GET", handlers.zip_media, auth=False),
    Endpoint("/cdn/uploads/{name}", "GET", handlers.uploaded, auth=False),
    Endpoint("/cdn/covers/{name}.png", "GET", handlers.cover, auth=False),
    Endpoint("/cdn/faces/{name}.png", "GET", image_handlers.face_picture, auth=False),
    Endpoint("/cdn/presets/{name}.{ext}", "GET", handlers.preset_media, auth=False),
)


def authorized(request: Request, config: SimulatorConfig) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return config.token is None or token.strip() == config.token


async def answer(endpoint: Endpoint, request: Request, state: SimulatorState) -> Response:
    """One request to one endpoint: 401 without the token (reference §1), an ApiError as its JSON body, and any
    other exception as a 500 that says it is the simulator's own bug, never a verdict on the request."""
    if endpoint.auth and not authorized(request, state.config):
        return error_response(401, "Unauthorized", 401)
    try:
        return await endpoint.handler(request, state)
    except ApiError as exc:
        return error_response(exc.status, exc.error, exc.code)
    except Exception as exc:
        logger.exception("simulator error on %s %s", request.method, request.url.path)
        return error_response(
            500, f"Simulator internal error ({type(exc).__name__}: {exc}); this is a bug in the simulator."
        )


def _route(endpoint: Endpoint, state: SimulatorState) -> Route:
    async def call(request: Request) -> Response:
        return await answer(endpoint, request, state)

    return Route(endpoint.path, call, methods=[endpoint.method])


def create_app(config: SimulatorConfig, state: SimulatorState | None = None) -> ASGIApp:
    """The simulator as an ASGI app over ``state`` (a fresh one from ``config`` when None)."""
    state = state or SimulatorState(config)
    return RequestLog(Starlette(routes=[_route(endpoint, state) for endpoint in ROUTES]), state)


class RequestLog:
    """Records every request (method, path, query) and its status, so tests see exactly what reached the
    "upstream" and what it answered."""

    def __init__(self, app: ASGIApp, state: SimulatorState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        self.state.requests.append((method, path, scope.get("query_string", b"").decode()))
        if scope.get("client"):
            self.state.peers.add((str(scope["client"][0]), int(scope["client"][1])))

        async def send_and_record(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.state.responses.append((method, path, int(message["status"])))
            await send(message)

        await self.app(scope, receive, send_and_record)
