"""The arguments of the tools that follow a task: get_task, download_clean, list_jobs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from kling_mcp.arguments.account_tools import ContentType
from kling_mcp.arguments.fields import MAX_ID, Email, TaskId, WaitSeconds, optional
from kling_mcp.arguments.video import Arguments
from kling_mcp.jobs.ledger import JOB_STATES

# list_jobs' rows: the job ledger, the account's task history (GET /tasks, reference §6.3), or both merged.
JobSource = Literal["ledger", "account", "all"]


class GetTask(Arguments):
    task_id: TaskId
    email: Email
    wait_seconds: WaitSeconds


class DownloadClean(Arguments):
    task_id: TaskId
    work_id: Annotated[
        int | None,
        optional("Which video of the task (1 to 2^63-1); omit it for the first.", ge=1, le=MAX_ID),
    ]
    save: Annotated[
        bool,
        Field(
            default=True,
            description="Save the MP4 into the output folder (the default); false only returns the link.",
        ),
    ]
    email: Email
    overwrite: Annotated[
        bool, Field(default=False, description="Replace an existing file of the same name (default false).")
    ]


class ListJobs(Arguments):
    state: Annotated[
        str | None,
        optional(f"Only jobs in this state: {', '.join(JOB_STATES)}.", schema={"enum": list(JOB_STATES)}),
    ]
    since: Annotated[
        str | None,
        optional("Only jobs created at or after this ISO 8601 date or time, such as 2026-11-25T14:30:00Z."),
    ]
    limit: Annotated[
        int, Field(default=20, ge=1, le=500, description="At most this many (1–500, default 20), newest first.")
    ]
    source: Annotated[
        JobSource,
        Field(
            default="ledger",
            description="ledger (this server's jobs), account (the account's task history, made anywhere) or all.",
        ),
    ]
    content_type: Annotated[ContentType | None, optional("Only account tasks of this type: video, image or audio.")]
    created_before: Annotated[str | None, optional("Only jobs created before this ISO time.")]
