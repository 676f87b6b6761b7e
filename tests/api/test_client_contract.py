"""KlingClient with respx: every endpoint, every error path, and the retry policy's promises (reads retry on
transient failures; creates are resent only when the job was certainly not accepted)."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st

from kling_mcp.api import errors
from kling_mcp.api.client import KlingClient
from kling_mcp.api.models import Image2VideoFramesRequest, Text2VideoRequest
from kling_mcp.api.retry import RetryPolicy, parse_retry_after
from tests.conftest import API, BASE, TOKEN
from tests.factories import account_detail, accounts, task

pytestmark = pytest.mark.anyio

# The seed's two JSON examples, verbatim.
SEED_CREATE = {
    "task": {
        "id": 123456789,
        "type": "m2v_txt2video_hq",
        "status": 5,
        "status_name": "submitted",
        "status_final": False,
    },
    "works": [],
    "status": 5,
    "status_name": "submitted",
    "status_final": False,
    "message": "",
}
SEED_DONE = {
    "status": 99,
    "status_name": "succeed",
    "status_final": True,
    "works": [
        {
            "workId": 123456789,
            "status_name": "succeed",
            "resource": {
                "resource": "https://s21-kling.klingai.com/....mp4",
                "height": 1268,
                "width": 724,
                "duration": 5041,
            },
        }
    ],
}

slept: list[float] = []


async def no_sleep(seconds: float) -> None:
    slept.append(seconds)


@pytest.fixture
async def kling() -> AsyncIterator[KlingClient]:
    slept.clear()
    policy = RetryPolicy(max_retries=2, base_delay=0.01)
    async with KlingClient(
        token=TOKEN, base_url=BASE, read_retry=policy, capacity_retry=policy, sleep=no_sleep
    ) as client:
        yield client


T2V = Text2VideoRequest(prompt="a fox", model_name="kling-v3-0", duration="6", mode="pro")


# --- endpoints -----------------------------------------------------------------------------------------------------


async def test_every_endpoint_sends_the_documented_request(kling: KlingClient, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    detail = api.get("/accounts/a%2Bb@x.com").respond(json=account_detail("a+b@x.com"))
    t2v = api.post("/videos/text2video").respond(json=SEED_CREATE)
    i2v = api.post("/videos/image2video-frames").respond(json=SEED_CREATE)
    poll = api.get("/tasks/123456789").respond(json=SEED_DONE)
    assets = api.get("/assets/download").respond(json={"cdnUrl": "https://cdn.test/x.mp4", "status": "success"})
    upload = api.post("/assets/").respond(json={"status": 3, "url": "https://cdn.test/u.png", "message": ""})

    assert list((await kling.list_accounts()).root) == ["a@x.com"]
    assert (await kling.get_account("a+b@x.com")).balance.total == 56000  # type: ignore[union-attr]
    assert detail.called
    created = await kling.create_text2video(T2V)
    assert created.task is not None and created.task.id == 123456789
    assert json.loads(t2v.calls.last.request.content) == {
        "prompt": "a fox",
        "model_name": "kling-v3-0",
        "duration": "6",
        "mode": "pro",
    }  # no nulls sent
    await kling.create_image2video_frames(Image2VideoFramesRequest(model_name="kling-v2-5", image="https://i/x.png"))
    assert json.loads(i2v.calls.last.request.content) == {"model_name": "kling-v2-5", "image": "https://i/x.png"}
    done = await kling.get_task(123456789, "a@x.com")
    assert done.works[0].resource.resource.endswith(".mp4")  # type: ignore[union-attr]
    assert poll.calls.last.request.url.params["email"] == "a@x.com"
    await kling.get_clean_download(123456789, "a@x.com")
    assert dict(assets.calls.last.request.url.params) == {
        "email": "a@x.com",
        "workIds": "123456789",
        "fileTypes": "MP4",
    }
    await kling.upload_asset(b"\x89PNG", "image/png", "a@x.com")
    assert upload.calls.last.request.content == b"\x89PNG"
    assert upload.calls.last.request.headers["content-type"] == "image/png"
    for route in (t2v, poll, assets, upload):
        assert route.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("email", ["..", ".", "a/b@x.com", ""])
async def test_unsafe_path_segments_are_refused_before_sending(
    kling: KlingClient, api: respx.MockRouter, email: str
) -> None:
    with pytest.raises(ValueError):
        await kling.get_account(email)
    assert not api.calls


async def test_no_token_sends_nothing(api: respx.MockRouter) -> None:
    async with KlingClient(token="  ", base_url=BASE) as client:
        with pytest.raises(errors.ConfigurationError) as caught:
            await client.list_accounts()
    assert "USEAPI_TOKEN" in str(caught.value) and not api.calls


# --- error mapping -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "error", "words"),
    [
        (400, {"error": "Invalid parameters"}, errors.BadRequestError, "Invalid parameters"),
        (401, {"error": "Unauthorized", "code": 401}, errors.AuthenticationError, "USEAPI_TOKEN"),
        (402, {"error": "Subscription required", "code": 402}, errors.SubscriptionError, "subscription"),
        (
            500,
            {"error": "The content you uploaded appears to violate the community guidelines."},
            errors.ModerationError,
            "moderation",
        ),
        (500, {"error": "Internal"}, errors.UpstreamServerError, "HTTP 500"),
        (596, {"error": "x"}, errors.AccountBrokenError, "Re-add"),
        (418, {"error": "teapot"}, errors.UpstreamServerError, "HTTP 418"),
    ],
)
async def test_create_errors(
    kling: KlingClient,
    api: respx.MockRouter,
    status: int,
    body: dict[str, Any],
    error: type[errors.KlingError],
    words: str,
) -> None:
    route = api.post("/videos/text2video").respond(status, json=body)
    with pytest.raises(error) as caught:
        await kling.create_text2video(T2V)
    assert words in str(caught.value) and TOKEN not in str(caught.value)
    assert route.call_count == 1  # never resent: the job may exist


async def test_poll_404_names_the_seeds_three_causes(kling: KlingClient, api: respx.MockRouter) -> None:
    api.get("/tasks/1").respond(404, json={"error": "not found"})
    with pytest.raises(errors.NotFoundError) as caught:
        await kling.get_task(1)
    text = str(caught.value)
    assert all(word in text for word in ("deleted", "moderation", "credits", "get_balance"))


async def test_html_error_pages_are_summarised(kling: KlingClient, api: respx.MockRouter) -> None:
    page = "<html><head><title>502</title></head><body>" + "<p>Bad gateway</p>" * 200 + "</body></html>"
    api.get("/accounts").respond(502, html=page)
    with pytest.raises(errors.UpstreamServerError) as caught:
        await kling.list_accounts()
    message = caught.value.message
    assert "<" not in message and "Bad gateway" in message and len(message) < 400


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"status": "x"}'])
async def test_malformed_answers_are_upstream_errors(kling: KlingClient, api: respx.MockRouter, body: bytes) -> None:
    api.get("/tasks/1").respond(200, content=body)
    with pytest.raises(errors.MalformedResponseError) as caught:
        await kling.get_task(1)
    assert caught.value.code == "upstream_error"


async def test_a_create_answer_without_task_id_is_an_error(kling: KlingClient, api: respx.MockRouter) -> None:
    api.post("/videos/text2video").respond(200, json={"status": 5, "status_name": "submitted", "status_final": False})
    with pytest.raises(errors.MalformedResponseError) as caught:
        await kling.create_text2video(T2V)
    assert "may have been created" in caught.value.hint


# --- retries -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    [
        httpx.ConnectError("x"),
        httpx.ReadTimeout("x"),
        httpx.RemoteProtocolError("x"),
        httpx.Response(429),
        httpx.Response(500),
        httpx.Response(502),
        httpx.Response(503),
        httpx.Response(504),
    ],
    ids=repr,
)
async def test_reads_retry_transient_failures(kling: KlingClient, api: respx.MockRouter, first: Any) -> None:
    route = api.get("/tasks/42").mock(side_effect=[first, first, httpx.Response(200, json=task(42, 10))])
    assert (await kling.get_task(42)).status == 10
    assert route.call_count == 3 and len(slept) == 2


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 409, 422])
async def test_reads_never_retry_client_errors(kling: KlingClient, api: respx.MockRouter, status: int) -> None:
    route = api.get("/tasks/42").respond(status, json={"error": "no"})
    with pytest.raises(errors.APIStatusError):
        await kling.get_task(42)
    assert route.call_count == 1


async def test_reads_give_up_after_max_retries(kling: KlingClient, api: respx.MockRouter) -> None:
    route = api.get("/tasks/42").respond(503)
    with pytest.raises(errors.UpstreamServerError):
        await kling.get_task(42)
    assert route.call_count == 3  # max_retries + 1


@pytest.mark.parametrize(
    "first",
    [
        httpx.Response(429, headers={"Retry-After": "1.5"}),
        httpx.ConnectError("x"),
        httpx.ConnectTimeout("x"),
        httpx.PoolTimeout("x"),
    ],
    ids=repr,
)
async def test_creates_retry_only_what_was_certainly_not_accepted(
    kling: KlingClient, api: respx.MockRouter, first: Any
) -> None:
    route = api.post("/videos/text2video").mock(side_effect=[first, httpx.Response(200, json=SEED_CREATE)])
    assert (await kling.create_text2video(T2V)).task is not None
    assert route.call_count == 2
    if isinstance(first, httpx.Response):
        assert slept == [1.5]  # Retry-After honoured


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout("x"), httpx.WriteTimeout("x"), httpx.RemoteProtocolError("x"), httpx.ReadError("x")],
    ids=repr,
)
async def test_a_create_that_may_have_arrived_is_never_resent(
    kling: KlingClient, api: respx.MockRouter, failure: Exception
) -> None:
    route = api.post("/videos/text2video").mock(side_effect=[failure, httpx.Response(200, json=SEED_CREATE)])
    with pytest.raises(errors.SubmitOutcomeUnknownError) as caught:
        await kling.create_text2video(T2V)
    assert route.call_count == 1 and "may or may not" in caught.value.message


async def test_capacity_gives_up_with_a_capacity_error(kling: KlingClient, api: respx.MockRouter) -> None:
    route = api.post("/videos/text2video").respond(429, json={"error": "busy"})
    with pytest.raises(errors.CapacityError):
        await kling.create_text2video(T2V)
    assert route.call_count == 3


async def test_failed_responses_are_closed_before_retrying() -> None:
    opened: list[httpx.Response] = []

    def handler(request: httpx.Request) -> httpx.Response:
        response = httpx.Response(503 if len(opened) < 2 else 200, json=task(42, 10))
        opened.append(response)
        return response

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with KlingClient(
        token=TOKEN, base_url=BASE, http=http, sleep=no_sleep, read_retry=RetryPolicy(max_retries=3)
    ) as client:
        await client.get_task(42)
    await http.aclose()
    assert len(opened) == 3 and all(r.is_closed for r in opened)


async def test_a_stalled_upstream_cannot_hang_a_read_past_its_budget(api: respx.MockRouter) -> None:
    import anyio

    async def stall(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(3600)
        raise AssertionError("unreachable")

    api.get("/tasks/42").mock(side_effect=stall)
    async with KlingClient(token=TOKEN, base_url=BASE, read_budget=0.2) as client:
        with anyio.fail_after(5), pytest.raises(errors.APITimeoutError) as caught:
            await client.get_task(42)
    assert caught.value.code == "upstream_timeout" and "0.2 s" in caught.value.message


# --- the policy itself ---------------------------------------------------------------------------------------------


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter=0.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5, 6)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert policy.delay(3, retry_after="3") == 3.0
    assert policy.delay(3, retry_after="3600") == 4.0  # a Retry-After above the cap is not honoured


@given(st.integers(min_value=-5, max_value=10**9), st.one_of(st.none(), st.text(max_size=40)))
def test_delay_is_always_finite_and_bounded(retry_number: int, retry_after: str | None) -> None:
    delay = RetryPolicy(max_delay=10.0).delay(retry_number, retry_after)
    assert math.isfinite(delay) and 0.0 <= delay <= 10.0


@given(st.text(max_size=60))
def test_retry_after_parsing_never_raises(value: str) -> None:
    parsed = parse_retry_after(value)
    assert parsed is None or (math.isfinite(parsed) and parsed >= 0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2", 2.0),
        ("0.5", 0.5),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        ("-1", None),
        ("inf", None),
        ("nan", None),
        ("soon", None),
        ("", None),
    ],
)
def test_retry_after_formats(value: str, expected: float | None) -> None:
    now = 1445412480.0  # 2015-10-21 07:28:00 GMT
    assert parse_retry_after(value, now=now) == expected


def test_api_base_is_what_the_tests_assume() -> None:
    assert f"{BASE}/v1/kling" == API
