"""The arguments of the "audio" toolset: lip_sync, add_sound, avatar_video (each spends credits), text_to_speech
(free, answered at once), list_voices, list_avatars, create_avatar and delete_avatar.

Field names follow the other tools (``prompt``, ``mode``, ``email``, ``idempotency_key``, ``wait_seconds``,
``keep_audio``); one voice parameter, ``voice_id``, stands for the upstream's ``speakerId`` / ``ttsSpeaker``. Upstream
names stay in ``api/sound.py``. The catalog (``catalog/sound.py``) enforces every value and bound with the rule's
source; the emotion and scene values are named by its refusals rather than published as enums.

The family's eight tools share a 5 KB budget of description + input schema, so their parameters are written lean:
short descriptions, no per-property ``title`` (the property's name says it), and shorter texts for ``email``,
``idempotency_key`` and ``wait_seconds`` (same names, types, bounds and meaning as the other tools').
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from pydantic import Field
from pydantic.fields import FieldInfo

from kling_mcp.arguments.fields import OptionalText, optional, text
from kling_mcp.arguments.video import Arguments, Generation, Kind, WithMedia
from kling_mcp.catalog import sound

# The catalog's values and bounds (kling_mcp.catalog.sound, each with its source there).
EMOTIONS = sound.EMOTIONS
SCENES = sound.SCENES
LOW, HIGH = sound.SPEED_RANGE
MAX_KEY = 200  # as the other tools' idempotency_key
WORK = "kling://works/<task_id>"


def lean(info: Any) -> Any:
    """The field without the ``title`` pydantic adds to its schema (its own schema edits kept)."""
    assert isinstance(info, FieldInfo)
    edit = info.json_schema_extra

    def run(schema: dict[str, Any]) -> None:
        if callable(edit):
            edit(schema)
        elif edit:
            schema.update(edit)
        schema.pop("title", None)

    info.json_schema_extra = run
    return info


def need(description: str, **extra: Any) -> Any:
    """A required parameter."""
    return lean(Field(description=description, json_schema_extra=extra or None))


def maybe(description: str, **schema: Any) -> Any:
    """An optional parameter (``fields.optional``: no null, no default in the schema)."""
    return lean(optional(description, schema=schema or None))


def words(description: str, limit: int) -> Any:
    """An optional free text (``fields.text``), its length published."""
    return lean(text(description, schema={"maxLength": limit}))


Email = Annotated[str | None, maybe("Account email (default KLING_EMAIL).")]
IdempotencyKey = Annotated[
    str | None,
    lean(optional(f"Same key again returns the first task (≤{MAX_KEY} chars).", max_length=MAX_KEY)),
]
WaitSeconds = Annotated[float, lean(Field(default=0, ge=0, description="Seconds to wait (≤KLING_MCP_WAIT_CAP)."))]
VoiceId = Annotated[str | None, maybe("From list_voices.")]
Speed = Annotated[float | None, maybe(f"Speech speed {LOW}–{HIGH:g}.", minimum=LOW, maximum=HIGH)]
Emotion = Annotated[str | None, maybe("One the voice has (list_voices).")]
StdOrPro = Annotated[str | None, maybe("std (default) or pro.", enum=["std", "pro"])]


class LipSync(Generation):
    """lip_sync: a video's face made to speak audio, or text first made into speech (POST /videos/lipsync)."""

    MEDIA: ClassVar[Mapping[str, Kind]] = {"video": "video", "audio": "audio"}

    video: Annotated[str, need(f"≤{sound.LIPSYNC_MAX_SECONDS:g} s, one frontal face: URL, MP4/MOV path or {WORK}.")]
    audio: Annotated[str | None, maybe(f"Speech: URL, MP3/WAV path (≤30 s) or {WORK}.")]
    text: Annotated[OptionalText, words(f"Or words (≤{sound.MAX_SPEECH_TEXT}) + voice_id.", sound.MAX_SPEECH_TEXT)]
    voice_id: VoiceId
    speed: Speed
    emotion: Emotion
    email: Email
    idempotency_key: IdempotencyKey
    wait_seconds: WaitSeconds


class AddSound(Generation):
    """add_sound: sound effects and music made for a 3–20 s video (POST /videos/add-sound)."""

    MEDIA: ClassVar[Mapping[str, Kind]] = {"video": "video"}

    video: Annotated[str, need(f"3–20 s: URL, MP4/MOV path or {WORK}.")]
    keep_audio: Annotated[bool | None, maybe("Keep its own sound too.")]
    email: Email
    idempotency_key: IdempotencyKey
    wait_seconds: WaitSeconds


class AvatarVideo(Generation):
    """avatar_video: a saved avatar or a face image speaking audio or text (POST /avatars/video)."""

    MEDIA: ClassVar[Mapping[str, Kind]] = {"image": "image", "audio": "audio"}

    avatar_id: Annotated[str | None, maybe("From list_avatars; or image.")]
    image: Annotated[str | None, maybe(f"A face: URL, PNG/JPEG path or {WORK}.")]
    audio: Annotated[str | None, maybe(f"Speech: URL, audio path or {WORK}.")]
    text: Annotated[OptionalText, words(f"Or words (≤{sound.MAX_AVATAR_TEXT}).", sound.MAX_AVATAR_TEXT)]
    voice_id: Annotated[str | None, maybe("From list_voices; default the avatar's.")]
    speed: Speed
    emotion: Emotion
    prompt: Annotated[OptionalText, words(f"Behaviour (≤{sound.MAX_AVATAR_PROMPT}).", sound.MAX_AVATAR_PROMPT)]
    mode: StdOrPro
    email: Email
    idempotency_key: IdempotencyKey
    wait_seconds: WaitSeconds


class TextToSpeech(Arguments):
    """text_to_speech: POST /tts/create (free; no task)."""

    text: Annotated[str, need(f"≤{sound.MAX_SPEECH_TEXT} chars.", maxLength=sound.MAX_SPEECH_TEXT)]
    voice_id: Annotated[str, need("From list_voices.")]
    speed: Speed
    emotion: Emotion
    email: Email


class ListVoices(Arguments):
    email: Email


class ListAvatars(Arguments):
    templates: Annotated[bool | None, maybe("true: Kling's templates.")]
    email: Email


class CreateAvatar(WithMedia):
    """create_avatar: POST /avatars (no credits). What is left out, Kling fills in from the image: the scene, the
    voice's speed and emotion are not offered (the budget; avatar_video takes speed and emotion per call), though the
    catalog checks them (``validate_avatar``)."""

    SUBMISSION: ClassVar[frozenset[str]] = frozenset({"email"})
    MEDIA: ClassVar[Mapping[str, Kind]] = {"image": "image"}

    image: Annotated[str, need(f"The face: URL, PNG/JPEG path or {WORK}.")]
    nickname: Annotated[str | None, maybe(f"≤{sound.MAX_NICKNAME} chars.", maxLength=sound.MAX_NICKNAME)]
    prompt: Annotated[
        str | None, maybe(f"Look, behaviour (≤{sound.MAX_AVATAR_PROMPT}).", maxLength=sound.MAX_AVATAR_PROMPT)
    ]
    voice_id: VoiceId
    email: Email


class DeleteAvatar(Arguments):
    avatar_id: Annotated[str, need("From list_avatars.")]
    email: Email


__all__ = [
    "EMOTIONS",
    "SCENES",
    "AddSound",
    "AvatarVideo",
    "CreateAvatar",
    "DeleteAvatar",
    "LipSync",
    "ListAvatars",
    "ListVoices",
    "TextToSpeech",
]
