"""The arguments of the "video" toolset: omni_video, multi_image_video, extend_video, motion_control, apply_effect
(each spends credits) and the free lists list_motions, list_effects.

Field names follow the core tools (``model_name``, ``mode``, ``duration``, ``prompt``, ``email``,
``idempotency_key``, ``wait_seconds``); upstream names (``video_1``, ``imageUrl``, ``keepAudio``, ...) stay in
``api/video.py``. The enums and bounds here are published for the agent; the catalog enforces them, per endpoint and
model, with the rule's source.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar

from pydantic import Field, ValidationInfo, field_validator

from kling_mcp import catalog
from kling_mcp.arguments.fields import MAX_ID, Email, IdempotencyKey, OptionalText, WaitSeconds, choice, optional
from kling_mcp.arguments.video import (
    IMAGE_RULES,
    IMAGE_SOURCES,
    MAX_FRAME_ELEMENTS,
    Arguments,
    CfgScale,
    FrameElements,
    Generation,
    Kind,
    NegativePrompt,
    Shots,
    StdOrPro,
    element_ids,
    image,
    prompt_text,
)
from kling_mcp.catalog import endpoints

# The values and bounds are the catalog's (kling_mcp.catalog.endpoints), each with its source there.
OMNI_VERSIONS = endpoints.OMNI_VERSIONS
VIDEO_MODES = endpoints.VIDEO_MODES
MOTION_DIRECTIONS = endpoints.MOTION_DIRECTIONS
MULTI_IMAGE_MODELS = endpoints.MULTI_MODEL_NAMES
MOTION_MODELS = endpoints.MOTION_MODEL_NAMES
MAX_MULTI_IMAGES = endpoints.MAX_MULTI_IMAGES
OMNI_ASPECT_RATIOS = (*catalog.ASPECT_RATIOS, endpoints.FRAMES_ASPECT)

VIDEO_SOURCES = "an https URL, or a local MP4/MOV path (under the allowed folders; 100 MB, 30 s at most)"


class OmniVideo(Generation):
    """omni_video: references (images, elements, a video) and frames to video, or an edit of a video (POST
    /videos/omni)."""

    MEDIA: ClassVar[Mapping[str, Kind]] = {
        "images": "image",
        "frame_start": "image",
        "frame_end": "image",
        "video": "video",
    }
    NOT_CATALOG: ClassVar[frozenset[str]] = frozenset({"video_task_id", "video_work_id"})

    prompt: Annotated[
        OptionalText,
        prompt_text(
            f"What to make; refer to inputs as @image_1, @element_1, @video_1. At most {catalog.MAX_OMNI_PROMPT} "
            "UTF-16 units. Required unless shots.",
            catalog.MAX_OMNI_PROMPT,
        ),
    ]
    shots: Shots
    omni_version: Annotated[
        str | None, optional("v3 (default; 3–15 s) or o1 (3–10 s).", schema={"enum": list(OMNI_VERSIONS)})
    ]
    mode: StdOrPro
    duration: Annotated[
        int | None,
        optional(
            "Seconds, default 5: 3–15 (v3) or 3–10 (o1). Not with shots or transform (an edit lasts as long as its "
            "video).",
            schema={"minimum": 3, "maximum": 15},
        ),
    ]
    aspect_ratio: Annotated[
        str | None,
        optional(
            f"{', '.join(catalog.ASPECT_RATIOS)} (default {catalog.ASPECT_RATIOS[0]}); with frames or a video only "
            "auto.",
            schema={"enum": list(OMNI_ASPECT_RATIOS)},
        ),
    ]
    enable_audio: Annotated[bool | None, optional("Native audio: v3 on unless false; not with a video or o1.")]
    images: Annotated[
        list[str] | None,
        optional(
            f"Reference images, @image_1 first (with a video, 4 images and elements at most); each {IMAGE_SOURCES} "
            f"({IMAGE_RULES})."
        ),
    ]
    elements: Annotated[list[str] | None, element_ids("Element ids (list_elements), @element_1 first.")]
    frame_start: Annotated[str | None, image("Start frame (frames workflow)")]
    frame_end: Annotated[str | None, image("End frame")]
    video: Annotated[str | None, optional(f"Video to reference or edit (@video_1): {VIDEO_SOURCES}.")]
    video_task_id: Annotated[
        int | None,
        optional("Instead of video: a succeeded task whose video to use (1 to 2^63-1).", ge=1, le=MAX_ID),
    ]
    video_work_id: Annotated[
        int | None, optional("Which video of video_task_id (1 to 2^63-1); default its first.", ge=1, le=MAX_ID)
    ]
    video_mode: Annotated[
        str | None,
        optional(
            "reference (default: take its style or motion) or transform (edit it).", schema={"enum": list(VIDEO_MODES)}
        ),
    ]
    keep_audio: Annotated[bool | None, optional("Keep the video's audio (default false).")]
    email: Email
    idempotency_key: IdempotencyKey
    wait_seconds: WaitSeconds

    # Not Kling rules (those are the catalog's): the two ways of naming the one video_1 this tool sends.
    @field_validator("video_task_id")
    @classmethod
    def _one_video(cls, value: int | None, info: ValidationInfo) -> int | None:
        video = info.data.get("video")
        if value is not None and video and video.strip():
            raise ValueError("give video or video_task_id, not both")
        return value

    @field_validator("video_work_id")
    @classmethod
    def _of_a_task(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("video_task_id") is None:
            raise ValueError("video_work_id goes with video_task_id; give both, or video alone")
        return value


class MultiImageVideo(Generation):
    """multi_image_video: up to four images (and elements) to one video (POST /videos/image2video-elements)."""

    MEDIA: ClassVar[Mapping[str, Kind]] = {"images": "image"}

    images: Annotated[
        list[str],
        Field(
            description=f"1–{MAX_MULTI_IMAGES} images to combine; each {IMAGE_SOURCES} ({IMAGE_RULES}).",
            json_schema_extra={"minItems": 1, "maxItems": MAX_MULTI_IMAGES},
        ),
    ]
    prompt: Annotated[
        str,
        Field(
            description=f"How the images come together; at most {catalog.MAX_PROMPT} UTF-16 units.",
            json_schema_extra={"maxLength": catalog.MAX_PROMPT},
        ),
    ]
    model_name: Annotated[
        str,
        choice(
            endpoints.MULTI_DEFAULT_MODEL,
            f"Kling model (default {endpoints.MULTI_DEFAULT_MODEL}); see the tool description.",
            MULTI_IMAGE_MODELS,
        ),
    ]
    elements: FrameElements
    negative_prompt: NegativePrompt
    aspect_ratio: Annotated[
        str | None,
        optional(
            f"{', '.join(catalog.ASPECT_RATIOS)} (default {catalog.ASPECT_RATIOS[0]}); not for kling-v3-0.",
            schema={"enum": list(catalog.ASPECT_RATIOS)},
        ),
    ]
    mode: StdOrPro
    duration: Annotated[
        int | None,
        optional("Seconds: 5 (default) or 10; 3–15 for kling-v3-0.", schema={"minimum": 3, "maximum": 15}),
    ]
    enable_audio: Annotated[
        bool | None, optional("Sound effects: kling-v1-6 off unless true; kling-v3-0 always on, leave it out.")
    ]
    email: Email
    idempotency_key: IdempotencyKey
    wait_seconds: WaitSeconds


class ExtendVideo(Generation):
    """extend_video: a succeeded video task continued by a few seconds, as a new task (POST /videos/extend)."""

    task_id: Annotated[int, Field(ge=1, le=MAX_ID, description="The succeeded video task to extend (1 to 2^63-1).")]
    prompt: Annotated[OptionalText, prompt_text(f"What happens next; at most {catalog.MAX_PROMPT} UTF-16 units.")]
    negative_prompt: NegativePrompt
    cfg_scale: CfgScale
    enable_audio: Annotated[bool | None, optional("Add sound effects (off unless true).")]
    email: Email
    idempotency_key: IdempotencyKey
    wait_seconds: WaitSeconds


class MotionControl(Generation):
    """motion_control: the person in an image moved like a reference video (POST /videos/motion-create)."""

    MEDIA: ClassVar[Mapping[str, Kind]] = {"image": "image", "motion": "video"}

    image: Annotated[str, Field(description=f"The person to move: {IMAGE_SOURCES}; {IMAGE_RULES}.")]
    motion: Annotated[
        str,
        Field(
            description="The movement to copy: a 3–30 s video as an https URL (such as a list_motions url), or a "
            "local MP4/MOV of 3–30 s."
        ),
    ]
    model_name: Annotated[
        str,
        choice(
            endpoints.MOTION_DEFAULT_MODEL,
            f"Kling model (default {endpoints.MOTION_DEFAULT_MODEL}); see the tool description.",
            MOTION_MODELS,
        ),
    ]
    prompt: Annotated[OptionalText, prompt_text("Guidance for the scene (optional).")]
    keep_audio: Annotated[bool | None, optional("Keep the motion video's audio.")]
    motion_direction: Annotated[
        str | None,
        optional(
            "Face as in motion_direction (the video) or image_direction (the image).",
            schema={"enum": list(MOTION_DIRECTIONS)},
        ),
    ]
    mode: StdOrPro
    element: Annotated[str | None, optional("One element id (list_elements) for the character; kling-v3-0 only.")]
    email: Email
    idempotency_key: IdempotencyKey
    wait_seconds: WaitSeconds


class ApplyEffect(Generation):
    """apply_effect: a named Kling effect applied to an image (POST /videos/image2video-effects)."""

    MEDIA: ClassVar[Mapping[str, Kind]] = {"image": "image"}

    effect: Annotated[str, Field(description="An effect name from list_effects.")]
    image: Annotated[str, Field(description=f"The image: {IMAGE_SOURCES}; {IMAGE_RULES}.")]
    mode: StdOrPro
    prompt: Annotated[OptionalText, prompt_text(f"Optional guidance; at most {catalog.MAX_PROMPT} UTF-16 units.")]
    email: Email
    idempotency_key: IdempotencyKey
    wait_seconds: WaitSeconds


class ListMotions(Arguments):
    mine: Annotated[bool | None, optional("true: the account's own uploaded motions; else Kling's motion templates.")]
    email: Email


class ListEffects(Arguments):
    email: Email


__all__ = [
    "MAX_FRAME_ELEMENTS",
    "MAX_MULTI_IMAGES",
    "MOTION_DIRECTIONS",
    "MOTION_MODELS",
    "MULTI_IMAGE_MODELS",
    "OMNI_VERSIONS",
    "VIDEO_MODES",
    "ApplyEffect",
    "ExtendVideo",
    "ListEffects",
    "ListMotions",
    "MotionControl",
    "MultiImageVideo",
    "OmniVideo",
]
