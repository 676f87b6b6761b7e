"""The useapi token never leaves through logs or exceptions, on any path, even when the upstream echoes it
(C1/C2; in the style of openai's tests/test_debug_logging.py)."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
import respx
from pydantic import BaseModel

from kling_mcp.api import errors
from kling_mcp.api.client import KlingClient
from kling_mcp.api.models import Image2VideoFramesRequest, Text2VideoRequest
from kling_mcp.api.retry import RetryPolicy
from tests.api.seed_json import (
    ACCOUNT_DETAIL,
    ACCOUNTS,
    ASSET_DOWNLOAD,
    ASSET_UPLOAD,
    SEED_CREATE_RESPONSE,
    SEED_SUCCEED_POLL_RESPONSE,
)
from tests.conftest import API, BASE

CANARY = "user:999-CANARYSECRET"
ESCAPED_CANARY = CANARY.replace("C", "\\u0043")  # how an escaping JSON encoder would echo it
T2V = Text2VideoRequest(prompt="a fox", model_name="kling-v3-0", duration="5")
I2V = Image2VideoFramesRequest(model_name="kling-v2-5", image="https://cdn.test/a.png")

Call = Callable[[KlingClient], Awaitable[object]]
CALLS: dict[str, Call] = {
    "accounts": lambda c: c.list_accounts(),
    "balance": lambda c: c.get_account("a+b@x.com"),
    "create": lambda c: c.create_text2video(T2V),
    "frames": lambda c: c.create_image2video_frames(I2V),
    "poll": lambda c: c.get_task(123456789, "a@x.com"),
    "download": lambda c: c.get_clean_download(123456789, "a@x.com"),
    "upload": lambda c: c.upload_asset(b"\x89PNG", "image/png", "a@x.com"),
}
ROUTES: dict[str, tuple[str, str]] = {
    "accounts": ("GET", "/accounts"),
    "balance": ("GET", "/accounts/a%2Bb@x.com"),
    "create": ("POST", "/videos/text2video"),
    "frames": ("POST", "/videos/image2video-frames"),
    "poll": ("GET", "/tasks/123456789"),
    "download": ("GET", "/assets/download"),
    "upload": ("POST", "/assets/"),
}
SUCCESS: dict[str, Any] = {
    "accounts": ACCOUNTS,
    "balance": ACCOUNT_DETAIL,
    "create": json.loads(SEED_CREATE_RESPONSE),
    "frames": json.loads(SEED_CREATE_RESPONSE),
    "poll": json.loads(SEED_SUCCEED_POLL_RESPONSE),
    "download": ASSET_DOWNLOAD,
    "upload": ASSET_UPLOAD,
}


def _echo(status: int) -> httpx.Response:
    return httpx.Response(status, json={"error": f"Token {CANARY} rejected", "code": status})


# Every failure the upstream can answer with, each echoing the token where it can.
FAILURES: dict[str, Callable[[], httpx.Response | Exception]] = {
    "400": lambda: _echo(400),
    "401": lambda: _echo(401),
    "402": lambda: _echo(402),
    "404": lambda: _echo(404),
    "429": lambda: httpx.Response(429, json={"error": f"busy {CANARY}"}, headers={"Retry-After": "1"}),
    "500-moderation": lambda: httpx.Response(
        500, json={"error": f"{CANARY}: content appears to violate the community guidelines"}
    ),
    "500": lambda: _echo(500),
    "502-html": lambda: httpx.Response(502, html=f"<html><body><p>Bad gateway for {CANARY}</p></body></html>"),
    "503-escaped": lambda: httpx.Response(503, text='{"error": "token ' + ESCAPED_CANARY + '"}'),
    "596": lambda: _echo(596),
    "200-not-json": lambda: httpx.Response(200, text=f"<html>Bearer {CANARY}</html>"),
    "200-wrong-shape": lambda: httpx.Response(
        200, json={"status": CANARY, "email": 5, "cdnUrl": 5, "url": CANARY, "x": CANARY}
    ),
    "ConnectError": lambda: httpx.ConnectError(f"connect failed, Authorization: Bearer {CANARY}"),
    "ConnectTimeout": lambda: httpx.ConnectTimeout(f"timed out {CANARY}"),
    "ReadTimeout": lambda: httpx.ReadTimeout(f"timed out {CANARY}"),
    "RemoteProtocolError": lambda: httpx.RemoteProtocolError(f"peer closed {CANARY}"),
}


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)  # root: our loggers and httpx/httpcore alike
    yield caplog
    assert_safe_logs(caplog.records)


def assert_safe_logs(records: list[logging.LogRecord]) -> None:
    for record in records:
        assert CANARY not in record.getMessage(), record.getMessage()
        assert CANARY not in repr(record.args)
        assert CANARY not in (record.exc_text or "")
        if record.exc_info:
            assert CANARY not in "".join(traceback.format_exception(*record.exc_info))


def assert_safe_error(error: BaseException) -> None:
    """The error, everything it carries, and every exception shown chained to it (``raise … from None`` hides the
    context from tracebacks, as Python itself does; the traceback check in the test covers what is shown)."""
    seen: BaseException | None = error
    while seen is not None:
        assert CANARY not in str(seen)
        assert CANARY not in repr(seen)
        assert CANARY not in repr(seen.args)
        if isinstance(seen, errors.KlingError):
            assert CANARY not in seen.message
            assert CANARY not in seen.hint
            assert CANARY not in repr(seen.details)
        if isinstance(seen, errors.APIStatusError):
            assert CANARY not in seen.upstream_message
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)


def _effect(make: Callable[[], httpx.Response | Exception]) -> Callable[[httpx.Request], httpx.Response]:
    def effect(request: httpx.Request) -> httpx.Response:
        outcome = make()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return effect


async def _sleep(seconds: float) -> None:
    return None


def _client() -> KlingClient:
    policy = RetryPolicy(max_retries=1, random=lambda: 0.0)
    return KlingClient(token=CANARY, base_url=BASE, sleep=_sleep, read_retry=policy, capacity_retry=policy)


async def test_the_canary_goes_only_into_the_authorization_header(logs: pytest.LogCaptureFixture) -> None:
    async with _client() as kling:
        with respx.mock(base_url=API, assert_all_called=False) as router:
            routes = {
                name: router.route(method=m, url=path).respond(json=SUCCESS[name]) for name, (m, path) in ROUTES.items()
            }
            for call in CALLS.values():
                await call(kling)
    for route in routes.values():
        request = route.calls.last.request
        assert request.headers["authorization"] == f"Bearer {CANARY}"
        assert CANARY not in str(request.url)
        assert CANARY not in request.content.decode("latin-1")
    assert logs.records  # the success path did log something, and safely


@pytest.mark.parametrize("failure", list(FAILURES))
async def test_no_failure_path_leaks_the_canary(logs: pytest.LogCaptureFixture, failure: str) -> None:
    """Each failure, on every endpoint in turn (one client, to keep the suite fast)."""
    async with _client() as kling:
        for operation, call in CALLS.items():
            method, path = ROUTES[operation]
            with respx.mock(base_url=API, assert_all_called=False) as router:
                route = router.route(method=method, url=path).mock(side_effect=_effect(FAILURES[failure]))
                with pytest.raises(errors.KlingError) as caught:
                    await call(kling)
            assert route.called, operation
            assert_safe_error(caught.value)
            assert CANARY not in "".join(traceback.format_exception(caught.value))


async def test_a_missing_token_error_does_not_echo_anything(logs: pytest.LogCaptureFixture) -> None:
    async with KlingClient(token=None, base_url=BASE, sleep=_sleep) as kling:
        with pytest.raises(errors.ConfigurationError) as caught:
            await kling.get_task(1)
    assert_safe_error(caught.value)


async def test_the_client_and_its_auth_do_not_show_the_token_in_repr() -> None:
    async with _client() as kling:
        assert CANARY not in repr(kling)
        assert CANARY not in repr(kling._auth.__dict__ if kling._auth else None)


# --- echoes in successful answers (#11 item 7) -----------------------------------------------------------------------

# Every form in which an upstream may echo the token inside a 2xx body.
ECHOES: dict[str, str] = {
    "plain": CANARY,
    "json-escaped": ESCAPED_CANARY,
    "all-escaped": "".join(f"\\u{ord(ch):04x}" for ch in CANARY),
    "url-encoded": quote(CANARY, safe=""),
    "url-encoded-lower-hex": quote(CANARY, safe="").replace("%3A", "%3a"),
    "url-encoded-twice": quote(quote(CANARY, safe=""), safe=""),
    "form-encoded": quote_plus(CANARY),
}


# 2xx bodies carrying ECHO in every text field a tool result or the ledger shows, and URL in every link.
ECHO_BODIES: dict[str, str] = {
    "accounts": '{"ECHO": {"email": "ECHO", "maxJobs": 1}}',
    "balance": '{"email": "ECHO", "balance": {"total": 5, "points": [{"type": "ECHO"}]}}',
    "create": '{"task": {"id": 7, "status_name": "ECHO"}, "status": 5, "status_name": "ECHO", "status_final": false,'
    ' "message": "ECHO", "error": "ECHO"}',
    "poll": '{"status": 50, "status_name": "ECHO", "status_final": true, "message": "ECHO", "error": "ECHO",'
    ' "works": [{"workId": 1, "resource": {"resource": "URL"}, "cover": {"resource": "URL"}}]}',
    "download": '{"cdnUrl": "URL", "status": "ECHO"}',
    "upload": '{"status": 3, "url": "URL", "message": "ECHO", "fileName": "ECHO"}',
}
ECHO_BODIES["frames"] = ECHO_BODIES["create"]


def _echoing(operation: str, echo: str) -> str:
    """Built as text so that escaped forms reach the client exactly as written."""
    url = f"https://cdn.test/x.mp4?token={echo}"
    return ECHO_BODIES[operation].replace("URL", url).replace("ECHO", echo)


def assert_no_echo(text: str) -> None:
    lowered = text.lower()
    for form in (CANARY, quote(CANARY, safe=""), quote_plus(CANARY), "canarysecret"):
        assert form.lower() not in lowered, text


@pytest.mark.parametrize("echo", list(ECHOES))
async def test_no_successful_answer_carries_the_canary_into_its_result(
    logs: pytest.LogCaptureFixture, echo: str
) -> None:
    async with _client() as kling:
        for operation, call in CALLS.items():
            method, path = ROUTES[operation]
            body = _echoing(operation, ECHOES[echo])
            json.loads(body)  # the body is valid JSON as sent
            with respx.mock(base_url=API, assert_all_called=False) as router:
                router.route(method=method, url=path).respond(200, text=body)
                result = await call(kling)
            assert isinstance(result, BaseModel)
            dumped = result.model_dump_json()
            assert_no_echo(dumped)
            assert "[redacted]" in dumped, operation
