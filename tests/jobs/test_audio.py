"""Audio the user gives: WAV, MP3, M4A, FLAC, AAC and Ogg told apart by their bytes, each one's length read from the
file itself (reference §7.1: 20 MB, at most 30 s), refusals that name the parameter, what was found and what is
allowed; a local file or data: URI uploaded with its own Content-Type and the answer's URL used; an https URL kept;
check_local_media's "audio" items; the token in no error.

Every file here is written by hand from its format's specification (RIFF/WAVE, MPEG audio frame headers with
Xing/VBRI, FLAC STREAMINFO and frame headers, ADTS, Ogg pages), except the simulator's real AAC tone.m4a."""

from __future__ import annotations

import base64
import json
import struct
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import respx

from kling_mcp.api.client import KlingClient
from kling_mcp.api.errors import AuthenticationError, InvalidParameterError, KlingError
from kling_mcp.arguments.fields import MediaInput
from kling_mcp.jobs import audio, uploads
from kling_mcp.simulator import media
from tests.conftest import BASE, TOKEN
from tests.jobs.test_videos import movie, trak

pytestmark = pytest.mark.anyio

UPLOADED = "https://s21-kling.klingai.com/u/voice.mp3"


# --- WAV -----------------------------------------------------------------------------------------------------------


def chunk(kind: bytes, body: bytes, size: int | None = None) -> bytes:
    pad = b"\0" if len(body) % 2 else b""
    return kind + struct.pack("<I", len(body) if size is None else size) + body + pad


def wav(
    seconds: float,
    *,
    rate: int = 8000,
    channels: int = 1,
    bits: int = 16,
    before_data: bytes = b"",
    data_size: int | None = None,
) -> bytes:
    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * align, align, bits)
    body = chunk(b"fmt ", fmt) + before_data + chunk(b"data", bytes(round(seconds * rate) * align), data_size)
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body


# --- MP3: MPEG audio layer III frames ------------------------------------------------------------------------------

V1_L3 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)  # kbit/s, ISO/IEC 11172-3
V2_L3 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)  # ISO/IEC 13818-3


def mp3_frame(
    bitrate_index: int = 9, *, mpeg1: bool = True, rate: int = 44100, padding: int = 0, payload: bytes = b""
) -> bytes:
    """One layer III frame of silence: a 4-byte header and as many bytes as it says (144 or 72 × bitrate / rate)."""
    rates = (44100, 48000, 32000) if mpeg1 else (22050, 24000, 16000)
    b1 = 0xE0 | (3 if mpeg1 else 2) << 3 | 1 << 1 | 1  # version, layer III, no CRC
    b2 = bitrate_index << 4 | rates.index(rate) << 2 | padding << 1
    bitrate = (V1_L3 if mpeg1 else V2_L3)[bitrate_index] * 1000
    length = (144 if mpeg1 else 72) * bitrate // rate + padding
    return bytes([0xFF, b1, b2, 0]) + payload + bytes(length - 4 - len(payload))


