"""The MCP Apps player as a person sees it: rendered by a host in headless Chromium (Debian's package, driven by
playwright-core), with the ext-apps host bridge from npm, fed a real get_task result of ``kling-mcp --simulate``
(node/player_host.mjs says how). The video loads and plays under the CSP the resource declares, and the download
button makes the host call download_clean, after which the clean master plays. The screenshots stay in the test's
temporary folder (one of them is docs/player.png).

Without Chromium (``apt-get install chromium``) the test is skipped, except under CI (CI=true), where it fails:
.ci/run installs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.clients.conftest import NodeClients, stdio_server
from tests.outside import unavailable

pytestmark = pytest.mark.real_clients

PLAYER_URI = "ui://kling-mcp/player.html"


@pytest.fixture(scope="session")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        unavailable("the player test needs Debian's Chromium (apt-get install chromium)")
        raise AssertionError("unreachable")
    return found


def test_the_player_plays_the_video_and_saves_the_clean_master(
    node_clients: NodeClients, chromium: str, tmp_path: Path
) -> None:
    shots = {"preview": str(tmp_path / "player-preview.png"), "clean": str(tmp_path / "player-clean.png")}
    plan: dict[str, Any] = {
        "server": stdio_server(tmp_path),
        "chromium": chromium,
        "userDataDir": str(tmp_path / "chromium-profile"),  # a fresh profile
        "screenshots": shots,
        "timeoutMs": 60000,
    }
    out = node_clients.run("player_host.mjs", json.dumps(plan))
    errors = [line for line in out["console"] if line.startswith(("error", "pageerror"))]
    assert not errors, out["console"]

    # The host found the player through the tool and read it with its CSP.
    assert out["tool"]["meta"]["ui"] == {"resourceUri": PLAYER_URI}
    assert out["resource"]["mimeType"] == "text/html;profile=mcp-app"
    domains = out["resource"]["meta"]["ui"]["csp"]["resourceDomains"]
    task = out["result"]["structuredContent"]
    assert task["state"] == "succeeded"
    preview_url = task["videos"][0]["url"]
    assert any(preview_url.startswith(domain) for domain in domains), (preview_url, domains)
    assert f"media-src 'self' data: https://*.klingai.com {domains[1]}" in out["viewCsp"]

    # The watermarked preview, labelled as such, loads and plays: its readyState and currentTime advance.
    preview = out["preview"]
    assert preview["badge"] == "WATERMARKED preview"
    assert preview["prompt"] == "a paper boat drifting down a rainy street, cinematic"
    facts = preview["facts"]
    assert task["model_name"] in facts and f"{task['estimated_credits']:g} (estimated)" in facts
    assert f"{task['videos'][0]['duration_s']} s" in facts
    assert preview["loaded"]["src"] == preview_url and preview["loaded"]["readyState"] >= 1
    assert preview["loaded"]["error"] is None
    first, later = preview["first"], preview["later"]
    assert first["readyState"] >= 2 and not first["paused"] and first["currentTime"] > 0.2
    assert later["currentTime"] > first["currentTime"]
    assert preview["downloadVisible"]

    # The button round-trips a tools/call of download_clean; the saved clean master then plays from the server.
    work_id = task["videos"][0]["work_id"]
    arguments = {"task_id": task["task_id"], "work_id": work_id, "email": task["email"]}
    assert out["calls"] == [{"name": "download_clean", "arguments": arguments}]
    assert out["reads"] == [f"kling://videos/{task['task_id']}/{work_id}"]
    download = out["download"]
    assert download["badge"] == "Clean master (no watermark)"
    assert download["message"].startswith(f"Saved the clean master (no watermark) of task {task['task_id']}")
    assert download["video"]["src"].startswith("data:video/mp4;base64,") and download["video"]["readyState"] >= 1
    assert download["duration"] > 0 and not download["downloadVisible"]
    for shot in shots.values():
        assert Path(shot).read_bytes().startswith(b"\x89PNG")
