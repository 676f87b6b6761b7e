"""Audio the user gives (a lip-sync soundtrack, an avatar's voice) on its way to Kling.

Audio reaches useapi as a URL (Postman collection, POST /videos/lipsync: ``audio`` "Required audio URL, use POST
/assets to upload audio"). As for videos (``videos.py``), an https URL is passed as it is and plain http or another
scheme is refused; a local file (under the allowed folders and the client's roots, read by ``uploads.read_local``) or
a data: URI is checked here and uploaded with POST /assets with its own Content-Type.

The checks (reference §7.1, useapi's POST /assets page: audio/wav, audio/wave, audio/mpeg, audio/mp4, audio/flac,
audio/aac, audio/ogg, "20MB", "30 seconds max"):
- it is audio by its bytes: WAV (``RIFF``…``WAVE``), MP3 (an ``ID3`` tag or an MPEG audio frame header), M4A (an
  ``ftyp`` file with a sound track and no video track), FLAC (``fLaC``), AAC (ADTS frames) or Ogg (``OggS``);
- at most 20 MB (20,000,000 bytes, decimal megabytes as the image and video limits are read);
- its length, read from the file, within the caller's bounds (useapi's 30 s by default):
  WAV: the data chunk's size / the byte rate of its ``fmt `` chunk; MP3: the frame count of a Xing/Info or VBRI
  header, else every frame counted (CBR and VBR alike); M4A: the movie header (``videos.py``'s box reader);
  FLAC: STREAMINFO's total samples / sample rate (when it says 0, the last frame's header); AAC: ADTS frames × 1024
  samples / rate; Ogg: the last page's granule position / the rate of the Vorbis, Opus (48 kHz, less its pre-skip),
  FLAC or Speex header.
A file is refused for its length only when that length cannot be read at all, and the error says what was found.

The formats are read from their specifications (RIFF/WAVE; ISO/IEC 11172-3 and 13818-3 frame headers with the
Xing/Info and VBRI conventions; ISO/IEC 14496-12; RFC 9639 FLAC; ISO/IEC 13818-7 ADTS; RFC 3533 Ogg, RFC 7845 Opus,
the Vorbis I specification); nothing is imported from the simulator.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import anyio

from kling_mcp.api.client import KlingClient
from kling_mcp.api.errors import InvalidParameterError
from kling_mcp.jobs import uploads, videos
from kling_mcp.jobs.addresses import Origin, origin

MAX_AUDIO_BYTES = 20_000_000  # reference §7.1: every audio Content-Type "20 MB" (decimal, as images' 10 MB)
UPLOAD_MAX_SECONDS = 30.0  # reference §7.1: "30 seconds max"
WAV = "audio/wav"
MPEG = "audio/mpeg"
M4A = "audio/mp4"
FLAC = "audio/flac"
AAC = "audio/aac"
OGG = "audio/ogg"
# Reference §7.1: the audio Content-Types POST /assets accepts (audio/wave is a synonym of audio/wav; wav is sent).
UPLOADABLE = (WAV, MPEG, M4A, FLAC, AAC, OGG)
NAMES = {WAV: "WAV", MPEG: "MP3", M4A: "M4A", FLAC: "FLAC", AAC: "AAC", OGG: "Ogg"}
SUFFIXES = {WAV: ".wav", MPEG: ".mp3", M4A: ".m4a", FLAC: ".flac", AAC: ".aac", OGG: ".ogg"}
FORMATS_TEXT = "WAV, MP3, M4A, FLAC, AAC or Ogg"
UPLOAD_LIMITS_TEXT = f"useapi's upload limits for audio: {FORMATS_TEXT}, 20 MB, at most 30 s"
_IMAGE_NAMES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP"}


@dataclass(frozen=True)
class AudioFile:
    """What the checks read of an audio file: the Content-Type to upload it with and its length."""

    mime: str
    seconds: float

    @property
    def name(self) -> str:
        return NAMES[self.mime]


@dataclass(frozen=True)
class ResolvedAudio:
    """The URL to send upstream for an audio argument, and its length when the file was read here (None for a URL)."""

    url: str
    seconds: float | None


def _seconds_text(value: float) -> str:
    return f"{value:g} s"


def allowed_text(min_seconds: float | None, max_seconds: float | None) -> str:
    """What is allowed, naming the caller's bounds and, apart, useapi's upload limits."""
    span = uploads.length_span(min_seconds, max_seconds)
    text = f"a {FORMATS_TEXT} audio file{span}, at most 20 MB"
    return text if (min_seconds, max_seconds) == (None, UPLOAD_MAX_SECONDS) else f"{text} ({UPLOAD_LIMITS_TEXT})"


def limits(min_seconds: float | None = None, max_seconds: float | None = UPLOAD_MAX_SECONDS) -> uploads.Limits:
    """How audio is read from a file or a data: URI (built at call time from ``MAX_AUDIO_BYTES``)."""
    return uploads.Limits(
        "audio",
        MAX_AUDIO_BYTES,
        "20 MB",
        allowed_text(min_seconds, max_seconds),
        "file:///path/to.mp3",
        "data:audio/mpeg;base64,...",
    )


class _Unreadable(ValueError):
    """The file is not audio these checks can measure; the text says why."""


# --- telling the format by the bytes -------------------------------------------------------------------------------


def _id3_end(data: bytes, start: int = 0) -> int:
    """Where the ID3v2 tags starting at ``start`` end (the start itself when there is none): a 10-byte header with a
    syncsafe size, plus a 10-byte footer when its flag says so; several tags may follow one another."""
    position = start
    while data[position : position + 3] == b"ID3" and len(data) >= position + 10:
        size_bytes = data[position + 6 : position + 10]
        if any(b & 0x80 for b in size_bytes):
            break
        size = (size_bytes[0] << 21) | (size_bytes[1] << 14) | (size_bytes[2] << 7) | size_bytes[3]
        footer = 10 if data[position + 5] & 0x10 else 0
        position += 10 + size + footer
    return min(position, len(data))


def _is_adts(data: bytes, position: int) -> bool:
    """An ADTS header: 12 sync bits, then the layer bits 00 that MPEG audio frames never have."""
    return len(data) >= position + 7 and data[position] == 0xFF and data[position + 1] & 0xF6 == 0xF0


def _ftyp_audio(data: bytes) -> str | None:
    """audio/mp4 for an ``ftyp`` file with a sound track and no video track (or, when its boxes cannot be read, an
    iTunes audio brand); None for anything else (an MP4 or QuickTime video)."""
    try:
        handlers = _track_handlers(data)
    except ValueError:
        return M4A if data[8:11] in (b"M4A", b"M4B", b"M4P") else None
    return M4A if b"soun" in handlers and b"vide" not in handlers else None


def sniff(data: bytes) -> str | None:
    """The audio Content-Type by the bytes, or None when they are not one of the six formats useapi takes."""
    if data[:4] == b"RIFF" and data[8:12] in (b"WAVE", b"wave"):
        return WAV
    if data[:4] == b"fLaC":
        return FLAC
    if data[:4] == b"OggS":
        return OGG
    if data[4:8] == b"ftyp":
        return _ftyp_audio(data)
    start = _id3_end(data)
    if _is_adts(data, start):
        return AAC
    if _mpeg_header(data, start) is not None:
        return MPEG
    if start > 0:  # an ID3 tag is an MP3's: its frames may follow some padding, found when it is read
        return MPEG
    return None


def suffix(data: bytes) -> str | None:
    """The file name suffix of the audio in ``data`` (".mp3", ".wav", …), or None."""
    mime = sniff(data)
    return None if mime is None else SUFFIXES[mime]


# --- WAV -----------------------------------------------------------------------------------------------------------


def _wav_seconds(data: bytes) -> float:
    """The ``data`` chunk's size over the ``fmt `` chunk's byte rate (its sample rate × block align when it says 0).
    A data chunk that claims more than the file holds (a streamed or cut recording) counts what is there."""
    position, end = 12, len(data)
    byte_rate: int | None = None
    while position + 8 <= end:
        kind, size = data[position : position + 4], int(struct.unpack_from("<I", data, position + 4)[0])
        body = position + 8
        if kind == b"fmt ":
            if size < 16 or body + 16 > end:
                raise _Unreadable("its fmt chunk is too short")
            _format, _channels, rate, byte_rate, align = struct.unpack_from("<HHIIH", data, body)
            if not byte_rate:
                byte_rate = rate * align
            if not byte_rate:
                raise _Unreadable("its fmt chunk gives a byte rate of 0")
        elif kind == b"data":
            if byte_rate is None:
                raise _Unreadable("its data chunk comes before any fmt chunk")
            return min(size, end - body) / byte_rate
        position = body + size + (size & 1)  # chunks are padded to an even size
    raise _Unreadable("it has no data chunk" if byte_rate is not None else "it has no fmt chunk")


# --- MP3 (MPEG-1/2/2.5 audio, layers I–III) -------------------------------------------------------------------------

# Bitrates in kbit/s by (MPEG-1?, layer), index 1–14 (0 is "free format", 15 is forbidden).
_BITRATES = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
# Sample rates by the version bits: 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5 (1 is reserved).
_MPEG_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


@dataclass(frozen=True)
class _Frame:
    length: int  # bytes, header included
    samples: int  # per channel
    rate: int
    mpeg1: bool
    mono: bool


def _mpeg_header(data: bytes, position: int) -> _Frame | None:
    """The MPEG audio frame whose header is at ``position``, or None when those four bytes are not one (free-format
    frames, whose length the header does not give, are not counted)."""
    if len(data) < position + 4 or data[position] != 0xFF or data[position + 1] & 0xE0 != 0xE0:
        return None
    b1, b2, b3 = data[position + 1], data[position + 2], data[position + 3]
    version, layer_bits = (b1 >> 3) & 3, (b1 >> 1) & 3
    bitrate_index, rate_index, padding = b2 >> 4, (b2 >> 2) & 3, (b2 >> 1) & 1
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    layer = 4 - layer_bits
    mpeg1 = version == 3
    bitrate = _BITRATES[(mpeg1, layer)][bitrate_index] * 1000
    rate = _MPEG_RATES[version][rate_index]
    if layer == 1:
        length, samples = (12 * bitrate // rate + padding) * 4, 384
    elif layer == 2 or mpeg1:
        length, samples = 144 * bitrate // rate + padding, 1152
    else:
        length, samples = 72 * bitrate // rate + padding, 576
    return _Frame(length, samples, rate, mpeg1, (b3 >> 6) == 3)


def _first_frame(data: bytes, start: int) -> int | None:
    """The first MPEG audio frame at or after ``start`` that another frame follows (or that ends the file): a lone
    0xFF byte in a tag's padding is not taken for one."""
    position = start
    while (position := data.find(b"\xff", position)) != -1:
        frame = _mpeg_header(data, position)
        if frame is not None:
            following = position + frame.length
            if following >= len(data) or _mpeg_header(data, following) is not None:
                return position
        position += 1
    return None


