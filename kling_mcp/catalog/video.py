"""Validation of the video endpoints beyond text/image-to-video: omni, multi-image, extend, motion control, effects,
and the creation of elements. Each validator applies the endpoint table's rules (``endpoints.py``) and builds the
exact upstream body (``api.video`` request models, the upstream's own field names) with its credit estimate, or
raises InvalidParameterError naming the parameter, the value, the rule with its sources and what is allowed.

Images and videos reach a validator first as the user gave them (a path, a data: URI or a URL: errors quote them),
then as the URLs uploaded; only their presence is checked here (files are checked by jobs.uploads / jobs.videos).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from kling_mcp.api.video import (
    CreateElementRequest,
    ExtendVideoRequest,
    Image2VideoEffectsRequest,
    Image2VideoElementsRequest,
    MotionCreateRequest,
    OmniVideoRequest,
)
from kling_mcp.catalog import references
from kling_mcp.catalog import shots as multishot  # validate_omni's ``shots`` parameter is the user's list
from kling_mcp.catalog.checks import (
    media_list,
    one_of,
    optional_media,
    required_media,
    seconds_in,
    text,
    unit_interval,
    utf16_length,
    whole_number,
)
from kling_mcp.catalog.endpoints import (
    EFFECT_IMAGE_RULE,
    EFFECT_MODE_RULE,
    EFFECT_MODEL,
    EFFECT_NAME_RULE,
    EFFECT_PROMPT_RULE,
    EFFECT_SECONDS,
    ELEMENT_COVER_RULE,
    ELEMENT_DESCRIPTION_RULE,
    ELEMENT_EXTRA_RULE,
    ELEMENT_NAME_RULE,
    ELEMENT_TAG_RULE,
    ELEMENT_TYPE_RULE,
    ELEMENT_TYPES,
    ELEMENT_VOICE_RULE,
    EXTEND_TASK_RULE,
    EXTEND_TEXT_RULE,
    EXTENSION_SECONDS,
    FRAMES_ASPECT,
    MAX_ELEMENT_DESCRIPTION,
    MAX_ELEMENT_NAME,
    MAX_EXTRA_IMAGES,
    MAX_MULTI_ELEMENTS,
    MAX_MULTI_IMAGES,
    MAX_OMNI_PROMPT,
    MAX_OMNI_REFERENCES,
    MAX_OMNI_REFERENCES_WITH_VIDEO,
    MAX_TASK_ID,
    MOTION_DEFAULT_MODEL,
    MOTION_DIRECTION_RULE,
    MOTION_DIRECTIONS,
    MOTION_ELEMENT_RULE,
    MOTION_INPUTS_RULE,
    MOTION_LENGTH_RULE,
    MOTION_MODE_RULE,
    MOTION_MODEL_NAMES,
    MOTION_MODEL_RULE,
    MOTION_PROMPT_RULE,
    MOTION_SECONDS,
    MULTI_ASPECT_RULE,
    MULTI_AUDIO_RULE,
    MULTI_DEFAULT_MODEL,
    MULTI_DURATION_RULE,
    MULTI_DURATIONS,
    MULTI_ELEMENTS_RULE,
    MULTI_IMAGES_RULE,
    MULTI_MODE_RULE,
    MULTI_MODEL_NAMES,
    MULTI_MODEL_RULE,
    MULTI_NEGATIVE_RULE,
    MULTI_PROMPT_RULE,
    OMNI_ASPECT_RULE,
    OMNI_AUDIO_RULE,
    OMNI_DEFAULT_DURATION,
    OMNI_DURATION_RULE,
    OMNI_DURATIONS,
    OMNI_FRAME_END_RULE,
    OMNI_FRAMES_VIDEO_RULE,
    OMNI_IMAGES_RULE,
    OMNI_KEEP_AUDIO_RULE,
    OMNI_MODE_RULE,
    OMNI_PROMPT_RULE,
    OMNI_REFERENCES_RULE,
    OMNI_SHOTS,
    OMNI_TRANSFORM_RULE,
    OMNI_VERSION_RULE,
    OMNI_VERSIONS,
    OMNI_VIDEO_ASPECT_RULE,
    OMNI_VIDEO_MODE_RULE,
    OMNI_VIDEO_REFERENCES_RULE,
    STD_PRO,
    V3,
    VIDEO_MODES,
    VIP_FROM,
    credits_at,
)
from kling_mcp.catalog.rules import Estimate
from kling_mcp.catalog.sources import EXTEND_LENGTH, OMNI_TRANSFORM_LENGTH
from kling_mcp.catalog.table import ASPECT_RATIOS, ESTIMATE, MODELS

__all__ = [
    "effect_names",
    "validate_effect",
    "validate_element",
    "validate_extend",
    "validate_motion",
    "validate_multi_image",
    "validate_omni",
]

_IMAGE = "an image: an https URL, a local file path or a data: URI (PNG or JPEG)"
_VIDEO = "a video: an https URL or a local file (MP4 or MOV)"
_SHOWN_EFFECTS = 40  # a refusal names at most this many effects (list_effects lists them all)


def _numbered(prefix: str, values: Sequence[str], start: int = 1) -> dict[str, Any]:
    """``image_1``, ``image_2``, … (or from ``start``) for a request model, in order."""
    return {f"{prefix}{n}": value for n, value in enumerate(values, start=start)}


def _given(values: Sequence[Any] | None) -> bool:
    return values is not None and not (isinstance(values, Sequence) and not isinstance(values, str) and not values)


# --- POST /videos/omni ------------------------------------------------------------------------------------------------


def validate_omni(
    *,
    prompt: str | None = None,
    shots: Sequence[Mapping[str, Any]] | None = None,
    omni_version: str | None = None,
    mode: str | None = None,
    duration: int | str | None = None,
    aspect_ratio: str | None = None,
    enable_audio: bool | None = None,
    images: Sequence[str] | None = None,
    elements: Sequence[str] | None = None,
    frame_start: str | None = None,
    frame_end: str | None = None,
    video: str | None = None,
    video_mode: str | None = None,
    keep_audio: bool | None = None,
    video_seconds: float | None = None,
    email: str | None = None,
) -> tuple[OmniVideoRequest, Estimate]:
    """Check an omni request (POST /videos/omni) and build its body: ``images`` become image_1…, ``elements``
    element_1…, ``video`` video_1; ``shots`` replace prompt and duration. ``video_seconds`` is the video's length
    when known (a local file, a previous task): a transform lasts and is priced that long; unknown, the estimate
    takes the longest the version makes."""
    version = one_of(omni_version, OMNI_VERSIONS, "v3", OMNI_VERSION_RULE, "Kling Omni version")
    chosen_mode = one_of(mode, STD_PRO, "std", OMNI_MODE_RULE, "mode of omni")
    assert version is not None and chosen_mode is not None
    pictures = media_list(images, "images", _IMAGE)
    if len(pictures) > MAX_OMNI_REFERENCES:
        OMNI_IMAGES_RULE.refuse(
            f"<{len(pictures)} images>",
            f"omni takes at most {MAX_OMNI_REFERENCES} reference images",
            f"1–{MAX_OMNI_REFERENCES} images",
        )
    saved = references.element_ids(elements, limit=MAX_OMNI_REFERENCES, rule=OMNI_REFERENCES_RULE)
    if len(pictures) + len(saved) > MAX_OMNI_REFERENCES:
        OMNI_REFERENCES_RULE.refuse(
            f"<{len(pictures)} images and {len(saved)} elements>",
            f"omni takes at most {MAX_OMNI_REFERENCES} references, images and elements together",
            f"at most {MAX_OMNI_REFERENCES} images and elements in all",
        )
    start, end, clip = optional_media(frame_start), optional_media(frame_end), optional_media(video)
    if clip is not None and len(pictures) + len(saved) > MAX_OMNI_REFERENCES_WITH_VIDEO:
        OMNI_VIDEO_REFERENCES_RULE.refuse(
            f"<{len(pictures)} images and {len(saved)} elements>",
            f"with a video, omni takes at most {MAX_OMNI_REFERENCES_WITH_VIDEO} images and elements together",
            f"at most {MAX_OMNI_REFERENCES_WITH_VIDEO} images and elements in all, or no video",
        )
    if end is not None and start is None:
        OMNI_FRAME_END_RULE.refuse(
            frame_end, "an end frame needs a start frame", "give frame_start too, or omit frame_end"
        )
    if start is not None and clip is not None:
        OMNI_FRAMES_VIDEO_RULE.refuse(
            frame_start,
            "the frames workflow (frame_start) and the video workflow (video) are not combined",
            "omit frame_start and frame_end, or omit video",
        )
    chosen_video_mode: str | None = None
    if clip is None:
        if video_mode is not None:
            OMNI_VIDEO_MODE_RULE.refuse(
                video_mode, "video_mode applies to a video and none is given", "omit video_mode"
            )
        if keep_audio is not None:
            OMNI_KEEP_AUDIO_RULE.refuse(
                keep_audio, "keep_audio applies to a video and none is given", "omit keep_audio"
            )
    else:
        chosen_video_mode = one_of(video_mode, VIDEO_MODES, "reference", OMNI_VIDEO_MODE_RULE, "video mode")
    if enable_audio is not None and clip is not None:
        OMNI_AUDIO_RULE.refuse(
            enable_audio,
            "enable_audio is not valid with a video",
            "omit enable_audio (keep_audio keeps the video's own)",
        )
    if enable_audio is not None and version == "o1":
        OMNI_AUDIO_RULE.refuse(
            enable_audio, "enable_audio is not valid with omni_version o1", "omit enable_audio, or use omni_version v3"
        )
    story: multishot.Shots | None = None
    transform = chosen_video_mode == "transform"
    length_known = True  # False: a transform whose video's length is not known yet, priced at the longest
    seconds: float
    if multishot.given(shots):
        assert shots is not None
        if version != "v3":
            OMNI_SHOTS.refuse(
                multishot.shown(shots), f"omni_version {version} takes no multi-shot", "omit shots, or omni_version v3"
            )
        story = multishot.read(shots, prompt=prompt, duration=duration)
        texts = [(f"shots[{n}].prompt", shot_prompt) for n, (shot_prompt, _) in enumerate(story.items)]
        seconds = story.total
    else:
        checked = text(prompt, required=True, limit=MAX_OMNI_PROMPT, rule=OMNI_PROMPT_RULE)
        assert checked is not None
        texts = [("prompt", checked)]
        if transform:
            seconds = _transform_seconds(version, duration, video_seconds, video)
            length_known = _known_length(video_seconds)
        else:
            seconds = seconds_in(
                duration, OMNI_DURATIONS[version], OMNI_DEFAULT_DURATION, OMNI_DURATION_RULE, f"omni {version}"
            )
    if start is not None:
        if aspect_ratio is not None and aspect_ratio != FRAMES_ASPECT:
            OMNI_ASPECT_RULE.refuse(aspect_ratio, "with frame_start (the frames workflow) the ratio is auto", "auto")
        chosen_aspect = aspect_ratio
    elif clip is not None:
        if aspect_ratio is not None and aspect_ratio != FRAMES_ASPECT:
            OMNI_VIDEO_ASPECT_RULE.refuse(
                aspect_ratio,
                "with a video the ratio is auto: the clip keeps the video's own ratio",
                "auto, or omit aspect_ratio",
            )
        chosen_aspect = None  # the omni page: set to auto whatever is sent, so nothing is sent
    else:
        chosen_aspect = one_of(aspect_ratio, ASPECT_RATIOS, None, OMNI_ASPECT_RULE, "supported aspect ratio")
    for parameter, told in texts:
        references.check_prompt_references(
            told, parameter, images=len(pictures), elements=len(saved), video=clip is not None
        )
    request = OmniVideoRequest(
        email=email,
        prompt=None if story else prompt,
        omni_version=version,
        # Postman duration: "default 5 … Cannot be used with multi-shot"; the default is sent, so the clip made is the
        # clip priced (a transform lasts as long as its video: none is sent). aspect_ratio is sent only when given:
        # its default depends on the workflow (16:9, or auto).
        duration=None if story or transform else str(seconds),
        aspect_ratio=chosen_aspect,
        mode=chosen_mode,
        enable_audio=enable_audio,
        frame_start=start,
        frame_end=end,
        video_1=clip,
        video_mode=chosen_video_mode,
        keep_audio=keep_audio,
        **_numbered("image_", pictures),
        **_numbered("element_", saved),
        **(story.fields() if story else {}),
    )
    audio = version == "v3" and clip is None and enable_audio is not False  # OMNI_AUDIO: "true(default)"
    notes: list[str] = []
    if transform and not story:
        if not length_known:
            notes.append(
                f"The video's length is not known yet: priced at {seconds:g} s, the longest omni {version} makes."
            )
        notes.append(f"An inferred rule: {OMNI_TRANSFORM_LENGTH.says}.")
    if length_known and seconds >= VIP_FROM[version]:
        notes.append(
            f"Omni {version} clips of {VIP_FROM[version]} s and more need a Kling VIP plan (Postman collection)."
        )
    label = f"omni {version} " + ("edit of a video" if transform else "video")
    if story:
        label += f" in {len(story.items)} shots"
    credits = credits_at(V3, chosen_mode, seconds, audio)
    estimate = Estimate(credits, ESTIMATE, chosen_mode, math.ceil(seconds), audio, " ".join(notes), label)
    return request, estimate


def _known_length(seconds: float | None) -> bool:
    return seconds is not None and math.isfinite(seconds) and seconds > 0


def _transform_seconds(version: str, duration: int | str | None, video_seconds: float | None, video: Any) -> float:
    """How long a transform lasts (OMNI_TRANSFORM_LENGTH, inferred): as long as its video, which must last what
    the version makes; the longest the version makes while the video's length is not known."""
    allowed = OMNI_DURATIONS[version]
    low, high = allowed[0], allowed[-1]
    if duration is not None:
        OMNI_TRANSFORM_RULE.refuse(
            duration,
            "with video_mode transform the clip lasts as long as its video",
            "omit duration, or video_mode reference",
        )
    if not _known_length(video_seconds):
        return float(high)
    assert video_seconds is not None
    if not low <= video_seconds <= high:
        OMNI_TRANSFORM_RULE.refuse(
            video,
            f"the video lasts {video_seconds:g} s and a transformed clip lasts as long as its video",
            f"a video of {low}–{high} s for omni {version}",
            parameter="video",
        )
    return video_seconds


