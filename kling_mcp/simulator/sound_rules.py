"""The simulator's own reading of the rules of the sound and face endpoints: POST /videos/lipsync, /videos/add-sound,
/tts/create, /avatars and /avatars/video.

Written from the reference documents alone (``rules.SOURCES``), independently of the client's catalog, with the
conventions of ``rules.py`` (documented limits refused with 400; a field documented as not applying is accepted and
not honoured, listed in ``Made.ignored``; unknown field names refused) and its ``Refused``. Every rule is in ``RULES``
with its source. ``Made`` (what an accepted request makes) is shared with ``image_rules.py``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kling_mcp.simulator import presets
from kling_mcp.simulator.rules import ROUTING_FIELDS, Refused, Rule, boolean, check_length, listed, text, utf16_length
from kling_mcp.simulator.video_rules import UNKNOWN_VIDEO_SECONDS, MediaInfo, aspect_of, choice
from kling_mcp.simulator.video_rules import Account as VideoAccount

LIPSYNC = "lipsync"
ADD_SOUND = "add-sound"
TTS = "tts-create"
AVATAR = "avatars"
AVATAR_VIDEO = "avatars-video"
ENDPOINTS = (LIPSYNC, ADD_SOUND, AVATAR_VIDEO)  # the task-creating ones

RULES: dict[str, Rule] = {
    # --- fields ---------------------------------------------------------------------------------------------------
    "fields.lipsync": Rule("PM", "POST /videos/lipsync: email, video, audio, maxJobs, replyRef, replyUrl"),
    "fields.add-sound": Rule(
        "PM",
        "POST /videos/add-sound: email, video, cropVideoOriginalSound",
        "maxJobs, replyUrl and replyRef are accepted too (DOC-ADD-SOUND lists them)",
    ),
    "fields.tts": Rule("PM", "POST /tts/create: email, speakerId, text, speed, emotion"),
    "fields.avatar": Rule(
        "PM", "POST /avatars: email, imageUrl, nickname, prompt, scene, ttsSpeaker, ttsSpeed, ttsEmotionKey"
    ),
    "fields.avatar-video": Rule(
        "PM",
        "POST /avatars/video: email, avatarId, imageUrl, audioUrl, text, speakerId, speed, emotion, prompt, mode, "
        "maxJobs, replyUrl, replyRef",
    ),
    "media.audio.unknown": Rule(
        "INF",
        "(the simulator cannot fetch a URL it does not serve)",
        "an audio file at a URL the simulator did not serve or receive is taken to last 10 s",
    ),
    # --- lip sync -------------------------------------------------------------------------------------------------
    "lipsync.video": Rule(
        "DOC-LIPSYNC",
        "video is required, URL to the video that contains a face to sync with. Video cannot be longer than 60 "
        "seconds. (PM: 'video -- Required video URL')",
        "a video the simulator knows must be a video of at most 60 s; one it does not know is taken as media.unknown "
        "says",
    ),
    "lipsync.audio": Rule(
        "DOC-LIPSYNC",
        "audio is required, URL to the audio file containing speech. Supported audio formats include MP3, WAV, and "
        "other common audio formats.",
        "a URL the simulator knows must be an audio file",
    ),
    "lipsync.length": Rule(
        "DOC-LIPSYNC",
        "If the audio is shorter than the video, the excess video will be muted. If it's longer, the excess audio "
        "will be discarded.",
        "the result lasts as long as the video, in its ratio, with sound",
    ),
    # --- add sound ------------------------------------------------------------------------------------------------
    "add-sound.video": Rule(
        "DOC-ADD-SOUND",
        "video is required, the URL of the video to add sound to. Video can't be shorter than 3 seconds or longer "
        "than 20 seconds. (PM: 'Required, URL of the video to add sound to (3-20 seconds)')",
        "a video the simulator knows must last 3 to 20 s; one it does not know is taken as media.unknown says",
    ),
    "add-sound.crop": Rule(
        "DOC-ADD-SOUND",
        "cropVideoOriginalSound is optional, whether to preserve the original video's sound. Default false "
        "(original sound will be replaced).",
        "true or false; the result is the video, as long and in its ratio, with sound either way",
    ),
    # --- text to speech -------------------------------------------------------------------------------------------
    "tts.speaker": Rule(
        "DOC-TTS",
        "speakerId is required, a valid speakerId from GET /tts/voices. 400: {'error': 'Unable to locate speakerId'}",
    ),
    "tts.text": Rule("PM", "text -- Required, text to be converted to speech. Maximum 150 characters."),
    "tts.speed": Rule("PM", "speed -- Optional, supported range: 0.8-2 (DOC-TTS: Default is 1.0)"),
    "tts.emotion": Rule(
        "DOC-TTS",
        "emotion is optional, must be one of the supported emotion keys for the selected voice.",
        "a voice whose emotions GET /tts/voices lists as empty takes none",
    ),
    "tts.answer": Rule(
        "DOC-TTS",
        "200: {resource: <mp3 URL>, status: 99, status_name: 'succeed', status_final: true}; 'You can execute an "
        "unlimited number of TTS generations for free'; 'generates speech up to 15 seconds long' (Oct 2025)",
        "answered at once, free; the speech is also kept in the account's history as a finished task with one audio "
        "work, so that GET /tasks and GET /assets/download find it [INF]",
    ),
    "tts.length": Rule(
        "INF",
        "(DOC-TTS: up to 15 seconds; PM: at most 150 characters; speed 0.8-2)",
        "speech lasts its length in characters / (12.5 x speed) seconds, at least 1: 150 characters at the slowest "
        "speed 0.8 make the 15 s the page gives as the longest",
    ),
    # --- avatars --------------------------------------------------------------------------------------------------
    "avatar.image": Rule(
        "PM",
        "imageUrl -- Required, URL of the avatar image. Upload via POST /assets.",
        "a URL the simulator knows must be an image",
    ),
    "avatar.nickname": Rule("PM", "nickname -- Optional, display name for the avatar. Max 30 chars."),
    "avatar.prompt": Rule("PM", "prompt -- Optional, description/prompt for the avatar. Max 2000 chars."),
    "avatar.scene": Rule(
        "PM",
        "scene -- Optional, avatar use case. Supported: all, social_media, entertainment, advertising_marketing "
        "(default), business, education, virtual_idol.",
    ),
    "avatar.speaker": Rule(
        "PM",
        "ttsSpeaker -- Optional, TTS speaker ID. Use GET /tts/voices for available speakers. AI recommends if not "
        "provided.",
        "a speaker not in GET /tts/voices is refused; without one, the first voice [INF]",
    ),
    "avatar.speed": Rule("PM", "ttsSpeed -- Optional, speech speed. Range: 0.8-2.0. Default: 1."),
    "avatar.emotion": Rule(
        "DOC-AVATARS",
        "ttsEmotionKey is optional, speech emotion. Supported values: neutral (default), happy, angry, sad, "
        "fearful, disgusted, surprised. Note: Not all emotions are available for all speakers. Check GET /tts/voices",
        "an emotion the speaker does not list is refused",
    ),
    "avatar.answer": Rule(
        "DOC-AVATARS",
        "POST /avatars 200: {'id': '300137233318846', 'status': 'SUCCESS'}; personal avatars have long IDs (more "
        "than 8 digits), templates short ones",
        "created at once and free [INF]; missing fields get the simulator's own defaults (nickname 'Avatar <id>', "
        "prompt 'Natural speaking', the first voice at speed 1, neutral) [INF]",
    ),
    "avatar.list": Rule(
        "DOC-AVATARS",
        "GET /avatars: type is optional, personal (default) or templates; a JSON array",
        "another type is refused",
    ),
    "avatar.delete": Rule(
        "DOC-AVATARS",
        "DELETE /avatars/{avatarId}: 200 {'deleted': null}; 404 {'error': '<error message>'}. You can only delete "
        "personal avatars created via POST /avatars. System template avatars cannot be deleted.",
        "a template, another account's avatar or an unknown id is a 404",
    ),
    "avatar-video.source": Rule(
        "PM",
        "avatarId -- Avatar ID from GET /avatars. Provide either avatarId OR imageUrl, not both.",
        "an avatarId that is not the account's avatar nor a template is refused [INF]; a known imageUrl must be an "
        "image",
    ),
    "avatar-video.audio": Rule(
        "PM",
        "audioUrl -- URL of pre-recorded audio file. Provide either audioUrl OR text, not both.",
        "a known audioUrl must be an audio file",
    ),
    "avatar-video.text": Rule(
        "PM",
        "text -- Text to convert to speech. Max 5000 chars. Requires speakerId. (DOC-AVATARS: 'If using an "
        "avatarId, the avatar's saved ttsSpeaker is used as default')",
    ),
    "avatar-video.speaker": Rule(
        "PM",
        "speakerId -- Required when using text. Use GET /tts/voices for available speakers.",
        "a speaker not in GET /tts/voices is refused",
    ),
    "avatar-video.tts": Rule(
        "DOC-AVATARS",
        "TTS Options (when using text): speakerId, speed (0.8 to 2.0, default 1), emotion (neutral default, happy, "
        "angry, sad, fearful, disgusted, surprised)",
        "speakerId, speed and emotion with audioUrl are accepted and not honoured (convention 3); an emotion the "
        "speaker does not list is refused (avatar.emotion)",
    ),
    "avatar-video.prompt": Rule("PM", "prompt -- Optional, avatar behavior/appearance description. Max 2000 chars."),
    "avatar-video.mode": Rule("PM", "mode -- Optional, video generation mode. Supported: std (default), pro."),
    "avatar-video.length": Rule(
        "INF",
        "(DOC-AVATARS: 'The avatar speaks with realistic lip movements synchronized to the provided audio or "
        "generated text-to-speech')",
        "the video lasts as long as its audio (the speech of text: tts.length), in its image's ratio, with sound",
    ),
    # --- credits --------------------------------------------------------------------------------------------------
    "credits.sound.inferred": Rule(
        "INF",
        "(no source prices lip sync, add-sound or avatar videos; DOC-TTS: speech is free)",
        "lip sync 1 credit per second of video; add-sound 5 credits; avatar video std 4 / pro 8 credits per second; "
        "speech and avatars free",
    ),
}

FIELDS: dict[str, tuple[str, ...]] = {
    LIPSYNC: ("video", "audio", *ROUTING_FIELDS),
    ADD_SOUND: ("video", "cropVideoOriginalSound", *ROUTING_FIELDS),
    TTS: ("email", "speakerId", "text", "speed", "emotion"),
    AVATAR: ("email", "imageUrl", "nickname", "prompt", "scene", "ttsSpeaker", "ttsSpeed", "ttsEmotionKey"),
    AVATAR_VIDEO: (
        "avatarId",
        "imageUrl",
        "audioUrl",
        "text",
        "speakerId",
        "speed",
        "emotion",
        "prompt",
        "mode",
        *ROUTING_FIELDS,
    ),
}
_FIELD_RULES = {
    LIPSYNC: "fields.lipsync",
    ADD_SOUND: "fields.add-sound",
    TTS: "fields.tts",
    AVATAR: "fields.avatar",
    AVATAR_VIDEO: "fields.avatar-video",
}
TASK_TYPES = {
    LIPSYNC: "m2v_video_lip_sync",  # [INF] not documented
    ADD_SOUND: "kwave_video2audio",  # DOC-ADD-SOUND
    AVATAR_VIDEO: "m2v_avatar_video",  # [INF] not documented
    TTS: "mmu_tts",  # [INF] not documented
}
LIPSYNC_MAX_SECONDS = 60  # lipsync.video
ADD_SOUND_SECONDS = (3, 20)  # add-sound.video
TTS_MAX_TEXT, AVATAR_MAX_TEXT = 150, 5000  # tts.text, avatar-video.text
SPEEDS = (0.8, 2.0)  # tts.speed, avatar.speed
CHARS_PER_SECOND = 12.5  # tts.length
NICKNAME_MAX, PROMPT_MAX = 30, 2000  # avatar.nickname, avatar.prompt
SCENES = (
    "all",
    "social_media",
    "entertainment",
    "advertising_marketing",
    "business",
    "education",
    "virtual_idol",
)  # avatar.scene
DEFAULT_SCENE = "advertising_marketing"
MODES = ("std", "pro")  # avatar-video.mode
UNKNOWN_AUDIO_SECONDS = 10.0  # media.audio.unknown
# credits.sound.inferred
LIPSYNC_PER_SECOND, ADD_SOUND_CREDITS = 1.0, 5.0
AVATAR_PER_SECOND = {"std": 4.0, "pro": 8.0}


class Account(VideoAccount, Protocol):
    """What the sound and image rules may ask of the account, beyond what the video rules ask."""

    def avatar(self, avatar_id: str) -> Mapping[str, Any] | None:
        """The account's own avatar or a template (``presets.AVATAR_TEMPLATES``); None when neither."""

    def work(self, task_id: int, work_id: int) -> Any:
        """A work of one of the account's tasks (``lookups.WorkInfo``); None when there is no such work."""


