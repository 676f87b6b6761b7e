"""The simulator against the documented shapes (the useapi guide's JSON examples, reference §3, §5, §6, §7), each
behaviour a user of the real API meets, the files it serves against what it reports, and its persistence."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kling_mcp.api.models import AccountDetail, AccountList, TaskResponse
from kling_mcp.simulator import SimulatorConfig, SimulatorState, create_app, run_in_thread
from kling_mcp.simulator.media import dimensions, video

pytestmark = pytest.mark.anyio

AUTH = {"Authorization": "Bearer user:1-sim"}
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def _client(config: SimulatorConfig, clock: Clock) -> AsyncIterator[tuple[httpx.AsyncClient, SimulatorState]]:
    state = SimulatorState(config, clock=clock)
    transport = httpx.ASGITransport(app=create_app(config, state))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://sim.test/v1/kling", headers=AUTH) as http:
            yield http, state
    finally:
        state.close()


@pytest.fixture
async def sim(clock: Clock) -> AsyncIterator[tuple[httpx.AsyncClient, SimulatorState]]:
    async for pair in _client(SimulatorConfig(first_task_id=123456789), clock):
        yield pair


async def create(http: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await http.post("/videos/text2video", json={"prompt": "a fox", **body})


# --- shapes --------------------------------------------------------------------------------------------------------


async def test_create_answers_like_the_guide_example(sim: tuple[httpx.AsyncClient, SimulatorState]) -> None:
    http, _ = sim
    response = await create(http, model_name="kling-v3-0", aspect_ratio="16:9", mode="pro", duration="5")
    assert response.status_code == 200
    body = response.json()
    # seed: {"task": {"id", "type", "status": 5, "status_name": "submitted", "status_final": false}, "works": [],
    #        "status": 5, "status_name": "submitted", "status_final": false, "message": ""}
    assert body["task"]["id"] == 123456789 and body["task"]["type"] == "m2v_txt2video_hq"
    assert (body["task"]["status"], body["task"]["status_name"], body["task"]["status_final"]) == (
        5,
        "submitted",
        False,
    )
    assert (body["status"], body["status_name"], body["status_final"]) == (5, "submitted", False)
    assert body["works"] == [] and body["message"] == ""
    TaskResponse.model_validate(body)


async def test_task_life_cycle_submitted_processing_succeed(
    sim: tuple[httpx.AsyncClient, SimulatorState], clock: Clock
) -> None:
    http, _ = sim
    task_id = (await create(http, mode="pro")).json()["task"]["id"]
    seen = []
    for _ in range(3):
        body = (await http.get(f"/tasks/{task_id}")).json()
        seen.append((body["status"], body["status_name"], body["status_final"]))
        clock.now += 60
    assert seen == [(5, "submitted", False), (10, "processing", False), (99, "succeed", True)]
    work = body["works"][0]
    # seed: works[0].workId, works[0].resource.resource (.mp4), height, width, duration in ms
    assert isinstance(work["workId"], int) and work["resource"]["resource"].endswith("/preview.mp4")
    # The size and length of the file served (test_reports_what_it_serves checks them with ffprobe).
    assert (work["resource"]["width"], work["resource"]["height"]) == dimensions("16:9") == (320, 180)
    assert work["resource"]["duration"] == 5000
    TaskResponse.model_validate(body)


async def test_accounts_and_balance_shapes(sim: tuple[httpx.AsyncClient, SimulatorState]) -> None:
    http, _ = sim
    listing = (await http.get("/accounts")).json()
    assert list(listing) == ["demo@example.com"] and listing["demo@example.com"]["maxJobs"] == 3
    AccountList.model_validate(listing)
    detail = (await http.get("/accounts/demo@example.com")).json()
    assert detail["balance"]["total"] == 66000  # reference §3.2 sample units: credits x 100
    assert detail["balance"]["points"][0]["amount"] == 66000
    AccountDetail.model_validate(detail)
    await create(http, model_name="kling-v2-6", mode="pro", enable_audio=True)  # 35 credits (reference §9)
    assert (await http.get("/accounts/demo@example.com")).json()["balance"]["total"] == 66000 - 3500
    missing = await http.get("/accounts/nobody@example.com")
    assert missing.status_code == 404 and "not found" in missing.json()["error"]


async def test_clean_download_link_and_media(sim: tuple[httpx.AsyncClient, SimulatorState], clock: Clock) -> None:
    http, _ = sim
    task_id = (await create(http, aspect_ratio="9:16")).json()["task"]["id"]
    clock.now += 1000
    work = (await http.get(f"/tasks/{task_id}")).json()["works"][0]
    link = (await http.get("/assets/download", params={"workIds": work["workId"], "fileTypes": "MP4"})).json()
    assert link["status"] == "success" and link["cdnUrl"].endswith("/clean.mp4")
    clean = await http.get(link["cdnUrl"], headers={})
    preview = await http.get(work["resource"]["resource"])
    assert clean.content == video("clean", "9:16") and preview.content == video("preview", "9:16")
    assert clean.content != preview.content and clean.headers["content-type"] == "video/mp4"
    zipped = (await http.get("/assets/download", params={"workIds": work["workId"]})).json()["cdnUrl"]
    assert zipped.endswith(".zip")  # reference §7.2: no single fileType -> a .zip
    assert (await http.get("/assets/download")).json() == {"error": "Invalid parameters"}


async def test_upload_shape_and_content_types(sim: tuple[httpx.AsyncClient, SimulatorState]) -> None:
    http, _ = sim
    response = await http.post("/assets/", content=b"\x89PNG\r\n\x1a\n", headers={"Content-Type": "image/png"})
    body = response.json()
    assert body["status"] == 3 and body["message"] == "" and body["fileName"]
    assert (await http.get(body["url"])).content == b"\x89PNG\r\n\x1a\n"
    refused = await http.post("/assets/", content=b"x", headers={"Content-Type": "image/webp"})
    assert refused.status_code == 400 and "Valid values: image/png,image/jpeg" in refused.json()["error"]


# --- behaviours ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}])
async def test_missing_token_is_401(sim: tuple[httpx.AsyncClient, SimulatorState], header: dict[str, str]) -> None:
    http, _ = sim
    http.headers.pop("Authorization")
    response = await http.get("/accounts", headers=header)
    assert response.status_code == 401 and response.json() == {"error": "Unauthorized", "code": 401}


async def test_wrong_token_is_401(clock: Clock) -> None:
    async for http, _ in _client(SimulatorConfig(token="user:1-right"), clock):
        assert (await http.get("/accounts")).status_code == 401
        assert (await http.get("/accounts", headers={"Authorization": "Bearer user:1-right"})).status_code == 200


async def test_max_jobs_429_then_a_slot_frees(clock: Clock) -> None:
    async for http, _ in _client(SimulatorConfig(max_jobs=2), clock):
        assert [(await create(http)).status_code for _ in range(3)] == [200, 200, 429]
        assert (await create(http)).json()["code"] == 429
        clock.now += 1000
        assert (await create(http)).status_code == 200


async def test_moderation_on_create_and_later(sim: tuple[httpx.AsyncClient, SimulatorState], clock: Clock) -> None:
    http, _ = sim
    refused = await create(http, prompt="sim:moderation")
    assert refused.status_code == 500
    assert refused.json()["error"] == "The content you uploaded appears to violate the community guidelines."
    later = (await create(http, prompt="sim:moderation-later")).json()["task"]["id"]
    assert (await http.get(f"/tasks/{later}")).status_code == 200
    clock.now += 1000
    assert (await http.get(f"/tasks/{later}")).status_code == 404


@pytest.mark.parametrize("status", [6, 7, 9, 50, 53, 54, 58])
async def test_failure_statuses(sim: tuple[httpx.AsyncClient, SimulatorState], clock: Clock, status: int) -> None:
    http, _ = sim
    task_id = (await create(http, prompt=f"sim:fail-{status}")).json()["task"]["id"]
    clock.now += 1000
    body = (await http.get(f"/tasks/{task_id}")).json()
    assert body["status"] == status and body["status_final"] is True and body["status_name"] != "succeed"
    assert body["error"] and body["works"] == []


async def test_vanished_task_and_unknown_task_are_404(
    sim: tuple[httpx.AsyncClient, SimulatorState], clock: Clock
) -> None:
    http, _ = sim
    task_id = (await create(http, prompt="sim:vanish")).json()["task"]["id"]
    clock.now += 1000
    assert (await http.get(f"/tasks/{task_id}")).status_code == 404
    assert (await http.get("/tasks/1")).status_code == 404


async def test_out_of_credits_polls_404(clock: Clock) -> None:
    async for http, _ in _client(SimulatorConfig(credits=50), clock):
        first = (await create(http, model_name="kling-v1-6", mode="pro")).json()["task"]["id"]  # 35 credits
        second = (await create(http, model_name="kling-v1-6", mode="pro")).json()["task"]["id"]  # 15 left
        clock.now += 1000
        assert (await http.get(f"/tasks/{first}")).status_code == 200
        assert (await http.get(f"/tasks/{second}")).status_code == 404
        balance = (await http.get("/accounts/demo@example.com")).json()["balance"]["total"]
        assert balance == 1500


async def test_free_account_clean_download_refused(clock: Clock) -> None:
    async for http, _ in _client(SimulatorConfig(accounts=["free@example.com"]), clock):
        task_id = (await create(http)).json()["task"]["id"]
        clock.now += 1000
        work_id = (await http.get(f"/tasks/{task_id}")).json()["works"][0]["workId"]
        refused = await http.get("/assets/download", params={"workIds": work_id, "fileTypes": "MP4"})
        assert refused.status_code == 403 and "paid Kling" in refused.json()["error"]


async def test_several_accounts_need_an_email(clock: Clock) -> None:
    async for http, _ in _client(SimulatorConfig(accounts=["a@x.com", "b@x.com"]), clock):
        assert (await create(http)).status_code == 400
        task_id = (await create(http, email="b@x.com")).json()["task"]["id"]
        assert (await http.get(f"/tasks/{task_id}")).status_code == 400
        assert (await http.get(f"/tasks/{task_id}", params={"email": "b@x.com"})).status_code == 200
        assert (await http.get(f"/tasks/{task_id}", params={"email": "a@x.com"})).status_code == 404


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"prompt": ""}, "prompt"),
        ({"model_name": "kling-v9"}, "model_name"),
        ({"model_name": "kling-v2-5", "mode": "std"}, "mode"),
        ({"duration": "7"}, "duration"),
    ],
)
async def test_invalid_create_is_400(
    sim: tuple[httpx.AsyncClient, SimulatorState], body: dict[str, Any], words: str
) -> None:
    http, state = sim
    response = await create(http, **body)
    assert response.status_code == 400 and words in response.json()["error"]
    assert not state.tasks


async def test_form_data_is_accepted(sim: tuple[httpx.AsyncClient, SimulatorState]) -> None:
    http, _ = sim
    response = await http.post("/videos/text2video", data={"prompt": "a fox", "duration": "10"})
    assert response.status_code == 200


async def test_range_requests_and_padding(clock: Clock) -> None:
    async for http, _ in _client(SimulatorConfig(media_padding_bytes=1_000_000), clock):
        task_id = (await create(http)).json()["task"]["id"]
        clock.now += 1000
        url = (await http.get(f"/tasks/{task_id}")).json()["works"][0]["resource"]["resource"]
        whole = await http.get(url)
        size = len(video("preview", "16:9")) + 1_000_000
        assert len(whole.content) == size == int(whole.headers["content-length"])
        assert whole.content[len(video("preview", "16:9")) + 4 :][:4] == b"free"
        part = await http.get(url, headers={"Range": "bytes=100-"})
        assert part.status_code == 206 and part.headers["content-range"] == f"bytes 100-{size - 1}/{size}"
        assert part.content == whole.content[100:]


# --- over real HTTP ------------------------------------------------------------------------------------------------


def test_run_in_thread_serves_real_http() -> None:
    with run_in_thread(SimulatorConfig(speed=1000)) as running:
        response = httpx.get(f"{running.base_url}/v1/kling/accounts", headers=AUTH)
        assert response.status_code == 200 and running.base_url.startswith("http://127.0.0.1:")
        assert ("GET", "/v1/kling/accounts", "") in running.state.requests


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe is not installed (apt-get install ffmpeg)")
@pytest.mark.parametrize(("ratio", "portrait"), [("16:9", False), ("9:16", True), ("1:1", None)])
def test_media_files_are_real_h264_videos(tmp_path: Path, ratio: str, portrait: bool | None) -> None:
    for kind in ("preview", "clean"):
        path = tmp_path / f"{kind}.mp4"
        path.write_bytes(video(kind, ratio))
        probe = json.loads(
            subprocess.run(
                ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        stream = probe["streams"][0]
        assert stream["codec_name"] == "h264"
        width, height = stream["width"], stream["height"]
        assert (height > width) if portrait else (width > height) if portrait is False else (width == height)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_useapi_guide_node_script_runs_unmodified_but_for_the_base_url(tmp_path: Path) -> None:
    script = (FIXTURES / "kling.mjs").read_text(encoding="utf-8")
    prompts = json.loads((FIXTURES / "prompts.json").read_text(encoding="utf-8"))
    # Fast enough that every task is final before the script first polls (it sleeps 20 s between polls).
    with run_in_thread(SimulatorConfig(speed=100_000, max_jobs=len(prompts))) as running:
        (tmp_path / "kling.mjs").write_text(
            script.replace("https://api.useapi.net", running.base_url), encoding="utf-8"
        )
        shutil.copy(FIXTURES / "prompts.json", tmp_path / "prompts.json")
        done = subprocess.run(
            ["node", "kling.mjs", "user:1-node", "demo@example.com"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
    assert done.returncode == 0, done.stderr
    videos = sorted(tmp_path.glob("kling_*.mp4"))
    assert len(videos) == len(prompts), done.stdout
    # The clean masters, not the watermarked previews: v1-6 16:9 5 s, v3-0 5 s and turbo 10 s (both with audio),
    # v1-6 9:16 5 s.
    expected = [("16:9", 5, False), ("16:9", 5, True), ("16:9", 10, True), ("9:16", 5, False)]
    assert sorted(v.read_bytes() for v in videos) == sorted(video("clean", *clip) for clip in expected)
    assert "clean master" in done.stdout


# --- request validation: every bad input is a 400 that names it, never a crash ----------------------------------


@pytest.mark.parametrize("as_form", [True, False])
async def test_non_numeric_cfg_scale_is_a_json_400(
    sim: tuple[httpx.AsyncClient, SimulatorState], as_form: bool
) -> None:
    http, state = sim
    body = {"prompt": "a fox", "model_name": "kling-v1-6", "cfg_scale": "abc"}
    response = await (http.post("/videos/text2video", data=body) if as_form else create(http, **body))
    assert response.status_code == 400
    assert "cfg_scale" in response.json()["error"] and "number from 0 to 1" in response.json()["error"]
    assert not state.tasks
    numeric = await http.post("/videos/text2video", data={**body, "cfg_scale": "0.4"})
    assert numeric.status_code == 200


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"prompt": None}, "prompt"),  # no prompt at all
        ({"prompt": 5}, "prompt"),
        ({"enable_audio": "yes", "model_name": "kling-v3-0"}, "enable_audio"),
        ({"duration": [5]}, "duration"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_malformed_create_is_a_400_naming_the_parameter(
    sim: tuple[httpx.AsyncClient, SimulatorState], body: dict[str, Any], words: str
) -> None:
    http, state = sim
    payload = {"prompt": "a fox", **body}
    if payload["prompt"] is None:
        del payload["prompt"]
    response = await http.post("/videos/text2video", json=payload)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert words in error and error != "Invalid parameters"
    assert not state.tasks


async def test_an_end_frame_alone_is_accepted_for_1x_models(sim: tuple[httpx.AsyncClient, SimulatorState]) -> None:
    """1.x models animate towards an end frame alone; 2.x and v3 need the start frame (reference §5.2)."""
    http, _ = sim
    tail = {"image_tail": "https://images.test/end.png", "prompt": "a fox"}
    accepted = await http.post("/videos/image2video-frames", json={**tail, "model_name": "kling-v1-6"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["task"]["type"] == "m2v_img2video_hq"
    refused = await http.post("/videos/image2video-frames", json={**tail, "model_name": "kling-v2-1"})
    assert refused.status_code == 400 and "start frame" in refused.json()["error"]


async def test_an_unexpected_error_is_a_json_500_that_says_so(
    sim: tuple[httpx.AsyncClient, SimulatorState], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug inside validation must never pass for the request's fault (a 400)."""
    from kling_mcp.simulator import rules

    def broken(*_args: Any) -> Any:
        raise TypeError("an internal mistake")

    monkeypatch.setattr(rules, "check", broken)
    response = await create(http := sim[0])
    assert response.status_code == 500
    error = response.json()["error"]
    assert "Simulator internal error" in error and "TypeError" in error and "bug in the simulator" in error
    assert (await http.get("/accounts")).status_code == 200  # and it keeps serving
