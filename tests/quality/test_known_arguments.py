"""Arbitrary values under known argument names reach each tool's own validation (property-based, with hypothesis).

tests/tools/test_bad_input.py draws argument names from the union of every tool's names and from random text, so
about 97% of its calls carry a name the tool does not take and stop at the unknown-argument guard. Here every call
uses only names from the tool's own input schema (read from tools/list, so the test follows the tools as they
change), with values that are sometimes arbitrary JSON and sometimes close to valid (enum members, bounds and just
past them, real local images, data: URIs, Kling CDN URLs), so the calls go through the argument models, the catalog,
the file rules and, when all pass, to the mocked upstream. Every call must answer a result or a coded error: never a
crash, never internal_error, never the unknown-argument refusal, nothing spent on an invalid_parameter, no token.
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import respx
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from mcp import Client

from kling_mcp.config import Settings
from kling_mcp.server import create_server
from tests.conftest import API, TOKEN
from tests.factories import MP4, account_detail, accounts, task
from tests.mcp_results import error_of

Schema = dict[str, Any]


def _png(width: int = 320, height: int = 320) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


def _resolve(schema: Schema, root: Schema) -> Schema:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: Schema = root.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
        return {**resolved, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _branches(schema: Schema, root: Schema) -> list[Schema]:
    """The schema and every alternative under anyOf/oneOf/allOf, $refs resolved."""
    schema = _resolve(schema, root)
    found = [schema]
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _branches(sub, root)
    return found


def _near_valid(schema: Schema, root: Schema, strings: list[str]) -> st.SearchStrategy[Any]:
    """Values close to what the property accepts: its enum members and default, its type's edge cases, and the
    bounds with their neighbours just outside."""
    values: list[Any] = []
    types: set[str] = set()
    for branch in _branches(schema, root):
        values += list(branch.get("enum", []))
        if "const" in branch:
            values.append(branch["const"])
        if "default" in branch:
            values.append(branch["default"])
        kind = branch.get("type")
        types |= set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()
        for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if isinstance(branch.get(bound), int | float):
                values += [branch[bound] - 1, branch[bound], branch[bound] + 1]
        if isinstance(branch.get("maxLength"), int):
            values += ["x" * branch["maxLength"], "x" * (branch["maxLength"] + 1)]
    options: list[st.SearchStrategy[Any]] = []
    if values:
        options.append(st.sampled_from(values))
    if "integer" in types:
        options.append(st.sampled_from([0, 1, 3, 5, 10, 15, 16, 42, -1, 2**63, 2**63 - 1]))
    if "number" in types:
        options.append(st.sampled_from([0, 0.0, 0.5, 1, 1.5, -0.1, 5, 50, 1e9, math.inf, math.nan]))
    if "boolean" in types:
        options.append(st.booleans())
    if "string" in types:
        options.append(st.sampled_from(strings) | st.text(max_size=12))
    if "null" in types:
        options.append(st.none())
    return st.one_of(options) if options else JSON


def _arguments(schema: Schema, strings: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Only the schema's own property names: usually every required one, the others optional."""
    properties: dict[str, Schema] = schema.get("properties", {})
    required = [name for name in schema.get("required", []) if name in properties]
    values = {name: _near_valid(sub, schema, strings) | JSON for name, sub in properties.items()}
    optional = {name: v for name, v in values.items() if name not in required}
    with_required = st.fixed_dictionaries({name: values[name] for name in required}, optional=optional)
    return with_required | st.fixed_dictionaries({}, optional=values)


async def _schemas(settings_: Settings) -> dict[str, Schema]:
    async with Client(create_server(settings_)) as client:
        listed = await client.list_tools()
    return {tool.name: dict(tool.input_schema) for tool in listed.tools}


def _mock(router: respx.MockRouter) -> dict[str, respx.Route]:
    router.get("/accounts").respond(json=accounts("a@x.com"))
    router.get("/accounts/a@x.com").respond(json=account_detail())
    router.get(path__regex=r"/tasks/\d+").respond(json=task(42, 99, works=1))
    router.get("/assets/download").respond(json={"cdnUrl": "https://cdn.test/c.mp4", "status": "success"})
    router.get("https://cdn.test/c.mp4").respond(content=MP4)
    router.get("https://cdn.test/frame.png").respond(content=_png(), headers={"content-type": "image/png"})
    return {
        "create": router.post(path__regex=r"/videos/.*").respond(json=task(42)),
        "upload": router.post(path__regex=r"/assets/?").respond(
            json={"status": 3, "url": "https://s21-kling.klingai.com/up/u.png"}
        ),
    }


async def _check(calls: list[tuple[str, dict[str, Any]]], settings_: Settings, outcomes: Counter[str]) -> None:
    # Requests to hosts nobody mocked (an image URL the strategy made up) get an empty 200, never an exception.
    with respx.mock(base_url=API, assert_all_called=False, assert_all_mocked=False) as router:
        routes = _mock(router)
        async with Client(create_server(settings_)) as client:
            for name, arguments in calls:
                spent_before = routes["create"].call_count + routes["upload"].call_count
                with anyio.fail_after(30):  # only stops a hang
                    result = await client.call_tool(name, arguments)
                code = "ok"
                if result.is_error:
                    error = error_of(result)  # coded, in the text and in _meta
                    code = error["code"]
                    assert code != "internal_error", (name, arguments)
                    assert not error["message"].startswith("Unknown argument"), (name, arguments)
                    if code == "invalid_parameter":
                        spent = routes["create"].call_count + routes["upload"].call_count
                        assert spent == spent_before, (name, arguments)
                else:
                    assert result.structured_content is not None
                assert TOKEN not in str(result.model_dump())
                outcome = f"{name}: {code}" + (" (with arguments)" if arguments else "")
                event(outcome)
                outcomes[outcome] += 1


def test_known_argument_names_with_any_values_reach_each_tools_validation(make_settings: Any, tmp_path: Path) -> None:
    image = tmp_path / "frame.png"
    image.write_bytes(_png())
    small = tmp_path / "small.png"
    small.write_bytes(_png(120, 80))
    strings = [
        "a fox in the snow",
        "a@x.com",
        "nobody@x.com",
        "2026-01-01",
        "2999-01-01T00:00:00Z",
        str(image),
        image.as_uri(),
        str(small),
        str(tmp_path / "missing.png"),
        "/etc/passwd",
        "../../etc/passwd",
        "data:image/png;base64," + base64.b64encode(_png()).decode(),
        "data:image/png;base64,AAAA",
        "https://s21-kling.klingai.com/frames/start.png",
        "https://cdn.test/frame.png",
        "http://169.254.169.254/latest/meta-data",
        "  ",
        "",
        "😀" * 1300,
    ]
    settings_ = make_settings(wait_cap=0.5)
    schemas = anyio.run(_schemas, settings_)
    assert schemas, "no tools listed"
    call = st.sampled_from(sorted(schemas)).flatmap(
        lambda name: st.tuples(st.just(name), _arguments(schemas[name], strings))
    )
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(calls=st.lists(call, min_size=4, max_size=10))
    def run(calls: list[tuple[str, dict[str, Any]]]) -> None:
        anyio.run(_check, calls, settings_, outcomes)

    run()
    # The calls got past the argument names: some were refused by a tool's own rules, and some tools did their work
    # on arguments (not just on an empty call).
    refused = sum(n for outcome, n in outcomes.items() if "invalid_parameter" in outcome)
    done = sum(n for outcome, n in outcomes.items() if outcome.endswith(": ok (with arguments)"))
    assert refused > 0 and done > 0, outcomes
