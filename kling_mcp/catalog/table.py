"""THE model table: what each Kling model allows on each endpoint, what it costs, and the facts each rule rests on."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from kling_mcp.catalog.sources import (
    AUDIO_SFX,
    AUDIO_START_ONLY,
    AUDIO_TURBO,
    AUDIO_V2_6,
    AUDIO_V3,
    CFG_ONE_X,
    DURATIONS_5_10,
    DURATIONS_V3,
    ELEMENTS_FRAMES,
    ELEMENTS_TURBO,
    END_FRAME_ALLOWED,
    END_FRAME_MASTER,
    END_FRAME_TURBO,
    END_FRAME_V2_5,
    GUIDE_V3_4K,
    I2V_MODES,
    NEGATIVE_INFERRED,
    NEGATIVE_NAMED,
    ONE_X_PARAMS,
    SHOTS_TURBO,
    SHOTS_V3,
    START_FRAME,
    T2V_MODES,
    T2V_NOT_OFFERED,
    T2V_TURBO,
    Fact,
)

Mode = Literal["std", "pro", "4k"]
Audio = Literal["default_on", "always_on", "pro_only", "sound_effects"]

ASPECT_RATIOS: tuple[str, ...] = ("16:9", "9:16", "1:1")  # Postman text2video aspect_ratio: "16:9(default),9:16,1:1"
DEFAULT_TEXT2VIDEO_MODEL = "kling-v1-6"  # Postman text2video model_name: "kling-v1-6(default)"; guide agrees
DEFAULT_IMAGE2VIDEO_MODEL = "kling-v2-1"  # Postman image2video-frames model_name: "kling-v2-1(default)"
RESOLUTIONS: dict[str, str] = {"std": "720p", "pro": "1080p", "4k": "4K"}  # guide's model table
PUBLISHED = "published"
ESTIMATE = "estimate"


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
    # Multi-shot (``shots``) and saved elements on image-to-video (``elements``): kling-v3-0 only (Postman).
    multi_shot: bool = False
    multi_shot_facts: tuple[Fact, ...] = (SHOTS_V3,)
    elements: bool = False
    elements_facts: tuple[Fact, ...] = (ELEMENTS_FRAMES,)

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
            "multi_shot": [f.cite() for f in self.multi_shot_facts],
            "elements": [f.cite() for f in self.elements_facts],
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
                "shots": self.multi_shot,
                "elements": self.elements,
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
RATE_NOTE = (
    "Credit figures marked 'estimate' are not published by useapi or Kling; they are inferred from neighbouring "
    "models and may differ from what the account is charged."
)
GUIDE_ONLY_4K = (
    'mode=4k on text-to-video is documented by useapi.net\'s guide "Kling v3 via the Kling API" (2026-06-22) only; '
    "useapi's Postman collection (updated 2026-07-20) lists std and pro for POST /videos/text2video"
)
NEGATIVE_INFERRED_NOTE = (
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
            multi_shot=True,
            elements=True,
            notes=(
                "Audio is on unless enable_audio=false.",
                "Takes multi-shot (shots: 2–6 shots, 3–15 s in all) and up to 3 saved elements on image-to-video.",
                GUIDE_ONLY_4K + ".",
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
            multi_shot_facts=(SHOTS_TURBO,),
            elements_facts=(ELEMENTS_TURBO,),
            notes=(
                "Audio is always on and enable_audio is not accepted.",
                "Takes no image_tail: image-to-video from the start frame only.",
                "No multi-shot and no elements.",
                NEGATIVE_INFERRED_NOTE + ".",
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
            notes=("image_tail is not supported.", NEGATIVE_INFERRED_NOTE + "."),
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
                NEGATIVE_INFERRED_NOTE + ".",
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
