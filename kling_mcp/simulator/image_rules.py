"""The simulator's own reading of the rules of the image endpoints: POST /images/omni, /images/kolors,
/images/kolors-elements, /images/upscale, /images/enhance, /images/virtual-try-on and /images/recognize-faces.

Written from the reference documents alone (``rules.SOURCES``), independently of the client's catalog, with the
conventions of ``rules.py`` and the ``Made`` of ``sound_rules.py``. Every rule is in ``RULES`` with its source. An
image task makes ``imageCount`` works, each a PNG of the size the rules work out (``media.image_dimensions``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from kling_mcp.simulator import media
from kling_mcp.simulator.rules import ROUTING_FIELDS, Refused, Rule, boolean, check_length, text, whole
from kling_mcp.simulator.sound_rules import Account, Made, count, fields, media_of
from kling_mcp.simulator.video_rules import MediaInfo, check_elements, choice

OMNI_IMAGE = "images-omni"
KOLORS = "kolors"
KOLORS_ELEMENTS = "kolors-elements"
UPSCALE = "upscale"
ENHANCE = "enhance"
TRY_ON = "virtual-try-on"
FACES = "recognize-faces"
ENDPOINTS = (OMNI_IMAGE, KOLORS, KOLORS_ELEMENTS, UPSCALE, ENHANCE, TRY_ON)  # the task-creating ones

RULES: dict[str, Rule] = {
    # --- fields ---------------------------------------------------------------------------------------------------
    "fields.images-omni": Rule(
        "PM",
        "POST /images/omni: email, prompt, omni_version, resolution, aspect_ratio, imageCount, story_mode, image_1, "
        "element_1",
        "image_1 … image_10 and element_1 … element_10 (DOC-IMAGES-OMNI: 'image_1 through image_10', 'element_1 "
        "through element_10') and maxJobs, replyUrl, replyRef (DOC-IMAGES-OMNI's scheduler parameters) are "
        "accepted too; the page's 'unlimited' is not in the newer Postman collection and is refused as unknown",
    ),
    "fields.kolors": Rule(
        "PM",
        "POST /images/kolors: email, prompt, version, reference, imageReference, aspect_ratio, imageCount, "
        "faceStrength, subjectStrength, faceNo, replyUrl, replyRef, maxJobs",
        "image_1 … image_10 and resolution are accepted too (DOC-KOLORS, February 2026: 'Reference images "
        "(image_1-image_10)', 'resolution 1k, 2k'; the Postman collection's KOLORS entry still has the 2025 text)",
    ),
    "fields.kolors-elements": Rule(
        "PM",
        "POST /images/kolors-elements: email, prompt, aspect_ratio, imageCount, subjectImage1 … subjectImage4, "
        "sceneImage, styleImage, replyUrl, replyRef, maxJobs",
    ),
    "fields.upscale": Rule("PM", "POST /images/upscale: email, task_id, workId, maxJobs, replyUrl, replyRef"),
    "fields.enhance": Rule(
        "DOC-ENHANCE", "POST /images/enhance: email, image, resolution, maxJobs (and replyUrl, replyRef [INF])"
    ),
    "fields.virtual-try-on": Rule(
        "PM",
        "POST /images/virtual-try-on: email, humanImage, upperInput, dressInput, lowerInput, imageCount, maxJobs, "
        "replyRef, replyUrl",
    ),
    "fields.recognize-faces": Rule("PM", "POST /images/recognize-faces: email, imageReference"),
    "images.inputs": Rule(
        "INF",
        "(every image field is documented as an image URL)",
        "a URL the simulator knows must be an image; one it does not know is taken to be a 1024 x 1024 image",
    ),
    "images.count": Rule(
        "PM",
        "imageCount -- Optional, 1-9 (omni; kolors and kolors-elements: 'Range: 1 to 9. Default: 1'; "
        "virtual-try-on: 'valid range 1(default)...4')",
        "a whole number, as a JSON number or its text; each image is its own work of the task",
    ),
    "images.size": Rule(
        "INF",
        "(the pages give resolutions 1k / 2k / 4k and ratios, not pixel sizes)",
        "an image's long side is 1024, 2048 or 4096 pixels at 1k, 2k, 4k (1k where no resolution is taken)",
    ),
    # --- omni -------------------------------------------------------------------------------------------------------
    "images-omni.version": Rule(
        "PM", "omni_version -- Optional, Omni model version. Supported values: v3(default), o1."
    ),
    "images-omni.prompt": Rule(
        "PM",
        "prompt -- Required, text description. Use @image_1, @element_1 to reference inputs. (DOC-IMAGES-OMNI: "
        "'Maximum length: 1700 characters')",
        "counted in UTF-16 code units (text.length)",
    ),
    "images-omni.resolution": Rule("PM", "resolution -- Optional, 1k(default), 2k, 4k (v3 only, VIP required)."),
    "images-omni.aspect": Rule(
        "PM",
        "aspect_ratio -- Optional, auto(v3 default), 16:9(O1 default), 9:16, 1:1, 4:3, 3:4, 3:2, 2:3, 21:9. auto is "
        "v3 only.",
        "auto takes the first reference image's ratio, else 1:1 [INF: 'intelligently chosen from input content']",
    ),
    "images-omni.story": Rule(
        "PM",
        "story_mode -- Optional, v3 only. Enables Series Mode for coherent multi-image generation. Requires at least "
        "one reference image or element. Default: false.",
        "accepted and not honoured with o1 (convention 3)",
    ),
    "images-omni.references": Rule(
        "DOC-IMAGES-OMNI",
        "Use @image_1, @image_2, etc. to reference images in your prompt. Use @element_1, @element_2, etc. (or "
        "@object_1, etc.) to reference saved elements. Up to 10 reference images and/or saved elements.",
        "a reference to an input not given is refused (as omni.references); at most 10 images and elements together",
    ),
    # --- kolors -----------------------------------------------------------------------------------------------------
    "kolors.prompt": Rule(
        "PM", "prompt -- Required, the text description of the image to generate. Maximum length: 2500 characters."
    ),
    "kolors.version": Rule(
        "PM",
        "version -- Optional, model version. Supported values: kling-v3-0(default), kling-v2-1, kling-v2-0, "
        "kling-v1-6, kling-v1-5.",
    ),
    "kolors.reference": Rule(
        "PM",
        "reference -- Optional, none (default, uses KOLORS v2.1), subject (uses KOLORS v1.5), face (uses KOLORS "
        "v1.5), restyle (uses KOLORS v2.0). imageReference -- required if reference is not none. (DOC-KOLORS, Feb "
        "2026: face, subject and restyle are v2.1's, not v3.0's: 'Their features (restyle, face, subject) are now "
        "available under v2.1')",
        "a reference with version kling-v3-0 (the default) is made by v2.1, an explicit kling-v3-0 accepted and not "
        "honoured (convention 3); the older versions, retired but 'still accepted for backwards compatibility', "
        "take it; imageReference without a reference is accepted and not honoured",
    ),
    "kolors.images": Rule(
        "DOC-KOLORS",
        "Reference images (image_1-image_10): v3.0 ✅ (up to 10), v2.1 ❌; 'For v3, use @image_1, @image_2, etc. to "
        "reference images in your prompt'",
        "accepted and not honoured on another version or with a reference (convention 3); a prompt's @image_N must "
        "be given (as images-omni.references)",
    ),
    "kolors.resolution": Rule(
        "DOC-KOLORS",
        "resolution: v3.0 1k, 2k (default); v2.1 1k, 2k (default, text-to-image only)",
        "with a reference, or on a retired version (no source gives them one), accepted and not honoured; those "
        "make 1k images [INF]",
    ),
    "kolors.count": Rule(
        "DOC-KOLORS",
        "imageCount default: v3.0 2, v2.1 1 (Postman: 'Range: 1 to 9. Default: 1', its 2025 text)",
        "the newer page's default: 2 on kling-v3-0 without a reference, else 1",
    ),
    "kolors.aspect": Rule(
        "PM",
        "aspect_ratio -- Optional … Not supported by restyle reference type. Supported values: 1:1, 16:9 (default), "
        "4:3, 3:2, 2:3, 3:4, 9:16, 21:9. (DOC-KOLORS, Feb 2026: 'aspect_ratio: auto' v3.0 ✅ (with images only))",
        "accepted and not honoured with restyle, whose images take the reference image's ratio (convention 3); auto "
        "is refused but on kling-v3-0 with image_N, where it takes image_1's ratio",
    ),
    "kolors.strengths": Rule(
        "PM",
        "faceStrength -- face and subject reference types, Range: 1 to 100, Default: 65; subjectStrength -- "
        "subject reference type, Range: 1 to 100, Default: 50; faceNo -- face reference type, Default: 1",
        "whole numbers; faceNo 1 or more; given with another reference type, accepted and not honoured",
    ),
    "kolors-elements.inputs": Rule(
        "DOC-KOLORS",
        "KOLORS Elements: 'multiple image elements (up to 4 subject images, plus optional scene and style images)'; "
        "prompt is optional, max 2500",
        "at least one subject image is required [INF: the scene and style images are the optional ones]",
    ),
    # --- upscale and enhance ----------------------------------------------------------------------------------------
    "upscale.work": Rule(
        "PM",
        "task_id -- Required, the ID of a completed task that generated the image. Must be in the succeed status. "
        "workId -- Required, the ID of the specific image from the task to upscale.",
        "whole numbers (text or number); a work that is not an image work of a succeeded task of this account is "
        "refused saying which",
    ),
    "upscale.size": Rule(
        "INF",
        "(DOC-UPSCALE: 'upscales previously generated images to higher resolution')",
        "twice each side, the long side at most 4096",
    ),
    "enhance.image": Rule(
        "DOC-ENHANCE",
        "image is required, the URL of the image to enhance. It takes any image URL, for example one uploaded via "
        "POST /assets.",
    ),
    "enhance.resolution": Rule(
        "DOC-ENHANCE", "resolution is optional. Supported values: 2k (1 credit), 4k (2 credits). Default: 2k."
    ),
    "enhance.size": Rule(
        "DOC-ENHANCE",
        "The output size depends on the input image. For example, an 800x1200 image came back as 1664x2496 with 2k, "
        "and a 768x1344 image came back as 1536x2704 with 4k.",
        "twice each side at either resolution [INF from the two examples]",
    ),
    # --- try-on and faces -------------------------------------------------------------------------------------------
    "try-on.human": Rule("PM", "humanImage -- Required human model image URL"),
    "try-on.garment": Rule(
        "DOC-TRYON",
        "dressInput … Incompatible with upperInput and lowerInput. upperInput … Incompatible with dressInput. Note: "
        "You must provide at least one of: dressInput, upperInput, or lowerInput.",
    ),
    "try-on.size": Rule(
        "INF", "(not documented)", "the images have the human image's size (1024 x 1365, 3:4, when it is not known)"
    ),
    "faces.image": Rule(
        "DOC-FACES",
        "imageReference is required, the URL of the image to analyze. 400: {'error': 'Parameter imageReference is "
        "required'}. 200: {status: 0, message: '', faceItems: [{name: 'face_0', resources, arguments: [face_bound]}], "
        "mediaInfo: {type: 'image', duration: 0, width, height}}; free",
        "answered at once; the simulator finds one face, in the middle of the picture [INF]",
    ),
    # --- credits ----------------------------------------------------------------------------------------------------
    "credits.images.inferred": Rule(
        "INF",
        "(no source prices these, but DOC-ENHANCE: 2k = 1 credit, 4k = 2 credits)",
        "omni 8 credits an image (16 at 4k); kolors 1 an image (the listing of useapi's own MCP tool "
        "kling_kolors_image on glama.ai: '1 credit per image'); kolors-elements 2 an image; upscale 2; virtual try-on "
        "1 an image; face recognition free (DOC-FACES)",
    ),
}

_IMAGES = tuple(f"image_{n}" for n in range(1, 11))
_ELEMENTS = tuple(f"element_{n}" for n in range(1, 11))
_SUBJECTS = tuple(f"subjectImage{n}" for n in range(1, 5))
FIELDS: dict[str, tuple[str, ...]] = {
    OMNI_IMAGE: (
        "prompt",
        "omni_version",
        "resolution",
        "aspect_ratio",
        "imageCount",
        "story_mode",
        *_IMAGES,
        *_ELEMENTS,
        *ROUTING_FIELDS,
    ),
    KOLORS: (
        "prompt",
        "version",
        "resolution",
        *_IMAGES,
        "reference",
        "imageReference",
        "aspect_ratio",
        "imageCount",
        "faceStrength",
        "subjectStrength",
        "faceNo",
        *ROUTING_FIELDS,
    ),
    KOLORS_ELEMENTS: ("prompt", "aspect_ratio", "imageCount", *_SUBJECTS, "sceneImage", "styleImage", *ROUTING_FIELDS),
    UPSCALE: ("task_id", "workId", *ROUTING_FIELDS),
    ENHANCE: ("image", "resolution", *ROUTING_FIELDS),
    TRY_ON: ("humanImage", "upperInput", "dressInput", "lowerInput", "imageCount", *ROUTING_FIELDS),
    FACES: ("email", "imageReference"),
}
TASK_TYPES = {
    OMNI_IMAGE: "mmu_omni_image",  # [INF] not documented
    KOLORS: "mmu_txt2img_aiweb",  # reference §5.3: Kling's text-to-image type
    KOLORS_ELEMENTS: "mmu_img2img_aiweb",  # DOC-UPSCALE's sample names it as an image task's type
    UPSCALE: "mmu_image_upscale_aiweb",  # DOC-UPSCALE
    ENHANCE: "mmu_image_enhance_aiweb",  # [INF] not documented
    TRY_ON: "mmu_img2img_aitryon",  # DOC-TRYON (reference §5.0)
}
OMNI_VERSIONS = ("v3", "o1")  # images-omni.version; the first is the default
RESOLUTIONS = ("1k", "2k", "4k")  # images-omni.resolution
OMNI_PROMPT_MAX = 1700  # images-omni.prompt
OMNI_REFERENCES = 10  # images-omni.references
KOLORS_VERSIONS = ("kling-v3-0", "kling-v2-1", "kling-v2-0", "kling-v1-6", "kling-v1-5")  # kolors.version
KOLORS_REFERENCES = ("none", "subject", "face", "restyle")  # kolors.reference
PROMPT_MAX = 2500  # kolors.prompt, kolors-elements.inputs
ENHANCE_RESOLUTIONS = ("2k", "4k")  # enhance.resolution
UPSCALE_MAX_SIDE = 4096  # upscale.size
UNKNOWN_IMAGE = (1024, 1024)  # images.inputs
# credits.images.inferred (and enhance.resolution, documented)
OMNI_PER_IMAGE = {"1k": 8.0, "2k": 8.0, "4k": 16.0}
KOLORS_PER_IMAGE, KOLORS_ELEMENTS_PER_IMAGE, UPSCALE_CREDITS, TRY_ON_PER_IMAGE = 1.0, 2.0, 2.0, 1.0
ENHANCE_CREDITS = {"2k": 1.0, "4k": 2.0}
_REFERENCE = re.compile(r"@(image|element|object)_(\d+)")


def _size(info: MediaInfo | None) -> tuple[int, int]:
    """An input image's size (images.inputs)."""
    return (info.width, info.height) if info is not None and info.width and info.height else UNKNOWN_IMAGE