def _vbr_frames(data: bytes, position: int, frame: _Frame) -> int | None:
    """The frame count a Xing/Info header (after the side information) or a VBRI header (32 bytes in) gives."""
    side = (17 if frame.mono else 32) if frame.mpeg1 else (9 if frame.mono else 17)
    xing = position + 4 + side
    if data[xing : xing + 4] in (b"Xing", b"Info") and len(data) >= xing + 12:
        flags, count = struct.unpack_from(">II", data, xing + 4)
        if flags & 1 and count:
            return int(count)
    vbri = position + 4 + 32
    if data[vbri : vbri + 4] == b"VBRI" and len(data) >= vbri + 18:
        (count,) = struct.unpack_from(">I", data, vbri + 14)
        if count:
            return int(count)
    return None


def _is_trailer(data: bytes, position: int) -> bool:
    """A tag that ends an MP3 or AAC stream: ID3v1, APEv2, Lyrics3, or an ID3v2 appended at the end."""
    return data.startswith((b"TAG", b"APETAGEX", b"LYRICSBEGIN", b"ID3"), position)


def _mp3_seconds(data: bytes) -> float:
    start = _first_frame(data, _id3_end(data))
    if start is None:
        raise _Unreadable("no MPEG audio frame was found")
    first = _mpeg_header(data, start)
    counted = None if first is None else _vbr_frames(data, start, first)
    if first is not None and counted is not None:
        return counted * first.samples / first.rate
    seconds, position, end = 0.0, start, len(data)
    while position + 4 <= end:
        frame = _mpeg_header(data, position)
        if frame is None:
            if _is_trailer(data, position):
                break
            found = _first_frame(data, position + 1)  # a damaged stretch: go on at the next good frame
            if found is None:
                break
            position = found
            continue
        seconds += frame.samples / frame.rate
        position += frame.length
    return seconds


