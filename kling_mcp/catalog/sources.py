"""The documents the catalog's rules rest on, and what each of them says (one ``Fact`` per statement).

Sources, newest first: useapi's Postman collection "Kling API v1" (updated 2026-07-20,
../shared/reference/useapi-kling-postman-fields.md); useapi.net's guide "Kling v3 via the Kling API" (2026-06-22, the
seed document, with its Node script); useapi's image2video-frames documentation page (2026-06-17, reference
useapi-kling-api.md §5.2); useapi's text2video documentation page (2025, reference §5.1), cited in comments only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A document a rule rests on. ``tag`` is the short mark used in the README table."""

    tag: str
    title: str
    date: str = ""

    def label(self) -> str:
        return f"{self.title} ({self.date})" if self.date else self.title


POSTMAN = Source("P", 'useapi\'s Postman collection "Kling API v1"', "updated 2026-07-20")
FRAMES_DOC = Source("F", "useapi's documentation page for POST /videos/image2video-frames", "2026-06-17")
GUIDE = Source("G", 'useapi.net\'s guide "Kling v3 via the Kling API"', "2026-06-22")
INFERRED = Source("I", "inferred (no source states this rule for this model)")
SOURCES: tuple[Source, ...] = (POSTMAN, GUIDE, FRAMES_DOC, INFERRED)  # newest first


@dataclass(frozen=True)
class Fact:
    """What one source says that a rule rests on."""

    source: Source
    says: str

    def cite(self) -> str:
        return f"{self.source.label()}: {self.says}"

    @property
    def inferred(self) -> bool:
        return self.source is INFERRED


def tags(facts: tuple[Fact, ...]) -> str:
    seen: list[str] = []
    for fact in facts:
        if fact.source.tag not in seen:
            seen.append(fact.source.tag)
    return "[" + ", ".join(seen) + "]"


# Postman text2video `mode`: "valid values: std(default),pro. Models 2.1-master and 2.5 only support pro."
T2V_MODES = Fact(POSTMAN, 'text2video mode: "std(default),pro. Models 2.1-master and 2.5 only support pro"')
# Postman image2video-frames `mode`: "std(default),pro,4k(v3.0 only). Model 2.1-master only supports pro.
# v3.0-turbo: std/pro only." It names only 2.1-master as pro-only: kling-v2-5 takes std here. (The guide's
# "pro 1080p only" for 2.5 is its text2video table, older than the collection.)
I2V_MODES = Fact(
    POSTMAN,
    'image2video-frames mode: "std(default),pro,4k(v3.0 only). Model 2.1-master only supports pro. '
    'v3.0-turbo: std/pro only"',
)
# Guide, model table (for POST /videos/text2video) "kling-v3-0 3–15s std 720p · pro 1080p · 4k 4K" and FAQ: pass
# kling-v3-0 "to POST /videos/text2video or POST /videos/image2video-frames. Kling v3 supports … std/pro/4k modes".
# The Postman text2video `mode` lists only std and pro (its enable_audio line, copied on both endpoints, does say
# "audio enabled (incl 4k)"). Not a contradiction, so 4k stays allowed, and is flagged as documented by the guide only.
GUIDE_V3_4K = Fact(
    GUIDE,
    'kling-v3-0 "std 720p · pro 1080p · 4k 4K" on POST /videos/text2video; the Postman collection\'s text2video '
    "mode lists only std and pro, so 4k on text-to-video is documented by this guide only",
)
T2V_TURBO = Fact(POSTMAN, 'text2video model_name: "v3.0-turbo: std/pro, audio always on"')
T2V_NOT_OFFERED = Fact(
    POSTMAN,
    "text2video model_name lists kling-v3-0, kling-v3-0-turbo, kling-v2-6, kling-v2-5, kling-v2-1-master, "
    "kling-v1-6 (default), kling-v1-5: not kling-v2-1",
)
DURATIONS_V3 = Fact(POSTMAN, 'duration: "5(default),10. Model v3: 3-15" (both endpoints)')
DURATIONS_5_10 = Fact(POSTMAN, 'duration: "5(default),10" (both endpoints)')
AUDIO_V3 = Fact(POSTMAN, 'enable_audio: "Model v3 defaults to audio enabled (incl 4k), set false to disable"')
AUDIO_TURBO = Fact(POSTMAN, 'enable_audio: "v3.0-turbo: audio always on, this parameter not supported"')
AUDIO_V2_6 = Fact(POSTMAN, 'enable_audio: "Model v2.6 with enable_audio:true requires mode:pro"')
AUDIO_SFX = Fact(POSTMAN, 'enable_audio: "add sound effects. Supported values: false(default) or true"')
# Guide: "The negative_prompt and cfg_scale parameters apply only to the 1.x models — 2.5, 2.6, and 3.0 do not
# support negative_prompt, and cfg_scale is a 1.x-only control." (The 2025 text2video page already excluded 2.5
# from negative_prompt and said of cfg_scale "Models 2.x do not support this parameter".)
ONE_X_PARAMS = Fact(GUIDE, '"The negative_prompt and cfg_scale parameters apply only to the 1.x models"')
NEGATIVE_NAMED = Fact(GUIDE, '"2.5, 2.6, and 3.0 do not support negative_prompt"')
NEGATIVE_INFERRED = Fact(
    INFERRED,
    'useapi.net\'s guide "Kling v3 via the Kling API" names 2.5, 2.6 and 3.0 as not supporting negative_prompt '
    'and says in general that it applies "only to the 1.x models"; this model is covered by that general sentence '
    "only, and useapi's Postman collection states no per-model rule",
)
CFG_ONE_X = Fact(GUIDE, '"cfg_scale is a 1.x-only control"')
START_FRAME = Fact(
    FRAMES_DOC, "2.x and v3 models require the start frame (image); 1.x models may use an end frame alone"
)
END_FRAME_ALLOWED = Fact(
    FRAMES_DOC, "image_tail is not supported by kling-v2-1-master (the only model the page excludes)"
)
END_FRAME_MASTER = Fact(FRAMES_DOC, "image_tail is not supported by kling-v2-1-master")
END_FRAME_TURBO = Fact(POSTMAN, 'image2video-frames model_name: "v3.0-turbo: start frame only"')
# The 2025 frames page also excluded 2.5 from image_tail; the June 2026 page excludes only 2.1-master, and the guide's
# own image-to-video example sends image_tail with kling-v2-5.
END_FRAME_V2_5 = Fact(GUIDE, "its image-to-video example sends image_tail with kling-v2-5")
AUDIO_START_ONLY = Fact(FRAMES_DOC, "2.6 Native Audio works with pro mode and the start frame only")
