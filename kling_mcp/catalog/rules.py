"""Validation: a request is checked against the model table before anything is sent, and the exact upstream body
is built from it. Every refusal is an InvalidParameterError naming the parameter, the value, the rule (with its
source) and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.api.models import Image2VideoFramesRequest, Text2VideoRequest
from kling_mcp.catalog import checks, references, shots
from kling_mcp.catalog.checks import Rule
from kling_mcp.catalog.endpoints import MAX_FRAMES_ELEMENTS, T2V_PROMPT_RULE
from kling_mcp.catalog.table import (
    ASPECT_RATIOS,
    DEFAULT_IMAGE2VIDEO_MODEL,
    DEFAULT_TEXT2VIDEO_MODEL,
    GUIDE_ONLY_4K,
    IMAGE2VIDEO_MODELS,
    MODELS,
    TEXT2VIDEO_MODELS,
    ModelSpec,
)


@dataclass(frozen=True)
class Estimate:
    credits: float
    source: str
    mode: str
    duration: int
    audio: bool
    note: str = ""  # a caveat the user should see with the estimate (e.g. a mode documented by one source only)
    label: str = ""  # what is made, for the confirmation question: "kling-v3-0 video", "omni v3 video", ...


def _model(model_name: str, *, image: bool) -> ModelSpec:
    allowed = IMAGE2VIDEO_MODELS if image else TEXT2VIDEO_MODELS
    spec = MODELS.get(model_name)
    if spec is None:
        raise InvalidParameterError("model_name", model_name, "unknown model", list(allowed))
    if model_name not in allowed:
        kind = "image-to-video" if image else "text-to-video"
        raise InvalidParameterError("model_name", model_name, f"this model does not do {kind}", list(allowed))
    return spec


def _prompt(value: str | None, *, required: bool, parameter: str = "prompt") -> str | None:
    return checks.text(value, required=required, parameter=parameter)


def _mode(spec: ModelSpec, mode: str | None, *, image: bool) -> str:
    offer = spec.offer(image=image)
    if mode is None:
        return offer.default
    if mode not in offer.modes:
        kind = "image-to-video" if image else "text-to-video"
        raise InvalidParameterError(
            "mode", mode, f"{spec.name} does not offer this mode on {kind} ({offer.facts[0].cite()})", list(offer.modes)
        )
    return mode


def _duration(spec: ModelSpec, duration: int | str | None) -> int:
    if duration is None:
        return spec.default_duration
    try:
        seconds = int(duration)
    except (TypeError, ValueError):
        seconds = -1
    if str(duration).strip() != str(seconds) or seconds not in spec.durations:
        allowed = f"{spec.durations[0]}–{spec.durations[-1]} (whole seconds)" if len(spec.durations) > 2 else None
        raise InvalidParameterError(
            "duration", duration, f"{spec.name} does not make clips of this length", allowed or list(spec.durations)
        )
    return seconds


def _audio(spec: ModelSpec, mode: str, enable_audio: bool | None) -> bool | None:
    if enable_audio is None:
        return None
    if spec.audio == "always_on":
        raise InvalidParameterError(
            "enable_audio",
            enable_audio,
            f"{spec.name} always generates audio and does not accept this parameter",
            "omit enable_audio",
        )
    if spec.audio == "pro_only" and enable_audio and mode != "pro":
        raise InvalidParameterError(
            "enable_audio",
            enable_audio,
            f"{spec.name} generates Native Audio only with mode=pro (mode is {mode})",
            "enable_audio=true with mode='pro', or enable_audio=false",
        )
    return enable_audio


def _one_x_only(spec: ModelSpec, negative_prompt: str | None, cfg_scale: float | None) -> None:
    # Decision on negative_prompt for kling-v2-1, kling-v2-1-master and kling-v3-0-turbo: keep refusing. The only
    # source that speaks about them is the guide's general sentence "apply only to the 1.x models"; the newer Postman
    # collection is silent per model (it does not record even the guide's named exclusions, so its silence is no
    # evidence of support). Refusing costs the user one optional parameter; sending it risks a billed clip that
    # ignored it. The refusal says the rule is inferred, so a user who knows better can tell.
    one_x = [name for name, s in MODELS.items() if s.negative_prompt]
    if negative_prompt is not None and not spec.negative_prompt:
        fact = spec.negative_prompt_fact
        if fact.inferred:
            reason = (
                f"{spec.name} is assumed not to take it (an inferred rule: useapi.net's guide \"Kling v3 via the "
                'Kling API" says negative_prompt applies only to the 1.x models and names 2.5, 2.6 and 3.0; this '
                "model is covered by that general sentence only)"
            )
        else:
            reason = f"{spec.name} does not support it ({fact.cite()})"
        raise InvalidParameterError("negative_prompt", "<text>", reason, f"omit it, or use one of: {', '.join(one_x)}")
    if negative_prompt is not None:
        _prompt(negative_prompt, required=False, parameter="negative_prompt")
    if cfg_scale is not None:
        if not spec.cfg_scale:
            raise InvalidParameterError(
                "cfg_scale",
                cfg_scale,
                f"{spec.name} does not support it ({spec.cfg_scale_fact.cite()})",
                f"omit it, or use one of: {', '.join(one_x)}",
            )
        if not (0.0 <= cfg_scale <= 1.0) or math.isnan(cfg_scale):
            raise InvalidParameterError("cfg_scale", cfg_scale, "out of range", "a number from 0 to 1")


def _estimate(
    spec: ModelSpec, mode: str, seconds: int, audio: bool | None, *, image: bool, story: shots.Shots | None = None
) -> Estimate:
    credits, source = spec.estimate_credits(mode, seconds, audio)
    note = GUIDE_ONLY_4K if mode in spec.offer(image=image).guide_only else ""
    label = f"{spec.name} video" + (" from an image" if image else "")
    if story is not None:
        label += f" in {len(story.items)} shots"  # priced on their total (the clip lasts the shots' total)
    return Estimate(credits, source, mode, seconds, spec.audio_on(mode, audio), note, label)


def _shots(
    spec: ModelSpec,
    value: Sequence[Mapping[str, Any]] | None,
    prompt: str | None,
    duration: int | str | None,
    *,
    image: bool,
) -> shots.Shots | None:
    """Multi-shot: kling-v3-0 only (Postman: "multi-shot (v3 only)"; turbo: "no multi-shot"); None without shots."""
    if not shots.given(value):
        return None
    assert value is not None
    if not spec.multi_shot:
        takers = [name for name, s in MODELS.items() if s.multi_shot and s.offer(image=image).offered]
        Rule("shots", "kling-v3-0 only", spec.multi_shot_facts).refuse(
            shots.shown(value),
            f"{spec.name} does not take multi-shot",
            f"omit shots, or use model_name {' or '.join(takers)}",
        )
    duration_rule = shots.NOT_WITH_DURATION_FRAMES if image else shots.NOT_WITH_DURATION
    return shots.read(value, prompt=prompt, duration=duration, duration_rule=duration_rule)


def _element_fields(ids: list[str]) -> dict[str, Any]:
    """``element_1``, ``element_2``, ... for the request model, in order."""
    return {f"element_{n}": element for n, element in enumerate(ids, start=1)}


def _elements(spec: ModelSpec, value: Sequence[str] | None) -> list[str]:
    """Saved elements on image-to-video: up to 3, kling-v3-0 only (Postman image2video-frames element_1)."""
    if value is None or (not isinstance(value, str) and isinstance(value, Sequence) and len(value) == 0):
        return []
    rule = Rule("elements", f"up to {MAX_FRAMES_ELEMENTS} element ids, kling-v3-0 only", spec.elements_facts)
    if not spec.elements:
        takers = [name for name, s in MODELS.items() if s.elements]
        rule.refuse(
            value, f"{spec.name} does not take elements", f"omit elements, or use model_name {' or '.join(takers)}"
        )
    return references.element_ids(value, limit=MAX_FRAMES_ELEMENTS, rule=rule)


def validate_text2video(
    *,
    prompt: str | None = None,
    model_name: str | None = None,
    aspect_ratio: str | None = None,
    mode: str | None = None,
    duration: int | str | None = None,
    negative_prompt: str | None = None,
    cfg_scale: float | None = None,
    enable_audio: bool | None = None,
    shots: Sequence[Mapping[str, Any]] | None = None,
    email: str | None = None,
) -> tuple[Text2VideoRequest, Estimate]:
    """Check a text-to-video request against the catalog and build the exact upstream body. ``shots`` (multi-shot)
    replaces ``prompt`` and ``duration``; without shots the prompt is required.

    Raises InvalidParameterError naming the parameter, the value and what is allowed.
    """
    spec = _model(model_name or DEFAULT_TEXT2VIDEO_MODEL, image=False)
    story = _shots(spec, shots, prompt, duration, image=False)
    text = None if story else checks.text(prompt, required=True, rule=T2V_PROMPT_RULE)
    chosen_mode = _mode(spec, mode, image=False)
    seconds = story.total if story else _duration(spec, duration)
    if aspect_ratio is not None and aspect_ratio not in ASPECT_RATIOS:
        raise InvalidParameterError("aspect_ratio", aspect_ratio, "not a supported aspect ratio", list(ASPECT_RATIOS))
    _one_x_only(spec, negative_prompt, cfg_scale)
    audio = _audio(spec, chosen_mode, enable_audio)
    request = Text2VideoRequest(
        prompt=text,
        model_name=spec.name,
        email=email,
        negative_prompt=negative_prompt,
        cfg_scale=cfg_scale,
        duration=None if story else str(seconds),  # Postman duration: "Cannot be used with multi-shot"
        aspect_ratio=aspect_ratio or ASPECT_RATIOS[0],
        mode=chosen_mode,
        enable_audio=audio,
        **(story.fields() if story else {}),
    )
    return request, _estimate(spec, chosen_mode, seconds, audio, image=False, story=story)


def validate_image2video(
    *,
    image: str | None,
    image_tail: str | None = None,
    prompt: str | None = None,
    model_name: str | None = None,
    mode: str | None = None,
    duration: int | str | None = None,
    negative_prompt: str | None = None,
    cfg_scale: float | None = None,
    enable_audio: bool | None = None,
    aspect_ratio: str | None = None,
    shots: Sequence[Mapping[str, Any]] | None = None,
    elements: Sequence[str] | None = None,
    email: str | None = None,
) -> tuple[Image2VideoFramesRequest, Estimate]:
    """Check an image-to-video (start/end frame) request against the catalog and build the upstream body. ``shots``
    (multi-shot) replaces ``prompt`` and ``duration``; ``elements`` are saved element ids (element_1..3)."""
    spec = _model(model_name or DEFAULT_IMAGE2VIDEO_MODEL, image=True)
    if aspect_ratio is not None:
        # Postman image2video-frames has no aspect_ratio field; guide: on v3 "the aspect ratio is derived from the
        # input image, so there is no aspect_ratio parameter".
        raise InvalidParameterError(
            "aspect_ratio", aspect_ratio, "image-to-video takes the aspect ratio from the image", "omit aspect_ratio"
        )
    image = image or None
    image_tail = image_tail or None
    if image is None and image_tail is None:
        raise InvalidParameterError(
            "image", None, "give a start frame (image), an end frame (image_tail), or both", "an image URL"
        )
    if image is None and spec.start_frame_required:
        raise InvalidParameterError(
            "image",
            None,
            f"{spec.name} needs the start frame; only 1.x models animate towards an end frame alone",
            "an image URL",
        )
    if image_tail is not None and not spec.image_tail:
        raise InvalidParameterError(
            "image_tail", image_tail, f"{spec.name} takes the start frame only", "omit image_tail"
        )
    story = _shots(spec, shots, prompt, duration, image=True)
    text = None if story else _prompt(prompt, required=False)
    element_ids = _elements(spec, elements)
    chosen_mode = _mode(spec, mode, image=True)
    seconds = story.total if story else _duration(spec, duration)
    _one_x_only(spec, negative_prompt, cfg_scale)
    audio = _audio(spec, chosen_mode, enable_audio)
    if spec.audio == "pro_only" and audio and image_tail is not None:
        raise InvalidParameterError(
            "image_tail", image_tail, f"{spec.name} Native Audio works with the start frame only", "omit image_tail"
        )
    request = Image2VideoFramesRequest(
        model_name=spec.name,
        email=email,
        image=image,
        image_tail=image_tail,
        prompt=text,
        negative_prompt=negative_prompt,
        cfg_scale=cfg_scale,
        duration=None if story else str(seconds),  # shots replace duration (see shots.NOT_WITH_DURATION_FRAMES)
        mode=chosen_mode,
        enable_audio=audio,
        **_element_fields(element_ids),
        **(story.fields() if story else {}),
    )
    return request, _estimate(spec, chosen_mode, seconds, audio, image=True, story=story)
