"""The video endpoints beyond text2video over HTTP: each accepted request becomes a task that ends with works whose
downloaded files really last what the rules say (omni, multi-shot, transform, image2video-elements, effects,
extend, motion control), video uploads, the motion and effect lists, and each endpoint's refusals as useapi-style
400s that name the parameter and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from kling_mcp.simulator import SimulatorConfig, mp4
from kling_mcp.simulator.media import cover, video
from tests.simulator.conftest import Sim, open_sim
from tests.simulator.test_media import png

pytestmark = pytest.mark.anyio

IMG = "https://images.test/person.png"


async def element(sim: Sim, **fields: Any) -> str:
    response = await sim.http.post("/elements", json={"name": "Fox", "coverImage": IMG, **fields})
    assert response.status_code == 200, response.text
    element_id: str = response.json()["id"]
    return element_id


async def refusal(sim: Sim, path: str, body: dict[str, Any]) -> str:
    """A 400 with useapi's error body, and nothing created."""
    before = len(sim.state.tasks)
    response = await sim.http.post(path, json=body)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["code"] == 400 and len(sim.state.tasks) == before
    error: str = answer["error"]
    return error


# --- video uploads --------------------------------------------------------------------------------------------------


async def test_a_video_upload_answers_status_1_with_resource_and_cover_urls(sim: Sim) -> None:
    clip = video("clean", "9:16", 7, True)
    body = await sim.upload(clip, "video/mp4")
    assert body["status"] == 1 and body["message"] == "" and body["fileName"].endswith(".mp4")  # reference §7.1
    assert (await sim.http.get(body["resourceUrl"])).content == clip == (await sim.http.get(body["url"])).content
    poster = await sim.http.get(body["coverUrl"])
    assert poster.headers["content-type"] == "image/png" and poster.content == cover("9:16")
    mov = await sim.upload(video("clean", "16:9", 4), "video/quicktime")
    assert mov["status"] == 1 and mov["fileName"].endswith(".mov")
    mine = (await sim.http.get("/videos/motions", params={"mine": "true"})).json()  # the account's own motions
    assert [(m["url"], m["duration"], m["hasAudio"]) for m in mine] == [
        (mov["url"], 4000, False),
        (body["url"], 7000, True),
    ]


@pytest.mark.parametrize(
    ("data", "words"),
    [(video("clean", "16:9", 31), "31 s; videos are limited to 30 seconds"), (b"not a video", "not a readable video")],
)
async def test_a_video_upload_too_long_or_unreadable_is_refused(sim: Sim, data: bytes, words: str) -> None:
    response = await sim.http.post("/assets/", content=data, headers={"Content-Type": "video/mp4"})
    assert response.status_code == 400 and words in response.json()["error"]
    assert not sim.state.uploads


# --- omni -----------------------------------------------------------------------------------------------------------


async def test_omni_with_references_makes_a_v3_video_with_sound(sim: Sim) -> None:
    fox = await element(sim)
    before = await sim.balance()
    body = {"prompt": "@element_1 walks past @image_1", "image_1": IMG, "element_1": fox, "duration": "6"}
    task_id = await sim.create("/videos/omni", body)
    assert sim.state.tasks[task_id].kind == "m2v_omni_video"
    (clip,) = await sim.videos(task_id)
    assert (clip.seconds, clip.audio, (clip.width, clip.height)) == (6, True, (320, 180))  # v3 default: sound, 16:9
    assert before - await sim.balance() == 6 * 9  # kling-v3-0 std with sound, per second (inferred)


async def test_omni_multi_shot_lasts_the_sum_of_its_shots(sim: Sim) -> None:
    shots = {"shot_1_prompt": "a fox wakes", "shot_1_duration": 3, "shot_2_prompt": "it runs", "shot_2_duration": "4"}
    (clip,) = await sim.videos(await sim.create("/videos/omni", {**shots, "mode": "pro"}))
    assert clip.seconds == 7


async def test_omni_count_makes_several_works_each_downloadable(sim: Sim) -> None:
    task_id = await sim.create("/videos/omni", {"prompt": "a fox", "count": 2, "omni_version": "o1"})
    clips = await sim.videos(task_id)
    assert [(c.seconds, c.audio) for c in clips] == [(5, False), (5, False)]  # o1 has no sound
    works = [w["workId"] for w in (await sim.final(task_id))["works"]]
    assert len(set(works)) == 2
    zipped = await sim.http.get("/assets/download", params={"workIds": ",".join(map(str, works))})
    assert zipped.json()["cdnUrl"].endswith(".zip")


