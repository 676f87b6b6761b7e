"""What is retried, how often, and how long the client waits: reads retry transient failures; creates are resent
only when the job was certainly not accepted; the backoff and Retry-After parsing stay inside their bounds."""

from __future__ import annotations

import email.utils
import json
import math
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st

from kling_mcp.api import errors
from kling_mcp.api.client import SEND_RESERVE, KlingClient
from kling_mcp.api.models import Image2VideoFramesRequest, Text2VideoRequest
from kling_mcp.api.retry import RetryPolicy, parse_retry_after
from tests.api.conftest import SleepRecorder
from tests.api.seed_json import ASSET_UPLOAD, SEED_CREATE_RESPONSE, SEED_SUCCEED_POLL_RESPONSE
from tests.conftest import BASE, TOKEN

T2V = Text2VideoRequest(prompt="a fox", model_name="kling-v3-0", duration="5")
DONE = json.loads(SEED_SUCCEED_POLL_RESPONSE)
CREATED = json.loads(SEED_CREATE_RESPONSE)


def ok(body: Any = DONE) -> httpx.Response:
    return httpx.Response(200, json=body)


def always(make: Callable[[], httpx.Response | Exception]) -> Callable[[httpx.Request], httpx.Response]:
    """A respx side effect that answers every call with a fresh response, or raises a fresh exception."""

    def effect(request: httpx.Request) -> httpx.Response:
        outcome = make()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return effect


# --- reads (GET) ---------------------------------------------------------------------------------------------------

TRANSIENT_READ_FAILURES: list[Callable[[], Any]] = [
    lambda: httpx.ConnectError("refused"),
    lambda: httpx.ConnectTimeout("slow connect"),
    lambda: httpx.ReadTimeout("slow read"),
    lambda: httpx.PoolTimeout("pool"),
    lambda: httpx.RemoteProtocolError("peer closed"),
    lambda: httpx.ReadError("reset"),
    lambda: httpx.Response(408),
    lambda: httpx.Response(429, json={"error": "busy"}),
    lambda: httpx.Response(500, json={"error": "Internal"}),
    lambda: httpx.Response(502, html="<h1>Bad gateway</h1>"),
    lambda: httpx.Response(503),
    lambda: httpx.Response(504),
]
READ_FAILURE_IDS = [
    "ConnectError",
    "ConnectTimeout",
    "ReadTimeout",
    "PoolTimeout",
    "RemoteProtocolError",
    "ReadError",
    "408",
    "429",
    "500",
    "502",
    "503",
    "504",
]


@pytest.mark.parametrize("failure", TRANSIENT_READ_FAILURES, ids=READ_FAILURE_IDS)
async def test_a_read_retries_a_transient_failure_and_succeeds(
    client: KlingClient, upstream: respx.MockRouter, sleeps: SleepRecorder, failure: Callable[[], Any]
) -> None:
    route = upstream.get("/tasks/1").mock(side_effect=[failure(), failure(), ok()])
    done = await client.get_task(1)
    assert done.status == 99
    assert route.call_count == 3
    assert sleeps.calls == [0.5, 1.0]  # base 0.5 s doubling, jitter pinned to 1


@pytest.mark.parametrize(
    ("failure", "error_class"),
    [
        (lambda: httpx.Response(503), errors.UpstreamServerError),
        (lambda: httpx.Response(429), errors.CapacityError),
        (lambda: httpx.ConnectError("refused"), errors.APIConnectionError),
        (lambda: httpx.ReadTimeout("slow"), errors.APITimeoutError),
    ],
    ids=["503", "429", "ConnectError", "ReadTimeout"],
)
async def test_a_read_gives_up_after_max_retries_plus_one_calls_with_a_typed_error(
    client: KlingClient,
    upstream: respx.MockRouter,
    sleeps: SleepRecorder,
    failure: Callable[[], Any],
    error_class: type[errors.APIError],
) -> None:
    route = upstream.get("/tasks/1").mock(side_effect=always(failure))
    with pytest.raises(error_class):
        await client.get_task(1)
    assert client.read_retry.max_retries == 3
    assert route.call_count == 4
    assert sleeps.calls == [0.5, 1.0, 2.0]


