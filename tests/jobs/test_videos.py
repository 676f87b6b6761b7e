"""Videos the user gives: an MP4 or QuickTime file read with the same folder rules as images, its length and frame
size read from the movie's boxes, the caller's bounds and useapi's upload limits (reference §7.1) enforced with
errors that name the parameter, what was found and what is allowed; a local file or data: URI uploaded with its
Content-Type and the answer's URL used; an https URL kept as it is; the token in no error."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
import respx

from kling_mcp.api.client import KlingClient
from kling_mcp.api.errors import AuthenticationError, InvalidParameterError, KlingError
from kling_mcp.arguments.fields import MediaInput
from kling_mcp.jobs import uploads, videos
from kling_mcp.simulator import media
from tests.conftest import BASE, TOKEN

pytestmark = pytest.mark.anyio

UPLOADED = "https://s21-kling.klingai.com/u/clip.mp4"
IDENTITY = struct.pack(">9i", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
QUARTER_TURN = struct.pack(">9i", 0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)


def png(width: int = 320, height: int = 320) -> bytes:
    """A PNG signature and header: all the image checks read."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


# --- small movies, box by box (ISO/IEC 14496-12) -------------------------------------------------------------------


def box(kind: bytes, *parts: bytes) -> bytes:
    payload = b"".join(parts)
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def full(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return box(kind, struct.pack(">I", (version << 24) | flags), *parts)


def mvhd(timescale: int, duration: int, version: int = 0) -> bytes:
    times = (
        struct.pack(">QQIQ", 0, 0, timescale, duration)
        if version == 1
        else struct.pack(">IIII", 0, 0, timescale, duration)
    )
    return full(b"mvhd", version, 0, times, struct.pack(">IH", 0x10000, 0x100), bytes(10), IDENTITY, bytes(28))


def trak(
    handler: bytes = b"vide", width: int = 1280, height: int = 720, *, version: int = 0, matrix: bytes = IDENTITY
) -> bytes:
    times = struct.pack(">QQIIQ", 0, 0, 1, 0, 0) if version == 1 else struct.pack(">IIIII", 0, 0, 1, 0, 0)
    tkhd = full(b"tkhd", version, 3, times, bytes(8), bytes(8), matrix, struct.pack(">II", width << 16, height << 16))
    hdlr = full(b"hdlr", 0, 0, struct.pack(">I4s", 0, handler), bytes(12), b"Handler\0")
    # A visual sample entry that knows the real size even when the track header says 0x0.
    entry = struct.pack(">I4s", 86, b"avc1") + bytes(6) + struct.pack(">H", 1) + bytes(16)
    entry += struct.pack(">HH", 640, 360) + bytes(50)
    stbl = box(b"stbl", full(b"stsd", 0, 0, struct.pack(">I", 1), entry))
    return box(b"trak", tkhd, box(b"mdia", hdlr, box(b"minf", stbl)))


def movie(
    seconds: float = 5.0,
    *,
    timescale: int = 600,
    version: int = 0,
    brand: bytes | None = b"isom",
    tracks: tuple[bytes, ...] | None = None,
    mdat: int = 1000,
    extra: bytes = b"",
) -> bytes:
    """ftyp (unless ``brand`` is None: a classic QuickTime file), moov (mvhd, tracks, ``extra``), mdat."""
    head = box(b"ftyp", brand, struct.pack(">I", 0x200), brand, b"mp41") if brand is not None else b""
    moov = box(b"moov", mvhd(timescale, round(seconds * timescale), version), *(tracks or (trak(),)), extra)
    return head + moov + box(b"mdat", bytes(mdat))


def refusal(data: bytes, parameter: str = "video", **bounds: Any) -> InvalidParameterError:
    with pytest.raises(InvalidParameterError) as caught:
        videos.check_video(data, parameter, "clip.mp4", **bounds)
    error = caught.value
    assert error.parameter == parameter and "Invalid " + parameter + "=" in error.message
    assert "MP4 or QuickTime" in error.message  # what is allowed, always named
    return error


# --- reading -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("aspect", "size"), [("16:9", (320, 180)), ("9:16", (180, 320)), ("1:1", (240, 240))])
def test_a_real_mp4_gives_its_length_and_frame_size(aspect: str, size: tuple[int, int]) -> None:
    for seconds in (3, 7):
        video = videos.check_video(media.video("clean", aspect, seconds, audio=True), "video", "clip.mp4")
        assert video == videos.VideoFile("video/mp4", float(seconds), *size)


@pytest.mark.parametrize(
    ("version", "timescale", "seconds"),
    [(0, 600, 4.5), (0, 90_000, 9.96), (1, 600, 4.5), (1, 1_000_000_000, 9.5)],  # 9.5e9 needs 64 bits
)
def test_the_movie_header_is_read_in_both_versions(version: int, timescale: int, seconds: float) -> None:
    data = movie(seconds, timescale=timescale, version=version, tracks=(trak(version=version),))
    video = videos.check_video(data, "video", "clip.mp4")
    assert video.seconds == pytest.approx(seconds) and (video.width, video.height) == (1280, 720)


def test_quicktime_by_brand_and_by_its_classic_layout() -> None:
    assert videos.check_video(movie(brand=b"qt  "), "video", "a.mov").mime == "video/quicktime"
    assert videos.check_video(movie(brand=None), "video", "a.mov").mime == "video/quicktime"
    classic = box(b"wide", b"") + movie(brand=None)
    assert videos.check_video(classic, "video", "a.mov") == videos.VideoFile("video/quicktime", 5.0, 1280, 720)
    assert videos.check_video(movie(brand=b"mp42"), "video", "a.mp4").mime == "video/mp4"


def test_the_moov_after_the_media_and_a_64_bit_box_size_are_read() -> None:
    moov = box(b"moov", mvhd(1000, 6000), trak())
    large_mdat = struct.pack(">I4sQ", 1, b"mdat", 16 + 500) + bytes(500)
    data = box(b"ftyp", b"isom", bytes(4)) + large_mdat + moov
    assert videos.check_video(data, "video", "clip.mp4").seconds == 6.0


def test_the_video_track_is_found_after_an_audio_track_and_a_turned_one_reports_its_shown_size() -> None:
    data = movie(tracks=(trak(b"soun", 0, 0), trak(width=1920, height=1080, matrix=QUARTER_TURN)))
    video = videos.check_video(data, "video", "phone.mov")
    assert (video.width, video.height) == (1080, 1920)


def test_a_track_header_without_a_size_falls_back_to_the_sample_entry() -> None:
    video = videos.check_video(movie(tracks=(trak(width=0, height=0),)), "video", "clip.mp4")
    assert (video.width, video.height) == (640, 360)


def test_a_fragmented_movie_takes_its_length_from_mehd() -> None:
    for version, field in ((0, struct.pack(">I", 4800)), (1, struct.pack(">Q", 4800))):
        data = movie(0, timescale=600, extra=box(b"mvex", full(b"mehd", version, 0, field)))
        assert videos.check_video(data, "video", "clip.mp4").seconds == 8.0


# --- refusals ------------------------------------------------------------------------------------------------------


def test_what_is_not_a_video_is_refused_saying_what_it_is() -> None:
    assert "not an MP4 or QuickTime video by its bytes" in refusal(b"hello, this is text").message
    assert "PNG image, not a video" in refusal(png()).message
    assert "JPEG image, not a video" in refusal(b"\xff\xd8\xff\xe0" + bytes(100)).message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (box(b"ftyp", b"heic", bytes(4), b"mif1heic") + box(b"meta", bytes(40)), "no movie box"),  # a HEIF image
        (movie(tracks=(trak(b"soun", 0, 0),)), "no video track"),
        (movie()[:-10], "cut short"),
        (movie(0), "no duration"),
        (movie(timescale=0), "timescale of 0"),
        (box(b"ftyp", b"isom", bytes(4)) + box(b"moov", trak()), "no movie header"),
        (movie() + b"\x00\x01", "stray bytes"),
    ],
)
def test_a_movie_that_cannot_be_read_is_refused_saying_why(data: bytes, words: str) -> None:
    error = refusal(data)
    assert words in error.message and "cannot be read" in error.message


