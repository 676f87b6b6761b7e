"""THE model table: what each Kling model allows, on which endpoint, what it costs, and which source says so.

Validation (``validate_text2video`` / ``validate_image2video``), the tool descriptions, the ``kling://models``
resource, ``list_models`` and the README's model table are all generated from ``MODELS`` below. Change a rule
here and every one of them follows.

Every rule carries the ``Fact`` it rests on (source + what the source says). The sources, newest first:

* useapi's Postman collection "Kling API v1", updated 2026-07-20 (../shared/reference/useapi-kling-postman-fields.md);
* useapi.net's guide "Kling v3 via the Kling API", 2026-06-22 (the seed document, with its Node script);
* useapi's image2video-frames documentation page, 2026-06-17 (reference useapi-kling-api.md §5.2);
* useapi's text2video documentation page, 2025 (reference §5.1), cited in comments only.

Where two sources disagree, the newer one wins. Silence is not disagreement: the Postman collection gives no
per-model rule for negative_prompt at all (not even for the models the guide names), so its silence does not
override the guide. Where no source states a rule for a model, the catalog takes the safe reading (refuse rather
than send something the upstream may bill and then ignore or reject) and marks the rule ``inferred``, in the error
message as well as in ``kling://models``, so that a user who knows better can tell.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any, Literal

from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.api.models import Image2VideoFramesRequest, Text2VideoRequest

Mode = Literal["std", "pro", "4k"]
Audio = Literal["default_on", "always_on", "pro_only", "sound_effects"]

ASPECT_RATIOS: tuple[str, ...] = ("16:9", "9:16", "1:1")  # Postman text2video aspect_ratio: "16:9(default),9:16,1:1"
# Postman: prompt "max length 2500 characters". useapi counts like its own script (seed kling.mjs:
# `text.length > 2500`), i.e. JavaScript string length = UTF-16 code units: an emoji outside the BMP counts 2.
MAX_PROMPT = 2500
PROMPT_UNIT = "UTF-16 code units (JavaScript string length, as useapi counts): an emoji counts 2"
DEFAULT_TEXT2VIDEO_MODEL = "kling-v1-6"  # Postman text2video model_name: "kling-v1-6(default)"; guide agrees
DEFAULT_IMAGE2VIDEO_MODEL = "kling-v2-1"  # Postman image2video-frames model_name: "kling-v2-1(default)"
RESOLUTIONS: dict[str, str] = {"std": "720p", "pro": "1080p", "4k": "4K"}  # guide's model table
PUBLISHED = "published"
ESTIMATE = "estimate"


# --- sources -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A document a rule rests on. ``tag`` is the short mark used in the README table."""

    tag: str
    title: str
    date: str = ""

    def label(self) -> str:
        return f"{self.title} ({self.date})" if self.date else self.title


POSTMAN = Source("P", 'useapi\'s Postman collection "Kling API v1"', "updated 2026-07-20")
FRAMES_DOC = Source("F", "useapi's documentation page for POST /videos/image2video-frames", "2026-06-17")
GUIDE = Source("G", 'useapi.net\'s guide "Kling v3 via the Kling API"', "2026-06-22")
INFERRED = Source("I", "inferred (no source states this rule for this model)")
SOURCES: tuple[Source, ...] = (POSTMAN, GUIDE, FRAMES_DOC, INFERRED)  # newest first


@dataclass(frozen=True)
class Fact:
    """What one source says that a rule rests on."""

    source: Source
    says: str

    def cite(self) -> str:
        return f"{self.source.label()}: {self.says}"

    @property
    def inferred(self) -> bool:
        return self.source is INFERRED


def _tags(facts: tuple[Fact, ...]) -> str:
    seen: list[str] = []
    for fact in facts:
        if fact.source.tag not in seen:
            seen.append(fact.source.tag)
    return "[" + ", ".join(seen) + "]"


