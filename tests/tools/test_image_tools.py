"""The "images" toolset over MCP: each tool succeeds end to end on the simulator (the upstream sees the body the tool
promises, and a generated image chains on as kling://works/<task_id>/<work_id>), and each refusal reaches the agent
as a coded error naming the parameter and what is allowed, with nothing sent upstream (respx-mocked upstream: any
request would be recorded)."""

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
from kling_mcp.simulator.runner import RunningSimulator
from tests.factories import accounts, task
from tests.mcp_results import error_of
from tests.tools.simulated import submitted as _submitted
from tests.tools.simulated import succeeded as _succeeded
from tests.tools.simulated import task_body as _task_body
from tests.tools.test_long_jobs import png

pytestmark = pytest.mark.anyio

EMAIL = "images@example.com"
IMAGE_TOOLS = {"generate_image", "upscale_image", "virtual_try_on", "recognize_faces"}
SPENDING = IMAGE_TOOLS - {"recognize_faces"}
URL = "https://cdn.test/a.png"


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


@pytest.fixture
def garment(tmp_path: Path) -> Path:
    path = tmp_path / "shirt.png"
    path.write_bytes(png(480, 600))
    return path


async def _an_image(client: Client, sim: RunningSimulator) -> tuple[int, int]:
    """A succeeded omni image task and its first work."""
    out = await _submitted(client, "generate_image", {"prompt": "a red fox in the snow"})
    final = await _succeeded(client, out["task_id"])
    work_ids = [image["work_id"] for image in final["images"]]  # get_task lists an image task's images
    assert work_ids == sim.state.tasks[out["task_id"]].work_ids and not final["videos"]
    return out["task_id"], work_ids[0]


# --- listing -------------------------------------------------------------------------------------------------------


async def test_the_image_tools_are_listed_with_their_annotations(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) >= IMAGE_TOOLS
    for name in IMAGE_TOOLS:
        tool = tools[name]
        assert tool.title and tool.description and tool.output_schema, name
        spends = name in SPENDING
        assert tool.annotations.read_only_hint is not spends and tool.annotations.destructive_hint is False, name
        if spends:
            assert "credits" in tool.description and "task_id" in tool.description, name
        assert "confirmation" not in tool.input_schema["properties"] and "roots" not in tool.input_schema["properties"]
    # a result chains on: the form of a previous task's image is said once, in generate_image's description
    assert "kling://works/<task_id>/<work_id>" in (tools["generate_image"].description or "")
    assert tools["virtual_try_on"].input_schema["required"] == ["human_image"]
    assert tools["recognize_faces"].input_schema["required"] == ["image"]


# --- each tool end to end on the simulator -------------------------------------------------------------------------


async def test_generate_image_omni_with_a_local_reference(on_sim: Client, sim: RunningSimulator, picture: Path) -> None:
    out = await _submitted(
        on_sim,
        "generate_image",
        {
            "prompt": "@image_1 as a watercolour",
            "images": [str(picture)],
            "image_count": 2,
            "resolution": "2k",
            "story_mode": True,
        },
    )
    body = _task_body(sim, out["task_id"])
    assert body["image_1"].startswith("http") and str(picture) not in json.dumps(body)  # uploaded first
    assert (body["omni_version"], body["resolution"], body["imageCount"], body["story_mode"]) == ("v3", "2k", 2, True)
    assert out["estimated_credits"] == 2
    await _succeeded(on_sim, out["task_id"])
    assert len(sim.state.tasks[out["task_id"]].work_ids) == 2


async def test_a_generated_image_chains_on_as_a_kolors_face_reference(on_sim: Client, sim: RunningSimulator) -> None:
    task_id, work_id = await _an_image(on_sim, sim)
    out = await _submitted(
        on_sim,
        "generate_image",
        {
            "prompt": "the same face, smiling",
            "engine": "kolors",
            "reference": "face",
            "images": [f"kling://works/{task_id}/{work_id}"],
            "strength": 80,
        },
    )
    body = _task_body(sim, out["task_id"])
    assert body["imageReference"].startswith("http") and "kling://" not in json.dumps(body)
    assert (body["version"], body["reference"], body["faceStrength"]) == ("kling-v2-1", "face", 80)
    await _succeeded(on_sim, out["task_id"])


