"""The simulator's own reading of useapi's Kling API v1 rules for POST /videos/text2video and
POST /videos/image2video-frames: which models, modes, durations, aspect ratios, audio settings, frames and texts
each endpoint accepts, what it defaults to, and what a generation costs. The other video endpoints are read the
same way in ``video_rules.py``, elements in ``elements.py``; ``SOURCES`` serves all three.

Written from the reference documents alone, independently of the client's catalog (``kling_mcp.catalog``), so that
the two are two readings of the same documents: ``tests/simulator/test_rules_agree.py`` holds them against each
other, and a wrong rule on one side shows up as a disagreement instead of being accepted by both. Every rule is in
``RULES`` with its source (a tag of ``SOURCES``) and the words it rests on. Where sources disagree the newer one
wins; the Postman collection (2026-07-20) is the newest.

How a sentence of the docs becomes behaviour (the same way for every rule):

1. A value outside a documented list or range ("valid values", "valid range", a model's modes or durations) is
   refused with 400.
2. A stated requirement ("Required", "requires", "Cannot be used with", "Min 2 shots required", "must be") is
   refused with 400 when broken.
3. A field documented as unsupported by a model ("v3.0 only", "not supported", "do not support") is accepted and not
   honoured: the docs do not say whether the API refuses or ignores it (reference §5.1 says so in as many words),
   and the simulator plays an API that accepts what it does not forbid. Such fields are listed in
   ``Accepted.ignored``. A source saying the API refuses one overrides this.
4. Anything else the docs leave open is accepted; each such choice is a rule with source ``INF`` and its reason.

One deliberate exception to 4: a field name the Postman collection does not list for the endpoint is refused
(``fields.unknown``), so that a client sending a misspelt or misplaced field learns of it in tests instead of the
field vanishing silently.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

TEXT2VIDEO = "text2video"
FRAMES = "image2video-frames"
ENDPOINTS = (TEXT2VIDEO, FRAMES)

SOURCES: dict[str, str] = {
    "PM": 'useapi\'s Postman collection "Kling API v1", updated 2026-07-20 (reference useapi-kling-postman-fields.md)',
    "GUIDE": 'useapi.net\'s guide "How to Generate AI Video with Kling v3 via the Kling API", June 22 2026',
    "DOC-FRAMES": "useapi's page post-kling-videos-image2video-frames, June 17 2026 (reference §5.2)",
    "DOC-SETUP": "useapi's Setup Kling page, its credit table (reference §9)",
    "GH-SORA": "useapi's own sample code, useapi/sora-2-alternatives clips (reference §5.1, §5.2, §9)",
    "REF": "the research note useapi-kling-api.md, summarising several sources",
    "DOC-OMNI": "useapi's page post-kling-videos-omni, Dec 11 2025, updated Jan 12 2026 (workflows, references, count)",
    "GH-OMNI": "useapi's own sample useapi/kling-api omni/ (README.md and kling-omni.mjs), June 22 2026",
    "DOC-EXTEND": "useapi's page post-kling-videos-extend, Apr 18 2025, updated Oct 1 2025 (reference §5.0, §5.4)",
    "DOC-EFFECTS": "useapi's page get-kling-videos-effects, Apr 18 2025, updated Jul 25 2025",
    "DOC-MOTION": "useapi's page post-kling-videos-motion-create, Oct 7 2025, updated Mar 6 2026",
    "DOC-MOTIONS": "useapi's page get-kling-videos-motions, Oct 7 2025, updated Jan 6 2026",
    "BLOG-MOTION": "useapi's blog post of Oct 7 2025 announcing the motion control endpoints",
    "GH-MOTION": "useapi's own sample useapi/kling-api motion-control/README.md, June 22 2026",
    "DOC-ELEMENTS": "useapi's pages post-kling-elements (Jan 12 2026, updated Mar 6 2026), get-kling-elements (Jan 12 "
    "2026) and get-kling-elements-elementId (updated Feb 9 2026)",
    "DOC-LIPSYNC": "useapi's page post-kling-videos-lipsync, Apr 18 2025, updated Oct 1 2025 (the 60 s video limit)",
    "DOC-ADD-SOUND": "useapi's page post-kling-videos-add-sound, Aug 8 2025, updated Oct 1 2025 (3-20 s)",
    "DOC-TTS": "useapi's pages post-kling-tts-create (Apr 18 2025, updated Oct 1 2025) and get-kling-tts-voices "
    "(Apr 18 2025)",
    "DOC-AVATARS": "useapi's pages get-kling-avatars, post-kling-avatars, post-kling-avatars-video and "
    "del-kling-avatars-avatarId, Jan 12 2026",
    "DOC-IMAGES-OMNI": "useapi's page post-kling-images-omni, Dec 10 2025, updated Jan 12 2026",
    "DOC-KOLORS": "useapi's pages post-kling-images-kolors (Apr 24 2025, updated Oct 1 2025 and Feb 9 2026) and "
    "post-kling-images-kolors-elements (Jul 18 2025)",
    "DOC-UPSCALE": "useapi's page post-kling-images-upscale, Apr 24 2025, updated Oct 1 2025",
    "DOC-ENHANCE": "useapi's page post-kling-images-enhance, Oct 15 2026 (image, resolution 2k / 4k)",
    "DOC-TRYON": "useapi's page post-kling-images-virtual-try-on, Apr-Oct 2025 (reference §5.0)",
    "DOC-FACES": "useapi's page post-kling-images-recognize-faces, Apr 24 2025",
    "DOC-TASKS": "useapi's pages get-kling-tasks (Apr 18 2025) and del-kling-tasks-task_id (Oct 7 2025), reference "
    "§6.3 and §6.4",
    "DOC-SCHEDULER": "useapi's pages get-kling-scheduler, get-kling-scheduler-available and "
    "del-kling-scheduler-task_id, Apr 18 2025 (reference §4)",
    "DOC-UPLOADED": "useapi's pages get-kling-assets-uploaded (Aug 8 2025, updated May 6 2026) and "
    "del-kling-assets-uploaded (May 6 2026), reference §7.3",
    "INF": "the simulator's own choice where no source speaks",
}


@dataclass(frozen=True)
class Rule:
    """One rule: its source (a key of ``SOURCES``), the words it rests on, and the simulator's choice where those
    words leave the behaviour open."""

    source: str
    quote: str
    choice: str = ""


RULES: dict[str, Rule] = {
    # --- fields ---------------------------------------------------------------------------------------------------
    "fields.text2video": Rule(
        "PM",
        "POST /videos/text2video: email, prompt, negative_prompt, aspect_ratio, cfg_scale, duration, mode, "
        "model_name, enable_audio, shot_1_prompt … shot_6_duration, maxJobs, replyRef, replyUrl",
    ),
    "fields.frames": Rule(
        "PM",
        "POST /videos/image2video-frames: email, image, image_tail, element_1, element_2, element_3, prompt, "
        "negative_prompt, cfg_scale, duration, mode, model_name, enable_audio, shot_1_prompt … shot_6_duration, "
        "maxJobs, replyRef, replyUrl",
    ),
    "fields.unknown": Rule(
        "INF",
        "(no source says what the API does with a field it does not list)",
        "refused with 400 naming the valid fields, so that a misspelt field surfaces in tests",
    ),
    "fields.null": Rule("INF", "(not documented)", "a JSON null is taken as the field left out"),
    "fields.types": Rule(
        "INF",
        "(types not documented beyond the samples; the Postman collection sends every field as form-data text)",
        "text fields must be strings; numbers and booleans may also come as their text (form-data)",
    ),
    "routing.maxJobs": Rule(
        "PM", "maxJobs -- Optional overide for account maxJobs", "accepted; the simulator applies its configured limit"
    ),
    "routing.reply": Rule(
        "PM",
        "replyUrl -- Optional webhook; replyRef -- Optional reference value passed to webhook",
        "accepted; no callback is sent",
    ),
    # --- models ---------------------------------------------------------------------------------------------------
    "model.text2video": Rule(
        "PM",
        "model_name -- Optional, valid values: kling-v3-0,kling-v3-0-turbo,kling-v2-6,kling-v2-5,kling-v2-1-master,"
        "kling-v1-6(default),kling-v1-5",
    ),
    "model.frames": Rule(
        "PM",
        "model_name -- Optional, valid values: kling-v3-0,kling-v3-0-turbo,kling-v2-6,kling-v2-5,kling-v2-1(default),"
        "kling-v2-1-master,kling-v1-6,kling-v1-5",
    ),
    # --- texts ----------------------------------------------------------------------------------------------------
    "prompt.text2video": Rule("PM", "prompt -- Required (unless using multi-shot), max length 2500 characters"),
    "prompt.frames": Rule("PM", "prompt -- Optional, max length 2500 characters"),
    "prompt.empty": Rule(
        "INF", "(not documented)", "an empty prompt counts as none; a prompt of spaces is text and is accepted"
    ),
    "text.length": Rule(
        "PM",
        "max length 2500 characters (prompt, negative_prompt, shot_N_prompt)",
        "counted in UTF-16 code units, as useapi's JavaScript String.length counts them",
    ),
    "negative_prompt.1x": Rule(
        "GUIDE",
        "The negative_prompt and cfg_scale parameters apply only to the 1.x models — 2.5, 2.6, and 3.0 do not "
        "support negative_prompt",
        "accepted and not honoured on other models (convention 3; reference §5.1: 400 or ignored is not documented)",
    ),
    # --- cfg_scale ------------------------------------------------------------------------------------------------
    "cfg_scale.range": Rule("PM", "cfg_scale -- Optional, valid range: 0...1, default 0.5"),
    "cfg_scale.1x": Rule(
        "GUIDE",
        "cfg_scale is a 1.x-only control",
        "accepted (its range still checked) and not honoured on other models (convention 3)",
    ),
    # --- aspect ratio ---------------------------------------------------------------------------------------------
    "aspect_ratio.text2video": Rule("PM", "aspect_ratio -- Optional, valid values: 16:9(default),9:16,1:1"),
    "aspect_ratio.frames": Rule(
        "GH-SORA",
        "aspect_ratio is not a field of this endpoint in [PM]; a comment in useapi's own sample says v3 refuses "
        "aspect_ratio here and takes the ratio from the start frame",
        "refused on every model (not a field of the endpoint); the video takes its start frame's ratio",
    ),
    # --- duration -------------------------------------------------------------------------------------------------
    "duration.values": Rule("PM", "duration -- Optional, valid values: 5(default),10. Model v3: 3-15."),
    "duration.v3": Rule(
        "DOC-FRAMES",
        "Durations: v3-0 / v3-0-turbo 3–15 s, all others 5 or 10 s",
        "whole seconds 3 to 15 on both v3 models and both endpoints (the guide's table agrees for turbo)",
    ),
    "duration.type": Rule(
        "GH-SORA",
        "Docs send it as a string; useapi's own v3 sample sends a JSON number (6) successfully",
        "a whole number of seconds, as a string or a number",
    ),
    # --- mode -----------------------------------------------------------------------------------------------------
    "mode.text2video": Rule(
        "PM", "mode -- Optional, valid values: std(default),pro. Models 2.1-master and 2.5 only support pro."
    ),
    "mode.text2video.4k": Rule(
        "GUIDE",
        "kling-v3-0 3–15s std 720p · pro 1080p · 4k 4K (on POST /videos/text2video); PM text2video enable_audio: "
        "Model v3 defaults to audio enabled (incl 4k)",
        "4k accepted for kling-v3-0: PM's mode list for text2video omits it, but PM itself speaks of 4k on this "
        "endpoint, so the sources are read as not forbidding it (convention 4)",
    ),
    "mode.frames": Rule(
        "PM",
        "mode -- Optional, valid values: std(default),pro,4k(v3.0 only). Model 2.1-master only supports pro. "
        "v3.0-turbo: std/pro only.",
    ),
    "mode.frames.v2-5": Rule(
        "PM",
        "image2video-frames: Model 2.1-master only supports pro (2.5 not named)",
        "std accepted for kling-v2-5 on image2video-frames: the guide's 'pro 1080p only' table is for text2video "
        "and PM's text2video list names 2.5, its frames list does not",
    ),
    "mode.default": Rule(
        "INF",
        "(std is the documented default; not documented for the pro-only models)",
        "a model with pro as its only mode defaults to pro when mode is left out",
    ),
    # --- audio ----------------------------------------------------------------------------------------------------
    "audio.values": Rule(
        "PM", "enable_audio -- Optional, add sound effects. Supported values: false(default) or true."
    ),
    "audio.v3": Rule("PM", "Model v3 defaults to audio enabled (incl 4k), set false to disable."),
    "audio.turbo": Rule(
        "PM",
        "v3.0-turbo: audio always on, this parameter not supported.",
        "enable_audio accepted and not honoured on kling-v3-0-turbo (convention 3): its video always has audio",
    ),
    "audio.v2-6.pro": Rule("PM", "Model v2.6 with enable_audio:true requires mode:pro."),
    "audio.v2-6.start-frame": Rule(
        "DOC-FRAMES",
        "2.6 Native Audio works with pro mode and start frame only",
        "an end frame with kling-v2-6 Native Audio is accepted and not honoured (convention 3: only the pro "
        "requirement is worded as one)",
    ),
    # --- frames ---------------------------------------------------------------------------------------------------
    "frames.one": Rule("GUIDE", "At least one of image or image_tail is required."),
    "frames.start": Rule(
        "DOC-FRAMES",
        "image is required when image_tail is absent and vice versa (1.x may use an end frame alone); all 2.x (and "
        "v3) models require the start frame image",
    ),
    "frames.tail.v2-1-master": Rule(
        "DOC-FRAMES",
        "image_tail is not supported by kling-v2-1-master (June 2026; the Oct 2025 page also excluded 2.5)",
        "accepted and not honoured (convention 3); kling-v2-5 takes an end frame (the newer page wins)",
    ),
    "frames.tail.turbo": Rule(
        "PM",
        "v3.0-turbo: start frame only (guide: kling-v3-0-turbo supports the start frame only (no image_tail))",
        "image_tail accepted and not honoured on kling-v3-0-turbo (convention 3)",
    ),
    "elements.v3": Rule(
        "PM",
        "element_1 -- Optional, saved element ID … Up to 3 (element_1..element_3). Model v3.0 only. "
        "v3.0-turbo: … no elements",
        "accepted and not honoured on other models (convention 3)",
    ),
    # --- multi-shot -----------------------------------------------------------------------------------------------
    "shots.v3": Rule(
        "PM",
        "shot_1_prompt -- Optional, multi-shot (v3 only). v3.0-turbo: std/pro, audio always on, no multi-shot.",
        "shot fields accepted and not honoured on models other than kling-v3-0 (convention 3)",
    ),
    "shots.min": Rule("PM", "Per-shot prompt, max 2500 chars. Min 2 shots required."),
    "shots.total": Rule("PM", "shot_1_duration -- Optional, per-shot duration in seconds. Total must be 3-15."),
    "shots.duration": Rule("PM", "duration -- … Cannot be used with multi-shot."),
    "shots.pair": Rule(
        "INF",
        "(not documented)",
        "a shot is a shot_N_prompt with its shot_N_duration (whole seconds, at least 1): the total can only be checked "
        "when every shot has its duration, so one without the other is refused",
    ),
    # --- credits --------------------------------------------------------------------------------------------------
    "credits.table": Rule(
        "DOC-SETUP",
        "2.6 Pro + Native Audio 35/70; 2.6 Pro 25/50; 2.6 Std 15/30; 2.5 Pro 25/50; 2.1 Pro 35/70; 2.1 Std 20/40; "
        "2.x Master 100/200; 1.6 Pro 35/70; 1.6 Std 20/40 (credits for 5 s / 10 s)",
    ),
    "credits.v3": Rule(
        "GH-SORA", "useapi's Sora-alternatives sample prices a 6-second Kling v3 pro clip with audio at 72 credits"
    ),
    "credits.inferred": Rule(
        "INF",
        "(no source prices these)",
        "kling-v1-5 as kling-v1-6; kling-v2-5 std as kling-v2-6 std; sound effects free; kling-v3-0 per second: "
        "std 6 (9 with audio), pro 8 (12 documented), 4k 16 (24); kling-v3-0-turbo as kling-v3-0 with audio",
    ),
}

# --- the models -----------------------------------------------------------------------------------------------------

AudioKind = Literal["default-on", "always", "native-pro", "effects"]


@dataclass(frozen=True)
class Model:
    """What one model accepts, per the rules named in each field's comment."""

    name: str
    modes: Mapping[str, tuple[str, ...]]  # endpoint -> modes (mode.text2video, mode.frames); absent: not offered
    durations: tuple[int, ...]  # duration.values, duration.v3
    audio: AudioKind  # audio.*
    honours_negative_and_cfg: bool = False  # negative_prompt.1x, cfg_scale.1x
    needs_start_frame: bool = True  # frames.start
    end_frame: bool = True  # frames.tail.*
    elements: bool = False  # elements.v3
    multi_shot: bool = False  # shots.v3

    @property
    def default_mode(self) -> dict[str, str]:
        """std, or the only mode of a pro-only model (mode.default)."""
        return {e: "std" if "std" in modes else modes[0] for e, modes in self.modes.items()}


