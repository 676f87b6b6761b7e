"""``kling-mcp spending``: the estimated credits spent, by day for the last 30 days, read from the job ledger, with
the limits in force and, where balances were read, how useapi's raw balance moved (in its own unit, never mixed
with the estimates)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from typing import TextIO

from kling_mcp.config import Settings
from kling_mcp.jobs.ledger import open_ledger
from kling_mcp.jobs.service import LEDGER_FILE
from kling_mcp.jobs.spending import Budget, by_day, spending


def report(settings: Settings, *, days: int = 30, as_json: bool = False, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    now = datetime.now(UTC)
    url = settings.database_url.get_secret_value() if settings.database_url else None
    ledger = open_ledger(url, settings.state_dir / LEDGER_FILE)  # PostgreSQL when KLING_MCP_DATABASE_URL is set
    where = ledger.store.where if url else settings.state_dir
    try:
        jobs = ledger.spent_sync(now - timedelta(days=days))
        readings = ledger.balance_readings_sync(now - timedelta(days=days))
    finally:
        ledger.close()
    budget = Budget(daily=settings.daily_budget, per_call=settings.max_credits_per_call)
    recent = spending(jobs, budget, now)
    table = by_day(jobs, now, days)
    moves = _balance_moves(readings)
    if as_json:
        document = {
            "last_24h": {
                "estimated_credits": recent.last_24h,
                "jobs": recent.jobs_24h,
                "by_model": recent.by_model,
                "by_account": recent.by_account,
                "daily_budget": recent.daily_budget,
                "left_of_budget": recent.left_today,
                "max_credits_per_call": recent.max_credits_per_call,
            },
            "days": [
                {"date": day, "jobs": count, "estimated_credits": credits, "balance_total_change_raw": moves.get(day)}
                for day, count, credits in table
            ],
        }
        print(json.dumps(document, indent=2), file=out)
        return
    print(f"Estimated Kling credits spent, from the job ledger in {where}", file=out)
    print("(every job that may have been billed; jobs useapi refused are not counted)\n", file=out)
    print(f"{'date (UTC)':<12} {'jobs':>5} {'credits':>9}  balance.total change (useapi's raw unit)", file=out)
    for day, count, credits in table:
        move = moves.get(day)
        shown = "" if move is None else f"{-move:+g}"
        print(f"{day:<12} {count:>5} {credits:>9g}  {shown}", file=out)
    print(f"{'total':<12} {sum(c for _, c, _ in table):>5} {sum(x for _, _, x in table):>9g}", file=out)
    limit = "no daily budget" if budget.daily is None else f"daily budget {budget.daily:g} ({recent.left_today:g} left)"
    per_call = "" if budget.per_call is None else f", at most {budget.per_call:g} per call"
    print(
        f"\nLast 24 hours (rolling): {recent.last_24h:g} credits over {recent.jobs_24h} job(s); {limit}{per_call}.",
        file=out,
    )
    if recent.by_model:
        print("  by model:   " + ", ".join(f"{k} {v:g}" for k, v in recent.by_model.items()), file=out)
        print("  by account: " + ", ".join(f"{k} {v:g}" for k, v in recent.by_account.items()), file=out)
    print(
        "\nCredits are the catalog's estimates (kling://models gives each rate's source). The balance column is "
        "useapi's balance.total as read by get_balance; its unit is undocumented (likely credits x 100).",
        file=out,
    )


def _balance_moves(readings: list[tuple[datetime, str, float]]) -> dict[str, float]:
    """Per UTC day, the sum over accounts of (last reading - first reading) of balance.total, raw unit."""
    first: dict[tuple[str, str], float] = {}
    last: dict[tuple[str, str], float] = {}
    for when, email, total in readings:
        key = (when.date().isoformat(), email)
        first.setdefault(key, total)
        last[key] = total
    moves: dict[str, float] = {}
    for (day, email), start in first.items():
        if sum(1 for when, who, _ in readings if who == email and when.date().isoformat() == day) > 1:
            moves[day] = moves.get(day, 0.0) + last[(day, email)] - start
    return moves
