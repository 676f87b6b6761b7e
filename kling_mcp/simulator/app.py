"""The simulator's HTTP API: the same paths, fields, status codes and error bodies as useapi's Kling API v1 as the
useapi guide and ../shared/reference/useapi-kling-api.md describe them. Every JSON body is built from the client's
own wire models (``kling_mcp.api.models``), so the simulator and the client cannot drift apart.
"""

from __future__ import annotations

import inspect
import io
import logging
import time
import uuid
import zipfile
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kling_mcp import catalog
from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.api.models import (
    STATUS_SUBMITTED,
    Account,
    AccountDetail,
    AssetDownload,
    AssetUpload,
    Balance,
    BalancePoint,
    ErrorBody,
    Resource,
    TaskInner,
    TaskResponse,
    Work,
)
from kling_mcp.simulator import media
from kling_mcp.simulator.config import SimulatorConfig
from kling_mcp.simulator.state import FAILURE_TEXT, CapacityReached, Creation, SimTask, SimulatorState

logger = logging.getLogger(__name__)
PREFIX = "/v1/kling"
GUIDELINES = "The content you uploaded appears to violate the community guidelines."  # seed FAQ, verbatim
# Reference §7.1: the upload Content-Type whitelist and size limits.
UPLOAD_LIMITS = {
    "image/png": 10,
    "image/jpeg": 10,
    "video/mp4": 100,
    "video/quicktime": 100,
    "audio/wav": 20,
    "audio/wave": 20,
    "audio/mpeg": 20,
    "audio/mp4": 20,
    "audio/flac": 20,
    "audio/aac": 20,
    "audio/ogg": 20,
}


# The parameters each create endpoint takes, besides the routing ones (email, maxJobs, replyUrl, replyRef): the
# catalog's own keyword arguments, so that the simulator and the client accept the same set.
ROUTING = ("email", "maxJobs", "replyUrl", "replyRef")
_VALIDATORS: dict[str, Callable[..., Any]] = {
    "m2v_txt2video_hq": catalog.validate_text2video,
    "m2v_img2video_hq": catalog.validate_image2video,
}
PARAMETERS = {
    kind: tuple(name for name in inspect.signature(validate).parameters if name != "email")
    for kind, validate in _VALIDATORS.items()
}
# Those the validator declares without a default (prompt; image): absent from a request, they are passed as None so
# that the catalog's own message, not a TypeError, answers.
_REQUIRED = {
    kind: tuple(p.name for p in inspect.signature(validate).parameters.values() if p.default is inspect.Parameter.empty)
    for kind, validate in _VALIDATORS.items()
}
_TEXT = ("prompt", "negative_prompt", "model_name", "aspect_ratio", "mode", "image", "image_tail")