async def test_a_read_with_zero_retries_is_tried_once(
    make_client: Callable[..., KlingClient], upstream: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    route = upstream.get("/tasks/1").respond(503)
    with pytest.raises(errors.UpstreamServerError):
        await make_client(read_retry=RetryPolicy(max_retries=0)).get_task(1)
    assert route.call_count == 1 and sleeps.calls == []


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 405, 409, 410, 411, 413, 415, 422, 425, 431, 596])
async def test_a_read_never_retries_a_client_error(
    client: KlingClient, upstream: respx.MockRouter, sleeps: SleepRecorder, status: int
) -> None:
    route = upstream.get("/tasks/1").respond(status, json={"error": "no"})
    with pytest.raises(errors.APIStatusError) as caught:
        await client.get_task(1)
    assert caught.value.status_code == status
    assert route.call_count == 1 and sleeps.calls == []


async def test_a_read_honours_retry_after(
    client: KlingClient, upstream: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    route = upstream.get("/accounts").mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": "3"}), ok({"a@x.com": {"email": "a@x.com"}})]
    )
    await client.list_accounts()
    assert route.call_count == 2 and sleeps.calls == [3.0]


async def test_a_read_ignores_a_retry_after_beyond_the_cap(
    client: KlingClient, upstream: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    upstream.get("/tasks/1").mock(side_effect=[httpx.Response(429, headers={"Retry-After": "86400"}), ok()])
    await client.get_task(1)
    assert sleeps.calls == [0.5]  # own backoff instead of a day


async def test_a_read_stops_early_when_the_next_wait_would_pass_its_budget(
    make_client: Callable[..., KlingClient], upstream: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    policy = RetryPolicy(max_retries=5, base_delay=5.0, max_delay=10.0, random=lambda: 0.0)
    route = upstream.get("/tasks/1").respond(503)
    with pytest.raises(errors.UpstreamServerError):
        await make_client(read_retry=policy, read_budget=SEND_RESERVE + 6.0).get_task(1)
    # 5 s would leave the reserve for the answer, then 10 s would not: the waits stop at the budget, not at
    # max_retries.
    assert sleeps.calls == [5.0]
    assert route.call_count == 2


async def test_waits_and_sends_share_one_budget(
    make_client: Callable[..., KlingClient], upstream: respx.MockRouter
) -> None:
    """With a clock that the sleep and each answer advance, the one budget bounds waits and sends together
    (#19 item 5: there used to be one budget for the waits and another for the whole read)."""
    now = [1000.0]
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        now[0] += seconds

    def slow_503(request: httpx.Request) -> httpx.Response:
        now[0] += 3.0  # each answer takes 3 s
        return httpx.Response(503)

    policy = RetryPolicy(max_retries=10, base_delay=4.0, max_delay=4.0, random=lambda: 0.0)
    route = upstream.get("/tasks/1").mock(side_effect=slow_503)
    with pytest.raises(errors.UpstreamServerError):
        await make_client(read_retry=policy, sleep=sleep, clock=lambda: now[0], read_budget=30.0).get_task(1)
    # Sends end at 3, 10, 17, 24 s; a 4th wait would reach 28 s, leaving less than the 5 s reserve of 30 s.
    assert waited == [4.0, 4.0, 4.0]
    assert route.call_count == 4


async def test_a_read_never_outlives_its_budget(
    make_client: Callable[..., KlingClient], upstream: respx.MockRouter
) -> None:
    async def stall(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(3600)
        raise AssertionError("unreachable")

    upstream.get("/tasks/1").mock(side_effect=stall)
    with anyio.fail_after(5), pytest.raises(errors.APITimeoutError) as caught:
        await make_client(read_budget=0.05).get_task(1)
    assert caught.value.code == "upstream_timeout" and "0.05 s" in caught.value.message


async def test_an_upload_is_retried_like_a_read_with_the_same_bytes(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.post("/assets/").mock(side_effect=[httpx.ReadTimeout("slow"), ok(ASSET_UPLOAD)])
    await client.upload_asset(b"\x89PNG-bytes", "image/png")
    assert route.call_count == 2
    assert [call.request.content for call in route.calls] == [b"\x89PNG-bytes", b"\x89PNG-bytes"]


async def test_an_upload_rejected_by_moderation_is_not_retried(
    client: KlingClient, upstream: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    route = upstream.post("/assets/").respond(500, json={"error": "The image appears to violate the guidelines"})
    with pytest.raises(errors.ModerationError):
        await client.upload_asset(b"\x89PNG", "image/png")
    assert route.call_count == 1 and sleeps.calls == []


# --- creates (POST) ------------------------------------------------------------------------------------------------


async def test_a_create_retries_429_with_the_capacity_policy_and_succeeds(
    client: KlingClient, upstream: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    route = upstream.post("/videos/text2video").mock(
        side_effect=[httpx.Response(429), httpx.Response(429), ok(CREATED)]
    )
    created = await client.create_text2video(T2V)
    assert created.task is not None and created.task.id == 123456789
    assert route.call_count == 3
    assert sleeps.calls == [2.0, 4.0]  # capacity policy: base 2 s, not the read policy's 0.5 s


async def test_a_create_gives_up_on_429_after_the_capacity_retries_not_the_read_retries(
    make_client: Callable[..., KlingClient], upstream: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    kling = make_client(
        read_retry=RetryPolicy(max_retries=1), capacity_retry=RetryPolicy(max_retries=4, random=lambda: 0.0)
    )
    route = upstream.post("/videos/text2video").respond(429, json={"error": "All accounts at maxJobs"})
    with pytest.raises(errors.CapacityError):
        await kling.create_text2video(T2V)
    assert route.call_count == 5
    assert len(sleeps.calls) == 4


async def test_a_create_honours_retry_after_on_429(
    client: KlingClient, upstream: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    upstream.post("/videos/text2video").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7.5"}), ok(CREATED)]
    )
    await client.create_text2video(T2V)
    assert sleeps.calls == [7.5]


NOT_SENT: list[Callable[[], Exception]] = [
    lambda: httpx.ConnectError("refused"),
    lambda: httpx.ConnectTimeout("slow connect"),
    lambda: httpx.PoolTimeout("pool full"),
]


@pytest.mark.parametrize("failure", NOT_SENT, ids=["ConnectError", "ConnectTimeout", "PoolTimeout"])
async def test_a_create_that_never_left_is_resent(
    client: KlingClient, upstream: respx.MockRouter, failure: Callable[[], Exception]
) -> None:
    route = upstream.post("/videos/text2video").mock(side_effect=[failure(), failure(), ok(CREATED)])
    created = await client.create_text2video(T2V)
    assert created.task is not None
    assert route.call_count == 3
    bodies = {call.request.content for call in route.calls}
    assert len(bodies) == 1  # the same job, resent as is


@pytest.mark.parametrize("failure", NOT_SENT, ids=["ConnectError", "ConnectTimeout", "PoolTimeout"])
async def test_a_create_that_never_left_gives_up_saying_nothing_was_submitted(
    client: KlingClient, upstream: respx.MockRouter, failure: Callable[[], Exception]
) -> None:
    route = upstream.post("/videos/text2video").mock(side_effect=always(failure))
    with pytest.raises(errors.APIConnectionError) as caught:
        await client.create_text2video(T2V)
    assert route.call_count == client.capacity_retry.max_retries + 1
    assert "not submitted" in caught.value.message


MAYBE_SENT: list[Callable[[], Exception]] = [
    lambda: httpx.ReadTimeout("slow read"),
    lambda: httpx.WriteTimeout("slow write"),
    lambda: httpx.RemoteProtocolError("peer closed"),
    lambda: httpx.ReadError("reset"),
    lambda: httpx.WriteError("broken pipe"),
]


@pytest.mark.parametrize(
    "failure", MAYBE_SENT, ids=["ReadTimeout", "WriteTimeout", "RemoteProtocolError", "ReadError", "WriteError"]
)
@pytest.mark.parametrize("endpoint", ["text2video", "image2video-frames"])
async def test_a_create_that_may_have_arrived_is_never_resent(
    client: KlingClient,
    upstream: respx.MockRouter,
    sleeps: SleepRecorder,
    failure: Callable[[], Exception],
    endpoint: str,
) -> None:
    route = upstream.post(f"/videos/{endpoint}").mock(side_effect=[failure(), ok(CREATED)])
    with pytest.raises(errors.SubmitOutcomeUnknownError) as caught:
        if endpoint == "text2video":
            await client.create_text2video(T2V)
        else:
            await client.create_image2video_frames(Image2VideoFramesRequest(model_name="kling-v2-5", image="u"))
    assert route.call_count == 1 and sleeps.calls == []
    error = caught.value
    assert error.code == "outcome_unknown"
    assert "may or may not" in error.message and "Do not resubmit blindly" in error.hint


@pytest.mark.parametrize("status", [500, 400, 401, 402, 404, 596, 409])
async def test_a_create_answered_with_an_error_status_is_never_resent(
    client: KlingClient, upstream: respx.MockRouter, sleeps: SleepRecorder, status: int
) -> None:
    route = upstream.post("/videos/text2video").respond(status, json={"error": "Internal"})
    with pytest.raises(errors.APIStatusError) as caught:
        await client.create_text2video(T2V)
    assert caught.value.status_code == status
    assert route.call_count == 1 and sleeps.calls == []


# --- no leaked connections -----------------------------------------------------------------------------------------


class CountingStream(httpx.AsyncByteStream):
    def __init__(self, body: bytes, ledger: list[CountingStream]) -> None:
        self.body = body
        self.closed = False
        ledger.append(self)

    async def __aiter__(self) -> Any:
        yield self.body

    async def aclose(self) -> None:
        self.closed = True


class CountingTransport(httpx.AsyncBaseTransport):
    """Plays a script of answers and records every response stream it hands out, to check each gets closed."""

    def __init__(self, script: list[tuple[int, Any]]) -> None:
        self.script = script
        self.streams: list[CountingStream] = []
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        status, body = self.script[min(self.requests, len(self.script) - 1)]
        self.requests += 1
        content = json.dumps(body).encode()
        return httpx.Response(
            status, headers={"Content-Type": "application/json"}, stream=CountingStream(content, self.streams)
        )


@pytest.mark.parametrize(
    ("script", "calls", "error_class"),
    [
        ([(503, {"error": "x"}), (502, {"error": "y"}), (200, DONE)], 3, None),
        ([(503, {"error": "x"})], 4, errors.UpstreamServerError),
        ([(404, {"error": "gone"})], 1, errors.NotFoundError),
        ([(200, {"status": "garbage"})], 1, errors.MalformedResponseError),
    ],
    ids=["retried-then-ok", "retries-exhausted", "not-retried", "malformed"],
)
async def test_every_response_is_closed_on_success_retry_and_error(
    sleeps: SleepRecorder, script: list[tuple[int, Any]], calls: int, error_class: type[Exception] | None
) -> None:
    transport = CountingTransport(script)
    async with (
        httpx.AsyncClient(transport=transport) as http,
        KlingClient(token=TOKEN, base_url=BASE, http=http, sleep=sleeps, read_retry=RetryPolicy(max_retries=3)) as kc,
    ):
        if error_class is None:
            await kc.get_task(1)
        else:
            with pytest.raises(error_class):
                await kc.get_task(1)
        assert transport.requests == calls
        assert len(transport.streams) == calls
        assert all(stream.closed for stream in transport.streams)


async def test_every_create_response_is_closed_across_capacity_retries(sleeps: SleepRecorder) -> None:
    transport = CountingTransport([(429, {"error": "busy"}), (429, {"error": "busy"}), (200, CREATED)])
    async with (
        httpx.AsyncClient(transport=transport) as http,
        KlingClient(token=TOKEN, base_url=BASE, http=http, sleep=sleeps) as kc,
    ):
        await kc.create_text2video(T2V)
    assert transport.requests == 3
    assert all(stream.closed for stream in transport.streams)


# --- RetryPolicy.delay ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("retry_number", "expected"),
    [(-3, 1.0), (0, 1.0), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 10.0), (6, 10.0), (60, 10.0), (10**12, 10.0)],
)
def test_backoff_doubles_from_the_base_and_is_capped(retry_number: int, expected: float) -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter=0.25, random=lambda: 0.0)
    assert policy.delay(retry_number) == expected


@pytest.mark.parametrize(
    ("retry_number", "low", "high"), [(1, 0.75, 1.0), (2, 1.5, 2.0), (3, 3.0, 4.0), (4, 6.0, 8.0), (9, 7.5, 10.0)]
)
def test_jitter_takes_off_at_most_a_quarter(retry_number: int, low: float, high: float) -> None:
    most = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter=0.25, random=lambda: 1.0)
    least = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter=0.25, random=lambda: 0.0)
    assert most.delay(retry_number) == pytest.approx(low)
    assert least.delay(retry_number) == pytest.approx(high)


def test_jitter_with_the_real_random_source_stays_in_range() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter=0.25)
    samples = [policy.delay(3) for _ in range(200)]
    assert all(3.0 <= s <= 4.0 for s in samples)
    assert len(set(samples)) > 1  # really random


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [("3", 3.0), ("0", 0.0), ("2.5", 2.5), ("10", 10.0), ("10.01", 4.0), ("3600", 4.0), ("soon", 4.0), ("-1", 4.0)],
)
def test_retry_after_is_used_only_when_sane_and_within_the_cap(retry_after: str, expected: float) -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0, random=lambda: 0.0)
    assert policy.delay(3, retry_after) == expected


