"""The image family's side of the service (``ImageJobs``, a mixin of KlingService): face recognition, which is
answered at once and creates no task, and the check that an upscale names a succeeded task's image before anything
is sent. The image generations themselves go through ``KlingService.create`` like every task (``creations.py``).

It knows nothing of MCP; every failure is a KlingError with a code.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from kling_mcp import catalog
from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.api.images import FaceRecognition
from kling_mcp.arguments.fields import MediaInput
from kling_mcp.arguments.images import RecognizeFaces, UpscaleImage
from kling_mcp.jobs.tasks import task_state

if TYPE_CHECKING:
    from kling_mcp.api.client import KlingClient
    from kling_mcp.jobs.waiting import TaskWatcher

# Work content types that are not images (reference §6.1: contentType "video" | "image" | "audio"). A work that says
# none is taken for what the task made: useapi's older answers omit it.
NOT_IMAGES = frozenset({"video", "audio"})


class ImageJobs:
    """Service methods of the image family. Mixed into KlingService, whose account, file and upload logic they use."""

    if TYPE_CHECKING:
        client: KlingClient
        watcher: TaskWatcher

        async def resolve_email(self, email: str | None, *, task_id: int | None = None) -> str: ...

        def _known_account(self, email: str) -> AbstractAsyncContextManager[None]: ...

        async def _check_media(self, media: list[MediaInput], roots: list[Path] | None) -> dict[str, float | None]: ...

        async def _upload(
            self, item: MediaInput, account: str, roots: list[Path] | None, warnings: list[str] | None = None
        ) -> str: ...

    async def recognize_faces(self, args: RecognizeFaces, *, roots: list[Path] | None = None) -> FaceRecognition:
        """POST /images/recognize-faces: the faces of one image (a URL, a local file uploaded first, or a previous
        task's image). Checked before anything is uploaded; free, so nothing is recorded in the ledger."""
        catalog.validate_recognize_faces(**args.catalog_fields())
        media = args.media()
        await self._check_media(media, roots)
        account = await self.resolve_email(args.email)
        resolved = {item.label: await self._upload(item, account, roots) for item in media}
        request = catalog.validate_recognize_faces(**args.catalog_fields_with(resolved), email=account)
        async with self._known_account(account):
            return await self.client.recognize_faces(request)

    async def check_upscale_source(self, args: UpscaleImage) -> None:
        """Before an upscale (task_id + work_id) is sent: the task must have succeeded and made that image (Postman,
        POST /images/upscale: task_id "Must be in the succeed status"; workId "the ID of the specific image from the
        task"). An enhance (``image``) needs no such read. The catalog's own rules are checked first, so a call it
        refuses reads nothing."""
        catalog.validate_upscale(**args.catalog_fields())
        if args.task_id is None or args.work_id is None:
            return
        account = await self.resolve_email(args.email, task_id=args.task_id)
        task = await self.watcher.poll(args.task_id, account)
        state = task_state(task)
        allowed = "the task_id and work_id of an image of a succeeded image task (get_task lists them)"
        if state != "succeeded":
            raise InvalidParameterError(
                "task_id",
                args.task_id,
                f"task {args.task_id} is {state}; only a succeeded task's image is upscaled",
                allowed,
            )
        images = [
            work.workId
            for work in task.works
            if work.workId is not None and (work.contentType or "image") not in NOT_IMAGES
        ]
        if not images:
            raise InvalidParameterError("task_id", args.task_id, f"task {args.task_id} made no image", allowed)
        if args.work_id not in images:
            raise InvalidParameterError(
                "work_id", args.work_id, f"task {args.task_id} has no image with this work_id", images
            )
