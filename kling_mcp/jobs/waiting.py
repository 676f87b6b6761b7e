"""Polling and waiting: a per-task poll throttle, bounded waits with progress, and the ledger kept current.

Agents poll too fast or stop too early; clients cut calls at about a minute. So a poll of a task is answered from
the last upstream answer when it is younger than KLING_MCP_MIN_POLL_INTERVAL (or final), a wait is capped at
KLING_MCP_WAIT_CAP and reports progress at least every 5 s, and every state change is written to the ledger.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

import anyio

from kling_mcp.api.client import KlingClient
from kling_mcp.api.errors import NotFoundError
from kling_mcp.api.models import TaskResponse
from kling_mcp.config import Settings
from kling_mcp.jobs.ledger import Job, Ledger
from kling_mcp.jobs.lru import LRU
from kling_mcp.jobs.tasks import failure_of, task_state, works_of

Progress = Callable[[float, float | None, str], Awaitable[None]]
OnSucceeded = Callable[[int, Job, list[int], str | None], None]
HEARTBEAT_S = 5.0  # progress "at least every 5 s", so clients that reset their timeout on progress keep the call
MIN_STEP_S = 0.05
MEMORY = 1000  # tasks whose last answer is kept for the poll throttle


async def no_progress(_progress: float, _total: float | None, _message: str) -> None:
    return None


@dataclass
class _Polled:
    at: float
    task: TaskResponse
    observed: tuple[str, int, int] | None = None  # (state, status, videos) last written to the ledger


class TaskWatcher:
    def __init__(
        self,
        settings: Settings,
        client: KlingClient,
        ledger: Ledger,
        *,
        on_succeeded: OnSucceeded | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.settings, self.client, self.ledger = settings, client, ledger
        self.on_succeeded = on_succeeded
        self._clock, self._sleep = clock, sleep
        # Bounded: a long-lived server must not grow with every task it ever saw.
        self._polled: LRU[int, _Polled] = LRU(MEMORY)

    def seen(self, task: TaskResponse) -> None:
        """Remember an answer obtained elsewhere (the create response) as the task's latest."""
        if task.task is not None:
            self._remember(task.task.id, task)

    def forget(self, task_id: int) -> None:
        """Drop a task's last answer (it was deleted upstream): the next poll asks useapi again."""
        self._polled.pop(task_id, None)

    async def poll(self, task_id: int, email: str | None) -> TaskResponse:
        """GET /tasks/{id}, at most once per KLING_MCP_MIN_POLL_INTERVAL per task: agents that call get_task in a
        tight loop get the last answer instead of hammering useapi."""
        cached = self._polled.get(task_id)
        if cached is not None and (
            cached.task.status_final or self._clock() - cached.at < self.settings.min_poll_interval
        ):
            return cached.task
        try:
            task = await self.client.get_task(task_id, email)
        except NotFoundError:
            job = await self.ledger.get(task_id)
            if (
                job is not None
            ):  # useapi guide: a 404 on the poll means deleted, moderated or out of credits: gone for good
                await self.ledger.update_task(
                    task_id,
                    state="failed",
                    status=0,
                    status_name="not_found",
                    error="upstream answered 404",
                    videos=job.videos,
                )
            raise
        self._remember(task_id, task)
        await self._observe(task_id, task, email)
        return task

    def _remember(self, task_id: int, task: TaskResponse) -> None:
        earlier = self._polled.get(task_id)
        self._polled[task_id] = _Polled(self._clock(), task, None if earlier is None else earlier.observed)

    async def _observe(self, task_id: int, task: TaskResponse, email: str | None) -> None:
        """Write a poll's answer to the ledger only when it says something new."""
        state, videos = task_state(task), works_of(task)  # every output: videos, images, audio
        seen = (state, task.status, len(videos))
        polled = self._polled.get(task_id)
        if polled is None or polled.observed == seen:
            return
        polled.observed = seen
        job = await self.ledger.update_task(
            task_id,
            state=state,
            status=task.status,
            status_name=task.status_name,
            error=failure_of(task),
            videos=[asdict(video) for video in videos],
        )
        if state == "succeeded" and job is not None and self.on_succeeded is not None:
            self.on_succeeded(task_id, job, [video.work_id for video in videos], email)

    async def wait(self, task_id: int, email: str | None, wait_seconds: float, progress: Progress) -> TaskResponse:
        """Poll until the task is final or ``wait_seconds`` (capped at KLING_MCP_WAIT_CAP) have passed."""
        wait = max(0.0, min(float(wait_seconds), self.settings.wait_cap))
        started = self._clock()
        deadline = started + wait
        task = await self.poll(task_id, email)
        while not task.status_final and self._clock() < deadline:
            waited = self._clock() - started
            await progress(
                waited,
                wait,
                f"Task {task_id} {task_state(task)} (status {task.status} "
                f"{task.status_name}); waited {waited:.0f}/{wait:.0f} s",
            )
            # Poll every KLING_MCP_MIN_POLL_INTERVAL (at least 50 ms), and report progress at least every 5 s.
            step = min(HEARTBEAT_S, max(self.settings.min_poll_interval, MIN_STEP_S))
            await self._sleep(max(0.0, min(step, deadline - self._clock())))
            task = await self.poll(task_id, email)
        if wait:
            await progress(self._clock() - started, wait, f"Task {task_id} {task_state(task)}")
        return task
