"""The ``kling-mcp`` command: serve MCP (stdio or Streamable HTTP), or run the simulator, the demo, a batch, or
print client set-up. Argument parsing only; each command lives in its own module and is imported when used, so
that starting the server stays fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kling_mcp import __version__
from kling_mcp.client_config import CLIENTS
from kling_mcp.config import Settings, SettingsError
from kling_mcp.runtime import SIMULATED_TOKEN, configure_logging, simulated_settings

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

LOOPBACK = ("127.0.0.1", "localhost", "::1")
__all__ = ["SIMULATED_TOKEN", "build_parser", "configure_logging", "main", "simulated_settings"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kling-mcp",
        description="MCP server for Kling AI video generation through useapi.net. With no command it serves MCP "
        "over stdio.",
    )
    parser.add_argument("--version", action="version", version=f"kling-mcp {__version__}")
    _serve_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve MCP (the default)")
    _serve_options(serve)

    sim = commands.add_parser(
        "simulator",
        help="run the useapi Kling API simulator alone",
        description="Serve a simulator of useapi.net's Kling API v1 over HTTP, for trying kling-mcp or your own "
        "scripts without an account. Point USEAPI_BASE_URL at the URL it prints.",
    )
    sim.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    sim.add_argument("--port", type=int, default=8765, help="port to listen on; 0 picks a free one (default 8765)")
    sim.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="how many times faster than real time tasks finish: 1 is realistic (a few minutes), 20 takes seconds "
        "(default 1)",
    )
    sim.add_argument(
        "--accounts", default="demo@example.com", help="comma-separated Kling account emails (default demo@example.com)"
    )
    sim.add_argument(
        "--token", default=None, help="the only bearer token accepted (default: any non-empty token is accepted)"
    )
    sim.add_argument(
        "--max-jobs", type=int, default=3, help="concurrent jobs per account, useapi's maxJobs (default 3)"
    )
    sim.add_argument(
        "--state-dir",
        default=None,
        help="keep the simulated account (tasks, balances, uploads) in this folder so that it outlives the process "
        "(default: in memory only)",
    )

    demo = commands.add_parser("demo", help="walk the whole flow against the embedded simulator")
    demo.add_argument("--speed", type=float, default=20.0, help="simulator speed (default 20)")

    config = commands.add_parser(
        "print-config",
        help="print set-up for Claude Desktop, Claude Code, Cursor, VS Code",
        description="Print each MCP client's configuration for this installation. Every block on standard output "
        "is valid JSON (Claude Code: a shell command); headings go to standard error.",
    )
    config.add_argument("--simulate", action="store_true", help="set-up that runs on the simulator (no account)")
    config.add_argument("--client", choices=CLIENTS, default=None, help="print only this client's block")
    config.add_argument(
        "--http",
        action="store_true",
        help="set-up for a server already running with --transport http (adds the Authorization header when "
        "KLING_MCP_HTTP_TOKEN is set)",
    )
    config.add_argument("--host", default="127.0.0.1", help="with --http: the server's address (default 127.0.0.1)")
    config.add_argument("--port", type=int, default=8000, help="with --http: the server's port (default 8000)")

    spend = commands.add_parser(
        "spending",
        help="print the estimated credits spent, by day for the last 30 days, and the limits in force",
    )
    spend.add_argument("--days", type=int, default=30, help="how many days back (default 30)")
    spend.add_argument("--json", action="store_true", help="print JSON")
    spend.add_argument("--simulate", action="store_true", help="the ledger of the --simulate server")

    batch = commands.add_parser(
        "batch", help="generate every prompt of a prompts.json file (the format of useapi's Node batch script)"
    )
    batch.add_argument("prompts", help="path of the prompts JSON file")
    batch.add_argument("--email", default=None)
    batch.add_argument("--out", default=None, help="download folder (default KLING_MCP_OUTPUT_DIR)")
    batch.add_argument("--concurrency", type=int, default=None, help="jobs in flight (default: the account's maxJobs)")
    batch.add_argument("--dry-run", action="store_true", help="validate and price, submit nothing")
    batch.add_argument("--skip-invalid", action="store_true", help="submit the valid entries even if some are not")
    batch.add_argument("--json", action="store_true", help="print a machine-readable summary")
    batch.add_argument("--simulate", action="store_true", help="run against the embedded simulator")
    batch.add_argument("--speed", type=float, default=20.0, help="simulator speed with --simulate")
    return parser


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--transport",
        choices=["stdio", "http"],
        default=argparse.SUPPRESS,
        help="stdio (default) or http (Streamable HTTP at /mcp)",
    )
    parser.add_argument("--host", default=argparse.SUPPRESS, help="HTTP bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=argparse.SUPPRESS, help="HTTP port (default 8000)")
    parser.add_argument(
        "--stateless",
        action="store_true",
        default=argparse.SUPPRESS,
        help="stateless Streamable HTTP (for several instances behind a load balancer)",
    )
    parser.add_argument(
        "--simulate",
        action="store_true",
        default=argparse.SUPPRESS,
        help="back the server with an embedded simulator: no account or token needed",
    )
    parser.add_argument(
        "--sim-speed",
        type=float,
        default=argparse.SUPPRESS,
        help="with --simulate: how many times faster than real time tasks finish (default 20)",
    )
    parser.add_argument("--log-level", default=argparse.SUPPRESS, choices=["DEBUG", "INFO", "WARNING", "ERROR"])


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    command = args.command or "serve"
    try:
        if command == "serve":
            serve(args)
        elif command == "simulator":
            run_simulator(args)
        elif command == "demo":
            from kling_mcp.demo import run_demo

            sys.exit(run_demo(speed=args.speed))
        elif command == "print-config":
            from kling_mcp.client_config import print_config

            print_config(simulate=args.simulate, client=args.client, http=args.http, host=args.host, port=args.port)
        elif command == "spending":
            from kling_mcp.spending_report import report

            settings = Settings.from_env()
            if args.simulate:
                settings = replace(settings, state_dir=settings.state_dir / "simulated")
            report(settings, days=max(1, args.days), as_json=args.json)
        elif command == "batch":
            from kling_mcp.batch import run_batch_command

            sys.exit(run_batch_command(args))
    except SettingsError as exc:
        print(f"kling-mcp: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)


def serve(args: argparse.Namespace) -> None:
    transport = getattr(args, "transport", "stdio")
    host = getattr(args, "host", "127.0.0.1")
    port = getattr(args, "port", 8000)
    configure_logging(getattr(args, "log_level", "INFO"))
    settings = Settings.from_env()
    if transport == "http" and host not in LOOPBACK and settings.http_token is None:
        raise SettingsError(
            f"serving HTTP on {host} (not loopback) requires KLING_MCP_HTTP_TOKEN: MCP clients must then send it "
            "as a Bearer token"
        )
    from kling_mcp.server import create_server

    if getattr(args, "simulate", False) or settings.simulate:  # --simulate, or KLING_MCP_SIMULATE=true
        with simulated_settings(settings, speed=getattr(args, "sim_speed", 20.0)) as simulated:
            logging.getLogger(__name__).info("serving on the embedded simulator at %s", simulated.base_url)
            _run(create_server(simulated), transport, host, port, getattr(args, "stateless", False), settings)
    else:
        _run(create_server(settings), transport, host, port, getattr(args, "stateless", False), settings)


def _run(server: MCPServer[Any], transport: str, host: str, port: int, stateless: bool, settings: Settings) -> None:
    from kling_mcp.transport import run_http, run_stdio

    if transport == "http":
        run_http(server, host=host, port=port, stateless=stateless, http_token=settings.http_token)
    else:
        run_stdio(server)


def run_simulator(args: argparse.Namespace) -> None:
    from kling_mcp.simulator import SimulatorConfig, serve

    accounts = [a.strip() for a in args.accounts.split(",") if a.strip()]
    state_dir = Path(args.state_dir).expanduser() if args.state_dir else None
    config = SimulatorConfig(
        accounts=accounts, token=args.token, speed=args.speed, max_jobs=args.max_jobs, state_dir=state_dir
    )
    serve(config, host=args.host, port=args.port)