def _image(
    endpoint: str, body: dict[str, Any], content_width: int, content_height: int, credits: float, works: int
) -> Made:
    return Made(
        endpoint=endpoint,
        task_type=TASK_TYPES[endpoint],
        content="image",
        credits=credits,
        body=body,
        aspect_ratio=media.aspect_of_size(content_width, content_height) or "16:9",
        works=works,
        width=content_width,
        height=content_height,
    )


def check(endpoint: str, raw: Mapping[str, Any], account: Account) -> Made:
    """Check a task-creating image request (``ENDPOINTS``); Refused (a 400) when the API would refuse it."""
    checks = {
        OMNI_IMAGE: _omni,
        KOLORS: _kolors,
        KOLORS_ELEMENTS: _kolors_elements,
        UPSCALE: _upscale,
        ENHANCE: _enhance,
        TRY_ON: _try_on,
    }
    if endpoint not in checks:
        raise ValueError(f"unknown endpoint {endpoint!r}")
    return checks[endpoint](fields(raw, FIELDS[endpoint], f"fields.{endpoint}"), account)


def _omni(body: dict[str, Any], account: Account) -> Made:
    ignored: dict[str, str] = {}
    version = choice(body, "omni_version", OMNI_VERSIONS, "images-omni.version", OMNI_VERSIONS[0])
    prompt = text(body, "prompt")
    if not prompt:
        raise Refused("images-omni.prompt", "Parameter prompt is required (use @image_1, @element_1 for inputs)")
    check_length("prompt", prompt, OMNI_PROMPT_MAX, "images-omni.prompt")
    resolution = choice(body, "resolution", RESOLUTIONS, "images-omni.resolution", RESOLUTIONS[0])
    if resolution == "4k" and version != "v3":
        raise Refused("images-omni.resolution", "Parameter resolution 4k needs omni_version v3. Valid values: 1k, 2k")
    ratios = ("auto", *media.IMAGE_RATIOS) if version == "v3" else media.IMAGE_RATIOS
    aspect = choice(body, "aspect_ratio", ratios, "images-omni.aspect", "auto" if version == "v3" else "16:9")
    images = {n: text(body, f"image_{n}") for n in range(1, 11) if body.get(f"image_{n}")}
    elements = {n: text(body, f"element_{n}") for n in range(1, 11) if body.get(f"element_{n}")}
    if len(images) + len(elements) > OMNI_REFERENCES:
        raise Refused(
            "images-omni.references",
            f"{len(images)} images and {len(elements)} elements given; at most {OMNI_REFERENCES} together",
        )
    _references(prompt, images, elements, "images-omni.references")
    check_elements(body, _ELEMENTS, account, video_ok=False)
    infos = [media_of(account, body, f"image_{n}", "image", "images.inputs") for n in sorted(images)]
    works = count(body, "imageCount", "images.count", 1, 9, 1)
    if "story_mode" in body:
        story = body["story_mode"] = boolean(body["story_mode"], "story_mode", "images-omni.story")
        if version != "v3" and story:
            ignored["story_mode"] = "images-omni.story"
        elif story and not images and not elements:
            raise Refused(
                "images-omni.story", "Parameter story_mode needs at least one reference image (image_N) or element"
            )
    if aspect == "auto":
        known = next((info for info in infos if info is not None and info.width), None)
        aspect = media.nearest_image_ratio(known.width, known.height) if known else "1:1"
    width, height = media.image_dimensions(aspect, media.LONG_SIDES[resolution])
    made = _image(OMNI_IMAGE, body, width, height, OMNI_PER_IMAGE[resolution] * works, works)
    return replace(made, model_name=f"omni-{version}", ignored=ignored)


