"""Field types shared by the argument models, and the one rule for optional parameters.

An optional parameter is left out of ``required``, has no ``null`` in its type and no ``default`` in its schema:
leaving it out is how a caller says "the default" (which may depend on the model, so the schema could not state it
truthfully). Such a schema keeps its description, enum and bounds through every converter tried (google-genai's
``mcp_to_gemini_tool`` drops all three beside ``anyOf: [X, null]``). A caller that sends ``null`` anyway (some
adapters make every optional parameter nullable) is read as leaving it out.

Enums and bounds that the catalog checks per model (``schema=``) are published in the schema only: the catalog's
refusal names the parameter, the value, the rule and what the chosen model allows, which a schema error could not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

MAX_ID = 2**63 - 1  # task and work ids are kept in SQLite INTEGER columns (signed 64-bit): larger ones cannot exist


def _without_null(extra: dict[str, Any]) -> Any:
    def edit(schema: dict[str, Any]) -> None:
        branches = schema.pop("anyOf", None)
        if branches is not None:
            kept = [branch for branch in branches if branch.get("type") != "null"]
            if len(kept) == 1:
                schema.update(kept[0])
            else:
                schema["anyOf"] = kept
        if "default" in schema and schema["default"] is None:
            del schema["default"]
        schema.update(extra)

    return edit


def optional(description: str, *, schema: dict[str, Any] | None = None, **constraints: Any) -> Any:
    """An optional parameter (see the module's rule). ``constraints`` (``ge``, ``le``, ``max_length``) are enforced
    here; ``schema`` is published only (the catalog enforces it, per model)."""
    return Field(default=None, description=description, json_schema_extra=_without_null(schema or {}), **constraints)


def _empty_when_null(value: Any) -> Any:
    return "" if value is None else value


def _without_empty_default(extra: dict[str, Any]) -> Any:
    def edit(schema: dict[str, Any]) -> None:
        if schema.get("default") == "":
            del schema["default"]
        schema.update(extra)

    return edit


def text(description: str, *, schema: dict[str, Any] | None = None) -> Any:
    """An optional free text (a prompt), ``""`` when left out (and when null). Its type stays exactly ``str``: the SDK
    (``FuncMetadata.pre_parse_json``, mirrored by ``tools/guard.py``) reads a string given for any other type as JSON
    first, so a prompt written as a JSON object would become a dict and be refused. Its schema follows the module's
    rule (no default). ``Generation.catalog_fields`` hands the catalog ``None`` for ``""``."""
    return Field(default="", description=description, json_schema_extra=_without_empty_default(schema or {}))


OptionalText = Annotated[str, BeforeValidator(_empty_when_null)]
"""The type of a ``text(...)`` field: ``Annotated[OptionalText, text("...")]``."""


def choice(default: str, description: str, values: tuple[str, ...] | list[str]) -> Any:
    """A parameter with a default, one of ``values`` (published as the enum; the catalog checks it)."""
    return Field(default=default, description=description, json_schema_extra={"enum": list(values)})


Email = Annotated[
    str | None, optional("Kling account email; omit to use KLING_EMAIL or the only account (at most 254 characters).")
]
WaitSeconds = Annotated[
    float,
    Field(
        default=0,
        ge=0,
        description="Wait server-side up to this many seconds (capped at the server's KLING_MCP_WAIT_CAP, default "
        "50) for the task to finish, with progress notifications. 0 (the default) answers at once.",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    optional(
        "Any string unique to this request (at most 200 characters). A second call with the same key returns the "
        "first task instead of spending credits again.",
        max_length=200,
    ),
]
TaskId = Annotated[int, Field(ge=1, le=MAX_ID, description="The task_id a video tool returned (1 to 2^63-1).")]


@dataclass(frozen=True)
class MediaInput:
    """One path-or-URL parameter as the user gave it: ``label`` is its user-facing name ("image", "images[0]",
    "video", "motion"), ``kind`` says which checks it gets (jobs.uploads.check_local_media)."""

    label: str
    value: str
    kind: Literal["image", "video", "audio"]
