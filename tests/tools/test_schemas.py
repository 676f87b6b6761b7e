"""The tools' input schemas as agent frameworks read them: valid JSON Schema 2020-12, defaults that fit their own
property, optional parameters without null, and every description, enum and bound kept by the converters that
google-genai (``mcp_to_gemini_tool``) and langchain-core (``convert_to_openai_tool``, plain and strict) apply; and the
schema published over MCP is the tool's argument model, nothing else."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from google.genai._mcp_utils import mcp_to_gemini_tool
from jsonschema import Draft202012Validator
from langchain_core.tools import StructuredTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from mcp import Client
from mcp.types import Tool

from kling_mcp.tools import TOOLSETS
from kling_mcp.tools.registry import untitled

pytestmark = pytest.mark.anyio

MODELS = {spec.name: spec.arguments for toolset in TOOLSETS for spec in toolset.tools}
SEVEN = {"generate_video", "animate_image", "get_task", "download_clean", "get_balance", "list_jobs", "list_models"}


@pytest.fixture(autouse=True)
def _quiet_genai() -> Iterator[None]:
    """google-genai logs a note for every schema it converts."""
    logger = logging.getLogger("google_genai.types")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)


@pytest.fixture
async def tools(client: Client) -> list[Tool]:
    listed = (await client.list_tools()).tools
    assert {tool.name for tool in listed} == set(MODELS) and set(MODELS) > SEVEN  # every toolset is served by default
    return listed


def _properties(tool: Tool) -> dict[str, dict[str, Any]]:
    properties: dict[str, dict[str, Any]] = tool.input_schema.get("properties", {})
    return properties


async def test_every_input_schema_is_valid_json_schema_2020_12(tools: list[Tool]) -> None:
    for tool in tools:
        Draft202012Validator.check_schema(tool.input_schema)
        assert tool.input_schema["type"] == "object", tool.name


async def test_the_published_schema_is_the_tools_argument_model(tools: list[Tool]) -> None:
    for tool in tools:
        own = MODELS[tool.name].model_json_schema()
        untitled(own)  # what the registry publishes: the model's schema without pydantic's property titles
        published = dict(tool.input_schema)
        assert published.get("properties", {}) == own.get("properties", {}), tool.name
        assert published.get("required", []) == own.get("required", []), tool.name


async def test_every_default_validates_against_its_own_property(tools: list[Tool]) -> None:
    checked = 0
    for tool in tools:
        for name, prop in _properties(tool).items():
            if "default" in prop:
                errors = [e.message for e in Draft202012Validator(prop).iter_errors(prop["default"])]
                assert not errors, (tool.name, name, errors)
                checked += 1
    assert checked >= 8  # model_name, aspect_ratio, wait_seconds (x3), save, overwrite, limit


async def test_optional_parameters_are_not_required_and_never_null(tools: list[Tool]) -> None:
    """google-genai turns anyOf [X, null] into a nullable X and drops the description, enum and bounds beside it;
    leaving a parameter out is how a caller asks for its default."""
    for tool in tools:
        required = set(tool.input_schema.get("required", []))
        for name, prop in _properties(tool).items():
            text = repr(prop)
            assert "anyOf" not in prop and "oneOf" not in prop, (tool.name, name, prop)
            assert "'null'" not in text and prop.get("type") != "null", (tool.name, name, prop)
            assert prop.get("default", 0) is not None, (tool.name, name, prop)
            if name not in required:
                assert "default" in prop or name in _optional(tool.name), (tool.name, name)
            assert prop.get("description"), (tool.name, name)
    generate = {t.name: t for t in tools}["generate_video"].input_schema
    # prompt is required unless shots are given: the catalog refuses, the schema cannot say it in a form every
    # converter keeps (a top-level anyOf of required lists), so neither is required there.
    assert generate.get("required", []) == []
    assert _properties_of(generate)["mode"] == {
        **_properties_of(generate)["mode"],
        "type": "string",
        "enum": ["std", "pro", "4k"],
    }


def _properties_of(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    properties: dict[str, dict[str, Any]] = schema["properties"]
    return properties


def _optional(tool: str) -> set[str]:
    """The tool's parameters that default to leaving them out (None in the argument model, or "" for a text)."""
    fields = MODELS[tool].model_fields
    return {name for name, info in fields.items() if not info.is_required() and info.default in (None, "")}