@given(
    retry_number=st.one_of(st.integers(min_value=0, max_value=100), st.integers(min_value=0)),
    retry_after=st.one_of(st.none(), st.text(max_size=40), st.floats(allow_nan=True).map(str)),
    jitter_draw=st.floats(min_value=0.0, max_value=1.0),
    max_delay=st.floats(min_value=0.0, max_value=3600.0),
)
def test_delay_is_always_finite_and_within_zero_and_the_cap(
    retry_number: int, retry_after: str | None, jitter_draw: float, max_delay: float
) -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=max_delay, random=lambda: jitter_draw)
    delay = policy.delay(retry_number, retry_after)
    assert math.isfinite(delay)
    assert 0.0 <= delay <= max_delay


def test_delay_survives_an_astronomical_retry_number() -> None:
    assert RetryPolicy(max_delay=10.0, random=lambda: 0.0).delay(10**100) == 10.0


# --- parse_retry_after ---------------------------------------------------------------------------------------------

NOW = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("  7  ", 7.0),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Wed, 21 Oct 2015 09:28:00 +0200", 0.0),
        ("Wed, 21 Oct 2015 07:27:59 GMT", None),  # in the past
        ("-1", None),
        ("-0.5", None),
        ("inf", None),
        ("Infinity", None),
        ("1e999", None),
        ("nan", None),
        ("NaN", None),
        ("soon", None),
        ("Wed, 99 Foo 2015 99:99:99 GMT", None),
        ("Fri, 31 Dec 99999 23:59:59 GMT", None),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_parse_retry_after_table(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


@given(st.text(max_size=80))
def test_parse_retry_after_never_raises_and_is_none_or_finite_non_negative(value: str) -> None:
    parsed = parse_retry_after(value, now=NOW)
    assert parsed is None or (math.isfinite(parsed) and parsed >= 0.0)


@given(st.floats(min_value=0.0, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_parse_retry_after_reads_back_any_seconds_value(seconds: float) -> None:
    assert parse_retry_after(repr(seconds)) == seconds


@given(st.integers(min_value=0, max_value=10**7))
def test_parse_retry_after_reads_back_any_future_http_date(ahead: int) -> None:
    header = email.utils.formatdate(NOW + ahead, usegmt=True)
    assert parse_retry_after(header, now=NOW) == pytest.approx(ahead)


@pytest.mark.parametrize(
    "failure",
    [lambda: httpx.ProxyError("proxy refused CONNECT"), lambda: httpx.UnsupportedProtocol("no scheme")],
    ids=["ProxyError", "UnsupportedProtocol"],
)
async def test_a_create_that_failed_before_the_upstream_is_treated_as_never_sent(
    client: KlingClient, upstream: respx.MockRouter, failure: Callable[[], Exception]
) -> None:
    route = upstream.post("/videos/text2video").mock(side_effect=always(failure))
    with pytest.raises(errors.APIConnectionError) as caught:
        await client.create_text2video(T2V)
    assert not isinstance(caught.value, errors.SubmitOutcomeUnknownError)
    assert route.call_count == client.capacity_retry.max_retries + 1


@pytest.mark.parametrize(
    "failure",
    [lambda: httpx.LocalProtocolError("bad header"), lambda: httpx.CloseError("close failed")],
    ids=["LocalProtocolError", "CloseError"],
)
async def test_any_other_request_error_on_create_is_conservatively_an_unknown_outcome(
    client: KlingClient, upstream: respx.MockRouter, failure: Callable[[], Exception]
) -> None:
    route = upstream.post("/videos/text2video").mock(side_effect=always(failure))
    with pytest.raises(errors.SubmitOutcomeUnknownError):
        await client.create_text2video(T2V)
    assert route.call_count == 1


def _undecodable() -> httpx.Response:
    """Decoded only when the client reads the body, as with a real transport (``content=`` would decode at once)."""
    return httpx.Response(200, stream=httpx.ByteStream(b"this is not gzip"), headers={"Content-Encoding": "gzip"})


async def test_an_undecodable_answer_to_a_read_is_retried(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.get("/tasks/1").mock(side_effect=[_undecodable(), ok()])
    assert (await client.get_task(1)).status == 99
    assert route.call_count == 2  # retried like any transient read failure


async def test_an_undecodable_answer_to_a_create_means_the_outcome_is_unknown(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.post("/videos/text2video").mock(side_effect=always(_undecodable))
    with pytest.raises(errors.SubmitOutcomeUnknownError):
        await client.create_text2video(T2V)
    assert route.call_count == 1
