"""The simulator's element endpoints (useapi's element pages, DOC-ELEMENTS in ``rules.SOURCES``): POST /elements,
GET /elements, GET /elements/tags, GET /elements/voices, GET and DELETE /elements/{elementId}.

What POST /elements accepts and the element objects are ``elements.py``; elements live in the account's state,
so that omni, image2video-frames, image2video-elements and motion-create can tell whether an id is the account's.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kling_mcp.simulator import elements, presets, rules
from kling_mcp.simulator.handlers import ApiError, account_email, refused, request_body
from kling_mcp.simulator.lookups import AccountView
from kling_mcp.simulator.state import SimulatorState


async def create(request: Request, state: SimulatorState) -> Response:
    """POST /elements: the element created (as GET /elements/{id} answers it), or with generateViews
    ``{"elements": [...]}`` with the three created. The answer's shape is not in the pages read [INF]."""
    body = await request_body(request)
    email = account_email(state, body.get("email"))
    try:
        accepted = elements.check(body, AccountView(state, email))
    except rules.Refused as exc:
        raise refused(exc) from None
    now_ms = int(time.time() * 1000)
    created = []
    for _ in range(accepted.count):
        element = elements.build(accepted, elements.new_id(), now_ms)
        state.add_element(email, element)
        created.append(element)
    return JSONResponse(created[0] if accepted.count == 1 else {"elements": created})


def _page(request: Request, name: str, default: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit() or int(raw) < 1 or (high is not None and int(raw) > high):
        allowed = f"1 to {high}" if high is not None else "1 or greater"
        raise ApiError(400, f"Parameter {name} {raw[:20]!r} is not supported. Valid values: {allowed}")
    return int(raw)


async def listing(request: Request, state: SimulatorState) -> Response:
    """GET /elements: ``{"elementsList": [...], "pageNum", "pageSize", "total"}``, newest first, optionally of one
    tag (by id or tagKey)."""
    email = account_email(state, request.query_params.get("email"))
    page = _page(request, "pageNum", 1, None)
    size = _page(request, "pageSize", elements.PAGE_SIZE_DEFAULT, elements.PAGE_SIZE_MAX)
    found = state.elements(email)
    tag = request.query_params.get("tag")
    if tag:
        wanted = presets.tag(tag)
        if wanted is None:
            valid = ", ".join(t["tagKey"] for t in presets.TAGS)
            raise ApiError(400, f"Parameter tag {tag[:40]!r} is not in GET /elements/tags. Valid values: {valid}")
        found = [e for e in found if (e.get("tag") or {}).get("id") == wanted["id"]]
    chosen = found[(page - 1) * size : page * size]
    return JSONResponse({"elementsList": chosen, "pageNum": page, "pageSize": size, "total": len(found)})


async def tags(request: Request, state: SimulatorState) -> Response:
    """GET /elements/tags: a JSON array of tags (the wrapper is not documented [INF])."""
    account_email(state, request.query_params.get("email"))
    return JSONResponse(list(presets.TAGS))


async def voices(request: Request, state: SimulatorState) -> Response:
    """GET /elements/voices: a JSON array of the official voices (the wrapper is not documented [INF])."""
    account_email(state, request.query_params.get("email"))
    return JSONResponse(list(presets.VOICES))


def _not_found(element_id: str) -> ApiError:
    return ApiError(404, f"Element {element_id[:60]} not found")  # DOC-ELEMENTS: 404 {"error": "<error message>"}


async def get(request: Request, state: SimulatorState) -> Response:
    """GET /elements/{elementId}: the element, flat (useapi's page of Feb 9 2026)."""
    email = account_email(state, request.query_params.get("email"))
    element_id = request.path_params["element_id"]
    element = state.element(email, element_id)
    if element is None:
        raise _not_found(element_id)
    return JSONResponse(element)


async def delete(request: Request, state: SimulatorState) -> Response:
    """DELETE /elements/{elementId}: ``{"deleted": true, "id": ...}`` (the answer's shape is not documented [INF]);
    404 for an element the account does not have (any more)."""
    email = account_email(state, request.query_params.get("email"))
    element_id = request.path_params["element_id"]
    if not state.delete_element(email, element_id):
        raise _not_found(element_id)
    return JSONResponse({"deleted": True, "id": element_id})
