"""The simulated account: balances, tasks and uploads, on an injectable clock.

A task's progress is computed from the clock when it is read (no background work): ``submitted`` (status 5) for
the queue time, ``processing`` (status 10, [INF] from Kling's web status set) for the processing time, then final.
A task holds one of its account's job slots until it is final (reference §4.4, [INF]).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kling_mcp import catalog
from kling_mcp.api.models import FAILURE_STATUSES, STATUS_PROCESSING, STATUS_SUBMITTED, STATUS_SUCCEED
from kling_mcp.simulator.config import SimulatorConfig

# Reference §3.2: the doc sample shows amount 66000 / balance 56000 for what looks like a 660-credit plan, so
# balance figures are taken to be Kling credits x 100 [INF].
UNITS_PER_CREDIT = 100
# Failure names are not documented (reference §6.1); these are plausible and distinct [INF].
FAILURE_NAMES = {6: "failed", 7: "error", 9: "timeout", 50: "failed", 53: "rejected", 54: "rejected", 58: "error"}
FAILURE_TEXT = {
    6: "Generation failed.",
    7: "Generation error, please try again.",
    9: "Generation timed out.",
    50: "Generation failed, credits will be refunded.",
    53: "The input did not pass review.",
    54: "The output did not pass review.",
    58: "Service error, please try again later.",
}
_FAIL = re.compile(r"sim:fail-(\d+)")


@dataclass
class Account:
    email: str
    max_jobs: int
    units: float  # balance.total, in useapi's units
    granted: float


@dataclass
class SimTask:
    id: int
    email: str
    kind: str  # m2v_txt2video_hq | m2v_img2video_hq
    body: dict[str, Any]
    created: float
    queue_s: float
    process_s: float
    aspect_ratio: str
    mode: str
    duration: int
    outcome: str  # succeed | fail | vanish | moderation_later | out_of_credits
    fail_status: int = 0
    work_id: int = 0
    created_ms: int = 0

    def phase(self, now: float) -> str:
        elapsed = now - self.created
        if elapsed < self.queue_s:
            return "submitted"
        if elapsed < self.queue_s + self.process_s:
            return "processing"
        return "final"


@dataclass
class SimulatorState:
    config: SimulatorConfig
    clock: Callable[[], float] = time.monotonic
    accounts: dict[str, Account] = field(default_factory=dict)
    tasks: dict[int, SimTask] = field(default_factory=dict)
    uploads: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)
    responses: list[tuple[str, str, int]] = field(default_factory=list)
    peers: set[tuple[str, int]] = field(default_factory=set)  # client (address, port): one per TCP connection
    next_id: int = 0

    def __post_init__(self) -> None:
        for email in self.config.accounts:
            units = self.config.credits * UNITS_PER_CREDIT
            self.accounts[email] = Account(email, self.config.max_jobs, units, units)
        if not self.next_id:
            first = self.config.first_task_id
            self.next_id = first if first is not None else 100_000_000 + int(time.time() * 1000) % 800_000_000

    # --- accounts -------------------------------------------------------------------------------------------------

    def executing(self, email: str) -> int:
        now = self.clock()
        return sum(1 for t in self.tasks.values() if t.email == email and t.phase(now) != "final")

    # --- tasks ----------------------------------------------------------------------------------------------------

    def timing(self, model_name: str, mode: str, duration: int, prompt: str) -> tuple[float, float]:
        config = self.config
        if config.process_seconds is not None:
            process = config.process_seconds
        else:
            # [INF] "a few minutes depending on model, mode, and duration — std is faster than pro or 4k" (seed).
            process = {"std": 60.0, "pro": 90.0, "4k": 150.0}.get(mode, 90.0) + 6.0 * max(duration - 5, 0)
            if model_name.endswith("turbo"):
                process *= 0.6
        if "sim:slow" in prompt:
            process *= 10
        return config.queue_seconds / config.speed, process / config.speed

    def create(self, email: str, kind: str, body: dict[str, Any], estimate: catalog.Estimate) -> SimTask:
        prompt = str(body.get("prompt") or "")
        account = self.accounts[email]
        outcome, fail_status = "succeed", 0
        if match := _FAIL.search(prompt):
            code = int(match.group(1))
            outcome, fail_status = ("fail", code) if code in FAILURE_STATUSES else ("fail", 6)
        elif "sim:vanish" in prompt:
            outcome = "vanish"
        elif "sim:moderation-later" in prompt:
            outcome = "moderation_later"
        cost = estimate.credits * UNITS_PER_CREDIT
        if account.units < cost:
            # Seed: a job may clear creation and later poll 404 when the account ran out of credits.
            outcome = "out_of_credits"
        else:
            account.units -= cost
        queue_s, process_s = self.timing(str(body.get("model_name")), estimate.mode, estimate.duration, prompt)
        task_id = self.next_id
        self.next_id += 1
        task = SimTask(
            id=task_id,
            email=email,
            kind=kind,
            body=body,
            created=self.clock(),
            queue_s=queue_s,
            process_s=process_s,
            aspect_ratio=str(body.get("aspect_ratio") or "16:9"),
            mode=estimate.mode,
            duration=estimate.duration,
            outcome=outcome,
            fail_status=fail_status,
            work_id=task_id * 10 + 1,
            created_ms=int(time.time() * 1000),
        )
        self.tasks[task_id] = task
        return task

    def status(self, task: SimTask) -> tuple[int, str, bool] | None:
        """(status, status_name, final) as a poll sees it now; None when the poll answers 404."""
        phase = task.phase(self.clock())
        if phase == "submitted":
            return STATUS_SUBMITTED, "submitted", False
        if phase == "processing":
            return STATUS_PROCESSING, "processing", False
        if task.outcome == "succeed":
            return STATUS_SUCCEED, "succeed", True
        if task.outcome == "fail":
            return task.fail_status, FAILURE_NAMES[task.fail_status], True
        return None  # vanish, moderation_later, out_of_credits: the seed's three causes of a 404

    def work(self, work_id: int) -> SimTask | None:
        for task in self.tasks.values():
            if task.work_id == work_id:
                return task
        return None
