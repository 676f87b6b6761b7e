"""Getting a finished task's video onto the user's disk: the clean master when the account can have it, the
watermarked preview (said plainly) when it cannot; once per file, in the background too."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

import anyio
from anyio.abc import TaskGroup

from kling_mcp.api.client import KlingClient
from kling_mcp.api.errors import (
    APIStatusError,
    AuthenticationError,
    InvalidParameterError,
    KlingError,
    SubscriptionError,
    TaskFailedError,
    TaskStateError,
)
from kling_mcp.config import Settings
from kling_mcp.jobs import files
from kling_mcp.jobs.ledger import DownloadRecord, Job, Ledger
from kling_mcp.jobs.waiting import TaskWatcher
from kling_mcp.results import DownloadResult, task_state

logger = logging.getLogger(__name__)


class Downloader:
    def __init__(
        self,
        settings: Settings,
        client: KlingClient,
        ledger: Ledger,
        watcher: TaskWatcher,
        background: TaskGroup | None = None,
    ) -> None:
        self.settings, self.client, self.ledger, self.watcher = settings, client, ledger, watcher
        self._background = background
        self._in_flight: dict[tuple[int, int], anyio.Event] = {}
        host = urlsplit(settings.base_url).hostname
        # The configured upstream's own host is trusted even when internal (the simulator, a self-hosted proxy).
        self._trusted_hosts = frozenset({host.lower()} if host else set())

    def on_succeeded(self, task_id: int, job: Job, work_ids: list[int], email: str | None) -> None:
        """Start downloading a finished task's videos in the background (KLING_MCP_AUTO_DOWNLOAD)."""
        if self._background is None or not self.settings.auto_download:
            return
        for work_id in work_ids:
            if str(work_id) in job.downloads or (task_id, work_id) in self._in_flight:
                continue

            async def run(work_id: int = work_id) -> None:
                try:
                    await self.download_clean(task_id, work_id, email=email)
                except KlingError as exc:
                    logger.warning("background download of task %s failed: %s", task_id, exc.code)

            self._background.start_soon(run)

    async def download_clean(
        self,
        task_id: int,
        work_id: int | None,
        *,
        email: str | None,
        save: bool = True,
        overwrite: bool = False,
        filename: str | None = None,
    ) -> DownloadResult:
        task = await self.watcher.poll(task_id, email)
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
        previews = {w.workId: w.resource.resource for w in task.works if w.resource is not None}
        if not previews:
            raise TaskStateError(f"Task {task_id} succeeded but lists no video.", hint="Call get_task again later.")
        if work_id is None:
            work_id = next(iter(previews))
        elif work_id not in previews:
            raise InvalidParameterError("work_id", work_id, f"task {task_id} has no such work", list(previews))

        key = (task_id, work_id)
        while key in self._in_flight:  # the same file is being fetched already: wait for it, never fetch twice
            await self._in_flight[key].wait()
        done = self._in_flight[key] = anyio.Event()
        try:
            return await self._save(
                task_id, work_id, previews[work_id], email, save=save, overwrite=overwrite, filename=filename
            )
        finally:
            del self._in_flight[key]
            done.set()

    async def _save(
        self,
        task_id: int,
        work_id: int,
        preview_url: str,
        email: str | None,
        *,
        save: bool,
        overwrite: bool,
        filename: str | None,
    ) -> DownloadResult:
        job = await self.ledger.get(task_id) or await self.ledger.adopt(task_id, email)
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
        url, clean, reason = await self._clean_url(work_id, preview_url, email)
        result = DownloadResult(
            task_id=task_id, work_id=work_id, url=url, clean=clean, watermarked=not clean, reason=reason, saved=False
        )
        if not save:
            return result
        name = filename or f"kling_{task_id}_{work_id}{'' if clean else '_watermarked'}.mp4"
        dest = files.confined_path(self.settings.output_dir, name)
        already = dest.exists() and not overwrite
        if already:
            size = dest.stat().st_size
        else:
            size = await files.download(
                self.client.media,
                url,
                dest,
                max_bytes=self.settings.max_download_bytes,
                trusted_hosts=self._trusted_hosts,
            )
            logger.info(
                "saved task %s work %s (%s, %d bytes)", task_id, work_id, "clean" if clean else "watermarked", size
            )
        await self.ledger.add_download(task_id, work_id, DownloadRecord(path=str(dest), clean=clean, bytes=size))
        return result.model_copy(
            update={"saved": True, "path": str(dest), "bytes": size, "already_downloaded": already}
        )

    async def _clean_url(self, work_id: int, preview_url: str, email: str | None) -> tuple[str, bool, str | None]:
        try:
            asset = await self.client.get_clean_download(work_id, email)
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