def id3(size: int = 300) -> bytes:
    """An ID3v2.4 tag whose body holds bytes that look like a frame sync."""
    body = (b"\xff\xfb\x90\x00" + bytes(16)) * (size // 20)
    syncsafe = bytes((len(body) >> shift) & 0x7F for shift in (21, 14, 7, 0))
    return b"ID3\x04\x00\x00" + syncsafe + body


def mp3(frames: int, **kwargs: Any) -> bytes:
    return b"".join(mp3_frame(**kwargs) for _ in range(frames))


# --- FLAC ----------------------------------------------------------------------------------------------------------


def flac(total: int, rate: int = 44100, *, block: int = 4096, frames: bytes = b"") -> bytes:
    """fLaC, then STREAMINFO (the last metadata block): block sizes, frame sizes, then 20-bit rate, 3-bit channels
    - 1, 5-bit bits per sample - 1 and 36-bit total samples, then the MD5."""
    packed = rate << 44 | 1 << 41 | 15 << 36 | total
    info = struct.pack(">HH", block, block) + bytes(6) + struct.pack(">Q", packed) + bytes(16)
    return b"fLaC" + bytes([0x80]) + len(info).to_bytes(3, "big") + info + frames


def crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def flac_frame(number: int) -> bytes:
    """A fixed-blocksize frame header (4096 samples: code 12; 44.1 kHz: code 9; stereo, 16 bits) with its frame
    number coded as RFC 9639 says (one byte below 128, else two), its CRC-8, and some subframe bytes."""
    coded = bytes([number]) if number < 128 else bytes([0xC0 | number >> 6, 0x80 | number & 0x3F])
    head = bytes([0xFF, 0xF8, 12 << 4 | 9, 0x18]) + coded
    return head + bytes([crc8(head)]) + b"\x12\x34" * 20


# --- AAC (ADTS) and Ogg --------------------------------------------------------------------------------------------


def adts(frames: int, *, rate_index: int = 4, length: int = 120, blocks: int = 1) -> bytes:
    """ADTS frames (MPEG-4 AAC LC, no CRC): sync, rate index, a 13-bit frame length, raw data blocks - 1."""
    header = bytes(
        [
            0xFF,
            0xF1,
            1 << 6 | rate_index << 2,
            2 << 6 | (length >> 11) & 3,
            (length >> 3) & 0xFF,
            (length & 7) << 5 | 0x1F,
            0xFC | (blocks - 1),
        ]
    )
    return (header + bytes(length - 7)) * frames


def ogg_page(body: bytes, granule: int, *, serial: int = 7, sequence: int = 0, kind: int = 0) -> bytes:
    lacing = [255] * (len(body) // 255) + [len(body) % 255]
    header = b"OggS" + bytes([0, kind]) + struct.pack("<qIII", granule, serial, sequence, 0)
    return header + bytes([len(lacing)]) + bytes(lacing) + body


VORBIS_ID = b"\x01vorbis" + struct.pack("<IBIiii", 0, 2, 44100, 0, 128000, 0) + b"\xb8\x01"
OPUS_HEAD = b"OpusHead" + bytes([1, 2]) + struct.pack("<HIhB", 312, 48000, 0, 0)


def ogg(first: bytes, last_granule: int) -> bytes:
    return (
        ogg_page(first, 0, kind=2)
        + ogg_page(b"\x03vorbis comments", 0, sequence=1)
        + ogg_page(bytes(600), last_granule // 2, sequence=2)
        + ogg_page(bytes(300), last_granule, sequence=3, kind=4)
    )


def tone_m4a() -> bytes:
    """The simulator's real AAC tone (1 s, made by ffmpeg: kling_mcp/simulator/media/make_media.sh)."""
    return resources.files("kling_mcp.simulator").joinpath("media", "tone.m4a").read_bytes()


def refusal(data: bytes, parameter: str = "audio", **bounds: Any) -> InvalidParameterError:
    with pytest.raises(InvalidParameterError) as caught:
        audio.check_audio(data, parameter, "voice.mp3", **bounds)
    error = caught.value
    assert error.parameter == parameter and f"Invalid {parameter}=" in error.message
    assert "WAV, MP3, M4A, FLAC, AAC or Ogg" in error.message  # what is allowed, always named
    return error


# --- every format's length -----------------------------------------------------------------------------------------

SAMPLES = [
    ("wav", wav(7.5), "audio/wav", 7.5),
    ("wav 44.1 kHz stereo", wav(2.0, rate=44100, channels=2), "audio/wav", 2.0),
    # a LIST chunk of odd size (padded) before the data chunk
    ("wav with a LIST chunk", wav(3.0, before_data=chunk(b"LIST", b"INFOabc")), "audio/wav", 3.0),
    ("mp3 CBR", mp3(250), "audio/mpeg", 250 * 1152 / 44100),
    ("mp3 after an ID3 tag", id3() + mp3(100), "audio/mpeg", 100 * 1152 / 44100),
    (
        "mp3 VBR without a Xing header",
        b"".join(mp3_frame(index) for index in (9, 14, 5, 11) * 40),
        "audio/mpeg",
        160 * 1152 / 44100,
    ),
    (
        "mp3 MPEG-2 with padding and an ID3v1 tag",
        b"".join(mp3_frame(8, mpeg1=False, rate=22050, padding=i % 2) for i in range(90)) + b"TAG" + bytes(125),
        "audio/mpeg",
        90 * 576 / 22050,
    ),
    ("m4a (real AAC)", tone_m4a(), "audio/mp4", 1.0),
    ("m4a by its boxes", movie(12.0, brand=b"M4A ", tracks=(trak(b"soun"),)), "audio/mp4", 12.0),
    ("flac", flac(44100 * 12), "audio/flac", 12.0),
    ("aac", adts(431), "audio/aac", 431 * 1024 / 44100),
    ("aac 16 kHz, two blocks a frame", adts(100, rate_index=8, blocks=2), "audio/aac", 200 * 1024 / 16000),
    ("ogg vorbis", ogg(VORBIS_ID, 44100 * 5 + 1234), "audio/ogg", (44100 * 5 + 1234) / 44100),
    ("ogg opus (48 kHz granules less the pre-skip)", ogg(OPUS_HEAD, 48000 * 3 + 312), "audio/ogg", 3.0),
]


@pytest.mark.parametrize(("data", "mime", "seconds"), [s[1:] for s in SAMPLES], ids=[s[0] for s in SAMPLES])
def test_each_format_is_told_by_its_bytes_and_its_length_read_from_the_file(
    data: bytes, mime: str, seconds: float
) -> None:
    found = audio.check_audio(data, "audio", "voice")
    assert found.mime == mime and found.seconds == pytest.approx(seconds, abs=1e-6)


def test_an_mp3s_xing_or_vbri_header_gives_its_frame_count() -> None:
    """A VBR encoder's first frame says how many frames follow: that count is the length, not the frames at hand."""
    xing = mp3_frame(payload=bytes(32) + b"Xing" + struct.pack(">II", 1, 1000))  # after 32 bytes of side info
    vbri = mp3_frame(payload=bytes(32) + b"VBRI" + struct.pack(">HHHII", 1, 0, 75, 0, 1100))
    assert audio.check_audio(xing + mp3(5), "audio", "a.mp3").seconds == pytest.approx(1000 * 1152 / 44100)
    assert audio.check_audio(vbri + mp3(5), "audio", "a.mp3").seconds == pytest.approx(1100 * 1152 / 44100)
    # An Info header without the frame-count flag: the frames are counted.
    info = mp3_frame(payload=bytes(32) + b"Info" + struct.pack(">II", 0, 999))
    assert audio.check_audio(info + mp3(5), "audio", "a.mp3").seconds == pytest.approx(6 * 1152 / 44100)


def test_a_damaged_stretch_in_an_mp3_or_aac_is_stepped_over() -> None:
    assert audio.check_audio(mp3(10) + b"\x00junk" + mp3(10), "audio", "a.mp3").seconds == pytest.approx(
        20 * 1152 / 44100
    )
    assert audio.check_audio(adts(10) + b"\x01\x02\x03" + adts(10), "audio", "a.aac").seconds == pytest.approx(
        20 * 1024 / 44100
    )


def test_a_flac_without_a_total_is_measured_by_its_last_frame() -> None:
    """STREAMINFO's total 0 means "unknown": the last frame header (held to its CRC-8) gives the length."""
    frames = flac_frame(0) + flac_frame(1) + flac_frame(129)
    assert audio.check_audio(flac(0, frames=frames), "audio", "a.flac").seconds == pytest.approx(130 * 4096 / 44100)
    # A sync pattern after the last frame whose CRC-8 is wrong is not taken for a frame.
    forged = bytearray(flac_frame(400))
    forged[-41] ^= 0xFF
    found = audio.check_audio(flac(0, frames=frames + bytes(forged)), "audio", "a.flac")
    assert found.seconds == pytest.approx(130 * 4096 / 44100)


def test_a_wav_whose_data_chunk_claims_more_than_the_file_counts_what_is_there() -> None:
    assert audio.check_audio(wav(4.0, data_size=0xFFFFFFFF), "audio", "a.wav").seconds == pytest.approx(4.0)


def test_the_suffix_follows_the_bytes() -> None:
    assert audio.suffix(wav(1.0)) == ".wav" and audio.suffix(flac(100)) == ".flac"
    assert audio.suffix(ogg(OPUS_HEAD, 4800)) == ".ogg"
    assert audio.suffix(mp3(3)) == ".mp3" and audio.suffix(adts(3)) == ".aac" and audio.suffix(tone_m4a()) == ".m4a"
    assert audio.suffix(b"plain text") is None


# --- refusals ------------------------------------------------------------------------------------------------------


def test_audio_over_30_seconds_is_refused_with_its_length() -> None:
    error = refusal(wav(31.0))
    assert "the WAV audio lasts 31.00 s; useapi's upload limit for audio (POST /assets) is 30 s" in error.message
    assert "of at most 30 s" in error.message
    assert "lasts 45.00 s" in refusal(movie(45.0, brand=b"M4A ", tracks=(trak(b"soun"),))).message
    assert "lasts 31.35 s" in refusal(mp3(1200)).message


def test_the_callers_bounds_are_named() -> None:
    error = refusal(wav(12.0), max_seconds=10.0)
    assert "audio allows at most 10 s" in error.message and "useapi's upload limits for audio" in error.message
    assert "audio needs at least 2 s" in refusal(wav(1.0), min_seconds=2.0).message
    assert audio.check_audio(wav(12.0), "audio", "a.wav", max_seconds=None).seconds == 12.0


def test_over_20_mb_is_refused_before_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    data = wav(1.0)
    monkeypatch.setattr(audio, "MAX_AUDIO_BYTES", len(data) - 1)
    error = refusal(data)
    assert f"{len(data):,} bytes, over useapi's 20 MB upload limit ({len(data) - 1:,} bytes)" in error.message


def test_twenty_real_megabytes_are_over_the_limit() -> None:
    assert audio.MAX_AUDIO_BYTES == 20_000_000
    assert "over useapi's 20 MB upload limit" in refusal(wav(1.0) + bytes(20_000_000)).message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (media.cover("1:1"), "the file is a PNG image, not audio"),
        (media.video("clean", "16:9", 3), "the file is an MP4 video, not audio"),
        (b"just some text, not a sound", "the file is not WAV, MP3, M4A, FLAC, AAC or Ogg audio by its bytes"),
        (b"RIFF\x10\x00\x00\x00WAVEdata\x04\x00\x00\x00\x00\x00\x00\x00", "its data chunk comes before any fmt"),
        (id3() + b"no frames here", "the MP3 file's length cannot be read: no MPEG audio frame was found"),
        (b"fLaC" + bytes(10), "the FLAC file's length cannot be read: it has no STREAMINFO block"),
        (flac(0), "its STREAMINFO gives no length and no frame header was found"),
        (ogg(b"\x80theora" + bytes(40), 100), "its first stream is not Vorbis, Opus, FLAC or Speex audio"),
        (movie(5.0, brand=b"M4A ", tracks=(trak(b"hint"),)), "the file is an MP4 video, not audio"),
    ],
)
def test_what_is_not_measurable_audio_is_refused_naming_what_was_found(data: bytes, words: str) -> None:
    assert words in refusal(data).message


# --- uploads -------------------------------------------------------------------------------------------------------


@pytest.fixture
async def kling(api: respx.MockRouter) -> Any:
    async with KlingClient(token=TOKEN, base_url=BASE) as client:
        yield client


def upload_route(api: respx.MockRouter, answer: dict[str, Any] | None = None) -> respx.Route:
    return api.post("/assets/").respond(json=answer or {"status": 3, "url": UPLOADED, "message": ""})


async def resolve(kling: KlingClient, value: str, tmp_path: Path, **kwargs: Any) -> audio.ResolvedAudio:
    return await audio.resolve_audio(
        value, kwargs.pop("parameter", "audio"), client=kling, email="a@x.com", allowed=(tmp_path,), **kwargs
    )


UPLOADS = list(
    {mime: (name.split()[0], data, mime, seconds) for name, data, mime, seconds in reversed(SAMPLES)}.values()
)


@pytest.mark.parametrize(("name", "data", "mime", "seconds"), UPLOADS, ids=[u[0] for u in UPLOADS])
async def test_a_local_file_is_uploaded_with_its_own_content_type(
    api: respx.MockRouter, kling: KlingClient, tmp_path: Path, name: str, data: bytes, mime: str, seconds: float
) -> None:
    upload = upload_route(api)
    path = tmp_path / f"voice.{name}"
    path.write_bytes(data)
    for value in (str(path), path.as_uri()):
        resolved = await resolve(kling, value, tmp_path)
        assert resolved.url == UPLOADED and resolved.seconds == pytest.approx(seconds)
        request = upload.calls.last.request
        assert request.headers["content-type"] == mime and request.content == data
        assert request.url.params["email"] == "a@x.com"
    assert {mime for *_, mime, _s in UPLOADS} == set(audio.UPLOADABLE)  # every Content-Type of reference §7.1


async def test_a_data_uri_is_decoded_checked_and_uploaded(api: respx.MockRouter, kling: KlingClient) -> None:
    upload = upload_route(api)
    data = mp3(40)
    resolved = await resolve(kling, "data:audio/mpeg;base64," + base64.b64encode(data).decode(), Path("/nowhere"))
    assert resolved == audio.ResolvedAudio(UPLOADED, pytest.approx(40 * 1152 / 44100))
    assert upload.calls.last.request.content == data
    with pytest.raises(InvalidParameterError) as caught:
        await resolve(kling, "data:audio/wav;base64," + base64.b64encode(wav(31.0)).decode(), Path("/nowhere"))
    assert "<data URI>" in caught.value.message and "lasts 31.00 s" in caught.value.message
    assert upload.call_count == 1


async def test_a_local_file_over_20_mb_is_refused_by_its_size_unread(
    api: respx.MockRouter, kling: KlingClient, tmp_path: Path
) -> None:
    upload = upload_route(api)
    big = tmp_path / "long.wav"
    with big.open("wb") as fh:  # sparse: 20 MB and one byte, never read
        fh.truncate(20_000_001)
    with pytest.raises(InvalidParameterError) as caught:
        await resolve(kling, str(big), tmp_path)
    assert "the file is 20,000,001 bytes, over useapi's 20 MB limit" in caught.value.message and not upload.called


@pytest.mark.parametrize(
    "url", ["https://cdn.example.test/voice.mp3?sig=abc", "https://s21-kling.klingai.com/bs2/upload/voice.wav"]
)
async def test_https_urls_are_kept_as_they_are(
    api: respx.MockRouter, kling: KlingClient, tmp_path: Path, url: str
) -> None:
    upload = upload_route(api)
    assert await resolve(kling, f" {url} ", tmp_path) == audio.ResolvedAudio(url, None)
    assert not upload.called


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("http://cdn.example.test/voice.mp3", "plain http URLs are not accepted for audio"),
        ("ftp://files.example.test/voice.mp3", "ftp:// URLs are not supported"),
        ("  ", "empty"),
    ],
)
async def test_other_urls_are_refused_naming_what_is_accepted(
    api: respx.MockRouter, kling: KlingClient, tmp_path: Path, value: str, words: str
) -> None:
    upload = upload_route(api)
    with pytest.raises(InvalidParameterError) as caught:
        await resolve(kling, value, tmp_path)
    assert words in caught.value.message and "WAV, MP3, M4A, FLAC, AAC or Ogg" in caught.value.message
    assert not upload.called


