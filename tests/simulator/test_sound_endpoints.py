"""The sound and face endpoints over HTTP: lip sync, add-sound and avatar videos end as MP4 works with an audio track
of the length the rules say (measured in the downloaded files), speech is an MP3 of the text's length, avatars are
kept per account, and every rule's refusal is a useapi-style 400 naming the parameter and what is allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kling_mcp.simulator import audio, mp4, presets, sound_rules
from kling_mcp.simulator.media import dimensions, video
from tests.simulator.conftest import Sim, ffprobe, needs_ffmpeg, png, wav

pytestmark = pytest.mark.anyio


async def upload(sim: Sim, data: bytes, content_type: str) -> str:
    url: str = (await sim.upload(data, content_type))["url"]
    return url


def length(data: bytes) -> float:
    """An MP3's or WAV's length, read from its headers by the simulator's prober (ffprobe tests agree with it)."""
    found = audio.probe(data)
    assert found is not None
    return found.seconds


# --- lip sync -------------------------------------------------------------------------------------------------------


async def test_lip_sync_lasts_as_long_as_its_video_with_sound(sim: Sim, tmp_path: Path) -> None:
    clip = await upload(sim, video("clean", "9:16", 7), "video/mp4")  # a silent 7 s portrait video
    speech = await upload(sim, wav(3.0), "audio/wav")  # shorter than the video: the rest is muted (DOC-LIPSYNC)
    spent = await sim.balance()
    task_id = await sim.create("/videos/lipsync", {"video": clip, "audio": speech, "replyRef": "r1"})
    (work,) = await sim.works(task_id)
    assert work["contentType"] == "video"
    probe = mp4.probe((await sim.file(work["workId"], "MP4")).content)
    assert probe.audio and probe.seconds == 7 and (probe.width, probe.height) == dimensions("9:16")
    assert work["resource"]["duration"] == 7000
    assert spent - await sim.balance() == 7  # credits.sound.inferred: 1 a second


@needs_ffmpeg
async def test_the_lip_synced_file_decodes_with_an_audio_stream(sim: Sim, tmp_path: Path) -> None:
    clip = await upload(sim, video("clean", "16:9", 5), "video/mp4")
    task_id = await sim.create("/videos/lipsync", {"video": clip, "audio": await upload(sim, wav(2), "audio/wav")})
    (work,) = await sim.works(task_id)
    found = ffprobe((await sim.file(work["workId"], "MP4")).content, ".mp4", tmp_path)
    assert sorted(s["codec_type"] for s in found["streams"]) == ["audio", "video"]
    assert float(found["format"]["duration"]) == pytest.approx(5, abs=0.07)


async def test_lip_sync_refusals(sim: Sim) -> None:
    clip = await upload(sim, video("clean", "16:9", 5), "video/mp4")
    speech = await upload(sim, wav(2), "audio/wav")
    picture = await upload(sim, png(400, 400), "image/png")
    assert "video is required" in await sim.refusal("/videos/lipsync", {"audio": speech})
    assert "audio is required" in await sim.refusal("/videos/lipsync", {"video": clip})
    assert "audio must be the URL of an audio" in await sim.refusal("/videos/lipsync", {"video": clip, "audio": clip})
    assert "video must be the URL of a video" in await sim.refusal(
        "/videos/lipsync", {"video": picture, "audio": speech}
    )
    error = await sim.refusal("/videos/lipsync", {"video": clip, "audio": speech, "voice": "x"})
    assert "Unknown parameter voice" in error and "video, audio" in error
    # An avatar speaking 1000 characters makes an 80 s video: too long to lip-sync (DOC-LIPSYNC: at most 60 s).
    long_task = await sim.create(
        "/avatars/video", {"imageUrl": picture, "text": "a" * 1000, "speakerId": "oversea_male1"}
    )
    (long_work,) = await sim.works(long_task)
    assert long_work["resource"]["duration"] == 80_000
    error = await sim.refusal("/videos/lipsync", {"video": long_work["resource"]["resource"], "audio": speech})
    assert "lasts 80 s" in error and "at most 60 seconds" in error