# --- POST /videos/image2video-elements --------------------------------------------------------------------------------


def validate_multi_image(
    *,
    images: Sequence[str] | None,
    prompt: str | None,
    model_name: str | None = None,
    elements: Sequence[str] | None = None,
    negative_prompt: str | None = None,
    aspect_ratio: str | None = None,
    mode: str | None = None,
    duration: int | str | None = None,
    enable_audio: bool | None = None,
    email: str | None = None,
) -> tuple[Image2VideoElementsRequest, Estimate]:
    """Check a multi-image request (POST /videos/image2video-elements) and build its body: ``images`` become
    image_0 … image_3, ``elements`` element_1 … element_3."""
    model = model_name or MULTI_DEFAULT_MODEL
    if model not in MULTI_MODEL_NAMES:
        MULTI_MODEL_RULE.refuse(model, "this model does not make multi-image videos", list(MULTI_MODEL_NAMES))
    v3 = model == V3
    pictures = media_list(images, "images", _IMAGE)
    if not 1 <= len(pictures) <= MAX_MULTI_IMAGES:
        MULTI_IMAGES_RULE.refuse(
            f"<{len(pictures)} images>",
            f"multi-image takes 1 to {MAX_MULTI_IMAGES} images",
            f"1–{MAX_MULTI_IMAGES} images",
        )
    checked = text(prompt, required=True, rule=MULTI_PROMPT_RULE)
    assert checked is not None
    if _given(elements) and not v3:
        MULTI_ELEMENTS_RULE.refuse(
            f"<{len(elements or [])} elements>", f"{model} takes no elements", "omit elements, or model_name kling-v3-0"
        )
    saved = references.element_ids(elements, limit=MAX_MULTI_ELEMENTS, rule=MULTI_ELEMENTS_RULE)
    if negative_prompt is not None and v3:
        MULTI_NEGATIVE_RULE.refuse("<text>", f"{model} does not support it", "omit it, or model_name kling-v1-6")
    negative = text(negative_prompt, required=False, parameter="negative_prompt")
    if aspect_ratio is not None and v3:
        MULTI_ASPECT_RULE.refuse(
            aspect_ratio, f"{model} takes the aspect ratio from the input image", "omit aspect_ratio"
        )
    chosen_aspect = (
        None
        if v3
        else one_of(aspect_ratio, ASPECT_RATIOS, ASPECT_RATIOS[0], MULTI_ASPECT_RULE, "supported aspect ratio")
    )
    seconds = seconds_in(duration, MULTI_DURATIONS[model], 5, MULTI_DURATION_RULE, model)
    chosen_mode = one_of(mode, STD_PRO, "std", MULTI_MODE_RULE, "mode of multi-image")
    assert chosen_mode is not None
    if enable_audio is False and v3:
        MULTI_AUDIO_RULE.refuse(enable_audio, f"{model} always has audio here", "omit enable_audio")
    audio = v3 or enable_audio is True
    request = Image2VideoElementsRequest(
        image_0=pictures[0],
        prompt=checked,
        email=email,
        negative_prompt=negative,
        aspect_ratio=chosen_aspect,
        duration=str(seconds),
        mode=chosen_mode,
        model_name=model,
        enable_audio=enable_audio,
        **_numbered("image_", pictures[1:]),
        **_numbered("element_", saved),
    )
    count = f"{len(pictures)} image" + ("s" if len(pictures) > 1 else "")
    label = f"{model} video from {count}"
    return request, Estimate(
        credits_at(model, chosen_mode, seconds, audio), ESTIMATE, chosen_mode, seconds, audio, "", label
    )