async def test_omni_transform_makes_a_file_of_the_source_length(sim: Sim) -> None:
    source = await sim.upload(video("clean", "9:16", 7, True), "video/mp4")
    body = {"prompt": "make @video_1 snowy", "video_1": source["resourceUrl"], "video_mode": "transform"}
    (silent,) = await sim.videos(await sim.create("/videos/omni", {**body, "duration": "5"}))
    assert (silent.seconds, silent.audio, silent.height > silent.width) == (7, False, True)  # source ratio
    (kept,) = await sim.videos(await sim.create("/videos/omni", {**body, "keep_audio": True}))
    assert (kept.seconds, kept.audio) == (7, True)
    # A previous task's video is a source too (the simulator knows how long it is).
    task_id = await sim.create("/videos/text2video", {"prompt": "a fox", "model_name": "kling-v3-0", "duration": 9})
    work = (await sim.final(task_id))["works"][0]
    edit = {"prompt": "make @video_1 snowy", "video_1": work["resource"]["resource"], "video_mode": "transform"}
    (edited,) = await sim.videos(await sim.create("/videos/omni", edit))
    assert edited.seconds == 9


async def test_omni_reference_video_and_frames_workflows(sim: Sim) -> None:
    source = await sim.upload(video("clean", "1:1", 4), "video/mp4")
    body = {"prompt": "in the style of @video_1", "video_1": source["url"], "duration": 8, "aspect_ratio": "16:9"}
    (styled,) = await sim.videos(await sim.create("/videos/omni", body))
    assert (styled.seconds, styled.width == styled.height) == (8, True)  # aspect_ratio not honoured with video_1
    start = await sim.upload(png(360, 640), "image/png")
    frames = {"prompt": "the boat drifts", "frame_start": start["url"], "aspect_ratio": "auto"}
    (framed,) = await sim.videos(await sim.create("/videos/omni", frames))
    assert framed.height > framed.width  # the frames workflow takes its start frame's ratio


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"prompt": "@image_1 meets @image_3", "image_1": IMG, "image_2": IMG}, "@image_3, but image_3 is not given"),
        ({"prompt": "in the style of @video_1"}, "@video_1, but video_1 is not given"),
        ({"prompt": "@object_2 waves", "image_1": IMG}, "element_2 is not given"),
        ({"omni_version": "v3"}, "prompt is required (unless using multi-shot"),
        ({"prompt": "a fox", "omni_version": "o1", "duration": 12}, "Valid values: 3 to 10"),
        ({"prompt": "a fox", "duration": 16}, "Valid values: 3 to 15"),
        ({"prompt": "a fox", "omni_version": "o2"}, "Valid values: v3, o1"),
        (
            {"prompt": "a fox", "omni_version": "o1", "enable_audio": False},
            "enable_audio is not valid with omni_version",
        ),
        ({"prompt": "@video_1", "video_1": "https://v.test/a.mp4", "enable_audio": True}, "not valid with video_1"),
        ({"prompt": "a fox", "aspect_ratio": "auto"}, "auto in the frames workflow only"),
        ({"prompt": "a", "frame_start": IMG, "aspect_ratio": "9:16"}, "the frames workflow takes auto only"),
        ({"prompt": "a fox", "frame_end": IMG}, "frame_end needs frame_start"),
        ({"prompt": "a", "frame_start": IMG, "video_1": "https://v.test/a.mp4"}, "select two workflows"),
        ({"prompt": "a", **{f"image_{n}": IMG for n in range(1, 8)}, "element_1": "u_1"}, "share 7 slots"),
        ({"prompt": "a", **{f"image_{n}": IMG for n in range(1, 6)}, "video_1": "https://v.test/a"}, "4 slots"),
        ({"prompt": "a fox", "image_8": IMG}, "Unknown parameter image_8"),
        ({"prompt": "a fox", "video_mode": "edit"}, "Valid values: reference, transform"),
        ({"prompt": "a fox", "count": 5}, "count 5 is not supported. Valid values: 1 to 4"),
        ({"prompt": "x" * 1701}, "1701 characters, max 1700"),
        ({"prompt": "@element_1 sits", "element_1": "u_100000000000001"}, "element u_100000000000001 not found"),
        ({"shot_1_prompt": "a", "shot_1_duration": 9, "shot_2_prompt": "b", "shot_2_duration": 9}, "total 18 s"),
        (
            {"shot_1_prompt": "a", "shot_1_duration": 2, "shot_2_prompt": "b", "shot_2_duration": 2, "duration": 4},
            "duration cannot",
        ),
    ],
)
async def test_omni_refusals(sim: Sim, body: dict[str, Any], words: str) -> None:
    assert words in await refusal(sim, "/videos/omni", body)