def test_longer_than_the_upload_limit_names_it() -> None:
    assert videos.check_video(movie(30.0), "video", "clip.mp4").seconds == 30.0
    error = refusal(movie(30.5))
    assert "lasts 30.50 s" in error.message and "useapi's upload limit for videos (POST /assets) is 30 s" in (
        error.message
    )


def test_the_callers_bounds_are_its_own_and_the_upload_limit_is_still_named() -> None:
    bounds = {"min_seconds": 3.0, "max_seconds": 20.0}
    assert videos.check_video(movie(15.0), "motion", "dance.mp4", **bounds).seconds == 15.0
    long = refusal(movie(21.0), "motion", **bounds)
    assert "lasts 21.00 s; motion allows at most 20 s" in long.message and "of 3–20 s" in long.message
    assert "upload limits for videos" in long.message and "at most 30 s" in long.message
    short = refusal(movie(2.5), "motion", **bounds)
    assert "lasts 2.50 s; motion needs at least 3 s" in short.message
    assert videos.check_video(movie(45.0), "video", "long.mp4", max_seconds=None).seconds == 45.0


def test_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert videos.MAX_VIDEO_BYTES == 100_000_000  # reference §7.1: 100 MB
    data = movie()
    monkeypatch.setattr(videos, "MAX_VIDEO_BYTES", len(data))
    assert videos.check_video(data, "video", "clip.mp4").seconds == 5.0
    monkeypatch.setattr(videos, "MAX_VIDEO_BYTES", len(data) - 1)
    error = refusal(data)
    assert f"{len(data):,} bytes, over useapi's 100 MB upload limit ({len(data) - 1:,} bytes)" in error.message