@dataclass(frozen=True)
class Made:
    """A task-creating request the API takes: what its task makes and what it costs."""

    endpoint: str
    task_type: str
    content: str  # video | image | audio
    credits: float
    body: dict[str, Any]
    seconds: float = 0.0  # a video's or a sound's length
    aspect_ratio: str = "16:9"  # a video's ratio
    audio: bool = False
    works: int = 1
    width: int = 0  # an image's size
    height: int = 0
    mode: str = "std"
    model_name: str = ""
    ignored: dict[str, str] = field(default_factory=dict)  # field -> rule: accepted, not honoured (convention 3)


@dataclass(frozen=True)
class Speech:
    """An accepted POST /tts/create."""

    speaker_id: str
    text: str
    speed: float
    emotion: str | None
    seconds: float


@dataclass(frozen=True)
class NewAvatar:
    """An accepted POST /avatars: the avatar's fields, defaults filled in."""

    image_url: str
    nickname: str | None
    prompt: str
    scene: str
    speaker: str
    speed: float
    emotion: str


# --- shared readings --------------------------------------------------------------------------------------------


def fields(raw: Mapping[str, Any], allowed: tuple[str, ...], rule: str) -> dict[str, Any]:
    """The body with nulls dropped (fields.null); Refused naming the valid fields for an unknown one."""
    body = {k: v for k, v in raw.items() if v is not None}
    unknown = sorted(set(body) - set(allowed) - {"email"})
    if unknown:
        raise Refused(rule, f"Unknown parameter {', '.join(unknown)}. Valid parameters: {listed(allowed)}")
    return body


