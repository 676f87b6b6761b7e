"""One Settings object, built from the environment (and command-line flags). Nothing else reads ``os.environ``.

Every variable is listed in ``ENVIRONMENT`` with its meaning; the README's configuration table and
``kling-mcp print-config`` are generated from or checked against it. Errors name the variable, never its value
(the token must not leak through a configuration error).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from kling_mcp.api import DEFAULT_BASE_URL

ENVIRONMENT: dict[str, str] = {
    "USEAPI_TOKEN": "useapi.net API token (required unless --simulate).",
    "KLING_EMAIL": "Default Kling account email; when unset and useapi has exactly one account, that one is used.",
    "USEAPI_BASE_URL": f"API base URL (default {DEFAULT_BASE_URL}); /v1/kling/... is appended.",
    "KLING_MCP_OUTPUT_DIR": "Where videos are saved (default: ~/Downloads/kling-mcp, or ~/kling-mcp).",
    "KLING_MCP_STATE_DIR": "Where the job ledger (SQLite) lives (default: $XDG_STATE_HOME/kling-mcp or "
    "~/.local/state/kling-mcp).",
    "KLING_MCP_WAIT_CAP": "Longest wait_seconds a tool call may block, in seconds (default 50).",
    "KLING_MCP_MIN_POLL_INTERVAL": "Least time between two upstream polls of one task, in seconds (default 5).",
    "KLING_MCP_AUTO_DOWNLOAD": "Download the clean master of a finished task in the background (default true).",
    "KLING_MCP_ALLOWED_DIRS": "Folders local images may be read from, separated by the OS path separator "
    "(default: the home folder).",
    "KLING_MCP_CONFIRM": "Ask the user before spending credits: never | always | above:N (credits; default never).",
    "KLING_MCP_ACCOUNT_CHOICE": "With several accounts, no email and no KLING_EMAIL: ask (default: refuse, naming "
    "them) | most_free (a spending call uses the account with the most free job slots; the result names it).",
    "KLING_MCP_DAILY_BUDGET": "Most Kling credits (estimated) that may be spent in any rolling 24 hours; a call that "
    "would pass it is refused before anything is sent (default: no limit).",
    "KLING_MCP_MAX_CREDITS_PER_CALL": "Most Kling credits (estimated) one call may cost (default: no limit).",
    "KLING_MCP_MAX_RETRIES": "Retries of a read (GET) after a timeout, a 429 or a 5xx (default 3). A create refused "
    "with 429 is retried every 10 s, 6 times at most, within KLING_MCP_WAIT_CAP (at least 30 s), as useapi's guide "
    "does.",
    "KLING_MCP_DOWNLOAD_TIMEOUT": "Seconds a video download may take beyond 1 s per 50 kB received (default 120).",
    "KLING_MCP_MAX_DOWNLOAD_MB": "Largest file a download may write, in MB (default 2048).",
    "KLING_MCP_HTTP_TOKEN": "Bearer token MCP clients must send when serving HTTP on a non-loopback address.",
    "KLING_MCP_SIMULATE": "true: serve on the embedded simulator, as --simulate does (no account; default false).",
    "KLING_MCP_TOOLSETS": "Tool families to serve, comma-separated: core, video, elements, audio, images, account "
    "(default: all). core (generation, tasks, balance, models, uploads) is always served; fewer tools cost the agent "
    "fewer tokens a turn.",
    "KLING_MCP_TASKS": "Serve the MCP Tasks extension (io.modelcontextprotocol/tasks) to clients that declare it: "
    "spending tools answer a task handle (default true); false answers every client as one without it.",
    "KLING_MCP_APPS": "Show the video player in hosts that support MCP Apps (io.modelcontextprotocol/ui; default "
    "true); false serves every client as one without them.",
    "KLING_MCP_DATABASE_URL": "postgresql://user:password@host:5432/dbname: keep the job ledger in PostgreSQL, shared "
    "by several replicas (needs the postgres extra; default: a SQLite file in KLING_MCP_STATE_DIR).",
}

# The tool families KLING_MCP_TOOLSETS chooses from (the names of kling_mcp.tools' toolsets).
TOOLSET_NAMES: tuple[str, ...] = ("core", "video", "elements", "account", "audio", "images")

ConfirmPolicy = Literal["never", "always", "above"]
AccountChoice = Literal["ask", "most_free"]
ACCOUNT_CHOICES: tuple[AccountChoice, ...] = ("ask", "most_free")


class SettingsError(ValueError):
    """A configuration variable has a value that cannot be used. The message names the variable only."""


# useapi tokens look like ``user:<number>-<alnum>`` (reference §1, auth header). Values people leave in a
# configuration by mistake: the README's own placeholder, the docs' sample token, and the usual stand-ins.
_TOKEN_SHAPE = re.compile(r"user:\d+-[A-Za-z0-9]+")
_SAMPLE_TOKENS = {"user:1234-abcdefhijklmnopqrstuv", "user:1234-..."}
_UNFILLED = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_.]*\}")
_PLACEHOLDER_WORDS = ("your", "token", "changeme", "change-me", "placeholder", "replace", "example", "secret")


def token_placeholder(token: SecretStr | None) -> bool:
    """True when USEAPI_TOKEN is obviously not a real token (such as ``<your useapi.net API token>``), which would
    otherwise fail upstream only after seconds of retries. A value of the documented shape is never refused, except
    the documentation's own sample."""
    if token is None:
        return False
    value = token.get_secret_value().strip()
    if value in _SAMPLE_TOKENS:
        return True
    if _TOKEN_SHAPE.fullmatch(value):
        return False
    lowered = value.lower()
    if len(value) < 8 or set(lowered) <= {"x", "*", ".", "-", "_", "…"}:
        return True
    if value.startswith(("<", "{", "$", "[")) or value.endswith((">", "}", "]")) or any(c.isspace() for c in value):
        return True
    return any(word in lowered for word in _PLACEHOLDER_WORDS)