def _references(
    prompt: str, images: Mapping[int, str | None], elements: Mapping[int, str | None] | None, rule: str
) -> None:
    """Every @image_N and @element_N (@object_N) of the prompt must name an input given (``rule``); element
    references are not read where the endpoint takes no elements (``elements`` None)."""
    for match in _REFERENCE.finditer(prompt):
        kind = "element" if match.group(1) == "object" else match.group(1)
        number = int(match.group(2))
        given = images if kind == "image" else elements
        if given is None:
            continue
        if number not in given:
            have = ", ".join(f"{kind}_{n}" for n in sorted(given)) or "none"
            raise Refused(
                rule, f"The prompt refers to {match.group(0)}, but {kind}_{number} is not given ({kind} inputs: {have})"
            )


def _kolors(body: dict[str, Any], account: Account) -> Made:
    ignored: dict[str, str] = {}
    prompt = text(body, "prompt")
    if not prompt:
        raise Refused("kolors.prompt", "Parameter prompt is required (at most 2500 characters)")
    check_length("prompt", prompt, PROMPT_MAX, "kolors.prompt")
    version = choice(body, "version", KOLORS_VERSIONS, "kolors.version", KOLORS_VERSIONS[0])
    reference = choice(body, "reference", KOLORS_REFERENCES, "kolors.reference", "none")
    source = text(body, "imageReference")
    if reference != "none":
        if not source:
            raise Refused("kolors.reference", f"Parameter imageReference is required with reference {reference}")
        if "version" in body and version == KOLORS_VERSIONS[0]:
            ignored["version"] = "kolors.reference"
    elif source:
        ignored["imageReference"] = "kolors.reference"
    info = media_of(account, body, "imageReference", "image", "images.inputs")
    v3 = version == KOLORS_VERSIONS[0] and reference == "none"  # KOLORS v3.0 at work (kolors.reference)
    images = {n: text(body, f"image_{n}") for n in range(1, 11) if body.get(f"image_{n}")}
    pictures = [media_of(account, body, f"image_{n}", "image", "images.inputs") for n in sorted(images)]
    if images and not v3:
        ignored.update({f"image_{n}": "kolors.images" for n in images})
    if v3:
        _references(prompt, images, None, "kolors.images")
    resolution = choice(body, "resolution", RESOLUTIONS[:2], "kolors.resolution", "2k")
    if "resolution" in body and not (v3 or (version == "kling-v2-1" and reference == "none")):
        ignored["resolution"] = "kolors.resolution"
    if not (v3 or (version == "kling-v2-1" and reference == "none")):
        resolution = "1k"
    ratios = ("auto", *media.IMAGE_RATIOS) if v3 and images else media.IMAGE_RATIOS
    aspect = choice(body, "aspect_ratio", ratios, "kolors.aspect", "16:9")
    if aspect == "auto":
        known = next((i for i in pictures if i is not None and i.width), None)
        aspect = media.nearest_image_ratio(*_size(known))
    if reference == "restyle":
        if "aspect_ratio" in body:
            ignored["aspect_ratio"] = "kolors.aspect"
        aspect = media.nearest_image_ratio(*_size(info))
    works = count(body, "imageCount", "images.count", 1, 9, 2 if v3 else 1)  # kolors.count
    applies = {"faceStrength": ("face", "subject"), "subjectStrength": ("subject",), "faceNo": ("face",)}
    for name, kinds in applies.items():
        if name == "faceNo":
            count(body, name, "kolors.strengths", 1, None, 1)
        else:
            count(body, name, "kolors.strengths", 1, 100, 50)
        if name in body and reference not in kinds:
            ignored[name] = "kolors.strengths"
    width, height = media.image_dimensions(aspect, media.LONG_SIDES[resolution])
    made = _image(KOLORS, body, width, height, KOLORS_PER_IMAGE * works, works)
    return replace(made, ignored=ignored)


