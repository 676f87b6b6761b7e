"""KlingClient: one async method per useapi Kling endpoint, over one ``httpx.AsyncClient`` for its whole life.

This module knows nothing of MCP. It sends typed requests (``models.py``), parses typed responses, and raises
the errors of ``errors.py``. The token goes only to the configured useapi base URL, as a per-request
``Authorization`` header: media downloads from CDN hosts (``stream``) never carry it.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import anyio
import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from kling_mcp import __version__
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
    SubmitOutcomeUnknownError,
    error_from_response,
)
from kling_mcp.api.models import (
    AccountDetail,
    AccountList,
    AssetDownload,
    AssetUpload,
    Image2VideoFramesRequest,
    TaskResponse,
    Text2VideoRequest,
)
from kling_mcp.api.retry import RETRYABLE_READ_STATUSES, RetryPolicy

logger = logging.getLogger(__name__)

API_PREFIX = "/v1/kling"
DEFAULT_BASE_URL = "https://api.useapi.net"
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=10.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
# A read (with its retries) never takes longer than this, however the upstream stalls. Creates are bounded by the
# timeouts above instead: once sent, a create is waited for, never abandoned mid-flight.
DEFAULT_READ_BUDGET = 90.0

ModelT = TypeVar("ModelT", bound=BaseModel)
Sleep = Callable[[float], Awaitable[None]]
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,40}")

# Failures where the request certainly never reached the server: safe to resend even a create.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError, httpx.UnsupportedProtocol)
# Failures after (part of) the request may have reached the server; and, to be safe, any other request error
# (LocalProtocolError, CloseError, DecodingError of an answer that did arrive, ...).
_MAYBE_SENT = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
    httpx.RequestError,
)


class _Bearer(httpx.Auth):
    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request


class KlingClient:
    """Async client of useapi.net's Kling API v1.

    Args:
        token: the useapi API token. May be missing: the first call then raises ConfigurationError, so that a
            server can start and list its tools without one.
        base_url: scheme and host of the API (``USEAPI_BASE_URL``); ``/v1/kling`` is appended.
        read_retry: policy for idempotent reads.
        capacity_retry: policy for creates answered 429 (all accounts busy) or never sent.
        sleep: injected so tests never really wait.
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
        read_budget: float = DEFAULT_READ_BUDGET,
    ) -> None:
        if isinstance(token, str):
            token = SecretStr(token)
        self._auth = _Bearer(token) if token is not None and token.get_secret_value().strip() else None
        self._secrets = (token.get_secret_value(),) if self._auth is not None and token is not None else ()
        self.base_url = base_url.rstrip("/")
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            timeout=timeout,
            limits=DEFAULT_LIMITS,
            follow_redirects=False,
            headers={"User-Agent": f"kling-mcp/{__version__}", "Accept": "application/json"},
        )
        self.read_retry = read_retry or RetryPolicy()
        self.capacity_retry = capacity_retry or RetryPolicy(max_retries=3, base_delay=2.0, max_delay=10.0)
        self._sleep = sleep
        self.read_budget = read_budget
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
        """GET /accounts (reference §3.1)."""
        response = await self._read("GET", "/accounts", operation="accounts")
        return _parse(AccountList, response)

    async def get_account(self, email: str) -> AccountDetail:
        """GET /accounts/{email}: configuration and balance (reference §3.2)."""
        response = await self._read("GET", f"/accounts/{_path_segment(email)}", operation="balance")
        return _parse(AccountDetail, response)

    async def create_text2video(self, request: Text2VideoRequest) -> TaskResponse:
        """POST /videos/text2video. Answers at once with the submitted task (seed, step 1)."""
        response = await self._create("/videos/text2video", request.to_body())
        return _parse_created(response)

    async def create_image2video_frames(self, request: Image2VideoFramesRequest) -> TaskResponse:
        """POST /videos/image2video-frames (seed, "Image-to-video"; reference §5.2)."""
        response = await self._create("/videos/image2video-frames", request.to_body())
        return _parse_created(response)

    async def get_task(self, task_id: int, email: str | None = None) -> TaskResponse:
        """GET /tasks/{task_id} (seed, step 2). A 404 here has the seed's three causes (NotFoundError)."""
        response = await self._read("GET", f"/tasks/{int(task_id)}", operation="poll", params=_email(email))
        return _parse(TaskResponse, response)

    async def get_clean_download(self, work_id: int, email: str | None = None) -> AssetDownload:
        """GET /assets/download for one workId and fileTypes=MP4: ``cdnUrl`` is the clean MP4 (reference §7.2)."""
        params = {**_email(email), "workIds": str(int(work_id)), "fileTypes": "MP4"}
        response = await self._read("GET", "/assets/download", operation="download", params=params)
        return _parse(AssetDownload, response)

    async def upload_asset(self, data: bytes, content_type: str, email: str | None = None) -> AssetUpload:
        """POST /assets/ with the raw file bytes as the body (reference §7.1). Uploading twice is harmless."""
        response = await self._read(
            "POST",
            "/assets/",
            operation="upload",
            params=_email(email),
            content=data,
            headers={"Content-Type": content_type},
        )
        return _parse(AssetUpload, response)

    @property
    def media(self) -> httpx.Client:
        """A synchronous connection pool for media downloads, used from worker threads. It never carries the API
        token: the files live on a CDN, not at useapi."""
        if self._media is None:
            self._media = httpx.Client(
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
        return self._auth

    def _url(self, path: str) -> str:
        return f"{self.base_url}{API_PREFIX}{path}"

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        auth = self._require_auth()
        response = await self._http.request(method, self._url(path), auth=auth, **kwargs)
        logger.debug("%s %s%s -> %s", method, API_PREFIX, path.split("?")[0], response.status_code)
        return response

    async def _read(self, method: str, path: str, *, operation: Operation, **kwargs: Any) -> httpx.Response:
        """A request that is safe to repeat: retried on connection errors, timeouts, 429 and 5xx, all within
        ``read_budget`` seconds."""
        try:
            with anyio.fail_after(self.read_budget):
                return await self._read_with_retries(method, path, operation=operation, **kwargs)
        except TimeoutError:
            raise APITimeoutError(
                f"useapi did not answer within {self.read_budget:g} s (retries included).",
                hint="The upstream is stalled; try again shortly.",
            ) from None

    async def _read_with_retries(
        self, method: str, path: str, *, operation: Operation, **kwargs: Any
    ) -> httpx.Response:
        policy = self.read_retry
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            retry_after: str | None = None
            try:
                response = await self._send(method, path, **kwargs)
            except httpx.TimeoutException as exc:
                error: APIError = APITimeoutError(
                    f"useapi did not answer in time ({type(exc).__name__}).",
                    hint="The upstream is slow or unreachable; try again shortly.",
                )
            except httpx.RequestError as exc:
                error = APIConnectionError(
                    f"Could not reach useapi ({type(exc).__name__}).",
                    hint="Check the network and USEAPI_BASE_URL; try again shortly.",
                )
            else:
                if response.is_success:
                    return response
                error = error_from_response(response, operation, self._secrets)
                # A moderation rejection (an upload's 500) is Kling's answer, not a transient fault.
                if response.status_code not in RETRYABLE_READ_STATUSES or isinstance(error, ModerationError):
                    raise error
                retry_after = response.headers.get("Retry-After")
            delay = policy.delay(attempt, retry_after)
            if attempt > policy.max_retries or time.monotonic() - started + delay > policy.max_total:
                raise error
            logger.info("retrying %s %s after %s (%.1fs)", method, path.split("?")[0], error.code, delay)
            await self._sleep(delay)

    async def _create(self, path: str, body: dict[str, Any]) -> httpx.Response:
        """A request that spends credits: resent only when the job was certainly not accepted."""
        policy = self.capacity_retry
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            retry_after: str | None = None
            try:
                # Shielded: once a create is on the wire, a cancellation waits for its answer (bounded by the
                # timeouts) so that the caller can record the task id instead of leaving the outcome unknown.
                with anyio.CancelScope(shield=True):
                    response = await self._send("POST", path, json=body)
            except _NOT_SENT as exc:
                error: APIError = APIConnectionError(
                    f"Could not reach useapi ({type(exc).__name__}); the job was not submitted.",
                    hint="Check the network and USEAPI_BASE_URL, then submit again.",
                )
            except _MAYBE_SENT as exc:
                raise SubmitOutcomeUnknownError(
                    f"The submission was sent but no answer came back ({type(exc).__name__}): the job may or may "
                    "not have been created, and may be billed.",
                    hint="Do not resubmit blindly: check list_jobs and the Kling account's recent tasks first.",
                ) from None
            else:
                if response.is_success:
                    return response
                error = error_from_response(response, "create", self._secrets)
                if not isinstance(error, CapacityError):
                    raise error
                retry_after = response.headers.get("Retry-After")
            delay = policy.delay(attempt, retry_after)
            if attempt > policy.max_retries or time.monotonic() - started + delay > policy.max_total:
                raise error
            logger.info("create %s: %s, retrying in %.1fs", path, error.code, delay)
            await self._sleep(delay)


def _email(email: str | None) -> dict[str, str]:
    return {"email": email} if email else {}


def _path_segment(value: str) -> str:
    """An account email as one URL path segment; anything that could change the path is refused before sending."""
    if not value or value in (".", "..") or "/" in value:
        raise InvalidParameterError(
            "email",
            value,
            "not a usable account email (it would change the request path)",
            "an email address such as name@example.com",
        )
    return quote(value, safe="@")


def _parse(model: type[ModelT], response: httpx.Response) -> ModelT:
    try:
        data = response.json()
    except ValueError:
        raise MalformedResponseError(
            f"useapi answered HTTP {response.status_code} with a body that is not JSON "
            f"({response.headers.get('content-type', 'no content type')}).",
            hint="This is an upstream fault; try again shortly.",
        ) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Only name-like parts are quoted: a dict key (an email, or anything the upstream echoed) is not.
        fields = sorted({".".join(_loc_part(p) for p in e["loc"]) or "(body)" for e in exc.errors()})
        raise MalformedResponseError(
            f"useapi's answer is missing or has unexpected fields: {', '.join(fields)[:200]}.",
            hint="This is an upstream fault or an API change; try again, and report it if it persists.",
        ) from None


def _loc_part(part: int | str) -> str:
    return str(part) if isinstance(part, int) or _FIELD_NAME.fullmatch(part) else "<key>"


def _parse_created(response: httpx.Response) -> TaskResponse:
    try:
        task = _parse(TaskResponse, response)
    except MalformedResponseError as exc:
        exc.hint = "The job may have been created anyway: check list_jobs and the account's recent tasks."
        raise
    if task.task is None:
        # Seed script: "No task.id found in HTTP 200 response" is an error.
        raise MalformedResponseError(
            "useapi answered 200 but without task.id.",
            hint="The job may have been created anyway: check the account's recent tasks before resubmitting.",
        )
    return task