# --- POST /videos/extend ----------------------------------------------------------------------------------------------


def validate_extend(
    *,
    task_id: int | str,
    prompt: str | None = None,
    negative_prompt: str | None = None,
    cfg_scale: float | None = None,
    enable_audio: bool | None = None,
    source_model: str | None = None,
    source_seconds: float | None = None,
    email: str | None = None,
) -> tuple[ExtendVideoRequest, Estimate]:
    """Check an extension (POST /videos/extend) and build its body. ``source_model`` / ``source_seconds`` describe
    the task extended when known (for the estimate only); that the task succeeded is the caller's check."""
    number = whole_number(task_id)
    if number is None or not 1 <= number <= MAX_TASK_ID:
        EXTEND_TASK_RULE.refuse(
            task_id, "not a task id", "the task_id of a succeeded video task (a whole number from 1)"
        )
    checked = text(prompt, required=False, rule=EXTEND_TEXT_RULE)
    negative = text(negative_prompt, required=False, parameter="negative_prompt", rule=EXTEND_TEXT_RULE)
    scale = unit_interval(cfg_scale, "cfg_scale")
    request = ExtendVideoRequest(
        task_id=number,
        email=email,
        prompt=checked,
        negative_prompt=negative,
        cfg_scale=scale,
        enable_audio=enable_audio,
    )
    model = _priced_model(source_model)
    spec = MODELS[model or V3]
    mode = "pro" if "pro" in spec.rates else next(iter(spec.rates))
    audio = enable_audio is True  # EXTEND_AUDIO: "false (default)"
    note = f"Priced as {EXTENSION_SECONDS} s of {spec.name} {mode}" + (" with audio" if audio else "")
    note += "" if model else ", the source task's model not being known"
    if source_seconds is not None and math.isfinite(source_seconds) and source_seconds > 0:
        note += f"; the extended clip will last about {source_seconds + EXTENSION_SECONDS:g} s"
    note += f". An inferred rule: {EXTEND_LENGTH.says}."
    credits = credits_at(spec.name, mode, EXTENSION_SECONDS, audio)
    return request, Estimate(credits, ESTIMATE, mode, EXTENSION_SECONDS, audio, note, f"extension of task {number}")


