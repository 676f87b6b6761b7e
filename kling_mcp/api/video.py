"""The video endpoint family beyond text2video / image2video-frames: omni, multi-image (elements), extend,
motion control, effects, and elements themselves — wire models and the client methods (``VideoEndpoints``, a mixin
of ``KlingClient``).

Field names are the upstream's own, from useapi's Postman collection "Kling API v1" (updated 2026-07-20; see
../shared/reference/useapi-kling-postman-fields.md, "Postman" below) unless a comment says otherwise. These models
check shapes only; the rules (which model allows what, ranges, combinations) belong to the catalog.

Every create goes through ``KlingClient._create`` / ``_submit`` (sent once unless certainly not accepted; an
unknown outcome is SubmitOutcomeUnknownError); every read through ``_repeatable``.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, ValidationError, model_validator

from kling_mcp.api.errors import InvalidParameterError, Operation, outcome_unknown
from kling_mcp.api.models import MultiShotFields, TaskResponse, _Request, _Response, readable

if TYPE_CHECKING:
    from kling_mcp.api.client import CreateAttempt, CreateBody, ModelT, _Answer

logger = logging.getLogger(__name__)

# POST /elements with generateViews "Takes up to 60s" (Postman): its default deadline leaves room beyond that.
ELEMENT_CREATE_DEADLINE = 120.0

# --- requests -----------------------------------------------------------------------------------------------------


class OmniVideoRequest(MultiShotFields):
    """POST /videos/omni body (Postman; reference §5.4). ``prompt`` is required unless multi-shot ("Required
    (unless using multi-shot)"), so it is optional here. ``duration`` is a string, as text2video's docs send it
    (reference §5.1). Postman lists ``image_1``/``element_1`` only; reference §5.4 says "image_1…(scripts use up to
    7), element_1…", so seven of each are accepted here and the catalog owns the real limit."""

    email: str | None = None
    prompt: str | None = None
    omni_version: str | None = None  # "v3(default), o1"
    duration: str | None = None  # "O1: 3-10 … v3: 3-15"; "Cannot be used with multi-shot"
    aspect_ratio: str | None = None  # "16:9(default), 9:16, 1:1. Frames workflow: auto only"
    mode: str | None = None  # "std(default) or pro"
    enable_audio: bool | None = None  # "Not valid with video_1 or omni_version o1"
    image_1: str | None = None
    image_2: str | None = None
    image_3: str | None = None
    image_4: str | None = None
    image_5: str | None = None
    image_6: str | None = None
    image_7: str | None = None
    element_1: str | None = None
    element_2: str | None = None
    element_3: str | None = None
    element_4: str | None = None
    element_5: str | None = None
    element_6: str | None = None
    element_7: str | None = None
    frame_start: str | None = None  # "enables frames workflow"
    frame_end: str | None = None
    video_1: str | None = None  # "URL of reference video (enables video workflow)"
    video_mode: str | None = None  # "reference(default) or transform"
    keep_audio: bool | None = None  # "Only applies with video_1"


class Image2VideoElementsRequest(_Request):
    """POST /videos/image2video-elements body (Postman; reference §5.4): ``image_0`` and ``prompt`` are required;
    elements are "Model v3 only"; ``aspect_ratio`` is not for v3. ``duration`` is a string as on text2video."""

    image_0: str
    prompt: str
    email: str | None = None
    image_1: str | None = None
    image_2: str | None = None
    image_3: str | None = None
    element_1: str | None = None
    element_2: str | None = None
    element_3: str | None = None
    negative_prompt: str | None = None
    aspect_ratio: str | None = None
    duration: str | None = None
    mode: str | None = None
    model_name: str | None = None  # "kling-v3-0, kling-v1-6(default)"
    enable_audio: bool | None = None


class ExtendVideoRequest(_Request):
    """POST /videos/extend body (Postman; reference §5.4: ``task_id`` of a finished, succeeded video task). The
    task id is sent as a JSON number, as tasks carry it (``task.id``, reference §5.0)."""

    task_id: int
    email: str | None = None
    prompt: str | None = None
    negative_prompt: str | None = None
    cfg_scale: float | None = None
    enable_audio: bool | None = None