async def test_omni_refuses_a_transform_longer_than_the_version_makes_and_o1_video_elements(sim: Sim) -> None:
    long = await sim.upload(video("clean", "16:9", 12), "video/mp4")
    body = {"prompt": "snowy", "video_1": long["url"], "video_mode": "transform", "omni_version": "o1"}
    assert "lasts 12 s; omni o1 makes 3 to 10 s" in await refusal(sim, "/videos/omni", body)
    clip = await sim.upload(video("clean", "16:9", 5), "video/mp4")
    actor = await element(sim, type="VIDEO", coverImage=clip["url"])
    o1 = {"prompt": "@element_1 bows", "element_1": actor, "omni_version": "o1"}
    assert "VIDEO element" in await refusal(sim, "/videos/omni", o1)
    assert (await sim.http.post("/videos/omni", json={**o1, "omni_version": "v3"})).status_code == 200


# --- image2video-elements -------------------------------------------------------------------------------------------


async def test_multi_image_v3_takes_elements_and_its_first_image_ratio(sim: Sim) -> None:
    portrait = await sim.upload(png(360, 640), "image/png")
    fox = await element(sim)
    body = {"image_0": portrait["url"], "image_1": IMG, "element_1": fox, "prompt": "two friends", "duration": 7}
    task_id = await sim.create("/videos/image2video-elements", {**body, "model_name": "kling-v3-0"})
    assert sim.state.tasks[task_id].kind == "m2v_img2video_multi_hq"
    (clip,) = await sim.videos(task_id)
    assert (clip.seconds, clip.audio, clip.height > clip.width) == (7, True, True)  # v3: always sound


async def test_multi_image_v1_6_is_the_default_with_5_or_10_seconds(sim: Sim) -> None:
    before = await sim.balance()
    body = {"image_0": IMG, "prompt": "a walk", "duration": "10", "aspect_ratio": "1:1", "mode": "pro"}
    (clip,) = await sim.videos(await sim.create("/videos/image2video-elements", body))
    assert (clip.seconds, clip.audio, clip.width == clip.height) == (10, False, True)
    assert before - await sim.balance() == 70  # 1.6 Pro 10 s (reference §9; multi-image priced alike: inferred)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"prompt": "a walk"}, "image_0 is required"),
        ({"image_0": IMG}, "prompt is required"),
        ({"image_0": IMG, "prompt": "a", "model_name": "kling-v2-6"}, "Valid values: kling-v3-0, kling-v1-6"),
        ({"image_0": IMG, "prompt": "a", "duration": 7}, "Valid values: 5, 10"),
        ({"image_0": IMG, "prompt": "a", "model_name": "kling-v3-0", "duration": 2}, "Valid values: 3 to 15"),
        ({"image_0": IMG, "prompt": "a", "aspect_ratio": "4:3"}, "Valid values: 16:9, 9:16, 1:1"),
        ({"image_0": IMG, "prompt": "a", "image_4": IMG}, "Unknown parameter image_4"),
        ({"image_0": IMG, "prompt": "a", "element_1": "u_100000000000001"}, "not found on this account"),
    ],
)
async def test_multi_image_refusals(sim: Sim, body: dict[str, Any], words: str) -> None:
    assert words in await refusal(sim, "/videos/image2video-elements", body)


# --- effects --------------------------------------------------------------------------------------------------------


async def test_effects_list_and_an_effect_video_of_5_seconds(sim: Sim) -> None:
    listing = (await sim.http.get("/videos/effects")).json()
    assert isinstance(listing, list)  # useapi's page: a bare array
    rocket = next(e for e in listing if e["name"] == "rocket")
    assert rocket["supportedModelMode"] == ["std", "pro"] and rocket["compositedSchema"]["process"]["taskType"]
    assert (await sim.http.get(rocket["webVideoUrl"])).status_code == 200
    square = await sim.upload(png(400, 400), "image/png")
    task_id = await sim.create("/videos/image2video-effects", {"effect": "rocket", "image": square["url"]})
    assert sim.state.tasks[task_id].kind == "m2v_img2video_se_hq"  # the effect's taskType
    (clip,) = await sim.videos(task_id)
    assert (clip.seconds, clip.width == clip.height) == (5, True)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"effect": "sparkle", "image": IMG}, "Valid values: rocket, spinoff, bloombloom, squish"),
        ({"image": IMG}, "effect is required"),
        ({"effect": "rocket"}, "image is required"),
        ({"effect": "spinoff", "image": IMG, "mode": "std"}, "not supported by effect spinoff. Valid values: pro"),
        ({"effect": "rocket", "image": IMG, "duration": 5}, "Unknown parameter duration"),
    ],
)
async def test_effect_refusals(sim: Sim, body: dict[str, Any], words: str) -> None:
    assert words in await refusal(sim, "/videos/image2video-effects", body)


