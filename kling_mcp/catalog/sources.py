"""The documents the catalog's rules rest on, and what each of them says (one ``Fact`` per statement).

Sources, newest first: useapi's Postman collection "Kling API v1" (updated 2026-07-20,
../shared/reference/useapi-kling-postman-fields.md); useapi.net's guide "Kling v3 via the Kling API" (2026-06-22, the
seed document, with its Node script); useapi's image2video-frames documentation page (2026-06-17, reference
useapi-kling-api.md §5.2); useapi's own example scripts on GitHub (June 2026 and later, reference §5.4: omni);
useapi's omni page (2025-12-11, updated 2026-01-12) and GET /videos/effects page (2025-04-18, updated 2025-07-25),
stored copies read for the rules the newer documents leave out; useapi's text2video documentation page (2025,
reference §5.1), cited in comments only. A rule no source states is
``inferred``: ``INFERRED`` for a model's rule (the README table's mark), ``INFERRED_RULE`` for an endpoint's.
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
# Reference §0 [GH]: useapi's first-party example code on GitHub (useapi/kling-api, useapi/sora-2-alternatives),
# "dated June 2026 ff."; cited by reference §5.4 for omni. It disagrees with no other source.
SCRIPTS = Source("S", "useapi's own example scripts for the Kling API (GitHub useapi/kling-api)", "June 2026 and later")
# useapi's own endpoint pages (stored copies): older than the Postman collection, whose silence does not override them.
OMNI_DOC = Source("O", "useapi's documentation page for POST /videos/omni", "2025-12-11, updated 2026-01-12")
EFFECTS_DOC = Source("E", "useapi's documentation page for GET /videos/effects", "2025-04-18, updated 2025-07-25")
INFERRED = Source("I", "inferred (no source states this rule for this model)")
# The same mark for a rule of an endpoint rather than of a model (omni, elements, extend, ...).
INFERRED_RULE = Source("I", "inferred (no source states this rule)")
TABLE_SOURCES: tuple[Source, ...] = (POSTMAN, GUIDE, FRAMES_DOC, INFERRED)  # what the README's model table cites
SOURCES: tuple[Source, ...] = (
    POSTMAN,
    GUIDE,
    FRAMES_DOC,
    SCRIPTS,
    OMNI_DOC,
    EFFECTS_DOC,
    INFERRED_RULE,
)  # newest first; kling://models


@dataclass(frozen=True)
class Fact:
    """What one source says that a rule rests on."""

    source: Source
    says: str

    def cite(self) -> str:
        return f"{self.source.label()}: {self.says}"

    def short(self) -> str:
        """The fact with its source's tag (kling://models keys the tags in ``sources``)."""
        return f"[{self.source.tag}] {self.says}"

    @property
    def inferred(self) -> bool:
        return self.source.tag == INFERRED.tag


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

T2V_PROMPT = Fact(POSTMAN, 'text2video prompt: "Required (unless using multi-shot), max length 2500 characters"')
FRAMES_PROMPT = Fact(POSTMAN, 'image2video-frames prompt: "Optional, max length 2500 characters"')

# --- multi-shot (text2video, image2video-frames, omni) ----------------------------------------------------------------

SHOTS_V3 = Fact(
    POSTMAN,
    'shot_1_prompt: "multi-shot (v3 only). Per-shot prompt, max 2500 chars. Min 2 shots required" (text2video, '
    "image2video-frames, omni)",
)
SHOTS_SIX = Fact(POSTMAN, "the shot fields run from shot_1_prompt / shot_1_duration to shot_6_prompt / shot_6_duration")
SHOTS_TOTAL = Fact(POSTMAN, 'shot_1_duration: "per-shot duration in seconds. Total must be 3-15"')
SHOTS_WHOLE = Fact(
    INFERRED_RULE,
    "each shot lasts a whole number of seconds, at least 1: useapi's Postman collection gives shot durations \"in "
    'seconds" and every Kling duration is whole seconds',
)
SHOTS_TURBO = Fact(
    POSTMAN,
    'model_name: "v3.0-turbo: std/pro, audio always on, no multi-shot" (text2video) and "v3.0-turbo: start frame '
    'only, std/pro, audio always on, no elements/multi-shot" (image2video-frames)',
)
SHOTS_NO_DURATION = Fact(POSTMAN, 'duration: "Cannot be used with multi-shot" (text2video and omni)')
SHOTS_NO_DURATION_FRAMES = Fact(
    INFERRED_RULE,
    'useapi\'s Postman collection says duration "Cannot be used with multi-shot" on text2video and omni; its '
    "image2video-frames entry, which takes the same shot fields, does not repeat it",
)
SHOTS_NO_PROMPT = Fact(
    INFERRED_RULE,
    'useapi\'s Postman collection: prompt "Required (unless using multi-shot)"; each shot carries its own prompt, so '
    "a prompt beside shots is refused rather than sent to be ignored",
)