_V3_SECONDS = tuple(range(3, 16))
_FIVE_TEN = (5, 10)
_STD_PRO = ("std", "pro")

MODELS: dict[str, Model] = {
    m.name: m
    for m in (
        Model(
            "kling-v3-0",
            {TEXT2VIDEO: ("std", "pro", "4k"), FRAMES: ("std", "pro", "4k")},
            _V3_SECONDS,
            "default-on",
            elements=True,
            multi_shot=True,
        ),
        Model("kling-v3-0-turbo", {TEXT2VIDEO: _STD_PRO, FRAMES: _STD_PRO}, _V3_SECONDS, "always", end_frame=False),
        Model("kling-v2-6", {TEXT2VIDEO: _STD_PRO, FRAMES: _STD_PRO}, _FIVE_TEN, "native-pro"),
        Model("kling-v2-5", {TEXT2VIDEO: ("pro",), FRAMES: _STD_PRO}, _FIVE_TEN, "effects"),
        Model("kling-v2-1", {FRAMES: _STD_PRO}, _FIVE_TEN, "effects"),
        Model("kling-v2-1-master", {TEXT2VIDEO: ("pro",), FRAMES: ("pro",)}, _FIVE_TEN, "effects", end_frame=False),
        Model(
            "kling-v1-6",
            {TEXT2VIDEO: _STD_PRO, FRAMES: _STD_PRO},
            _FIVE_TEN,
            "effects",
            honours_negative_and_cfg=True,
            needs_start_frame=False,
        ),
        Model(
            "kling-v1-5",
            {TEXT2VIDEO: _STD_PRO, FRAMES: _STD_PRO},
            _FIVE_TEN,
            "effects",
            honours_negative_and_cfg=True,
            needs_start_frame=False,
        ),
    )
}
DEFAULT_MODEL = {TEXT2VIDEO: "kling-v1-6", FRAMES: "kling-v2-1"}  # model.text2video, model.frames
ASPECT_RATIOS = ("16:9", "9:16", "1:1")  # aspect_ratio.text2video; the first is the default
DEFAULT_DURATION = 5  # duration.values
MAX_TEXT = 2500  # text.length
SHOTS = range(1, 7)
ROUTING_FIELDS = ("email", "maxJobs", "replyUrl", "replyRef")
SHOT_FIELDS = tuple(f"shot_{n}_{part}" for n in SHOTS for part in ("prompt", "duration"))
FIELDS: dict[str, tuple[str, ...]] = {
    TEXT2VIDEO: (
        "prompt",
        "negative_prompt",
        "aspect_ratio",
        "cfg_scale",
        "duration",
        "mode",
        "model_name",
        "enable_audio",
        *SHOT_FIELDS,
        *ROUTING_FIELDS,
    ),
    FRAMES: (
        "image",
        "image_tail",
        "element_1",
        "element_2",
        "element_3",
        "prompt",
        "negative_prompt",
        "cfg_scale",
        "duration",
        "mode",
        "model_name",
        "enable_audio",
        *SHOT_FIELDS,
        *ROUTING_FIELDS,
    ),
}