# --- add sound ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [3, 20])
async def test_add_sound_gives_the_video_a_soundtrack(sim: Sim, seconds: int) -> None:
    clip = await upload(sim, video("clean", "1:1", seconds), "video/mp4")
    task_id = await sim.create("/videos/add-sound", {"video": clip, "cropVideoOriginalSound": "true"})
    (work,) = await sim.works(task_id)
    assert sim.state.tasks[task_id].kind == "kwave_video2audio"  # DOC-ADD-SOUND's task type
    probe = mp4.probe((await sim.file(work["workId"], "MP4")).content)
    assert probe.audio and probe.seconds == seconds and (probe.width, probe.height) == dimensions("1:1")
    # The work's soundtrack downloads on its own too (Postman fileTypes "MP4,WAV").
    assert length((await sim.file(work["workId"], "WAV")).content) == pytest.approx(seconds, abs=0.036)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"video": "2.5s"}, "lasts 2.5 s; add-sound takes a video of 3 to 20 seconds"),
        ({"video": "21s"}, "lasts 21 s"),
        ({"video": "5s", "cropVideoOriginalSound": "maybe"}, "cropVideoOriginalSound must be true or false"),
        ({}, "video is required"),
        ({"video": "5s", "prompt": "rain"}, "Unknown parameter prompt"),
    ],
)
async def test_add_sound_refusals(sim: Sim, fields: dict[str, Any], words: str) -> None:
    if "video" in fields:
        fields["video"] = await upload(sim, video("clean", "16:9", float(fields["video"][:-1])), "video/mp4")
    assert words in await sim.refusal("/videos/add-sound", fields)


# --- text to speech -------------------------------------------------------------------------------------------------


async def test_voices_list_their_emotions_and_examples(sim: Sim) -> None:
    body = (await sim.http.get("/tts/voices")).json()
    assert body["typeList"] == ["en", "zh"] and body["lastSpeakerId"] in presets.TTS_VOICES
    voices = {v["speakerId"]: v for v in body["ttsList"]}
    assert voices.keys() == presets.TTS_VOICES.keys()
    assert [e["key"] for e in voices["oversea_male1"]["emotions"]] == ["neutral", "happy", "sad", "angry"]
    assert voices["chat1_female_new-3"]["emotions"] == []
    example = await sim.http.get(voices["uk_boy1"]["exampleUrl"])
    assert example.headers["content-type"] == "audio/mpeg" and length(example.content) == pytest.approx(3, abs=0.04)


async def test_speech_is_an_mp3_of_the_texts_length_at_once_and_free(sim: Sim) -> None:
    spent = await sim.balance()
    words = "Hello there, welcome to the show!"  # 33 characters: 33 / (12.5 x 1.1) = 2.4 s (tts.length)
    answer = await sim.http.post("/tts/create", json={"speakerId": "oversea_female1", "text": words, "speed": 1.1})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert {k: body[k] for k in ("status", "status_name", "status_final")} == {
        "status": 99,
        "status_name": "succeed",
        "status_final": True,
    }
    sound = await sim.http.get(body["resource"])
    assert sound.headers["content-type"] == "audio/mpeg" and body["resource"].endswith(".mp3")
    assert length(sound.content) == pytest.approx(2.4, abs=0.036)
    assert await sim.balance() == spent  # DOC-TTS: free
    # Kept in the account's history as a finished audio task whose MP3 and WAV download alike.
    (entry,) = (await sim.http.get("/tasks", params={"contentType": "audio"})).json()["history"]
    (work,) = entry["works"]
    assert work["contentType"] == "audio" and work["resource"]["duration"] == round(length(sound.content) * 1000)
    wav_file = (await sim.file(work["workId"], "WAV")).content
    assert wav_file[:4] == b"RIFF" and length(wav_file) == length((await sim.file(work["workId"], "MP3")).content)