class Image2VideoEffectsRequest(_Request):
    """POST /videos/image2video-effects body (Postman: ``effect`` "Required effect name", from GET /videos/effects;
    ``image`` required; ``mode`` std or pro; ``prompt`` optional)."""

    effect: str
    image: str
    email: str | None = None
    mode: str | None = None
    prompt: str | None = None


class MotionCreateRequest(_Request):
    """POST /videos/motion-create body (Postman; useapi doc page of 2026-03-06 shows the same JSON body):
    ``imageUrl`` and ``motionUrl`` (a 3–30 s video) required; ``model_name`` kling-v3-0 (default) or kling-v2-6;
    ``keepAudio`` boolean; ``motionDirection`` motion_direction or image_direction; ``element_1`` v3.0 only."""

    imageUrl: str
    motionUrl: str
    email: str | None = None
    model_name: str | None = None
    prompt: str | None = None
    keepAudio: bool | None = None
    motionDirection: str | None = None
    mode: str | None = None
    element_1: str | None = None


class MotionUploadRequest(_Request):
    """POST /videos/motion-upload body (Postman, marked deprecated): ``resourceUrl`` (the motion video) and
    ``coverUrl`` (a cover image), both required."""

    resourceUrl: str
    coverUrl: str
    email: str | None = None


class CreateElementRequest(_Request):
    """POST /elements body (Postman): ``name`` (max 15 chars; a 5-char suffix is appended upstream) and
    ``coverImage`` required; ``type`` IMAGE (default) or VIDEO; ``voice`` for VIDEO elements; ``description`` max
    100 chars; ``tag`` from GET /elements/tags; ``extraImage1..3`` or ``generateViews`` (not both)."""

    name: str
    coverImage: str
    email: str | None = None
    type: str | None = None
    voice: str | None = None
    description: str | None = None
    tag: str | None = None
    extraImage1: str | None = None
    extraImage2: str | None = None
    extraImage3: str | None = None
    generateViews: bool | None = None


# --- responses ----------------------------------------------------------------------------------------------------


class Listing(_Response):
    """A list answer. ``items`` holds the entries whatever the wrapper: a bare JSON array, or the first list found
    under one of ``LIST_KEYS`` (the shapes of motions, effects, tags and voices are not in the reference; GET
    /elements answers ``{"elementsList": [...]}``, useapi doc "List elements" 2026-02-09). Entries are kept as
    they come (objects or plain strings)."""

    LIST_KEYS: ClassVar[tuple[str, ...]] = (
        "items",
        "elementsList",
        "elements",
        "motions",
        "effects",
        "tags",
        "voices",
        "list",
        "data",
        "result",
    )

    items: list[Any] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _find_items(cls, data: Any) -> Any:
        if isinstance(data, list):
            return {"items": data}
        if isinstance(data, dict) and not isinstance(data.get("items"), list):
            for key in cls.LIST_KEYS:
                if isinstance(data.get(key), list):
                    return {**data, "items": data[key]}
            # The documented wrappers may nest one level (e.g. {"data": {"list": [...]}}) [INF].
            for value in data.values():
                if isinstance(value, dict):
                    for key in cls.LIST_KEYS:
                        if isinstance(value.get(key), list):
                            return {**data, "items": value[key]}
        return data


class Element(_Response):
    """One element (useapi doc "Retrieve element by ID", 2026-02-09: ``id`` like ``u_123456789012345``, ``name``,
    ``type``, ``description``, ``cover``; the January version wrapped it as ``{"element": {...}}`` and showed
    ``coverImage`` and a ``tag`` object). Only ``id`` is required: it is what omni and the other endpoints take."""

    id: str
    name: str | None = None
    type: str | None = None
    description: str | None = None
    coverImage: str | None = None
    tag: Any = None

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, data: Any) -> Any:
        if isinstance(data, dict) and "id" not in data and isinstance(data.get("element"), dict):
            return data["element"]
        return data


