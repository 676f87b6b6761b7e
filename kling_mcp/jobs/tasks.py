"""What a task is doing, read from useapi's answer: its state, its outputs (videos, images, audio), why it failed;
and what kling-mcp knows of the submission besides (``Facts``). The service answers with a ``TaskReport``; the MCP
layer and the batch each say it in their own words (``kling_mcp/results`` for agents).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Literal
from urllib.parse import urlsplit

from kling_mcp.api.models import STATUS_SUBMITTED, SUCCEED_NAME, TaskResponse, Work

TaskState = Literal["queued", "running", "succeeded", "failed"]


def task_state(task: TaskResponse) -> TaskState:
    """The robust rule useapi's own scripts use: final + "succeed" = success, any other final = failure
    (reference §6.1)."""
    if task.status_final:
        return "succeeded" if task.status_name == SUCCEED_NAME else "failed"
    return "queued" if task.status == STATUS_SUBMITTED else "running"


WorkKind = Literal["video", "image", "audio"]
WORK_KINDS: tuple[WorkKind, ...] = ("video", "image", "audio")


@dataclass(frozen=True)
class Output:
    """One output (work) of a task: a video, an image or an audio file (``kind``). ``url`` is the WATERMARKED
    preview (works[].resource.resource); ``local_path`` is where the clean master was saved, once it was. A video or
    an audio file has a length, a video or an image a frame size, each when useapi gives it."""

    work_id: int
    url: str
    watermarked: bool = True
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    local_path: str | None = None
    kind: WorkKind = "video"


Video = Output  # the name the callers that read a task's videos use (a video is an Output of kind "video")


def kind_of(work: Work) -> WorkKind:
    """A work's kind from its ``contentType`` ("video" | "image" | "audio", reference §6.1). A work without one is a
    video, as every work was before other kinds were read; a value not among the three is taken from the preview's
    file name (.png/.jpg/.webp: image; .mp3/.wav/…: audio), else a video."""
    content = (work.contentType or "video").strip().lower()
    if content in WORK_KINDS:
        return content
    url = work.resource.resource if work.resource is not None and work.resource.resource else ""
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if suffix in (".png", ".jpg", ".jpeg", ".webp"):
        return "image"
    if suffix in (".mp3", ".wav", ".m4a", ".aac", ".flac", ".ogg"):
        return "audio"
    return "video"


def works_of(task: TaskResponse) -> list[Output]:
    """Every output of the task, in useapi's order, each with its kind. A work without an id or a URL cannot be
    shown or downloaded (both are optional in useapi's answers, reference §6.1), so it is left out."""
    return [
        Output(
            work_id=work.workId,
            url=work.resource.resource,
            width=work.resource.width,
            height=work.resource.height,
            # useapi gives the duration in milliseconds (seed: "duration": 5041); an image's 0 means none
            duration_s=None if not work.resource.duration else round(work.resource.duration / 1000, 3),
            kind=kind_of(work),
        )
        for work in task.works
        if work.workId is not None and work.resource is not None and work.resource.resource
    ]


def videos_of(task: TaskResponse) -> list[Output]:
    """The task's videos (its works of kind "video")."""
    return [work for work in works_of(task) if work.kind == "video"]


def failure_of(task: TaskResponse) -> str | None:
    """Why a failed task failed, in useapi's words when it gave any; None while it has not failed."""
    if task_state(task) != "failed":
        return None
    return task.error or task.message or f"Kling ended the task with status {task.status} ({task.status_name})."


@dataclass
class Facts:
    """What kling-mcp knows of a submission beyond useapi's answer."""

    model_name: str | None = None
    email: str | None = None
    estimated_credits: float | None = None
    estimate_note: str | None = None
    idempotency_key: str | None = None
    reused: bool = False  # an earlier submission with the same idempotency_key was answered instead
    capacity_wait_s: float | None = None  # seconds the create waited for a free job slot (useapi's 429)
    warning: str | None = None  # something the user should know although the call worked


@dataclass
class TaskReport:
    """One task as the service answers it: ``works`` holds every output (videos, images, audio) in useapi's order;
    ``videos``, ``images`` and ``audio`` are those of one kind."""

    task_id: int
    answer: TaskResponse
    works: list[Output]
    facts: Facts = field(default_factory=Facts)

    @property
    def videos(self) -> list[Output]:
        return [work for work in self.works if work.kind == "video"]

    @property
    def images(self) -> list[Output]:
        return [work for work in self.works if work.kind == "image"]

    @property
    def audio(self) -> list[Output]:
        return [work for work in self.works if work.kind == "audio"]

    @property
    def state(self) -> TaskState:
        return task_state(self.answer)

    @property
    def final(self) -> bool:
        return self.answer.status_final

    @property
    def error(self) -> str | None:
        return failure_of(self.answer)


def report_of(answer: TaskResponse, *, task_id: int | None = None, facts: Facts | None = None) -> TaskReport:
    """The report of an upstream answer (a create's or a poll's). ``task_id`` is the one polled, for an answer that
    carries no ``task`` object."""
    tid = answer.task.id if answer.task is not None else task_id
    if tid is None:
        raise ValueError("task without id")
    return TaskReport(task_id=tid, answer=answer, works=works_of(answer), facts=facts or Facts())
