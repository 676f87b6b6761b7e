"""The simulator's sound and face endpoints: POST /videos/lipsync, /videos/add-sound and /avatars/video (tasks, answered
and polled like text2video, reference §5.0), GET /tts/voices and POST /tts/create (answered at once), and GET, POST
and DELETE /avatars.

What a request accepts is ``sound_rules.py``; ``submit_made`` records what an accepted request of ``sound_rules`` or
``image_rules`` makes (``image_handlers.py`` uses it too).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kling_mcp.simulator import presets, rules, sound_rules
from kling_mcp.simulator.handlers import (
    GUIDELINES,
    ApiError,
    account_email,
    base_url,
    refused,
    replies,
    request_body,
    submit,
)
from kling_mcp.simulator.lookups import AccountView
from kling_mcp.simulator.sound_rules import Made
from kling_mcp.simulator.state import Creation, SimulatorState


def submit_made(request: Request, state: SimulatorState, email: str, made: Made, raw: dict[str, Any]) -> Response:
    """Record the task an accepted request makes and answer with it submitted (reference §5.0: 500 for the moderation
    trigger, 429 when every job slot is taken)."""
    stored = {k: v for k, v in made.body.items() if k not in rules.ROUTING_FIELDS}
    creation = Creation(
        kind=made.task_type,
        body=stored,
        model_name=made.model_name,
        mode=made.mode,
        duration=made.seconds,
        credits=made.credits,
        aspect_ratio=made.aspect_ratio,
        audio=made.audio,
        works=made.works,
        content=made.content,
        width=made.width,
        height=made.height,
        reply_url=replies(raw)[0],
        reply_ref=replies(raw)[1],
    )
    return submit(request, state, email, creation)


async def create(request: Request, state: SimulatorState, endpoint: str) -> Response:
    body = await request_body(request)
    email = account_email(state, body.get("email"))
    try:
        made = sound_rules.check(endpoint, body, AccountView(state, email))
    except rules.Refused as exc:
        raise refused(exc) from None
    return submit_made(request, state, email, made, body)


async def lipsync(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, sound_rules.LIPSYNC)


async def add_sound(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, sound_rules.ADD_SOUND)


async def avatar_video(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, sound_rules.AVATAR_VIDEO)


# --- text to speech ---------------------------------------------------------------------------------------------------


async def voices(request: Request, state: SimulatorState) -> Response:
    """GET /tts/voices: ``{"ttsList": [...], "lastSpeakerId", "typeList"}`` (DOC-TTS, get-kling-tts-voices)."""
    account_email(state, request.query_params.get("email"))
    base = base_url(request)
    listing = [voice.listing(base) for voice in presets.TTS_VOICES.values()]
    return JSONResponse(
        {"ttsList": listing, "lastSpeakerId": next(iter(presets.TTS_VOICES)), "typeList": list(presets.TTS_LANGUAGES)}
    )


async def speak(request: Request, state: SimulatorState) -> Response:
    """POST /tts/create: answered at once with the MP3's URL (DOC-TTS: ``{resource, status: 99, status_name:
    "succeed", status_final: true}``), free; 500 with Kling's community-guidelines text for the moderation trigger
    (the Oct 2025 page documents that 500). The speech is kept as a finished audio task (tts.answer)."""
    body = await request_body(request)
    email = account_email(state, body.get("email"))
    try:
        speech = sound_rules.check_tts(body)
    except rules.Refused as exc:
        raise refused(exc) from None
    if "sim:moderation" in speech.text:
        raise ApiError(500, GUIDELINES)
    stored = {"speakerId": speech.speaker_id, "text": speech.text, "speed": speech.speed}
    if speech.emotion is not None:
        stored["emotion"] = speech.emotion
    task = state.create(
        email,
        Creation(
            kind=sound_rules.TASK_TYPES[sound_rules.TTS],
            body=stored,
            model_name="tts",
            mode="std",
            duration=speech.seconds,
            credits=0.0,
            aspect_ratio="16:9",
            audio=True,
            content="audio",
            immediate=True,
        ),
    )
    url = f"{base_url(request)}/cdn/works/{task.work_id}/preview.mp3"
    return JSONResponse({"resource": url, "status": 99, "status_name": "succeed", "status_final": True})


# --- avatars ----------------------------------------------------------------------------------------------------------


async def avatars(request: Request, state: SimulatorState) -> Response:
    """GET /avatars: a JSON array, the account's own avatars (type personal, the default) or Kling's templates
    (DOC-AVATARS)."""
    email = account_email(state, request.query_params.get("email"))
    kind = request.query_params.get("type") or "personal"
    if kind == "templates":
        base = base_url(request)
        return JSONResponse([t.listing(base) for t in presets.AVATAR_TEMPLATES.values()])
    if kind != "personal":
        raise ApiError(400, f"Parameter type {kind[:20]!r} is not supported. Valid values: personal, templates")
    return JSONResponse(state.avatars(email))


async def create_avatar(request: Request, state: SimulatorState) -> Response:
    """POST /avatars: ``{"id": "<15 digits>", "status": "SUCCESS"}`` (DOC-AVATARS); the avatar as GET /avatars lists
    it is kept on the account."""
    body = await request_body(request)
    email = account_email(state, body.get("email"))
    try:
        new = sound_rules.check_avatar(body, AccountView(state, email))
    except rules.Refused as exc:
        raise refused(exc) from None
    avatar_id = str(300_000_000_000_000 + secrets.randbelow(99_999_999_999_999))  # more than 8 digits: personal
    now_ms = int(time.time() * 1000)
    state.add_avatar(
        email,
        {
            "id": avatar_id,
            "nickname": new.nickname or f"Avatar {avatar_id[-5:]}",
            "prompt": new.prompt,
            "scene": new.scene,
            "imageResources": [{"url": new.image_url, "sourceFrom": 2}],
            "ttsSpeaker": new.speaker,
            "ttsSpeed": f"{new.speed:g}",  # DOC-AVATARS' sample shows it as a string
            "ttsEmotionKey": new.emotion,
            "createTime": now_ms,
            "updateTime": now_ms,
        },
    )
    return JSONResponse({"id": avatar_id, "status": "SUCCESS"})


async def delete_avatar(request: Request, state: SimulatorState) -> Response:
    """DELETE /avatars/{avatarId}: ``{"deleted": null}``; 404 for a template, another account's avatar or an unknown
    id (DOC-AVATARS; the error's text is not documented [INF])."""
    email = account_email(state, request.query_params.get("email"))
    avatar_id = request.path_params["avatar_id"]
    if avatar_id in presets.AVATAR_TEMPLATES:
        raise ApiError(404, f"Avatar {avatar_id} is a template; only personal avatars can be deleted")
    if not state.delete_avatar(email, avatar_id):
        raise ApiError(404, f"Avatar {avatar_id[:40]} not found")
    return JSONResponse({"deleted": None})