# --- AAC (ADTS) ----------------------------------------------------------------------------------------------------

_ADTS_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350)


def _adts_frame(data: bytes, position: int) -> tuple[int, int, int] | None:
    """(length in bytes, samples, sample rate) of the ADTS frame at ``position``, or None."""
    if not _is_adts(data, position):
        return None
    b2 = data[position + 2]
    rate_index = (b2 >> 2) & 0xF
    length = ((data[position + 3] & 3) << 11) | (data[position + 4] << 3) | (data[position + 5] >> 5)
    if rate_index >= len(_ADTS_RATES) or length < 7:
        return None
    blocks = (data[position + 6] & 3) + 1
    return length, 1024 * blocks, _ADTS_RATES[rate_index]


def _aac_seconds(data: bytes) -> float:
    position, end = _id3_end(data), len(data)
    seconds, frames = 0.0, 0
    while position + 7 <= end:
        frame = _adts_frame(data, position)
        if frame is None:
            if frames and _is_trailer(data, position):
                break
            found = data.find(b"\xff", position + 1)
            while found != -1 and _adts_frame(data, found) is None:
                found = data.find(b"\xff", found + 1)
            if found == -1:
                break
            position = found
            continue
        length, samples, rate = frame
        seconds += samples / rate
        frames += 1
        position += length
    if not frames:
        raise _Unreadable("no ADTS frame was found")
    return seconds


