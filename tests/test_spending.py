"""The spending guard's arithmetic: what counts, when the window frees up, and what the refusal says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kling_mcp.jobs.spending import Budget, BudgetExceededError, SpentJob, by_day, spending

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def test_a_call_that_fits_passes_and_one_that_does_not_says_everything() -> None:
    budget = Budget(daily=100)
    counted = [(_ago(20), 30.0), (_ago(10), 40.0), (_ago(30), 500.0)]  # the last one is outside the window
    budget.check_window(30, counted, NOW)  # 70 + 30 = 100: fits exactly
    with pytest.raises(BudgetExceededError) as caught:
        budget.check_window(31, counted, NOW)
    error = caught.value
    assert error.code == "budget_exceeded"
    for fact in ("31 credits", "70 credits were spent", "100 credits", "KLING_MCP_DAILY_BUDGET"):
        assert fact in error.message
    # 70 spent + 31 > 100; the job of 20 h ago (30 credits) leaves the window 4 h from now, and then 40 + 31 fits.
    assert error.details["frees_at"] == (NOW + timedelta(hours=4)).isoformat(timespec="seconds")
    assert "2026-12-01T16:00:00+00:00" in error.message
    assert "raises KLING_MCP_DAILY_BUDGET" in error.hint and "Nothing was sent" in error.hint


def test_the_window_may_need_several_old_jobs_to_leave() -> None:
    counted = [(_ago(23), 10.0), (_ago(22), 10.0), (_ago(1), 10.0)]
    with pytest.raises(BudgetExceededError) as caught:
        Budget(daily=30).check_window(20, counted, NOW)
    assert caught.value.details["frees_at"] == (_ago(22) + timedelta(hours=24)).isoformat(timespec="seconds")


def test_a_call_larger_than_the_whole_budget_never_fits() -> None:
    with pytest.raises(BudgetExceededError) as caught:
        Budget(daily=50).check_window(60, [], NOW)
    assert caught.value.details["frees_at"] is None and "larger than the whole daily budget" in caught.value.message


def test_the_per_call_cap() -> None:
    Budget(per_call=60).check_call(60)
    with pytest.raises(BudgetExceededError) as caught:
        Budget(per_call=60).check_call(60.5)
    assert "60.5 credits" in caught.value.message and "KLING_MCP_MAX_CREDITS_PER_CALL" in caught.value.message


def test_no_limits_refuse_nothing() -> None:
    budget = Budget()
    assert not budget.active
    budget.check_call(1e9)
    budget.check_window(1e9, [(_ago(1), 1e9)], NOW)


def test_report_sums_the_last_24_hours_by_model_and_account() -> None:
    jobs = [
        SpentJob(_ago(1), "a@x.com", "kling-v3-0", 60),
        SpentJob(_ago(2), "b@y.com", "kling-v3-0", 40),
        SpentJob(_ago(3), "a@x.com", "kling-v1-6", 20),
        SpentJob(_ago(25), "a@x.com", "kling-v1-6", 999),
    ]
    report = spending(jobs, Budget(daily=150, per_call=80), NOW)
    assert report.last_24h == 120 and report.jobs_24h == 3
    assert report.by_model == {"kling-v1-6": 20, "kling-v3-0": 100}
    assert report.by_account == {"a@x.com": 80, "b@y.com": 40}
    assert report.left_today == 30 and report.max_credits_per_call == 80
    days = by_day(jobs, NOW, days=2)
    assert days == [("2026-11-30", 1, 999), ("2026-12-01", 3, 120)]