def number(body: dict[str, Any], name: str, rule: str, low: float, high: float, default: float) -> float:
    """A number from ``low`` to ``high`` (a JSON number or its text: fields.types), converted in ``body``."""
    if name not in body:
        return default
    value = body[name]
    problem = Refused(rule, f"Parameter {name} must be a number from {low:g} to {high:g}, got {str(value)[:40]!r}")
    if isinstance(value, bool):
        raise problem
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise problem from None
    if not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
        raise problem
    body[name] = value
    return float(value)


def count(body: dict[str, Any], name: str, rule: str, low: int, high: int | None, default: int) -> int:
    """A whole number from ``low`` to ``high`` (None: no maximum), as a JSON number or its text."""
    if name not in body:
        return default
    value = body[name]
    span = f"{low} to {high}" if high is not None else f"{low} or more"
    problem = Refused(rule, f"Parameter {name} must be a whole number from {span}, got {str(value)[:40]!r}")
    if isinstance(value, bool):
        raise problem
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise problem from None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or value < low or (high is not None and value > high):
        raise problem
    body[name] = value
    return value


def media_of(account: VideoAccount, body: dict[str, Any], name: str, kind: str, rule: str) -> MediaInfo | None:
    """The file at the URL ``body[name]`` when the simulator knows it; Refused when it knows it is not a ``kind``."""
    url = text(body, name)
    info = account.media(url) if url else None
    if info is not None and info.kind != kind:
        raise Refused(rule, f"Parameter {name} must be the URL of {'an' if kind[0] in 'aeiou' else 'a'} {kind} file")
    return info