# --- resolving: files, data: URIs, URLs ----------------------------------------------------------------------------


@pytest.fixture
async def kling(api: respx.MockRouter) -> Any:
    async with KlingClient(token=TOKEN, base_url=BASE) as client:
        yield client


def upload_route(api: respx.MockRouter, answer: dict[str, Any] | None = None) -> respx.Route:
    return api.post("/assets/").respond(
        json=answer or {"status": 1, "url": UPLOADED, "resourceUrl": "https://s21-kling.klingai.com/r/1.mp4"}
    )


async def resolve(kling: KlingClient, value: str, tmp_path: Path, **kwargs: Any) -> videos.ResolvedVideo:
    return await videos.resolve_video(
        value, kwargs.pop("parameter", "video"), client=kling, email="a@x.com", allowed=(tmp_path,), **kwargs
    )


@pytest.mark.parametrize(("brand", "mime"), [(b"isom", "video/mp4"), (b"qt  ", "video/quicktime")])
async def test_a_local_file_is_uploaded_with_its_content_type_and_the_answers_url_used(
    api: respx.MockRouter, kling: KlingClient, tmp_path: Path, brand: bytes, mime: str
) -> None:
    upload = upload_route(api)
    clip = tmp_path / "clip.mov"
    clip.write_bytes(movie(6.0, brand=brand))
    for value in (str(clip), clip.as_uri()):
        resolved = await resolve(kling, value, tmp_path)
        assert resolved == videos.ResolvedVideo(UPLOADED, 6.0)
        request = upload.calls.last.request
        assert request.headers["content-type"] == mime and request.content == clip.read_bytes()
        assert request.url.params["email"] == "a@x.com"


async def test_a_real_clip_is_uploaded_as_it_is(api: respx.MockRouter, kling: KlingClient, tmp_path: Path) -> None:
    upload = upload_route(api)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(media.video("clean", "16:9", 5, audio=True))
    assert (await resolve(kling, str(clip), tmp_path)).seconds == 5.0
    assert upload.calls.last.request.content == clip.read_bytes()


async def test_an_answer_without_url_falls_back_to_resource_url(
    api: respx.MockRouter, kling: KlingClient, tmp_path: Path
) -> None:
    upload_route(api, {"status": 1, "url": "", "resourceUrl": "https://s21-kling.klingai.com/r/2.mp4"})
    (tmp_path / "clip.mp4").write_bytes(movie())
    assert (await resolve(kling, str(tmp_path / "clip.mp4"), tmp_path)).url == "https://s21-kling.klingai.com/r/2.mp4"


async def test_a_data_uri_is_decoded_checked_and_uploaded(api: respx.MockRouter, kling: KlingClient) -> None:
    upload = upload_route(api)
    data = movie(4.0)
    resolved = await resolve(kling, "data:video/mp4;base64," + base64.b64encode(data).decode(), Path("/nowhere"))
    assert resolved == videos.ResolvedVideo(UPLOADED, 4.0) and upload.calls.last.request.content == data
    with pytest.raises(InvalidParameterError) as caught:
        await resolve(kling, "data:video/mp4;base64," + base64.b64encode(movie(31.0)).decode(), Path("/nowhere"))
    assert "<data URI>" in caught.value.message and "upload limit" in caught.value.message
    assert upload.call_count == 1


