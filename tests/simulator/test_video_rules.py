"""The simulator's reading of the video endpoints' rules on its own (``video_rules.py``, ``elements.py``), with an
account the test answers for: what the simulator cannot reach over HTTP (a motion video longer than any it
serves), the fields accepted and not honoured (convention 3), and that every rule names its source."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kling_mcp.simulator import elements, rules, video_rules
from kling_mcp.simulator.video_rules import ElementInfo, MediaInfo, SourceTask

IMG = "https://images.test/a.png"
CLIP = "https://videos.test/clip.mp4"


@dataclass
class Account:
    files: dict[str, MediaInfo] = field(default_factory=dict)
    tasks: dict[int, SourceTask] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # element id -> IMAGE | VIDEO

    def media(self, url: str) -> MediaInfo | None:
        return self.files.get(url)

    def task(self, task_id: int) -> SourceTask | None:
        return self.tasks.get(task_id)

    def element(self, element_id: str) -> ElementInfo | None:
        kind = self.kinds.get(element_id)
        return ElementInfo(element_id, kind) if kind else None


def refused(endpoint: str, body: dict[str, Any], account: Account) -> rules.Refused:
    with pytest.raises(rules.Refused) as caught:
        video_rules.check(endpoint, body, account)
    return caught.value


def test_a_motion_video_over_30_seconds_is_refused_and_30_is_the_longest() -> None:
    body = {"imageUrl": IMG, "motionUrl": CLIP}
    over = refused(video_rules.MOTION, body, Account(files={CLIP: MediaInfo("video", 31)}))
    assert over.rule == "motion.inputs" and "3 to 30 seconds" in over.message
    made = video_rules.check(video_rules.MOTION, body, Account(files={CLIP: MediaInfo("video", 30, "9:16", True)}))
    assert (made.duration, made.audio, made.credits) == (30, False, 180)  # keepAudio not asked: no sound


def test_fields_unsupported_by_a_model_are_accepted_and_not_honoured() -> None:
    """Convention 3 (rules.py): 'v3 only' and 'only applies with video_1' are not refusals."""
    account = Account(kinds={"u_1": "IMAGE"})
    v16 = video_rules.check(
        video_rules.MULTI_IMAGE, {"image_0": IMG, "prompt": "a", "element_1": "u_1", "negative_prompt": "blur"}, account
    )
    assert v16.ignored == {"element_1": "multi.elements.v3"} and v16.audio is False
    v3 = video_rules.check(
        video_rules.MULTI_IMAGE,
        {"image_0": IMG, "prompt": "a", "model_name": "kling-v3-0", "enable_audio": False, "aspect_ratio": "9:16"},
        account,
    )
    assert v3.audio is True and v3.ignored == {"enable_audio": "multi.audio", "aspect_ratio": "multi.aspect"}
    shots = {"shot_1_prompt": "a", "shot_1_duration": 2, "shot_2_prompt": "b", "shot_2_duration": 2}
    o1 = video_rules.check(video_rules.OMNI, {"prompt": "a fox", "omni_version": "o1", **shots}, account)
    assert o1.duration == 5 and set(o1.ignored.values()) == {"omni.shots.v3"}
    plain = video_rules.check(video_rules.OMNI, {"prompt": "a", "video_mode": "transform", "keep_audio": True}, account)
    assert plain.ignored == {"video_mode": "omni.keep_audio", "keep_audio": "omni.keep_audio"}
    spin = video_rules.check(video_rules.EFFECTS, {"effect": "spinoff", "image": IMG, "prompt": "spin"}, account)
    assert (spin.mode, spin.ignored) == ("pro", {"prompt": "effects.prompt"})  # spinoff: pro only, no prompt
    motion = video_rules.check(
        video_rules.MOTION,
        {"imageUrl": IMG, "motionUrl": CLIP, "model_name": "kling-v2-6", "element_1": "u_1"},
        account,
    )
    assert motion.ignored == {"element_1": "motion.element.v3"}


def test_extend_prices_five_seconds_at_the_source_rate() -> None:
    source = SourceTask(7, "succeed", 6.0, 12.0, "9:16", True, "kling-v3-0", "pro")
    made = video_rules.check(video_rules.EXTEND, {"task_id": "7"}, Account(tasks={7: source}))
    assert (made.duration, made.credits, made.audio, made.aspect_ratio, made.model_name) == (
        11,
        60,
        True,
        "9:16",
        "kling-v3-0",
    )


def test_element_voice_only_for_the_character_tag_and_views_only_for_images() -> None:
    account = Account(files={CLIP: MediaInfo("video", 5, "16:9", True)})
    animal = elements.check({"name": "Cat", "coverImage": IMG, "tag": "animal", "voice": "1001"}, account)
    assert animal.voice is None and animal.ignored == {"voice": "element.voice"}
    clip = elements.check(
        {"name": "Clip", "coverImage": CLIP, "type": "VIDEO", "extraImage1": IMG, "voice": "Calm narrator"}, account
    )
    assert clip.extras == () and clip.ignored == {"extraImage1": "element.image-only"} and clip.voice is not None


SIMULATOR = Path(video_rules.__file__).parent


def test_every_rule_named_in_the_code_is_listed_with_its_source() -> None:
    """Every dotted name in the rule modules is a rule of RULES: a misspelt rule name would leave a refusal (or a
    field not honoured) without its source."""
    every = {**video_rules.ALL_RULES, **elements.RULES}
    named: set[str] = set()
    for module in ("rules.py", "video_rules.py", "omni_rules.py", "elements.py"):
        code = (SIMULATOR / module).read_text(encoding="utf-8")
        named |= set(re.findall(r'"([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+)"', code))
    assert named - set(every) == set()
    for name, rule in every.items():
        assert rule.source in rules.SOURCES and rule.quote, name
        assert rule.choice or rule.source != "INF", name
