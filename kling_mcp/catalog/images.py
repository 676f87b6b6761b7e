"""The image endpoints: their rules (each with the facts it rests on), how their credits are estimated, and the
validators that build each exact upstream body (``api.images`` request models) with its estimate, or raise
InvalidParameterError naming the parameter, the value, the rule with its sources and what is allowed.

Endpoints: POST /images/omni, /images/kolors, /images/kolors-elements (generate_image: ``engine`` omni or kolors;
kolors with subject, scene or style images goes to kolors-elements), /images/upscale and /images/enhance
(upscale_image: a task's work, or any image), /images/virtual-try-on (virtual_try_on) and /images/recognize-faces
(recognize_faces, free). ``IMAGE_ENDPOINTS`` describes them in kling://models.

Sources beyond useapi's Postman collection (updated 2026-07-20), each a useapi documentation page (stored copies):
POST /images/omni (December 10, 2025, updated January 12, 2026: image_1 … image_10 and element_1 … element_10, the
1700-character prompt), POST /images/kolors (updated February 9, 2026: which KOLORS version does what),
POST /images/virtual-try-on (updated October 1, 2025: which garments combine), POST /images/enhance (October 15,
2026: the image, 2k or 4k, and their price) and POST /images/recognize-faces (April 24, 2025: free). Where the
Postman collection is silent the page stands (silence is not disagreement, as for the video endpoints).

Images reach a validator first as the user gave them (a path, a data: URI, a URL or ``kling://works/…``: errors
quote them), then as the URLs to send; only their presence is checked here (files are checked by jobs.uploads).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kling_mcp.api.images import (
    MAX_KOLORS_IMAGES,
    MAX_OMNI_IMAGE_REFERENCES,
    EnhanceImageRequest,
    KolorsElementsRequest,
    KolorsRequest,
    OmniImageRequest,
    RecognizeFacesRequest,
    UpscaleImageRequest,
    VirtualTryOnRequest,
)
from kling_mcp.catalog import references
from kling_mcp.catalog.checks import MAX_PROMPT, Rule, media_list, one_of, optional_media, required_media, text
from kling_mcp.catalog.checks import whole_number as _whole
from kling_mcp.catalog.rules import Estimate
from kling_mcp.catalog.sources import INFERRED_RULE, POSTMAN, Fact, Source
from kling_mcp.catalog.table import ESTIMATE, PUBLISHED

__all__ = [
    "ENGINES",
    "IMAGE_ENDPOINTS",
    "IMAGE_SOURCES",
    "ImageEndpoint",
    "validate_image",
    "validate_recognize_faces",
    "validate_try_on",
    "validate_upscale",
]

# --- the documents ----------------------------------------------------------------------------------------------------

OMNI_IMAGE_DOC = Source("H", "useapi's documentation page for POST /images/omni", "2025-12-10, updated 2026-01-12")
KOLORS_DOC = Source("K", "useapi's documentation page for POST /images/kolors", "2025-04-24, updated 2026-02-09")
TRY_ON_DOC = Source(
    "Y", "useapi's documentation page for POST /images/virtual-try-on", "2025-04-18, updated 2025-10-01"
)
ENHANCE_DOC = Source("N", "useapi's documentation page for POST /images/enhance", "2026-10-15")
FACES_DOC = Source("R", "useapi's documentation page for POST /images/recognize-faces", "2025-04-24")
IMAGE_SOURCES: tuple[Source, ...] = (ENHANCE_DOC, KOLORS_DOC, OMNI_IMAGE_DOC, TRY_ON_DOC, FACES_DOC)  # newest first

# --- what they say ----------------------------------------------------------------------------------------------------

OMNI_FIELDS = Fact(
    POSTMAN,
    "POST /images/omni takes prompt, omni_version, resolution, aspect_ratio, imageCount, story_mode, image_N and "
    "element_N",
)
OMNI_PROMPT = Fact(
    POSTMAN, 'images/omni prompt: "Required, text description. Use @image_1, @element_1 to reference inputs"'
)
OMNI_PROMPT_LENGTH = Fact(OMNI_IMAGE_DOC, 'prompt: "Maximum length: 1700 characters"')
OMNI_VERSION = Fact(POSTMAN, 'images/omni omni_version: "v3(default), o1"')
OMNI_RESOLUTION = Fact(POSTMAN, 'images/omni resolution: "1k(default), 2k, 4k (v3 only, VIP required)"')
OMNI_ASPECT = Fact(
    POSTMAN,
    'images/omni aspect_ratio: "auto(v3 default), 16:9(O1 default), 9:16, 1:1, 4:3, 3:4, 3:2, 2:3, 21:9. auto is v3 '
    'only"',
)
OMNI_COUNT = Fact(POSTMAN, 'images/omni imageCount: "1-9"')
OMNI_STORY = Fact(
    POSTMAN,
    'images/omni story_mode: "v3 only. Enables Series Mode for coherent multi-image generation. Requires at least one '
    'reference image or element"',
)
OMNI_REFERENCES = Fact(
    OMNI_IMAGE_DOC, '"up to 10 reference images and/or saved elements" (image_1 … image_10, element_1 … element_10)'
)

KOLORS_FIELDS = Fact(
    POSTMAN,
    "POST /images/kolors takes prompt, version, reference, imageReference, aspect_ratio, imageCount, faceStrength, "
    "subjectStrength and faceNo (no elements, no story_mode)",
)
KOLORS_PROMPT = Fact(POSTMAN, 'kolors prompt: "Required … Maximum length: 2500 characters"')
KOLORS_VERSION = Fact(POSTMAN, 'kolors version: "kling-v3-0(default), kling-v2-1, kling-v2-0, kling-v1-6, kling-v1-5"')
KOLORS_LEGACY = Fact(
    KOLORS_DOC, '"Legacy (retired): kling-v1-5, kling-v1-6, kling-v2-0 — still accepted for backwards compatibility"'
)
KOLORS_REFERENCE = Fact(
    POSTMAN,
    'kolors reference: "none (default …), subject …, face …, restyle"; imageReference: "required if reference is not '
    'none"',
)
KOLORS_REFERENCE_IMAGE = Fact(
    INFERRED_RULE,
    "generate_image gives a KOLORS reference its one image in images (sent as imageReference); images holds the "
    "reference images of kling-v3-0 otherwise",
)
KOLORS_REFERENCE_VERSIONS = Fact(
    KOLORS_DOC,
    'support matrix: face, subject and restyle references ❌ on v3.0, ✅ on v2.1 ("Their features (restyle, face, '
    'subject) are now available under v2.1")',
)
KOLORS_ASPECT = Fact(
    POSTMAN,
    'kolors aspect_ratio: "Not supported by restyle reference type. Supported values: 1:1, 16:9 (default), 4:3, 3:2, '
    '2:3, 3:4, 9:16, 21:9"',
)
KOLORS_AUTO = Fact(KOLORS_DOC, 'support matrix: "aspect_ratio: auto" ✅ on v3.0 "(with images only)", ❌ on v2.1')
KOLORS_COUNT = Fact(POSTMAN, 'kolors and kolors-elements imageCount: "Range: 1 to 9. Default: 1"')
KOLORS_STRENGTHS = Fact(
    POSTMAN,
    'kolors faceStrength: "for both face and subject reference types. Range: 1 to 100. Default: 65"; subjectStrength: '
    '"for subject reference type. Range: 1 to 100. Default: 50"',
)
KOLORS_FACE_NO = Fact(
    POSTMAN,
    'kolors faceNo: "the index of the face to use in multi-face images for face reference type. Default: 1. You can '
    'use POST /images/recognize-faces to detect faces"',
)
KOLORS_IMAGES = Fact(KOLORS_DOC, 'support matrix: "Reference images (image_1-image_10)" ✅ "(up to 10)" on v3.0 only')
KOLORS_RESOLUTION = Fact(
    KOLORS_DOC, 'support matrix: resolution "1k, 2k (default)" on v3.0; on v2.1 "1k, 2k (default, text-to-image only)"'
)
KOLORS_RESOLUTION_LEGACY = Fact(
    INFERRED_RULE, "no source gives a resolution for the retired KOLORS versions (kling-v2-0, kling-v1-6, kling-v1-5)"
)

ELEMENTS_FIELDS = Fact(
    POSTMAN,
    "POST /images/kolors-elements takes prompt, aspect_ratio, imageCount, subjectImage1 … subjectImage4, sceneImage "
    "and styleImage",
)
ELEMENTS_PROMPT = Fact(POSTMAN, 'kolors-elements prompt: "Optional … Maximum length: 2500 characters"')
ELEMENTS_SUBJECTS = Fact(POSTMAN, "kolors-elements subjectImage1 … subjectImage4: the subject images, each optional")
ELEMENTS_ONE_SUBJECT = Fact(
    INFERRED_RULE,
    "subject images are what appear as elements in the image: at least one is asked for, rather than sending a scene "
    "or a style alone",
)
ELEMENTS_ASPECT = Fact(POSTMAN, 'kolors-elements aspect_ratio: "1:1, 16:9 (default), 4:3, 3:2, 2:3, 3:4, 9:16, 21:9"')

UPSCALE_SOURCE = Fact(
    POSTMAN,
    'upscale task_id: "the ID of a completed task that generated the image. Must be in the succeed status"; workId: '
    '"the ID of the specific image from the task"',
)
ENHANCE_ANY_IMAGE = Fact(
    ENHANCE_DOC,
    '"POST /images/upscale works only on an image Kling generated, identified by its task_id and workId. This '
    'endpoint takes any image URL instead"',
)
UPSCALE_FIELDS = Fact(POSTMAN, "POST /images/upscale takes task_id and workId only (no resolution)")
ENHANCE_IMAGE = Fact(ENHANCE_DOC, 'image: "required, the URL of the image to enhance"')
ENHANCE_RESOLUTION = Fact(ENHANCE_DOC, 'resolution: "Supported values: 2k (1 credit), 4k (2 credits). Default: 2k"')
ENHANCE_PRICE = Fact(ENHANCE_DOC, '"Enhancing costs 1 Kling credit at 2k and 2 credits at 4k"')

TRY_ON_HUMAN = Fact(POSTMAN, 'virtual-try-on humanImage: "Required human model image URL"')
TRY_ON_GARMENTS = Fact(
    TRY_ON_DOC,
    'dressInput: "Incompatible with upperInput and lowerInput"; "You must provide at least one of: dressInput, '
    'upperInput, or lowerInput"',
)
TRY_ON_COUNT = Fact(POSTMAN, 'virtual-try-on imageCount: "valid range 1(default)...4"')

FACES_IMAGE = Fact(POSTMAN, 'recognize-faces imageReference: "Required, the URL of the image to analyze"')
FACES_FREE = Fact(FACES_DOC, '"You can execute an unlimited number of face detections for free"')

IMAGE_PRICE = Fact(
    INFERRED_RULE,
    "useapi publishes no credit price for generating, upscaling or trying on images: each image made is priced as one "
    "enhance of its resolution (1 credit up to 2k, 2 at 4k), the only image price useapi publishes",
)

# --- values -----------------------------------------------------------------------------------------------------------

ENGINES: tuple[str, ...] = ("omni", "kolors")
OMNI_VERSIONS: tuple[str, ...] = ("v3", "o1")
OMNI_RESOLUTIONS: tuple[str, ...] = ("1k", "2k", "4k")
RATIOS: tuple[str, ...] = ("16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9")  # Postman, omni and kolors
AUTO = "auto"
MAX_OMNI_IMAGE_PROMPT = 1700  # OMNI_PROMPT_LENGTH
MAX_IMAGE_COUNT = 9  # Postman: imageCount 1-9 (omni, kolors, kolors-elements)
KOLORS_VERSIONS: tuple[str, ...] = ("kling-v3-0", "kling-v2-1", "kling-v2-0", "kling-v1-6", "kling-v1-5")
KOLORS_V3 = "kling-v3-0"
KOLORS_REFERENCE_DEFAULT = "kling-v2-1"  # KOLORS_REFERENCE_VERSIONS: the version that takes references
REFERENCES: tuple[str, ...] = ("none", "subject", "face", "restyle")
KOLORS_RESOLUTIONS: tuple[str, ...] = ("1k", "2k")
STRENGTH = (1, 100)  # KOLORS_STRENGTHS
MAX_SUBJECTS = 4  # Postman: subjectImage1 … subjectImage4
ENHANCE_RESOLUTIONS: tuple[str, ...] = ("2k", "4k")
MAX_TRY_ON_COUNT = 4  # TRY_ON_COUNT
MAX_FACE_NO = 2**31 - 1  # no source bounds faceNo; kept a plain JSON integer
MAX_TASK_ID = 2**63 - 1  # task and work ids are kept in SQLite INTEGER columns (arguments.fields.MAX_ID)

# Credits per image made (IMAGE_PRICE, inferred) and per enhance (ENHANCE_PRICE, published).
CREDITS_PER_IMAGE: dict[str, float] = {"1k": 1.0, "2k": 1.0, "4k": 2.0}
ENHANCE_CREDITS: dict[str, float] = {"2k": 1.0, "4k": 2.0}

# --- the rules --------------------------------------------------------------------------------------------------------

ENGINE_RULE = Rule(
    "engine", "omni (default) or kolors; kolors with subject, scene or style images is KOLORS Elements", (OMNI_FIELDS,)
)
OMNI_FIELDS_RULE = Rule(
    "engine", "omni takes no KOLORS parameter (reference, strength, subject images …)", (OMNI_FIELDS,)
)
OMNI_PROMPT_RULE = Rule(
    "prompt", f"required, at most {MAX_OMNI_IMAGE_PROMPT} UTF-16 units", (OMNI_PROMPT, OMNI_PROMPT_LENGTH)
)
OMNI_VERSION_RULE = Rule("version", "v3 (default) or o1", (OMNI_VERSION,))
OMNI_RESOLUTION_RULE = Rule("resolution", "1k (default), 2k, or 4k (v3 only, a Kling VIP plan)", (OMNI_RESOLUTION,))
OMNI_ASPECT_RULE = Rule(
    "aspect_ratio", f"{', '.join(RATIOS)}, or auto (v3 only; v3's default, 16:9 o1's)", (OMNI_ASPECT,)
)
IMAGE_COUNT_RULE = Rule("image_count", f"1–{MAX_IMAGE_COUNT} (default 1)", (OMNI_COUNT, KOLORS_COUNT))
OMNI_STORY_RULE = Rule("story_mode", "v3 only, with at least one reference image or element", (OMNI_STORY,))
OMNI_REFERENCES_RULE = Rule(
    "images", f"images and elements together at most {MAX_OMNI_IMAGE_REFERENCES}", (OMNI_REFERENCES,)
)
PROMPT_REFERENCES = Rule(
    "prompt", "@image_N and @element_N name the N-th image and element given (N from 1)", (OMNI_PROMPT,)
)

KOLORS_FIELDS_RULE = Rule("engine", "kolors takes no elements and no story_mode", (KOLORS_FIELDS,))
KOLORS_PROMPT_RULE = Rule("prompt", f"required, at most {MAX_PROMPT} UTF-16 units", (KOLORS_PROMPT,))
KOLORS_VERSION_RULE = Rule(
    "version",
    f"{', '.join(KOLORS_VERSIONS)}: kling-v3-0 by default, {KOLORS_REFERENCE_DEFAULT} with a reference; the last "
    "three are retired but accepted",
    (KOLORS_VERSION, KOLORS_LEGACY),
)
KOLORS_REFERENCE_RULE = Rule(
    "reference",
    "none (default), subject, face or restyle; with a reference, images holds its one image (imageReference)",
    (KOLORS_REFERENCE, KOLORS_REFERENCE_IMAGE),
)
KOLORS_REFERENCE_VERSION_RULE = Rule(
    "reference",
    f"not with kling-v3-0 ({KOLORS_REFERENCE_DEFAULT} is sent when version is omitted)",
    (KOLORS_REFERENCE_VERSIONS,),
)
KOLORS_ASPECT_RULE = Rule(
    "aspect_ratio",
    f"{', '.join(RATIOS)} (16:9 by default); not with restyle; auto only on kling-v3-0 with images",
    (KOLORS_ASPECT, KOLORS_AUTO),
)
KOLORS_STRENGTH_RULE = Rule(
    "strength",
    "1–100, with a face reference (sent as faceStrength) or a subject reference (sent as subjectStrength)",
    (KOLORS_STRENGTHS,),
)
KOLORS_FACE_NO_RULE = Rule(
    "face_no", "with a face reference only: which face, from 1 (recognize_faces lists them)", (KOLORS_FACE_NO,)
)
KOLORS_IMAGES_RULE = Rule(
    "images",
    f"reference images: kling-v3-0 only, at most {MAX_KOLORS_IMAGES}; with a reference, its one image",
    (KOLORS_IMAGES, KOLORS_REFERENCE_IMAGE),
)
KOLORS_RESOLUTION_RULE = Rule(
    "resolution",
    "1k or 2k (upstream default 2k): kling-v3-0, or kling-v2-1 without a reference; not the retired versions",
    (KOLORS_RESOLUTION, KOLORS_RESOLUTION_LEGACY),
)

ELEMENTS_FIELDS_RULE = Rule(
    "subjects",
    "KOLORS Elements takes no version, reference, strength, face_no, images, elements, resolution or story_mode",
    (ELEMENTS_FIELDS,),
)
ELEMENTS_SUBJECTS_RULE = Rule(
    "subjects",
    f"1–{MAX_SUBJECTS} subject images (scene and style optional)",
    (ELEMENTS_SUBJECTS, ELEMENTS_ONE_SUBJECT),
)
ELEMENTS_PROMPT_RULE = Rule("prompt", f"optional, at most {MAX_PROMPT} UTF-16 units", (ELEMENTS_PROMPT,))
ELEMENTS_ASPECT_RULE = Rule("aspect_ratio", f"{', '.join(RATIOS)} (16:9 by default)", (ELEMENTS_ASPECT,))

UPSCALE_RULE = Rule(
    "task_id",
    "task_id and work_id of a succeeded image task (POST /images/upscale), or image (POST /images/enhance): not both",
    (UPSCALE_SOURCE, ENHANCE_ANY_IMAGE),
)
UPSCALE_RESOLUTION_RULE = Rule("resolution", "only with image: upscaling a task's work takes none", (UPSCALE_FIELDS,))
ENHANCE_IMAGE_RULE = Rule("image", "required unless task_id and work_id", (ENHANCE_IMAGE,))
ENHANCE_RESOLUTION_RULE = Rule("resolution", "2k (default, 1 credit) or 4k (2 credits)", (ENHANCE_RESOLUTION,))

TRY_ON_HUMAN_RULE = Rule("human_image", "required: the person", (TRY_ON_HUMAN,))
TRY_ON_GARMENTS_RULE = Rule(
    "dress", "at least one of upper, lower and dress; dress not with upper or lower", (TRY_ON_GARMENTS,)
)
TRY_ON_COUNT_RULE = Rule("image_count", f"1–{MAX_TRY_ON_COUNT} (default 1)", (TRY_ON_COUNT,))

FACES_IMAGE_RULE = Rule("image", "required; free, answered at once", (FACES_IMAGE, FACES_FREE))

# --- kling://models ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImagePricing:
    """How an image endpoint's credits are estimated: ``per_image`` by resolution (or per call)."""

    basis: str
    facts: tuple[Fact, ...]
    per_image: dict[str, float]
    source: str = ESTIMATE

    def describe(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
            "source": self.source,
            "sources": [fact.short() for fact in self.facts],
            "per_image": dict(self.per_image),
        }


