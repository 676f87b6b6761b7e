"""``kling-mcp demo``: the whole flow for a new user, with no account.

It launches the real server over stdio with ``--simulate`` (an embedded simulator of useapi's Kling API),
connects as an MCP client, and walks: list tools, get_balance, generate_video (a v3 pro clip), get_task until
done with a progress line, download_clean, a second generation that the daily budget refuses, get_balance again
with its spending report. It prints what each step did and ends with the path of the clean MP4 and the credits
spent. Each run starts a fresh simulated account and ledger (a temporary state folder); the video is saved in the
usual output folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

PROMPT = "A majestic mountain landscape with snow-capped peaks and flowing rivers, camera slowly panning right"
# Room for the demo's one 5 s v3 pro clip with audio (60 credits) and not for a second one.
DEMO_BUDGET = 100
POLL_WAIT_S = 10
MAX_POLLS = 60


class DemoError(Exception):
    pass


def _step(number: int, text: str) -> None:
    print(f"\n[{number}] {text}", flush=True)


def _text(result: Any) -> str:
    return "\n".join(str(getattr(block, "text", "")) for block in result.content)


def _data(result: Any, what: str) -> dict[str, Any]:
    if result.is_error:
        raise DemoError(f"{what} failed: {result.content[0].text}")
    data: dict[str, Any] = result.structured_content
    return data


def _server(speed: float, state_dir: str) -> StdioServerParameters:
    env = {key: value for key, value in os.environ.items() if key.startswith(("KLING_MCP_", "PATH", "HOME"))}
    env.pop("USEAPI_TOKEN", None)
    env.update(KLING_MCP_STATE_DIR=state_dir, KLING_MCP_DAILY_BUDGET=str(DEMO_BUDGET))
    env.pop("KLING_MCP_MAX_CREDITS_PER_CALL", None)
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "kling_mcp", "--simulate", "--sim-speed", str(speed), "--log-level", "WARNING"],
        env=env,
    )


async def walk(speed: float) -> None:
    with tempfile.TemporaryDirectory(prefix="kling-mcp-demo-") as state_dir:
        await _walk(speed, state_dir)


async def _walk(speed: float, state_dir: str) -> None:
    started = time.monotonic()
    print("kling-mcp demo: the real server over stdio, backed by the embedded useapi Kling simulator.")
    print(f"No account, token or credits are used. Daily budget for the demo: {DEMO_BUDGET} credits.")
    async with Client(_server(speed, state_dir)) as client:
        _step(1, "tools/list")
        tools = (await client.list_tools()).tools
        print("    " + ", ".join(tool.name for tool in tools))

        _step(2, "get_balance")
        before = _data(await client.call_tool("get_balance", {}), "get_balance")
        print(
            f"    account {before['email']}: balance.total {before['balance_total']:g} (useapi's raw unit), "
            f"up to {before['max_jobs']} jobs at once"
        )

        _step(3, "generate_video  model kling-v3-0, mode pro, 5 s, 16:9")
        submitted = _data(
            await client.call_tool(
                "generate_video",
                {
                    "prompt": PROMPT,
                    "model_name": "kling-v3-0",
                    "mode": "pro",
                    "duration": 5,
                    "aspect_ratio": "16:9",
                    "idempotency_key": f"demo-{uuid.uuid4()}",
                },
            ),
            "generate_video",
        )
        task_id = submitted["task_id"]
        print(f"    task_id {task_id}: {submitted['state']} — estimated {submitted['estimated_credits']:g} credits")

        _step(4, f"get_task(task_id={task_id}, wait_seconds={POLL_WAIT_S}) until final")

        live = sys.stdout.isatty()
        last: list[str] = [""]

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            del progress, total  # the message says it all
            if live:
                print(f"\r    ⏳ {message or ''} ".ljust(78), end="", flush=True)
            elif message and message.split(";")[0] != last[0]:  # plain lines: one per state change
                last[0] = message.split(";")[0]
                print(f"    ⏳ {message}", flush=True)

        task: dict[str, Any] = submitted
        for _ in range(MAX_POLLS):
            task = _data(
                await client.call_tool(
                    "get_task", {"task_id": task_id, "wait_seconds": POLL_WAIT_S}, progress_callback=on_progress
                ),
                "get_task",
            )
            if task["final"]:
                break
        if live:
            print()
        if task["state"] != "succeeded":
            raise DemoError(f"task {task_id} ended {task['state']}: {task.get('error')}")
        video = task["videos"][0]
        print(f"    succeeded: work_id {video['work_id']}, {video['width']}x{video['height']}, {video['duration_s']} s")
        print(f"    watermarked preview: {video['url']}")

        _step(5, f"download_clean(task_id={task_id})")
        download = _data(await client.call_tool("download_clean", {"task_id": task_id}), "download_clean")
        kind = "clean master (no watermark)" if download["clean"] else "WATERMARKED preview"
        print(f"    saved the {kind}: {download['bytes']} bytes")

        _step(6, "generate_video again: the daily budget refuses it before anything is sent")
        refused = await client.call_tool(
            "generate_video",
            {"prompt": PROMPT, "model_name": "kling-v3-0", "mode": "pro", "duration": 5, "aspect_ratio": "16:9"},
        )
        if not refused.is_error:
            raise DemoError("the daily budget did not refuse the second generation")
        print("    " + _text(refused).replace("\n", "\n    "))

        _step(7, "get_balance again, with the spending report")
        after = _data(await client.call_tool("get_balance", {}), "get_balance")
        spent = before["balance_total"] - after["balance_total"]
        print(f"    balance.total {after['balance_total']:g} (was {before['balance_total']:g})")
        report = after["spending"]
        print(
            f"    spent in the last 24 h (estimated): {report['estimated_credits_24h']:g} credits; "
            f"{report['left_of_budget']:g} of the {report['daily_budget']:g}-credit budget left"
        )

    print(f"\nDone in {time.monotonic() - started:.0f} s.")
    print(f"Clean MP4: {download['path']}")
    print(
        f"Credits spent: {spent:g} in useapi's balance units (about {spent / 100:g} Kling credits; "
        f"estimate was {submitted['estimated_credits']:g})."
    )


def run_demo(speed: float = 20.0) -> int:
    try:
        anyio.run(walk, speed)
    except DemoError as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # the demo is for people: say what broke, briefly
        print(f"\ndemo failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
