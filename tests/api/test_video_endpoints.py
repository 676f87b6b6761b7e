"""The video endpoint family (issue #12, client layer): each endpoint sends the documented body or query (literal
JSON), parses its answer, turns a 400 into BadRequestError, and — for creates — leaves a 502 as an unknown outcome
that is never resent."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx

from kling_mcp.api import errors
from kling_mcp.api.client import CreateAttempt, KlingClient
from kling_mcp.api.models import Image2VideoFramesRequest, Text2VideoRequest, shot_fields
from kling_mcp.api.video import (
    CreateElementRequest,
    ExtendVideoRequest,
    Image2VideoEffectsRequest,
    Image2VideoElementsRequest,
    MotionCreateRequest,
    MotionUploadRequest,
    OmniVideoRequest,
)
from tests.api.conftest import SleepRecorder
from tests.api.seed_json import SEED_CREATE_RESPONSE

IMG = "https://s21-kling.klingai.com/up/a.png"
VID = "https://v21-kling.klingai.com/up/b.mp4"

OMNI = OmniVideoRequest(
    prompt="@element_1 walks past @image_1, in the style of @video_1",
    omni_version="v3",
    duration="8",
    aspect_ratio="9:16",
    mode="pro",
    image_1=IMG,
    element_1="u_309377170505500",
    video_1=VID,
    video_mode="reference",
    keep_audio=True,
)
OMNI_BODY = {
    "prompt": "@element_1 walks past @image_1, in the style of @video_1",
    "omni_version": "v3",
    "duration": "8",
    "aspect_ratio": "9:16",
    "mode": "pro",
    "image_1": IMG,
    "element_1": "u_309377170505500",
    "video_1": VID,
    "video_mode": "reference",
    "keep_audio": True,
}
ELEMENTS = Image2VideoElementsRequest(
    image_0=IMG, image_1=IMG, element_1="u_1", prompt="two friends", model_name="kling-v3-0", duration="6"
)
ELEMENTS_BODY = {
    "image_0": IMG,
    "prompt": "two friends",
    "image_1": IMG,
    "element_1": "u_1",
    "duration": "6",
    "model_name": "kling-v3-0",
}
EXTEND = ExtendVideoRequest(task_id=123456789, prompt="the camera pulls back", email="a@x.com")
EXTEND_BODY = {"task_id": 123456789, "email": "a@x.com", "prompt": "the camera pulls back"}
EFFECT = Image2VideoEffectsRequest(effect="hug", image=IMG, mode="std")
EFFECT_BODY = {"effect": "hug", "image": IMG, "mode": "std"}
MOTION = MotionCreateRequest(
    imageUrl=IMG,
    motionUrl=VID,
    model_name="kling-v3-0",
    keepAudio=False,
    motionDirection="image_direction",
    element_1="u_1",
)
MOTION_BODY = {
    "imageUrl": IMG,
    "motionUrl": VID,
    "model_name": "kling-v3-0",
    "keepAudio": False,
    "motionDirection": "image_direction",
    "element_1": "u_1",
}

Create = Callable[[KlingClient, CreateAttempt], Awaitable[Any]]

# (path, call, the exact body it must send)
TASK_CREATES: list[tuple[str, Create, dict[str, Any]]] = [
    ("/videos/omni", lambda c, t: c.create_omni_video(OMNI, tracker=t), OMNI_BODY),
    ("/videos/image2video-elements", lambda c, t: c.create_image2video_elements(ELEMENTS, tracker=t), ELEMENTS_BODY),
    ("/videos/extend", lambda c, t: c.create_extend_video(EXTEND, tracker=t), EXTEND_BODY),
    ("/videos/image2video-effects", lambda c, t: c.create_image2video_effects(EFFECT, tracker=t), EFFECT_BODY),
    ("/videos/motion-create", lambda c, t: c.create_motion_video(MOTION, tracker=t), MOTION_BODY),
]
ELEMENT = CreateElementRequest(name="Fox", coverImage=IMG, tag="animal", generateViews=True)
ELEMENT_BODY = {"name": "Fox", "coverImage": IMG, "tag": "animal", "generateViews": True}
MOTION_UPLOAD = MotionUploadRequest(resourceUrl=VID, coverUrl=IMG)
MOTION_UPLOAD_BODY = {"resourceUrl": VID, "coverUrl": IMG}
ALL_CREATES: list[tuple[str, Create, dict[str, Any]]] = [
    *TASK_CREATES,
    ("/elements", lambda c, t: c.create_element(ELEMENT, tracker=t), ELEMENT_BODY),
    ("/videos/motion-upload", lambda c, t: c.upload_motion(MOTION_UPLOAD, tracker=t), MOTION_UPLOAD_BODY),
]
IDS = [path for path, _, _ in ALL_CREATES]


def _sent(route: respx.Route) -> Any:
    request = route.calls.last.request
    assert request.headers["content-type"] == "application/json"
    return json.loads(request.content)


# --- multi-shot and elements on the existing endpoints ---------------------------------------------------------------


async def test_text2video_sends_the_shots_as_numbered_fields_with_numeric_durations(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.post("/videos/text2video").respond(200, text=SEED_CREATE_RESPONSE)
    request = Text2VideoRequest(model_name="kling-v3-0", **shot_fields([("a fox wakes", 4), ("it runs", 6)]))
    await client.create_text2video(request)
    # Postman collection: prompt is "Required (unless using multi-shot)", duration "Cannot be used with multi-shot".
    assert _sent(route) == {
        "shot_1_prompt": "a fox wakes",
        "shot_1_duration": 4,
        "shot_2_prompt": "it runs",
        "shot_2_duration": 6,
        "model_name": "kling-v3-0",
    }


async def test_image2video_frames_sends_elements_and_shots(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.post("/videos/image2video-frames").respond(200, text=SEED_CREATE_RESPONSE)
    request = Image2VideoFramesRequest(
        model_name="kling-v3-0", image=IMG, element_1="u_1", element_2="u_2", **shot_fields([("a", 3), ("b", 5)])
    )
    await client.create_image2video_frames(request)
    assert _sent(route) == {
        "shot_1_prompt": "a",
        "shot_1_duration": 3,
        "shot_2_prompt": "b",
        "shot_2_duration": 5,
        "model_name": "kling-v3-0",
        "image": IMG,
        "element_1": "u_1",
        "element_2": "u_2",
    }


def test_a_request_without_shots_or_elements_has_the_same_body_as_before() -> None:
    assert Text2VideoRequest(prompt="p", model_name="kling-v3-0", duration="5").to_body() == {
        "prompt": "p",
        "model_name": "kling-v3-0",
        "duration": "5",
    }
    assert Image2VideoFramesRequest(model_name="kling-v2-6", image=IMG).to_body() == {
        "model_name": "kling-v2-6",
        "image": IMG,
    }


def test_shot_fields_refuses_more_than_six_shots() -> None:
    with pytest.raises(ValueError, match="at most 6"):
        shot_fields([("p", 2)] * 7)


async def test_omni_sends_multi_shot_without_prompt(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.post("/videos/omni").respond(200, text=SEED_CREATE_RESPONSE)
    await client.create_omni_video(OmniVideoRequest(element_1="u_1", **shot_fields([("@element_1 sits", 5)] * 2)))
    assert _sent(route) == {
        "shot_1_prompt": "@element_1 sits",
        "shot_1_duration": 5,
        "shot_2_prompt": "@element_1 sits",
        "shot_2_duration": 5,
        "element_1": "u_1",
    }


# --- creates ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "call", "body"), TASK_CREATES, ids=[p for p, _, _ in TASK_CREATES])
async def test_a_task_create_sends_its_exact_body_and_returns_the_submitted_task(
    client: KlingClient, upstream: respx.MockRouter, path: str, call: Create, body: dict[str, Any]
) -> None:
    route = upstream.post(path).respond(200, json={"task": {"id": 4242, "type": "m2v_extend_video"}})
    created = await call(client, CreateAttempt())
    assert _sent(route) == body
    assert created.task is not None and created.task.id == 4242
    assert (created.status, created.status_name, created.status_final) == (5, "submitted", False)


@pytest.mark.parametrize(("path", "call", "body"), ALL_CREATES, ids=IDS)
async def test_a_400_on_a_create_is_a_bad_request_and_nothing_was_accepted(
    client: KlingClient, upstream: respx.MockRouter, path: str, call: Create, body: dict[str, Any]
) -> None:
    route = upstream.post(path).respond(400, json={"error": "Parameter duration is invalid"})
    tracker = CreateAttempt()
    with pytest.raises(errors.BadRequestError) as caught:
        await call(client, tracker)
    assert caught.value.code == "invalid_parameter"
    assert "Parameter duration is invalid" in caught.value.message
    assert route.call_count == 1 and not tracker.maybe_sent


@pytest.mark.parametrize(("path", "call", "body"), ALL_CREATES, ids=IDS)
async def test_a_502_on_a_create_is_an_unknown_outcome_and_is_not_resent(
    client: KlingClient,
    upstream: respx.MockRouter,
    sleeps: SleepRecorder,
    path: str,
    call: Create,
    body: dict[str, Any],
) -> None:
    route = upstream.post(path).respond(502, html="<h1>Bad Gateway</h1>")
    tracker = CreateAttempt()
    with pytest.raises(errors.SubmitOutcomeUnknownError) as caught:
        await call(client, tracker)
    assert caught.value.details["http_status"] == 502
    assert route.call_count == 1 and sleeps.calls == [] and tracker.maybe_sent


@pytest.mark.parametrize(("path", "call", "body"), ALL_CREATES, ids=IDS)
async def test_a_read_timeout_on_a_create_is_an_unknown_outcome_and_is_not_resent(
    client: KlingClient, upstream: respx.MockRouter, path: str, call: Create, body: dict[str, Any]
) -> None:
    route = upstream.post(path).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(errors.SubmitOutcomeUnknownError):
        await call(client, CreateAttempt())
    assert route.call_count == 1


@pytest.mark.parametrize(
    "answer",
    [
        {"id": "u_111", "name": "Fox ABC12", "type": "IMAGE"},
        {"element": {"id": "u_111", "name": "Fox ABC12"}},
        [{"id": "u_111"}, {"id": "u_222"}],
        {"elements": [{"id": "u_111"}, {"id": "u_222"}]},
    ],
    ids=["flat", "wrapped", "array", "list"],
)
async def test_create_element_sends_its_body_and_reads_the_created_ids(
    client: KlingClient, upstream: respx.MockRouter, answer: Any
) -> None:
    route = upstream.post("/elements").respond(200, json=answer)
    created = await client.create_element(ELEMENT)
    assert _sent(route) == ELEMENT_BODY
    assert created.elements and created.elements[0].id == "u_111"


async def test_create_element_answered_with_no_json_object_is_an_unknown_outcome(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    upstream.post("/elements").respond(200, text="OK")
    with pytest.raises(errors.SubmitOutcomeUnknownError):
        await client.create_element(ELEMENT)


async def test_upload_motion_sends_its_body_and_keeps_the_answer(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.post("/videos/motion-upload").respond(200, json={"workId": 77, "status": "ok"})
    uploaded = await client.upload_motion(MOTION_UPLOAD)
    assert _sent(route) == MOTION_UPLOAD_BODY
    assert uploaded.model_dump() == {"workId": 77, "status": "ok"}


# --- reads -----------------------------------------------------------------------------------------------------------


async def test_list_elements_sends_tag_and_paging_and_reads_elements_list(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    answer = {"elementsList": [{"id": "u_1", "name": "Fox ABC12", "tag": {"tagKey": "animal"}}, {"no": "id"}]}
    route = upstream.get("/elements").respond(200, json=answer)
    listed = await client.list_elements(tag="animal", page_num=2, page_size=10, email="a@x.com")
    assert dict(route.calls.last.request.url.params) == {
        "email": "a@x.com",
        "tag": "animal",
        "pageNum": "2",
        "pageSize": "10",
    }
    assert len(listed.items) == 2
    assert [(e.id, e.name) for e in listed.elements] == [("u_1", "Fox ABC12")]


@pytest.mark.parametrize(
    ("path", "method_name", "kwargs", "params"),
    [
        ("/videos/motions", "list_motions", {"mine": True}, {"mine": "true"}),
        ("/videos/motions", "list_motions", {}, {}),
        ("/videos/effects", "list_effects", {"email": "a@x.com"}, {"email": "a@x.com"}),
        ("/elements/tags", "list_element_tags", {}, {}),
        ("/elements/voices", "list_element_voices", {}, {}),
    ],
    ids=["motions-mine", "motions", "effects", "tags", "voices"],
)
@pytest.mark.parametrize(
    "answer", [[{"name": "x"}], {"list": [{"name": "x"}]}, {"data": {"list": [{"name": "x"}]}}], ids=str
)
async def test_a_listing_sends_its_query_and_finds_the_entries(
    client: KlingClient,
    upstream: respx.MockRouter,
    path: str,
    method_name: str,
    kwargs: dict[str, Any],
    params: dict[str, str],
    answer: Any,
) -> None:
    route = upstream.get(path).respond(200, json=answer)
    listed = await getattr(client, method_name)(**kwargs)
    assert dict(route.calls.last.request.url.params) == params
    assert listed.items == [{"name": "x"}]


async def test_a_400_on_a_read_is_a_bad_request(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.get("/elements").respond(400, json={"error": "Invalid tag"})
    with pytest.raises(errors.BadRequestError):
        await client.list_elements(tag="nope")
    assert route.call_count == 1


async def test_a_read_is_retried_after_a_503(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.get("/videos/effects").mock(side_effect=[httpx.Response(503), httpx.Response(200, json=[])])
    assert (await client.list_effects()).items == []
    assert route.call_count == 2


async def test_delete_element_sends_a_delete_and_is_repeated_after_a_lost_answer(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    # Chosen: a DELETE is idempotent, so it takes the read path (a retry deletes nothing more).
    route = upstream.delete("/elements/u_309377170505500").mock(
        side_effect=[httpx.ReadTimeout("lost"), httpx.Response(200, json={"deleted": True})]
    )
    deleted = await client.delete_element("u_309377170505500", email="a@x.com")
    assert route.call_count == 2
    assert dict(route.calls.last.request.url.params) == {"email": "a@x.com"}
    assert deleted.model_dump() == {"deleted": True}


async def test_delete_element_400_is_a_bad_request(client: KlingClient, upstream: respx.MockRouter) -> None:
    upstream.delete("/elements/u_1").respond(400, json={"error": "bad id"})
    with pytest.raises(errors.BadRequestError):
        await client.delete_element("u_1")


@pytest.mark.parametrize("element_id", ["", "../tasks/1", "u_1?email=x", "u 1", "u_1/x"])
async def test_delete_element_refuses_an_id_that_would_change_the_path(
    client: KlingClient, upstream: respx.MockRouter, element_id: str
) -> None:
    with pytest.raises(errors.InvalidParameterError) as caught:
        await client.delete_element(element_id)
    assert caught.value.parameter == "element_id"
    assert not upstream.calls


@pytest.mark.parametrize(
    "answer",
    [{"id": "u_1", "name": "Fox ABC12", "type": "IMAGE"}, {"element": {"id": "u_1", "name": "Fox ABC12"}}],
    ids=["flat", "wrapped"],
)
async def test_get_element_reads_the_element_flat_or_wrapped(
    client: KlingClient, upstream: respx.MockRouter, answer: dict[str, Any]
) -> None:
    route = upstream.get("/elements/u_1").respond(200, json=answer)
    element = await client.get_element("u_1", email="a@x.com")
    assert (element.id, element.name) == ("u_1", "Fox ABC12")
    assert dict(route.calls.last.request.url.params) == {"email": "a@x.com"}


async def test_get_element_without_an_id_is_a_malformed_answer(client: KlingClient, upstream: respx.MockRouter) -> None:
    upstream.get("/elements/u_1").respond(200, json={"name": "no id"})
    with pytest.raises(errors.MalformedResponseError):
        await client.get_element("u_1")
