"""The sound and faces family: lip-sync, text-to-speech, add-sound and Avatar 2.0 — wire models and the client
methods (``SoundEndpoints``, a mixin of ``KlingClient``).

Field names are the upstream's own, from useapi's Postman collection "Kling API v1" (updated 2026-07-20; see
../shared/reference/useapi-kling-postman-fields.md, "Postman" below). The answers the collection lacks come from
useapi's documentation pages (stored copies), each cited where it is read:

- POST /videos/lipsync and POST /videos/add-sound answer a task, like text2video (lip-sync page, April 18, 2025,
  updated October 1, 2025; add-sound page, August 8, 2025, updated October 1, 2025: ``{"task": {"id": …}}``).
- POST /tts/create is not a task: it answers at once ``{"resource": "…mp3", "status": 99, "status_name":
  "succeed", "status_final": true}`` ("all fields are optional"), and is free ("You can execute an unlimited number
  of TTS generations for free"; TTS page, April 18, 2025, updated October 1, 2025).
- GET /tts/voices answers ``{"ttsList": [{name, speakerId, exampleUrl, new, emotions: [{name, key, enable}]}],
  "lastSpeakerId", "typeList"}`` (voices page, April 18, 2025).
- GET /avatars answers a bare array of avatars (``type`` personal (default) or templates); POST /avatars answers
  ``{"id": "300137233318846", "status": "SUCCESS"}``; DELETE /avatars/{avatarId} answers ``{"deleted": null}``
  (avatar pages, January 12, 2026).
- POST /avatars/video: its answer is not in the stored page. It is read as a task (inferred: the Postman collection
  gives it ``maxJobs``, ``replyUrl`` "callback URL for generation progress/result" and ``replyRef``, the fields of
  every task-creating endpoint, and the page calls it "generates a lip-sync video").

These models check shapes only; the rules belong to the catalog (``catalog/sound.py``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pydantic import Field, ValidationError, field_validator, model_validator

from kling_mcp.api.errors import InvalidParameterError, Operation
from kling_mcp.api.models import TaskResponse, _Request, _Response, readable
from kling_mcp.api.video import Listing

if TYPE_CHECKING:
    from kling_mcp.api.client import CreateAttempt, CreateBody, ModelT, _Answer

logger = logging.getLogger(__name__)

# POST /avatars fills what it is not given with AI ("The AI analyzes your image to suggest an appropriate nickname,
# description, scene, and TTS settings", avatar page): its default deadline leaves room for that.
AVATAR_CREATE_DEADLINE = 120.0
AVATAR_TYPES: tuple[str, ...] = ("personal", "templates")  # GET /avatars ``type``: "personal (default), templates"

# --- requests -----------------------------------------------------------------------------------------------------


class LipSyncRequest(_Request):
    """POST /videos/lipsync body (Postman: ``video`` "Required video URL", ``audio`` "Required audio URL", both
    uploaded through POST /assets). ``audio`` is optional here only so that a lip-sync from text can be checked
    before its speech is made; ``create_lipsync`` refuses to send a body without it."""

    video: str
    audio: str | None = None
    email: str | None = None


class SpeechRequest(_Request):
    """POST /tts/create body (Postman: ``speakerId`` required, ``text`` "Maximum 150 characters", ``speed``
    "0.8-2", ``emotion`` "see GET tts/voices")."""

    speakerId: str
    text: str
    email: str | None = None
    speed: float | None = None
    emotion: str | None = None


class AddSoundRequest(_Request):
    """POST /videos/add-sound body (Postman: ``video`` "URL of the video to add sound to (3-20 seconds)",
    ``cropVideoOriginalSound`` "Whether to preserve original video's sound")."""

    video: str
    email: str | None = None
    cropVideoOriginalSound: bool | None = None


class CreateAvatarRequest(_Request):
    """POST /avatars body (Postman: ``imageUrl`` required; ``nickname`` max 30 chars; ``prompt`` max 2000;
    ``scene``, ``ttsSpeaker``, ``ttsSpeed`` 0.8-2.0, ``ttsEmotionKey``; "AI auto-generates if not provided")."""

    imageUrl: str
    email: str | None = None
    nickname: str | None = None
    prompt: str | None = None
    scene: str | None = None
    ttsSpeaker: str | None = None
    ttsSpeed: float | None = None
    ttsEmotionKey: str | None = None


class AvatarVideoRequest(_Request):
    """POST /avatars/video body (Postman): ``avatarId`` or ``imageUrl``, ``audioUrl`` or ``text`` (+ ``speakerId``),
    ``speed``, ``emotion``, ``prompt``, ``mode``. Which combinations are allowed is the catalog's rule."""

    email: str | None = None
    avatarId: str | None = None
    imageUrl: str | None = None
    audioUrl: str | None = None
    text: str | None = None
    speakerId: str | None = None
    speed: float | None = None
    emotion: str | None = None
    prompt: str | None = None
    mode: str | None = None


