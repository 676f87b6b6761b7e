"""Client tests inject their own sleep, so the retry policy's real delays stay in force here."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_waits() -> None:
    """Overrides the suite-wide fixture that zeroes RetryPolicy.delay: these tests check the real delays."""
