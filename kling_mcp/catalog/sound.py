"""The rules of the sound and faces endpoints: lip-sync (POST /videos/lipsync), text-to-speech (POST /tts/create),
add-sound (POST /videos/add-sound) and Avatar 2.0 (POST /avatars/video, POST /avatars). Each rule carries the facts it
rests on; each validator builds the exact upstream body (``api.sound`` request models) with its credit estimate for
the endpoints that spend, or raises InvalidParameterError naming the parameter, the value, the rule with its sources
and what is allowed. ``SOUND_ENDPOINTS`` is this family's part of kling://models' ``endpoints`` section.

Sources beyond useapi's Postman collection: useapi's documentation pages of these endpoints (stored copies, dated
below). Where the Postman collection is silent they stand; where a page changed (the lip-sync video limit: 10 s in
April 2025, 60 s in October 2025), the newer one wins. useapi publishes no credits for any of them: every estimate
here is marked ``estimate`` and rests on an inferred fact.

Images, videos and audio reach a validator first as the user gave them (a path, a data: URI, a URL or a
``kling://works/…`` reference: errors quote them), then as the URLs uploaded; only their presence is checked here
(files are checked by jobs.uploads / jobs.videos / jobs.audio). A video's or an audio file's length, when known (a
local file, a previous task's work), comes in as ``video_seconds`` / ``audio_seconds``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from kling_mcp.api.sound import (
    AddSoundRequest,
    AvatarVideoRequest,
    CreateAvatarRequest,
    LipSyncRequest,
    SpeechRequest,
)
from kling_mcp.catalog.checks import Rule, one_of, optional_media, required_media, text
from kling_mcp.catalog.endpoints import STD_PRO, Endpoint, Pricing, credits_at
from kling_mcp.catalog.rules import Estimate
from kling_mcp.catalog.sources import INFERRED_RULE, POSTMAN, Fact, Source
from kling_mcp.catalog.table import ESTIMATE

__all__ = [
    "EMOTIONS",
    "SCENES",
    "SOUND_ENDPOINTS",
    "SOUND_SOURCES",
    "validate_add_sound",
    "validate_avatar",
    "validate_avatar_video",
    "validate_lip_sync",
    "validate_speech",
]

# --- sources ----------------------------------------------------------------------------------------------------------

LIPSYNC_DOC = Source("L", "useapi's documentation page for POST /videos/lipsync", "2025-04-18, updated 2025-10-01")
TTS_DOC = Source(
    "T",
    "useapi's documentation pages for POST /tts/create and GET /tts/voices",
    "2025-04-18; tts/create updated 2025-10-01",
)
ADD_SOUND_DOC = Source("D", "useapi's documentation page for POST /videos/add-sound", "2025-08-08, updated 2025-10-01")
AVATAR_DOC = Source(
    "A",
    "useapi's documentation pages for GET/POST /avatars, POST /avatars/video and DELETE /avatars/{avatarId}",
    "2026-01-12",
)
SOUND_SOURCES: tuple[Source, ...] = (AVATAR_DOC, ADD_SOUND_DOC, LIPSYNC_DOC, TTS_DOC)  # newest first

# --- what the sources say ---------------------------------------------------------------------------------------------

LIPSYNC_INPUTS = Fact(
    POSTMAN, 'lipsync video: "Required video URL"; audio: "Required audio URL, use POST /assets to upload audio"'
)
LIPSYNC_LENGTH = Fact(LIPSYNC_DOC, '"Video cannot be longer than 60 seconds" (the April 2025 page said 10 seconds)')
LIPSYNC_FACE = Fact(LIPSYNC_DOC, '"The video should contain a clear frontal view of a face with lip movements"')
LIPSYNC_FIT = Fact(
    LIPSYNC_DOC,
    "\"If the audio is shorter than the video, the excess video will be muted. If it's longer, the excess audio will "
    'be discarded"',
)
LIPSYNC_TEXT = Fact(
    INFERRED_RULE,
    "POST /videos/lipsync takes audio only: text is first made into speech with POST /tts/create (free), so it "
    "follows that endpoint's rules, and audio and text are not given together",
)
TTS_VOICE = Fact(POSTMAN, 'tts/create speakerId: "Required, use GET tts/voices to retrieve list of supported voices"')
TTS_TEXT = Fact(POSTMAN, 'tts/create text: "Required, text to be converted to speech. Maximum 150 characters"')
TTS_LENGTH = Fact(TTS_DOC, '"generates speech up to 15 seconds long from text" (2025-10-01); "free"')
TTS_SPEED = Fact(POSTMAN, 'tts/create speed: "Optional, supported range: 0.8-2"')
TTS_EMOTION = Fact(
    TTS_DOC, 'emotion: "must be one of the supported emotion keys for the selected voice" (GET /tts/voices lists them)'
)
EMOTION_VALUES = Fact(
    AVATAR_DOC,
    'ttsEmotionKey / emotion: "neutral (default), happy, angry, sad, fearful, disgusted, surprised. Note: Not all '
    'emotions are available for all speakers. Check GET /tts/voices"',
)
TTS_EMOTION_LIST = Fact(
    INFERRED_RULE,
    "the TTS pages give no list of emotions: the avatar pages' seven, which they say GET /tts/voices' speakers take, "
    "are applied",
)
VOICE_ONLY_WITH_TEXT = Fact(
    INFERRED_RULE, "voice_id, speed and emotion shape speech made from text: without text they are refused, not ignored"
)
ADD_SOUND_VIDEO = Fact(POSTMAN, 'add-sound video: "Required, URL of the video to add sound to (3-20 seconds)"')
ADD_SOUND_KEEP = Fact(
    ADD_SOUND_DOC,
    "cropVideoOriginalSound: \"whether to preserve the original video's sound. Default false (original sound will be "
    'replaced)"',
)
AVATAR_SOURCE = Fact(POSTMAN, 'avatars/video avatarId / imageUrl: "Provide either avatarId OR imageUrl, not both"')
AVATAR_AUDIO = Fact(
    POSTMAN, 'avatars/video audioUrl / text: "Provide either audioUrl OR text, not both"; text "Max 5000 chars"'
)
AVATAR_SPEAKER = Fact(
    AVATAR_DOC,
    '"speakerId is required when using text … If using an avatarId, the avatar\'s saved ttsSpeaker is used as default"',
)
AVATAR_TTS_OPTIONS = Fact(
    AVATAR_DOC, '"TTS Options (when using text)": speakerId, speed (0.8 to 2.0, default 1), emotion'
)
AVATAR_PROMPT = Fact(POSTMAN, 'avatars/video prompt: "Max 2000 chars. Default: Natural speaking"')
AVATAR_MODE = Fact(POSTMAN, 'avatars/video mode: "Supported: std (default), pro"')
AVATAR_IMAGE = Fact(POSTMAN, 'avatars imageUrl: "Required, URL of the avatar image. Upload via POST /assets"')
AVATAR_NICKNAME = Fact(POSTMAN, 'avatars nickname: "Max 30 chars. AI auto-generates if not provided"')
AVATAR_CREATE_PROMPT = Fact(POSTMAN, 'avatars prompt: "Max 2000 chars. Used as default when generating avatar videos"')
AVATAR_SCENE = Fact(
    POSTMAN,
    'avatars scene: "Supported: all, social_media, entertainment, advertising_marketing (default), business, '
    'education, virtual_idol"',
)
AVATAR_TTS = Fact(
    POSTMAN, 'avatars ttsSpeaker: "Use GET /tts/voices"; ttsSpeed: "Range: 0.8-2.0. Default: 1"; ttsEmotionKey'
)
AVATAR_ID = Fact(
    AVATAR_DOC,
    'avatar ids are digits: "Personal avatars have long IDs (more than 8 digits) … Template avatars have short IDs"',
)

# Credits: useapi publishes none for these endpoints.
RATE_PER_SECOND = Fact(
    INFERRED_RULE,
    "useapi publishes no credits for this endpoint: it is priced per second of the result at kling-v1-6's "
    "published rate for the mode (std 4, pro 7 credits a second)",
)
SPEECH_SECONDS = Fact(
    INFERRED_RULE,
    "the length of speech made from text is not known before it is made: it is taken as 1 s for every 10 "
    "characters at speed 1 (the TTS pages pair 150 characters with speech of up to 15 s)",
)

# --- values and bounds ------------------------------------------------------------------------------------------------

EMOTIONS: tuple[str, ...] = ("neutral", "happy", "angry", "sad", "fearful", "disgusted", "surprised")
SCENES: tuple[str, ...] = (
    "all",
    "social_media",
    "entertainment",
    "advertising_marketing",
    "business",
    "education",
    "virtual_idol",
)
SPEED_RANGE = (0.8, 2.0)  # Postman: "0.8-2" (tts/create), "0.8-2.0" (avatars, avatars/video)
MAX_SPEECH_TEXT = 150  # Postman tts/create text: "Maximum 150 characters"
MAX_AVATAR_TEXT = 5000  # Postman avatars/video text: "Max 5000 chars"
MAX_AVATAR_PROMPT = 2000  # Postman avatars and avatars/video prompt: "Max 2000 chars"
MAX_NICKNAME = 30  # Postman avatars nickname: "Max 30 chars"
LIPSYNC_MAX_SECONDS = 60.0  # LIPSYNC_DOC (2025-10-01)
ADD_SOUND_SECONDS = (3.0, 20.0)  # Postman add-sound video: "(3-20 seconds)"
CHARS_PER_SECOND = 10  # SPEECH_SECONDS (inferred)
UNKNOWN_AUDIO_SECONDS = 60.0  # an avatar's audio of unknown length is priced at a minute (inferred, RATE_PER_SECOND)
PRICE_MODEL = "kling-v1-6"  # whose published per-second rates price these endpoints (RATE_PER_SECOND)

# --- rules ------------------------------------------------------------------------------------------------------------

LIPSYNC_VIDEO_RULE = Rule(
    "video",
    f"required: at most {LIPSYNC_MAX_SECONDS:g} s, with one clear frontal face whose lips move",
    (LIPSYNC_INPUTS, LIPSYNC_LENGTH, LIPSYNC_FACE),
)
LIPSYNC_AUDIO_RULE = Rule(
    "audio",
    "audio (a file or URL, MP3 or WAV) or text + voice_id, not both; the clip keeps the video's length",
    (LIPSYNC_INPUTS, LIPSYNC_FIT, LIPSYNC_TEXT),
)
SPEECH_TEXT_RULE = Rule(
    "text",
    f"required, at most {MAX_SPEECH_TEXT} characters (UTF-16 units): up to 15 s of speech",
    (TTS_TEXT, TTS_LENGTH),
)
SPEECH_VOICE_RULE = Rule("voice_id", "required: a speakerId list_voices gives", (TTS_VOICE,))
SPEED_RULE = Rule("speed", f"{SPEED_RANGE[0]}–{SPEED_RANGE[1]:g} (default 1)", (TTS_SPEED, AVATAR_TTS))
SPEECH_EMOTION_RULE = Rule(
    "emotion",
    f"one of {', '.join(EMOTIONS)}, among those the voice lists",
    (TTS_EMOTION, EMOTION_VALUES, TTS_EMOTION_LIST),
)
VOICE_WITH_TEXT_RULE = Rule("voice_id", "voice_id, speed and emotion only with text", (VOICE_ONLY_WITH_TEXT,))
ADD_SOUND_VIDEO_RULE = Rule("video", "required: a video of 3–20 s", (ADD_SOUND_VIDEO,))
ADD_SOUND_KEEP_RULE = Rule("keep_audio", "true keeps the video's own sound (default: replaced)", (ADD_SOUND_KEEP,))
AVATAR_SOURCE_RULE = Rule("avatar_id", "avatar_id (list_avatars) or image, not both", (AVATAR_SOURCE, AVATAR_ID))
AVATAR_AUDIO_RULE = Rule("audio", f"audio or text (at most {MAX_AVATAR_TEXT} characters), not both", (AVATAR_AUDIO,))
AVATAR_SPEAKER_RULE = Rule(
    "voice_id", "required with text, unless avatar_id (the avatar's saved voice is the default)", (AVATAR_SPEAKER,)
)
AVATAR_TTS_RULE = Rule(
    "speed",
    f"speed {SPEED_RANGE[0]}–{SPEED_RANGE[1]:g} and emotion ({', '.join(EMOTIONS)}) only with text",
    (AVATAR_TTS_OPTIONS, EMOTION_VALUES),
)
AVATAR_PROMPT_RULE = Rule("prompt", f"optional, at most {MAX_AVATAR_PROMPT} characters", (AVATAR_PROMPT,))
AVATAR_MODE_RULE = Rule("mode", "std (default) or pro", (AVATAR_MODE,))
AVATAR_IMAGE_RULE = Rule("image", "required", (AVATAR_IMAGE,))
AVATAR_NICKNAME_RULE = Rule("nickname", f"optional, at most {MAX_NICKNAME} characters", (AVATAR_NICKNAME,))
AVATAR_CREATE_PROMPT_RULE = Rule("prompt", f"optional, at most {MAX_AVATAR_PROMPT} characters", (AVATAR_CREATE_PROMPT,))
AVATAR_SCENE_RULE = Rule("scene", f"one of {', '.join(SCENES)}", (AVATAR_SCENE,))
AVATAR_EMOTION_RULE = Rule("emotion", f"one of {', '.join(EMOTIONS)}", (EMOTION_VALUES,))


# --- pricing ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PerSecond(Pricing):
    """Credits per second of the result, by mode (kling://models shows ``per_second``)."""

    def describe(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
            "source": self.source,
            "sources": [fact.short() for fact in self.facts],
            "per_second": {mode: credits_at(PRICE_MODEL, mode, 1, False) for mode in self.modes},
        }


def _estimate(mode: str, seconds: float, note: str, label: str) -> Estimate:
    whole = max(1, math.ceil(seconds))
    return Estimate(credits_at(PRICE_MODEL, mode, whole, False), ESTIMATE, mode, whole, False, note, label)


def _known(seconds: float | None) -> bool:
    return seconds is not None and math.isfinite(seconds) and seconds > 0


# --- shared checks ----------------------------------------------------------------------------------------------------


def _speed(value: float | None, rule: Rule) -> float | None:
    if value is None:
        return None
    low, high = SPEED_RANGE
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        rule.refuse(value, "out of range", f"a number from {low} to {high:g}", parameter="speed")
    return float(value)


def _given(value: str | None) -> str | None:
    return None if value is None or not value.strip() else value


def _voice(value: str | None, rule: Rule, *, required: bool) -> str | None:
    voice = _given(value)
    if voice is None and (required or value is not None):
        rule.refuse(
            value, "a voice id is required" if required else "must not be blank", "a voice id list_voices gives"
        )
    return voice


def _avatar_id(value: str) -> str:
    if len(value) > 64 or not all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in value):
        AVATAR_SOURCE_RULE.refuse(value, "not a Kling avatar id", "an id list_avatars gives, such as 300137233318846")
    return value