def _kolors_elements(body: dict[str, Any], account: Account) -> Made:
    check_length("prompt", text(body, "prompt"), PROMPT_MAX, "kolors-elements.inputs")
    for name in (*_SUBJECTS, "sceneImage", "styleImage"):
        media_of(account, body, name, "image", "images.inputs")
    if not any(text(body, name) for name in _SUBJECTS):
        raise Refused(
            "kolors-elements.inputs",
            "At least one subject image is required (subjectImage1 … subjectImage4; sceneImage and styleImage are "
            "optional)",
        )
    aspect = choice(body, "aspect_ratio", media.IMAGE_RATIOS, "kolors.aspect", "16:9")
    works = count(body, "imageCount", "images.count", 1, 9, 1)
    width, height = media.image_dimensions(aspect, media.LONG_SIDES["1k"])
    return _image(KOLORS_ELEMENTS, body, width, height, KOLORS_ELEMENTS_PER_IMAGE * works, works)


def _upscale(body: dict[str, Any], account: Account) -> Made:
    for name in ("task_id", "workId"):
        if name not in body:
            raise Refused("upscale.work", f"Parameter {name} is required (task_id and workId of a succeeded image)")
        body[name] = whole(body[name], name, "upscale.work")
    task_id, work_id = body["task_id"], body["workId"]
    found = account.work(task_id, work_id)
    if found is None:
        raise Refused(
            "upscale.work",
            f"Work {work_id} is not a work of task {task_id} on this account: give the task_id and a workId of its "
            "works (GET /tasks/task_id)",
        )
    if found.status != "succeed":
        raise Refused("upscale.work", f"Task {task_id} is {found.status}, not succeed: only a succeeded image upscales")
    if found.content != "image":
        raise Refused("upscale.work", f"Work {work_id} is a {found.content}, not an image: only images upscale")
    scale = min(2.0, UPSCALE_MAX_SIDE / max(found.width, found.height))
    width, height = max(found.width, round(found.width * scale)), max(found.height, round(found.height * scale))
    return _image(UPSCALE, body, width, height, UPSCALE_CREDITS, 1)


