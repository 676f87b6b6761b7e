"""The catalog's rules for Kling's video breadth (issue 12): multi-shot and elements on text/image-to-video, omni,
multi-image, extend, motion control, effects and elements. Every rule's refusal names the parameter, the value and
what is allowed (and says when the rule is inferred); every accepted call builds the exact upstream body, in the
field names of useapi's Postman collection, and its credit estimate."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from kling_mcp import catalog
from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.api.video import _element_segment
from kling_mcp.catalog import (
    effect_names,
    validate_effect,
    validate_element,
    validate_extend,
    validate_image2video,
    validate_motion,
    validate_multi_image,
    validate_omni,
    validate_text2video,
)
from kling_mcp.results import ModelList

IMAGE = "https://cdn.test/start.png"
IMAGES = ["https://cdn.test/a.png", "https://cdn.test/b.png", "https://cdn.test/c.png", "https://cdn.test/d.png"]
VIDEO = "https://cdn.test/clip.mp4"
EMOJI = "\U0001f600"  # 2 UTF-16 units
TWO_SHOTS = [{"prompt": "a fox wakes up", "duration": 4}, {"prompt": "the fox runs off", "duration": 3}]


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


# --- multi-shot on text-to-video and image-to-video -------------------------------------------------------------------


def test_multi_shot_text_to_video_sends_shot_fields_instead_of_prompt_and_duration() -> None:
    request, estimate = validate_text2video(model_name="kling-v3-0", mode="pro", shots=TWO_SHOTS)
    assert request.to_body() == {
        "model_name": "kling-v3-0",
        "aspect_ratio": "16:9",
        "mode": "pro",
        "shot_1_prompt": "a fox wakes up",
        "shot_1_duration": 4,
        "shot_2_prompt": "the fox runs off",
        "shot_2_duration": 3,
    }
    # priced on the shots' total: 7 s of kling-v3-0 pro with audio (12 credits/s, the published rate)
    assert (estimate.duration, estimate.credits, estimate.source, estimate.audio) == (7, 84, "published", True)
    assert estimate.label == "kling-v3-0 video in 2 shots"


def test_multi_shot_image_to_video_with_elements_builds_the_frames_body() -> None:
    shots = [{"prompt": f"shot {n}", "duration": 2} for n in range(1, 7)]  # six shots, 12 s
    request, estimate = validate_image2video(
        image=IMAGE, model_name="kling-v3-0", shots=shots, elements=["u_309377170505500", "o_1-a"], email="a@x.com"
    )
    body = request.to_body()
    assert body == {
        "model_name": "kling-v3-0",
        "email": "a@x.com",
        "image": IMAGE,
        "element_1": "u_309377170505500",
        "element_2": "o_1-a",
        "mode": "std",
        **{f"shot_{n}_prompt": f"shot {n}" for n in range(1, 7)},
        **{f"shot_{n}_duration": 2 for n in range(1, 7)},
    }
    assert estimate.duration == 12 and estimate.label == "kling-v3-0 video from an image in 6 shots"


def test_a_shot_duration_given_as_digits_is_sent_as_a_number() -> None:
    shots: list[dict[str, Any]] = [{"prompt": "a", "duration": "5"}, {"prompt": "b", "duration": 5.0}]
    request, _ = validate_text2video(model_name="kling-v3-0", shots=shots)
    assert request.shot_1_duration == 5 and request.shot_2_duration == 5
    assert json.loads(request.model_dump_json(exclude_none=True))["shot_1_duration"] == 5


def test_an_empty_shot_list_is_no_shots() -> None:
    request, _ = validate_text2video(prompt="a fox", model_name="kling-v3-0", shots=[])
    assert request.prompt == "a fox" and request.duration == "5" and request.shot_1_prompt is None


def test_turbo_refuses_multi_shot_quoting_no_multi_shot() -> None:
    for call, extra in ((validate_text2video, {}), (validate_image2video, {"image": IMAGE})):
        err = refused(
            call,
            "shots",
            "kling-v3-0-turbo",
            "no multi-shot",
            "kling-v3-0",
            model_name="kling-v3-0-turbo",
            shots=TWO_SHOTS,
            **extra,
        )
        assert '"<2 shots>"' in err.message


@pytest.mark.parametrize("name", ["kling-v2-6", "kling-v1-6", "kling-v2-5"])
def test_other_models_refuse_multi_shot_as_v3_only(name: str) -> None:
    refused(
        validate_text2video, "shots", name, "v3 only", "use model_name kling-v3-0", model_name=name, shots=TWO_SHOTS
    )


def test_image_to_video_default_model_refuses_multi_shot() -> None:
    refused(validate_image2video, "shots", "kling-v2-1", "v3 only", image=IMAGE, shots=TWO_SHOTS)


def test_shots_are_refused_with_a_prompt_by_an_inferred_rule() -> None:
    for call, extra in ((validate_text2video, {}), (validate_image2video, {"image": IMAGE})):
        refused(
            call, "prompt", "inferred", "omit prompt", model_name="kling-v3-0", shots=TWO_SHOTS, prompt="x", **extra
        )


def test_shots_are_refused_with_a_duration() -> None:
    err = refused(
        validate_text2video,
        "duration",
        "Cannot be used with multi-shot",
        "omit duration",
        model_name="kling-v3-0",
        shots=TWO_SHOTS,
        duration=5,
    )
    assert "inferred" not in err.message  # the Postman collection says so on text2video
    err = refused(
        validate_image2video,
        "duration",
        "inferred",
        "omit duration",
        image=IMAGE,
        model_name="kling-v3-0",
        shots=TWO_SHOTS,
        duration=5,
    )


@pytest.mark.parametrize("count", [1, 7])
def test_shot_count_is_2_to_6(count: int) -> None:
    shots = [{"prompt": "a", "duration": 2}] * count
    refused(
        validate_text2video,
        "shots",
        f'"<{count} shot',
        "2–6 shots",
        "Min 2 shots",
        model_name="kling-v3-0",
        shots=shots,
    )


@pytest.mark.parametrize(("durations", "total"), [((1, 1), 2), ((10, 6), 16), ((3, 3, 3, 3, 3, 1), 16)])
def test_shot_total_is_3_to_15_seconds(durations: tuple[int, ...], total: int) -> None:
    shots = [{"prompt": "a", "duration": d} for d in durations]
    refused(
        validate_text2video,
        "shots",
        f"{total} s in all",
        "add up to 3–15 s",
        "Total must be 3-15",
        model_name="kling-v3-0",
        shots=shots,
    )


def test_shot_totals_of_3_and_15_seconds_are_accepted() -> None:
    for durations in ((2, 1), (10, 5)):
        shots = [{"prompt": "a", "duration": d} for d in durations]
        assert validate_text2video(model_name="kling-v3-0", shots=shots)[1].duration == sum(durations)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "two", True, None])
def test_each_shot_duration_is_a_whole_number_from_1(bad: Any) -> None:
    shots = [{"prompt": "a", "duration": 4}, {"prompt": "b", "duration": bad}]
    refused(
        validate_text2video,
        "shots[1].duration",
        "whole number of seconds",
        "inferred",
        model_name="kling-v3-0",
        shots=shots,
    )


def test_each_shot_prompt_is_non_blank_and_at_most_2500_utf16_units() -> None:
    shots = [{"prompt": "a", "duration": 4}, {"prompt": "  ", "duration": 3}]
    refused(
        validate_text2video,
        "shots[1].prompt",
        "must not be empty",
        "max 2500 chars",
        model_name="kling-v3-0",
        shots=shots,
    )
    shots = [{"prompt": "x" * 2499 + EMOJI, "duration": 4}, {"prompt": "b", "duration": 3}]
    refused(
        validate_text2video, "shots[0].prompt", "2,501 UTF-16 units", "1–2500", model_name="kling-v3-0", shots=shots
    )


def test_a_shot_without_its_prompt_or_duration_is_refused() -> None:
    refused(
        validate_text2video,
        "shots[0].prompt",
        "missing",
        model_name="kling-v3-0",
        shots=[{"duration": 3}, TWO_SHOTS[1]],
    )
    refused(
        validate_text2video,
        "shots[1].duration",
        "missing",
        model_name="kling-v3-0",
        shots=[TWO_SHOTS[0], {"prompt": "b"}],
    )


def test_shots_must_be_a_list() -> None:
    refused(
        validate_text2video, "shots", "must be a list", model_name="kling-v3-0", shots={"prompt": "a", "duration": 3}
    )


def test_text_to_video_requires_a_prompt_unless_shots_are_given() -> None:
    for prompt in (None, "   "):
        refused(validate_text2video, "prompt", "must not be empty", "Required (unless using multi-shot)", prompt=prompt)


# --- elements on image-to-video ---------------------------------------------------------------------------------------


def test_elements_are_kling_v3_0_only_on_image_to_video() -> None:
    refused(
        validate_image2video,
        "elements",
        "kling-v3-0-turbo",
        "no elements",
        "model_name kling-v3-0",
        image=IMAGE,
        model_name="kling-v3-0-turbo",
        elements=["u_1"],
    )
    refused(
        validate_image2video,
        "elements",
        "kling-v2-6",
        "Model v3.0 only",
        image=IMAGE,
        model_name="kling-v2-6",
        elements=["u_1"],
    )


def test_at_most_three_elements_on_image_to_video() -> None:
    refused(
        validate_image2video,
        "elements",
        '"<4 elements>"',
        "1–3 element ids",
        "Up to 3",
        image=IMAGE,
        model_name="kling-v3-0",
        elements=["u_1", "u_2", "u_3", "u_4"],
    )
    request, _ = validate_image2video(image=IMAGE, model_name="kling-v3-0", elements=["u_1", "u_2", "u_3"])
    assert (request.element_1, request.element_2, request.element_3) == ("u_1", "u_2", "u_3")


@pytest.mark.parametrize("bad", ["", "u_1/../2", "u 1", "u_1?x=1", "é1", 42])
def test_an_element_id_is_letters_digits_underscore_and_dash(bad: Any) -> None:
    refused(
        validate_image2video,
        "elements[1]",
        "not a Kling element id",
        "u_309377170505500",
        "inferred",
        image=IMAGE,
        model_name="kling-v3-0",
        elements=["u_1", bad],
    )


@pytest.mark.parametrize("candidate", ["u_309377170505500", "o_1-a", "", "a/b", "a b", "x?y", "é", "A-Z_09"])
def test_the_catalog_accepts_exactly_the_element_ids_the_client_puts_in_a_path(candidate: str) -> None:
    try:
        _element_segment(candidate)
        client_ok = True
    except InvalidParameterError:
        client_ok = False
    assert catalog.references.is_element_id(candidate) is client_ok


# --- omni -------------------------------------------------------------------------------------------------------------


def test_omni_defaults_build_the_minimal_body_and_price_v3_with_audio() -> None:
    request, estimate = validate_omni(prompt="a fox in the snow", email="a@x.com")
    assert request.to_body() == {
        "email": "a@x.com",
        "prompt": "a fox in the snow",
        "omni_version": "v3",
        "duration": "5",
        "mode": "std",
    }
    # useapi publishes no omni rate: kling-v3-0's std rate with audio (8 credits/s), marked estimate
    assert (estimate.credits, estimate.source, estimate.audio, estimate.mode, estimate.duration) == (
        40,
        "estimate",
        True,
        "std",
        5,
    )
    assert estimate.label == "omni v3 video" and estimate.note == ""


def test_omni_references_and_options_reach_the_body_in_postman_field_names() -> None:
    request, estimate = validate_omni(
        prompt="@element_1 walks past @image_1 and @image_2",
        images=IMAGES[:2],
        elements=["u_309377170505500"],
        mode="pro",
        duration=6,
        aspect_ratio="9:16",
        enable_audio=False,
    )
    assert request.to_body() == {
        "prompt": "@element_1 walks past @image_1 and @image_2",
        "omni_version": "v3",
        "duration": "6",
        "aspect_ratio": "9:16",
        "mode": "pro",
        "enable_audio": False,
        "image_1": IMAGES[0],
        "image_2": IMAGES[1],
        "element_1": "u_309377170505500",
    }
    assert (estimate.credits, estimate.audio) == (48, False)  # 6 s at kling-v3-0 pro without audio, 8/s


def test_omni_frames_workflow_sends_frames_and_auto_only() -> None:
    request, _ = validate_omni(prompt="a fox turns", frame_start=IMAGES[0], frame_end=IMAGES[1])
    assert request.to_body() == {
        "prompt": "a fox turns",
        "omni_version": "v3",
        "duration": "5",
        "mode": "std",
        "frame_start": IMAGES[0],
        "frame_end": IMAGES[1],
    }
    assert validate_omni(prompt="a", frame_start=IMAGES[0], aspect_ratio="auto")[0].aspect_ratio == "auto"
    refused(
        validate_omni,
        "aspect_ratio",
        '"16:9"',
        "Frames workflow: auto only",
        "Allowed: auto",
        prompt="a",
        frame_start=IMAGES[0],
        aspect_ratio="16:9",
    )


def test_omni_video_workflow_reference_and_transform() -> None:
    request, estimate = validate_omni(prompt="@video_1 in watercolour", video=VIDEO, keep_audio=True)
    assert request.to_body() == {
        "prompt": "@video_1 in watercolour",
        "omni_version": "v3",
        "duration": "5",
        "mode": "std",
        "video_1": VIDEO,
        "video_mode": "reference",
        "keep_audio": True,
    }
    assert estimate.audio is False and estimate.credits == 30  # enable_audio is not valid with video_1


def test_omni_transform_lasts_and_is_priced_as_long_as_its_video() -> None:
    request, estimate = validate_omni(prompt="make @video_1 night", video=VIDEO, video_mode="transform")
    # no duration is sent: the edited clip follows its video (an inferred rule, said in the note)
    assert request.to_body() == {
        "prompt": "make @video_1 night",
        "omni_version": "v3",
        "mode": "std",
        "video_1": VIDEO,
        "video_mode": "transform",
    }
    assert estimate.label == "omni v3 edit of a video" and "inferred" in estimate.note
    # the video's length not known yet: priced at the longest omni v3 makes, 15 s at 6 credits/s (no audio made)
    assert (estimate.duration, estimate.credits) == (15, 90) and "not known yet" in estimate.note
    assert "VIP" not in estimate.note
    _, estimate = validate_omni(prompt="a", video=VIDEO, video_mode="transform", video_seconds=8.0, mode="pro")
    assert (estimate.duration, estimate.credits) == (8, 64) and "not known" not in estimate.note
    assert "VIP" in estimate.note
    _, estimate = validate_omni(prompt="a", omni_version="o1", video=VIDEO, video_mode="transform")
    assert (estimate.duration, estimate.credits) == (10, 60)
    # a reference video does not set the length: the duration is sent and priced, video_seconds or not
    request, estimate = validate_omni(prompt="a", video=VIDEO, duration=6, video_seconds=12.0)
    assert request.duration == "6" and estimate.duration == 6


def test_omni_transform_refuses_a_duration_and_a_video_the_version_cannot_match() -> None:
    refused(
        validate_omni,
        "duration",
        "lasts as long as its video",
        "inferred",
        "omit duration",
        prompt="a",
        video=VIDEO,
        video_mode="transform",
        duration=5,
    )
    refused(
        validate_omni,
        "video",
        VIDEO,
        "lasts 20 s",
        "a video of 3–15 s for omni v3",
        prompt="a",
        video=VIDEO,
        video_mode="transform",
        video_seconds=20.0,
    )
    refused(
        validate_omni,
        "video",
        "lasts 12 s",
        "3–10 s for omni o1",
        prompt="a",
        omni_version="o1",
        video=VIDEO,
        video_mode="transform",
        video_seconds=12.0,
    )
    refused(validate_omni, "video", "lasts 2.5 s", prompt="a", video=VIDEO, video_mode="transform", video_seconds=2.5)


def test_omni_with_a_video_takes_auto_or_no_aspect_ratio_and_sends_none() -> None:
    # useapi's omni page: "When video_1 is provided, aspect_ratio is automatically set to auto"
    request, _ = validate_omni(prompt="a", video=VIDEO, aspect_ratio="auto")
    assert "aspect_ratio" not in request.to_body()
    for ratio in ("9:16", "16:9", "4:3"):
        refused(
            validate_omni,
            "aspect_ratio",
            f'"{ratio}"',
            "automatically set to auto",
            "POST /videos/omni",
            "Allowed: auto, or omit aspect_ratio",
            prompt="a",
            video=VIDEO,
            aspect_ratio=ratio,
        )


def test_omni_with_a_video_takes_at_most_4_images_and_elements() -> None:
    validate_omni(prompt="a", video=VIDEO, images=IMAGES)  # 4 images
    refused(
        validate_omni,
        "images",
        '"<4 images and 1 elements>"',
        "1 video + 4 images",
        "or no video",
        prompt="a",
        video=VIDEO,
        images=IMAGES,
        elements=["u_1"],
    )
    validate_omni(prompt="a", images=IMAGES, elements=["u_1"])  # 5 without a video


def test_omni_multi_shot_builds_shot_fields_and_checks_their_references() -> None:
    shots = [{"prompt": "@image_1 at dawn", "duration": 5}, {"prompt": "@image_1 at dusk", "duration": 5}]
    request, estimate = validate_omni(shots=shots, images=[IMAGES[0]], mode="pro")
    assert request.to_body() == {
        "omni_version": "v3",
        "mode": "pro",
        "image_1": IMAGES[0],
        "shot_1_prompt": "@image_1 at dawn",
        "shot_1_duration": 5,
        "shot_2_prompt": "@image_1 at dusk",
        "shot_2_duration": 5,
    }
    assert (estimate.duration, estimate.credits, estimate.label) == (10, 120, "omni v3 video in 2 shots")
    shots[1]["prompt"] = "@image_2 at dusk"
    refused(
        validate_omni,
        "shots[1].prompt",
        '"@image_2"',
        "only 1 image is given",
        "@image_1",
        shots=shots,
        images=[IMAGES[0]],
    )


def test_omni_o1_durations_and_audio() -> None:
    request, estimate = validate_omni(prompt="a fox", omni_version="o1", duration=10)
    assert request.omni_version == "o1" and request.duration == "10"
    assert estimate.audio is False and estimate.credits == 60 and "VIP" in estimate.note
    refused(validate_omni, "duration", "11", "3–10", "O1: 3-10", prompt="a", omni_version="o1", duration=11)
    refused(validate_omni, "duration", "16", "3–15", prompt="a", duration=16)
    refused(validate_omni, "duration", "2", "3–15", prompt="a", duration=2)
    refused(
        validate_omni,
        "enable_audio",
        "o1",
        "Not valid with video_1 or omni_version o1",
        "omni_version v3",
        prompt="a",
        omni_version="o1",
        enable_audio=True,
    )


def test_omni_refuses_unknown_version_and_mode() -> None:
    refused(validate_omni, "omni_version", '"o2"', '"v3", "o1"', prompt="a", omni_version="o2")
    refused(validate_omni, "mode", '"4k"', '"std", "pro"', prompt="a", mode="4k")
    refused(validate_omni, "aspect_ratio", '"4:3"', '"16:9", "9:16", "1:1"', prompt="a", aspect_ratio="4:3")
    refused(validate_omni, "aspect_ratio", '"auto"', '"16:9"', prompt="a", aspect_ratio="auto")  # frames only


def test_omni_prompt_is_required_unless_shots_and_at_most_1700_units_as_useapi_omni_page_says() -> None:
    refused(validate_omni, "prompt", "must not be empty", "Required (unless using multi-shot)")
    err = refused(
        validate_omni,
        "prompt",
        "1,701 UTF-16 units",
        "useapi's documentation page for POST /videos/omni (2025-12-11, updated 2026-01-12): prompt: \"Maximum length: "
        '1700 characters"',
        "stops before sending",
        "1–1700 UTF-16 units",
        prompt="x" * 1699 + EMOJI,
    )
    assert "inferred" not in err.message
    _, estimate = validate_omni(prompt="x" * 1700)
    assert estimate.note == ""
    # shot prompts keep the Postman collection's "max 2500 chars": the page speaks of the single prompt
    validate_omni(shots=[{"prompt": "x" * 2500, "duration": 3}, {"prompt": "y", "duration": 3}])


@pytest.mark.parametrize(
    ("prompt", "given", "token", "allowed"),
    [
        ("@image_3 jumps", {"images": IMAGES[:2]}, "@image_3", "@image_1, @image_2"),
        ("@image_1 jumps", {}, "@image_1", "give an image"),
        ("@image_0 jumps", {"images": IMAGES[:1]}, "@image_0", "@image_1"),
        ("@element_2 jumps", {"elements": ["u_1"]}, "@element_2", "@element_1"),
        ("@video_1 again", {}, "@video_1", "give a video"),
        ("@video_2 again", {"video": VIDEO}, "@video_2", "@video_1"),
    ],
)
def test_omni_refuses_a_prompt_that_names_an_input_not_given(
    prompt: str, given: dict[str, Any], token: str, allowed: str
) -> None:
    refused(validate_omni, "prompt", f'"{token}"', allowed, "@image_1, @element_1, @video_1", prompt=prompt, **given)


def test_omni_reference_counts() -> None:
    validate_omni(prompt="a", images=IMAGES + IMAGES[:3])  # 7 images
    refused(validate_omni, "images", '"<8 images>"', "1–7 images", "up to 7", prompt="a", images=IMAGES * 2)
    refused(
        validate_omni,
        "elements",
        '"<5 images and 3 elements>"',
        "at most 7",
        "inferred",
        prompt="a",
        images=IMAGES + IMAGES[:1],
        elements=["u_1", "u_2", "u_3"],
    )
    refused(validate_omni, "images[1]", "must not be empty", prompt="a", images=[IMAGES[0], " "])
    refused(validate_omni, "elements[0]", "not a Kling element id", prompt="a", elements=["../x"])


def test_omni_workflow_rules() -> None:
    refused(validate_omni, "frame_end", "needs a start frame", "inferred", prompt="a", frame_end=IMAGES[0])
    refused(
        validate_omni,
        "frame_start",
        "not combined",
        "inferred",
        "omit video",
        prompt="a",
        frame_start=IMAGES[0],
        video=VIDEO,
    )
    refused(validate_omni, "video_mode", '"transform"', "none is given", "inferred", prompt="a", video_mode="transform")
    refused(
        validate_omni, "video_mode", '"edit"', '"reference", "transform"', prompt="a", video=VIDEO, video_mode="edit"
    )
    refused(validate_omni, "keep_audio", "true", "Only applies with video_1", prompt="a", keep_audio=True)
    refused(
        validate_omni,
        "enable_audio",
        "with a video",
        "Not valid with video_1",
        prompt="a",
        video=VIDEO,
        enable_audio=True,
    )


def test_omni_shots_rules() -> None:
    refused(
        validate_omni,
        "shots",
        "o1 takes no multi-shot",
        "v3 only",
        "omni_version v3",
        shots=TWO_SHOTS,
        omni_version="o1",
    )
    refused(validate_omni, "prompt", "inferred", "omit prompt", shots=TWO_SHOTS, prompt="a")
    refused(validate_omni, "duration", "Cannot be used with multi-shot", shots=TWO_SHOTS, duration=5)
    refused(validate_omni, "shots", '"<1 shot>"', "2–6 shots", shots=TWO_SHOTS[:1])


# --- multi-image (image2video-elements) -------------------------------------------------------------------------------


def test_multi_image_defaults_to_kling_v1_6_and_sends_image_0_first() -> None:
    request, estimate = validate_multi_image(images=IMAGES[:2], prompt="two friends meet", negative_prompt="blur")
    assert request.to_body() == {
        "image_0": IMAGES[0],
        "image_1": IMAGES[1],
        "prompt": "two friends meet",
        "negative_prompt": "blur",
        "aspect_ratio": "16:9",
        "duration": "5",
        "mode": "std",
        "model_name": "kling-v1-6",
    }
    # no published multi-image rate: kling-v1-6's std rate (4/s), marked estimate
    assert (estimate.credits, estimate.source, estimate.label) == (20, "estimate", "kling-v1-6 video from 2 images")


def test_multi_image_kling_v3_0_takes_elements_and_always_has_audio() -> None:
    request, estimate = validate_multi_image(
        images=IMAGES,
        prompt="a",
        model_name="kling-v3-0",
        elements=["u_1", "u_2", "u_3"],
        duration=12,
        mode="pro",
        enable_audio=True,
    )
    assert request.to_body() == {
        "image_0": IMAGES[0],
        "image_1": IMAGES[1],
        "image_2": IMAGES[2],
        "image_3": IMAGES[3],
        "element_1": "u_1",
        "element_2": "u_2",
        "element_3": "u_3",
        "prompt": "a",
        "duration": "12",
        "mode": "pro",
        "model_name": "kling-v3-0",
        "enable_audio": True,
    }
    assert (estimate.credits, estimate.audio) == (144, True)  # 12 s at kling-v3-0 pro with audio


def test_multi_image_refusals() -> None:
    refused(
        validate_multi_image,
        "model_name",
        '"kling-v2-6"',
        '"kling-v3-0", "kling-v1-6"',
        images=IMAGES[:1],
        prompt="a",
        model_name="kling-v2-6",
    )
    refused(validate_multi_image, "images", '"<0 images>"', "1–4 images", images=[], prompt="a")
    refused(
        validate_multi_image, "images", '"<5 images>"', "1–4 images", "image_0", images=IMAGES + IMAGES[:1], prompt="a"
    )
    refused(
        validate_multi_image, "prompt", "must not be empty", "Required, max length 2500", images=IMAGES[:1], prompt=None
    )
    refused(
        validate_multi_image,
        "elements",
        "kling-v1-6 takes no elements",
        "Model v3 only",
        images=IMAGES[:1],
        prompt="a",
        elements=["u_1"],
    )
    refused(
        validate_multi_image,
        "elements",
        '"<4 elements>"',
        "1–3 element ids",
        images=IMAGES[:1],
        prompt="a",
        model_name="kling-v3-0",
        elements=["u_1"] * 4,
    )
    refused(
        validate_multi_image,
        "negative_prompt",
        "3.0 do not support negative_prompt",
        "kling-v1-6",
        images=IMAGES[:1],
        prompt="a",
        model_name="kling-v3-0",
        negative_prompt="blur",
    )
    refused(
        validate_multi_image,
        "aspect_ratio",
        "derived from input image",
        "omit aspect_ratio",
        images=IMAGES[:1],
        prompt="a",
        model_name="kling-v3-0",
        aspect_ratio="1:1",
    )
    refused(
        validate_multi_image,
        "aspect_ratio",
        '"4:3"',
        '"16:9", "9:16", "1:1"',
        images=IMAGES[:1],
        prompt="a",
        aspect_ratio="4:3",
    )
    refused(validate_multi_image, "duration", "7", "5, 10", images=IMAGES[:1], prompt="a", duration=7)
    refused(
        validate_multi_image,
        "duration",
        "16",
        "3–15",
        images=IMAGES[:1],
        prompt="a",
        model_name="kling-v3-0",
        duration=16,
    )
    refused(validate_multi_image, "mode", '"4k"', '"std", "pro"', images=IMAGES[:1], prompt="a", mode="4k")
    refused(
        validate_multi_image,
        "enable_audio",
        "false",
        "Model v3 always has audio enabled",
        images=IMAGES[:1],
        prompt="a",
        model_name="kling-v3-0",
        enable_audio=False,
    )


# --- extend -----------------------------------------------------------------------------------------------------------


def test_extend_body_and_estimate_from_the_source_task() -> None:
    request, estimate = validate_extend(
        task_id="123",
        prompt="the fox keeps running",
        negative_prompt="blur",
        cfg_scale=0.3,
        enable_audio=True,
        source_model="kling-v2-6",
        source_seconds=5.04,
    )
    assert request.to_body() == {
        "task_id": 123,
        "prompt": "the fox keeps running",
        "negative_prompt": "blur",
        "cfg_scale": 0.3,
        "enable_audio": True,
    }
    # 5 s of kling-v2-6 pro with Native Audio (35 per 5 s, published for generation; an estimate for an extension)
    assert (estimate.credits, estimate.source, estimate.duration, estimate.mode) == (35, "estimate", 5, "pro")
    assert estimate.label == "extension of task 123"
    assert "about 10.04 s" in estimate.note and "inferred" in estimate.note


def test_extend_estimate_without_the_source_model() -> None:
    _, estimate = validate_extend(task_id=7)
    assert (estimate.credits, estimate.mode) == (40, "pro")  # kling-v3-0 pro without audio, 8/s
    assert "not being known" in estimate.note
    assert validate_extend(task_id=7, source_model="omni-v3")[1].credits == 40  # omni is priced at kling-v3-0's rate
    assert validate_extend(task_id=7, source_model="kling-v2-1-master")[1].credits == 100


@pytest.mark.parametrize("bad", [0, -3, "abc", True, 1.5, 2**63])
def test_extend_refuses_what_is_not_a_task_id(bad: Any) -> None:
    refused(validate_extend, "task_id", "not a task id", "succeeded video task", task_id=bad)


def test_extend_text_and_cfg_scale_limits() -> None:
    refused(validate_extend, "prompt", "2,501 UTF-16 units", "max length 2500", task_id=1, prompt="x" * 2499 + EMOJI)
    refused(validate_extend, "negative_prompt", "2,501 UTF-16 units", task_id=1, negative_prompt="x" * 2501)
    for bad in (1.5, -0.1, math.nan):
        refused(validate_extend, "cfg_scale", "out of range", "0 to 1", task_id=1, cfg_scale=bad)


# --- motion control ---------------------------------------------------------------------------------------------------


def test_motion_body_in_postman_field_names() -> None:
    request, estimate = validate_motion(
        image=IMAGE,
        motion=VIDEO,
        prompt="dance",
        keep_audio=True,
        motion_direction="image_direction",
        mode="pro",
        element="u_1",
        motion_seconds=12.4,
        email="a@x.com",
    )
    assert request.to_body() == {
        "imageUrl": IMAGE,
        "motionUrl": VIDEO,
        "email": "a@x.com",
        "model_name": "kling-v3-0",
        "prompt": "dance",
        "keepAudio": True,
        "motionDirection": "image_direction",
        "mode": "pro",
        "element_1": "u_1",
    }
    # every second of the motion video at kling-v3-0 pro without audio (8/s): ceil(8 x 12.4)
    assert (estimate.credits, estimate.duration, estimate.audio, estimate.source) == (100, 13, False, "estimate")
    assert estimate.label == "kling-v3-0 motion-control video" and estimate.note == ""


def test_motion_of_unknown_length_is_priced_at_30_seconds_and_says_so() -> None:
    request, estimate = validate_motion(image=IMAGE, motion=VIDEO, model_name="kling-v2-6")
    assert request.to_body() == {"imageUrl": IMAGE, "motionUrl": VIDEO, "model_name": "kling-v2-6", "mode": "std"}
    assert (estimate.credits, estimate.duration) == (90, 30) and "30 s" in estimate.note


def test_motion_refusals() -> None:
    refused(
        validate_motion,
        "image",
        "is required",
        "Required, URL to the image containing the person",
        image=" ",
        motion=VIDEO,
    )
    refused(validate_motion, "motion", "is required", image=IMAGE, motion=None)
    refused(
        validate_motion,
        "model_name",
        '"kling-v2-5"',
        '"kling-v3-0", "kling-v2-6"',
        image=IMAGE,
        motion=VIDEO,
        model_name="kling-v2-5",
    )
    for seconds in (2.9, 30.5):
        refused(
            validate_motion,
            "motion",
            f'"{VIDEO}"',
            f"lasts {seconds:g} s",
            "3–30 s",
            "(3-30 seconds)",
            image=IMAGE,
            motion=VIDEO,
            motion_seconds=seconds,
        )
    refused(
        validate_motion,
        "motion_direction",
        '"sideways"',
        '"motion_direction", "image_direction"',
        image=IMAGE,
        motion=VIDEO,
        motion_direction="sideways",
    )
    refused(validate_motion, "mode", '"4k"', '"std", "pro"', image=IMAGE, motion=VIDEO, mode="4k")
    refused(
        validate_motion,
        "element",
        "kling-v2-6 takes no element",
        "v3.0 only",
        image=IMAGE,
        motion=VIDEO,
        model_name="kling-v2-6",
        element="u_1",
    )
    refused(validate_motion, "element", "not a Kling element id", image=IMAGE, motion=VIDEO, element="u 1")
    refused(validate_motion, "prompt", "inferred", image=IMAGE, motion=VIDEO, prompt="x" * 2501)


def test_motion_mode_default_is_an_inferred_rule_in_kling_models() -> None:
    rules = catalog.catalog_document()["endpoints"]["motion"]["rules"]
    mode = next(rule for rule in rules if rule["parameter"] == "mode")
    assert mode["inferred"] is True and "std is sent" in mode["rule"]


# --- effects ----------------------------------------------------------------------------------------------------------


# GET /videos/effects entries as useapi's page shows them (2025-07-25): name, supportedModelMode, promptSupported, ...
ROCKET = {"name": "rocket", "caption": "Rocket", "supportedModelMode": ["std", "pro"], "promptSupported": True}
SPINOFF = {"name": "spinoff", "caption": "Dizzy", "supportedModelMode": ["pro"], "promptSupported": False}


def test_effect_names_reads_plain_names_and_name_like_fields() -> None:
    entries: list[Any] = [
        ROCKET,
        " kiss ",
        {"effect": "hug"},
        {"id": 7, "key": "squish"},
        {"value": "melt"},
        {"caption": "no name"},
        "",
        3,
    ]
    assert effect_names(entries) == ["rocket", "kiss", "hug", "squish", "melt"]
    assert effect_names(None) == [] and catalog.effect_names is effect_names


def test_effect_entries_refuse_a_mode_and_a_prompt_the_effect_does_not_take() -> None:
    entries: list[Any] = [ROCKET, SPINOFF, "hug"]
    err = refused(
        validate_effect,
        "mode",
        '"std"',
        "supportedModelMode lists pro",
        "GET /videos/effects",
        'Allowed: "pro"',
        effect="spinoff",
        image=IMAGE,
        mode="std",
        known_effects=entries,
    )
    assert "spinoff" in err.message
    refused(
        validate_effect,
        "prompt",
        "promptSupported is false",
        "Allowed: omit prompt",
        effect="spinoff",
        image=IMAGE,
        prompt="spin",
        known_effects=entries,
    )
    # omitted, the mode is the effect's own when it lists no std (std is sent otherwise)
    request, estimate = validate_effect(effect="spinoff", image=IMAGE, known_effects=entries)
    assert request.to_body() == {"effect": "spinoff", "image": IMAGE, "mode": "pro"}
    assert (estimate.mode, estimate.credits) == ("pro", 35) and "lists no std mode" in estimate.note
    request, _ = validate_effect(effect="rocket", image=IMAGE, prompt="lift off", known_effects=entries)
    assert request.to_body() == {"effect": "rocket", "image": IMAGE, "mode": "std", "prompt": "lift off"}
    # an entry without that data (a plain name, or an object without it) is accepted as before
    assert validate_effect(effect="hug", image=IMAGE, mode="pro", prompt="x", known_effects=entries)[1].mode == "pro"
    assert validate_effect(effect="x", image=IMAGE, prompt="y", known_effects=[{"name": "x"}])[1].mode == "std"
    rules = catalog.catalog_document()["endpoints"]["effect"]["rules"]
    assert any("[E]" in source for rule in rules for source in rule["sources"])


def test_effect_body_and_estimate() -> None:
    request, estimate = validate_effect(effect="hug", image=IMAGE, prompt="warmly", known_effects=["hug", "kiss"])
    assert request.to_body() == {"effect": "hug", "image": IMAGE, "mode": "std", "prompt": "warmly"}
    assert (estimate.credits, estimate.source, estimate.duration) == (20, "estimate", 5)
    assert validate_effect(effect="hug", image=IMAGE, mode="pro")[1].credits == 35  # unchecked without the list
    assert estimate.label == "video with the hug effect"


def test_effect_refusals_name_the_effects_the_account_lists() -> None:
    refused(
        validate_effect, "effect", '"slap"', '"hug", "kiss"', effect="slap", image=IMAGE, known_effects=["hug", "kiss"]
    )
    refused(validate_effect, "effect", "is required", "list_effects", effect=" ", image=IMAGE)
    many = [f"effect_{n}" for n in range(50)]
    err = refused(validate_effect, "effect", "effect_39", "and 10 more", effect="x", image=IMAGE, known_effects=many)
    assert "effect_40" not in err.message
    refused(validate_effect, "image", "is required", effect="hug", image="")
    refused(validate_effect, "mode", '"4k"', '"std", "pro"', effect="hug", image=IMAGE, mode="4k")
    refused(validate_effect, "prompt", "2,501 UTF-16 units", effect="hug", image=IMAGE, prompt="x" * 2501)


# --- elements ---------------------------------------------------------------------------------------------------------


def test_element_bodies() -> None:
    request = validate_element(
        name="Fox", cover_image=IMAGE, description="a red fox", tag="o_102", extra_images=IMAGES[:3], email="a@x.com"
    )
    assert request.to_body() == {
        "name": "Fox",
        "coverImage": IMAGE,
        "email": "a@x.com",
        "type": "IMAGE",
        "description": "a red fox",
        "tag": "o_102",
        "extraImage1": IMAGES[0],
        "extraImage2": IMAGES[1],
        "extraImage3": IMAGES[2],
    }
    request = validate_element(name="Narrator", cover_image=VIDEO, type="VIDEO", voice="voice_7", generate_views=True)
    assert request.to_body() == {
        "name": "Narrator",
        "coverImage": VIDEO,
        "type": "VIDEO",
        "voice": "voice_7",
        "generateViews": True,
    }


def test_element_refusals() -> None:
    refused(validate_element, "name", "must not be empty", "1–15", name=" ", cover_image=IMAGE)
    refused(validate_element, "name", "longer than 15", "Max 15 chars", name="x" * 16, cover_image=IMAGE)
    refused(validate_element, "name", "longer than 15", name="x" * 14 + EMOJI, cover_image=IMAGE)  # 16 UTF-16 units
    assert validate_element(name="x" * 15, cover_image=IMAGE).name == "x" * 15
    refused(validate_element, "cover_image", "is required", name="Fox", cover_image=None)
    refused(validate_element, "type", '"image"', '"IMAGE", "VIDEO"', name="Fox", cover_image=IMAGE, type="image")
    refused(validate_element, "voice", "for VIDEO elements", "type VIDEO", name="Fox", cover_image=IMAGE, voice="v")
    refused(
        validate_element,
        "description",
        "longer than 100",
        "Max 100 chars",
        name="Fox",
        cover_image=IMAGE,
        description="d" * 101,
    )
    refused(
        validate_element,
        "extra_images",
        '"<4 images>"',
        "0–3 images",
        name="Fox",
        cover_image=IMAGE,
        extra_images=IMAGES,
    )
    refused(
        validate_element,
        "extra_images[1]",
        "must not be empty",
        name="Fox",
        cover_image=IMAGE,
        extra_images=[IMAGE, ""],
    )
    refused(
        validate_element,
        "generate_views",
        "Cannot use with",
        "omit generate_views, or omit extra_images",
        name="Fox",
        cover_image=IMAGE,
        extra_images=[IMAGE],
        generate_views=True,
    )
    refused(validate_element, "tag", "blank", name="Fox", cover_image=IMAGE, tag=" ")


# --- kling://models and list_models -----------------------------------------------------------------------------------


def test_kling_models_describes_every_endpoint_from_the_catalog() -> None:
    document = catalog.catalog_document()
    endpoints = document["endpoints"]
    assert {key: e["tool"] for key, e in endpoints.items()} == {
        "text_to_video": "generate_video",
        "image_to_video": "animate_image",
        "omni": "omni_video",
        "multi_image": "multi_image_video",
        "extend": "extend_video",
        "motion": "motion_control",
        "effect": "apply_effect",
        "element": "create_element",
        "lip_sync": "lip_sync",
        "speech": "text_to_speech",
        "add_sound": "add_sound",
        "avatar_video": "avatar_video",
        "avatar": "create_avatar",
        "image_omni": "generate_image",
        "image_kolors": "generate_image",
        "image_kolors_elements": "generate_image",
        "image_upscale": "upscale_image",
        "image_enhance": "upscale_image",
        "virtual_try_on": "virtual_try_on",
        "recognize_faces": "recognize_faces",
    }
    assert endpoints["omni"]["models"] == ["v3", "o1"] and endpoints["multi_image"]["default_model"] == "kling-v1-6"
    assert endpoints["motion"]["models"] == ["kling-v3-0", "kling-v2-6"]
    assert endpoints["omni"]["credits"]["source"] == "estimate"
    assert endpoints["omni"]["credits"]["per_5s"]["v3"] == {"std": 40, "pro": 60}
    tags = set(document["sources"])
    every = [rule for e in endpoints.values() for rule in e["rules"]]
    every += [rule for rules in document["shared_rules"].values() for rule in rules]
    for rule in every:
        assert rule["sources"], rule
        assert all(source[1] in tags and source.startswith("[") for source in rule["sources"]), rule
        assert rule["inferred"] == any(source.startswith("[I]") for source in rule["sources"]), rule
    assert {"multi_shot", "element_ids"} <= set(endpoints["omni"]["shared_rules"])


def test_kling_models_says_which_models_take_shots_and_elements() -> None:
    models = {m["name"]: m for m in catalog.catalog_document()["models"]}
    assert (
        models["kling-v3-0"]["parameters"]["shots"] is True and models["kling-v3-0"]["parameters"]["elements"] is True
    )
    for name in ("kling-v3-0-turbo", "kling-v2-6", "kling-v1-6"):
        assert models[name]["parameters"]["shots"] is False and models[name]["parameters"]["elements"] is False
    assert "no multi-shot" in models["kling-v3-0-turbo"]["rules"]["multi_shot"][0]
    assert "v3 only" in models["kling-v2-6"]["rules"]["multi_shot"][0]


def test_list_models_carries_the_endpoints() -> None:
    listed = ModelList.model_validate(catalog.catalog_document())
    assert set(listed.endpoints) == set(catalog.catalog_document()["endpoints"]) >= set(catalog.ENDPOINTS)
    assert listed.model_dump()["endpoints"]["extend"]["path"] == "POST /videos/extend"


def test_the_readme_table_still_cites_only_its_own_sources() -> None:
    table = " ".join(catalog.markdown_table().splitlines())
    assert "[S]" not in table and "[P] useapi's Postman collection" in table  # scripts: cited by endpoints only
    assert "S" in catalog.catalog_document()["sources"]


def test_no_new_catalog_text_says_seed() -> None:
    texts = [json.dumps(catalog.catalog_document(), ensure_ascii=False)]
    for call, params in (
        (validate_omni, {"prompt": "@image_2", "images": [IMAGE]}),
        (validate_omni, {"prompt": "a", "frame_end": IMAGE}),
        (validate_multi_image, {"images": [IMAGE], "prompt": "a", "model_name": "kling-v3-0", "enable_audio": False}),
        (validate_motion, {"image": IMAGE, "motion": VIDEO, "motion_seconds": 40}),
        (validate_text2video, {"model_name": "kling-v3-0-turbo", "shots": TWO_SHOTS}),
    ):
        with pytest.raises(InvalidParameterError) as caught:
            call(**params)
        texts.append(caught.value.message)
    texts.append(validate_extend(task_id=1)[1].note)
    texts.append(validate_omni(prompt="a", video=VIDEO, video_mode="transform")[1].note)
    for text in texts:
        assert "seed" not in text.lower(), text
