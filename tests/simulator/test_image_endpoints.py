"""The image endpoints over HTTP: each accepted request becomes a task with ``imageCount`` works, each its own workId
and a real PNG of the size the rules say (measured in the downloaded file); upscale and enhance double a known
image; faces are recognised at once; every rule's refusal is a useapi-style 400 naming what is allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kling_mcp.simulator import image_rules
from kling_mcp.simulator.media import image_dimensions, image_size, video
from tests.simulator.conftest import Sim, ffprobe, needs_ffmpeg, png

pytestmark = pytest.mark.anyio


async def upload(sim: Sim, data: bytes, content_type: str = "image/png") -> str:
    url: str = (await sim.upload(data, content_type))["url"]
    return url


async def pictures(sim: Sim, task_id: int) -> list[tuple[int, int]]:
    """The size of every work's clean PNG, read from the file; each work reports the size it serves."""
    sizes = []
    for work in await sim.works(task_id):
        assert work["contentType"] == "image"
        clean = await sim.file(work["workId"], "PNG")
        assert clean.headers["content-type"] == "image/png"
        size = image_size(clean.content)
        assert size is not None and size == (work["resource"]["width"], work["resource"]["height"])
        preview = await sim.http.get(work["resource"]["resource"])
        assert image_size(preview.content) == size and preview.content != clean.content  # the watermarked one
        sizes.append(size)
    return sizes


# --- omni -----------------------------------------------------------------------------------------------------------


async def test_omni_makes_image_count_pngs_each_its_own_work(sim: Sim) -> None:
    spent = await sim.balance()
    task_id = await sim.create(
        "/images/omni", {"prompt": "a red fox", "imageCount": 3, "aspect_ratio": "4:3", "resolution": "2k"}
    )
    works = await sim.works(task_id)
    assert len({w["workId"] for w in works}) == 3
    assert await pictures(sim, task_id) == [(2048, 1536)] * 3
    assert spent - await sim.balance() == 3 * image_rules.OMNI_PER_IMAGE["2k"]


@needs_ffmpeg
async def test_an_omni_image_is_a_png_ffmpeg_reads(sim: Sim, tmp_path: Path) -> None:
    task_id = await sim.create("/images/omni", {"prompt": "a fox", "aspect_ratio": "21:9", "resolution": "4k"})
    (work,) = await sim.works(task_id)
    (stream,) = ffprobe((await sim.file(work["workId"], "PNG")).content, ".png", tmp_path)["streams"]
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("png", *image_dimensions("21:9", 4096))


async def test_omni_auto_takes_the_first_reference_images_ratio(sim: Sim) -> None:
    portrait = await upload(sim, png(720, 1280))
    task_id = await sim.create("/images/omni", {"prompt": "@image_1 at the beach", "image_1": portrait})
    assert await pictures(sim, task_id) == [image_dimensions("9:16", 1024)]
    plain = await sim.create("/images/omni", {"prompt": "a fox"})  # auto without a reference: 1:1 (images-omni.aspect)
    assert await pictures(sim, plain) == [(1024, 1024)]
    o1 = await sim.create("/images/omni", {"prompt": "a fox", "omni_version": "o1"})  # o1's default: 16:9
    assert await pictures(sim, o1) == [image_dimensions("16:9", 1024)]


async def test_a_generated_image_is_a_start_frame_of_its_own_ratio(sim: Sim) -> None:
    task_id = await sim.create("/images/omni", {"prompt": "a fox", "aspect_ratio": "9:16"})
    (work,) = await sim.works(task_id)
    clip = await sim.create(
        "/videos/image2video-frames", {"image": work["resource"]["resource"], "model_name": "kling-v3-0"}
    )
    (probe,) = await sim.videos(clip)
    assert probe.height > probe.width  # the frame's 9:16, not the 16:9 an unknown image gets


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"omni_version": "o1", "resolution": "4k"}, "resolution 4k needs omni_version v3"),
        ({"omni_version": "o1", "aspect_ratio": "auto"}, "Valid values: 16:9, 9:16, 1:1, 4:3"),
        ({"aspect_ratio": "5:4"}, "Valid values: auto, 16:9"),
        ({"imageCount": 10}, "imageCount must be a whole number from 1 to 9"),
        ({"imageCount": 0}, "imageCount must be a whole number from 1 to 9"),
        ({"prompt": None}, "prompt is required"),
        ({"prompt": "p" * 1701}, "prompt is too long: 1701 characters, max 1700"),
        ({"prompt": "@image_2 here", "image_1": "https://images.test/a.png"}, "image_2 is not given"),
        ({"prompt": "@object_1 here"}, "element_1 is not given"),
        ({"story_mode": True}, "story_mode needs at least one reference"),
        ({"element_1": "u_123"}, "element u_123 not found"),
        ({f"image_{n}": f"https://images.test/{n}.png" for n in range(1, 11)} | {"element_1": "u_1"}, "at most 10"),
        ({"unlimited": True}, "Unknown parameter unlimited"),
        ({"resolution": "8k"}, "Valid values: 1k, 2k, 4k"),
    ],
)
async def test_omni_refusals(sim: Sim, fields: dict[str, Any], words: str) -> None:
    body = {"prompt": "a fox", **fields}
    assert words in await sim.refusal("/images/omni", {k: v for k, v in body.items() if v is not None})