# --- extend ---------------------------------------------------------------------------------------------------------


async def test_extend_adds_5_seconds_and_can_be_extended_again(sim: Sim) -> None:
    source = await sim.create("/videos/text2video", {"prompt": "a fox", "model_name": "kling-v1-6", "mode": "pro"})
    await sim.final(source)
    before = await sim.balance()
    first = await sim.create("/videos/extend", {"task_id": str(source), "prompt": "it keeps running"})
    assert sim.state.tasks[first].kind == "m2v_extend_video"  # reference §5.4
    assert before - await sim.balance() == 35  # 5 s more at the source's price (inferred)
    (clip,) = await sim.videos(first)
    assert (clip.seconds, clip.audio) == (10, False)
    second = await sim.create("/videos/extend", {"task_id": first, "enable_audio": True})
    (longer,) = await sim.videos(second)
    assert (longer.seconds, longer.audio) == (15, True)


async def test_extend_refuses_a_task_that_is_not_a_succeeded_task_of_the_account(sim: Sim) -> None:
    running = await sim.create("/videos/text2video", {"prompt": "a fox"})
    assert f"Task {running} is submitted, not succeed" in await refusal(sim, "/videos/extend", {"task_id": running})
    failed = await sim.create("/videos/text2video", {"prompt": "a fox sim:fail-6"})
    vanished = await sim.create("/videos/text2video", {"prompt": "a fox sim:vanish"})
    await sim.final(failed)
    assert "is failed, not succeed" in await refusal(sim, "/videos/extend", {"task_id": failed})
    assert "is deleted, not succeed" in await refusal(sim, "/videos/extend", {"task_id": vanished})
    assert "Task 42 not found on this account" in await refusal(sim, "/videos/extend", {"task_id": 42})
    assert "task_id is required" in await refusal(sim, "/videos/extend", {"prompt": "more"})
    assert "whole number" in await refusal(sim, "/videos/extend", {"task_id": "12a"})
    assert "cfg_scale" in await refusal(sim, "/videos/extend", {"task_id": running, "cfg_scale": 2})


async def test_extend_refuses_the_task_of_another_account() -> None:
    async for shared in open_sim(SimulatorConfig(accounts=["a@x.com", "b@x.com"])):
        theirs = await shared.create("/videos/text2video", {"prompt": "a fox", "email": "a@x.com"})
        shared.clock.now += 100_000
        answer = await shared.http.post("/videos/extend", json={"task_id": theirs, "email": "b@x.com"})
        assert answer.status_code == 400 and "not found on this account" in answer.json()["error"]
        ours = await shared.http.post("/videos/extend", json={"task_id": theirs, "email": "a@x.com"})
        assert ours.status_code == 200


# --- motion control -------------------------------------------------------------------------------------------------


async def test_motion_with_an_official_motion_lasts_the_motion(sim: Sim) -> None:
    motions = (await sim.http.get("/videos/motions")).json()
    walk = next(m for m in motions if m["assetId"] == "motion_walk")
    assert walk["duration"] == 5750 and walk["assetType"] == "MOTION"  # useapi's page shows a 5760 ms motion
    person = await sim.upload(png(360, 640), "image/png")
    before = await sim.balance()
    task_id = await sim.create("/videos/motion-create", {"imageUrl": person["url"], "motionUrl": walk["url"]})
    assert sim.state.tasks[task_id].kind == "m2v_motion_control"
    (clip,) = await sim.videos(task_id)
    assert (clip.seconds, clip.audio, clip.height > clip.width) == (5.75, False, True)
    assert before - await sim.balance() == 6 * 5.75  # kling-v3-0 std per second (inferred)


