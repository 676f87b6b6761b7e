"""The simulator's endpoints, one module-level function each: ``handler(request, state) -> Response``.

Same paths, fields, status codes and error bodies as useapi's Kling API v1 as the useapi guide and
../shared/reference/useapi-kling-api.md describe them. JSON bodies are built from the client's wire models
(``kling_mcp.api.models``: field shapes only); which requests are accepted is the simulator's own reading of the
docs (``rules.py``). A handler raises ``ApiError`` for a documented error answer; ``app.py`` turns it into JSON.
"""

from __future__ import annotations

import io
import time
import uuid
import zipfile
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

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
from kling_mcp.simulator import media, rules, video_rules
from kling_mcp.simulator.lookups import AccountView, preset, upload_info
from kling_mcp.simulator.state import (
    FAILURE_TEXT,
    CapacityReached,
    Creation,
    SimTask,
    SimulatorState,
    prompt_text,
)

GUIDELINES = "The content you uploaded appears to violate the community guidelines."  # useapi guide FAQ, verbatim
# Reference §7.1: the upload Content-Type whitelist and size limits (MB).
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
TASK_KIND = {rules.TEXT2VIDEO: "m2v_txt2video_hq", rules.FRAMES: "m2v_img2video_hq"}  # reference §5.3
# Video uploads: reference §7.1 (2025 pages) says "≤10 s"; useapi's motion-control README (June 2026) and the
# motion-create page (Mar 2026) have a 3–30 s motion video uploaded through POST /assets. The newer sources win.
UPLOAD_VIDEO_SECONDS = 30
SECURED = "…secured…"  # reference §3.1: the password is always masked


