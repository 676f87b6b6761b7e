"""What the "audio" toolset's tools answer beyond tasks (lip_sync, add_sound and avatar_video answer ``TaskResult``):
the speech text_to_speech made, the voices, the avatars, an avatar created or deleted. Each model is the tool's
structured content, with its text (``summary``) and the next step; the facts come from ``jobs/sound.py`` and
``api/sound.py``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from kling_mcp.api import sound as api_sound
from kling_mcp.jobs.sound import SpeechMade, Voices

_SHOWN = 60  # a summary lists at most this many voices or avatars (the structured content has them all)


class SpeechResult(BaseModel):
    url: str = Field(description="The MP3 (Kling's CDN). Pass it as audio to lip_sync or avatar_video.")
    text: str
    voice_id: str
    email: str | None = None
    free: Literal[True] = Field(default=True, description="Making speech costs no credits.")
    next_step: str

    def summary(self) -> str:
        return f"Speech made ({self.voice_id}, free): {self.url}\n{self.next_step}"


def speech_result(made: SpeechMade) -> SpeechResult:
    return SpeechResult(
        url=made.url,
        text=made.text,
        voice_id=made.voice_id,
        email=made.email,
        next_step="Pass url as audio to lip_sync (a video's face speaks it) or avatar_video. lip_sync also takes the "
        "text and voice_id directly.",
    )


class VoiceInfo(BaseModel):
    voice_id: str = Field(description="Pass as voice_id to text_to_speech, lip_sync, avatar_video or create_avatar.")
    name: str | None = None
    emotions: list[str] = Field(default_factory=list, description="The emotion values this voice takes.")
    sample_url: str | None = Field(default=None, description="A sample of the voice (MP3).")
    new: bool | None = None

    def line(self) -> str:
        text = f"- {self.voice_id}" + (f" ({self.name})" if self.name else "")
        if self.emotions:
            text += f": {', '.join(self.emotions)}"
        return text


class VoiceList(BaseModel):
    voices: list[VoiceInfo]
    languages: list[Any] = Field(default_factory=list, description="The languages useapi lists (typeList).")
    element_voices: list[Any] = Field(
        default_factory=list,
        description="Voices of GET /elements/voices that are not above: for create_element's voice (VIDEO elements).",
    )
    note: str | None = None
    next_step: str

    def summary(self) -> str:
        lines = [f"{len(self.voices)} voice(s):", *(v.line() for v in self.voices[:_SHOWN])]
        if len(self.voices) > _SHOWN:
            lines.append(f"… and {len(self.voices) - _SHOWN} more (structured content).")
        if self.element_voices:
            lines.append(f"{len(self.element_voices)} more voice(s) for VIDEO elements (element_voices).")
        if self.note:
            lines.append(self.note)
        lines.append(self.next_step)
        return "\n".join(lines)


def voice_list(voices: Voices) -> VoiceList:
    listed = [
        VoiceInfo(
            voice_id=voice.speakerId,
            name=voice.name,
            emotions=voice.emotion_keys,
            sample_url=voice.exampleUrl,
            new=voice.new,
        )
        for voice in voices.tts.voices
    ]
    note = None
    if voices.element_error:
        note = f"The element voices could not be read: {voices.element_error}"
    return VoiceList(
        voices=listed,
        languages=voices.tts.typeList,
        element_voices=voices.element_voices,
        note=note,
        next_step="Pass a voice_id (and one of its emotions) to text_to_speech, lip_sync (with text) or avatar_video.",
    )


class AvatarInfo(BaseModel):
    avatar_id: str = Field(description="Pass as avatar_id to avatar_video (or delete_avatar).")
    name: str | None = None
    prompt: str | None = None
    scene: str | None = None
    image_url: str | None = None
    voice_id: str | None = Field(default=None, description="Its saved voice: avatar_video's default.")
    speed: str | float | None = None
    emotion: str | None = None

    def line(self) -> str:
        text = f"- {self.avatar_id}" + (f" ({self.name})" if self.name else "")
        if self.voice_id:
            text += f", voice {self.voice_id}"
        if self.prompt:
            text += f": {self.prompt[:80]}"
        return text


def avatar_info(avatar: api_sound.Avatar) -> AvatarInfo:
    return AvatarInfo(
        avatar_id=avatar.id,
        name=avatar.nickname or avatar.name,
        prompt=avatar.prompt,
        scene=avatar.scene,
        image_url=avatar.image_url,
        voice_id=avatar.ttsSpeaker,
        speed=avatar.ttsSpeed,
        emotion=avatar.ttsEmotionKey,
    )


class AvatarList(BaseModel):
    templates: bool = Field(description="True: Kling's templates; false: the account's own avatars.")
    avatars: list[AvatarInfo]
    next_step: str

    def summary(self) -> str:
        which = "Kling's avatar templates" if self.templates else "your avatars"
        if not self.avatars:
            return f"No {which}.\n{self.next_step}"
        lines = [f"{len(self.avatars)} of {which}:", *(a.line() for a in self.avatars[:_SHOWN])]
        if len(self.avatars) > _SHOWN:
            lines.append(f"… and {len(self.avatars) - _SHOWN} more (structured content).")
        lines.append(self.next_step)
        return "\n".join(lines)


def avatar_list(listing: api_sound.AvatarList, *, templates: bool | None) -> AvatarList:
    avatars = [avatar_info(a) for a in listing.avatars]
    step = "Pass an avatar_id to avatar_video with audio or text."
    if not avatars and not templates:
        step = "create_avatar saves one from an image; list_avatars(templates=true) lists Kling's."
    return AvatarList(templates=bool(templates), avatars=avatars, next_step=step)


class NewAvatar(BaseModel):
    avatar_id: str | None = Field(description="The new avatar's id (None when useapi's answer carried none).")
    status: str | None = None
    next_step: str

    def summary(self) -> str:
        head = f"Avatar {self.avatar_id} created." if self.avatar_id else "Avatar created, but no id came back."
        return f"{head}\n{self.next_step}"


def new_avatar(created: api_sound.CreatedAvatar) -> NewAvatar:
    step = (
        f"Call avatar_video with avatar_id={created.id} and audio or text."
        if created.id
        else "Call list_avatars to find its avatar_id."
    )
    return NewAvatar(avatar_id=created.id, status=created.status, next_step=step)


class DeletedAvatar(BaseModel):
    avatar_id: str
    deleted: Literal[True] = True

    def summary(self) -> str:
        return f"Deleted avatar {self.avatar_id}; it can no longer be used."


__all__ = [
    "AvatarInfo",
    "AvatarList",
    "DeletedAvatar",
    "NewAvatar",
    "SpeechResult",
    "VoiceInfo",
    "VoiceList",
    "avatar_info",
    "avatar_list",
    "new_avatar",
    "speech_result",
    "voice_list",
]
