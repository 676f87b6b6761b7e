"""The arguments of the account and catalog tools: get_balance, list_models."""

from __future__ import annotations

from kling_mcp.arguments.fields import Email
from kling_mcp.arguments.video import Arguments


class GetBalance(Arguments):
    email: Email


class NoArguments(Arguments):
    """A tool that takes no arguments (list_models)."""
