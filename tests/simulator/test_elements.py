"""Elements over HTTP (useapi's element pages): create with the documented limits, the ids and names they get,
generated views, tags, voices, list, get and delete; that generations accept only the account's own elements;
and that elements and motions outlive the simulator's process with a state folder."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kling_mcp.simulator import SimulatorConfig
from kling_mcp.simulator.media import video
from tests.simulator.conftest import Sim, open_sim
from tests.simulator.test_media import png

pytestmark = pytest.mark.anyio

IMG = "https://images.test/fox.png"


async def make(sim: Sim, **fields: Any) -> dict[str, Any]:
    response = await sim.http.post("/elements", json={"name": "Foxy", "coverImage": IMG, **fields})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_an_element_gets_an_id_and_a_suffixed_name_and_can_be_read_back(sim: Sim) -> None:
    created = await make(sim, description="a red fox", tag="animal")
    assert re.fullmatch(r"u_\d{15}", created["id"])  # Postman: "e.g. u_309377170505500"
    assert re.fullmatch(r"Foxy [A-Z0-9]{5}", created["name"])  # "MyChar" becomes "MyChar ABC12"
    assert (created["type"], created["description"], created["tag"]["tagKey"]) == ("IMAGE", "a red fox", "animal")
    assert (await sim.http.get(f"/elements/{created['id']}")).json() == created
    listing = (await sim.http.get("/elements")).json()
    assert listing["elementsList"] == [created] and (listing["pageNum"], listing["pageSize"], listing["total"]) == (
        1,
        50,
        1,
    )


async def test_generate_views_creates_three_elements(sim: Sim) -> None:
    created = await make(sim, generateViews=True)
    ids = [e["id"] for e in created["elements"]]
    assert len(set(ids)) == 3
    assert {e["id"] for e in (await sim.http.get("/elements")).json()["elementsList"]} == set(ids)


async def test_a_video_element_from_an_uploaded_clip_with_an_official_voice(sim: Sim) -> None:
    clip = await sim.upload(video("clean", "9:16", 5), "video/mp4")
    voices = (await sim.http.get("/elements/voices")).json()
    created = await make(sim, type="VIDEO", coverImage=clip["url"], voice=str(voices[0]["id"]), tag="character")
    assert created["type"] == "VIDEO" and created["voice"]["name"] == voices[0]["name"]
    assert (created["cover"]["width"], created["cover"]["height"]) == (180, 320)


async def test_list_pages_and_filters_by_tag(sim: Sim) -> None:
    animals = [(await make(sim, tag="animal"))["id"] for _ in range(3)]
    await make(sim, tag="1")  # a tag by its id
    tags = (await sim.http.get("/elements/tags")).json()
    assert {"id": "2", "tagKey": "animal", "tagDesc": "Animal"} in tags
    page = (await sim.http.get("/elements", params={"tag": "animal", "pageSize": 2, "pageNum": 2})).json()
    assert page["total"] == 3 and [e["id"] for e in page["elementsList"]] == animals[:1]  # newest first
    for bad in ({"pageSize": 101}, {"pageNum": 0}, {"tag": "planet"}):
        assert (await sim.http.get("/elements", params=bad)).status_code == 400


async def test_delete_then_it_is_gone(sim: Sim) -> None:
    element_id = (await make(sim))["id"]
    assert (await sim.http.delete(f"/elements/{element_id}")).json() == {"deleted": True, "id": element_id}
    assert (await sim.http.get(f"/elements/{element_id}")).status_code == 404
    again = await sim.http.delete(f"/elements/{element_id}")
    assert again.status_code == 404 and element_id in again.json()["error"]
    body = {"image": IMG, "model_name": "kling-v3-0", "element_1": element_id}
    refused = await sim.http.post("/videos/image2video-frames", json=body)
    assert refused.status_code == 400 and "not found on this account" in refused.json()["error"]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"name": "A" * 16}, "16 characters, max 15"),
        ({"name": None}, "name is required"),
        ({"coverImage": None}, "coverImage is required"),
        ({"description": "d" * 101}, "101 characters, max 100"),
        ({"type": "AUDIO"}, "Valid values: IMAGE, VIDEO"),
        ({"tag": "planet"}, "Valid values: character, animal, prop, costume, scene, effect, other"),
        ({"extraImage1": IMG, "generateViews": True}, "cannot be used with generateViews"),
        ({"generateViews": "often"}, "generateViews must be true or false"),
        ({"voice": "Robot"}, "neither a voice of GET /elements/voices"),
        ({"type": "VIDEO"}, "must be the URL of a video for a VIDEO element"),  # an uploaded image (below)
        ({"colour": "red"}, "Unknown parameter colour"),
    ],
)
async def test_create_refusals(sim: Sim, fields: dict[str, Any], words: str) -> None:
    picture = await sim.upload(png(400, 400), "image/png")
    body = {"name": "Foxy", "coverImage": picture["url"], **fields}
    response = await sim.http.post("/elements", json={k: v for k, v in body.items() if v is not None})
    assert response.status_code == 400 and words in response.json()["error"], response.text
    assert not sim.state.elements("demo@example.com")


async def test_a_video_element_needs_3_seconds_and_a_voice_video_5_to_60(sim: Sim) -> None:
    short = await sim.upload(video("clean", "16:9", 2), "video/mp4")
    refused = await sim.http.post("/elements", json={"name": "Clip", "coverImage": short["url"], "type": "VIDEO"})
    assert refused.status_code == 400 and "needs at least 3 s" in refused.json()["error"]
    voice = await sim.upload(video("clean", "16:9", 4, True), "video/mp4")
    body = {"name": "Talker", "coverImage": IMG, "voice": voice["url"], "tag": "character"}
    refused = await sim.http.post("/elements", json=body)
    assert refused.status_code == 400 and "5 to 60 seconds" in refused.json()["error"]


async def test_elements_belong_to_their_account() -> None:
    async for shared in open_sim(SimulatorConfig(accounts=["a@x.com", "b@x.com"])):
        body = {"name": "Mine", "coverImage": IMG, "email": "a@x.com"}
        element_id = (await shared.http.post("/elements", json=body)).json()["id"]
        assert (await shared.http.get(f"/elements/{element_id}", params={"email": "b@x.com"})).status_code == 404
        assert (await shared.http.get("/elements", params={"email": "b@x.com"})).json()["total"] == 0
        omni = {"prompt": "@element_1 waves", "element_1": element_id}
        assert (await shared.http.post("/videos/omni", json={**omni, "email": "b@x.com"})).status_code == 400
        assert (await shared.http.post("/videos/omni", json={**omni, "email": "a@x.com"})).status_code == 200


async def test_elements_and_motions_outlive_the_process(tmp_path: Path) -> None:
    config = SimulatorConfig(state_dir=tmp_path)
    async for first in open_sim(config):
        element = await make(first)
        clip = await first.upload(video("clean", "1:1", 4), "video/mp4")
    async for second in open_sim(config):  # a new process: nothing in memory
        assert (await second.http.get(f"/elements/{element['id']}")).json() == element
        mine = (await second.http.get("/videos/motions", params={"mine": "true"})).json()
        assert [m["url"] for m in mine] == [clip["url"]]
        body = {"imageUrl": IMG, "motionUrl": clip["url"], "element_1": element["id"]}
        (made,) = await second.videos(await second.create("/videos/motion-create", body))
        assert made.seconds == 4
