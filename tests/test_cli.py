"""The command line a person types: print-config's blocks are valid JSON one by one, HTTP set-up carries the bearer
token the server will require, and a placeholder token is refused at once."""

from __future__ import annotations

import io
import json
import shlex
from pathlib import Path

import pytest
from pydantic import SecretStr

from kling_mcp.client_config import CLIENTS, print_config
from kling_mcp.config import Settings, token_placeholder


def _printed(**kwargs: object) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    print_config(out=out, err=err, **kwargs)  # type: ignore[arg-type]
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("client", [c for c in CLIENTS if c != "claude-code"])
@pytest.mark.parametrize("simulate", [False, True])
def test_each_config_file_block_is_valid_json_on_its_own(client: str, simulate: bool) -> None:
    out, err = _printed(client=client, simulate=simulate)
    document = json.loads(out)
    servers = document["servers"] if client == "vscode" else document["mcpServers"]
    (entry,) = servers.values()
    assert Path(entry["command"]).is_absolute()
    assert ("--simulate" in entry["args"]) is simulate
    assert err == ""  # --client prints the block alone


def test_claude_code_block_is_one_shell_command() -> None:
    out, _ = _printed(client="claude-code")
    words = shlex.split(out)
    assert words[:3] == ["claude", "mcp", "add"] and "--" in words
    assert "USEAPI_TOKEN=<your useapi.net API token>" in words


def test_http_config_points_at_the_mcp_endpoint_with_the_bearer_token() -> None:
    settings = Settings.from_env({}, http_token=SecretStr("s3cret-http"))
    out, _ = _printed(client="claude-desktop", http=True, host="127.0.0.1", port=8123, settings=settings)
    entry = json.loads(out)["mcpServers"]["kling"]
    assert entry == {
        "type": "http",
        "url": "http://127.0.0.1:8123/mcp",
        "headers": {"Authorization": "Bearer s3cret-http"},
    }
    without, _ = _printed(client="vscode", http=True, settings=Settings.from_env({}))
    assert json.loads(without)["servers"]["kling"] == {"type": "http", "url": "http://127.0.0.1:8000/mcp"}
    command, _ = _printed(client="claude-code", http=True, port=8123, settings=settings)
    assert shlex.split(command) == [
        "claude", "mcp", "add", "--transport", "http", "kling", "http://127.0.0.1:8123/mcp",
        "--header", "Authorization: Bearer s3cret-http",
    ]  # fmt: skip


def test_all_blocks_go_to_stdout_and_headings_to_stderr() -> None:
    out, err = _printed()
    assert "#" not in out and "Claude Desktop" in err and "KLING_MCP_CONFIRM" in err
    assert out.count('"mcpServers"') == 2 and out.count('"servers"') == 1


@pytest.mark.parametrize(
    "value",
    ["<your useapi.net API token>", "user:1234-abcdefhijklmnopqrstuv", "YOUR_TOKEN", "xxx", "${USEAPI_TOKEN}", "todo"],
)
def test_placeholder_tokens_are_recognised(value: str) -> None:
    assert token_placeholder(SecretStr(value))


@pytest.mark.parametrize("value", ["user:4242-CANARYTOKENxyz", "user:1-x", "user:0-simulated", "abc123def456ghi"])
def test_real_looking_tokens_are_not_refused(value: str) -> None:
    assert not token_placeholder(SecretStr(value))


def test_the_example_desktop_config_uses_an_absolute_command_like_print_config() -> None:
    example = json.loads((Path(__file__).parent.parent / "claude_desktop_config.example.json").read_text())
    for entry in example["mcpServers"].values():
        # Claude Desktop starts servers with a minimal PATH: a bare command name is not found.
        assert entry["command"].startswith("/") and entry["command"].endswith("/kling-mcp")
    printed, _ = _printed(client="claude-desktop")
    assert set(json.loads(printed)["mcpServers"]["kling"]) == set(example["mcpServers"]["kling"])


def test_simulate_keeps_every_setting_but_where_the_api_is(tmp_path: Path) -> None:
    from dataclasses import fields

    from kling_mcp.cli import simulated_settings

    settings = Settings.from_env(
        {
            "KLING_MCP_STATE_DIR": str(tmp_path / "state"),
            "KLING_MCP_MAX_RETRIES": "7",
            "KLING_MCP_MAX_DOWNLOAD_MB": "12",
            "KLING_MCP_DAILY_BUDGET": "90",
            "KLING_MCP_MAX_CREDITS_PER_CALL": "40",
            "KLING_MCP_DOWNLOAD_TIMEOUT": "33",
        }
    )
    with simulated_settings(settings, speed=1000) as simulated:
        changed = {f.name for f in fields(Settings) if getattr(simulated, f.name) != getattr(settings, f.name)}
        assert changed <= {"token", "simulate", "base_url", "state_dir", "min_poll_interval"}
        assert simulated.state_dir == tmp_path / "state" / "simulated"
        assert (simulated.max_retries, simulated.daily_budget, simulated.max_credits_per_call) == (7, 90, 40)


def test_the_spending_command_reports_the_ledger_by_day(tmp_path: Path) -> None:
    from kling_mcp.jobs.ledger import Ledger
    from kling_mcp.spending_report import report

    ledger = Ledger(tmp_path / "jobs.sqlite3")
    for n, (model, credits) in enumerate((("kling-v1-6", 20.0), ("kling-v3-0", 60.0), ("kling-v1-6", 20.0))):
        job = ledger.begin_sync(
            kind="text2video", params={}, email="a@x.com", model_name=model, prompt="p", credits_estimated=credits
        )
        if n == 2:  # refused upstream: not counted
            ledger._update_sync(job.id, state="rejected")
    ledger.close()
    settings = Settings.from_env({}, state_dir=tmp_path, daily_budget=200.0)
    out = io.StringIO()
    report(settings, days=3, as_json=True, out=out)
    document = json.loads(out.getvalue())
    assert document["last_24h"]["estimated_credits"] == 80 and document["last_24h"]["jobs"] == 2
    assert document["last_24h"]["by_model"] == {"kling-v1-6": 20, "kling-v3-0": 60}
    assert document["last_24h"]["left_of_budget"] == 120
    assert [d["estimated_credits"] for d in document["days"]] == [0, 0, 80]
    text = io.StringIO()
    report(settings, days=3, out=text)
    assert "daily budget 200 (120 left)" in text.getvalue() and "total" in text.getvalue()
