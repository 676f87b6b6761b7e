"""KlingService: the job logic between the MCP tools (or the batch command) and the upstream client.

It validates against the catalog before anything is sent, records every submission in the ledger before the
request leaves and updates it after, resolves the account, polls with a per-task throttle, waits with progress,
downloads results (in the background too), and never loses a task id. It knows nothing of MCP: progress is a
plain callback, and every failure is a KlingError with a code.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import anyio
from anyio.abc import TaskGroup
from pydantic import BaseModel

from kling_mcp import catalog
from kling_mcp.api.client import CreateAttempt, KlingClient
from kling_mcp.api.errors import (
    AccountError,
    AccountNotFoundError,
    ConfigurationError,
    InvalidParameterError,
    KlingError,
    SubmitOutcomeUnknownError,
)
from kling_mcp.api.models import AccountDetail, TaskResponse
from kling_mcp.api.retry import RetryPolicy
from kling_mcp.api.video import Element, ElementList, Listing
from kling_mcp.arguments import (
    AnimateImage,
    ApplyEffect,
    CreateElement,
    DeleteElement,
    ExtendVideo,
    GenerateVideo,
    Generation,
    ListEffects,
    ListElements,
    ListMotions,
)
from kling_mcp.arguments.fields import MediaInput
from kling_mcp.arguments.images import UpscaleImage
from kling_mcp.arguments.sound import LipSync
from kling_mcp.config import Settings, token_placeholder
from kling_mcp.jobs import audio, uploads, videos
from kling_mcp.jobs.account import AccountJobs
from kling_mcp.jobs.addresses import origin
from kling_mcp.jobs.creations import VIDEO_BOUNDS, Creation, creation_of, model_label, prompt_of
from kling_mcp.jobs.downloads import Download, Downloader
from kling_mcp.jobs.images import ImageJobs
from kling_mcp.jobs.ledger import IdempotencyConflict, Job, Ledger, LedgerUnavailableError, open_ledger
from kling_mcp.jobs.sound import SoundService, speech_for_lip_sync
from kling_mcp.jobs.spending import WINDOW, Budget, Spending, spending
from kling_mcp.jobs.tasks import Facts, TaskReport, WorkKind, report_of, task_state, videos_of
from kling_mcp.jobs.waiting import Progress, TaskWatcher, no_progress

logger = logging.getLogger(__name__)

LEDGER_FILE = "jobs.sqlite3"


# A create is given at least this long, its waits for a free job slot (429) included, whatever the wait cap.
MIN_CREATE_DEADLINE_S = 30.0
# How long a stopping server or batch waits for creates still in flight, so their task ids are recorded.
SHUTDOWN_GRACE_S = 10.0


def _check_key(idempotency_key: str | None) -> None:
    if idempotency_key is not None and not idempotency_key.strip():
        raise InvalidParameterError(
            "idempotency_key", idempotency_key, "must not be blank", "any non-blank string, or omit it"
        )


WORK_FORM = "kling://works/<task_id>/<work_id> (or kling://works/<task_id> for its first work)"


def work_reference(value: str, parameter: str) -> tuple[int, int | None] | None:
    """``kling://works/<task_id>[/<work_id>]``: a previous task's output given as an input. None for any other
    value; a malformed reference is refused naming the form."""
    text = value.strip()
    if not text.lower().startswith("kling://works/"):
        return None
    parts = text[len("kling://works/") :].strip("/").split("/")
    if not 1 <= len(parts) <= 2 or not all(part.isdigit() and 0 < int(part) < 2**63 for part in parts):
        raise InvalidParameterError(parameter, value, "not a reference to a task's work", WORK_FORM)
    return int(parts[0]), int(parts[1]) if len(parts) == 2 else None


def _lengths(creation: Creation, known: Mapping[str, float | None]) -> dict[str, float]:
    """The catalog keywords of the media lengths known so far (``Creation.lengths``)."""
    return {
        keyword: seconds for label, keyword in creation.lengths.items() if (seconds := known.get(label)) is not None
    }


def _source_task(args: Generation) -> tuple[int, int | None] | None:
    """The previous task whose video an omni call edits or references (``video_task_id`` + ``video_work_id``)."""
    task_id = getattr(args, "video_task_id", None)
    return None if task_id is None else (task_id, getattr(args, "video_work_id", None))


def _made_elements(job: Job) -> list[Element]:
    """The elements an earlier create_element with the same idempotency_key made (nothing new is sent)."""
    if job.state == "succeeded":
        return [Element.model_validate(item) for item in job.params.get("made", [])]
    if job.state == "submitting":
        raise SubmissionInProgressError(
            f"An element with this idempotency_key is being created right now (since {job.created_at}).",
            hint="Call again with the same idempotency_key in a few seconds. Nothing new was sent.",
            details={"ledger_id": job.id},
        )
    raise SubmitOutcomeUnknownError(
        f"An element with this idempotency_key was already sent and its outcome is {job.state}: "
        f"{job.error or 'no answer came back'}.",
        hint="It may exist: look in the account's elements before using a new key.",
        details={"ledger_id": job.id},
    )


class _UnusableLedger:
    """Stands in for a ledger that could not be opened: every use raises the reason, so each tool answers a coded
    error naming the path and KLING_MCP_STATE_DIR instead of the server failing to start."""

    def __init__(self, error: LedgerUnavailableError) -> None:
        self._error = error

    def close(self) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        def unusable(*_: Any, **__: Any) -> Any:
            raise LedgerUnavailableError(self._error.path, self._error.reason, self._error.variable)

        return unusable


@dataclass
class _Sent:
    """What became of one create: the upstream answer or the error to raise, and what the ledger made of it."""

    attempt: CreateAttempt = field(default_factory=CreateAttempt)
    created: TaskResponse | None = None
    error: KlingError | None = None
    ledger_failure: str | None = None


class SubmissionInProgressError(KlingError):
    """A call reused the idempotency key of a submission that is still waiting for useapi's answer."""

    code = "submission_in_progress"


