"""The model catalog on its own: each rule as useapi documents it, per endpoint, with its source."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.catalog import MODELS, catalog_document, markdown_table, validate_image2video, validate_text2video

IMAGE = "https://cdn.test/start.png"
EMOJI = "\U0001f600"  # outside the BMP: 1 code point, 2 UTF-16 units


def refusal(call: Any, **params: Any) -> InvalidParameterError:
    with pytest.raises(InvalidParameterError) as caught:
        call(**params)
    return caught.value


def model_doc(name: str) -> dict[str, Any]:
    return next(m for m in catalog_document()["models"] if m["name"] == name)


# --- item 4: modes per endpoint ------------------------------------------------------------------------------------


def test_kling_v2_5_takes_std_on_image_to_video_and_is_sent_std_by_default() -> None:
    request, estimate = validate_image2video(image=IMAGE, model_name="kling-v2-5", mode="std")
    assert request.mode == "std" and estimate.mode == "std"
    request, estimate = validate_image2video(image=IMAGE, model_name="kling-v2-5")
    assert request.mode == "std"  # the upstream default on image2video-frames, not the dearer pro
    _, pro = validate_image2video(image=IMAGE, model_name="kling-v2-5", mode="pro")
    assert estimate.credits < pro.credits
    assert estimate.source == "estimate"  # only 2.5 pro is published


def test_kling_v2_5_and_v2_1_master_stay_pro_only_on_text_to_video() -> None:
    for name in ("kling-v2-5", "kling-v2-1-master"):
        err = refusal(validate_text2video, prompt="a fox", model_name=name, mode="std")
        assert err.parameter == "mode" and '"pro"' in err.message and "Postman" in err.message
        request, _ = validate_text2video(prompt="a fox", model_name=name)
        assert request.mode == "pro"


def test_kling_v2_1_master_stays_pro_only_on_image_to_video() -> None:
    err = refusal(validate_image2video, image=IMAGE, model_name="kling-v2-1-master", mode="std")
    assert err.parameter == "mode" and "image-to-video" in err.message
    assert validate_image2video(image=IMAGE, model_name="kling-v2-1-master")[0].mode == "pro"


def test_catalog_document_gives_modes_and_default_per_endpoint_with_sources() -> None:
    modes = model_doc("kling-v2-5")["modes"]
    assert set(modes["text_to_video"]["allowed"]) == {"pro"} and modes["text_to_video"]["default"] == "pro"
    assert set(modes["image_to_video"]["allowed"]) == {"std", "pro"} and modes["image_to_video"]["default"] == "std"
    for endpoint in ("text_to_video", "image_to_video"):
        assert any("Postman" in s for s in modes[endpoint]["sources"])
    assert model_doc("kling-v2-1")["modes"]["text_to_video"] is None
    assert "Postman" in model_doc("kling-v2-1")["rules"]["text_to_video_modes"][0]


def test_every_rule_of_every_model_names_its_source() -> None:
    for model in catalog_document()["models"]:
        rules = model["rules"]
        assert set(rules) == {
            "text_to_video_modes",
            "image_to_video_modes",
            "durations",
            "audio",
            "negative_prompt",
            "cfg_scale",
            "frames",
            "multi_shot",
            "elements",
        }
        for rule, facts in rules.items():
            assert facts, (model["name"], rule)
            assert all(("Postman" in f or "guide" in f or "documentation page" in f or "inferred" in f) for f in facts)


# --- item 5: 4k on text-to-video is the guide's alone --------------------------------------------------------------


def test_4k_on_text_to_video_is_allowed_and_flagged_as_documented_by_the_guide_only() -> None:
    request, estimate = validate_text2video(prompt="a fox", model_name="kling-v3-0", mode="4k")
    assert request.mode == "4k"
    assert "guide" in estimate.note and "only" in estimate.note and "text-to-video" in estimate.note
    doc = model_doc("kling-v3-0")
    assert doc["modes"]["text_to_video"]["documented_by_guide_only"] == ["4k"]
    assert doc["modes"]["image_to_video"]["documented_by_guide_only"] == []
    assert any("4k" in n and "guide" in n for n in doc["notes"])
    # image-to-video 4k is in the Postman collection: no caveat there; nor on text-to-video pro
    assert validate_image2video(image=IMAGE, model_name="kling-v3-0", mode="4k")[1].note == ""
    assert validate_text2video(prompt="a fox", model_name="kling-v3-0", mode="pro")[1].note == ""


# --- item 6: negative_prompt, documented vs inferred ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["kling-v2-1", "kling-v2-1-master", "kling-v3-0-turbo"])
def test_negative_prompt_refusal_says_when_the_rule_is_inferred(name: str) -> None:
    err = refusal(validate_image2video, image=IMAGE, model_name=name, negative_prompt="blur")
    assert err.parameter == "negative_prompt"
    assert "inferred" in err.message and "1.x" in err.message and "kling-v1-6" in err.message
    assert model_doc(name)["parameters"]["negative_prompt_rule_inferred"] is True
    assert "inferred" in model_doc(name)["rules"]["negative_prompt"][0]


@pytest.mark.parametrize("name", ["kling-v2-5", "kling-v2-6", "kling-v3-0"])
def test_negative_prompt_refusal_quotes_the_guide_where_it_names_the_model(name: str) -> None:
    err = refusal(validate_text2video, prompt="a fox", model_name=name, negative_prompt="blur")
    assert "inferred" not in err.message and "2.5, 2.6, and 3.0 do not support negative_prompt" in err.message
    assert model_doc(name)["parameters"]["negative_prompt_rule_inferred"] is False


def test_negative_prompt_is_accepted_by_the_1x_models() -> None:
    for name in ("kling-v1-6", "kling-v1-5"):
        assert validate_text2video(prompt="a fox", model_name=name, negative_prompt="blur")[0].negative_prompt


# --- item 7: prompt length as the API counts it (UTF-16 code units) ------------------------------------------------


def test_prompt_of_2499_characters_and_an_emoji_is_refused_as_2501_utf16_units() -> None:
    prompt = "x" * 2499 + EMOJI
    assert len(prompt) == 2500  # code points: the old count let this through
    err = refusal(validate_text2video, prompt=prompt)
    assert err.parameter == "prompt"
    assert "2,501 UTF-16 units; an emoji counts 2" in err.message and "2500" in err.message
    err = refusal(validate_image2video, image=IMAGE, prompt=prompt)
    assert "2,501 UTF-16 units" in err.message


def test_prompt_of_exactly_2500_utf16_units_is_accepted() -> None:
    assert validate_text2video(prompt="x" * 2498 + EMOJI)[0].prompt.endswith(EMOJI)
    assert validate_text2video(prompt="é" * 2500)[0].prompt  # BMP characters count 1 each


def test_negative_prompt_length_is_counted_in_utf16_units_too() -> None:
    err = refusal(validate_text2video, prompt="a fox", negative_prompt="x" * 2499 + EMOJI)
    assert err.parameter == "negative_prompt" and "2,501 UTF-16 units" in err.message


def test_lone_surrogate_counts_one_unit_and_does_not_crash() -> None:
    assert validate_text2video(prompt="x" * 2499 + "\ud800")[0].prompt


# --- wording -------------------------------------------------------------------------------------------------------


def test_summaries_are_phrases_that_join_cleanly() -> None:
    for spec in MODELS.values():
        assert not spec.summary.endswith("."), spec.name
        assert ";" not in spec.summary, spec.name  # server.py joins summaries with "; "
    joined = "; ".join(f"{n}: {s.summary}" for n, s in MODELS.items())
    assert ".;" not in joined


def test_no_user_facing_catalog_text_says_seed() -> None:
    texts = [json.dumps(catalog_document(), ensure_ascii=False), markdown_table()]
    texts += [spec.summary for spec in MODELS.values()]
    refusals: list[tuple[Any, dict[str, Any]]] = [
        (validate_text2video, {"prompt": "a", "model_name": "kling-v3-0", "negative_prompt": "b"}),
        (validate_text2video, {"prompt": "a", "model_name": "kling-v2-1"}),
        (validate_text2video, {"prompt": "a", "model_name": "kling-v2-6", "cfg_scale": 0.5}),
        (validate_text2video, {"prompt": "a", "model_name": "kling-v2-5", "mode": "std"}),
        (validate_text2video, {"prompt": "a", "model_name": "kling-v3-0-turbo", "enable_audio": True}),
        (validate_text2video, {"prompt": "x" * 2600}),
        (validate_image2video, {"image": IMAGE, "model_name": "kling-v2-1", "negative_prompt": "b"}),
        (validate_image2video, {"image": IMAGE, "model_name": "kling-v3-0-turbo", "mode": "4k"}),
        (validate_image2video, {"image": None, "image_tail": IMAGE, "model_name": "kling-v2-5"}),
    ]
    texts += [refusal(call, **params).message for call, params in refusals]
    texts.append(validate_text2video(prompt="a", model_name="kling-v3-0", mode="4k")[1].note)
    for text in texts:
        assert "seed" not in text.lower(), text