# Postman text2video `mode`: "valid values: std(default),pro. Models 2.1-master and 2.5 only support pro."
T2V_MODES = Fact(POSTMAN, 'text2video mode: "std(default),pro. Models 2.1-master and 2.5 only support pro"')
# Postman image2video-frames `mode`: "std(default),pro,4k(v3.0 only). Model 2.1-master only supports pro.
# v3.0-turbo: std/pro only." It names only 2.1-master as pro-only: kling-v2-5 takes std here. (The guide's
# "pro 1080p only" for 2.5 is its text2video table, older than the collection.)
I2V_MODES = Fact(
    POSTMAN,
    'image2video-frames mode: "std(default),pro,4k(v3.0 only). Model 2.1-master only supports pro. '
    'v3.0-turbo: std/pro only"',
)
# Guide, model table (for POST /videos/text2video) "kling-v3-0 3–15s std 720p · pro 1080p · 4k 4K" and FAQ: pass
# kling-v3-0 "to POST /videos/text2video or POST /videos/image2video-frames. Kling v3 supports … std/pro/4k modes".
# The Postman text2video `mode` lists only std and pro (its enable_audio line, copied on both endpoints, does say
# "audio enabled (incl 4k)"). Not a contradiction, so 4k stays allowed, and is flagged as documented by the guide only.
GUIDE_V3_4K = Fact(
    GUIDE,
    'kling-v3-0 "std 720p · pro 1080p · 4k 4K" on POST /videos/text2video; the Postman collection\'s text2video '
    "mode lists only std and pro, so 4k on text-to-video is documented by this guide only",
)
T2V_TURBO = Fact(POSTMAN, 'text2video model_name: "v3.0-turbo: std/pro, audio always on"')
T2V_NOT_OFFERED = Fact(
    POSTMAN,
    "text2video model_name lists kling-v3-0, kling-v3-0-turbo, kling-v2-6, kling-v2-5, kling-v2-1-master, "
    "kling-v1-6 (default), kling-v1-5: not kling-v2-1",
)
DURATIONS_V3 = Fact(POSTMAN, 'duration: "5(default),10. Model v3: 3-15" (both endpoints)')
DURATIONS_5_10 = Fact(POSTMAN, 'duration: "5(default),10" (both endpoints)')
AUDIO_V3 = Fact(POSTMAN, 'enable_audio: "Model v3 defaults to audio enabled (incl 4k), set false to disable"')
AUDIO_TURBO = Fact(POSTMAN, 'enable_audio: "v3.0-turbo: audio always on, this parameter not supported"')
AUDIO_V2_6 = Fact(POSTMAN, 'enable_audio: "Model v2.6 with enable_audio:true requires mode:pro"')
AUDIO_SFX = Fact(POSTMAN, 'enable_audio: "add sound effects. Supported values: false(default) or true"')
# Guide: "The negative_prompt and cfg_scale parameters apply only to the 1.x models — 2.5, 2.6, and 3.0 do not
# support negative_prompt, and cfg_scale is a 1.x-only control." (The 2025 text2video page already excluded 2.5
# from negative_prompt and said of cfg_scale "Models 2.x do not support this parameter".)
ONE_X_PARAMS = Fact(GUIDE, '"The negative_prompt and cfg_scale parameters apply only to the 1.x models"')
NEGATIVE_NAMED = Fact(GUIDE, '"2.5, 2.6, and 3.0 do not support negative_prompt"')
NEGATIVE_INFERRED = Fact(
    INFERRED,
    'useapi.net\'s guide "Kling v3 via the Kling API" names 2.5, 2.6 and 3.0 as not supporting negative_prompt '
    'and says in general that it applies "only to the 1.x models"; this model is covered by that general sentence '
    "only, and useapi's Postman collection states no per-model rule",
)
CFG_ONE_X = Fact(GUIDE, '"cfg_scale is a 1.x-only control"')
START_FRAME = Fact(
    FRAMES_DOC, "2.x and v3 models require the start frame (image); 1.x models may use an end frame alone"
)
END_FRAME_ALLOWED = Fact(
    FRAMES_DOC, "image_tail is not supported by kling-v2-1-master (the only model the page excludes)"
)
END_FRAME_MASTER = Fact(FRAMES_DOC, "image_tail is not supported by kling-v2-1-master")
END_FRAME_TURBO = Fact(POSTMAN, 'image2video-frames model_name: "v3.0-turbo: start frame only"')
# The 2025 frames page also excluded 2.5 from image_tail; the June 2026 page excludes only 2.1-master, and the guide's
# own image-to-video example sends image_tail with kling-v2-5.
END_FRAME_V2_5 = Fact(GUIDE, "its image-to-video example sends image_tail with kling-v2-5")
AUDIO_START_ONLY = Fact(FRAMES_DOC, "2.6 Native Audio works with pro mode and the start frame only")


# --- the model table -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Kling credits per second of video for one mode; ``with_audio`` applies when audio is generated."""

    per_second: float
    with_audio: float | None = None
    source: str = PUBLISHED


