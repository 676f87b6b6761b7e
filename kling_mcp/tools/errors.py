"""Every failure as the agent reads it: a stable code, what happened, and what to do next with the tools it has.

``api/`` and ``jobs/`` state what happened and what to do in terms of the account and the request; the next step in
MCP's own words (a tool to call, a resource to read) is added here, per error code (``NEXT_STEPS``). The batch command
has its own table, in its own words.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from pydantic_core import to_jsonable_python

from kling_mcp.api.errors import KlingError
from kling_mcp.results import ErrorInfo

NOTHING_SENT = "Nothing was sent upstream."


def _poll_until_done(error: KlingError) -> str:
    task = error.details.get("task_id")
    which = f"task_id={task}" if task is not None else "the task_id"
    return f"Call get_task with {which} and wait_seconds=50 until its state is succeeded."


def _download_again(error: KlingError) -> str:
    if "existing_path" in error.details:
        return "Call download_clean with overwrite=true to replace it."
    return "Then call download_clean again."


def _models_resource(error: KlingError) -> str | None:
    # An upstream 400 (it carries the HTTP status): the catalog's own refusals already say what is allowed.
    return (
        "Read kling://models (or call list_models) for what each model allows."
        if "http_status" in error.details
        else None
    )


NEXT_STEPS: dict[str, str | Callable[[KlingError], str | None]] = {
    "invalid_parameter": _models_resource,
    "not_found": "Call get_balance to see the account's credits.",
    "outcome_unknown": "list_jobs(state='unknown') lists such submissions.",
    "task_not_finished": _poll_until_done,
    "download_failed": _download_again,
    "budget_exceeded": "kling://models lists each model's credit rates.",
}


def next_step(error: KlingError) -> str | None:
    step = NEXT_STEPS.get(error.code)
    return step(error) if callable(step) else step


def kling_error(error: KlingError) -> ErrorInfo:
    hint = " ".join(text for text in (error.hint, next_step(error)) if text)
    # The details are data for clients: anything that is not plain JSON (a Path, a tuple) is turned into it.
    details: dict[str, Any] = to_jsonable_python(error.details, fallback=str)
    return ErrorInfo(code=error.code, message=error.message, hint=hint, details=details)


def crash_error() -> ErrorInfo:
    """A bug: its text could hold anything, so only this is said (the server log has the rest)."""
    return ErrorInfo(
        code="internal_error",
        message="kling-mcp hit an unexpected error.",
        hint="See the server log; the task ids already returned stay valid.",
    )


def argument_error(error: ValidationError) -> ErrorInfo:
    """Arguments that do not fit the tool's argument model (its input schema), with the parameters named."""
    problems = []
    for item in error.errors()[:5]:
        parameter = ".".join(str(p) for p in item["loc"]) or "(arguments)"
        value = json.dumps(item.get("input"), default=str)
        if len(value) > 60:
            value = value[:57] + "…"
        problems.append(f"{parameter}={value}: {item['msg']}")
    return ErrorInfo(
        code="invalid_parameter",
        message="Invalid arguments: " + "; ".join(problems) + ".",
        hint=f"{NOTHING_SENT} Fix the arguments (see the tool's input schema) and call again.",
        details={"parameters": [".".join(str(p) for p in i["loc"]) for i in error.errors()]},
    )


def unknown_arguments(tool: str, unknown: list[str], allowed: list[str]) -> ErrorInfo:
    # A misspelt argument silently replaced by its default could spend credits on the wrong video.
    return ErrorInfo(
        code="invalid_parameter",
        message=f"Unknown argument(s) for {tool}: {', '.join(unknown)}. Allowed: {', '.join(allowed)}.",
        hint=f"{NOTHING_SENT} Fix the argument names and call again.",
        details={"parameters": unknown, "allowed": allowed},
    )


def unknown_tool(name: str) -> ErrorInfo:
    return ErrorInfo(
        code="unknown_tool", message=f"There is no tool named {name!r}.", hint="Call tools/list to see the tools."
    )