@dataclass(frozen=True)
class AccountBalance:
    """An account's balance as useapi reports it, with the estimated spending of the last 24 hours."""

    email: str
    account: AccountDetail
    spending: Spending | None = None


class KlingService(AccountJobs, SoundService, ImageJobs):
    def __init__(
        self,
        settings: Settings,
        client: KlingClient,
        ledger: Ledger,
        *,
        watcher: TaskWatcher | None = None,
        downloader: Downloader | None = None,
        background: TaskGroup | None = None,
        create_deadline: float | None = None,
    ) -> None:
        self.settings, self.client, self.ledger = settings, client, ledger
        self.watcher = watcher or TaskWatcher(settings, client, ledger)
        self.downloader = downloader or Downloader(settings, client, ledger, self.watcher)
        self.budget = Budget(daily=settings.daily_budget, per_call=settings.max_credits_per_call)
        # A create (its 429 waits included) is given up after this long as an unknown outcome. useapi's guide
        # waits 10 s between tries on a 429; an MCP call fits that into the wait cap, the batch gives it longer.
        self.create_deadline = create_deadline or max(settings.wait_cap, MIN_CREATE_DEADLINE_S)
        self._background = background
        self._in_flight: set[anyio.CancelScope] = set()
        self._default_email: str | None = None
        self._effects: dict[str, list[Any]] = {}

    @classmethod
    @asynccontextmanager
    async def open(
        cls, settings: Settings, *, create_deadline: float | None = None, **kwargs: Any
    ) -> AsyncIterator[KlingService]:
        """The service for a server's (or a batch's) whole life: one HTTP pool, one ledger, background work.

        An unusable ledger does not stop the server: the tools then answer ledger_unavailable, naming the path and
        KLING_MCP_STATE_DIR, and list_models still works. On the way out, creates still in flight get a few
        seconds to be answered and recorded, so that an interrupted batch or server keeps their task ids."""
        retry = RetryPolicy(max_retries=settings.max_retries)
        try:
            url = settings.database_url.get_secret_value() if settings.database_url else None
            ledger: Ledger = open_ledger(url, settings.state_dir / LEDGER_FILE)  # PostgreSQL, else SQLite
        except LedgerUnavailableError as exc:
            logger.error("%s", exc.message)
            ledger = cast(Ledger, _UnusableLedger(exc))
        try:
            async with (
                KlingClient(token=settings.token, base_url=settings.base_url, read_retry=retry) as client,
                anyio.create_task_group() as group,
            ):
                watcher = TaskWatcher(settings, client, ledger, **kwargs)
                downloader = Downloader(settings, client, ledger, watcher, background=group)
                watcher.on_succeeded = downloader.on_succeeded
                service = cls(
                    settings,
                    client,
                    ledger,
                    watcher=watcher,
                    downloader=downloader,
                    background=group,
                    create_deadline=create_deadline,
                )
                try:
                    yield service
                finally:
                    await service._settle_in_flight()
                    group.cancel_scope.cancel()
        finally:
            ledger.close()

    async def _settle_in_flight(self) -> None:
        """Give creates still on the wire a few seconds to be answered and recorded, then stop them (each then records
        an unknown outcome if its request may have been sent)."""
        with anyio.move_on_after(SHUTDOWN_GRACE_S, shield=True):
            while self._in_flight:
                await anyio.sleep(0.02)
        for scope in list(self._in_flight):
            scope.cancel()
        with anyio.move_on_after(1.0, shield=True):  # let them record what they know
            while self._in_flight:
                await anyio.sleep(0.01)

    # --- accounts -------------------------------------------------------------------------------------------------

    def _require_token(self) -> None:
        if token_placeholder(self.settings.token):
            raise ConfigurationError(
                "USEAPI_TOKEN is set to a placeholder, not a useapi.net API token (those look like user:1234-abc…).",
                hint="Put your token from useapi.net in USEAPI_TOKEN in the MCP server's configuration and restart "
                "the server, or run it with --simulate to try it without an account. Nothing was sent.",
            )

    async def resolve_email(self, email: str | None, *, task_id: int | None = None) -> str:
        """The account to use: the argument, else KLING_EMAIL, else (for an existing task) the account the ledger
        recorded for it, else the only account useapi has (asked once)."""
        self._require_token()
        chosen = (email or "").strip() or self.settings.email
        if chosen:
            return chosen
        if task_id is not None and (job := await self.ledger.get(task_id)) is not None and job.email:
            return job.email
        if self._default_email is None:
            accounts = await self._accounts()
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

    async def _accounts(self) -> list[str]:
        return [a for a in (await self.client.list_accounts()).root if a]

    @asynccontextmanager
    async def _known_account(self, email: str) -> AsyncIterator[None]:
        """Say which accounts exist when useapi does not know the one asked for."""
        try:
            yield
        except AccountNotFoundError as exc:
            try:
                accounts = await self._accounts()
            except KlingError:
                raise exc from None
            if email in accounts:
                raise
            listed = ", ".join(accounts) if accounts else "none"
            raise AccountNotFoundError(
                f"useapi has no Kling account {email!r}. Accounts configured: {listed}.",
                hint="Pass email=<one of them> (or fix KLING_EMAIL), or add the account at useapi.net.",
                details={"email": email, "accounts": accounts},
            ) from None

    async def balance(self, email: str | None) -> AccountBalance:
        account_email = await self.resolve_email(email)
        async with self._known_account(account_email):
            account = await self.client.get_account(account_email)
        report = None
        try:
            total = account.balance.total if account.balance else None
            report = await self.spending_report(account_email, total)
        except LedgerUnavailableError as exc:
            logger.warning("no spending report: %s", exc.message)
        return AccountBalance(email=account.email or account_email, account=account, spending=report)

    async def spending_report(self, email: str | None = None, balance_total: float | None = None) -> Spending:
        """The estimated spending of the last 24 hours against the limits; with a balance just read, also how much
        the balance fell since the first reading of the window (raw unit), and the reading is recorded."""
        now = datetime.now(UTC)
        figures = spending(await self.ledger.spent(now - WINDOW), self.budget, now)
        if email is not None and balance_total is not None:
            readings = [r for r in await self.ledger.balance_readings(now - WINDOW) if r[1] == email]
            if readings:
                figures = replace(figures, balance_change=readings[0][2] - balance_total)
            await self.ledger.note_balance(email, balance_total)
        return figures

    # --- submitting -----------------------------------------------------------------------------------------------

    async def generate(
        self, args: GenerateVideo, *, progress: Progress = no_progress, batch: str | None = None
    ) -> TaskReport:
        """Text to video. ``batch`` marks the ledger rows of one batch run."""
        return await self.create(args, progress=progress, batch=batch)

    async def animate(
        self, args: AnimateImage, *, progress: Progress = no_progress, roots: list[Path] | None = None
    ) -> TaskReport:
        """Image to video from a start and/or end frame: https URLs, local files or data: URIs."""
        return await self.create(args, progress=progress, roots=roots)

    async def create(
        self,
        args: Generation,
        *,
        progress: Progress = no_progress,
        roots: list[Path] | None = None,
        batch: str | None = None,
    ) -> TaskReport:
        """Any task-creating tool (``creations.CREATIONS``). Every catalog and file rule is checked before anything is
        uploaded or submitted; the idempotency key and the spending limits before anything is uploaded; the job is
        recorded before the create is sent, and the create is sent once."""
        creation = creation_of(args)
        key = args.idempotency_key
        _check_key(key)  # before anything is read or uploaded
        media = args.media()
        account: str | None = None
        chosen: str | None = None  # KLING_MCP_ACCOUNT_CHOICE's note when it picked the account
        extra: dict[str, Any] = {}
        if isinstance(args, ExtendVideo):
            account = await self.resolve_email(args.email, task_id=args.task_id)
            extra = await self._extend_source(args.task_id, account)
        if isinstance(args, UpscaleImage) and args.task_id is not None:
            # Postman, POST /images/upscale: the task "Must be in the succeed status" and made that image; it is
            # read with the account that made it.
            await self.check_upscale_source(args)
            account = await self.resolve_email(args.email, task_id=args.task_id)
        if isinstance(args, ApplyEffect):
            account, chosen = await self.spending_account(args.email)
            extra = {"known_effects": await self._effects_of(account)}
        source = _source_task(args)
        shown = {"video": f"<the video of task {source[0]}>"} if source else {}
        # The catalog sees the user's own values first (errors quote them); uploads happen only once every rule passed.
        creation.validate(**{**args.catalog_fields(), **shown, **extra})
        seconds = await self._check_media(media, roots)
        extra |= _lengths(creation, seconds)
        _, estimate = creation.validate(**{**args.catalog_fields(), **shown, **extra})
        if account is None:
            account, chosen = await self.spending_account(args.email, task_id=source[0] if source else None)
        if key and (earlier := await self.ledger.find_key(key)) is not None:
            return await self._reused(earlier, Facts(idempotency_key=key, email=account))
        # The spending limits, checked again when the job is claimed, are checked here too: nothing is uploaded for a
        # call that would be refused.
        await self.check_budget(estimate.credits)
        warnings: list[str] = [chosen] if chosen else []
        lengths: dict[str, float | None] = {}
        resolved: dict[str, str] = {}
        if source:
            resolved["video"] = await self._work_url(*source, account, "video_task_id", "video", warnings, lengths)
            lengths["video"] = lengths.pop("video_task_id", None)
        for item in media:
            resolved[item.label] = await self._upload(item, account, roots, warnings, lengths)
        extra |= _lengths(creation, lengths)
        if isinstance(args, LipSync) and (speech := await speech_for_lip_sync(self.client, args, account)):
            extra["speech"] = speech  # lip-sync from text: the speech is made first (free), its MP3 sent as audio
        from_task = {"video": resolved["video"]} if source else {}
        request, estimate = creation.validate(**{**args.catalog_fields_with(resolved), **from_task, **extra})
        return await self._submit(
            creation,
            request,
            estimate,
            key,
            account,
            args.wait_seconds,
            progress,
            batch,
            warning=" ".join(warnings) or None,
        )

    async def _check_media(self, media: list[MediaInput], roots: list[Path] | None) -> dict[str, float | None]:
        """Every file rule of a call's images and videos, nothing uploaded; the length of each local video. A
        reference to a previous task's work (``kling://works/…``) is checked for its form here and read later."""
        files = [item for item in media if work_reference(item.value, item.label) is None]
        return await uploads.check_local_media(
            files,
            self.settings.allowed_dirs,
            roots,
            video_bounds=VIDEO_BOUNDS,
            upstream=origin(self.client.base_url),
        )

    async def _upload(
        self,
        item: MediaInput,
        account: str,
        roots: list[Path] | None,
        warnings: list[str] | None = None,
        lengths: dict[str, float | None] | None = None,
    ) -> str:
        """The URL to send for one image, video or audio file the user gave: a previous task's work (its
        watermark-free URL), a URL useapi can read as it is, or a file uploaded to useapi first."""
        if (reference := work_reference(item.value, item.label)) is not None:
            return await self._work_url(*reference, account, item.label, item.kind, warnings, lengths)
        if item.kind == "video":
            low, high = VIDEO_BOUNDS.get(item.label, (None, videos.UPLOAD_MAX_SECONDS))
            video = await videos.resolve_video(
                item.value,
                item.label,
                client=self.client,
                email=account,
                allowed=self.settings.allowed_dirs,
                roots=roots,
                limiter=self.downloader.threads,
                min_seconds=low,
                max_seconds=high,
            )
            return video.url
        if item.kind == "audio":
            sound = await audio.resolve_audio(
                item.value,
                item.label,
                client=self.client,
                email=account,
                allowed=self.settings.allowed_dirs,
                roots=roots,
                limiter=self.downloader.threads,
            )
            return sound.url
        url = await uploads.resolve_image(
            item.value,
            item.label,
            client=self.client,
            email=account,
            allowed=self.settings.allowed_dirs,
            roots=roots,
            limiter=self.downloader.threads,
        )
        assert url is not None  # media() lists only values given
        return url

    async def _finished_video(self, task_id: int, account: str, parameter: str) -> TaskResponse:
        """A task that must be a succeeded video task (the source of an extension or of an omni edit)."""
        task = await self.watcher.poll(task_id, account)
        state = task_state(task)
        if state != "succeeded":
            raise InvalidParameterError(
                parameter,
                task_id,
                f"task {task_id} is {state}; only a succeeded video task can be used",
                "the task_id of a succeeded video task",
            )
        if not videos_of(task):
            raise InvalidParameterError(
                parameter, task_id, f"task {task_id} has no video", "the task_id of a succeeded video task"
            )
        return task

    async def _extend_source(self, task_id: int, account: str) -> dict[str, Any]:
        """What the catalog needs of the task to extend: useapi extends "a finished video task" (reference §5.4)."""
        task = await self._finished_video(task_id, account, "task_id")
        job = await self.ledger.get(task_id)
        first = videos_of(task)[0]
        return {"source_model": job.model_name if job else None, "source_seconds": first.duration_s}

    async def _work_url(
        self,
        task_id: int,
        work_id: int | None,
        account: str,
        parameter: str,
        kind: str,
        warnings: list[str] | None = None,
        lengths: dict[str, float | None] | None = None,
    ) -> str:
        """The URL of a previous task's work (a video to edit or lip-sync, an image to animate), to send on as an
        input: its watermark-free master when the account can have it, so the new result does not carry the
        preview's watermark; else the preview, said in a warning."""
        work_kind = cast(WorkKind, kind)
        allowed = f"the task_id of a succeeded {kind} task" if parameter.endswith("task_id") else WORK_FORM
        task = await self.watcher.poll(task_id, account)
        state = task_state(task)
        if state != "succeeded":
            raise InvalidParameterError(
                parameter, task_id, f"task {task_id} is {state}; only a succeeded task's work can be used", allowed
            )
        works = {
            work.workId: work.resource
            for work in task.works
            if work.workId is not None
            and work.resource is not None
            and work.resource.resource
            and (getattr(work, "contentType", None) or "video") == kind
        }
        if not works:
            raise InvalidParameterError(parameter, task_id, f"task {task_id} has no {kind}", allowed)
        if work_id is None:
            work_id = next(iter(works))
        elif work_id not in works:
            raise InvalidParameterError(parameter, work_id, f"task {task_id} has no such {kind} work", list(works))
        resource = works[work_id]
        if lengths is not None:  # useapi gives a work's duration in milliseconds (reference §6.1)
            lengths[parameter] = None if resource.duration is None else resource.duration / 1000
        url, reason = await self.downloader.source_url(work_id, resource.resource or "", account, kind=work_kind)
        if reason is not None and warnings is not None:
            warnings.append(f"{parameter} is task {task_id}'s WATERMARKED preview: {reason}")
        return url

    async def _effects_of(self, account: str) -> list[Any]:
        """The entries of GET /videos/effects (names, and each effect's modes where given), read once per account
        and process: the catalog checks an effect, its mode and its prompt against them."""
        if account not in self._effects:
            self._effects[account] = (await self.client.list_effects(account)).items
        return self._effects[account]

    async def check_budget(self, credits: float) -> None:
        """Refuse (BudgetExceededError) a call of this estimate that the spending limits would not allow now."""
        if not self.budget.active:
            return
        self.budget.check_call(credits)
        if self.budget.daily is not None:
            now = datetime.now(UTC)
            spent = await self.ledger.spent(now - WINDOW)
            self.budget.check_window(credits, [(job.created_at, job.credits) for job in spent], now)

    def estimate(self, args: Generation) -> catalog.Estimate:
        """The credit estimate of a task-creating call, validating it (used to ask for confirmation before
        submitting). Images and videos stand as URLs (their own checks come later); an extension is estimated
        without its source task, and an effect without the list of effects."""
        placeholders = {item.label: f"https://{item.kind}.invalid/{n}" for n, item in enumerate(args.media())}
        from_task = {"video": "https://video.invalid/task"} if _source_task(args) else {}
        return creation_of(args).validate(**{**args.catalog_fields_with(placeholders), **from_task})[1]

    async def _submit(
        self,
        creation: Creation,
        request: BaseModel,
        estimate: catalog.Estimate,
        idempotency_key: str | None,
        email: str | None,
        wait_seconds: float,
        progress: Progress,
        batch: str | None,
        *,
        warning: str | None = None,
    ) -> TaskReport:
        _check_key(idempotency_key)
        account = await self.resolve_email(email)
        request = request.model_copy(update={"email": account})
        model_name = model_label(request)
        facts = Facts(
            model_name=model_name,
            email=account,
            estimated_credits=estimate.credits,
            estimate_note=estimate.note or None,
            idempotency_key=idempotency_key,
            warning=warning,
        )
        try:
            job = await self.ledger.begin(
                kind=creation.kind,
                params=request.model_dump(mode="json", exclude_none=True, exclude={"email"}),
                email=account,
                model_name=model_name,
                prompt=prompt_of(request),
                credits_estimated=estimate.credits,
                idempotency_key=idempotency_key,
                batch=batch,
                budget=self.budget if self.budget.active else None,
            )
        except IdempotencyConflict as conflict:
            return await self._reused(conflict.job, facts)

        sent = await self._send_recorded(job.id, creation, request, idempotency_key)
        if sent.error is not None:
            raise sent.error
        created = sent.created
        assert created is not None and created.task is not None
        task_id = created.task.id
        if sent.ledger_failure:
            facts.warning = (
                f"Task {task_id} was created, but the local job ledger could not record it ({sent.ledger_failure}); "
                "keep this task_id: the list of recorded jobs will not show it. Check the disk holding "
                "KLING_MCP_STATE_DIR."
            )
        if sent.attempt.capacity_wait_s >= 1:
            facts.capacity_wait_s = round(sent.attempt.capacity_wait_s, 1)
        self.watcher.seen(created)
        if wait_seconds > 0:
            return await self.get_task(task_id, account, wait_seconds=wait_seconds, progress=progress, facts=facts)
        return report_of(created, facts=facts)

    async def _send_recorded(self, job_id: int, creation: Creation, request: BaseModel, key: str | None) -> _Sent:
        """Send a create and record its outcome in the ledger. Both run in the service's own task group, so a caller
        that is cancelled or disconnects (the MCP client gave up) stops waiting at once while the create still
        finishes, within its deadline, and its task id is recorded: a retry with the same key then finds it."""
        sent = _Sent()

        async def send_and_record() -> None:
            # Never raises but cancellation: it may run in the service's task group, where an error would stop the
            # server. A ledger that fails while recording the outcome is logged (with the task id) and reported.
            try:
                await self._send_and_record(sent, job_id, creation, request, key)
            except Exception as exc:
                task_id = sent.created.task.id if sent.created and sent.created.task else None
                logger.error("recording ledger job %s (task %s) failed: %s", job_id, task_id, exc)
                if sent.created is None and sent.error is None:
                    sent.error = (
                        exc
                        if isinstance(exc, KlingError)
                        else SubmitOutcomeUnknownError(
                            f"kling-mcp could not record the submission ({type(exc).__name__})."
                        )
                    )
                elif sent.created is not None:
                    sent.ledger_failure = type(exc).__name__

        if self._background is None:
            await send_and_record()
            return sent
        done = anyio.Event()

        async def send() -> None:
            # Shielded from the caller's cancellation and the server's (the create is bounded by its own deadline);
            # a stopping service cancels it explicitly once its grace period is over.
            with anyio.CancelScope(shield=True) as scope:
                self._in_flight.add(scope)
                try:
                    await send_and_record()
                finally:
                    self._in_flight.discard(scope)
                    done.set()

        self._background.start_soon(send)
        await done.wait()
        return sent

    async def _send_and_record(
        self,
        sent: _Sent,
        job_id: int,
        creation: Creation,
        request: BaseModel,
        key: str | None,
    ) -> None:
        attempt = sent.attempt
        try:
            created: TaskResponse = await creation.send(self.client, request, self.create_deadline, attempt)
        except SubmitOutcomeUnknownError as exc:
            with anyio.CancelScope(shield=True):
                await self.ledger.mark_unknown(job_id, exc.message)
            exc.details["ledger_id"] = job_id
            exc.hint = f"{exc.hint} The job is recorded with the state unknown.".strip()
            sent.error = exc
            return
        except KlingError as exc:
            with anyio.CancelScope(shield=True):
                await self._release(job_id, exc.message, key)
            sent.error = exc
            return
        except BaseException as exc:
            # Cancelled (the server is shutting down) or a bug: what the request may have done decides the record.
            with anyio.CancelScope(shield=True):
                if attempt.maybe_sent:
                    reason = "stopped while the request was out: it may have been created and billed"
                    await self.ledger.mark_unknown(job_id, f"The submission was {reason}.")
                else:
                    await self._release(job_id, "Stopped before the request was sent.", key)
            if isinstance(exc, Exception):
                logger.exception("create of ledger job %s failed unexpectedly", job_id)
                sent.error = SubmitOutcomeUnknownError(
                    "kling-mcp hit an unexpected error while submitting"
                    + (": the job may have been created and billed." if attempt.maybe_sent else "; nothing was sent."),
                    hint="Check the jobs recorded as unknown and the Kling account before submitting again.",
                    details={"ledger_id": job_id},
                )
                return
            raise
        sent.created = created
        assert created.task is not None
        task_id = created.task.id
        # From here on the task exists and is billed: its id reaches the log whatever the ledger does.
        logger.info("submitted %s task %s (%s, ledger job %s)", creation.kind, task_id, model_label(request), job_id)
        try:
            with anyio.CancelScope(shield=True):
                await self.ledger.mark_submitted(
                    job_id, task_id, task_state(created), created.status, created.status_name
                )
        except Exception as exc:
            logger.error(
                "task %s was created and may be billed, but the ledger could not record it (%s: %s)",
                task_id,
                type(exc).__name__,
                exc,
            )
            sent.ledger_failure = type(exc).__name__

    async def _release(self, job_id: int, reason: str, idempotency_key: str | None) -> None:
        """The upstream did not take the job: record why, and free its idempotency key for a new attempt."""
        await self.ledger.mark_rejected(job_id, reason)
        if idempotency_key is not None:
            await self.ledger.forget_key(job_id)

    async def _reused(self, job: Job, facts: Facts) -> TaskReport:
        if job.task_id is None and job.state == "submitting":
            raise SubmissionInProgressError(
                f"A submission with this idempotency_key is being sent right now (since {job.created_at}); "
                "it has not answered yet.",
                hint="Call again with the same idempotency_key in a few seconds to get its task. Nothing new was "
                "sent or spent.",
                details={"ledger_id": job.id},
            )
        if job.task_id is None:
            raise SubmitOutcomeUnknownError(
                f"A submission with this idempotency_key was already sent and its outcome is {job.state}: "
                f"{job.error or 'no answer came back'}.",
                hint="It may exist and be billed; check the recorded jobs and the Kling account before using a new "
                "key.",
                details={"ledger_id": job.id},
            )
        task = await self.watcher.poll(job.task_id, job.email)
        return report_of(task, facts=replace(facts, reused=True, estimated_credits=job.credits_estimated))

    # --- elements, motions, effects (no task, no credits) --------------------------------------------------------

    async def create_element(self, args: CreateElement, *, roots: list[Path] | None = None) -> list[Element]:
        """POST /elements: a reusable character or object. Checked against the catalog and the file rules before
        anything is uploaded; recorded in the ledger before it is sent (kind ``element``) so that its
        idempotency_key works as a generation's does; sent once (a resend could make a second element)."""
        key = args.idempotency_key
        _check_key(key)
        media = args.media()
        catalog.validate_element(**args.catalog_fields())
        await self._check_media(media, roots)
        account = await self.resolve_email(args.email)
        if key and (earlier := await self.ledger.find_key(key)) is not None:
            return _made_elements(earlier)
        resolved = {item.label: await self._upload(item, account, roots) for item in media}
        request = catalog.validate_element(**args.catalog_fields_with(resolved)).model_copy(update={"email": account})
        params = request.model_dump(mode="json", exclude_none=True, exclude={"email"})
        try:
            job = await self.ledger.begin(
                kind="element",
                params=params,
                email=account,
                model_name=None,
                prompt=request.name,
                credits_estimated=None,
                idempotency_key=key,
            )
        except IdempotencyConflict as conflict:
            return _made_elements(conflict.job)
        # Shielded like a task's create: a caller that gives up does not leave the element made but unrecorded.
        with anyio.CancelScope(shield=True):
            try:
                async with self._known_account(account):
                    created = await self.client.create_element(request)
            except SubmitOutcomeUnknownError as exc:
                await self.ledger.mark_unknown(job.id, exc.message)
                raise
            except KlingError as exc:
                await self._release(job.id, exc.message, key)
                raise
            made = [element.model_dump(mode="json", exclude_none=True) for element in created.elements]
            await self.ledger.mark_made(job.id, {**params, "made": made})
        logger.info("created element(s) %s", ", ".join(e.id for e in created.elements) or "(no id in the answer)")
        return created.elements

    async def list_elements(self, args: ListElements) -> ElementList:
        account = await self.resolve_email(args.email)
        async with self._known_account(account):
            return await self.client.list_elements(
                tag=args.tag, page_num=args.page, page_size=args.page_size, email=account
            )

    async def delete_element(self, args: DeleteElement) -> str:
        account = await self.resolve_email(args.email)
        async with self._known_account(account):
            await self.client.delete_element(args.element_id, account)
        logger.info("deleted element %s", args.element_id)
        return args.element_id

    async def list_motions(self, args: ListMotions) -> Listing:
        account = await self.resolve_email(args.email)
        async with self._known_account(account):
            return await self.client.list_motions(mine=args.mine, email=account)

    async def list_effects(self, args: ListEffects) -> Listing:
        account = await self.resolve_email(args.email)
        async with self._known_account(account):
            listing = await self.client.list_effects(account)
        self._effects[account] = listing.items
        return listing

    # --- polling, waiting, downloading ---------------------------------------------------------------------------

    async def get_task(
        self,
        task_id: int,
        email: str | None,
        *,
        wait_seconds: float = 0,
        progress: Progress = no_progress,
        facts: Facts | None = None,
    ) -> TaskReport:
        """The task as it stands, after waiting up to ``wait_seconds`` (capped) for it to become final."""
        account = await self.resolve_email(email, task_id=task_id)
        task = await self.watcher.wait(task_id, account, wait_seconds, progress)
        known = replace(facts, email=account) if facts is not None else Facts(email=account)
        report = report_of(task, task_id=task_id, facts=known)
        job = await self.ledger.get(task_id)
        if job is not None:
            known.model_name = known.model_name or job.model_name
            if known.estimated_credits is None:
                known.estimated_credits = job.credits_estimated
            saved = {work: record.path for work, record in job.downloads.items() if record.clean}
            report.works = [
                replace(video, local_path=saved[str(video.work_id)]) if str(video.work_id) in saved else video
                for video in report.works
            ]
        return report

    async def download_clean(
        self,
        task_id: int,
        work_id: int | None = None,
        *,
        save: bool = True,
        email: str | None = None,
        overwrite: bool = False,
        filename: str | None = None,
    ) -> Download:
        """Fetch the watermark-free master of a finished task (falling back, visibly, to the watermarked preview
        when the account cannot have it) and stream it into the output folder."""
        account = await self.resolve_email(email, task_id=task_id)
        return await self.downloader.download_clean(
            task_id, work_id, email=account, save=save, overwrite=overwrite, filename=filename
        )

    # --- the ledger -----------------------------------------------------------------------------------------------

    async def list_jobs(self, *, state: str | None = None, since: str | None = None, limit: int = 20) -> list[Job]:
        return await self.ledger.jobs(state=state, since=since, limit=limit)

    async def job(self, task_id: int) -> Job | None:
        return await self.ledger.get(task_id)
