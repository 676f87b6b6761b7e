"""The image endpoint family (issue #13, client layer): each create sends its documented body to its own path (also
through ``create_image``, which routes a body by its type), answers the submitted task, turns a 400 into
BadRequestError and leaves a 502 as an unknown outcome that is never resent; face recognition is answered at once,
read as useapi's page shows it, and resent like a read (it is free and creates nothing)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import respx

from kling_mcp.api import errors
from kling_mcp.api.client import CreateAttempt, KlingClient
from kling_mcp.api.images import (
    IMAGE_PATHS,
    EnhanceImageRequest,
    KolorsElementsRequest,
    KolorsRequest,
    OmniImageRequest,
    RecognizeFacesRequest,
    UpscaleImageRequest,
    VirtualTryOnRequest,
)
from tests.api.conftest import SleepRecorder

IMG = "https://s21-kling.klingai.com/up/a.png"
IMG2 = "https://s21-kling.klingai.com/up/b.jpg"

OMNI = OmniImageRequest(
    prompt="@element_1 in the style of @image_1",
    omni_version="v3",
    resolution="2k",
    aspect_ratio="auto",
    imageCount=4,
    story_mode=True,
    image_1=IMG,
    element_1="u_309377170505500",
)
OMNI_BODY = {
    "prompt": "@element_1 in the style of @image_1",
    "omni_version": "v3",
    "resolution": "2k",
    "aspect_ratio": "auto",
    "imageCount": 4,
    "story_mode": True,
    "image_1": IMG,
    "element_1": "u_309377170505500",
}
KOLORS = KolorsRequest(
    prompt="a portrait", version="kling-v2-1", reference="face", imageReference=IMG, faceStrength=70, faceNo=2
)
KOLORS_BODY = {
    "prompt": "a portrait",
    "version": "kling-v2-1",
    "reference": "face",
    "imageReference": IMG,
    "faceStrength": 70,
    "faceNo": 2,
}
ELEMENTS = KolorsElementsRequest(prompt="a picnic", subjectImage1=IMG, subjectImage2=IMG2, imageCount=1)
ELEMENTS_BODY = {"prompt": "a picnic", "imageCount": 1, "subjectImage1": IMG, "subjectImage2": IMG2}
UPSCALE = UpscaleImageRequest(task_id=123456789, workId=987654321, email="a@x.com")
UPSCALE_BODY = {"task_id": 123456789, "workId": 987654321, "email": "a@x.com"}
ENHANCE = EnhanceImageRequest(image=IMG, resolution="4k")
ENHANCE_BODY = {"image": IMG, "resolution": "4k"}
TRY_ON = VirtualTryOnRequest(humanImage=IMG, upperInput=IMG2, imageCount=2)
TRY_ON_BODY = {"humanImage": IMG, "upperInput": IMG2, "imageCount": 2}

Create = Callable[[KlingClient, CreateAttempt], Awaitable[Any]]

# (path, the endpoint's own method, the request, the exact body it must send)
CREATES: list[tuple[str, Create, Any, dict[str, Any]]] = [
    ("/images/omni", lambda c, t: c.create_omni_image(OMNI, tracker=t), OMNI, OMNI_BODY),
    ("/images/kolors", lambda c, t: c.create_kolors_image(KOLORS, tracker=t), KOLORS, KOLORS_BODY),
    (
        "/images/kolors-elements",
        lambda c, t: c.create_kolors_elements_image(ELEMENTS, tracker=t),
        ELEMENTS,
        ELEMENTS_BODY,
    ),
    ("/images/upscale", lambda c, t: c.upscale_image(UPSCALE, tracker=t), UPSCALE, UPSCALE_BODY),
    ("/images/enhance", lambda c, t: c.enhance_image(ENHANCE, tracker=t), ENHANCE, ENHANCE_BODY),
    ("/images/virtual-try-on", lambda c, t: c.create_virtual_try_on(TRY_ON, tracker=t), TRY_ON, TRY_ON_BODY),
]
IDS = [path for path, *_ in CREATES]

# useapi's page "Detect Faces in Images" (April 24, 2025), 200 OK example, verbatim.
FACES_ANSWER = """{ "status": 0, "message": "", "faceItems": [ { "name": "face_0", "resources": [ { "name": "face",
"type": "image", "url": "https://s21-kling.klingai.com/...face_0.jpg", "marginTop": 0, "countInRow": 1 }, { "name":
"face_feature", "type": "image", "url": "https://s21-kling.klingai.com/...face_feature_0.jpg", "marginTop": 0,
"countInRow": 1 } ], "arguments": [ { "name": "face_bound", "value":
"{\\"x\\":120,\\"y\\":80,\\"width\\":200,\\"height\\":240}" } ] } ], "mediaInfo": { "type": "image", "duration": 0,
"width": 724, "height": 1268 } }"""


def _sent(route: respx.Route) -> Any:
    request = route.calls.last.request
    assert request.headers["content-type"] == "application/json"
    return json.loads(request.content)


@pytest.mark.parametrize(("path", "call", "request_model", "body"), CREATES, ids=IDS)
async def test_each_create_sends_its_exact_body_and_returns_the_submitted_task(
    client: KlingClient, upstream: respx.MockRouter, path: str, call: Create, request_model: Any, body: dict[str, Any]
) -> None:
    # useapi's upscale page shows the answer of a create: the task, "status": 5, "submitted" (reference §5.0).
    route = upstream.post(path).respond(200, json={"task": {"id": 4242, "type": "mmu_image_upscale_aiweb"}})
    created = await call(client, CreateAttempt())
    assert _sent(route) == body
    assert created.task is not None and created.task.id == 4242
    assert (created.status, created.status_name, created.status_final) == (5, "submitted", False)


@pytest.mark.parametrize(("path", "call", "request_model", "body"), CREATES, ids=IDS)
async def test_create_image_routes_each_body_to_its_own_endpoint(
    client: KlingClient, upstream: respx.MockRouter, path: str, call: Create, request_model: Any, body: dict[str, Any]
) -> None:
    routes = {p: upstream.post(p).respond(200, json={"task": {"id": 7}}) for p in set(IMAGE_PATHS.values())}
    await client.create_image(request_model)
    assert {p for p, r in routes.items() if r.called} == {path}
    assert _sent(routes[path]) == body


@pytest.mark.parametrize(("path", "call", "request_model", "body"), CREATES, ids=IDS)
async def test_a_400_on_an_image_create_is_a_bad_request_and_nothing_was_accepted(
    client: KlingClient, upstream: respx.MockRouter, path: str, call: Create, request_model: Any, body: dict[str, Any]
) -> None:
    route = upstream.post(path).respond(400, json={"error": "Parameter imageCount is invalid"})
    tracker = CreateAttempt()
    with pytest.raises(errors.BadRequestError) as caught:
        await call(client, tracker)
    assert "Parameter imageCount is invalid" in caught.value.message
    assert route.call_count == 1 and not tracker.maybe_sent


@pytest.mark.parametrize(("path", "call", "request_model", "body"), CREATES, ids=IDS)
async def test_a_502_on_an_image_create_is_an_unknown_outcome_and_is_not_resent(
    client: KlingClient,
    upstream: respx.MockRouter,
    sleeps: SleepRecorder,
    path: str,
    call: Create,
    request_model: Any,
    body: dict[str, Any],
) -> None:
    route = upstream.post(path).respond(502, html="<h1>Bad Gateway</h1>")
    tracker = CreateAttempt()
    with pytest.raises(errors.SubmitOutcomeUnknownError):
        await call(client, tracker)
    assert route.call_count == 1 and sleeps.calls == [] and tracker.maybe_sent


async def test_recognize_faces_reads_the_documented_answer(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.post("/images/recognize-faces").respond(200, text=FACES_ANSWER)
    found = await client.recognize_faces(RecognizeFacesRequest(imageReference=IMG, email="a@x.com"))
    assert _sent(route) == {"imageReference": IMG, "email": "a@x.com"}
    assert len(found.faceItems) == 1
    face = found.faceItems[0]
    assert face.face_url == "https://s21-kling.klingai.com/...face_0.jpg"  # the face, not its features
    assert face.bound == {"x": 120.0, "y": 80.0, "width": 200.0, "height": 240.0}  # face_bound is a JSON string
    assert found.mediaInfo is not None and (found.mediaInfo.width, found.mediaInfo.height) == (724, 1268)


async def test_recognize_faces_without_faces_or_bounds_is_an_empty_list(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    upstream.post("/images/recognize-faces").respond(
        200, json={"status": 0, "faceItems": [{"name": "face_0", "arguments": [{"name": "face_bound", "value": "?"}]}]}
    )
    found = await client.recognize_faces(RecognizeFacesRequest(imageReference=IMG))
    assert found.faceItems[0].bound is None and found.faceItems[0].face_url is None
    upstream.post("/images/recognize-faces").respond(200, json={"status": 0, "message": ""})
    assert (await client.recognize_faces(RecognizeFacesRequest(imageReference=IMG))).faceItems == []


async def test_recognize_faces_is_resent_after_a_transient_failure_like_a_read(
    client: KlingClient, upstream: respx.MockRouter, sleeps: SleepRecorder
) -> None:
    # Free and creating nothing ("unlimited number of face detections for free"): unlike a create, a lost answer is
    # asked again.
    route = upstream.post("/images/recognize-faces")
    route.side_effect = [respx.MockResponse(503), respx.MockResponse(200, text=FACES_ANSWER)]
    found = await client.recognize_faces(RecognizeFacesRequest(imageReference=IMG))
    assert route.call_count == 2 and len(sleeps.calls) == 1 and len(found.faceItems) == 1


async def test_recognize_faces_refuses_an_unusable_email_before_sending(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.post("/images/recognize-faces").respond(200, text=FACES_ANSWER)
    with pytest.raises(errors.InvalidParameterError) as caught:
        await client.recognize_faces(RecognizeFacesRequest(imageReference=IMG, email="a b@x.com"))
    assert caught.value.details["parameter"] == "email" and not route.called


def test_unset_fields_are_left_out_of_every_body() -> None:
    assert UpscaleImageRequest(task_id=1, workId=2).to_body() == {"task_id": 1, "workId": 2}
    assert EnhanceImageRequest(image=IMG).to_body() == {"image": IMG}
    assert KolorsRequest(prompt="p").to_body() == {"prompt": "p"}
