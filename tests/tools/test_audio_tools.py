"""The "audio" toolset over MCP: each tool end to end on the simulator (the upstream sees the body the tool promises),
delete_avatar annotated destructive and asking first per KLING_MCP_CONFIRM, and every refusal reaching the agent as a
coded error naming the parameter and what is allowed, with nothing sent upstream (respx-mocked upstream: any request
would be recorded)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import respx
from mcp import Client
from mcp.types import ElicitResult

from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.server import create_server
from kling_mcp.simulator import SimulatorConfig, run_in_thread
from kling_mcp.simulator.runner import RunningSimulator
from tests.factories import accounts
from tests.mcp_results import error_of
from tests.tools.simulated import final as _final
from tests.tools.simulated import structured as _ok
from tests.tools.simulated import submitted as _submitted
from tests.tools.simulated import task_body as _task_body
from tests.tools.test_long_jobs import png

pytestmark = pytest.mark.anyio

EMAIL = "audio@example.com"
AUDIO_TOOLS = {
    "lip_sync",
    "add_sound",
    "avatar_video",
    "text_to_speech",
    "list_voices",
    "list_avatars",
    "create_avatar",
    "delete_avatar",
}
SPENDING = {"lip_sync", "add_sound", "avatar_video"}
MP3 = "https://cdn.test/line.mp3"
VIDEO = "https://cdn.test/face.mp4"
IMAGE = "https://cdn.test/face.png"


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
def face(tmp_path: Path) -> Path:
    path = tmp_path / "face.png"
    path.write_bytes(png(640, 640))
    return path


async def _a_voice(client: Client) -> str:
    voices = await _ok(client, "list_voices", {})
    voice_id: str = voices["voices"][0]["voice_id"]
    return voice_id


async def _a_clip(client: Client) -> int:
    """A finished 5 s video task to lip-sync or add sound to (the simulator's faces are clear and frontal)."""
    made = await _submitted(client, "generate_video", {"prompt": "a woman talks to the camera"})
    assert (await _final(client, made["task_id"]))["state"] == "succeeded"
    task_id: int = made["task_id"]
    return task_id


def _answer(action: str, confirm: bool = True) -> Any:
    asked: list[str] = []

    async def callback(context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action=action, content={"confirm": confirm} if action == "accept" else None)

    callback.asked = asked  # type: ignore[attr-defined]
    return callback


# --- listing ----------------------------------------------------------------------------------------------------------


async def test_the_audio_tools_are_listed_with_their_annotations(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) >= AUDIO_TOOLS
    for name in AUDIO_TOOLS:
        tool = tools[name]
        assert tool.title and tool.description and tool.output_schema, name
        assert tool.annotations.read_only_hint is (name in ("list_voices", "list_avatars")), name
        assert tool.annotations.destructive_hint is (name == "delete_avatar"), name
        if name in SPENDING:
            assert "credits" in tool.description and "task_id" in tool.description, name
            assert {"idempotency_key", "wait_seconds", "email"} <= set(tool.input_schema["properties"]), name
    assert "frontal face" in tools["lip_sync"].description and "60 s" in tools["lip_sync"].description
    assert "Free" in tools["text_to_speech"].description
    assert tools["lip_sync"].input_schema["required"] == ["video"]
    assert tools["text_to_speech"].input_schema["required"] == ["text", "voice_id"]
    assert tools["create_avatar"].input_schema["required"] == ["image"]
    assert "confirmation" not in tools["delete_avatar"].input_schema["properties"]
    assert "roots" not in tools["lip_sync"].input_schema["properties"]


# --- each tool end to end on the simulator ----------------------------------------------------------------------------


async def test_list_voices_then_text_to_speech(on_sim: Client, sim: RunningSimulator) -> None:
    voices = await _ok(on_sim, "list_voices", {})
    assert voices["voices"] and all(v["voice_id"] for v in voices["voices"])
    voice = next(v for v in voices["voices"] if v["emotions"])
    result = await on_sim.call_tool(
        "text_to_speech", {"text": "Hello there!", "voice_id": voice["voice_id"], "emotion": voice["emotions"][0]}
    )
    assert not result.is_error, result.content
    out = result.structured_content
    assert out["url"].endswith(".mp3") and out["url"] in result.content[0].text
    assert out["voice_id"] == voice["voice_id"] and out["free"] is True and "lip_sync" in out["next_step"]
    spoken = [t.body for t in sim.state.tasks.values() if t.body.get("text") == "Hello there!"]
    assert spoken and spoken[-1]["speakerId"] == voice["voice_id"]


async def test_lip_sync_an_earlier_clip_with_its_speech(on_sim: Client, sim: RunningSimulator) -> None:
    clip = await _a_clip(on_sim)
    voice_id = await _a_voice(on_sim)
    speech = await _ok(on_sim, "text_to_speech", {"text": "Welcome to the show.", "voice_id": voice_id})
    out = await _submitted(on_sim, "lip_sync", {"video": f"kling://works/{clip}", "audio": speech["url"]})
    body = _task_body(sim, out["task_id"])
    assert body["audio"] == speech["url"] and body["video"].startswith("http")
    final = await _final(on_sim, out["task_id"])
    assert final["state"] == "succeeded"


async def test_lip_sync_from_text_makes_the_speech_first(on_sim: Client, sim: RunningSimulator) -> None:
    clip = await _a_clip(on_sim)
    voice_id = await _a_voice(on_sim)
    out = await _submitted(
        on_sim, "lip_sync", {"video": f"kling://works/{clip}", "text": "Good evening.", "voice_id": voice_id}
    )
    body = _task_body(sim, out["task_id"])
    assert set(body) == {"video", "audio"} and body["audio"].endswith(".mp3")  # the speech's MP3, not the text
    assert (await _final(on_sim, out["task_id"]))["state"] == "succeeded"


async def test_add_sound_to_an_earlier_clip(on_sim: Client, sim: RunningSimulator) -> None:
    clip = await _a_clip(on_sim)
    out = await _submitted(on_sim, "add_sound", {"video": f"kling://works/{clip}", "keep_audio": True})
    body = _task_body(sim, out["task_id"])
    assert body["cropVideoOriginalSound"] is True and body["video"].startswith("http")
    assert (await _final(on_sim, out["task_id"]))["state"] == "succeeded"


async def test_avatar_video_from_a_template_speaking_text(on_sim: Client, sim: RunningSimulator) -> None:
    templates = await _ok(on_sim, "list_avatars", {"templates": True})
    assert templates["templates"] is True and templates["avatars"]
    avatar_id = templates["avatars"][0]["avatar_id"]
    voice_id = await _a_voice(on_sim)
    out = await _submitted(
        on_sim, "avatar_video", {"avatar_id": avatar_id, "text": "Hi, I am your guide.", "voice_id": voice_id}
    )
    body = _task_body(sim, out["task_id"])
    assert (body["avatarId"], body["speakerId"], body["mode"]) == (avatar_id, voice_id, "std")
    assert (await _final(on_sim, out["task_id"]))["state"] == "succeeded"


async def test_create_list_and_delete_an_avatar(on_sim: Client, sim: RunningSimulator, face: Path) -> None:
    made = await _ok(on_sim, "create_avatar", {"image": str(face), "nickname": "Mara"})
    avatar_id = made["avatar_id"]
    assert avatar_id and "avatar_video" in made["next_step"]
    (saved,) = [a for a in sim.state.avatars(EMAIL) if a["id"] == avatar_id]
    image_url = saved["imageResources"][0]["url"]
    assert image_url.startswith("http") and str(face) not in image_url  # the image went up first
    assert saved["nickname"] == "Mara"
    listed = await _ok(on_sim, "list_avatars", {})
    assert avatar_id in [a["avatar_id"] for a in listed["avatars"]] and listed["templates"] is False
    deleted = await on_sim.call_tool("delete_avatar", {"avatar_id": avatar_id})
    assert not deleted.is_error, deleted.content
    assert deleted.structured_content == {"avatar_id": avatar_id, "deleted": True}
    assert avatar_id not in [a["avatar_id"] for a in (await _ok(on_sim, "list_avatars", {}))["avatars"]]


# --- refusals: named, with what is allowed, nothing sent --------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "arguments", "parameter", "allowed"),
    [
        ("lip_sync", {"video": VIDEO, "audio": MP3, "text": "hi", "voice_id": "v"}, "audio", "text + voice_id"),
        ("lip_sync", {"video": VIDEO}, "audio", "text + voice_id"),
        ("lip_sync", {"video": VIDEO, "text": "a" * 151, "voice_id": "v"}, "text", "150"),
        ("lip_sync", {"video": VIDEO, "text": "hi"}, "voice_id", "list_voices"),
        ("lip_sync", {"video": VIDEO, "audio": MP3, "speed": 1.5}, "speed", "omit speed"),
        ("lip_sync", {"video": VIDEO, "text": "hi", "voice_id": "v", "speed": 3}, "speed", "0.8"),
        ("lip_sync", {"video": VIDEO, "text": "hi", "voice_id": "v", "emotion": "joy"}, "emotion", "surprised"),
        ("add_sound", {"video": " "}, "video", "3–20 s"),
        ("avatar_video", {"avatar_id": "123456789", "image": IMAGE, "audio": MP3}, "avatar_id", "image"),
        ("avatar_video", {"image": IMAGE, "text": "hi"}, "voice_id", "list_voices"),
        ("avatar_video", {"image": IMAGE, "audio": MP3, "emotion": "sad"}, "emotion", "omit emotion"),
        ("avatar_video", {"image": IMAGE, "audio": MP3, "mode": "4k"}, "mode", "pro"),
        ("avatar_video", {"image": IMAGE, "audio": MP3, "prompt": "p" * 2001}, "prompt", "2000"),
        ("text_to_speech", {"text": "a" * 151, "voice_id": "v"}, "text", "150"),
        ("text_to_speech", {"text": "hi", "voice_id": "v", "emotion": "joy"}, "emotion", "neutral"),
        ("text_to_speech", {"text": "hi", "voice_id": "v", "speed": 0.5}, "speed", "0.8"),
        ("create_avatar", {"image": IMAGE, "nickname": "n" * 31}, "nickname", "30"),
        ("create_avatar", {"image": " "}, "image", "image"),
        ("delete_avatar", {"avatar_id": "../accounts"}, "avatar_id", "list_avatars"),
    ],
)
async def test_catalog_refusals_name_the_parameter_and_send_nothing(
    make_settings: Any, api: respx.MockRouter, tool: str, arguments: dict[str, Any], parameter: str, allowed: str
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    async with Client(create_server(make_settings(confirm="never"))) as c:
        err = error_of(await c.call_tool(tool, arguments))
    assert err["code"] == "invalid_parameter", err
    assert err["details"]["parameter"] == parameter, err
    assert allowed in err["message"], err
    assert "nothing" in err["hint"].lower(), err
    assert not [call for call in api.calls if call.request.method != "GET"]  # no upload, no speech, no create


@pytest.mark.parametrize(
    ("tool", "arguments", "parameter"),
    [
        ("lip_sync", {"video": VIDEO, "audoi": MP3}, "audoi"),
        ("lip_sync", {"audio": MP3}, "video"),
        ("text_to_speech", {"text": "hi"}, "voice_id"),
        ("list_avatars", {"templates": "sometimes"}, "templates"),
        ("delete_avatar", {}, "avatar_id"),
    ],
)
async def test_argument_errors_name_the_parameter_and_send_nothing(
    client: Client, api: respx.MockRouter, tool: str, arguments: dict[str, Any], parameter: str
) -> None:
    err = error_of(await client.call_tool(tool, arguments))
    assert err["code"] == "invalid_parameter" and parameter in err["message"], err
    assert not api.calls


async def test_a_local_video_too_short_for_add_sound_is_refused_before_upload(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path
) -> None:
    from kling_mcp.simulator import media as sim_media

    clip = tmp_path / "short.mp4"
    clip.write_bytes(sim_media.video("clean", "16:9", 2))
    api.get("/accounts").respond(json=accounts("a@x.com"))
    async with Client(create_server(make_settings(confirm="never"))) as c:
        err = error_of(await c.call_tool("add_sound", {"video": str(clip)}))
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == "video", err
    assert "3–20 s" in err["message"] or "3" in err["message"], err
    assert not [call for call in api.calls if call.request.method != "GET"]


async def test_text_to_speech_tells_to_list_voices_when_kling_knows_no_such_voice(
    client: Client, api: respx.MockRouter
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    route = api.post("/tts/create").respond(400, json={"error": "Unable to locate speakerId"})
    err = error_of(await client.call_tool("text_to_speech", {"text": "hi", "voice_id": "nobody"}))
    assert err["code"] == "invalid_parameter" and "Unable to locate speakerId" in err["message"], err
    assert "list_voices" in err["hint"] and route.call_count == 1


async def test_text_to_speech_without_an_mp3_in_the_answer_is_an_error(client: Client, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.post("/tts/create").respond(200, json={"status": 7, "status_name": "failed", "status_final": True})
    err = error_of(await client.call_tool("text_to_speech", {"text": "hi", "voice_id": "v1"}))
    assert err["code"] == "task_failed" and "speech" in err["message"], err


async def test_list_voices_adds_the_element_voices_not_among_the_tts_voices(
    client: Client, api: respx.MockRouter
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tts/voices").respond(json={"ttsList": [{"name": "Ann", "speakerId": "ann_1", "emotions": []}]})
    api.get("/elements/voices").respond(json=[{"id": "ann_1", "name": "Ann"}, {"id": 77, "name": "Bob"}])
    out = await client.call_tool("list_voices", {})
    assert not out.is_error, out.content
    content = out.structured_content
    assert [v["voice_id"] for v in content["voices"]] == ["ann_1"]
    assert content["element_voices"] == [{"id": 77, "name": "Bob"}]


# --- delete_avatar asks first -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "confirm"), [("decline", True), ("cancel", True), ("accept", False)])
async def test_delete_avatar_asks_first_and_a_refusal_deletes_nothing(
    make_settings: Any, api: respx.MockRouter, action: str, confirm: bool
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    delete = api.delete("/avatars/123456789012").respond(json={"deleted": None})
    answer = _answer(action, confirm)
    async with Client(create_server(make_settings(confirm="always")), elicitation_callback=answer) as c:
        err = error_of(await c.call_tool("delete_avatar", {"avatar_id": "123456789012"}))
    assert err["code"] == "declined" and "Nothing was deleted" in err["message"]
    assert len(answer.asked) == 1 and "123456789012" in answer.asked[0]
    assert not delete.called


async def test_delete_avatar_goes_ahead_once_the_user_confirms(make_settings: Any, api: respx.MockRouter) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    delete = api.delete("/avatars/123456789012").respond(json={"deleted": None})
    answer = _answer("accept")
    async with Client(
        create_server(make_settings(confirm="above", confirm_above=1000)), elicitation_callback=answer
    ) as c:
        result = await c.call_tool("delete_avatar", {"avatar_id": "123456789012"})
    assert not result.is_error, result.content
    assert delete.call_count == 1 and len(answer.asked) == 1


async def test_delete_avatar_is_refused_when_confirmation_is_wanted_but_the_client_cannot_ask(
    make_settings: Any, api: respx.MockRouter
) -> None:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    delete = api.delete("/avatars/123456789012").respond(json={"deleted": None})
    async with Client(create_server(make_settings(confirm="always"))) as c:
        err = error_of(await c.call_tool("delete_avatar", {"avatar_id": "123456789012"}))
    assert err["code"] == "declined" and "cannot show a question" in err["message"]
    assert not delete.called


async def test_a_spending_audio_tool_asks_first_and_names_the_estimate(
    make_settings: Any, api: respx.MockRouter
) -> None:
    asked: list[str] = []

    async def decline(context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="decline")

    api.get("/accounts").respond(json=accounts("a@x.com"))
    async with Client(create_server(make_settings(confirm="always")), elicitation_callback=decline) as c:
        err = error_of(await c.call_tool("add_sound", {"video": VIDEO}))
    assert err["code"] == "declined" and "Nothing was submitted" in err["message"]
    assert len(asked) == 1 and "sound for a video" in asked[0] and "80 Kling credits" in asked[0]
    assert not [call for call in api.calls if call.request.method != "GET"]


# --- the speech-first step of a lip-sync from text (jobs.sound.speech_for_lip_sync) -----------------------------------


async def test_the_speech_first_step_makes_the_speech_and_returns_its_mp3(api: respx.MockRouter) -> None:
    from kling_mcp.api.client import KlingClient
    from kling_mcp.arguments.sound import LipSync
    from kling_mcp.jobs.sound import speech_for_lip_sync
    from tests.conftest import BASE, TOKEN

    route = api.post("/tts/create").respond(
        json={"resource": MP3, "status": 99, "status_name": "succeed", "status_final": True}
    )
    async with KlingClient(token=TOKEN, base_url=BASE) as kling:
        args = LipSync(video=VIDEO, text="Good evening.", voice_id="v1", speed=1.2, emotion="happy")
        assert await speech_for_lip_sync(kling, args, "a@x.com") == MP3
        body = json.loads(route.calls.last.request.content)
        assert body == {
            "speakerId": "v1",
            "text": "Good evening.",
            "speed": 1.2,
            "emotion": "happy",
            "email": "a@x.com",
        }
        assert await speech_for_lip_sync(kling, LipSync(video=VIDEO, audio=MP3), "a@x.com") is None
        with pytest.raises(InvalidParameterError):
            await speech_for_lip_sync(kling, LipSync(video=VIDEO, text="a" * 151, voice_id="v1"), "a@x.com")
    assert route.call_count == 1