async def test_the_token_is_in_no_error(api: respx.MockRouter, kling: KlingClient, tmp_path: Path) -> None:
    """Every refusal, and an upload useapi refuses, is worded without the token (which the upload did carry)."""
    (tmp_path / "voice.wav").write_bytes(wav(2.0))
    (tmp_path / "long.wav").write_bytes(wav(31.0))
    (tmp_path / "text.mp3").write_bytes(b"not audio at all")
    errors: list[KlingError] = []
    for value in (str(tmp_path / "long.wav"), str(tmp_path / "text.mp3"), "http://x.test/a.mp3", "/etc/passwd"):
        with pytest.raises(InvalidParameterError) as caught:
            await resolve(kling, value, tmp_path)
        errors.append(caught.value)
    upload = api.post("/assets/").respond(401, json={"error": f"Unauthorized token {TOKEN}"})
    with pytest.raises(AuthenticationError) as refused:
        await resolve(kling, str(tmp_path / "voice.wav"), tmp_path)
    errors.append(refused.value)
    assert upload.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"
    secret = TOKEN.split(":", 1)[1]
    for error in errors:
        text = " ".join((str(error), repr(error), json.dumps(error.details, default=str)))
        assert secret not in text, text


# --- check_local_media ---------------------------------------------------------------------------------------------