# --- FLAC ----------------------------------------------------------------------------------------------------------


def _crc8(data: bytes) -> int:
    """CRC-8 (polynomial x^8 + x^2 + x + 1, initial 0) of a FLAC frame header (RFC 9639 §9.1.8)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def _utf8_number(data: bytes, position: int) -> tuple[int, int] | None:
    """The "UTF-8"-coded frame or sample number at ``position`` (RFC 9639 §9.1.5) and the bytes it took."""
    if position >= len(data):
        return None
    first = data[position]
    if first < 0x80:
        return first, 1
    count = 0
    while count < 7 and first & (0x80 >> count):
        count += 1
    if count < 2 or count > 7 or position + count > len(data):
        return None
    value = first & (0x7F >> count) if count < 7 else 0
    for byte in data[position + 1 : position + count]:
        if byte & 0xC0 != 0x80:
            return None
        value = (value << 6) | (byte & 0x3F)
    return value, count


def _flac_block(data: bytes, cursor: int, code: int) -> tuple[int | None, int]:
    """A frame's block size from its header's code (RFC 9639 §9.1.6), and where the header goes on."""
    if code == 6:
        return (data[cursor] + 1 if cursor < len(data) else None), cursor + 1
    if code == 7:
        return (int.from_bytes(data[cursor : cursor + 2], "big") + 1 if cursor + 2 <= len(data) else None), cursor + 2
    if code == 1:
        return 192, cursor
    if 2 <= code <= 5:
        return 576 << (code - 2), cursor
    if code >= 8:
        return 256 << (code - 8), cursor
    return None, cursor  # 0: reserved


def _flac_frame_end(data: bytes, position: int, fixed_block: int) -> int | None:
    """The sample after the frame whose header is at ``position`` (its first sample, the frame number × the fixed
    block size or the sample number, plus its block size), or None when no valid header is there (its CRC-8)."""
    if position + 6 > len(data):
        return None
    b2, b3 = data[position + 2], data[position + 3]
    if b3 & 1 or b3 >> 4 > 10 or b2 & 0xF == 15:  # a reserved bit, channel assignment or sample rate code
        return None
    number = _utf8_number(data, position + 4)
    if number is None:
        return None
    block, cursor = _flac_block(data, position + 4 + number[1], b2 >> 4)
    cursor += {12: 1, 13: 2, 14: 2}.get(b2 & 0xF, 0)  # a sample rate given at the end of the header
    if block is None or cursor >= len(data) or _crc8(data[position:cursor]) != data[cursor]:
        return None
    first = number[0] if data[position + 1] & 1 else number[0] * fixed_block
    return first + block


def _flac_last_samples(data: bytes, start: int, fixed_block: int) -> int | None:
    """The stream's length in samples from its last frame header, searched from the end of the file."""
    position = len(data)
    while (position := max(data.rfind(b"\xff\xf8", start, position), data.rfind(b"\xff\xf9", start, position))) >= 0:
        end = _flac_frame_end(data, position, fixed_block)
        if end is not None:
            return end
    return None


