"""What the simulator serves against what it reports: width, height and duration equal ffprobe's readings of the
served preview and clean files, an audio stream exactly when the task has audio, and the aspect ratio of an
image-to-video task taken from its uploaded start frame. Also the MP4 writer on its own."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kling_mcp.simulator import SimulatorConfig, SimulatorState, create_app, mp4
from kling_mcp.simulator.media import aspect_of_image, dimensions, image_size, video

pytestmark = pytest.mark.anyio

AUTH = {"Authorization": "Bearer user:1-sim"}
needs_ffprobe = pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe is not installed (apt ffmpeg)")


def png(width: int, height: int) -> bytes:
    """A real (grey) PNG of this size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def jpeg_header(width: int, height: int) -> bytes:
    """The start of a baseline JPEG: SOI, an APP0 segment, then SOF0 with the size."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0


def probe(path: Path) -> dict[str, Any]:
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def sim() -> AsyncIterator[tuple[httpx.AsyncClient, Clock]]:
    clock = Clock()
    config = SimulatorConfig()
    state = SimulatorState(config, clock=clock)
    transport = httpx.ASGITransport(app=create_app(config, state))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://sim.test/v1/kling", headers=AUTH) as http:
            yield http, clock
    finally:
        state.close()


async def upload(http: httpx.AsyncClient, data: bytes, content_type: str = "image/png") -> str:
    url: str = (await http.post("/assets/", content=data, headers={"Content-Type": content_type})).json()["url"]
    return url


# (endpoint, body, aspect ratio, seconds, audio). Audio: kling-v3-0 on unless enable_audio=false, turbo always,
# kling-v2-6 when asked for in pro, other models when asked for (sound effects); reference §5.1.
CASES: dict[str, tuple[str, dict[str, Any], str, int, bool]] = {
    "v1-6 default": ("text2video", {"model_name": "kling-v1-6"}, "16:9", 5, False),
    "v3-0 audio by default": (
        "text2video",
        {"model_name": "kling-v3-0", "aspect_ratio": "9:16", "duration": "7"},
        "9:16",
        7,
        True,
    ),
    "v3-0 audio off": (
        "text2video",
        {"model_name": "kling-v3-0", "aspect_ratio": "1:1", "duration": 3, "enable_audio": False},
        "1:1",
        3,
        False,
    ),
    "turbo always audio": ("text2video", {"model_name": "kling-v3-0-turbo", "duration": "15"}, "16:9", 15, True),
    "v2-6 pro audio": (
        "text2video",
        {"model_name": "kling-v2-6", "mode": "pro", "duration": "10", "enable_audio": True},
        "16:9",
        10,
        True,
    ),
    "v1-6 sound effects": ("text2video", {"model_name": "kling-v1-6", "enable_audio": True}, "16:9", 5, True),
    "portrait start frame": ("image2video-frames", {"model_name": "kling-v2-1", "image": "portrait"}, "9:16", 5, False),
    "square end frame alone": (
        "image2video-frames",
        {"model_name": "kling-v1-6", "image_tail": "square"},
        "1:1",
        5,
        False,
    ),
    "frame not uploaded here": (
        "image2video-frames",
        {"model_name": "kling-v2-1", "image": "https://images.test/portrait.png"},
        "16:9",
        5,
        False,
    ),
}


@needs_ffprobe
@pytest.mark.parametrize("case", list(CASES))
async def test_reports_what_it_serves(sim: tuple[httpx.AsyncClient, Clock], tmp_path: Path, case: str) -> None:
    http, clock = sim
    endpoint, body, ratio, seconds, audio = CASES[case]
    frames = {"portrait": png(720, 1280), "square": png(600, 600)}
    for key in ("image", "image_tail"):
        if body.get(key) in frames:
            body = {**body, key: await upload(http, frames[body[key]])}
    created = await http.post(f"/videos/{endpoint}", json={"prompt": "a fox", **body})
    assert created.status_code == 200, created.text
    clock.now += 10_000
    work = (await http.get(f"/tasks/{created.json()['task']['id']}")).json()["works"][0]
    reported = work["resource"]
    assert (reported["width"], reported["height"]) == dimensions(ratio)
    assert reported["duration"] == seconds * 1000
    link = (await http.get("/assets/download", params={"workIds": work["workId"], "fileTypes": "MP4"})).json()
    for kind, url in (("preview", reported["resource"]), ("clean", link["cdnUrl"])):
        path = tmp_path / f"{kind}.mp4"
        path.write_bytes((await http.get(url)).content)
        info = probe(path)
        streams = {s["codec_type"]: s for s in info["streams"]}
        assert set(streams) == ({"video", "audio"} if audio else {"video"}), kind
        assert (streams["video"]["width"], streams["video"]["height"]) == (reported["width"], reported["height"])
        assert streams["video"]["codec_name"] == "h264"
        assert float(info["format"]["duration"]) == float(streams["video"]["duration"]) == reported["duration"] / 1000
        if audio:
            assert streams["audio"]["codec_name"] == "aac"
            assert seconds - 0.07 < float(streams["audio"]["duration"]) <= seconds  # whole AAC frames (64 ms)


@needs_ffprobe
@pytest.mark.parametrize("seconds", [4, 8, 11, 14])
def test_every_length_from_3_to_15_seconds_is_exact(tmp_path: Path, seconds: int) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(video("clean", "16:9", seconds, seconds % 2 == 0))
    info = probe(path)
    assert float(info["format"]["duration"]) == seconds
    assert len(info["streams"]) == (2 if seconds % 2 == 0 else 1)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
@pytest.mark.parametrize("ratio", ["16:9", "9:16", "1:1"])
def test_the_preview_carries_a_visible_watermark_and_every_frame_decodes(tmp_path: Path, ratio: str) -> None:
    width, height = dimensions(ratio)
    band = []
    for kind in ("preview", "clean"):
        path = tmp_path / f"{kind}.mp4"
        path.write_bytes(video(kind, ratio, 4, True))
        frames = subprocess.run(
            ["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
            check=True,
            capture_output=True,
        ).stdout
        assert len(frames) == width * height * 8 * 4  # 8 frames a second, every one decoded without error
        first = frames[: width * height]
        middle = first[int(height * 0.45) * width : int(height * 0.55) * width]
        band.append(sum(middle) / len(middle))
    preview, clean = band
    assert preview < clean * 0.8  # the dark "KLING PREVIEW" band across the middle


def test_image_sizes_and_aspect_ratios() -> None:
    assert image_size(png(720, 1280)) == (720, 1280)
    assert image_size(jpeg_header(1920, 1080)) == (1920, 1080)
    assert aspect_of_image(png(720, 1280)) == "9:16"
    assert aspect_of_image(jpeg_header(1920, 1080)) == "16:9"
    assert aspect_of_image(png(1000, 1100)) == "1:1"
    assert aspect_of_image(png(4000, 2000)) == "16:9"
    assert aspect_of_image(b"not an image") is None


def test_mux_then_read_round_trips_the_samples() -> None:
    source = mp4.read_tracks(video("clean", "1:1", 3, True))
    assert [t.handler for t in source] == [b"vide", b"soun"]
    picture, sound = source
    assert (picture.width, picture.height) == dimensions("1:1")
    assert sum(picture.deltas) == 3 * picture.timescale  # exactly three seconds
    assert picture.sync == frozenset({0, 8, 16})  # each repeated segment starts with its IDR frame
    assert len(sound.samples) == 3 * sound.timescale // 1024
    again = mp4.read_tracks(
        mp4.mux([mp4.OutTrack(t.handler, t.timescale, t.stsd, [list(t.samples)], list(t.deltas)) for t in source])
    )
    assert [t.samples for t in again] == [t.samples for t in source]


def test_media_is_built_once_per_kind_of_clip() -> None:
    assert video("preview", "16:9", 6, True) is video("preview", "16:9", 6, True)
    assert video("preview", "16:9", 6, True) != video("clean", "16:9", 6, True)
