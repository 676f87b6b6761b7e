"""Kling's built-in lists, the same for every simulated account: video effects (GET /videos/effects), official
motions (GET /videos/motions), element tags (GET /elements/tags), element voices (GET /elements/voices), the voices of
text to speech (GET /tts/voices) and the avatar templates (GET /avatars?type=templates).

The shapes follow useapi's pages (each list's comment names its source); the entries themselves are the
simulator's own, few and small [INF]. The preview media of effects and motions are served by the simulator
(``/cdn/presets/...``, with the avatar templates' pictures and the voices' examples), so a motion's length is known
to the rules like that of any file the simulator serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Effect:
    """One effect of GET /videos/effects (DOC-EFFECTS: ``name``, ``caption``, ``supportedModelMode``,
    ``promptSupported``; ``compositedSchema.process.taskType`` is ``m2v_img2video_se_hq``, ``taskVersion`` 1.6)."""

    name: str
    caption: str
    modes: tuple[str, ...]
    prompt: bool
    hot: bool = False

    def listing(self, base: str) -> dict[str, Any]:
        preview = f"{base}/cdn/presets/effect_{self.name}"
        image = {"inputType": "URL", "contentType": "IMAGE", "optional": False, "contentName": "image"}
        return {
            "name": self.name,
            "caption": self.caption,
            "hot": self.hot,
            "minimalKrnVersion": 400,
            "supportedModelMode": list(self.modes),
            "compositedSchema": {
                "preprocess": {"taskType": "", "taskVersion": "", "defaultPrompt": "", "requireInputs": [image]},
                "process": {
                    "taskType": EFFECT_TASK_TYPE,
                    "taskVersion": "1.6",
                    "defaultPrompt": "",
                    "requireInputs": [image],
                },
            },
            "videoUrl": f"{preview}.mp4",
            "coverUrl": f"{preview}.png",
            "webVideoUrl": f"{preview}.mp4",
            "effectSupported": True,
            "promptSupported": self.prompt,
        }


EFFECT_TASK_TYPE = "m2v_img2video_se_hq"  # DOC-EFFECTS: compositedSchema.process.taskType
EFFECT_SECONDS = 5  # every effect clip lasts 5 s [INF: effects are 1.6-era templates, whose default is 5 s]
# DOC-EFFECTS shows "rocket" (std, pro) and "spinoff" (pro only); the other two are the simulator's own.
EFFECTS: dict[str, Effect] = {
    e.name: e
    for e in (
        Effect("rocket", "Rocket", ("std", "pro"), prompt=True, hot=True),
        Effect("spinoff", "Dizzy", ("pro",), prompt=False),
        Effect("bloombloom", "Bloom Bloom", ("std", "pro"), prompt=True),
        Effect("squish", "Squish", ("std", "pro"), prompt=False),
    )
}


@dataclass(frozen=True)
class Motion:
    """One official motion of GET /videos/motions (DOC-MOTIONS, Jan 6 2026: ``assetId``, ``assetType`` MOTION,
    ``url`` to use as motionUrl, ``coverUrl``, ``duration`` in ms, ``width``, ``height``, ``hasAudio``,
    ``createTime``). ``name`` is the simulator's addition, so that a person can tell them apart."""

    asset_id: str
    name: str
    seconds: float
    aspect_ratio: str
    audio: bool


# DOC-MOTIONS' sample motion lasts 5760 ms; the others span the 3–30 s a motion may last (PM motion-create).
OFFICIAL_MOTIONS: dict[str, Motion] = {
    m.asset_id: m
    for m in (
        Motion("motion_walk", "Walking", 5.75, "9:16", audio=False),
        Motion("motion_dance", "Dance", 8, "9:16", audio=True),
        Motion("motion_wave", "Wave", 4, "1:1", audio=False),
        Motion("motion_run", "Long run", 24, "16:9", audio=False),
    )
}

