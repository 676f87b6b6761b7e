"""The simulator's account endpoints: the task history (GET /tasks, reference §6.3), deleting a task (DELETE
/tasks/{id}, §6.4), useapi's scheduler (GET /scheduler, GET /scheduler/available, DELETE /scheduler/{id}, §4) and the
uploaded files (GET and DELETE /assets/uploaded/, §7.3). Sources are ``rules.SOURCES`` DOC-TASKS, DOC-SCHEDULER and
DOC-UPLOADED; where they leave a behaviour open, the docstring says [INF].
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kling_mcp.simulator import media
from kling_mcp.simulator.handlers import ApiError, account_email, base_url, task_response
from kling_mcp.simulator.lookups import upload_info
from kling_mcp.simulator.state import SimTask, SimulatorState

CONTENT_TYPES = ("video", "image", "audio")  # Postman: GET /tasks and GET /assets/uploaded/ contentType
TASKS_PAGE_DEFAULT = 20  # GET /tasks pageSize: no default is documented [INF]
UPLOADS_PAGE_DEFAULT = 20  # DOC-UPLOADED: pageSize default 20
MAX_DELETE_UPLOADS = 10  # DOC-UPLOADED: "a comma-separated list of up to 10 numeric IDs"


def _whole(request: Request, name: str, default: int | None, low: int = 1) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < low:
        allowed = f"a whole number, {low} or more"
        raise ApiError(400, f"Parameter {name} {raw[:30]!r} is not supported. Valid values: {allowed}")
    return int(raw)


def _content_type(request: Request) -> str | None:
    value = request.query_params.get("contentType") or None
    if value is not None and value not in CONTENT_TYPES:
        raise ApiError(
            400, f"Parameter contentType {value[:20]!r} is not supported. Valid values: {', '.join(CONTENT_TYPES)}"
        )
    return value


# --- tasks ------------------------------------------------------------------------------------------------------------


async def list_tasks(request: Request, state: SimulatorState) -> Response:
    """GET /tasks: ``{"history": [...]}``, newest first (DOC-TASKS). Each entry is the task as its poll answers it
    (status fields, ``task``, ``works``: the page's sample shows the works; the rest is [INF]); a task whose poll
    answers 404 (deleted, moderated, out of credits) is not listed. createdBefore / createdAfter are epoch ms and
    "Cannot be used with" each other; after a moment the ``pageSize`` oldest are given, so that createdAfter pages
    forward as createdBefore pages back [INF]."""
    email = account_email(state, request.query_params.get("email"))
    size = _whole(request, "pageSize", TASKS_PAGE_DEFAULT)
    before = _whole(request, "createdBefore", None, 0)
    after = _whole(request, "createdAfter", None, 0)
    if before is not None and after is not None:
        raise ApiError(400, "Parameters createdBefore and createdAfter cannot be used together; give one of them")
    content = _content_type(request)
    history: list[dict[str, Any]] = []
    for task in state.history(email, content=content, before_ms=before, after_ms=after):
        answer = task_response(request, state, task)
        if answer is not None:
            history.append(answer.model_dump(mode="json", exclude_none=True))
    page = size or TASKS_PAGE_DEFAULT
    return JSONResponse({"history": history[-page:] if after is not None else history[:page]})


async def delete_task(request: Request, state: SimulatorState) -> Response:
    """DELETE /tasks/{id}: ``{"deleted": <works>, "workIds": [...]}``; 400 ``Invalid task_id parameter``; 404 ``No
    works found for task <id>`` for a task that is missing, another account's, or has no works (not succeeded)
    (DOC-TASKS, reference §6.4). Afterwards the task's poll answers 404 and its files are gone."""
    email = account_email(state, request.query_params.get("email"))
    raw = request.path_params["task_id"]
    if not (raw.isascii() and raw.isdigit()):
        raise ApiError(400, "Invalid task_id parameter")
    task = state.task(int(raw))
    if task is None or task.email != email or state.status(task) != (99, "succeed", True):
        raise ApiError(404, f"No works found for task {int(raw)}")
    state.delete_task(email, task.id)
    return JSONResponse({"deleted": len(task.work_ids), "workIds": task.work_ids})


# --- scheduler --------------------------------------------------------------------------------------------------------


def _running(state: SimulatorState, task: SimTask) -> dict[str, Any]:
    """A running task as GET /scheduler lists it (DOC-SCHEDULER: id, email, started ISO, elapsed MM:SS, replyUrl,
    replyRef; the last two only when the create gave them [INF])."""
    elapsed = max(0, int(state.clock() - task.created))
    started = datetime.fromtimestamp(task.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    item: dict[str, Any] = {
        "id": task.id,
        "email": task.email,
        "started": started,
        "elapsed": f"{elapsed // 60:02d}:{elapsed % 60:02d}",
    }
    if task.reply_url:
        item["replyUrl"] = task.reply_url
    if task.reply_ref:
        item["replyRef"] = task.reply_ref
    return item


async def scheduler(_request: Request, state: SimulatorState) -> Response:
    """GET /scheduler: the tasks useapi tracks, every account (a JSON array, DOC-SCHEDULER)."""
    return JSONResponse([_running(state, task) for task in state.running()])


async def available(_request: Request, state: SimulatorState) -> Response:
    """GET /scheduler/available: ``{"executing": [...], "available": [{email, maxJobs, executing, available}]}`` with
    ``available = maxJobs - executing`` per account (DOC-SCHEDULER, reference §4.2)."""
    executing = [_running(state, task) for task in state.running()]
    slots = []
    for email, account in state.accounts.items():
        busy = state.executing(email)
        slots.append(
            {"email": email, "maxJobs": account.max_jobs, "executing": busy, "available": account.max_jobs - busy}
        )
    return JSONResponse({"executing": executing, "available": slots})


async def stop_tracking(request: Request, state: SimulatorState) -> Response:
    """DELETE /scheduler/{id}: 204 and useapi stops tracking the task, which keeps running at Kling (and was billed)
    and frees its job slot; 404 ``Unable to locate running task_id <id>`` otherwise (DOC-SCHEDULER, reference §4.3:
    204 and 404 [INF] from the sibling TemPolor page)."""
    raw = request.path_params["task_id"]
    if not (raw.isascii() and raw.isdigit()) or not state.untrack(int(raw)):
        raise ApiError(404, f"Unable to locate running task_id {raw[:40]}")
    return Response(status_code=204)


# --- uploaded assets --------------------------------------------------------------------------------------------------


def _uploaded_asset(request: Request, state: SimulatorState, row: tuple[str, str, str, float]) -> dict[str, Any] | None:
    asset_id, name, content_type, created = row
    item = state.upload(name)
    if item is None:
        return None
    info = upload_info(*item)
    base = base_url(request)
    url = f"{base}/cdn/uploads/{name}"
    seconds = info.seconds or 0.0
    resource = {
        "resource": url,
        "height": info.height,
        "width": info.width,
        "duration": round(seconds * 1000) if info.kind != "image" else 0,
        "resourceKey": "",
    }
    if info.kind == "video":
        width, height = media.dimensions(info.aspect_ratio or "16:9")
        cover = {"resource": f"{base}/cdn/covers/{name}.png", "height": height, "width": width, "duration": 0}
    else:
        cover = {"resource": "", "height": 1, "width": 1, "duration": 0}  # DOC-UPLOADED's image sample
    created_ms = int(created * 1000)
    return {
        "id": asset_id,
        "name": name,
        "userId": 1,
        "contentType": "audio" if content_type.startswith("audio/") else info.kind,
        "resource": resource,
        "cover": {**cover, "resourceKey": ""},
        "createTime": created_ms,
        "updateTime": created_ms,
        "favored": False,
        "extraInfo": "{}",
        "entrance": "",
    }


async def list_uploaded(request: Request, state: SimulatorState) -> Response:
    """GET /assets/uploaded/: ``{"uploadAssetsList": [...]}`` (DOC-UPLOADED): pageNum (default 1), pageSize (default
    20), contentType, fileName (keyword), sort asc|desc by upload time (default desc)."""
    email = account_email(state, request.query_params.get("email"))
    page = _whole(request, "pageNum", 1) or 1
    size = _whole(request, "pageSize", UPLOADS_PAGE_DEFAULT) or UPLOADS_PAGE_DEFAULT
    content = _content_type(request)
    keyword = (request.query_params.get("fileName") or "").lower()
    order = request.query_params.get("sort") or "desc"
    if order not in ("asc", "desc"):
        raise ApiError(400, f"Parameter sort {order[:20]!r} is not supported. Valid values: asc, desc")
    rows = state.uploaded(email)
    if order == "desc":
        rows.reverse()
    listing = []
    for row in rows:
        asset = _uploaded_asset(request, state, row)
        if asset is None or (content and asset["contentType"] != content) or keyword not in row[1].lower():
            continue
        listing.append(asset)
    return JSONResponse({"uploadAssetsList": listing[(page - 1) * size : page * size]})


async def delete_uploaded(request: Request, state: SimulatorState) -> Response:
    """DELETE /assets/uploaded/?email=&id=: ``{"deleted": n, "ids": [...]}`` (DOC-UPLOADED, May 6 2026: email and id
    are required; id is one numeric id or a comma list of up to 10). Ids the account does not have are skipped [INF];
    the files deleted are no longer served."""
    email = request.query_params.get("email")
    if not email:
        raise ApiError(400, "Parameter email is required")
    email = account_email(state, email)
    raw = request.query_params.get("id") or ""
    ids = [part.strip() for part in raw.split(",")]
    if not raw or len(ids) > MAX_DELETE_UPLOADS or not all(i.isascii() and i.isdigit() for i in ids):
        raise ApiError(
            400,
            f"Parameter id ({raw[:200]}) must be a numeric string or a comma-separated list of up to "
            f"{MAX_DELETE_UPLOADS} numeric strings",
        )
    deleted = state.delete_uploaded(email, list(dict.fromkeys(ids)))
    return JSONResponse({"deleted": len(deleted), "ids": deleted})