@dataclass(frozen=True)
class Settings:
    token: SecretStr | None = None
    email: str | None = None
    base_url: str = DEFAULT_BASE_URL
    output_dir: Path = field(default_factory=lambda: default_output_dir())
    state_dir: Path = field(default_factory=lambda: default_state_dir())
    wait_cap: float = 50.0
    min_poll_interval: float = 5.0
    auto_download: bool = True
    allowed_dirs: tuple[Path, ...] = field(default_factory=lambda: (Path.home(),))
    confirm: ConfirmPolicy = "never"
    confirm_above: float = 0.0
    account_choice: AccountChoice = "ask"
    daily_budget: float | None = None
    max_credits_per_call: float | None = None
    max_retries: int = 3
    max_download_bytes: int = 2048 * 1024 * 1024
    download_timeout: float = 120.0
    http_token: SecretStr | None = None
    simulate: bool = False
    toolsets: tuple[str, ...] = TOOLSET_NAMES
    apps: bool = True
    tasks: bool = True
    database_url: SecretStr | None = None  # a secret: the URL may carry the database's password

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        # An MCP Bundle host (Claude Desktop) leaves "${user_config.KEY}" in place when the user left an optional
        # field empty (MCPB manifest spec, variable substitution): such a value means "not set".
        env = {key: value for key, value in env.items() if not _UNFILLED.search(value)}

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        settings = cls()
        values: dict[str, object] = {}
        if (token := text("USEAPI_TOKEN")) is not None:
            values["token"] = SecretStr(token)
        if (email := text("KLING_EMAIL")) is not None:
            values["email"] = email
        if (base := text("USEAPI_BASE_URL")) is not None:
            if not base.startswith(("http://", "https://")):
                raise SettingsError("USEAPI_BASE_URL must start with http:// or https://")
            values["base_url"] = base.rstrip("/")
        if (out := text("KLING_MCP_OUTPUT_DIR")) is not None:
            values["output_dir"] = Path(out).expanduser()
        if (state := text("KLING_MCP_STATE_DIR")) is not None:
            values["state_dir"] = Path(state).expanduser()
        values["wait_cap"] = _number(env, "KLING_MCP_WAIT_CAP", settings.wait_cap, minimum=0, maximum=3600)
        values["min_poll_interval"] = _number(
            env, "KLING_MCP_MIN_POLL_INTERVAL", settings.min_poll_interval, minimum=0, maximum=600
        )
        values["auto_download"] = _flag(env, "KLING_MCP_AUTO_DOWNLOAD", settings.auto_download)
        if (dirs := text("KLING_MCP_ALLOWED_DIRS")) is not None:
            values["allowed_dirs"] = tuple(Path(d).expanduser() for d in dirs.split(os.pathsep) if d.strip())
        if (confirm := text("KLING_MCP_CONFIRM")) is not None:
            values.update(_confirm(confirm))
        if (choice := text("KLING_MCP_ACCOUNT_CHOICE")) is not None:
            values["account_choice"] = _account_choice(choice)
        for name, key in (
            ("KLING_MCP_DAILY_BUDGET", "daily_budget"),
            ("KLING_MCP_MAX_CREDITS_PER_CALL", "max_credits_per_call"),
        ):
            if text(name) is not None:
                values[key] = _number(env, name, 0, minimum=0, maximum=1e9)
        values["max_retries"] = int(_number(env, "KLING_MCP_MAX_RETRIES", settings.max_retries, minimum=0, maximum=20))
        megabytes = _number(
            env, "KLING_MCP_MAX_DOWNLOAD_MB", settings.max_download_bytes / 2**20, minimum=1, maximum=1 << 20
        )
        values["max_download_bytes"] = int(megabytes * 2**20)
        values["download_timeout"] = _number(
            env, "KLING_MCP_DOWNLOAD_TIMEOUT", settings.download_timeout, minimum=1, maximum=86400
        )
        if (http_token := text("KLING_MCP_HTTP_TOKEN")) is not None:
            values["http_token"] = SecretStr(http_token)
        values["simulate"] = _flag(env, "KLING_MCP_SIMULATE", settings.simulate)
        if (toolsets := text("KLING_MCP_TOOLSETS")) is not None:
            values["toolsets"] = _toolsets(toolsets)
        values["apps"] = _flag(env, "KLING_MCP_APPS", settings.apps)
        values["tasks"] = _flag(env, "KLING_MCP_TASKS", settings.tasks)
        if (database_url := text("KLING_MCP_DATABASE_URL")) is not None:
            if not database_url.startswith(("postgresql://", "postgres://")):
                raise SettingsError(
                    "KLING_MCP_DATABASE_URL must be a PostgreSQL URL starting with postgresql:// "
                    "(postgresql://user:password@host:5432/dbname), or be unset to keep the ledger in SQLite"
                )
            values["database_url"] = SecretStr(database_url)
        values.update(overrides)
        return replace(settings, **values)  # type: ignore[arg-type]


