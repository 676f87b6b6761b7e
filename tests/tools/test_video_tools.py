"""The "video" toolset over MCP: each tool succeeds end to end on the simulator (the upstream sees the body the tool
promises), and each refusal reaches the agent as a coded error naming the parameter and what is allowed, with
nothing sent upstream (respx-mocked upstream: any request would be recorded)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import respx
from mcp import Client
from mcp.types import ElicitResult

from kling_mcp.server import create_server
from kling_mcp.simulator import SimulatorConfig, run_in_thread
from kling_mcp.simulator import media as sim_media
from kling_mcp.simulator.runner import RunningSimulator
from tests.factories import accounts, task
from tests.mcp_results import error_of
from tests.tools.simulated import final as _final
from tests.tools.simulated import submitted as _submitted
from tests.tools.simulated import task_body as _task_body
from tests.tools.test_long_jobs import png

pytestmark = pytest.mark.anyio

EMAIL = "video@example.com"
VIDEO_TOOLS = {
    "omni_video",
    "multi_image_video",
    "extend_video",
    "motion_control",
    "list_motions",
    "apply_effect",
    "list_effects",
}
SPENDING = VIDEO_TOOLS - {"list_motions", "list_effects"}


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    config = SimulatorConfig(accounts=[EMAIL], speed=2000, max_jobs=50, credits=100_000)
    with run_in_thread(config) as running:
        yield running


@pytest.fixture
async def on_sim(make_settings: Any, sim: RunningSimulator) -> AsyncIterator[Client]:
    async with Client(create_server(make_settings(base_url=sim.base_url, email=EMAIL))) as c:
        yield c


@pytest.fixture
def picture(tmp_path: Path) -> Path:
    path = tmp_path / "person.png"
    path.write_bytes(png(640, 640))
    return path


# --- listing -------------------------------------------------------------------------------------------------------


async def test_the_video_tools_are_listed_with_their_annotations(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) >= VIDEO_TOOLS
    for name in VIDEO_TOOLS:
        tool = tools[name]
        assert tool.title and tool.description and tool.output_schema, name
        spends = name in SPENDING
        assert tool.annotations.read_only_hint is not spends, name
        assert tool.annotations.destructive_hint is False, name
        if spends:
            assert "credits" in tool.description and "task_id" in tool.description, name
    props = tools["omni_video"].input_schema["properties"]
    assert props["omni_version"]["enum"] == ["v3", "o1"] and props["video_mode"]["enum"] == ["reference", "transform"]
    assert "confirmation" not in props and "roots" not in props
    assert tools["motion_control"].input_schema["required"] == ["image", "motion"]
    assert tools["multi_image_video"].input_schema["required"] == ["images", "prompt"]


# --- each tool end to end on the simulator -------------------------------------------------------------------------


async def test_omni_video_with_a_reference_image_and_two_shots(
    on_sim: Client, sim: RunningSimulator, picture: Path
) -> None:
    shots = [{"prompt": "@image_1 opens a door", "duration": 3}, {"prompt": "@image_1 steps outside", "duration": 4}]
    out = await _submitted(on_sim, "omni_video", {"shots": shots, "images": [str(picture)]})
    body = _task_body(sim, out["task_id"])
    assert body["image_1"].startswith("http") and str(picture) not in json.dumps(body)  # uploaded first
    assert (body["shot_1_duration"], body["shot_2_duration"]) == (3, 4) and "prompt" not in body
    final = await _final(on_sim, out["task_id"])
    assert final["state"] == "succeeded"
    assert final["videos"][0]["duration_s"] == pytest.approx(7, abs=0.2)  # the sum of the shots


async def test_omni_video_edits_an_earlier_tasks_video(on_sim: Client, sim: RunningSimulator) -> None:
    first = await _submitted(on_sim, "generate_video", {"prompt": "a red car", "model_name": "kling-v3-0"})
    assert (await _final(on_sim, first["task_id"]))["state"] == "succeeded"
    edit = await _submitted(
        on_sim,
        "omni_video",
        {"prompt": "make @video_1 snowy", "video_task_id": first["task_id"], "video_mode": "transform"},
    )
    body = _task_body(sim, edit["task_id"])
    assert body["video_1"].startswith("http") and body["video_mode"] == "transform"
    assert (await _final(on_sim, edit["task_id"]))["state"] == "succeeded"


async def test_multi_image_video_uploads_each_image(on_sim: Client, sim: RunningSimulator, tmp_path: Path) -> None:
    paths = []
    for n in range(2):
        path = tmp_path / f"subject{n}.png"
        path.write_bytes(png(640, 640))
        paths.append(str(path))
    out = await _submitted(on_sim, "multi_image_video", {"images": paths, "prompt": "the two meet in a park"})
    body = _task_body(sim, out["task_id"])
    assert body["image_0"].startswith("http") and body["image_1"].startswith("http")
    assert body["prompt"] == "the two meet in a park" and body["model_name"] == "kling-v1-6"
    assert (await _final(on_sim, out["task_id"]))["state"] == "succeeded"


async def test_extend_video_makes_a_new_longer_task(on_sim: Client, sim: RunningSimulator) -> None:
    first = await _submitted(on_sim, "generate_video", {"prompt": "a kite", "model_name": "kling-v1-6"})
    source = await _final(on_sim, first["task_id"])
    out = await _submitted(on_sim, "extend_video", {"task_id": first["task_id"], "prompt": "it flies higher"})
    assert out["task_id"] != first["task_id"]
    assert _task_body(sim, out["task_id"])["task_id"] == first["task_id"]
    extended = await _final(on_sim, out["task_id"])
    assert extended["state"] == "succeeded"
    assert extended["videos"][0]["duration_s"] > source["videos"][0]["duration_s"]


async def test_motion_control_with_a_local_motion_video(
    on_sim: Client, sim: RunningSimulator, picture: Path, tmp_path: Path
) -> None:
    motion = tmp_path / "dance.mp4"
    motion.write_bytes(sim_media.video("clean", "16:9", 4))
    out = await _submitted(on_sim, "motion_control", {"image": str(picture), "motion": str(motion)})
    body = _task_body(sim, out["task_id"])
    assert body["imageUrl"].startswith("http") and body["motionUrl"].startswith("http")
    assert body["model_name"] == "kling-v3-0"
    assert (await _final(on_sim, out["task_id"]))["state"] == "succeeded"


async def test_list_motions_then_motion_control_with_a_template(
    on_sim: Client, sim: RunningSimulator, picture: Path
) -> None:
    listed = await on_sim.call_tool("list_motions", {})
    assert not listed.is_error, listed.content
    out = listed.structured_content
    assert out["mine"] is False and out["motions"], out
    assert "motion_control" in out["next_step"] and "motion_control" in listed.content[0].text
    url = out["motions"][0]["url"]  # GET /videos/motions: "url to use as motionUrl"
    assert url in listed.content[0].text
    made = await _submitted(on_sim, "motion_control", {"image": str(picture), "motion": url})
    assert _task_body(sim, made["task_id"])["motionUrl"] == url


async def test_list_effects_then_apply_effect(on_sim: Client, sim: RunningSimulator, picture: Path) -> None:
    listed = await on_sim.call_tool("list_effects", {})
    assert not listed.is_error, listed.content
    names = listed.structured_content["effects"]
    assert names and all(name in listed.content[0].text for name in names)
    out = await _submitted(on_sim, "apply_effect", {"effect": names[0], "image": str(picture)})
    body = _task_body(sim, out["task_id"])
    assert body["effect"] == names[0] and body["image"].startswith("http")
    assert (await _final(on_sim, out["task_id"]))["state"] == "succeeded"


async def test_a_spending_video_tool_asks_first_when_confirm_is_always(
    make_settings: Any, sim: RunningSimulator
) -> None:
    asked: list[str] = []

    async def decline(context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="decline")

    before = len(sim.state.tasks)
    settings = make_settings(base_url=sim.base_url, email=EMAIL, confirm="always")
    async with Client(create_server(settings), elicitation_callback=decline) as c:
        err = error_of(await c.call_tool("omni_video", {"prompt": "a lighthouse at dusk", "duration": 6}))
    assert err["code"] == "declined" and "Nothing was submitted" in err["message"]
    assert len(asked) == 1 and "credits" in asked[0] and "6 s" in asked[0]
    assert len(sim.state.tasks) == before


# --- refusals: named, with what is allowed, nothing sent -----------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "arguments", "parameter", "allowed"),
    [
        ("omni_video", {"prompt": "a fox", "omni_version": "v9"}, "omni_version", "o1"),
        ("omni_video", {"prompt": "@image_3 runs", "images": ["https://cdn.test/a.png"]}, "prompt", "@image_1"),
        ("omni_video", {"prompt": "a fox", "shots": [{"prompt": "a", "duration": 3}] * 2}, "prompt", "omit prompt"),
        ("multi_image_video", {"images": ["https://cdn.test/a.png"] * 5, "prompt": "x"}, "images", "4"),
        ("multi_image_video", {"images": ["https://cdn.test/a.png"], "prompt": "x", "model_name": "kling-v2-6"},
         "model_name", "kling-v3-0"),
        ("motion_control", {"image": "https://cdn.test/a.png", "motion": "https://cdn.test/m.mp4",
                            "model_name": "kling-v1-6"}, "model_name", "kling-v2-6"),
        ("motion_control", {"image": "https://cdn.test/a.png", "motion": "https://cdn.test/m.mp4",
                            "motion_direction": "sideways"}, "motion_direction", "image_direction"),
        ("apply_effect", {"effect": "x", "image": "https://cdn.test/a.png", "mode": "4k"}, "mode", "pro"),
        ("extend_video", {"task_id": 42, "cfg_scale": 3}, "cfg_scale", "1"),
    ],
)  # fmt: skip
async def test_catalog_refusals_name_the_parameter_and_send_nothing(
    client: Client, api: respx.MockRouter, tool: str, arguments: dict[str, Any], parameter: str, allowed: str
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(json=task(42, 99, works=1))
    api.get("/videos/effects").respond(json=[{"name": "x"}])
    err = error_of(await client.call_tool(tool, arguments))
    assert err["code"] == "invalid_parameter", err
    assert err["details"]["parameter"].startswith(parameter), err
    assert allowed in err["message"], err
    assert "Nothing was sent" in err["hint"] or "nothing" in err["hint"].lower()
    assert not [call for call in api.calls if call.request.method != "GET"]  # no upload, no create


@pytest.mark.parametrize(
    ("tool", "arguments", "parameter"),
    [
        ("omni_video", {"prompt": "x", "video": "https://cdn.test/v.mp4", "video_task_id": 7}, "video_task_id"),
        ("omni_video", {"prompt": "x", "video_work_id": 70}, "video_work_id"),
        ("omni_video", {"prompt": "x", "omni_versoin": "o1"}, "omni_versoin"),
        ("extend_video", {"task_id": 0}, "task_id"),
        ("multi_image_video", {"prompt": "x"}, "images"),
        ("motion_control", {"image": "https://cdn.test/a.png"}, "motion"),
        ("apply_effect", {"image": "https://cdn.test/a.png"}, "effect"),
        ("list_motions", {"mine": "sometimes"}, "mine"),
    ],
)
async def test_arguments_that_do_not_fit_are_refused_before_anything_runs(
    client: Client, api: respx.MockRouter, tool: str, arguments: dict[str, Any], parameter: str
) -> None:
    err = error_of(await client.call_tool(tool, arguments))
    assert err["code"] == "invalid_parameter" and parameter in err["message"], err
    assert not api.calls


async def test_an_unknown_effect_is_refused_naming_the_known_ones(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/videos/effects").respond(json=[{"name": "squish"}, {"name": "inflate"}])
    upload = api.post("/assets/").respond(json={"status": 3, "url": "https://cdn.test/x.png"})
    create = api.post("/videos/image2video-effects").respond(json=task())
    err = error_of(await client.call_tool("apply_effect", {"effect": "melt", "image": "https://cdn.test/a.png"}))
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == "effect"
    assert "squish" in err["message"] and "inflate" in err["message"]
    assert not upload.called and not create.called


async def test_extend_refuses_a_task_that_has_not_succeeded(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(json=task(42, 10))
    create = api.post("/videos/extend").respond(json=task(43))
    err = error_of(await client.call_tool("extend_video", {"task_id": 42}))
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == "task_id"
    assert "succeeded" in err["message"]
    assert not create.called


async def test_a_local_file_outside_the_allowed_folders_is_refused_before_any_upload(
    client: Client, api: respx.MockRouter, tmp_path: Path
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    upload = api.post("/assets/").respond(json={"status": 3, "url": "https://cdn.test/x.png"})
    create = api.post("/videos/omni").respond(json=task())
    err = error_of(await client.call_tool("omni_video", {"prompt": "@image_1 waves", "images": ["/etc/hostname"]}))
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == "images[0]"
    assert not upload.called and not create.called
