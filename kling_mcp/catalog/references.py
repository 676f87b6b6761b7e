"""References to saved elements and to the inputs of an omni prompt: element ids (checked before they reach a body
or a URL path) and ``@image_N`` / ``@element_N`` / ``@video_1`` in a prompt (each must name an input given)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.catalog.checks import Rule
from kling_mcp.catalog.sources import ELEMENT_ID, OMNI_PROMPT

ID_EXAMPLE = "u_309377170505500"  # Postman, image2video-frames element_1
ID_RULE = Rule("elements", "ids of saved elements (list_elements): letters, digits, _ and -", (ELEMENT_ID,))
PROMPT_REFERENCES = Rule(
    "prompt",
    "@image_N and @element_N name the N-th image and element given (N from 1), @video_1 the video",
    (OMNI_PROMPT,),
)
_REFERENCE = re.compile(r"@(image|element|video)_(\d+)")


def is_element_id(value: Any) -> bool:
    """The ids api.video's ``_element_segment`` accepts in a URL path: ASCII letters, digits, ``_`` and ``-``."""
    return isinstance(value, str) and bool(value) and all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in value)


def element_id(value: Any, parameter: str) -> str:
    if not is_element_id(value):
        ID_RULE.refuse(
            value,
            "not a Kling element id",
            f"an id from list_elements, such as {ID_EXAMPLE} (letters, digits, _ and -)",
            parameter=parameter,
        )
    assert isinstance(value, str)
    return value


def element_ids(values: Sequence[str] | None, *, limit: int, rule: Rule, parameter: str = "elements") -> list[str]:
    """A list of element ids, at most ``limit`` (``rule`` is the endpoint's count rule); None or [] is none."""
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise InvalidParameterError(parameter, values, "must be a list of element ids", f"up to {limit} element ids")
    if len(values) > limit:
        rule.refuse(f"<{len(values)} elements>", f"at most {limit} elements", f"1–{limit} element ids")
    return [element_id(value, f"{parameter}[{index}]") for index, value in enumerate(values)]


def check_prompt_references(prompt: str, parameter: str, *, images: int, elements: int, video: bool) -> None:
    """Refuse a reference to an input that is not given (``@image_3`` with two images, ``@video_1`` without a
    video, any ``@image_0``): the upstream would get a prompt about something it does not have."""
    counts = {"image": images, "element": elements, "video": 1 if video else 0}
    for match in _REFERENCE.finditer(prompt):
        kind, number = match.group(1), int(match.group(2))
        given = counts[kind]
        if 1 <= number <= given:
            continue
        token = match.group(0)
        if given == 0:
            why = f"the prompt names {token} but no {kind} is given"
            allowed = f"no @{kind}_N reference (give {'a' if kind == 'video' else 'an'} {kind} to refer to)"
        else:
            are = f"{given} {kind} is" if given == 1 else f"{given} {kind}s are"
            why = f"the prompt names {token} but only {are} given"
            allowed = ", ".join(f"@{kind}_{n}" for n in range(1, given + 1))
        PROMPT_REFERENCES.refuse(token, why, allowed, parameter=parameter)