def models(endpoint: str) -> tuple[str, ...]:
    """The model names an endpoint takes, in the Postman collection's order."""
    return tuple(name for name, model in MODELS.items() if endpoint in model.modes)


# --- credits --------------------------------------------------------------------------------------------------------

# credits.table (and credits.inferred for kling-v1-5 and kling-v2-5 std): credits for 5 s; 10 s costs twice as much.
_PER_FIVE_SECONDS: dict[tuple[str, str], float] = {
    ("kling-v2-6", "std"): 15,
    ("kling-v2-6", "pro"): 25,
    ("kling-v2-5", "std"): 15,
    ("kling-v2-5", "pro"): 25,
    ("kling-v2-1", "std"): 20,
    ("kling-v2-1", "pro"): 35,
    ("kling-v2-1-master", "pro"): 100,
    ("kling-v1-6", "std"): 20,
    ("kling-v1-6", "pro"): 35,
    ("kling-v1-5", "std"): 20,
    ("kling-v1-5", "pro"): 35,
}
_V2_6_NATIVE_AUDIO_PRO = 35.0  # credits.table: 2.6 Pro + Native Audio, 5 s
# credits.v3 (pro with audio: 72 credits / 6 s) and credits.inferred: per second, (without audio, with audio).
_V3_PER_SECOND: dict[str, tuple[float, float]] = {"std": (6, 9), "pro": (8, 12), "4k": (16, 24)}


