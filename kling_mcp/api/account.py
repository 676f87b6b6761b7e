"""The account family: the account's task history (GET /tasks), deleting a task (DELETE /tasks/{id}), useapi's
scheduler (GET /scheduler, GET /scheduler/available, DELETE /scheduler/{id}) and the uploaded files (GET and DELETE
/assets/uploaded/) — wire models and the client methods (``AccountEndpoints``, a mixin of ``KlingClient``).

Sources: reference §4 (scheduler), §6.3 (GET /tasks), §6.4 (DELETE /tasks/{id}), §7.3 (uploaded assets), with the
query fields of useapi's Postman collection (2026-07-20) and the answers of useapi's doc pages where the reference
stops short (each cited where used). Every call here is repeatable: reads, and deletes (a delete sent twice deletes
nothing more), so all go through the client's read loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from kling_mcp.api.errors import InvalidParameterError, Operation
from kling_mcp.api.models import Resource, TaskInner, Work, _Response, readable

if TYPE_CHECKING:
    from kling_mcp.api.client import ModelT, _Answer

ContentType = Literal["video", "image", "audio"]
CONTENT_TYPES: tuple[ContentType, ...] = ("video", "image", "audio")  # Postman, GET /tasks and GET /assets/uploaded
# DELETE /assets/uploaded/: "id … or comma-separated list of up to 10 numeric ids" (Postman; useapi doc "Delete
# uploaded Kling assets", 2026-05-06).
MAX_DELETE_UPLOADS = 10

# --- GET /tasks -------------------------------------------------------------------------------------------------------


class HistoryWork(Work):
    """One work of a history entry. useapi doc "Retrieve Kling tasks" (2025-04-18) shows each work with its own
    ``taskId``, ``type``, ``createTime`` and ``taskInfo`` (the task object itself is not shown in its sample)."""

    taskId: int | None = None
    type: str | None = None
    status_final: bool | None = None
    createTime: int | None = None
    updateTime: int | None = None
    taskInfo: dict[str, Any] | None = None


class HistoryEntry(_Response):
    """One task of GET /tasks' ``history``. The doc's sample shows only ``works``; a ``task`` object like GET
    /tasks/{id}'s is read when present [INF]. ``task_id`` is the task's id or, failing that, its works' ``taskId``."""

    task: TaskInner | None = None
    works: list[HistoryWork] = Field(default_factory=list)
    status: int | None = None
    status_name: str | None = None
    status_final: bool | None = None

    @property
    def task_id(self) -> int | None:
        if self.task is not None:
            return self.task.id
        return next((work.taskId for work in self.works if work.taskId is not None), None)

    def _first(self, name: str) -> Any:
        """A field of the task object, else of the entry itself, else of its first work that has it."""
        for source in (self.task, self):
            value = getattr(source, name, None) if source is not None else None
            if value is not None:
                return value
        return next((getattr(work, name) for work in self.works if getattr(work, name, None) is not None), None)

    @property
    def status_code(self) -> int | None:
        return self._first("status")  # type: ignore[no-any-return]

    @property
    def state_name(self) -> str | None:
        return self._first("status_name")  # type: ignore[no-any-return]

    @property
    def final(self) -> bool | None:
        return self._first("status_final")  # type: ignore[no-any-return]

    @property
    def created_ms(self) -> int | None:
        return self._first("createTime")  # type: ignore[no-any-return]

    @property
    def updated_ms(self) -> int | None:
        return self._first("updateTime")  # type: ignore[no-any-return]

    @property
    def kind(self) -> str | None:
        """Kling's task type, such as ``m2v_img2video_hq``."""
        return self._first("type")  # type: ignore[no-any-return]

    @property
    def info(self) -> dict[str, Any]:
        found = self._first("taskInfo")
        return found if isinstance(found, dict) else {}

    def argument(self, name: str) -> str | None:
        """A value of ``taskInfo.arguments`` (``[{"name": "prompt", "value": "…"}]``, reference §6.1)."""
        for item in self.info.get("arguments") or []:
            if isinstance(item, dict) and item.get("name") == name and isinstance(item.get("value"), str):
                return str(item["value"])
        return None


class TaskHistory(_Response):
    """GET /tasks: ``{"history": [...]}`` (reference §6.3). ``history`` keeps the entries as they come; ``entries``
    are those that name a task (an entry the model cannot read is left out, not fatal: one odd task must not hide
    the others)."""

    history: list[Any] = Field(default_factory=list)

    @property
    def entries(self) -> list[HistoryEntry]:
        return [entry for entry in readable(HistoryEntry, self.history) if entry.task_id is not None]


class TaskDeleted(_Response):
    """DELETE /tasks/{id}: ``{"deleted": <number of works>, "workIds": [...]}`` (reference §6.4, useapi doc of
    2025-10-07). All optional: an empty answer reads as nothing reported."""

    deleted: int | None = None
    workIds: list[int] = Field(default_factory=list)


