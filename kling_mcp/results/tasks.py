"""What the tools say: pydantic output models (published as each tool's outputSchema), each with its short text
(``summary``), and the rendering of what the service answers into them, with the next step for the agent.

Field names here are our contract with agents; upstream names stay in ``api/models.py``, and the facts themselves come
from ``jobs/`` (``TaskReport``, ``Download``, ``AccountBalance``), which knows nothing of this module.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from kling_mcp.api import video as api_video
from kling_mcp.jobs.downloads import Download
from kling_mcp.jobs.ledger import Job
from kling_mcp.jobs.service import AccountBalance
from kling_mcp.jobs.spending import Spending
from kling_mcp.jobs.tasks import Output, TaskReport, TaskState

# Seed: "useapi scripts poll every 15–20 s"; a queued task moves slower than a running one.
POLL_AFTER_QUEUED_S = 20
POLL_AFTER_RUNNING_S = 15


class VideoInfo(BaseModel):
    work_id: int = Field(description="Pass to download_clean as work_id.")
    url: str = Field(
        description="The WATERMARKED preview (works[].resource.resource). Use download_clean for the "
        "watermark-free master."
    )
    watermarked: Literal[True] = True
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    local_path: str | None = Field(default=None, description="Where the clean master was saved, once downloaded.")


class ImageInfo(BaseModel):
    work_id: int = Field(description="Pass to download_clean as work_id.")
    url: str = Field(description="The WATERMARKED preview. Use download_clean for the watermark-free PNG.")
    watermarked: Literal[True] = True
    width: int | None = None
    height: int | None = None
    local_path: str | None = Field(default=None, description="Where the clean image was saved, once downloaded.")


class AudioInfo(BaseModel):
    work_id: int = Field(description="Pass to download_clean as work_id.")
    url: str = Field(description="The WATERMARKED preview. Use download_clean for the watermark-free file.")
    watermarked: Literal[True] = True
    duration_s: float | None = None
    local_path: str | None = Field(default=None, description="Where the clean audio was saved, once downloaded.")


class TaskResult(BaseModel):
    """A task's state and outputs. Outputs are listed by kind (works[].contentType): ``videos``, ``images`` and
    ``audio``; a task may have several of one kind, and download_clean takes the work_id of any of them."""

    task_id: int = Field(description="Kling task id: keep it; poll it with get_task.")
    state: TaskState
    status: int = Field(
        description="Upstream status code (5 submitted, 10 processing, 99 succeed, 6/7/9/50/53/54/58 failed)."
    )
    status_name: str = Field(description="Upstream status name.")
    final: bool = Field(description="True once the task will not change any more.")
    videos: list[VideoInfo] = Field(default_factory=list)
    images: list[ImageInfo] = Field(default_factory=list)
    audio: list[AudioInfo] = Field(default_factory=list)
    error: str | None = Field(default=None, description="Upstream reason when the task failed.")
    poll_after_s: int | None = Field(default=None, description="While not final: seconds to wait before get_task.")
    next_step: str = Field(description="What to do next.")
    model_name: str | None = None
    email: str | None = None
    estimated_credits: float | None = Field(
        default=None,
        description="Kling credits this generation is estimated "
        "to cost (see kling://models for the source of each rate).",
    )
    idempotency_key: str | None = None
    reused: bool = Field(
        default=False,
        description="True when an earlier submission with the same "
        "idempotency_key was returned instead of submitting again.",
    )
    estimate_note: str | None = Field(default=None, description="A caveat about the estimate or the request.")
    capacity_wait_s: float | None = Field(
        default=None,
        description="Seconds the submission waited for a free job slot (useapi answered 429) before it was accepted.",
    )
    warning: str | None = Field(default=None, description="Something the user should know although the call worked.")

    def summary(self) -> str:
        head = f"Task {self.task_id}: {self.state} (status {self.status} {self.status_name})."
        if self.reused:
            head = f"Already submitted with this idempotency_key; nothing new was spent. {head}"
        if self.estimated_credits is not None and not self.reused:
            head += f" Estimated cost: {self.estimated_credits:g} credits."
        if self.estimate_note and not self.reused:
            head += f" Note: {self.estimate_note}"
        if self.capacity_wait_s:
            head += f" Waited {self.capacity_wait_s:.0f} s for a free job slot (all busy) before it was accepted."
        parts = [head]
        if self.warning:
            parts.append(f"Warning: {self.warning}")
        works: list[tuple[str, VideoInfo | ImageInfo | AudioInfo]] = [
            *(("Video", video) for video in self.videos),
            *(("Image", image) for image in self.images),
            *(("Audio", sound) for sound in self.audio),
        ]
        for name, work in works:
            parts.append(f"{name} work_id {work.work_id} (watermarked preview): {work.url}")
            if work.local_path:
                parts.append(f"Clean master saved at {work.local_path}")
        if self.error:
            parts.append(f"Reason: {self.error}")
        parts.append(self.next_step)
        return "\n".join(parts)


def task_result(report: TaskReport) -> TaskResult:
    """The task as the agent reads it, with what to do next."""
    state, tid = report.state, report.task_id
    poll_after: int | None = None
    if state == "failed":
        next_step = "The task failed and will not change: do not poll it again. Adjust the request and submit anew."
    elif state == "succeeded":
        next_step = (
            f"Done. Call download_clean with task_id={tid} to save the watermark-free master "
            "(the url above is the watermarked preview)."
        )
        if len(report.works) > 1:
            next_step += (
                f" This task has {len(report.works)} outputs: pass work_id to choose one (without it, the first, "
                f"work_id {report.works[0].work_id}, is saved)."
            )
    else:
        poll_after = POLL_AFTER_QUEUED_S if state == "queued" else POLL_AFTER_RUNNING_S
        next_step = (
            f"Still {state}. Call get_task with task_id={tid} again in about {poll_after} s "
            "(or pass wait_seconds to wait server-side); videos usually take a few minutes."
        )
    answer = report.answer
    return TaskResult(
        task_id=tid,
        state=state,
        status=answer.status,
        status_name=answer.status_name,
        final=answer.status_final,
        videos=[VideoInfo(**_fields(video, VideoInfo)) for video in report.videos],
        images=[ImageInfo(**_fields(image, ImageInfo)) for image in report.images],
        audio=[AudioInfo(**_fields(sound, AudioInfo)) for sound in report.audio],
        error=report.error,
        poll_after_s=poll_after,
        next_step=next_step,
        **asdict(report.facts),
    )


def _fields(work: Output, model: type[BaseModel]) -> dict[str, Any]:
    """The fields of a task's output that ``model`` shows."""
    return {key: value for key, value in asdict(work).items() if key in model.model_fields}


