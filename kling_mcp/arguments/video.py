"""The arguments of the core video generation tools (generate_video, animate_image), and what every spending tool's
arguments share: ``Generation`` (``catalog_fields``, ``media``, ``catalog_fields_with``) and the field types the
video tools have in common (``Mode``, ``Duration``, ``Shots``, ...).

Each model is the one source of that tool's parameters: the MCP input schema comes from it, the service takes it,
the confirmation question prices it, and ``catalog_fields`` is what the catalog checks against the model table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from kling_mcp import catalog
from kling_mcp.api.models import MAX_SHOTS
from kling_mcp.arguments.fields import (
    Email,
    IdempotencyKey,
    MediaInput,
    OptionalText,
    WaitSeconds,
    choice,
    optional,
    text,
)
from kling_mcp.catalog import endpoints, shots

MODES = ("std", "pro", "4k")
# The catalog's bounds (each with its source there).
MIN_SHOTS = shots.MIN_SHOTS
SHOT_SECONDS = shots.TOTAL_SECONDS
MAX_FRAME_ELEMENTS = endpoints.MAX_FRAMES_ELEMENTS

Kind = Literal["image", "video", "audio"]
_LABEL = re.compile(r"(\w+)(?:\[(\d+)\])?")


class Arguments(BaseModel):
    """A tool's arguments. An unknown name is refused: a misspelt ``modle_name`` silently replaced by its default
    could spend credits on the wrong video."""

    model_config = ConfigDict(extra="forbid")


class WithMedia(Arguments):
    """Arguments the catalog checks, some of them images or videos given as a path or a URL (``MEDIA``: field name ->
    kind; a list field holds several)."""

    SUBMISSION: ClassVar[frozenset[str]] = frozenset({"email", "idempotency_key", "wait_seconds"})
    MEDIA: ClassVar[Mapping[str, Kind]] = {}
    NOT_CATALOG: ClassVar[frozenset[str]] = frozenset()  # request fields the service turns into others itself

    if TYPE_CHECKING:  # every subclass declares them, in the order its schema shows them
        email: str | None
        idempotency_key: str | None

    def catalog_fields(self) -> dict[str, Any]:
        """The request's own parameters, as the catalog's validator takes them: a text left out is None, and media
        values are trimmed (a blank one stands as left out)."""
        fields = self.model_dump(exclude=set(self.SUBMISSION | self.NOT_CATALOG))
        for name, value in fields.items():
            if value == "" and type(self).model_fields[name].default == "":
                fields[name] = None
        for name in self.MEDIA:
            value = fields.get(name)
            if isinstance(value, str):
                fields[name] = value.strip() or None
            elif isinstance(value, list):
                fields[name] = [item.strip() for item in value]
        return fields

    def kind_of(self, name: str) -> Kind:
        return self.MEDIA[name]

    def media(self) -> list[MediaInput]:
        """Every image or video given (not blank), labelled as the user names it: ``image``, ``images[0]``."""
        found: list[MediaInput] = []
        for name in self.MEDIA:
            value = getattr(self, name)
            values = (
                [(name, value)] if isinstance(value, str) else [(f"{name}[{i}]", v) for i, v in enumerate(value or [])]
            )
            found.extend(MediaInput(label, v.strip(), self.kind_of(name)) for label, v in values if v.strip())
        return found

    def catalog_fields_with(self, resolved: Mapping[str, str]) -> dict[str, Any]:
        """``catalog_fields`` with each labelled value (``image``, ``images[1]``) replaced by its URL."""
        fields = self.catalog_fields()
        for label, url in resolved.items():
            match = _LABEL.fullmatch(label)
            if match is None or match[1] not in type(self).model_fields:
                raise ValueError(f"{type(self).__name__} has no media parameter {label!r}")
            name, index = match[1], match[2]
            if index is None:
                fields[name] = url
            else:
                items = list(fields[name])
                items[int(index)] = url
                fields[name] = items
        return fields


class Generation(WithMedia):
    """The arguments of a tool that submits a generation (spends credits): the request the catalog checks, and how
    to submit it (email, idempotency_key, wait_seconds)."""

    if TYPE_CHECKING:
        wait_seconds: float


# --- field types shared by the video tools ------------------------------------------------------------------------

Mode = Annotated[
    str | None,
    optional(
        "std (720p), pro (1080p) or 4k (kling-v3-0 only). Omit it for the model's default: std, or pro for the "
        "pro-only models.",
        schema={"enum": list(MODES)},
    ),
]
StdOrPro = Annotated[str | None, optional("std (720p, default) or pro (1080p).", schema={"enum": ["std", "pro"]})]
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


def prompt_text(description: str, limit: int = catalog.MAX_PROMPT) -> Any:
    """An optional prompt (see ``fields.text``), its length published."""
    return text(description, schema={"maxLength": limit})


def _shot_schema() -> dict[str, Any]:
    """Shot's schema written inline (no ``$ref``: not every converter follows one), in as few bytes as it can: the
    shots parameter's description says what a shot is, and the model still refuses unknown keys."""
    return {
        "type": "object",
        "properties": {
            "prompt": {"type": "string", "maxLength": catalog.MAX_PROMPT},
            "duration": {"type": "integer"},
        },
        "required": ["prompt", "duration"],
    }


class Shot(Arguments):
    """One shot of a multi-shot video (sent as shot_N_prompt / shot_N_duration)."""

    prompt: Annotated[
        str, Field(description="What the shot shows.", json_schema_extra={"maxLength": catalog.MAX_PROMPT})
    ]
    duration: Annotated[int, Field(description="Its seconds.")]


Shots = Annotated[
    list[Shot] | None,
    optional(
        f"Multi-shot (v3 only): {MIN_SHOTS}–{MAX_SHOTS} shots of {{prompt, duration}}, "
        f"{SHOT_SECONDS[0]}–{SHOT_SECONDS[1]} s in all, instead of prompt and duration.",
        schema={"items": _shot_schema(), "minItems": MIN_SHOTS, "maxItems": MAX_SHOTS},
    ),
]


def element_ids(description: str, most: int | None = None) -> Any:
    """A list of element ids (``u_…`` from create_element or list_elements)."""
    return optional(description, schema={} if most is None else {"maxItems": most})


FrameElements = Annotated[
    list[str] | None,
    element_ids(
        f"Element ids (list_elements) to keep a character consistent; at most {MAX_FRAME_ELEMENTS}, kling-v3-0 only.",
        MAX_FRAME_ELEMENTS,
    ),
]

IMAGE_SOURCES = "an https URL, a local path (allowed folders) or a data: URI"
IMAGE_RULES = "PNG/JPEG, ≤10 MB, ≥300 px a side"


def image(which: str) -> Any:
    """An optional image parameter."""
    return optional(f"{which}: {IMAGE_SOURCES}; {IMAGE_RULES}.")


class GenerateVideo(Generation):
    """generate_video: text to video (POST /videos/text2video)."""

    prompt: Annotated[
        OptionalText,
        prompt_text(
            f"What the video shows; at most {catalog.MAX_PROMPT} UTF-16 units (an emoji counts 2). Required unless "
            "shots."
        ),
    ]
    shots: Shots
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

    MEDIA: ClassVar[Mapping[str, Kind]] = {"image": "image", "image_tail": "image"}

    image: Annotated[str | None, image("Start frame")]
    image_tail: Annotated[str | None, image("End frame")]
    prompt: Annotated[OptionalText, prompt_text(f"How the image moves; at most {catalog.MAX_PROMPT} UTF-16 units.")]
    shots: Shots
    elements: FrameElements
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
