"""The simulator's own reading of the rules of the video endpoints beyond text2video and image2video-frames:
POST /videos/omni, /videos/image2video-elements, /videos/image2video-effects, /videos/extend,
/videos/motion-create and /videos/motion-upload.

Written from the reference documents alone (``rules.SOURCES``), independently of the client's catalog, with the
same conventions as ``rules.py`` (its docstring: documented limits refused with 400, "v3 only" fields accepted and
listed in ``Generation.ignored``, unknown field names refused) and the same ``Refused``. Every rule is in ``RULES``
with its source. Unlike text2video, these rules need to know something of the account: whether an element exists,
how long a video at a URL is, what a task to extend became. They ask it through ``Account`` (``lookups.py``
answers for a simulated account; a test can answer for itself). Omni, the largest, is read in ``omni_rules.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from kling_mcp.simulator import presets
from kling_mcp.simulator.rules import (
    ASPECT_RATIOS,
    MAX_TEXT,
    ROUTING_FIELDS,
    SHOT_FIELDS,
    Refused,
    Rule,
    boolean,
    check_length,
    credits,
    fraction,
    listed,
    text,
    whole,
)
from kling_mcp.simulator.rules import RULES as BASE_RULES

OMNI = "omni"
MULTI_IMAGE = "image2video-elements"
EFFECTS = "image2video-effects"
EXTEND = "extend"
MOTION = "motion-create"
MOTION_UPLOAD = "motion-upload"
ENDPOINTS = (OMNI, MULTI_IMAGE, EFFECTS, EXTEND, MOTION, MOTION_UPLOAD)

RULES: dict[str, Rule] = {
    # --- fields ---------------------------------------------------------------------------------------------------
    "fields.omni": Rule(
        "PM",
        "POST /videos/omni: email, prompt, omni_version, duration, aspect_ratio, mode, enable_audio, image_1, "
        "element_1, frame_start, frame_end, video_1, video_mode, keep_audio, shot_1_prompt … shot_6_duration",
        "image_1…image_7 and element_1…element_7 (GH-OMNI: 'image_1..image_7 … element_1..element_7'), count "
        "(DOC-OMNI; PM's list leaves it out, useapi's June 2026 script still sends it) and maxJobs, replyUrl, "
        "replyRef (reference §8: every generation endpoint) are accepted too",
    ),
    "fields.multi-image": Rule(
        "PM",
        "POST /videos/image2video-elements: email, image_0 … image_3, element_1 … element_3, prompt, "
        "negative_prompt, aspect_ratio, duration, mode, model_name, enable_audio, maxJobs, replyRef, replyUrl",
    ),
    "fields.effects": Rule(
        "PM", "POST /videos/image2video-effects: email, effect, image, mode, prompt, maxJobs, replyRef, replyUrl"
    ),
    "fields.extend": Rule(
        "PM",
        "POST /videos/extend: email, task_id, prompt, negative_prompt, cfg_scale, enable_audio, maxJobs, replyRef, "
        "replyUrl",
    ),
    "fields.motion": Rule(
        "PM",
        "POST /videos/motion-create: email, model_name, imageUrl, motionUrl, prompt, keepAudio, motionDirection, "
        "mode, element_1",
        "maxJobs, replyUrl, replyRef are accepted too (DOC-MOTION's sample body sends replyUrl and replyRef)",
    ),
    "fields.motion-upload": Rule("PM", "POST /videos/motion-upload (deprecated): email, resourceUrl, coverUrl"),
    # --- elements used by a generation ------------------------------------------------------------------------------
    "elements.exist": Rule(
        "INF",
        "(the docs say element_N is the ID of a saved element; what the API answers for an unknown id is not "
        "documented)",
        "an element id that is not an element of this account is refused with 400 naming it",
    ),
    "elements.video.omni-v3": Rule(
        "DOC-ELEMENTS",
        "VIDEO elements can only be used in v3 video generation via POST /videos/omni (Used in O1 omni: no)",
    ),
    "media.unknown": Rule(
        "INF",
        "(the simulator cannot fetch a URL it does not serve)",
        "a video at a URL the simulator did not serve or receive is taken to last 10 s (reference §7.1's upload "
        "limit for video in 2025), to have the source's picture 16:9 and to have sound",
    ),
    # --- omni -----------------------------------------------------------------------------------------------------
    "omni.version": Rule("PM", "omni_version -- Optional, Omni model version. Supported values: v3(default), o1."),
    "omni.prompt": Rule("PM", "prompt -- Required (unless using multi-shot), text description."),
    "omni.prompt.length": Rule(
        "DOC-OMNI",
        "prompt … Maximum length: 1700 characters (GH-OMNI's script also stops at a prompt over 1700 characters)",
        "counted in UTF-16 code units as text.length; shot prompts keep PM's 2500",
    ),
    "omni.references": Rule(
        "PM",
        "Use @image_1, @element_1, @video_1 to reference inputs (DOC-OMNI: '@object_1' also names an element)",
        "a reference to an input that is not given is refused with 400 [INF: the docs do not say what the API does "
        "with it; nothing could be generated from it]",
    ),
    "omni.slots": Rule(
        "GH-OMNI",
        "Images and elements share the same pool of 7 slots (DOC-OMNI: 'up to 7 reference images (or 1 video + 4 "
        "images)')",
        "at most 7 images and elements together, at most 4 with video_1",
    ),
    "omni.count": Rule("DOC-OMNI", "count is optional, the number of videos to generate. Range: 1 to 4. Default: 1."),
    "omni.mode": Rule("PM", "mode -- Optional, std(default) or pro."),
    "omni.duration": Rule(
        "PM",
        "duration -- Optional, default 5. O1: 3-10 (VIP for 7-10). v3: 3-15 (VIP for 7+). Cannot be used with "
        "multi-shot.",
        "whole seconds; the simulated account is a VIP one",
    ),
    "omni.aspect": Rule("PM", "aspect_ratio -- Optional, 16:9(default), 9:16, 1:1. Frames workflow: auto only."),
    "omni.aspect.video": Rule(
        "DOC-OMNI",
        "When video_1 is provided, aspect_ratio is automatically set to auto.",
        "auto or a listed ratio is accepted with video_1 and not honoured: the video keeps its source's ratio",
    ),
    "omni.frames": Rule(
        "DOC-OMNI",
        "Workflow selection: frame_start (with optional frame_end) -> Frames; video_1 -> Video Reference / Video "
        "Transform",
        "frame_end without frame_start is refused; frame_start with video_1 (two workflows at once) is refused "
        "[INF]; a frames video takes its start frame's ratio",
    ),
    "omni.audio": Rule(
        "PM",
        "enable_audio -- Supported values: true(default) or false. Applies to omni_version v3 without video_1. "
        "Not valid with video_1 or omni_version o1.",
        "any enable_audio value with video_1 or o1 is refused ('not valid'); o1 videos have no sound",
    ),
    "omni.video_mode": Rule("PM", "video_mode -- Optional, reference(default) or transform."),
    "omni.keep_audio": Rule(
        "PM",
        "keep_audio -- Optional, keep audio from reference video. Supported values: false(default) or true. Only "
        "applies with video_1.",
        "video_mode and keep_audio without video_1 are accepted and not honoured (convention 3); a video_1 video "
        "has sound exactly when keep_audio is true and the source has sound",
    ),
    "omni.transform": Rule(
        "INF",
        "(PM: video_mode transform 'Transform/modify a reference video'; the length of the result is not documented)",
        "a transformed video lasts as long as its source (a duration given is accepted and not honoured), so the "
        "source must last what the version allows (3-15 s v3, 3-10 s o1)",
    ),
    "omni.shots.v3": Rule(
        "PM",
        "shot_1_prompt -- Optional, multi-shot (v3 only).",
        "shot fields accepted and not honoured with o1 (convention 3); o1 then needs a prompt",
    ),
    # --- multi-image (image2video-elements) -------------------------------------------------------------------------
    "multi.model": Rule("PM", "model_name -- Optional, valid values: kling-v3-0,kling-v1-6(default)"),
    "multi.image_0": Rule("PM", "image_0 -- Required image URL, use POST /assets to upload image"),
    "multi.prompt": Rule("PM", "prompt -- Required, max length 2500 characters"),
    "multi.aspect": Rule(
        "PM",
        "aspect_ratio -- Optional, valid values: 16:9(default),9:16,1:1. Model v3 does not support this (derived "
        "from input image).",
        "accepted (its value still checked) and not honoured on kling-v3-0, whose video takes image_0's ratio",
    ),
    "multi.duration": Rule("PM", "duration -- Optional, valid values: 5(default),10. Model v3: 3-15."),
    "multi.mode": Rule("PM", "mode -- Optional, valid values: std(default),pro"),
    "multi.audio": Rule(
        "PM",
        "enable_audio -- Optional, add sound effects. Supported values: false (default) or true. Model v3 always "
        "has audio enabled.",
        "enable_audio false accepted and not honoured on kling-v3-0, whose video always has sound",
    ),
    "multi.elements.v3": Rule(
        "PM",
        "element_1 -- Optional, ID of saved element. Model v3 only.",
        "accepted and not honoured on kling-v1-6 (convention 3)",
    ),
    # --- effects --------------------------------------------------------------------------------------------------
    "effects.name": Rule(
        "PM", "effect -- Required effect name, user GET vidoes/effects to retrieve list of supported effects"
    ),
    "effects.image": Rule("PM", "image -- Reuired image URL, use POST /assets to upload image"),
    "effects.mode": Rule(
        "DOC-EFFECTS",
        "each effect lists its supportedModelMode (e.g. rocket: std, pro; spinoff: pro); PM: mode -- Optional, "
        "supported values: std, pro",
        "a mode the effect does not list is refused; without mode, the effect's first mode",
    ),
    "effects.prompt": Rule(
        "DOC-EFFECTS",
        "each effect says whether it takes a prompt (promptSupported)",
        "a prompt for an effect without promptSupported is accepted and not honoured (convention 3)",
    ),
    "effects.length": Rule("INF", "(not documented)", "an effect video lasts 5 s, in its image's aspect ratio"),
    # --- extend ---------------------------------------------------------------------------------------------------
    "extend.task_id": Rule(
        "PM",
        "task_id -- Required task id, use GET /tasks to retrieve tasks",
        "a whole number, as a string (DOC-EXTEND's sample) or a number",
    ),
    "extend.task": Rule(
        "DOC-EXTEND",
        "task_id is required, the ID of a completed video generation task to extend. The task specified by task_id "
        "must be in the succeed status for the extension to work.",
        "a task that is not a task of this account, or not succeeded (yet), is refused with 400 saying which",
    ),
    "extend.length": Rule(
        "INF",
        "(DOC-EXTEND: 'continuing the animation from where it left off'; how much is added is not documented)",
        "the extended video lasts its source's length plus 5 s, in the source's ratio; it has sound when the "
        "source had or enable_audio is true",
    ),
    "extend.audio": Rule(
        "DOC-EXTEND", "enable_audio is optional, add sound effects. Supported values: false (default) or true."
    ),
    # --- motion ---------------------------------------------------------------------------------------------------
    "motion.model": Rule("PM", "model_name -- Optional, kling-v3-0 (default) or kling-v2-6."),
    "motion.inputs": Rule(
        "PM",
        "imageUrl -- Required, URL to the image containing the person. motionUrl -- Required, URL to the motion "
        "reference video (3-30 seconds).",
        "a motion video whose length the simulator knows must last 3 to 30 s; an imageUrl the simulator knows "
        "must be an image and a motionUrl a video",
    ),
    "motion.length": Rule(
        "GH-MOTION",
        "the output duration is detected from the motion video",
        "the video lasts as long as the motion video (at most 30 s) in the image's ratio, with sound when keepAudio "
        "is true and the motion video has sound",
    ),
    "motion.direction": Rule("PM", "motionDirection -- Optional, motion_direction or image_direction."),
    "motion.mode": Rule("PM", "mode -- Optional, std or pro.", "std when left out (DOC-MOTION's sample sends std)"),
    "motion.keepAudio": Rule("PM", "keepAudio -- Optional, boolean. Preserve original audio from motion video."),
    "motion.prompt": Rule("DOC-MOTION", "prompt is optional, string up to 2500 characters."),
    "motion.element.v3": Rule(
        "PM",
        "element_1 -- Optional, element ID for character consistency (v3.0 only).",
        "accepted and not honoured on kling-v2-6 (convention 3)",
    ),
    "motion-upload.inputs": Rule(
        "PM",
        "resourceUrl -- Required, URL to the video containing motion to extract. coverUrl -- Required, URL to a "
        "cover image for the motion.",
    ),
    "motion-upload.length": Rule(
        "BLOG-MOTION",
        "POST videos/motion-upload to upload custom videos (2-10 seconds) for motion extraction",
        "a resource video whose length the simulator knows must last 2 to 10 s",
    ),
    # --- credits --------------------------------------------------------------------------------------------------
    "credits.video.inferred": Rule(
        "INF",
        "(no source prices these endpoints)",
        "omni at kling-v3-0's per-second rates (std 6, pro 8; 9 and 12 with sound), times count; image2video-"
        "elements as the model's own generation (kling-v1-6 table, kling-v3-0 per second with sound); effects as "
        "a 5 s kling-v1-6 clip (the effects' taskVersion is 1.6); an extension as 5 s at its source's per-second "
        "price; motion per second of video: kling-v3-0 std 6 / pro 8, kling-v2-6 std 3 / pro 5 (its 5 s table "
        "prices); motion uploads and elements are free",
    ),
}
ALL_RULES: dict[str, Rule] = {**BASE_RULES, **RULES}

TASK_TYPES: dict[str, str] = {
    EXTEND: "m2v_extend_video",  # DOC-EXTEND (reference §5.4)
    EFFECTS: presets.EFFECT_TASK_TYPE,  # DOC-EFFECTS
    OMNI: "m2v_omni_video",  # [INF] not documented
    MULTI_IMAGE: "m2v_img2video_multi_hq",  # [INF] not documented
    MOTION: "m2v_motion_control",  # [INF] not documented
}
OMNI_VERSIONS: dict[str, range] = {"v3": range(3, 16), "o1": range(3, 11)}  # omni.version, omni.duration
OMNI_PROMPT_MAX = 1700  # omni.prompt.length
OMNI_SLOTS, OMNI_SLOTS_WITH_VIDEO = 7, 4  # omni.slots
REFERENCE_NUMBERS = range(1, 8)  # image_1…image_7, element_1…element_7
MULTI_MODELS = ("kling-v3-0", "kling-v1-6")  # multi.model; the second is the default
MOTION_MODELS = ("kling-v3-0", "kling-v2-6")  # motion.model; the first is the default
MOTION_SECONDS = (3, 30)  # motion.inputs
MOTION_UPLOAD_SECONDS = (2, 10)  # motion-upload.length
MOTION_DIRECTIONS = ("motion_direction", "image_direction")
UNKNOWN_VIDEO_SECONDS = 10.0  # media.unknown
EXTEND_SECONDS = 5  # extend.length
MODES = ("std", "pro")
# credits.video.inferred: per second of video, by model and mode.
_MOTION_PER_SECOND: dict[str, dict[str, float]] = {
    "kling-v3-0": {"std": 6, "pro": 8},
    "kling-v2-6": {"std": 3, "pro": 5},
}

_IMAGES = tuple(f"image_{n}" for n in REFERENCE_NUMBERS)
ELEMENT_FIELDS = tuple(f"element_{n}" for n in REFERENCE_NUMBERS)
FIELDS: dict[str, tuple[str, ...]] = {
    OMNI: (
        "prompt",
        "omni_version",
        "duration",
        "aspect_ratio",
        "mode",
        "enable_audio",
        "count",
        *_IMAGES,
        *ELEMENT_FIELDS,
        "frame_start",
        "frame_end",
        "video_1",
        "video_mode",
        "keep_audio",
        *SHOT_FIELDS,
        *ROUTING_FIELDS,
    ),
    MULTI_IMAGE: (
        "image_0",
        "image_1",
        "image_2",
        "image_3",
        "element_1",
        "element_2",
        "element_3",
        "prompt",
        "negative_prompt",
        "aspect_ratio",
        "duration",
        "mode",
        "model_name",
        "enable_audio",
        *ROUTING_FIELDS,
    ),
    EFFECTS: ("effect", "image", "mode", "prompt", *ROUTING_FIELDS),
    EXTEND: ("task_id", "prompt", "negative_prompt", "cfg_scale", "enable_audio", *ROUTING_FIELDS),
    MOTION: (
        "model_name",
        "imageUrl",
        "motionUrl",
        "prompt",
        "keepAudio",
        "motionDirection",
        "mode",
        "element_1",
        *ROUTING_FIELDS,
    ),
    MOTION_UPLOAD: ("email", "resourceUrl", "coverUrl"),
}
_FIELD_RULES = {
    OMNI: "fields.omni",
    MULTI_IMAGE: "fields.multi-image",
    EFFECTS: "fields.effects",
    EXTEND: "fields.extend",
    MOTION: "fields.motion",
    MOTION_UPLOAD: "fields.motion-upload",
}


# --- what the rules ask the account -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaInfo:
    """A file the simulator served or received: an image, a video or an audio file, with what is known of it
    (``aspect_ratio`` is the nearest video ratio; ``width`` and ``height`` the picture's own size, 0 when unknown)."""

    kind: Literal["image", "video", "audio"]
    seconds: float | None = None
    aspect_ratio: str | None = None
    audio: bool = False
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class SourceTask:
    """A task of the account, as an extension sees it. ``status`` is ``succeed`` or what the task is instead
    (``submitted``, ``processing``, ``failed``, ``deleted``)."""

    id: int
    status: str
    seconds: float
    credits_per_second: float
    aspect_ratio: str
    audio: bool
    model_name: str
    mode: str


@dataclass(frozen=True)
class ElementInfo:
    id: str
    type: str  # IMAGE | VIDEO


class Account(Protocol):
    """What the rules may ask of the account a request is for."""

    def media(self, url: str) -> MediaInfo | None:
        """The file at ``url`` when the simulator served or received it; None for any other URL."""

    def task(self, task_id: int) -> SourceTask | None:
        """The account's task; None when it has no such task."""

    def element(self, element_id: str) -> ElementInfo | None:
        """The account's element; None when it has no such element."""


# --- what an accepted request makes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generation:
    """A create request the API takes: the task it makes and what it costs."""

    endpoint: str
    task_type: str
    model_name: str
    mode: str
    duration: float  # seconds of each video
    audio: bool
    credits: float
    aspect_ratio: str
    body: dict[str, Any]  # the fields given, nulls dropped and form text converted
    works: int = 1  # videos made (omni count)
    ignored: dict[str, str] = field(default_factory=dict)  # field -> rule: accepted, not honoured (convention 3)
    kept_audio: bool = False  # the sound is the source video's (keep_audio, keepAudio), not generated nor priced

    @property
    def generated_audio(self) -> bool:
        """Whether sound is generated (and priced): the video has sound that it did not keep from a source."""
        return self.audio and not self.kept_audio


@dataclass(frozen=True)
class MotionUpload:
    """An accepted POST /videos/motion-upload."""

    resource_url: str
    cover_url: str
    seconds: float | None
    aspect_ratio: str | None
    audio: bool


def check(endpoint: str, raw: Mapping[str, Any], account: Account) -> Generation:
    """Check a create request's body as the API would; Refused (a 400) when it refuses it."""
    from kling_mcp.simulator.omni_rules import check_omni  # omni_rules builds on this module

    checks = {OMNI: check_omni, MULTI_IMAGE: _multi_image, EFFECTS: _effect, EXTEND: _extend, MOTION: _motion}
    if endpoint not in checks:
        raise ValueError(f"unknown endpoint {endpoint!r}")
    return checks[endpoint](_fields(endpoint, raw), account)


def check_motion_upload(raw: Mapping[str, Any], account: Account) -> MotionUpload:
    """Check a POST /videos/motion-upload body; Refused (a 400) when the API would refuse it."""
    body = _fields(MOTION_UPLOAD, raw)
    resource, cover = text(body, "resourceUrl"), text(body, "coverUrl")
    if not resource or not cover:
        missing = "resourceUrl" if not resource else "coverUrl"
        raise Refused("motion-upload.inputs", f"Parameter {missing} is required (resourceUrl and coverUrl)")
    info = account.media(resource)
    if info is not None and info.kind != "video":
        raise Refused("motion-upload.inputs", "Parameter resourceUrl must be the URL of a video")
    if info is not None and info.seconds is not None:
        low, high = MOTION_UPLOAD_SECONDS
        if not low <= info.seconds <= high:
            raise Refused(
                "motion-upload.length",
                f"The video at resourceUrl lasts {info.seconds:g} s; a motion upload must last {low} to {high} seconds",
            )
    return MotionUpload(
        resource, cover, info.seconds if info else None, info.aspect_ratio if info else None, bool(info and info.audio)
    )


def check_elements(body: Mapping[str, Any], names: tuple[str, ...], account: Account, *, video_ok: bool) -> None:
    """Every element id given in ``names`` must be an element of the account (elements.exist); a VIDEO element
    only where ``video_ok`` (elements.video.omni-v3)."""
    for name in names:
        element_id = body.get(name)
        if element_id is None:
            continue
        if not isinstance(element_id, str) or not element_id:
            raise Refused("fields.types", f"Parameter {name} must be a saved element id (a string)")
        info = account.element(element_id)
        if info is None:
            raise Refused(
                "elements.exist",
                f"Parameter {name}: element {element_id} not found on this account. Create one with POST /elements, "
                "list them with GET /elements",
            )
        if info.type == "VIDEO" and not video_ok:
            raise Refused(
                "elements.video.omni-v3",
                f"Parameter {name}: element {element_id} is a VIDEO element; VIDEO elements can only be used by "
                "/videos/omni with omni_version v3",
            )


# --- the endpoints ------------------------------------------------------------------------------------------------


def _fields(endpoint: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in raw.items() if v is not None}  # fields.null
    allowed = FIELDS[endpoint]
    unknown = sorted(set(body) - set(allowed) - {"email"})
    if unknown:
        raise Refused(
            _FIELD_RULES[endpoint], f"Unknown parameter {', '.join(unknown)}. Valid parameters: {listed(allowed)}"
        )
    return body


def aspect_of(account: Account, url: str | None) -> str:
    """The ratio of an image or video the simulator knows, else 16:9 (media.unknown)."""
    info = account.media(url) if url else None
    return (info.aspect_ratio if info else None) or ASPECT_RATIOS[0]


def choice(body: dict[str, Any], name: str, values: tuple[str, ...], rule: str, default: str) -> str:
    value = text(body, name) or default
    if value not in values:
        raise Refused(rule, f"Parameter {name} {value!r} is not supported. Valid values: {listed(values)}")
    return value


def seconds_of(body: dict[str, Any], allowed: range | tuple[int, ...], rule: str, what: str) -> int:
    duration = 5
    if "duration" in body:
        duration = body["duration"] = whole(body["duration"], "duration", rule)
    if duration not in allowed:
        span = f"{allowed.start} to {allowed.stop - 1}" if isinstance(allowed, range) else listed(allowed)
        raise Refused(rule, f"Parameter duration {duration} is not supported by {what}. Valid values: {span} (seconds)")
    return duration


def _multi_image(body: dict[str, Any], account: Account) -> Generation:
    ignored: dict[str, str] = {}
    model_name = choice(body, "model_name", MULTI_MODELS, "multi.model", MULTI_MODELS[1])
    v3 = model_name == "kling-v3-0"
    for n in range(4):
        text(body, f"image_{n}")
    if not body.get("image_0"):
        raise Refused("multi.image_0", "Parameter image_0 is required (the first image; image_1…image_3 optional)")
    prompt = text(body, "prompt")
    if not prompt:
        raise Refused("multi.prompt", "Parameter prompt is required")
    check_length("prompt", prompt)
    check_length("negative_prompt", text(body, "negative_prompt"))
    if "negative_prompt" in body and v3:
        ignored["negative_prompt"] = "negative_prompt.1x"
    check_elements(body, ("element_1", "element_2", "element_3"), account, video_ok=False)
    if not v3:
        ignored.update({f"element_{n}": "multi.elements.v3" for n in (1, 2, 3) if f"element_{n}" in body})
    aspect = choice(body, "aspect_ratio", ASPECT_RATIOS, "multi.aspect", ASPECT_RATIOS[0])
    if v3:
        if "aspect_ratio" in body:
            ignored["aspect_ratio"] = "multi.aspect"
        aspect = aspect_of(account, text(body, "image_0"))
    duration = seconds_of(body, range(3, 16) if v3 else (5, 10), "multi.duration", model_name)
    mode = choice(body, "mode", MODES, "multi.mode", "std")
    asked = boolean(body["enable_audio"]) if "enable_audio" in body else None
    if asked is not None:
        body["enable_audio"] = asked
        if v3 and not asked:
            ignored["enable_audio"] = "multi.audio"
    audio = True if v3 else asked is True
    return Generation(
        endpoint=MULTI_IMAGE,
        task_type=TASK_TYPES[MULTI_IMAGE],
        model_name=model_name,
        mode=mode,
        duration=duration,
        audio=audio,
        credits=credits(model_name, mode, duration, audio),
        aspect_ratio=aspect,
        body=body,
        ignored=ignored,
    )


def _effect(body: dict[str, Any], account: Account) -> Generation:
    ignored: dict[str, str] = {}
    name = text(body, "effect")
    effect = presets.EFFECTS.get(name or "")
    if effect is None:
        raise Refused(
            "effects.name",
            f"Parameter effect {name!r} is not an effect of GET /videos/effects. Valid values: "
            f"{listed(tuple(presets.EFFECTS))}"
            if name
            else f"Parameter effect is required. Valid values: {listed(tuple(presets.EFFECTS))}",
        )
    image = text(body, "image")
    if not image:
        raise Refused("effects.image", "Parameter image is required (the image URL to apply the effect to)")
    mode = text(body, "mode") or effect.modes[0]
    if mode not in effect.modes:
        raise Refused(
            "effects.mode",
            f"Parameter mode {mode!r} is not supported by effect {effect.name}. Valid values: {listed(effect.modes)}",
        )
    prompt = text(body, "prompt")
    check_length("prompt", prompt)
    if prompt is not None and not effect.prompt:
        ignored["prompt"] = "effects.prompt"
    seconds = presets.EFFECT_SECONDS
    return Generation(
        endpoint=EFFECTS,
        task_type=TASK_TYPES[EFFECTS],
        model_name="kling-v1-6",
        mode=mode,
        duration=seconds,
        audio=False,
        credits=credits("kling-v1-6", mode, seconds, False),
        aspect_ratio=aspect_of(account, image),
        body=body,
        ignored=ignored,
    )


def _extend(body: dict[str, Any], account: Account) -> Generation:
    if "task_id" not in body:
        raise Refused("extend.task_id", "Parameter task_id is required (the id of a succeeded video task)")
    task_id = body["task_id"] = whole(body["task_id"], "task_id", "extend.task_id")
    check_length("prompt", text(body, "prompt"))
    check_length("negative_prompt", text(body, "negative_prompt"))
    if "cfg_scale" in body:
        body["cfg_scale"] = fraction(body["cfg_scale"])
    asked = boolean(body["enable_audio"]) if "enable_audio" in body else False
    if "enable_audio" in body:
        body["enable_audio"] = asked
    source = account.task(task_id)
    if source is None:
        raise Refused(
            "extend.task",
            f"Task {task_id} not found on this account: task_id must be a succeeded video task of this account",
        )
    if source.status != "succeed":
        raise Refused(
            "extend.task",
            f"Task {task_id} is {source.status}, not succeed: only a succeeded video task can be extended",
        )
    return Generation(
        endpoint=EXTEND,
        task_type=TASK_TYPES[EXTEND],
        model_name=source.model_name,
        mode=source.mode,
        duration=source.seconds + EXTEND_SECONDS,
        audio=asked or source.audio,
        credits=source.credits_per_second * EXTEND_SECONDS,
        aspect_ratio=source.aspect_ratio,
        body=body,
    )


def _motion(body: dict[str, Any], account: Account) -> Generation:
    ignored: dict[str, str] = {}
    model_name = choice(body, "model_name", MOTION_MODELS, "motion.model", MOTION_MODELS[0])
    image, motion = text(body, "imageUrl"), text(body, "motionUrl")
    if not image or not motion:
        missing = "imageUrl" if not image else "motionUrl"
        raise Refused("motion.inputs", f"Parameter {missing} is required (imageUrl: the person; motionUrl: the motion)")
    check_length("prompt", text(body, "prompt"), MAX_TEXT, "motion.prompt")
    keep = boolean(body["keepAudio"], "keepAudio", "motion.keepAudio") if "keepAudio" in body else False
    if "keepAudio" in body:
        body["keepAudio"] = keep
    choice(body, "motionDirection", MOTION_DIRECTIONS, "motion.direction", MOTION_DIRECTIONS[0])
    mode = choice(body, "mode", MODES, "motion.mode", "std")
    check_elements(body, ("element_1",), account, video_ok=False)
    if "element_1" in body and model_name != "kling-v3-0":
        ignored["element_1"] = "motion.element.v3"
    picture = account.media(image)
    if picture is not None and picture.kind != "image":
        raise Refused("motion.inputs", "Parameter imageUrl must be the URL of an image (the person)")
    info = account.media(motion)
    if info is not None and info.kind != "video":
        raise Refused("motion.inputs", "Parameter motionUrl must be the URL of a video (the motion)")
    seconds = info.seconds if info and info.seconds else UNKNOWN_VIDEO_SECONDS
    low, high = MOTION_SECONDS
    if not low <= seconds <= high:
        raise Refused(
            "motion.inputs",
            f"The motion video at motionUrl lasts {seconds:g} s; it must last {low} to {high} seconds",
        )
    duration = min(seconds, high)
    return Generation(
        endpoint=MOTION,
        task_type=TASK_TYPES[MOTION],
        model_name=model_name,
        mode=mode,
        duration=duration,
        audio=keep and (info.audio if info else True),
        credits=_MOTION_PER_SECOND[model_name][mode] * duration,
        aspect_ratio=aspect_of(account, image),
        body=body,
        ignored=ignored,
        kept_audio=True,
    )
