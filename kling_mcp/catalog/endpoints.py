"""THE endpoint table: every video endpoint with its models, its rules (each with the facts it rests on) and how its
credits are estimated. The model table (``table.py``) holds what each model allows on text-to-video and
image-to-video; this table adds what those two endpoints take beyond it (multi-shot, elements) and the other
endpoints whole: omni, multi-image, extend, motion control, effects, and the creation of elements.

The validators apply these rules (``rules.py`` for text/image-to-video, ``video.py`` for the rest) and
``kling://models`` shows them (``document.py``), so a rule changed here changes both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from kling_mcp.catalog import references, shots
from kling_mcp.catalog.checks import MAX_PROMPT, Rule
from kling_mcp.catalog.sources import (
    EFFECT_IMAGE,
    EFFECT_MODE,
    EFFECT_MODES_LISTED,
    EFFECT_NAME,
    EFFECT_PRICE,
    EFFECT_PROMPT,
    EFFECT_PROMPT_LISTED,
    ELEMENT_COVER,
    ELEMENT_DESCRIPTION,
    ELEMENT_EXTRA,
    ELEMENT_NAME,
    ELEMENT_TAG,
    ELEMENT_TYPE,
    ELEMENT_VOICE,
    ELEMENTS_FRAMES,
    ELEMENTS_TURBO,
    EXTEND_AUDIO,
    EXTEND_CFG,
    EXTEND_LENGTH,
    EXTEND_TASK,
    EXTEND_TEXTS,
    FRAMES_PROMPT,
    MOTION_CLIP_LENGTH,
    MOTION_DIRECTION,
    MOTION_ELEMENT,
    MOTION_INPUTS,
    MOTION_KEEP_AUDIO,
    MOTION_LENGTH,
    MOTION_MODE,
    MOTION_MODELS,
    MOTION_PROMPT,
    MULTI_ASPECT,
    MULTI_AUDIO,
    MULTI_DURATION,
    MULTI_ELEMENTS,
    MULTI_IMAGES,
    MULTI_MODE,
    MULTI_MODELS,
    MULTI_PROMPT,
    NEGATIVE_NAMED,
    OMNI_ASPECT,
    OMNI_AUDIO,
    OMNI_DURATION,
    OMNI_FRAME_END_ALONE,
    OMNI_FRAMES,
    OMNI_FRAMES_AND_VIDEO,
    OMNI_IMAGES,
    OMNI_KEEP_AUDIO,
    OMNI_MODE,
    OMNI_PROMPT,
    OMNI_PROMPT_LENGTH,
    OMNI_PROMPT_SCRIPT,
    OMNI_REFERENCES,
    OMNI_TRANSFORM_LENGTH,
    OMNI_VERSION,
    OMNI_VIDEO,
    OMNI_VIDEO_ASPECT,
    OMNI_VIDEO_MODE_ALONE,
    OMNI_VIDEO_REFERENCES,
    PROMPT_LENGTH_INFERRED,
    RATE_NEAREST_ENDPOINT,
    RATE_NEAREST_V3,
    SHOTS_TURBO,
    SHOTS_V3,
    STD_DEFAULT,
    T2V_PROMPT,
    Fact,
)
from kling_mcp.catalog.table import (
    ASPECT_RATIOS,
    DEFAULT_IMAGE2VIDEO_MODEL,
    DEFAULT_TEXT2VIDEO_MODEL,
    ESTIMATE,
    IMAGE2VIDEO_MODELS,
    MODELS,
    RESOLUTIONS,
    TEXT2VIDEO_MODELS,
)

V3 = "kling-v3-0"
STD_PRO: tuple[str, ...] = ("std", "pro")

# --- credits ----------------------------------------------------------------------------------------------------------


def credits_at(model: str, mode: str, seconds: float, audio: bool) -> float:
    """Credits for ``seconds`` of ``model`` in ``mode`` (with audio where the model prices it apart): the model table's
    rates, the nearest published ones for the endpoints useapi does not price."""
    rate = MODELS[model].rates[mode]
    per_second = rate.with_audio if audio and rate.with_audio is not None else rate.per_second
    return math.ceil(per_second * seconds)


@dataclass(frozen=True)
class Pricing:
    """How an endpoint's credits are estimated: ``rates`` lists (what, the model whose rates apply, with audio)."""

    basis: str
    facts: tuple[Fact, ...]
    rates: tuple[tuple[str, str, bool], ...] = ()
    modes: tuple[str, ...] = STD_PRO
    source: str = ESTIMATE

    def describe(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
            "source": self.source,
            "sources": [fact.short() for fact in self.facts],
            "per_5s": {
                what: {mode: credits_at(model, mode, 5, audio) for mode in self.modes}
                for what, model, audio in self.rates
            },
        }


