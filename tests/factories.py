"""Upstream responses for respx tests, built from the same wire models the client parses."""

from __future__ import annotations

from typing import Any

from kling_mcp.api.models import Resource, TaskInner, TaskResponse, Work

NAMES = {5: "submitted", 10: "processing", 99: "succeed"}


def task(
    task_id: int = 42,
    status: int = 5,
    *,
    works: int = 0,
    name: str | None = None,
    error: str | None = None,
    media_base: str = "https://cdn.test",
) -> dict[str, Any]:
    status_name = name or NAMES.get(status, "failed")
    final = status == 99 or status in (6, 7, 9, 50, 53, 54, 58)
    response = TaskResponse(
        status=status,
        status_name=status_name,
        status_final=final,
        message="",
        error=error,
        task=TaskInner(id=task_id, type="m2v_txt2video_hq", status=status, status_name=status_name, status_final=final),
        works=[
            Work(
                workId=task_id * 10 + i,
                status=status,
                status_name=status_name,
                contentType="video",
                resource=Resource(
                    resource=f"{media_base}/{task_id}/{i}/preview.mp4", width=1280, height=720, duration=5041
                ),
            )
            for i in range(works)
        ],
    )
    return response.model_dump(mode="json", exclude_none=True)


def accounts(*emails: str) -> dict[str, Any]:
    return {email: {"email": email, "maxJobs": 3} for email in emails}


def account_detail(email: str = "a@x.com", total: float = 56000) -> dict[str, Any]:
    return {
        "email": email,
        "maxJobs": 3,
        "balance": {
            "total": total,
            "points": [
                {
                    "orderId": "o1",
                    "type": "plan",
                    "amount": 66000,
                    "balance": total,
                    "startTime": 1_750_000_000_000,
                    "endTime": 1_790_000_000_000,
                }
            ],
            "tickets": [],
        },
    }


MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 1000