# --- elements (saved characters and objects) --------------------------------------------------------------------------

ELEMENTS_FRAMES = Fact(
    POSTMAN,
    'image2video-frames element_1: "saved element ID (e.g. u_309377170505500) to guide generation alongside the '
    'frames. Up to 3 (element_1..element_3). Model v3.0 only"',
)
ELEMENTS_TURBO = Fact(
    POSTMAN, 'image2video-frames model_name: "v3.0-turbo: start frame only, std/pro, audio always on, no elements"'
)
ELEMENT_ID = Fact(
    INFERRED_RULE,
    'an element id is letters, digits, _ and -: useapi\'s Postman collection shows ids like "u_309377170505500"',
)

# --- POST /videos/omni ------------------------------------------------------------------------------------------------

OMNI_PROMPT = Fact(
    POSTMAN,
    'omni prompt: "Required (unless using multi-shot), text description. Use @image_1, @element_1, @video_1 to '
    'reference inputs"',
)
PROMPT_LENGTH_INFERRED = Fact(
    INFERRED_RULE,
    "useapi's Postman collection gives no maximum for this endpoint's prompt; 2500 UTF-16 units, the maximum of the "
    "collection's other prompts (and of omni's shot prompts), is applied",
)
# The page and the script speak of the single prompt only; shot prompts keep the Postman collection's 2500.
OMNI_PROMPT_LENGTH = Fact(OMNI_DOC, 'prompt: "Maximum length: 1700 characters"')
OMNI_PROMPT_SCRIPT = Fact(
    SCRIPTS, "useapi's omni script (June 2026) stops before sending a prompt longer than 1700 characters (text.length)"
)
OMNI_VERSION = Fact(POSTMAN, 'omni_version: "Supported values: v3(default), o1"')
OMNI_DURATION = Fact(
    POSTMAN,
    'omni duration: "default 5. O1: 3-10 (VIP for 7-10). v3: 3-15 (VIP for 7+). Cannot be used with multi-shot"',
)
OMNI_MODE = Fact(POSTMAN, 'omni mode: "std(default) or pro"')
OMNI_ASPECT = Fact(POSTMAN, 'omni aspect_ratio: "16:9(default), 9:16, 1:1. Frames workflow: auto only"')
OMNI_AUDIO = Fact(
    POSTMAN,
    'omni enable_audio: "true(default) or false. Applies to omni_version v3 without video_1 … Not valid with video_1 '
    'or omni_version o1"',
)
OMNI_IMAGES = Fact(
    SCRIPTS,
    "useapi's omni scripts send up to 7 reference images (image_1 … image_7); useapi's Postman collection lists "
    "image_1 and element_1 only, as the pattern, and gives no count",
)
OMNI_VIDEO_REFERENCES = Fact(OMNI_DOC, '"up to 7 reference images (or 1 video + 4 images)" (2025-12-11 version)')
OMNI_REFERENCES = Fact(
    INFERRED_RULE,
    "no source gives a count for omni's elements: images and elements together are held to the 7 reference images "
    "useapi's scripts send",
)
OMNI_FRAMES = Fact(
    POSTMAN, 'frame_start: "URL of start frame (enables frames workflow)"; frame_end: "URL of end frame"'
)
OMNI_FRAME_END_ALONE = Fact(
    INFERRED_RULE, "frame_end is refused without frame_start: frame_start is what enables the frames workflow"
)
OMNI_FRAMES_AND_VIDEO = Fact(
    INFERRED_RULE,
    "frame_start and video_1 each enable their own workflow and no source says they combine, so they are refused "
    "together",
)
OMNI_VIDEO = Fact(
    POSTMAN, 'video_1: "URL of reference video (enables video workflow)"; video_mode: "reference(default) or transform"'
)
OMNI_VIDEO_MODE_ALONE = Fact(INFERRED_RULE, "video_mode says what to do with video_1, so it is refused without a video")
OMNI_KEEP_AUDIO = Fact(POSTMAN, 'keep_audio: "false(default) or true. Only applies with video_1"')
OMNI_VIDEO_ASPECT = Fact(
    OMNI_DOC, 'aspect_ratio: "When video_1 is provided, aspect_ratio is automatically set to auto" (2025-12-11 version)'
)
# Kling's own omni API reference (as resellers republish it, e.g. Comfy's "kling-v3-omni" page) says of a video being
# edited (its refer_type base): the output lasts as long as the input video and the duration parameter has no effect.
OMNI_TRANSFORM_LENGTH = Fact(
    INFERRED_RULE,
    "no useapi source says how long an edited (video_mode transform) clip is: it is taken to last as long as its "
    "video, as Kling's own API reference says of its video editing (where duration then has no effect); so a "
    "duration is refused with transform, the video must last what the version makes (v3 3–15 s, o1 3–10 s), and "
    "the clip is priced by the video's length",
)

