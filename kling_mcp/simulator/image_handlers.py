"""The simulator's image endpoints: POST /images/omni, /images/kolors, /images/kolors-elements, /images/upscale,
/images/enhance and /images/virtual-try-on (tasks whose works are PNG images, answered and polled like text2video,
reference §5.0), and POST /images/recognize-faces (answered at once). What a request accepts is ``image_rules.py``.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kling_mcp.simulator import image_rules, media, rules
from kling_mcp.simulator.handlers import account_email, base_url, refused, request_body
from kling_mcp.simulator.lookups import AccountView
from kling_mcp.simulator.sound_handlers import submit_made
from kling_mcp.simulator.state import SimulatorState

FACE_SIZE = (200, 240)  # the pictures of a detected face [INF]


async def create(request: Request, state: SimulatorState, endpoint: str) -> Response:
    body = await request_body(request)
    email = account_email(state, body.get("email"))
    try:
        made = image_rules.check(endpoint, body, AccountView(state, email))
    except rules.Refused as exc:
        raise refused(exc) from None
    return submit_made(request, state, email, made, body)


async def omni(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, image_rules.OMNI_IMAGE)


async def kolors(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, image_rules.KOLORS)


async def kolors_elements(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, image_rules.KOLORS_ELEMENTS)


async def upscale(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, image_rules.UPSCALE)


async def enhance(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, image_rules.ENHANCE)


async def try_on(request: Request, state: SimulatorState) -> Response:
    return await create(request, state, image_rules.TRY_ON)


async def recognize_faces(request: Request, state: SimulatorState) -> Response:
    """POST /images/recognize-faces: one face in the middle of the picture (faces.image), in the page's shape."""
    body = await request_body(request)
    email = account_email(state, body.get("email"))
    try:
        scan = image_rules.check_faces(body, AccountView(state, email))
    except rules.Refused as exc:
        raise refused(exc) from None
    base = f"{base_url(request)}/cdn/faces"
    side = min(scan.width, scan.height) // 3
    bound = {"x": (scan.width - side) // 2, "y": (scan.height - side) // 2, "width": side, "height": side}
    face = {
        "name": "face_0",
        "resources": [
            {"name": name, "type": "image", "url": f"{base}/{name}_0.png", "marginTop": 0, "countInRow": 1}
            for name in ("face", "face_feature")
        ],
        "arguments": [{"name": "face_bound", "value": json.dumps(bound, separators=(",", ":"))}],
    }
    return JSONResponse(
        {
            "status": 0,
            "message": "",
            "faceItems": [face],
            "mediaInfo": {"type": "image", "duration": 0, "width": scan.width, "height": scan.height},
        }
    )


async def face_picture(request: Request, _state: SimulatorState) -> Response:
    """The picture of a detected face (the "CDN")."""
    if request.path_params["name"] not in ("face_0", "face_feature_0"):
        return Response(status_code=404)
    return media.serve(request, media.picture("clean", *FACE_SIZE), 0, "image/png")
