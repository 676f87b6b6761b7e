"""Multi-shot: one clip told in 2–6 shots, each with its own prompt and duration, sent as ``shot_N_prompt`` /
``shot_N_duration`` (text2video, image2video-frames and omni take the same fields). Shots replace ``prompt`` and
``duration`` and are refused with them; which models take them is the caller's rule (the model table, omni's
version)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.api.models import MAX_SHOTS, shot_fields
from kling_mcp.catalog.checks import MAX_PROMPT, Rule, text, whole_number
from kling_mcp.catalog.sources import (
    SHOTS_NO_DURATION,
    SHOTS_NO_DURATION_FRAMES,
    SHOTS_NO_PROMPT,
    SHOTS_SIX,
    SHOTS_TOTAL,
    SHOTS_V3,
    SHOTS_WHOLE,
)

MIN_SHOTS = 2  # Postman: "Min 2 shots required"
TOTAL_SECONDS = (3, 15)  # Postman: "Total must be 3-15"

COUNT = Rule("shots", f"{MIN_SHOTS}–{MAX_SHOTS} shots, each {{prompt, duration}}", (SHOTS_V3, SHOTS_SIX))
PROMPT = Rule("shots[i].prompt", f"non-blank, at most {MAX_PROMPT} UTF-16 units", (SHOTS_V3,))
DURATION = Rule("shots[i].duration", "whole seconds, at least 1", (SHOTS_WHOLE,))
TOTAL = Rule("shots", f"the shots' durations add up to {TOTAL_SECONDS[0]}–{TOTAL_SECONDS[1]} s", (SHOTS_TOTAL,))
NOT_WITH_PROMPT = Rule("prompt", "not with shots: each shot carries its own prompt", (SHOTS_NO_PROMPT,))
NOT_WITH_DURATION = Rule("duration", "not with shots: the clip lasts the shots' total", (SHOTS_NO_DURATION,))
NOT_WITH_DURATION_FRAMES = Rule(
    "duration", "not with shots: the clip lasts the shots' total", (SHOTS_NO_DURATION_FRAMES,)
)
RULES: tuple[Rule, ...] = (COUNT, PROMPT, DURATION, TOTAL, NOT_WITH_PROMPT)


@dataclass(frozen=True)
class Shots:
    """Checked shots, in order: (prompt, seconds) each."""

    items: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(seconds for _, seconds in self.items)

    def fields(self) -> dict[str, Any]:
        """``shot_N_prompt`` / ``shot_N_duration`` for the request model."""
        return shot_fields(self.items)


def given(shots: Sequence[Any] | None) -> bool:
    """Whether the caller asked for multi-shot. An empty list asks for nothing and stands for no shots."""
    return shots is not None and not (isinstance(shots, Sequence) and not isinstance(shots, str) and len(shots) == 0)


def shown(shots: Sequence[Any]) -> str:
    """How a refusal about the shots as a whole shows them."""
    if isinstance(shots, Sequence) and not isinstance(shots, str):
        return f"<{len(shots)} shot{'' if len(shots) == 1 else 's'}>"
    return str(shots)


def read(
    shots: Sequence[Mapping[str, Any]],
    *,
    prompt: str | None,
    duration: Any,
    duration_rule: Rule = NOT_WITH_DURATION,
) -> Shots:
    """Check multi-shot ``shots`` (the model already known to take them) with the ``prompt`` and ``duration`` the
    caller also gave, which they replace."""
    if prompt is not None and prompt.strip():
        NOT_WITH_PROMPT.refuse("<text>", "shots replace prompt: give each shot its own prompt", "omit prompt")
    if duration is not None:
        duration_rule.refuse(duration, "shots replace duration: the clip lasts the shots' total", "omit duration")
    if isinstance(shots, str | Mapping) or not isinstance(shots, Sequence):
        raise InvalidParameterError(
            "shots", shots, "must be a list of shots", "a list of 2–6 {prompt, duration} objects"
        )
    if not MIN_SHOTS <= len(shots) <= MAX_SHOTS:
        COUNT.refuse(shown(shots), "multi-shot takes 2 to 6 shots", f"{MIN_SHOTS}–{MAX_SHOTS} shots")
    items: list[tuple[str, int]] = []
    for index, shot in enumerate(shots):
        shot_prompt, shot_seconds = _part(shot, "prompt", index), _part(shot, "duration", index)
        if not isinstance(shot_prompt, str | None):
            raise InvalidParameterError(f"shots[{index}].prompt", shot_prompt, "must be text", "non-blank text")
        checked = text(shot_prompt, required=True, parameter=f"shots[{index}].prompt", rule=PROMPT)
        seconds = whole_number(shot_seconds)
        if seconds is None or seconds < 1:
            DURATION.refuse(
                shot_seconds,
                "each shot lasts a whole number of seconds, at least 1",
                f"whole seconds from 1 to {TOTAL_SECONDS[1] - 1}, all shots together {TOTAL_SECONDS[0]}–"
                f"{TOTAL_SECONDS[1]} s",
                parameter=f"shots[{index}].duration",
            )
        assert checked is not None
        items.append((checked, seconds))
    total = sum(seconds for _, seconds in items)
    if not TOTAL_SECONDS[0] <= total <= TOTAL_SECONDS[1]:
        TOTAL.refuse(
            f"<{len(items)} shots, {total} s in all>",
            f"the shots last {total} s together",
            f"shots whose durations add up to {TOTAL_SECONDS[0]}–{TOTAL_SECONDS[1]} s",
        )
    return Shots(tuple(items))


def _part(shot: Any, key: str, index: int) -> Any:
    if isinstance(shot, Mapping):
        if key not in shot:
            raise InvalidParameterError(f"shots[{index}].{key}", None, "is missing", "each shot as {prompt, duration}")
        return shot[key]
    if hasattr(shot, key):  # a Shot argument model passed as it is
        return getattr(shot, key)
    raise InvalidParameterError(f"shots[{index}]", shot, "not a shot", "an object {prompt, duration}")
