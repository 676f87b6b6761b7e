"""The simulator's endpoints, one module-level function each: ``handler(request, state) -> Response``. This module
has the shared ones (accounts, text2video, image2video-frames, a task's poll, assets, the "CDN" files); the others are
in ``video_handlers.py``, ``element_handlers.py``, ``sound_handlers.py``, ``image_handlers.py`` and
``account_handlers.py``.

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
from kling_mcp.simulator import audio, media, rules, video_rules
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
UPLOAD_AUDIO_SECONDS = 30  # reference §7.1: every audio type "≤30 s"
# The audio format each audio Content-Type names (reference §7.1's table: type and extension).
AUDIO_FORMATS = {
    "audio/wav": "wav",
    "audio/wave": "wav",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/flac": "flac",
    "audio/aac": "aac",
    "audio/ogg": "ogg",
}
_EXTENSIONS = {"video/quicktime": "mov", **AUDIO_FORMATS}
# GET /assets/download fileTypes (Postman: "Supported file types: MP4, MP3, WAV, PNG") and the file each one is.
FILE_TYPES = {"MP4": "mp4", "MP3": "mp3", "WAV": "wav", "PNG": "png"}
MEDIA_TYPES = {"mp4": "video/mp4", "png": "image/png", "mp3": "audio/mpeg", "wav": "audio/wav"}
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


def replies(body: dict[str, Any]) -> tuple[str, str]:
    """A create's replyUrl and replyRef, as GET /scheduler lists them (reference §4.1); no callback is sent."""
    return str(body.get("replyUrl") or ""), str(body.get("replyRef") or "")


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
        reply_url=replies(body)[0],
        reply_ref=replies(body)[1],
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
    # What the served files really are (media.py and audio.py build them to the task's duration, aspect ratio or
    # picture size). Reference §6.1: a work carries contentType video | image | audio, its resource and cover, and
    # (the GET /tasks page's sample) its taskId, type and createTime.
    base = f"{base_url(request)}/cdn/works/{work_id}"
    key = f"sim-{work_id}"
    cover: Resource | None
    if task.content == "image":
        url = f"{base}/preview.png"
        resource = Resource(resource=url, width=task.width, height=task.height, duration=0, resourceKey=key)
        cover = Resource(resource=url, width=task.width, height=task.height, duration=0)
    elif task.content == "audio":
        milliseconds = round(audio.served_seconds(task.duration) * 1000)
        url = f"{base}/preview.mp3"
        resource = Resource(resource=url, width=0, height=0, duration=milliseconds, resourceKey=key)
        cover = None  # a sound has no picture [INF]
    else:
        width, height = media.dimensions(task.aspect_ratio)
        url = f"{base}/preview.mp4"
        milliseconds = round(media.served_seconds(task.duration) * 1000)
        resource = Resource(resource=url, width=width, height=height, duration=milliseconds, resourceKey=key)
        cover = Resource(resource=url, width=width, height=height, duration=0)
    return Work.model_validate(
        {
            "workId": work_id,
            "taskId": task.id,
            "type": task.kind,
            "status": code,
            "status_name": name,
            "contentType": task.content,
            "resource": resource,
            "cover": cover,
            "createTime": task.created_ms,
        }
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


def file_types(task: SimTask) -> tuple[str, ...]:
    """The fileTypes a work of this task has (Postman GET /assets/download: MP4, MP3, WAV, PNG; its example "MP4,WAV"
    reads as a video with its sound): a video MP4, and MP3 and WAV of its soundtrack when it has one [INF]; an image
    PNG; a sound MP3 and WAV."""
    if task.content == "image":
        return ("PNG",)
    if task.content == "audio":
        return ("MP3", "WAV")
    return ("MP4", "MP3", "WAV") if task.audio else ("MP4",)


async def download(request: Request, state: SimulatorState) -> Response:
    """GET /assets/download (reference §7.2): one workId + one fileType is that file, anything else a .zip of the
    requested types (every type the works have, without fileTypes). 400 "Invalid parameters" for a work that is not a
    finished work of the account, an unknown file type, or a single file the work does not have [INF]."""
    email = account_email(state, request.query_params.get("email"))
    ids = [i for i in request.query_params.get("workIds", "").split(",") if i.strip()]
    if not ids or not all(i.strip().isdigit() for i in ids):
        raise ApiError(400, "Invalid parameters")
    tasks = [state.work(int(i)) for i in ids]
    if any(t is None or t.email != email or state.status(t) != (99, "succeed", True) for t in tasks):
        raise ApiError(400, "Invalid parameters")
    types = [t.strip().upper() for t in request.query_params.get("fileTypes", "").split(",") if t.strip()]
    if any(t not in FILE_TYPES for t in types):
        raise ApiError(400, "Invalid parameters")
    if state.config.is_free(email):
        # The docs scope the clean download to paid Kling accounts; the exact refusal is not documented [INF].
        raise ApiError(403, "Downloading without a watermark requires a paid Kling subscription")
    base = base_url(request)
    if len(ids) == 1 and len(types) == 1:
        task = tasks[0]
        if task is None or types[0] not in file_types(task):
            raise ApiError(400, "Invalid parameters")
        url = f"{base}/cdn/works/{ids[0]}/clean.{FILE_TYPES[types[0]]}"
    else:
        query = f"?fileTypes={','.join(types)}" if types else ""
        url = f"{base}/cdn/zip/{','.join(ids)}.zip{query}"
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
    if content_type.startswith("audio/"):
        check_audio(content_type, data)
    if content_type.startswith("video/"):
        # The error texts for an unreadable or too long video are not documented [INF].
        if info.seconds is None:
            raise ApiError(400, f"The file is not a readable video ({content_type}): MP4 or QuickTime (.mov) expected")
        if info.seconds > UPLOAD_VIDEO_SECONDS:
            raise ApiError(
                400, f"The video lasts {info.seconds:g} s; videos are limited to {UPLOAD_VIDEO_SECONDS} seconds"
            )
    extension = _EXTENSIONS.get(content_type, content_type.split("/")[1])
    name = f"{uuid.uuid4().hex}.{extension}"
    state.add_upload(name, content_type, data, email)
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


def check_audio(content_type: str, data: bytes) -> None:
    """An audio upload must be a readable file of the format its Content-Type names, at most 30 s (reference §7.1).
    The error texts are not documented [INF]."""
    found = audio.probe(data)
    expected = AUDIO_FORMATS[content_type]
    if found is None:
        raise ApiError(
            400, f"The file is not a readable audio file ({content_type}): WAV, MP3, M4A, FLAC, AAC or OGG expected"
        )
    if found.format != expected:
        raise ApiError(
            400,
            f"The file is {found.format.upper()} audio but its Content-Type is {content_type} "
            f"({expected.upper()}); send the Content-Type of its format",
        )
    if found.seconds > UPLOAD_AUDIO_SECONDS:
        raise ApiError(
            400, f"The audio lasts {found.seconds:g} s; audio files are limited to {UPLOAD_AUDIO_SECONDS} seconds"
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


def work_file(task: SimTask, kind: str, extension: str) -> bytes | None:
    """The bytes a work serves as ``<kind>.<extension>`` (preview: with the watermark; clean: without), or None
    when the work has no such file."""
    file_type = next((t for t, e in FILE_TYPES.items() if e == extension), None)
    if kind not in ("preview", "clean") or file_type not in file_types(task):
        return None
    if extension == "png":
        return media.picture(kind, task.width, task.height)
    seconds = task.duration if task.content == "audio" else media.served_seconds(task.duration)
    if extension == "mp3":
        return audio.mp3(seconds)
    if extension == "wav":
        return audio.wav(seconds)
    return media.video(kind, task.aspect_ratio, task.duration, task.audio)


async def work_media(request: Request, state: SimulatorState) -> Response:
    task = state.work(int(request.path_params["work_id"]))
    extension = request.path_params["ext"]
    if task is None or state.status(task) != (99, "succeed", True):
        return Response(status_code=404)
    body = work_file(task, request.path_params["kind"], extension)
    if body is None:
        return Response(status_code=404)
    padding = state.config.media_padding_bytes if extension == "mp4" else 0
    return media.serve(request, body, padding, MEDIA_TYPES[extension])


async def zip_media(request: Request, state: SimulatorState) -> Response:
    """The .zip of GET /assets/download: every requested file type (all of them without fileTypes) of each work."""
    wanted = [t for t in request.query_params.get("fileTypes", "").split(",") if t in FILE_TYPES]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for work_id in request.path_params["ids"].split(","):
            task = state.work(int(work_id)) if work_id.isdigit() else None
            if task is None or state.status(task) != (99, "succeed", True):
                continue
            for file_type in file_types(task):
                if wanted and file_type not in wanted:
                    continue
                body = work_file(task, "clean", FILE_TYPES[file_type])
                if body is not None:
                    archive.writestr(f"{work_id}.{FILE_TYPES[file_type]}", body)
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
    """The preview video or cover of an effect or official motion, an avatar template's picture or a voice's
    example (``presets.py``)."""
    name, extension = request.path_params["name"], request.path_params["ext"]
    info = preset(name, extension) if extension in ("mp4", "png", "mp3") else None
    if info is None:
        return Response(status_code=404)
    aspect = info.aspect_ratio or "16:9"
    if extension == "mp3":
        return media.serve(request, audio.mp3(info.seconds or 3), 0, "audio/mpeg")
    if extension == "png":
        picture = media.picture("clean", info.width, info.height) if name.startswith("avatar_") else media.cover(aspect)
        return media.serve(request, picture, 0, "image/png")
    return media.serve(request, media.video("clean", aspect, info.seconds or 5, info.audio), 0)