async def test_kolors_subjects_go_to_kolors_elements(
    on_sim: Client, sim: RunningSimulator, picture: Path, garment: Path
) -> None:
    out = await _submitted(
        on_sim, "generate_image", {"engine": "kolors", "subjects": [str(picture)], "style": str(garment)}
    )
    body = _task_body(sim, out["task_id"])
    assert body["subjectImage1"].startswith("http") and body["styleImage"].startswith("http")
    assert "version" not in body and "sceneImage" not in body and body["imageCount"] == 1
    await _succeeded(on_sim, out["task_id"])


async def test_upscale_image_upscales_a_tasks_image_and_enhances_any_other(
    on_sim: Client, sim: RunningSimulator, picture: Path
) -> None:
    task_id, work_id = await _an_image(on_sim, sim)
    out = await _submitted(on_sim, "upscale_image", {"task_id": task_id, "work_id": work_id})
    assert _task_body(sim, out["task_id"]) | {"email": None} == {"task_id": task_id, "workId": work_id, "email": None}
    await _succeeded(on_sim, out["task_id"])
    enhanced = await _submitted(on_sim, "upscale_image", {"image": str(picture), "resolution": "4k"})
    body = _task_body(sim, enhanced["task_id"])
    assert body["resolution"] == "4k" and body["image"].startswith("http")
    assert enhanced["estimated_credits"] == 2  # useapi's enhance page: 2 credits at 4k
    await _succeeded(on_sim, enhanced["task_id"])


async def test_virtual_try_on_dresses_a_person(
    on_sim: Client, sim: RunningSimulator, picture: Path, garment: Path
) -> None:
    out = await _submitted(
        on_sim, "virtual_try_on", {"human_image": str(picture), "upper": str(garment), "image_count": 2}
    )
    body = _task_body(sim, out["task_id"])
    assert body["humanImage"].startswith("http") and body["upperInput"].startswith("http")
    assert body["imageCount"] == 2 and "lowerInput" not in body
    await _succeeded(on_sim, out["task_id"])


async def test_recognize_faces_numbers_the_faces_at_once(on_sim: Client, picture: Path) -> None:
    before = await on_sim.call_tool("list_jobs", {})
    result = await on_sim.call_tool("recognize_faces", {"image": str(picture)})
    assert not result.is_error, result.content
    out = result.structured_content
    assert out["faces"] and out["faces"][0]["face_no"] == 1 and out["faces"][0]["url"].startswith("http")
    assert (out["image_width"], out["image_height"]) == (640, 640)
    assert "face_no 1" in result.content[0].text and "reference='face'" in out["next_step"]
    after = await on_sim.call_tool("list_jobs", {})
    assert after.structured_content == before.structured_content  # free: nothing recorded, nothing spent


async def test_an_image_tool_asks_first_when_confirm_is_always(make_settings: Any, sim: RunningSimulator) -> None:
    asked: list[str] = []

    async def decline(context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="decline")

    before = len(sim.state.tasks)
    settings = make_settings(base_url=sim.base_url, email=EMAIL, confirm="always")
    async with Client(create_server(settings), elicitation_callback=decline) as c:
        err = error_of(await c.call_tool("generate_image", {"prompt": "a lighthouse", "image_count": 3}))
    assert err["code"] == "declined" and "Nothing was submitted" in err["message"]
    assert len(asked) == 1 and "Submit: 3 omni v3 images, 1k? Estimated cost: 3 " in asked[0] and " s," not in asked[0]
    assert len(sim.state.tasks) == before