# --- POST /videos/image2video-elements (multi-image) ------------------------------------------------------------------

MULTI_IMAGES = Fact(POSTMAN, 'image2video-elements: image_0 "Required image URL"; image_1, image_2, image_3 optional')
MULTI_PROMPT = Fact(POSTMAN, 'image2video-elements prompt: "Required, max length 2500 characters"')
MULTI_MODELS = Fact(POSTMAN, 'image2video-elements model_name: "kling-v3-0,kling-v1-6(default)"')
MULTI_ELEMENTS = Fact(POSTMAN, 'image2video-elements element_1 … element_3: "ID of saved element. Model v3 only"')
MULTI_ASPECT = Fact(
    POSTMAN,
    'image2video-elements aspect_ratio: "16:9(default),9:16,1:1. Model v3 does not support this (derived from input '
    'image)"',
)
MULTI_DURATION = Fact(POSTMAN, 'image2video-elements duration: "5(default),10. Model v3: 3-15"')
MULTI_MODE = Fact(POSTMAN, 'image2video-elements mode: "std(default),pro"')
# Unlike turbo's "this parameter not supported", the collection does not say v3 refuses enable_audio here: true is
# sent as asked (it changes nothing), false is refused (it cannot be honoured and the clip is billed with audio).
MULTI_AUDIO = Fact(
    POSTMAN,
    'image2video-elements enable_audio: "add sound effects. Supported values: false (default) or true. Model v3 '
    'always has audio enabled"',
)

# --- POST /videos/extend ----------------------------------------------------------------------------------------------

EXTEND_TASK = Fact(POSTMAN, 'extend task_id: "Required task id, use GET /tasks to retrieve tasks"')
EXTEND_TEXTS = Fact(POSTMAN, 'extend prompt and negative_prompt: "max length 2500 characters"')
EXTEND_CFG = Fact(POSTMAN, 'extend cfg_scale: "valid range: 0...1, default 0.5"')
EXTEND_AUDIO = Fact(POSTMAN, 'extend enable_audio: "add sound effects. Supported values: false (default) or true"')
EXTEND_LENGTH = Fact(
    INFERRED_RULE,
    "no source gives the length or the price of an extension: it is taken to add about 5 s and priced as 5 s of "
    "the source task's model",
)

# --- POST /videos/motion-create ---------------------------------------------------------------------------------------

