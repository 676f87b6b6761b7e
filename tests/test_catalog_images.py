"""The catalog's rules for Kling's images (issue 13): omni images, KOLORS (with a reference, with reference images, or
composing subjects through KOLORS Elements), upscale and enhance, virtual try-on and face recognition. Every rule's
refusal names the parameter, the value and what is allowed, with its source (and says when it is inferred); every
accepted call builds the exact upstream body, in the field names of useapi's Postman collection, and its estimate."""

from __future__ import annotations

from typing import Any

import pytest

from kling_mcp import catalog
from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.api.images import (
    EnhanceImageRequest,
    KolorsElementsRequest,
    KolorsRequest,
    OmniImageRequest,
    UpscaleImageRequest,
)
from kling_mcp.catalog import validate_image, validate_recognize_faces, validate_try_on, validate_upscale

IMG = "https://cdn.test/a.png"
IMGS = [f"https://cdn.test/{n}.png" for n in range(12)]
ELEMENT = "u_309377170505500"
WORK = "kling://works/123/456"


def refused(call: Any, parameter: str, *fragments: str, **params: Any) -> InvalidParameterError:
    """The call is refused on ``parameter`` and the message carries every fragment (value, rule, allowed values)."""
    with pytest.raises(InvalidParameterError) as caught:
        call(**params)
    err = caught.value
    assert err.parameter == parameter, err.message
    for fragment in fragments:
        assert fragment in err.message, (fragment, err.message)
    assert "Allowed:" in err.message, err.message
    return err


# --- omni images ------------------------------------------------------------------------------------------------------


def test_an_omni_image_sends_version_resolution_and_count_so_what_is_made_is_what_is_priced() -> None:
    request, estimate = validate_image(prompt="a red fox")
    assert isinstance(request, OmniImageRequest)
    assert request.to_body() == {"prompt": "a red fox", "omni_version": "v3", "resolution": "1k", "imageCount": 1}
    assert (estimate.credits, estimate.source, estimate.mode, estimate.duration) == (1, "estimate", "1k", 0)
    assert estimate.label == "1 omni v3 image" and "inferred" in estimate.note


def test_omni_references_are_numbered_and_named_in_the_prompt() -> None:
    request, estimate = validate_image(
        prompt="@element_1 beside @image_2",
        images=[IMG, WORK],
        elements=[ELEMENT],
        resolution="4k",
        aspect_ratio="auto",
        image_count=3,
        story_mode=True,
    )
    assert request.to_body() == {
        "prompt": "@element_1 beside @image_2",
        "omni_version": "v3",
        "resolution": "4k",
        "aspect_ratio": "auto",
        "imageCount": 3,
        "story_mode": True,
        "image_1": IMG,
        "image_2": WORK,
        "element_1": ELEMENT,
    }
    # 4k counts 2 per image (the inferred rate follows enhance's published 4k price); a VIP plan is needed.
    assert estimate.credits == 6 and "VIP" in estimate.note


def test_omni_prompt_rules() -> None:
    refused(validate_image, "prompt", "must not be empty", prompt=" ")
    refused(validate_image, "prompt", "1700", "POST /images/omni", prompt="x" * 1701)
    assert validate_image(prompt="x" * 1700)[0].to_body()["prompt"] == "x" * 1700
    refused(validate_image, "prompt", "@image_2", "@image_1", prompt="@image_2 here", images=[IMG])
    refused(validate_image, "prompt", "@video_1", prompt="@video_1 again")
    refused(validate_image, "prompt", "@element_1", prompt="@element_1 waves")


def test_omni_version_resolution_ratio_and_count() -> None:
    refused(validate_image, "version", '"v2"', "v3", "o1", prompt="p", version="v2")
    refused(validate_image, "resolution", "no 4k", "1k", prompt="p", version="o1", resolution="4k")
    refused(validate_image, "resolution", "8k", prompt="p", resolution="8k")
    refused(validate_image, "aspect_ratio", "auto is v3 only", "16:9", prompt="p", version="o1", aspect_ratio="auto")
    refused(validate_image, "aspect_ratio", "5:4", prompt="p", aspect_ratio="5:4")
    for count in (0, 10, 2.5, "x"):
        refused(validate_image, "image_count", "1 to 9", prompt="p", image_count=count)
    assert validate_image(prompt="p", version="o1", image_count=9)[1].credits == 9


