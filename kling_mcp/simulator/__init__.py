"""A faithful simulator of useapi.net's Kling API v1: a real HTTP server (Starlette on uvicorn) on loopback, for
trying kling-mcp without an account, the demo, the end-to-end tests and the benchmarks.

Behaviour follows useapi.net's guide "Kling v3 via the Kling API" and ../shared/reference/useapi-kling-api.md; where
the real API's behaviour is unknown the code says which inference it rests on ([INF]). What a create call accepts is
the simulator's own reading of the docs (``rules.py``), independent of the client's catalog. Triggers (words in a
prompt) reach every documented unhappy path on purpose: see ``TRIGGERS``.
"""

from kling_mcp.simulator.app import create_app
from kling_mcp.simulator.config import TRIGGERS, SimulatorConfig
from kling_mcp.simulator.runner import RunningSimulator, run_in_thread, serve
from kling_mcp.simulator.state import SimulatorState

__all__ = ["TRIGGERS", "RunningSimulator", "SimulatorConfig", "SimulatorState", "create_app", "run_in_thread", "serve"]