def credits(model_name: str, mode: str, duration: int, audio: bool) -> float:
    """Kling credits a generation costs (credits.*). KeyError for a combination the rules do not accept."""
    if model_name in ("kling-v3-0", "kling-v3-0-turbo"):
        return _V3_PER_SECOND[mode][1 if audio else 0] * duration
    if model_name == "kling-v2-6" and audio and mode == "pro":
        return _V2_6_NATIVE_AUDIO_PRO * duration / 5
    return _PER_FIVE_SECONDS[(model_name, mode)] * duration / 5


# --- checking a request ---------------------------------------------------------------------------------------------


class Refused(Exception):
    """The API refuses the request: HTTP 400 with ``message``. ``rule`` names the rule in ``RULES``."""

    status = 400

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule, self.message = rule, message


@dataclass(frozen=True)
class Accepted:
    """A request the API takes: what it makes and what it costs."""

    endpoint: str
    model_name: str
    mode: str
    duration: int  # seconds of video (the shots' total in multi-shot)
    audio: bool
    credits: float
    aspect_ratio: str | None  # text2video; None on image2video-frames (the start frame's own ratio)
    body: dict[str, Any]  # the fields given, nulls dropped and form text converted
    ignored: dict[str, str] = field(default_factory=dict)  # field -> rule: accepted, not honoured (convention 3)


