"""The release files agree with the package: one version everywhere, manifest.json and server.json generated from the
server itself (tools, environment), server.json valid against the MCP Registry's published schema, complete PyPI
metadata, and settings from a Claude Desktop bundle that kling-mcp understands. Fast: nothing is built here."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import trove_classifiers
from jsonschema import Draft7Validator

from kling_mcp import __version__
from kling_mcp.cli import main as cli_main
from kling_mcp.client_config import running_under_uvx, stdio_entry
from kling_mcp.config import ENVIRONMENT, Settings
from scripts import make_icon, release
from tests.release.mcpb_host import launch_config

ROOT = release.ROOT
SCHEMA_FILE = Path(__file__).with_name("server.schema.2025-12-11.json")
# server.schema.2025-12-11.json is byte for byte the registry's published schema
# https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json: the file generated from
# modelcontextprotocol/registry's docs/reference/api/openapi.yaml (docs/reference/server-json/server.schema.json at the
# 2025-12-11 release), whose sha256 public projects pin as below; tests/release/README.md says how it was obtained.
SCHEMA_SHA256 = "3fba09590c99f61735d234822279f4223fab9e300c0a81e81c91ab62a4114de0"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# --- one version -------------------------------------------------------------------------------------------------


def test_the_version_has_one_source_and_every_copy_agrees(capsys: pytest.CaptureFixture[str]) -> None:
    pyproject = _pyproject()
    assert "version" not in pyproject["project"] and pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "kling_mcp/__init__.py"
    manifest, server = _json(release.MANIFEST), _json(release.SERVER_JSON)
    assert manifest["version"] == __version__
    assert server["version"] == __version__
    assert [p["version"] for p in server["packages"]] == [__version__]
    with pytest.raises(SystemExit) as exited:
        cli_main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"kling-mcp {__version__}"


def test_the_changelog_has_a_section_for_each_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+[^\]]*)\]", changelog, flags=re.M)
    assert __version__ in versions
    assert len(versions) == len(set(versions))


# --- generated from the server ------------------------------------------------------------------------------------


def test_the_manifest_lists_every_tool_the_server_lists_with_its_description() -> None:
    """A tool added, removed or re-described in the server and not in manifest.json fails here: regenerate with
    python scripts/release.py --write."""
    listed = _json(release.MANIFEST)["tools"]
    assert listed == release.tools()
    assert {t["name"] for t in listed} >= {"generate_video", "animate_image", "get_task", "download_clean"}
    assert all(t["description"] for t in listed)


def test_manifest_and_server_json_are_what_the_release_script_generates() -> None:
    for path, text in release.generated().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: python scripts/release.py --write"


def test_the_icon_is_ours_a_512_png_drawn_by_its_script() -> None:
    data = (ROOT / "icon.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert make_icon.decode(data) == (512, 512, make_icon.pixels())


# --- the bundle's settings ----------------------------------------------------------------------------------------


def test_the_bundle_form_asks_for_the_token_account_folder_simulate_and_limits() -> None:
    manifest = _json(release.MANIFEST)
    form = manifest["user_config"]
    assert form["useapi_token"] | {"description": ""} == {
        "type": "string",
        "title": "useapi.net API token",
        "description": "",
        "sensitive": True,
        "required": True,
    }
    assert form["kling_email"]["type"] == "string" and form["kling_email"]["required"] is False
    assert form["output_dir"]["type"] == "directory"
    assert form["output_dir"]["default"] == "${HOME}/Downloads/kling-mcp"
    assert form["simulate"]["type"] == "boolean" and form["simulate"]["default"] is False
    for key in ("daily_budget", "max_credits_per_call"):
        assert form[key]["type"] == "number" and form[key]["required"] is False and form[key]["min"] == 0
    env = manifest["server"]["mcp_config"]["env"]
    assert env == {
        "USEAPI_TOKEN": "${user_config.useapi_token}",
        "KLING_EMAIL": "${user_config.kling_email}",
        "KLING_MCP_OUTPUT_DIR": "${user_config.output_dir}",
        "KLING_MCP_SIMULATE": "${user_config.simulate}",
        "KLING_MCP_DAILY_BUDGET": "${user_config.daily_budget}",
        "KLING_MCP_MAX_CREDITS_PER_CALL": "${user_config.max_credits_per_call}",
    }
    for variable, template in env.items():
        key = template.removeprefix("${user_config.").removesuffix("}")
        if key != "simulate":
            assert form[key]["description"].startswith(ENVIRONMENT[variable]), key
    assert manifest["server"]["type"] == "uv" and manifest["manifest_version"] == "0.4"
    assert (ROOT / manifest["server"]["entry_point"]).is_file()


def _launch(values: dict[str, Any]) -> dict[str, Any] | None:
    return launch_config(
        _json(release.MANIFEST), "/opt/bundle", values, system_dirs={"HOME": "/home/u", "DOWNLOADS": "/home/u/dl"}
    )


def test_settings_left_empty_in_claude_desktop_reach_kling_mcp_as_unset() -> None:
    """An optional field left empty stays "${user_config.KEY}" in the environment (the MCPB reference substitution):
    kling-mcp must start anyway and take it as unset, not refuse "${user_config.daily_budget}" as a number."""
    launched = _launch({"useapi_token": "user:1-abc", "simulate": True})
    assert launched is not None
    assert launched["command"] == "uv"
    assert launched["args"] == ["run", "--directory", "/opt/bundle", "kling-mcp"]
    env = launched["env"]
    assert env["KLING_MCP_DAILY_BUDGET"] == "${user_config.daily_budget}"  # what the host really passes
    assert env["KLING_MCP_OUTPUT_DIR"] == "${HOME}/Downloads/kling-mcp"  # a default, as written
    settings = Settings.from_env(env)
    assert settings.simulate is True
    assert (settings.email, settings.daily_budget, settings.max_credits_per_call) == (None, None, None)
    assert settings.output_dir == Settings.from_env({}).output_dir  # the same folder as the default says
    assert settings.token is not None and settings.token.get_secret_value() == "user:1-abc"


def test_settings_filled_in_claude_desktop_reach_kling_mcp() -> None:
    launched = _launch(
        {
            "useapi_token": "user:1-abc",
            "kling_email": "me@example.com",
            "output_dir": "/home/u/Videos",
            "simulate": False,
            "daily_budget": 500,
            "max_credits_per_call": 80.5,
        }
    )
    assert launched is not None
    settings = Settings.from_env(launched["env"])
    assert settings.email == "me@example.com"
    assert settings.output_dir == Path("/home/u/Videos")
    assert (settings.simulate, settings.daily_budget, settings.max_credits_per_call) == (False, 500, 80.5)


def test_without_the_token_claude_desktop_does_not_start_the_server() -> None:
    assert _launch({"simulate": True}) is None


# --- the registry entry -------------------------------------------------------------------------------------------


def test_the_vendored_registry_schema_is_the_published_2025_12_11_one() -> None:
    data = SCHEMA_FILE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256
    assert json.loads(data)["$id"] == release.REGISTRY_SCHEMA


def test_server_json_validates_against_the_registry_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_bytes())
    Draft7Validator.check_schema(schema)
    server = _json(release.SERVER_JSON)
    errors = sorted(Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER).iter_errors(server), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    assert server["$schema"] == schema["$id"]
    # and the validator does catch what the registry refuses
    assert list(Draft7Validator(schema).iter_errors({**server, "description": "x" * 101}))
    assert list(Draft7Validator(schema).iter_errors({**server, "name": "kling-mcp"}))


def test_server_json_describes_the_pypi_package_its_variables_and_the_simulate_flag() -> None:
    server = _json(release.SERVER_JSON)
    assert re.fullmatch(r"io\.github\.[A-Za-z0-9-]+/kling-mcp", server["name"])
    assert server["title"] and server["description"] and server["repository"]["url"] == release.REPOSITORY
    (package,) = server["packages"]
    assert package["registryType"] == "pypi" and package["identifier"] == _pyproject()["project"]["name"]
    assert package["transport"] == {"type": "stdio"}
    variables = {v["name"]: v for v in package["environmentVariables"]}
    assert set(variables) == set(ENVIRONMENT) - release.NOT_FOR_STDIO
    assert all(v["description"] == ENVIRONMENT[name] for name, v in variables.items())
    assert variables["USEAPI_TOKEN"]["isRequired"] is True and variables["USEAPI_TOKEN"]["isSecret"] is True
    assert [name for name, v in variables.items() if v["isSecret"] or v["isRequired"]] == ["USEAPI_TOKEN"]
    assert package["packageArguments"] == [
        {
            "type": "named",
            "name": "--simulate",
            "description": package["packageArguments"][0]["description"],
            "isRequired": False,
        }
    ]


def test_the_readme_carries_the_registry_ownership_marker() -> None:
    """The registry accepts a PyPI package only if its description (our README) says mcp-name: <server name>."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"mcp-name: {_json(release.SERVER_JSON)['name']}" in readme