# --- refusals: named, with what is allowed, nothing sent -----------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "arguments", "parameter", "allowed"),
    [
        ("generate_image", {"prompt": "a fox", "engine": "dalle"}, "engine", "kolors"),
        ("generate_image", {"prompt": "a fox", "version": "o1", "resolution": "4k"}, "resolution", "2k"),
        ("generate_image", {"prompt": "@image_2 runs", "images": [URL]}, "prompt", "@image_1"),
        ("generate_image", {"prompt": "a fox", "image_count": 12}, "image_count", "1 to 9"),
        ("generate_image", {"prompt": "a fox", "reference": "face", "images": [URL]}, "reference", "engine kolors"),
        ("generate_image", {"prompt": "a fox", "engine": "kolors", "reference": "face", "images": [URL],
                            "version": "kling-v3-0"}, "reference", "kling-v2-1"),
        ("generate_image", {"prompt": "a fox", "engine": "kolors", "strength": 50}, "strength", "omit it"),
        ("generate_image", {"prompt": "a fox", "story_mode": True}, "story_mode", "give images or elements"),
        ("generate_image", {"engine": "kolors", "scene": URL}, "subjects", "1–4 subject images"),
        ("generate_image", {"engine": "kolors", "subjects": [URL] * 5}, "subjects", "1–4"),
        ("upscale_image", {"task_id": 42}, "work_id", "task_id and work_id"),
        ("upscale_image", {"task_id": 42, "work_id": 420, "image": URL}, "task_id", "or image"),
        ("upscale_image", {"image": URL, "resolution": "8k"}, "resolution", "4k"),
        ("virtual_try_on", {"human_image": URL}, "upper", "dress"),
        ("virtual_try_on", {"human_image": URL, "dress": URL, "upper": URL}, "dress", "dress alone"),
        ("virtual_try_on", {"human_image": URL, "upper": URL, "image_count": 5}, "image_count", "1 to 4"),
    ],
)  # fmt: skip
async def test_catalog_refusals_name_the_parameter_and_send_nothing(
    client: Client, api: respx.MockRouter, tool: str, arguments: dict[str, Any], parameter: str, allowed: str
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    err = error_of(await client.call_tool(tool, arguments))
    assert err["code"] == "invalid_parameter", err
    assert err["details"]["parameter"].startswith(parameter), err
    assert allowed in err["message"], err
    assert "nothing" in err["hint"].lower()
    assert not [call for call in api.calls if call.request.method != "GET"]  # no upload, no create


@pytest.mark.parametrize(
    ("tool", "arguments", "parameter"),
    [
        ("generate_image", {"prompt": "x", "engin": "kolors"}, "engin"),
        ("generate_image", {"prompt": "x", "wait_seconds": -1}, "wait_seconds"),
        ("generate_image", {"prompt": "x", "idempotency_key": "k" * 201}, "idempotency_key"),
        ("virtual_try_on", {"upper": URL}, "human_image"),
        ("recognize_faces", {}, "image"),
    ],
)
async def test_arguments_that_do_not_fit_are_refused_before_anything_runs(
    client: Client, api: respx.MockRouter, tool: str, arguments: dict[str, Any], parameter: str
) -> None:
    err = error_of(await client.call_tool(tool, arguments))
    assert err["code"] == "invalid_parameter" and parameter in err["message"], err
    assert not api.calls


def _image_task(task_id: int, status: int, *, content: str = "image") -> dict[str, Any]:
    answer = task(task_id, status, works=2)
    for work in answer["works"]:
        work["contentType"] = content
    return answer


@pytest.mark.parametrize(
    ("answer", "work_id", "parameter", "said"),
    [
        (_image_task(42, 10), 420, "task_id", "running"),
        (_image_task(42, 99), 999, "work_id", "no image with this work_id"),
        (_image_task(42, 99, content="video"), 420, "task_id", "made no image"),
    ],
    ids=["not finished", "not its work", "a video task"],
)
async def test_upscale_refuses_a_work_that_is_not_a_succeeded_tasks_image(
    client: Client, api: respx.MockRouter, answer: dict[str, Any], work_id: int, parameter: str, said: str
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(json=answer)
    create = api.post("/images/upscale").respond(json=task(43))
    err = error_of(await client.call_tool("upscale_image", {"task_id": 42, "work_id": work_id}))
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == parameter, err
    assert said in err["message"]
    assert not create.called


async def test_upscale_of_a_succeeded_tasks_image_is_sent_once(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(json=_image_task(42, 99))
    create = api.post("/images/upscale").respond(json=task(43))
    result = await client.call_tool("upscale_image", {"task_id": 42, "work_id": 421})
    assert not result.is_error, result.content
    assert create.call_count == 1 and json.loads(create.calls.last.request.content) == {
        "task_id": 42,
        "workId": 421,
        "email": "a@x.com",
    }


async def test_a_local_file_outside_the_allowed_folders_is_refused_before_any_upload(
    client: Client, api: respx.MockRouter
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    upload = api.post("/assets/").respond(json={"status": 3, "url": "https://cdn.test/x.png"})
    faces = api.post("/images/recognize-faces").respond(json={"status": 0, "faceItems": []})
    err = error_of(await client.call_tool("recognize_faces", {"image": "/etc/hostname"}))
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == "image"
    assert not upload.called and not faces.called
