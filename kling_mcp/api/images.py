"""The image endpoint family: omni images, KOLORS (with or without elements), upscale, enhance, virtual try-on and
face recognition — wire models and the client methods (``ImageEndpoints``, a mixin of ``KlingClient``).

Field names are the upstream's own, from useapi's Postman collection "Kling API v1" (updated 2026-07-20; "Postman"
below), and for POST /images/enhance from useapi's page "Enhance Images" (October 15, 2026), unless a comment says
otherwise. These models check shapes only; the rules (what each endpoint allows, ranges, combinations) belong to the
catalog (``catalog/images.py``).

What each endpoint answers:

* omni, kolors, kolors-elements, upscale, virtual-try-on: a task, like every generation (reference §5.0; the upscale
  and virtual-try-on pages show ``{"task": {"id", "type": "mmu_image_upscale_aiweb" / "mmu_img2img_aitryon",
  "status": 5, "status_name": "submitted", ...}}``).
* enhance: a task too. Its page (October 15, 2026) takes ``maxJobs`` ("the maximum number of concurrent jobs"), which
  only a job-creating endpoint takes, and the listing of useapi's own MCP tool ``kling_enhance_image`` (glama.ai) says
  "A job, like kling_omni_image". The page's response example was not seen: [INF] the task answer of §5.0.
* recognize-faces: answered at once, free ("You can execute an unlimited number of face detections for free",
  useapi page "Detect Faces in Images", April 24, 2025), with ``{"status": 0, "message": "", "faceItems": [...],
  "mediaInfo": {...}}``. It creates nothing, so it takes the repeatable path like a read.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import Field

from kling_mcp.api.models import TaskResponse, _Request, _Response

if TYPE_CHECKING:
    from kling_mcp.api.client import CreateAttempt, CreateBody, ModelT
    from kling_mcp.api.errors import Operation

MAX_OMNI_IMAGE_REFERENCES = 10  # useapi omni image page: image_1 … image_10, element_1 … element_10
MAX_KOLORS_IMAGES = 10  # useapi KOLORS page (February 9, 2026): "Reference images (image_1-image_10)", v3.0

# --- requests -----------------------------------------------------------------------------------------------------


class _Numbered(_Request):
    """``image_1`` … ``image_10`` (reference images, named in the prompt as ``@image_N``)."""

    image_1: str | None = None
    image_2: str | None = None
    image_3: str | None = None
    image_4: str | None = None
    image_5: str | None = None
    image_6: str | None = None
    image_7: str | None = None
    image_8: str | None = None
    image_9: str | None = None
    image_10: str | None = None


class OmniImageRequest(_Numbered):
    """POST /images/omni body (Postman: ``prompt`` "Required … Use @image_1, @element_1 to reference inputs";
    ``omni_version`` "v3(default), o1"; ``resolution`` "1k(default), 2k, 4k (v3 only, VIP required)";
    ``aspect_ratio`` "auto(v3 default), 16:9(O1 default), …"; ``imageCount`` "1-9"; ``story_mode`` "v3 only").
    Postman lists ``image_1`` / ``element_1`` as the pattern; useapi's omni image page (January 12, 2026) runs them
    to ``image_10`` / ``element_10``."""

    prompt: str
    email: str | None = None
    omni_version: str | None = None
    resolution: str | None = None
    aspect_ratio: str | None = None
    imageCount: int | None = None
    story_mode: bool | None = None
    element_1: str | None = None
    element_2: str | None = None
    element_3: str | None = None
    element_4: str | None = None
    element_5: str | None = None
    element_6: str | None = None
    element_7: str | None = None
    element_8: str | None = None
    element_9: str | None = None
    element_10: str | None = None


class KolorsRequest(_Numbered):
    """POST /images/kolors body (Postman: ``prompt`` required; ``version``, ``reference`` none/subject/face/restyle,
    ``imageReference``, ``aspect_ratio``, ``imageCount``, ``faceStrength``, ``subjectStrength``, ``faceNo``).
    ``resolution`` and ``image_1`` … ``image_10`` come from useapi's KOLORS page (February 9, 2026: v3.0 reference
    images; resolution 1k / 2k)."""

    prompt: str
    email: str | None = None
    version: str | None = None
    reference: str | None = None
    imageReference: str | None = None
    aspect_ratio: str | None = None
    imageCount: int | None = None
    resolution: str | None = None
    faceStrength: int | None = None
    subjectStrength: int | None = None
    faceNo: int | None = None


class KolorsElementsRequest(_Request):
    """POST /images/kolors-elements body (Postman: ``prompt`` optional; ``subjectImage1`` … ``subjectImage4``,
    ``sceneImage``, ``styleImage``, ``aspect_ratio``, ``imageCount``)."""

    email: str | None = None
    prompt: str | None = None
    aspect_ratio: str | None = None
    imageCount: int | None = None
    subjectImage1: str | None = None
    subjectImage2: str | None = None
    subjectImage3: str | None = None
    subjectImage4: str | None = None
    sceneImage: str | None = None
    styleImage: str | None = None


class UpscaleImageRequest(_Request):
    """POST /images/upscale body (Postman: ``task_id`` "the ID of a completed task that generated the image. Must be
    in the succeed status"; ``workId`` "the ID of the specific image from the task"). Both are sent as JSON numbers,
    as tasks carry them (reference §5.0, §6.1)."""

    task_id: int
    workId: int
    email: str | None = None


class EnhanceImageRequest(_Request):
    """POST /images/enhance body (useapi page "Enhance Images", October 15, 2026: ``image`` "required, the URL of the
    image to enhance"; ``resolution`` "2k (1 credit), 4k (2 credits). Default: 2k")."""

    image: str
    email: str | None = None
    resolution: str | None = None


class VirtualTryOnRequest(_Request):
    """POST /images/virtual-try-on body (Postman: ``humanImage`` required; ``upperInput``, ``lowerInput``,
    ``dressInput`` optional; ``imageCount`` "1(default)...4")."""

    humanImage: str
    email: str | None = None
    upperInput: str | None = None
    lowerInput: str | None = None
    dressInput: str | None = None
    imageCount: int | None = None


class RecognizeFacesRequest(_Request):
    """POST /images/recognize-faces body (Postman: ``imageReference`` "Required, the URL of the image to analyze")."""

    imageReference: str
    email: str | None = None


ImageCreate = (
    OmniImageRequest
    | KolorsRequest
    | KolorsElementsRequest
    | UpscaleImageRequest
    | EnhanceImageRequest
    | VirtualTryOnRequest
)

# Where each task-creating body goes.
IMAGE_PATHS: dict[type[_Request], str] = {
    OmniImageRequest: "/images/omni",
    KolorsRequest: "/images/kolors",
    KolorsElementsRequest: "/images/kolors-elements",
    UpscaleImageRequest: "/images/upscale",
    EnhanceImageRequest: "/images/enhance",
    VirtualTryOnRequest: "/images/virtual-try-on",
}

# --- responses ----------------------------------------------------------------------------------------------------


class FaceResource(_Response):
    """One picture of a detected face (``name`` "face" is the face itself, "face_feature" its features)."""

    name: str | None = None
    type: str | None = None
    url: str | None = None


class FaceArgument(_Response):
    name: str | None = None
    value: Any = None


class FaceItem(_Response):
    """One detected face (useapi page "Detect Faces in Images", April 24, 2025): ``name`` like "face_0",
    ``resources`` its pictures, ``arguments`` with ``face_bound`` = a JSON string ``{"x","y","width","height"}``."""

    name: str | None = None
    resources: list[FaceResource] = Field(default_factory=list)
    arguments: list[FaceArgument] = Field(default_factory=list)

    @property
    def face_url(self) -> str | None:
        """The picture of the face itself (the "face" resource; else the first one with a URL)."""
        urls = [(r.name, r.url) for r in self.resources if r.url]
        return next((url for name, url in urls if name == "face"), urls[0][1] if urls else None)

    @property
    def bound(self) -> dict[str, float] | None:
        """Where the face is in the image (``face_bound``: x, y, width, height), when the answer says so."""
        for argument in self.arguments:
            if argument.name != "face_bound":
                continue
            value = argument.value
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    return None
            if isinstance(value, dict):
                box = {k: value[k] for k in ("x", "y", "width", "height") if isinstance(value.get(k), int | float)}
                return {k: float(v) for k, v in box.items()} or None
        return None


class MediaInfo(_Response):
    type: str | None = None
    width: int | None = None
    height: int | None = None


class FaceRecognition(_Response):
    """POST /images/recognize-faces' answer: ``faceItems`` in the order Kling numbers them (``faceNo`` 1 is the first,
    POST /images/kolors: "the index of the face to use in multi-face images … Default: 1"). No face: an empty
    list."""

    status: int | None = None
    message: str | None = None
    faceItems: list[FaceItem] = Field(default_factory=list)
    mediaInfo: MediaInfo | None = None


# --- client methods -------------------------------------------------------------------------------------------------


class ImageEndpoints:
    """Client methods of the image family. Mixed into KlingClient, whose request loop they use."""

    if TYPE_CHECKING:

        async def _create(
            self, path: str, request: CreateBody, deadline: float | None, tracker: CreateAttempt | None
        ) -> TaskResponse: ...

        async def _read(
            self, model: type[ModelT], method: str, path: str, *, operation: Operation, **kwargs: Any
        ) -> ModelT: ...

    async def create_image(
        self, request: ImageCreate, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> TaskResponse:
        """Any task-creating image body, sent to its endpoint (``IMAGE_PATHS``): one tool may choose among several
        (generate_image: omni, kolors or kolors-elements; upscale_image: upscale or enhance)."""
        return await self._create(IMAGE_PATHS[type(request)], request, deadline, tracker)

    async def create_omni_image(
        self, request: OmniImageRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> TaskResponse:
        """POST /images/omni (Postman)."""
        return await self._create("/images/omni", request, deadline, tracker)

    async def create_kolors_image(
        self, request: KolorsRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> TaskResponse:
        """POST /images/kolors (Postman)."""
        return await self._create("/images/kolors", request, deadline, tracker)

    async def create_kolors_elements_image(
        self, request: KolorsElementsRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> TaskResponse:
        """POST /images/kolors-elements (Postman)."""
        return await self._create("/images/kolors-elements", request, deadline, tracker)

    async def upscale_image(
        self, request: UpscaleImageRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> TaskResponse:
        """POST /images/upscale: a new task (useapi's upscale page: ``task.type`` ``mmu_image_upscale_aiweb``)."""
        return await self._create("/images/upscale", request, deadline, tracker)

    async def enhance_image(
        self, request: EnhanceImageRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> TaskResponse:
        """POST /images/enhance: a task (see the module's note: [INF] the task answer of reference §5.0)."""
        return await self._create("/images/enhance", request, deadline, tracker)

    async def create_virtual_try_on(
        self, request: VirtualTryOnRequest, *, deadline: float | None = None, tracker: CreateAttempt | None = None
    ) -> TaskResponse:
        """POST /images/virtual-try-on (reference §5.0: ``task.type`` ``mmu_img2img_aitryon``)."""
        return await self._create("/images/virtual-try-on", request, deadline, tracker)

    async def recognize_faces(self, request: RecognizeFacesRequest) -> FaceRecognition:
        """POST /images/recognize-faces: answered at once and free, so it is sent like a read (a resend after a lost
        answer costs nothing and creates nothing)."""
        if request.email is not None:
            from kling_mcp.api.client import _check_email  # client.py imports this module

            _check_email(request.email)
        return await self._read(
            FaceRecognition, "POST", "/images/recognize-faces", operation="download", json=request.to_body()
        )


__all__ = [
    "IMAGE_PATHS",
    "MAX_KOLORS_IMAGES",
    "MAX_OMNI_IMAGE_REFERENCES",
    "EnhanceImageRequest",
    "FaceItem",
    "FaceRecognition",
    "ImageCreate",
    "ImageEndpoints",
    "KolorsElementsRequest",
    "KolorsRequest",
    "OmniImageRequest",
    "RecognizeFacesRequest",
    "UpscaleImageRequest",
    "VirtualTryOnRequest",
]