_KIND_NAMES = {"video": "", "image": "image ", "audio": "audio "}


class DownloadResult(BaseModel):
    task_id: int
    work_id: int
    kind: Literal["video", "image", "audio"] = Field(default="video", description="What the file is.")
    url: str = Field(description="Where the file was fetched from.")
    clean: bool = Field(description="True: the watermark-free master. False: the WATERMARKED preview (see reason).")
    watermarked: bool
    reason: str | None = Field(default=None, description="Why the clean master could not be had, when clean is false.")
    saved: bool
    path: str | None = None
    bytes: int | None = None
    already_downloaded: bool = False
    other_work_ids: list[int] = Field(
        default_factory=list,
        description="The task's other outputs when no work_id was given (the first was taken): pass one as work_id.",
    )

    def summary(self) -> str:
        noun = _KIND_NAMES[self.kind]
        kind = f"clean {noun}master (no watermark)" if self.clean else f"WATERMARKED {noun}preview"
        if not self.saved:
            text = f"Task {self.task_id} work {self.work_id}: {kind} URL: {self.url}"
        else:
            again = " (already downloaded earlier)" if self.already_downloaded else ""
            text = f"Saved the {kind} of task {self.task_id} to {self.path} ({self.bytes} bytes){again}."
        if self.reason:
            text += f"\nNot clean because: {self.reason}"
        if self.other_work_ids:
            ids = ", ".join(str(i) for i in self.other_work_ids)
            text += (
                f"\nThis was the task's first output (work_id {self.work_id}); {len(self.other_work_ids)} other(s): "
                f"work_id {ids}. Call download_clean with work_id to save another."
            )
        return text