def utf16_length(text: str) -> int:
    """A string's length as JavaScript counts it (text.length): UTF-16 code units."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2  # JSON may carry a lone surrogate


def listed(values: tuple[Any, ...] | list[Any]) -> str:
    return ", ".join(str(v) for v in values)


def text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Refused("fields.types", f"Parameter {name} must be a string")
    return value


def whole(value: Any, name: str, rule: str) -> int:
    """A whole number from a JSON number or its text (fields.types, duration.type)."""
    problem = Refused(rule, f"Parameter {name} must be a whole number of seconds, as a string or a number")
    if isinstance(value, bool):
        raise problem
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise problem from None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    raise problem


def fraction(value: Any, name: str = "cfg_scale", rule: str = "cfg_scale.range") -> float:
    """A number from 0 to 1, from a JSON number or its text (fields.types)."""
    problem = Refused(rule, f"Parameter {name} must be a number from 0 to 1, got {str(value)[:40]!r}")
    if isinstance(value, bool):
        raise problem
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise problem from None
    if not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise problem
    return float(value)


def boolean(value: Any, name: str = "enable_audio", rule: str = "audio.values") -> bool:
    """true or false, from a JSON boolean or its text (form-data carries every value as text: fields.types)."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise Refused(rule, f"Parameter {name} must be true or false")
    return value


