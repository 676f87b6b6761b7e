"""Reading kling-mcp's tool results in tests.

A tool error carries no structuredContent (it would not match the tool's outputSchema, and TypeScript-SDK clients
validate it even on errors); its machine-readable form is the result's ``_meta["kling-mcp/error"]`` and its text
starts ``Error [code]: message``.
"""

from __future__ import annotations

from typing import Any

ERROR_META_KEY = "kling-mcp/error"


def error_of(result: Any) -> dict[str, Any]:
    """The coded error of a tool result ({code, message, hint, details}), checked against the result's text."""
    assert result.is_error, result
    assert result.structured_content is None, result.structured_content  # an error never claims the output schema
    meta = result.meta or {}
    assert ERROR_META_KEY in meta, result
    err: dict[str, Any] = meta[ERROR_META_KEY]
    assert set(err) == {"code", "message", "hint", "details"}, err
    text = result.content[0].text
    assert text.startswith(f"Error [{err['code']}]: {err['message']}"), (text, err)
    if err["hint"]:
        assert err["hint"] in text, (text, err)
    return err


def error_code_of(result: Any) -> str | None:
    """The error code of a result, or None when it is not an error (for tests that accept either)."""
    if not result.is_error:
        return None
    code: str = error_of(result)["code"]
    return code
