"""What the client refuses to read or send: answers past the body cap (#11 item 3), implausible emails, and any
exception httpx may raise, which must come out as a coded error (#11 item 6)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
import respx

from kling_mcp.api import errors
from kling_mcp.api.client import DEFAULT_MAX_BODY, CreateAttempt, KlingClient
from kling_mcp.api.models import Text2VideoRequest
from tests.api.seed_json import SEED_SUCCEED_POLL_RESPONSE

T2V = Text2VideoRequest(prompt="a fox", model_name="kling-v3-0", duration="5")
CHUNK = 64 * 1024


class Huge(httpx.AsyncByteStream):
    """A 16 MiB body, four times the cap, made on demand: counts the chunks anyone pulled from it. (Finite, so
    that a client without the cap fails the test instead of exhausting the memory.)"""

    def __init__(self, first: bytes = b'{"works": [', chunks: int = 256) -> None:
        self.first = first
        self.chunks = chunks
        self.pulled = 0
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.pulled += 1
        yield self.first
        for _ in range(self.chunks):
            self.pulled += 1
            yield b" " * CHUNK

    async def aclose(self) -> None:
        self.closed = True


# --- the body cap (#11 item 3) ---------------------------------------------------------------------------------------


async def test_a_huge_poll_answer_is_refused_without_being_read_whole(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    body = Huge()
    route = upstream.get("/tasks/1").mock(return_value=httpx.Response(200, stream=body))
    with pytest.raises(errors.MalformedResponseError) as caught:
        await client.get_task(1)
    assert caught.value.code == "upstream_error" and "larger than 4096 KiB" in caught.value.message
    assert client.max_body == DEFAULT_MAX_BODY == 4 * 1024 * 1024
    assert body.pulled <= DEFAULT_MAX_BODY // CHUNK + 2  # reading stopped at the cap
    assert body.closed
    assert route.call_count == 1  # the same answer would come again: not retried


async def test_a_declared_huge_answer_is_refused_before_its_first_byte(
    make_client: Callable[..., KlingClient], upstream: respx.MockRouter
) -> None:
    body = Huge()
    upstream.get("/accounts").mock(
        return_value=httpx.Response(200, headers={"Content-Length": str(3 * 1024**3)}, stream=body)
    )
    with pytest.raises(errors.MalformedResponseError):
        await make_client().list_accounts()
    assert body.pulled == 0 and body.closed


async def test_an_answer_just_under_a_small_cap_is_read(
    make_client: Callable[..., KlingClient], upstream: respx.MockRouter
) -> None:
    text = SEED_SUCCEED_POLL_RESPONSE.encode()
    upstream.get("/tasks/1").respond(200, content=text)
    assert (await make_client(max_body=len(text)).get_task(1)).status == 99
    with pytest.raises(errors.MalformedResponseError):
        await make_client(max_body=len(text) - 1).get_task(1)


async def test_a_huge_create_answer_is_an_unknown_outcome(client: KlingClient, upstream: respx.MockRouter) -> None:
    body = Huge(b'{"task": {"id": 1}, "pad": "')
    upstream.post("/videos/text2video").mock(return_value=httpx.Response(200, stream=body))
    tracker = CreateAttempt()
    with pytest.raises(errors.SubmitOutcomeUnknownError):
        await client.create_text2video(T2V, tracker=tracker)
    assert body.pulled <= DEFAULT_MAX_BODY // CHUNK + 2 and body.closed and tracker.maybe_sent


async def test_a_huge_error_answer_keeps_its_status(client: KlingClient, upstream: respx.MockRouter) -> None:
    body = Huge(b"Invalid parameters ")
    upstream.post("/videos/text2video").mock(return_value=httpx.Response(400, stream=body))
    with pytest.raises(errors.BadRequestError) as caught:
        await client.create_text2video(T2V)
    assert caught.value.upstream_message == "Invalid parameters"
    assert body.pulled <= DEFAULT_MAX_BODY // CHUNK + 2 and body.closed


async def test_a_decompression_bomb_is_capped_on_the_decoded_size(
    make_client: Callable[..., KlingClient], upstream: respx.MockRouter
) -> None:
    import gzip

    bomb = gzip.compress(b'{"works": [' + b" " * (8 * 1024 * 1024))
    upstream.get("/tasks/1").respond(200, content=bomb, headers={"Content-Encoding": "gzip"})
    assert len(bomb) < 64 * 1024
    with pytest.raises(errors.MalformedResponseError, match="larger than"):
        await make_client().get_task(1)


# --- emails (#11 item 6) ---------------------------------------------------------------------------------------------

Call = Callable[[KlingClient, str], Awaitable[object]]
EMAIL_CALLS: dict[str, Call] = {
    "get_account": lambda c, e: c.get_account(e),
    "get_task": lambda c, e: c.get_task(1, e),
    "get_clean_download": lambda c, e: c.get_clean_download(1, e),
    "upload_asset": lambda c, e: c.upload_asset(b"x", "image/png", e),
    "create_text2video": lambda c, e: c.create_text2video(T2V.model_copy(update={"email": e})),
}
BAD_EMAILS = {
    "100k": "a" * 100_000 + "@x.com",
    "255": "a" * 249 + "@x.com",
    "space": "a b@x.com",
    "tab": "a\t@x.com",
    "newline": "a@x.com\nX-Injected: 1",
    "nul": "a\x00@x.com",
    "del": "a\x7f@x.com",
    "zero-width": "a\u200b@x.com",
    "nbsp": "a\u00a0@x.com",
}


@pytest.mark.parametrize("email", list(BAD_EMAILS.values()), ids=list(BAD_EMAILS))
@pytest.mark.parametrize("call", list(EMAIL_CALLS))
async def test_an_implausible_email_is_refused_before_sending(
    client: KlingClient, upstream: respx.MockRouter, call: str, email: str
) -> None:
    catch_all = upstream.route().respond(json={})
    with pytest.raises(errors.InvalidParameterError) as caught:
        await EMAIL_CALLS[call](client, email)
    assert caught.value.code == "invalid_parameter" and caught.value.parameter == "email"
    assert "254" in caught.value.message and len(caught.value.message) < 400
    assert not catch_all.called


async def test_an_email_of_254_characters_is_sent(client: KlingClient, upstream: respx.MockRouter) -> None:
    email = "a" * 248 + "@x.com"
    route = upstream.get("/tasks/1").mock(return_value=httpx.Response(200, text=SEED_SUCCEED_POLL_RESPONSE))
    await client.get_task(1, email)
    assert route.calls.last.request.url.params["email"] == email


# --- nothing raw escapes (#11 item 6) --------------------------------------------------------------------------------

RAW_FAILURES: dict[str, Callable[[], Exception]] = {
    "InvalidURL": lambda: httpx.InvalidURL("URL too long"),
    "StreamConsumed": lambda: httpx.StreamConsumed(),
    "CookieConflict": lambda: httpx.CookieConflict("two cookies"),
    "DecodingError": lambda: httpx.DecodingError("bad gzip"),
    "TooManyRedirects": lambda: httpx.TooManyRedirects("loop"),
    "UnicodeEncodeError": lambda: UnicodeEncodeError("ascii", "é", 0, 1, "not ascii"),
}


def _raise(make: Callable[[], Exception]) -> Callable[[httpx.Request], httpx.Response]:
    def effect(request: httpx.Request) -> httpx.Response:
        raise make()

    return effect


@pytest.mark.parametrize("failure", list(RAW_FAILURES))
async def test_any_exception_of_a_read_comes_out_coded(
    client: KlingClient, upstream: respx.MockRouter, failure: str
) -> None:
    upstream.get("/tasks/1").mock(side_effect=_raise(RAW_FAILURES[failure]))
    with pytest.raises(errors.APIError) as caught:
        await client.get_task(1)
    assert caught.value.code in ("upstream_error", "upstream_unreachable", "upstream_timeout")
    assert failure in caught.value.message


@pytest.mark.parametrize("failure", list(RAW_FAILURES))
async def test_any_exception_of_a_sent_create_is_an_unknown_outcome(
    client: KlingClient, upstream: respx.MockRouter, failure: str
) -> None:
    route = upstream.post("/videos/text2video").mock(side_effect=_raise(RAW_FAILURES[failure]))
    with pytest.raises(errors.SubmitOutcomeUnknownError):
        await client.create_text2video(T2V)
    assert route.call_count == 1


async def test_an_unencodable_upload_content_type_is_a_coded_error(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.post("/assets/").respond(json={"url": "https://cdn.test/u.png"})
    with pytest.raises(errors.APIError) as caught:
        await client.upload_asset(b"x", "imagé/png")  # httpx raised UnicodeEncodeError building the header
    assert caught.value.code == "upstream_error" and "nothing was sent" in caught.value.message
    assert not route.called


@pytest.mark.parametrize("token", ["user:1-é", "user:1 -x", "user:1-\x00x"])
async def test_a_token_that_cannot_be_a_header_is_a_configuration_error(
    make_client: Callable[..., KlingClient], upstream: respx.MockRouter, token: str
) -> None:
    catch_all = upstream.route().respond(json=json.loads(SEED_SUCCEED_POLL_RESPONSE))
    with pytest.raises(errors.ConfigurationError) as caught:
        await make_client(token=token).get_task(1)
    assert "USEAPI_TOKEN" in caught.value.message and token not in str(caught.value)
    assert not catch_all.called
