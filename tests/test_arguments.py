"""The argument models are the one list of each tool's parameters: the catalog's validators take exactly their
request part, and every model refuses a name it does not have."""

from __future__ import annotations

import inspect

import pytest
from pydantic import ValidationError

from kling_mcp import catalog
from kling_mcp.arguments import AnimateImage, Arguments, GenerateVideo
from kling_mcp.tools import TOOLSETS


@pytest.mark.parametrize(
    ("model", "validator"),
    [(GenerateVideo, catalog.validate_text2video), (AnimateImage, catalog.validate_image2video)],
)
def test_the_catalog_checks_exactly_the_request_part_of_the_arguments(
    model: type[GenerateVideo], validator: object
) -> None:
    taken = set(inspect.signature(validator).parameters) - {"email"}  # type: ignore[arg-type]
    assert taken == set(model.model_fields) - model.SUBMISSION


def test_every_tool_has_an_argument_model_that_refuses_unknown_names() -> None:
    specs = [spec for toolset in TOOLSETS for spec in toolset.tools]
    assert len(specs) == 7
    for spec in specs:
        assert issubclass(spec.arguments, Arguments), spec.name
        with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
            spec.arguments.model_validate({"modle_name": "kling-v3-0"})
