"""What every command sets up before it runs: logging on stderr, and settings pointed at an embedded simulator
(``--simulate``). Shared by the CLI and the batch command, so neither imports the other."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from pydantic import SecretStr

from kling_mcp.config import Settings

SIMULATED_TOKEN = "user:0-simulated"


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO; keep it quiet (URLs carry account emails).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


@contextmanager
def simulated_settings(settings: Settings, *, speed: float = 20.0) -> Iterator[Settings]:
    """Start an in-process simulator on a free loopback port and point the settings at it."""
    from kling_mcp.simulator import SimulatorConfig, run_in_thread

    # The simulated account lives beside the simulated ledger, so that it outlives the process as the ledger does.
    with run_in_thread(SimulatorConfig(speed=speed, state_dir=settings.state_dir / "simulated")) as sim:
        # Every setting carries over (limits, retries, caps); only where the API is and who we are change.
        yield replace(
            settings,
            token=SecretStr(SIMULATED_TOKEN),
            email=None,
            simulate=True,
            base_url=sim.base_url,
            state_dir=settings.state_dir / "simulated",
            database_url=None,  # simulated jobs never go into a team's shared ledger
            min_poll_interval=min(settings.min_poll_interval, 1.0),
        )