# --- POST /tts/create -------------------------------------------------------------------------------------------------


def validate_speech(
    *,
    text: str | None,
    voice_id: str | None,
    speed: float | None = None,
    emotion: str | None = None,
    email: str | None = None,
) -> SpeechRequest:
    """Check a text-to-speech request (POST /tts/create, free) and build its body."""
    spoken = _speech_text(text)
    voice = _voice(voice_id, SPEECH_VOICE_RULE, required=True)
    assert voice is not None
    chosen = one_of(emotion, EMOTIONS, None, SPEECH_EMOTION_RULE, "voice emotion")
    return SpeechRequest(speakerId=voice, text=spoken, email=email, speed=_speed(speed, SPEED_RULE), emotion=chosen)


def _speech_text(value: str | None) -> str:
    checked = text(value, required=True, parameter="text", limit=MAX_SPEECH_TEXT, rule=SPEECH_TEXT_RULE)
    assert checked is not None
    return checked


# --- POST /videos/lipsync ---------------------------------------------------------------------------------------------


def validate_lip_sync(
    *,
    video: str | None,
    audio: str | None = None,
    text: str | None = None,
    voice_id: str | None = None,
    speed: float | None = None,
    emotion: str | None = None,
    speech: str | None = None,
    video_seconds: float | None = None,
    email: str | None = None,
) -> tuple[LipSyncRequest, Estimate]:
    """Check a lip-sync (POST /videos/lipsync) and build its body. With ``text`` the speech is made first (POST
    /tts/create, ``jobs.sound.speech_for_lip_sync``); ``speech`` is its MP3 URL once made (the body has no audio
    until then, and the client refuses to send it). ``video_seconds``: the video's length when known."""
    clip = required_media(
        video,
        "video",
        "a video with one clear frontal face (URL, local MP4/MOV or kling://works/…)",
        LIPSYNC_VIDEO_RULE,
    )
    if _known(video_seconds):
        assert video_seconds is not None
        if video_seconds > LIPSYNC_MAX_SECONDS:
            LIPSYNC_VIDEO_RULE.refuse(
                video, f"the video lasts {video_seconds:g} s", f"a video of at most {LIPSYNC_MAX_SECONDS:g} s"
            )
    sound, said = optional_media(audio), _given(text)
    if sound is not None and said is not None:
        LIPSYNC_AUDIO_RULE.refuse("<audio and text>", "give audio or text, not both", "audio, or text + voice_id")
    if sound is None and said is None:
        LIPSYNC_AUDIO_RULE.refuse(audio, "audio or text is required", "audio (a file or URL), or text + voice_id")
    if said is None:
        _none_without_text(voice_id, speed, emotion)
    else:
        validate_speech(text=said, voice_id=voice_id, speed=speed, emotion=emotion, email=email)
        sound = optional_media(speech)
    request = LipSyncRequest(video=clip, audio=sound, email=email)
    known = _known(video_seconds)
    seconds = video_seconds if known and video_seconds is not None else LIPSYNC_MAX_SECONDS
    notes = [] if known else [f"The video's length is not known yet: priced at {seconds:g} s, the longest allowed."]
    if said is not None:
        notes.append("The speech is made first from the text (POST /tts/create, free).")
    notes.append(f"An estimate: {RATE_PER_SECOND.says}.")
    return request, _estimate("std", seconds, " ".join(notes), "lip-sync of a video")


