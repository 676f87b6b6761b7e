"""The useapi token never leaves through a tool result, a log line, an error, the ledger or a written file.

A recognisable canary token drives every tool through success and through every error path the upstream can
produce; everything the server emits is then scanned for it. The test also checks that the token really was sent
to the API (so the scan is not vacuous) and never to a media host.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from mcp import Client

from kling_mcp.config import Settings
from kling_mcp.server import create_server
from tests.conftest import TOKEN
from tests.factories import MP4, account_detail, accounts, task

pytestmark = pytest.mark.anyio

ERRORS: list[httpx.Response | Exception] = [
    httpx.Response(401, json={"error": "Unauthorized", "code": 401}),
    httpx.Response(402, json={"error": "Subscription required", "code": 402}),
    httpx.Response(404, json={"error": f"nothing for {TOKEN}"}),  # even an upstream echoing the token
    httpx.Response(429, json={"error": "busy", "code": 429}),
    httpx.Response(500, json={"error": "The content appears to violate the community guidelines."}),
    httpx.Response(500, json={"error": "Internal error"}),
    httpx.Response(596, json={"error": "session broken"}),
    httpx.Response(502, text=f"<html><body><h1>Bad gateway</h1>{TOKEN}</body></html>"),
    httpx.Response(200, text="not json"),
    httpx.Response(200, json={"unexpected": True}),
    httpx.ConnectError("refused"),
    httpx.ReadTimeout("slow"),
]


async def _drive(client: Client, tmp_path: Path) -> list[str]:
    """Call every tool once; return everything the client received, as text."""
    image = tmp_path / "frame.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 8 + b"IHDR" + (400).to_bytes(4, "big") * 2 + b"\x08\x02")
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_balance", {}),
        ("generate_video", {"prompt": "a fox", "idempotency_key": None}),
        ("animate_image", {"image": str(image), "model_name": "kling-v2-5"}),
        ("get_task", {"task_id": 42, "wait_seconds": 0.05}),
        ("download_clean", {"task_id": 42}),
        ("list_jobs", {}),
        ("list_models", {}),
        ("generate_video", {"prompt": "x", "model_name": "nope"}),
    ]
    seen = []
    for name, args in calls:
        result = await client.call_tool(name, {k: v for k, v in args.items() if v is not None})
        seen.append(json.dumps(result.model_dump(mode="json"), default=str))
    for uri in ("kling://models", "kling://jobs/42"):
        try:
            seen.append(json.dumps((await client.read_resource(uri)).model_dump(mode="json")))
        except Exception as exc:  # a missing job is a protocol error; its text is output too
            seen.append(repr(exc))
    return seen


def _routes(api: respx.MockRouter, outcome: httpx.Response | Exception | None) -> None:
    def answer(ok: httpx.Response) -> Any:
        if outcome is None:
            return ok
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    api.get("/accounts").mock(side_effect=lambda request: answer(httpx.Response(200, json=accounts("a@x.com"))))
    api.get("/accounts/a@x.com").mock(side_effect=lambda request: answer(httpx.Response(200, json=account_detail())))
    for path in ("/videos/text2video", "/videos/image2video-frames"):
        api.post(path).mock(side_effect=lambda request: answer(httpx.Response(200, json=task(42))))
    api.post("/assets/").mock(
        side_effect=lambda request: answer(
            httpx.Response(200, json={"status": 3, "url": "https://cdn.test/up.png", "message": ""})
        )
    )
    api.get("/tasks/42").mock(side_effect=lambda request: answer(httpx.Response(200, json=task(42, 99, works=1))))
    api.get("/assets/download").mock(
        side_effect=lambda request: answer(
            httpx.Response(200, json={"cdnUrl": "https://cdn.test/clean.mp4", "status": "success"})
        )
    )
    api.get("https://cdn.test/clean.mp4").respond(content=MP4)
    api.get("https://cdn.test/42/0/preview.mp4").respond(content=MP4)


def _scan_files(settings: Settings) -> list[str]:
    found = []
    for folder in (settings.state_dir, settings.output_dir):
        if folder.exists():
            for path in folder.rglob("*"):
                if path.is_file() and TOKEN.encode() in path.read_bytes():
                    found.append(str(path))
    return found


@pytest.mark.parametrize("outcome", [None, *ERRORS], ids=lambda o: "ok" if o is None else repr(o)[:40])
async def test_the_token_never_leaks(
    make_settings: Any,
    api: respx.MockRouter,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    outcome: httpx.Response | Exception | None,
) -> None:
    caplog.set_level(logging.DEBUG)
    _routes(api, outcome)
    settings = make_settings(allowed_dirs=(tmp_path,))
    async with Client(create_server(settings)) as client:
        seen = await _drive(client, tmp_path)
    emitted = "\n".join(seen)
    logs = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''} {r.exc_info!r}" for r in caplog.records)
    assert TOKEN not in emitted
    assert TOKEN not in logs
    assert _scan_files(settings) == []
    api_calls = [c.request for c in api.calls if c.request.url.host == "api.test"]
    assert api_calls and all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in api_calls)
    media_calls = [c.request for c in api.calls if c.request.url.host == "cdn.test"]
    assert all("authorization" not in r.headers for r in media_calls)