def check_length(name: str, value: str | None, limit: int = MAX_TEXT, rule: str = "text.length") -> None:
    """Refused when ``value`` is longer than ``limit`` UTF-16 code units (text.length)."""
    if value is not None and utf16_length(value) > limit:
        raise Refused(rule, f"Parameter {name} is too long: {utf16_length(value)} characters, max {limit}")


def check(endpoint: str, raw: Mapping[str, Any]) -> Accepted:
    """Check a create request's body as the API would; Refused (a 400) when it refuses it."""
    if endpoint not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint!r}")
    body = {k: v for k, v in raw.items() if v is not None}  # fields.null
    allowed = FIELDS[endpoint]
    unknown = sorted(set(body) - set(allowed))
    if endpoint == FRAMES and "aspect_ratio" in unknown:
        raise Refused(
            "aspect_ratio.frames",
            "Parameter aspect_ratio is not supported by /videos/image2video-frames: the video takes the aspect ratio "
            "of its start frame",
        )
    if unknown:
        raise Refused("fields.unknown", f"Unknown parameter {', '.join(unknown)}. Valid parameters: {listed(allowed)}")
    ignored: dict[str, str] = {}

    # model
    model_name = text(body, "model_name") or DEFAULT_MODEL[endpoint]
    if model_name not in MODELS or endpoint not in MODELS[model_name].modes:
        rule = "model.text2video" if endpoint == TEXT2VIDEO else "model.frames"
        raise Refused(
            rule,
            f"Parameter model_name {model_name!r} is not supported by /videos/{endpoint}. "
            f"Valid values: {listed(models(endpoint))}",
        )
    model = MODELS[model_name]

    # texts
    prompt = text(body, "prompt")
    check_length("prompt", prompt)
    check_length("negative_prompt", text(body, "negative_prompt"))
    if "negative_prompt" in body and not model.honours_negative_and_cfg:
        ignored["negative_prompt"] = "negative_prompt.1x"

    # multi-shot
    shots = _shots(body, model, ignored)

    if endpoint == TEXT2VIDEO and not prompt and not shots:
        raise Refused("prompt.text2video", "Parameter prompt is required (unless using multi-shot)")

    # cfg_scale
    if "cfg_scale" in body:
        body["cfg_scale"] = fraction(body["cfg_scale"])
        if not model.honours_negative_and_cfg:
            ignored["cfg_scale"] = "cfg_scale.1x"

    # aspect ratio
    aspect_ratio: str | None = None
    if endpoint == TEXT2VIDEO:
        aspect_ratio = text(body, "aspect_ratio") or ASPECT_RATIOS[0]
        if aspect_ratio not in ASPECT_RATIOS:
            raise Refused(
                "aspect_ratio.text2video",
                f"Parameter aspect_ratio {aspect_ratio!r} is not supported. Valid values: {listed(ASPECT_RATIOS)}",
            )

    # duration
    if shots:
        if "duration" in body:
            raise Refused("shots.duration", "Parameter duration cannot be used with multi-shot (shot_N_duration)")
        duration = sum(shots.values())
    else:
        duration = DEFAULT_DURATION
        if "duration" in body:
            duration = body["duration"] = whole(body["duration"], "duration", "duration.type")
        if duration not in model.durations:
            span = "3 to 15" if model.durations == _V3_SECONDS else listed(model.durations)
            raise Refused(
                "duration.v3" if model.durations == _V3_SECONDS else "duration.values",
                f"Parameter duration {duration} is not supported by {model_name}. Valid values: {span} (seconds)",
            )

    # mode
    modes = model.modes[endpoint]
    mode = text(body, "mode") or model.default_mode[endpoint]
    if mode not in modes:
        rule = "mode.text2video" if endpoint == TEXT2VIDEO else "mode.frames"
        raise Refused(
            rule,
            f"Parameter mode {mode!r} is not supported by {model_name} on /videos/{endpoint}. "
            f"Valid values: {listed(modes)}",
        )

    # frames
    if endpoint == FRAMES:
        _frames(body, model, ignored)

    # audio
    audio = _audio(body, model, mode, ignored)
    if endpoint == FRAMES and model.audio == "native-pro" and audio and body.get("image_tail"):
        ignored["image_tail"] = "audio.v2-6.start-frame"

    return Accepted(
        endpoint=endpoint,
        model_name=model_name,
        mode=mode,
        duration=duration,
        audio=audio,
        credits=credits(model_name, mode, duration, audio),
        aspect_ratio=aspect_ratio,
        body=body,
        ignored=ignored,
    )