@dataclass(frozen=True)
class ImageEndpoint:
    """An image endpoint as kling://models shows it (the same keys as a video endpoint's, plus ``resolutions``)."""

    path: str
    tool: str
    summary: str
    models: tuple[str, ...]
    default_model: str | None
    rules: tuple[Rule, ...]
    pricing: ImagePricing | None
    resolutions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    shared: tuple[str, ...] = field(default=())

    def describe(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "tool": self.tool,
            "summary": self.summary,
            "models": list(self.models),
            "default_model": self.default_model,
            "modes": {},
            "resolutions": list(self.resolutions),
            "rules": [rule.describe() for rule in self.rules],
            "shared_rules": list(self.shared),
            "credits": self.pricing.describe() if self.pricing else None,
            "notes": list(self.notes),
        }


_PER_IMAGE = ImagePricing("each image made, by its resolution", (IMAGE_PRICE,), CREDITS_PER_IMAGE)
_CHAINING = "Its images chain on: pass kling://works/<task_id>/<work_id> as any image parameter (animate_image too)."

IMAGE_ENDPOINTS: dict[str, ImageEndpoint] = {
    "image_omni": ImageEndpoint(
        path="POST /images/omni",
        tool="generate_image",
        summary="Kling Omni images (engine omni, the default): 1–9 images from a prompt naming up to 10 reference "
        "images and elements (@image_1, @element_1), 1k–4k, or a coherent series (story_mode)",
        models=OMNI_VERSIONS,
        default_model="v3",
        rules=(
            OMNI_PROMPT_RULE,
            PROMPT_REFERENCES,
            OMNI_VERSION_RULE,
            OMNI_RESOLUTION_RULE,
            OMNI_ASPECT_RULE,
            IMAGE_COUNT_RULE,
            OMNI_STORY_RULE,
            OMNI_REFERENCES_RULE,
            OMNI_FIELDS_RULE,
        ),
        shared=("element_ids",),
        pricing=_PER_IMAGE,
        resolutions=OMNI_RESOLUTIONS,
        notes=(
            "version is sent as omni_version.",
            "4k needs a Kling VIP plan (Postman collection).",
            _CHAINING,
        ),
    ),
    "image_kolors": ImageEndpoint(
        path="POST /images/kolors",
        tool="generate_image",
        summary="KOLORS images (engine kolors): from a prompt, with reference images (kling-v3-0) or a face, subject "
        "or restyle reference (kling-v2-1)",
        models=KOLORS_VERSIONS,
        default_model=KOLORS_V3,
        rules=(
            KOLORS_PROMPT_RULE,
            KOLORS_VERSION_RULE,
            KOLORS_REFERENCE_RULE,
            KOLORS_REFERENCE_VERSION_RULE,
            KOLORS_ASPECT_RULE,
            IMAGE_COUNT_RULE,
            KOLORS_STRENGTH_RULE,
            KOLORS_FACE_NO_RULE,
            KOLORS_IMAGES_RULE,
            KOLORS_RESOLUTION_RULE,
            KOLORS_FIELDS_RULE,
        ),
        pricing=_PER_IMAGE,
        resolutions=KOLORS_RESOLUTIONS,
        notes=("imageCount is always sent (1 by default) so that the images made are the images priced.", _CHAINING),
    ),
    "image_kolors_elements": ImageEndpoint(
        path="POST /images/kolors-elements",
        tool="generate_image",
        summary="KOLORS Elements (engine kolors with subjects, scene or style): 1–4 subject images composed in one "
        "image, on a scene, in a style",
        models=(),
        default_model=None,
        rules=(
            ELEMENTS_SUBJECTS_RULE,
            ELEMENTS_PROMPT_RULE,
            ELEMENTS_ASPECT_RULE,
            IMAGE_COUNT_RULE,
            ELEMENTS_FIELDS_RULE,
        ),
        pricing=_PER_IMAGE,
        notes=(_CHAINING,),
    ),
    "image_upscale": ImageEndpoint(
        path="POST /images/upscale",
        tool="upscale_image",
        summary="A higher-resolution copy of one image of a succeeded image task (task_id + work_id), as a new task",
        models=(),
        default_model=None,
        rules=(UPSCALE_RULE, UPSCALE_RESOLUTION_RULE),
        pricing=ImagePricing("one image at 2k", (IMAGE_PRICE,), {"2k": CREDITS_PER_IMAGE["2k"]}),
    ),
    "image_enhance": ImageEndpoint(
        path="POST /images/enhance",
        tool="upscale_image",
        summary="Any image enhanced and its details restored, at 2k or 4k (its size follows the input's), as a task",
        models=(),
        default_model=None,
        rules=(UPSCALE_RULE, ENHANCE_IMAGE_RULE, ENHANCE_RESOLUTION_RULE),
        pricing=ImagePricing("per enhance, by resolution", (ENHANCE_PRICE,), ENHANCE_CREDITS, PUBLISHED),
        resolutions=ENHANCE_RESOLUTIONS,
    ),
    "virtual_try_on": ImageEndpoint(
        path="POST /images/virtual-try-on",
        tool="virtual_try_on",
        summary="A person dressed in given garments (upper, lower, or a dress), 1–4 images",
        models=(),
        default_model=None,
        rules=(TRY_ON_HUMAN_RULE, TRY_ON_GARMENTS_RULE, TRY_ON_COUNT_RULE),
        pricing=ImagePricing("each image made", (IMAGE_PRICE,), {"image": CREDITS_PER_IMAGE["1k"]}),
        notes=("imageCount is always sent (1 by default) so that the images made are the images priced.",),
    ),
    "recognize_faces": ImageEndpoint(
        path="POST /images/recognize-faces",
        tool="recognize_faces",
        summary="The faces in an image, numbered as face_no counts them (KOLORS face reference); free, at once",
        models=(),
        default_model=None,
        rules=(FACES_IMAGE_RULE,),
        pricing=None,
        notes=("Free: no credits, no task.",),
    ),
}

