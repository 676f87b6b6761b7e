"""What a test does when something from outside Python (node, npm, the registries) cannot be had: skip on a
developer's machine, saying why; fail under CI (CI=true), which must run every test."""

from __future__ import annotations

import os

import pytest


def unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"{reason} (CI runs these tests: this is an error there)", pytrace=False)
    pytest.skip(f"{reason}; run with -m 'not real_clients' to leave these tests out")