def _flac_seconds(data: bytes, offset: int = 4) -> float:
    """STREAMINFO (the first metadata block after ``fLaC`` at ``offset`` - 4): a 20-bit sample rate and 36-bit
    total samples; when the encoder did not know the total (0), the last frame's header gives it."""
    if len(data) < offset + 4 + 34 or data[offset] & 0x7F != 0:
        raise _Unreadable("it has no STREAMINFO block")
    info = offset + 4
    (block,) = struct.unpack_from(">H", data, info + 2)  # the largest block size (the fixed one, for fixed blocking)
    (packed,) = struct.unpack_from(">Q", data, info + 10)
    rate, total = int(packed >> 44), int(packed & ((1 << 36) - 1))
    if rate == 0:
        raise _Unreadable("its STREAMINFO gives a sample rate of 0")
    if total == 0:
        position, last = offset, False
        while not last and position + 4 <= len(data):  # the frames start after the last metadata block
            last = bool(data[position] & 0x80)
            position += 4 + int.from_bytes(data[position + 1 : position + 4], "big")
        found = _flac_last_samples(data, position, block)
        if found is None:
            raise _Unreadable("its STREAMINFO gives no length and no frame header was found")
        total = found
    return total / rate


# --- Ogg -----------------------------------------------------------------------------------------------------------


def _ogg_page(data: bytes, position: int) -> tuple[int, int, int] | None:
    """(granule position, serial number, where the page's body starts) of the Ogg page at ``position``, or None
    when no whole page header is there (RFC 3533 §6)."""
    if data[position : position + 4] != b"OggS" or len(data) < position + 27 or data[position + 4] != 0:
        return None
    granule, serial = struct.unpack_from("<qI", data, position + 6)
    segments = data[position + 26]
    if len(data) < position + 27 + segments:
        return None
    return granule, serial, position + 27 + segments


