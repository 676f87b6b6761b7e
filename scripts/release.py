"""Build everything a release of kling-mcp publishes, from one commit, and check it.

    python scripts/release.py            # check the generated files, build dist/ (sdist, wheel, .mcpb), run the checks
    python scripts/release.py --write    # regenerate manifest.json and server.json from the package, then stop
    python scripts/release.py --check    # exit 1 if manifest.json, server.json or icon.png are stale

What it builds, into dist/:
  1. ``python -m build``: kling_mcp-X.Y.Z.tar.gz and kling_mcp-X.Y.Z-py3-none-any.whl, then ``twine check --strict``;
  2. the MCP Bundle kling-mcp-X.Y.Z.mcpb: ``mcpb validate`` then ``mcpb pack`` of the repository root (manifest.json,
     filtered by .mcpbignore), with the pinned @anthropic-ai/mcpb of tests/release/node (installed by ``npm ci``);
  3. the checks: ``pytest tests/release`` against those very files (KLING_MCP_RELEASE_DIST points the tests at them).

manifest.json and server.json are generated here from the package itself: the version from kling_mcp/__init__.py
(the one version source), the tools and their descriptions from the server's own tools/list, the environment
variables from kling_mcp.config.ENVIRONMENT. Publishing (PyPI, the GitHub release with the .mcpb, the MCP Registry)
happens outside this repository; README.md, "Releasing", says how.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kling_mcp import __version__  # noqa: E402  (after the path set-up above)
from kling_mcp.config import ENVIRONMENT  # noqa: E402
from scripts.npm import NpmUnavailable, npm_ci  # noqa: E402

MANIFEST = ROOT / "manifest.json"
SERVER_JSON = ROOT / "server.json"
NODE_DIR = ROOT / "tests" / "release" / "node"
MCPB_CLI = NODE_DIR / "node_modules" / "@anthropic-ai" / "mcpb" / "dist" / "cli" / "cli.js"
DIST = ROOT / "dist"

# The repository's home. The GitHub owner is a placeholder ("kling-mcp") until the project has its real one: change
# it here, in pyproject.toml's [project.urls] and in README.md's mcp-name marker together (tests/release checks).
REPOSITORY = "https://github.com/kling-mcp/kling-mcp"
REGISTRY_NAME = "io.github.kling-mcp/kling-mcp"
# The registry's server.json schema this file follows (docs/reference/server-json/CHANGELOG.md of
# modelcontextprotocol/registry: 2025-12-11 is the newest published version).
REGISTRY_SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
TITLE = "Kling AI video (useapi.net)"
REGISTRY_DESCRIPTION = "Kling AI text/image-to-video via useapi.net: budgets, job ledger, clean downloads, simulator."

# MCPB manifest 0.4 is the first with the "uv" server type (MANIFEST.md of modelcontextprotocol/mcpb).
MANIFEST_VERSION = "0.4"
# The launch command: uv makes a virtual environment in the bundle's folder from its pyproject.toml (the first start
# fetches the dependencies; later starts need no network) and runs the kling-mcp command installed there.
LAUNCH = {"command": "uv", "args": ["run", "--directory", "${__dirname}", "kling-mcp"]}

# Variables of config.ENVIRONMENT that the registry entry leaves out: the stdio package never serves HTTP, and a
# ledger shared in PostgreSQL is for a team's HTTP replicas.
NOT_FOR_STDIO = {"KLING_MCP_HTTP_TOKEN", "KLING_MCP_DATABASE_URL"}
NUMBERS = {
    "KLING_MCP_WAIT_CAP",
    "KLING_MCP_MIN_POLL_INTERVAL",
    "KLING_MCP_DAILY_BUDGET",
    "KLING_MCP_MAX_CREDITS_PER_CALL",
    "KLING_MCP_MAX_RETRIES",
    "KLING_MCP_DOWNLOAD_TIMEOUT",
    "KLING_MCP_MAX_DOWNLOAD_MB",
}
BOOLEANS = {"KLING_MCP_AUTO_DOWNLOAD", "KLING_MCP_SIMULATE"}
PATHS = {"KLING_MCP_OUTPUT_DIR", "KLING_MCP_STATE_DIR"}
SECRETS = {"USEAPI_TOKEN", "KLING_MCP_HTTP_TOKEN"}
REQUIRED = {"USEAPI_TOKEN"}

SIMULATE_TEXT = (
    "Try kling-mcp with no account: an embedded simulator of useapi.net's Kling API answers instead, with real "
    "MP4 files and no credits spent."
)

# The bundle's settings form (Claude Desktop keeps the sensitive one in the OS keychain), in display order:
# key -> (environment variable, form fields). Descriptions come from config.ENVIRONMENT.
USER_CONFIG: dict[str, tuple[str, dict[str, Any]]] = {
    "useapi_token": (
        "USEAPI_TOKEN",
        {
            "type": "string",
            "title": "useapi.net API token",
            "extra": 'With "Simulate" on, any text will do: it is not used.',
            "sensitive": True,
            "required": True,
        },
    ),
    "kling_email": (
        "KLING_EMAIL",
        {"type": "string", "title": "Kling account email (optional)", "required": False},
    ),
    "output_dir": (
        "KLING_MCP_OUTPUT_DIR",
        {
            "type": "directory",
            "title": "Folder for the videos",
            "required": False,
            # MCPB defaults may use ${HOME}; a host that passes it unexpanded gets the same folder anyway, since
            # kling-mcp treats an unexpanded ${...} as unset and its own default is ~/Downloads/kling-mcp.
            "default": "${HOME}/Downloads/kling-mcp",
        },
    ),
    "simulate": (
        "KLING_MCP_SIMULATE",
        {"type": "boolean", "title": "Simulate (no account)", "text": SIMULATE_TEXT, "default": False},
    ),
    "daily_budget": (
        "KLING_MCP_DAILY_BUDGET",
        {"type": "number", "title": "Daily budget (credits, optional)", "required": False, "min": 0},
    ),
    "max_credits_per_call": (
        "KLING_MCP_MAX_CREDITS_PER_CALL",
        {"type": "number", "title": "Most credits one call may cost (optional)", "required": False, "min": 0},
    ),
}


def project() -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return data


@functools.cache
def tools() -> list[dict[str, str]]:
    """Every tool the server lists, with its description, asked of the server itself over MCP (in memory)."""
    import anyio
    from mcp import Client

    from kling_mcp.config import Settings
    from kling_mcp.server import create_server

    async def ask(folder: Path) -> list[dict[str, str]]:
        settings = Settings.from_env({}, state_dir=folder / "state", output_dir=folder / "out")
        async with Client(create_server(settings)) as client:
            return [{"name": t.name, "description": t.description or ""} for t in (await client.list_tools()).tools]

    with tempfile.TemporaryDirectory(prefix="kling-mcp-release-") as folder:
        return anyio.run(ask, Path(folder))


def user_config() -> dict[str, dict[str, Any]]:
    form: dict[str, dict[str, Any]] = {}
    for key, (variable, fields) in USER_CONFIG.items():
        entry = {k: v for k, v in fields.items() if k not in ("extra", "text")}
        description = fields.get("text") or ENVIRONMENT[variable]
        if "extra" in fields:
            description = f"{description} {fields['extra']}"
        form[key] = {"type": entry.pop("type"), "title": entry.pop("title"), "description": description, **entry}
    return form


def manifest() -> dict[str, Any]:
    """manifest.json of the MCP Bundle for Claude Desktop."""
    meta = project()
    return {
        "manifest_version": MANIFEST_VERSION,
        "name": meta["name"],
        "display_name": TITLE,
        "version": __version__,
        "description": meta["description"],
        "long_description": (
            "Generate videos with Kling AI on your own Kling account, through useapi.net's Kling API: text to video "
            "(`generate_video`), start/end frames to video (`animate_image`), waits with progress (`get_task`), the "
            "watermark-free master (`download_clean`) and your credits (`get_balance`).\n\n"
            "Every parameter is checked against a model catalog before anything is sent; every submission is "
            "written to a local job ledger first, so a task is never lost and never paid twice; a daily budget and "
            "a per-call limit stop a runaway agent.\n\n"
            "No account yet? Turn on **Simulate** to try everything against an embedded simulator of the API."
        ),
        "author": {"name": meta["authors"][0]["name"]},
        "repository": {"type": "git", "url": REPOSITORY},
        "homepage": REPOSITORY,
        "documentation": f"{REPOSITORY}#readme",
        "support": f"{REPOSITORY}/issues",
        "icon": "icon.png",
        "server": {
            "type": "uv",
            "entry_point": "kling_mcp/__main__.py",
            "mcp_config": {
                **LAUNCH,
                "env": {variable: f"${{user_config.{key}}}" for key, (variable, _) in USER_CONFIG.items()},
            },
        },
        "tools": tools(),
        "tools_generated": False,
        "keywords": meta["keywords"],
        "license": meta["license"],
        "compatibility": {
            "platforms": ["darwin", "win32", "linux"],
            "runtimes": {"python": meta["requires-python"]},
        },
        "user_config": user_config(),
    }


def environment_variables() -> list[dict[str, Any]]:
    entries = []
    for name, text in ENVIRONMENT.items():
        if name in NOT_FOR_STDIO:
            continue
        fmt = "number" if name in NUMBERS else "boolean" if name in BOOLEANS else "filepath" if name in PATHS else None
        entry: dict[str, Any] = {"name": name, "description": text}
        if fmt:
            entry["format"] = fmt
        entry["isRequired"] = name in REQUIRED
        entry["isSecret"] = name in SECRETS
        entries.append(entry)
    return entries


def server_json() -> dict[str, Any]:
    """server.json for the official MCP Registry (schema 2025-12-11)."""
    return {
        "$schema": REGISTRY_SCHEMA,
        "name": REGISTRY_NAME,
        "title": TITLE,
        "description": REGISTRY_DESCRIPTION,
        "repository": {"url": REPOSITORY, "source": "github"},
        "websiteUrl": f"{REPOSITORY}#readme",
        "version": __version__,
        "packages": [
            {
                "registryType": "pypi",
                "registryBaseUrl": "https://pypi.org",
                "identifier": project()["name"],
                "version": __version__,
                "runtimeHint": "uvx",
                "transport": {"type": "stdio"},
                "packageArguments": [
                    {
                        "type": "named",
                        "name": "--simulate",
                        "description": f"{SIMULATE_TEXT} A flag: it takes no value (KLING_MCP_SIMULATE=true does "
                        "the same).",
                        "isRequired": False,
                    }
                ],
                "environmentVariables": environment_variables(),
            }
        ],
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def generated() -> dict[Path, str]:
    return {MANIFEST: render(manifest()), SERVER_JSON: render(server_json())}


def stale() -> list[str]:
    """The generated files that differ from what the package says now (and icon.png, if not what its script draws)."""
    out = [path.name for path, text in generated().items() if not path.is_file() or path.read_text("utf-8") != text]
    from scripts.make_icon import ICON, SIZE, decode, pixels

    if not ICON.is_file() or decode(ICON.read_bytes()) != (SIZE, SIZE, pixels()):
        out.append(ICON.name)
    return out


# --- tools outside Python ----------------------------------------------------------------------------------------


class ToolUnavailable(RuntimeError):
    """A tool the build needs (node, npm and the npm registry, uv) cannot be had here."""


def mcpb_command() -> list[str]:
    """``node .../mcpb/dist/cli/cli.js``: the pinned @anthropic-ai/mcpb, installed with ``npm ci`` once (nothing to do
    when node_modules already matches the lock)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise ToolUnavailable("the MCP Bundle CLI (mcpb) needs node and npm on PATH")
    try:
        npm_ci(npm, NODE_DIR, timeout=600)
    except NpmUnavailable as exc:
        raise ToolUnavailable(str(exc)) from None
    if not MCPB_CLI.is_file():
        raise ToolUnavailable(f"npm ci did not install the mcpb CLI at {MCPB_CLI}")
    return [node, str(MCPB_CLI)]


