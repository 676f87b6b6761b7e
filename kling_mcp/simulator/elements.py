"""Elements: saved characters and objects that omni, image2video-frames, image2video-elements and motion-create
refer to by id. The simulator's own reading of POST /elements (what it accepts, ``RULES`` with their sources, same
conventions as ``rules.py``) and the element objects it answers with (GET /elements, GET /elements/{id}).

Shapes follow useapi's element pages (DOC-ELEMENTS): an element is ``{"id": "u_123456789012345", "name":
"MyChar ABC12", "type": "IMAGE", "description", "cover": {...}, "resources": [...], "tagList": [...], "favored",
"official", "createTime", "updateTime"}``; the list adds the January page's ``coverImage``, ``tag`` and
``imageResources``. Creating an element is free and immediate [INF].
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kling_mcp.simulator import media, presets
from kling_mcp.simulator.rules import Refused, Rule, boolean, listed, text, utf16_length
from kling_mcp.simulator.video_rules import Account

RULES: dict[str, Rule] = {
    "element.fields": Rule(
        "PM",
        "POST /elements: email, name, coverImage, type, voice, description, tag, extraImage1, extraImage2, "
        "extraImage3, generateViews",
    ),
    "element.name": Rule(
        "PM",
        "name -- Required, base name for the element. Max 15 chars. A 5-char random suffix is auto-appended.",
        "the suffix is a space and 5 capitals or digits, as DOC-ELEMENTS shows ('MyChar' becomes 'MyChar ABC12'); "
        "length counted in UTF-16 code units (text.length)",
    ),
    "element.cover": Rule(
        "PM",
        "coverImage -- Required, URL of the primary image (or video for VIDEO type). Upload via POST /assets.",
        "a cover the simulator knows must be an image for IMAGE and a video for VIDEO",
    ),
    "element.type": Rule("PM", "type -- Optional, element type. Supported values: IMAGE(default), VIDEO."),
    "element.video.length": Rule(
        "DOC-ELEMENTS",
        "VIDEO elements: Created from a video URL (mp4, minimum 3 seconds, auto-trimmed to 8s)",
        "a cover video the simulator knows must last at least 3 s",
    ),
    "element.description": Rule(
        "PM",
        "description -- Optional, text description. Max 100 chars. Auto-generated from image if not provided.",
        "without one, the simulator writes 'A saved element named <name>' [INF]",
    ),
    "element.tag": Rule(
        "DOC-ELEMENTS",
        "tag … Use GET /elements/tags to get available tags. Accepts either id or tagKey (e.g., '1' or "
        "'character'). If not provided, the tag is automatically detected from the image using AI.",
        "a tag not in GET /elements/tags is refused; without one, character [INF]",
    ),
    "element.views": Rule(
        "PM",
        "extraImage1 -- Optional, URL of first additional view. Cannot use with generateViews. generateViews -- "
        "Optional, set to true to have AI generate 3 multi-angle variations. Creates up to 3 separate elements.",
        "generateViews creates 3 elements at once (the simulator does not take the 60 s it may take)",
    ),
    "element.image-only": Rule(
        "DOC-ELEMENTS",
        "extraImage1/2/3: IMAGE only; generateViews: IMAGE only",
        "accepted and not honoured on a VIDEO element (convention 3)",
    ),
    "element.voice": Rule(
        "PM",
        "voice -- Optional, voice for VIDEO elements with character tag. Use official voice name/ID from GET "
        "/elements/voices, or a video URL to extract custom voice.",
        "anything else is refused; a voice on an element whose tag is not character is accepted and not honoured "
        "(convention 3; DOC-ELEMENTS lets IMAGE elements take a voice too)",
    ),
    "element.voice.length": Rule(
        "DOC-ELEMENTS",
        "Custom voice from URL (mp4, 5-60s)",
        "a voice video the simulator knows must last 5 to 60 s",
    ),
    "element.exists": Rule(
        "DOC-ELEMENTS",
        "GET /elements/elementId: 404 {'error': '<error message>'}",
        "an element of another account, or deleted, is not found either (404 on GET and DELETE)",
    ),
    "element.list": Rule(
        "DOC-ELEMENTS",
        "GET /elements: pageNum optional, default 1, must be 1 or greater; pageSize optional, range 1 to 100, default "
        "50; tag optional, filter elements by tag",
        "newest first (sortDirection DESC is the default); a pageNum or pageSize out of range is refused",
    ),
}

FIELDS = (
    "email",
    "name",
    "coverImage",
    "type",
    "voice",
    "description",
    "tag",
    "extraImage1",
    "extraImage2",
    "extraImage3",
    "generateViews",
)
TYPES = ("IMAGE", "VIDEO")  # element.type; the first is the default
NAME_MAX, DESCRIPTION_MAX = 15, 100  # element.name, element.description
VIEWS = 3  # element.views
VIDEO_MIN_SECONDS = 3  # element.video.length
VOICE_SECONDS = (5, 60)  # element.voice.length
PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX = 50, 100  # element.list
_SUFFIX = string.ascii_uppercase + string.digits
_EXTRAS = ("extraImage1", "extraImage2", "extraImage3")


@dataclass(frozen=True)
class NewElement:
    """An accepted POST /elements: what to create (``count`` elements alike but for their ids and names)."""

    name: str
    cover: str
    type: str
    description: str
    tag: dict[str, str]
    extras: tuple[str, ...]
    voice: dict[str, Any] | None
    count: int
    ignored: dict[str, str]
    cover_aspect: str | None


def check(raw: Mapping[str, Any], account: Account) -> NewElement:
    """Check a POST /elements body as the API would; Refused (a 400) when it refuses it."""
    body = {k: v for k, v in raw.items() if v is not None}
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise Refused("element.fields", f"Unknown parameter {', '.join(unknown)}. Valid parameters: {listed(FIELDS)}")
    ignored: dict[str, str] = {}
    name = text(body, "name")
    if not name:
        raise Refused("element.name", f"Parameter name is required (max {NAME_MAX} characters)")
    if utf16_length(name) > NAME_MAX:
        raise Refused("element.name", f"Parameter name is too long: {utf16_length(name)} characters, max {NAME_MAX}")
    kind = text(body, "type") or TYPES[0]
    if kind not in TYPES:
        raise Refused("element.type", f"Parameter type {kind!r} is not supported. Valid values: {listed(TYPES)}")
    cover = text(body, "coverImage")
    if not cover:
        raise Refused("element.cover", "Parameter coverImage is required (an image URL, or a video URL for VIDEO)")
    info = account.media(cover)
    wanted = "video" if kind == "VIDEO" else "image"
    if info is not None and info.kind != wanted:
        article = "a video" if kind == "VIDEO" else "an image"
        raise Refused("element.cover", f"Parameter coverImage must be the URL of {article} for a {kind} element")
    if kind == "VIDEO" and info is not None and info.seconds is not None and info.seconds < VIDEO_MIN_SECONDS:
        raise Refused(
            "element.video.length",
            f"The video at coverImage lasts {info.seconds:g} s; a VIDEO element needs at least {VIDEO_MIN_SECONDS} s",
        )
    description = text(body, "description")
    if description is not None and utf16_length(description) > DESCRIPTION_MAX:
        raise Refused(
            "element.description",
            f"Parameter description is too long: {utf16_length(description)} characters, max {DESCRIPTION_MAX}",
        )
    tag_value = text(body, "tag")
    found = presets.tag(tag_value) if tag_value else presets.tag(presets.CHARACTER_TAG)
    if found is None:
        valid = listed([t["tagKey"] for t in presets.TAGS])
        raise Refused(
            "element.tag", f"Parameter tag {tag_value!r} is not in GET /elements/tags. Valid values: {valid} (or ids)"
        )
    extras = tuple(url for name_ in _EXTRAS if (url := text(body, name_)))
    views = boolean(body["generateViews"], "generateViews", "element.views") if "generateViews" in body else False
    if "generateViews" in body:
        body["generateViews"] = views
    if views and extras:
        raise Refused("element.views", "Parameters extraImage1/2/3 cannot be used with generateViews")
    if kind == "VIDEO":
        ignored.update({name_: "element.image-only" for name_ in (*_EXTRAS, "generateViews") if name_ in body})
        extras, views = (), False
    voice = _voice(body, account)
    if voice is not None and found["id"] != presets.CHARACTER_TAG:
        ignored["voice"] = "element.voice"
        voice = None
    return NewElement(
        name=name,
        cover=cover,
        type=kind,
        description=description or f"A saved element named {name}",
        tag=found,
        extras=extras,
        voice=voice,
        count=VIEWS if views else 1,
        ignored=ignored,
        cover_aspect=info.aspect_ratio if info else None,
    )


def _voice(body: dict[str, Any], account: Account) -> dict[str, Any] | None:
    value = text(body, "voice")
    if not value:
        return None
    official = presets.voice(value)
    if official is not None:
        return official
    if not value.startswith(("https://", "http://")):
        valid = listed([f"{v['id']} ({v['name']})" for v in presets.VOICES])
        raise Refused(
            "element.voice",
            f"Parameter voice {value!r} is neither a voice of GET /elements/voices ({valid}) nor a video URL",
        )
    info = account.media(value)
    if info is not None and info.kind != "video":
        raise Refused("element.voice", "Parameter voice must be a voice name or id, or the URL of a video (mp4)")
    low, high = VOICE_SECONDS
    if info is not None and info.seconds is not None and not low <= info.seconds <= high:
        raise Refused(
            "element.voice.length",
            f"The voice video lasts {info.seconds:g} s; a custom voice needs a video of {low} to {high} seconds",
        )
    return {"id": 0, "name": "Custom voice", "official": False, "resource": {"resource": value}}


def new_id() -> str:
    """An element id like the Postman collection's u_309377170505500: u_ and 15 digits."""
    return f"u_{secrets.randbelow(9 * 10**14) + 10**14}"