def _shots(body: dict[str, Any], model: Model, ignored: dict[str, str]) -> dict[int, int]:
    """The shots of a multi-shot request, {N: seconds}; empty when it is not one (shots.*)."""
    return read_shots(body, model.multi_shot, ignored)


def read_shots(body: dict[str, Any], honoured: bool, ignored: dict[str, str]) -> dict[int, int]:
    """The shots of a multi-shot request, {N: seconds}; empty when there are none or they are not ``honoured``
    (then listed in ``ignored``: shots.v3). Shot durations are converted in ``body`` (shots.*)."""
    given = [name for name in SHOT_FIELDS if name in body]
    for name in given:
        if name.endswith("_prompt"):
            check_length(name, text(body, name))
    if not given:
        return {}
    if not honoured:
        ignored.update(dict.fromkeys(given, "shots.v3"))
        return {}
    shots: dict[int, int] = {}
    for n in SHOTS:
        prompt, seconds = body.get(f"shot_{n}_prompt"), body.get(f"shot_{n}_duration")
        if prompt is None and seconds is None:
            continue
        if not prompt or seconds is None:
            raise Refused("shots.pair", f"Shot {n} needs both shot_{n}_prompt and shot_{n}_duration")
        shots[n] = body[f"shot_{n}_duration"] = whole(seconds, f"shot_{n}_duration", "shots.pair")
        if shots[n] < 1:
            raise Refused("shots.pair", f"Parameter shot_{n}_duration must be at least 1 second")
    if len(shots) < 2:
        raise Refused("shots.min", "Multi-shot needs at least 2 shots (shot_1_prompt/shot_1_duration, shot_2_…)")
    total = sum(shots.values())
    if not 3 <= total <= 15:
        raise Refused("shots.total", f"The shots' durations total {total} s; the total must be 3 to 15 seconds")
    return shots


