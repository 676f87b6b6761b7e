"""The account family at the client layer (issue #13, items 9-11 and the upload listing of item 8): each endpoint sends
the documented query, parses the documented answer (and odd ones without failing), refuses what useapi would refuse
before sending, and treats a DELETE as repeatable."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from kling_mcp.api import errors
from kling_mcp.api.client import KlingClient
from tests.api.conftest import SleepRecorder

pytestmark = pytest.mark.anyio

EMAIL = "a@x.com"

# useapi doc "Retrieve Kling tasks" (2025-04-18): the history sample, works only, each with its taskId.
HISTORY = {
    "history": [
        {
            "works": [
                {
                    "workId": 7001,
                    "taskId": 700,
                    "type": "m2v_img2video_hq",
                    "status": 99,
                    "status_name": "succeed",
                    "status_final": True,
                    "contentType": "video",
                    "resource": {"resource": "https://s21-kling.klingai.com/a.mp4", "duration": 5041},
                    "createTime": 1744858514515,
                    "taskInfo": {"arguments": [{"name": "prompt", "value": "A person dancing"}]},
                }
            ]
        },
        {"task": {"id": 701, "status": 5, "status_name": "submitted", "status_final": False}, "works": []},
        {"works": [{"workId": "not a number"}]},  # unreadable: left out, not fatal
        "noise",
    ]
}


def _query(route: respx.Route) -> dict[str, str]:
    return dict(route.calls.last.request.url.params)


async def test_list_tasks_sends_the_filters_and_reads_each_entry(client: KlingClient, upstream: Any) -> None:
    route = upstream.get("/tasks").respond(json=HISTORY)
    history = await client.list_tasks(email=EMAIL, page_size=30, created_before=1_750_000_000_000, content_type="video")
    assert _query(route) == {"email": EMAIL, "pageSize": "30", "createdBefore": "1750000000000", "contentType": "video"}
    first, second = history.entries
    assert (first.task_id, first.status_code, first.final, first.created_ms) == (700, 99, True, 1744858514515)
    assert first.argument("prompt") == "A person dancing" and first.kind == "m2v_img2video_hq"
    assert (second.task_id, second.status_code, second.final) == (701, 5, False)


async def test_list_tasks_refuses_both_bounds_and_a_bad_content_type_before_sending(
    client: KlingClient, upstream: Any
) -> None:
    route = upstream.get("/tasks").respond(json=HISTORY)
    # useapi doc "Retrieve Kling tasks": createdBefore "Cannot be used with createdAfter".
    with pytest.raises(errors.InvalidParameterError, match="not both"):
        await client.list_tasks(created_before=2, created_after=1)
    with pytest.raises(errors.InvalidParameterError) as refused:
        await client.list_tasks(content_type="gif")
    assert refused.value.details["allowed"] == ["video", "image", "audio"]
    assert not route.called


async def test_delete_task_reads_the_deleted_works_and_a_404_is_not_found(client: KlingClient, upstream: Any) -> None:
    route = upstream.delete("/tasks/700").mock(
        side_effect=[
            httpx.Response(200, json={"deleted": 2, "workIds": [7001, 7002]}),
            httpx.Response(404, json={"error": "No works found for task 700"}),
        ]
    )
    deleted = await client.delete_task(700, EMAIL)
    assert (deleted.deleted, deleted.workIds) == (2, [7001, 7002])
    assert _query(route) == {"email": EMAIL}
    with pytest.raises(errors.NotFoundError) as missing:
        await client.delete_task(700, EMAIL)
    assert "No works found for task 700" in missing.value.message


async def test_a_delete_is_sent_again_after_a_transient_failure(
    client: KlingClient, upstream: Any, sleeps: SleepRecorder
) -> None:
    """A DELETE is idempotent (a second one deletes nothing more), so it takes the read loop's retries."""
    route = upstream.delete("/tasks/700").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"deleted": 1, "workIds": [7001]})]
    )
    assert (await client.delete_task(700)).deleted == 1
    assert route.call_count == 2 and len(sleeps.calls) == 1


async def test_the_scheduler_answers_are_read(client: KlingClient, upstream: Any) -> None:
    running = {"id": 700, "email": EMAIL, "started": "2025-04-18T12:34:56.789Z", "elapsed": "03:45"}
    upstream.get("/scheduler").respond(json=[running])
    upstream.get("/scheduler/available").respond(
        json={
            "executing": [running],
            "available": [
                {"email": EMAIL, "maxJobs": 5, "executing": 1, "available": 4},
                {"email": "b@x.com", "maxJobs": 3, "executing": 1},  # no "available": worked out
            ],
        }
    )
    assert [t.id for t in (await client.list_running()).tasks] == [700]
    capacity = await client.get_capacity()
    assert capacity.executing is not None and capacity.executing[0].elapsed == "03:45"
    assert [(a.email, a.free) for a in capacity.available] == [(EMAIL, 4), ("b@x.com", 2)]


async def test_stop_tracking_takes_an_empty_204_and_a_404_is_not_found(client: KlingClient, upstream: Any) -> None:
    upstream.delete("/scheduler/700").mock(
        side_effect=[
            httpx.Response(204),
            httpx.Response(404, json={"error": "Unable to locate running task_id 700"}),
        ]
    )
    await client.stop_tracking(700)
    with pytest.raises(errors.NotFoundError, match="Unable to locate running task_id 700"):
        await client.stop_tracking(700)


async def test_list_uploaded_sends_its_query_and_reads_numeric_ids_as_text(client: KlingClient, upstream: Any) -> None:
    route = upstream.get("/assets/uploaded/").respond(
        json={
            "uploadAssetsList": [
                {"id": "1234567890", "name": "a.mp4", "contentType": "video", "resource": {"resource": "https://k/a"}},
                {"id": 869218167527833688, "name": "b.png", "contentType": "image"},
                {"name": "no id"},
            ]
        }
    )
    listed = await client.list_uploaded(email=EMAIL, page_num=2, page_size=10, content_type="image", sort="asc")
    assert _query(route) == {"email": EMAIL, "pageNum": "2", "pageSize": "10", "contentType": "image", "sort": "asc"}
    assert [a.id for a in listed.assets] == ["1234567890", "869218167527833688"]


async def test_delete_uploaded_sends_a_comma_list_of_ids(client: KlingClient, upstream: Any) -> None:
    route = upstream.delete("/assets/uploaded/").respond(json={"deleted": 2, "ids": ["11", 22]})
    answer = await client.delete_uploaded(["11", "22", "11"], EMAIL)
    assert _query(route) == {"email": EMAIL, "id": "11,22"}
    assert (answer.deleted, answer.ids) == (2, ["11", "22"])


@pytest.mark.parametrize(
    ("ids", "problem"),
    [([], "0 distinct ids"), ([str(n) for n in range(11)], "11 distinct ids"), (["12", "1,2"], "not an uploaded")],
)
async def test_delete_uploaded_refuses_bad_ids_before_sending(
    client: KlingClient, upstream: Any, ids: list[str], problem: str
) -> None:
    route = upstream.delete("/assets/uploaded/").respond(json={})
    with pytest.raises(errors.InvalidParameterError, match=problem) as refused:
        await client.delete_uploaded(ids, EMAIL)
    assert refused.value.parameter == "ids" and "1 to 10 ids" in refused.value.details["allowed"]
    assert not route.called