def test_omni_story_mode_needs_v3_and_a_reference() -> None:
    refused(validate_image, "story_mode", "v3 only", prompt="p", version="o1", story_mode=True, images=[IMG])
    refused(validate_image, "story_mode", "at least one reference", prompt="p", story_mode=True)
    assert validate_image(prompt="p", story_mode=True, elements=[ELEMENT])[0].to_body()["story_mode"] is True


def test_omni_takes_at_most_ten_references_and_checks_element_ids() -> None:
    refused(validate_image, "images", "at most 10", prompt="p", images=IMGS[:8], elements=[ELEMENT] * 3)
    request, _ = validate_image(prompt="p", images=IMGS[:10])
    assert request.to_body()["image_10"] == IMGS[9]
    refused(validate_image, "elements[0]", "not a Kling element id", prompt="p", elements=["../x"])


@pytest.mark.parametrize(
    ("parameter", "value"),
    [("reference", "face"), ("strength", 50), ("face_no", 1), ("subjects", [IMG]), ("scene", IMG), ("style", IMG)],
)
def test_omni_refuses_every_kolors_parameter(parameter: str, value: Any) -> None:
    refused(validate_image, parameter, "KOLORS parameter", "engine kolors", prompt="p", **{parameter: value})


def test_the_engine_is_omni_or_kolors() -> None:
    refused(validate_image, "engine", '"dalle"', "omni", "kolors", prompt="p", engine="dalle")


# --- KOLORS -----------------------------------------------------------------------------------------------------------


def test_a_kolors_image_sends_its_version_and_count() -> None:
    request, estimate = validate_image(prompt="a lighthouse", engine="kolors")
    assert isinstance(request, KolorsRequest)
    # imageCount is sent although it is the default: KOLORS v3.0 makes 2 when it is left out (KOLORS page).
    assert request.to_body() == {"prompt": "a lighthouse", "version": "kling-v3-0", "imageCount": 1}
    assert estimate.credits == 1 and estimate.label == "1 KOLORS kling-v3-0 image"


def test_a_face_reference_takes_its_one_image_strength_and_face_and_defaults_to_v2_1() -> None:
    request, estimate = validate_image(
        prompt="a portrait", engine="kolors", reference="face", images=[WORK], strength=70, face_no=2, image_count=2
    )
    assert request.to_body() == {
        "prompt": "a portrait",
        "version": "kling-v2-1",
        "reference": "face",
        "imageReference": WORK,
        "imageCount": 2,
        "faceStrength": 70,
        "faceNo": 2,
    }
    assert estimate.credits == 2 and "face reference" in estimate.label


def test_a_subject_reference_sends_its_strength_as_subject_strength() -> None:
    request, _ = validate_image(prompt="p", engine="kolors", reference="subject", images=[IMG], strength=30)
    body = request.to_body()
    assert body["subjectStrength"] == 30 and "faceStrength" not in body


def test_a_retired_version_still_takes_a_reference() -> None:
    request, _ = validate_image(prompt="p", engine="kolors", version="kling-v1-5", reference="restyle", images=[IMG])
    assert request.to_body()["version"] == "kling-v1-5"


def test_kolors_reference_rules() -> None:
    kolors = {"prompt": "p", "engine": "kolors"}
    refused(validate_image, "reference", '"sketch"', "restyle", **kolors, reference="sketch")
    refused(validate_image, "images", "one image", **kolors, reference="face")
    refused(validate_image, "images", "one image", **kolors, reference="face", images=[IMG, IMG])
    err = refused(
        validate_image, "reference", "kling-v3-0 takes no face reference", "kling-v2-1",
        **kolors, reference="face", images=[IMG], version="kling-v3-0",
    )  # fmt: skip
    assert "POST /images/kolors" in err.message  # the KOLORS page's support matrix
    refused(validate_image, "aspect_ratio", "restyle", **kolors, reference="restyle", images=[IMG], aspect_ratio="1:1")
    refused(validate_image, "strength", "face or subject", **kolors, strength=50)
    refused(validate_image, "strength", "face or subject", **kolors, reference="restyle", images=[IMG], strength=50)
    for strength in (0, 101):
        refused(validate_image, "strength", "1 to 100", **kolors, reference="face", images=[IMG], strength=strength)
    refused(validate_image, "face_no", "face reference", **kolors, reference="subject", images=[IMG], face_no=1)
    refused(validate_image, "face_no", "from 1", **kolors, reference="face", images=[IMG], face_no=0)


