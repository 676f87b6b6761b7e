"""THE model and endpoint tables: what each Kling model and each video endpoint allows, what it costs, and which
source says so.

Validation (``validate_text2video`` / ``validate_image2video``), the tool descriptions, the ``kling://models``
resource, ``list_models`` and the README's model table are all generated from ``MODELS`` (``table.py``); the other
endpoints' validation (``validate_omni``, ``validate_multi_image``, ``validate_extend``, ``validate_motion``,
``validate_effect``, ``validate_element``) and the ``endpoints`` section of ``kling://models`` from ``ENDPOINTS``
(``endpoints.py``). Change a rule there and every one of them follows.

Every rule carries the ``Fact`` it rests on (source + what the source says). The sources, newest first:

* useapi's Postman collection "Kling API v1", updated 2026-07-20 (../shared/reference/useapi-kling-postman-fields.md);
* useapi.net's guide "Kling v3 via the Kling API", 2026-06-22 (the seed document, with its Node script);
* useapi's image2video-frames documentation page, 2026-06-17 (reference useapi-kling-api.md §5.2);
* useapi's own example scripts on GitHub, June 2026 and later (reference §0 [GH], §5.4: omni's 7 images);
* useapi's omni page (2025-12-11, updated 2026-01-12: the 1700-character prompt, a video's auto ratio, 4 images
  with a video) and GET /videos/effects page (2025-07-25: each effect's modes and whether it takes a prompt);
* useapi's text2video documentation page, 2025 (reference §5.1), cited in comments only.

Where two sources disagree, the newer one wins. Silence is not disagreement: the Postman collection gives no
per-model rule for negative_prompt at all (not even for the models the guide names), so its silence does not
override the guide. Where no source states a rule for a model, the catalog takes the safe reading (refuse rather
than send something the upstream may bill and then ignore or reject) and marks the rule ``inferred``, in the error
message as well as in ``kling://models``, so that a user who knows better can tell.

The package: ``sources.py`` (the documents and what each says), ``table.py`` (the model table), ``endpoints.py``
(the endpoint table: every video endpoint's models, rules and credit basis), ``checks.py`` (``Rule`` and the checks
every endpoint shares), ``shots.py`` (multi-shot), ``references.py`` (element ids, ``@image_N`` references),
``rules.py`` (text/image-to-video validation) and ``video.py`` (the other endpoints' validation): each validator
returns the exact upstream body and the credit estimate, or raises an InvalidParameterError; ``document.py``
(kling://models and the README table).
"""

from kling_mcp.catalog.checks import MAX_PROMPT, PROMPT_UNIT, Rule, utf16_length
from kling_mcp.catalog.document import catalog_document, markdown_table
from kling_mcp.catalog.endpoints import ENDPOINTS, MAX_OMNI_PROMPT, Endpoint
from kling_mcp.catalog.images import (
    IMAGE_ENDPOINTS,
    validate_image,
    validate_recognize_faces,
    validate_try_on,
    validate_upscale,
)
from kling_mcp.catalog.rules import Estimate, validate_image2video, validate_text2video
from kling_mcp.catalog.sound import (
    SOUND_ENDPOINTS,
    validate_add_sound,
    validate_avatar,
    validate_avatar_video,
    validate_lip_sync,
    validate_speech,
)
from kling_mcp.catalog.sources import SOURCES, Fact, Source
from kling_mcp.catalog.table import (
    ASPECT_RATIOS,
    DEFAULT_IMAGE2VIDEO_MODEL,
    DEFAULT_TEXT2VIDEO_MODEL,
    IMAGE2VIDEO_MODELS,
    MODELS,
    RESOLUTIONS,
    TEXT2VIDEO_MODELS,
    ModelSpec,
    Offer,
    Rate,
)
from kling_mcp.catalog.video import (
    effect_names,
    validate_effect,
    validate_element,
    validate_extend,
    validate_motion,
    validate_multi_image,
    validate_omni,
)

__all__ = [
    "ASPECT_RATIOS",
    "DEFAULT_IMAGE2VIDEO_MODEL",
    "DEFAULT_TEXT2VIDEO_MODEL",
    "ENDPOINTS",
    "IMAGE2VIDEO_MODELS",
    "IMAGE_ENDPOINTS",
    "MAX_OMNI_PROMPT",
    "MAX_PROMPT",
    "MODELS",
    "PROMPT_UNIT",
    "RESOLUTIONS",
    "SOUND_ENDPOINTS",
    "SOURCES",
    "TEXT2VIDEO_MODELS",
    "Endpoint",
    "Estimate",
    "Fact",
    "ModelSpec",
    "Offer",
    "Rate",
    "Rule",
    "Source",
    "catalog_document",
    "effect_names",
    "markdown_table",
    "utf16_length",
    "validate_add_sound",
    "validate_avatar",
    "validate_avatar_video",
    "validate_effect",
    "validate_element",
    "validate_extend",
    "validate_image",
    "validate_image2video",
    "validate_lip_sync",
    "validate_motion",
    "validate_multi_image",
    "validate_omni",
    "validate_recognize_faces",
    "validate_speech",
    "validate_text2video",
    "validate_try_on",
    "validate_upscale",
]