def _gemini(tool: Tool) -> dict[str, Any]:
    declaration = mcp_to_gemini_tool(tool).function_declarations
    assert declaration is not None and len(declaration) == 1
    converted = declaration[0].model_dump(mode="json", exclude_none=True)
    return converted


def _langchain(tool: Tool, *, strict: bool) -> dict[str, Any]:
    """As langchain-mcp-adapters builds a LangChain tool from an MCP tool, converted for OpenAI function calling."""

    async def call(**_: Any) -> str:
        return ""

    structured = StructuredTool(
        name=tool.name, description=tool.description or "", args_schema=tool.input_schema, coroutine=call
    )
    function: dict[str, Any] = convert_to_openai_tool(structured, strict=strict)["function"]
    return function


@pytest.mark.parametrize("converter", ["gemini", "openai", "openai-strict"])
async def test_every_description_enum_and_bound_survives_the_converters(tools: list[Tool], converter: str) -> None:
    for tool in tools:
        if converter == "gemini":
            converted = _gemini(tool)
            properties = converted.get("parameters", {}).get("properties", {})
        else:
            converted = _langchain(tool, strict=converter == "openai-strict")
            properties = converted["parameters"].get("properties", {})
        assert converted["description"] == tool.description, (converter, tool.name)
        assert set(properties) == set(_properties(tool)), (converter, tool.name)
        for name, prop in _properties(tool).items():
            kept = properties[name]
            assert kept.get("description") == prop["description"], (converter, tool.name, name)
            if "enum" in prop:
                assert kept.get("enum") == prop["enum"], (converter, tool.name, name, kept)
            for bound in ("minimum", "maximum"):
                if bound in prop:
                    # Gemini's schema holds bounds as floats: 2^63-1 arrives as the nearest float (the description
                    # states the exact bound).
                    assert float(kept.get(bound, "nan")) == float(prop[bound]), (converter, tool.name, name, bound)


async def test_strict_conversion_leaves_no_enum_excluding_its_own_default(tools: list[Tool]) -> None:
    """In OpenAI strict mode every parameter is required: a parameter whose enum left out its own default (the old
    ``mode``: an enum of std/pro/4k beside a null default) would force a choice the schema itself contradicts."""
    for tool in tools:
        parameters = _langchain(tool, strict=True)["parameters"]
        for name, prop in parameters.get("properties", {}).items():
            if "enum" in prop and "default" in prop:
                assert prop["default"] in prop["enum"], (tool.name, name, prop)


async def test_tool_descriptions_carry_what_a_converter_may_drop(tools: list[Tool]) -> None:
    """mcp-use's adapter drops every enum and bound: the descriptions still say the allowed values."""
    for tool in tools:
        for name, prop in _properties(tool).items():
            for value in prop.get("enum", []):
                if name != "model_name":  # the models are listed, one a line, in the tool's own description
                    assert str(value) in prop["description"] or value in ("std", "pro", "4k"), (tool.name, name)
            if name == "model_name":
                assert all(f"- {value}: " in (tool.description or "") for value in prop["enum"]), tool.name
            for bound in ("minimum", "maximum"):
                if bound in prop and name not in ("wait_seconds",):
                    shown = f"{prop[bound]:g}" if bound != "maximum" or prop[bound] < 2**53 else "2^63-1"
                    assert shown in prop["description"], (tool.name, name, bound, prop["description"])


def test_input_schemas_carry_no_property_titles_but_keep_a_property_named_title() -> None:
    schema = {
        "title": "Args",
        "type": "object",
        "properties": {
            "title": {"title": "Title", "type": "string"},
            "shots": {"title": "Shots", "type": "array", "items": {"title": "Shot", "type": "object"}},
            "mode": {"title": "Mode", "anyOf": [{"title": "A", "type": "string"}]},
        },
    }
    untitled(schema)
    assert schema == {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "shots": {"type": "array", "items": {"type": "object"}},
            "mode": {"anyOf": [{"type": "string"}]},
        },
    }


def _titles(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["title"]] if isinstance(schema.get("title"), str) else []
        return own + [t for key, value in schema.items() if key != "title" for t in _titles(value)]
    if isinstance(schema, list):
        return [t for value in schema for t in _titles(value)]
    return []


async def test_no_tool_publishes_a_title_beside_its_parameters(tools: list[Tool]) -> None:
    for tool in tools:
        assert _titles(tool.input_schema) == [], tool.name
