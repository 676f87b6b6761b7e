"""Creates spend credits: what their answer must carry (#17 item 1), which answers leave the outcome unknown (#17
item 2), how long a 429 is waited out (#17 item 10), and the deadline and cancellation contract (#11 item 8)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import anyio
import httpx
import pytest
import respx

from kling_mcp.api import errors
from kling_mcp.api.client import SEND_RESERVE, CreateAttempt, KlingClient
from kling_mcp.api.models import Text2VideoRequest
from kling_mcp.api.retry import CAPACITY_RETRY
from tests.api.conftest import SleepRecorder
from tests.api.seed_json import SEED_CREATE_RESPONSE

CREATED = json.loads(SEED_CREATE_RESPONSE)
T2V = Text2VideoRequest(prompt="a fox", model_name="kling-v3-0", duration="5")
TOOL_NAMES = ("list_jobs", "get_task", "get_balance", "generate_video", "animate_image")


def assert_unknown(error: errors.KlingError) -> None:
    """An unknown outcome, worded as one, and never something the service would read as a rejection."""
    assert type(error) is errors.SubmitOutcomeUnknownError
    assert error.code == "outcome_unknown"
    assert "may or may not" in error.message and "Do not resubmit blindly" in error.hint
    assert not any(name in error.hint for name in TOOL_NAMES)


# --- the create answer (#17 item 1) ----------------------------------------------------------------------------------


async def test_an_answer_with_only_task_id_is_a_submitted_task(client: KlingClient, upstream: respx.MockRouter) -> None:
    upstream.post("/videos/text2video").respond(200, json={"task": {"id": 77}})
    created = await client.create_text2video(T2V)
    assert created.task is not None and created.task.id == 77
    assert (created.status, created.status_name, created.status_final) == (5, "submitted", False)


async def test_an_answer_with_the_status_only_in_task_reads_it_from_there(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    task = {"id": 77, "status": 10, "status_name": "processing", "status_final": False}
    upstream.post("/videos/text2video").respond(200, json={"task": task, "works": []})
    created = await client.create_text2video(T2V)
    assert (created.status, created.status_name, created.status_final) == (10, "processing", False)


async def test_an_answer_whose_other_fields_are_odd_still_gives_its_task_id(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    upstream.post("/videos/text2video").respond(200, json={"task": {"id": 77}, "works": "none", "status": "queued"})
    created = await client.create_text2video(T2V)
    assert created.task is not None and created.task.id == 77 and created.status_name == "submitted"


@pytest.mark.parametrize(
    "body",
    [
        b"OK",
        b"<html>maintenance</html>",
        b"",
        b"[1, 2]",
        b"{}",
        b'{"works": [], "status": 5, "status_name": "submitted", "status_final": false}',
        b'{"task": null}',
        b'{"task": {}}',
        b'{"task": {"id": "abc"}}',
        b'{"task": [77]}',
    ],
    ids=["text", "html", "empty", "array", "object", "no-task", "null-task", "no-id", "bad-id", "task-array"],
)
@pytest.mark.parametrize("status", [200, 201])
async def test_a_2xx_answer_without_a_usable_task_id_is_an_unknown_outcome(
    client: KlingClient, upstream: respx.MockRouter, body: bytes, status: int
) -> None:
    route = upstream.post("/videos/text2video").respond(status, content=body)
    tracker = CreateAttempt()
    with pytest.raises(errors.KlingError) as caught:
        await client.create_text2video(T2V, tracker=tracker)
    assert_unknown(caught.value)
    assert route.call_count == 1 and tracker.maybe_sent


# --- gateway answers (#17 item 2) ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 502, 503, 504])
async def test_a_gateway_timeout_or_fault_on_a_create_is_an_unknown_outcome_never_resent(
    client: KlingClient, upstream: respx.MockRouter, sleeps: SleepRecorder, status: int
) -> None:
    route = upstream.post("/videos/text2video").respond(status, html="<h1>Gateway Time-out</h1>")
    tracker = CreateAttempt()
    with pytest.raises(errors.KlingError) as caught:
        await client.create_text2video(T2V, tracker=tracker)
    assert_unknown(caught.value)
    assert f"HTTP {status}" in caught.value.message and "Gateway Time-out" in caught.value.message
    assert caught.value.details["http_status"] == status
    assert route.call_count == 1 and sleeps.calls == [] and tracker.maybe_sent


@pytest.mark.parametrize("status", [408, 502, 503, 504])
async def test_a_read_still_retries_the_gateway_statuses(
    client: KlingClient, upstream: respx.MockRouter, status: int
) -> None:
    route = upstream.get("/tasks/1").mock(side_effect=[httpx.Response(status), httpx.Response(200, json=CREATED)])
    assert (await client.get_task(1)).status == 5
    assert route.call_count == 2


# --- 429 (#17 item 10) -----------------------------------------------------------------------------------------------


class FakeTime:
    """A monotonic clock that only the injected sleep advances."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def guide_client(make_client: Callable[..., KlingClient], fake_time: FakeTime) -> KlingClient:
    """A client with the default capacity policy (not the test fixture's), on the fake clock."""
    return make_client(capacity_retry=None, sleep=fake_time.sleep, clock=fake_time.clock)


