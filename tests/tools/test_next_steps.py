"""The next step of an error, in each front end's own words: the MCP layer names its tools and resources
(tools/errors.py), the batch command speaks to a person at the command line; api/ and jobs/ name neither."""

from __future__ import annotations

from typing import Any

import pytest
import respx
from mcp import Client

from kling_mcp.api.errors import DownloadError, KlingError, NotFoundError, SubmitOutcomeUnknownError, TaskStateError
from kling_mcp.batch import NEXT_STEPS as BATCH_STEPS
from kling_mcp.tools.errors import NEXT_STEPS, kling_error
from tests.factories import accounts, task
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio

TOOL_WORDS = ("get_task", "get_balance", "list_jobs", "download_clean", "kling://", "overwrite=true")


@pytest.mark.parametrize(
    ("error", "step"),
    [
        (TaskStateError("Task 42 is not finished yet.", details={"task_id": 42}), "get_task with task_id=42"),
        (DownloadError("A file already stands there.", details={"existing_path": "/x"}), "overwrite=true"),
        (DownloadError("The file host answered HTTP 502."), "call download_clean again"),
        (NotFoundError("Kling has no such task.", status_code=404), "get_balance"),
        (SubmitOutcomeUnknownError("No answer came back."), "list_jobs(state='unknown')"),
    ],
)
def test_the_mcp_layer_adds_its_next_step_after_the_errors_own_hint(error: KlingError, step: str) -> None:
    error.hint = "What the account should do."
    info = kling_error(error)
    assert info.hint.startswith("What the account should do. ") and step in info.hint
    assert info.code == error.code and info.message == error.message


def test_an_error_without_a_step_keeps_its_own_hint() -> None:
    error = KlingError("Something failed.", hint="Do this.")
    assert kling_error(error).hint == "Do this."
    assert error.code not in NEXT_STEPS


def test_the_batchs_next_steps_name_no_mcp_tool() -> None:
    for code, step in BATCH_STEPS.items():
        assert not any(word in step for word in TOOL_WORDS), code


async def test_an_unfinished_task_says_how_to_wait_for_it(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(json=task(42, 10))
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "task_not_finished" and "get_task with task_id=42 and wait_seconds=50" in err["hint"]


async def test_a_file_in_the_way_says_how_to_replace_it(client: Client, api: respx.MockRouter, settings: Any) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(json=task(42, 99, works=1))
    api.get("/assets/download").respond(json={"cdnUrl": "https://cdn.test/clean/420.mp4", "status": "success"})
    settings.output_dir.mkdir(parents=True)
    (settings.output_dir / "kling_42_420.mp4").write_bytes(b"not a video")
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed" and "download_clean with overwrite=true" in err["hint"]
    assert err["details"]["existing_path"].endswith("kling_42_420.mp4")