def _priced_model(source_model: str | None) -> str | None:
    """The model whose rate prices an extension: the source task's, kling-v3-0 for an omni task (whose rate omni
    takes), None when unknown."""
    if source_model in MODELS:
        return source_model
    if source_model and source_model.startswith("omni"):
        return V3
    return None


# --- POST /videos/motion-create ---------------------------------------------------------------------------------------


def validate_motion(
    *,
    image: str | None,
    motion: str | None,
    model_name: str | None = None,
    prompt: str | None = None,
    keep_audio: bool | None = None,
    motion_direction: str | None = None,
    mode: str | None = None,
    element: str | None = None,
    motion_seconds: float | None = None,
    email: str | None = None,
) -> tuple[MotionCreateRequest, Estimate]:
    """Check a motion-control request (POST /videos/motion-create) and build its body. ``motion_seconds`` is the
    motion video's length when known (a local file); unknown, the estimate takes the longest allowed, 30 s."""
    still = required_media(image, "image", f"{_IMAGE}, showing the person to animate", MOTION_INPUTS_RULE)
    moves = required_media(motion, "motion", f"{_VIDEO}, of 3–30 s", MOTION_INPUTS_RULE)
    model = model_name or MOTION_DEFAULT_MODEL
    if model not in MOTION_MODEL_NAMES:
        MOTION_MODEL_RULE.refuse(model, "this model does not do motion control", list(MOTION_MODEL_NAMES))
    low, high = MOTION_SECONDS
    if motion_seconds is not None and not low <= motion_seconds <= high:
        MOTION_LENGTH_RULE.refuse(
            motion,
            f"the motion video lasts {motion_seconds:g} s",
            f"a motion video of {low:g}–{high:g} s",
            parameter="motion",
        )
    direction = one_of(motion_direction, MOTION_DIRECTIONS, None, MOTION_DIRECTION_RULE, "motion direction")
    chosen_mode = one_of(mode, STD_PRO, "std", MOTION_MODE_RULE, "mode of motion control")
    assert chosen_mode is not None
    saved = None if element is None or not element.strip() else element
    if saved is not None:
        if model != V3:
            MOTION_ELEMENT_RULE.refuse(element, f"{model} takes no element", "omit element, or model_name kling-v3-0")
        references.element_id(saved, "element")
    checked = text(prompt, required=False, rule=MOTION_PROMPT_RULE)
    request = MotionCreateRequest(
        imageUrl=still,
        motionUrl=moves,
        email=email,
        model_name=model,
        prompt=checked,
        keepAudio=keep_audio,
        motionDirection=direction,
        mode=chosen_mode,
        element_1=saved,
    )
    seconds = high if motion_seconds is None else motion_seconds
    note = (
        f"The motion video's length is not known yet: priced at {high:g} s, the longest allowed."
        if motion_seconds is None
        else ""
    )
    credits = credits_at(model, chosen_mode, seconds, False)  # keep_audio keeps the video's audio: none is generated
    label = f"{model} motion-control video"
    return request, Estimate(credits, ESTIMATE, chosen_mode, math.ceil(seconds), False, note, label)