def _none_without_text(voice_id: str | None, speed: float | None, emotion: str | None) -> None:
    for name, value in (("voice_id", voice_id), ("speed", speed), ("emotion", emotion)):
        if value is not None:
            VOICE_WITH_TEXT_RULE.refuse(
                value,
                f"{name} shapes speech made from text, and no text is given",
                f"omit {name}, or give text",
                parameter=name,
            )


# --- POST /videos/add-sound -------------------------------------------------------------------------------------------


def validate_add_sound(
    *,
    video: str | None,
    keep_audio: bool | None = None,
    video_seconds: float | None = None,
    email: str | None = None,
) -> tuple[AddSoundRequest, Estimate]:
    """Check an add-sound request (POST /videos/add-sound) and build its body. ``video_seconds``: the video's length
    when known (a local file, a previous task's work); unknown, the estimate takes the longest allowed, 20 s."""
    clip = required_media(
        video, "video", "a 3–20 s video (URL, local MP4/MOV or kling://works/…)", ADD_SOUND_VIDEO_RULE
    )
    low, high = ADD_SOUND_SECONDS
    known = _known(video_seconds)
    if known and video_seconds is not None and not low <= video_seconds <= high:
        ADD_SOUND_VIDEO_RULE.refuse(video, f"the video lasts {video_seconds:g} s", f"a video of {low:g}–{high:g} s")
    request = AddSoundRequest(video=clip, email=email, cropVideoOriginalSound=keep_audio)
    seconds = video_seconds if known and video_seconds is not None else high
    notes = [] if known else [f"The video's length is not known yet: priced at {high:g} s, the longest allowed."]
    notes.append(f"An estimate: {RATE_PER_SECOND.says}.")
    return request, _estimate("std", seconds, " ".join(notes), "sound for a video")