# --- the endpoint record ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    path: str
    tool: str
    summary: str  # a phrase
    models: tuple[str, ...]
    default_model: str | None
    rules: tuple[Rule, ...]
    pricing: Pricing | None
    notes: tuple[str, ...] = ()
    modes: tuple[str, ...] = field(default=STD_PRO)
    shared: tuple[str, ...] = ()  # keys of SHARED_RULES that apply here too (listed once in kling://models)

    def all_rules(self) -> tuple[Rule, ...]:
        return self.rules + tuple(rule for key in self.shared for rule in SHARED_RULES[key])

    def describe(self) -> dict[str, Any]:
        """The endpoint as kling://models and list_models show it."""
        return {
            "path": self.path,
            "tool": self.tool,
            "summary": self.summary,
            "models": list(self.models),
            "default_model": self.default_model,
            "modes": {mode: RESOLUTIONS[mode] for mode in self.modes},
            "rules": [rule.describe() for rule in self.rules],
            "shared_rules": list(self.shared),
            "credits": self.pricing.describe() if self.pricing else None,
            "notes": list(self.notes),
        }


# --- text2video and image2video-frames: what they take beyond the model table -----------------------------------------

SHOTS_MODELS = Rule("shots", "kling-v3-0 only (not kling-v3-0-turbo)", (SHOTS_V3, SHOTS_TURBO))
T2V_PROMPT_RULE = Rule("prompt", f"required unless shots are given; at most {MAX_PROMPT} UTF-16 units", (T2V_PROMPT,))
FRAMES_PROMPT_RULE = Rule("prompt", f"optional, at most {MAX_PROMPT} UTF-16 units; not with shots", (FRAMES_PROMPT,))
MAX_FRAMES_ELEMENTS = 3  # Postman image2video-frames: "Up to 3 (element_1..element_3)"
FRAMES_ELEMENTS = Rule(
    "elements",
    f"up to {MAX_FRAMES_ELEMENTS} saved element ids, kling-v3-0 only (not kling-v3-0-turbo)",
    (ELEMENTS_FRAMES, ELEMENTS_TURBO),
)

# --- POST /videos/omni ------------------------------------------------------------------------------------------------

OMNI_VERSIONS: tuple[str, ...] = ("v3", "o1")
OMNI_DURATIONS: dict[str, tuple[int, ...]] = {"v3": tuple(range(3, 16)), "o1": tuple(range(3, 11))}
OMNI_DEFAULT_DURATION = 5  # Postman: "default 5"
VIP_FROM = {"v3": 7, "o1": 7}  # Postman: "O1: 3-10 (VIP for 7-10). v3: 3-15 (VIP for 7+)"
MAX_OMNI_REFERENCES = 7  # reference §5.4: image_1 … "(scripts use up to 7)"
MAX_OMNI_REFERENCES_WITH_VIDEO = 4  # useapi's omni page: "up to 7 reference images (or 1 video + 4 images)"
MAX_OMNI_PROMPT = 1700  # useapi's omni page: "Maximum length: 1700 characters"; its script stops there too
FRAMES_ASPECT = "auto"  # Postman: "Frames workflow: auto only"
VIDEO_MODES: tuple[str, ...] = ("reference", "transform")  # Postman: "reference(default) or transform"