def _ogg_codec(packet: bytes) -> tuple[str, int, int]:
    """(codec, granule rate, samples to skip) from a stream's first packet."""
    if packet.startswith(b"\x01vorbis") and len(packet) >= 16:
        return "Vorbis", struct.unpack_from("<I", packet, 12)[0], 0  # Vorbis I §4.2.2: version, channels, rate
    if packet.startswith(b"OpusHead") and len(packet) >= 19:
        return "Opus", 48_000, struct.unpack_from("<H", packet, 10)[0]  # RFC 7845 §4: granules count 48 kHz
    if packet.startswith(b"\x7fFLAC") and packet[9:13] == b"fLaC" and len(packet) >= 13 + 4 + 34:
        (packed,) = struct.unpack_from(">Q", packet, 13 + 4 + 10)  # the FLAC-in-Ogg mapping: STREAMINFO follows
        return "FLAC", packed >> 44, 0
    if packet.startswith(b"Speex   ") and len(packet) >= 40:
        return "Speex", struct.unpack_from("<I", packet, 36)[0], 0
    raise _Unreadable("its first stream is not Vorbis, Opus, FLAC or Speex audio")


def _ogg_seconds(data: bytes) -> float:
    head = _ogg_page(data, 0)
    if head is None:
        raise _Unreadable("its first page header is cut short")
    _granule, serial, body = head
    codec, rate, skip = _ogg_codec(data[body : body + 64])
    if not rate:
        raise _Unreadable(f"its {codec} header gives a sample rate of 0")
    position = len(data)
    while (position := data.rfind(b"OggS", 0, position)) > 0:
        page = _ogg_page(data, position)
        if page is not None and page[1] == serial and page[0] >= 0:  # -1: no packet ends on that page
            return max(page[0] - skip, 0) / rate
    raise _Unreadable(f"no {codec} page after the headers gives a position")


# --- M4A -----------------------------------------------------------------------------------------------------------


def _track_handlers(data: bytes) -> list[bytes]:
    """The handler type of each track (``soun``, ``vide``, …), read with videos.py's box reader."""
    moov = _moov(data)
    return [
        videos._handler(data, (start, end)) or b"" for kind, start, end in videos._boxes(data, *moov) if kind == b"trak"
    ]


def _moov(data: bytes) -> tuple[int, int]:
    moov: tuple[int, int] | None = None
    for kind, payload, end in videos._boxes(data, 0, len(data)):
        if kind == b"moov" and moov is None:
            moov = (payload, end)
    if moov is None:
        raise _Unreadable("it has no movie box (moov): not a complete file")
    return moov


def _m4a_seconds(data: bytes) -> float:
    handlers = _track_handlers(data)
    if b"soun" not in handlers:
        raise _Unreadable("it has no sound track")
    return videos._duration(data, _moov(data))


_READERS = {WAV: _wav_seconds, MPEG: _mp3_seconds, M4A: _m4a_seconds, FLAC: _flac_seconds, AAC: _aac_seconds}


def read_seconds(data: bytes, mime: str) -> float:
    """The length in seconds of the ``mime`` audio held in ``data`` (raises ValueError with the reason)."""
    return _ogg_seconds(data) if mime == OGG else _READERS[mime](data)


# --- the checks ----------------------------------------------------------------------------------------------------


def _not_audio(data: bytes) -> str:
    image = uploads.sniff(data)
    if image is not None:
        return f"the file is a {_IMAGE_NAMES[image]} image, not audio"
    movie = videos.sniff(data)
    if movie is not None:
        kind = "QuickTime" if movie == videos.QUICKTIME else "MP4"
        return f"the file is an {kind} video, not audio (it has a video track or no sound track)"
    return f"the file is not {FORMATS_TEXT} audio by its bytes"


