"""The catalog's rules for the sound and faces endpoints (issue 13): lip-sync, text-to-speech, add-sound and Avatar 2.0.
Every rule's refusal names the parameter, the value and what is allowed (and says when the rule is inferred); every
accepted call builds the exact upstream body, in the field names of useapi's Postman collection, with its estimate."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kling_mcp import catalog
from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.catalog import sound
from kling_mcp.catalog.sound import (
    validate_add_sound,
    validate_avatar,
    validate_avatar_video,
    validate_lip_sync,
    validate_speech,
)

VIDEO = "https://cdn.test/face.mp4"
AUDIO = "https://cdn.test/line.mp3"
IMAGE = "https://cdn.test/face.png"
EMOJI = "\U0001f600"  # 2 UTF-16 units
SEVEN = ["neutral", "happy", "angry", "sad", "fearful", "disgusted", "surprised"]


def refused(call: Any, parameter: str, *fragments: str, **params: Any) -> InvalidParameterError:
    """The call is refused on ``parameter`` and the message carries every fragment (value, rule, allowed values)."""
    with pytest.raises(InvalidParameterError) as caught:
        call(**params)
    err = caught.value
    assert err.parameter == parameter, err.message
    for fragment in fragments:
        assert fragment in err.message, (fragment, err.message)
    assert "Allowed:" in err.message, err.message
    return err


# --- POST /videos/lipsync ---------------------------------------------------------------------------------------------


def test_lip_sync_with_audio_sends_video_and_audio_and_prices_the_video_length() -> None:
    request, estimate = validate_lip_sync(video=VIDEO, audio=AUDIO, video_seconds=10, email="a@x.com")
    assert request.to_body() == {"video": VIDEO, "audio": AUDIO, "email": "a@x.com"}
    assert (estimate.credits, estimate.duration, estimate.source) == (40, 10, "estimate")
    assert "useapi publishes no credits" in estimate.note


def test_lip_sync_of_unknown_length_is_priced_at_60_seconds_and_says_so() -> None:
    _, estimate = validate_lip_sync(video=VIDEO, audio=AUDIO)
    assert (estimate.credits, estimate.duration) == (240, 60)
    assert "not known yet" in estimate.note


def test_lip_sync_video_is_at_most_60_seconds() -> None:
    validate_lip_sync(video=VIDEO, audio=AUDIO, video_seconds=60)
    err = refused(validate_lip_sync, "video", "60.5 s", "at most 60 s", video=VIDEO, audio=AUDIO, video_seconds=60.5)
    assert "useapi's documentation page for POST /videos/lipsync" in err.message
    refused(validate_lip_sync, "video", "required", video=" ", audio=AUDIO)


def test_lip_sync_takes_audio_or_text_not_both_nor_neither() -> None:
    both = refused(validate_lip_sync, "audio", "not both", video=VIDEO, audio=AUDIO, text="hello", voice_id="v1")
    assert "inferred" in both.message
    refused(validate_lip_sync, "audio", "audio or text is required", video=VIDEO)
    refused(validate_lip_sync, "audio", "audio or text is required", video=VIDEO, audio=" ", text="  ")


@pytest.mark.parametrize(("name", "value"), [("voice_id", "v1"), ("speed", 1.2), ("emotion", "happy")])
def test_lip_sync_voice_options_need_text(name: str, value: Any) -> None:
    refused(validate_lip_sync, name, "no text is given", "inferred", video=VIDEO, audio=AUDIO, **{name: value})


def test_lip_sync_from_text_follows_the_speech_rules() -> None:
    refused(validate_lip_sync, "voice_id", "required", video=VIDEO, text="hello")
    refused(validate_lip_sync, "text", "longer than 150", video=VIDEO, text="a" * 151, voice_id="v1")
    refused(validate_lip_sync, "text", "longer than 150", video=VIDEO, text="a" * 149 + EMOJI, voice_id="v1")
    refused(validate_lip_sync, "speed", "0.8", video=VIDEO, text="hi", voice_id="v1", speed=2.5)
    refused(
        validate_lip_sync, "emotion", "joyful", "surprised", video=VIDEO, text="hi", voice_id="v1", emotion="joyful"
    )


def test_lip_sync_from_text_sends_the_speech_once_made_and_no_audio_before() -> None:
    before, estimate = validate_lip_sync(video=VIDEO, text="a" * 150, voice_id="v1", speed=0.8, emotion="sad")
    assert before.audio is None and "POST /tts/create, free" in estimate.note
    after, _ = validate_lip_sync(video=VIDEO, text="hello", voice_id="v1", speech=AUDIO)
    assert after.to_body() == {"video": VIDEO, "audio": AUDIO}


# --- POST /tts/create -------------------------------------------------------------------------------------------------


def test_speech_body_in_postman_field_names() -> None:
    request = validate_speech(text="Hello there", voice_id="v1", speed=2, emotion="happy", email="a@x.com")
    assert request.to_body() == {
        "speakerId": "v1",
        "text": "Hello there",
        "speed": 2.0,
        "emotion": "happy",
        "email": "a@x.com",
    }
    assert validate_speech(text="a" * 150, voice_id="v1", speed=0.8).to_body()["speed"] == 0.8


@pytest.mark.parametrize("speed", [0.79, 2.01, float("nan"), float("inf"), True, "1"])
def test_speech_speed_is_0_8_to_2(speed: Any) -> None:
    refused(validate_speech, "speed", "out of range", "0.8", text="hi", voice_id="v1", speed=speed)


def test_speech_refusals_name_the_rule_and_its_source() -> None:
    refused(validate_speech, "text", "must not be empty", text=" ", voice_id="v1")
    err = refused(validate_speech, "text", "150", "Maximum 150 characters", text="a" * 151, voice_id="v1")
    assert "Postman" in err.message
    refused(validate_speech, "voice_id", "required", text="hi", voice_id=None)
    refused(validate_speech, "voice_id", "required", text="hi", voice_id="  ")
    err = refused(validate_speech, "emotion", "calm", text="hi", voice_id="v1", emotion="calm")
    assert all(value in err.message for value in SEVEN) and "inferred" in err.message


# --- POST /videos/add-sound -------------------------------------------------------------------------------------------


def test_add_sound_body_and_estimate() -> None:
    request, estimate = validate_add_sound(video=VIDEO, keep_audio=True, video_seconds=8.2)
    assert request.to_body() == {"video": VIDEO, "cropVideoOriginalSound": True}
    assert (estimate.credits, estimate.duration) == (36, 9)
    _, unknown = validate_add_sound(video=VIDEO)
    assert (unknown.credits, unknown.duration) == (80, 20) and "not known yet" in unknown.note
    assert validate_add_sound(video=VIDEO)[0].to_body() == {"video": VIDEO}


@pytest.mark.parametrize("seconds", [2.9, 20.1, 45])
def test_add_sound_video_is_3_to_20_seconds(seconds: float) -> None:
    refused(validate_add_sound, "video", f"{seconds:g} s", "3–20 s", video=VIDEO, video_seconds=seconds)


@pytest.mark.parametrize("seconds", [3, 20])
def test_add_sound_accepts_3_and_20_seconds(seconds: float) -> None:
    assert validate_add_sound(video=VIDEO, video_seconds=seconds)[1].duration == seconds


def test_add_sound_needs_a_video() -> None:
    refused(validate_add_sound, "video", "required", video=None)


# --- POST /avatars/video ----------------------------------------------------------------------------------------------


def test_avatar_video_body_from_a_saved_avatar_and_text() -> None:
    request, estimate = validate_avatar_video(
        avatar_id="300137233318846", text="a" * 100, speed=2, emotion="happy", prompt="smiles", mode="pro"
    )
    assert request.to_body() == {
        "avatarId": "300137233318846",
        "text": "a" * 100,
        "speed": 2.0,
        "emotion": "happy",
        "prompt": "smiles",
        "mode": "pro",
    }
    # 100 characters at 10 a second, at speed 2: 5 s of pro (7 credits a second).
    assert (estimate.credits, estimate.duration, estimate.mode) == (35, 5, "pro")
    assert "10 characters" in estimate.note and "inferred" not in estimate.note.split(":")[0]


def test_avatar_video_body_from_an_image_and_audio() -> None:
    request, estimate = validate_avatar_video(image=IMAGE, audio=AUDIO, audio_seconds=12)
    assert request.to_body() == {"imageUrl": IMAGE, "audioUrl": AUDIO, "mode": "std"}
    assert (estimate.credits, estimate.duration) == (48, 12)
    _, unknown = validate_avatar_video(image=IMAGE, audio=AUDIO)
    assert unknown.duration == 60 and "not known yet" in unknown.note


def test_avatar_video_takes_an_avatar_or_an_image() -> None:
    refused(validate_avatar_video, "avatar_id", "not both", avatar_id="123456789", image=IMAGE, audio=AUDIO)
    refused(validate_avatar_video, "avatar_id", "an avatar is required", audio=AUDIO)
    refused(validate_avatar_video, "avatar_id", "not a Kling avatar id", avatar_id="../accounts", audio=AUDIO)


def test_avatar_video_takes_audio_or_text() -> None:
    refused(validate_avatar_video, "audio", "not both", image=IMAGE, audio=AUDIO, text="hi", voice_id="v1")
    refused(validate_avatar_video, "audio", "audio or text is required", image=IMAGE)
    refused(validate_avatar_video, "text", "5000", image=IMAGE, text="a" * 5001, voice_id="v1")
    assert validate_avatar_video(image=IMAGE, text="a" * 5000, voice_id="v1")[0].text == "a" * 5000


def test_avatar_video_text_needs_a_voice_unless_the_avatar_has_one() -> None:
    err = refused(validate_avatar_video, "voice_id", "required", image=IMAGE, text="hi")
    assert "saved ttsSpeaker is used as default" in err.message
    assert validate_avatar_video(avatar_id="12345", text="hi")[0].speakerId is None


@pytest.mark.parametrize(("name", "value"), [("voice_id", "v1"), ("speed", 1.5), ("emotion", "sad")])
def test_avatar_video_voice_options_need_text(name: str, value: Any) -> None:
    refused(validate_avatar_video, name, "no text is given", image=IMAGE, audio=AUDIO, **{name: value})


def test_avatar_video_option_refusals() -> None:
    refused(validate_avatar_video, "speed", "0.8", image=IMAGE, text="hi", voice_id="v1", speed=0.5)
    refused(validate_avatar_video, "emotion", "bored", "neutral", image=IMAGE, text="hi", voice_id="v", emotion="bored")
    refused(validate_avatar_video, "prompt", "2000", image=IMAGE, audio=AUDIO, prompt="p" * 2001)
    refused(validate_avatar_video, "mode", "4k", "std", image=IMAGE, audio=AUDIO, mode="4k")


# --- POST /avatars ----------------------------------------------------------------------------------------------------


def test_avatar_body_in_postman_field_names() -> None:
    request = validate_avatar(
        image=IMAGE, nickname="Mara", prompt="a calm host", scene="education", voice_id="v1", speed=1.1, emotion="sad"
    )
    assert request.to_body() == {
        "imageUrl": IMAGE,
        "nickname": "Mara",
        "prompt": "a calm host",
        "scene": "education",
        "ttsSpeaker": "v1",
        "ttsSpeed": 1.1,
        "ttsEmotionKey": "sad",
    }
    assert validate_avatar(image=IMAGE).to_body() == {"imageUrl": IMAGE}


def test_avatar_refusals() -> None:
    refused(validate_avatar, "image", "required", image=" ")
    refused(validate_avatar, "nickname", "30", image=IMAGE, nickname="n" * 31)
    assert validate_avatar(image=IMAGE, nickname="n" * 30).nickname == "n" * 30
    refused(validate_avatar, "prompt", "2000", image=IMAGE, prompt="p" * 2001)
    err = refused(validate_avatar, "scene", "gaming", "virtual_idol", image=IMAGE, scene="gaming")
    assert all(scene in err.message for scene in sound.SCENES)
    refused(validate_avatar, "emotion", "calm", "disgusted", image=IMAGE, emotion="calm")
    refused(validate_avatar, "speed", "2.2", image=IMAGE, speed=2.2)
    refused(validate_avatar, "voice_id", "blank", image=IMAGE, voice_id=" ")


# --- kling://models ---------------------------------------------------------------------------------------------------


def test_kling_models_describes_the_sound_endpoints_with_their_sources() -> None:
    document = catalog.catalog_document()
    endpoints = document["endpoints"]
    tools = {key: endpoints[key]["tool"] for key in sound.SOUND_ENDPOINTS}
    assert tools == {
        "lip_sync": "lip_sync",
        "speech": "text_to_speech",
        "add_sound": "add_sound",
        "avatar_video": "avatar_video",
        "avatar": "create_avatar",
    }
    tags = set(document["sources"])
    assert {"L", "T", "D", "A"} <= tags
    for key in sound.SOUND_ENDPOINTS:
        for rule in endpoints[key]["rules"]:
            assert rule["sources"] and all(source[1] in tags for source in rule["sources"]), rule
            assert rule["inferred"] == any(source.startswith("[I]") for source in rule["sources"]), rule
    lip = endpoints["lip_sync"]
    assert any("frontal face" in rule["rule"] and "60 s" in rule["rule"] for rule in lip["rules"])
    assert lip["credits"] == {
        "basis": lip["credits"]["basis"],
        "source": "estimate",
        "sources": lip["credits"]["sources"],
        "per_second": {"std": 4},
    }
    assert endpoints["avatar_video"]["credits"]["per_second"] == {"std": 4, "pro": 7}
    assert endpoints["speech"]["credits"] is None and "free" in endpoints["speech"]["notes"][0]


def test_every_source_tag_names_one_source() -> None:
    every = [*catalog.SOURCES, *sound.SOUND_SOURCES]
    labels: dict[str, set[str]] = {}
    for source in every:
        labels.setdefault(source.tag, set()).add(source.label())
    clashes = {tag: found for tag, found in labels.items() if len(found) > 1 and tag != "I"}
    assert not clashes


def test_no_sound_catalog_text_says_seed() -> None:
    texts = [json.dumps({key: e.describe() for key, e in sound.SOUND_ENDPOINTS.items()}, ensure_ascii=False)]
    for call, params in (
        (validate_lip_sync, {"video": VIDEO, "audio": AUDIO, "text": "x"}),
        (validate_speech, {"text": "hi", "voice_id": "v", "emotion": "x"}),
        (validate_avatar_video, {"image": IMAGE, "text": "hi"}),
    ):
        with pytest.raises(InvalidParameterError) as caught:
            call(**params)
        texts.append(caught.value.message)
    texts.append(validate_avatar_video(image=IMAGE, text="hi", voice_id="v")[1].note)
    assert not any("seed" in text.lower() for text in texts)
