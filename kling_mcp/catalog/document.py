"""The catalog as documents: the kling://models resource (and list_models), and the README's model table."""

from __future__ import annotations

import textwrap
from typing import Any

from kling_mcp.catalog.checks import MAX_PROMPT, PROMPT_UNIT
from kling_mcp.catalog.endpoints import ENDPOINTS, SHARED_RULES
from kling_mcp.catalog.images import IMAGE_ENDPOINTS, IMAGE_SOURCES
from kling_mcp.catalog.sound import SOUND_ENDPOINTS, SOUND_SOURCES
from kling_mcp.catalog.sources import GUIDE, SOURCES, TABLE_SOURCES, tags
from kling_mcp.catalog.table import (
    ASPECT_RATIOS,
    DEFAULT_IMAGE2VIDEO_MODEL,
    DEFAULT_TEXT2VIDEO_MODEL,
    MODELS,
    RATE_NOTE,
    RESOLUTIONS,
    ModelSpec,
    Offer,
)


def catalog_document() -> dict[str, Any]:
    """Everything an agent needs to pick a model and an endpoint: served as kling://models and by list_models.
    ``models`` holds what each model allows on text/image-to-video; ``endpoints`` every video endpoint's models,
    rules (with their sources; ``inferred`` where no source states one) and credit basis."""
    return {
        "defaults": {"text_to_video": DEFAULT_TEXT2VIDEO_MODEL, "image_to_video": DEFAULT_IMAGE2VIDEO_MODEL},
        "aspect_ratios": list(ASPECT_RATIOS),
        "max_prompt_chars": MAX_PROMPT,
        "prompt_length_unit": PROMPT_UNIT,
        "credits_note": RATE_NOTE,
        "sources": {s.tag: s.label() for s in (*SOURCES, *SOUND_SOURCES, *IMAGE_SOURCES)},
        "source_precedence": "Where two sources disagree, the newer one wins.",
        "models": [spec.describe() for spec in MODELS.values()],
        "endpoints": {
            **{key: endpoint.describe() for key, endpoint in {**ENDPOINTS, **SOUND_ENDPOINTS}.items()},
            **{key: endpoint.describe() for key, endpoint in IMAGE_ENDPOINTS.items()},
        },
        "shared_rules": {key: [rule.describe() for rule in rules] for key, rules in SHARED_RULES.items()},
    }


def _modes_cell(offer: Offer) -> str:
    if not offer.offered:
        return f"not offered {tags(offer.facts)}"
    shown = [f"**{m}**" if m == offer.default else m for m in offer.modes]
    documented = [s for m, s in zip(offer.modes, shown, strict=True) if m not in offer.guide_only]
    main_facts = tuple(f for f in offer.facts if f.source is not GUIDE) or offer.facts
    cell = f"{' · '.join(documented)} {tags(main_facts)}"
    guide_only = [s for m, s in zip(offer.modes, shown, strict=True) if m in offer.guide_only]
    if guide_only:
        cell += f" · {' · '.join(guide_only)} [{GUIDE.tag} only]"
    return cell


_AUDIO_WORDS: dict[str, str] = {
    "default_on": "on by default",
    "always_on": "always on",
    "pro_only": "Native Audio, pro only",
    "sound_effects": "sound effects, off by default",
}


def _frames_cell(spec: ModelSpec) -> str:
    if not spec.image_tail:
        text = "no"
    elif not spec.start_frame_required:
        text = "yes, or alone"
    elif spec.audio == "pro_only":
        text = "yes, not with audio"
    else:
        text = "yes"
    return f"{text} {tags(spec.frames_facts)}"


def markdown_table() -> str:
    """The README's model table and its key (tests check the README carries exactly this)."""
    rows = [
        "| model | text→video modes | image→video modes | durations | audio | negative_prompt | cfg_scale "
        "| end frame |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for spec in MODELS.values():
        durations = f"{spec.durations[0]}–{spec.durations[-1]} s" if len(spec.durations) > 2 else "5 / 10 s"
        rows.append(
            f"| `{spec.name}` | {_modes_cell(spec.text2video_modes)} | {_modes_cell(spec.image2video_modes)} "
            f"| {durations} {tags((spec.durations_fact,))} | {_AUDIO_WORDS[spec.audio]} {tags(spec.audio_facts)} "
            f"| {'yes' if spec.negative_prompt else 'no'} {tags((spec.negative_prompt_fact,))} "
            f"| {'yes' if spec.cfg_scale else 'no'} {tags((spec.cfg_scale_fact,))} "
            f"| {_frames_cell(spec)} |"
        )
    key = "; ".join(f"[{s.tag}] {s.label()}" for s in TABLE_SOURCES)
    legend = (
        f"Modes: std {RESOLUTIONS['std']}, pro {RESOLUTIONS['pro']}, 4k {RESOLUTIONS['4k']}; **bold** is the one sent "
        f"when `mode` is omitted. Sources: {key}. Where two sources disagree, the newer one wins; `kling://models` "
        "quotes what each source says."
    )
    rows += ["", textwrap.fill(legend, width=120, break_long_words=False, break_on_hyphens=False)]
    return "\n".join(rows)