def _enhance(body: dict[str, Any], account: Account) -> Made:
    if not text(body, "image"):
        raise Refused("enhance.image", "Parameter image is required (the URL of the image to enhance)")
    info = media_of(account, body, "image", "image", "enhance.image")
    resolution = choice(body, "resolution", ENHANCE_RESOLUTIONS, "enhance.resolution", ENHANCE_RESOLUTIONS[0])
    width, height = _size(info)
    return _image(ENHANCE, body, width * 2, height * 2, ENHANCE_CREDITS[resolution], 1)


def _try_on(body: dict[str, Any], account: Account) -> Made:
    if not text(body, "humanImage"):
        raise Refused("try-on.human", "Parameter humanImage is required (the URL of the person's image)")
    human = media_of(account, body, "humanImage", "image", "images.inputs")
    garments = ("upperInput", "dressInput", "lowerInput")
    for name in garments:
        media_of(account, body, name, "image", "images.inputs")
    if not any(text(body, name) for name in garments):
        raise Refused("try-on.garment", "At least one garment is required: upperInput, dressInput or lowerInput")
    if text(body, "dressInput") and (text(body, "upperInput") or text(body, "lowerInput")):
        raise Refused(
            "try-on.garment", "Parameter dressInput cannot be used with upperInput or lowerInput: a dress, or separates"
        )
    works = count(body, "imageCount", "images.count", 1, 4, 1)
    width, height = (human.width, human.height) if human and human.width else (1024, 1365)
    return _image(TRY_ON, body, width, height, TRY_ON_PER_IMAGE * works, works)


@dataclass(frozen=True)
class FaceScan:
    """An accepted POST /images/recognize-faces: the image's size (``UNKNOWN_IMAGE`` when not known)."""

    width: int
    height: int


def check_faces(raw: Mapping[str, Any], account: Account) -> FaceScan:
    """Check a POST /images/recognize-faces body; Refused (a 400) when the API would refuse it."""
    body = fields(raw, FIELDS[FACES], "fields.recognize-faces")
    if not text(body, "imageReference"):
        raise Refused("faces.image", "Parameter imageReference is required")  # DOC-FACES, verbatim
    info = media_of(account, body, "imageReference", "image", "faces.image")
    return FaceScan(*_size(info))