@dataclass(frozen=True)
class Offer:
    """What one endpoint accepts for one model: its modes, the mode sent when the caller gives none, the sources.

    An empty ``modes`` means the endpoint does not take the model. ``guide_only`` lists modes that only useapi.net's
    guide documents for this endpoint.
    """

    modes: tuple[Mode, ...]
    facts: tuple[Fact, ...]
    guide_only: tuple[Mode, ...] = ()

    @property
    def offered(self) -> bool:
        return bool(self.modes)

    @property
    def default(self) -> Mode:
        """std where the model has it (both endpoints document "std(default)"), else the model's only mode."""
        return "std" if "std" in self.modes else self.modes[0]


@dataclass(frozen=True)
class ModelSpec:
    name: str
    summary: str  # a phrase: no trailing period, no ";" (server.py joins summaries with "; ")
    text2video_modes: Offer
    image2video_modes: Offer
    durations: tuple[int, ...]
    durations_fact: Fact
    audio: Audio
    audio_facts: tuple[Fact, ...]
    negative_prompt_fact: Fact
    cfg_scale_fact: Fact
    frames_facts: tuple[Fact, ...]
    negative_prompt: bool = False
    cfg_scale: bool = False
    start_frame_required: bool = True
    image_tail: bool = True
    rates: dict[str, Rate] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def text2video(self) -> bool:
        return self.text2video_modes.offered

    @property
    def image2video(self) -> bool:
        return self.image2video_modes.offered

    def offer(self, *, image: bool) -> Offer:
        return self.image2video_modes if image else self.text2video_modes

    @property
    def default_duration(self) -> int:
        return 5  # Postman duration: "5(default)" on both endpoints, v3 included

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

    def rules(self) -> dict[str, list[str]]:
        """Each rule of the model and the facts it rests on."""
        return {
            "text_to_video_modes": [f.cite() for f in self.text2video_modes.facts],
            "image_to_video_modes": [f.cite() for f in self.image2video_modes.facts],
            "durations": [self.durations_fact.cite()],
            "audio": [f.cite() for f in self.audio_facts],
            "negative_prompt": [self.negative_prompt_fact.cite()],
            "cfg_scale": [self.cfg_scale_fact.cite()],
            "frames": [f.cite() for f in self.frames_facts],
        }

    def describe(self) -> dict[str, Any]:
        """The model as the kling://models resource and list_models show it."""
        return {
            "name": self.name,
            "summary": self.summary,
            "text_to_video": self.text2video,
            "image_to_video": self.image2video,
            "durations_s": list(self.durations),
            "modes": {
                "text_to_video": _describe_offer(self.text2video_modes),
                "image_to_video": _describe_offer(self.image2video_modes),
            },
            "audio": self.audio,
            "parameters": {
                "negative_prompt": self.negative_prompt,
                "negative_prompt_rule_inferred": self.negative_prompt_fact.inferred,
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
            "rules": self.rules(),
            "notes": list(self.notes),
        }


def _describe_offer(offer: Offer) -> dict[str, Any] | None:
    if not offer.offered:
        return None
    return {
        "allowed": {m: RESOLUTIONS[m] for m in offer.modes},
        "default": offer.default,
        "documented_by_guide_only": list(offer.guide_only),
        "sources": [f.cite() for f in offer.facts],
    }


_V3_DURATIONS = tuple(range(3, 16))
_FIVE_TEN = (5, 10)
_RATE_NOTE = (
    "Credit figures marked 'estimate' are not published by useapi or Kling; they are inferred from neighbouring "
    "models and may differ from what the account is charged."
)
_GUIDE_ONLY_4K = (
    'mode=4k on text-to-video is documented by useapi.net\'s guide "Kling v3 via the Kling API" (2026-06-22) only; '
    "useapi's Postman collection (updated 2026-07-20) lists std and pro for POST /videos/text2video"
)
_NEGATIVE_INFERRED_NOTE = (
    'negative_prompt is refused by an inferred rule: useapi.net\'s guide "Kling v3 via the Kling API" says it '
    "applies only to the 1.x models but names only 2.5, 2.6 and 3.0"
)

MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="kling-v3-0",
            summary="Most capable: 3–15 s, std 720p / pro 1080p / 4k, audio on by default",
            text2video_modes=Offer(("std", "pro", "4k"), (T2V_MODES, GUIDE_V3_4K), guide_only=("4k",)),
            image2video_modes=Offer(("std", "pro", "4k"), (I2V_MODES,)),
            durations=_V3_DURATIONS,
            durations_fact=DURATIONS_V3,
            audio="default_on",
            audio_facts=(AUDIO_V3,),
            negative_prompt_fact=NEGATIVE_NAMED,
            cfg_scale_fact=CFG_ONE_X,
            frames_facts=(START_FRAME, END_FRAME_ALLOWED),
            # Reference §9: useapi's own sample prices a 6 s v3 pro clip with audio at 72 credits (12/s).
            rates={
                "std": Rate(6.0, 8.0, ESTIMATE),
                "pro": Rate(8.0, 12.0, PUBLISHED),
                "4k": Rate(16.0, 20.0, ESTIMATE),
            },
            notes=(
                "Audio is on unless enable_audio=false.",
                _GUIDE_ONLY_4K + ".",
                "Only the pro-with-audio rate is published (12 credits/s, in useapi's own v3 sample); the others "
                "are estimates.",
            ),
        ),
        ModelSpec(
            name="kling-v3-0-turbo",
            summary="Faster v3: 3–15 s, std / pro (no 4k), audio always on, image-to-video from the start frame only",
            text2video_modes=Offer(("std", "pro"), (T2V_MODES, T2V_TURBO)),
            image2video_modes=Offer(("std", "pro"), (I2V_MODES,)),
            durations=_V3_DURATIONS,
            durations_fact=DURATIONS_V3,
            audio="always_on",
            audio_facts=(AUDIO_TURBO,),
            negative_prompt_fact=NEGATIVE_INFERRED,
            cfg_scale_fact=CFG_ONE_X,
            frames_facts=(START_FRAME, END_FRAME_TURBO),
            image_tail=False,
            rates={"std": Rate(6.0, 6.0, ESTIMATE), "pro": Rate(10.0, 10.0, ESTIMATE)},
            notes=(
                "Audio is always on and enable_audio is not accepted.",
                "Takes no image_tail: image-to-video from the start frame only.",
                _NEGATIVE_INFERRED_NOTE + ".",
            ),
        ),
        ModelSpec(
            name="kling-v2-6",
            summary="5 / 10 s, std / pro, Native Audio in pro only",
            text2video_modes=Offer(("std", "pro"), (T2V_MODES,)),
            image2video_modes=Offer(("std", "pro"), (I2V_MODES,)),
            durations=_FIVE_TEN,
            durations_fact=DURATIONS_5_10,
            audio="pro_only",
            audio_facts=(AUDIO_V2_6, AUDIO_START_ONLY),
            negative_prompt_fact=NEGATIVE_NAMED,
            cfg_scale_fact=CFG_ONE_X,
            frames_facts=(START_FRAME, END_FRAME_ALLOWED, AUDIO_START_ONLY),
            rates={"std": Rate(3.0), "pro": Rate(5.0, 7.0)},
            notes=(
                "enable_audio=true needs mode=pro (Native Audio).",
                "With audio, image-to-video takes the start frame only.",
            ),
        ),
        ModelSpec(
            name="kling-v2-5",
            summary="5 / 10 s, text-to-video pro 1080p only, image-to-video std / pro",
            text2video_modes=Offer(("pro",), (T2V_MODES,)),
            image2video_modes=Offer(("std", "pro"), (I2V_MODES,)),
            durations=_FIVE_TEN,
            durations_fact=DURATIONS_5_10,
            audio="sound_effects",
            audio_facts=(AUDIO_SFX,),
            negative_prompt_fact=NEGATIVE_NAMED,
            cfg_scale_fact=CFG_ONE_X,
            frames_facts=(START_FRAME, END_FRAME_ALLOWED, END_FRAME_V2_5),
            # Reference §9 publishes "2.5 Pro 1080p" only (25 per 5 s). std is estimated from kling-v2-6, whose pro
            # costs the same 25 and whose std costs 15 per 5 s.
            rates={"std": Rate(3.0, None, ESTIMATE), "pro": Rate(5.0)},
            notes=(
                "Pro only on text-to-video; image-to-video takes std (the default there) or pro.",
                "The std credit rate is an estimate (only 2.5 pro is published).",
            ),
        ),
        ModelSpec(
            name="kling-v2-1-master",
            summary="5 / 10 s, pro 1080p only, no end frame",
            text2video_modes=Offer(("pro",), (T2V_MODES,)),
            image2video_modes=Offer(("pro",), (I2V_MODES,)),
            durations=_FIVE_TEN,
            durations_fact=DURATIONS_5_10,
            audio="sound_effects",
            audio_facts=(AUDIO_SFX,),
            negative_prompt_fact=NEGATIVE_INFERRED,
            cfg_scale_fact=CFG_ONE_X,
            frames_facts=(START_FRAME, END_FRAME_MASTER),
            image_tail=False,
            rates={"pro": Rate(20.0)},
            notes=("image_tail is not supported.", _NEGATIVE_INFERRED_NOTE + "."),
        ),
        ModelSpec(
            name="kling-v2-1",
            summary="Image-to-video only (the upstream's image-to-video default): 5 / 10 s, std / pro",
            text2video_modes=Offer((), (T2V_NOT_OFFERED,)),
            image2video_modes=Offer(("std", "pro"), (I2V_MODES,)),
            durations=_FIVE_TEN,
            durations_fact=DURATIONS_5_10,
            audio="sound_effects",
            audio_facts=(AUDIO_SFX,),
            negative_prompt_fact=NEGATIVE_INFERRED,
            cfg_scale_fact=CFG_ONE_X,
            frames_facts=(START_FRAME, END_FRAME_ALLOWED),
            rates={"std": Rate(4.0), "pro": Rate(7.0)},
            notes=(
                "Not in the text-to-video model list, so refused for generate_video.",
                _NEGATIVE_INFERRED_NOTE + ".",
            ),
        ),
        ModelSpec(
            name="kling-v1-6",
            summary="Text-to-video default: 5 / 10 s, std / pro, takes negative_prompt and cfg_scale",
            text2video_modes=Offer(("std", "pro"), (T2V_MODES,)),
            image2video_modes=Offer(("std", "pro"), (I2V_MODES,)),
            durations=_FIVE_TEN,
            durations_fact=DURATIONS_5_10,
            audio="sound_effects",
            audio_facts=(AUDIO_SFX,),
            negative_prompt_fact=ONE_X_PARAMS,
            cfg_scale_fact=ONE_X_PARAMS,
            frames_facts=(START_FRAME, END_FRAME_ALLOWED),
            negative_prompt=True,
            cfg_scale=True,
            start_frame_required=False,
            rates={"std": Rate(4.0), "pro": Rate(7.0)},
            notes=("1.x models may animate towards an end frame alone.",),
        ),
        ModelSpec(
            name="kling-v1-5",
            summary="5 / 10 s, std / pro, takes negative_prompt and cfg_scale",
            text2video_modes=Offer(("std", "pro"), (T2V_MODES,)),
            image2video_modes=Offer(("std", "pro"), (I2V_MODES,)),
            durations=_FIVE_TEN,
            durations_fact=DURATIONS_5_10,
            audio="sound_effects",
            audio_facts=(AUDIO_SFX,),
            negative_prompt_fact=ONE_X_PARAMS,
            cfg_scale_fact=ONE_X_PARAMS,
            frames_facts=(START_FRAME, END_FRAME_ALLOWED),
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
    note: str = ""  # a caveat the user should see with the estimate (e.g. a mode documented by one source only)


# --- validation ----------------------------------------------------------------------------------------------------


def _model(model_name: str, *, image: bool) -> ModelSpec:
    allowed = IMAGE2VIDEO_MODELS if image else TEXT2VIDEO_MODELS
    spec = MODELS.get(model_name)
    if spec is None:
        raise InvalidParameterError("model_name", model_name, "unknown model", list(allowed))
    if model_name not in allowed:
        kind = "image-to-video" if image else "text-to-video"
        raise InvalidParameterError("model_name", model_name, f"this model does not do {kind}", list(allowed))
    return spec


def utf16_length(text: str) -> int:
    """Length as JavaScript (and so useapi) counts it: UTF-16 code units; a character beyond U+FFFF counts 2."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def _prompt(value: str | None, *, required: bool, parameter: str = "prompt") -> str | None:
    if value is None or not value.strip():
        if required:
            raise InvalidParameterError(
                parameter, value, "must not be empty", f"non-blank text, at most {MAX_PROMPT} UTF-16 units"
            )
        return None
    units = utf16_length(value)
    if units > MAX_PROMPT:
        raise InvalidParameterError(
            parameter,
            f"<{units:,} UTF-16 units; an emoji counts 2>",
            f"longer than {MAX_PROMPT} UTF-16 units, the length useapi checks (JavaScript string length)",
            f"1–{MAX_PROMPT} UTF-16 units",
        )
    return value


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


def _estimate(spec: ModelSpec, mode: str, seconds: int, audio: bool | None, *, image: bool) -> Estimate:
    credits, source = spec.estimate_credits(mode, seconds, audio)
    note = _GUIDE_ONLY_4K if mode in spec.offer(image=image).guide_only else ""
    return Estimate(credits, source, mode, seconds, spec.audio_on(mode, audio), note)


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
    chosen_mode = _mode(spec, mode, image=False)
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
    return request, _estimate(spec, chosen_mode, seconds, audio, image=False)


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
    text = _prompt(prompt, required=False)
    chosen_mode = _mode(spec, mode, image=True)
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
    return request, _estimate(spec, chosen_mode, seconds, audio, image=True)


# --- documents -----------------------------------------------------------------------------------------------------


def catalog_document() -> dict[str, Any]:
    """Everything an agent needs to pick a model: served as kling://models and by list_models."""
    return {
        "defaults": {"text_to_video": DEFAULT_TEXT2VIDEO_MODEL, "image_to_video": DEFAULT_IMAGE2VIDEO_MODEL},
        "aspect_ratios": list(ASPECT_RATIOS),
        "max_prompt_chars": MAX_PROMPT,
        "prompt_length_unit": PROMPT_UNIT,
        "credits_note": _RATE_NOTE,
        "sources": {s.tag: s.label() for s in SOURCES},
        "source_precedence": "Where two sources disagree, the newer one wins.",
        "models": [spec.describe() for spec in MODELS.values()],
    }


def _modes_cell(offer: Offer) -> str:
    if not offer.offered:
        return f"not offered {_tags(offer.facts)}"
    shown = [f"**{m}**" if m == offer.default else m for m in offer.modes]
    documented = [s for m, s in zip(offer.modes, shown, strict=True) if m not in offer.guide_only]
    main_facts = tuple(f for f in offer.facts if f.source is not GUIDE) or offer.facts
    cell = f"{' · '.join(documented)} {_tags(main_facts)}"
    guide_only = [s for m, s in zip(offer.modes, shown, strict=True) if m in offer.guide_only]
    if guide_only:
        cell += f" · {' · '.join(guide_only)} [{GUIDE.tag} only]"
    return cell


_AUDIO_WORDS: dict[str, str] = {
    "default_on": "on by default",
    "always_on": "always on",
    "pro_only": "Native Audio, pro only",
    "sound_effects": "sound effects, off by default",
}


def _frames_cell(spec: ModelSpec) -> str:
    if not spec.image_tail:
        text = "no"
    elif not spec.start_frame_required:
        text = "yes, or alone"
    elif spec.audio == "pro_only":
        text = "yes, not with audio"
    else:
        text = "yes"
    return f"{text} {_tags(spec.frames_facts)}"


def markdown_table() -> str:
    """The README's model table and its key (tests check the README carries exactly this)."""
    rows = [
        "| model | text→video modes | image→video modes | durations | audio | negative_prompt | cfg_scale "
        "| end frame |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for spec in MODELS.values():
        durations = f"{spec.durations[0]}–{spec.durations[-1]} s" if len(spec.durations) > 2 else "5 / 10 s"
        rows.append(
            f"| `{spec.name}` | {_modes_cell(spec.text2video_modes)} | {_modes_cell(spec.image2video_modes)} "
            f"| {durations} {_tags((spec.durations_fact,))} | {_AUDIO_WORDS[spec.audio]} {_tags(spec.audio_facts)} "
            f"| {'yes' if spec.negative_prompt else 'no'} {_tags((spec.negative_prompt_fact,))} "
            f"| {'yes' if spec.cfg_scale else 'no'} {_tags((spec.cfg_scale_fact,))} "
            f"| {_frames_cell(spec)} |"
        )
    key = "; ".join(f"[{s.tag}] {s.label()}" for s in SOURCES)
    legend = (
        f"Modes: std {RESOLUTIONS['std']}, pro {RESOLUTIONS['pro']}, 4k {RESOLUTIONS['4k']}; **bold** is the one sent "
        f"when `mode` is omitted. Sources: {key}. Where two sources disagree, the newer one wins; `kling://models` "
        "quotes what each source says."
    )
    rows += ["", textwrap.fill(legend, width=120, break_long_words=False, break_on_hyphens=False)]
    return "\n".join(rows)
