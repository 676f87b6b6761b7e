"""KlingClient: one async method per useapi Kling endpoint, over one ``httpx.AsyncClient`` for its whole life.

This module knows nothing of MCP. It sends typed requests (``models.py``), parses typed responses, and raises
the errors of ``errors.py``. The token goes only to the configured useapi base URL, as a per-request
``Authorization`` header: media downloads from CDN hosts (``stream``) never carry it.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import ssl
import time
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar
from urllib.parse import quote

import anyio
import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from kling_mcp import __version__
from kling_mcp.api import DEFAULT_BASE_URL
from kling_mcp.api.account import AccountEndpoints
from kling_mcp.api.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    CapacityError,
    ConfigurationError,
    InvalidParameterError,
    MalformedResponseError,
    ModerationError,
    Operation,
    error_from_response,
    outcome_unknown,
    summarize_body,
)
from kling_mcp.api.images import ImageEndpoints
from kling_mcp.api.models import (
    STATUS_SUBMITTED,
    AccountDetail,
    AccountList,
    AssetDownload,
    AssetUpload,
    Image2VideoFramesRequest,
    TaskInner,
    TaskResponse,
    Text2VideoRequest,
)
from kling_mcp.api.retry import (
    CAPACITY_RETRY,
    OUTCOME_UNKNOWN_CREATE_STATUSES,
    RETRYABLE_READ_STATUSES,
    RetryPolicy,
)
from kling_mcp.api.sound import SoundEndpoints
from kling_mcp.api.video import VideoEndpoints

logger = logging.getLogger(__name__)

API_PREFIX = "/v1/kling"
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=10.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
# A read (with its retries) never takes longer than this, however the upstream stalls.
DEFAULT_READ_BUDGET = 90.0
# A create (its 429 waits and every send included) never takes longer than this unless the caller says otherwise;
# past it the outcome is unknown. The per-read timeout alone does not bound it: a body trickling one byte every
# 30 s never trips a 60 s read timeout.
DEFAULT_CREATE_DEADLINE = 60.0
# After a wait, a request is resent only if at least this much of its budget is left for the answer.
SEND_RESERVE = 5.0
# API answers are small JSON objects (a task with its works is a few kB). Anything larger is not read into memory:
# a 3 GB answer to GET /tasks/{id} once took the server to a 6.5 GB peak.
DEFAULT_MAX_BODY = 4 * 1024 * 1024
# RFC 5321: a forward path is at most 256 octets, so an address is at most 254 characters.
MAX_EMAIL_LENGTH = 254
REDACTED = "[redacted]"

ModelT = TypeVar("ModelT", bound=BaseModel)
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,40}")

# Failures where the request certainly never reached the server: safe to resend even a create.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError, httpx.UnsupportedProtocol)
# Anything else httpx (or the encoding of a header) can raise that is not a RequestError. Caught so that no raw
# exception leaves the client; on a create it counts as "maybe sent", to be safe.
_UNEXPECTED = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, httpx.CookieConflict, ValueError, TypeError)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings of every connection (httpx's defaults: the CA bundle, SSL_CERT_FILE honoured), made once per
    process: loading the CA bundle takes about 45 ms, which each client (a server connection, a batch) would repeat."""
    return httpx.create_ssl_context()


@dataclass
class CreateAttempt:
    """What a create has done so far, kept current by the client while the create runs.

    A cancelled create raises the cancellation, not an error, so the caller reads this instead:

    - ``maybe_sent`` turns True right before a request is handed to the connection, and back to False only when
      an answer proves that nothing was accepted: a 429, a rejection status (400, 401, 402, 404, 500, 596, …), or
      a connection that never opened. It stays True after a success and after SubmitOutcomeUnknownError. So a
      caller cancelled while it is True must treat the outcome as unknown; while it is False, nothing was created.
    - ``capacity_wait_s``: seconds spent waiting between tries (429 backoff, or a connection that never opened).
    - ``attempts``: requests handed to the connection so far.
    """

    maybe_sent: bool = False
    capacity_wait_s: float = 0.0
    attempts: int = 0


