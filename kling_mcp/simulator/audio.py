"""Audio for the simulator: what an uploaded audio file is (``probe``: its format and length, read from its bytes),
and the audio files it serves (``mp3`` and ``wav``: a steady tone of a given length).

Reading covers the formats POST /assets takes for audio (reference §7.1: wav, mp3, m4a, flac, aac, ogg): the WAV
``fmt``/``data`` chunks, MPEG audio frame headers (ISO/IEC 11172-3 and 13818-3), the MP4 movie header (``mp4.py``),
FLAC's STREAMINFO block, AAC ADTS frame headers (ISO/IEC 13818-7) and the granule position of Ogg pages (RFC 3533)
with a Vorbis or Opus stream (RFC 7845). Only headers are read; nothing is decoded.

Writing needs no encoder: the MP3 repeats one frame of ``media/tone.mp3`` (MPEG-2 Layer III, 16 kHz, 576 samples and
144 bytes a frame, no bit reservoir, so every frame decodes on its own: ``media/make_media.sh``); the WAV is 16-bit
PCM of the same 500 Hz tone. Both last a whole number of MP3 frames (36 ms), so a work's MP3 and WAV are equally long.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kling_mcp.simulator import mp4

RATE = 16_000  # samples per second of every served audio file
FRAME_SAMPLES = 576  # samples per MPEG-2 Layer III frame
TONE_HZ = 500
FORMATS = ("wav", "mp3", "m4a", "flac", "aac", "ogg")  # reference §7.1

_MPEG_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}  # by version bits
_MPEG1_KBPS = {
    3: (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),  # layer I
    2: (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),  # layer II
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # layer III
}
_MPEG2_KBPS = {
    3: (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    1: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_ADTS_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350)


@dataclass(frozen=True)
class AudioProbe:
    """An audio file's format (one of ``FORMATS``) and length in seconds."""

    format: str
    seconds: float


def probe(data: bytes) -> AudioProbe | None:
    """The format and length of an audio file, from its bytes; None when it is none of ``FORMATS`` or its length
    cannot be read."""
    readers = (
        ("wav", _wav),
        ("flac", _flac),
        ("ogg", _ogg),
        ("m4a", _m4a),
        ("aac", _adts),
        ("mp3", _mpeg),
    )
    for name, reader in readers:
        try:
            seconds = reader(data)
        except (struct.error, ValueError, IndexError):
            seconds = None
        if seconds is not None and seconds > 0 and math.isfinite(seconds):
            return AudioProbe(name, seconds)
    return None


def _wav(data: bytes) -> float | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    position, byte_rate = 12, 0
    while position + 8 <= len(data):
        kind, size = data[position : position + 4], struct.unpack_from("<I", data, position + 4)[0]
        body = position + 8
        if kind == b"fmt ":
            byte_rate = struct.unpack_from("<I", data, body + 8)[0]
        elif kind == b"data":
            if not byte_rate:
                return None
            available = len(data) - body
            return float(min(size, available) / byte_rate)
        position = body + size + (size & 1)
    return None


def _skip_id3(data: bytes) -> int:
    """Where the audio starts after an ID3v2 tag (its size is four 7-bit bytes; a footer adds 10 bytes)."""
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
    return 10 + size + (10 if data[5] & 0x10 else 0)


