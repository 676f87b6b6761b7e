"""A previous task's output as an input (``kling://works/<task_id>/<work_id>``): resolved to the work's watermark-free
URL, checked for its form before anything is sent, and refused when the task has no work of the kind asked for."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest
from mcp import Client

from kling_mcp import catalog
from kling_mcp.server import create_server
from kling_mcp.simulator import SimulatorConfig, run_in_thread
from kling_mcp.simulator.runner import RunningSimulator
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio

EMAIL = "works@example.com"


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with run_in_thread(SimulatorConfig(accounts=[EMAIL], speed=2000, credits=100_000)) as running:
        yield running


@pytest.fixture
async def on_sim(make_settings: Any, sim: RunningSimulator) -> AsyncIterator[Client]:
    async with Client(create_server(make_settings(base_url=sim.base_url, email=EMAIL))) as c:
        yield c


async def _finished_video(client: Client) -> dict[str, Any]:
    made = await client.call_tool("generate_video", {"prompt": "a red car", "model_name": "kling-v3-0"})
    assert not made.is_error, made.content
    with anyio.fail_after(60):  # only stops a hang
        while True:
            out = (
                await client.call_tool("get_task", {"task_id": made.structured_content["task_id"]})
            ).structured_content
            if out["final"]:
                assert out["state"] == "succeeded"
                return out


async def test_a_task_video_is_sent_as_its_clean_master(on_sim: Client, sim: RunningSimulator) -> None:
    first = await _finished_video(on_sim)
    work = first["videos"][0]
    reference = f"kling://works/{first['task_id']}/{work['work_id']}"
    edit = await on_sim.call_tool("omni_video", {"prompt": "make @video_1 snowy", "video": reference})
    assert not edit.is_error, edit.content
    body = json.loads(json.dumps(sim.state.tasks[edit.structured_content["task_id"]].body))
    assert body["video_1"].startswith("http") and body["video_1"] != work["url"]  # not the watermarked preview
    assert "kling://" not in json.dumps(body)


async def test_the_first_work_is_taken_when_no_work_id_is_given(on_sim: Client, sim: RunningSimulator) -> None:
    first = await _finished_video(on_sim)
    edit = await on_sim.call_tool(
        "omni_video", {"prompt": "make @video_1 snowy", "video": f"kling://works/{first['task_id']}"}
    )
    assert not edit.is_error, edit.content


@pytest.mark.parametrize(
    "reference", ["kling://works/", "kling://works/abc", "kling://works/1/2/3", "kling://works/0", "KLING://works/-4"]
)
async def test_a_malformed_reference_is_refused_before_anything_is_sent(
    on_sim: Client, sim: RunningSimulator, reference: str
) -> None:
    before = len(sim.state.requests)
    err = error_of(await on_sim.call_tool("animate_image", {"image": reference}))
    assert err["code"] == "invalid_parameter" and "kling://works/<task_id>/<work_id>" in err["message"]
    assert len(sim.state.requests) == before


async def test_a_video_task_is_no_image(on_sim: Client, sim: RunningSimulator) -> None:
    first = await _finished_video(on_sim)
    creates = sum(1 for method, path, _ in sim.state.requests if method == "POST")
    err = error_of(
        await on_sim.call_tool(
            "animate_image", {"image": f"kling://works/{first['task_id']}", "model_name": "kling-v2-1"}
        )
    )
    assert err["code"] == "invalid_parameter" and "has no image" in err["message"]
    assert sum(1 for method, path, _ in sim.state.requests if method == "POST") == creates


async def test_an_edit_of_a_task_video_is_priced_by_the_source_length(on_sim: Client) -> None:
    """A transform lasts as long as its source: the service reads the source work's length from the task, so the
    estimate (and the budget check) is the clip's, not the longest one allowed."""
    first = await _finished_video(on_sim)
    seconds = first["videos"][0]["duration_s"]
    edit = await on_sim.call_tool(
        "omni_video",
        {"prompt": "make @video_1 snowy", "video_task_id": first["task_id"], "video_mode": "transform"},
    )
    assert not edit.is_error, edit.content
    known = catalog.validate_omni(prompt="x", video="https://v", video_mode="transform", video_seconds=seconds)[1]
    unknown = catalog.validate_omni(prompt="x", video="https://v", video_mode="transform")[1]
    assert known.credits != unknown.credits
    assert edit.structured_content["estimated_credits"] == known.credits