def build(request: NewElement, element_id: str, now_ms: int) -> dict[str, Any]:
    """The element object of an accepted request, as GET /elements/{id} answers it."""
    suffix = "".join(secrets.choice(_SUFFIX) for _ in range(5))
    width, height = media.dimensions(request.cover_aspect) if request.cover_aspect else (0, 0)
    cover_key = "video" if request.type == "VIDEO" else "cover"
    cover = {"resource": request.cover, "resourceKey": cover_key, "cover": True, "slotKey": ""}
    if width:
        cover |= {"width": width, "height": height}
    resources = [cover] + [
        {"resource": url, "resourceKey": "secondary", "cover": False, "slotKey": slot}
        for url, slot in zip(request.extras, ("side", "back", "topView"), strict=False)
    ]
    element: dict[str, Any] = {
        "id": element_id,
        "name": f"{request.name} {suffix}",
        "userId": 1,
        "type": request.type,
        "description": request.description,
        "cover": cover,
        "coverImage": request.cover,
        "resources": resources,
        "imageResources": [r["resource"] for r in resources],
        "tag": request.tag,
        "tagList": [request.tag],
        "favored": False,
        "official": False,
        "createTime": now_ms,
        "updateTime": now_ms,
    }
    if request.voice is not None:
        element["voice"] = request.voice
    return element