def check_audio(
    data: bytes,
    parameter: str,
    shown: str,
    *,
    max_seconds: float | None = UPLOAD_MAX_SECONDS,
    min_seconds: float | None = None,
) -> AudioFile:
    """What ``data`` is, or an error naming ``parameter``, what was found and what is allowed. ``shown`` is how the
    value appears in the error (the path, or "<data URI>"). The bounds are the caller's: useapi's upload limit of
    30 s by default."""
    allowed = allowed_text(min_seconds, max_seconds)
    if len(data) > MAX_AUDIO_BYTES:
        raise InvalidParameterError(
            parameter,
            shown,
            f"the audio is {len(data):,} bytes, over useapi's 20 MB upload limit ({MAX_AUDIO_BYTES:,} bytes)",
            allowed,
        )
    mime = sniff(data)
    if mime is None:
        raise InvalidParameterError(parameter, shown, _not_audio(data), allowed)
    try:
        seconds = read_seconds(data, mime)
    except (ValueError, struct.error, IndexError) as exc:
        raise InvalidParameterError(
            parameter, shown, f"the {NAMES[mime]} file's length cannot be read: {exc}", allowed
        ) from None
    if max_seconds is not None and seconds > max_seconds:
        limit = (
            f"useapi's upload limit for audio (POST /assets) is {_seconds_text(max_seconds)}"
            if max_seconds == UPLOAD_MAX_SECONDS
            else f"{parameter} allows at most {_seconds_text(max_seconds)}"
        )
        raise InvalidParameterError(
            parameter, shown, f"the {NAMES[mime]} audio lasts {seconds:.2f} s; {limit}", allowed
        )
    if min_seconds is not None and seconds < min_seconds:
        raise InvalidParameterError(
            parameter,
            shown,
            f"the {NAMES[mime]} audio lasts {seconds:.2f} s; {parameter} needs at least {_seconds_text(min_seconds)}",
            allowed,
        )
    return AudioFile(mime, seconds)


def classify(value: str, parameter: str, upstream: Origin | None = None) -> Literal["url", "data", "local"]:
    """Which way an audio value goes ("url", "data" or "local"): the rules of ``videos.classify``."""
    return videos.classify(value, parameter, upstream, noun="audio", kinds=FORMATS_TEXT)


async def read_audio(
    value: str,
    parameter: str,
    allowed: Sequence[Path],
    roots: Sequence[Path] | None = None,
    limiter: anyio.CapacityLimiter | None = None,
    *,
    bounds: tuple[float | None, float | None] = (None, UPLOAD_MAX_SECONDS),
) -> tuple[bytes, str]:
    """The bytes of a local audio file or a data: URI (the folder, roots and file rules of images, the audio size
    limit), and how the value is shown in errors. ``bounds`` (min, max seconds) only word the refusals."""
    return await uploads.read_given(value, parameter, allowed, roots, limiter, limits(*bounds))


async def resolve_audio(
    value: str,
    parameter: str,
    *,
    client: KlingClient,
    email: str | None,
    allowed: Sequence[Path],
    roots: Sequence[Path] | None = None,
    limiter: anyio.CapacityLimiter | None = None,
    max_seconds: float | None = UPLOAD_MAX_SECONDS,
    min_seconds: float | None = None,
) -> ResolvedAudio:
    """The URL to send upstream for an audio argument: an https URL as it is; a local file or a data: URI checked,
    uploaded with POST /assets under its own Content-Type, and the answer's URL."""
    value = value.strip()
    if not value:
        raise InvalidParameterError(parameter, value, "empty", allowed_text(min_seconds, max_seconds))
    if classify(value, parameter, origin(client.base_url)) == "url":
        return ResolvedAudio(value, None)
    data, shown = await read_audio(value, parameter, allowed, roots, limiter, bounds=(min_seconds, max_seconds))
    audio = check_audio(data, parameter, shown, max_seconds=max_seconds, min_seconds=min_seconds)
    url = await uploads.upload(client, data, audio.mime, email, "audio")
    return ResolvedAudio(url, audio.seconds)
