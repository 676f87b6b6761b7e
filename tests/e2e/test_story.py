"""The multi-step story of issue 12, over MCP against the simulator on loopback: create an element, use it in a
two-shot omni video, extend the result past the first clip, and download the extension. Each step is what an agent
does with the previous step's answer, and the upstream sees each create exactly once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from kling_mcp.server import create_server
from kling_mcp.simulator import SimulatorConfig, run_in_thread
from kling_mcp.simulator.mp4 import read_tracks
from tests.tools.test_long_jobs import png

pytestmark = pytest.mark.anyio

EMAIL = "story@example.com"


def _posts(requests: list[tuple[str, str, str]], suffix: str) -> int:
    return sum(1 for method, path, _ in requests if method == "POST" and path.rstrip("/").endswith(suffix))


def _seconds(path: Path) -> float:
    tracks = read_tracks(path.read_bytes())
    video = next(t for t in tracks if t.handler == b"vide")
    return sum(video.deltas) / video.timescale


async def _final(client: Client, task_id: int) -> dict[str, Any]:
    with anyio.fail_after(60):
        while True:
            result = await client.call_tool("get_task", {"task_id": task_id, "wait_seconds": 5})
            assert not result.is_error, result.content
            out = result.structured_content
            assert out is not None
            if out["final"]:
                return out


async def test_element_then_two_shot_omni_then_extend_then_download(make_settings: Any, tmp_path: Path) -> None:
    cover = tmp_path / "mara.png"
    cover.write_bytes(png(640, 640))
    config = SimulatorConfig(accounts=[EMAIL], speed=2000, credits=100_000)
    with run_in_thread(config) as sim:
        settings = make_settings(base_url=sim.base_url, email=EMAIL)
        async with Client(create_server(settings)) as client:
            made = await client.call_tool("create_element", {"name": "Mara", "cover_image": str(cover)})
            assert not made.is_error, made.content
            element_id = made.structured_content["elements"][0]["element_id"]

            shots = [
                {"prompt": "@element_1 walks into a sunlit kitchen", "duration": 3},
                {"prompt": "@element_1 turns and waves at the camera", "duration": 4},
            ]
            omni = await client.call_tool(
                "omni_video", {"shots": shots, "elements": [element_id], "idempotency_key": "story-omni"}
            )
            assert not omni.is_error, omni.content
            first = await _final(client, omni.structured_content["task_id"])
            assert first["state"] == "succeeded"
            assert first["videos"][0]["duration_s"] == pytest.approx(7, abs=0.1)  # the sum of the shots

            extended = await client.call_tool(
                "extend_video", {"task_id": first["task_id"], "prompt": "she sits down and smiles"}
            )
            assert not extended.is_error, extended.content
            second = await _final(client, extended.structured_content["task_id"])
            assert second["state"] == "succeeded" and second["task_id"] != first["task_id"]

            saved = await client.call_tool("download_clean", {"task_id": second["task_id"]})
            assert not saved.is_error, saved.content
            out = saved.structured_content
            assert out["clean"] is True and out["saved"] is True
            longer = _seconds(Path(out["path"]))
            assert longer > 7.5  # an extended clip is longer than its source

        requests = list(sim.state.requests)
        bodies = [t.body for t in sim.state.tasks.values() if "shot_1_prompt" in t.body]
    assert _posts(requests, "/elements") == 1
    assert _posts(requests, "/videos/omni") == 1
    assert _posts(requests, "/videos/extend") == 1
    sent = json.loads(json.dumps(bodies))
    assert len(sent) == 1 and sent[0]["element_1"] == element_id
    assert sent[0]["shot_1_duration"] == 3 and sent[0]["shot_2_duration"] == 4