# --- PyPI metadata ------------------------------------------------------------------------------------------------


def test_the_project_metadata_is_complete_and_every_classifier_is_real() -> None:
    project = _pyproject()["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert project["readme"] == {"file": "README.md", "content-type": "text/markdown"}
    assert set(project["urls"]) >= {"Homepage", "Repository", "Issues", "Changelog"}
    assert all(url.startswith(release.REPOSITORY) for url in project["urls"].values())
    unknown = [c for c in project["classifiers"] if c not in trove_classifiers.classifiers]
    assert not unknown, f"PyPI refuses unknown classifiers: {unknown}"
    exists = "Framework :: MCP" in trove_classifiers.classifiers  # not yet in trove-classifiers 2026.9.21.13
    assert ("Framework :: MCP" in project["classifiers"]) == exists, "add 'Framework :: MCP' now that it exists"
    minimum = int(project["requires-python"].removeprefix(">=3."))
    versions = [int(c.rsplit(".", 1)[1]) for c in project["classifiers"] if re.fullmatch(r".*Python :: 3\.\d+", c)]
    assert min(versions) == minimum and versions == list(range(minimum, max(versions) + 1))


def test_the_readme_leads_its_install_section_with_uvx_and_pipx() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.index("## Install") < readme.index("## Two commands on a fresh machine")
    install = readme.split("## Install\n")[1].split("\n## ")[0]
    blocks = re.findall(r"```bash\n(.+?)```", install, flags=re.S)
    assert blocks[0].startswith("uvx kling-mcp") and blocks[1].startswith("pipx install kling-mcp")
    assert ".mcpb" in install and "git clone" in blocks[-1]  # the three paths, the clone last
    assert readme.index("## Releasing") < readme.index("## Development")


# --- print-config under uvx ---------------------------------------------------------------------------------------


def _venv(folder: Path, *, made_by_uv: bool) -> Path:
    folder.mkdir(parents=True)
    lines = ["home = /usr/bin", "include-system-site-packages = false"] + (["uv = 0.9.0"] if made_by_uv else [])
    (folder / "pyvenv.cfg").write_text("\n".join(lines) + "\n")
    return folder


def test_uvx_environments_are_told_apart_from_installed_ones(tmp_path: Path) -> None:
    assert running_under_uvx(str(_venv(tmp_path / "cache" / "uv" / "archive-v0" / "Xy12", made_by_uv=True)))
    assert not running_under_uvx(str(_venv(tmp_path / "tools" / "kling-mcp", made_by_uv=True)))  # uv tool install
    assert not running_under_uvx(str(_venv(tmp_path / "archive-v0" / "plain", made_by_uv=False)))
    assert not running_under_uvx(str(tmp_path / "archive-v0" / "missing"))


def test_print_config_under_uvx_gives_the_uvx_form_with_uvx_by_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = _venv(tmp_path / "cache" / "archive-v0" / "Xy12", made_by_uv=True)
    bin_dir = tmp_path / "uv-bin"
    bin_dir.mkdir()
    for name in ("uv", "uvx"):
        (bin_dir / name).write_text("#!/bin/sh\n")
    monkeypatch.setattr("sys.prefix", str(prefix))
    monkeypatch.setenv("UV", str(bin_dir / "uv"))
    assert stdio_entry(False) | {"env": {}} == {"command": str(bin_dir / "uvx"), "args": ["kling-mcp"], "env": {}}
    assert stdio_entry(True) == {"command": str(bin_dir / "uvx"), "args": ["kling-mcp", "--simulate"], "env": {}}
