"""Images: paths with a NUL, special files and FIFOs get their own invalid_parameter; a refusal outside the allowed
folders says nothing about what exists there; the limit is 10,000,000 bytes; remote images not on Kling's CDN are
fetched through the download URL filter and uploaded, Kling-CDN URLs pass as they are."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import respx
from mcp import Client

from kling_mcp.jobs import uploads
from kling_mcp.server import create_server
from tests.factories import accounts, task
from tests.mcp_results import error_of
from tests.tools.test_long_jobs import png

pytestmark = pytest.mark.anyio

UPLOADED = "https://s21-kling.klingai.com/u/1.png"


def routes(api: respx.MockRouter) -> tuple[respx.Route, respx.Route]:
    api.get("/accounts").respond(json=accounts("a@x.com"))
    upload = api.post("/assets/").respond(json={"status": 3, "url": UPLOADED, "message": "", "fileName": "1.png"})
    create = api.post("/videos/image2video-frames").respond(json=task(42))
    return upload, create


async def animate(settings: Any, image: str) -> Any:
    async with Client(create_server(settings)) as c:
        with anyio.fail_after(20):  # a FIFO or /proc file must not hang the call
            return await c.call_tool("animate_image", {"image": image, "model_name": "kling-v2-5"})


# --- local files ---------------------------------------------------------------------------------------------------


async def test_a_path_with_a_nul_is_invalid(make_settings: Any, api: respx.MockRouter, tmp_path: Path) -> None:
    upload, _ = routes(api)
    for value in (str(tmp_path / "a\x00b.png"), "file://" + str(tmp_path) + "/a%00b.png"):
        err = error_of(await animate(make_settings(), value))
        assert err["code"] == "invalid_parameter" and "NUL" in err["message"], value
    assert not upload.called


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs /proc")
@pytest.mark.parametrize("name", ["mem", "environ"])
async def test_a_proc_file_inside_an_allowed_folder_is_never_read(
    make_settings: Any, api: respx.MockRouter, name: str
) -> None:
    upload, _ = routes(api)
    settings = make_settings(allowed_dirs=(Path("/proc"),))
    err = error_of(await animate(settings, f"/proc/self/{name}"))
    assert err["code"] == "invalid_parameter" and "special file" in err["message"]
    assert not upload.called


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
async def test_a_fifo_is_not_a_regular_file(make_settings: Any, api: respx.MockRouter, tmp_path: Path) -> None:
    routes(api)
    fifo = tmp_path / "frame.png"
    os.mkfifo(fifo)
    err = error_of(await animate(make_settings(), str(fifo)))
    assert err["code"] == "invalid_parameter" and "not a regular file" in err["message"]


async def test_outside_the_folders_exists_or_not_gets_the_same_answer(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path
) -> None:
    routes(api)
    allowed, elsewhere = tmp_path / "allowed", tmp_path / "elsewhere"
    allowed.mkdir()
    elsewhere.mkdir()
    (elsewhere / "there.png").write_bytes(png())
    (allowed / "link").symlink_to(elsewhere)
    settings = make_settings(allowed_dirs=(allowed,))
    answers = []
    for value in (
        elsewhere / "there.png",
        elsewhere / "missing.png",
        allowed / ".." / "elsewhere" / "there.png",
        allowed / ".." / "elsewhere" / "missing.png",
        allowed / "link" / "there.png",
        allowed / "link" / "missing.png",
    ):
        err = error_of(await animate(settings, str(value)))
        answers.append((err["code"], err["message"].split('": ', 1)[1], err["hint"]))
    assert len(set(answers)) == 1 and "outside the folders" in answers[0][1]


async def test_a_missing_file_inside_the_folders_says_so(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path
) -> None:
    routes(api)
    err = error_of(await animate(make_settings(), str(tmp_path / "missing.png")))
    assert err["code"] == "invalid_parameter" and "no such file" in err["message"]


def padded_png(size: int) -> bytes:
    data = png()
    return data + bytes(size - len(data))


@pytest.mark.parametrize(("size", "accepted"), [(10_000_000, True), (10_000_001, False)])
async def test_the_limit_is_ten_million_bytes(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path, size: int, accepted: bool
) -> None:
    upload, _ = routes(api)
    image = tmp_path / "big.png"
    image.write_bytes(padded_png(size))
    result = await animate(make_settings(), str(image))
    if accepted:
        assert not result.is_error, result.content
        assert upload.calls.last.request.content == image.read_bytes()
    else:
        err = error_of(result)
        assert err["code"] == "invalid_parameter" and "10,000,000 bytes" in err["message"] and not upload.called


def test_data_uris_have_the_same_limit() -> None:
    assert uploads.MAX_IMAGE_BYTES == 10_000_000


# --- remote images -------------------------------------------------------------------------------------------------


async def test_a_remote_image_is_fetched_without_the_token_and_uploaded(
    make_settings: Any, api: respx.MockRouter
) -> None:
    upload, create = routes(api)
    remote = api.get("https://images.test/start.png").respond(content=png())
    result = await animate(make_settings(), "https://images.test/start.png")
    assert not result.is_error, result.content
    assert "authorization" not in remote.calls.last.request.headers
    assert upload.calls.last.request.content == png()
    assert upload.calls.last.request.headers["content-type"] == "image/png"
    assert json.loads(create.calls.last.request.content)["image"] == UPLOADED


@pytest.mark.parametrize(
    "url",
    ["https://s21-kling.klingai.com/u/start.png", "https://v15-kling.klingai.com/x.jpg", "https://api.test/cdn/up/1"],
)
async def test_kling_cdn_urls_pass_as_they_are(make_settings: Any, api: respx.MockRouter, url: str) -> None:
    upload, create = routes(api)
    result = await animate(make_settings(), url)
    assert not result.is_error, result.content
    assert not upload.called and json.loads(create.calls.last.request.content)["image"] == url
    assert [c for c in api.calls if c.request.url.host not in ("api.test",)] == []


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://169.254.169.254/latest/meta-data/iam", "internal address"),
        ("http://100.100.100.200/latest/meta-data", "internal address"),
        ("https://klingai.com.evil.test/a.png", None),
        ("http://[::1", "malformed"),
    ],
)
async def test_remote_images_go_through_the_url_filter(
    make_settings: Any, api: respx.MockRouter, url: str, words: str | None
) -> None:
    upload, create = routes(api)
    evil = api.get("https://klingai.com.evil.test/a.png").respond(content=b"<html>phish</html>")
    err = error_of(await animate(make_settings(), url))
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == "image"
    assert words is None or words in err["message"]
    if words is None:
        assert evil.called and "not a JPEG, PNG" in err["message"]  # fetched, not passed through
    assert not upload.called and not create.called


async def test_a_remote_image_over_the_limit_is_refused_without_reading_it_all(
    make_settings: Any, api: respx.MockRouter
) -> None:
    upload, _ = routes(api)
    served: list[int] = []

    class Endless(httpx.SyncByteStream):
        def __iter__(self) -> Any:
            yield png()
            while True:
                served.append(1 << 16)
                yield bytes(1 << 16)

    api.get("https://images.test/huge.png").mock(side_effect=lambda request: httpx.Response(200, stream=Endless()))
    err = error_of(await animate(make_settings(), "https://images.test/huge.png"))
    assert err["code"] == "invalid_parameter" and "10 MB" in err["message"] and not upload.called
    assert sum(served) < 11_000_000


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
def test_on_kling_cdn() -> None:
    assert uploads.on_kling_cdn("https://s21-kling.klingai.com/a.png")
    assert uploads.on_kling_cdn("https://klingai.com/a.png")
    assert not uploads.on_kling_cdn("https://klingai.com.evil.test/a.png")
    assert not uploads.on_kling_cdn("https://notklingai.com/a.png")
    assert uploads.on_kling_cdn("http://127.0.0.1:8765/cdn/uploads/x", ("127.0.0.1", 8765))
    assert not uploads.on_kling_cdn("http://127.0.0.1:8766/cdn/uploads/x", ("127.0.0.1", 8765))