def download_result(download: Download) -> DownloadResult:
    return DownloadResult(**asdict(download), watermarked=not download.clean)


class CreditGrant(BaseModel):
    type: str | None = None
    amount: float | None = None
    remaining: float | None = None
    starts_at: str | None = None
    expires_at: str | None = None


UNIT_NOTE = (
    "balance_total is useapi's balance.total exactly as reported, in useapi's own unit, which it does not document; "
    "its documentation's sample (66000 for a plan of 660 Kling credits) suggests Kling credits x 100, so it is not "
    "converted here. Grant amounts are in the same raw unit."
)


class SpendingReport(BaseModel):
    """Estimated Kling credits spent in the last 24 hours, from the job ledger (every job that may have been billed)."""

    estimated_credits_24h: float = Field(description="Kling credits (estimates) of the jobs of the last 24 hours.")
    jobs_24h: int
    by_model: dict[str, float]
    by_account: dict[str, float]
    daily_budget: float | None = Field(description="KLING_MCP_DAILY_BUDGET, or null for no limit.")
    left_of_budget: float | None = Field(description="Credits the budget still allows in the rolling 24 hours.")
    max_credits_per_call: float | None = Field(description="KLING_MCP_MAX_CREDITS_PER_CALL, or null for no limit.")
    balance_total_change_24h: float | None = Field(
        default=None,
        description="How much this account's balance.total fell since the first reading of the last 24 hours, in "
        "useapi's raw unit (null without an earlier reading); top-ups make it smaller.",
    )

    def summary(self) -> str:
        text = f"Spent in the last 24 h (estimated): {self.estimated_credits_24h:g} credits over {self.jobs_24h} job(s)"
        if self.daily_budget is not None:
            text += f"; daily budget {self.daily_budget:g}, {self.left_of_budget:g} left"
        if self.max_credits_per_call is not None:
            text += f"; at most {self.max_credits_per_call:g} per call"
        if self.by_model:
            text += "\n  by model: " + ", ".join(f"{k} {v:g}" for k, v in self.by_model.items())
        if len(self.by_account) > 1:
            text += "\n  by account: " + ", ".join(f"{k} {v:g}" for k, v in self.by_account.items())
        if self.balance_total_change_24h is not None:
            text += f"\n  balance.total fell by {self.balance_total_change_24h:g} (raw unit) since the first reading"
        return text


class BalanceResult(BaseModel):
    email: str
    balance_total: float | None = Field(
        description="useapi's balance.total exactly as reported (raw unit, undocumented: see unit_note)."
    )
    grants: list[CreditGrant] = Field(default_factory=list, description="Credit grants; amounts in the raw unit.")
    max_jobs: int | None = Field(default=None, description="How many generations this account may run at once.")
    unit_note: str = UNIT_NOTE
    spending: SpendingReport | None = Field(default=None, description="Estimated spending, from the job ledger.")

    def summary(self) -> str:
        total = "not reported" if self.balance_total is None else f"{self.balance_total:g}"
        text = (
            f"{self.email}: balance.total {total} (useapi's raw value; unit undocumented, likely Kling credits x 100)"
        )
        if self.max_jobs is not None:
            text += f", up to {self.max_jobs} jobs at once"
        for grant in self.grants:
            if grant.remaining is None or grant.amount is None:
                continue
            text += f"\n- {grant.type or 'grant'}: {grant.remaining:g} of {grant.amount:g} left (raw unit)"
            if grant.expires_at:
                text += f", expires {grant.expires_at}"
        if self.spending is not None:
            text += "\n" + self.spending.summary()
        return text


