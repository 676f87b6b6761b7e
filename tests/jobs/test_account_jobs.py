"""The account family in the service (issue #13, items 9-12): list_jobs' sources merged by task_id with the ledger's
facts kept, deleting a task on the account that submitted it, the scheduler's slots with the ledger's rows, and
KLING_MCP_ACCOUNT_CHOICE's pick of the account with the most free job slots for a spending call (and only then)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx

from kling_mcp.api.errors import AccountError, InvalidParameterError
from kling_mcp.arguments.account_tools import DeleteTask, StopTracking
from kling_mcp.arguments.tasks import ListJobs
from kling_mcp.config import Settings, SettingsError
from kling_mcp.jobs.service import KlingService
from tests.factories import accounts

pytestmark = pytest.mark.anyio

A, B = "a@x.com", "b@x.com"
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z in epoch ms


def _work(task_id: int, status: int, name: str, *, created: int, prompt: str = "") -> dict[str, Any]:
    final = status in (99, 6, 7, 9, 50, 53, 54, 58)
    return {
        "workId": task_id * 10,
        "taskId": task_id,
        "type": "m2v_txt2video_hq",
        "status": status,
        "status_name": name,
        "status_final": final,
        "contentType": "video",
        "resource": {"resource": f"https://cdn.test/{task_id}.mp4", "duration": 5041},
        "createTime": created,
        "taskInfo": {"arguments": [{"name": "prompt", "value": prompt}]},
    }


def history(*works: dict[str, Any]) -> dict[str, Any]:
    return {"history": [{"works": [work]} for work in works]}


@pytest.fixture
def open_service(make_settings: Callable[..., Settings]) -> Callable[..., Any]:
    def open_(**overrides: Any) -> Any:
        return KlingService.open(make_settings(**overrides))

    return open_


@pytest.fixture
async def service(open_service: Callable[..., Any]) -> AsyncIterator[KlingService]:
    async with open_service(email=A) as opened:
        yield opened


async def _recorded(service: KlingService, task_id: int, *, state: str = "running", email: str = A) -> None:
    job = await service.ledger.begin(
        kind="text2video", params={}, email=email, model_name="kling-v3-0", prompt="a fox", credits_estimated=30.0
    )
    await service.ledger.mark_submitted(job.id, task_id, state, 10, "processing")  # type: ignore[arg-type]


async def test_the_ledger_source_sends_nothing_and_content_type_needs_the_account(
    service: KlingService, api: respx.MockRouter
) -> None:
    tasks = api.get("/tasks").respond(json=history())
    await _recorded(service, 700)
    listing = await service.find_jobs(ListJobs())
    assert [(row.source, row.task_id) for row in listing.rows] == [("ledger", 700)]
    assert not (await service.find_jobs(ListJobs(created_before="2000-01-01"))).rows
    assert len((await service.find_jobs(ListJobs(created_before="2999-01-01T00:00:00+09:00"))).rows) == 1
    with pytest.raises(InvalidParameterError) as refused:
        await service.find_jobs(ListJobs(content_type="video"))
    assert refused.value.parameter == "content_type" and "source='account'" in str(refused.value.details["allowed"])
    assert not tasks.called


async def test_all_merges_by_task_id_keeping_the_ledger_facts(service: KlingService, api: respx.MockRouter) -> None:
    await _recorded(service, 700)  # running in the ledger; the account has seen it succeed
    await _recorded(service, 800, state="failed")  # not in the account's history
    api.get("/tasks").respond(
        json=history(
            _work(700, 99, "succeed", created=T0, prompt="other words"),
            _work(701, 5, "submitted", created=T0 - 1000, prompt="made in the web app"),
        )
    )
    rows = {row.task_id: row for row in (await service.find_jobs(ListJobs(source="all"))).rows}
    assert {task_id: row.source for task_id, row in rows.items()} == {700: "both", 701: "account", 800: "ledger"}
    both = rows[700]
    assert both.job is not None and both.job.model_name == "kling-v3-0" and both.job.prompt == "a fox"
    assert both.state == "succeeded" and both.task is not None and both.task.works[0].work_id == 7000
    assert rows[800].state == "failed"
    account_only = rows[701].task
    assert account_only is not None and (account_only.state, account_only.prompt) == ("queued", "made in the web app")
    assert account_only.email == A and account_only.created_at == "2025-12-31T23:59:59+00:00"


async def test_without_kling_email_every_account_is_read_and_a_failing_one_is_reported(
    open_service: Callable[..., Any], api: respx.MockRouter
) -> None:
    api.get("/accounts").respond(json=accounts(A, B))
    api.get("/tasks", params={"email": A}).respond(json=history(_work(700, 99, "succeed", created=T0)))
    api.get("/tasks", params={"email": B}).respond(400, json={"error": "Invalid parameters"})
    async with open_service() as service:
        listing = await service.find_jobs(ListJobs(source="account"))
    assert [(row.source, row.task_id, row.task.email if row.task else None) for row in listing.rows] == [
        ("account", 700, A)
    ]
    assert listing.accounts == [A] and len(listing.warnings) == 1 and B in listing.warnings[0]


async def test_the_time_bounds_and_state_filter_account_rows(service: KlingService, api: respx.MockRouter) -> None:
    route = api.get("/tasks").respond(
        json=history(
            _work(1, 99, "succeed", created=T0 + 5000),
            _work(2, 10, "processing", created=T0 + 3000),
            _work(3, 99, "succeed", created=T0 - 5000),  # before since: the upstream got createdBefore only
        )
    )
    args = ListJobs(
        source="account",
        since="2026-01-01T00:00:00Z",
        created_before="2026-01-01T00:01:00+00:00",
        content_type="video",
        limit=5,
    )
    listing = await service.find_jobs(args)
    assert [row.task_id for row in listing.rows] == [1, 2]
    # GET /tasks takes createdBefore or createdAfter, not both (useapi doc "Retrieve Kling tasks").
    assert dict(route.calls.last.request.url.params) == {
        "email": A,
        "pageSize": "5",
        "createdBefore": str(T0 + 60_000),
        "contentType": "video",
    }
    running = await service.find_jobs(args.model_copy(update={"state": "running"}))
    assert [row.task_id for row in running.rows] == [2]
    with pytest.raises(InvalidParameterError) as refused:
        await service.find_jobs(ListJobs(created_before="yesterday"))
    assert refused.value.parameter == "created_before"


async def test_delete_task_uses_the_account_that_made_it_and_a_second_delete_finds_it_gone(
    open_service: Callable[..., Any], api: respx.MockRouter
) -> None:
    api.get("/accounts").respond(json=accounts(A, B))
    route = api.delete("/tasks/700").mock(
        side_effect=[
            httpx.Response(200, json={"deleted": 1, "workIds": [7000]}),
            httpx.Response(404, json={"error": "No works found for task 700"}),
        ]
    )
    async with open_service() as service:
        await _recorded(service, 700, email=B)
        first = await service.delete_task(DeleteTask(task_id=700))
        again = await service.delete_task(DeleteTask(task_id=700))
    assert dict(route.calls[0].request.url.params) == {"email": B}
    assert (first.email, first.deleted_works, first.work_ids, first.already_gone) == (B, 1, [7000], False)
    assert again.already_gone and again.upstream == "No works found for task 700"


async def test_capacity_reads_the_running_tasks_from_the_scheduler_when_needed(
    service: KlingService, api: respx.MockRouter
) -> None:
    await _recorded(service, 700)
    api.get("/scheduler/available").respond(json={"available": [{"email": A, "maxJobs": 3, "executing": 2}]})
    scheduler = api.get("/scheduler").respond(json=[{"id": 700, "email": A, "elapsed": "01:02"}, {"id": 9}])
    report = await service.capacity()
    assert scheduler.called and [(s.email, s.free) for s in report.accounts] == [(A, 1)]
    recorded, unknown = report.running
    assert recorded.job is not None and recorded.job.prompt == "a fox" and unknown.job is None


async def test_stop_tracking_a_task_useapi_does_not_track_says_so(service: KlingService, api: respx.MockRouter) -> None:
    api.delete("/scheduler/700").mock(
        side_effect=[httpx.Response(204), httpx.Response(404, json={"error": "Unable to locate running task_id 700"})]
    )
    assert (await service.stop_tracking(StopTracking(task_id=700))).was_tracked
    stopped = await service.stop_tracking(StopTracking(task_id=700))
    assert not stopped.was_tracked and stopped.upstream == "Unable to locate running task_id 700"


# --- KLING_MCP_ACCOUNT_CHOICE ---------------------------------------------------------------------------------------


def _capacity(api: respx.MockRouter, free: dict[str, int]) -> respx.Route:
    return api.get("/scheduler/available").respond(
        json={"executing": [], "available": [{"email": e, "maxJobs": 5, "available": n} for e, n in free.items()]}
    )


async def test_most_free_picks_the_account_with_the_most_free_slots_and_says_so(
    open_service: Callable[..., Any], api: respx.MockRouter
) -> None:
    api.get("/accounts").respond(json=accounts(A, B))
    _capacity(api, {A: 1, B: 3})
    async with open_service(account_choice="most_free") as service:
        email, note = await service.spending_account(None)
        assert email == B and note is not None and B in note and "3 of 5" in note and "most_free" in note
        # a read never guesses: it still asks
        with pytest.raises(AccountError):
            await service.resolve_email(None)


async def test_ask_refuses_naming_the_accounts_and_the_setting(
    open_service: Callable[..., Any], api: respx.MockRouter
) -> None:
    api.get("/accounts").respond(json=accounts(A, B))
    capacity = _capacity(api, {A: 1, B: 3})
    async with open_service() as service:
        with pytest.raises(AccountError) as refused:
            await service.spending_account(None)
    assert refused.value.details["accounts"] == [A, B] and "KLING_MCP_ACCOUNT_CHOICE=most_free" in refused.value.hint
    assert not capacity.called


async def test_most_free_leaves_a_given_email_kling_email_a_source_task_and_a_single_account_alone(
    open_service: Callable[..., Any], api: respx.MockRouter
) -> None:
    listed = api.get("/accounts").respond(json=accounts(A, B))
    capacity = _capacity(api, {A: 1, B: 3})
    async with open_service(account_choice="most_free") as service:
        assert await service.spending_account(A) == (A, None)
        await _recorded(service, 700, email=A)
        assert await service.spending_account(None, task_id=700) == (A, None)
    async with open_service(account_choice="most_free", email=A) as service:
        assert await service.spending_account(None) == (A, None)
    assert not capacity.called and not listed.called
    api.get("/accounts").respond(json=accounts(B))
    async with open_service(account_choice="most_free") as service:
        assert await service.spending_account(None) == (B, None)
    assert not capacity.called


def test_the_setting_takes_ask_or_most_free_and_names_them_when_wrong() -> None:
    assert Settings.from_env({}).account_choice == "ask"
    assert Settings.from_env({"KLING_MCP_ACCOUNT_CHOICE": "Most-Free"}).account_choice == "most_free"
    with pytest.raises(SettingsError, match="KLING_MCP_ACCOUNT_CHOICE must be one of ask, most_free"):
        Settings.from_env({"KLING_MCP_ACCOUNT_CHOICE": "random"})