# --- POST /videos/image2video-effects ---------------------------------------------------------------------------------


def validate_effect(
    *,
    effect: str | None,
    image: str | None,
    mode: str | None = None,
    prompt: str | None = None,
    known_effects: Sequence[str | Mapping[str, Any]] | None = None,
    email: str | None = None,
) -> tuple[Image2VideoEffectsRequest, Estimate]:
    """Check an effect request (POST /videos/image2video-effects) and build its body. ``known_effects`` are the
    entries GET /videos/effects lists, when read (plain names, or objects as useapi's page shows them): an effect
    not among them is refused, naming them; a mode its entry's ``supportedModelMode`` does not list, and a prompt
    when its ``promptSupported`` is false, are refused too. An entry without that data leaves them unchecked."""
    entries = [] if known_effects is None or isinstance(known_effects, str) else list(known_effects)
    known = effect_names(entries)
    if effect is None or not effect.strip():
        EFFECT_NAME_RULE.refuse(effect, "an effect name is required", _shown_effects(known))
    assert effect is not None
    if known and effect not in known:
        EFFECT_NAME_RULE.refuse(effect, "not an effect this account lists", _shown_effects(known))
    entry = next((e for e in entries if isinstance(e, Mapping) and _entry_name(e) == effect), None)
    modes, takes_prompt = _effect_modes(entry), _effect_prompt(entry)
    still = required_media(image, "image", _IMAGE, EFFECT_IMAGE_RULE)
    chosen_mode = one_of(mode, STD_PRO, _effect_default_mode(modes), EFFECT_MODE_RULE, "mode of effects")
    assert chosen_mode is not None
    if modes is not None and chosen_mode not in modes:
        EFFECT_MODE_RULE.refuse(
            chosen_mode,
            f"the {effect} effect does not take this mode (its supportedModelMode lists {', '.join(modes)})",
            [m for m in modes if m in STD_PRO] or f"another effect: {effect} lists no std or pro mode",
        )
    checked = text(prompt, required=False, rule=EFFECT_PROMPT_RULE)
    if checked is not None and takes_prompt is False:
        EFFECT_PROMPT_RULE.refuse(
            "<text>", f"the {effect} effect takes no prompt (its promptSupported is false)", "omit prompt"
        )
    request = Image2VideoEffectsRequest(effect=effect, image=still, email=email, mode=chosen_mode, prompt=checked)
    credits = credits_at(EFFECT_MODEL, chosen_mode, EFFECT_SECONDS, False)
    note = f"Priced as a {EFFECT_SECONDS} s {EFFECT_MODEL} {chosen_mode} clip: useapi publishes no rate for effects."
    if mode is None and chosen_mode != "std":
        note += f" Mode {chosen_mode}: the {effect} effect lists no std mode."
    label = f"video with the {effect} effect"
    return request, Estimate(credits, ESTIMATE, chosen_mode, EFFECT_SECONDS, False, note, label)