def test_kolors_reference_images_are_for_v3_only() -> None:
    request, _ = validate_image(prompt="@image_1 at dusk", engine="kolors", images=IMGS[:2], aspect_ratio="auto")
    assert request.to_body() == {
        "prompt": "@image_1 at dusk",
        "version": "kling-v3-0",
        "aspect_ratio": "auto",
        "imageCount": 1,
        "image_1": IMGS[0],
        "image_2": IMGS[1],
    }
    refused(validate_image, "images", "kling-v2-1 takes no reference images", prompt="p", engine="kolors",
            version="kling-v2-1", images=[IMG])  # fmt: skip
    refused(validate_image, "images", "at most 10", prompt="p", engine="kolors", images=IMGS[:11])
    refused(validate_image, "aspect_ratio", "auto is for kling-v3-0 with reference images", prompt="p",
            engine="kolors", aspect_ratio="auto")  # fmt: skip


def test_kolors_resolution_is_for_v3_and_v2_1_text_to_image() -> None:
    assert validate_image(prompt="p", engine="kolors", resolution="1k")[0].to_body()["resolution"] == "1k"
    assert validate_image(prompt="p", engine="kolors", version="kling-v2-1", resolution="2k")[1].mode == "2k"
    refused(validate_image, "resolution", "4k", "1k", prompt="p", engine="kolors", resolution="4k")
    refused(validate_image, "resolution", "without a reference", prompt="p", engine="kolors", reference="face",
            images=[IMG], resolution="1k")  # fmt: skip
    err = refused(validate_image, "resolution", "kling-v1-6 takes no resolution", prompt="p", engine="kolors",
                  version="kling-v1-6", resolution="1k")  # fmt: skip
    assert "inferred" in err.message


def test_kolors_prompt_version_and_omni_only_parameters() -> None:
    refused(validate_image, "prompt", "must not be empty", engine="kolors")
    refused(validate_image, "prompt", "2500", engine="kolors", prompt="x" * 2501)
    assert validate_image(engine="kolors", prompt="x" * 2500)[0].to_body()["prompt"] == "x" * 2500
    refused(validate_image, "version", "kling-v1-5", prompt="p", engine="kolors", version="v3")
    refused(validate_image, "elements", "omni parameter", prompt="p", engine="kolors", elements=[ELEMENT])
    refused(validate_image, "story_mode", "omni parameter", prompt="p", engine="kolors", story_mode=True)


# --- KOLORS Elements --------------------------------------------------------------------------------------------------


def test_subjects_go_to_kolors_elements() -> None:
    request, estimate = validate_image(
        engine="kolors", subjects=IMGS[:2], scene=IMGS[2], style=WORK, prompt="a picnic", aspect_ratio="1:1"
    )
    assert isinstance(request, KolorsElementsRequest)
    assert request.to_body() == {
        "prompt": "a picnic",
        "aspect_ratio": "1:1",
        "imageCount": 1,
        "subjectImage1": IMGS[0],
        "subjectImage2": IMGS[1],
        "sceneImage": IMGS[2],
        "styleImage": WORK,
    }
    assert estimate.label == "1 KOLORS Elements image of 2 subjects"
    assert validate_image(engine="kolors", subjects=[IMG])[0].to_body() == {"imageCount": 1, "subjectImage1": IMG}


def test_kolors_elements_rules() -> None:
    refused(validate_image, "subjects", "1 to 4", engine="kolors", subjects=IMGS[:5])
    err = refused(validate_image, "subjects", "1 to 4", engine="kolors", scene=IMG)
    assert "inferred" in err.message  # a scene alone: no source says it is refused
    for parameter, value in [("version", "kling-v2-1"), ("reference", "face"), ("images", [IMG]),
                             ("resolution", "2k"), ("strength", 5), ("face_no", 1)]:  # fmt: skip
        refused(validate_image, parameter, "KOLORS Elements", engine="kolors", subjects=[IMG], **{parameter: value})
    refused(validate_image, "aspect_ratio", "no auto", engine="kolors", subjects=[IMG], aspect_ratio="auto")
    refused(validate_image, "prompt", "2500", engine="kolors", subjects=[IMG], prompt="x" * 2501)


# --- upscale and enhance ----------------------------------------------------------------------------------------------