# --- shared checks ----------------------------------------------------------------------------------------------------

_IMAGE = "an image: an https URL, a local PNG/JPEG path, a data: URI or kling://works/<task_id>/<work_id>"


def _given(value: Any) -> bool:
    """Whether the caller gave a value (an empty text, list or False-less None stands for left out)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple):
        return bool(value)
    return True


def _whole_in(value: Any, low: int, high: int, rule: Rule, parameter: str, default: int | None) -> int | None:
    """A whole number from ``low`` to ``high`` (``default`` when left out)."""
    if value is None:
        return default
    number = _whole(value)
    if number is None or not low <= number <= high:
        rule.refuse(value, "out of range", f"a whole number from {low} to {high}", parameter=parameter)
    return number


def _refuse_given(fields: dict[str, Any], rule: Rule, why: str, allowed: str) -> None:
    """Refuse the first of ``fields`` that was given (``why`` says why it does not belong)."""
    for name, value in fields.items():
        if _given(value):
            shown = f"<{len(value)} images>" if isinstance(value, list | tuple) else value
            rule.refuse(shown, f"{name} {why}", allowed, parameter=name)


def _count_label(count: int, what: str) -> str:
    return f"{count} {what}" + ("" if count == 1 else "s")


# --- generate_image: POST /images/omni, /images/kolors, /images/kolors-elements --------------------------------------


def validate_image(
    *,
    prompt: str | None = None,
    engine: str | None = None,
    version: str | None = None,
    resolution: str | None = None,
    aspect_ratio: str | None = None,
    image_count: int | None = None,
    images: Sequence[str] | None = None,
    elements: Sequence[str] | None = None,
    story_mode: bool | None = None,
    reference: str | None = None,
    strength: int | None = None,
    face_no: int | None = None,
    subjects: Sequence[str] | None = None,
    scene: str | None = None,
    style: str | None = None,
    email: str | None = None,
) -> tuple[OmniImageRequest | KolorsRequest | KolorsElementsRequest, Estimate]:
    """Check a generate_image call and build the body of the endpoint it goes to: omni (``engine`` omni, the
    default), KOLORS Elements (``engine`` kolors with subject, scene or style images) or KOLORS."""
    chosen = one_of(engine, ENGINES, "omni", ENGINE_RULE, "supported image engine")
    kolors_only = {
        "reference": reference,
        "strength": strength,
        "face_no": face_no,
        "subjects": subjects,
        "scene": scene,
        "style": style,
    }
    if chosen == "omni":
        _refuse_given(kolors_only, OMNI_FIELDS_RULE, "is a KOLORS parameter", "omit it, or engine kolors")
        return _omni(prompt, version, resolution, aspect_ratio, image_count, images, elements, story_mode, email)
    if _given(subjects) or _given(scene) or _given(style):
        _refuse_given(
            {
                "version": version,
                "reference": reference if reference != "none" else None,
                "strength": strength,
                "face_no": face_no,
                "images": images,
                "elements": elements,
                "resolution": resolution,
                "story_mode": story_mode,
            },
            ELEMENTS_FIELDS_RULE,
            "is not taken by KOLORS Elements (subjects, scene or style)",
            "omit it, or give no subject, scene or style image",
        )
        return _kolors_elements(prompt, aspect_ratio, image_count, subjects, scene, style, email)
    _refuse_given(
        {"elements": elements, "story_mode": story_mode},
        KOLORS_FIELDS_RULE,
        "is an omni parameter",
        "omit it, or engine omni",
    )
    return _kolors(
        prompt,
        version,
        reference,
        resolution,
        aspect_ratio,
        image_count,
        images,
        strength,
        face_no,
        email,
    )


def _omni(
    prompt: str | None,
    version: str | None,
    resolution: str | None,
    aspect_ratio: str | None,
    image_count: int | None,
    images: Sequence[str] | None,
    elements: Sequence[str] | None,
    story_mode: bool | None,
    email: str | None,
) -> tuple[OmniImageRequest, Estimate]:
    chosen = one_of(version, OMNI_VERSIONS, "v3", OMNI_VERSION_RULE, "Kling Omni image version")
    assert chosen is not None
    checked = text(prompt, required=True, limit=MAX_OMNI_IMAGE_PROMPT, rule=OMNI_PROMPT_RULE)
    assert checked is not None
    pictures = media_list(images, "images", _IMAGE)
    saved = references.element_ids(elements, limit=MAX_OMNI_IMAGE_REFERENCES, rule=OMNI_REFERENCES_RULE)
    if len(pictures) + len(saved) > MAX_OMNI_IMAGE_REFERENCES:
        OMNI_REFERENCES_RULE.refuse(
            f"<{len(pictures)} images and {len(saved)} elements>",
            f"omni images take at most {MAX_OMNI_IMAGE_REFERENCES} references, images and elements together",
            f"at most {MAX_OMNI_IMAGE_REFERENCES} images and elements in all",
        )
    size = one_of(resolution, OMNI_RESOLUTIONS, "1k", OMNI_RESOLUTION_RULE, "resolution of omni images")
    assert size is not None
    if size == "4k" and chosen != "v3":
        OMNI_RESOLUTION_RULE.refuse(resolution, f"omni {chosen} makes no 4k images", ["1k", "2k"])
    ratio = one_of(aspect_ratio, (*RATIOS, AUTO), None, OMNI_ASPECT_RULE, "supported aspect ratio")
    if ratio == AUTO and chosen != "v3":
        OMNI_ASPECT_RULE.refuse(aspect_ratio, f"auto is v3 only, not {chosen}", list(RATIOS))
    count = _whole_in(image_count, 1, MAX_IMAGE_COUNT, IMAGE_COUNT_RULE, "image_count", 1)
    assert count is not None
    if story_mode:
        if chosen != "v3":
            OMNI_STORY_RULE.refuse(story_mode, f"story mode is v3 only, not {chosen}", "omit story_mode, or version v3")
        if not pictures and not saved:
            OMNI_STORY_RULE.refuse(
                story_mode, "story mode needs at least one reference image or element", "give images or elements"
            )
    references.check_prompt_references(checked, "prompt", images=len(pictures), elements=len(saved), video=False)
    request = OmniImageRequest(
        prompt=checked,
        email=email,
        omni_version=chosen,
        # The resolution and the count are always sent, so that the images made are the images priced.
        resolution=size,
        aspect_ratio=ratio,
        imageCount=count,
        story_mode=story_mode,
        **{f"image_{n}": url for n, url in enumerate(pictures, start=1)},
        **{f"element_{n}": element for n, element in enumerate(saved, start=1)},
    )
    notes = [f"An inferred rate: {IMAGE_PRICE.says}."]
    if size == "4k":
        notes.append("4k needs a Kling VIP plan (Postman collection).")
    label = _count_label(count, f"omni {chosen} image")  # the resolution is the estimate's mode
    return request, _estimate(count * CREDITS_PER_IMAGE[size], size, " ".join(notes), label)


def _kolors(
    prompt: str | None,
    version: str | None,
    reference: str | None,
    resolution: str | None,
    aspect_ratio: str | None,
    image_count: int | None,
    images: Sequence[str] | None,
    strength: int | None,
    face_no: int | None,
    email: str | None,
) -> tuple[KolorsRequest, Estimate]:
    checked = text(prompt, required=True, rule=KOLORS_PROMPT_RULE)
    assert checked is not None
    kind = one_of(reference, REFERENCES, "none", KOLORS_REFERENCE_RULE, "KOLORS reference type")
    assert kind is not None
    default_version = KOLORS_V3 if kind == "none" else KOLORS_REFERENCE_DEFAULT
    chosen = one_of(version, KOLORS_VERSIONS, default_version, KOLORS_VERSION_RULE, "KOLORS version")
    assert chosen is not None
    if kind != "none" and chosen == KOLORS_V3:
        KOLORS_REFERENCE_VERSION_RULE.refuse(
            kind, f"{KOLORS_V3} takes no {kind} reference", f"version {KOLORS_REFERENCE_DEFAULT} (or omit version)"
        )
    pictures = media_list(images, "images", _IMAGE)
    source: str | None = None
    if kind != "none":
        if len(pictures) != 1:
            KOLORS_IMAGES_RULE.refuse(
                f"<{len(pictures)} images>",
                f"a {kind} reference takes its one image in images",
                f"images=[{_IMAGE}]",
            )
        source, pictures = pictures[0], []
    elif pictures:
        if chosen != KOLORS_V3:
            KOLORS_IMAGES_RULE.refuse(
                f"<{len(pictures)} images>",
                f"{chosen} takes no reference images",
                f"version {KOLORS_V3}, or omit images",
            )
        if len(pictures) > MAX_KOLORS_IMAGES:
            KOLORS_IMAGES_RULE.refuse(
                f"<{len(pictures)} images>", f"at most {MAX_KOLORS_IMAGES} images", f"1–{MAX_KOLORS_IMAGES} images"
            )
    references.check_prompt_references(checked, "prompt", images=len(pictures), elements=0, video=False)
    ratio = _kolors_ratio(aspect_ratio, kind, chosen, bool(pictures))
    size = one_of(resolution, KOLORS_RESOLUTIONS, None, KOLORS_RESOLUTION_RULE, "KOLORS resolution")
    if size is not None and not (chosen == KOLORS_V3 or (chosen == "kling-v2-1" and kind == "none")):
        why = f"{chosen} takes no resolution" if chosen != "kling-v2-1" else "kling-v2-1 takes one without a reference"
        KOLORS_RESOLUTION_RULE.refuse(resolution, why, "omit resolution")
    power = _whole_in(strength, *STRENGTH, KOLORS_STRENGTH_RULE, "strength", None)
    if power is not None and kind not in ("face", "subject"):
        KOLORS_STRENGTH_RULE.refuse(strength, "strength applies to a face or subject reference", "omit it")
    which = _whole_in(face_no, 1, MAX_FACE_NO, KOLORS_FACE_NO_RULE, "face_no", None)
    if which is not None and kind != "face":
        KOLORS_FACE_NO_RULE.refuse(face_no, "face_no applies to a face reference", "omit it, or reference face")
    count = _whole_in(image_count, 1, MAX_IMAGE_COUNT, IMAGE_COUNT_RULE, "image_count", 1)
    assert count is not None
    request = KolorsRequest(
        prompt=checked,
        email=email,
        version=chosen,
        reference=None if kind == "none" else kind,
        imageReference=source if kind != "none" else None,
        aspect_ratio=ratio,
        # Always sent: KOLORS v3.0 makes 2 by default (KOLORS page), and the images made are the images priced.
        imageCount=count,
        resolution=size,
        faceStrength=power if kind == "face" else None,
        subjectStrength=power if kind == "subject" else None,
        faceNo=which,
        **{f"image_{n}": url for n, url in enumerate(pictures, start=1)},
    )
    priced = size or "2k"
    made = _count_label(count, f"KOLORS {chosen} image") + ("" if kind == "none" else f" ({kind} reference)")
    note = f"An inferred rate: {IMAGE_PRICE.says}."
    return request, _estimate(count * CREDITS_PER_IMAGE[priced], size or "", note, made)


def _kolors_ratio(aspect_ratio: str | None, kind: str, version: str, pictures: bool) -> str | None:
    if aspect_ratio is None:
        return None
    if kind == "restyle":
        KOLORS_ASPECT_RULE.refuse(aspect_ratio, "a restyle keeps the reference's ratio", "omit aspect_ratio")
    if aspect_ratio == AUTO:
        if version != KOLORS_V3 or not pictures:
            KOLORS_ASPECT_RULE.refuse(aspect_ratio, f"auto is for {KOLORS_V3} with reference images only", list(RATIOS))
        return AUTO
    return one_of(aspect_ratio, RATIOS, None, KOLORS_ASPECT_RULE, "supported aspect ratio")


def _kolors_elements(
    prompt: str | None,
    aspect_ratio: str | None,
    image_count: int | None,
    subjects: Sequence[str] | None,
    scene: str | None,
    style: str | None,
    email: str | None,
) -> tuple[KolorsElementsRequest, Estimate]:
    people = media_list(subjects, "subjects", _IMAGE)
    if not 1 <= len(people) <= MAX_SUBJECTS:
        ELEMENTS_SUBJECTS_RULE.refuse(
            f"<{len(people)} subject images>",
            f"KOLORS Elements takes 1 to {MAX_SUBJECTS} subject images",
            f"1–{MAX_SUBJECTS} subject images",
        )
    checked = text(prompt, required=False, rule=ELEMENTS_PROMPT_RULE)
    if aspect_ratio == AUTO:
        ELEMENTS_ASPECT_RULE.refuse(aspect_ratio, "KOLORS Elements has no auto ratio", list(RATIOS))
    ratio = one_of(aspect_ratio, RATIOS, None, ELEMENTS_ASPECT_RULE, "supported aspect ratio")
    count = _whole_in(image_count, 1, MAX_IMAGE_COUNT, IMAGE_COUNT_RULE, "image_count", 1)
    assert count is not None
    request = KolorsElementsRequest(
        email=email,
        prompt=checked,
        aspect_ratio=ratio,
        imageCount=count,
        sceneImage=optional_media(scene),
        styleImage=optional_media(style),
        **{f"subjectImage{n}": url for n, url in enumerate(people, start=1)},
    )
    label = f"{_count_label(count, 'KOLORS Elements image')} of {_count_label(len(people), 'subject')}"
    note = f"An inferred rate: {IMAGE_PRICE.says}."
    return request, _estimate(count * CREDITS_PER_IMAGE["1k"], "", note, label)


# --- upscale_image: POST /images/upscale, /images/enhance -------------------------------------------------------------


def validate_upscale(
    *,
    task_id: int | str | None = None,
    work_id: int | str | None = None,
    image: str | None = None,
    resolution: str | None = None,
    email: str | None = None,
) -> tuple[UpscaleImageRequest | EnhanceImageRequest, Estimate]:
    """An upscale of a task's work (``task_id`` + ``work_id``: POST /images/upscale) or an enhance of any image
    (``image``, 2k or 4k: POST /images/enhance). That the task succeeded and made that image is the caller's check
    (it takes a read of the task)."""
    picture = optional_media(image)
    if task_id is None and work_id is None:
        if picture is None:
            ENHANCE_IMAGE_RULE.refuse(image, "an image, or task_id and work_id, is required", _IMAGE)
        size = one_of(resolution, ENHANCE_RESOLUTIONS, "2k", ENHANCE_RESOLUTION_RULE, "supported enhance resolution")
        assert size is not None and picture is not None
        request = EnhanceImageRequest(image=picture, email=email, resolution=size)  # the default is sent: priced so
        return request, Estimate(ENHANCE_CREDITS[size], PUBLISHED, size, 0, False, "", f"enhance of an image to {size}")
    if picture is not None:
        UPSCALE_RULE.refuse(
            task_id if task_id is not None else work_id,
            "give a task's work (task_id and work_id) or an image, not both",
            "task_id and work_id, or image",
        )
    if task_id is None or work_id is None:
        missing = "work_id" if work_id is None else "task_id"
        UPSCALE_RULE.refuse(
            task_id if work_id is None else work_id,
            f"{missing} is required too: POST /images/upscale takes a task and one of its images",
            "task_id and work_id together",
            parameter=missing,
        )
    task = _whole_in(task_id, 1, MAX_TASK_ID, UPSCALE_RULE, "task_id", None)
    work = _whole_in(work_id, 1, MAX_TASK_ID, UPSCALE_RULE, "work_id", None)
    assert task is not None and work is not None
    if resolution is not None:
        UPSCALE_RESOLUTION_RULE.refuse(
            resolution, "upscaling a task's image takes no resolution", "omit resolution, or give image to enhance"
        )
    upscale = UpscaleImageRequest(task_id=task, workId=work, email=email)
    note = f"An inferred rate: {IMAGE_PRICE.says}."
    credits = CREDITS_PER_IMAGE["2k"]
    return upscale, Estimate(credits, ESTIMATE, "", 0, False, note, f"upscale of image {work} of task {task}")


# --- virtual_try_on: POST /images/virtual-try-on ----------------------------------------------------------------------


def validate_try_on(
    *,
    human_image: str | None,
    upper: str | None = None,
    lower: str | None = None,
    dress: str | None = None,
    image_count: int | None = None,
    email: str | None = None,
) -> tuple[VirtualTryOnRequest, Estimate]:
    """A person dressed in garments: ``upper`` and/or ``lower``, or ``dress`` alone."""
    person = required_media(human_image, "human_image", f"{_IMAGE}, showing the person", TRY_ON_HUMAN_RULE)
    top, bottom, whole = optional_media(upper), optional_media(lower), optional_media(dress)
    if top is None and bottom is None and whole is None:
        TRY_ON_GARMENTS_RULE.refuse(None, "no garment is given", "upper and/or lower, or dress", parameter="upper")
    if whole is not None and (top is not None or bottom is not None):
        TRY_ON_GARMENTS_RULE.refuse(
            dress, "a dress is not combined with an upper or lower garment", "dress alone, or upper and/or lower"
        )
    count = _whole_in(image_count, 1, MAX_TRY_ON_COUNT, TRY_ON_COUNT_RULE, "image_count", 1)
    assert count is not None
    request = VirtualTryOnRequest(
        humanImage=person, email=email, upperInput=top, lowerInput=bottom, dressInput=whole, imageCount=count
    )
    note = f"An inferred rate: {IMAGE_PRICE.says}."
    credits = count * CREDITS_PER_IMAGE["1k"]
    return request, Estimate(credits, ESTIMATE, "", 0, False, note, _count_label(count, "try-on image"))


# --- recognize_faces: POST /images/recognize-faces --------------------------------------------------------------------


def validate_recognize_faces(*, image: str | None, email: str | None = None) -> RecognizeFacesRequest:
    """The image whose faces to find (free: no estimate)."""
    picture = required_media(image, "image", _IMAGE, FACES_IMAGE_RULE)
    return RecognizeFacesRequest(imageReference=picture, email=email)


def _estimate(credits: float, resolution: str, note: str, label: str) -> Estimate:
    """An image generation's estimate: no duration and no audio; ``mode`` holds the resolution when one is sent."""
    return Estimate(math.ceil(credits), ESTIMATE, resolution, 0, False, note, label)