_NAME_KEYS = ("name", "effect", "id", "key", "value")  # an entry's name-like fields, in order


def _entry_name(entry: Any) -> str | None:
    """An entry's name: a plain string, or an object's first non-blank name-like field (useapi's page: ``name``)."""
    if isinstance(entry, str):
        return entry.strip() or None
    if isinstance(entry, Mapping):
        for key in _NAME_KEYS:
            value = entry.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def effect_names(entries: Sequence[str | Mapping[str, Any]] | None) -> list[str]:
    """The effect names among GET /videos/effects' entries (plain names, or objects with a name-like field: ``name``,
    ``effect``, ``id``, ``key`` or ``value``), in order; entries without one are left out."""
    if entries is None or isinstance(entries, str):
        return []
    return [name for entry in entries if (name := _entry_name(entry))]


def _effect_modes(entry: Mapping[str, Any] | None) -> tuple[str, ...] | None:
    """The modes an entry lists (EFFECT_MODES_LISTED: ``supportedModelMode``); None when it lists none."""
    listed = None if entry is None else entry.get("supportedModelMode")
    if not isinstance(listed, list | tuple) or not listed or not all(isinstance(m, str) for m in listed):
        return None
    return tuple(listed)


def _effect_prompt(entry: Mapping[str, Any] | None) -> bool | None:
    """Whether an entry takes a prompt (EFFECT_PROMPT_LISTED: ``promptSupported``); None when it does not say."""
    said = None if entry is None else entry.get("promptSupported")
    return said if isinstance(said, bool) else None


