"""Getting a finished task's outputs onto the user's disk: the clean master when the account can have it, the
watermarked preview (said plainly, with useapi's own answer) when it cannot; once per file, in the background too.

Every kind of work is downloaded (reference §6.1: works[].contentType "video" | "image" | "audio"): the clean file is
asked of GET /assets/download with one workId and the one fileType of its kind (reference §7.2: MP4, MP3, WAV, PNG;
so ``cdnUrl`` is the file itself, not a .zip): MP4 for a video, PNG for an image, and for audio WAV when the preview
is a .wav, else MP3 (useapi's POST /tts/create page: "URL with generated mp3 audio file"; which audio works Kling
keeps as WAV is not documented, so the preview's own name decides, inferred). The file is saved with its kind's
suffix and must pass its kind's check (transfers.file_problem); an image or audio file whose bytes are another format
than its name says is saved under the right suffix.

Background downloads (KLING_MCP_AUTO_DOWNLOAD) never take the server down: whatever they raise (but cancellation) is
logged and recorded on the job (``downloads[work].error`` in list_jobs). At most BACKGROUND_DOWNLOADS of them run at
once, and every transfer takes its thread from this downloader's own pool (DOWNLOAD_THREADS), never from anyio's
default pool that the stdio reader and the ledger use, so the server keeps answering however many tasks finish.
A temporary failure (useapi's 429 or 5xx for the clean master, a dropped or stalled file host) is tried again later,
CLEAN_RETRY_DELAYS_S apart; other failures are final until download_clean is called.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import anyio
from anyio.abc import TaskGroup

from kling_mcp.api.client import KlingClient
from kling_mcp.api.errors import (
    AccountBrokenError,
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    CapacityError,
    DownloadError,
    InvalidParameterError,
    KlingError,
    SubscriptionError,
    TaskFailedError,
    TaskStateError,
    UpstreamServerError,
)
from kling_mcp.config import Settings
from kling_mcp.jobs import transfers
from kling_mcp.jobs.addresses import origin
from kling_mcp.jobs.ledger import DownloadRecord, Job, Ledger
from kling_mcp.jobs.tasks import Output, WorkKind, task_state, works_of
from kling_mcp.jobs.waiting import TaskWatcher

logger = logging.getLogger(__name__)

BACKGROUND_DOWNLOADS = 2  # auto-downloads running at once; the others wait their turn (without holding a thread)
DOWNLOAD_THREADS = 6  # worker threads for every transfer: a foreground call always finds one free
CLEAN_RETRY_DELAYS_S = (60.0, 300.0, 1800.0)  # a temporary failure is tried again after these (then given up)
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
_AUDIO_SUFFIXES = (".mp3", ".wav", ".m4a", ".flac", ".aac", ".ogg")


def clean_file_type(kind: WorkKind, preview_url: str) -> str:
    """The fileTypes value that asks GET /assets/download for a work's clean file (reference §7.2)."""
    if kind == "image":
        return "PNG"
    if kind == "audio":
        return "WAV" if _suffix(preview_url) == ".wav" else "MP3"
    return "MP4"


def file_suffix(kind: WorkKind, url: str, clean: bool) -> str:
    """The suffix a work's file is saved under: its clean fileType's, or the preview URL's own when it names a file
    of the kind (an image preview may be a JPEG), else the kind's usual one."""
    if kind == "video":
        return ".mp4"
    if clean:
        return "." + clean_file_type(kind, url).lower()
    own = _suffix(url)
    if own in (_IMAGE_SUFFIXES if kind == "image" else _AUDIO_SUFFIXES):
        return ".jpg" if own == ".jpeg" else own
    return ".png" if kind == "image" else ".mp3"


def _suffix(url: str) -> str:
    try:
        return PurePosixPath(urlsplit(url).path).suffix.lower()
    except ValueError:
        return ""


@dataclass(frozen=True)
class Download:
    """What became of one work (a video, an image or an audio file: ``kind``): the clean master (``clean``) or, when
    the account could not have it, the WATERMARKED preview with the reason; saved into the output folder (``path``)
    or only located (``url``). ``other_work_ids``: the task's other works, when none was named and the first was
    taken."""

    task_id: int
    work_id: int
    url: str  # where the file was fetched from ("" when an earlier download was reused)
    clean: bool
    saved: bool
    reason: str | None = None  # why the clean master could not be had, when clean is false
    path: str | None = None
    bytes: int | None = None
    already_downloaded: bool = False
    kind: WorkKind = "video"
    other_work_ids: tuple[int, ...] = ()


