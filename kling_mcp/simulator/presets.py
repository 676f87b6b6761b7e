"""Kling's built-in lists, the same for every simulated account: video effects (GET /videos/effects), official
motions (GET /videos/motions), element tags (GET /elements/tags) and element voices (GET /elements/voices).

The shapes follow useapi's pages (each list's comment names its source); the entries themselves are the
simulator's own, few and small [INF]. The preview media of effects and motions are served by the simulator
(``/cdn/presets/...``), so a motion's length is known to the rules like that of any file the simulator serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Effect:
    """One effect of GET /videos/effects (DOC-EFFECTS: ``name``, ``caption``, ``supportedModelMode``,
    ``promptSupported``; ``compositedSchema.process.taskType`` is ``m2v_img2video_se_hq``, ``taskVersion`` 1.6)."""

    name: str
    caption: str
    modes: tuple[str, ...]
    prompt: bool
    hot: bool = False

    def listing(self, base: str) -> dict[str, Any]:
        preview = f"{base}/cdn/presets/effect_{self.name}"
        image = {"inputType": "URL", "contentType": "IMAGE", "optional": False, "contentName": "image"}
        return {
            "name": self.name,
            "caption": self.caption,
            "hot": self.hot,
            "minimalKrnVersion": 400,
            "supportedModelMode": list(self.modes),
            "compositedSchema": {
                "preprocess": {"taskType": "", "taskVersion": "", "defaultPrompt": "", "requireInputs": [image]},
                "process": {
                    "taskType": EFFECT_TASK_TYPE,
                    "taskVersion": "1.6",
                    "defaultPrompt": "",
                    "requireInputs": [image],
                },
            },
            "videoUrl": f"{preview}.mp4",
            "coverUrl": f"{preview}.png",
            "webVideoUrl": f"{preview}.mp4",
            "effectSupported": True,
            "promptSupported": self.prompt,
        }


EFFECT_TASK_TYPE = "m2v_img2video_se_hq"  # DOC-EFFECTS: compositedSchema.process.taskType
EFFECT_SECONDS = 5  # every effect clip lasts 5 s [INF: effects are 1.6-era templates, whose default is 5 s]
# DOC-EFFECTS shows "rocket" (std, pro) and "spinoff" (pro only); the other two are the simulator's own.
EFFECTS: dict[str, Effect] = {
    e.name: e
    for e in (
        Effect("rocket", "Rocket", ("std", "pro"), prompt=True, hot=True),
        Effect("spinoff", "Dizzy", ("pro",), prompt=False),
        Effect("bloombloom", "Bloom Bloom", ("std", "pro"), prompt=True),
        Effect("squish", "Squish", ("std", "pro"), prompt=False),
    )
}


@dataclass(frozen=True)
class Motion:
    """One official motion of GET /videos/motions (DOC-MOTIONS, Jan 6 2026: ``assetId``, ``assetType`` MOTION,
    ``url`` to use as motionUrl, ``coverUrl``, ``duration`` in ms, ``width``, ``height``, ``hasAudio``,
    ``createTime``). ``name`` is the simulator's addition, so that a person can tell them apart."""

    asset_id: str
    name: str
    seconds: float
    aspect_ratio: str
    audio: bool


# DOC-MOTIONS' sample motion lasts 5760 ms; the others span the 3–30 s a motion may last (PM motion-create).
OFFICIAL_MOTIONS: dict[str, Motion] = {
    m.asset_id: m
    for m in (
        Motion("motion_walk", "Walking", 5.75, "9:16", audio=False),
        Motion("motion_dance", "Dance", 8, "9:16", audio=True),
        Motion("motion_wave", "Wave", 4, "1:1", audio=False),
        Motion("motion_run", "Long run", 24, "16:9", audio=False),
    )
}

# GET /elements/tags: DOC-ELEMENTS shows a tag as {"id": "1", "tagKey": "character", "tagDesc": "Character"} and
# POST /elements takes "either id or tagKey"; the rest of the list is the simulator's own [INF].
TAGS: tuple[dict[str, str], ...] = tuple(
    {"id": str(number), "tagKey": key, "tagDesc": key.capitalize()}
    for number, key in enumerate(("character", "animal", "prop", "costume", "scene", "effect", "other"), start=1)
)
CHARACTER_TAG = "1"

# GET /elements/voices: DOC-ELEMENTS shows an element's voice as {id: number, name, official, resource}; the
# entries are the simulator's own [INF].
VOICES: tuple[dict[str, Any], ...] = (
    {"id": 1001, "name": "Calm narrator", "official": True},
    {"id": 1002, "name": "Bright voice", "official": True},
    {"id": 1003, "name": "Deep voice", "official": True},
)


def tag(value: str) -> dict[str, str] | None:
    """The tag named by its id or its tagKey (DOC-ELEMENTS: "Accepts either id or tagKey")."""
    return next((t for t in TAGS if value in (t["id"], t["tagKey"])), None)


def voice(value: str) -> dict[str, Any] | None:
    """The official voice named by its id or its name (PM: "official voice name/ID")."""
    return next((v for v in VOICES if value in (str(v["id"]), v["name"])), None)
