"""Shared helpers of the simulator's tests of the video endpoints: a simulator over ASGI on an injectable clock,
uploads, and following a task to its final works and their downloaded files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
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
