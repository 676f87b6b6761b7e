"""Client tests inject their own sleep, so the retry policy's real delays stay in force here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import respx

from kling_mcp.api.client import KlingClient
from kling_mcp.api.retry import RetryPolicy
from tests.conftest import API, BASE, TOKEN


@pytest.fixture
def anyio_backend() -> str:
    """Only asyncio: the client is backend-agnostic, but running every test twice would double the runtime."""
    return "asyncio"


@pytest.fixture(autouse=True)
def _fast_waits() -> None:
    """Overrides the suite-wide fixture that zeroes RetryPolicy.delay: these tests check the real delays."""


class SleepRecorder:
    """An injected ``sleep`` that records what the client asked for and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def upstream() -> Iterator[respx.MockRouter]:
    """The useapi Kling API, mocked; any request to another host fails the test (respx's assert_all_mocked)."""
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


@pytest.fixture
async def make_client(sleeps: SleepRecorder) -> AsyncIterator[Callable[..., KlingClient]]:
    """Builds clients with the test token, the test base URL and the recording sleep; closes them afterwards.

    Deterministic jitter (``random`` always 0) so that delays are exact: ``base_delay * 2**(n-1)``, capped.
    """
    made: list[KlingClient] = []

    def make(**overrides: Any) -> KlingClient:
        values: dict[str, Any] = {
            "token": TOKEN,
            "base_url": BASE,
            "sleep": sleeps,
            "read_retry": RetryPolicy(max_retries=3, base_delay=0.5, max_delay=4.0, random=lambda: 0.0),
            "capacity_retry": RetryPolicy(max_retries=2, base_delay=2.0, max_delay=10.0, random=lambda: 0.0),
        }
        values.update(overrides)
        kling = KlingClient(**values)
        made.append(kling)
        return kling

    yield make
    for kling in made:
        await kling.aclose()


@pytest.fixture
def client(make_client: Callable[..., KlingClient]) -> KlingClient:
    """The default client: read_retry max_retries=3 (base 0.5 s), capacity_retry max_retries=2 (base 2 s)."""
    return make_client()
