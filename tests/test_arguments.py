"""The argument models are the one list of each tool's parameters: the catalog's validators take exactly their
request part, and every model refuses a name it does not have."""

from __future__ import annotations

import inspect

import pytest
from pydantic import ValidationError

from kling_mcp import catalog
from kling_mcp.arguments import (
    AnimateImage,
    ApplyEffect,
    Arguments,
    CreateElement,
    ExtendVideo,
    GenerateVideo,
    MotionControl,
    MultiImageVideo,
    OmniVideo,
    WithMedia,
)
from kling_mcp.tools import TOOLSETS

# What a validator takes that is not the user's: the service reads it upstream (the task to extend, the length of a
# motion video or of omni's video, the effects' entries).
FROM_THE_SERVICE = {"source_model", "source_seconds", "motion_seconds", "video_seconds", "known_effects"}


@pytest.mark.parametrize(
    ("model", "validator"),
    [
        (GenerateVideo, "validate_text2video"),
        (AnimateImage, "validate_image2video"),
        (OmniVideo, "validate_omni"),
        (MultiImageVideo, "validate_multi_image"),
        (ExtendVideo, "validate_extend"),
        (MotionControl, "validate_motion"),
        (ApplyEffect, "validate_effect"),
        (CreateElement, "validate_element"),
    ],
)
def test_the_catalog_checks_exactly_the_request_part_of_the_arguments(model: type[WithMedia], validator: str) -> None:
    taken = set(inspect.signature(getattr(catalog, validator)).parameters) - {"email"} - FROM_THE_SERVICE
    assert taken == set(model.model_fields) - model.SUBMISSION - model.NOT_CATALOG
    assert set(model.MEDIA) <= taken


def test_every_tool_has_an_argument_model_that_refuses_unknown_names() -> None:
    specs = [spec for toolset in TOOLSETS for spec in toolset.tools]
    assert len(specs) == 34
    for spec in specs:
        assert issubclass(spec.arguments, Arguments), spec.name
        with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
            spec.arguments.model_validate({"modle_name": "kling-v3-0"})


def test_media_lists_every_path_or_url_given_by_its_user_facing_label() -> None:
    omni = OmniVideo.model_validate(
        {"prompt": "x", "images": ["a.png", " https://cdn.test/b.png ", "  "], "frame_start": " ", "video": "v.mp4"}
    )
    assert [(m.label, m.value, m.kind) for m in omni.media()] == [
        ("images[0]", "a.png", "image"),
        ("images[1]", "https://cdn.test/b.png", "image"),
        ("video", "v.mp4", "video"),
    ]
    motion = MotionControl.model_validate({"image": "p.png", "motion": "m.mov"})
    assert [(m.label, m.kind) for m in motion.media()] == [("image", "image"), ("motion", "video")]
    video_element = CreateElement.model_validate({"name": "Mara", "cover_image": "clip.mp4", "type": "VIDEO"})
    assert [(m.label, m.kind) for m in video_element.media()] == [("cover_image", "video")]
    assert ExtendVideo.model_validate({"task_id": 7}).media() == []


def test_catalog_fields_with_puts_each_url_in_its_place() -> None:
    omni = OmniVideo.model_validate({"prompt": "x", "images": ["a.png", "b.png"], "video_task_id": 7})
    fields = omni.catalog_fields_with({"images[1]": "https://u/b", "video": "https://u/v"})
    assert fields["images"] == ["a.png", "https://u/b"] and fields["video"] == "https://u/v"
    assert "video_task_id" not in fields and "email" not in fields
    assert omni.catalog_fields()["images"] == ["a.png", "b.png"]  # the user's own values are left as given
    with pytest.raises(ValueError, match="no media parameter"):
        omni.catalog_fields_with({"pictures[0]": "https://u/a"})


def test_a_prompt_left_out_or_null_reaches_the_catalog_as_none_and_json_text_stays_text() -> None:
    shots = [{"prompt": "a", "duration": 3}, {"prompt": "b", "duration": 4}]
    for given in ({"shots": shots}, {"shots": shots, "prompt": None}):
        fields = GenerateVideo.model_validate(given).catalog_fields()
        assert fields["prompt"] is None and fields["shots"] == shots
    assert GenerateVideo.model_validate({"prompt": '{"scene": "fox"}'}).catalog_fields()["prompt"] == '{"scene": "fox"}'
    assert GenerateVideo.model_fields["prompt"].annotation is str  # not pre-parsed as JSON by the SDK


@pytest.mark.parametrize(
    ("given", "parameter"),
    [
        ({"prompt": "x", "video": "https://cdn.test/v.mp4", "video_task_id": 7}, "video_task_id"),
        ({"prompt": "x", "video_work_id": 3}, "video_work_id"),
        ({"prompt": "x", "shots": [{"prompt": "a", "duration": 3, "image": "b.png"}]}, "shots"),
    ],
)
def test_omni_refuses_arguments_that_name_its_video_twice_or_a_shot_it_cannot_send(
    given: dict[str, object], parameter: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        OmniVideo.model_validate(given)
    assert refused.value.errors()[0]["loc"][0] == parameter
