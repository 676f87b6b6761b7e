"""Any input through the MCP layer gets a result or a coded tool error, never a crash or a protocol error, and
invalid input never reaches upstream (property-based, with hypothesis)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import anyio
import respx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from kling_mcp.config import Settings
from kling_mcp.server import create_server
from tests.conftest import API, TOKEN
from tests.factories import MP4, account_detail, accounts, task
from tests.mcp_results import error_of

TOOLS = ["generate_video", "animate_image", "get_task", "download_clean", "get_balance", "list_jobs", "list_models"]
KEYS = [
    "prompt",
    "model_name",
    "aspect_ratio",
    "mode",
    "duration",
    "negative_prompt",
    "cfg_scale",
    "enable_audio",
    "email",
    "idempotency_key",
    "wait_seconds",
    "image",
    "image_tail",
    "task_id",
    "work_id",
    "save",
    "overwrite",
    "state",
    "since",
    "limit",
]
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=50)
    | st.sampled_from(
        [
            "kling-v3-0",
            "pro",
            "4k",
            "16:9",
            "5",
            "15",
            "sim:fail-7",
            "../../etc/passwd",
            "file:///etc/passwd",
            "data:image/png;base64,AAAA",
            "http://169.254.169.254/",
        ]
    ),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=8,
)
CALL = st.tuples(
    st.sampled_from(TOOLS), st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), JSON, max_size=6)
)


def _mock(router: respx.MockRouter) -> dict[str, respx.Route]:
    router.get("/accounts").respond(json=accounts("a@x.com"))
    router.get("/accounts/a@x.com").respond(json=account_detail())
    router.get(path__regex=r"/tasks/\d+").respond(json=task(42, 99, works=1))
    router.get("/assets/download").respond(json={"cdnUrl": "https://cdn.test/c.mp4", "status": "success"})
    router.get("https://cdn.test/c.mp4").respond(content=MP4)
    return {
        "create": router.post(path__regex=r"/videos/.*").respond(json=task(42)),
        "upload": router.post(path__regex=r"/assets/?").respond(json={"status": 3, "url": "https://cdn.test/u.png"}),
    }


async def _check(calls: list[tuple[str, dict[str, Any]]], settings_: Settings) -> None:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        routes = _mock(router)
        async with Client(create_server(settings_)) as client:
            for name, arguments in calls:
                spent_before = routes["create"].call_count + routes["upload"].call_count
                result = await client.call_tool(name, arguments)  # must not raise
                if result.is_error:
                    error = error_of(result)  # coded, in the text and in _meta, never structuredContent
                    assert error["code"] != "internal_error", (name, arguments)  # a crash, however well wrapped
                    if error["code"] == "invalid_parameter":
                        spent = routes["create"].call_count + routes["upload"].call_count
                        assert spent == spent_before, (name, arguments)
                else:
                    assert result.structured_content is not None
                assert TOKEN not in str(result.model_dump())


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(calls=st.lists(CALL, min_size=10, max_size=25))
def test_any_arguments_get_a_result_or_a_coded_error(make_settings: Any, calls: list[Any]) -> None:
    anyio.run(_check, calls, make_settings())


def test_oversized_inputs_are_refused_cheaply(make_settings: Any, tmp_path: Path) -> None:
    huge_uri = "data:image/png;base64," + base64.b64encode(b"\x89PNG" + bytes(15 * 1024 * 1024)).decode()
    deep: Any = "x"
    for _ in range(200):
        deep = {"a": deep}
    calls = [
        ("generate_video", {"prompt": "x" * (3 * 1024 * 1024)}),
        ("animate_image", {"image": huge_uri, "model_name": "kling-v2-5"}),
        ("generate_video", {"prompt": deep}),
        ("list_jobs", {"limit": 10**12}),
    ]
    anyio.run(_bounded, calls, make_settings())


async def _bounded(calls: list[tuple[str, dict[str, Any]]], settings_: Settings) -> None:
    with anyio.fail_after(120):  # only stops a hang; how fast is the benchmarks' business
        await _check(calls, settings_)