# GET /elements/tags: DOC-ELEMENTS shows a tag as {"id": "1", "tagKey": "character", "tagDesc": "Character"} and
# POST /elements takes "either id or tagKey"; the rest of the list is the simulator's own [INF].
TAGS: tuple[dict[str, str], ...] = tuple(
    {"id": str(number), "tagKey": key, "tagDesc": key.capitalize()}
    for number, key in enumerate(("character", "animal", "prop", "costume", "scene", "effect", "other"), start=1)
)
CHARACTER_TAG = "1"

# GET /elements/voices: DOC-ELEMENTS shows an element's voice as {id: number, name, official, resource}; the
# entries are the simulator's own [INF].
VOICES: tuple[dict[str, Any], ...] = (
    {"id": 1001, "name": "Calm narrator", "official": True},
    {"id": 1002, "name": "Bright voice", "official": True},
    {"id": 1003, "name": "Deep voice", "official": True},
)


def tag(value: str) -> dict[str, str] | None:
    """The tag named by its id or its tagKey (DOC-ELEMENTS: "Accepts either id or tagKey")."""
    return next((t for t in TAGS if value in (t["id"], t["tagKey"])), None)


def voice(value: str) -> dict[str, Any] | None:
    """The official voice named by its id or its name (PM: "official voice name/ID")."""
    return next((v for v in VOICES if value in (str(v["id"]), v["name"])), None)


# --- text to speech and avatars ---------------------------------------------------------------------------------------

# The emotions a voice may take (useapi's avatar pages, Jan 12 2026: "neutral (default), happy, angry, sad, fearful,
# disgusted, surprised"; GET /tts/voices lists each voice's own as {name, key, enable}).
EMOTIONS = ("neutral", "happy", "angry", "sad", "fearful", "disgusted", "surprised")
VOICE_SAMPLE_SECONDS = 3.0  # the length of a voice's exampleUrl [INF]


@dataclass(frozen=True)
class TtsVoice:
    """One voice of GET /tts/voices (useapi's page get-kling-tts-voices, Apr 18 2025: ``name``, ``speakerId``,
    ``exampleUrl``, ``new``, ``emotions`` [{name, key, enable}]; the sample's second voice has no emotions)."""

    speaker_id: str
    name: str
    emotions: tuple[str, ...]
    new: bool = False

    def listing(self, base: str) -> dict[str, Any]:
        return {
            "name": self.name,
            "speakerId": self.speaker_id,
            "exampleUrl": f"{base}/cdn/presets/voice_{self.speaker_id}.mp3",
            "new": self.new,
            "emotions": [{"name": key.capitalize(), "key": key, "enable": True} for key in self.emotions],
        }


# The voices themselves are the simulator's own [INF]: one with every emotion, one with a few, one with neutral only
# and one with none (as the page's sample voice 2).
TTS_VOICES: dict[str, TtsVoice] = {
    v.speaker_id: v
    for v in (
        TtsVoice("oversea_female1", "Clear woman", EMOTIONS),
        TtsVoice("oversea_male1", "Calm man", ("neutral", "happy", "sad", "angry")),
        TtsVoice("uk_boy1", "Young British", ("neutral",)),
        TtsVoice("chat1_female_new-3", "Chatty", (), new=True),
    )
}
TTS_LANGUAGES = ("en", "zh")  # GET /tts/voices typeList (the page's sample)


def tts_voice(speaker_id: str) -> TtsVoice | None:
    return TTS_VOICES.get(speaker_id)


@dataclass(frozen=True)
class AvatarTemplate:
    """One of Kling's avatar templates (GET /avatars?type=templates, useapi's page of Jan 12 2026: ``id`` of 8 digits
    or fewer, ``name``, ``imageResources`` [{url}], ``prompt``). The templates are the simulator's own [INF]."""

    id: str
    name: str
    prompt: str
    aspect_ratio: str

    def listing(self, base: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "imageResources": [{"url": f"{base}/cdn/presets/avatar_{self.id}.png"}],
            "prompt": self.prompt,
        }


AVATAR_TEMPLATES: dict[str, AvatarTemplate] = {
    t.id: t
    for t in (
        AvatarTemplate("10001", "Business Woman", "Professional businesswoman in formal attire", "9:16"),
        AvatarTemplate("10002", "Teacher", "Friendly teacher in a classroom", "16:9"),
    )
}
