"""The simulator's settings and the prompt words that trigger each upstream behaviour on purpose."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_ACCOUNT = "demo@example.com"

# Words in a prompt that make the simulator behave as the real API does in its less happy moments.
TRIGGERS: dict[str, str] = {
    "sim:moderation": "the create call is refused with HTTP 500 and Kling's community-guidelines text",
    "sim:moderation-later": "accepted, then the poll answers 404 once processing ends: failed at moderation",
    "sim:fail-N": "accepted, then ends with terminal failure status N, one of 6, 7, 9, 50, 53, 54, 58",
    "sim:vanish": "accepted, then the poll answers 404: the task was deleted",
    "sim:slow": "takes ten times longer than usual",
}
FAILURE_CODES = (6, 7, 9, 50, 53, 54, 58)


@dataclass
class SimulatorConfig:
    """How the simulated useapi account behaves.

    Attributes:
        accounts: Kling account emails configured at "useapi". A local part starting with ``free`` (or an email in
            ``free_accounts``) is a free Kling plan: its clean download is refused.
        token: the only bearer token accepted; None accepts any non-empty token.
        speed: time divisor: 20 makes every task finish 20 times faster than the realistic default.
        max_jobs: concurrent jobs per account (useapi's maxJobs); the next create answers 429.
        credits: Kling credits each account starts with (reported x 100, see state.py).
        queue_seconds / process_seconds: time in "submitted" and in "processing" at speed 1; process_seconds None
            picks a realistic, model-dependent time.
        media_padding_bytes: pad every served video with a trailing MP4 ``free`` box of this size (benchmarks).
        first_task_id: ids count up from here; None picks one from the clock so that restarts do not reuse ids.
        state_dir: keep the account (tasks, balances, uploads) in a file in this folder, so that it outlives the
            process; None keeps it in memory.
    """

    accounts: list[str] = field(default_factory=lambda: [DEFAULT_ACCOUNT])
    token: str | None = None
    speed: float = 1.0
    max_jobs: int = 3
    credits: float = 660.0
    free_accounts: set[str] = field(default_factory=set)
    queue_seconds: float = 5.0
    process_seconds: float | None = None
    media_padding_bytes: int = 0
    first_task_id: int | None = None
    state_dir: Path | None = None

    def is_free(self, email: str) -> bool:
        return email in self.free_accounts or email.split("@")[0].lower().startswith("free")


def triggers_markdown() -> str:
    """The README's trigger table (a test keeps the README equal to it)."""
    rows = ["| word in the prompt | what the simulator does |", "|---|---|"]
    rows += [f"| `{word}` | {effect} |" for word, effect in TRIGGERS.items()]
    return "\n".join(rows)
