"""What the user's credits go on: the spending guard (a daily budget over any rolling 24 hours and a cap per call,
both in estimated Kling credits) and the spending report built from the same ledger rows.

The figures come from the job ledger, which records every submission with its estimate *before* it is sent, so the
guard needs no state of its own: it survives restarts, and the ledger runs the check and the claim of the new job in
one transaction (no two concurrent calls can both take the last room). A job counts when it may have been billed:
every state but ``rejected`` (useapi refused it, e.g. 400 or 429: nothing was created).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kling_mcp.api.errors import KlingError

WINDOW = timedelta(hours=24)
# Every state in which a job may have been billed; only "rejected" (useapi refused it) is left out.
COUNTED_STATES = ("submitting", "queued", "running", "succeeded", "failed", "unknown")
RAISE_HINT = (
    "Ask the user before spending more; to allow more, the user raises KLING_MCP_DAILY_BUDGET or "
    "KLING_MCP_MAX_CREDITS_PER_CALL in the server's configuration and restarts it. Nothing was sent or spent."
)


class BudgetExceededError(KlingError):
    code = "budget_exceeded"


@dataclass(frozen=True)
class Budget:
    """The limits, in Kling credits (estimates). ``None`` means no limit."""

    daily: float | None = None
    per_call: float | None = None

    @property
    def active(self) -> bool:
        return self.daily is not None or self.per_call is not None

    def check_call(self, estimate: float) -> None:
        """The per-call cap: needs no ledger, so it is checked before anything else (uploads included)."""
        if self.per_call is not None and estimate > self.per_call:
            raise BudgetExceededError(
                f"This call is estimated at {estimate:g} credits, above the limit of {self.per_call:g} credits per "
                "call (KLING_MCP_MAX_CREDITS_PER_CALL).",
                hint="Choose a shorter duration, a cheaper mode or model (the model catalog lists the rates), or "
                + RAISE_HINT,
                details={"estimate": estimate, "limit": self.per_call, "limit_name": "KLING_MCP_MAX_CREDITS_PER_CALL"},
            )

    def check_window(self, estimate: float, counted: Iterable[tuple[datetime, float]], now: datetime) -> None:
        """The daily budget, given the (created_at, credits) of every counted job of the last 24 hours."""
        if self.daily is None:
            return
        jobs = sorted((when, credits) for when, credits in counted if when > now - WINDOW)
        spent = sum(credits for _, credits in jobs)
        if spent + estimate <= self.daily:
            return
        frees_at = _frees_at(jobs, spent, estimate, self.daily)
        when = (
            f"enough of the window frees up at {frees_at.isoformat(timespec='seconds')} (UTC)"
            if frees_at is not None
            else "this call alone is larger than the whole daily budget"
        )
        raise BudgetExceededError(
            f"This call is estimated at {estimate:g} credits; {spent:g} credits were spent (estimated) in the last "
            f"24 hours, and the daily budget is {self.daily:g} credits (KLING_MCP_DAILY_BUDGET): {when}.",
            hint=RAISE_HINT,
            details={
                "estimate": estimate,
                "spent_24h": spent,
                "limit": self.daily,
                "limit_name": "KLING_MCP_DAILY_BUDGET",
                "frees_at": frees_at.isoformat(timespec="seconds") if frees_at else None,
            },
        )


def _frees_at(jobs: list[tuple[datetime, float]], spent: float, estimate: float, limit: float) -> datetime | None:
    """The first moment the oldest jobs have left the window far enough for this call to fit."""
    if estimate > limit:
        return None
    for when, credits in jobs:
        spent -= credits
        if spent + estimate <= limit:
            return when + WINDOW
    return None  # unreachable when estimate <= limit, kept for the type checker


def parse_stamp(stamp: str) -> datetime:
    """A ledger time stamp (ISO 8601, UTC) as an aware datetime."""
    parsed = datetime.fromisoformat(stamp)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SpentJob:
    """One counted ledger row, as the report needs it."""

    created_at: datetime
    email: str | None
    model_name: str | None
    credits: float


@dataclass(frozen=True)
class Spending:
    """Estimated credits spent in the last 24 hours, by model and by account, against the daily budget."""

    last_24h: float
    jobs_24h: int
    by_model: dict[str, float]
    by_account: dict[str, float]
    daily_budget: float | None
    left_today: float | None
    max_credits_per_call: float | None
    # How much the account's balance.total fell since the first reading of the window, in useapi's raw unit (None
    # without an earlier reading); top-ups make it smaller.
    balance_change: float | None = None


def spending(jobs: Iterable[SpentJob], budget: Budget, now: datetime) -> Spending:
    recent = [job for job in jobs if job.created_at > now - WINDOW]
    by_model: dict[str, float] = defaultdict(float)
    by_account: dict[str, float] = defaultdict(float)
    for job in recent:
        by_model[job.model_name or "unknown"] += job.credits
        by_account[job.email or "unknown"] += job.credits
    total = sum(job.credits for job in recent)
    return Spending(
        last_24h=total,
        jobs_24h=len(recent),
        by_model=dict(sorted(by_model.items())),
        by_account=dict(sorted(by_account.items())),
        daily_budget=budget.daily,
        left_today=None if budget.daily is None else max(budget.daily - total, 0.0),
        max_credits_per_call=budget.per_call,
    )


def by_day(jobs: Iterable[SpentJob], now: datetime, days: int = 30) -> list[tuple[str, int, float]]:
    """(UTC date, jobs, estimated credits) for each of the last ``days`` days, oldest first, empty days included."""
    first = (now - timedelta(days=days - 1)).date()
    totals: dict[str, list[float]] = {(first + timedelta(days=i)).isoformat(): [0, 0.0] for i in range(days)}
    for job in jobs:
        day = job.created_at.astimezone(UTC).date().isoformat()
        if day in totals:
            totals[day][0] += 1
            totals[day][1] += job.credits
    return [(day, int(count), credits) for day, (count, credits) in totals.items()]