# --- responses ----------------------------------------------------------------------------------------------------


class Speech(_Response):
    """POST /tts/create: ``resource`` is the MP3 (TTS page: "Field resource will contain URL with generated mp3 audio
    file"; every field optional in its model)."""

    resource: str | None = None
    status: int | None = None
    status_name: str | None = None
    status_final: bool | None = None


class VoiceEmotion(_Response):
    key: str | None = None
    name: str | None = None
    enable: bool | None = None


class Voice(_Response):
    """One entry of ``ttsList`` (voices page): ``speakerId`` is what POST /tts/create takes."""

    speakerId: str
    name: str | None = None
    exampleUrl: str | None = None
    new: bool | None = None
    emotions: list[VoiceEmotion] = Field(default_factory=list)

    @field_validator("speakerId", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("emotions", mode="before")
    @classmethod
    def _emotions(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return []
        return [item if isinstance(item, dict) else {"key": str(item)} for item in value]

    @property
    def emotion_keys(self) -> list[str]:
        """The emotions this voice takes (those not marked ``enable: false``)."""
        return [e.key for e in self.emotions if e.key and e.enable is not False]


class VoiceList(Listing):
    """GET /tts/voices (``ttsList``) or GET /elements/voices (shape not documented: any list ``Listing`` finds).
    ``voices`` are the entries that carry a speaker id; the rest stay in ``items``."""

    LIST_KEYS = ("ttsList", *Listing.LIST_KEYS)

    lastSpeakerId: str | None = None
    typeList: list[Any] = Field(default_factory=list)

    @property
    def voices(self) -> list[Voice]:
        return readable(Voice, self.items)


class Avatar(_Response):
    """One avatar of GET /avatars (avatar page: ``id`` a string of digits — personal avatars "more than 8 digits",
    templates "8 digits or fewer" —, ``nickname`` or ``name``, ``prompt``, ``scene``, ``imageResources[].url``,
    ``ttsSpeaker``, ``ttsSpeed`` (a string in the sample), ``ttsEmotionKey``)."""

    id: str
    nickname: str | None = None
    name: str | None = None
    prompt: str | None = None
    scene: str | None = None
    imageResources: list[Any] = Field(default_factory=list)
    ttsSpeaker: str | None = None
    ttsSpeed: str | float | None = None
    ttsEmotionKey: str | None = None
    createTime: int | None = None

    @field_validator("id", "ttsSpeaker", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @property
    def image_url(self) -> str | None:
        for resource in self.imageResources:
            if isinstance(resource, dict) and isinstance(resource.get("url"), str):
                return str(resource["url"])
        return None


class AvatarList(Listing):
    """GET /avatars: a bare array (avatar page); ``avatars`` are the entries that carry an id."""

    LIST_KEYS = ("avatars", *Listing.LIST_KEYS)

    @property
    def avatars(self) -> list[Avatar]:
        return readable(Avatar, self.items)


class CreatedAvatar(_Response):
    """POST /avatars: ``{"id": "300137233318846", "status": "SUCCESS"}`` (avatar page). ``id`` may be missing when
    the answer has another shape: the avatar may exist all the same (GET /avatars lists it)."""

    id: str | None = None
    status: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _id_as_text(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if isinstance(data.get("avatar"), dict) and "id" not in data:
                data = {**data, **data["avatar"]}
            value = data.get("id")
            if isinstance(value, int) and not isinstance(value, bool):
                return {**data, "id": str(value)}
            if value is not None and not isinstance(value, str):
                return {**data, "id": None}
        return data


class DeletedAvatar(_Response):
    """DELETE /avatars/{avatarId}: ``{"deleted": null}`` ("A null value indicates successful deletion")."""


# --- client methods -------------------------------------------------------------------------------------------------


class SoundEndpoints:
    """Client methods of the sound and faces family. Mixed into KlingClient, whose request loop they use."""

    if TYPE_CHECKING:

        async def _create(
            self, path: str, request: CreateBody, deadline: float | None, tracker: CreateAttempt | None
        ) -> TaskResponse: ...

        async def _submit(
            self, path: str, request: CreateBody, deadline: float | None, tracker: CreateAttempt | None
        ) -> _Answer: ...

        async def _read(
            self, model: type[ModelT], method: str, path: str, *, operation: Operation, **kwargs: Any
        ) -> ModelT: ...

        def _created_object(self, answer: _Answer) -> dict[str, Any]: ...

    # --- task creates (answered like text2video: reference §5.0) ---

    async def create_lipsync(
        self, request: LipSyncRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> TaskResponse:
        """POST /videos/lipsync. A body without audio (a lip-sync from text whose speech was not made) is refused
        before anything is sent."""
        if not request.audio:
            raise InvalidParameterError(
                "audio",
                request.audio,
                "no audio to lip-sync: give audio, or text whose speech is made first with POST /tts/create",
                "an audio URL",
            )
        return await self._create("/videos/lipsync", request, deadline, tracker)

    async def create_add_sound(
        self, request: AddSoundRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> TaskResponse:
        """POST /videos/add-sound (add-sound page: a task of type ``kwave_video2audio``)."""
        return await self._create("/videos/add-sound", request, deadline, tracker)

    async def create_avatar_video(
        self, request: AvatarVideoRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> TaskResponse:
        """POST /avatars/video, read as a task (inferred: see the module's docstring)."""
        return await self._create("/avatars/video", request, deadline, tracker)

    # --- speech: free and not a task ---

    async def create_speech(self, request: SpeechRequest) -> Speech:
        """POST /tts/create. It costs nothing and leaves nothing behind but an MP3 URL, so it takes the repeatable
        path: a retry after a lost answer makes another free MP3 at worst. A 500 that reads like moderation is
        ModerationError (the TTS page: "Kling uses a 500 response to indicate moderation")."""
        _query(request.email)  # the email check every create makes (the email travels in the body)
        return await self._read(Speech, "POST", "/tts/create", operation="upload", json=request.to_body())

    # --- other creates: not resent unless certainly not accepted ---

    async def create_avatar(
        self, request: CreateAvatarRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> CreatedAvatar:
        """POST /avatars. An avatar is saved upstream, so this takes the create path (a duplicate would be a second
        avatar). ``deadline`` defaults to AVATAR_CREATE_DEADLINE."""
        limit = AVATAR_CREATE_DEADLINE if deadline is None else deadline
        answer = await self._submit("/avatars", request, limit, tracker)
        data = self._created_object(answer)
        try:
            return CreatedAvatar.model_validate(data)
        except ValidationError:
            logger.warning("POST /avatars: the answer has no usable avatar id")
            return CreatedAvatar()

    # --- reads ---

    async def list_tts_voices(self, email: str | None = None) -> VoiceList:
        """GET /tts/voices (Postman; voices page)."""
        return await self._read(VoiceList, "GET", "/tts/voices", operation="download", params=_query(email))

    async def list_avatars(self, *, type: str | None = None, email: str | None = None) -> AvatarList:
        """GET /avatars (avatar page: ``type`` personal (default) or templates)."""
        params = _query(email)
        if type is not None:
            if type not in AVATAR_TYPES:
                raise InvalidParameterError("type", type, "not an avatar list", list(AVATAR_TYPES))
            params["type"] = type
        return await self._read(AvatarList, "GET", "/avatars", operation="download", params=params)

    async def delete_avatar(self, avatar_id: str, email: str | None = None) -> DeletedAvatar:
        """DELETE /avatars/{avatarId}?email= (Postman). Idempotent, so repeatable: a retry after a lost answer deletes
        nothing more (a 404 then says the avatar is gone)."""
        path = f"/avatars/{avatar_segment(avatar_id)}"
        return await self._read(DeletedAvatar, "DELETE", path, operation="download", params=_query(email))


def _query(email: str | None) -> dict[str, str]:
    # The client's own email check (imported here: client.py imports this module).
    from kling_mcp.api.client import _email

    return _email(email)


def avatar_segment(avatar_id: str) -> str:
    """An avatar id as one URL path segment. Ids are digits ("123456789012", templates "12345": avatar page);
    letters, ``_`` and ``-`` are let through too, anything that could change the path or the query is refused."""
    if (
        not avatar_id
        or len(avatar_id) > 64
        or not all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in avatar_id)
    ):
        raise InvalidParameterError(
            "avatar_id",
            avatar_id,
            "not a Kling avatar id",
            "an id from list_avatars, such as 300137233318846 (digits)",
        )
    return avatar_id