def _number(env: Mapping[str, str], name: str, default: float, *, minimum: float, maximum: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number from {minimum:g} to {maximum:g}") from None
    if not (minimum <= value <= maximum):
        raise SettingsError(f"{name} must be a number from {minimum:g} to {maximum:g}")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false")


def _confirm(raw: str) -> dict[str, object]:
    lowered = raw.strip().lower()
    if lowered in ("never", "always"):
        return {"confirm": lowered}
    if lowered.startswith(("above:", "above ")):
        try:
            return {"confirm": "above", "confirm_above": float(lowered[6:])}
        except ValueError:
            pass
    raise SettingsError("KLING_MCP_CONFIRM must be never, always, or above:N (N credits)")


def _account_choice(raw: str) -> AccountChoice:
    lowered = raw.strip().lower().replace("-", "_")
    for choice in ACCOUNT_CHOICES:
        if lowered == choice:
            return choice
    raise SettingsError(f"KLING_MCP_ACCOUNT_CHOICE must be one of {', '.join(ACCOUNT_CHOICES)}")


def _toolsets(raw: str) -> tuple[str, ...]:
    """The families named (``core`` always among them), in TOOLSET_NAMES order; an unknown name is refused."""
    names = {name.strip().lower() for name in raw.split(",") if name.strip()}
    unknown = sorted(names - set(TOOLSET_NAMES))
    if unknown:
        raise SettingsError(
            f"KLING_MCP_TOOLSETS names unknown toolset(s) {', '.join(unknown)}; allowed: {', '.join(TOOLSET_NAMES)} "
            "(comma-separated; core is always on)"
        )
    return tuple(name for name in TOOLSET_NAMES if name == "core" or name in names)


def default_output_dir() -> Path:
    home = Path.home()
    downloads = home / "Downloads"
    return (downloads if downloads.is_dir() else home) / "kling-mcp"


def default_state_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "kling-mcp"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "kling-mcp"
    xdg = os.environ.get("XDG_STATE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".local" / "state") / "kling-mcp"