def spending_report(figures: Spending) -> SpendingReport:
    return SpendingReport(
        estimated_credits_24h=figures.last_24h,
        jobs_24h=figures.jobs_24h,
        by_model=figures.by_model,
        by_account=figures.by_account,
        daily_budget=figures.daily_budget,
        left_of_budget=figures.left_today,
        max_credits_per_call=figures.max_credits_per_call,
        balance_total_change_24h=figures.balance_change,
    )


def balance_result(balance: AccountBalance) -> BalanceResult:
    account = balance.account
    points = account.balance.points if account.balance else []
    grants = [
        CreditGrant(
            type=p.type,
            amount=p.amount,
            remaining=p.balance,
            starts_at=_iso(p.startTime),
            expires_at=_iso(p.endTime),
        )
        for p in points
    ]
    return BalanceResult(
        email=balance.email,
        balance_total=account.balance.total if account.balance else None,
        grants=grants,
        max_jobs=account.maxJobs,
        spending=None if balance.spending is None else spending_report(balance.spending),
    )


def _iso(epoch_ms: int | None) -> str | None:
    if epoch_ms is None:
        return None
    try:
        return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return None


class ErrorInfo(BaseModel):
    code: str
    message: str
    hint: str = ""
    details: dict[str, Any] = Field(default_factory=dict)


class JobList(BaseModel):
    jobs: list[Job]

    def summary(self) -> str:
        if not self.jobs:
            return "No jobs recorded."
        lines = [f"{len(self.jobs)} job(s), newest first:"]
        for job in self.jobs:
            where = f" -> {job.path}" if job.path else ""
            task = f"task {job.task_id}" if job.task_id is not None else f"ledger job {job.id} (no task id)"
            lines.append(f"- {task}: {job.state} {job.model_name or ''} {job.created_at}{where}")
            if job.state in ("unknown", "rejected", "failed") and job.error:
                lines.append(f"  reason: {job.error}")
            if job.download_error:
                lines.append(f"  last download failure: {job.download_error}")
        return "\n".join(lines)


class ModelList(BaseModel):
    defaults: dict[str, str]
    aspect_ratios: list[str]
    max_prompt_chars: int
    prompt_length_unit: str
    credits_note: str
    sources: dict[str, str] = Field(description="The documents the rules come from, by the tag each rule cites.")
    source_precedence: str
    models: list[dict[str, Any]]
    endpoints: dict[str, Any] = Field(
        default_factory=dict, description="Every video endpoint: its tool, models, rules (with sources) and credits."
    )

    def summary(self) -> str:
        return "\n".join(f"{m['name']}: {m['summary']}" for m in self.models)


# --- elements, motions, effects (the "elements" and "video" toolsets) ----------------------------------------------

# The entries of GET /videos/effects, /videos/motions and /elements are not described in the reference: an entry is
# shown by its first name-like field, in this order (the service reads effect names the same way).
_NAME_KEYS = ("name", "effect", "id", "key", "value", "title")
_URL_KEYS = ("url", "resourceUrl", "videoUrl", "coverUrl", "cover", "coverImage")


def _entry_name(entry: Any) -> str | None:
    if isinstance(entry, str):
        return entry.strip() or None
    if isinstance(entry, dict):
        for key in _NAME_KEYS:
            value = entry.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def _entry_url(entry: Any) -> str | None:
    if isinstance(entry, dict):
        for key in _URL_KEYS:
            value = entry.get(key)
            if isinstance(value, str) and value.startswith(("https://", "http://")):
                return value
    return None


def _tag_name(tag: Any) -> str | None:
    """An element's tag: a name, or an object with one (useapi's January doc showed ``tag`` as an object)."""
    if tag is None or isinstance(tag, str):
        return tag or None
    return _entry_name(tag)


