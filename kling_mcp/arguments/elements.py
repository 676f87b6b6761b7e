"""The arguments of the "elements" toolset: create_element, list_elements, delete_element.

An element is a saved character or object (an id like ``u_309377170505500``) that omni_video, animate_image,
multi_image_video and motion_control take to keep it consistent across shots. Creating one costs no credits, so
``CreateElement`` is not a ``Generation`` (no wait), but it has images the catalog checks before they are uploaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar

from pydantic import Field

from kling_mcp.arguments.fields import Email, IdempotencyKey, optional
from kling_mcp.arguments.video import IMAGE_RULES, IMAGE_SOURCES, Arguments, Kind, WithMedia
from kling_mcp.catalog import endpoints

# The catalog's values and bounds (kling_mcp.catalog.endpoints, each with its source); list paging: useapi doc
# "List elements" (2026-02-09): pageSize 1–100, pageNum from 1.
MAX_NAME = endpoints.MAX_ELEMENT_NAME
MAX_DESCRIPTION = endpoints.MAX_ELEMENT_DESCRIPTION
ELEMENT_TYPES = endpoints.ELEMENT_TYPES
MAX_EXTRA_IMAGES = endpoints.MAX_EXTRA_IMAGES
MAX_PAGE_SIZE = 100


class CreateElement(WithMedia):
    """create_element: POST /elements."""

    SUBMISSION: ClassVar[frozenset[str]] = frozenset({"email", "idempotency_key"})
    MEDIA: ClassVar[Mapping[str, Kind]] = {"cover_image": "image", "extra_images": "image"}

    name: Annotated[
        str,
        Field(
            description=f"Its name, at most {MAX_NAME} characters (Kling appends a 5-character suffix).",
            json_schema_extra={"maxLength": MAX_NAME},
        ),
    ]
    cover_image: Annotated[
        str,
        Field(description=f"Its main picture: {IMAGE_SOURCES}; {IMAGE_RULES}. For type VIDEO, a video clip."),
    ]
    type: Annotated[
        str | None,
        optional("IMAGE (default) or VIDEO (a clip as the reference).", schema={"enum": list(ELEMENT_TYPES)}),
    ]
    voice: Annotated[str | None, optional("VIDEO elements: a voice name or id, or a video URL to take one from.")]
    description: Annotated[
        str | None,
        optional(
            f"What it is, at most {MAX_DESCRIPTION} characters (made from the image if left out).",
            schema={"maxLength": MAX_DESCRIPTION},
        ),
    ]
    tag: Annotated[str | None, optional("A category tag (detected if left out).")]
    extra_images: Annotated[
        list[str] | None,
        optional(
            f"Up to {MAX_EXTRA_IMAGES} more views of it, images like cover_image; not with generate_views.",
            schema={"maxItems": MAX_EXTRA_IMAGES},
        ),
    ]
    generate_views: Annotated[
        bool | None, optional("true: Kling draws 3 more angles, as up to 3 elements (takes up to 60 s).")
    ]
    email: Email
    idempotency_key: IdempotencyKey

    def kind_of(self, name: str) -> Kind:
        # A VIDEO element's cover is a video clip (Postman: "URL of the primary image (or video for VIDEO type)").
        if name == "cover_image" and self.type == "VIDEO":
            return "video"
        return super().kind_of(name)


class ListElements(Arguments):
    tag: Annotated[str | None, optional("Only elements with this tag.")]
    page: Annotated[int | None, optional("Page number, from 1 (default 1).", ge=1)]
    page_size: Annotated[int | None, optional(f"Elements per page, 1 to {MAX_PAGE_SIZE}.", ge=1, le=MAX_PAGE_SIZE)]
    email: Email


class DeleteElement(Arguments):
    element_id: Annotated[str, Field(description="The element id, such as u_309377170505500 (list_elements).")]
    email: Email


__all__ = [
    "ELEMENT_TYPES",
    "MAX_DESCRIPTION",
    "MAX_EXTRA_IMAGES",
    "MAX_NAME",
    "MAX_PAGE_SIZE",
    "CreateElement",
    "DeleteElement",
    "ListElements",
]