async def test_check_local_media_measures_audio_like_video(tmp_path: Path) -> None:
    (tmp_path / "voice.wav").write_bytes(wav(12.0))
    items = [
        MediaInput("audio", str(tmp_path / "voice.wav"), "audio"),
        MediaInput("sound", "data:audio/aac;base64," + base64.b64encode(adts(431)).decode(), "audio"),
        MediaInput("voice", "https://cdn.example.test/voice.mp3", "audio"),
    ]
    seconds = await uploads.check_local_media(items, (tmp_path,))
    assert seconds == {"audio": 12.0, "sound": pytest.approx(431 * 1024 / 44100), "voice": None}


@pytest.mark.parametrize(
    ("item", "words"),
    [
        (MediaInput("audio", "long.wav", "audio"), "useapi's upload limit for audio (POST /assets) is 30 s"),
        (MediaInput("sound", "voice.wav", "audio"), "sound allows at most 10 s"),  # its own bounds
        (MediaInput("audio", "frame.png", "audio"), "the file is a PNG image, not audio"),
        (MediaInput("audio", "http://cdn.example.test/a.mp3", "audio"), "plain http"),
        (MediaInput("audio", "/etc/hostname", "audio"), "outside the folders"),
    ],
)
async def test_check_local_media_refuses_bad_audio_by_its_label(tmp_path: Path, item: MediaInput, words: str) -> None:
    (tmp_path / "long.wav").write_bytes(wav(31.0))
    (tmp_path / "voice.wav").write_bytes(wav(12.0))
    (tmp_path / "frame.png").write_bytes(media.cover("1:1"))
    value = item.value if "/" in item.value else str(tmp_path / item.value)
    with pytest.raises(InvalidParameterError) as caught:
        await uploads.check_local_media(
            [MediaInput(item.label, value, item.kind)], (tmp_path,), audio_bounds={"sound": (None, 10.0)}
        )
    assert caught.value.parameter == item.label and words in caught.value.message
