"""What every endpoint's validation shares: ``Rule`` (a rule as the user reads it, with the facts it rests on) and
the checks built on it (texts measured as useapi measures them, whole numbers, one of a list, required values).

Each check raises InvalidParameterError naming the user-facing parameter, the value and what is allowed; the reason
quotes the rule's sources, so an inferred rule says it is inferred.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.catalog.sources import Fact

# Postman: prompt "max length 2500 characters". useapi counts like its own script (seed kling.mjs:
# `text.length > 2500`), i.e. JavaScript string length = UTF-16 code units: an emoji outside the BMP counts 2.
MAX_PROMPT = 2500
PROMPT_UNIT = "UTF-16 code units (JavaScript string length, as useapi counts): an emoji counts 2"


@dataclass(frozen=True)
class Rule:
    """One rule of an endpoint: the parameter it constrains, the rule as a phrase, and the facts it rests on."""

    parameter: str
    says: str
    facts: tuple[Fact, ...]

    @property
    def inferred(self) -> bool:
        return any(fact.inferred for fact in self.facts)

    def cite(self) -> str:
        return "; ".join(fact.cite() for fact in self.facts)

    def reason(self, why: str) -> str:
        """``why`` followed by the sources, for an error message."""
        return f"{why} ({self.cite()})"

    def refuse(self, value: Any, why: str, allowed: list[Any] | str | None, parameter: str | None = None) -> NoReturn:
        raise InvalidParameterError(parameter or self.parameter, value, self.reason(why), allowed)

    def describe(self) -> dict[str, Any]:
        """The rule as kling://models shows it."""
        return {
            "parameter": self.parameter,
            "rule": self.says,
            "inferred": self.inferred,
            "sources": [fact.short() for fact in self.facts],
        }


def utf16_length(text: str) -> int:
    """Length as JavaScript (and so useapi) counts it: UTF-16 code units; a character beyond U+FFFF counts 2."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def blank(value: str | None) -> bool:
    return value is None or not value.strip()


def text(
    value: str | None,
    *,
    required: bool,
    parameter: str = "prompt",
    limit: int = MAX_PROMPT,
    rule: Rule | None = None,
) -> str | None:
    """A text checked for presence and length in UTF-16 units (a blank optional text is None). ``rule`` adds the
    sources to the refusal (an inferred limit says so)."""
    if value is None or not value.strip():
        if required:
            reason = rule.reason("must not be empty") if rule else "must not be empty"
            raise InvalidParameterError(parameter, value, reason, f"non-blank text, at most {limit} UTF-16 units")
        return None
    units = utf16_length(value)
    if units > limit:
        reason = f"longer than {limit} UTF-16 units, the length useapi checks (JavaScript string length)"
        raise InvalidParameterError(
            parameter,
            f"<{units:,} UTF-16 units; an emoji counts 2>",
            rule.reason(reason) if rule else reason,
            f"1–{limit} UTF-16 units",
        )
    return value


def required_media(value: str | None, parameter: str, what: str, rule: Rule | None = None) -> str:
    """An image or video the endpoint needs (as the user gave it, or its URL once uploaded)."""
    if value is None or not value.strip():
        raise InvalidParameterError(parameter, value, rule.reason("is required") if rule else "is required", what)
    return value


def optional_media(value: str | None) -> str | None:
    return None if value is None or not value.strip() else value


def media_list(values: Sequence[str] | None, parameter: str, what: str) -> list[str]:
    """A list of images (or videos): every entry non-blank; None and an empty list are no entries."""
    if values is None:
        return []
    if isinstance(values, str):
        raise InvalidParameterError(parameter, values, "must be a list", f"a list of {what}")
    for index, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            raise InvalidParameterError(f"{parameter}[{index}]", value, "must not be empty", what)
    return list(values)


def whole_number(value: Any) -> int | None:
    """``value`` as an int when it is a whole number (an int, an integral float, or digits in a string), else None.
    A bool is not a number here."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.isascii() and stripped.lstrip("-").isdigit() and stripped.count("-") <= 1:
            return int(stripped)
    return None


def seconds_in(value: int | str | None, allowed: tuple[int, ...], default: int, rule: Rule, what: str) -> int:
    """A duration in whole seconds, one of ``allowed`` (``default`` when omitted)."""
    if value is None:
        return default
    seconds = whole_number(value)
    if seconds is None or seconds not in allowed:
        shown = f"{allowed[0]}–{allowed[-1]} (whole seconds)" if len(allowed) > 2 else list(allowed)
        rule.refuse(value, f"{what} does not make clips of this length", shown)
    return seconds


def one_of(value: str | None, allowed: Sequence[str], default: str | None, rule: Rule, what: str) -> str | None:
    """``value`` when it is one of ``allowed``; ``default`` when it is omitted."""
    if value is None:
        return default
    if value not in allowed:
        rule.refuse(value, f"not a {what}", list(allowed))
    return value


def unit_interval(value: float | None, parameter: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or not 0.0 <= value <= 1.0:
        raise InvalidParameterError(parameter, value, "out of range", "a number from 0 to 1")
    return value