def _frames(body: dict[str, Any], model: Model, ignored: dict[str, str]) -> None:
    image, tail = text(body, "image"), text(body, "image_tail")
    if not image and not tail:
        raise Refused("frames.one", "At least one of image (start frame) or image_tail (end frame) is required")
    if not image and model.needs_start_frame:
        raise Refused(
            "frames.start",
            f"Parameter image (the start frame) is required by {model.name}; only the 1.x models take an end frame "
            "alone",
        )
    if tail and not model.end_frame:
        ignored["image_tail"] = "frames.tail.turbo" if model.name == "kling-v3-0-turbo" else "frames.tail.v2-1-master"
    for n in (1, 2, 3):
        name = f"element_{n}"
        text(body, name)
        if name in body and not model.elements:
            ignored[name] = "elements.v3"


def _audio(body: dict[str, Any], model: Model, mode: str, ignored: dict[str, str]) -> bool:
    asked = boolean(body["enable_audio"]) if "enable_audio" in body else None
    if asked is not None:
        body["enable_audio"] = asked
    if model.audio == "always":
        if asked is not None:
            ignored["enable_audio"] = "audio.turbo"
        return True
    if model.audio == "default-on":
        return asked is not False
    if model.audio == "native-pro" and asked and mode != "pro":
        raise Refused(
            "audio.v2-6.pro",
            f"Parameter enable_audio true requires mode pro with {model.name} (Native Audio); mode is {mode!r}",
        )
    return asked is True
