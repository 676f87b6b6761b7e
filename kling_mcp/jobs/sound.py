"""The sound and faces family's service side: speech made from text (POST /tts/create), for text_to_speech and as the
first step of a lip-sync from text, and the avatar and voice calls that create no task.

``speech_for_lip_sync`` is the step ``KlingService.create`` runs for a ``LipSync`` with text: it makes the speech and
returns its MP3 URL, which the catalog's ``validate_lip_sync(speech=…)`` puts in the body as ``audio``.
``SoundService`` is a mixin of ``KlingService`` (whose account resolution, file checks and uploads it uses) with the
tools' other calls. The task-creating calls (lip_sync, add_sound, avatar_video) are rows of ``jobs/creations.py``.

Facts (useapi's TTS page, 2025-04-18, updated 2025-10-01): POST /tts/create is free and answers at once with the MP3
(``{"resource": "…mp3", "status": 99, "status_name": "succeed", "status_final": true}``), not with a task: there is
nothing to poll, so a call that answers without the MP3 is reported as a failure, not waited on.
"""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kling_mcp import catalog
from kling_mcp.api.errors import BadRequestError, KlingError, MalformedResponseError, TaskFailedError
from kling_mcp.api.models import SUCCEED_NAME
from kling_mcp.api.sound import AvatarList, CreatedAvatar, Speech, SpeechRequest, VoiceList
from kling_mcp.api.video import Listing
from kling_mcp.arguments.fields import MediaInput
from kling_mcp.arguments.sound import CreateAvatar, DeleteAvatar, LipSync, ListAvatars, ListVoices, TextToSpeech

if TYPE_CHECKING:
    from kling_mcp.api.client import KlingClient

logger = logging.getLogger(__name__)

VOICE_HINT = "voice_id must be a voice_id list_voices gives (and emotion one that voice lists)."


@dataclass(frozen=True)
class SpeechMade:
    """Speech made from text: the MP3's URL and what it says."""

    url: str
    text: str
    voice_id: str
    email: str


@dataclass(frozen=True)
class Voices:
    """The voices of GET /tts/voices, and those of GET /elements/voices that are not among them (for VIDEO elements);
    ``element_error`` says why the latter could not be read."""

    tts: VoiceList
    element_voices: list[Any] = field(default_factory=list)
    element_error: str | None = None


async def make_speech(client: KlingClient, request: SpeechRequest) -> Speech:
    """POST /tts/create and its MP3. A 400 gets a hint naming list_voices (useapi answers "Unable to locate
    speakerId", TTS page); an answer without an MP3 is an error (there is no task to wait on)."""
    try:
        speech = await client.create_speech(request)
    except BadRequestError as exc:
        exc.hint = f"{VOICE_HINT} Nothing was spent."
        raise
    failed = speech.status_name not in (None, SUCCEED_NAME) and speech.status_final
    if failed:
        raise TaskFailedError(
            f"Kling could not make the speech (status {speech.status} {speech.status_name}).",
            hint=f"{VOICE_HINT} Try other words or another voice; nothing was spent.",
        )
    if not speech.resource or not speech.resource.startswith(("https://", "http://")):
        raise MalformedResponseError(
            f"useapi answered POST /tts/create without the MP3's URL (status {speech.status} {speech.status_name}).",
            hint="Try again; making speech costs nothing.",
        )
    return speech


async def speech_for_lip_sync(client: KlingClient, args: LipSync, email: str) -> str | None:
    """The first step of a lip-sync from text: the speech of ``args.text`` in ``args.voice_id`` (speed, emotion), made
    with POST /tts/create (free), as the MP3 URL to send as the lip-sync's audio. None when ``args`` has no text (it
    has audio). Raises InvalidParameterError for a text or voice the catalog refuses (nothing sent), the upstream's
    error (with a hint naming list_voices) when Kling refuses the speech."""
    if not args.text.strip():
        return None
    request = catalog.validate_speech(
        text=args.text, voice_id=args.voice_id, speed=args.speed, emotion=args.emotion, email=email
    )
    speech = await make_speech(client, request)
    assert speech.resource is not None
    logger.info("made the speech of a lip-sync (%d characters)", len(args.text))
    return speech.resource