OMNI_PROMPT_RULE = Rule(
    "prompt",
    f"required unless shots are given; at most {MAX_OMNI_PROMPT} UTF-16 units (each shot's prompt at most "
    f"{MAX_PROMPT})",
    (OMNI_PROMPT, OMNI_PROMPT_LENGTH, OMNI_PROMPT_SCRIPT),
)
OMNI_VERSION_RULE = Rule("omni_version", "v3 (default) or o1", (OMNI_VERSION,))
OMNI_DURATION_RULE = Rule("duration", "v3: 3–15 s, o1: 3–10 s, default 5; not with shots", (OMNI_DURATION,))
OMNI_SHOTS = Rule("shots", "omni_version v3 only", (SHOTS_V3,))
OMNI_MODE_RULE = Rule("mode", "std (default) or pro", (OMNI_MODE,))
OMNI_ASPECT_RULE = Rule(
    "aspect_ratio", f"{', '.join(ASPECT_RATIOS)} (16:9 by default); with frame_start only auto", (OMNI_ASPECT,)
)
OMNI_VIDEO_ASPECT_RULE = Rule(
    "aspect_ratio", "with a video only auto (not sent: the clip keeps the video's ratio)", (OMNI_VIDEO_ASPECT,)
)
OMNI_AUDIO_RULE = Rule(
    "enable_audio", "omni_version v3 without a video only (audio is on by default there)", (OMNI_AUDIO,)
)
OMNI_IMAGES_RULE = Rule("images", f"up to {MAX_OMNI_REFERENCES} reference images (image_1 …)", (OMNI_IMAGES,))
OMNI_REFERENCES_RULE = Rule(
    "elements", f"images and elements together at most {MAX_OMNI_REFERENCES}", (OMNI_IMAGES, OMNI_REFERENCES)
)
OMNI_VIDEO_REFERENCES_RULE = Rule(
    "images",
    f"with a video, images and elements together at most {MAX_OMNI_REFERENCES_WITH_VIDEO}",
    (OMNI_VIDEO_REFERENCES,),
)
OMNI_FRAME_END_RULE = Rule("frame_end", "only with frame_start", (OMNI_FRAMES, OMNI_FRAME_END_ALONE))
OMNI_FRAMES_VIDEO_RULE = Rule("frame_start", "not with a video", (OMNI_FRAMES_AND_VIDEO,))
OMNI_VIDEO_MODE_RULE = Rule(
    "video_mode", "reference (default) or transform; only with a video", (OMNI_VIDEO, OMNI_VIDEO_MODE_ALONE)
)
OMNI_KEEP_AUDIO_RULE = Rule("keep_audio", "only with a video", (OMNI_KEEP_AUDIO,))
OMNI_TRANSFORM_RULE = Rule(
    "duration",
    "not with video_mode transform: the clip lasts as long as its video, which must last 3–15 s (v3) or 3–10 s (o1); "
    "priced by the video's length (the longest allowed while it is not known)",
    (OMNI_TRANSFORM_LENGTH,),
)

# --- POST /videos/image2video-elements (multi-image) ------------------------------------------------------------------

MULTI_MODEL_NAMES: tuple[str, ...] = ("kling-v3-0", "kling-v1-6")
MULTI_DEFAULT_MODEL = "kling-v1-6"  # Postman: "kling-v1-6(default)"
MAX_MULTI_IMAGES = 4  # Postman: image_0 … image_3
MAX_MULTI_ELEMENTS = 3  # Postman: element_1 … element_3
MULTI_DURATIONS: dict[str, tuple[int, ...]] = {"kling-v3-0": tuple(range(3, 16)), "kling-v1-6": (5, 10)}

MULTI_IMAGES_RULE = Rule("images", f"1–{MAX_MULTI_IMAGES} images (image_0 … image_3)", (MULTI_IMAGES,))
MULTI_PROMPT_RULE = Rule("prompt", f"required, at most {MAX_PROMPT} UTF-16 units", (MULTI_PROMPT,))
MULTI_MODEL_RULE = Rule("model_name", "kling-v3-0 or kling-v1-6 (default)", (MULTI_MODELS,))
MULTI_ELEMENTS_RULE = Rule("elements", f"up to {MAX_MULTI_ELEMENTS} element ids, kling-v3-0 only", (MULTI_ELEMENTS,))
MULTI_NEGATIVE_RULE = Rule("negative_prompt", "kling-v1-6 only", (NEGATIVE_NAMED,))
MULTI_ASPECT_RULE = Rule(
    "aspect_ratio", f"{', '.join(ASPECT_RATIOS)} (16:9 by default); not with kling-v3-0", (MULTI_ASPECT,)
)
MULTI_DURATION_RULE = Rule("duration", "kling-v1-6: 5 (default) or 10 s; kling-v3-0: 3–15 s", (MULTI_DURATION,))
MULTI_MODE_RULE = Rule("mode", "std (default) or pro", (MULTI_MODE,))
MULTI_AUDIO_RULE = Rule(
    "enable_audio",
    "kling-v3-0 always has audio (false is refused); kling-v1-6: sound effects, off unless true",
    (MULTI_AUDIO,),
)