@dataclass(frozen=True)
class _Answer:
    """An upstream answer, read whole (up to the cap) and with every echo of the token already blanked out."""

    status_code: int
    headers: httpx.Headers
    text: str
    truncated: bool

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def content_type(self) -> str:
        return str(self.headers.get("content-type", "no content type"))


class _SendFailed(Exception):
    """A request failed before a complete answer was read. ``sent``: it may have reached the server."""

    def __init__(self, cause: Exception, *, sent: bool) -> None:
        super().__init__(type(cause).__name__)
        self.name = type(cause).__name__
        self.sent = sent
        self.timeout = isinstance(cause, httpx.TimeoutException)
        self.transient = isinstance(cause, httpx.RequestError)


class _Bearer(httpx.Auth):
    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request


class CreateBody(Protocol):
    """What a create sends: a request model with an optional account ``email`` and its JSON body."""

    @property
    def email(self) -> str | None: ...

    def to_body(self) -> dict[str, Any]: ...


class KlingClient(VideoEndpoints, ImageEndpoints, SoundEndpoints, AccountEndpoints):
    """Async client of useapi.net's Kling API v1.

    Args:
        token: the useapi API token. May be missing: the first call then raises ConfigurationError, so that a
            server can start and list its tools without one.
        base_url: scheme and host of the API (``USEAPI_BASE_URL``); ``/v1/kling`` is appended.
        read_retry: policy for idempotent reads.
        capacity_retry: policy for creates answered 429 (all accounts busy) or never sent.
        sleep, clock: injected so tests never really wait.
        read_budget: seconds a read may take, retries included.
        create_deadline: default seconds a create may take, waits and sends included (each create may pass its own).
        max_body: the most bytes of an API answer that are read; a larger answer is refused.
    """

    def __init__(
        self,
        *,
        token: SecretStr | str | None,
        base_url: str = DEFAULT_BASE_URL,
        http: httpx.AsyncClient | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        read_retry: RetryPolicy | None = None,
        capacity_retry: RetryPolicy | None = None,
        sleep: Sleep = anyio.sleep,
        clock: Clock = time.monotonic,
        read_budget: float = DEFAULT_READ_BUDGET,
        create_deadline: float = DEFAULT_CREATE_DEADLINE,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        if isinstance(token, str):
            token = SecretStr(token)
        secret = token.get_secret_value().strip() if token is not None else ""
        self._auth = _Bearer(SecretStr(secret)) if secret else None
        self._secrets: tuple[str, ...] = (secret,) if secret else ()
        self._redactor = _echo_pattern(secret) if secret else None
        self.base_url = base_url.rstrip("/")
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            verify=tls_context(),
            timeout=timeout,
            limits=DEFAULT_LIMITS,
            follow_redirects=False,
            headers={"User-Agent": f"kling-mcp/{__version__}", "Accept": "application/json"},
        )
        self.read_retry = read_retry or RetryPolicy()
        self.capacity_retry = capacity_retry or CAPACITY_RETRY
        self._sleep = sleep
        self._clock = clock
        self.read_budget = read_budget
        self.create_deadline = create_deadline
        self.max_body = max_body
        self._timeout = timeout
        self._media: httpx.Client | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        """The shared connection pool (also used, without the token, for media downloads)."""
        return self._http

    async def aclose(self) -> None:
        if self._media is not None:
            self._media.close()
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # --- endpoints ------------------------------------------------------------------------------------------------

    async def list_accounts(self) -> AccountList:
        """GET /accounts (reference §3.1). A 404 means no account is configured (UpstreamAccountNotFoundError)."""
        answer = await self._repeatable("GET", "/accounts", operation="accounts")
        return _parse(AccountList, answer)

    async def get_account(self, email: str) -> AccountDetail:
        """GET /accounts/{email}: configuration and balance (reference §3.2). An unknown email is
        UpstreamAccountNotFoundError (``account_not_found``)."""
        answer = await self._repeatable("GET", f"/accounts/{_path_segment(email)}", operation="balance")
        return _parse(AccountDetail, answer)

    async def create_text2video(
        self, request: Text2VideoRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> TaskResponse:
        """POST /videos/text2video. Answers at once with the submitted task (seed, step 1). See ``_create`` for
        ``deadline`` and ``tracker``."""
        return await self._create("/videos/text2video", request, deadline, tracker)

    async def create_image2video_frames(
        self,
        request: Image2VideoFramesRequest,
        *,
        deadline: float | None = None,
        tracker: CreateAttempt | None = None,
    ) -> TaskResponse:
        """POST /videos/image2video-frames (seed, "Image-to-video"; reference §5.2)."""
        return await self._create("/videos/image2video-frames", request, deadline, tracker)

    async def get_task(self, task_id: int, email: str | None = None) -> TaskResponse:
        """GET /tasks/{task_id} (seed, step 2). A 404 here has the three causes useapi names (NotFoundError)."""
        answer = await self._repeatable("GET", f"/tasks/{int(task_id)}", operation="poll", params=_email(email))
        return _parse(TaskResponse, answer)

    async def get_clean_download(self, work_id: int, email: str | None = None, file_type: str = "MP4") -> AssetDownload:
        """GET /assets/download for one workId and one fileType (MP4, MP3, WAV or PNG): ``cdnUrl`` is the clean file
        itself (reference §7.2)."""
        params = {**_email(email), "workIds": str(int(work_id)), "fileTypes": file_type}
        answer = await self._repeatable("GET", "/assets/download", operation="download", params=params)
        return _parse(AssetDownload, answer)

    async def upload_asset(self, data: bytes, content_type: str, email: str | None = None) -> AssetUpload:
        """POST /assets/ with the raw file bytes as the body (reference §7.1). Uploading twice is harmless."""
        answer = await self._repeatable(
            "POST",
            "/assets/",
            operation="upload",
            params=_email(email),
            content=data,
            headers={"Content-Type": content_type},
        )
        return _parse(AssetUpload, answer)

    @property
    def media(self) -> httpx.Client:
        """A synchronous connection pool for media downloads, used from worker threads. It never carries the API
        token: the files live on a CDN, not at useapi."""
        if self._media is None:
            self._media = httpx.Client(
                verify=tls_context(),
                timeout=self._timeout,
                limits=DEFAULT_LIMITS,
                follow_redirects=False,
                headers={"User-Agent": f"kling-mcp/{__version__}"},
            )
        return self._media

    # --- plumbing -------------------------------------------------------------------------------------------------

    def _require_auth(self) -> _Bearer:
        if self._auth is None:
            raise ConfigurationError(
                "No useapi API token is configured.",
                hint="Set the USEAPI_TOKEN environment variable in the MCP server's configuration (or run with "
                "--simulate to try the server without an account), then restart the server.",
            )
        if not _is_header_safe(self._secrets[0]):
            raise ConfigurationError(
                "USEAPI_TOKEN contains characters that cannot be sent in an HTTP header (non-ASCII, spaces or "
                "control characters); useapi tokens look like user:1234-abc….",
                hint="Copy the token again from useapi.net into USEAPI_TOKEN and restart the server.",
            )
        return self._auth

    def _url(self, path: str) -> str:
        return f"{self.base_url}{API_PREFIX}{path}"

    def _redact(self, text: str) -> str:
        return self._redactor.sub(REDACTED, text) if self._redactor is not None else text

    async def _exchange(self, method: str, path: str, tracker: CreateAttempt | None, **kwargs: Any) -> _Answer:
        """Send one request and read its answer, capped at ``max_body`` bytes, with the token blanked out of it.

        Raises APIError when the request cannot even be built (nothing was sent), and _SendFailed when it failed
        on the way."""
        auth = self._require_auth()
        try:
            request = self._http.build_request(method, self._url(path), **kwargs)
        except _UNEXPECTED as exc:
            raise APIError(
                f"The request to useapi could not be built ({type(exc).__name__}); nothing was sent.",
                hint="Check USEAPI_BASE_URL and the parameters of the call.",
            ) from None
        if tracker is not None:
            tracker.attempts += 1
            tracker.maybe_sent = True
        try:
            response = await self._http.send(request, auth=auth, stream=True)
            try:
                body, truncated = await self._read_capped(response)
            finally:
                await response.aclose()
        except _NOT_SENT as exc:
            raise _SendFailed(exc, sent=False) from None
        except _UNEXPECTED as exc:
            raise _SendFailed(exc, sent=True) from None
        logger.debug("%s %s%s -> %s", method, API_PREFIX, path.split("?")[0], response.status_code)
        text = body.decode(response.encoding or "utf-8", errors="replace")
        return _Answer(response.status_code, response.headers, self._redact(text), truncated)

    async def _read_capped(self, response: httpx.Response) -> tuple[bytes, bool]:
        """At most ``max_body`` bytes of the (decoded) body, and whether there was more. A larger body is never
        read whole: reading stops at the cap, or before the first byte when Content-Length says it is too big."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            return b"", True
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            if size + len(chunk) > self.max_body:
                chunks.append(chunk[: self.max_body - size])
                return b"".join(chunks), True
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks), False

    async def _repeatable(self, method: str, path: str, *, operation: Operation, **kwargs: Any) -> _Answer:
        """A request that is safe to send again (every GET, and the upload POST, which only stores a file): see
        ``_call``, within ``read_budget``."""
        answer = await self._call(method, path, operation, self.read_budget, None, **kwargs)
        if answer.truncated:
            raise _too_large(self.max_body)
        return answer

    async def _read(
        self, model: type[ModelT], method: str, path: str, *, operation: Operation, **kwargs: Any
    ) -> ModelT:
        """A repeatable request (``_repeatable``) whose answer is parsed as ``model``."""
        return _parse(model, await self._repeatable(method, path, operation=operation, **kwargs))

    async def _create(
        self, path: str, request: CreateBody, deadline: float | None, tracker: CreateAttempt | None
    ) -> TaskResponse:
        """A create answered with a task (``_submit``), parsed by ``_parse_created``."""
        return self._parse_created(await self._submit(path, request, deadline, tracker))

    async def _submit(
        self, path: str, request: CreateBody, deadline: float | None, tracker: CreateAttempt | None
    ) -> _Answer:
        """A request that spends credits: resent only when the job was certainly not accepted.

        ``deadline``: seconds the whole create may take, waits and sends included (default ``create_deadline``).
        A 429 is retried with ``capacity_retry`` (useapi guide: 10 s waits, 6 retries) as long as a wait leaves at
        least SEND_RESERVE seconds of the deadline for the next answer; then CapacityError. If the deadline
        passes while a request is out, SubmitOutcomeUnknownError.

        ``tracker`` (see CreateAttempt) is kept current throughout. Nothing here shields the send: a cancellation
        interrupts it at once, and the caller learns from ``tracker.maybe_sent`` whether the job may exist.
        """
        if request.email is not None:
            _check_email(request.email)
        limit = self.create_deadline if deadline is None else deadline
        if not limit > 0:
            raise ValueError(f"deadline must be positive, not {limit!r}")
        tracker = tracker if tracker is not None else CreateAttempt()
        return await self._call("POST", path, "create", limit, tracker, json=request.to_body())

    async def _call(
        self,
        method: str,
        path: str,
        operation: Operation,
        budget: float,
        tracker: CreateAttempt | None,
        **kwargs: Any,
    ) -> _Answer:
        """The one request loop: send, judge the outcome, and wait and resend while the judgement allows, all
        within ``budget`` seconds (every send included: a send is cut off where the budget ends, and a wait is
        started only if it leaves SEND_RESERVE seconds for the next answer).

        What may be resent depends on what a repeat would cost (``_judge_failure``, ``_judge_answer``): a read is
        resent after any transient failure; a create only when the job was certainly not accepted.
        """
        creating = operation == "create"
        policy = self.capacity_retry if creating else self.read_retry
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            retry_after: str | None = None
            try:
                with anyio.fail_after(max(started + budget - self._clock(), 0.0)):
                    answer = await self._exchange(method, path, tracker, **kwargs)
            except TimeoutError:
                raise _out_of_time(creating, budget) from None
            except _SendFailed as failed:
                error = self._judge_failure(failed, creating, tracker)
            except APIError:
                if tracker is not None:
                    tracker.maybe_sent = False  # not even built: nothing was sent
                raise
            else:
                if answer.is_success:
                    return answer
                error = self._judge_answer(answer, operation, tracker)
                retry_after = answer.headers.get("Retry-After")
            delay = policy.delay(attempt, retry_after)
            if attempt > policy.max_retries or self._clock() - started + delay + SEND_RESERVE > budget:
                if tracker is not None:
                    error.details.update(attempts=tracker.attempts, waited_s=round(tracker.capacity_wait_s, 1))
                raise error
            logger.info("%s %s: %s, retrying in %.1fs", method, path.split("?")[0], error.code, delay)
            await self._sleep(delay)
            if tracker is not None:
                tracker.capacity_wait_s += delay

    def _judge_failure(self, failed: _SendFailed, creating: bool, tracker: CreateAttempt | None) -> APIError:
        """The error to retry after a request that failed on the way; raises it instead when it is final."""
        if creating:
            if failed.sent:
                raise outcome_unknown(f"The submission was sent but no answer came back ({failed.name}).")
            if tracker is not None:
                tracker.maybe_sent = False
            return APIConnectionError(
                f"Could not reach useapi ({failed.name}); the job was not submitted.",
                hint="Check the network and USEAPI_BASE_URL, then submit again.",
            )
        if not failed.transient:
            raise APIError(
                f"The request to useapi failed unexpectedly ({failed.name}).",
                hint="Try again; if it persists, report it.",
            )
        return _send_error(failed)

    def _judge_answer(self, answer: _Answer, operation: Operation, tracker: CreateAttempt | None) -> APIError:
        """The error to retry after an unsuccessful answer; raises it instead when it is final."""
        if operation == "create" and answer.status_code in OUTCOME_UNKNOWN_CREATE_STATUSES:
            # Reference §5.0 documents 200/400/401/402/429/500/596 from useapi itself; these come from a gateway
            # or proxy that timed out or lost useapi, which may have taken the job regardless.
            upstream = summarize_body(answer.text, self._secrets)
            raise outcome_unknown(
                f"useapi's gateway answered the submission with HTTP {answer.status_code}"
                f"{f' ({upstream})' if upstream else ''}.",
                http_status=answer.status_code,
                upstream=upstream,
            )
        error = error_from_response(answer, operation, self._secrets)
        if operation == "create":
            if tracker is not None:
                tracker.maybe_sent = False  # useapi itself answered with a rejection: nothing was accepted
            retryable = isinstance(error, CapacityError)
        else:
            # A moderation rejection (an upload's 500) is Kling's answer, not a transient fault.
            retryable = answer.status_code in RETRYABLE_READ_STATUSES and not isinstance(error, ModerationError)
        if not retryable:
            raise error
        return error

    def _parse_created(self, answer: _Answer) -> TaskResponse:
        """The create's answer. Only ``task.id`` is required (useapi's scripts read nothing else, reference §5.0);
        without it the job may still exist, so every failure here is an unknown outcome, never a rejection."""
        if answer.truncated:
            raise outcome_unknown(f"useapi answered the submission with more than {self.max_body} bytes.")
        try:
            data = json.loads(answer.text)
        except ValueError:
            raise outcome_unknown(
                f"useapi answered the submission with HTTP {answer.status_code} and a body that is not JSON "
                f"({answer.content_type})."
            ) from None
        task = data.get("task") if isinstance(data, dict) else None
        try:
            inner = TaskInner.model_validate({"id": task.get("id") if isinstance(task, dict) else None})
        except ValidationError:
            # useapi guide's script: "No task.id found in HTTP 200 response" is an error.
            raise outcome_unknown(
                f"useapi answered the submission with HTTP {answer.status_code} but without a usable task.id."
            ) from None
        assert isinstance(data, dict) and isinstance(task, dict)
        # A task just created is submitted (reference §5.0: task.status 5 "submitted", status_final false).
        defaults = {"status": STATUS_SUBMITTED, "status_name": "submitted", "status_final": False}
        filled = {**data, **{k: v for k, v in defaults.items() if data.get(k) is None and task.get(k) is None}}
        try:
            return TaskResponse.model_validate(filled)
        except ValidationError as exc:
            # The task exists: never lose its id over another field's shape.
            logger.warning("task %s: the create answer has unexpected fields: %s", inner.id, _fields(exc))
            return TaskResponse(task=inner, status=STATUS_SUBMITTED, status_name="submitted", status_final=False)


def _email(email: str | None) -> dict[str, str]:
    if email is None:
        return {}
    _check_email(email)
    return {"email": email} if email else {}


def _check_email(value: str) -> None:
    """Refuse an email no Kling account can have before it reaches a URL or a body: an overlong or multi-line
    value would otherwise fail inside httpx (a 100,000-character email gave "URL too long")."""
    problem = ""
    if len(value) > MAX_EMAIL_LENGTH:
        problem = f"longer than {MAX_EMAIL_LENGTH} characters"
    elif any(ch.isspace() for ch in value):
        problem = "it contains whitespace"
    elif any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in value):
        problem = "it contains control characters"
    if problem:
        raise InvalidParameterError(
            "email",
            value,
            f"not a usable account email ({problem})",
            f"an email address such as name@example.com, at most {MAX_EMAIL_LENGTH} characters, without spaces",
        )


def _path_segment(value: str) -> str:
    """An account email as one URL path segment; anything that could change the path is refused before sending."""
    _check_email(value)
    if not value or value in (".", "..") or "/" in value:
        raise InvalidParameterError(
            "email",
            value,
            "not a usable account email (it would change the request path)",
            "an email address such as name@example.com",
        )
    return quote(value, safe="@")


def _is_header_safe(value: str) -> bool:
    return value.isascii() and value.isprintable() and not any(ch.isspace() for ch in value)


def _echo_pattern(secret: str) -> re.Pattern[str]:
    """A pattern for the secret as an upstream may echo it: each character as itself, percent-encoded (either hex
    case, or encoded twice), or JSON-escaped (``\\u0075``, ``\\/``), in any mix."""

    def hexdigits(text: str) -> str:
        return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in text)

    percent = r"(?:%|\\u0025)"
    parts = []
    for ch in secret:
        octets = ch.encode("utf-8")
        forms = [
            re.escape(ch),
            "".join(percent + hexdigits(f"{b:02X}") for b in octets),
            "".join(percent + "25" + hexdigits(f"{b:02X}") for b in octets),
        ]
        if ord(ch) <= 0xFFFF:
            forms.append(r"\\u" + hexdigits(f"{ord(ch):04X}"))
        if ch == "/":
            forms.append(r"\\/")
        parts.append("(?:" + "|".join(forms) + ")")
    return re.compile("".join(parts))


def _out_of_time(creating: bool, budget: float) -> APIError:
    if creating:
        return outcome_unknown(f"The submission got no complete answer within {budget:g} s (the create deadline).")
    return APITimeoutError(
        f"useapi did not answer within {budget:g} s (retries included).",
        hint="The upstream is stalled; try again shortly.",
    )


def _send_error(failed: _SendFailed) -> APIError:
    if failed.timeout:
        return APITimeoutError(
            f"useapi did not answer in time ({failed.name}).",
            hint="The upstream is slow or unreachable; try again shortly.",
        )
    return APIConnectionError(
        f"Could not reach useapi ({failed.name}).",
        hint="Check the network and USEAPI_BASE_URL; try again shortly.",
    )


def _too_large(limit: int) -> MalformedResponseError:
    return MalformedResponseError(
        f"useapi's answer is larger than {limit // 1024} KiB; it was not read.",
        hint="This is an upstream fault; try again, and report it if it persists.",
    )


def _parse(model: type[ModelT], answer: _Answer) -> ModelT:
    try:
        data = json.loads(answer.text)
    except ValueError:
        raise MalformedResponseError(
            f"useapi answered HTTP {answer.status_code} with a body that is not JSON ({answer.content_type}).",
            hint="This is an upstream fault; try again shortly.",
        ) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise MalformedResponseError(
            f"useapi's answer is missing or has unexpected fields: {_fields(exc)}.",
            hint="This is an upstream fault or an API change; try again, and report it if it persists.",
        ) from None


def _fields(exc: ValidationError) -> str:
    # Only name-like parts are quoted: a dict key (an email, or anything the upstream echoed) is not.
    fields = sorted({".".join(_loc_part(p) for p in e["loc"]) or "(body)" for e in exc.errors()})
    return ", ".join(fields)[:200]


def _loc_part(part: int | str) -> str:
    return str(part) if isinstance(part, int) or _FIELD_NAME.fullmatch(part) else "<key>"