def _mpeg_frame(data: bytes, at: int) -> tuple[int, int, int] | None:
    """(frame length in bytes, samples, sample rate) of the MPEG audio frame header at ``at``; None if none is there."""
    if at + 4 > len(data) or data[at] != 0xFF or data[at + 1] & 0xE0 != 0xE0:
        return None
    version, layer = (data[at + 1] >> 3) & 3, (data[at + 1] >> 1) & 3
    rate_index, bitrate_index = (data[at + 2] >> 2) & 3, data[at + 2] >> 4
    if version == 1 or layer == 0 or rate_index == 3 or bitrate_index in (0, 15):
        return None
    padding = (data[at + 2] >> 1) & 1
    rate = _MPEG_RATES[version][rate_index]
    kbps = (_MPEG1_KBPS if version == 3 else _MPEG2_KBPS)[layer][bitrate_index] * 1000
    if layer == 3:  # layer I
        return (12 * kbps // rate + padding) * 4, 384, rate
    if layer == 1 and version != 3:  # layer III, MPEG-2 and 2.5
        return 72 * kbps // rate + padding, 576, rate
    return 144 * kbps // rate + padding, 1152, rate


def _mpeg(data: bytes) -> float | None:
    position = _skip_id3(data)
    first = _mpeg_frame(data, position)
    if first is None or (_mpeg_frame(data, position + first[0]) is None and position + first[0] < len(data)):
        return None  # not two frames in a row: not an MP3
    if b"Xing" in data[position : position + 48] or b"Info" in data[position : position + 48]:
        position += first[0]  # a Xing/Info frame (LAME's header) carries no sound
    samples = 0
    while (frame := _mpeg_frame(data, position)) is not None and position + frame[0] <= len(data):
        samples += frame[1]
        position += frame[0]
    return samples / first[2] or None  # a stream keeps its sample rate


def _adts(data: bytes) -> float | None:
    position = _skip_id3(data)
    if position + 7 > len(data) or data[position] != 0xFF or data[position + 1] & 0xF6 != 0xF0:
        return None
    seconds = 0.0
    while position + 7 <= len(data) and data[position] == 0xFF and data[position + 1] & 0xF6 == 0xF0:
        rate_index = (data[position + 2] >> 2) & 0xF
        length = ((data[position + 3] & 3) << 11) | (data[position + 4] << 3) | (data[position + 5] >> 5)
        if rate_index >= len(_ADTS_RATES) or length < 7:
            return None
        seconds += 1024 * ((data[position + 6] & 3) + 1) / _ADTS_RATES[rate_index]
        position += length
    return seconds


def _flac(data: bytes) -> float | None:
    if data[:4] != b"fLaC" or data[4] & 0x7F != 0:  # the first metadata block is STREAMINFO
        return None
    (packed,) = struct.unpack_from(">Q", data, 8 + 10)
    rate, total = packed >> 44, packed & ((1 << 36) - 1)
    return total / rate if rate and total else None


def _ogg(data: bytes) -> float | None:
    if data[:4] != b"OggS":
        return None
    serial, rate, skip, granule = None, 0, 0, 0
    position = 0
    while position + 27 <= len(data) and data[position : position + 4] == b"OggS":
        (page_granule,) = struct.unpack_from("<q", data, position + 6)
        (page_serial,) = struct.unpack_from("<I", data, position + 14)
        segments = data[position + 26]
        body = position + 27 + segments
        length = sum(data[position + 27 : body])
        if serial is None:
            serial = page_serial
            packet = data[body : body + length]
            if packet[:7] == b"\x01vorbis":
                (rate,) = struct.unpack_from("<I", packet, 12)
            elif packet[:8] == b"OpusHead":
                rate, skip = 48000, struct.unpack_from("<H", packet, 10)[0]  # RFC 7845: granules count 48 kHz
            else:
                return None
        elif page_serial == serial and page_granule > 0:
            granule = max(granule, page_granule)
        position = body + length
    return (granule - skip) / rate if rate and granule > skip else None


def _m4a(data: bytes) -> float | None:
    try:
        found = mp4.probe(data)
    except mp4.Mp4Error:
        return None
    return found.seconds if found.audio and not found.width else None


# --- what the simulator serves -------------------------------------------------------------------------------------


def frames(seconds: float) -> int:
    """MP3 frames of a clip of ``seconds``: at least one."""
    return max(1, round(seconds * RATE / FRAME_SAMPLES))


def served_seconds(seconds: float) -> float:
    """The length of the audio files served for a clip of ``seconds``: whole MP3 frames (36 ms)."""
    return frames(seconds) * FRAME_SAMPLES / RATE


@cache
def _tone_frame() -> bytes:
    data = resources.files("kling_mcp.simulator").joinpath("media", "tone.mp3").read_bytes()
    header = _mpeg_frame(data, 0)
    if header is None or header[1:] != (FRAME_SAMPLES, RATE):
        raise ValueError("media/tone.mp3 must be MPEG-2 Layer III at 16 kHz")
    size = header[0]
    middle = (len(data) // size // 2) * size
    frame = data[middle : middle + size]
    if _mpeg_frame(frame, 0) != header:
        raise ValueError("media/tone.mp3 must be constant bit rate without padding")
    return frame


@cache
def mp3(seconds: float) -> bytes:
    """An MP3 of a steady tone lasting ``served_seconds(seconds)``."""
    return _tone_frame() * frames(seconds)


@cache
def wav(seconds: float) -> bytes:
    """A 16 kHz mono 16-bit WAV of a steady tone lasting ``served_seconds(seconds)``."""
    period = RATE // TONE_HZ  # 32 samples: the tone repeats exactly
    one = struct.pack(f"<{period}h", *(round(9000 * math.sin(2 * math.pi * i / period)) for i in range(period)))
    count = frames(seconds) * FRAME_SAMPLES
    pcm = one * (count // period) + one[: (count % period) * 2]
    header = struct.pack("<4sI4s4sIHHIIHH", b"RIFF", 36 + len(pcm), b"WAVE", b"fmt ", 16, 1, 1, RATE, RATE * 2, 2, 16)
    return header + b"data" + struct.pack("<I", len(pcm)) + pcm