# --- the scheduler ----------------------------------------------------------------------------------------------------


class RunningTask(_Response):
    """A task useapi is tracking (reference §4.1; useapi doc "Retrieve running tasks", 2025-04-18): ``id`` (the Kling
    task id), ``email``, ``started`` (ISO), ``elapsed`` (MM:SS), ``replyUrl``, ``replyRef``; all optional."""

    id: int | None = None
    email: str | None = None
    started: str | None = None
    elapsed: str | None = None
    replyUrl: str | None = None
    replyRef: str | None = None


class RunningTasks(_Response):
    """GET /scheduler: a bare JSON array of running tasks (reference §4.1), held in ``tasks``."""

    tasks: list[RunningTask] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _wrap(cls, data: Any) -> Any:
        return {"tasks": data} if isinstance(data, list) else data


class AccountSlots(_Response):
    """One account of GET /scheduler/available: ``available = maxJobs - executing`` (reference §4.2)."""

    email: str | None = None
    maxJobs: int | None = None
    executing: int | None = None
    available: int | None = None

    @property
    def free(self) -> int | None:
        """Free job slots: ``available``, else worked out from ``maxJobs`` and ``executing``."""
        if self.available is not None:
            return self.available
        if self.maxJobs is not None and self.executing is not None:
            return self.maxJobs - self.executing
        return None


class Capacity(_Response):
    """GET /scheduler/available: ``{"executing": [...], "available": [...]}`` (reference §4.2). ``executing`` is None
    when the answer leaves it out (then GET /scheduler lists the running tasks)."""

    executing: list[RunningTask] | None = None
    available: list[AccountSlots] = Field(default_factory=list)


class TrackingStopped(_Response):
    """DELETE /scheduler/{id}: no body is documented (reference §4.3: success "no body"; 204 [INF])."""


# --- uploaded assets --------------------------------------------------------------------------------------------------


class UploadedAsset(_Response):
    """One entry of ``uploadAssetsList`` (reference §7.3; useapi doc "Retrieve uploaded Kling assets", 2025-08-08):
    ``id`` is a string of digits (a number is read as one), ``name`` the generated file name, ``resource`` the file."""

    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    id: str | None = None
    name: str | None = None
    contentType: str | None = None
    resource: Resource | None = None
    cover: Resource | None = None
    createTime: int | None = None


class UploadedAssets(_Response):
    """GET /assets/uploaded/: ``{"uploadAssetsList": [...]}``; ``assets`` are the entries that carry an id."""

    uploadAssetsList: list[Any] = Field(default_factory=list)

    @property
    def assets(self) -> list[UploadedAsset]:
        return [asset for asset in readable(UploadedAsset, self.uploadAssetsList) if asset.id]


class UploadsDeleted(_Response):
    """DELETE /assets/uploaded/: ``{"deleted": 1, "ids": ["869218167527833688"]}`` (useapi doc "Delete uploaded Kling
    assets", 2026-05-06; every field optional)."""

    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    deleted: int | None = None
    ids: list[str] = Field(default_factory=list)


# --- client methods ---------------------------------------------------------------------------------------------------


