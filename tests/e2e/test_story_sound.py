"""The multi-step story of issue 13, over MCP against the simulator on loopback: generate an image, animate it, lip-sync
a line of text onto the result, add sound, download the finished clip, find it in the account's history, delete it.
Each step passes the previous step's output on as ``kling://works/<task_id>/<work_id>``; nothing is copied by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import ElicitResult

from kling_mcp.server import create_server
from kling_mcp.simulator import SimulatorConfig, run_in_thread
from kling_mcp.simulator.mp4 import read_tracks

pytestmark = pytest.mark.anyio

EMAIL = "sound-story@example.com"


async def _call(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, (tool, result.content)
    out: dict[str, Any] = result.structured_content
    return out


async def _final(client: Client, task_id: int) -> dict[str, Any]:
    with anyio.fail_after(60):  # only stops a hang
        while True:
            out = await _call(client, "get_task", {"task_id": task_id, "wait_seconds": 5})
            if out["final"]:
                assert out["state"] == "succeeded", out
                return out


async def test_image_to_talking_clip_with_sound_then_history_and_delete(make_settings: Any) -> None:
    async def confirm(context: Any, params: Any) -> ElicitResult:
        return ElicitResult(action="accept", content={"confirm": True})

    config = SimulatorConfig(accounts=[EMAIL], speed=2000, credits=100_000)
    with run_in_thread(config) as sim:
        settings = make_settings(base_url=sim.base_url, email=EMAIL, auto_download=False)
        async with Client(create_server(settings), elicitation_callback=confirm) as client:
            made = await _call(client, "generate_image", {"prompt": "a lighthouse keeper, portrait", "image_count": 1})
            picture = await _final(client, made["task_id"])
            image_work = picture["images"][0]["work_id"]

            animated = await _call(
                client,
                "animate_image",
                {"image": f"kling://works/{picture['task_id']}/{image_work}", "prompt": "he looks up and smiles"},
            )
            clip = await _final(client, animated["task_id"])

            voices = await _call(client, "list_voices", {})
            voice = voices["voices"][0]["voice_id"]
            talking = await _call(
                client,
                "lip_sync",
                {
                    "video": f"kling://works/{clip['task_id']}",
                    "text": "The light is on. Ships are safe tonight.",
                    "voice_id": voice,
                },
            )
            spoken = await _final(client, talking["task_id"])

            sounded = await _call(client, "add_sound", {"video": f"kling://works/{spoken['task_id']}"})
            finished = await _final(client, sounded["task_id"])

            saved = await _call(client, "download_clean", {"task_id": finished["task_id"]})
            assert saved["clean"] is True and saved["saved"] is True
            tracks = read_tracks(Path(saved["path"]).read_bytes())
            assert {track.handler for track in tracks} == {b"vide", b"soun"}  # the finished clip has sound

            history = await _call(client, "list_jobs", {"source": "account", "content_type": "video"})
            listed = {job["task_id"]: job for job in history["jobs"]}
            assert finished["task_id"] in listed

            deleted = await _call(client, "delete_task", {"task_id": finished["task_id"]})
            assert deleted["deleted"] is True
            after = await _call(client, "list_jobs", {"source": "account", "content_type": "video"})
            assert finished["task_id"] not in {job["task_id"] for job in after["jobs"]}
            assert Path(saved["path"]).exists()  # the file saved before stays

        posts = [path for method, path, _ in sim.state.requests if method == "POST"]
    for endpoint, times in (("/images/omni", 1), ("/videos/image2video-frames", 1), ("/tts/create", 1),
                            ("/videos/lipsync", 1), ("/videos/add-sound", 1)):  # fmt: skip
        assert sum(1 for path in posts if path.endswith(endpoint)) == times, endpoint