def test_a_tasks_image_is_upscaled_and_any_image_enhanced() -> None:
    request, estimate = validate_upscale(task_id=123, work_id="456")
    assert isinstance(request, UpscaleImageRequest) and request.to_body() == {"task_id": 123, "workId": 456}
    assert (estimate.credits, estimate.source) == (1, "estimate") and "inferred" in estimate.note
    enhance, priced = validate_upscale(image=IMG)
    assert isinstance(enhance, EnhanceImageRequest) and enhance.to_body() == {"image": IMG, "resolution": "2k"}
    # useapi's enhance page (October 15, 2026): "1 Kling credit at 2k and 2 credits at 4k"
    assert (priced.credits, priced.source) == (1, "published")
    assert validate_upscale(image=IMG, resolution="4k")[1].credits == 2


def test_upscale_rules() -> None:
    refused(validate_upscale, "image", "an image, or task_id and work_id")
    refused(validate_upscale, "task_id", "not both", task_id=1, work_id=2, image=IMG)
    refused(validate_upscale, "work_id", "work_id is required too", task_id=1)
    refused(validate_upscale, "task_id", "task_id is required too", work_id=2)
    refused(validate_upscale, "task_id", "from 1", task_id=0, work_id=2)
    refused(validate_upscale, "resolution", "takes no resolution", task_id=1, work_id=2, resolution="4k")
    refused(validate_upscale, "resolution", '"8k"', "2k", "4k", image=IMG, resolution="8k")


# --- virtual try-on and faces -----------------------------------------------------------------------------------------


def test_a_try_on_takes_upper_and_lower_or_a_dress() -> None:
    request, estimate = validate_try_on(human_image=IMG, upper=IMGS[1], lower=IMGS[2], image_count=3)
    assert request.to_body() == {"humanImage": IMG, "upperInput": IMGS[1], "lowerInput": IMGS[2], "imageCount": 3}
    assert estimate.credits == 3 and estimate.label == "3 try-on images"
    assert validate_try_on(human_image=IMG, dress=IMGS[3])[0].to_body() == {
        "humanImage": IMG,
        "dressInput": IMGS[3],
        "imageCount": 1,
    }


def test_try_on_rules() -> None:
    refused(validate_try_on, "human_image", "is required", human_image=" ", upper=IMG)
    refused(validate_try_on, "upper", "no garment", "dress", human_image=IMG)
    err = refused(validate_try_on, "dress", "not combined", human_image=IMG, dress=IMG, lower=IMG)
    assert "POST /images/virtual-try-on" in err.message  # the page that says so
    for count in (0, 5):
        refused(validate_try_on, "image_count", "1 to 4", human_image=IMG, upper=IMG, image_count=count)


def test_recognize_faces_needs_an_image() -> None:
    assert validate_recognize_faces(image=IMG, email="a@x.com").to_body() == {"imageReference": IMG, "email": "a@x.com"}
    refused(validate_recognize_faces, "image", "is required", image="")


# --- kling://models ---------------------------------------------------------------------------------------------------


def test_kling_models_describes_every_image_endpoint_with_sourced_rules() -> None:
    document = catalog.catalog_document()
    endpoints = document["endpoints"]
    tools = {key: endpoints[key]["tool"] for key in catalog.IMAGE_ENDPOINTS}
    assert tools == {
        "image_omni": "generate_image",
        "image_kolors": "generate_image",
        "image_kolors_elements": "generate_image",
        "image_upscale": "upscale_image",
        "image_enhance": "upscale_image",
        "virtual_try_on": "virtual_try_on",
        "recognize_faces": "recognize_faces",
    }
    assert endpoints["image_enhance"]["credits"] == {
        "basis": "per enhance, by resolution",
        "source": "published",
        "sources": ['[N] "Enhancing costs 1 Kling credit at 2k and 2 credits at 4k"'],
        "per_image": {"2k": 1.0, "4k": 2.0},
    }
    assert (
        endpoints["image_omni"]["credits"]["source"] == "estimate" and endpoints["recognize_faces"]["credits"] is None
    )
    tags = set(document["sources"])
    assert {"H", "K", "N", "R", "Y"} <= tags
    for key in catalog.IMAGE_ENDPOINTS:
        for rule in endpoints[key]["rules"]:
            assert rule["sources"] and all(source[1] in tags for source in rule["sources"]), rule
            assert rule["inferred"] == any(source.startswith("[I]") for source in rule["sources"]), rule