def run(command: list[str], *, cwd: Path = ROOT, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done


def build_python(out: Path) -> tuple[Path, Path]:
    """``python -m build``: the sdist, then the wheel built from it. Returns (sdist, wheel)."""
    run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)])
    sdist = out / f"kling_mcp-{__version__}.tar.gz"
    wheel = out / f"kling_mcp-{__version__}-py3-none-any.whl"
    if not (sdist.is_file() and wheel.is_file()):
        raise RuntimeError(f"python -m build did not make {sdist.name} and {wheel.name} in {out}")
    return sdist, wheel


def twine_check(*files: Path) -> str:
    return run([sys.executable, "-m", "twine", "check", "--strict", *map(str, files)]).stdout


def validate_manifest() -> str:
    return run([*mcpb_command(), "validate", str(MANIFEST)]).stdout


def pack_bundle(out: Path) -> Path:
    """``mcpb pack`` of the repository root (manifest.json and .mcpbignore decide what goes in)."""
    bundle = out / f"kling-mcp-{__version__}.mcpb"
    run([*mcpb_command(), "pack", str(ROOT), str(bundle)])
    return bundle


def main(argv: list[str]) -> int:
    if "--write" in argv:
        for path, text in generated().items():
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if behind := stale():
        print(
            f"stale: {', '.join(behind)}. Run: python scripts/release.py --write (and python scripts/make_icon.py "
            "for icon.png)",
            file=sys.stderr,
        )
        return 1
    if "--check" in argv:
        print("manifest.json, server.json and icon.png are up to date")
        return 0

    shutil.rmtree(DIST, ignore_errors=True)
    DIST.mkdir()
    print(f"kling-mcp {__version__}: building into {DIST.relative_to(ROOT)}/")
    sdist, wheel = build_python(DIST)
    print(twine_check(sdist, wheel).strip())
    print(validate_manifest().strip().splitlines()[0])
    bundle = pack_bundle(DIST)
    print("checks: pytest tests/release on these files")
    checks = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/release"],
        cwd=ROOT,
        env={**os.environ, "KLING_MCP_RELEASE_DIST": str(DIST)},
        check=False,
    )
    if checks.returncode != 0:
        return checks.returncode
    print("\nready to publish:")
    for path in (sdist, wheel, bundle):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"  {path.relative_to(ROOT)!s:<40} {path.stat().st_size:>9} bytes  sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
