"""THE model table: what each Kling model allows, on which endpoint, what it costs, and which source says so.

Validation (``validate_text2video`` / ``validate_image2video``), the tool descriptions, the ``kling://models``
resource, ``list_models`` and the README's model table are all generated from ``MODELS`` (``table.py``). Change a rule
there and every one of them follows.

Every rule carries the ``Fact`` it rests on (source + what the source says). The sources, newest first:

* useapi's Postman collection "Kling API v1", updated 2026-07-20 (../shared/reference/useapi-kling-postman-fields.md);
* useapi.net's guide "Kling v3 via the Kling API", 2026-06-22 (the seed document, with its Node script);
* useapi's image2video-frames documentation page, 2026-06-17 (reference useapi-kling-api.md §5.2);
* useapi's text2video documentation page, 2025 (reference §5.1), cited in comments only.

Where two sources disagree, the newer one wins. Silence is not disagreement: the Postman collection gives no
per-model rule for negative_prompt at all (not even for the models the guide names), so its silence does not
override the guide. Where no source states a rule for a model, the catalog takes the safe reading (refuse rather
than send something the upstream may bill and then ignore or reject) and marks the rule ``inferred``, in the error
message as well as in ``kling://models``, so that a user who knows better can tell.

The package: ``sources.py`` (the documents and what each says), ``table.py`` (the model table), ``rules.py``
(validation: the exact upstream body and the credit estimate, or an InvalidParameterError), ``document.py``
(kling://models and the README table).
"""

from kling_mcp.catalog.document import catalog_document, markdown_table
from kling_mcp.catalog.rules import Estimate, utf16_length, validate_image2video, validate_text2video
from kling_mcp.catalog.sources import SOURCES, Fact, Source
from kling_mcp.catalog.table import (
    ASPECT_RATIOS,
    DEFAULT_IMAGE2VIDEO_MODEL,
    DEFAULT_TEXT2VIDEO_MODEL,
    IMAGE2VIDEO_MODELS,
    MAX_PROMPT,
    MODELS,
    PROMPT_UNIT,
    RESOLUTIONS,
    TEXT2VIDEO_MODELS,
    ModelSpec,
    Offer,
    Rate,
)

__all__ = [
    "ASPECT_RATIOS",
    "DEFAULT_IMAGE2VIDEO_MODEL",
    "DEFAULT_TEXT2VIDEO_MODEL",
    "IMAGE2VIDEO_MODELS",
    "MAX_PROMPT",
    "MODELS",
    "PROMPT_UNIT",
    "RESOLUTIONS",
    "SOURCES",
    "TEXT2VIDEO_MODELS",
    "Estimate",
    "Fact",
    "ModelSpec",
    "Offer",
    "Rate",
    "Source",
    "catalog_document",
    "markdown_table",
    "utf16_length",
    "validate_image2video",
    "validate_text2video",
]
