"""The arguments of the "images" toolset: generate_image, upscale_image, virtual_try_on (each spends credits) and the
free recognize_faces.

Field names follow the other tools (``prompt``, ``aspect_ratio``, ``email``, ``idempotency_key``, ``wait_seconds``);
upstream names (``imageCount``, ``humanImage``, ``subjectImage1``, ...) stay in ``api/images.py``. The catalog
(``catalog/images.py``) enforces every value, per endpoint, with the rule's source.

This family's four tools share a budget of 3.5 KB of description and input schema (tools/list): their parameters
carry a few words each and publish no enum or bound that their description states (the catalog refuses a wrong
value naming what is allowed), and a result image chaining on (kling://works/…) is said once, in the tool
descriptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar

from pydantic import Field

from kling_mcp.arguments.fields import OptionalText, choice, optional, text
from kling_mcp.arguments.video import Generation, Kind, WithMedia
from kling_mcp.catalog import images as rules

# The values and bounds are the catalog's, each with its source there.
ENGINES = rules.ENGINES
VERSIONS = (*rules.OMNI_VERSIONS, *rules.KOLORS_VERSIONS)
RATIOS = (*rules.RATIOS, rules.AUTO)


# The submission fields every spending tool has: the names, types and bounds of the other tools' (arguments.fields),
# in fewer words.
Email = Annotated[str | None, optional("Kling account email.")]
IdempotencyKey = Annotated[
    str | None,
    optional("Repeat-safe key: reused, the first task.", max_length=200),
]
WaitSeconds = Annotated[float, Field(default=0, ge=0, description="Seconds to wait (capped); 0: none.")]


class GenerateImage(Generation):
    """generate_image: images from a prompt (POST /images/omni, /images/kolors or /images/kolors-elements)."""

    MEDIA: ClassVar[Mapping[str, Kind]] = {"images": "image", "subjects": "image", "scene": "image", "style": "image"}

    prompt: Annotated[OptionalText, text("@image_1, @element_1 name the inputs.")]
    engine: Annotated[str, choice("omni", "omni (default) or kolors.", ENGINES)]
    version: Annotated[
        str | None,
        optional("omni: v3, o1. kolors: kling-v3-0, kling-v2-1 (references), kling-v2-0, kling-v1-6, kling-v1-5."),
    ]
    resolution: Annotated[str | None, optional("1k, 2k, or 4k (omni v3).")]
    aspect_ratio: Annotated[str | None, optional(f"{', '.join(RATIOS)}.")]
    image_count: Annotated[int | None, optional(f"1–{rules.MAX_IMAGE_COUNT}).")]
    images: Annotated[list[str] | None, optional("@image_1 first; a kolors reference: its one image.")]
    elements: Annotated[list[str] | None, optional("omni: element ids, @element_1 first.")]
    story_mode: Annotated[bool | None, optional("omni v3: a series (needs references).")]
    reference: Annotated[str | None, optional("kolors: subject, face or restyle, of images[0].")]
    strength: Annotated[int | None, optional("Of a face or subject reference: 1–100.")]
    face_no: Annotated[int | None, optional("Which face (recognize_faces).")]
    subjects: Annotated[list[str] | None, optional(f"kolors: 1–{rules.MAX_SUBJECTS} subjects to compose.")]
    scene: Annotated[str | None, optional("kolors: their scene.")]
    style: Annotated[str | None, optional("kolors: their style.")]
    email: Email
    idempotency_key: IdempotencyKey
    wait_seconds: WaitSeconds


class UpscaleImage(Generation):
    """upscale_image: a task's image upscaled (POST /images/upscale), or any image enhanced (POST /images/enhance)."""

    MEDIA: ClassVar[Mapping[str, Kind]] = {"image": "image"}

    task_id: Annotated[int | None, optional("A finished image task.")]
    work_id: Annotated[int | None, optional("Which of its images.")]
    image: Annotated[str | None, optional("Or any image, to enhance.")]
    resolution: Annotated[str | None, optional("With image: 2k (1 credit) or 4k (2).")]
    email: Email
    idempotency_key: IdempotencyKey
    wait_seconds: WaitSeconds


class VirtualTryOn(Generation):
    """virtual_try_on: a person dressed in garments (POST /images/virtual-try-on)."""

    MEDIA: ClassVar[Mapping[str, Kind]] = {"human_image": "image", "upper": "image", "lower": "image", "dress": "image"}

    human_image: Annotated[str, Field(description="The person.")]
    upper: Annotated[str | None, optional("Upper garment.")]
    lower: Annotated[str | None, optional("Lower garment.")]
    dress: Annotated[str | None, optional("A dress (alone).")]
    image_count: Annotated[int | None, optional(f"1–{rules.MAX_TRY_ON_COUNT}).")]
    email: Email
    idempotency_key: IdempotencyKey
    wait_seconds: WaitSeconds


class RecognizeFaces(WithMedia):
    """recognize_faces: the faces in an image (POST /images/recognize-faces; free)."""

    MEDIA: ClassVar[Mapping[str, Kind]] = {"image": "image"}

    image: Annotated[str, Field(description="The image.")]
    email: Email


__all__ = ["ENGINES", "RATIOS", "VERSIONS", "GenerateImage", "RecognizeFaces", "UpscaleImage", "VirtualTryOn"]
