"""Every unsuccessful answer maps to one typed error with a stable code and an actionable message."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st

from kling_mcp.api import errors
from kling_mcp.api.client import KlingClient
from kling_mcp.api.errors import error_from_response, summarize_body
from kling_mcp.api.models import Text2VideoRequest
from tests.conftest import TOKEN

T2V = Text2VideoRequest(prompt="a fox", model_name="kling-v3-0", duration="5")
MODERATION_TEXT = "The content you uploaded appears to violate the community guidelines."


# --- status mapping, through the client ----------------------------------------------------------------------------


async def test_400_is_a_bad_request_quoting_the_upstream(client: KlingClient, upstream: respx.MockRouter) -> None:
    upstream.post("/videos/text2video").respond(400, json={"error": "Parameter duration must be 5 or 10"})
    with pytest.raises(errors.BadRequestError) as caught:
        await client.create_text2video(T2V)
    error = caught.value
    assert (error.code, error.status_code) == ("invalid_parameter", 400)
    assert 'Upstream said: "Parameter duration must be 5 or 10"' in error.message
    assert "nothing was created" in error.hint
    assert error.details == {"http_status": 400, "upstream_message": "Parameter duration must be 5 or 10"}


async def test_401_names_the_variable_and_never_the_token(client: KlingClient, upstream: respx.MockRouter) -> None:
    upstream.get("/tasks/1").respond(401, json={"error": f"Unauthorized token {TOKEN}", "code": 401})
    with pytest.raises(errors.AuthenticationError) as caught:
        await client.get_task(1)
    error = caught.value
    assert (error.code, error.status_code) == ("auth_failed", 401)
    assert "USEAPI_TOKEN" in error.hint and "401" in error.message
    for text in (str(error), repr(error), error.message, error.hint, repr(error.details), error.upstream_message):
        assert TOKEN not in text
    assert error.upstream_message == "Unauthorized token [redacted]"


async def test_402_is_a_subscription_error(client: KlingClient, upstream: respx.MockRouter) -> None:
    upstream.post("/videos/text2video").respond(402, json={"error": "Subscription required", "code": 402})
    with pytest.raises(errors.SubscriptionError) as caught:
        await client.create_text2video(T2V)
    assert caught.value.code == "subscription_required"
    assert "subscription" in caught.value.message and "Renew" in caught.value.hint


async def test_404_on_a_poll_names_the_seeds_three_causes_and_the_credits(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    """The client says to check the credits; which tool shows them is the MCP layer's to say (tests/tools:
    test_get_task_404_explains_the_three_causes checks that get_balance is named there)."""
    upstream.get("/tasks/123456789").respond(404, json={"error": "Task not found"})
    with pytest.raises(errors.NotFoundError) as caught:
        await client.get_task(123456789, "a@x.com")
    error = caught.value
    assert error.code == "not_found"
    for cause in ("deleted", "moderation", "credits"):
        assert cause in error.message
    assert "credits" in error.hint
    assert not any(name in error.hint for name in ("get_balance", "get_task", "list_jobs", "kling://"))
    assert "Task not found" in error.message


async def test_404_on_balance_is_account_not_found(client: KlingClient, upstream: respx.MockRouter) -> None:
    """Item #10.4: an unknown email was `not_found` with the hint "Check the ids"."""
    upstream.get("/accounts/nobody@x.com").respond(404, text="Account configuration not found")
    with pytest.raises(errors.AccountNotFoundError) as caught:
        await client.get_account("nobody@x.com")
    error = caught.value
    assert error.code == "account_not_found"
    assert isinstance(error, errors.UpstreamAccountNotFoundError) and error.status_code == 404
    assert "no Kling account with that email" in error.message
    assert "Account configuration not found" in error.message
    assert "deleted" not in error.message and "ids" not in error.hint  # not the poll's or the generic wording