class Nothing:
    """An account that knows no file, task, element, avatar or work."""

    def media(self, url: str) -> None:
        return None

    def task(self, task_id: int) -> None:
        return None

    def element(self, element_id: str) -> None:
        return None

    def avatar(self, avatar_id: str) -> None:
        return None

    def work(self, task_id: int, work_id: int) -> None:
        return None


def test_story_mode_is_not_honoured_on_o1() -> None:
    body = {"prompt": "a fox", "omni_version": "o1", "story_mode": True}
    assert image_rules.check(image_rules.OMNI_IMAGE, body, Nothing()).ignored == {"story_mode": "images-omni.story"}


# --- kolors ---------------------------------------------------------------------------------------------------------


async def test_kolors_default_and_restyle_which_keeps_the_references_ratio(sim: Sim) -> None:
    plain = await sim.create("/images/kolors", {"prompt": "a fox"})  # kling-v3-0: 2 images at 2k (kolors.count)
    assert await pictures(sim, plain) == [image_dimensions("16:9", 2048)] * 2
    legacy = await sim.create("/images/kolors", {"prompt": "a fox", "version": "kling-v1-5", "resolution": "2k"})
    assert await pictures(sim, legacy) == [image_dimensions("16:9", 1024)]  # kolors.resolution: not honoured
    portrait = await upload(sim, png(600, 800))
    auto = {"prompt": "@image_1 in the snow", "image_1": portrait, "aspect_ratio": "auto", "resolution": "1k"}
    assert await pictures(sim, await sim.create("/images/kolors", auto)) == [image_dimensions("3:4", 1024)] * 2
    square = await upload(sim, png(600, 600))
    body = {"prompt": "as a painting", "reference": "restyle", "imageReference": square, "aspect_ratio": "21:9"}
    restyled = await sim.create("/images/kolors", body)
    assert await pictures(sim, restyled) == [(1024, 1024)]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"reference": "face"}, "imageReference is required with reference face"),
        ({"reference": "style", "imageReference": "https://images.test/a.png"}, "Valid values: none, subject"),
        ({"version": "kling-v4-0"}, "Valid values: kling-v3-0, kling-v2-1, kling-v2-0, kling-v1-6, kling-v1-5"),
        ({"faceStrength": 0}, "faceStrength must be a whole number from 1 to 100"),
        ({"subjectStrength": 101}, "subjectStrength must be a whole number from 1 to 100"),
        ({"faceNo": 0}, "faceNo must be a whole number from 1 or more"),
        ({"imageCount": 10}, "imageCount must be a whole number from 1 to 9"),
        ({"aspect_ratio": "auto"}, "Valid values: 16:9, 9:16, 1:1"),
        ({"prompt": "p" * 2501}, "prompt is too long"),
        ({"prompt": None}, "prompt is required"),
        ({"resolution": "4k"}, "Valid values: 1k, 2k"),
        ({"aspect_ratio": "auto", "version": "kling-v2-1", "image_1": "https://images.test/a.png"}, "16:9, 9:16"),
        ({"prompt": "@image_2 here", "image_1": "https://images.test/a.png"}, "image_2 is not given"),
        ({"image_11": "https://images.test/a.png"}, "Unknown parameter image_11"),
    ],
)
async def test_kolors_refusals(sim: Sim, fields: dict[str, Any], words: str) -> None:
    body = {"prompt": "a fox", **fields}
    assert words in await sim.refusal("/images/kolors", {k: v for k, v in body.items() if v is not None})


async def test_kolors_elements_needs_a_subject(sim: Sim) -> None:
    subject = await upload(sim, png(500, 500))
    task_id = await sim.create("/images/kolors-elements", {"subjectImage1": subject, "aspect_ratio": "3:2"})
    assert await pictures(sim, task_id) == [image_dimensions("3:2", 1024)]
    error = await sim.refusal("/images/kolors-elements", {"prompt": "a gallery", "sceneImage": subject})
    assert "At least one subject image is required" in error
    video_url = await upload(sim, video("clean", "16:9", 3), "video/mp4")
    assert "must be the URL of an image" in await sim.refusal("/images/kolors-elements", {"subjectImage1": video_url})


# --- upscale and enhance ----------------------------------------------------------------------------------------------