@needs_ffmpeg
async def test_speech_decodes_as_mp3_and_wav(sim: Sim, tmp_path: Path) -> None:
    body = (await sim.http.post("/tts/create", json={"speakerId": "uk_boy1", "text": "x" * 150, "speed": 0.8})).json()
    found = ffprobe((await sim.http.get(body["resource"])).content, ".mp3", tmp_path)
    (stream,) = found["streams"]
    assert stream["codec_name"] == "mp3" and float(found["format"]["duration"]) == pytest.approx(15, abs=0.04)
    work_id = int(body["resource"].split("/")[-2])
    found = ffprobe((await sim.file(work_id, "WAV")).content, ".wav", tmp_path)
    assert found["streams"][0]["codec_name"] == "pcm_s16le"
    assert float(found["format"]["duration"]) == pytest.approx(15, abs=0.04)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"speakerId": "nobody"}, "Unable to locate speakerId"),  # DOC-TTS, verbatim
        ({"text": "x" * 151}, "text is too long: 151 characters, max 150"),
        ({"speed": 0.7}, "speed must be a number from 0.8 to 2"),
        ({"speed": "2.1"}, "speed must be a number from 0.8 to 2"),
        ({"emotion": "happy", "speakerId": "uk_boy1"}, "not an emotion of voice uk_boy1. Valid values: neutral"),
        ({"emotion": "sad", "speakerId": "chat1_female_new-3"}, "none (this voice takes no emotion)"),
        ({"emotion": "bored"}, "Valid values: neutral, happy, angry"),
        ({"text": ""}, "text is required"),
        ({"speakerId": None}, "speakerId is required"),
        ({"pitch": 2}, "Unknown parameter pitch"),
    ],
)
async def test_speech_refusals(sim: Sim, fields: dict[str, Any], words: str) -> None:
    body = {"speakerId": "oversea_female1", "text": "Hi", **fields}
    assert words in await sim.refusal("/tts/create", {k: v for k, v in body.items() if v is not None})


# --- avatars --------------------------------------------------------------------------------------------------------


async def test_avatars_are_created_listed_and_deleted_per_account(sim: Sim) -> None:
    image = await upload(sim, png(720, 1280), "image/png")
    created = (await sim.http.post("/avatars", json={"imageUrl": image, "ttsSpeaker": "oversea_male1"})).json()
    assert created["status"] == "SUCCESS" and created["id"].isdigit() and len(created["id"]) > 8  # DOC-AVATARS
    (mine,) = (await sim.http.get("/avatars")).json()
    assert mine["id"] == created["id"] and mine["imageResources"][0]["url"] == image
    assert (mine["ttsSpeaker"], mine["ttsSpeed"], mine["ttsEmotionKey"], mine["scene"]) == (
        "oversea_male1",
        "1",
        "neutral",
        "advertising_marketing",
    )
    templates = (await sim.http.get("/avatars", params={"type": "templates"})).json()
    assert [t["id"] for t in templates] == list(presets.AVATAR_TEMPLATES) and all(len(t["id"]) <= 8 for t in templates)
    assert (await sim.http.get(templates[0]["imageResources"][0]["url"])).headers["content-type"] == "image/png"
    assert (await sim.http.delete(f"/avatars/{created['id']}")).json() == {"deleted": None}
    assert (await sim.http.get("/avatars")).json() == []
    again = await sim.http.delete(f"/avatars/{created['id']}")
    assert again.status_code == 404 and "not found" in again.json()["error"]
    template = await sim.http.delete(f"/avatars/{templates[0]['id']}")
    assert template.status_code == 404 and "template" in template.json()["error"]
    bad = await sim.http.get("/avatars", params={"type": "mine"})
    assert bad.status_code == 400 and "Valid values: personal, templates" in bad.json()["error"]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"imageUrl": None}, "imageUrl is required"),
        ({"nickname": "n" * 31}, "nickname is too long: 31 characters, max 30"),
        ({"prompt": "p" * 2001}, "prompt is too long"),
        ({"scene": "sports"}, "Valid values: all, social_media, entertainment"),
        ({"ttsSpeaker": "nobody"}, "not a voice of GET /tts/voices"),
        ({"ttsSpeed": 2.5}, "ttsSpeed must be a number from 0.8 to 2"),
        ({"ttsSpeaker": "uk_boy1", "ttsEmotionKey": "happy"}, "not an emotion of voice uk_boy1"),
    ],
)
async def test_avatar_refusals(sim: Sim, fields: dict[str, Any], words: str) -> None:
    body = {"imageUrl": "https://images.test/face.png", **fields}
    response = await sim.http.post("/avatars", json={k: v for k, v in body.items() if v is not None})
    assert response.status_code == 400 and words in response.json()["error"], response.text
    assert (await sim.http.get("/avatars")).json() == []


async def test_an_avatar_speaks_text_with_its_saved_voice_in_its_images_ratio(sim: Sim) -> None:
    image = await upload(sim, png(720, 1280), "image/png")
    avatar = (await sim.http.post("/avatars", json={"imageUrl": image, "ttsSpeaker": "oversea_male1"})).json()["id"]
    task_id = await sim.create("/avatars/video", {"avatarId": avatar, "text": "t" * 50, "mode": "pro"})
    (probe,) = await sim.videos(task_id)  # 50 characters / 12.5 = 4 s
    assert probe.audio and probe.seconds == 4 and (probe.width, probe.height) == dimensions("9:16")


