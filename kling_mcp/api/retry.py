"""The one retry policy: what is safe to retry, how long to wait, and when to give up.

Reads (GET) are idempotent, so they retry on connection errors, timeouts, 429 and 5xx. Creates (POST) spend
credits, so they retry only when the job was certainly not accepted: a 429 (reference §4.4: "every eligible
account is at its maxJobs limit") or a connection that failed before the request was sent. Anything after the
request left the machine is the caller's to decide (see SubmitOutcomeUnknownError): a timeout, and a 408, 502,
503 or 504, which a gateway or proxy may answer while useapi goes on to accept the job.

Backoff is exponential with jitter, capped per wait; a ``Retry-After`` header is honoured when it is sane and
within the cap (anchors: the Anthropic/OpenAI SDKs' ``_calculate_retry_timeout``). The total time is not the
policy's business: the client gives every call one budget that bounds its sends and its waits together.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

RETRYABLE_READ_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# On a create these say nothing about the job: a proxy timed out or lost the upstream, which may have taken it.
OUTCOME_UNKNOWN_CREATE_STATUSES = frozenset({408, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff. ``max_retries`` counts retries, so a call is tried ``max_retries + 1`` times."""

    max_retries: int = 3
    base_delay: float = 1.0
    max_delay: float = 10.0
    jitter: float = 0.25
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def delay(self, retry_number: int, retry_after: str | None = None) -> float:
        """Seconds to wait before retry number ``retry_number`` (1-based); always finite and in [0, max_delay]."""
        server_delay = parse_retry_after(retry_after)
        if server_delay is not None and server_delay <= self.max_delay:
            return server_delay
        exponent = min(max(retry_number - 1, 0), 60)
        backoff = min(self.base_delay * math.pow(2.0, exponent), self.max_delay)
        factor = 1.0 - self.jitter * self.random()
        return max(0.0, min(backoff * factor, self.max_delay))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date); None when absent or unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        try:
            seconds = email.utils.mktime_tz(parsed) - (time.time() if now is None else now)
        except (OverflowError, ValueError):
            return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


# useapi guide's Node script (reference §4.4): on a 429 it sleeps 10 s (SLEEP_429) and resubmits, giving up after
# MAX_429_RETRIES = 6 retries. Fixed waits without jitter, as there; a Retry-After up to 10 s is honoured.
CAPACITY_RETRY = RetryPolicy(max_retries=6, base_delay=10.0, max_delay=10.0, jitter=0.0)
