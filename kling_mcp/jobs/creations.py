"""The task-creating endpoints, one row each: the tool arguments it answers, its ledger kind, the catalog check that
builds its body, and the client call that sends it. ``KlingService.create`` runs every row the same way (validate,
check files, idempotency, budget, upload, record, send once, wait); a new endpoint is a row here, its rules in the
catalog and its arguments in ``kling_mcp/arguments``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from kling_mcp import catalog
from kling_mcp.api.client import CreateAttempt, KlingClient
from kling_mcp.api.models import TaskResponse
from kling_mcp.arguments import (
    AnimateImage,
    ApplyEffect,
    ExtendVideo,
    GenerateVideo,
    Generation,
    MotionControl,
    MultiImageVideo,
    OmniVideo,
)
from kling_mcp.arguments.images import GenerateImage, UpscaleImage, VirtualTryOn
from kling_mcp.arguments.sound import AddSound, AvatarVideo, LipSync
from kling_mcp.jobs.videos import UPLOAD_MAX_SECONDS

Send = Callable[..., Awaitable[TaskResponse]]
Validate = Callable[..., tuple[Any, catalog.Estimate]]

# The length bounds of a video the user gives as a file, by parameter: (shortest, longest) seconds. Uploads through
# POST /assets take up to UPLOAD_MAX_SECONDS (jobs/videos.py says which sources); a motion reference must last
# "3-30 seconds" (Postman, motion-create).
VIDEO_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "video": (None, UPLOAD_MAX_SECONDS),
    "motion": (3.0, UPLOAD_MAX_SECONDS),
}


@dataclass(frozen=True)
class Creation:
    """One task-creating endpoint."""

    kind: str  # the ledger's kind (list_jobs shows it)
    validate: Validate  # the catalog's check: keyword arguments -> (upstream body, estimate)
    sender: Callable[[KlingClient], Send]  # the client method that sends the body
    # The lengths the catalog needs, once known (a local file's, or a previous task's work): media label -> keyword.
    lengths: Mapping[str, str] = field(default_factory=dict)

    def send(self, client: KlingClient, request: BaseModel, deadline: float, tracker: CreateAttempt) -> Awaitable[Any]:
        return self.sender(client)(request, deadline=deadline, tracker=tracker)


CREATIONS: dict[type[Generation], Creation] = {
    GenerateVideo: Creation("text2video", catalog.validate_text2video, lambda c: c.create_text2video),
    AnimateImage: Creation("image2video", catalog.validate_image2video, lambda c: c.create_image2video_frames),
    OmniVideo: Creation(
        "omni", catalog.validate_omni, lambda c: c.create_omni_video, lengths={"video": "video_seconds"}
    ),
    MultiImageVideo: Creation(
        "image2video-elements", catalog.validate_multi_image, lambda c: c.create_image2video_elements
    ),
    ExtendVideo: Creation("extend", catalog.validate_extend, lambda c: c.create_extend_video),
    MotionControl: Creation(
        "motion", catalog.validate_motion, lambda c: c.create_motion_video, lengths={"motion": "motion_seconds"}
    ),
    ApplyEffect: Creation("effects", catalog.validate_effect, lambda c: c.create_image2video_effects),
    LipSync: Creation(
        "lipsync", catalog.validate_lip_sync, lambda c: c.create_lipsync, lengths={"video": "video_seconds"}
    ),
    AddSound: Creation(
        "add-sound", catalog.validate_add_sound, lambda c: c.create_add_sound, lengths={"video": "video_seconds"}
    ),
    AvatarVideo: Creation(
        "avatar-video",
        catalog.validate_avatar_video,
        lambda c: c.create_avatar_video,
        lengths={"audio": "audio_seconds"},
    ),
    # One client method sends every image body to its endpoint (api.images.IMAGE_PATHS): generate_image goes to
    # omni, kolors or kolors-elements, upscale_image to upscale or enhance, as the catalog's validator chose.
    GenerateImage: Creation("image", catalog.validate_image, lambda c: c.create_image),
    UpscaleImage: Creation("image-upscale", catalog.validate_upscale, lambda c: c.create_image),
    VirtualTryOn: Creation("virtual-try-on", catalog.validate_try_on, lambda c: c.create_image),
}


def creation_of(args: Generation) -> Creation:
    return CREATIONS[type(args)]


def model_label(request: BaseModel) -> str | None:
    """What the ledger and the results name as the model: the request's model_name (Kolors: version), else the
    endpoint's version (omni's ``omni_version``, v3 by default per the Postman collection)."""
    name = getattr(request, "model_name", None) or getattr(request, "version", None)  # Kolors calls it version
    if name:
        return str(name)
    if hasattr(request, "omni_version"):
        return f"omni-{getattr(request, 'omni_version', None) or 'v3'}"
    return None


def prompt_of(request: BaseModel) -> str | None:
    """The prompt the ledger records: the request's, or its shots' prompts in order."""
    prompt = getattr(request, "prompt", None)
    if prompt:
        return str(prompt)
    shots = [getattr(request, f"shot_{n}_prompt", None) for n in range(1, 7)]
    told = [f"[{n}] {text}" for n, text in enumerate(shots, start=1) if text]
    return " ".join(told) or None