# --- POST /videos/extend ----------------------------------------------------------------------------------------------

EXTENSION_SECONDS = 5  # EXTEND_LENGTH (inferred)
MAX_TASK_ID = 2**63 - 1  # task ids are kept in SQLite INTEGER columns (arguments.fields.MAX_ID)
EXTEND_TASK_RULE = Rule("task_id", "the id of a succeeded video task (a whole number from 1)", (EXTEND_TASK,))
EXTEND_TEXT_RULE = Rule(
    "prompt", f"optional, at most {MAX_PROMPT} UTF-16 units (negative_prompt likewise)", (EXTEND_TEXTS,)
)
EXTEND_CFG_RULE = Rule("cfg_scale", "a number from 0 to 1", (EXTEND_CFG,))
EXTEND_AUDIO_RULE = Rule("enable_audio", "sound effects, off unless true", (EXTEND_AUDIO,))
EXTEND_LENGTH_RULE = Rule("task_id", f"an extension adds about {EXTENSION_SECONDS} s", (EXTEND_LENGTH,))

# --- POST /videos/motion-create ---------------------------------------------------------------------------------------

MOTION_MODEL_NAMES: tuple[str, ...] = ("kling-v3-0", "kling-v2-6")
MOTION_DEFAULT_MODEL = "kling-v3-0"  # Postman: "kling-v3-0 (default)"
MOTION_SECONDS = (3.0, 30.0)  # Postman motionUrl: "(3-30 seconds)"
MOTION_DIRECTIONS: tuple[str, ...] = ("motion_direction", "image_direction")

MOTION_INPUTS_RULE = Rule("image", "image (a person) and motion (a video) are required", (MOTION_INPUTS,))
MOTION_MODEL_RULE = Rule("model_name", "kling-v3-0 (default) or kling-v2-6", (MOTION_MODELS,))
MOTION_LENGTH_RULE = Rule("motion", "a video of 3–30 s", (MOTION_LENGTH,))
MOTION_DIRECTION_RULE = Rule("motion_direction", "motion_direction or image_direction", (MOTION_DIRECTION,))
MOTION_MODE_RULE = Rule("mode", "std or pro; std is sent when it is omitted", (MOTION_MODE, STD_DEFAULT))
MOTION_ELEMENT_RULE = Rule("element", "one element id, kling-v3-0 only", (MOTION_ELEMENT,))
MOTION_PROMPT_RULE = Rule(
    "prompt", f"optional, at most {MAX_PROMPT} UTF-16 units", (MOTION_PROMPT, PROMPT_LENGTH_INFERRED)
)
MOTION_KEEP_AUDIO_RULE = Rule("keep_audio", "true keeps the motion video's audio", (MOTION_KEEP_AUDIO,))
MOTION_CLIP_RULE = Rule("motion", "the clip lasts as long as the motion video", (MOTION_CLIP_LENGTH,))

# --- POST /videos/image2video-effects ---------------------------------------------------------------------------------

EFFECT_SECONDS = 5  # EFFECT_PRICE (inferred)
EFFECT_MODEL = "kling-v1-6"  # whose rates price an effect (EFFECT_PRICE)
EFFECT_NAME_RULE = Rule("effect", "a name list_effects gives", (EFFECT_NAME,))
EFFECT_IMAGE_RULE = Rule("image", "required", (EFFECT_IMAGE,))
EFFECT_MODE_RULE = Rule(
    "mode",
    "std or pro, among the modes the effect lists; std is sent when it is omitted (the effect's own mode when it "
    "lists no std)",
    (EFFECT_MODE, EFFECT_MODES_LISTED, STD_DEFAULT),
)
EFFECT_PROMPT_RULE = Rule(
    "prompt",
    f"optional, at most {MAX_PROMPT} UTF-16 units; refused for an effect that lists promptSupported false",
    (EFFECT_PROMPT, EFFECT_PROMPT_LISTED),
)

# --- POST /elements ---------------------------------------------------------------------------------------------------

MAX_ELEMENT_NAME = 15  # Postman: "Max 15 chars"
MAX_ELEMENT_DESCRIPTION = 100  # Postman: "Max 100 chars"
MAX_EXTRA_IMAGES = 3  # Postman: extraImage1 … extraImage3
ELEMENT_TYPES: tuple[str, ...] = ("IMAGE", "VIDEO")  # Postman: "IMAGE(default), VIDEO"