async def test_a_data_uri_over_the_limit_is_refused_before_it_is_decoded(
    api: respx.MockRouter, kling: KlingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload = upload_route(api)
    monkeypatch.setattr(videos, "MAX_VIDEO_BYTES", 1000)
    with pytest.raises(InvalidParameterError) as caught:
        await resolve(kling, "data:video/mp4;base64," + "A" * 2000, Path("/nowhere"))
    assert "over useapi's 100 MB video limit (1,000 bytes)" in caught.value.message and not upload.called


async def test_a_local_file_over_the_limit_is_refused_by_its_size(
    api: respx.MockRouter, kling: KlingClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload = upload_route(api)
    (tmp_path / "big.mp4").write_bytes(movie(mdat=5000))
    monkeypatch.setattr(videos, "MAX_VIDEO_BYTES", 4000)
    with pytest.raises(InvalidParameterError) as caught:
        await resolve(kling, str(tmp_path / "big.mp4"), tmp_path)
    assert "over useapi's 100 MB limit (4,000 bytes)" in caught.value.message and not upload.called


async def test_outside_the_allowed_folders_or_the_roots_nothing_is_read(
    api: respx.MockRouter, kling: KlingClient, tmp_path: Path
) -> None:
    upload = upload_route(api)
    allowed, elsewhere = tmp_path / "allowed", tmp_path / "elsewhere"
    allowed.mkdir()
    elsewhere.mkdir()
    (elsewhere / "clip.mp4").write_bytes(movie())
    (allowed / "clip.mp4").write_bytes(movie())
    answers = []
    for path in (elsewhere / "clip.mp4", elsewhere / "missing.mp4", allowed / ".." / "elsewhere" / "clip.mp4"):
        with pytest.raises(InvalidParameterError) as caught:
            await resolve(kling, str(path), allowed, parameter="motion")
        answers.append(caught.value.message.split(": ", 1)[1])
        assert caught.value.parameter == "motion"
    assert len(set(answers)) == 1 and "outside the folders" in answers[0]
    with pytest.raises(InvalidParameterError) as caught:
        await resolve(kling, str(allowed / "clip.mp4"), tmp_path, roots=[elsewhere])
    assert "outside the folders" in caught.value.message
    with pytest.raises(InvalidParameterError) as caught:
        await resolve(kling, str(allowed / "missing.mp4"), tmp_path)
    assert "no such file" in caught.value.message and "an existing video file" in caught.value.message
    assert not upload.called


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.test/clips/dance.mp4?sig=abc",
        "https://s21-kling.klingai.com/u/clip.mp4",
    ],
)
async def test_urls_useapi_can_read_are_kept_as_they_are(
    api: respx.MockRouter, kling: KlingClient, tmp_path: Path, url: str
) -> None:
    upload = upload_route(api)
    assert await resolve(kling, f"  {url} ", tmp_path) == videos.ResolvedVideo(url, None)
    assert not upload.called and not api.calls


async def test_an_http_url_on_the_upstreams_own_origin_is_kept(tmp_path: Path) -> None:
    """The simulator serves its uploads and videos over http from its own host and port: useapi's own URLs."""
    async with KlingClient(token=TOKEN, base_url="http://127.0.0.1:8765") as local:
        url = "http://127.0.0.1:8765/cdn/uploads/clip.mp4"
        assert await resolve(local, url, tmp_path) == videos.ResolvedVideo(url, None)
        with pytest.raises(InvalidParameterError, match="plain http"):
            await resolve(local, "http://127.0.0.1:8766/cdn/uploads/clip.mp4", tmp_path)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("http://cdn.example.test/dance.mp4", "plain http URLs are not accepted"),
        ("http://api.test:8080/cdn/uploads/clip.mp4", "plain http URLs are not accepted"),  # another port
        ("ftp://files.example.test/dance.mp4", "ftp:// URLs are not supported"),
        ("s3://bucket/dance.mp4", "s3:// URLs are not supported"),
        ("https:///dance.mp4", "no host"),
        ("https://example.test:port/dance.mp4", "malformed"),
        ("file://otherhost/clip.mp4", "file:// URLs must name a local file"),
        ("   ", "empty"),
    ],
)
async def test_other_urls_are_refused_naming_what_is_accepted(
    api: respx.MockRouter, kling: KlingClient, tmp_path: Path, value: str, words: str
) -> None:
    upload = upload_route(api)
    with pytest.raises(InvalidParameterError) as caught:
        await resolve(kling, value, tmp_path, parameter="video")
    assert words in caught.value.message and caught.value.parameter == "video"
    assert "https URL" in caught.value.message or "file:///path/to.mp4" in caught.value.message
    assert not upload.called