async def test_404_on_balance_without_a_body_is_still_account_not_found(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    upstream.get("/accounts/nobody@x.com").respond(404)
    with pytest.raises(errors.AccountNotFoundError):
        await client.get_account("nobody@x.com")


ACCOUNT_404 = {"error": "Account configuration not found for z@x.com. To create configuration use POST /accounts."}


@pytest.mark.parametrize("call", ["poll", "download", "upload", "create"])
async def test_a_404_saying_the_account_is_not_configured_is_account_not_found_on_any_call(
    client: KlingClient, upstream: respx.MockRouter, call: str
) -> None:
    upstream.route().respond(404, json=ACCOUNT_404)
    with pytest.raises(errors.AccountNotFoundError) as caught:
        if call == "poll":
            await client.get_task(1, "z@x.com")
        elif call == "download":
            await client.get_clean_download(1, "z@x.com")
        elif call == "upload":
            await client.upload_asset(b"x", "image/png", "z@x.com")
        else:
            await client.create_text2video(T2V.model_copy(update={"email": "z@x.com"}))
    assert caught.value.code == "account_not_found"
    assert not isinstance(caught.value, errors.NotFoundError)


async def test_404_on_accounts_says_none_is_configured(client: KlingClient, upstream: respx.MockRouter) -> None:
    upstream.get("/accounts").respond(404, text="Configuration not found. To create configuration use POST /accounts.")
    with pytest.raises(errors.AccountNotFoundError) as caught:
        await client.list_accounts()
    assert caught.value.code == "account_not_found"
    assert "No Kling account is configured" in caught.value.message
    assert "POST /accounts" in caught.value.hint


async def test_429_on_create_becomes_a_capacity_error_after_the_capacity_retries(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.post("/videos/text2video").respond(429, json={"error": "All accounts are busy"})
    with pytest.raises(errors.CapacityError) as caught:
        await client.create_text2video(T2V)
    assert route.call_count == client.capacity_retry.max_retries + 1
    assert caught.value.code == "capacity"
    assert "no credits were spent" in caught.value.message and "Wait for running tasks" in caught.value.hint


async def test_500_with_moderation_text_on_create_is_a_moderation_error(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.post("/videos/text2video").respond(500, json={"error": MODERATION_TEXT, "message": "error"})
    with pytest.raises(errors.ModerationError) as caught:
        await client.create_text2video(T2V)
    error = caught.value
    assert (error.code, error.status_code) == ("moderation_rejected", 500)
    assert MODERATION_TEXT in error.message and "Rephrase" in error.hint
    assert route.call_count == 1


async def test_500_without_moderation_text_on_create_is_an_upstream_fault(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.post("/videos/text2video").respond(500, json={"error": "Internal Server Error"})
    with pytest.raises(errors.UpstreamServerError) as caught:
        await client.create_text2video(T2V)
    error = caught.value
    assert not isinstance(error, errors.ModerationError)
    assert (error.code, error.status_code) == ("upstream_error", 500)
    assert "HTTP 500" in error.message and "moderation" in error.hint
    assert route.call_count == 1


async def test_500_with_moderation_words_on_a_poll_is_not_moderation(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    upstream.get("/tasks/1").respond(500, json={"error": "sensitive internal failure"})
    with pytest.raises(errors.UpstreamServerError) as caught:
        await client.get_task(1)
    assert not isinstance(caught.value, errors.ModerationError)


async def test_596_is_a_broken_account(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.post("/videos/text2video").respond(596, json={"error": "Account session error"})
    with pytest.raises(errors.AccountBrokenError) as caught:
        await client.create_text2video(T2V)
    assert (caught.value.code, caught.value.status_code) == ("account_broken", 596)
    assert "POST /accounts" in caught.value.hint
    assert route.call_count == 1


async def test_596_on_a_read_is_not_retried(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.get("/tasks/1").respond(596)
    with pytest.raises(errors.AccountBrokenError):
        await client.get_task(1)
    assert route.call_count == 1


async def test_an_html_error_page_is_summarised_without_tags_and_truncated(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    page = (
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{}</style></head><body>"
        + "<h1>Bad   gateway</h1>\n<p>cloudflare</p>" * 100
        + "</body></html>"
    )
    upstream.get("/tasks/1").respond(502, html=page)
    with pytest.raises(errors.UpstreamServerError) as caught:
        await client.get_task(1)
    summary = caught.value.upstream_message
    assert "<" not in summary and ">" not in summary
    assert summary.startswith("502 Bad Gateway")
    assert "Bad gateway cloudflare" in summary  # tags become single spaces
    assert len(summary) == 300 and summary.endswith("…")
    assert len(caught.value.message) < 400


async def test_an_empty_error_body_says_only_the_status(client: KlingClient, upstream: respx.MockRouter) -> None:
    upstream.post("/videos/text2video").respond(500)
    with pytest.raises(errors.UpstreamServerError) as caught:
        await client.create_text2video(T2V)
    assert caught.value.message == "useapi/Kling answered HTTP 500."
    assert caught.value.upstream_message == ""


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("text/html", b"<html>maintenance</html>"), ("application/json", b"{not json"), (None, b"")],
)
async def test_a_200_that_is_not_json_is_malformed(
    client: KlingClient, upstream: respx.MockRouter, content_type: str | None, body: bytes
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    upstream.get("/tasks/1").respond(200, content=body, headers=headers)
    with pytest.raises(errors.MalformedResponseError) as caught:
        await client.get_task(1)
    assert caught.value.code == "upstream_error"
    assert "not JSON" in caught.value.message
    assert (content_type or "no content type") in caught.value.message


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({"status_name": "succeed", "status_final": True}, "status"),
        ({"status": 99, "status_name": "succeed"}, "status_final"),
        ({"status": "ninety", "status_name": "succeed", "status_final": True}, "status"),
        ({"status": 99, "status_name": "succeed", "status_final": True, "works": [{"workId": "w"}]}, "works.0.workId"),
        ({"task": {"id": 1, "status": 99}, "works": []}, "status_final"),
        ([1, 2], "(body)"),
    ],
)
async def test_a_200_with_missing_or_wrong_fields_is_malformed_and_names_them(
    client: KlingClient, upstream: respx.MockRouter, body: Any, missing: str
) -> None:
    upstream.get("/tasks/1").respond(200, json=body)
    with pytest.raises(errors.MalformedResponseError) as caught:
        await client.get_task(1)
    assert missing in caught.value.message


# --- fields the reference marks optional (#17 item 3) ----------------------------------------------------------------


async def test_a_poll_answer_with_only_task_and_works_is_read_from_task(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    body = {
        "task": {"id": 1, "status": 99, "status_name": "succeed", "status_final": True},
        "works": [{"resource": {"width": 720}}, {"workId": 5, "resource": {"resource": "https://cdn.test/5.mp4"}}],
    }
    upstream.get("/tasks/1").respond(200, json=body)
    done = await client.get_task(1)
    assert (done.status, done.status_name, done.status_final) == (99, "succeed", True)
    assert done.works[0].workId is None and done.works[0].resource is not None
    assert done.works[0].resource.resource is None
    assert done.works[1].workId == 5


async def test_the_top_level_status_wins_over_the_tasks(client: KlingClient, upstream: respx.MockRouter) -> None:
    body = {"status": 10, "task": {"id": 1, "status": 5, "status_name": "submitted", "status_final": False}}
    upstream.get("/tasks/1").respond(200, json=body)
    task = await client.get_task(1)
    assert (task.status, task.status_name, task.status_final) == (10, "submitted", False)


async def test_a_balance_without_total_parses_as_unknown(client: KlingClient, upstream: respx.MockRouter) -> None:
    upstream.get("/accounts/a@x.com").respond(200, json={"email": "a@x.com", "balance": {"points": []}})
    detail = await client.get_account("a@x.com")
    assert detail.balance is not None and detail.balance.total is None


async def test_accounts_without_email_parse(client: KlingClient, upstream: respx.MockRouter) -> None:
    upstream.get("/accounts").respond(200, json={"a@x.com": {"maxJobs": 3}})
    assert (await client.list_accounts()).root["a@x.com"].email is None
    upstream.get("/accounts/a@x.com").respond(200, json={"balance": {"total": 5}})
    assert (await client.get_account("a@x.com")).email is None


async def test_an_upload_answer_without_status_parses_but_one_without_url_does_not(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.post("/assets/").respond(200, json={"url": "https://cdn.test/u.png"})
    uploaded = await client.upload_asset(b"x", "image/png")
    assert uploaded.status is None and uploaded.url == "https://cdn.test/u.png"
    route.respond(200, json={"status": 3})
    with pytest.raises(errors.MalformedResponseError, match="url"):
        await client.upload_asset(b"x", "image/png")


# --- error_from_response as a table --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "operation", "body", "error_class", "code"),
    [
        (400, "create", "bad", errors.BadRequestError, "invalid_parameter"),
        (401, "poll", "", errors.AuthenticationError, "auth_failed"),
        (402, "upload", "", errors.SubscriptionError, "subscription_required"),
        (404, "download", "", errors.NotFoundError, "not_found"),
        (429, "create", "", errors.CapacityError, "capacity"),
        (500, "create", MODERATION_TEXT, errors.ModerationError, "moderation_rejected"),
        (500, "upload", "image is inappropriate", errors.ModerationError, "moderation_rejected"),
        (500, "poll", MODERATION_TEXT, errors.UpstreamServerError, "upstream_error"),
        (500, "create", "boom", errors.UpstreamServerError, "upstream_error"),
        (503, "accounts", "", errors.UpstreamServerError, "upstream_error"),
        (596, "poll", "", errors.AccountBrokenError, "account_broken"),
        (409, "create", "conflict", errors.UpstreamServerError, "upstream_error"),
    ],
)
def test_error_from_response_maps_status_and_operation(
    status: int, operation: errors.Operation, body: str, error_class: type[errors.APIStatusError], code: str
) -> None:
    error = error_from_response(httpx.Response(status, text=body), operation)
    assert type(error) is error_class
    assert error.code == code and error.status_code == status
    assert error.message and error.hint
    assert isinstance(error, errors.APIError) and isinstance(error, errors.KlingError)


MCP_WORDS = ("get_balance", "get_task", "list_jobs", "download_clean", "generate_video", "animate_image", "kling://")


@pytest.mark.parametrize("status", [400, 401, 402, 404, 408, 429, 500, 502, 503, 504, 596, 409])
@pytest.mark.parametrize("operation", ["accounts", "balance", "create", "poll", "download", "upload"])
def test_errors_from_responses_never_speak_of_mcp_tools(status: int, operation: errors.Operation) -> None:
    """The client states what happened; the MCP layer and the batch add their own next steps (tools/errors.py)."""
    for body in ("", MODERATION_TEXT, '{"error": "Account configuration not found"}'):
        error = error_from_response(httpx.Response(status, text=body), operation)
        assert not any(word in f"{error.message} {error.hint}" for word in MCP_WORDS), (status, operation, error)


def test_error_codes_are_what_the_mcp_layer_relies_on() -> None:
    assert {cls.__name__: cls.code for cls in (errors.APIConnectionError, errors.APITimeoutError)} == {
        "APIConnectionError": "upstream_unreachable",
        "APITimeoutError": "upstream_timeout",
    }
    assert errors.SubmitOutcomeUnknownError.code == "outcome_unknown"
    assert errors.MalformedResponseError.code == "upstream_error"
    assert issubclass(errors.APITimeoutError, errors.APIConnectionError)


def test_str_of_an_error_is_message_then_hint() -> None:
    error = errors.KlingError("Something failed.", hint="Do this.")
    assert str(error) == "Something failed. Do this."
    assert str(errors.KlingError("Only a message.")) == "Only a message."
    assert errors.KlingError("x").details == {}


def test_invalid_parameter_error_shows_the_value_and_the_allowed_ones() -> None:
    error = errors.InvalidParameterError("duration", "7", "not offered by kling-v2-5", allowed=["5", "10"])
    assert error.message == 'Invalid duration="7": not offered by kling-v2-5. Allowed: "5", "10".'
    assert "Nothing was sent" in error.hint
    assert error.details == {"parameter": "duration", "value": "7", "allowed": ["5", "10"]}


def test_invalid_parameter_error_shortens_a_long_value() -> None:
    error = errors.InvalidParameterError("prompt", "x" * 5000, "too long")
    assert len(error.message) < 150
    assert len(error.details["value"]) <= 80


# --- summarize_body -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        ('{"error": "Invalid parameters"}', "Invalid parameters"),
        ('{"error": "Unauthorized", "code": 401}', "Unauthorized"),
        ('{"message": "busy"}', "busy"),
        ('{"detail": "nope"}', "nope"),
        ('{"error": "", "message": "fallback"}', "fallback"),
        ('{"code": 7}', '{"code": 7}'),
        ("plain   text\n\nover lines", "plain text over lines"),
        ("<p>Service <b>Unavailable</b></p>", "Service Unavailable"),
        ('["a"]', '["a"]'),
        ("", ""),
    ],
)
def test_summarize_body_prefers_the_error_field_and_flattens_text(body: str, summary: str) -> None:
    assert summarize_body(body) == summary


def test_summarize_body_truncates_to_300_characters() -> None:
    summary = summarize_body(json.dumps({"error": "x" * 1000}))
    assert len(summary) == 300 and summary == "x" * 299 + "…"


def test_summarize_body_redacts_an_echoed_secret() -> None:
    assert summarize_body(f"Bearer {TOKEN} rejected", (TOKEN,)) == "Bearer [redacted] rejected"
    assert summarize_body("no secret here", ("",)) == "no secret here"


def test_summarize_body_redacts_a_secret_that_the_upstream_json_escaped() -> None:
    # \u0075 is "u": a JSON encoder that escapes characters still echoes the token, and decoding restores it.
    escaped = TOKEN.replace("u", "\\u0075", 1)
    body = '{"error": "Invalid token ' + escaped + '"}'
    assert json.loads(body)["error"] == f"Invalid token {TOKEN}"
    summary = summarize_body(body, (TOKEN,))
    assert TOKEN not in summary
    assert summary == "Invalid token [redacted]"


TOKENS = st.from_regex(r"user:[0-9]{1,6}-[A-Za-z0-9]{8,24}", fullmatch=True)


@given(token=TOKENS, before=st.text(max_size=200), after=st.text(max_size=200), as_json=st.booleans())
def test_summarize_body_never_returns_the_secret(token: str, before: str, after: str, as_json: bool) -> None:
    text = before + token + after
    body = json.dumps({"error": text}) if as_json else text
    assert token not in summarize_body(body, (token,))


@given(st.text(max_size=2000))
def test_summarize_body_is_short_and_on_one_line(text: str) -> None:
    summary = summarize_body(text)
    assert len(summary) <= 300
    assert "\n" not in summary and summary == summary.strip()


@pytest.mark.parametrize("text", [MODERATION_TEXT, "Prompt contains SENSITIVE words", "Prohibited content"])
def test_moderation_wording_is_recognised(text: str) -> None:
    assert errors.is_moderation_text(text)


@pytest.mark.parametrize("text", ["Internal Server Error", "", "timeout talking to Kling"])
def test_ordinary_faults_are_not_moderation(text: str) -> None:
    assert not errors.is_moderation_text(text)


@pytest.mark.parametrize("status", [400, 401, 500, 502, 596])
def test_a_body_that_is_only_the_token_is_redacted(status: int) -> None:
    error = error_from_response(httpx.Response(status, text=TOKEN), "create", (TOKEN,))
    assert TOKEN not in str(error) and TOKEN not in error.upstream_message
    assert error.upstream_message == "[redacted]"


async def test_a_token_echoed_as_a_json_key_is_not_named_in_the_error(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    upstream.get("/accounts").respond(json={TOKEN: {"maxJobs": "not a number"}})
    with pytest.raises(errors.MalformedResponseError) as caught:
        await client.list_accounts()
    assert TOKEN not in str(caught.value) and "<key>" in str(caught.value)
