"""Pydantic models of useapi.net's Kling API v1 requests and responses, in the upstream's own field names.

These models are the one source of truth for the wire shapes: the client parses responses with them and the
embedded simulator builds its responses from them, so the two cannot drift apart.

Sources (see ../shared/reference/useapi-kling-api.md, "the reference" below, and the seed document):
- create and poll responses: seed "Generate a video in two API calls"; reference §5.0 and §6.1.
- accounts and balance: reference §3.1 and §3.2.
- assets: reference §7.1 (upload) and §7.2 (clean download).

Response models tolerate unknown fields (``extra="allow"``) so that an upstream addition never breaks parsing;
request models forbid them so that a typo in our own code fails loudly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError, model_validator

# Task status codes. 5 and 99 are documented (seed; reference §6.1); 10 is inferred from Kling's web status set;
# the failure codes come from the seed ("The terminal failure statuses are 6, 7, 9, 50, 53, 54, and 58").
STATUS_SUBMITTED = 5
STATUS_PROCESSING = 10
STATUS_SUCCEED = 99
FAILURE_STATUSES: frozenset[int] = frozenset({6, 7, 9, 50, 53, 54, 58})
SUCCEED_NAME = "succeed"


class _Response(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


ModelT_ = TypeVar("ModelT_", bound=BaseModel)


def readable(model: type[ModelT_], items: Iterable[Any]) -> list[ModelT_]:
    """The entries of an upstream list that read as ``model``; the others are skipped (useapi's list answers are
    not documented entry by entry, and one odd entry must not hide the rest)."""
    found: list[ModelT_] = []
    for item in items:
        try:
            found.append(model.model_validate(item))
        except ValidationError:
            continue
    return found


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def to_body(self) -> dict[str, Any]:
        """The JSON body as sent upstream: unset fields are omitted, never sent as null."""
        return self.model_dump(mode="json", exclude_none=True)


# --- errors -------------------------------------------------------------------------------------------------------


class ErrorBody(_Response):
    """The flat error object useapi answers with: ``{"error": "...", "code": 401}`` (reference §1)."""

    error: str = ""
    code: int | None = None


# --- accounts -----------------------------------------------------------------------------------------------------


class AccountSession(_Response):
    userId: str | None = None
    ExpireTime: int | None = None
    ExpireTimeUTC: str | None = None


class Account(_Response):
    """One configured Kling account as GET /accounts lists it (reference §3.1: every field optional)."""

    email: str | None = None
    maxJobs: int | None = None
    session: AccountSession | None = None
    password: str | None = None


class BalancePoint(_Response):
    """One credit grant (reference §3.2)."""

    orderId: str | None = None
    type: str | None = None
    amount: float | None = None
    balance: float | None = None
    startTime: int | None = None
    endTime: int | None = None


class Balance(_Response):
    """``balance`` of GET /accounts/{email}: ``total`` is the remaining balance (reference §3.2). The doc's model
    marks it optional, so a balance without it still parses (``None``: unknown)."""

    total: float | None = None
    points: list[BalancePoint] = Field(default_factory=list)
    tickets: list[Any] = Field(default_factory=list)
    nextApplyTime: int | None = None


class AccountDetail(Account):
    """GET /accounts/{email}: the account record plus its balance (reference §3.2)."""

    balance: Balance | None = None


class AccountList(RootModel[dict[str, Account]]):
    """GET /accounts: a JSON object keyed by account email (reference §3.1)."""


# --- generation requests ------------------------------------------------------------------------------------------

MAX_SHOTS = 6  # Postman collection: shot_1_* … shot_6_* on text2video, image2video-frames and omni


class MultiShotFields(_Request):
    """Multi-shot fields (Postman collection, text2video / image2video-frames / omni: "multi-shot (v3 only).
    Per-shot prompt, max 2500 chars. Min 2 shots required"; "per-shot duration in seconds. Total must be 3-15").
    The duration is sent as a JSON number (reference §5.1: ``shot_N_duration`` number). Unset shots are omitted,
    so a request without shots has the same body as before. Rules (2–6 shots, totals) belong to the catalog."""

    shot_1_prompt: str | None = None
    shot_1_duration: int | None = None
    shot_2_prompt: str | None = None
    shot_2_duration: int | None = None
    shot_3_prompt: str | None = None
    shot_3_duration: int | None = None
    shot_4_prompt: str | None = None
    shot_4_duration: int | None = None
    shot_5_prompt: str | None = None
    shot_5_duration: int | None = None
    shot_6_prompt: str | None = None
    shot_6_duration: int | None = None


def shot_fields(shots: Sequence[tuple[str, int]]) -> dict[str, Any]:
    """``shot_N_prompt`` / ``shot_N_duration`` keyword arguments for a request model, N from 1, in order (typed
    ``Any`` so that ``Model(**shot_fields(...))`` type-checks; the model validates each value)."""
    if len(shots) > MAX_SHOTS:
        raise ValueError(f"at most {MAX_SHOTS} shots, not {len(shots)}")
    fields: dict[str, Any] = {}
    for number, (prompt, duration) in enumerate(shots, start=1):
        fields[f"shot_{number}_prompt"] = prompt
        fields[f"shot_{number}_duration"] = duration
    return fields


class Text2VideoRequest(MultiShotFields):
    """POST /videos/text2video body (reference §5.1). ``duration`` is sent as a string, as the docs show.
    ``prompt`` is "Required (unless using multi-shot)" (Postman collection), so the catalog requires it, not this
    model."""

    prompt: str | None = None
    model_name: str
    email: str | None = None
    negative_prompt: str | None = None
    cfg_scale: float | None = None
    duration: str | None = None
    aspect_ratio: str | None = None
    mode: str | None = None
    enable_audio: bool | None = None


class Image2VideoFramesRequest(MultiShotFields):
    """POST /videos/image2video-frames body (reference §5.2). There is no aspect_ratio field on this endpoint.
    ``element_1``…``element_3``: saved element ids, "Up to 3 … Model v3.0 only" (Postman collection)."""

    model_name: str
    email: str | None = None
    image: str | None = None
    image_tail: str | None = None
    element_1: str | None = None
    element_2: str | None = None
    element_3: str | None = None
    prompt: str | None = None
    negative_prompt: str | None = None
    cfg_scale: float | None = None
    duration: str | None = None
    mode: str | None = None
    enable_audio: bool | None = None


# --- tasks --------------------------------------------------------------------------------------------------------


class Resource(_Response):
    """A media file of a work. ``duration`` is in milliseconds (seed: ``"duration": 5041``). Every field is
    optional in the doc's model (reference §6.1): a caller that needs the URL checks ``resource`` itself."""

    resource: str | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None
    resourceKey: str | None = None


class Work(_Response):
    """One output of a task. ``resource.resource`` is the watermarked preview (seed, "Why is my video watermarked").
    ``workId`` is optional in the doc's model (reference §6.1); it is needed only for the clean download."""

    workId: int | None = None
    status: int | None = None
    status_name: str | None = None
    contentType: str | None = None
    resource: Resource | None = None
    cover: Resource | None = None


class TaskInner(_Response):
    """The ``task`` object; ``task.id`` is the id to poll (seed: "The task id you poll on is task.id")."""

    id: int
    userId: int | None = None
    type: str | None = None
    scene: str | None = None
    status: int | None = None
    status_name: str | None = None
    status_final: bool | None = None
    taskInfo: dict[str, Any] | None = None
    createTime: int | None = None
    updateTime: int | None = None


_TOP_LEVEL_STATUS = ("status", "status_name", "status_final")


class TaskResponse(_Response):
    """Create response and GET /tasks/{task_id} alike (seed's two JSON examples; reference §5.0, §6.1).

    The top-level ``status``/``status_name``/``status_final`` are what useapi's own scripts read on a poll, but the
    doc's model marks them optional and the create answer documents only ``task.id`` and ``task.status*``
    (reference §5.0). So each one missing at the top level is taken from ``task``: an answer carrying only
    ``task`` and ``works`` reads the same, and callers always see the effective status here. A status missing in
    both places fails validation (a poll without any status cannot be read; the client fills a create's).
    """

    status: int
    status_name: str
    status_final: bool
    task: TaskInner | None = None
    works: list[Work] = Field(default_factory=list)
    message: str | None = None
    error: str | None = None
    etaTime: int | None = None
    queuingEtaTime: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _status_from_task(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        task = data.get("task")
        missing = [key for key in _TOP_LEVEL_STATUS if data.get(key) is None]
        if not missing or task is None:
            return data
        filled = dict(data)
        for key in missing:
            value = task.get(key) if isinstance(task, dict) else getattr(task, key, None)
            if value is not None:
                filled[key] = value
        return filled


# --- assets -------------------------------------------------------------------------------------------------------


class AssetDownload(_Response):
    """GET /assets/download: ``cdnUrl`` is the file itself for one workId and one fileType (reference §7.2)."""

    cdnUrl: str
    status: str | None = None


class AssetUpload(_Response):
    """POST /assets/: ``url`` is what to pass as ``image`` (reference §7.1: "the field every client reads", so it
    stays required). ``status`` 3 = image, 1 = video; optional in the doc's model."""

    status: int | None = None
    url: str
    message: str | None = None
    fileName: str | None = None
    resourceUrl: str | None = None  # reference §7.1: video uploads only (the processed file)