ELEMENT_NAME_RULE = Rule(
    "name", f"1–{MAX_ELEMENT_NAME} characters (useapi appends a 5-character suffix)", (ELEMENT_NAME,)
)
ELEMENT_COVER_RULE = Rule("cover_image", "required: an image (a video for type VIDEO)", (ELEMENT_COVER,))
ELEMENT_TYPE_RULE = Rule("type", "IMAGE (default) or VIDEO", (ELEMENT_TYPE,))
ELEMENT_VOICE_RULE = Rule("voice", "VIDEO elements only", (ELEMENT_VOICE,))
ELEMENT_DESCRIPTION_RULE = Rule("description", f"at most {MAX_ELEMENT_DESCRIPTION} characters", (ELEMENT_DESCRIPTION,))
ELEMENT_EXTRA_RULE = Rule("extra_images", f"up to {MAX_EXTRA_IMAGES} images; not with generate_views", (ELEMENT_EXTRA,))
ELEMENT_TAG_RULE = Rule("tag", "a tag from GET /elements/tags", (ELEMENT_TAG,))

# --- rules several endpoints share (kling://models lists them once) ---------------------------------------------------

SHARED_RULES: dict[str, tuple[Rule, ...]] = {
    "multi_shot": shots.RULES,
    "element_ids": (references.ID_RULE,),
}

# --- the table ------------------------------------------------------------------------------------------------------

_BY_MODEL = "each model's rate (models[].credits)"