MOTION_INPUTS = Fact(
    POSTMAN,
    'motion-create imageUrl: "Required, URL to the image containing the person"; motionUrl: "Required, URL to the '
    'motion reference video"',
)
MOTION_MODELS = Fact(POSTMAN, 'motion-create model_name: "kling-v3-0 (default) or kling-v2-6"')
# Newer than reference §7.1's POST /assets video limit ("≤10 s", 2025 pages): a motion reference may run to 30 s.
MOTION_LENGTH = Fact(POSTMAN, 'motion-create motionUrl: "URL to the motion reference video (3-30 seconds)"')
MOTION_DIRECTION = Fact(POSTMAN, 'motion-create motionDirection: "motion_direction or image_direction"')
MOTION_MODE = Fact(POSTMAN, 'motion-create mode: "Optional, std or pro" (no default given)')
MOTION_ELEMENT = Fact(POSTMAN, 'motion-create element_1: "element ID for character consistency (v3.0 only)"')
MOTION_KEEP_AUDIO = Fact(POSTMAN, 'motion-create keepAudio: "boolean. Preserve original audio from motion video"')
MOTION_PROMPT = Fact(POSTMAN, 'motion-create prompt: "text description to guide generation" (no maximum given)')
MOTION_CLIP_LENGTH = Fact(
    INFERRED_RULE, "the clip is taken to last as long as the motion video (no source says), and priced per second of it"
)

# --- POST /videos/image2video-effects ---------------------------------------------------------------------------------

EFFECT_NAME = Fact(
    POSTMAN, "image2video-effects effect: a required effect name, one of those GET /videos/effects lists"
)
EFFECT_IMAGE = Fact(POSTMAN, "image2video-effects image: a required image URL")
EFFECT_MODE = Fact(POSTMAN, 'image2video-effects mode: "supported values: std, pro" (no default given)')
EFFECT_PROMPT = Fact(POSTMAN, 'image2video-effects prompt: "Optional, max length 2500 characters"')
EFFECT_MODES_LISTED = Fact(
    EFFECTS_DOC, 'each effect lists its "supportedModelMode" (e.g. "rocket": ["std", "pro"]; "spinoff": ["pro"])'
)
EFFECT_PROMPT_LISTED = Fact(EFFECTS_DOC, 'each effect says whether it takes a prompt: "promptSupported": true or false')
EFFECT_PRICE = Fact(
    INFERRED_RULE, "no source prices an effect or its length: it is priced as a 5 s kling-v1-6 clip of the mode sent"
)

# --- defaults no source gives -----------------------------------------------------------------------------------------

STD_DEFAULT = Fact(
    INFERRED_RULE,
    "no default mode is documented for this endpoint: std, the default of every Kling endpoint that documents one, "
    "is sent so that the clip made is the clip priced",
)

# --- POST /elements ---------------------------------------------------------------------------------------------------

ELEMENT_NAME = Fact(
    POSTMAN,
    'elements name: "Required, base name for the element. Max 15 chars. A 5-char random suffix is auto-appended"',
)
ELEMENT_COVER = Fact(POSTMAN, 'elements coverImage: "Required, URL of the primary image (or video for VIDEO type)"')
ELEMENT_TYPE = Fact(POSTMAN, 'elements type: "Supported values: IMAGE(default), VIDEO"')
ELEMENT_VOICE = Fact(POSTMAN, 'elements voice: "voice for VIDEO elements with character tag"')
ELEMENT_DESCRIPTION = Fact(POSTMAN, 'elements description: "Max 100 chars"')
ELEMENT_EXTRA = Fact(
    POSTMAN,
    'elements extraImage1 … extraImage3: "Cannot use with generateViews"; generateViews: "generate 3 multi-angle '
    'variations … Cannot use with extraImage1/2/3"',
)
ELEMENT_TAG = Fact(POSTMAN, 'elements tag: "category tag. Use GET /elements/tags for available tags"')

# --- credits no source publishes --------------------------------------------------------------------------------------

RATE_NEAREST_V3 = Fact(
    INFERRED_RULE,
    "useapi publishes no rate for this endpoint: it is priced at kling-v3-0's per-second rate, the nearest one",
)
RATE_NEAREST_ENDPOINT = Fact(
    INFERRED_RULE,
    "useapi publishes no rate for this endpoint: it is priced at the chosen model's text/image-to-video rate",
)
