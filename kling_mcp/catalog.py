"""THE model table: what each Kling model allows and what it costs.

Validation (``validate_text2video`` / ``validate_image2video``), the tool descriptions, the ``kling://models``
resource, ``list_models`` and the README's model table are all generated from ``MODELS`` below. Change a rule
here and every one of them follows.

Sources: the seed document's "Supported models" table and image-to-video section, and
../shared/reference/useapi-kling-api.md §5.1, §5.2 (rules) and §9 (credits). Where the reference marks a rule as
uncertain, the catalog takes the safe reading (refuse rather than send something the upstream may bill and then
reject) and says so in ``notes``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.api.models import Image2VideoFramesRequest, Text2VideoRequest

Mode = Literal["std", "pro", "4k"]
Audio = Literal["default_on", "always_on", "pro_only", "sound_effects"]

ASPECT_RATIOS: tuple[str, ...] = ("16:9", "9:16", "1:1")  # reference §5.1
MAX_PROMPT = 2500  # seed script: "prompt exceeds 2500 characters"; reference §5.1
DEFAULT_TEXT2VIDEO_MODEL = "kling-v1-6"  # seed: "kling-v1-6 is the default"
DEFAULT_IMAGE2VIDEO_MODEL = "kling-v2-1"  # reference §5.2: kling-v2-1 is the upstream default there
RESOLUTIONS: dict[str, str] = {"std": "720p", "pro": "1080p", "4k": "4K"}
PUBLISHED = "published"
ESTIMATE = "estimate"


@dataclass(frozen=True)
class Rate:
    """Kling credits per second of video for one mode; ``with_audio`` applies when audio is generated."""

    per_second: float
    with_audio: float | None = None
    source: str = PUBLISHED


@dataclass(frozen=True)
class ModelSpec:
    name: str
    summary: str
    text2video: bool
    image2video: bool
    durations: tuple[int, ...]
    modes: tuple[Mode, ...]
    audio: Audio
    negative_prompt: bool = False
    cfg_scale: bool = False
    start_frame_required: bool = True
    image_tail: bool = True
    rates: dict[str, Rate] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def default_mode(self) -> Mode:
        """std where the model has it (the upstream default), else the model's only mode."""
        return "std" if "std" in self.modes else self.modes[0]

    @property
    def default_duration(self) -> int:
        return 5

    def audio_on(self, mode: str, enable_audio: bool | None) -> bool:
        """Whether a generation with these settings produces audio (and is priced with it)."""
        if self.audio == "always_on":
            return True
        if self.audio == "default_on":
            return enable_audio is not False
        if self.audio == "pro_only":
            return bool(enable_audio) and mode == "pro"
        return bool(enable_audio)

    def estimate_credits(self, mode: str, duration: int, enable_audio: bool | None) -> tuple[float, str]:
        rate = self.rates[mode]
        per_second = rate.per_second
        if self.audio_on(mode, enable_audio) and rate.with_audio is not None:
            per_second = rate.with_audio
        return math.ceil(per_second * duration), rate.source

    def describe(self) -> dict[str, Any]:
        """The model as the kling://models resource and list_models show it."""
        return {
            "name": self.name,
            "summary": self.summary,
            "text_to_video": self.text2video,
            "image_to_video": self.image2video,
            "durations_s": list(self.durations),
            "modes": {m: RESOLUTIONS[m] for m in self.modes},
            "default_mode": self.default_mode,
            "audio": self.audio,
            "parameters": {
                "negative_prompt": self.negative_prompt,
                "cfg_scale": self.cfg_scale,
                "enable_audio": self.audio != "always_on",
                "aspect_ratio": "text-to-video only (image-to-video takes it from the image)",
                "image_tail": self.image_tail,
                "start_frame_required": self.start_frame_required,
            },
            "credits": {
                mode: {
                    "per_5s": math.ceil(rate.per_second * 5),
                    "per_5s_with_audio": None if rate.with_audio is None else math.ceil(rate.with_audio * 5),
                    "source": rate.source,
                }
                for mode, rate in self.rates.items()
            },
            "notes": list(self.notes),
        }


_V3_DURATIONS = tuple(range(3, 16))  # seed: v3 "3–15s"
_FIVE_TEN = (5, 10)  # seed: "5 / 10s"
_RATE_NOTE = (
    "Credit figures marked 'estimate' are not published by useapi or Kling; they are inferred from neighbouring "
    "models and may differ from what the account is charged."
)

MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="kling-v3-0",
            summary="Most capable: 3–15 s, std 720p / pro 1080p / 4k, audio on by default.",
            text2video=True,
            image2video=True,
            durations=_V3_DURATIONS,
            modes=("std", "pro", "4k"),
            audio="default_on",
            # Reference §9: useapi's own sample prices a 6 s v3 pro clip with audio at 72 credits (12/s).
            rates={
                "std": Rate(6.0, 8.0, ESTIMATE),
                "pro": Rate(8.0, 12.0, PUBLISHED),
                "4k": Rate(16.0, 20.0, ESTIMATE),
            },
            notes=(
                "Audio is on unless enable_audio=false (seed).",
                "Only the pro-with-audio rate is published (12 credits/s, reference §9); the others are estimates.",
            ),
        ),
        ModelSpec(
            name="kling-v3-0-turbo",
            summary="Faster v3: 3–15 s, std / pro (no 4k), audio always on; image-to-video start frame only.",
            text2video=True,
            image2video=True,
            durations=_V3_DURATIONS,
            modes=("std", "pro"),
            audio="always_on",
            image_tail=False,
            rates={"std": Rate(6.0, 6.0, ESTIMATE), "pro": Rate(10.0, 10.0, ESTIMATE)},
            notes=(
                "Audio is always on and enable_audio is not accepted (seed; reference §5.1).",
                "Takes no image_tail (seed: 'supports the start frame only').",
            ),
        ),
        ModelSpec(
            name="kling-v2-6",
            summary="5 / 10 s, std / pro; Native Audio in pro only.",
            text2video=True,
            image2video=True,
            durations=_FIVE_TEN,
            modes=("std", "pro"),
            audio="pro_only",
            rates={"std": Rate(3.0), "pro": Rate(5.0, 7.0)},
            notes=(
                "enable_audio=true needs mode=pro (seed: 'Native Audio, but only in pro mode').",
                "With audio, image-to-video takes the start frame only (reference §5.2, June 2026 footnote).",
            ),
        ),
        ModelSpec(
            name="kling-v2-5",
            summary="5 / 10 s, pro 1080p only.",
            text2video=True,
            image2video=True,
            durations=_FIVE_TEN,
            modes=("pro",),
            audio="sound_effects",
            rates={"pro": Rate(5.0)},
            notes=("image_tail allowed: the seed's own image-to-video example sends it with kling-v2-5.",),
        ),
        ModelSpec(
            name="kling-v2-1-master",
            summary="5 / 10 s, pro 1080p only; no end frame.",
            text2video=True,
            image2video=True,
            durations=_FIVE_TEN,
            modes=("pro",),
            audio="sound_effects",
            image_tail=False,
            rates={"pro": Rate(20.0)},
            notes=("image_tail is not supported (reference §5.2, June 2026).",),
        ),
        ModelSpec(
            name="kling-v2-1",
            summary="Image-to-video only (the upstream's image-to-video default): 5 / 10 s, std / pro.",
            text2video=False,
            image2video=True,
            durations=_FIVE_TEN,
            modes=("std", "pro"),
            audio="sound_effects",
            rates={"std": Rate(4.0), "pro": Rate(7.0)},
            notes=("Not in the text2video model list (reference §5.1), so refused for generate_video.",),
        ),
        ModelSpec(
            name="kling-v1-6",
            summary="Text-to-video default: 5 / 10 s, std / pro; takes negative_prompt and cfg_scale.",
            text2video=True,
            image2video=True,
            durations=_FIVE_TEN,
            modes=("std", "pro"),
            audio="sound_effects",
            negative_prompt=True,
            cfg_scale=True,
            start_frame_required=False,
            rates={"std": Rate(4.0), "pro": Rate(7.0)},
            notes=("1.x models may animate towards an end frame alone (reference §5.2).",),
        ),
        ModelSpec(
            name="kling-v1-5",
            summary="5 / 10 s, std / pro; takes negative_prompt and cfg_scale.",
            text2video=True,
            image2video=True,
            durations=_FIVE_TEN,
            modes=("std", "pro"),
            audio="sound_effects",
            negative_prompt=True,
            cfg_scale=True,
            start_frame_required=False,
            rates={"std": Rate(4.0, None, ESTIMATE), "pro": Rate(7.0, None, ESTIMATE)},
            notes=("Credits assumed equal to kling-v1-6 (not published).",),
        ),
    )
}

TEXT2VIDEO_MODELS: tuple[str, ...] = tuple(name for name, spec in MODELS.items() if spec.text2video)
IMAGE2VIDEO_MODELS: tuple[str, ...] = tuple(name for name, spec in MODELS.items() if spec.image2video)


@dataclass(frozen=True)
class Estimate:
    credits: float
    source: str
    mode: str
    duration: int
    audio: bool


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
    if value is None or not value.strip():
        if required:
            raise InvalidParameterError(parameter, value, "must not be empty", "non-blank text, at most 2500 chars")
        return None
    if len(value) > MAX_PROMPT:
        raise InvalidParameterError(
            parameter, f"<{len(value)} characters>", f"longer than {MAX_PROMPT} characters", f"1–{MAX_PROMPT} chars"
        )
    return value


