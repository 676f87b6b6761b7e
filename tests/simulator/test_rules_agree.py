"""The client's catalog and the simulator's rules are two independent readings of useapi's documents; here they are
held against each other over every model x endpoint x mode x duration x audio x frames combination, and the other
rules (texts, negative_prompt, cfg_scale, aspect ratio).

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
from kling_mcp.simulator import rules

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