class SoundService:
    """The audio family's calls that create no task. Mixed into KlingService."""

    if TYPE_CHECKING:
        client: KlingClient

        async def resolve_email(self, email: str | None, *, task_id: int | None = None) -> str: ...

        def _known_account(self, email: str) -> AbstractAsyncContextManager[None]: ...

        async def _check_media(self, media: list[MediaInput], roots: list[Path] | None) -> dict[str, float | None]: ...

        async def _upload(
            self,
            item: MediaInput,
            account: str,
            roots: list[Path] | None,
            warnings: list[str] | None = None,
            lengths: dict[str, float | None] | None = None,
        ) -> str: ...

    async def text_to_speech(self, args: TextToSpeech) -> SpeechMade:
        """POST /tts/create: checked against the catalog first, then made (free)."""
        catalog.validate_speech(text=args.text, voice_id=args.voice_id, speed=args.speed, emotion=args.emotion)
        account = await self.resolve_email(args.email)
        request = catalog.validate_speech(
            text=args.text, voice_id=args.voice_id, speed=args.speed, emotion=args.emotion, email=account
        )
        async with self._known_account(account):
            speech = await make_speech(self.client, request)
        assert speech.resource is not None
        return SpeechMade(url=speech.resource, text=args.text, voice_id=args.voice_id, email=account)

    async def list_voices(self, args: ListVoices) -> Voices:
        """GET /tts/voices, and GET /elements/voices where it lists voices GET /tts/voices does not."""
        account = await self.resolve_email(args.email)
        async with self._known_account(account):
            tts = await self.client.list_tts_voices(account)
        known = {voice.speakerId for voice in tts.voices} | {voice.name for voice in tts.voices if voice.name}
        try:
            listing: Listing = await self.client.list_element_voices(account)
        except KlingError as exc:
            logger.info("GET /elements/voices: %s", exc.message)
            return Voices(tts=tts, element_error=exc.message)
        others = [item for item in listing.items if not (set(_voice_names(item)) & known)]
        return Voices(tts=tts, element_voices=others)

    async def list_avatars(self, args: ListAvatars) -> AvatarList:
        account = await self.resolve_email(args.email)
        async with self._known_account(account):
            return await self.client.list_avatars(type="templates" if args.templates else None, email=account)

    async def create_avatar(self, args: CreateAvatar, *, roots: list[Path] | None = None) -> CreatedAvatar:
        """POST /avatars (no credits): the catalog's rules and the image's file rules first, then the image uploaded
        (or a previous task's image sent on), then one create (a resend could save a second avatar)."""
        media = args.media()
        catalog.validate_avatar(**args.catalog_fields())
        await self._check_media(media, roots)
        account = await self.resolve_email(args.email)
        resolved = {item.label: await self._upload(item, account, roots) for item in media}
        request = catalog.validate_avatar(**args.catalog_fields_with(resolved)).model_copy(update={"email": account})
        async with self._known_account(account):
            created = await self.client.create_avatar(request)
        logger.info("created avatar %s", created.id or "(no id in the answer)")
        return created

    async def delete_avatar(self, args: DeleteAvatar) -> str:
        account = await self.resolve_email(args.email)
        async with self._known_account(account):
            await self.client.delete_avatar(args.avatar_id, account)
        logger.info("deleted avatar %s", args.avatar_id)
        return args.avatar_id


def _voice_names(item: Any) -> list[str]:
    """The ids and names an entry of GET /elements/voices carries (its shape is not documented)."""
    if isinstance(item, str):
        return [item]
    if isinstance(item, dict):
        return [str(item[key]) for key in ("speakerId", "id", "voiceId", "name") if item.get(key) is not None]
    return []


__all__ = ["SoundService", "SpeechMade", "Voices", "make_speech", "speech_for_lip_sync"]