class ElementList(Listing):
    """GET /elements: ``items`` are the elements as they come; ``elements`` those that carry an id."""

    @property
    def elements(self) -> list[Element]:
        return readable(Element, self.items)


class CreatedElements(_Response):
    """POST /elements: the element(s) created. The answer's shape is not in the reference: a single element (flat
    or wrapped in ``element``, as GET /elements/{id}) or a list (``generateViews`` "Creates up to 3 separate
    elements", Postman) are all read; ``elements`` may be empty when no id could be found."""

    elements: list[Element] = Field(default_factory=list)


class DeletedElement(_Response):
    """DELETE /elements/{id}: the answer's shape is not in the reference; any JSON object is accepted."""


class MotionUpload(_Response):
    """POST /videos/motion-upload: the answer's shape is not in the reference; any JSON object is accepted
    (useapi's motion-create doc points to GET /videos/motions for uploaded motions)."""


# --- client methods -------------------------------------------------------------------------------------------------


class VideoEndpoints:
    """Client methods of the video family. Mixed into KlingClient, whose request loop they use."""

    if TYPE_CHECKING:
        max_body: int

        async def _create(
            self, path: str, request: CreateBody, deadline: float | None, tracker: CreateAttempt | None
        ) -> TaskResponse: ...

        async def _submit(
            self, path: str, request: CreateBody, deadline: float | None, tracker: CreateAttempt | None
        ) -> _Answer: ...

        async def _read(
            self, model: type[ModelT], method: str, path: str, *, operation: Operation, **kwargs: Any
        ) -> ModelT: ...

    # --- task creates (answered like text2video: reference §5.0) ---

    async def create_omni_video(
        self, request: OmniVideoRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> TaskResponse:
        """POST /videos/omni (reference §5.4)."""
        return await self._create("/videos/omni", request, deadline, tracker)

    async def create_image2video_elements(
        self,
        request: Image2VideoElementsRequest,
        *,
        deadline: float | None = None,
        tracker: CreateAttempt | None = None,
    ) -> TaskResponse:
        """POST /videos/image2video-elements (reference §5.4)."""
        return await self._create("/videos/image2video-elements", request, deadline, tracker)

    async def create_extend_video(
        self, request: ExtendVideoRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> TaskResponse:
        """POST /videos/extend: a new task (reference §5.4: create ``task.type`` ``m2v_extend_video``)."""
        return await self._create("/videos/extend", request, deadline, tracker)

    async def create_image2video_effects(
        self,
        request: Image2VideoEffectsRequest,
        *,
        deadline: float | None = None,
        tracker: CreateAttempt | None = None,
    ) -> TaskResponse:
        """POST /videos/image2video-effects (Postman)."""
        return await self._create("/videos/image2video-effects", request, deadline, tracker)

    async def create_motion_video(
        self, request: MotionCreateRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> TaskResponse:
        """POST /videos/motion-create (Postman)."""
        return await self._create("/videos/motion-create", request, deadline, tracker)

    # --- other creates: not resent unless certainly not accepted, like every create ---

    async def upload_motion(
        self, request: MotionUploadRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> MotionUpload:
        """POST /videos/motion-upload (Postman, deprecated). It stores a motion upstream: a resend after an unknown
        outcome could store it twice, so it takes the create path."""
        answer = await self._submit("/videos/motion-upload", request, deadline, tracker)
        return MotionUpload.model_validate(self._created_object(answer))

    async def create_element(
        self, request: CreateElementRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> CreatedElements:
        """POST /elements. An element is created upstream, so this takes the create path (a duplicate would be a
        second element). ``deadline`` defaults to ELEMENT_CREATE_DEADLINE (generateViews takes up to 60 s)."""
        limit = ELEMENT_CREATE_DEADLINE if deadline is None else deadline
        answer = await self._submit("/elements", request, limit, tracker)
        data = self._created_object(answer)
        listed = data.get("elements")
        candidates: list[Any] = listed if isinstance(listed, list) else [data]
        elements: list[Element] = []
        for candidate in candidates:
            try:
                elements.append(Element.model_validate(candidate))
            except ValidationError:
                logger.warning("POST /elements: an entry of the answer has no usable element id")
        return CreatedElements.model_validate({**data, "elements": elements})

    def _created_object(self, answer: _Answer) -> dict[str, Any]:
        """A create's JSON object answer; anything else leaves the outcome unknown (something may exist)."""
        if answer.truncated:
            raise outcome_unknown(f"useapi answered the submission with more than {self.max_body} bytes.")
        try:
            data = json.loads(answer.text)
        except ValueError:
            data = None
        if isinstance(data, list):
            return {"elements": data}
        if not isinstance(data, dict):
            raise outcome_unknown(
                f"useapi answered the submission with HTTP {answer.status_code} and a body that is not a JSON object "
                f"({answer.content_type})."
            )
        return data

    # --- reads ---

    async def list_motions(self, *, mine: bool | None = None, email: str | None = None) -> Listing:
        """GET /videos/motions (Postman: ``mine`` true lists the account's own motions, else Kling's templates)."""
        params = _query(email)
        if mine is not None:
            params["mine"] = "true" if mine else "false"
        return await self._read(Listing, "GET", "/videos/motions", operation="download", params=params)

    async def list_effects(self, email: str | None = None) -> Listing:
        """GET /videos/effects (Postman)."""
        return await self._read(Listing, "GET", "/videos/effects", operation="download", params=_query(email))

    async def list_elements(
        self,
        *,
        tag: str | None = None,
        page_num: int | None = None,
        page_size: int | None = None,
        email: str | None = None,
    ) -> ElementList:
        """GET /elements (useapi doc "List elements" 2026-02-09: ``tag``, ``pageNum`` ≥ 1, ``pageSize`` 1–100)."""
        params = _query(email)
        if tag is not None:
            params["tag"] = tag
        if page_num is not None:
            params["pageNum"] = str(int(page_num))
        if page_size is not None:
            params["pageSize"] = str(int(page_size))
        return await self._read(ElementList, "GET", "/elements", operation="download", params=params)

    async def list_element_tags(self, email: str | None = None) -> Listing:
        """GET /elements/tags (Postman)."""
        return await self._read(Listing, "GET", "/elements/tags", operation="download", params=_query(email))

    async def list_element_voices(self, email: str | None = None) -> Listing:
        """GET /elements/voices (Postman)."""
        return await self._read(Listing, "GET", "/elements/voices", operation="download", params=_query(email))

    async def get_element(self, element_id: str, email: str | None = None) -> Element:
        """GET /elements/{elementId}?email= (Postman; the answer is the element, flat or under ``element``)."""
        path = f"/elements/{_element_segment(element_id)}"
        return await self._read(Element, "GET", path, operation="download", params=_query(email))

    async def delete_element(self, element_id: str, email: str | None = None) -> DeletedElement:
        """DELETE /elements/{elementId}?email= (Postman). A delete is idempotent, so it takes the repeatable path:
        a retry after a lost answer deletes nothing more (the element is already gone; a 404 then says so)."""
        path = f"/elements/{_element_segment(element_id)}"
        return await self._read(DeletedElement, "DELETE", path, operation="download", params=_query(email))


def _query(email: str | None) -> dict[str, str]:
    # The client's own email check (imported here: client.py imports this module).
    from kling_mcp.api.client import _email

    return _email(email)


def _element_segment(element_id: str) -> str:
    """An element id as one URL path segment. Ids look like ``u_309377170505500`` (Postman) or ``o_…``; anything
    that could change the path or the query is refused before sending."""
    if not element_id or not all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in element_id):
        raise InvalidParameterError(
            "element_id",
            element_id,
            "not a Kling element id",
            "an id from list_elements, such as u_309377170505500 (letters, digits, _ and -)",
        )
    return element_id