def _mode(spec: ModelSpec, mode: str | None) -> str:
    if mode is None:
        return spec.default_mode
    if mode not in spec.modes:
        raise InvalidParameterError("mode", mode, f"{spec.name} does not offer this mode", list(spec.modes))
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
    one_x = [name for name, s in MODELS.items() if s.negative_prompt]
    if negative_prompt is not None and not spec.negative_prompt:
        raise InvalidParameterError(
            "negative_prompt",
            "<text>",
            f"{spec.name} does not support it (1.x models only)",
            f"omit it, or use one of: {', '.join(one_x)}",
        )
    if negative_prompt is not None:
        _prompt(negative_prompt, required=False, parameter="negative_prompt")
    if cfg_scale is not None:
        if not spec.cfg_scale:
            raise InvalidParameterError(
                "cfg_scale",
                cfg_scale,
                f"{spec.name} does not support it (1.x models only)",
                f"omit it, or use one of: {', '.join(one_x)}",
            )
        if not (0.0 <= cfg_scale <= 1.0) or math.isnan(cfg_scale):
            raise InvalidParameterError("cfg_scale", cfg_scale, "out of range", "a number from 0 to 1")


def validate_text2video(
    *,
    prompt: str | None,
    model_name: str | None = None,
    aspect_ratio: str | None = None,
    mode: str | None = None,
    duration: int | str | None = None,
    negative_prompt: str | None = None,
    cfg_scale: float | None = None,
    enable_audio: bool | None = None,
    email: str | None = None,
) -> tuple[Text2VideoRequest, Estimate]:
    """Check a text-to-video request against the catalog and build the exact upstream body.

    Raises InvalidParameterError naming the parameter, the value and what is allowed.
    """
    spec = _model(model_name or DEFAULT_TEXT2VIDEO_MODEL, image=False)
    text = _prompt(prompt, required=True)
    chosen_mode = _mode(spec, mode)
    seconds = _duration(spec, duration)
    if aspect_ratio is not None and aspect_ratio not in ASPECT_RATIOS:
        raise InvalidParameterError("aspect_ratio", aspect_ratio, "not a supported aspect ratio", list(ASPECT_RATIOS))
    _one_x_only(spec, negative_prompt, cfg_scale)
    audio = _audio(spec, chosen_mode, enable_audio)
    assert text is not None
    request = Text2VideoRequest(
        prompt=text,
        model_name=spec.name,
        email=email,
        negative_prompt=negative_prompt,
        cfg_scale=cfg_scale,
        duration=str(seconds),
        aspect_ratio=aspect_ratio or ASPECT_RATIOS[0],
        mode=chosen_mode,
        enable_audio=audio,
    )
    credits, source = spec.estimate_credits(chosen_mode, seconds, audio)
    return request, Estimate(credits, source, chosen_mode, seconds, spec.audio_on(chosen_mode, audio))


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
    email: str | None = None,
) -> tuple[Image2VideoFramesRequest, Estimate]:
    """Check an image-to-video (start/end frame) request against the catalog and build the upstream body."""
    spec = _model(model_name or DEFAULT_IMAGE2VIDEO_MODEL, image=True)
    if aspect_ratio is not None:
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
    text = _prompt(prompt, required=False)
    chosen_mode = _mode(spec, mode)
    seconds = _duration(spec, duration)
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
        duration=str(seconds),
        mode=chosen_mode,
        enable_audio=audio,
    )
    credits, source = spec.estimate_credits(chosen_mode, seconds, audio)
    return request, Estimate(credits, source, chosen_mode, seconds, spec.audio_on(chosen_mode, audio))


def catalog_document() -> dict[str, Any]:
    """Everything an agent needs to pick a model: served as kling://models and by list_models."""
    return {
        "defaults": {"text_to_video": DEFAULT_TEXT2VIDEO_MODEL, "image_to_video": DEFAULT_IMAGE2VIDEO_MODEL},
        "aspect_ratios": list(ASPECT_RATIOS),
        "max_prompt_chars": MAX_PROMPT,
        "credits_note": _RATE_NOTE,
        "models": [spec.describe() for spec in MODELS.values()],
    }


def markdown_table() -> str:
    """The README's model table (tests check the README carries exactly this)."""
    rows = [
        "| model | text→video | image→video | durations | modes | audio | negative_prompt / cfg_scale | end frame |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for spec in MODELS.values():
        durations = f"{spec.durations[0]}–{spec.durations[-1]} s" if len(spec.durations) > 2 else "5 / 10 s"
        rows.append(
            f"| `{spec.name}` | {'yes' if spec.text2video else 'no'} | {'yes' if spec.image2video else 'no'} "
            f"| {durations} | {' · '.join(f'{m} {RESOLUTIONS[m]}' for m in spec.modes)} | {spec.audio} "
            f"| {'yes' if spec.negative_prompt else 'no'} | {'yes' if spec.image_tail else 'no'} |"
        )
    return "\n".join(rows)