class ApiError(Exception):
    """A documented error answer: ``status`` with ``{"error": error, "code": code}`` (code left out when None)."""

    def __init__(self, status: int, error: str, code: int | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.code = status, error, code


def json_response(model: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json", exclude_none=True), status_code=status)


def error_response(status: int, error: str, code: int | None = None) -> JSONResponse:
    return json_response(ErrorBody(error=error, code=code), status)


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def account_email(state: SimulatorState, email: str | None) -> str:
    """Reference §1: email is optional with exactly one account and required with several."""
    accounts = state.config.accounts
    if not email:
        if len(accounts) == 1:
            return accounts[0]
        raise ApiError(400, "Parameter email is required when more than one Kling account is configured", 400)
    if email not in accounts:
        raise ApiError(404, f"Account configuration not found for {email}. To create configuration use POST /accounts.")
    return email


async def request_body(request: Request) -> dict[str, Any]:
    """JSON, or multipart/form-data (reference §1: both are accepted on every JSON POST)."""
    if request.headers.get("content-type", "").startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        try:
            form = await request.form()
        except Exception:  # starlette's MultiPartException and friends: a malformed body
            raise ApiError(400, "Invalid form body", 400) from None
        return {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        data = await request.json()
    except ValueError:
        raise ApiError(400, "Invalid JSON body", 400) from None
    if not isinstance(data, dict):
        raise ApiError(400, "Invalid JSON body", 400)
    return data


# --- accounts -------------------------------------------------------------------------------------------------------


async def accounts(_request: Request, state: SimulatorState) -> Response:
    """GET /accounts: an object keyed by email (reference §3.1)."""
    return JSONResponse(
        {
            email: Account(email=email, maxJobs=a.max_jobs, password=SECURED).model_dump(mode="json", exclude_none=True)
            for email, a in state.accounts.items()
        }
    )


async def account(request: Request, state: SimulatorState) -> Response:
    """GET /accounts/{email}: the account and its balance (reference §3.2)."""
    email = account_email(state, request.path_params["email"])
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
    return json_response(
        AccountDetail(
            email=email,
            maxJobs=a.max_jobs,
            password=SECURED,
            balance=Balance(total=a.units, points=[point], tickets=[]),
        )
    )


# --- generation -----------------------------------------------------------------------------------------------------


def image_aspect(state: SimulatorState, email: str, url: str | None) -> str:
    """An image-to-video task's aspect ratio: the one nearest to its frame's own when the frame is a file the
    simulator knows (an asset uploaded here: its bytes are at hand), else 16:9 (lookups.py matches URLs by path)."""
    info = AccountView(state, email).media(url) if url else None
    return (info.aspect_ratio if info else None) or "16:9"


def refused(exc: rules.Refused) -> ApiError:
    return ApiError(exc.status, exc.message, exc.status)


async def create(request: Request, state: SimulatorState, endpoint: str) -> Response:
    """POST /videos/text2video and /videos/image2video-frames (reference §5): 200 with the submitted task, 400 when
    the rules refuse it, 500 for the moderation trigger, 429 when every job slot is taken."""
    body = await request_body(request)
    email = account_email(state, body.get("email"))
    try:
        accepted = rules.check(endpoint, body)
        if endpoint == rules.FRAMES:
            names = ("element_1", "element_2", "element_3")
            video_rules.check_elements(accepted.body, names, AccountView(state, email), video_ok=False)
    except rules.Refused as exc:
        raise refused(exc) from None
    stored = {k: v for k, v in accepted.body.items() if k not in rules.ROUTING_FIELDS}
    if accepted.aspect_ratio is not None:
        aspect_ratio = stored["aspect_ratio"] = accepted.aspect_ratio
    else:
        aspect_ratio = image_aspect(state, email, stored.get("image") or stored.get("image_tail"))
    creation = Creation(
        kind=TASK_KIND[endpoint],
        body=stored,
        model_name=accepted.model_name,
        mode=accepted.mode,
        duration=accepted.duration,
        credits=accepted.credits,
        aspect_ratio=aspect_ratio,
        audio=accepted.audio,
    )
    return submit(request, state, email, creation)


def submit(request: Request, state: SimulatorState, email: str, creation: Creation) -> Response:
    """Record an accepted generation and answer with the submitted task (reference §5.0): 500 for the moderation
    trigger, 429 when every job slot of the account is taken."""
    prompt = prompt_text(creation.body)
    if "sim:moderation" in prompt.replace("sim:moderation-later", ""):
        raise ApiError(500, GUIDELINES)  # useapi guide: Kling answers 500 for a moderation refusal
    try:
        task = state.create(email, creation)
    except CapacityReached:
        # Reference §4.4: every eligible account is at its maxJobs limit.
        raise ApiError(
            429,
            "All configured accounts are currently running at maximum capacity (maxJobs). Please try again later.",
            429,
        ) from None
    response = task_response(request, state, task) or TaskResponse(
        status=STATUS_SUBMITTED, status_name="submitted", status_final=False
    )
    return json_response(response.model_copy(update={"message": "", "works": [], "etaTime": None}))


async def text2video(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, rules.TEXT2VIDEO)


async def image2video_frames(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, rules.FRAMES)


# --- tasks ----------------------------------------------------------------------------------------------------------


def _work(request: Request, task: SimTask, work_id: int, code: int, name: str) -> Work:
    # What the served files really are (media.py builds them to the task's duration and aspect ratio).
    width, height = media.dimensions(task.aspect_ratio)
    url = f"{base_url(request)}/cdn/works/{work_id}/preview.mp4"
    milliseconds = round(media.served_seconds(task.duration) * 1000)
    return Work(
        workId=work_id,
        status=code,
        status_name=name,
        contentType="video",
        resource=Resource(
            resource=url, width=width, height=height, duration=milliseconds, resourceKey=f"sim-{work_id}"
        ),
        cover=Resource(resource=url, width=width, height=height, duration=0),
    )


def task_response(request: Request, state: SimulatorState, task: SimTask) -> TaskResponse | None:
    """The poll's body (reference §6.1), or None when the poll answers 404."""
    status = state.status(task)
    if status is None:
        return None
    code, name, final = status
    works = [_work(request, task, work_id, code, name) for work_id in task.work_ids] if code == 99 else []
    error = FAILURE_TEXT.get(code, "Generation failed.") if final and code != 99 else None
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


async def get_task(request: Request, state: SimulatorState) -> Response:
    """GET /tasks/{task_id}: 404 for a task of another account, an unknown one, or one the poll lost (seed)."""
    email = account_email(state, request.query_params.get("email"))
    raw_id = request.path_params["task_id"]
    task = state.task(int(raw_id)) if raw_id.isdigit() else None
    if task is None:
        raise ApiError(404, f"Task {raw_id} not found")
    if task.email != email:
        raise ApiError(404, f"Task {task.id} not found")
    response = task_response(request, state, task)
    if response is None:
        raise ApiError(404, f"Task {task.id} not found")
    return json_response(response)


# --- assets ---------------------------------------------------------------------------------------------------------


async def download(request: Request, state: SimulatorState) -> Response:
    """GET /assets/download (reference §7.2): one workId + one fileType is the file, anything else a .zip."""
    email = account_email(state, request.query_params.get("email"))
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
    if len(ids) == 1 and types == ["MP4"]:
        url = f"{base_url(request)}/cdn/works/{ids[0]}/clean.mp4"
    else:
        url = f"{base_url(request)}/cdn/zip/{','.join(ids)}.zip"
    return json_response(AssetDownload(cdnUrl=url, status="success"))


async def upload(request: Request, state: SimulatorState) -> Response:
    """POST /assets/: the raw file as the body, its MIME type in Content-Type (reference §7.1)."""
    email = account_email(state, request.query_params.get("email"))
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in UPLOAD_LIMITS:
        raise ApiError(
            400, f"Content-Type {content_type or '(none)'} is not supported. Valid values: " + ",".join(UPLOAD_LIMITS)
        )
    data = await request.body()
    if len(data) > UPLOAD_LIMITS[content_type] * 1024 * 1024:
        raise ApiError(400, f"File is too large: {content_type} is limited to {UPLOAD_LIMITS[content_type]} MB")
    info = upload_info(content_type, data)
    if content_type.startswith("video/"):
        # The error texts for an unreadable or too long video are not documented [INF].
        if info.seconds is None:
            raise ApiError(400, f"The file is not a readable video ({content_type}): MP4 or QuickTime (.mov) expected")
        if info.seconds > UPLOAD_VIDEO_SECONDS:
            raise ApiError(
                400, f"The video lasts {info.seconds:g} s; videos are limited to {UPLOAD_VIDEO_SECONDS} seconds"
            )
    extension = {"video/quicktime": "mov", "audio/mpeg": "mp3"}.get(content_type, content_type.split("/")[1])
    name = f"{uuid.uuid4().hex}.{extension}"
    state.add_upload(name, content_type, data)
    url = f"{base_url(request)}/cdn/uploads/{name}"
    if not content_type.startswith("video/"):
        status = 3 if content_type.startswith("image/") else 1  # reference §7.1
        return json_response(AssetUpload(status=status, url=url, message="", fileName=name))
    # Reference §7.1: 1 = success for videos, which also carry resourceUrl (the processed file: here the same
    # bytes) and coverUrl; useapi's motion pages: motion-create takes the resourceUrl, and the account's videos
    # uploaded through POST /assets are its own motions (GET /videos/motions?mine=true).
    cover = f"{base_url(request)}/cdn/covers/{name}.png"
    state.add_motion(email, motion_asset(name, info.seconds or 0, info.aspect_ratio, info.audio, url, cover))
    return json_response(
        AssetUpload.model_validate(
            {"status": 1, "url": url, "message": "", "fileName": name, "resourceUrl": url, "coverUrl": cover}
        )
    )


def motion_asset(
    asset_id: str, seconds: float, aspect_ratio: str | None, audio: bool, url: str, cover: str
) -> dict[str, object]:
    """A motion as GET /videos/motions lists it (useapi's get-kling-videos-motions page, Jan 6 2026)."""
    width, height = media.dimensions(aspect_ratio) if aspect_ratio else (0, 0)
    return {
        "assetId": asset_id,
        "assetType": "MOTION",
        "url": url,
        "coverUrl": cover,
        "duration": round(seconds * 1000),
        "width": width,
        "height": height,
        "hasAudio": audio,
        "createTime": int(time.time() * 1000),
    }


# --- the "CDN" (no auth) --------------------------------------------------------------------------------------------


async def work_media(request: Request, state: SimulatorState) -> Response:
    task = state.work(int(request.path_params["work_id"]))
    kind = request.path_params["kind"]
    if task is None or kind not in ("preview", "clean") or state.status(task) != (99, "succeed", True):
        return Response(status_code=404)
    body = media.video(kind, task.aspect_ratio, task.duration, task.audio)
    return media.serve(request, body, state.config.media_padding_bytes)


async def zip_media(request: Request, state: SimulatorState) -> Response:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for work_id in request.path_params["ids"].split(","):
            task = state.work(int(work_id)) if work_id.isdigit() else None
            if task is not None and state.status(task) == (99, "succeed", True):
                archive.writestr(f"{work_id}.mp4", media.video("clean", task.aspect_ratio, task.duration, task.audio))
    return media.serve(request, buffer.getvalue(), 0, "application/zip")


async def uploaded(request: Request, state: SimulatorState) -> Response:
    item = state.upload(request.path_params["name"])
    if item is None:
        return Response(status_code=404)
    return media.serve(request, item[1], 0, item[0])


async def cover(request: Request, state: SimulatorState) -> Response:
    """The poster of an uploaded video (its coverUrl)."""
    item = state.upload(request.path_params["name"])
    if item is None or not item[0].startswith("video/"):
        return Response(status_code=404)
    aspect = upload_info(*item).aspect_ratio or "16:9"
    return media.serve(request, media.cover(aspect), 0, "image/png")


async def preset_media(request: Request, _state: SimulatorState) -> Response:
    """The preview video or cover of an effect or official motion (``presets.py``)."""
    name, extension = request.path_params["name"], request.path_params["ext"]
    info = preset(name, extension) if extension in ("mp4", "png") else None
    if info is None:
        return Response(status_code=404)
    aspect = info.aspect_ratio or "16:9"
    if extension == "png":
        return media.serve(request, media.cover(aspect), 0, "image/png")
    return media.serve(request, media.video("clean", aspect, info.seconds or 5, info.audio), 0)