def _effect_default_mode(modes: tuple[str, ...] | None) -> str:
    """std (STD_DEFAULT), unless the effect lists modes without std: then the first of its std/pro modes."""
    if modes is None or "std" in modes:
        return "std"
    return next((m for m in modes if m in STD_PRO), "std")


def _shown_effects(known: list[str]) -> list[Any] | str:
    if not known:
        return "an effect name list_effects gives"
    if len(known) <= _SHOWN_EFFECTS:
        return known
    rest = len(known) - _SHOWN_EFFECTS
    return ", ".join(known[:_SHOWN_EFFECTS]) + f", and {rest} more (list_effects lists them all)"


# --- POST /elements ---------------------------------------------------------------------------------------------------


def validate_element(
    *,
    name: str | None,
    cover_image: str | None,
    type: str | None = None,  # the upstream's and the tool's own name
    voice: str | None = None,
    description: str | None = None,
    tag: str | None = None,
    extra_images: Sequence[str] | None = None,
    generate_views: bool | None = None,
    email: str | None = None,
) -> CreateElementRequest:
    """Check an element to create (POST /elements) and build its body."""
    if name is None or not name.strip():
        ELEMENT_NAME_RULE.refuse(name, "must not be empty", f"1–{MAX_ELEMENT_NAME} characters")
    assert name is not None
    if utf16_length(name) > MAX_ELEMENT_NAME:
        ELEMENT_NAME_RULE.refuse(
            name,
            f"longer than {MAX_ELEMENT_NAME} characters (UTF-16 units, as useapi counts)",
            f"1–{MAX_ELEMENT_NAME} characters",
        )
    kind = one_of(type, ELEMENT_TYPES, ELEMENT_TYPES[0], ELEMENT_TYPE_RULE, "element type")
    cover = required_media(cover_image, "cover_image", _VIDEO if kind == "VIDEO" else _IMAGE, ELEMENT_COVER_RULE)
    spoken = None if voice is None or not voice.strip() else voice
    if spoken is not None and kind != "VIDEO":
        ELEMENT_VOICE_RULE.refuse(
            voice, f"a voice is for VIDEO elements, and this one is {kind}", "omit voice, or type VIDEO"
        )
    about = text(
        description,
        required=False,
        parameter="description",
        limit=MAX_ELEMENT_DESCRIPTION,
        rule=ELEMENT_DESCRIPTION_RULE,
    )
    category = None if tag is None or not tag.strip() else tag
    if tag is not None and category is None:
        ELEMENT_TAG_RULE.refuse(tag, "must not be blank", "a tag from GET /elements/tags, or omit tag")
    extras = media_list(extra_images, "extra_images", _IMAGE)
    if len(extras) > MAX_EXTRA_IMAGES:
        ELEMENT_EXTRA_RULE.refuse(
            f"<{len(extras)} images>", f"at most {MAX_EXTRA_IMAGES} extra images", f"0–{MAX_EXTRA_IMAGES} images"
        )
    if extras and generate_views:
        ELEMENT_EXTRA_RULE.refuse(
            generate_views,
            "generate_views makes the extra views itself and cannot be used with extra_images",
            "omit generate_views, or omit extra_images",
            parameter="generate_views",
        )
    return CreateElementRequest(
        name=name,
        coverImage=cover,
        email=email,
        type=kind,
        voice=spoken,
        description=about,
        tag=category,
        generateViews=generate_views,
        **_numbered("extraImage", extras),
    )