def voice(speaker_id: str, name: str, rule: str) -> presets.TtsVoice:
    found = presets.tts_voice(speaker_id)
    if found is None:
        raise Refused(
            rule,
            f"Parameter {name} {speaker_id[:60]!r} is not a voice of GET /tts/voices. Valid values: "
            f"{listed(tuple(presets.TTS_VOICES))}",
        )
    return found


def emotion_of(body: dict[str, Any], name: str, speaker: presets.TtsVoice | None, rule: str) -> str | None:
    """The emotion asked for, which must be one of ``presets.EMOTIONS`` and, with a speaker, one it lists."""
    emotion = text(body, name)
    if emotion is None:
        return None
    if emotion not in presets.EMOTIONS:
        valid = listed(presets.EMOTIONS)
        raise Refused(rule, f"Parameter {name} {emotion[:40]!r} is not supported. Valid values: {valid}")
    if speaker is not None and emotion not in speaker.emotions:
        valid = listed(speaker.emotions) if speaker.emotions else "none (this voice takes no emotion)"
        raise Refused(
            rule, f"Parameter {name} {emotion!r} is not an emotion of voice {speaker.speaker_id}. Valid values: {valid}"
        )
    return emotion


def speech_seconds(words: str, speed: float) -> float:
    """How long the speech of ``words`` lasts (tts.length)."""
    return max(1.0, utf16_length(words) / (CHARS_PER_SECOND * speed))