async def test_an_avatar_video_lasts_as_long_as_its_audio(sim: Sim) -> None:
    image = await upload(sim, png(1280, 720), "image/png")
    speech = await upload(sim, wav(6.0), "audio/wav")
    spent = await sim.balance()
    task_id = await sim.create("/avatars/video", {"imageUrl": image, "audioUrl": speech})
    (probe,) = await sim.videos(task_id)
    assert probe.audio and probe.seconds == 6 and (probe.width, probe.height) == dimensions("16:9")
    assert spent - await sim.balance() == 6 * sound_rules.AVATAR_PER_SECOND["std"]


async def test_an_avatar_video_from_a_template(sim: Sim) -> None:
    template = next(iter(presets.AVATAR_TEMPLATES.values()))
    task_id = await sim.create(
        "/avatars/video", {"avatarId": template.id, "text": "Hello", "speakerId": "uk_boy1", "speed": 2}
    )
    (probe,) = await sim.videos(task_id)  # at least a second of speech
    assert probe.audio and probe.seconds == 1 and (probe.width, probe.height) == dimensions(template.aspect_ratio)


IMAGE, SOUND = "https://images.test/a.png", "https://sounds.test/a.mp3"
SPOKEN = {"text": "hi", "speakerId": "oversea_male1"}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"avatarId": "TEMPLATE", "imageUrl": IMAGE, **SPOKEN}, "either avatarId"),
        (SPOKEN, "avatarId or imageUrl is required"),
        ({"avatarId": "123456789012", **SPOKEN}, "not an avatar of this account nor a template"),
        ({"imageUrl": IMAGE, "audioUrl": SOUND, **SPOKEN}, "either audioUrl"),
        ({"imageUrl": IMAGE}, "audioUrl or text is required"),
        ({"imageUrl": IMAGE, "text": "hi"}, "speakerId is required with text"),
        ({"avatarId": "TEMPLATE", "text": "hi"}, "this avatar has no saved ttsSpeaker"),
        ({"imageUrl": IMAGE, **SPOKEN, "text": "t" * 5001}, "text is too long: 5001 characters, max 5000"),
        ({"imageUrl": IMAGE, **SPOKEN, "speakerId": "nobody"}, "not a voice of GET /tts/voices"),
        ({"imageUrl": IMAGE, **SPOKEN, "speakerId": "uk_boy1", "emotion": "happy"}, "not an emotion of voice"),
        ({"imageUrl": IMAGE, **SPOKEN, "mode": "hd"}, "Valid values: std, pro"),
        ({"imageUrl": IMAGE, **SPOKEN, "prompt": "p" * 2001}, "prompt is too long"),
        ({"imageUrl": IMAGE, **SPOKEN, "speed": 0.5}, "speed must be a number from 0.8 to 2"),
    ],
)
async def test_avatar_video_refusals(sim: Sim, body: dict[str, Any], words: str) -> None:
    template = next(iter(presets.AVATAR_TEMPLATES))
    sent = {k: (template if v == "TEMPLATE" else v) for k, v in body.items()}
    assert words in await sim.refusal("/avatars/video", sent)


async def test_tts_options_with_an_audio_file_are_accepted_and_not_honoured() -> None:
    class Known:
        def media(self, url: str) -> Any:
            return None

        def task(self, task_id: int) -> None:
            return None

        def element(self, element_id: str) -> None:
            return None

        def avatar(self, avatar_id: str) -> None:
            return None

        def work(self, task_id: int, work_id: int) -> None:
            return None

    made = sound_rules.check(
        sound_rules.AVATAR_VIDEO,
        {"imageUrl": "https://images.test/a.png", "audioUrl": "https://s.test/a.mp3", "speakerId": "x", "speed": 1},
        Known(),
    )
    # With audioUrl, speakerId is not even looked up (avatar-video.tts); an unknown audio is taken as 10 s.
    assert made.ignored == {"speakerId": "avatar-video.tts", "speed": "avatar-video.tts"}
    assert made.seconds == sound_rules.UNKNOWN_AUDIO_SECONDS