def test_the_default_capacity_policy_is_the_guides_ten_seconds_six_retries() -> None:
    assert CAPACITY_RETRY.max_retries == 6
    assert [CAPACITY_RETRY.delay(n) for n in range(1, 7)] == [10.0] * 6
    assert CAPACITY_RETRY.delay(1, "4") == 4.0  # Retry-After honoured up to the 10 s wait
    assert CAPACITY_RETRY.delay(1, "3600") == 10.0


async def test_a_429_is_waited_out_like_the_guides_script_when_the_deadline_allows(
    guide_client: KlingClient, upstream: respx.MockRouter, fake_time: FakeTime
) -> None:
    route = upstream.post("/videos/text2video").respond(429, json={"error": "busy"})
    tracker = CreateAttempt()
    with pytest.raises(errors.CapacityError) as caught:
        await guide_client.create_text2video(T2V, deadline=600, tracker=tracker)
    assert route.call_count == 7  # the first try and 6 retries (MAX_429_RETRIES = 6)
    assert fake_time.waits == [10.0] * 6
    assert (tracker.attempts, tracker.capacity_wait_s, tracker.maybe_sent) == (7, 60.0, False)
    assert caught.value.details["attempts"] == 7 and caught.value.details["waited_s"] == 60.0


async def test_a_429_is_waited_out_only_within_the_callers_deadline(
    guide_client: KlingClient, upstream: respx.MockRouter, fake_time: FakeTime
) -> None:
    route = upstream.post("/videos/text2video").respond(429)
    tracker = CreateAttempt()
    with pytest.raises(errors.CapacityError):
        await guide_client.create_text2video(T2V, deadline=50, tracker=tracker)
    # Tries at 0, 10, 20, 30 and 40 s; one more wait would leave less than the send reserve of the 50 s.
    assert SEND_RESERVE == 5.0
    assert route.call_count == 5 and fake_time.waits == [10.0] * 4
    assert tracker.capacity_wait_s == 40.0


async def test_a_429_then_success_tells_the_caller_how_long_it_waited(
    guide_client: KlingClient, upstream: respx.MockRouter, fake_time: FakeTime
) -> None:
    upstream.post("/videos/text2video").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "3"}),
            httpx.Response(429),
            httpx.Response(200, json=CREATED),
        ]
    )
    tracker = CreateAttempt()
    created = await guide_client.create_text2video(T2V, tracker=tracker)
    assert created.task is not None and created.task.id == 123456789
    assert fake_time.waits == [3.0, 10.0]
    assert (tracker.attempts, tracker.capacity_wait_s, tracker.maybe_sent) == (3, 13.0, True)


async def test_the_default_deadline_bounds_the_429_waits(
    guide_client: KlingClient, upstream: respx.MockRouter, fake_time: FakeTime
) -> None:
    route = upstream.post("/videos/text2video").respond(429)
    with pytest.raises(errors.CapacityError):
        await guide_client.create_text2video(T2V)
    assert guide_client.create_deadline == 60.0
    assert route.call_count == 6 and sum(fake_time.waits) == 50.0


# --- the tracker -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "maybe_sent"),
    [
        (lambda: httpx.Response(200, json=CREATED), True),
        (lambda: httpx.Response(400, json={"error": "bad"}), False),
        (lambda: httpx.Response(500, json={"error": "violates the community guidelines"}), False),
        (lambda: httpx.Response(429), False),
        (lambda: httpx.ConnectError("refused"), False),
        (lambda: httpx.ReadTimeout("slow"), True),
        (lambda: httpx.Response(504), True),
    ],
    ids=["200", "400", "500-moderation", "429", "ConnectError", "ReadTimeout", "504"],
)
async def test_the_tracker_says_whether_the_job_may_exist(
    client: KlingClient, upstream: respx.MockRouter, answer: Callable[[], httpx.Response | Exception], maybe_sent: bool
) -> None:
    def effect(request: httpx.Request) -> httpx.Response:
        outcome = answer()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    upstream.post("/videos/text2video").mock(side_effect=effect)
    tracker = CreateAttempt()
    try:
        await client.create_text2video(T2V, tracker=tracker)
    except errors.KlingError as exc:
        assert isinstance(exc, errors.SubmitOutcomeUnknownError) == maybe_sent
    assert tracker.maybe_sent is maybe_sent and tracker.attempts >= 1


