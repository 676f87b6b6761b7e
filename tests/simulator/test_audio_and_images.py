"""The simulator's audio and image files on their own: the MP3 and WAV it serves decode (ffmpeg) to exactly the length
it reports, its prober reads the length of every audio format POST /assets takes, and its PNGs have the size of
each ratio and resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from kling_mcp.simulator import audio
from kling_mcp.simulator.media import IMAGE_RATIOS, LONG_SIDES, image_dimensions, image_size, picture
from tests.simulator.conftest import encode, ffprobe, needs_ffmpeg, wav


@pytest.mark.parametrize("seconds", [0.5, 1.0, 2.4, 7.0, 15.0, 80.0])
def test_served_audio_lasts_whole_mp3_frames(seconds: float) -> None:
    expected = audio.served_seconds(seconds)
    assert abs(expected - seconds) <= 0.018  # half a 36 ms frame
    mp3, pcm = audio.mp3(seconds), audio.wav(seconds)
    assert mp3[:2] == b"\xff\xf3" and pcm[:4] == b"RIFF"
    for data, name in ((mp3, "mp3"), (pcm, "wav")):
        found = audio.probe(data)
        assert found is not None and found.format == name and found.seconds == pytest.approx(expected)


@needs_ffmpeg
@pytest.mark.parametrize("seconds", [1.0, 12.0])
def test_served_audio_decodes_to_its_length(tmp_path: Path, seconds: float) -> None:
    for data, suffix, codec in ((audio.mp3(seconds), ".mp3", "mp3"), (audio.wav(seconds), ".wav", "pcm_s16le")):
        found = ffprobe(data, suffix, tmp_path)
        (stream,) = found["streams"]
        assert stream["codec_name"] == codec and int(stream["sample_rate"]) == audio.RATE
        assert float(found["format"]["duration"]) == pytest.approx(audio.served_seconds(seconds), abs=0.001)


@needs_ffmpeg
@pytest.mark.parametrize(
    ("suffix", "args", "name"),
    [
        (".mp3", (), "mp3"),
        (".mp3", ("-ar", "16000", "-b:a", "32k"), "mp3"),  # MPEG-2
        (".mp3", ("-ar", "8000"), "mp3"),  # MPEG-2.5
        (".m4a", ("-c:a", "aac"), "m4a"),
        (".flac", (), "flac"),
        (".aac", ("-c:a", "aac", "-f", "adts"), "aac"),
        (".ogg", ("-c:a", "libvorbis"), "ogg"),
        (".opus", ("-c:a", "libopus", "-f", "ogg"), "ogg"),
        (".wav", ("-ar", "48000", "-ac", "2"), "wav"),
    ],
)
def test_the_prober_reads_every_audio_format(tmp_path: Path, suffix: str, args: tuple[str, ...], name: str) -> None:
    data = encode(wav(4.0), suffix, tmp_path, *args)
    found = audio.probe(data)
    assert found is not None and found.format == name
    assert found.seconds == pytest.approx(4.0, abs=0.2)  # encoders pad to whole frames (72 ms at 8 kHz)


@pytest.mark.parametrize(
    "data", [b"", b"hello", b"ID3\x03\x00\x00\x00\x00\x00\x00", b"\xff\xfb\x90\x00" + b"\x00" * 10]
)
def test_the_prober_refuses_what_is_not_audio(data: bytes) -> None:
    assert audio.probe(data) is None


@pytest.mark.parametrize("ratio", IMAGE_RATIOS)
@pytest.mark.parametrize("resolution", sorted(LONG_SIDES))
def test_every_ratio_and_resolution_is_a_png_of_that_size(ratio: str, resolution: str) -> None:
    width, height = image_dimensions(ratio, LONG_SIDES[resolution])
    assert max(width, height) == LONG_SIDES[resolution]
    w, h = (int(part) for part in ratio.split(":"))
    assert abs(width / height - w / h) < 0.01
    assert image_size(picture("clean", width, height)) == (width, height)