def video_seconds(info: MediaInfo | None) -> float:
    return info.seconds if info is not None and info.seconds else UNKNOWN_VIDEO_SECONDS


# --- the endpoints ----------------------------------------------------------------------------------------------


def check(endpoint: str, raw: Mapping[str, Any], account: Account) -> Made:
    """Check a task-creating request of ``ENDPOINTS``; Refused (a 400) when the API would refuse it."""
    checks = {LIPSYNC: _lipsync, ADD_SOUND: _add_sound, AVATAR_VIDEO: _avatar_video}
    if endpoint not in checks:
        raise ValueError(f"unknown endpoint {endpoint!r}")
    return checks[endpoint](fields(raw, FIELDS[endpoint], _FIELD_RULES[endpoint]), account)


def _lipsync(body: dict[str, Any], account: Account) -> Made:
    if not text(body, "video"):
        raise Refused("lipsync.video", "Parameter video is required (the URL of a video with a face, at most 60 s)")
    if not text(body, "audio"):
        raise Refused("lipsync.audio", "Parameter audio is required (the URL of an audio file with speech)")
    source = media_of(account, body, "video", "video", "lipsync.video")
    media_of(account, body, "audio", "audio", "lipsync.audio")
    seconds = video_seconds(source)
    if seconds > LIPSYNC_MAX_SECONDS:
        raise Refused(
            "lipsync.video",
            f"The video lasts {seconds:g} s; lip sync takes a video of at most {LIPSYNC_MAX_SECONDS} seconds",
        )
    return Made(
        endpoint=LIPSYNC,
        task_type=TASK_TYPES[LIPSYNC],
        content="video",
        credits=LIPSYNC_PER_SECOND * seconds,
        body=body,
        seconds=seconds,
        aspect_ratio=aspect_of(account, text(body, "video")),
        audio=True,
    )


def _add_sound(body: dict[str, Any], account: Account) -> Made:
    if not text(body, "video"):
        raise Refused("add-sound.video", "Parameter video is required (the URL of a 3-20 s video)")
    if "cropVideoOriginalSound" in body:
        body["cropVideoOriginalSound"] = boolean(
            body["cropVideoOriginalSound"], "cropVideoOriginalSound", "add-sound.crop"
        )
    seconds = video_seconds(media_of(account, body, "video", "video", "add-sound.video"))
    low, high = ADD_SOUND_SECONDS
    if not low <= seconds <= high:
        raise Refused(
            "add-sound.video", f"The video lasts {seconds:g} s; add-sound takes a video of {low} to {high} seconds"
        )
    return Made(
        endpoint=ADD_SOUND,
        task_type=TASK_TYPES[ADD_SOUND],
        content="video",
        credits=ADD_SOUND_CREDITS,
        body=body,
        seconds=seconds,
        aspect_ratio=aspect_of(account, text(body, "video")),
        audio=True,
    )


def check_tts(raw: Mapping[str, Any]) -> Speech:
    """Check a POST /tts/create body; Refused (a 400) when the API would refuse it."""
    body = fields(raw, FIELDS[TTS], _FIELD_RULES[TTS])
    speaker_id = text(body, "speakerId")
    if not speaker_id:
        raise Refused("tts.speaker", "Parameter speakerId is required (a speakerId from GET /tts/voices)")
    speaker = presets.tts_voice(speaker_id)
    if speaker is None:
        raise Refused("tts.speaker", "Unable to locate speakerId")  # DOC-TTS, verbatim
    words = text(body, "text")
    if not words:
        raise Refused("tts.text", "Parameter text is required (at most 150 characters)")
    check_length("text", words, TTS_MAX_TEXT, "tts.text")
    speed = number(body, "speed", "tts.speed", *SPEEDS, default=1.0)
    emotion = emotion_of(body, "emotion", speaker, "tts.emotion")
    return Speech(speaker_id, words, speed, emotion, speech_seconds(words, speed))