async def test_upscale_doubles_one_image_of_a_finished_task(sim: Sim) -> None:
    source = await sim.create("/images/omni", {"prompt": "a fox", "imageCount": 2, "aspect_ratio": "3:4"})
    works = await sim.works(source)
    task_id = await sim.create("/images/upscale", {"task_id": str(source), "workId": str(works[1]["workId"])})
    width, height = image_dimensions("3:4", 1024)
    assert await pictures(sim, task_id) == [(width * 2, height * 2)]
    big = await sim.create("/images/omni", {"prompt": "a fox", "resolution": "4k", "aspect_ratio": "16:9"})
    (big_work,) = await sim.works(big)
    capped = await sim.create("/images/upscale", {"task_id": big, "workId": big_work["workId"]})
    assert await pictures(sim, capped) == [image_dimensions("16:9", 4096)]  # upscale.size: at most 4096


async def test_upscale_refusals(sim: Sim) -> None:
    running = await sim.create("/images/omni", {"prompt": "a fox"})
    work_id = running * 10 + 1
    assert f"Task {running} is submitted, not succeed" in await sim.refusal(
        "/images/upscale", {"task_id": running, "workId": work_id}
    )
    await sim.works(running)
    assert "is not a work of task" in await sim.refusal("/images/upscale", {"task_id": running, "workId": work_id + 1})
    clip = await sim.create("/videos/text2video", {"prompt": "a fox"})
    (clip_work,) = await sim.works(clip)
    assert "is a video, not an image" in await sim.refusal(
        "/images/upscale", {"task_id": clip, "workId": clip_work["workId"]}
    )
    assert "workId is required" in await sim.refusal("/images/upscale", {"task_id": running})
    assert "must be a whole number" in await sim.refusal("/images/upscale", {"task_id": "abc", "workId": work_id})


@pytest.mark.parametrize(("resolution", "credits"), [(None, 1), ("2k", 1), ("4k", 2)])
async def test_enhance_doubles_any_image_at_its_documented_price(
    sim: Sim, resolution: str | None, credits: int
) -> None:
    image = await upload(sim, png(800, 1200))
    spent = await sim.balance()
    body = {"image": image} | ({"resolution": resolution} if resolution else {})
    task_id = await sim.create("/images/enhance", body)
    assert await pictures(sim, task_id) == [(1600, 2400)]  # enhance.size
    assert spent - await sim.balance() == credits  # DOC-ENHANCE: 2k 1 credit, 4k 2 credits


async def test_enhance_refusals(sim: Sim) -> None:
    assert "Valid values: 2k, 4k" in await sim.refusal(
        "/images/enhance", {"image": "https://images.test/a.png", "resolution": "8k"}
    )
    assert "image is required" in await sim.refusal("/images/enhance", {"resolution": "2k"})
    clip = await upload(sim, video("clean", "16:9", 3), "video/mp4")
    assert "must be the URL of an image" in await sim.refusal("/images/enhance", {"image": clip})
    assert "Unknown parameter imageUrl" in await sim.refusal("/images/enhance", {"imageUrl": clip})


# --- virtual try-on and faces ---------------------------------------------------------------------------------------


async def test_try_on_keeps_the_persons_picture_size(sim: Sim) -> None:
    person = await upload(sim, png(600, 900))
    shirt = await upload(sim, png(400, 400))
    task_id = await sim.create("/images/virtual-try-on", {"humanImage": person, "upperInput": shirt, "imageCount": 2})
    assert sim.state.tasks[task_id].kind == "mmu_img2img_aitryon"  # DOC-TRYON's task type
    assert await pictures(sim, task_id) == [(600, 900)] * 2


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"upperInput": None}, "At least one garment is required"),
        ({"dressInput": "https://images.test/d.png"}, "dressInput cannot be used with upperInput or lowerInput"),
        ({"imageCount": 5}, "imageCount must be a whole number from 1 to 4"),
        ({"humanImage": None}, "humanImage is required"),
    ],
)
async def test_try_on_refusals(sim: Sim, fields: dict[str, Any], words: str) -> None:
    body = {"humanImage": "https://images.test/p.png", "upperInput": "https://images.test/s.png", **fields}
    assert words in await sim.refusal("/images/virtual-try-on", {k: v for k, v in body.items() if v is not None})


async def test_faces_are_recognised_at_once_and_free(sim: Sim) -> None:
    image = await upload(sim, png(724, 1268))
    spent = await sim.balance()
    answer = await sim.http.post("/images/recognize-faces", json={"imageReference": image})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == 0 and body["mediaInfo"] == {"type": "image", "duration": 0, "width": 724, "height": 1268}
    (face,) = body["faceItems"]
    assert face["name"] == "face_0" and face["arguments"][0]["name"] == "face_bound"
    picture = await sim.http.get(face["resources"][0]["url"])
    assert picture.headers["content-type"] == "image/png" and image_size(picture.content) == (200, 240)
    assert await sim.balance() == spent and sim.state.tasks == {}
    missing = await sim.http.post("/images/recognize-faces", json={})
    assert missing.status_code == 400 and missing.json()["error"] == "Parameter imageReference is required"