async def test_a_request_that_cannot_be_built_was_never_sent(
    make_client: Callable[..., KlingClient], upstream: respx.MockRouter
) -> None:
    tracker = CreateAttempt()
    kling = make_client(base_url="https://api.test/" + "x" * 70_000)  # httpx: "URL too long"
    with pytest.raises(errors.APIError) as caught:
        await kling.create_text2video(T2V, tracker=tracker)
    assert not isinstance(caught.value, errors.SubmitOutcomeUnknownError)
    assert "nothing was sent" in caught.value.message
    assert (tracker.maybe_sent, tracker.attempts) == (False, 0)


# --- deadline and cancellation (#11 item 8) --------------------------------------------------------------------------


class Trickle(httpx.AsyncByteStream):
    """A body that sends one byte and then nothing more for 20 s (bounded, so that a regression that shields the
    send fails the test instead of hanging it)."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"{"
        await anyio.sleep(20)
        yield b"}"


async def test_a_create_answer_that_trickles_ends_at_the_deadline_as_an_unknown_outcome(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.post("/videos/text2video").mock(return_value=httpx.Response(200, stream=Trickle()))
    tracker = CreateAttempt()
    with anyio.fail_after(10), pytest.raises(errors.KlingError) as caught:
        await client.create_text2video(T2V, deadline=0.2, tracker=tracker)
    assert_unknown(caught.value)
    assert "0.2 s" in caught.value.message
    assert route.call_count == 1 and tracker.maybe_sent


async def test_a_create_that_never_answers_ends_at_the_default_deadline(
    make_client: Callable[..., KlingClient], upstream: respx.MockRouter
) -> None:
    async def stall(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(20)
        raise AssertionError("the create outlived its deadline")

    upstream.post("/videos/text2video").mock(side_effect=stall)
    with anyio.fail_after(10), pytest.raises(errors.SubmitOutcomeUnknownError):
        await make_client(create_deadline=0.1).create_text2video(T2V)


async def test_a_cancelled_create_stops_at_once_and_says_it_may_have_been_sent(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    """The send is not shielded: cancelling the caller interrupts the request in flight (before the fix, the
    handler below ran to its end, 10 s later, before the cancellation took effect)."""
    arrived = anyio.Event()
    finished: list[bool] = []

    async def slow(request: httpx.Request) -> httpx.Response:
        arrived.set()
        with anyio.move_on_after(10):
            await anyio.sleep_forever()
        finished.append(True)
        return httpx.Response(200, json=CREATED)

    upstream.post("/videos/text2video").mock(side_effect=slow)
    tracker = CreateAttempt()
    outcome: list[str] = []

    async def submit() -> None:
        try:
            await client.create_text2video(T2V, tracker=tracker)
            outcome.append("returned")
        except anyio.get_cancelled_exc_class():
            outcome.append("cancelled")
            raise

    with anyio.fail_after(30):
        async with anyio.create_task_group() as group:
            group.start_soon(submit)
            await arrived.wait()
            group.cancel_scope.cancel()
    assert outcome == ["cancelled"] and finished == []
    assert (tracker.maybe_sent, tracker.attempts) == (True, 1)


async def test_a_create_cancelled_while_waiting_out_a_429_was_not_sent(
    make_client: Callable[..., KlingClient], upstream: respx.MockRouter
) -> None:
    waiting = anyio.Event()

    async def sleep(seconds: float) -> None:
        waiting.set()
        await anyio.sleep_forever()

    route = upstream.post("/videos/text2video").respond(429)
    kling = make_client(sleep=sleep)
    tracker = CreateAttempt()
    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(lambda: kling.create_text2video(T2V, tracker=tracker))
            await waiting.wait()
            group.cancel_scope.cancel()
    assert route.call_count == 1
    assert (tracker.maybe_sent, tracker.attempts, tracker.capacity_wait_s) == (False, 1, 0.0)


async def test_a_non_positive_deadline_is_a_programming_error(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.post("/videos/text2video").respond(json=CREATED)
    with pytest.raises(ValueError, match="deadline"):
        await client.create_text2video(T2V, deadline=0)
    assert not route.called
