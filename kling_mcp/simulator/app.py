"""The simulator's HTTP API: the same paths, fields, status codes and error bodies as useapi's Kling API v1 as the
seed and ../shared/reference/useapi-kling-api.md describe them. Every JSON body is built from the client's own wire
models (``kling_mcp.api.models``), so the simulator and the client cannot drift apart.
"""

from __future__ import annotations

import io
import time
import uuid
import zipfile
from typing import Any

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
from kling_mcp.simulator.state import FAILURE_TEXT, SimTask, SimulatorState

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
    if not email:
        if len(state.accounts) == 1:
            return next(iter(state.accounts))
        raise ApiError(400, "Parameter email is required when more than one Kling account is configured")
    if email not in state.accounts:
        raise ApiError(404, f"Account configuration not found for {email}. To create configuration use POST /accounts.")
    return email


async def _body(request: Request) -> dict[str, Any]:
    """JSON, or multipart/form-data (reference §1: both are accepted on every JSON POST)."""
    if request.headers.get("content-type", "").startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
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
        width, height = media.nominal_size(task.aspect_ratio, task.mode)
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
                    duration=task.duration * 1000 + 41,
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
        params = {k: v for k, v in body.items() if k not in ("email", "maxJobs", "replyUrl", "replyRef")}
        if "cfg_scale" in params and isinstance(params["cfg_scale"], str):
            params["cfg_scale"] = float(params["cfg_scale"])
        if "enable_audio" in params and isinstance(params["enable_audio"], str):
            params["enable_audio"] = params["enable_audio"].lower() == "true"
        try:
            if kind == "m2v_txt2video_hq":
                _, estimate = catalog.validate_text2video(**params)
            else:
                _, estimate = catalog.validate_image2video(**params)
        except InvalidParameterError as exc:
            raise ApiError(400, exc.message) from None
        except TypeError:
            raise ApiError(400, "Invalid parameters") from None
        if "sim:moderation" in str(params.get("prompt") or "") and "sim:moderation-later" not in str(params["prompt"]):
            raise ApiError(500, GUIDELINES)
        if state.executing(email) >= state.accounts[email].max_jobs:
            # Reference §4.4: every eligible account is at its maxJobs limit.
            raise ApiError(
                429,
                "All configured accounts are currently running at maximum capacity (maxJobs). Please try again later.",
                429,
            )
        task = state.create(email, kind, {**params, "aspect_ratio": params.get("aspect_ratio") or "16:9"}, estimate)
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
        try:
            task = state.tasks[int(request.path_params["task_id"])]
        except (KeyError, ValueError):
            raise ApiError(404, f"Task {request.path_params['task_id']} not found") from None
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
        state.uploads[name] = (content_type, data)
        base = str(request.base_url).rstrip("/")
        status = 3 if content_type.startswith("image/") else 1  # reference §7.1
        return _json(AssetUpload(status=status, url=f"{base}/cdn/uploads/{name}", message="", fileName=name))

    async def work_media(request: Request) -> Response:
        task = state.work(int(request.path_params["work_id"]))
        kind = request.path_params["kind"]
        if task is None or kind not in ("preview", "clean") or state.status(task) != (99, "succeed", True):
            return Response(status_code=404)
        return media.serve(request, media.video(kind, task.aspect_ratio), state.config.media_padding_bytes)

    async def zip_media(request: Request) -> Response:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for work_id in request.path_params["ids"].split(","):
                task = state.work(int(work_id)) if work_id.isdigit() else None
                if task is not None:
                    archive.writestr(f"{work_id}.mp4", media.video("clean", task.aspect_ratio))
        return media.serve(request, buffer.getvalue(), 0, "application/zip")

    async def uploaded(request: Request) -> Response:
        item = state.uploads.get(request.path_params["name"])
        if item is None:
            return Response(status_code=404)
        return media.serve(request, item[1], 0, item[0])

    def api(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            if not _authorized(request, state.config):
                return _error(401, "Unauthorized", 401)  # reference §1
            try:
                response: Response = await handler(request)
                return response
            except ApiError as exc:
                return _error(exc.status, exc.error, exc.code)

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
        Route("/cdn/works/{work_id:int}/{kind}.mp4", work_media, methods=["GET"]),
        Route("/cdn/zip/{ids}.zip", zip_media, methods=["GET"]),
        Route("/cdn/uploads/{name}", uploaded, methods=["GET"]),
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
