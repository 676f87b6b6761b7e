"""KLING_MCP_TOOLSETS: tools/list shows exactly the chosen families (core always), and an unknown family stops the
server at start-up with a message naming the allowed ones."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from kling_mcp import cli
from kling_mcp.config import TOOLSET_NAMES, Settings, SettingsError
from kling_mcp.server import create_server
from kling_mcp.tools import TOOLSETS
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio

CORE = {"generate_video", "animate_image", "get_task", "download_clean", "get_balance", "list_jobs", "list_models",
        "list_uploads", "delete_uploads"}  # fmt: skip
VIDEO = {"omni_video", "multi_image_video", "extend_video", "motion_control", "list_motions", "apply_effect",
         "list_effects"}  # fmt: skip
ELEMENTS = {"create_element", "list_elements", "delete_element"}
AUDIO = {"lip_sync", "add_sound", "avatar_video", "text_to_speech", "list_voices", "list_avatars", "create_avatar",
         "delete_avatar"}  # fmt: skip
IMAGES = {"generate_image", "upscale_image", "virtual_try_on", "recognize_faces"}
ACCOUNT = {"delete_task", "get_capacity", "stop_tracking"}
EVERY = CORE | VIDEO | ELEMENTS | AUDIO | IMAGES | ACCOUNT


def test_the_families_are_the_declared_toolsets() -> None:
    assert {toolset.name for toolset in TOOLSETS} == set(TOOLSET_NAMES)
    declared = {name: {spec.name for t in TOOLSETS if t.name == name for spec in t.tools} for name in TOOLSET_NAMES}
    assert declared == {
        "core": CORE,
        "video": VIDEO,
        "elements": ELEMENTS,
        "audio": AUDIO,
        "images": IMAGES,
        "account": ACCOUNT,
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, EVERY),
        ("", EVERY),
        ("core", CORE),
        ("video", CORE | VIDEO),
        ("elements", CORE | ELEMENTS),
        (" Video , elements ", CORE | VIDEO | ELEMENTS),
        ("audio,images,account", CORE | AUDIO | IMAGES | ACCOUNT),
        ("core,video", CORE | VIDEO),
    ],
)
async def test_tools_list_shows_exactly_the_chosen_families(
    make_settings: Any, value: str | None, expected: set[str]
) -> None:
    environ = {} if value is None else {"KLING_MCP_TOOLSETS": value}
    chosen = Settings.from_env(environ).toolsets
    async with Client(create_server(make_settings(toolsets=chosen))) as c:
        names = [tool.name for tool in (await c.list_tools()).tools]
    assert set(names) == expected and len(names) == len(expected)


async def test_a_tool_of_a_family_not_served_is_unknown(make_settings: Any) -> None:
    async with Client(create_server(make_settings(toolsets=("core",)))) as c:
        err = error_of(await c.call_tool("omni_video", {"prompt": "a fox"}))
    assert err["code"] == "unknown_tool"


@pytest.mark.parametrize("value", ["vidoe", "core,sound", "video;elements"])
def test_an_unknown_family_is_refused_naming_the_allowed_ones(value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"KLING_MCP_TOOLSETS": value})
    message = str(refused.value)
    assert "KLING_MCP_TOOLSETS" in message and "core, video, elements" in message


def test_the_server_does_not_start_with_an_unknown_family(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KLING_MCP_TOOLSETS", "core,vidoe")
    monkeypatch.setenv("USEAPI_TOKEN", "user:1-abcdefgh")
    served: list[Any] = []
    monkeypatch.setattr(cli, "_run", lambda *args: served.append(args))
    with pytest.raises(SystemExit) as stopped:
        cli.main([])
    assert stopped.value.code == 2 and not served
    err = capsys.readouterr().err
    assert "configuration error" in err and "vidoe" in err and "core, video, elements" in err


async def test_the_server_instructions_speak_of_the_families_served_only(make_settings: Any) -> None:
    async with Client(create_server(make_settings(toolsets=("core",)))) as c:
        core_only = c.instructions or ""
    async with Client(create_server(make_settings(toolsets=("core", "video", "elements")))) as c:
        every = c.instructions or ""
    assert "generate_video" in core_only and "omni_video" not in core_only and "create_element" not in core_only
    assert "omni_video" in every and "extend_video" in every and "create_element" in every
