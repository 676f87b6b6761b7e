"""The simulator's own reading of the create rules, where the client's catalog has nothing to compare with
(multi-shot, elements, fields accepted but not honoured, form-data text) or where the answer's shape matters."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kling_mcp.simulator import SimulatorConfig, SimulatorState, create_app, rules

T2V, FRAMES = rules.TEXT2VIDEO, rules.FRAMES
START, END = "https://images.test/start.png", "https://images.test/end.png"


def refused(endpoint: str, body: dict[str, Any]) -> rules.Refused:
    with pytest.raises(rules.Refused) as caught:
        rules.check(endpoint, body)
    return caught.value


def test_multi_shot_on_v3_replaces_prompt_and_duration() -> None:
    shots = {"shot_1_prompt": "a fox wakes", "shot_1_duration": "4", "shot_2_prompt": "it runs", "shot_2_duration": 6}
    accepted = rules.check(T2V, {"model_name": "kling-v3-0", **shots})  # no prompt needed (PM: "unless multi-shot")
    assert (accepted.duration, accepted.audio, accepted.credits) == (10, True, 10 * 9)  # std with audio
    assert refused(T2V, {"model_name": "kling-v3-0", **shots, "duration": 10}).rule == "shots.duration"
    one = {"model_name": "kling-v3-0", "shot_1_prompt": "a fox", "shot_1_duration": 5}
    assert refused(T2V, one).rule == "shots.min"
    long = {**shots, "shot_2_duration": 12}
    assert refused(T2V, {"model_name": "kling-v3-0", **long}).rule == "shots.total"
    assert refused(T2V, {"model_name": "kling-v3-0", **shots, "shot_3_prompt": "alone"}).rule == "shots.pair"


def test_fields_unsupported_by_a_model_are_accepted_and_not_honoured() -> None:
    """Convention 3: the docs say 'not supported' without saying the API refuses."""
    turbo = rules.check(
        FRAMES, {"model_name": "kling-v3-0-turbo", "image": START, "image_tail": END, "enable_audio": False}
    )
    assert turbo.audio is True and turbo.ignored == {"image_tail": "frames.tail.turbo", "enable_audio": "audio.turbo"}
    shots = {"shot_1_prompt": "a", "shot_1_duration": 5, "shot_2_prompt": "b", "shot_2_duration": 5}
    v26 = rules.check(T2V, {"prompt": "a fox", "model_name": "kling-v2-6", "negative_prompt": "blur", **shots})
    assert v26.duration == 5 and set(v26.ignored) == {"negative_prompt", *shots}
    elements = rules.check(FRAMES, {"image": START, "model_name": "kling-v2-1", "element_1": "u_1"})
    assert elements.ignored == {"element_1": "elements.v3"}
    assert rules.check(FRAMES, {"image": START, "model_name": "kling-v3-0", "element_1": "u_1"}).ignored == {}


@pytest.mark.parametrize(
    ("endpoint", "body", "rule", "words"),
    [
        (T2V, {"prompt": "a fox", "model_name": "kling-v2-1"}, "model.text2video", "kling-v3-0, kling-v3-0-turbo"),
        (T2V, {"prompt": "a fox", "mode": "4k"}, "mode.text2video", "Valid values: std, pro"),
        (T2V, {"prompt": "a fox", "model_name": "kling-v3-0", "duration": 16}, "duration.v3", "3 to 15"),
        (T2V, {"prompt": "a fox", "aspect_ratio": "4:3"}, "aspect_ratio.text2video", "16:9, 9:16, 1:1"),
        (T2V, {"prompt": "a fox", "model_name": "kling-v2-6", "enable_audio": "true"}, "audio.v2-6.pro", "mode pro"),
        (T2V, {"prompt": "😀" * 1251}, "text.length", "2502 characters, max 2500"),
        (T2V, {"prompt": "a fox", "negativePrompt": "blur"}, "fields.unknown", "negative_prompt"),
        (
            FRAMES,
            {"image": START, "model_name": "kling-v3-0", "aspect_ratio": "9:16"},
            "aspect_ratio.frames",
            "start frame",
        ),
        (FRAMES, {"prompt": "a fox"}, "frames.one", "image_tail"),
    ],
)
def test_refusals_name_the_rule_and_the_allowed_values(
    endpoint: str, body: dict[str, Any], rule: str, words: str
) -> None:
    problem = refused(endpoint, body)
    assert problem.rule == rule and words in problem.message


def test_form_text_and_json_numbers_read_alike() -> None:
    form = rules.check(
        T2V, {"prompt": "a", "model_name": "kling-v1-6", "duration": "10", "cfg_scale": "0.3", "enable_audio": "false"}
    )
    json = rules.check(
        T2V, {"prompt": "a", "model_name": "kling-v1-6", "duration": 10, "cfg_scale": 0.3, "enable_audio": False}
    )
    assert form.body == json.body and form.duration == 10
    assert rules.utf16_length("\ud800") == 1  # a lone surrogate (legal in JSON text) is counted, not a crash


def test_credits_follow_the_published_table() -> None:
    """Reference §9 (Setup Kling credit table) and useapi's v3 sample (72 credits for 6 s pro with audio)."""
    assert rules.credits("kling-v2-6", "pro", 10, True) == 70
    assert rules.credits("kling-v2-6", "pro", 5, False) == 25
    assert rules.credits("kling-v2-1-master", "pro", 5, False) == 100
    assert rules.credits("kling-v1-6", "std", 10, True) == 40  # sound effects: no surcharge (inferred)
    assert rules.credits("kling-v3-0", "pro", 6, True) == 72


@pytest.mark.anyio
async def test_a_refusal_is_a_400_with_error_and_code() -> None:
    config = SimulatorConfig()
    state = SimulatorState(config)
    transport = httpx.ASGITransport(app=create_app(config, state))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://sim.test/v1/kling") as http:
            headers = {"Authorization": "Bearer user:1-sim"}
            response = await http.post("/videos/text2video", json={"prompt": "a fox", "mode": "turbo"}, headers=headers)
            assert response.status_code == 400
            assert response.json() == {
                "error": "Parameter mode 'turbo' is not supported by kling-v1-6 on /videos/text2video. "
                "Valid values: std, pro",
                "code": 400,
            }
            shots = {"shot_1_prompt": "a", "shot_1_duration": 3, "shot_2_prompt": "b", "shot_2_duration": 4}
            created = await http.post("/videos/text2video", json={"model_name": "kling-v3-0", **shots}, headers=headers)
            assert created.status_code == 200, created.text
            task = state.task(created.json()["task"]["id"])
            assert task is not None and (task.duration, task.audio) == (7, True)
    finally:
        state.close()
