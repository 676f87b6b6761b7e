"""The simulator's reading of POST /videos/omni (``video_rules.check`` calls it): its versions, the workflows its
inputs select (default, frames, video reference, video transform), the references of its prompts, its sound and
its multi-shot. The rules and their sources are in ``video_rules.RULES`` (``omni.*``), the conventions those of
``rules.py``.
"""

from __future__ import annotations

import re
from typing import Any

from kling_mcp.simulator.rules import (
    ASPECT_RATIOS,
    SHOT_FIELDS,
    Refused,
    boolean,
    check_length,
    credits,
    listed,
    read_shots,
    text,
    whole,
)
from kling_mcp.simulator.video_rules import (
    ELEMENT_FIELDS,
    MODES,
    OMNI,
    OMNI_PROMPT_MAX,
    OMNI_SLOTS,
    OMNI_SLOTS_WITH_VIDEO,
    OMNI_VERSIONS,
    REFERENCE_NUMBERS,
    TASK_TYPES,
    UNKNOWN_VIDEO_SECONDS,
    Account,
    Generation,
    aspect_of,
    check_elements,
    choice,
    seconds_of,
)

_REFERENCE = re.compile(r"@(image|element|object|video)_(\d+)")


def check_omni(body: dict[str, Any], account: Account) -> Generation:
    """A POST /videos/omni body (nulls dropped, field names checked) as the API reads it; Refused when refused."""
    ignored: dict[str, str] = {}
    version = choice(body, "omni_version", tuple(OMNI_VERSIONS), "omni.version", "v3")
    prompt = text(body, "prompt")
    check_length("prompt", prompt, OMNI_PROMPT_MAX, "omni.prompt.length")
    shots = read_shots(body, version == "v3", ignored)
    ignored.update({name: "omni.shots.v3" for name in SHOT_FIELDS if name in ignored})
    if not prompt and not shots:
        raise Refused("omni.prompt", "Parameter prompt is required (unless using multi-shot: shot_N_prompt)")
    count = 1
    if "count" in body:
        count = body["count"] = whole(body["count"], "count", "omni.count")
        if not 1 <= count <= 4:
            raise Refused("omni.count", f"Parameter count {count} is not supported. Valid values: 1 to 4")
    mode = choice(body, "mode", MODES, "omni.mode", "std")

    images = {n: text(body, f"image_{n}") for n in REFERENCE_NUMBERS if body.get(f"image_{n}")}
    elements = {n: text(body, f"element_{n}") for n in REFERENCE_NUMBERS if body.get(f"element_{n}")}
    video, start, end = text(body, "video_1"), text(body, "frame_start"), text(body, "frame_end")
    if end and not start:
        raise Refused("omni.frames", "Parameter frame_end needs frame_start (the frames workflow starts from it)")
    if start and video:
        raise Refused(
            "omni.frames",
            "Parameters frame_start and video_1 select two workflows (frames, video); give one of them",
        )
    limit = OMNI_SLOTS_WITH_VIDEO if video else OMNI_SLOTS
    if len(images) + len(elements) > limit:
        raise Refused(
            "omni.slots",
            f"{len(images)} images and {len(elements)} elements given; images and elements share {limit} slots"
            + (" with video_1" if video else ""),
        )
    _references(body, images, elements, video)
    check_elements(body, ELEMENT_FIELDS, account, video_ok=version == "v3")

    video_mode = choice(body, "video_mode", ("reference", "transform"), "omni.video_mode", "reference")
    keep_audio = boolean(body["keep_audio"], "keep_audio", "omni.keep_audio") if "keep_audio" in body else False
    if "keep_audio" in body:
        body["keep_audio"] = keep_audio
    if not video:
        ignored.update({name: "omni.keep_audio" for name in ("video_mode", "keep_audio") if name in body})
    if "enable_audio" in body:
        body["enable_audio"] = boolean(body["enable_audio"])
        if video or version == "o1":
            raise Refused(
                "omni.audio",
                "Parameter enable_audio is not valid with "
                + ("video_1 (keep_audio keeps the source's sound)" if video else "omni_version o1 (no sound)"),
            )
    source = account.media(video) if video else None
    if source is not None and source.kind != "video":
        raise Refused("omni.frames", "Parameter video_1 must be the URL of a video")
    if video:
        audio = keep_audio and (source.audio if source else True)
    else:
        audio = version == "v3" and body.get("enable_audio") is not False

    aspect = text(body, "aspect_ratio")
    if start:
        if aspect not in (None, "auto"):
            raise Refused("omni.aspect", f"Parameter aspect_ratio {aspect!r}: the frames workflow takes auto only")
        aspect_ratio = aspect_of(account, start)
    elif video:
        if aspect is not None:
            if aspect not in (*ASPECT_RATIOS, "auto"):
                raise Refused(
                    "omni.aspect",
                    f"Parameter aspect_ratio {aspect!r} is not supported. Valid values: {listed(ASPECT_RATIOS)}, auto",
                )
            ignored["aspect_ratio"] = "omni.aspect.video"
        aspect_ratio = (source.aspect_ratio if source else None) or ASPECT_RATIOS[0]
    else:
        aspect_ratio = aspect or ASPECT_RATIOS[0]
        if aspect_ratio not in ASPECT_RATIOS:
            raise Refused(
                "omni.aspect",
                f"Parameter aspect_ratio {aspect_ratio!r} is not supported. Valid values: {listed(ASPECT_RATIOS)} "
                "(auto in the frames workflow only)",
            )

    allowed = OMNI_VERSIONS[version]
    duration: float
    if shots:
        if "duration" in body:
            raise Refused("shots.duration", "Parameter duration cannot be used with multi-shot (shot_N_duration)")
        duration = sum(shots.values())
    elif video and video_mode == "transform":
        if "duration" in body:
            body["duration"] = whole(body["duration"], "duration", "omni.duration")
            ignored["duration"] = "omni.transform"
        duration = source.seconds if source and source.seconds else UNKNOWN_VIDEO_SECONDS
        if not allowed.start <= duration <= allowed.stop - 1:
            raise Refused(
                "omni.transform",
                f"The video_1 to transform lasts {duration:g} s; omni {version} makes {allowed.start} to "
                f"{allowed.stop - 1} s, and a transformed video lasts as long as its source",
            )
    else:
        duration = seconds_of(body, allowed, "omni.duration", f"omni_version {version}")
    generated = audio and not video  # the sound of a video_1 video is kept, not generated
    return Generation(
        endpoint=OMNI,
        task_type=TASK_TYPES[OMNI],
        model_name=f"omni-{version}",
        mode=mode,
        duration=duration,
        audio=audio,
        credits=credits("kling-v3-0", mode, 1, generated) * duration * count,
        aspect_ratio=aspect_ratio,
        body=body,
        works=count,
        ignored=ignored,
        kept_audio=bool(video),
    )


def _references(
    body: dict[str, Any], images: dict[int, str | None], elements: dict[int, str | None], video: str | None
) -> None:
    """Every @image_N, @element_N (@object_N) and @video_N in the prompts must name an input given
    (omni.references)."""
    given = {"image": set(images), "element": set(elements), "video": {1} if video else set()}
    texts = [body.get("prompt"), *(body.get(f"shot_{n}_prompt") for n in range(1, 7))]
    for value in texts:
        if not isinstance(value, str):
            continue
        for match in _REFERENCE.finditer(value):
            kind = "element" if match.group(1) == "object" else match.group(1)
            number = int(match.group(2))
            if number not in given[kind]:
                have = ", ".join(f"{kind}_{n}" for n in sorted(given[kind])) or "none"
                raise Refused(
                    "omni.references",
                    f"The prompt refers to {match.group(0)}, but {kind}_{number} is not given ({kind} inputs given: "
                    f"{have})",
                )
