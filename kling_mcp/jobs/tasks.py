"""What a task is doing, read from useapi's answer: its state, its videos, why it failed; and what kling-mcp knows of
the submission besides (``Facts``). The service answers with a ``TaskReport``; the MCP layer and the batch each say it
in their own words (``kling_mcp/results.py`` for agents).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kling_mcp.api.models import STATUS_SUBMITTED, SUCCEED_NAME, TaskResponse

TaskState = Literal["queued", "running", "succeeded", "failed"]


def task_state(task: TaskResponse) -> TaskState:
    """The robust rule useapi's own scripts use: final + "succeed" = success, any other final = failure
    (reference §6.1)."""
    if task.status_final:
        return "succeeded" if task.status_name == SUCCEED_NAME else "failed"
    return "queued" if task.status == STATUS_SUBMITTED else "running"


@dataclass(frozen=True)
class Video:
    """One output of a task. ``url`` is the WATERMARKED preview (works[].resource.resource); ``local_path`` is where
    the clean master was saved, once it was."""

    work_id: int
    url: str
    watermarked: bool = True
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    local_path: str | None = None


def videos_of(task: TaskResponse) -> list[Video]:
    """The task's videos. A work without an id or a URL cannot be shown or downloaded (both are optional in useapi's
    answers, reference §6.1), so it is left out."""
    return [
        Video(
            work_id=work.workId,
            url=work.resource.resource,
            width=work.resource.width,
            height=work.resource.height,
            # useapi gives the duration in milliseconds (seed: "duration": 5041)
            duration_s=None if work.resource.duration is None else round(work.resource.duration / 1000, 3),
        )
        for work in task.works
        if work.workId is not None and work.resource is not None and work.resource.resource
    ]


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
    """One task as the service answers it."""

    task_id: int
    answer: TaskResponse
    videos: list[Video]
    facts: Facts = field(default_factory=Facts)

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
    return TaskReport(task_id=tid, answer=answer, videos=videos_of(answer), facts=facts or Facts())