class AccountEndpoints:
    """Client methods of the account family. Mixed into KlingClient, whose request loop they use."""

    if TYPE_CHECKING:

        async def _read(
            self, model: type[ModelT], method: str, path: str, *, operation: Operation, **kwargs: Any
        ) -> ModelT: ...

        async def _repeatable(self, method: str, path: str, *, operation: Operation, **kwargs: Any) -> _Answer: ...

    async def list_tasks(
        self,
        *,
        email: str | None = None,
        page_size: int | None = None,
        created_before: int | None = None,
        created_after: int | None = None,
        content_type: str | None = None,
    ) -> TaskHistory:
        """GET /tasks (reference §6.3; Postman): ``pageSize``, ``createdBefore`` / ``createdAfter`` (epoch ms; "Cannot
        be used with" each other, useapi doc "Retrieve Kling tasks" 2025-04-18), ``contentType`` video|image|audio."""
        if created_before is not None and created_after is not None:
            raise InvalidParameterError(
                "created_after",
                created_after,
                "useapi's GET /tasks takes createdBefore or createdAfter, not both",
                "one of the two",
            )
        params = _query(email)
        if page_size is not None:
            params["pageSize"] = str(int(page_size))
        if created_before is not None:
            params["createdBefore"] = str(int(created_before))
        if created_after is not None:
            params["createdAfter"] = str(int(created_after))
        if content_type is not None:
            params["contentType"] = _content_type(content_type)
        return await self._read(TaskHistory, "GET", "/tasks", operation="download", params=params)

    async def delete_task(self, task_id: int, email: str | None = None) -> TaskDeleted:
        """DELETE /tasks/{task_id}?email= (reference §6.4): the task and all its works, at Kling, for good. A 404
        (``No works found for task <id>``) is NotFoundError."""
        return await self._delete(TaskDeleted, f"/tasks/{int(task_id)}", _query(email))

    async def list_running(self) -> RunningTasks:
        """GET /scheduler: the tasks useapi is tracking, every account (reference §4.1; no query)."""
        return await self._read(RunningTasks, "GET", "/scheduler", operation="download")

    async def get_capacity(self) -> Capacity:
        """GET /scheduler/available: free job slots per account and the running tasks (reference §4.2; no query)."""
        return await self._read(Capacity, "GET", "/scheduler/available", operation="download")

    async def stop_tracking(self, task_id: int) -> TrackingStopped:
        """DELETE /scheduler/{task_id} (reference §4.3): useapi stops tracking the task, which keeps running (and
        billing) at Kling. A task it is not tracking is a 404 (``Unable to locate running task_id <id>``)."""
        return await self._delete(TrackingStopped, f"/scheduler/{int(task_id)}", {})

    async def list_uploaded(
        self,
        *,
        email: str | None = None,
        page_num: int | None = None,
        page_size: int | None = None,
        content_type: str | None = None,
        file_name: str | None = None,
        sort: str | None = None,
    ) -> UploadedAssets:
        """GET /assets/uploaded/ (reference §7.3; Postman): ``pageNum`` (default 1), ``pageSize`` (default 20),
        ``contentType``, ``fileName`` (keyword), ``sort`` asc|desc (default desc)."""
        params = _query(email)
        if page_num is not None:
            params["pageNum"] = str(int(page_num))
        if page_size is not None:
            params["pageSize"] = str(int(page_size))
        if content_type is not None:
            params["contentType"] = _content_type(content_type)
        if file_name is not None:
            params["fileName"] = file_name
        if sort is not None:
            if sort not in ("asc", "desc"):
                raise InvalidParameterError("sort", sort, "not a sort direction", ["asc", "desc"])
            params["sort"] = sort
        return await self._read(UploadedAssets, "GET", "/assets/uploaded/", operation="download", params=params)

    async def delete_uploaded(self, ids: Sequence[str], email: str | None = None) -> UploadsDeleted:
        """DELETE /assets/uploaded/?email=&id= (Postman: ``email`` required, ``id`` one or a comma list of up to 10
        numeric ids). Ids are checked here, before anything is sent."""
        params = {**_query(email), "id": ",".join(upload_ids(ids))}
        return await self._delete(UploadsDeleted, "/assets/uploaded/", params)

    async def _delete(self, model: type[ModelT], path: str, params: dict[str, str]) -> ModelT:
        """A DELETE through the read loop (sent again only after a transient failure: a second delete removes
        nothing more). An empty body (a 204) reads as an empty answer."""
        from kling_mcp.api.client import _parse

        answer = await self._repeatable("DELETE", path, operation="download", params=params)
        if not answer.text.strip():
            return model.model_validate({})
        return _parse(model, answer)


def upload_ids(ids: Sequence[str]) -> list[str]:
    """The ids of uploaded files as DELETE /assets/uploaded/ takes them: 1 to MAX_DELETE_UPLOADS strings of digits
    (Postman: "comma-separated list of up to 10 numeric ids"), duplicates dropped, order kept."""
    allowed = f"1 to {MAX_DELETE_UPLOADS} ids from list_uploads, each a string of digits such as 869218167527833688"
    cleaned = list(dict.fromkeys(str(value).strip() for value in ids))
    if not cleaned or len(cleaned) > MAX_DELETE_UPLOADS:
        raise InvalidParameterError("ids", list(ids), f"{len(cleaned)} distinct ids given", allowed)
    for value in cleaned:
        if not (value.isascii() and value.isdigit()):
            raise InvalidParameterError("ids", value, "not an uploaded file's id", allowed)
    return cleaned


def _content_type(value: str) -> str:
    if value not in CONTENT_TYPES:
        raise InvalidParameterError("content_type", value, "not a content type", list(CONTENT_TYPES))
    return value


def _query(email: str | None) -> dict[str, str]:
    # The client's own email check (imported here: client.py imports this module).
    from kling_mcp.api.client import _email

    return _email(email)


__all__ = [
    "CONTENT_TYPES",
    "MAX_DELETE_UPLOADS",
    "AccountEndpoints",
    "AccountSlots",
    "Capacity",
    "ContentType",
    "HistoryEntry",
    "HistoryWork",
    "RunningTask",
    "RunningTasks",
    "TaskDeleted",
    "TaskHistory",
    "TrackingStopped",
    "UploadedAsset",
    "UploadedAssets",
    "UploadsDeleted",
    "upload_ids",
]
