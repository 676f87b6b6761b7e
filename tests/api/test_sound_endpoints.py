"""The sound and faces family (issue 13, client layer): lip-sync, add-sound and avatar videos are task creates sent
once; text-to-speech is free and answered at once (repeatable); voices and avatars are read in the shapes useapi's
pages show; an avatar is created once and deleted by a path that cannot be bent."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx

from kling_mcp.api import errors
from kling_mcp.api.client import CreateAttempt, KlingClient
from kling_mcp.api.sound import (
    AddSoundRequest,
    AvatarVideoRequest,
    CreateAvatarRequest,
    LipSyncRequest,
    SpeechRequest,
)
from tests.api.conftest import SleepRecorder

VID = "https://v21-kling.klingai.com/up/face.mp4"
MP3 = "https://s21-kling.klingai.com/tts/line.mp3"
IMG = "https://s21-kling.klingai.com/up/face.png"

Create = Callable[[KlingClient, CreateAttempt], Awaitable[Any]]
LIPSYNC = LipSyncRequest(video=VID, audio=MP3, email="a@x.com")
ADD_SOUND = AddSoundRequest(video=VID, cropVideoOriginalSound=True)
AVATAR_VIDEO = AvatarVideoRequest(avatarId="300137233318846", text="Hello!", speakerId="v1", mode="pro")
TASK_CREATES: list[tuple[str, Create, dict[str, Any]]] = [
    (
        "/videos/lipsync",
        lambda c, t: c.create_lipsync(LIPSYNC, tracker=t),
        {"video": VID, "audio": MP3, "email": "a@x.com"},
    ),
    (
        "/videos/add-sound",
        lambda c, t: c.create_add_sound(ADD_SOUND, tracker=t),
        {"video": VID, "cropVideoOriginalSound": True},
    ),
    (
        "/avatars/video",
        lambda c, t: c.create_avatar_video(AVATAR_VIDEO, tracker=t),
        {"avatarId": "300137233318846", "text": "Hello!", "speakerId": "v1", "mode": "pro"},
    ),
]
AVATAR = CreateAvatarRequest(imageUrl=IMG, nickname="Mara", ttsSpeed=1.2)
ALL_CREATES = [
    *TASK_CREATES,
    (
        "/avatars",
        lambda c, t: c.create_avatar(AVATAR, tracker=t),
        {"imageUrl": IMG, "nickname": "Mara", "ttsSpeed": 1.2},
    ),
]
IDS = [path for path, _, _ in ALL_CREATES]


def _sent(route: respx.Route) -> Any:
    request = route.calls.last.request
    assert request.headers["content-type"] == "application/json"
    return json.loads(request.content)


# --- task creates -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "call", "body"), TASK_CREATES, ids=[p for p, _, _ in TASK_CREATES])
async def test_a_task_create_sends_its_exact_body_and_returns_the_task(
    client: KlingClient, upstream: respx.MockRouter, path: str, call: Create, body: dict[str, Any]
) -> None:
    # add-sound page (2025-08-08): {"task": {"id": 1234567890, "type": "kwave_video2audio", "status": 5, ...}}
    route = upstream.post(path).respond(200, json={"task": {"id": 4242, "type": "kwave_video2audio", "status": 5}})
    created = await call(client, CreateAttempt())
    assert _sent(route) == body
    assert created.task is not None and created.task.id == 4242 and created.status == 5


@pytest.mark.parametrize(("path", "call", "body"), ALL_CREATES, ids=IDS)
async def test_a_400_on_a_create_is_a_bad_request_and_nothing_was_accepted(
    client: KlingClient, upstream: respx.MockRouter, path: str, call: Create, body: dict[str, Any]
) -> None:
    upstream.post(path).respond(400, json={"error": "video is too long"})
    tracker = CreateAttempt()
    with pytest.raises(errors.BadRequestError, match="video is too long"):
        await call(client, tracker)
    assert tracker.maybe_sent is False


@pytest.mark.parametrize(("path", "call", "body"), ALL_CREATES, ids=IDS)
async def test_a_502_on_a_create_is_an_unknown_outcome_never_resent(
    client: KlingClient, upstream: respx.MockRouter, sleeps: SleepRecorder, path: str, call: Create, body: Any
) -> None:
    route = upstream.post(path).respond(502, text="Bad Gateway")
    tracker = CreateAttempt()
    with pytest.raises(errors.SubmitOutcomeUnknownError):
        await call(client, tracker)
    assert route.call_count == 1 and tracker.maybe_sent is True and sleeps.calls == []


async def test_a_lip_sync_without_audio_is_refused_before_anything_is_sent(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.post("/videos/lipsync").respond(200, json={"task": {"id": 1}})
    tracker = CreateAttempt()
    with pytest.raises(errors.InvalidParameterError, match="no audio to lip-sync"):
        await client.create_lipsync(LipSyncRequest(video=VID), tracker=tracker)
    assert not route.called and tracker.attempts == 0


# --- POST /tts/create: free, answered at once -------------------------------------------------------------------------


async def test_speech_sends_its_body_and_reads_the_mp3(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.post("/tts/create").respond(
        200, json={"resource": MP3, "status": 99, "status_name": "succeed", "status_final": True}
    )
    speech = await client.create_speech(SpeechRequest(speakerId="v1", text="Hello", speed=1.5, emotion="happy"))
    assert _sent(route) == {"speakerId": "v1", "text": "Hello", "speed": 1.5, "emotion": "happy"}
    assert speech.resource == MP3 and speech.status == 99


async def test_speech_is_retried_after_a_lost_answer_since_it_is_free(
    client: KlingClient, upstream: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    route = upstream.post("/tts/create")
    route.side_effect = [httpx.Response(503, text="busy"), httpx.Response(200, json={"resource": MP3})]
    assert (await client.create_speech(SpeechRequest(speakerId="v1", text="Hi"))).resource == MP3
    assert route.call_count == 2 and sleeps.calls == [0.5]


async def test_a_speech_moderation_500_is_not_retried(client: KlingClient, upstream: respx.MockRouter) -> None:
    # TTS page (2025-10-01): "Kling uses a 500 response to indicate moderation"
    route = upstream.post("/tts/create").respond(
        500, json={"error": "The content you uploaded appears to violate the community guidelines. (CM_EXT.POther)"}
    )
    with pytest.raises(errors.ModerationError):
        await client.create_speech(SpeechRequest(speakerId="v1", text="Hi"))
    assert route.call_count == 1


async def test_speech_refuses_an_unusable_email_before_sending(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.post("/tts/create").respond(200, json={"resource": MP3})
    with pytest.raises(errors.InvalidParameterError):
        await client.create_speech(SpeechRequest(speakerId="v1", text="Hi", email="two words@x.com"))
    assert not route.called


# --- reads ------------------------------------------------------------------------------------------------------------


async def test_voices_are_read_from_tts_list(client: KlingClient, upstream: respx.MockRouter) -> None:
    # voices page (2025-04-18)
    upstream.get("/tts/voices", params={"email": "a@x.com"}).respond(
        200,
        json={
            "ttsList": [
                {
                    "name": "Voice 1",
                    "speakerId": "voice_id_1",
                    "exampleUrl": MP3,
                    "new": False,
                    "emotions": [{"name": "Happy", "key": "happy", "enable": True}, {"key": "sad", "enable": False}],
                },
                {"name": "no id"},
            ],
            "lastSpeakerId": "voice_id_1",
            "typeList": ["en", "zh"],
        },
    )
    listing = await client.list_tts_voices("a@x.com")
    (voice,) = listing.voices
    assert (voice.speakerId, voice.name, voice.emotion_keys) == ("voice_id_1", "Voice 1", ["happy"])
    assert len(listing.items) == 2 and listing.typeList == ["en", "zh"]


async def test_avatars_are_read_from_a_bare_array(client: KlingClient, upstream: respx.MockRouter) -> None:
    # avatar page (2026-01-12): personal avatars, and templates with type=templates
    route = upstream.get("/avatars").respond(
        200,
        json=[
            {
                "id": "123456789012",
                "nickname": "My Fashion Avatar",
                "prompt": "Elegant woman",
                "imageResources": [{"url": IMG, "sourceFrom": 2}],
                "ttsSpeaker": "speaker_id_123",
                "ttsSpeed": "1",
                "ttsEmotionKey": "neutral",
            },
            {"nickname": "no id"},
        ],
    )
    listing = await client.list_avatars(type="templates", email="a@x.com")
    assert dict(route.calls.last.request.url.params) == {"email": "a@x.com", "type": "templates"}
    (avatar,) = listing.avatars
    assert (avatar.id, avatar.image_url, avatar.ttsSpeaker) == ("123456789012", IMG, "speaker_id_123")
    with pytest.raises(errors.InvalidParameterError, match="personal"):
        await client.list_avatars(type="mine")


async def test_a_created_avatar_is_read_with_its_id(client: KlingClient, upstream: respx.MockRouter) -> None:
    upstream.post("/avatars").respond(200, json={"id": 300137233318846, "status": "SUCCESS"})
    created = await client.create_avatar(AVATAR)
    assert (created.id, created.status) == ("300137233318846", "SUCCESS")


async def test_an_avatar_answer_without_an_id_still_says_it_was_made(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    upstream.post("/avatars").respond(200, json={"status": "SUCCESS", "id": {"odd": 1}})
    assert (await client.create_avatar(AVATAR)).id is None


async def test_delete_avatar_sends_the_id_in_the_path(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.delete("/avatars/300137233318846", params={"email": "a@x.com"}).respond(
        200, json={"deleted": None}
    )
    await client.delete_avatar("300137233318846", "a@x.com")
    assert route.called


@pytest.mark.parametrize("bad", ["", "../accounts", "1?email=b", "1/2", "a b", "x" * 65])
async def test_delete_avatar_refuses_an_id_that_would_bend_the_path(
    client: KlingClient, upstream: respx.MockRouter, bad: str
) -> None:
    with pytest.raises(errors.InvalidParameterError, match="avatar id"):
        await client.delete_avatar(bad)
    assert not upstream.calls