async def test_motion_with_an_uploaded_motion_keeps_its_sound_on_request(sim: Sim) -> None:
    dance = await sim.upload(video("clean", "9:16", 4, True), "video/mp4")
    body = {"imageUrl": IMG, "motionUrl": dance["resourceUrl"], "model_name": "kling-v2-6", "keepAudio": "true"}
    (clip,) = await sim.videos(await sim.create("/videos/motion-create", body))
    assert (clip.seconds, clip.audio) == (4, True)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"motionUrl": "https://m.test/dance.mp4"}, "imageUrl is required"),
        ({"imageUrl": IMG}, "motionUrl is required"),
        ({"imageUrl": IMG, "motionUrl": "https://m.test/a.mp4", "model_name": "kling-v2-1"}, "kling-v3-0, kling-v2-6"),
        ({"imageUrl": IMG, "motionUrl": "https://m.test/a.mp4", "motionDirection": "up"}, "motion_direction, image_"),
        ({"imageUrl": IMG, "motionUrl": "https://m.test/a.mp4", "mode": "4k"}, "Valid values: std, pro"),
        ({"imageUrl": IMG, "motionUrl": "https://m.test/a.mp4", "element_1": "u_100000000000001"}, "not found"),
        ({"imageUrl": IMG, "motionUrl": "https://m.test/a.mp4", "duration": 5}, "Unknown parameter duration"),
    ],
)
async def test_motion_refusals(sim: Sim, body: dict[str, Any], words: str) -> None:
    assert words in await refusal(sim, "/videos/motion-create", body)


async def test_motion_refuses_a_motion_video_too_short_or_not_a_video(sim: Sim) -> None:
    short = await sim.upload(video("clean", "16:9", 2), "video/mp4")
    body = {"imageUrl": IMG, "motionUrl": short["url"]}
    assert "lasts 2 s; it must last 3 to 30 seconds" in await refusal(sim, "/videos/motion-create", body)
    picture = await sim.upload(png(400, 400), "image/png")
    body = {"imageUrl": IMG, "motionUrl": picture["url"]}
    assert "motionUrl must be the URL of a video" in await refusal(sim, "/videos/motion-create", body)


async def test_motion_upload_adds_to_the_account_motions(sim: Sim) -> None:
    clip = await sim.upload(video("clean", "1:1", 6), "video/mp4")
    answer = await sim.http.post(
        "/videos/motion-upload", json={"resourceUrl": clip["url"], "coverUrl": clip["coverUrl"]}
    )
    assert answer.status_code == 200 and answer.json()["duration"] == 6000
    mine = (await sim.http.get("/videos/motions", params={"mine": True})).json()
    assert answer.json() in mine and len(mine) == 2  # with the upload itself (useapi: uploaded videos are motions)
    long = await sim.upload(video("clean", "1:1", 12), "video/mp4")
    body = {"resourceUrl": long["url"], "coverUrl": IMG}
    assert "a motion upload must last 2 to 10 seconds" in await refusal(sim, "/videos/motion-upload", body)
    assert "coverUrl is required" in await refusal(sim, "/videos/motion-upload", {"resourceUrl": clip["url"]})
    assert (await sim.http.get("/videos/motions", params={"mine": "maybe"})).status_code == 400


# --- the same life cycle as text2video ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/videos/omni", {"prompt": "a fox"}),
        ("/videos/image2video-elements", {"image_0": IMG, "prompt": "a fox"}),
        ("/videos/image2video-effects", {"effect": "rocket", "image": IMG, "prompt": "a fox"}),
        ("/videos/motion-create", {"imageUrl": IMG, "motionUrl": "https://m.test/a.mp4", "prompt": "a fox"}),
        ("/videos/extend", {"prompt": "a fox"}),
    ],
)
async def test_triggers_reach_every_new_endpoint(sim: Sim, path: str, body: dict[str, Any]) -> None:
    if path == "/videos/extend":
        source = await sim.create("/videos/text2video", {"prompt": "a fox"})
        await sim.final(source)
        body = {**body, "task_id": source}
    fail = {**body, "prompt": "a fox sim:fail-54"}
    task_id = await sim.create(path, fail)
    final = await sim.final(task_id)
    assert (final["status"], final["status_final"], final["works"]) == (54, True, [])
    moderated = await sim.http.post(path, json={**body, "prompt": "sim:moderation"})
    assert moderated.status_code == 500


async def test_a_foreign_motion_url_is_taken_as_10_seconds(sim: Sim) -> None:
    body = {"imageUrl": IMG, "motionUrl": "https://m.test/unknown.mp4"}
    (clip,) = await sim.videos(await sim.create("/videos/motion-create", body))
    assert clip.seconds == 10  # media.unknown: the simulator cannot fetch it


def test_served_media_of_part_seconds_is_exact() -> None:
    assert mp4.probe(video("clean", "16:9", 5.75, True)).seconds == 5.75
    assert video("clean", "16:9", 5) == video("clean", "16:9", 5.0)
