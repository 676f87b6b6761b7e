"""The client's catalog and the simulator's rules are two independent readings of useapi's documents; here they are
held against each other over every model x endpoint x mode x duration x audio x frames combination, and the other
rules (texts, negative_prompt, cfg_scale, aspect ratio); then the same way on omni, image2video-elements, extend,
motion-create and image2video-effects (``VideoComparison``, below).

Whatever the catalog accepts, the simulator must accept as it is sent (the catalog's own upstream body), read it the
same way (model, mode, duration, audio), honour every field of it, and price it the same. Whatever the catalog
refuses, the simulator refuses too, unless the difference is listed in ``KNOWN_STRICTER``: the catalog refuses on
purpose what the docs call unsupported without saying the API refuses it (the simulator, playing the API, accepts
and does not honour such a field: ``rules.Accepted.ignored``). Any other disagreement fails, quoting both sides.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kling_mcp import catalog
from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.simulator import presets, rules, video_rules

T2V, FRAMES = rules.TEXT2VIDEO, rules.FRAMES
START, END = "https://images.test/start.png", "https://images.test/end.png"


@dataclass(frozen=True)
class Known:
    """A request the catalog refuses and the simulator accepts without honouring ``parameter`` (rule ``sim_rule``)."""

    parameter: str
    sim_rule: str
    reason: str


_NOT_SUPPORTED = (
    "the docs call it unsupported on this model without saying whether the API refuses or ignores it (reference "
    "§5.1); the catalog refuses rather than send a billed clip that ignores it, the simulator accepts and ignores it"
)
KNOWN_STRICTER: tuple[Known, ...] = (
    Known("negative_prompt", "negative_prompt.1x", f"negative_prompt on a model other than 1.x: {_NOT_SUPPORTED}"),
    Known("cfg_scale", "cfg_scale.1x", f"cfg_scale on a model other than 1.x: {_NOT_SUPPORTED}"),
    Known(
        "enable_audio",
        "audio.turbo",
        f"enable_audio on kling-v3-0-turbo ('this parameter not supported'): {_NOT_SUPPORTED}",
    ),
    Known("image_tail", "frames.tail.turbo", f"image_tail on kling-v3-0-turbo ('start frame only'): {_NOT_SUPPORTED}"),
    Known("image_tail", "frames.tail.v2-1-master", f"image_tail on kling-v2-1-master: {_NOT_SUPPORTED}"),
    Known(
        "image_tail",
        "audio.v2-6.start-frame",
        f"an end frame with kling-v2-6 Native Audio ('works with pro mode and start frame only'): {_NOT_SUPPORTED}",
    ),
    Known(
        "prompt",
        "prompt.empty",
        "a text-to-video prompt of spaces only: the docs only say 'Required'; the catalog refuses blank text, the "
        "simulator (like a JavaScript `if (!prompt)`) takes any non-empty string",
    ),
)
# Prices neither side has a source for (both estimate them, differently): (model, mode, audio) -> reason.
_BOTH_ESTIMATE = "no source prices it: the catalog and the simulator both estimate it, differently"
KNOWN_CREDITS: dict[tuple[str, str, bool], str] = {
    ("kling-v3-0", "std", True): _BOTH_ESTIMATE,
    ("kling-v3-0", "4k", True): _BOTH_ESTIMATE,
    ("kling-v3-0-turbo", "std", True): _BOTH_ESTIMATE,
    ("kling-v3-0-turbo", "pro", True): _BOTH_ESTIMATE,
}

MODEL_NAMES = tuple(dict.fromkeys([*rules.MODELS, *getattr(catalog, "MODELS", {}), "kling-v2-0", "kling-v9"]))
MODEL_CHOICES: tuple[str | None, ...] = (None, *MODEL_NAMES)
MODES = (None, "std", "pro", "4k", "master")
DURATIONS: tuple[int | str | None, ...] = (None, 2, 3, 4, 5, 6, 7, 10, 12, 15, 16, "5", "10", "15")
AUDIO = (None, True, False)
ASPECTS = (None, "16:9", "9:16", "1:1", "4:3")
FRAME_PAIRS = ((START, None), (START, END), (None, END), (None, None))


class Comparison:
    """Runs requests through both readings and collects the disagreements and the known differences met."""

    def __init__(self) -> None:
        self.disagreements: list[str] = []
        self.known_met: set[Known] = set()
        self.credits_met: set[tuple[str, str, bool]] = set()
        self.accepted_by_both = 0

    def run(self, endpoint: str, params: dict[str, Any]) -> None:
        validate: Callable[..., Any] = catalog.validate_text2video if endpoint == T2V else catalog.validate_image2video
        try:
            request, estimate = validate(**params)
        except InvalidParameterError as exc:
            self._catalog_refused(endpoint, params, exc)
            return
        body = request.to_body()
        try:
            accepted = rules.check(endpoint, body)
        except rules.Refused as exc:
            rule = rules.RULES[exc.rule]
            self.disagreements.append(
                f"{endpoint} {params}: the catalog accepts and sends {body}; the simulator refuses it: {exc.message} "
                f"[{exc.rule}, {rule.source}: {rule.quote!r}]"
            )
            return
        self.accepted_by_both += 1
        ours = (accepted.model_name, accepted.mode, accepted.duration, accepted.audio)
        theirs = (request.model_name, estimate.mode, estimate.duration, estimate.audio)
        if ours != theirs:
            self.disagreements.append(
                f"{endpoint} {params}: read differently (model, mode, seconds, audio): catalog {theirs}, simulator "
                f"{ours}"
            )
        if accepted.ignored:
            self.disagreements.append(
                f"{endpoint} {params}: the catalog sends {sorted(accepted.ignored)}, which the simulator reads as not "
                f"honoured: {', '.join(f'{k} [{v}: {rules.RULES[v].quote!r}]' for k, v in accepted.ignored.items())}"
            )
        key = (accepted.model_name, accepted.mode, accepted.audio)
        if accepted.credits != estimate.credits:
            if key in KNOWN_CREDITS:
                self.credits_met.add(key)
            else:
                self.disagreements.append(
                    f"{endpoint} {params}: credits: catalog {estimate.credits} ({estimate.source}), simulator "
                    f"{accepted.credits}"
                )

    def _catalog_refused(self, endpoint: str, params: dict[str, Any], exc: InvalidParameterError) -> None:
        sent = {k: v for k, v in params.items() if v is not None}
        try:
            accepted = rules.check(endpoint, sent)
        except rules.Refused:
            return  # both refuse
        rule = accepted.ignored.get(exc.parameter)
        if exc.parameter == "prompt" and isinstance(params.get("prompt"), str) and params["prompt"].strip() == "":
            rule = "prompt.empty"
        known = next((k for k in KNOWN_STRICTER if (k.parameter, k.sim_rule) == (exc.parameter, rule)), None)
        if known is None:
            self.disagreements.append(
                f"{endpoint} {sent}: the catalog refuses it ({exc.message}); the simulator accepts it as "
                f"{accepted.model_name} {accepted.mode} {accepted.duration} s audio={accepted.audio}"
            )
            return
        self.known_met.add(known)
        # Refused for a known reason only? Without that field the two must agree again.
        rest = {k: v for k, v in params.items() if k != exc.parameter}
        if exc.parameter == "prompt":
            rest["prompt"] = "a fox"
        elif endpoint == FRAMES and exc.parameter == "image":
            rest["image"] = None
        self.run(endpoint, rest)


def _failures(comparison: Comparison) -> str:
    shown = comparison.disagreements[:40]
    more = len(comparison.disagreements) - len(shown)
    return "\n".join(shown) + (f"\n… and {more} more" if more > 0 else "")


def test_every_text2video_combination_agrees() -> None:
    comparison = Comparison()
    for model, mode, duration, audio, aspect in itertools.product(MODEL_CHOICES, MODES, DURATIONS, AUDIO, ASPECTS):
        params = {"prompt": "a fox", "model_name": model, "mode": mode, "duration": duration}
        comparison.run(T2V, {**params, "enable_audio": audio, "aspect_ratio": aspect})
    assert not comparison.disagreements, _failures(comparison)
    assert comparison.accepted_by_both > 1000  # the grid does reach the accepted combinations


def test_every_image2video_combination_agrees() -> None:
    comparison = Comparison()
    for model, mode, duration, audio, (image, tail) in itertools.product(
        MODEL_CHOICES, MODES, DURATIONS, AUDIO, FRAME_PAIRS
    ):
        params = {"image": image, "image_tail": tail, "model_name": model, "mode": mode, "duration": duration}
        comparison.run(FRAMES, {**params, "enable_audio": audio, "prompt": "the boat drifts"})
    assert not comparison.disagreements, _failures(comparison)
    assert comparison.accepted_by_both > 1000


def _other_rules() -> Comparison:
    comparison = Comparison()
    prompts = ("a fox", "", "   ", "x" * 2500, "x" * 2501, "é" * 2500, "😀" * 1250, "😀" * 1251)
    for endpoint, model, prompt in itertools.product((T2V, FRAMES), MODEL_CHOICES, prompts):
        frames = {"image": START} if endpoint == FRAMES else {}
        comparison.run(endpoint, {**frames, "prompt": prompt, "model_name": model})
    negatives = (None, "blurry", "x" * 2501)
    scales = (None, 0.0, 0.5, 1.0, -0.1, 1.5, float("nan"))
    for endpoint, model, negative, scale in itertools.product((T2V, FRAMES), MODEL_CHOICES, negatives, scales):
        frames = {"image": START} if endpoint == FRAMES else {}
        params = {**frames, "prompt": "a fox", "model_name": model, "negative_prompt": negative, "cfg_scale": scale}
        comparison.run(endpoint, params)
    for endpoint, model, aspect in itertools.product((FRAMES,), MODEL_CHOICES, ("16:9", "4:3")):
        comparison.run(endpoint, {"image": START, "model_name": model, "aspect_ratio": aspect})
    return comparison


def test_texts_negative_prompt_cfg_scale_and_aspect_ratio_agree() -> None:
    comparison = _other_rules()
    assert not comparison.disagreements, _failures(comparison)


def test_every_known_difference_is_still_met() -> None:
    """A listed difference that no longer occurs (one side changed) must leave the list."""
    comparisons = [_other_rules()]
    for endpoint in (T2V, FRAMES):
        comparison = Comparison()
        for model, mode, audio in itertools.product(MODEL_CHOICES, MODES, AUDIO):
            frames = {"image": START, "image_tail": END} if endpoint == FRAMES else {}
            comparison.run(
                endpoint, {**frames, "prompt": "a fox", "model_name": model, "mode": mode, "enable_audio": audio}
            )
        comparisons.append(comparison)
    met = set().union(*(c.known_met for c in comparisons))
    credits = set().union(*(c.credits_met for c in comparisons))
    assert set(KNOWN_STRICTER) - met == set()
    assert set(KNOWN_CREDITS) - credits == set()


def test_every_simulator_rule_names_its_source() -> None:
    assert all(rule.source in rules.SOURCES and rule.quote for rule in rules.RULES.values())
    assert all(rule.choice for rule in rules.RULES.values() if rule.source == "INF")
    assert {k.sim_rule for k in KNOWN_STRICTER} <= set(rules.RULES)


# --- the video endpoints beyond text2video / image2video-frames ------------------------------------------------------
#
# The same contract on omni, image2video-elements, extend, motion-create and image2video-effects: the catalog's
# validators (user-facing parameters) against video_rules.check (the wire body the catalog builds). The simulator
# is asked with an account where every element exists (an IMAGE element), the motion video is a known clip of
# MOTION_SECONDS (the catalog is told its length too) and the task to extend is a known succeeded task.

IMG, CLIP, MOTION_URL = "https://images.test/a.png", "https://videos.test/clip.mp4", "https://videos.test/moves.mp4"
ELEMENT = "u_309377170505500"
MOTION_SECONDS = 8.0
CLIP_SECONDS = 5.0  # the omni video_1's length, known to both sides (the catalog as video_seconds)
# GET /videos/effects as the simulator lists it (useapi's page: name, supportedModelMode, promptSupported, ...): the
# raw entries the service passes to the catalog.
EFFECT_ENTRIES = [effect.listing("https://sim.test") for effect in presets.EFFECTS.values()]
SOURCE = video_rules.SourceTask(77, "succeed", 6.0, 8.0, "16:9", False, "kling-v3-0", "pro")


class AgreeAccount:
    def media(self, url: str) -> video_rules.MediaInfo | None:
        if url == CLIP:  # an omni video_1
            return video_rules.MediaInfo("video", CLIP_SECONDS, "16:9", True)
        return video_rules.MediaInfo("video", MOTION_SECONDS, "9:16", True) if url == MOTION_URL else None

    def task(self, task_id: int) -> video_rules.SourceTask | None:
        return SOURCE if task_id == SOURCE.id else None

    def element(self, element_id: str) -> video_rules.ElementInfo | None:
        return video_rules.ElementInfo(element_id, "IMAGE")


def _omni_wire(params: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in params.items() if k not in ("images", "elements", "video", "shots", "video_seconds")}
    body |= {f"image_{n}": v for n, v in enumerate(params.get("images") or [], start=1)}
    body |= {f"element_{n}": v for n, v in enumerate(params.get("elements") or [], start=1)}
    if params.get("video") is not None:
        body["video_1"] = params["video"]
    for n, shot in enumerate(params.get("shots") or [], start=1):
        body |= {f"shot_{n}_prompt": shot.get("prompt"), f"shot_{n}_duration": shot.get("duration")}
    return body


def _multi_wire(params: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in params.items() if k not in ("images", "elements")}
    body |= {f"image_{n}": v for n, v in enumerate(params.get("images") or [])}
    body |= {f"element_{n}": v for n, v in enumerate(params.get("elements") or [], start=1)}
    return body


def _motion_wire(params: dict[str, Any]) -> dict[str, Any]:
    names = {"image": "imageUrl", "motion": "motionUrl", "keep_audio": "keepAudio", "element": "element_1"}
    names |= {"motion_direction": "motionDirection"}
    return {names.get(k, k): v for k, v in params.items() if k != "motion_seconds"}


@dataclass(frozen=True)
class Endpoint:
    validate: Callable[..., Any]
    wire: Callable[[dict[str, Any]], dict[str, Any]]


ENDPOINTS: dict[str, Endpoint] = {
    video_rules.OMNI: Endpoint(catalog.validate_omni, _omni_wire),
    video_rules.MULTI_IMAGE: Endpoint(catalog.validate_multi_image, _multi_wire),
    video_rules.EXTEND: Endpoint(catalog.validate_extend, lambda p: {k: v for k, v in p.items() if "source" not in k}),
    video_rules.MOTION: Endpoint(catalog.validate_motion, _motion_wire),
    video_rules.EFFECTS: Endpoint(
        catalog.validate_effect, lambda p: {k: v for k, v in p.items() if k != "known_effects"}
    ),
}


@dataclass(frozen=True)
class KnownVideo:
    """A difference between the two readings that is understood and kept (see ``reason``): the catalog refuses
    ``parameter`` where the simulator accepts it (not honouring it under ``sim_rule`` when one is given)."""

    endpoint: str
    parameter: str
    sim_rule: str | None
    reason: str


KNOWN_VIDEO_STRICTER: tuple[KnownVideo, ...] = (
    KnownVideo(
        video_rules.OMNI,
        "shots",
        "omni.shots.v3",
        f"shots with omni_version o1 (PM: 'multi-shot (v3 only)'): {_NOT_SUPPORTED}",
    ),
    KnownVideo(
        video_rules.OMNI,
        "video_mode",
        "omni.keep_audio",
        f"video_mode without a video (PM: 'Only applies with video_1'): {_NOT_SUPPORTED}",
    ),
    KnownVideo(
        video_rules.OMNI,
        "keep_audio",
        "omni.keep_audio",
        f"keep_audio without a video (PM: 'Only applies with video_1'): {_NOT_SUPPORTED}",
    ),
    KnownVideo(
        video_rules.MULTI_IMAGE,
        "elements",
        "multi.elements.v3",
        f"elements on kling-v1-6 (PM: 'Model v3 only'): {_NOT_SUPPORTED}",
    ),
    KnownVideo(
        video_rules.MULTI_IMAGE,
        "negative_prompt",
        "negative_prompt.1x",
        f"negative_prompt on kling-v3-0 (guide: 3.0 does not support negative_prompt): {_NOT_SUPPORTED}",
    ),
    KnownVideo(
        video_rules.MULTI_IMAGE,
        "aspect_ratio",
        "multi.aspect",
        f"aspect_ratio on kling-v3-0 (PM: 'Model v3 does not support this'): {_NOT_SUPPORTED}",
    ),
    KnownVideo(
        video_rules.MULTI_IMAGE,
        "enable_audio",
        "multi.audio",
        f"enable_audio false on kling-v3-0 (PM: 'Model v3 always has audio enabled'): {_NOT_SUPPORTED}",
    ),
    KnownVideo(
        video_rules.MOTION,
        "element",
        "motion.element.v3",
        f"an element with kling-v2-6 (PM: 'element_1 … (v3.0 only)'): {_NOT_SUPPORTED}",
    ),
    KnownVideo(
        video_rules.OMNI,
        "aspect_ratio",
        "omni.aspect.video",
        "a ratio other than auto with a video: useapi's omni page says 'When video_1 is provided, aspect_ratio is "
        "automatically set to auto'; the catalog refuses a ratio that would not be honoured (auto it accepts and "
        "leaves out), the simulator accepts it and does not honour it",
    ),
    KnownVideo(
        video_rules.OMNI,
        "duration",
        "omni.transform",
        "a duration with video_mode transform: both sides infer that the edited clip lasts as long as its video; the "
        "catalog refuses a duration that would not be honoured, the simulator accepts it and does not honour it",
    ),
    KnownVideo(
        video_rules.EFFECTS,
        "prompt",
        "effects.prompt",
        "a prompt for an effect whose GET /videos/effects entry says promptSupported false: the catalog refuses it, "
        f"the simulator accepts it and does not honour it (its convention 3): {_NOT_SUPPORTED}",
    ),
    KnownVideo(
        video_rules.OMNI,
        "prompt",
        "omni.prompt",
        "a prompt beside shots: Postman only says prompt is 'Required (unless using multi-shot)'; the catalog refuses "
        "it rather than send a prompt the shots replace (its inferred rule), the simulator accepts it",
    ),
    KnownVideo(
        video_rules.OMNI,
        "prompt",
        "prompt.empty",
        "an omni prompt of spaces only: as on text2video (KNOWN_STRICTER's prompt.empty)",
    ),
)
# Fields the catalog sends that the simulator accepts and does not honour: (endpoint, field, rule) -> reason. Each
# reason says which side is taken to be wrong. (None at present: the omni aspect_ratio with a video, the duration of a
# transform and an effect's prompt are refused by the catalog now, see KNOWN_VIDEO_STRICTER.)
KNOWN_VIDEO_IGNORED: dict[tuple[str, str, str], str] = {}
# Requests the catalog accepts and the simulator refuses: (endpoint, simulator rule) -> reason. (None at present: the
# catalog applies the omni page's 1700-character prompt and each effect's supportedModelMode.)
KNOWN_CATALOG_LOOSER: dict[tuple[str, str], str] = {}
# Estimates both sides make without a source, that differ: (endpoint, what) -> reason.
KNOWN_VIDEO_CREDITS: dict[tuple[str, str], str] = {
    (video_rules.OMNI, "v3 std with audio"): _BOTH_ESTIMATE + " (as kling-v3-0 std with audio on text2video)",
    (video_rules.MULTI_IMAGE, "kling-v3-0 std"): _BOTH_ESTIMATE + " (as kling-v3-0 std with audio on text2video)",
    (video_rules.EXTEND, "kling-v3-0 pro with enable_audio"): (
        _BOTH_ESTIMATE + ": the catalog prices 5 s at the model's rate with audio, the simulator at the source "
        "task's own per-second price"
    ),
}
# Rules only the simulator has, because they need what only the upstream knows (an element's existence and type,
# the length of a video at a URL), are not compared: the account here has every element and knows the videos.


class VideoComparison:
    """As ``Comparison``, for the endpoints of ``ENDPOINTS``."""

    def __init__(self) -> None:
        self.disagreements: list[str] = []
        self.known_met: set[KnownVideo] = set()
        self.credits_met: set[tuple[str, str]] = set()
        self.ignored_met: set[tuple[str, str, str]] = set()
        self.looser_met: set[tuple[str, str]] = set()
        self.accepted_by_both = 0

    def run(self, endpoint: str, params: dict[str, Any]) -> None:
        side = ENDPOINTS[endpoint]
        try:
            request, estimate = side.validate(**params)
        except InvalidParameterError as exc:
            self._catalog_refused(endpoint, params, exc)
            return
        body = request.to_body()
        try:
            made = video_rules.check(endpoint, body, AgreeAccount())
        except rules.Refused as exc:
            if (endpoint, exc.rule) in KNOWN_CATALOG_LOOSER:
                self.looser_met.add((endpoint, exc.rule))
                return
            rule = video_rules.ALL_RULES[exc.rule]
            self.disagreements.append(
                f"{endpoint} {params}: the catalog accepts and sends {body}; the simulator refuses it: {exc.message} "
                f"[{exc.rule}, {rule.source}: {rule.quote!r}]"
            )
            return
        self.accepted_by_both += 1
        # Seconds made (an extension: seconds added), and whether sound is generated (kept sound is not priced).
        seconds = made.duration - SOURCE.seconds if endpoint == video_rules.EXTEND else made.duration
        ours = (made.mode, seconds, made.generated_audio)
        theirs = (estimate.mode, estimate.duration, estimate.audio)
        if ours != theirs:
            self.disagreements.append(
                f"{endpoint} {params}: read differently (mode, seconds, generated sound): catalog {theirs}, simulator "
                f"{ours}"
            )
        unknown = {k: v for k, v in made.ignored.items() if (endpoint, k, v) not in KNOWN_VIDEO_IGNORED}
        self.ignored_met |= {(endpoint, k, v) for k, v in made.ignored.items()} - {
            (endpoint, k, v) for k, v in unknown.items()
        }
        if unknown:
            rules_met = ", ".join(f"{k} [{v}: {video_rules.ALL_RULES[v].quote!r}]" for k, v in unknown.items())
            self.disagreements.append(
                f"{endpoint} {params}: the catalog sends {sorted(unknown)}, which the simulator reads as not "
                f"honoured: {rules_met}"
            )
        if made.credits != estimate.credits:
            what = _priced(endpoint, made)
            if (endpoint, what) in KNOWN_VIDEO_CREDITS:
                self.credits_met.add((endpoint, what))
            else:
                self.disagreements.append(
                    f"{endpoint} {params}: credits ({what}): catalog {estimate.credits} ({estimate.source}), "
                    f"simulator {made.credits}"
                )

    def _catalog_refused(self, endpoint: str, params: dict[str, Any], exc: InvalidParameterError) -> None:
        sent = ENDPOINTS[endpoint].wire({k: v for k, v in params.items() if v is not None})
        try:
            made = video_rules.check(endpoint, sent, AgreeAccount())
        except rules.Refused:
            return  # both refuse
        parameter = exc.parameter.split("[")[0]
        rule = next((r for k, r in made.ignored.items() if _user_name(endpoint, k) == parameter), None)
        if parameter == "prompt" and isinstance(params.get("prompt"), str) and not params["prompt"].strip():
            rule = "prompt.empty"
        elif parameter == "prompt" and params.get("shots"):
            rule = "omni.prompt"  # a prompt beside shots
        known = next(
            (k for k in KNOWN_VIDEO_STRICTER if (k.endpoint, k.parameter, k.sim_rule) == (endpoint, parameter, rule)),
            None,
        )
        if known is None:
            self.disagreements.append(
                f"{endpoint} {params}: the catalog refuses it ({exc.message}); the simulator accepts {sent} as "
                f"{made.model_name} {made.mode} {made.duration} s audio={made.audio}"
            )
            return
        self.known_met.add(known)
        self.run(endpoint, {k: v for k, v in params.items() if k != parameter} | _instead(endpoint, parameter, params))


def _user_name(endpoint: str, wire: str) -> str:
    """The user-facing parameter of a wire field (what InvalidParameterError names)."""
    if wire.startswith("shot_"):
        return "shots"
    if wire.startswith("element_"):
        return "element" if endpoint == video_rules.MOTION else "elements"
    if wire.startswith("image_"):
        return "images"
    return {"video_1": "video", "keepAudio": "keep_audio", "motionDirection": "motion_direction"}.get(wire, wire)


def _instead(endpoint: str, parameter: str, params: dict[str, Any]) -> dict[str, Any]:
    """What replaces a parameter refused for a known reason, so that the rest is compared again (nothing: it is left
    out)."""
    if parameter == "prompt" and endpoint == video_rules.OMNI and not params.get("shots"):
        return {"prompt": "a fox"}
    if parameter == "aspect_ratio" and params.get("video"):
        return {"aspect_ratio": None}
    return {}


def _priced(endpoint: str, made: video_rules.Generation) -> str:
    if endpoint == video_rules.EXTEND:
        return f"{made.model_name} {made.mode}" + (" with enable_audio" if made.body.get("enable_audio") else "")
    if endpoint == video_rules.OMNI:
        return f"{made.model_name.removeprefix('omni-')} {made.mode}" + (" with audio" if made.audio else "")
    if endpoint == video_rules.MULTI_IMAGE:
        return f"{made.model_name} {made.mode}" + (f" {made.duration:g}s" if made.model_name != "kling-v3-0" else "")
    return f"{made.model_name} {made.mode}"


def _video_failures(comparison: VideoComparison) -> str:
    shown = comparison.disagreements[:40]
    more = len(comparison.disagreements) - len(shown)
    return "\n".join(shown) + (f"\n… and {more} more" if more > 0 else "")


VERSIONS = (None, "v3", "o1", "o2")
OMNI_MODES = (None, "std", "pro", "4k")
OMNI_DURATIONS: tuple[int | str | None, ...] = (None, 2, 3, 5, "7", 10, 11, 15, 16)
TWO_SHOTS = [{"prompt": "a fox wakes", "duration": 3}, {"prompt": "it runs", "duration": 4}]
WORKFLOWS: tuple[dict[str, Any], ...] = (
    {},
    {"images": [IMG]},
    {"images": [IMG, IMG], "elements": [ELEMENT], "prompt": "@image_2 meets @element_1"},
    {"images": [IMG], "prompt": "@image_2 waves"},
    {"prompt": "@video_1 again"},
    {"images": [IMG] * 7, "elements": [ELEMENT]},
    {"images": [IMG] * 8},
    {"frame_start": IMG},
    {"frame_start": IMG, "frame_end": IMG},
    {"frame_end": IMG},
    {"frame_start": IMG, "video": CLIP},
    {"video": CLIP, "prompt": "in the style of @video_1"},
    {"video": CLIP, "video_mode": "transform", "video_seconds": CLIP_SECONDS},
    {"video": CLIP, "video_mode": "transform", "video_seconds": CLIP_SECONDS, "duration": 5},
    {"video": CLIP, "images": [IMG] * 4},
    {"video": CLIP, "images": [IMG] * 4, "elements": [ELEMENT]},
    {"video": CLIP, "video_mode": "reference", "keep_audio": True},
    {"video_mode": "reference"},
    {"keep_audio": False},
)


def _omni() -> VideoComparison:
    comparison = VideoComparison()
    for version, mode, duration, audio in itertools.product(VERSIONS, OMNI_MODES, OMNI_DURATIONS, AUDIO):
        comparison.run(
            video_rules.OMNI,
            {"prompt": "a fox", "omni_version": version, "mode": mode, "duration": duration, "enable_audio": audio},
        )
    for version, workflow, aspect, audio in itertools.product(VERSIONS, WORKFLOWS, (*ASPECTS, "auto"), AUDIO):
        params = {"prompt": "a fox", "omni_version": version, "aspect_ratio": aspect, "enable_audio": audio}
        comparison.run(video_rules.OMNI, {**params, **workflow})
    shot_sets: tuple[list[dict[str, Any]] | None, ...] = (
        None,
        TWO_SHOTS,
        TWO_SHOTS[:1],
        [{"prompt": "a", "duration": 9}, {"prompt": "b", "duration": 9}],
        [{"prompt": "@image_1 sits", "duration": 2}, {"prompt": "b", "duration": 2}],
    )
    for version, shots, prompt, duration in itertools.product(VERSIONS, shot_sets, (None, "a fox"), (None, 5)):
        comparison.run(
            video_rules.OMNI, {"shots": shots, "prompt": prompt, "omni_version": version, "duration": duration}
        )
    for prompt in ("x" * 1700, "x" * 1701, "😀" * 850, "😀" * 851, "   "):
        comparison.run(video_rules.OMNI, {"prompt": prompt})
    long_shots = [{"prompt": "x" * 2500, "duration": 3}, {"prompt": "y" * 2000, "duration": 3}]  # shots keep 2500
    comparison.run(video_rules.OMNI, {"shots": long_shots})
    comparison.run(video_rules.OMNI, {"shots": [{"prompt": "x" * 2501, "duration": 3}, *long_shots[1:]]})
    return comparison


def test_every_omni_combination_agrees() -> None:
    comparison = _omni()
    assert not comparison.disagreements, _video_failures(comparison)
    assert comparison.accepted_by_both > 300


MULTI_MODELS: tuple[str | None, ...] = (None, "kling-v3-0", "kling-v1-6", "kling-v2-6")


def _multi_image() -> VideoComparison:
    comparison = VideoComparison()
    for model, mode, duration, audio in itertools.product(MULTI_MODELS, MODES[:3], DURATIONS, AUDIO):
        params = {"images": [IMG], "prompt": "two friends", "model_name": model, "mode": mode}
        comparison.run(video_rules.MULTI_IMAGE, {**params, "duration": duration, "enable_audio": audio})
    image_sets: tuple[list[str] | None, ...] = (None, [], [IMG] * 4, [IMG] * 5)
    for model, images, elements, aspect, negative in itertools.product(
        MULTI_MODELS, image_sets, (None, [ELEMENT], [ELEMENT] * 4), ASPECTS, (None, "blurry")
    ):
        params = {"images": images, "prompt": "a walk", "model_name": model, "elements": elements}
        comparison.run(video_rules.MULTI_IMAGE, {**params, "aspect_ratio": aspect, "negative_prompt": negative})
    for prompt in (None, "", "x" * 2500, "x" * 2501):
        comparison.run(video_rules.MULTI_IMAGE, {"images": [IMG], "prompt": prompt})
    return comparison


def test_every_multi_image_combination_agrees() -> None:
    comparison = _multi_image()
    assert not comparison.disagreements, _video_failures(comparison)
    assert comparison.accepted_by_both > 200


def _extend_motion_effect() -> VideoComparison:
    comparison = VideoComparison()
    source = {"source_model": SOURCE.model_name, "source_seconds": SOURCE.seconds}
    for task_id, audio, scale, prompt in itertools.product(
        (SOURCE.id, str(SOURCE.id), 0, "77a"), AUDIO, (None, 0.5, 1.5), (None, "more", "x" * 2501)
    ):
        params = {"task_id": task_id, "enable_audio": audio, "cfg_scale": scale, "prompt": prompt, **source}
        comparison.run(video_rules.EXTEND, params)
    for model, mode, direction, keep, element in itertools.product(
        (None, "kling-v3-0", "kling-v2-6", "kling-v2-1"),
        MODES[:3],
        (None, "motion_direction", "image_direction", "up"),
        AUDIO,
        (None, ELEMENT),
    ):
        params = {"image": IMG, "motion": MOTION_URL, "motion_seconds": MOTION_SECONDS, "model_name": model}
        params |= {"mode": mode, "motion_direction": direction, "keep_audio": keep, "element": element}
        comparison.run(video_rules.MOTION, params)
    for effect, mode, prompt in itertools.product(
        (None, "rocket", "spinoff", "sparkle"), MODES[:3], (None, "lift off")
    ):
        params = {"effect": effect, "image": IMG, "mode": mode, "prompt": prompt}
        comparison.run(video_rules.EFFECTS, {**params, "known_effects": EFFECT_ENTRIES})
    return comparison


def test_every_extend_motion_and_effect_combination_agrees() -> None:
    comparison = _extend_motion_effect()
    assert not comparison.disagreements, _video_failures(comparison)
    assert comparison.accepted_by_both > 100


def test_every_known_video_difference_is_still_met() -> None:
    """A listed difference that no longer occurs (one side changed) must leave its list."""
    comparisons = [_omni(), _multi_image(), _extend_motion_effect()]
    assert set(KNOWN_VIDEO_STRICTER) - set().union(*(c.known_met for c in comparisons)) == set()
    assert set(KNOWN_VIDEO_IGNORED) - set().union(*(c.ignored_met for c in comparisons)) == set()
    assert set(KNOWN_CATALOG_LOOSER) - set().union(*(c.looser_met for c in comparisons)) == set()
    assert set(KNOWN_VIDEO_CREDITS) - set().union(*(c.credits_met for c in comparisons)) == set()
