"""One exception hierarchy for everything that can go wrong talking to useapi's Kling API.

Every error carries a stable machine-readable ``code`` (what the MCP layer puts in a tool error), a ``message``
that says what happened, and a ``hint`` that says what to do next. Messages are built here, from the HTTP
response, in one place; they never contain the API token (the token is never part of a URL, and response bodies
are summarised, not dumped).

    KlingError
    ├── ConfigurationError         not_configured
    ├── InvalidParameterError      invalid_parameter      (local validation; nothing was sent)
    ├── AccountError               account_required / account_not_found
    ├── TaskStateError             task_not_finished / task_failed
    ├── DownloadError              download_failed
    └── APIError
        ├── APIStatusError         one subclass per upstream status
        │   ├── BadRequestError           400 invalid_parameter
        │   ├── AuthenticationError       401 auth_failed
        │   ├── SubscriptionError         402 subscription_required
        │   ├── NotFoundError             404 not_found
        │   ├── CapacityError             429 capacity
        │   ├── ModerationError           500 moderation_rejected
        │   ├── AccountBrokenError        596 account_broken
        │   └── UpstreamServerError       5xx upstream_error
        ├── APIConnectionError     upstream_unreachable
        │   └── APITimeoutError    upstream_timeout
        ├── SubmitOutcomeUnknownError  outcome_unknown  (a create may or may not have been accepted)
        └── MalformedResponseError upstream_error
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

import httpx

Operation = Literal["accounts", "balance", "create", "poll", "download", "upload"]

_MAX_SUMMARY = 300
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
# Seed: a moderation rejection "reads like 'The content you uploaded appears to violate the community guidelines.'"
_MODERATION_WORDS = ("violate", "guideline", "moderation", "sensitive", "inappropriate", "prohibited")


class KlingError(Exception):
    """Base of every error this package raises on purpose."""

    code: str = "error"

    def __init__(self, message: str, *, hint: str = "", details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details: dict[str, Any] = details or {}

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class ConfigurationError(KlingError):
    code = "not_configured"


class InvalidParameterError(KlingError):
    """A parameter breaks a rule of the model catalog. Raised before anything is sent upstream."""

    code = "invalid_parameter"

    def __init__(self, parameter: str, value: Any, reason: str, allowed: list[Any] | str | None = None) -> None:
        shown = _show_value(value)
        message = f"Invalid {parameter}={shown}: {reason}."
        if allowed is not None:
            allowed_text = allowed if isinstance(allowed, str) else ", ".join(_show_value(v) for v in allowed)
            message += f" Allowed: {allowed_text}."
        super().__init__(
            message,
            hint="Nothing was sent upstream and no credits were spent; fix the parameter and call again.",
            details={"parameter": parameter, "value": value if _is_plain(value) else shown, "allowed": allowed},
        )
        self.parameter = parameter


class AccountError(KlingError):
    code = "account_required"


class AccountNotFoundError(AccountError):
    code = "account_not_found"


class TaskStateError(KlingError):
    code = "task_not_finished"


class TaskFailedError(TaskStateError):
    code = "task_failed"


class DownloadError(KlingError):
    code = "download_failed"


class APIError(KlingError):
    code = "upstream_error"


class APIStatusError(APIError):
    status_code: int = 0

    def __init__(self, message: str, *, status_code: int, hint: str = "", upstream: str = "") -> None:
        super().__init__(message, hint=hint, details={"http_status": status_code, "upstream_message": upstream})
        self.status_code = status_code
        self.upstream_message = upstream


class BadRequestError(APIStatusError):
    code = "invalid_parameter"


class AuthenticationError(APIStatusError):
    code = "auth_failed"


class SubscriptionError(APIStatusError):
    code = "subscription_required"


class NotFoundError(APIStatusError):
    code = "not_found"


class CapacityError(APIStatusError):
    code = "capacity"


class ModerationError(APIStatusError):
    code = "moderation_rejected"


class AccountBrokenError(APIStatusError):
    code = "account_broken"


class UpstreamServerError(APIStatusError):
    code = "upstream_error"


class APIConnectionError(APIError):
    code = "upstream_unreachable"


class APITimeoutError(APIConnectionError):
    code = "upstream_timeout"


class SubmitOutcomeUnknownError(APIError):
    """The create request was sent but no answer came back: the job may or may not exist (and be billed)."""

    code = "outcome_unknown"


class MalformedResponseError(APIError):
    code = "upstream_error"


# --- building errors from responses -------------------------------------------------------------------------------


def summarize_body(text: str, secrets: tuple[str, ...] = ()) -> str:
    """The upstream's own error text, short and on one line: the ``error`` field of a JSON body, else the text
    with any HTML stripped. Never more than a few hundred characters, and never a secret, even if the upstream
    echoed one."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    summary = text
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("error", "message", "detail"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                summary = value
                break
        else:
            summary = json.dumps(data)[:_MAX_SUMMARY]
    summary = _SPACE.sub(" ", _TAG.sub(" ", summary)).strip()
    # Again after decoding: a JSON-escaped echo (e.g. "\u0075ser:…") only reads as the secret now.
    for secret in secrets:
        if secret:
            summary = summary.replace(secret, "[redacted]")
    if len(summary) > _MAX_SUMMARY:
        summary = summary[: _MAX_SUMMARY - 1] + "…"
    return summary


def is_moderation_text(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in _MODERATION_WORDS)


def error_from_response(
    response: httpx.Response, operation: Operation, secrets: tuple[str, ...] = ()
) -> APIStatusError:
    """Map an unsuccessful upstream response to one typed error with an actionable message. ``secrets`` are
    blanked out of anything quoted from the upstream."""
    status = response.status_code
    upstream = summarize_body(response.text, secrets) if response.content else ""
    said = f' Upstream said: "{upstream}".' if upstream else ""

    if status == 400:
        return BadRequestError(
            f"useapi rejected the request as invalid (HTTP 400).{said}",
            status_code=status,
            upstream=upstream,
            hint="Check the parameters against the kling://models resource; nothing was created.",
        )
    if status == 401:
        # Never echo the token: say which variable holds it instead.
        return AuthenticationError(
            "useapi rejected the API token (HTTP 401 Unauthorized).",
            status_code=status,
            upstream=upstream,
            hint="Check USEAPI_TOKEN (see https://useapi.net/docs/start-here/setup-useapi) and restart the server.",
        )
    if status == 402:
        return SubscriptionError(
            "The useapi.net subscription is missing or expired (HTTP 402).",
            status_code=status,
            upstream=upstream,
            hint="Renew the useapi.net subscription, then retry. Nothing was created.",
        )
    if status == 404:
        return _not_found(operation, status, upstream, said)
    if status == 429:
        return CapacityError(
            "Every Kling account is at its maxJobs limit (HTTP 429); the job was not accepted and no credits were "
            "spent.",
            status_code=status,
            upstream=upstream,
            hint="Wait for running tasks to finish (get_task), then submit again.",
        )
    if status == 500 and operation in ("create", "upload") and is_moderation_text(upstream):
        return ModerationError(
            f"Kling's content moderation rejected the request (HTTP 500).{said}",
            status_code=status,
            upstream=upstream,
            hint="Rephrase the prompt (or use another image) without the flagged content. Nothing was created.",
        )
    if status == 596:
        return AccountBrokenError(
            "The Kling account's session at useapi is broken (HTTP 596).",
            status_code=status,
            upstream=upstream,
            hint="Re-add the Kling account with POST /accounts (https://useapi.net/docs/start-here/setup-kling).",
        )
    if status >= 500:
        hint = "This is an upstream fault; try again in a minute."
        if operation == "create":
            hint = "Kling uses 500 for moderation too, but this text does not read like moderation; " + hint
        return UpstreamServerError(
            f"useapi/Kling answered HTTP {status}.{said}", status_code=status, upstream=upstream, hint=hint
        )
    return UpstreamServerError(
        f"Unexpected answer from useapi (HTTP {status}).{said}",
        status_code=status,
        upstream=upstream,
        hint="Try again; if it persists, report it.",
    )


def _not_found(operation: Operation, status: int, upstream: str, said: str) -> NotFoundError:
    if operation == "poll":
        # Seed: "On the poll, a 404 means the task was deleted, failed at moderation, or your Kling account ran
        # out of credits — check your balance at GET /accounts/email."
        return NotFoundError(
            "Kling has no such task (HTTP 404). The seed names three causes: the task was deleted, it was rejected "
            f"by content moderation, or the Kling account ran out of credits.{said}",
            status_code=status,
            upstream=upstream,
            hint="Call get_balance to check the credits; check the task_id and the account email.",
        )
    if operation == "balance":
        return NotFoundError(
            f"No Kling account with that email is configured at useapi (HTTP 404).{said}",
            status_code=status,
            upstream=upstream,
            hint="Call get_balance without email to see the configured accounts, or add it at useapi.net.",
        )
    if operation == "accounts":
        return NotFoundError(
            f"No Kling account is configured at useapi (HTTP 404).{said}",
            status_code=status,
            upstream=upstream,
            hint="Add one with POST /accounts (https://useapi.net/docs/start-here/setup-kling).",
        )
    return NotFoundError(
        f"Not found upstream (HTTP 404).{said}", status_code=status, upstream=upstream, hint="Check the ids."
    )


def _is_plain(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float) or (isinstance(value, str) and len(value) <= 80)


def _show_value(value: Any) -> str:
    text = json.dumps(value, default=str)
    if len(text) > 80:
        text = text[:77] + "…" + text[-1]
    return text
