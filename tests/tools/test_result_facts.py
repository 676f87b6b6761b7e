"""Some agent frameworks show the model only a result's text (langchain, mcp-use), others only its structured content
(pydantic-ai, fast-agent): both must carry the same facts. The task id, the state, the next step, the file or URL;
for an error, its code, message and next step, and the allowed values of a refused parameter."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from mcp import Client

from tests.factories import MP4, account_detail, accounts, task
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def assert_task_facts(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    out: dict[str, Any] = result.structured_content
    text = text_of(result)
    assert str(out["task_id"]) in text and out["state"] in text and out["next_step"] in text
    assert str(out["status"]) in text and out["status_name"] in text
    for video in out["videos"]:
        assert str(video["work_id"]) in text and video["url"] in text
        if video["local_path"]:
            assert video["local_path"] in text
    if out["error"]:
        assert out["error"] in text
    if out["estimated_credits"] is not None and not out["reused"]:
        assert f"{out['estimated_credits']:g}" in text
    if out["warning"]:
        assert out["warning"] in text
    return out


async def test_a_task_says_the_same_in_text_and_structured_content(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.post("/videos/text2video").respond(json=task(42))
    api.get("/tasks/42").mock(
        side_effect=[
            httpx.Response(200, json=task(42, 10)),
            httpx.Response(200, json=task(42, 99, works=2)),
        ]
    )
    api.get("/tasks/43").respond(json=task(43, 7, error="Kling could not render this"))
    submitted = assert_task_facts(await client.call_tool("generate_video", {"prompt": "a fox", "idempotency_key": "k"}))
    assert submitted["state"] == "queued"
    assert assert_task_facts(await client.call_tool("get_task", {"task_id": 42}))["state"] == "running"
    done = assert_task_facts(await client.call_tool("get_task", {"task_id": 42}))
    assert done["state"] == "succeeded" and len(done["videos"]) == 2
    again = assert_task_facts(await client.call_tool("generate_video", {"prompt": "a fox", "idempotency_key": "k"}))
    assert again["reused"] is True and "Already submitted" in text_of(
        await client.call_tool("generate_video", {"prompt": "a fox", "idempotency_key": "k"})
    )
    failed = assert_task_facts(await client.call_tool("get_task", {"task_id": 43, "email": "a@x.com"}))
    assert failed["state"] == "failed" and failed["error"] == "Kling could not render this"


async def test_a_download_says_the_same_in_text_and_structured_content(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(json=task(42, 99, works=1))
    api.get("/assets/download").mock(
        side_effect=[
            httpx.Response(200, json={"cdnUrl": "https://cdn.test/clean/420.mp4", "status": "success"}),
            httpx.Response(403, json={"error": "A paid Kling plan is required"}),
        ]
    )
    api.get("https://cdn.test/clean/420.mp4").respond(content=MP4)
    link = await client.call_tool("download_clean", {"task_id": 42, "save": False})
    out = link.structured_content
    assert out["url"] in text_of(link) and str(out["task_id"]) in text_of(link) and "no watermark" in text_of(link)
    api.get("https://cdn.test/42/0/preview.mp4").respond(content=MP4)
    saved = await client.call_tool("download_clean", {"task_id": 42})
    out = saved.structured_content
    text = text_of(saved)
    assert out["saved"] and out["path"] in text and str(out["bytes"]) in text
    assert out["clean"] is False and "WATERMARKED" in text and out["reason"] in text


async def test_lists_and_the_balance_say_the_same_in_text_and_structured_content(
    client: Client, api: respx.MockRouter
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/accounts/a@x.com").respond(json=account_detail("a@x.com", 56000))
    api.post("/videos/text2video").mock(side_effect=[httpx.Response(200, json=task(n)) for n in (4201, 4202)])
    for n in range(2):
        assert not (await client.call_tool("generate_video", {"prompt": f"fox {n}"})).is_error
    jobs = await client.call_tool("list_jobs", {})
    for job in jobs.structured_content["jobs"]:
        assert str(job["task_id"]) in text_of(jobs) and job["state"] in text_of(jobs)
    balance = await client.call_tool("get_balance", {})
    out = balance.structured_content
    assert out["email"] in text_of(balance) and f"{out['balance_total']:g}" in text_of(balance)
    assert f"{out['spending']['estimated_credits_24h']:g}" in text_of(balance)
    models = await client.call_tool("list_models", {})
    for model in models.structured_content["models"]:
        assert model["name"] in text_of(models)


@pytest.mark.parametrize(
    "arguments",
    [
        {"prompt": "a fox", "model_name": "kling-v9"},
        {"prompt": "a fox", "model_name": "kling-v2-5", "mode": "std"},
        {"prompt": "a fox", "aspect_ratio": "4:3"},
        {"prompt": "a fox", "modle_name": "kling-v3-0"},
    ],
)
async def test_an_error_says_the_allowed_values_in_its_text(
    client: Client, api: respx.MockRouter, arguments: dict[str, Any]
) -> None:
    result = await client.call_tool("generate_video", arguments)
    err = error_of(result)  # the code, message and hint of _meta are the text's
    allowed = err["details"]["allowed"]
    assert allowed
    values = allowed if isinstance(allowed, list) else [allowed]
    for value in values:
        assert str(value) in text_of(result), (value, text_of(result))