ENDPOINTS: dict[str, Endpoint] = {
    "text_to_video": Endpoint(
        path="POST /videos/text2video",
        tool="generate_video",
        summary="A clip from a prompt, or from 2–6 shots (multi-shot, kling-v3-0)",
        models=TEXT2VIDEO_MODELS,
        default_model=DEFAULT_TEXT2VIDEO_MODEL,
        rules=(T2V_PROMPT_RULE, SHOTS_MODELS, shots.NOT_WITH_DURATION),
        shared=("multi_shot",),
        pricing=None,
        notes=(f"Credits: {_BY_MODEL}; a multi-shot clip is priced on the shots' total.",),
        modes=("std", "pro", "4k"),
    ),
    "image_to_video": Endpoint(
        path="POST /videos/image2video-frames",
        tool="animate_image",
        summary="A clip from a start and/or end frame, with saved elements or in shots on kling-v3-0",
        models=IMAGE2VIDEO_MODELS,
        default_model=DEFAULT_IMAGE2VIDEO_MODEL,
        rules=(FRAMES_PROMPT_RULE, SHOTS_MODELS, shots.NOT_WITH_DURATION_FRAMES, FRAMES_ELEMENTS),
        shared=("multi_shot", "element_ids"),
        pricing=None,
        notes=(f"Credits: {_BY_MODEL}; a multi-shot clip is priced on the shots' total.",),
        modes=("std", "pro", "4k"),
    ),
    "omni": Endpoint(
        path="POST /videos/omni",
        tool="omni_video",
        summary="Kling Omni: a clip from a prompt that names reference images, elements and a video (@image_1, "
        "@element_1, @video_1), from frames, or an edit of a video (video_mode transform)",
        models=OMNI_VERSIONS,
        default_model="v3",
        rules=(
            OMNI_PROMPT_RULE,
            references.PROMPT_REFERENCES,
            OMNI_VERSION_RULE,
            OMNI_DURATION_RULE,
            OMNI_SHOTS,
            OMNI_MODE_RULE,
            OMNI_ASPECT_RULE,
            OMNI_VIDEO_ASPECT_RULE,
            OMNI_AUDIO_RULE,
            OMNI_IMAGES_RULE,
            OMNI_REFERENCES_RULE,
            OMNI_VIDEO_REFERENCES_RULE,
            OMNI_FRAME_END_RULE,
            OMNI_FRAMES_VIDEO_RULE,
            OMNI_VIDEO_MODE_RULE,
            OMNI_KEEP_AUDIO_RULE,
            OMNI_TRANSFORM_RULE,
        ),
        shared=("multi_shot", "element_ids"),
        pricing=Pricing(
            "kling-v3-0's per-second rate for both versions; with audio for v3 without a video; a transform for "
            "every second of its video",
            (RATE_NEAREST_V3,),
            (("v3", V3, True), ("v3 without audio, and o1", V3, False)),
        ),
        notes=(
            "omni_version is sent as given or v3; the models list holds the versions.",
            'Durations of 7 s and more need a Kling VIP plan (useapi\'s Postman collection: "VIP for 7+").',
        ),
    ),
    "multi_image": Endpoint(
        path="POST /videos/image2video-elements",
        tool="multi_image_video",
        summary="A clip from up to four images (and up to three elements on kling-v3-0) and a prompt",
        models=MULTI_MODEL_NAMES,
        default_model=MULTI_DEFAULT_MODEL,
        rules=(
            MULTI_IMAGES_RULE,
            MULTI_PROMPT_RULE,
            MULTI_MODEL_RULE,
            MULTI_ELEMENTS_RULE,
            MULTI_NEGATIVE_RULE,
            MULTI_ASPECT_RULE,
            MULTI_DURATION_RULE,
            MULTI_MODE_RULE,
            MULTI_AUDIO_RULE,
        ),
        shared=("element_ids",),
        pricing=Pricing(
            "the chosen model's text/image-to-video rate (kling-v3-0 with audio, which it always has)",
            (RATE_NEAREST_ENDPOINT,),
            (("kling-v3-0", V3, True), ("kling-v1-6", "kling-v1-6", False)),
        ),
    ),
    "extend": Endpoint(
        path="POST /videos/extend",
        tool="extend_video",
        summary="About 5 more seconds of a succeeded video task, as a new task",
        models=(),
        default_model=None,
        rules=(EXTEND_TASK_RULE, EXTEND_TEXT_RULE, EXTEND_CFG_RULE, EXTEND_AUDIO_RULE, EXTEND_LENGTH_RULE),
        pricing=Pricing(
            f"{EXTENSION_SECONDS} s of the source task's model in its dearer mode (pro where it has it); "
            "kling-v3-0 pro when the source model is not known",
            (EXTEND_LENGTH,),
        ),
        modes=(),
    ),
    "motion": Endpoint(
        path="POST /videos/motion-create",
        tool="motion_control",
        summary="The person in an image moves as in a 3–30 s motion video",
        models=MOTION_MODEL_NAMES,
        default_model=MOTION_DEFAULT_MODEL,
        rules=(
            MOTION_INPUTS_RULE,
            MOTION_MODEL_RULE,
            MOTION_LENGTH_RULE,
            MOTION_DIRECTION_RULE,
            MOTION_MODE_RULE,
            MOTION_ELEMENT_RULE,
            MOTION_PROMPT_RULE,
            MOTION_KEEP_AUDIO_RULE,
            MOTION_CLIP_RULE,
        ),
        shared=("element_ids",),
        pricing=Pricing(
            "the model's per-second rate without audio, for every second of the motion video (30 s when its length "
            "is not known)",
            (RATE_NEAREST_ENDPOINT, MOTION_CLIP_LENGTH),
            (("kling-v3-0", V3, False), ("kling-v2-6", "kling-v2-6", False)),
        ),
    ),
    "effect": Endpoint(
        path="POST /videos/image2video-effects",
        tool="apply_effect",
        summary="A named Kling effect applied to an image",
        models=(),
        default_model=None,
        rules=(EFFECT_NAME_RULE, EFFECT_IMAGE_RULE, EFFECT_MODE_RULE, EFFECT_PROMPT_RULE),
        pricing=Pricing(
            f"a {EFFECT_SECONDS} s {EFFECT_MODEL} clip of the mode sent",
            (EFFECT_PRICE,),
            (("effect", EFFECT_MODEL, False),),
        ),
    ),
    "element": Endpoint(
        path="POST /elements",
        tool="create_element",
        summary="A saved character or object (element) to reuse in image-to-video, omni, multi-image and motion",
        models=(),
        default_model=None,
        rules=(
            ELEMENT_NAME_RULE,
            ELEMENT_COVER_RULE,
            ELEMENT_TYPE_RULE,
            ELEMENT_VOICE_RULE,
            ELEMENT_DESCRIPTION_RULE,
            ELEMENT_EXTRA_RULE,
            ELEMENT_TAG_RULE,
        ),
        pricing=None,
        notes=("No source prices the creation of an element.",),
        modes=(),
    ),
}
