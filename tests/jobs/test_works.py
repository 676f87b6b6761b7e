"""Works of every kind (reference §6.1: works[].contentType "video" | "image" | "audio"): get_task lists a task's
images and audio beside its videos, and download_clean asks GET /assets/download for the fileType of the work's kind
(reference §7.2: MP4, MP3, WAV, PNG), saves it under its kind's suffix after its kind's content check, and, when no
work_id is given, takes the first work and names the others."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import respx
from mcp import Client

from kling_mcp.server import create_server
from kling_mcp.simulator import media
from tests.conftest import TOKEN
from tests.factories import accounts, task
from tests.jobs.mp4 import COMPLETE
from tests.jobs.test_audio import mp3, wav
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio

PNG = media.cover("1:1")  # a whole PNG (signature, IHDR, IDAT, IEND)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(200) + b"\xff\xd9"
MP3 = mp3(40)
WAV = wav(2.0)


def work(work_id: int, kind: str | None, url: str, **resource: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {"workId": work_id, "status": 99, "resource": {"resource": url, **resource}}
    if kind is not None:
        answer["contentType"] = kind
    return answer


def finished(api: respx.MockRouter, works: list[dict[str, Any]]) -> respx.Route:
    """Task 42, succeeded with ``works``; returns the GET /assets/download route (answered per fileTypes)."""
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.get("/tasks/42").respond(json={**task(42, 99), "works": works})

    def clean(request: httpx.Request) -> httpx.Response:
        kind = request.url.params["fileTypes"].lower()
        return httpx.Response(200, json={"cdnUrl": f"https://cdn.test/clean/{request.url.params['workIds']}.{kind}"})

    return api.get("/assets/download").mock(side_effect=clean)


def image_task(api: respx.MockRouter, preview: str = "https://cdn.test/42/0/preview.png") -> respx.Route:
    return finished(api, [work(420, "image", preview, width=1024, height=1024, duration=0)])


def audio_task(api: respx.MockRouter) -> respx.Route:
    return finished(
        api,
        [
            work(420, "audio", "https://cdn.test/42/0/speech.mp3", duration=2322),
            work(421, "audio", "https://cdn.test/42/1/speech.wav", duration=2000),
        ],
    )


async def test_get_task_lists_an_image_work_as_an_image(client: Client, api: respx.MockRouter) -> None:
    image_task(api)
    result = await client.call_tool("get_task", {"task_id": 42})
    out = result.structured_content
    assert out["videos"] == [] and out["audio"] == []
    assert out["images"] == [
        {
            "work_id": 420,
            "url": "https://cdn.test/42/0/preview.png",
            "watermarked": True,
            "width": 1024,
            "height": 1024,
            "local_path": None,
        }
    ]
    text = result.content[0].text
    assert "Image work_id 420 (watermarked preview): https://cdn.test/42/0/preview.png" in text
    assert "Video work_id" not in text and "outputs" not in text  # one work: today's next step, as it was


async def test_the_clean_image_is_asked_as_png_and_saved_as_one(
    client: Client, api: respx.MockRouter, settings: Any
) -> None:
    clean = image_task(api)
    api.get("https://cdn.test/clean/420.png").respond(content=PNG)
    result = await client.call_tool("download_clean", {"task_id": 42})
    out = result.structured_content
    assert not result.is_error, result.content
    assert clean.calls.last.request.url.params["fileTypes"] == "PNG"
    assert clean.calls.last.request.url.params["workIds"] == "420"
    assert out["kind"] == "image" and out["clean"] is True and out["other_work_ids"] == []
    assert Path(out["path"]) == settings.output_dir / "kling_42_420.png" and Path(out["path"]).read_bytes() == PNG
    assert "Saved the clean image master (no watermark) of task 42" in result.content[0].text
    link = result.content[1]
    assert link.type == "resource_link" and link.mime_type == "image/png" and link.name == "kling_42_420.png"
    # get_task now names where the clean image is.
    again = (await client.call_tool("get_task", {"task_id": 42})).structured_content
    assert again["images"][0]["local_path"] == out["path"]


async def test_a_refused_clean_image_falls_back_to_the_preview_in_its_own_format(
    client: Client, api: respx.MockRouter, settings: Any
) -> None:
    image_task(api, "https://cdn.test/42/0/preview.jpeg")
    api.get("/assets/download").respond(403, json={"error": "This feature requires a paid plan"})
    api.get("https://cdn.test/42/0/preview.jpeg").respond(content=JPEG)
    result = await client.call_tool("download_clean", {"task_id": 42})
    out = result.structured_content
    assert out["clean"] is False and out["kind"] == "image"
    assert Path(out["path"]).name == "kling_42_420_watermarked.jpg" and Path(out["path"]).read_bytes() == JPEG
    assert "WATERMARKED image preview" in result.content[0].text


async def test_a_clean_image_in_another_format_is_saved_under_its_own_suffix(
    client: Client, api: respx.MockRouter, settings: Any
) -> None:
    image_task(api)
    api.get("https://cdn.test/clean/420.png").respond(content=JPEG)  # PNG asked, a JPEG served
    out = (await client.call_tool("download_clean", {"task_id": 42})).structured_content
    assert Path(out["path"]).name == "kling_42_420.jpg" and Path(out["path"]).read_bytes() == JPEG
    assert sorted(p.name for p in settings.output_dir.iterdir()) == ["kling_42_420.jpg"]
    # Asked again: the file already saved is found through the ledger, not fetched again.
    again = (await client.call_tool("download_clean", {"task_id": 42})).structured_content
    assert again["already_downloaded"] is True and again["path"] == out["path"]


async def test_get_task_lists_audio_works_with_their_length(client: Client, api: respx.MockRouter) -> None:
    audio_task(api)
    result = await client.call_tool("get_task", {"task_id": 42})
    out = result.structured_content
    assert out["videos"] == [] and out["images"] == []
    assert [(a["work_id"], a["duration_s"]) for a in out["audio"]] == [(420, 2.322), (421, 2.0)]
    text = result.content[0].text
    assert "Audio work_id 420 (watermarked preview): https://cdn.test/42/0/speech.mp3" in text
    assert "Audio work_id 421" in text
    assert "This task has 2 outputs: pass work_id to choose one (without it, the first, work_id 420" in text


async def test_audio_works_download_one_by_one_as_mp3_or_wav(
    client: Client, api: respx.MockRouter, settings: Any
) -> None:
    clean = audio_task(api)
    api.get("https://cdn.test/clean/420.mp3").respond(content=MP3)
    api.get("https://cdn.test/clean/421.wav").respond(content=WAV)
    first = await client.call_tool("download_clean", {"task_id": 42})
    out = first.structured_content
    assert clean.calls.last.request.url.params["fileTypes"] == "MP3"
    assert out["work_id"] == 420 and out["kind"] == "audio" and out["other_work_ids"] == [421]
    assert Path(out["path"]).name == "kling_42_420.mp3" and Path(out["path"]).read_bytes() == MP3
    assert "1 other(s): work_id 421. Call download_clean with work_id" in first.content[0].text
    assert first.content[1].mime_type == "audio/mpeg"
    second = (await client.call_tool("download_clean", {"task_id": 42, "work_id": 421})).structured_content
    assert clean.calls.last.request.url.params["fileTypes"] == "WAV"
    assert second["other_work_ids"] == [] and Path(second["path"]).name == "kling_42_421.wav"
    assert Path(second["path"]).read_bytes() == WAV


@pytest.mark.parametrize(
    ("works", "served", "words"),
    [
        ([work(420, "image", "https://cdn.test/p.png")], b"<html>sign in</html>", "PNG, JPEG or WebP image"),
        ([work(420, "audio", "https://cdn.test/p.mp3")], PNG, "WAV, MP3, M4A, FLAC, AAC or Ogg audio file"),
        ([work(420, "video", "https://cdn.test/p.mp4")], MP3, "MP4 video"),
    ],
)
async def test_a_file_that_is_not_of_its_works_kind_is_discarded(
    client: Client, api: respx.MockRouter, settings: Any, works: list[dict[str, Any]], served: bytes, words: str
) -> None:
    finished(api, works)
    for suffix in ("png", "mp3", "mp4"):
        api.get(f"https://cdn.test/clean/420.{suffix}").respond(content=served)
    err = error_of(await client.call_tool("download_clean", {"task_id": 42}))
    assert err["code"] == "download_failed" and f"not a complete {words}" in err["message"]
    assert TOKEN.split(":", 1)[1] not in json.dumps(err)
    assert not settings.output_dir.exists() or list(settings.output_dir.iterdir()) == []


async def test_a_work_without_content_type_is_a_video_and_the_first_of_several_is_saved(
    client: Client, api: respx.MockRouter, settings: Any
) -> None:
    clean = finished(
        api,
        [
            work(420, None, "https://cdn.test/42/0/preview.mp4", duration=5041),
            work(421, "image", "https://cdn.test/42/1/frame.png"),
        ],
    )
    api.get("https://cdn.test/clean/420.mp4").respond(content=COMPLETE)
    listed = (await client.call_tool("get_task", {"task_id": 42})).structured_content
    assert [v["work_id"] for v in listed["videos"]] == [420] and [i["work_id"] for i in listed["images"]] == [421]
    out = (await client.call_tool("download_clean", {"task_id": 42})).structured_content
    assert clean.calls.last.request.url.params["fileTypes"] == "MP4"
    assert out["kind"] == "video" and out["other_work_ids"] == [421]
    assert Path(out["path"]).name == "kling_42_420.mp4"


async def test_an_image_task_is_downloaded_in_the_background_too(make_settings: Any, api: respx.MockRouter) -> None:
    """KLING_MCP_AUTO_DOWNLOAD saves every output of a finished task, not only videos."""
    api.post("/videos/text2video").respond(json=task(42))
    image_task(api)
    api.get("https://cdn.test/clean/420.png").respond(content=PNG)
    settings = make_settings(auto_download=True)
    async with Client(create_server(settings)) as c:
        assert not (await c.call_tool("generate_video", {"prompt": "a fox"})).is_error
        assert (await c.call_tool("get_task", {"task_id": 42})).structured_content["state"] == "succeeded"
        with anyio.fail_after(10):
            while not (settings.output_dir / "kling_42_420.png").exists():
                await anyio.sleep(0.02)
    assert (settings.output_dir / "kling_42_420.png").read_bytes() == PNG