class ElementInfo(BaseModel):
    element_id: str = Field(description="Pass it in elements (or element) of the video tools; @element_N in prompts.")
    name: str | None = None
    type: str | None = None
    description: str | None = None
    tag: str | None = None
    cover_url: str | None = None

    def line(self) -> str:
        text = f"- {self.element_id}"
        details = [d for d in (self.name, self.type, self.tag) if d]
        if details:
            text += f" ({', '.join(details)})"
        if self.description:
            text += f": {self.description}"
        return text


def element_info(element: api_video.Element) -> ElementInfo:
    return ElementInfo(
        element_id=element.id,
        name=element.name,
        type=element.type,
        description=element.description,
        tag=_tag_name(element.tag),
        cover_url=element.coverImage,
    )


ELEMENT_USE = (
    "Use the element_id in omni_video (elements, @element_1 in the prompt), animate_image or multi_image_video "
    "(elements, kling-v3-0), or motion_control (element)."
)


class NewElements(BaseModel):
    elements: list[ElementInfo] = Field(description="The element(s) created (generate_views may make several).")
    next_step: str

    def summary(self) -> str:
        if not self.elements:
            return f"Element created, but useapi's answer carried no element id.\n{self.next_step}"
        lines = [f"Created {len(self.elements)} element(s):", *(e.line() for e in self.elements), self.next_step]
        return "\n".join(lines)


def new_elements(elements: list[api_video.Element]) -> NewElements:
    step = ELEMENT_USE if elements else "Call list_elements to find its element_id."
    return NewElements(elements=[element_info(e) for e in elements], next_step=step)


class ElementList(BaseModel):
    elements: list[ElementInfo]
    page: int | None = None
    page_size: int | None = None
    next_step: str

    def summary(self) -> str:
        if not self.elements:
            return f"No elements on this page.\n{self.next_step}"
        return "\n".join([f"{len(self.elements)} element(s):", *(e.line() for e in self.elements), self.next_step])


def element_list(listing: api_video.ElementList, *, page: int | None, page_size: int | None) -> ElementList:
    elements = [element_info(e) for e in listing.elements]
    step = ELEMENT_USE if elements else "create_element makes one from an image."
    if page_size is not None and len(elements) >= page_size:
        step += f" More may follow: call list_elements with page={(page or 1) + 1}."
    return ElementList(elements=elements, page=page, page_size=page_size, next_step=step)


class DeletedElement(BaseModel):
    element_id: str
    deleted: Literal[True] = True

    def summary(self) -> str:
        return f"Deleted element {self.element_id}; it can no longer be used."


class MotionList(BaseModel):
    mine: bool = Field(description="True: the account's own motions; false: Kling's motion templates.")
    motions: list[Any] = Field(description="The motions as useapi lists them.")
    next_step: str

    def summary(self) -> str:
        which = "your own motions" if self.mine else "Kling's motion templates"
        lines = [f"{len(self.motions)} of {which}:"]
        for entry in self.motions:
            name, url = _entry_name(entry), _entry_url(entry)
            lines.append(f"- {name or 'unnamed'}" + (f": {url}" if url else ""))
        lines.append(self.next_step)
        return "\n".join(lines)


def motion_list(listing: api_video.Listing, *, mine: bool | None) -> MotionList:
    return MotionList(
        mine=bool(mine),
        motions=listing.items,
        next_step="Pass a motion's url as motion to motion_control, with the image of the person to move.",
    )


class EffectList(BaseModel):
    effects: list[str] = Field(description="The effect names apply_effect takes.")
    entries: list[Any] = Field(description="The effects as useapi lists them.")
    next_step: str

    def summary(self) -> str:
        names = ", ".join(self.effects) if self.effects else "none"
        return f"{len(self.effects)} effect(s): {names}.\n{self.next_step}"


def effect_list(listing: api_video.Listing) -> EffectList:
    names = [name for entry in listing.items if (name := _entry_name(entry))]
    return EffectList(
        effects=names, entries=listing.items, next_step="Call apply_effect with one of these names and an image."
    )
