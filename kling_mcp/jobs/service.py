"""KlingService: the job logic between the MCP tools (or the batch command) and the upstream client.

It validates against the catalog before anything is sent, records every submission in the ledger before the
request leaves and updates it after, resolves the account, polls with a per-task throttle, waits with progress,
downloads results (in the background too), and never loses a task id. It knows nothing of MCP: progress is a
plain callback, and every failure is a KlingError with a code.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
from anyio.abc import TaskGroup

from kling_mcp import catalog
from kling_mcp.api.client import KlingClient
from kling_mcp.api.errors import (
    AccountError,
    AccountNotFoundError,
    APIStatusError,
    AuthenticationError,
    InvalidParameterError,
    KlingError,
    NotFoundError,
    SubmitOutcomeUnknownError,
    SubscriptionError,
    TaskFailedError,
    TaskStateError,
)
from kling_mcp.api.models import Image2VideoFramesRequest, TaskResponse, Text2VideoRequest
from kling_mcp.api.retry import RetryPolicy
from kling_mcp.config import Settings
from kling_mcp.jobs import files, images
from kling_mcp.jobs.ledger import DownloadRecord, IdempotencyConflict, Job, Ledger
from kling_mcp.results import BalanceResult, DownloadResult, TaskResult, balance_result, task_result, task_state

logger = logging.getLogger(__name__)

Progress = Callable[[float, float | None, str], Awaitable[None]]
HEARTBEAT_S = 5.0  # issue: progress "at least every 5 s"
LEDGER_FILE = "jobs.sqlite3"


async def _no_progress(_progress: float, _total: float | None, _message: str) -> None:
    return None


@dataclass
class _Polled:
    at: float
    task: TaskResponse


class KlingService:
    def __init__(
        self,
        settings: Settings,
        client: KlingClient,
        ledger: Ledger,
        *,
        background: TaskGroup | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.settings = settings
        self.client = client
        self.ledger = ledger
        self._background = background
        self._clock = clock
        self._sleep = sleep
        self._default_email: str | None = None
        self._polled: dict[int, _Polled] = {}
        self._observed: dict[int, tuple[str, int, int]] = {}
        self._jobs: dict[int, Job] = {}
        self._downloads: dict[tuple[int, int], anyio.Event] = {}
        host = urlsplit(settings.base_url).hostname
        self._trusted_hosts = frozenset({host.lower()} if host else set())

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: Settings, **kwargs: Any) -> AsyncIterator[KlingService]:
        """The service for a server's (or a batch's) whole life: one HTTP pool, one ledger, background work."""
        retry = RetryPolicy(max_retries=settings.max_retries)
        capacity = RetryPolicy(max_retries=settings.max_retries, base_delay=2.0, max_delay=10.0)
        ledger = Ledger(settings.state_dir / LEDGER_FILE)
        try:
            async with (
                KlingClient(
                    token=settings.token, base_url=settings.base_url, read_retry=retry, capacity_retry=capacity
                ) as client,
                anyio.create_task_group() as group,
            ):
                yield cls(settings, client, ledger, background=group, **kwargs)
                group.cancel_scope.cancel()
        finally:
            ledger.close()

    # --- accounts -------------------------------------------------------------------------------------------------

    async def resolve_email(self, email: str | None) -> str:
        """The account to use: the argument, else KLING_EMAIL, else the only account useapi has (asked once)."""
        chosen = (email or "").strip() or self.settings.email
        if chosen:
            return chosen
        if self._default_email is None:
            accounts = list((await self.client.list_accounts()).root)
            if not accounts:
                raise AccountNotFoundError(
                    "No Kling account is configured at useapi.",
                    hint="Add one at https://useapi.net/docs/start-here/setup-kling.",
                )
            if len(accounts) > 1:
                raise AccountError(
                    f"Several Kling accounts are configured: {', '.join(accounts)}. Say which one to use.",
                    hint="Pass email=<one of them>, or set KLING_EMAIL in the server configuration.",
                    details={"accounts": accounts},
                )
            self._default_email = accounts[0]
        return self._default_email

    async def balance(self, email: str | None) -> BalanceResult:
        account = await self.client.get_account(await self.resolve_email(email))
        return balance_result(account)

    # --- submitting -----------------------------------------------------------------------------------------------

    async def generate(
        self,
        *,
        idempotency_key: str | None = None,
        wait_seconds: float = 0,
        progress: Progress = _no_progress,
        email: str | None = None,
        batch: str | None = None,
        **params: Any,
    ) -> TaskResult:
        """Text to video. ``params`` are the generate_video arguments, checked against the catalog first."""
        request, estimate = catalog.validate_text2video(**params)
        return await self._submit(
            "text2video", request, estimate, idempotency_key, email, wait_seconds, progress, batch
        )

    async def animate(
        self,
        *,
        idempotency_key: str | None = None,
        wait_seconds: float = 0,
        progress: Progress = _no_progress,
        email: str | None = None,
        roots: list[Path] | None = None,
        **params: Any,
    ) -> TaskResult:
        """Image to video from a start and/or end frame: https URLs, local files or data: URIs. Every catalog and
        file rule is checked before anything is uploaded or submitted."""
        frames = {"image": params.get("image"), "image_tail": params.get("image_tail")}
        placeholders = {
            k: (None if not v or not v.strip() else "https://upload.pending/frame") for k, v in frames.items()
        }
        catalog.validate_image2video(**{**params, **placeholders})
        await images.check_local_images(list(frames.items()), self.settings.allowed_dirs, roots)
        account = await self.resolve_email(email)
        if idempotency_key and (earlier := await self.ledger.find_key(idempotency_key)) is not None:
            return await self._reused(earlier, {"idempotency_key": idempotency_key, "email": account})
        for name, value in frames.items():
            params[name] = await images.resolve_image(
                value, name, client=self.client, email=account, allowed=self.settings.allowed_dirs, roots=roots
            )
        request, estimate = catalog.validate_image2video(**params)
        return await self._submit(
            "image2video", request, estimate, idempotency_key, account, wait_seconds, progress, None
        )

    def estimate(self, kind: str, params: dict[str, Any]) -> catalog.Estimate:
        """The credit estimate of a generation, validating it (used to ask for confirmation before submitting)."""
        if kind == "text2video":
            return catalog.validate_text2video(**params)[1]
        return catalog.validate_image2video(**params)[1]

    async def _submit(
        self,
        kind: str,
        request: Text2VideoRequest | Image2VideoFramesRequest,
        estimate: catalog.Estimate,
        idempotency_key: str | None,
        email: str | None,
        wait_seconds: float,
        progress: Progress,
        batch: str | None,
    ) -> TaskResult:
        if idempotency_key is not None and not idempotency_key.strip():
            raise InvalidParameterError(
                "idempotency_key", idempotency_key, "must not be blank", "any non-blank string, or omit it"
            )
        account = await self.resolve_email(email)
        request = request.model_copy(update={"email": account})
        extra: dict[str, Any] = {
            "model_name": request.model_name,
            "email": account,
            "estimated_credits": estimate.credits,
            "idempotency_key": idempotency_key,
        }
        try:
            job = await self.ledger.begin(
                kind=kind,
                params=request.model_dump(mode="json", exclude_none=True, exclude={"email"}),
                email=account,
                model_name=request.model_name,
                prompt=request.prompt,
                credits_estimated=estimate.credits,
                idempotency_key=idempotency_key,
                batch=batch,
            )
        except IdempotencyConflict as conflict:
            return await self._reused(conflict.job, extra)

        try:
            if isinstance(request, Text2VideoRequest):
                created = await self.client.create_text2video(request)
            else:
                created = await self.client.create_image2video_frames(request)
        except SubmitOutcomeUnknownError as exc:
            with anyio.CancelScope(shield=True):
                await self.ledger.mark_unknown(job.id, exc.message)
            exc.details["ledger_id"] = job.id
            raise
        except KlingError as exc:
            with anyio.CancelScope(shield=True):
                await self._release(job.id, exc.message, idempotency_key)
            raise
        except anyio.get_cancelled_exc_class():
            # The client shields every send, so a cancellation lands only between attempts (a 429 backoff):
            # nothing was accepted.
            with anyio.CancelScope(shield=True):
                await self._release(job.id, "Cancelled before the job was accepted.", idempotency_key)
            raise
        assert created.task is not None
        task_id = created.task.id
        with anyio.CancelScope(shield=True):
            self._remember(
                task_id,
                await self.ledger.mark_submitted(
                    job.id, task_id, task_state(created), created.status, created.status_name
                ),
            )
        self._polled[task_id] = _Polled(self._clock(), created)
        logger.info("submitted %s task %s (%s)", kind, task_id, request.model_name)
        if wait_seconds > 0:
            return await self.get_task(task_id, account, wait_seconds=wait_seconds, progress=progress, extra=extra)
        return task_result(created, **extra)

    async def _release(self, job_id: int, reason: str, idempotency_key: str | None) -> None:
        """The upstream did not take the job: record why, and free its idempotency key for a new attempt."""
        await self.ledger.mark_rejected(job_id, reason)
        if idempotency_key is not None:
            await self.ledger.forget_key(job_id)

    async def _reused(self, job: Job, extra: dict[str, Any]) -> TaskResult:
        if job.task_id is None:
            raise SubmitOutcomeUnknownError(
                f"A submission with this idempotency_key was already sent and its outcome is {job.state}: "
                f"{job.error or 'no answer came back'}.",
                hint="It may exist and be billed; check list_jobs and the Kling account before using a new key.",
                details={"ledger_id": job.id},
            )
        task = await self.poll(job.task_id, job.email)
        extra.update(reused=True, estimated_credits=job.credits_estimated)
        return task_result(task, **extra)

    # --- polling and waiting --------------------------------------------------------------------------------------

    async def poll(self, task_id: int, email: str | None) -> TaskResponse:
        """GET /tasks/{id}, at most once per KLING_MCP_MIN_POLL_INTERVAL per task: agents that call get_task in a
        tight loop get the last answer instead of hammering useapi."""
        cached = self._polled.get(task_id)
        now = self._clock()
        if cached is not None and (cached.task.status_final or now - cached.at < self.settings.min_poll_interval):
            return cached.task
        task = await self.client.get_task(task_id, email)
        self._polled[task_id] = _Polled(self._clock(), task)
        await self._observe(task_id, task, email)
        return task

    async def _observe(self, task_id: int, task: TaskResponse, email: str | None) -> None:
        """Record a poll's answer in the ledger, but only when it says something new (a poll that changes nothing
        costs no database write)."""
        result = task_result(task, task_id=task_id)
        seen = (result.state, result.status, len(result.videos))
        if self._observed.get(task_id) == seen:
            return
        self._observed[task_id] = seen
        job = await self.ledger.update_task(
            task_id,
            state=result.state,
            status=result.status,
            status_name=result.status_name,
            error=result.error,
            videos=[v.model_dump() for v in result.videos],
        )
        self._remember(task_id, job)
        if result.state == "succeeded" and job is not None and self.settings.auto_download:
            for video in result.videos:
                if str(video.work_id) not in job.downloads:
                    self._start_background_download(task_id, video.work_id, email)

    def _start_background_download(self, task_id: int, work_id: int, email: str | None) -> None:
        if self._background is None or (task_id, work_id) in self._downloads:
            return

        async def run() -> None:
            try:
                await self.download_clean(task_id, work_id, email=email)
            except KlingError as exc:
                logger.warning("background download of task %s failed: %s", task_id, exc.code)

        self._background.start_soon(run)

    async def get_task(
        self,
        task_id: int,
        email: str | None,
        *,
        wait_seconds: float = 0,
        progress: Progress = _no_progress,
        extra: dict[str, Any] | None = None,
    ) -> TaskResult:
        """The task as it stands, after waiting up to ``wait_seconds`` (capped) for it to become final."""
        account = await self.resolve_email(email)
        wait = max(0.0, min(float(wait_seconds), self.settings.wait_cap))
        started = self._clock()
        deadline = started + wait
        extra = dict(extra or {})
        extra.setdefault("email", account)
        try:
            task = await self.poll(task_id, account)
        except NotFoundError:
            job = await self._job(task_id)
            if job is not None:
                self._jobs.pop(task_id, None)
                await self.ledger.update_task(
                    task_id,
                    state="failed",
                    status=0,
                    status_name="not_found",
                    error="upstream answered 404",
                    videos=job.videos,
                )
            raise
        while not task.status_final and self._clock() < deadline:
            waited = self._clock() - started
            await progress(
                waited,
                wait,
                f"Task {task_id} {task_state(task)} (status {task.status} "
                f"{task.status_name}); waited {waited:.0f}/{wait:.0f} s",
            )
            # Poll every KLING_MCP_MIN_POLL_INTERVAL (at least 50 ms), and report progress at least every 5 s.
            step = min(HEARTBEAT_S, max(self.settings.min_poll_interval, 0.05))
            await self._sleep(max(0.0, min(step, deadline - self._clock())))
            task = await self.poll(task_id, account)
        if wait:
            await progress(self._clock() - started, wait, f"Task {task_id} {task_state(task)}")
        result = task_result(task, task_id=task_id, **extra)
        return await self._with_local_paths(result)

    def _remember(self, task_id: int, job: Job | None) -> None:
        if job is not None:
            self._jobs[task_id] = job

    async def _job(self, task_id: int) -> Job | None:
        """The ledger row of a task, read once and then kept current by this service's own writes."""
        job = self._jobs.get(task_id)
        if job is None:
            job = await self.ledger.get(task_id)
            self._remember(task_id, job)
        return job

    async def _with_local_paths(self, result: TaskResult) -> TaskResult:
        job = await self._job(result.task_id)
        if job is not None:
            if result.model_name is None:
                result.model_name = job.model_name
            if result.estimated_credits is None:
                result.estimated_credits = job.credits_estimated
            for video in result.videos:
                record = job.downloads.get(str(video.work_id))
                if record is not None and record.clean:
                    video.local_path = record.path
        return result

    # --- downloads ------------------------------------------------------------------------------------------------

    async def download_clean(
        self,
        task_id: int,
        work_id: int | None = None,
        *,
        save: bool = True,
        email: str | None = None,
        overwrite: bool = False,
        filename: str | None = None,
    ) -> DownloadResult:
        """Fetch the watermark-free master of a finished task (falling back, visibly, to the watermarked preview
        when the account cannot have it) and stream it into the output folder."""
        account = await self.resolve_email(email)
        task = await self.poll(task_id, account)
        state = task_state(task)
        if state == "failed":
            raise TaskFailedError(
                f"Task {task_id} failed ({task.status} {task.status_name}); it has no video to download.",
                hint="Submit a new generation.",
            )
        if state != "succeeded":
            raise TaskStateError(
                f"Task {task_id} is not finished yet ({state}, status {task.status} {task.status_name}).",
                hint=f"Call get_task with task_id={task_id} and wait_seconds=50 until state is succeeded.",
            )
        works = {w.workId: w for w in task.works if w.resource is not None}
        if not works:
            raise TaskStateError(f"Task {task_id} succeeded but lists no video.", hint="Call get_task again later.")
        if work_id is None:
            work_id = next(iter(works))
        elif work_id not in works:
            raise InvalidParameterError("work_id", work_id, f"task {task_id} has no such work", list(works))

        key = (task_id, work_id)
        while key in self._downloads:  # the same file is being fetched already: wait for it, do not fetch twice
            await self._downloads[key].wait()
        done = anyio.Event()
        self._downloads[key] = done
        try:
            return await self._download(
                task_id,
                work_id,
                works[work_id].resource.resource,  # type: ignore[union-attr]
                account,
                save=save,
                overwrite=overwrite,
                filename=filename,
            )
        finally:
            del self._downloads[key]
            done.set()

    async def _download(
        self,
        task_id: int,
        work_id: int,
        preview_url: str,
        account: str,
        *,
        save: bool,
        overwrite: bool,
        filename: str | None,
    ) -> DownloadResult:
        job = await self._job(task_id) or await self.ledger.adopt(task_id, account)
        record = job.downloads.get(str(work_id))
        if save and record is not None and record.clean and not overwrite and Path(record.path).is_file():
            return DownloadResult(
                task_id=task_id,
                work_id=work_id,
                url="",
                clean=True,
                watermarked=False,
                saved=True,
                path=record.path,
                bytes=record.bytes,
                already_downloaded=True,
            )
        url, clean, reason = await self._clean_url(work_id, preview_url, account)
        result = DownloadResult(
            task_id=task_id, work_id=work_id, url=url, clean=clean, watermarked=not clean, reason=reason, saved=False
        )
        if not save:
            return result
        name = filename or f"kling_{task_id}_{work_id}{'' if clean else '_watermarked'}.mp4"
        dest = files.confined_path(self.settings.output_dir, name)
        if dest.exists() and not overwrite:
            size = dest.stat().st_size
            self._remember(
                task_id,
                await self.ledger.add_download(
                    task_id, work_id, DownloadRecord(path=str(dest), clean=clean, bytes=size)
                ),
            )
            return result.model_copy(
                update={"saved": True, "path": str(dest), "bytes": size, "already_downloaded": True}
            )
        size = await files.download(
            self.client, url, dest, max_bytes=self.settings.max_download_bytes, trusted_hosts=self._trusted_hosts
        )
        self._remember(
            task_id,
            await self.ledger.add_download(task_id, work_id, DownloadRecord(path=str(dest), clean=clean, bytes=size)),
        )
        logger.info("saved task %s work %s (%s, %d bytes)", task_id, work_id, "clean" if clean else "watermarked", size)
        return result.model_copy(update={"saved": True, "path": str(dest), "bytes": size})

    async def _clean_url(self, work_id: int, preview_url: str, account: str) -> tuple[str, bool, str | None]:
        try:
            asset = await self.client.get_clean_download(work_id, account)
        except (AuthenticationError, SubscriptionError):
            raise
        except APIStatusError as exc:
            # Seed: the clean master "requires a paid Kling account"; useapi's script falls back to the preview.
            reason = (
                f"useapi refused the watermark-free download ({exc.message}) — a free Kling account has no clean "
                "master (the seed: 'This requires a paid Kling account'). The file saved is the WATERMARKED preview."
            )
            return preview_url, False, reason
        return asset.cdnUrl, True, None

    # --- the ledger -----------------------------------------------------------------------------------------------

    async def list_jobs(self, *, state: str | None = None, since: str | None = None, limit: int = 20) -> list[Job]:
        return await self.ledger.list(state=state, since=since, limit=limit)

    async def job(self, task_id: int) -> Job | None:
        return await self.ledger.get(task_id)