def check_avatar(raw: Mapping[str, Any], account: Account) -> NewAvatar:
    """Check a POST /avatars body; Refused (a 400) when the API would refuse it."""
    body = fields(raw, FIELDS[AVATAR], _FIELD_RULES[AVATAR])
    image = text(body, "imageUrl")
    if not image:
        raise Refused("avatar.image", "Parameter imageUrl is required (the URL of the avatar's image)")
    media_of(account, body, "imageUrl", "image", "avatar.image")
    nickname = text(body, "nickname")
    check_length("nickname", nickname, NICKNAME_MAX, "avatar.nickname")
    prompt = text(body, "prompt")
    check_length("prompt", prompt, PROMPT_MAX, "avatar.prompt")
    scene = choice(body, "scene", SCENES, "avatar.scene", DEFAULT_SCENE)
    speaker_id = text(body, "ttsSpeaker")
    speaker = voice(speaker_id, "ttsSpeaker", "avatar.speaker") if speaker_id else None
    speed = number(body, "ttsSpeed", "avatar.speed", *SPEEDS, default=1.0)
    emotion = emotion_of(body, "ttsEmotionKey", speaker, "avatar.emotion") or "neutral"
    return NewAvatar(
        image_url=image,
        nickname=nickname or None,
        prompt=prompt or "Natural speaking",
        scene=scene,
        speaker=speaker_id or next(iter(presets.TTS_VOICES)),
        speed=speed,
        emotion=emotion,
    )


def _avatar_video(body: dict[str, Any], account: Account) -> Made:
    ignored: dict[str, str] = {}
    avatar_id, image = text(body, "avatarId"), text(body, "imageUrl")
    if bool(avatar_id) == bool(image):
        raise Refused(
            "avatar-video.source",
            "Give either avatarId (from GET /avatars) or imageUrl (an image URL), not both"
            if avatar_id
            else "Parameter avatarId or imageUrl is required (an avatar from GET /avatars, or an image URL)",
        )
    avatar: Mapping[str, Any] | None = None
    if avatar_id:
        avatar = account.avatar(avatar_id)
        if avatar is None:
            raise Refused(
                "avatar-video.source",
                f"Parameter avatarId {avatar_id[:40]!r} is not an avatar of this account nor a template (GET /avatars)",
            )
        pictures = avatar.get("imageResources") or [{}]
        picture = str(pictures[0].get("url") or "")
    else:
        media_of(account, body, "imageUrl", "image", "avatar-video.source")
        picture = image or ""
    audio_url, words = text(body, "audioUrl"), text(body, "text")
    if bool(audio_url) == bool(words):
        raise Refused(
            "avatar-video.audio",
            "Give either audioUrl (an audio file) or text (to be spoken), not both"
            if audio_url
            else "Parameter audioUrl or text is required (the sound the avatar speaks)",
        )
    check_length("prompt", text(body, "prompt"), PROMPT_MAX, "avatar-video.prompt")
    mode = choice(body, "mode", MODES, "avatar-video.mode", MODES[0])
    speaker_id = text(body, "speakerId")
    speed = number(body, "speed", "avatar-video.tts", *SPEEDS, default=1.0)
    if words:
        check_length("text", words, AVATAR_MAX_TEXT, "avatar-video.text")
        speaker = voice(speaker_id, "speakerId", "avatar-video.speaker") if speaker_id else None
        if speaker is None:
            saved = str((avatar or {}).get("ttsSpeaker") or "")
            if not saved:
                raise Refused(
                    "avatar-video.text",
                    "Parameter speakerId is required with text (a speakerId from GET /tts/voices)"
                    + ("" if avatar is None else "; this avatar has no saved ttsSpeaker"),
                )
            speaker = voice(saved, "the avatar's ttsSpeaker", "avatar-video.speaker")
            if "speed" not in body and (avatar or {}).get("ttsSpeed"):
                speed = float(str((avatar or {})["ttsSpeed"]))
        emotion_of(body, "emotion", speaker, "avatar.emotion")
        seconds = speech_seconds(words, speed)
    else:
        emotion_of(body, "emotion", None, "avatar-video.tts")
        ignored.update({name: "avatar-video.tts" for name in ("speakerId", "speed", "emotion") if name in body})
        sound = media_of(account, body, "audioUrl", "audio", "avatar-video.audio")
        seconds = sound.seconds if sound is not None and sound.seconds else UNKNOWN_AUDIO_SECONDS
    return Made(
        endpoint=AVATAR_VIDEO,
        task_type=TASK_TYPES[AVATAR_VIDEO],
        content="video",
        credits=AVATAR_PER_SECOND[mode] * seconds,
        body=body,
        seconds=seconds,
        aspect_ratio=aspect_of(account, picture),
        audio=True,
        mode=mode,
        ignored=ignored,
    )
