"""The arguments of the "account" toolset (delete_task, get_capacity, stop_tracking) and of the two upload tools of
core (list_uploads, delete_uploads). list_jobs' own arguments (its ``source`` and the account's filters) are in
``arguments/tasks.py``.

Values and bounds are useapi's (Postman collection 2026-07-20; reference §4, §6.4, §7.3), each cited where used.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from kling_mcp.api.account import MAX_DELETE_UPLOADS
from kling_mcp.arguments.fields import MAX_ID, Email, optional
from kling_mcp.arguments.video import Arguments

ContentType = Literal["video", "image", "audio"]  # Postman: GET /tasks and GET /assets/uploaded/ contentType
# GET /assets/uploaded/ pages: pageNum from 1 (default 1), pageSize default 20 (Postman). No maximum is documented;
# 100 is kling-mcp's own bound [INF], as GET /elements documents for its pages.
MAX_UPLOADS_PAGE = 100

TaskNumber = Annotated[int, Field(ge=1, le=MAX_ID, description="The task_id, 1 to 2^63-1 (list_jobs shows them).")]


class DeleteTask(Arguments):
    task_id: TaskNumber
    email: Email


class GetCapacity(Arguments):
    """get_capacity takes nothing: GET /scheduler/available answers for every account (reference §4.2)."""


class StopTracking(Arguments):
    task_id: TaskNumber


class ListUploads(Arguments):
    content_type: Annotated[ContentType | None, optional("Only video, image or audio files.")]
    page: Annotated[int | None, optional("Page, from 1.", ge=1)]
    page_size: Annotated[
        int | None, optional(f"Per page, 1-{MAX_UPLOADS_PAGE} (default 20).", ge=1, le=MAX_UPLOADS_PAGE)
    ]
    email: Email


class DeleteUploads(Arguments):
    ids: Annotated[
        list[str],
        Field(
            min_length=1,
            max_length=MAX_DELETE_UPLOADS,
            description=f"1-{MAX_DELETE_UPLOADS} upload ids from list_uploads.",
        ),
    ]
    email: Email


__all__ = [
    "MAX_UPLOADS_PAGE",
    "ContentType",
    "DeleteTask",
    "DeleteUploads",
    "GetCapacity",
    "ListUploads",
    "StopTracking",
]
