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

from typing import Annotated, Any

from pydantic import Field

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
TaskId = Annotated[
    int, Field(ge=1, le=MAX_ID, description="The task_id from generate_video or animate_image (1 to 2^63-1).")
]
