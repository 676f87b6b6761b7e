"""KlingClient against a respx-mocked useapi: every endpoint sends the documented request and parses the
documented answer; the token goes to the API and nowhere else; nothing is sent without a token."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Awaitable, Callable
from urllib.parse import unquote

import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st

from kling_mcp.api import errors
from kling_mcp.api.client import KlingClient, _path_segment
from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.api.models import (
    Image2VideoFramesRequest,
    TaskResponse,
    Text2VideoRequest,
)
from tests.api.seed_json import (
    ACCOUNT_DETAIL,
    ACCOUNTS,
    ASSET_DOWNLOAD,
    ASSET_UPLOAD,
    SEED_CREATE_RESPONSE,
    SEED_SUCCEED_POLL_RESPONSE,
)
from tests.conftest import API, BASE, TOKEN

T2V = Text2VideoRequest(
    prompt="A majestic mountain landscape, camera slowly panning right",
    model_name="kling-v3-0",
    aspect_ratio="16:9",
    mode="pro",
    duration="5",
)
I2V = Image2VideoFramesRequest(
    model_name="kling-v2-5",
    image="https://example.com/start-frame.jpg",
    image_tail="https://example.com/end-frame.jpg",
    prompt="the character turns and smiles",
    mode="pro",
    duration="10",
)

Call = Callable[[KlingClient], Awaitable[object]]


def _json(text: str) -> httpx.Response:
    return httpx.Response(200, text=text, headers={"Content-Type": "application/json"})


# --- the seed's examples --------------------------------------------------------------------------------------------


def test_the_seeds_create_example_parses_into_a_submitted_task() -> None:
    created = TaskResponse.model_validate_json(SEED_CREATE_RESPONSE)
    assert created.task is not None
    assert (created.task.id, created.task.type, created.task.status) == (123456789, "m2v_txt2video_hq", 5)
    assert (created.status, created.status_name, created.status_final) == (5, "submitted", False)
    assert created.works == [] and created.message == ""


def test_the_seeds_succeed_example_parses_with_its_work_and_resource() -> None:
    done = TaskResponse.model_validate_json(SEED_SUCCEED_POLL_RESPONSE)
    assert (done.status, done.status_name, done.status_final, done.task) == (99, "succeed", True, None)
    work = done.works[0]
    assert work.workId == 123456789 and work.status_name == "succeed"
    assert work.resource is not None
    assert work.resource.resource == "https://s21-kling.klingai.com/....mp4"
    assert (work.resource.width, work.resource.height, work.resource.duration) == (724, 1268, 5041)


# --- endpoints -----------------------------------------------------------------------------------------------------


async def test_list_accounts_parses_the_object_keyed_by_email(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.get("/accounts").respond(json=ACCOUNTS)
    listed = await client.list_accounts()
    assert sorted(listed.root) == ["a@x.com", "b@x.com"]
    assert listed.root["b@x.com"].maxJobs == 10
    assert route.call_count == 1 and route.calls.last.request.url.query == b""


async def test_get_account_percent_encodes_plus_and_keeps_at_in_the_path(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.get(path__regex=r"^/accounts/").respond(json=ACCOUNT_DETAIL)
    detail = await client.get_account("a+b@x.com")
    assert route.calls.last.request.url.raw_path == b"/v1/kling/accounts/a%2Bb@x.com"
    assert detail.email == "a+b@x.com"
    assert detail.balance is not None and detail.balance.total == 56000
    assert detail.balance.points[0].amount == 66000


@pytest.mark.parametrize(
    ("email", "raw_segment"),
    [
        ("x?y=1@x.com", b"x%3Fy%3D1@x.com"),
        ("a#b@x.com", b"a%23b@x.com"),
        ("%2e%2e", b"%252e%252e"),
        ("..a@x.com", b"..a@x.com"),
    ],
)
async def test_get_account_keeps_odd_emails_inside_one_path_segment(
    client: KlingClient, upstream: respx.MockRouter, email: str, raw_segment: bytes
) -> None:
    route = upstream.get(path__regex=r"^/accounts/").respond(json={**ACCOUNT_DETAIL, "email": email})
    await client.get_account(email)
    request = route.calls.last.request
    assert request.url.raw_path == b"/v1/kling/accounts/" + raw_segment
    assert request.url.query == b""


@pytest.mark.parametrize("email", ["..", ".", "", "a/b@x.com", "../accounts", "/", "x/../../tasks"])
async def test_get_account_refuses_unsafe_emails_before_sending(
    client: KlingClient, upstream: respx.MockRouter, email: str
) -> None:
    catch_all = upstream.route().respond(json=ACCOUNT_DETAIL)
    with pytest.raises(InvalidParameterError, match="request path"):
        await client.get_account(email)
    assert not catch_all.called


@given(st.text(min_size=1, max_size=40))
def test_any_accepted_email_is_exactly_one_path_segment_that_decodes_back(email: str) -> None:
    try:
        segment = _path_segment(email)
    except InvalidParameterError:
        assert (
            email in (".", "..")
            or "/" in email
            or any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in email)
        )
        return
    url = httpx.URL(f"{API}/accounts/{segment}")
    prefix = b"/v1/kling/accounts/"
    assert url.host == "api.test"
    assert url.raw_path.startswith(prefix)
    tail = url.raw_path[len(prefix) :]
    assert b"/" not in tail and b"?" not in tail and b"#" not in tail
    assert unquote(tail.decode()) == email


async def test_create_text2video_posts_the_request_body_without_nulls(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.post("/videos/text2video").mock(return_value=_json(SEED_CREATE_RESPONSE))
    created = await client.create_text2video(T2V)
    assert created.task is not None and created.task.id == 123456789
    request = route.calls.last.request
    assert request.headers["content-type"] == "application/json"
    sent = json.loads(request.content)
    assert sent == T2V.to_body()
    assert sent == {
        "prompt": "A majestic mountain landscape, camera slowly panning right",
        "model_name": "kling-v3-0",
        "aspect_ratio": "16:9",
        "mode": "pro",
        "duration": "5",
    }
    assert None not in sent.values() and "email" not in sent


async def test_create_image2video_frames_posts_the_request_body_with_duration_as_a_string(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    route = upstream.post("/videos/image2video-frames").mock(return_value=_json(SEED_CREATE_RESPONSE))
    created = await client.create_image2video_frames(I2V)
    assert created.task is not None and created.task.status_name == "submitted"
    sent = json.loads(route.calls.last.request.content)
    assert sent == I2V.to_body()
    assert sent["duration"] == "10"
    assert None not in sent.values()
    assert "aspect_ratio" not in sent and "negative_prompt" not in sent and "cfg_scale" not in sent


async def test_create_sends_the_account_email_in_the_body(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.post("/videos/text2video").mock(return_value=_json(SEED_CREATE_RESPONSE))
    await client.create_text2video(T2V.model_copy(update={"email": "a+b@x.com"}))
    request = route.calls.last.request
    assert json.loads(request.content)["email"] == "a+b@x.com"
    assert request.url.query == b""


async def test_get_task_polls_by_id_with_the_email_as_query(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.get("/tasks/123456789").mock(return_value=_json(SEED_SUCCEED_POLL_RESPONSE))
    done = await client.get_task(123456789, "a+b@x.com")
    assert done.status_final and done.works[0].workId == 123456789
    request = route.calls.last.request
    assert request.method == "GET"
    assert dict(request.url.params) == {"email": "a+b@x.com"}
    assert b"email=a%2Bb%40x.com" in request.url.query


async def test_get_task_without_email_sends_no_query(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.get("/tasks/7").mock(return_value=_json(SEED_SUCCEED_POLL_RESPONSE))
    await client.get_task(7)
    assert route.calls.last.request.url.query == b""


async def test_get_clean_download_asks_for_one_work_as_mp4(client: KlingClient, upstream: respx.MockRouter) -> None:
    route = upstream.get("/assets/download").respond(json=ASSET_DOWNLOAD)
    asset = await client.get_clean_download(123456789, "a@x.com")
    assert asset.cdnUrl == "https://cdn.test/clean/123456789.mp4"
    assert dict(route.calls.last.request.url.params) == {
        "email": "a@x.com",
        "workIds": "123456789",
        "fileTypes": "MP4",
    }


async def test_upload_asset_posts_the_raw_bytes_with_their_content_type(
    client: KlingClient, upstream: respx.MockRouter
) -> None:
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    route = upstream.post("/assets/").respond(json=ASSET_UPLOAD)
    uploaded = await client.upload_asset(data, "image/png", "a@x.com")
    assert uploaded.url == ASSET_UPLOAD["url"] and uploaded.status == 3
    request = route.calls.last.request
    assert request.url.raw_path == b"/v1/kling/assets/?email=a%40x.com"
    assert request.content == data
    assert request.headers["content-type"] == "image/png"
    assert request.headers["content-length"] == str(len(data))


# --- the token -----------------------------------------------------------------------------------------------------

ENDPOINTS: dict[str, tuple[str, str, Call, object]] = {
    "list_accounts": ("GET", "/accounts", lambda c: c.list_accounts(), ACCOUNTS),
    "get_account": ("GET", "/accounts/a@x.com", lambda c: c.get_account("a@x.com"), ACCOUNT_DETAIL),
    "create_text2video": (
        "POST",
        "/videos/text2video",
        lambda c: c.create_text2video(T2V),
        json.loads(SEED_CREATE_RESPONSE),
    ),
    "create_image2video_frames": (
        "POST",
        "/videos/image2video-frames",
        lambda c: c.create_image2video_frames(I2V),
        json.loads(SEED_CREATE_RESPONSE),
    ),
    "get_task": ("GET", "/tasks/1", lambda c: c.get_task(1, "a@x.com"), json.loads(SEED_SUCCEED_POLL_RESPONSE)),
    "get_clean_download": ("GET", "/assets/download", lambda c: c.get_clean_download(5), ASSET_DOWNLOAD),
    "upload_asset": ("POST", "/assets/", lambda c: c.upload_asset(b"x", "image/png"), ASSET_UPLOAD),
}


@pytest.mark.parametrize("name", list(ENDPOINTS))
async def test_every_endpoint_sends_the_bearer_token(
    client: KlingClient, upstream: respx.MockRouter, name: str
) -> None:
    method, path, call, body = ENDPOINTS[name]
    route = upstream.route(method=method, path=path).respond(json=body)
    await call(client)
    assert route.call_count == 1
    assert route.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("token", [None, "", "   ", "\t\n"])
@pytest.mark.parametrize("name", list(ENDPOINTS))
async def test_a_missing_token_raises_configuration_error_and_sends_nothing(
    make_client: Callable[..., KlingClient], upstream: respx.MockRouter, name: str, token: str | None
) -> None:
    catch_all = upstream.route().respond(json={})
    kling = make_client(token=token)
    with pytest.raises(errors.ConfigurationError) as caught:
        await ENDPOINTS[name][2](kling)
    assert caught.value.code == "not_configured"
    assert "USEAPI_TOKEN" in str(caught.value)
    assert not catch_all.called


async def test_the_token_is_a_per_request_header_not_a_pool_default(client: KlingClient) -> None:
    assert "authorization" not in client.http.headers
    assert TOKEN not in str(client.http.headers.raw)


async def test_media_downloads_to_another_host_carry_no_token(client: KlingClient) -> None:
    with respx.mock(assert_all_called=False) as router:
        media = router.get("https://s21-kling.klingai.com/clip.mp4").respond(content=b"mp4")
        shared = router.get("https://cdn.test/clean.mp4").respond(content=b"mp4")
        assert client.media.get("https://s21-kling.klingai.com/clip.mp4").content == b"mp4"
        assert (await client.http.get("https://cdn.test/clean.mp4")).content == b"mp4"
    for route in (media, shared):
        headers = route.calls.last.request.headers
        assert "authorization" not in headers
        assert TOKEN not in str(headers.raw)


async def test_an_api_redirect_to_another_host_is_not_followed(client: KlingClient) -> None:
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{API}/tasks/1").respond(302, headers={"Location": "https://evil.test/steal"})
        evil = router.get("https://evil.test/steal").respond(json=json.loads(SEED_SUCCEED_POLL_RESPONSE))
        with pytest.raises(errors.UpstreamServerError) as caught:
            await client.get_task(1)
    assert not evil.called
    assert caught.value.status_code == 302


async def test_the_base_url_may_end_with_a_slash(
    make_client: Callable[..., KlingClient], upstream: respx.MockRouter
) -> None:
    route = upstream.get("/accounts").respond(json=ACCOUNTS)
    await make_client(base_url=f"{BASE}/").list_accounts()
    assert route.calls.last.request.url.raw_path == b"/v1/kling/accounts"


async def test_an_injected_pool_is_left_open_and_an_owned_one_is_closed() -> None:
    injected = httpx.AsyncClient()
    async with KlingClient(token=TOKEN, base_url=BASE, http=injected):
        pass
    assert not injected.is_closed
    await injected.aclose()
    async with KlingClient(token=TOKEN, base_url=BASE) as owned:
        pool = owned.http
    assert pool.is_closed
