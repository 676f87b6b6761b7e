"""The arguments of the video generation tools: what the agent (or a prompts.json entry) asks for.

Each model is the one source of that tool's parameters: the MCP input schema comes from it, the service takes it,
the confirmation question prices it, and ``catalog_fields`` is what the catalog checks against the model table.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from kling_mcp import catalog
from kling_mcp.arguments.fields import Email, IdempotencyKey, WaitSeconds, choice, optional

MODES = ("std", "pro", "4k")


class Arguments(BaseModel):
    """A tool's arguments. An unknown name is refused: a misspelt ``modle_name`` silently replaced by its default
    could spend credits on the wrong video."""

    model_config = ConfigDict(extra="forbid")


class Generation(Arguments):
    """The arguments of a tool that submits a generation: the request the catalog checks, and how to submit it."""

    SUBMISSION: ClassVar[frozenset[str]] = frozenset({"email", "idempotency_key", "wait_seconds"})

    def catalog_fields(self) -> dict[str, Any]:
        """The request's own parameters, as the catalog's validator takes them."""
        return self.model_dump(exclude=set(self.SUBMISSION))


Mode = Annotated[
    str | None,
    optional(
        "std (720p), pro (1080p) or 4k (kling-v3-0 only). Omit it for the model's default: std, or pro for the "
        "pro-only models.",
        schema={"enum": list(MODES)},
    ),
]
Duration = Annotated[
    int | None,
    optional(
        "Seconds: 5 or 10; any of 3–15 for kling-v3-0 and kling-v3-0-turbo. Omit it for 5.",
        schema={"minimum": 3, "maximum": 15},
    ),
]
NegativePrompt = Annotated[
    str | None,
    optional(
        f"What to avoid (1.x models only); at most {catalog.MAX_PROMPT} UTF-16 units.",
        schema={"maxLength": catalog.MAX_PROMPT},
    ),
]
CfgScale = Annotated[
    float | None,
    optional(
        "Prompt adherence from 0 to 1 (1.x models only). Omit it for the upstream default, 0.5.",
        schema={"minimum": 0, "maximum": 1},
    ),
]
EnableAudio = Annotated[
    bool | None,
    optional(
        "Generate audio. kling-v3-0: on unless false; kling-v2-6: with mode pro only; kling-v3-0-turbo: always on, "
        "leave it out; other models: sound effects, off unless true."
    ),
]


def _frame(which: str) -> Any:
    return optional(
        f"{which}: an https URL, a local file path or file:// URL (under the allowed folders), or a data: URI; "
        "a PNG or JPEG of at most 10 MB, at least 300 px a side."
    )


class GenerateVideo(Generation):
    """generate_video: text to video (POST /videos/text2video)."""

    prompt: Annotated[
        str,
        Field(
            description=f"What the video shows; at most {catalog.MAX_PROMPT} UTF-16 units (an emoji counts 2).",
            json_schema_extra={"maxLength": catalog.MAX_PROMPT},
        ),
    ]
    model_name: Annotated[
        str,
        choice(
            catalog.DEFAULT_TEXT2VIDEO_MODEL,
            f"Kling model (default {catalog.DEFAULT_TEXT2VIDEO_MODEL}); what each allows is in the tool description.",
            catalog.TEXT2VIDEO_MODELS,
        ),
    ]
    aspect_ratio: Annotated[
        str,
        choice(
            catalog.ASPECT_RATIOS[0],
            f"Frame shape: {', '.join(catalog.ASPECT_RATIOS)} (default {catalog.ASPECT_RATIOS[0]}).",
            catalog.ASPECT_RATIOS,
        ),
    ]
    mode: Mode
    duration: Duration
    negative_prompt: NegativePrompt
    cfg_scale: CfgScale
    enable_audio: EnableAudio
    email: Email
    idempotency_key: IdempotencyKey
    wait_seconds: WaitSeconds


class AnimateImage(Generation):
    """animate_image: a start and/or end frame to video (POST /videos/image2video-frames)."""

    FRAMES: ClassVar[tuple[str, str]] = ("image", "image_tail")

    image: Annotated[str | None, _frame("Start frame")]
    image_tail: Annotated[str | None, _frame("End frame")]
    prompt: Annotated[
        str | None,
        optional(
            f"How the image moves; at most {catalog.MAX_PROMPT} UTF-16 units.", schema={"maxLength": catalog.MAX_PROMPT}
        ),
    ]
    model_name: Annotated[
        str,
        choice(
            catalog.DEFAULT_IMAGE2VIDEO_MODEL,
            f"Kling model (default {catalog.DEFAULT_IMAGE2VIDEO_MODEL}); what each allows is in the tool description.",
            catalog.IMAGE2VIDEO_MODELS,
        ),
    ]
    mode: Mode
    duration: Duration
    negative_prompt: NegativePrompt
    cfg_scale: CfgScale
    enable_audio: EnableAudio
    aspect_ratio: Annotated[
        str | None,
        optional("Not accepted: image-to-video takes the aspect ratio from the image. Leave it out."),
    ]
    email: Email
    idempotency_key: IdempotencyKey
    wait_seconds: WaitSeconds

    def frames(self) -> dict[str, str | None]:
        return {"image": self.image, "image_tail": self.image_tail}