@dataclass
class _Outcome:
    result: Download
    retry_clean: bool  # the clean master was refused for a temporary reason; a watermarked copy stands in


class Downloader:
    def __init__(
        self,
        settings: Settings,
        client: KlingClient,
        ledger: Ledger,
        watcher: TaskWatcher,
        background: TaskGroup | None = None,
        *,
        deadline: transfers.Deadline | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.settings, self.client, self.ledger, self.watcher = settings, client, ledger, watcher
        self._background = background
        self._sleep = sleep
        self._in_flight: dict[tuple[int, int], anyio.Event] = {}
        self._scheduled: set[tuple[int, int]] = set()
        self.threads = anyio.CapacityLimiter(DOWNLOAD_THREADS)
        self._background_slots = anyio.CapacityLimiter(BACKGROUND_DOWNLOADS)
        # The configured upstream's own host and port are trusted even when internal (the simulator, a
        # self-hosted proxy); another port of the same host is not.
        upstream = origin(settings.base_url)
        self._trusted = frozenset({upstream} if upstream else set())
        allowance = settings.download_timeout
        self._deadline = deadline or transfers.Deadline(allowance_s=float(allowance))

    # --- in the background ----------------------------------------------------------------------------------------

    def on_succeeded(self, task_id: int, job: Job, work_ids: list[int], email: str | None) -> None:
        """Start downloading a finished task's outputs in the background (KLING_MCP_AUTO_DOWNLOAD): each one that
        has no file yet, or whose planned retry was interrupted by a restart."""
        if self._background is None or not self.settings.auto_download:
            return
        for work_id in work_ids:
            key = (task_id, work_id)
            record = job.downloads.get(str(work_id))
            if key in self._scheduled or (record is not None and record.retry_at is None):
                continue
            self._scheduled.add(key)
            try:
                self._background.start_soon(self._auto_download, task_id, work_id, email)
            except RuntimeError:  # the service is shutting down: its task group takes no new work
                self._scheduled.discard(key)
                logger.info("not downloading task %s work %s: shutting down", task_id, work_id)

    async def _auto_download(self, task_id: int, work_id: int, email: str | None) -> None:
        """One video's background download, tried again after a temporary failure. Nothing it raises but
        cancellation leaves this function: background work must never take the server down."""
        try:
            if not await self._claimed(task_id, work_id):
                return
            for attempt in range(1, len(CLEAN_RETRY_DELAYS_S) + 2):
                error: str | None = None
                try:
                    async with self._background_slots:
                        outcome = await self._download(task_id, work_id, email=email)
                    temporary = outcome.retry_clean
                except Exception as exc:  # everything, not only KlingError: cancellation is a BaseException
                    error, temporary = _describe(exc), _temporary(exc)
                    if isinstance(exc, KlingError):
                        logger.warning("background download of task %s work %s failed: %s", task_id, work_id, error)
                    else:
                        logger.error("background download of task %s work %s failed", task_id, work_id, exc_info=exc)
                delay = (
                    CLEAN_RETRY_DELAYS_S[attempt - 1] if temporary and attempt <= len(CLEAN_RETRY_DELAYS_S) else None
                )
                if error is None and delay is None:
                    if temporary:
                        await self._note(task_id, work_id, attempts=attempt, retry_at=None)
                    return
                retry_at = None if delay is None else (datetime.now(UTC) + timedelta(seconds=delay))
                await self._note(
                    task_id,
                    work_id,
                    error=error,
                    attempts=attempt,
                    retry_at=None if retry_at is None else retry_at.isoformat(timespec="seconds"),
                )
                if delay is None:
                    return
                await self._sleep(delay)
        finally:
            self._scheduled.discard((task_id, work_id))

    async def _claimed(self, task_id: int, work_id: int) -> bool:
        """Whether this process downloads the work: of the processes sharing the ledger (replicas, a server and a
        batch) that saw the task finish, the one whose claim the ledger holds; the others leave it to that one."""
        try:
            if await self.ledger.claim_download(task_id, work_id):
                return True
            logger.info("task %s work %s is downloaded by another process sharing the ledger", task_id, work_id)
            return False
        except Exception as exc:  # a ledger that fails: download anyway (the file is checked before it is written)
            logger.error("could not claim the download of task %s work %s: %s", task_id, work_id, _describe(exc))
            return True

    async def _note(self, task_id: int, work_id: int, **changes: object) -> None:
        try:
            await self.ledger.note_download(task_id, work_id, **changes)
        except Exception as exc:
            logger.error("could not record the download of task %s work %s: %s", task_id, work_id, _describe(exc))

    # --- on request -----------------------------------------------------------------------------------------------

    async def download_clean(
        self,
        task_id: int,
        work_id: int | None,
        *,
        email: str | None,
        save: bool = True,
        overwrite: bool = False,
        filename: str | None = None,
    ) -> Download:
        outcome = await self._download(task_id, work_id, email=email, save=save, overwrite=overwrite, filename=filename)
        return outcome.result

    async def _download(
        self,
        task_id: int,
        work_id: int | None,
        *,
        email: str | None,
        save: bool = True,
        overwrite: bool = False,
        filename: str | None = None,
    ) -> _Outcome:
        task = await self.watcher.poll(task_id, email)
        state = task_state(task)
        if state == "failed":
            raise TaskFailedError(
                f"Task {task_id} failed ({task.status} {task.status_name}); it has nothing to download.",
                hint="Submit a new generation.",
                details={"task_id": task_id},
            )
        if state != "succeeded":
            raise TaskStateError(
                f"Task {task_id} is not finished yet ({state}, status {task.status} {task.status_name}).",
                hint="Wait until it has succeeded, then download it.",
                details={"task_id": task_id},
            )
        works = {work.work_id: work for work in works_of(task)}
        if not works:
            raise TaskStateError(
                f"Task {task_id} succeeded but lists no video, image or audio file.",
                hint="Ask for the task again later.",
                details={"task_id": task_id},
            )
        others: tuple[int, ...] = ()
        if work_id is None:  # the first work, as useapi's own scripts take works[0]; the others are named
            work_id, *rest = works
            others = tuple(rest)
        elif work_id not in works:
            raise InvalidParameterError("work_id", work_id, f"task {task_id} has no such work", list(works))

        key = (task_id, work_id)
        while key in self._in_flight:  # the same file is being fetched already: wait for it, never fetch twice
            await self._in_flight[key].wait()
        done = self._in_flight[key] = anyio.Event()
        try:
            outcome = await self._save(
                task_id, works[work_id], email, save=save, overwrite=overwrite, filename=filename
            )
            return replace(outcome, result=replace(outcome.result, other_work_ids=others)) if others else outcome
        finally:
            del self._in_flight[key]
            done.set()

    async def _save(
        self,
        task_id: int,
        work: Output,
        email: str | None,
        *,
        save: bool,
        overwrite: bool,
        filename: str | None,
    ) -> _Outcome:
        work_id, kind = work.work_id, work.kind
        job = await self.ledger.get(task_id) or await self.ledger.adopt(task_id, email)
        record = job.downloads.get(str(work_id))
        if save and not overwrite and record is not None and record.clean and record.path:
            # Saved and checked earlier: trusted while it is still the same file (size, its kind's signature).
            path = Path(record.path)
            if await anyio.to_thread.run_sync(_unchanged, path, record.bytes, kind):
                return _Outcome(
                    Download(
                        task_id=task_id,
                        work_id=work_id,
                        url="",
                        clean=True,
                        saved=True,
                        path=record.path,
                        bytes=record.bytes,
                        already_downloaded=True,
                        kind=kind,
                    ),
                    False,
                )
        url, clean, reason, temporary = await self._clean_url(work_id, work.url, email, kind)
        result = Download(task_id=task_id, work_id=work_id, url=url, clean=clean, reason=reason, saved=False, kind=kind)
        if not save:
            return _Outcome(result, temporary)
        suffix = file_suffix(kind, work.url, clean)
        name = filename or f"kling_{task_id}_{work_id}{'' if clean else '_watermarked'}{suffix}"
        dest = transfers.confined_path(self.settings.output_dir, name, parameter="filename" if filename else None)
        size = None if overwrite else await anyio.to_thread.run_sync(_existing_file, dest, kind)
        already = size is not None
        if size is None:
            size = await transfers.download(
                self.client.media,
                url,
                dest,
                max_bytes=self.settings.max_download_bytes,
                trusted=self._trusted,
                deadline=self._deadline,
                limiter=self.threads,
                kind=kind,
            )
            if filename is None:  # a name the caller chose is kept as it is
                dest = await anyio.to_thread.run_sync(transfers.right_suffix, dest, kind)
            logger.info(
                "saved task %s work %s (%s, %d bytes)", task_id, work_id, "clean" if clean else "watermarked", size
            )
        await self.ledger.add_download(
            task_id, work_id, DownloadRecord(path=str(dest), clean=clean, bytes=size, reason=reason)
        )
        return _Outcome(
            replace(result, saved=True, path=str(dest), bytes=size, already_downloaded=already),
            temporary,
        )

    async def source_url(
        self, work_id: int, preview_url: str, email: str | None, *, kind: WorkKind = "video"
    ) -> tuple[str, str | None]:
        """The URL of a finished work to hand back to Kling as a source (omni's video_1, an image to animate): the
        watermark-free master when the account can have it, else the watermarked preview and the reason."""
        url, _clean, reason, _temporary = await self._clean_url(work_id, preview_url, email, kind)
        return url, reason

    async def _clean_url(
        self, work_id: int, preview_url: str, email: str | None, kind: WorkKind = "video"
    ) -> tuple[str, bool, str | None, bool]:
        """The URL to fetch, whether it is the clean master, why not, and whether that refusal was temporary."""
        try:
            asset = await self.client.get_clean_download(work_id, email, clean_file_type(kind, preview_url))
        except (AuthenticationError, SubscriptionError):
            raise
        except APIStatusError as exc:
            # useapi's script falls back to the watermarked preview whenever GET /assets/download fails (useapi
            # guide); its FAQ says the clean master "requires a paid Kling account". Quote what useapi answered.
            status = exc.status_code
            said = f' ("{exc.upstream_message}")' if exc.upstream_message else ""
            temporary = status == 429 or (status >= 500 and not isinstance(exc, AccountBrokenError))
            if temporary:
                reason = (
                    f"useapi answered HTTP {status} to the watermark-free download request{said}, usually a "
                    "temporary condition. This is the WATERMARKED preview; a new download asks for the clean master "
                    "first again, and auto-download retries it later."
                )
            else:
                reason = (
                    f"useapi refused the watermark-free download with HTTP {status}{said}. useapi's guide \"Kling "
                    'v3 via the Kling API" says that download requires a paid Kling account, one possible cause. '
                    "This is the WATERMARKED preview."
                )
            return preview_url, False, reason, temporary
        if not asset.cdnUrl:
            reason = (
                "useapi's answer to the watermark-free download request had no cdnUrl. This is the WATERMARKED preview."
            )
            return preview_url, False, reason, False
        return asset.cdnUrl, True, None, False


def _unchanged(path: Path, size: int | None, kind: WorkKind = "video") -> bool:
    """The recorded file is still there, the same size, and still starts like a file of its kind."""
    try:
        return path.stat().st_size == size and transfers.file_problem(path, kind, complete=False) is None
    except OSError:
        return False


def _existing_file(dest: Path, kind: WorkKind = "video") -> int | None:
    """The size of a complete file of ``kind`` (an MP4, an image, an audio file) already standing at ``dest``; None
    when nothing is there. Something else under that name is left alone and named in the error (the caller may pass
    overwrite=true)."""
    try:
        dest.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DownloadError(
            f"Cannot check {dest}: {exc.strerror or exc}.",
            hint="Set KLING_MCP_OUTPUT_DIR to a writable folder.",
        ) from None
    problem = transfers.file_problem(dest, kind, complete=True)
    if problem is not None:
        raise DownloadError(
            f"A file already stands at {dest} and it is not a complete {transfers.KIND_TEXT[kind]} ({problem}); "
            "it was left untouched.",
            hint="Move it away, or let the download replace it.",
            details={"existing_path": str(dest)},
        )
    return dest.stat().st_size


def _temporary(exc: Exception) -> bool:
    """Worth trying again later: useapi busy or failing (429, 5xx but 596), unreachable, or a file host that
    dropped, stalled or answered 429/5xx."""
    if isinstance(exc, CapacityError | UpstreamServerError | APIConnectionError):
        return True
    return isinstance(exc, KlingError) and bool(exc.details.get("transient"))


def _describe(exc: Exception) -> str:
    if isinstance(exc, KlingError):
        return f"{exc.code}: {exc.message}"
    # Not one of ours (a bug): its text could hold anything, so only its type is recorded; the log has the rest.
    return f"internal_error: an unexpected {type(exc).__name__}; see the server log."
