"""The batch under a spending limit: it stops submitting when the budget runs out, says so, and a later run with
room submits the rest, nothing twice."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from kling_mcp import catalog
from kling_mcp.batch import NOT_STARTED, Outcome, load_entries, run_batch, summary_table
from kling_mcp.jobs.service import KlingService
from kling_mcp.simulator import RunningSimulator
from tests.batch.test_batch import settings_for, simulator, write_prompts

pytestmark = pytest.mark.anyio
__all__ = ["simulator"]  # the fixture, used by name

V16 = catalog.validate_text2video(prompt="x", model_name="kling-v1-6")[1].credits


async def _run(sim: RunningSimulator, tmp_path: Path, prompts: Path, budget: float) -> list[Outcome]:
    entries, problems = load_entries(prompts)
    assert not problems
    settings = replace(settings_for(sim, tmp_path), daily_budget=budget)
    async with KlingService.open(settings) as service:
        return await run_batch(
            service, entries, email=None, concurrency=1, poll_interval=0.02, capacity_wait=0.02, out=io.StringIO()
        )


async def test_the_batch_stops_at_the_budget_and_a_later_run_submits_the_rest(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    prompts = write_prompts(
        tmp_path / "p.json", [{"prompt": f"shot {i}", "model_name": "kling-v1-6"} for i in range(4)]
    )
    first = await _run(simulator, tmp_path, prompts, budget=2.5 * V16)
    states = [o.state for o in first]
    assert states == ["succeeded", "succeeded", NOT_STARTED, NOT_STARTED]
    assert len(simulator.state.tasks) == 2
    table = summary_table(first)
    assert "2 not started" in table and "Run the same command again" in table
    assert all("not started (budget)" in (o.error or "") for o in first[2:])
    later = await _run(simulator, tmp_path, prompts, budget=10 * V16)
    assert [o.state for o in later] == ["succeeded"] * 4
    assert len(simulator.state.tasks) == 4  # the first two were not submitted again