async def test_the_token_is_in_no_error(api: respx.MockRouter, kling: KlingClient, tmp_path: Path) -> None:
    """Every refusal, and an upload useapi refuses, is worded without the token (which the upload did carry)."""
    (tmp_path / "clip.mp4").write_bytes(movie())
    (tmp_path / "long.mp4").write_bytes(movie(31.0))
    (tmp_path / "text.mp4").write_bytes(b"not a video")
    errors: list[KlingError] = []
    for value in (str(tmp_path / "long.mp4"), str(tmp_path / "text.mp4"), "http://x.test/a.mp4", "/etc/passwd"):
        with pytest.raises(InvalidParameterError) as caught:
            await resolve(kling, value, tmp_path)
        errors.append(caught.value)
    upload = api.post("/assets/").respond(401, json={"error": f"Unauthorized token {TOKEN}"})
    with pytest.raises(AuthenticationError) as refused:
        await resolve(kling, str(tmp_path / "clip.mp4"), tmp_path)
    errors.append(refused.value)
    assert upload.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"
    secret = TOKEN.split(":", 1)[1]
    for error in errors:
        text = " ".join((str(error), repr(error), json.dumps(error.details, default=str)))
        assert secret not in text, text


# --- every local check before any upload ---------------------------------------------------------------------------


async def test_check_local_media_checks_every_file_and_returns_the_videos_lengths(tmp_path: Path) -> None:
    (tmp_path / "frame.png").write_bytes(png())
    (tmp_path / "dance.mp4").write_bytes(movie(20.0))
    (tmp_path / "ref.mov").write_bytes(movie(7.0, brand=b"qt  "))
    items = [
        MediaInput("image", str(tmp_path / "frame.png"), "image"),
        MediaInput("images[1]", "https://images.example.test/a.png", "image"),
        MediaInput("motion", str(tmp_path / "dance.mp4"), "video"),
        MediaInput("video", "data:video/quicktime;base64," + base64.b64encode(movie(7.0)).decode(), "video"),
        MediaInput("cover_image", "https://s21-kling.klingai.com/u/clip.mp4", "video"),
        MediaInput("extra", str(tmp_path / "ref.mov"), "video"),
    ]
    seconds = await uploads.check_local_media(items, (tmp_path,), video_bounds={"motion": (3.0, 30.0)})
    assert seconds == {"motion": 20.0, "video": 7.0, "cover_image": None, "extra": 7.0}


@pytest.mark.parametrize(
    ("item", "words"),
    [
        (MediaInput("images[2]", "small.png", "image"), "at least 300 px"),
        (MediaInput("motion", "short.mp4", "video"), "motion needs at least 3 s"),
        (MediaInput("video", "long.mp4", "video"), "useapi's upload limit for videos"),  # no bounds given: 10 s
        (MediaInput("video", "http://cdn.example.test/a.mp4", "video"), "plain http"),
        (MediaInput("video", "/etc/hostname", "video"), "outside the folders"),
    ],
)
async def test_check_local_media_refuses_the_first_bad_file_by_its_label(
    tmp_path: Path, item: MediaInput, words: str
) -> None:
    (tmp_path / "small.png").write_bytes(png(200, 200))
    (tmp_path / "short.mp4").write_bytes(movie(2.0))
    (tmp_path / "long.mp4").write_bytes(movie(31.0))
    (tmp_path / "good.mp4").write_bytes(movie(5.0))
    value = item.value if "/" in item.value else str(tmp_path / item.value)
    items = [MediaInput("video_ok", str(tmp_path / "good.mp4"), "video"), MediaInput(item.label, value, item.kind)]
    with pytest.raises(InvalidParameterError) as caught:
        await uploads.check_local_media(items, (tmp_path,), video_bounds={"motion": (3.0, 30.0)})
    assert caught.value.parameter == item.label and words in caught.value.message


async def test_check_local_media_applies_the_clients_roots_and_keeps_the_upstreams_http(tmp_path: Path) -> None:
    shared, private = tmp_path / "shared", tmp_path / "private"
    for folder in (shared, private):
        folder.mkdir()
        (folder / "clip.mp4").write_bytes(movie())
    items = [MediaInput("video", str(private / "clip.mp4"), "video")]
    with pytest.raises(InvalidParameterError, match="outside the folders"):
        await uploads.check_local_media(items, (tmp_path,), [shared])
    upstream = [MediaInput("video", "http://127.0.0.1:8765/cdn/uploads/x.mp4", "video")]
    assert await uploads.check_local_media(upstream, (tmp_path,), upstream=("127.0.0.1", 8765)) == {"video": None}