# --- POST /avatars/video ----------------------------------------------------------------------------------------------


def validate_avatar_video(
    *,
    avatar_id: str | None = None,
    image: str | None = None,
    audio: str | None = None,
    text: str | None = None,
    voice_id: str | None = None,
    speed: float | None = None,
    emotion: str | None = None,
    prompt: str | None = None,
    mode: str | None = None,
    audio_seconds: float | None = None,
    email: str | None = None,
) -> tuple[AvatarVideoRequest, Estimate]:
    """Check an avatar video (POST /avatars/video) and build its body. It lasts as long as its speech: the audio's
    length when known (``audio_seconds``), else a minute; for text, an inferred speaking rate."""
    saved, still = _given(avatar_id), optional_media(image)
    if saved is not None and still is not None:
        AVATAR_SOURCE_RULE.refuse("<avatar_id and image>", "give avatar_id or image, not both", "avatar_id, or image")
    if saved is None and still is None:
        AVATAR_SOURCE_RULE.refuse(avatar_id, "an avatar is required", "avatar_id (list_avatars), or image")
    if saved is not None:
        _avatar_id(saved)
    sound, said = optional_media(audio), _given(text)
    if sound is not None and said is not None:
        AVATAR_AUDIO_RULE.refuse("<audio and text>", "give audio or text, not both", "audio, or text + voice_id")
    if sound is None and said is None:
        AVATAR_AUDIO_RULE.refuse(audio, "audio or text is required", "audio (a file or URL), or text + voice_id")
    voice: str | None = None
    chosen_emotion: str | None = None
    checked_speed: float | None = None
    if said is None:
        for name, value in (("voice_id", voice_id), ("speed", speed), ("emotion", emotion)):
            if value is not None:
                rule = AVATAR_SPEAKER_RULE if name == "voice_id" else AVATAR_TTS_RULE
                rule.refuse(
                    value, f"{name} applies to text, and no text is given", f"omit {name}, or give text", parameter=name
                )
    else:
        said = _avatar_text(said)
        voice = _voice(voice_id, AVATAR_SPEAKER_RULE, required=saved is None)
        checked_speed = _speed(speed, AVATAR_TTS_RULE)
        chosen_emotion = one_of(emotion, EMOTIONS, None, AVATAR_EMOTION_RULE, "voice emotion")
    told = text_limit(prompt, "prompt", MAX_AVATAR_PROMPT, AVATAR_PROMPT_RULE)
    chosen_mode = one_of(mode, STD_PRO, "std", AVATAR_MODE_RULE, "mode of avatar videos")
    assert chosen_mode is not None
    request = AvatarVideoRequest(
        email=email,
        avatarId=saved,
        imageUrl=still,
        audioUrl=sound,
        text=said,
        speakerId=voice,
        speed=checked_speed,
        emotion=chosen_emotion,
        prompt=told,
        mode=chosen_mode,
    )
    notes: list[str] = []
    if said is not None:
        rate = checked_speed or 1.0
        seconds = len(said) / CHARS_PER_SECOND / rate
        notes.append(f"Its length is estimated from the text: {SPEECH_SECONDS.says}.")
    elif _known(audio_seconds):
        assert audio_seconds is not None
        seconds = audio_seconds
    else:
        seconds = UNKNOWN_AUDIO_SECONDS
        notes.append(f"The audio's length is not known yet: priced at {seconds:g} s.")
    notes.append(f"An estimate: {RATE_PER_SECOND.says}.")
    return request, _estimate(chosen_mode, seconds, " ".join(notes), "avatar video")


