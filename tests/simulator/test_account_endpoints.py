"""The account endpoints over HTTP: the task history (GET /tasks with its filters), deleting a task, useapi's
scheduler (running tasks, free slots, stop tracking), the uploaded files (list, filter, delete), audio uploads with
their limits, and GET /assets/download serving each kind of work with its own file types."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from kling_mcp.simulator import SimulatorConfig, audio, mp4
from kling_mcp.simulator.media import image_size, video
from tests.simulator.conftest import Sim, encode, needs_ffmpeg, open_sim, png, wav

pytestmark = pytest.mark.anyio

EMAIL = "demo@example.com"


async def history(sim: Sim, **params: Any) -> list[dict[str, Any]]:
    response = await sim.http.get("/tasks", params=params)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["history"]
    return entries


def ids(entries: list[dict[str, Any]]) -> list[int]:
    return [entry["task"]["id"] for entry in entries]


# --- GET /tasks -----------------------------------------------------------------------------------------------------


async def test_history_lists_the_accounts_tasks_newest_first_with_filters(sim: Sim) -> None:
    clip = await sim.create("/videos/text2video", {"prompt": "a fox"})
    sim.clock.now += 10
    picture = await sim.create("/images/omni", {"prompt": "a fox", "imageCount": 2})
    sim.clock.now += 10
    speech = (await sim.http.post("/tts/create", json={"speakerId": "uk_boy1", "text": "Hi"})).json()
    sound = int(speech["resource"].split("/")[-2]) // 10
    sim.clock.now += 10
    gone = await sim.create("/videos/text2video", {"prompt": "sim:vanish"})
    everything = await history(sim)
    assert ids(everything) == [gone, sound, picture, clip]  # the vanished task still runs: listed until it ends
    sim.clock.now += 100_000
    everything = await history(sim)
    assert ids(everything) == [sound, picture, clip]  # its poll answers 404 now: not listed
    by_kind = {entry["task"]["id"]: [w["contentType"] for w in entry["works"]] for entry in everything}
    assert by_kind == {sound: ["audio"], picture: ["image", "image"], clip: ["video"]}
    assert all(w["taskId"] == e["task"]["id"] and w["createTime"] for e in everything for w in e["works"])
    assert ids(await history(sim, contentType="image")) == [picture]
    assert ids(await history(sim, pageSize=2)) == [sound, picture]
    created = {e["task"]["id"]: e["task"]["createTime"] for e in everything}
    assert ids(await history(sim, createdBefore=created[picture])) == [clip]
    assert ids(await history(sim, createdAfter=created[clip])) == [sound, picture]
    assert ids(await history(sim, createdAfter=created[clip], pageSize=1)) == [picture]  # pages forward


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"createdBefore": 2, "createdAfter": 1}, "createdBefore and createdAfter cannot be used together"),
        ({"contentType": "music"}, "Valid values: video, image, audio"),
        ({"pageSize": "0"}, "Parameter pageSize '0' is not supported"),
        ({"createdBefore": "yesterday"}, "Parameter createdBefore 'yesterday' is not supported"),
    ],
)
async def test_history_refusals(sim: Sim, params: dict[str, Any], words: str) -> None:
    response = await sim.http.get("/tasks", params=params)
    assert response.status_code == 400 and words in response.json()["error"], response.text


async def test_history_is_per_account() -> None:
    config = SimulatorConfig(accounts=["a@example.com", "b@example.com"])
    async for sim in open_sim(config):
        await sim.http.post("/videos/text2video", json={"prompt": "a fox", "email": "a@example.com"})
        assert await history(sim, email="b@example.com") == []
        assert len(await history(sim, email="a@example.com")) == 1
        assert (await sim.http.get("/tasks")).status_code == 400  # several accounts: email required (reference §1)


# --- DELETE /tasks/{id} ---------------------------------------------------------------------------------------------


async def test_delete_a_finished_task_and_its_works_for_good(sim: Sim) -> None:
    task_id = await sim.create("/images/omni", {"prompt": "a fox", "imageCount": 3})
    not_yet = await sim.http.delete(f"/tasks/{task_id}")  # running: no works yet
    assert not_yet.status_code == 404 and not_yet.json()["error"] == f"No works found for task {task_id}"
    works = await sim.works(task_id)
    url = works[0]["resource"]["resource"]
    deleted = await sim.http.delete(f"/tasks/{task_id}")
    assert deleted.json() == {"deleted": 3, "workIds": [w["workId"] for w in works]}  # reference §6.4
    assert (await sim.http.get(f"/tasks/{task_id}")).status_code == 404  # polls as a deleted task (§6.1)
    assert (await sim.http.get(url)).status_code == 404
    assert await history(sim) == []
    again = await sim.http.delete(f"/tasks/{task_id}")
    assert again.status_code == 404 and again.json()["error"] == f"No works found for task {task_id}"
    bad = await sim.http.delete("/tasks/abc")
    assert bad.status_code == 400 and bad.json()["error"] == "Invalid task_id parameter"


async def test_a_task_of_another_account_cannot_be_deleted() -> None:
    config = SimulatorConfig(accounts=["a@example.com", "b@example.com"], process_seconds=1)
    async for sim in open_sim(config):
        made = await sim.http.post("/videos/text2video", json={"prompt": "a fox", "email": "a@example.com"})
        task_id = made.json()["task"]["id"]
        sim.clock.now += 1000
        other = await sim.http.delete(f"/tasks/{task_id}", params={"email": "b@example.com"})
        assert other.status_code == 404
        assert (await sim.http.get(f"/tasks/{task_id}", params={"email": "a@example.com"})).status_code == 200


# --- the scheduler --------------------------------------------------------------------------------------------------


async def test_scheduler_lists_running_tasks_and_free_slots_and_stops_tracking() -> None:
    async for sim in open_sim(SimulatorConfig(max_jobs=2, process_seconds=600, queue_seconds=0)):
        first = await sim.create("/videos/text2video", {"prompt": "a fox", "replyUrl": "https://hook.test/k"})
        second = await sim.create("/videos/text2video", {"prompt": "a cat", "replyRef": "mine"})
        sim.clock.now += 65
        running = (await sim.http.get("/scheduler")).json()
        assert [(t["id"], t["email"], t["elapsed"]) for t in running] == [
            (first, EMAIL, "01:05"),
            (second, EMAIL, "01:05"),
        ]
        assert running[0]["replyUrl"] == "https://hook.test/k" and running[1]["replyRef"] == "mine"
        assert running[0]["started"].endswith("Z")
        capacity = (await sim.http.get("/scheduler/available")).json()
        assert capacity["available"] == [{"email": EMAIL, "maxJobs": 2, "executing": 2, "available": 0}]
        assert [t["id"] for t in capacity["executing"]] == [first, second]
        refused = await sim.http.post("/videos/text2video", json={"prompt": "a third"})
        assert refused.status_code == 429
        spent = await sim.balance()
        stopped = await sim.http.delete(f"/scheduler/{first}")
        assert stopped.status_code == 204 and stopped.content == b""
        capacity = (await sim.http.get("/scheduler/available")).json()
        assert capacity["available"][0]["available"] == 1 and [t["id"] for t in capacity["executing"]] == [second]
        assert await sim.balance() == spent  # no refund: Kling keeps running and billing it (reference §4.3)
        await sim.create("/videos/text2video", {"prompt": "a third"})  # its slot is free
        assert (await sim.final(first))["status_name"] == "succeed"  # it kept running
        again = await sim.http.delete(f"/scheduler/{first}")
        assert again.status_code == 404 and again.json() == {"error": f"Unable to locate running task_id {first}"}
        unknown = await sim.http.delete("/scheduler/nope")
        assert unknown.status_code == 404 and unknown.json()["error"] == "Unable to locate running task_id nope"


# --- uploaded assets ------------------------------------------------------------------------------------------------


async def test_uploaded_files_are_listed_filtered_and_deleted(sim: Sim) -> None:
    picture = await sim.upload(png(400, 300), "image/png")
    sim.clock.now += 1
    clip = await sim.upload(video("clean", "9:16", 4, True), "video/mp4")
    sim.clock.now += 1
    sound = await sim.upload(wav(2.5), "audio/wav")
    listing = (await sim.http.get("/assets/uploaded/")).json()["uploadAssetsList"]
    assert [a["name"] for a in listing] == [sound["fileName"], clip["fileName"], picture["fileName"]]  # newest first
    assert all(a["id"].isdigit() for a in listing)
    kinds = {a["contentType"]: a for a in listing}
    assert kinds["image"]["resource"] | {"resource": ""} == {
        "resource": "",
        "width": 400,
        "height": 300,
        "duration": 0,
        "resourceKey": "",
    }
    assert kinds["video"]["resource"]["duration"] == 4000 and kinds["video"]["cover"]["resource"].endswith(".png")
    assert kinds["audio"]["resource"]["duration"] == 2500 and kinds["audio"]["resource"]["resource"] == sound["url"]
    audio_only = (await sim.http.get("/assets/uploaded", params={"contentType": "audio"})).json()["uploadAssetsList"]
    assert [a["name"] for a in audio_only] == [sound["fileName"]]
    oldest = (await sim.http.get("/assets/uploaded/", params={"sort": "asc", "pageSize": 1})).json()
    assert [a["name"] for a in oldest["uploadAssetsList"]] == [picture["fileName"]]
    second_page = (await sim.http.get("/assets/uploaded/", params={"pageSize": 2, "pageNum": 2})).json()
    assert [a["name"] for a in second_page["uploadAssetsList"]] == [picture["fileName"]]
    named = (await sim.http.get("/assets/uploaded/", params={"fileName": clip["fileName"][:10]})).json()
    assert [a["name"] for a in named["uploadAssetsList"]] == [clip["fileName"]]
    gone = await sim.http.delete("/assets/uploaded/", params={"email": EMAIL, "id": f"{kinds['video']['id']},12"})
    assert gone.json() == {"deleted": 1, "ids": [kinds["video"]["id"]]}
    assert (await sim.http.get(clip["url"])).status_code == 404
    remaining = (await sim.http.get("/assets/uploaded/")).json()["uploadAssetsList"]
    assert [a["name"] for a in remaining] == [sound["fileName"], picture["fileName"]]


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"id": "1"}, 400, "Parameter email is required"),
        ({"email": EMAIL}, 400, "must be a numeric string or a comma-separated list of up to 10"),
        ({"email": EMAIL, "id": "abc"}, 400, "Parameter id (abc) must be a numeric string"),
        ({"email": EMAIL, "id": ",".join(str(n) for n in range(11))}, 400, "up to 10 numeric strings"),
        ({"email": "other@example.com", "id": "1"}, 404, "Account configuration not found"),
    ],
)
async def test_deleting_uploads_refusals(sim: Sim, params: dict[str, Any], status: int, words: str) -> None:
    response = await sim.http.delete("/assets/uploaded/", params=params)
    assert response.status_code == status and words in response.json()["error"], response.text


async def test_listing_uploads_refusals(sim: Sim) -> None:
    for params, words in (({"sort": "up"}, "Valid values: asc, desc"), ({"contentType": "x"}, "video, image, audio")):
        response = await sim.http.get("/assets/uploaded/", params=params)
        assert response.status_code == 400 and words in response.json()["error"]


# --- audio uploads --------------------------------------------------------------------------------------------------


async def test_a_wav_upload_is_kept_and_served(sim: Sim) -> None:
    data = wav(3.0)
    body = await sim.upload(data, "audio/wav")
    assert body["status"] == 1 and body["fileName"].endswith(".wav")  # reference §7.1: 1 for non-images
    assert (await sim.http.get(body["url"])).content == data


@needs_ffmpeg
@pytest.mark.parametrize(
    ("content_type", "suffix", "args"),
    [
        ("audio/mpeg", ".mp3", ()),
        ("audio/mp4", ".m4a", ("-c:a", "aac")),
        ("audio/flac", ".flac", ()),
        ("audio/aac", ".aac", ("-c:a", "aac", "-f", "adts")),
        ("audio/ogg", ".ogg", ("-c:a", "libvorbis")),
        ("audio/ogg", ".opus", ("-c:a", "libopus", "-f", "ogg")),
        ("audio/wave", ".wav", ()),
    ],
)
async def test_every_documented_audio_type_uploads_with_its_length(
    sim: Sim, tmp_path: Path, content_type: str, suffix: str, args: tuple[str, ...]
) -> None:
    data = encode(wav(7.5), suffix, tmp_path, *args)
    body = await sim.upload(data, content_type)
    (asset,) = (await sim.http.get("/assets/uploaded/")).json()["uploadAssetsList"]
    assert asset["contentType"] == "audio" and asset["name"] == body["fileName"]
    assert asset["resource"]["duration"] == pytest.approx(7500, abs=80)  # encoders pad by up to a frame


@pytest.mark.parametrize(
    ("data", "content_type", "words"),
    [
        (wav(31.0), "audio/wav", "lasts 31 s; audio files are limited to 30 seconds"),
        (b"RIFF not really a wave file", "audio/wav", "not a readable audio file (audio/wav)"),
        (audio.mp3(2.0), "audio/wav", "The file is MP3 audio but its Content-Type is audio/wav"),
        (b"\x00" * (20 * 1024 * 1024 + 1), "audio/mpeg", "limited to 20 MB"),
    ],
)
async def test_audio_upload_refusals(sim: Sim, data: bytes, content_type: str, words: str) -> None:
    response = await sim.http.post("/assets/", content=data, headers={"Content-Type": content_type})
    assert response.status_code == 400 and words in response.json()["error"], response.text
    assert sim.state.uploads == {}


async def test_an_uploaded_sound_is_lip_sync_audio_but_not_a_video(sim: Sim) -> None:
    sound = await sim.upload(wav(2.0), "audio/wav")
    error = await sim.refusal("/videos/add-sound", {"video": sound["url"]})
    assert "video must be the URL of a video" in error


# --- downloads of every kind of work --------------------------------------------------------------------------------


async def test_each_kind_of_work_downloads_with_its_own_file_types(sim: Sim) -> None:
    picture = await sim.create("/images/omni", {"prompt": "a fox"})
    (image_work,) = await sim.works(picture)
    silent = await sim.create("/videos/text2video", {"prompt": "a fox"})  # kling-v1-6: no sound
    (video_work,) = await sim.works(silent)
    png_file = await sim.file(image_work["workId"], "PNG")
    assert png_file.headers["content-type"] == "image/png" and image_size(png_file.content) == (1024, 1024)
    for work, wrong in ((image_work, "MP4"), (video_work, "PNG"), (video_work, "MP3")):
        refused = await sim.http.get("/assets/download", params={"workIds": work["workId"], "fileTypes": wrong})
        assert refused.status_code == 400 and refused.json() == {"error": "Invalid parameters"}
    unknown = await sim.http.get("/assets/download", params={"workIds": image_work["workId"], "fileTypes": "GIF"})
    assert unknown.status_code == 400
    both = f"{image_work['workId']},{video_work['workId']}"
    link = (await sim.http.get("/assets/download", params={"workIds": both})).json()["cdnUrl"]
    archive = zipfile.ZipFile(io.BytesIO((await sim.http.get(link)).content))
    assert sorted(archive.namelist()) == sorted([f"{image_work['workId']}.png", f"{video_work['workId']}.mp4"])
    assert mp4.probe(archive.read(f"{video_work['workId']}.mp4")).seconds == 5
