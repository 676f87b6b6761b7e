"""Shared helpers of the simulator's tests of the endpoints: a simulator over ASGI on an injectable clock, uploads,
following a task to its final works and their downloaded files, refusals, real media files to upload (a WAV, a PNG)
and ffprobe's reading of a file."""

from __future__ import annotations

import json
import math
import shutil
import struct
import subprocess
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from kling_mcp.simulator import SimulatorConfig, SimulatorState, create_app, mp4

AUTH = {"Authorization": "Bearer user:1-sim"}


class SimClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Sim:
    http: httpx.AsyncClient
    state: SimulatorState
    clock: SimClock

    async def upload(self, data: bytes, content_type: str) -> dict[str, Any]:
        response = await self.http.post("/assets/", content=data, headers={"Content-Type": content_type})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def create(self, path: str, body: dict[str, Any]) -> int:
        """POST a create that must be accepted; the task id."""
        response = await self.http.post(path, json=body)
        assert response.status_code == 200, response.text
        task_id: int = response.json()["task"]["id"]
        return task_id

    async def final(self, task_id: int) -> dict[str, Any]:
        """The task's poll once every task has had time to end."""
        self.clock.now += 100_000
        response = await self.http.get(f"/tasks/{task_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def clean(self, work_id: int) -> bytes:
        """The clean file of a work, through GET /assets/download (reference §7.2)."""
        link = await self.http.get("/assets/download", params={"workIds": work_id, "fileTypes": "MP4"})
        assert link.status_code == 200, link.text
        return (await self.http.get(link.json()["cdnUrl"])).content

    async def videos(self, task_id: int) -> list[mp4.Probe]:
        """Every work of a succeeded task, downloaded clean and read back: what the files really are."""
        body = await self.final(task_id)
        assert body["status_name"] == "succeed", body
        probes = []
        for work in body["works"]:
            probe = mp4.probe(await self.clean(work["workId"]))
            assert work["resource"]["duration"] == round(probe.seconds * 1000)  # reports what it serves
            assert (work["resource"]["width"], work["resource"]["height"]) == (probe.width, probe.height)
            probes.append(probe)
        return probes

    async def works(self, task_id: int) -> list[dict[str, Any]]:
        """The works of a task that must succeed."""
        body = await self.final(task_id)
        assert body["status_name"] == "succeed", body
        works: list[dict[str, Any]] = body["works"]
        return works

    async def file(self, work_id: int, file_type: str) -> httpx.Response:
        """One file of a work through GET /assets/download (one workId + one fileType: the file itself)."""
        link = await self.http.get("/assets/download", params={"workIds": work_id, "fileTypes": file_type})
        assert link.status_code == 200, link.text
        url: str = link.json()["cdnUrl"]
        assert not url.endswith(".zip"), url
        return await self.http.get(url)

    async def refusal(self, path: str, body: dict[str, Any]) -> str:
        """A 400 with useapi's error body, and nothing created; its error text."""
        before = len(self.state.tasks)
        response = await self.http.post(path, json=body)
        assert response.status_code == 400, response.text
        answer = response.json()
        assert answer["code"] == 400 and len(self.state.tasks) == before
        error: str = answer["error"]
        return error

    async def balance(self) -> float:
        total: float = (await self.http.get("/accounts/demo@example.com")).json()["balance"]["total"]
        return total / 100  # reference §3.2: units are credits x 100


async def open_sim(config: SimulatorConfig) -> AsyncIterator[Sim]:
    clock = SimClock()
    state = SimulatorState(config, clock=clock)
    transport = httpx.ASGITransport(app=create_app(config, state))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://sim.test/v1/kling", headers=AUTH) as http:
            yield Sim(http, state, clock)
    finally:
        state.close()


@pytest.fixture
async def sim() -> AsyncIterator[Sim]:
    async for opened in open_sim(SimulatorConfig(max_jobs=50, credits=100_000)):
        yield opened


# --- real files to upload, and ffprobe -------------------------------------------------------------------------------


def wav(seconds: float, rate: int = 22050) -> bytes:
    """A mono 16-bit WAV of a 440 Hz tone, written here by hand (not by the simulator's own audio module)."""
    count = round(seconds * rate)
    pcm = struct.pack(f"<{count}h", *(round(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(count)))
    header = struct.pack("<4sI4s4sIHHIIHH", b"RIFF", 36 + len(pcm), b"WAVE", b"fmt ", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + b"data" + struct.pack("<I", len(pcm)) + pcm


def png(width: int, height: int) -> bytes:
    """A real (grey) PNG of this size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


HAS_FFMPEG = shutil.which("ffprobe") is not None and shutil.which("ffmpeg") is not None
needs_ffmpeg = pytest.mark.skipif(not HAS_FFMPEG, reason="ffmpeg/ffprobe are not installed (apt ffmpeg)")


def ffprobe(data: bytes, suffix: str, folder: Path) -> dict[str, Any]:
    """ffprobe's reading of a file (its streams and format), after ffmpeg decoded every frame without an error."""
    path = folder / f"probe{suffix}"
    path.write_bytes(data)
    decoded = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"], capture_output=True)
    assert decoded.returncode == 0 and not decoded.stderr.strip(), decoded.stderr
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def encode(source: bytes, suffix: str, folder: Path, *args: str) -> bytes:
    """``source`` (any file ffmpeg reads) encoded by ffmpeg to ``suffix`` with ``args``."""
    inp, out = folder / "source.bin", folder / f"encoded{suffix}"
    inp.write_bytes(source)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(inp), *args, str(out)], check=True)
    return out.read_bytes()