def _avatar_text(value: str) -> str:
    checked = text(value, required=True, parameter="text", limit=MAX_AVATAR_TEXT, rule=AVATAR_AUDIO_RULE)
    assert checked is not None
    return checked


def text_limit(value: str | None, parameter: str, limit: int, rule: Rule) -> str | None:
    return text(value, required=False, parameter=parameter, limit=limit, rule=rule)


# --- POST /avatars ----------------------------------------------------------------------------------------------------


def validate_avatar(
    *,
    image: str | None,
    nickname: str | None = None,
    prompt: str | None = None,
    scene: str | None = None,
    voice_id: str | None = None,
    speed: float | None = None,
    emotion: str | None = None,
    email: str | None = None,
) -> CreateAvatarRequest:
    """Check an avatar to create (POST /avatars, no credits) and build its body; what is left out Kling fills in."""
    still = required_media(image, "image", "an image of the face: URL, local PNG/JPEG or data: URI", AVATAR_IMAGE_RULE)
    name = text_limit(nickname, "nickname", MAX_NICKNAME, AVATAR_NICKNAME_RULE)
    told = text_limit(prompt, "prompt", MAX_AVATAR_PROMPT, AVATAR_CREATE_PROMPT_RULE)
    chosen_scene = one_of(scene, SCENES, None, AVATAR_SCENE_RULE, "avatar scene")
    voice = _voice(voice_id, SPEECH_VOICE_RULE, required=False)
    return CreateAvatarRequest(
        imageUrl=still,
        email=email,
        nickname=name,
        prompt=told,
        scene=chosen_scene,
        ttsSpeaker=voice,
        ttsSpeed=_speed(speed, SPEED_RULE),
        ttsEmotionKey=one_of(emotion, EMOTIONS, None, AVATAR_EMOTION_RULE, "voice emotion"),
    )


