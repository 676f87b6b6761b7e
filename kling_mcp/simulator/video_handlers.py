"""The simulator's video endpoints beyond text2video and image2video-frames: the creates of omni,
image2video-elements, image2video-effects, extend and motion-create (answered and polled like text2video,
reference §5.0), POST /videos/motion-upload, and the lists GET /videos/motions and GET /videos/effects.

What a create accepts is ``video_rules.py``; what the account knows when the rules ask is ``lookups.py``.
"""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kling_mcp.simulator import presets, rules, video_rules
from kling_mcp.simulator.handlers import (
    ApiError,
    account_email,
    base_url,
    motion_asset,
    refused,
    replies,
    request_body,
    submit,
)
from kling_mcp.simulator.lookups import AccountView
from kling_mcp.simulator.state import Creation, SimulatorState


async def create(request: Request, state: SimulatorState, endpoint: str) -> Response:
    """A create of ``video_rules.ENDPOINTS``: 200 with the submitted task, 400 when the rules refuse it, 500 for
    the moderation trigger, 429 when every job slot is taken (as text2video)."""
    body = await request_body(request)
    email = account_email(state, body.get("email"))
    try:
        accepted = video_rules.check(endpoint, body, AccountView(state, email))
    except rules.Refused as exc:
        raise refused(exc) from None
    stored = {k: v for k, v in accepted.body.items() if k not in rules.ROUTING_FIELDS}
    creation = Creation(
        kind=accepted.task_type,
        body=stored,
        model_name=accepted.model_name,
        mode=accepted.mode,
        duration=accepted.duration,
        credits=accepted.credits,
        aspect_ratio=accepted.aspect_ratio,
        audio=accepted.audio,
        works=accepted.works,
        reply_url=replies(body)[0],
        reply_ref=replies(body)[1],
    )
    return submit(request, state, email, creation)


async def omni(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, video_rules.OMNI)


async def multi_image(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, video_rules.MULTI_IMAGE)


async def effect(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, video_rules.EFFECTS)


async def extend(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, video_rules.EXTEND)


async def motion(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, video_rules.MOTION)


async def motion_upload(request: Request, state: SimulatorState) -> Response:
    """POST /videos/motion-upload (Postman, deprecated): the motion joins the account's own motions; the answer is
    that motion as GET /videos/motions?mine=true lists it (the answer's shape is not documented [INF])."""
    body = await request_body(request)
    email = account_email(state, body.get("email"))
    try:
        accepted = video_rules.check_motion_upload(body, AccountView(state, email))
    except rules.Refused as exc:
        raise refused(exc) from None
    asset_id = f"motion_{uuid.uuid4().hex[:12]}"
    asset = motion_asset(
        asset_id,
        accepted.seconds or 0,
        accepted.aspect_ratio,
        accepted.audio,
        accepted.resource_url,
        accepted.cover_url,
    )
    state.add_motion(email, asset)
    return JSONResponse(asset)


async def motions(request: Request, state: SimulatorState) -> Response:
    """GET /videos/motions (useapi's page of Jan 6 2026: a JSON array of motion assets): Kling's official motions,
    or with ``mine=true`` the account's own (its uploaded videos and motion uploads), newest first."""
    email = account_email(state, request.query_params.get("email"))
    mine = request.query_params.get("mine", "false").strip().lower()
    if mine not in ("true", "false", ""):
        raise ApiError(400, f"Parameter mine must be true or false, got {mine[:20]!r}")
    if mine == "true":
        return JSONResponse(state.motions(email))
    base = base_url(request)
    listing = []
    for item in presets.OFFICIAL_MOTIONS.values():
        url = f"{base}/cdn/presets/{item.asset_id}"
        asset = motion_asset(item.asset_id, item.seconds, item.aspect_ratio, item.audio, f"{url}.mp4", f"{url}.png")
        listing.append({**asset, "name": item.name, "createTime": 1767225600000})  # fixed: 2026-01-01
    return JSONResponse(listing)


async def effects(request: Request, state: SimulatorState) -> Response:
    """GET /videos/effects (useapi's page of Jul 25 2025: a JSON array of effects)."""
    account_email(state, request.query_params.get("email"))
    base = base_url(request)
    return JSONResponse([item.listing(base) for item in presets.EFFECTS.values()])