class ApiError(Exception):
    def __init__(self, status: int, error: str, code: int | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.code = status, error, code


def _json(model: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json", exclude_none=True), status_code=status)


def _error(status: int, error: str, code: int | None = None) -> JSONResponse:
    return _json(ErrorBody(error=error, code=code), status)


def _authorized(request: Request, config: SimulatorConfig) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return config.token is None or token.strip() == config.token


def _account(state: SimulatorState, email: str | None) -> str:
    """Reference §1: email is optional with exactly one account and required with several."""
    accounts = state.config.accounts
    if not email:
        if len(accounts) == 1:
            return accounts[0]
        raise ApiError(400, "Parameter email is required when more than one Kling account is configured")
    if email not in accounts:
        raise ApiError(404, f"Account configuration not found for {email}. To create configuration use POST /accounts.")
    return email


async def _body(request: Request) -> dict[str, Any]:
    """JSON, or multipart/form-data (reference §1: both are accepted on every JSON POST)."""
    if request.headers.get("content-type", "").startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        try:
            form = await request.form()
        except Exception:  # starlette's MultiPartException and friends: a malformed body
            raise ApiError(400, "Invalid form body") from None
        return {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        data = await request.json()
    except ValueError:
        raise ApiError(400, "Invalid JSON body") from None
    if not isinstance(data, dict):
        raise ApiError(400, "Invalid JSON body")
    return data


def _task_response(request: Request, state: SimulatorState, task: SimTask) -> TaskResponse | None:
    status = state.status(task)
    if status is None:
        return None
    code, name, final = status
    works: list[Work] = []
    error = None
    if code == 99:
        # What the served files really are (media.py builds them to the task's duration and aspect ratio).
        width, height = media.dimensions(task.aspect_ratio)
        base = str(request.base_url).rstrip("/")
        works.append(
            Work(
                workId=task.work_id,
                status=code,
                status_name=name,
                contentType="video",
                resource=Resource(
                    resource=f"{base}/cdn/works/{task.work_id}/preview.mp4",
                    width=width,
                    height=height,
                    duration=task.duration * 1000,
                    resourceKey=f"sim-{task.work_id}",
                ),
                cover=Resource(
                    resource=f"{base}/cdn/works/{task.work_id}/preview.mp4", width=width, height=height, duration=0
                ),
            )
        )
    elif final:
        error = FAILURE_TEXT.get(code, "Generation failed.")
    remaining = max(0.0, task.created + task.queue_s + task.process_s - state.clock())
    return TaskResponse(
        status=code,
        status_name=name,
        status_final=final,
        message="" if code != 99 else "success",
        error=error,
        works=works,
        etaTime=None if final else int(remaining * 1000),
        task=TaskInner(
            id=task.id,
            userId=1,
            type=task.kind,
            scene="NORMAL_CREATION",
            status=code,
            status_name=name,
            status_final=final,
            createTime=task.created_ms,
            taskInfo={
                "type": task.kind,
                "arguments": [{"name": k, "value": str(v)} for k, v in task.body.items() if k != "email"],
            },
        ),
    )


def _parameters(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The create parameters with their wire types checked and form strings converted: every problem is a 400 that
    names the parameter, so that nothing malformed reaches the catalog as an exception."""
    allowed = PARAMETERS[kind]
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ApiError(400, f"Unknown parameter {', '.join(unknown)}. Valid parameters: {', '.join(allowed)}")
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if value is None:
            params[name] = None
        elif name in _TEXT:
            if not isinstance(value, str):
                raise ApiError(400, f"Parameter {name} must be a string")
            params[name] = value
        elif name == "duration":
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise ApiError(400, "Parameter duration must be a whole number of seconds, as a string or a number")
            params[name] = value
        elif name == "cfg_scale":
            params[name] = _number(value)
        elif name == "enable_audio":
            if isinstance(value, str) and value.strip().lower() in ("true", "false"):
                value = value.strip().lower() == "true"  # multipart/form-data carries every value as text
            if not isinstance(value, bool):
                raise ApiError(400, "Parameter enable_audio must be true or false")
            params[name] = value
        else:
            params[name] = value
    for name in _REQUIRED[kind]:
        params.setdefault(name, None)  # e.g. an end frame alone (1.x models) comes without a start frame
    return params


def _number(value: Any) -> float:
    """cfg_scale as a float: a JSON number, or its text from a form."""
    problem = ApiError(400, f"Parameter cfg_scale must be a number from 0 to 1, got {str(value)[:40]!r}")
    if isinstance(value, bool):
        raise problem
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise problem from None
    raise problem


def has_audio(model_name: str, enable_audio: bool | None) -> bool:
    """Whether a generation comes with an audio track. The simulator's own reading of reference §5.1: kling-v3-0
    has audio unless enable_audio is false; kling-v3-0-turbo always has it; kling-v2-6 has Native Audio when asked
    for (the catalog already refused it outside pro mode); other models add sound effects when asked for."""
    if model_name == "kling-v3-0-turbo":
        return True
    if model_name == "kling-v3-0":
        return enable_audio is not False
    return enable_audio is True


def _image_aspect(state: SimulatorState, url: str | None) -> str:
    """An image-to-video task's aspect ratio: the one nearest to its frame's own when the frame is an asset uploaded
    here (its bytes are at hand), else 16:9. Upload URLs are matched by path, so that an asset uploaded before a
    restart on another port still counts."""
    if url:
        path = urlsplit(url).path
        if path.startswith("/cdn/uploads/") and (item := state.upload(path.rsplit("/", 1)[1])) is not None:
            return media.aspect_of_image(item[1]) or "16:9"
    return "16:9"


def create_app(config: SimulatorConfig, state: SimulatorState | None = None) -> ASGIApp:
    state = state or SimulatorState(config)

    async def accounts(_request: Request) -> Response:
        return JSONResponse(
            {
                email: Account(email=email, maxJobs=a.max_jobs, password="…secured…").model_dump(
                    mode="json", exclude_none=True
                )
                for email, a in state.accounts.items()
            }
        )

    async def account(request: Request) -> Response:
        email = _account(state, request.path_params["email"])
        a = state.accounts[email]
        day_ms = 86_400_000
        now_ms = int(time.time() * 1000)
        point = BalancePoint(
            orderId="sim-plan",
            type="plan",
            amount=a.granted,
            balance=a.units,
            startTime=now_ms - 30 * day_ms,  # a monthly plan granted a month ago, valid for a year [INF]
            endTime=now_ms + 335 * day_ms,
        )
        return _json(
            AccountDetail(
                email=email,
                maxJobs=a.max_jobs,
                password="…secured…",
                balance=Balance(total=a.units, points=[point], tickets=[]),
            )
        )

    async def create(request: Request, kind: str) -> Response:
        body = await _body(request)
        email = _account(state, body.get("email"))
        params = _parameters(kind, {k: v for k, v in body.items() if k not in ROUTING})
        try:
            if kind == "m2v_txt2video_hq":
                text_request, estimate = catalog.validate_text2video(**params)
                model_name = text_request.model_name
            else:
                image_request, estimate = catalog.validate_image2video(**params)
                model_name = image_request.model_name
        except InvalidParameterError as exc:
            raise ApiError(400, exc.message) from None
        if "sim:moderation" in str(params.get("prompt") or "") and "sim:moderation-later" not in str(params["prompt"]):
            raise ApiError(500, GUIDELINES)
        stored = {k: v for k, v in params.items() if v is not None}
        if kind == "m2v_txt2video_hq":
            aspect_ratio = str(stored.setdefault("aspect_ratio", "16:9"))
        else:
            aspect_ratio = _image_aspect(state, stored.get("image") or stored.get("image_tail"))
        creation = Creation(
            kind=kind,
            body=stored,
            model_name=model_name,
            mode=estimate.mode,
            duration=estimate.duration,
            credits=estimate.credits,
            aspect_ratio=aspect_ratio,
            audio=has_audio(model_name, params.get("enable_audio")),
        )
        try:
            task = state.create(email, creation)
        except CapacityReached:
            # Reference §4.4: every eligible account is at its maxJobs limit.
            raise ApiError(
                429,
                "All configured accounts are currently running at maximum capacity (maxJobs). Please try again later.",
                429,
            ) from None
        response = _task_response(request, state, task) or TaskResponse(
            status=STATUS_SUBMITTED, status_name="submitted", status_final=False
        )
        response = response.model_copy(update={"message": "", "works": [], "etaTime": None})
        return _json(response)

    async def text2video(request: Request) -> Response:
        return await create(request, "m2v_txt2video_hq")

    async def image2video(request: Request) -> Response:
        return await create(request, "m2v_img2video_hq")

    async def get_task(request: Request) -> Response:
        email = _account(state, request.query_params.get("email"))
        raw_id = request.path_params["task_id"]
        task = state.task(int(raw_id)) if raw_id.isdigit() else None
        if task is None:
            raise ApiError(404, f"Task {raw_id} not found")
        if task.email != email:
            raise ApiError(404, f"Task {task.id} not found")
        response = _task_response(request, state, task)
        if response is None:
            raise ApiError(404, f"Task {task.id} not found")
        return _json(response)

    async def download(request: Request) -> Response:
        email = _account(state, request.query_params.get("email"))
        ids = [i for i in request.query_params.get("workIds", "").split(",") if i.strip()]
        if not ids or not all(i.strip().isdigit() for i in ids):
            raise ApiError(400, "Invalid parameters")
        tasks = [state.work(int(i)) for i in ids]
        if any(t is None or t.email != email or state.status(t) != (99, "succeed", True) for t in tasks):
            raise ApiError(400, "Invalid parameters")
        if state.config.is_free(email):
            # The docs scope the clean download to paid Kling accounts; the exact refusal is not documented [INF].
            raise ApiError(403, "Downloading without a watermark requires a paid Kling subscription")
        types = [t for t in request.query_params.get("fileTypes", "").split(",") if t]
        base = str(request.base_url).rstrip("/")
        if len(ids) == 1 and types == ["MP4"]:
            url = f"{base}/cdn/works/{ids[0]}/clean.mp4"  # reference §7.2: one workId + one fileType = the file
        else:
            url = f"{base}/cdn/zip/{','.join(ids)}.zip"
        return _json(AssetDownload(cdnUrl=url, status="success"))

    async def upload(request: Request) -> Response:
        _account(state, request.query_params.get("email"))
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in UPLOAD_LIMITS:
            raise ApiError(
                400,
                f"Content-Type {content_type or '(none)'} is not supported. Valid values: " + ",".join(UPLOAD_LIMITS),
            )
        data = await request.body()
        if len(data) > UPLOAD_LIMITS[content_type] * 1024 * 1024:
            raise ApiError(400, f"File is too large: {content_type} is limited to {UPLOAD_LIMITS[content_type]} MB")
        name = f"{uuid.uuid4().hex}.{content_type.split('/')[1]}"
        state.add_upload(name, content_type, data)
        base = str(request.base_url).rstrip("/")
        status = 3 if content_type.startswith("image/") else 1  # reference §7.1
        return _json(AssetUpload(status=status, url=f"{base}/cdn/uploads/{name}", message="", fileName=name))

    async def work_media(request: Request) -> Response:
        task = state.work(int(request.path_params["work_id"]))
        kind = request.path_params["kind"]
        if task is None or kind not in ("preview", "clean") or state.status(task) != (99, "succeed", True):
            return Response(status_code=404)
        body = media.video(kind, task.aspect_ratio, task.duration, task.audio)
        return media.serve(request, body, state.config.media_padding_bytes)

    async def zip_media(request: Request) -> Response:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for work_id in request.path_params["ids"].split(","):
                task = state.work(int(work_id)) if work_id.isdigit() else None
                if task is not None:
                    archive.writestr(
                        f"{work_id}.mp4", media.video("clean", task.aspect_ratio, task.duration, task.audio)
                    )
        return media.serve(request, buffer.getvalue(), 0, "application/zip")

    async def uploaded(request: Request) -> Response:
        item = state.upload(request.path_params["name"])
        if item is None:
            return Response(status_code=404)
        return media.serve(request, item[1], 0, item[0])

    def api(handler: Any, *, auth: bool = True) -> Any:
        async def endpoint(request: Request) -> Response:
            if auth and not _authorized(request, state.config):
                return _error(401, "Unauthorized", 401)  # reference §1
            try:
                response: Response = await handler(request)
                return response
            except ApiError as exc:
                return _error(exc.status, exc.error, exc.code)
            except Exception as exc:
                # A bug in the simulator, never a verdict on the request: say so, as JSON, with a 500.
                logger.exception("simulator error on %s %s", request.method, request.url.path)
                return _error(
                    500, f"Simulator internal error ({type(exc).__name__}: {exc}); this is a bug in the simulator."
                )

        return endpoint

    routes = [
        Route(f"{PREFIX}/accounts", api(accounts), methods=["GET"]),
        Route(f"{PREFIX}/accounts/{{email}}", api(account), methods=["GET"]),
        Route(f"{PREFIX}/videos/text2video", api(text2video), methods=["POST"]),
        Route(f"{PREFIX}/videos/image2video-frames", api(image2video), methods=["POST"]),
        Route(f"{PREFIX}/tasks/{{task_id}}", api(get_task), methods=["GET"]),
        Route(f"{PREFIX}/assets/download", api(download), methods=["GET"]),
        Route(f"{PREFIX}/assets/", api(upload), methods=["POST"]),
        Route(f"{PREFIX}/assets", api(upload), methods=["POST"]),
        Route("/cdn/works/{work_id:int}/{kind}.mp4", api(work_media, auth=False), methods=["GET"]),
        Route("/cdn/zip/{ids}.zip", api(zip_media, auth=False), methods=["GET"]),
        Route("/cdn/uploads/{name}", api(uploaded, auth=False), methods=["GET"]),
    ]
    return _RequestLog(Starlette(routes=routes), state)


class _RequestLog:
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
