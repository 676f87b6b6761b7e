"""The spending guard end to end: exact under concurrency over a real loopback upstream, kept across restarts, blind
to replays, a per-call cap that stops uploads, rejected jobs not counted, and a report equal to the ledger."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import respx
from mcp import Client

from kling_mcp import catalog
from kling_mcp.server import create_server
from kling_mcp.simulator import SimulatorConfig, run_in_thread
from tests.factories import account_detail, accounts, task
from tests.tools.test_service import PNG, code_of

pytestmark = pytest.mark.anyio

EMAIL = "demo@example.com"
V16 = catalog.validate_text2video(prompt="x", model_name="kling-v1-6")[1].credits  # 5 s std


def _counted_in_ledger(state_dir: Path) -> list[tuple[str, float]]:
    with sqlite3.connect(state_dir / "jobs.sqlite3") as conn:
        return conn.execute(
            "SELECT model_name, credits_estimated FROM jobs WHERE state != 'rejected' ORDER BY id"
        ).fetchall()


async def test_concurrent_calls_with_room_for_k_make_exactly_k_creates(make_settings: Any, tmp_path: Path) -> None:
    room, calls = 4, 12
    config = SimulatorConfig(accounts=[EMAIL], speed=500, max_jobs=100, credits=100_000)
    with run_in_thread(config) as sim:
        settings = make_settings(base_url=sim.base_url, email=EMAIL, daily_budget=room * V16 + V16 / 2)
        results: list[Any] = []
        async with Client(create_server(settings)) as client:

            async def call(n: int) -> None:
                args = {"prompt": f"fox {n}", "model_name": "kling-v1-6", "idempotency_key": f"k{n}"}
                results.append(await client.call_tool("generate_video", args))

            with anyio.fail_after(60):
                async with anyio.create_task_group() as group:
                    for n in range(calls):
                        group.start_soon(call, n)
        creates = [r for r in sim.state.requests if r[0] == "POST" and r[1].endswith("/text2video")]
        assert len(creates) == room == len(sim.state.tasks)
    refused = [r for r in results if r.is_error]
    assert len(refused) == calls - room
    assert {code_of(r) for r in refused} == {"budget_exceeded"}
    assert len(_counted_in_ledger(settings.state_dir)) == room


async def test_the_budget_survives_a_restart_and_ignores_replays(make_settings: Any, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    ids = iter(range(100, 200))
    create = api.post("/videos/text2video").mock(side_effect=lambda _: httpx.Response(200, json=task(next(ids))))
    api.get(url__regex=r"/tasks/\d+").mock(
        side_effect=lambda request: httpx.Response(200, json=task(int(request.url.path.split("/")[-1]), 10))
    )
    settings = make_settings(daily_budget=2 * V16)
    args = {"prompt": "a fox", "model_name": "kling-v1-6"}
    async with Client(create_server(settings)) as c:
        assert not (await c.call_tool("generate_video", {**args, "idempotency_key": "a"})).is_error
        assert not (await c.call_tool("generate_video", {**args, "idempotency_key": "b"})).is_error
    async with Client(create_server(settings)) as c:  # a new server process reads the same ledger
        refused = await c.call_tool("generate_video", {**args, "idempotency_key": "c"})
        assert code_of(refused) == "budget_exceeded"
        text = refused.content[0].text
        for fact in (f"{V16:g} credits", f"{2 * V16:g} credits were spent", "KLING_MCP_DAILY_BUDGET", "frees up at"):
            assert fact in text
        replay = await c.call_tool("generate_video", {**args, "idempotency_key": "a"})  # already counted: allowed
        assert not replay.is_error and replay.structured_content["reused"] is True
    assert create.call_count == 2


async def test_a_job_refused_upstream_does_not_count(make_settings: Any, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    create = api.post("/videos/text2video").mock(
        side_effect=[
            httpx.Response(400, json={"error": "Invalid parameters", "code": 400}),
            httpx.Response(200, json=task(5)),
        ]
    )
    settings = make_settings(daily_budget=V16)
    async with Client(create_server(settings)) as c:
        first = await c.call_tool("generate_video", {"prompt": "a fox", "model_name": "kling-v1-6"})
        assert code_of(first) == "invalid_parameter"
        second = await c.call_tool("generate_video", {"prompt": "a fox", "model_name": "kling-v1-6"})
        assert not second.is_error, second.content
    assert create.call_count == 2


async def test_the_per_call_cap_refuses_before_any_upload(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    frame = tmp_path / "start.png"
    frame.write_bytes(PNG)
    settings = make_settings(max_credits_per_call=V16 - 1)
    async with Client(create_server(settings)) as c:
        result = await c.call_tool("animate_image", {"image": str(frame), "model_name": "kling-v1-6"})
        assert code_of(result) == "budget_exceeded"
        assert "KLING_MCP_MAX_CREDITS_PER_CALL" in result.content[0].text
        text_call = await c.call_tool("generate_video", {"prompt": "a fox", "model_name": "kling-v1-6"})
        assert code_of(text_call) == "budget_exceeded"
    assert not [call for call in api.calls if call.request.method == "POST"]  # no upload, no create


async def test_the_daily_budget_refuses_before_any_upload(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.post("/videos/text2video").respond(json=task(1))
    upload = api.post("/assets/").respond(json={"url": "https://s21-kling.klingai.com/x.png", "status": 3})
    frame = tmp_path / "start.png"
    frame.write_bytes(PNG)
    async with Client(create_server(make_settings(daily_budget=V16 * 1.5))) as c:
        assert not (await c.call_tool("generate_video", {"prompt": "a fox", "model_name": "kling-v1-6"})).is_error
        refused = await c.call_tool("animate_image", {"image": str(frame), "model_name": "kling-v1-6"})
        assert code_of(refused) == "budget_exceeded"
    assert not upload.called


async def test_the_spending_report_equals_the_ledger(make_settings: Any, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    ids = iter(range(10, 20))
    api.post("/videos/text2video").mock(side_effect=lambda _: httpx.Response(200, json=task(next(ids))))
    balances = iter([66000, 65000])
    api.get("/accounts/a@x.com").mock(
        side_effect=lambda _: httpx.Response(200, json=account_detail("a@x.com", next(balances)))
    )
    settings = make_settings(daily_budget=1000, max_credits_per_call=500)
    async with Client(create_server(settings)) as c:
        assert not (await c.call_tool("get_balance", {})).is_error
        for model, extra in (("kling-v1-6", {}), ("kling-v3-0", {"duration": 5, "mode": "pro"}), ("kling-v1-6", {})):
            assert not (await c.call_tool("generate_video", {"prompt": "p", "model_name": model, **extra})).is_error
        report = (await c.call_tool("get_balance", {})).structured_content["spending"]
    ledger = _counted_in_ledger(settings.state_dir)
    assert report["estimated_credits_24h"] == sum(credits for _, credits in ledger)
    assert report["jobs_24h"] == len(ledger) == 3
    by_model: dict[str, float] = {}
    for model, credits in ledger:
        by_model[model] = by_model.get(model, 0) + credits
    assert report["by_model"] == by_model and report["by_account"] == {"a@x.com": report["estimated_credits_24h"]}
    assert report["left_of_budget"] == 1000 - report["estimated_credits_24h"] and report["max_credits_per_call"] == 500
    assert report["balance_total_change_24h"] == 1000  # raw unit, beside the estimates, never converted
    assert json.dumps(report).count("credits") >= 1
