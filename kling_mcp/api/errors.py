"""One exception hierarchy for everything that can go wrong talking to useapi's Kling API.

Every error carries a stable machine-readable ``code`` (what the MCP layer puts in a tool error), a ``message``
that says what happened, and a ``hint`` that says what to do next in terms of the account and the request, never of
an MCP tool: the MCP layer (``tools/errors.py``) and the batch add their own next steps per code. Messages are built
here, from the HTTP response, in one place; they never contain the API token (the token is never part of a URL, and
response bodies are summarised, not dumped).

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
        │   ├── UpstreamAccountNotFoundError  404 account_not_found (also an AccountNotFoundError)
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
from typing import Any, Literal, Protocol

Operation = Literal["accounts", "balance", "create", "poll", "download", "upload"]

_MAX_SUMMARY = 300
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
# Seed: a moderation rejection "reads like 'The content you uploaded appears to violate the community guidelines.'"
_MODERATION_WORDS = ("violate", "guideline", "moderation", "sensitive", "inappropriate", "prohibited")
# Reference §3.1/§3.2: useapi's 404 for an email it does not know reads "Account configuration not found …", and
# for a token without any account "Configuration not found. To create configuration use POST /accounts."
_ACCOUNT_NOT_CONFIGURED = re.compile(r"configuration not found", re.IGNORECASE)


class UpstreamAnswer(Protocol):
    """What the error mapping needs of an answer (``httpx.Response`` fits, and so does the client's own)."""

    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...


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


class UpstreamAccountNotFoundError(AccountNotFoundError, APIStatusError):
    """useapi answered 404 because it has no such Kling account configured. Both an AccountNotFoundError (what the
    account logic catches) and an APIStatusError (it carries the HTTP status and the upstream's text)."""

    code = "account_not_found"


class SubmitOutcomeUnknownError(APIError):
    """The create request was sent but no usable answer came back: the job may or may not exist (and be billed)."""

    code = "outcome_unknown"


class MalformedResponseError(APIError):
    code = "upstream_error"


OUTCOME_UNKNOWN_HINT = (
    "Do not resubmit blindly: check the jobs recorded for this submission and the Kling account's recent tasks "
    "before submitting again."
)


def outcome_unknown(what: str, *, http_status: int | None = None, upstream: str = "") -> SubmitOutcomeUnknownError:
    """The one wording of "the submission may or may not have been accepted". ``what`` says what happened."""
    details: dict[str, Any] = {}
    if http_status is not None:
        details = {"http_status": http_status, "upstream_message": upstream}
    return SubmitOutcomeUnknownError(
        f"{what} The job may or may not have been created, and may be billed.",
        hint=OUTCOME_UNKNOWN_HINT,
        details=details,
    )


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
    response: UpstreamAnswer, operation: Operation, secrets: tuple[str, ...] = ()
) -> APIStatusError:
    """Map an unsuccessful upstream response to one typed error with an actionable message. ``secrets`` are
    blanked out of anything quoted from the upstream."""
    status = response.status_code
    text = response.text
    upstream = summarize_body(text, secrets) if text else ""
    said = f' Upstream said: "{upstream}".' if upstream else ""

    if status == 400:
        return BadRequestError(
            f"useapi rejected the request as invalid (HTTP 400).{said}",
            status_code=status,
            upstream=upstream,
            hint="Check the parameters against what the model allows; nothing was created.",
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
            hint="Wait for running tasks to finish, then submit again.",
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


def _not_found(operation: Operation, status: int, upstream: str, said: str) -> APIStatusError:
    if operation == "accounts":
        # Reference §3.1: GET /accounts answers 404 when no account is configured at all.
        return UpstreamAccountNotFoundError(
            f"No Kling account is configured at useapi (HTTP 404).{said}",
            status_code=status,
            upstream=upstream,
            hint="Add one with POST /accounts (https://useapi.net/docs/start-here/setup-kling).",
        )
    if operation == "balance" or _ACCOUNT_NOT_CONFIGURED.search(upstream):
        # GET /accounts/{email} answers 404 only for an unknown account (reference §3.2); any other call says so
        # in its text when the email it was given is not configured.
        return UpstreamAccountNotFoundError(
            f"useapi has no Kling account with that email (HTTP 404).{said}",
            status_code=status,
            upstream=upstream,
            hint="Use one of the accounts configured at useapi, or add this one "
            "(https://useapi.net/docs/start-here/setup-kling).",
        )
    if operation == "poll":
        # useapi guide: "On the poll, a 404 means the task was deleted, failed at moderation, or your Kling account
        # ran out of credits — check your balance at GET /accounts/email."
        return NotFoundError(
            "Kling has no such task (HTTP 404). useapi names three causes: the task was deleted, it was rejected by "
            f"content moderation, or the Kling account ran out of credits.{said}",
            status_code=status,
            upstream=upstream,
            hint="Check the account's credits, the task_id and the account email.",
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