# --- the table --------------------------------------------------------------------------------------------------------

SOUND_ENDPOINTS: dict[str, Endpoint] = {
    "lip_sync": Endpoint(
        path="POST /videos/lipsync",
        tool="lip_sync",
        summary="A video's face made to speak an audio file, or text spoken by a Kling voice (made into speech "
        "with POST /tts/create first)",
        models=(),
        default_model=None,
        rules=(
            LIPSYNC_VIDEO_RULE,
            LIPSYNC_AUDIO_RULE,
            SPEECH_TEXT_RULE,
            SPEECH_VOICE_RULE,
            SPEED_RULE,
            SPEECH_EMOTION_RULE,
            VOICE_WITH_TEXT_RULE,
        ),
        pricing=PerSecond(
            f"{PRICE_MODEL} std's per-second rate for every second of the video ({LIPSYNC_MAX_SECONDS:g} s when its "
            "length is not known)",
            (RATE_PER_SECOND,),
            modes=("std",),
        ),
        modes=(),
    ),
    "speech": Endpoint(
        path="POST /tts/create",
        tool="text_to_speech",
        summary="Speech (an MP3) from up to 150 characters of text in a Kling voice; answered at once, not a task",
        models=(),
        default_model=None,
        rules=(SPEECH_TEXT_RULE, SPEECH_VOICE_RULE, SPEED_RULE, SPEECH_EMOTION_RULE),
        pricing=None,
        notes=('Free: "You can execute an unlimited number of TTS generations for free" (useapi\'s TTS page).',),
        modes=(),
    ),
    "add_sound": Endpoint(
        path="POST /videos/add-sound",
        tool="add_sound",
        summary="Sound effects and music generated for a 3–20 s video",
        models=(),
        default_model=None,
        rules=(ADD_SOUND_VIDEO_RULE, ADD_SOUND_KEEP_RULE),
        pricing=PerSecond(
            f"{PRICE_MODEL} std's per-second rate for every second of the video (20 s when its length is not known)",
            (RATE_PER_SECOND,),
            modes=("std",),
        ),
        modes=(),
    ),
    "avatar_video": Endpoint(
        path="POST /avatars/video",
        tool="avatar_video",
        summary="A talking-head video from a saved avatar or an image, speaking an audio file or text",
        models=(),
        default_model=None,
        rules=(
            AVATAR_SOURCE_RULE,
            AVATAR_AUDIO_RULE,
            AVATAR_SPEAKER_RULE,
            AVATAR_TTS_RULE,
            AVATAR_PROMPT_RULE,
            AVATAR_MODE_RULE,
        ),
        pricing=PerSecond(
            f"{PRICE_MODEL}'s per-second rate in the mode sent, for every second of the speech (the audio's "
            f"length, a minute when it is not known, or {CHARS_PER_SECOND} characters a second of text)",
            (RATE_PER_SECOND, SPEECH_SECONDS),
        ),
    ),
    "avatar": Endpoint(
        path="POST /avatars",
        tool="create_avatar",
        summary="A saved avatar (a face, with a default prompt and voice) for avatar_video; Kling fills in what is "
        "left out",
        models=(),
        default_model=None,
        rules=(
            AVATAR_IMAGE_RULE,
            AVATAR_NICKNAME_RULE,
            AVATAR_CREATE_PROMPT_RULE,
            AVATAR_SCENE_RULE,
            SPEED_RULE,
            AVATAR_EMOTION_RULE,
        ),
        pricing=None,
        notes=("No source prices the creation of an avatar.",),
        modes=(),
    ),
}
