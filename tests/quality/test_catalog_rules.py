"""What the user asked for is what is sent and billed: every argument the catalog accepts reaches the upstream body
unchanged, and an omitted one takes its documented default. Each test held mutants of the catalog's request building
that survived (mutmut, see tests/quality/mutation.py): an argument dropped or replaced there still passes every
check, and the user pays for a different video than the one asked for.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import respx
from mcp import Client

from tests.factories import accounts, task

pytestmark = pytest.mark.anyio

START = "https://s21-kling.klingai.com/frames/start.png"
END = "https://s21-kling.klingai.com/frames/end.png"


def _creates(api: respx.MockRouter, path: str) -> respx.Route:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    return api.post(path).respond(json=task(42))


async def _sent(client: Client, route: respx.Route, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    body: dict[str, Any] = json.loads(route.calls.last.request.content)
    return body


async def test_every_text_to_video_argument_reaches_the_request(client: Client, api: respx.MockRouter) -> None:
    """Mutants killed: in the text-to-video request, the duration validated but not used (``_duration(spec, None)``),
    ``cfg_scale`` or ``aspect_ratio`` dropped or replaced (``aspect_ratio and ASPECT_RATIOS[0]``)."""
    create = _creates(api, "/videos/text2video")
    asked = {
        "prompt": "a fox in the snow",
        "model_name": "kling-v1-6",
        "aspect_ratio": "9:16",
        "mode": "pro",
        "duration": 10,
        "negative_prompt": "blur",
        "cfg_scale": 0.7,
    }
    assert await _sent(client, create, "generate_video", asked) == {
        **asked,
        "duration": "10",
        "email": "a@x.com",
    }
    defaults = await _sent(client, create, "generate_video", {"prompt": "a fox", "model_name": "kling-v1-6"})
    assert defaults == {
        "prompt": "a fox",
        "model_name": "kling-v1-6",
        "aspect_ratio": "16:9",  # the documented default
        "mode": "std",
        "duration": "5",
        "email": "a@x.com",
    }


async def test_every_image_to_video_argument_reaches_the_request(client: Client, api: respx.MockRouter) -> None:
    """Mutants killed: in the image-to-video request, the duration validated but not used, and ``prompt``,
    ``negative_prompt`` or ``cfg_scale`` dropped (the clip would ignore how the user asked the image to move)."""
    create = _creates(api, "/videos/image2video-frames")
    asked = {
        "image": START,
        "image_tail": END,
        "prompt": "the fox turns its head",
        "model_name": "kling-v1-6",
        "mode": "pro",
        "duration": 10,
        "negative_prompt": "blur",
        "cfg_scale": 0.3,
    }
    assert await _sent(client, create, "animate_image", asked) == {**asked, "duration": "10", "email": "a@x.com"}
