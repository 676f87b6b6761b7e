"""Just enough ISO BMFF (MP4) to read the samples of the shipped segments, to tell how long an uploaded video is
(``probe``) and to write a new, progressive MP4 from them: ``ftyp``, ``moov`` (``mvhd``, one ``trak`` per track
with ``stts``/``stss``/``stsc``/``stsz``/``stco``) and one ``mdat``, as ISO/IEC 14496-12 lays them out. The sample
descriptions (``stsd``: H.264 ``avc1``/``avcC``, AAC ``mp4a``/``esds``) are copied byte for byte from the source
files, so nothing here knows a codec.

No library is used on purpose: PyAV (``av`` on PyPI) can remux, but it ships FFmpeg's libraries (tens of MB) for
what is a few hundred lines of box writing; ``pymp4`` parses and builds boxes but does not mux.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

_MATRIX = struct.pack(">9I", 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)  # identity (§8.2.2)
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf", b"edts"}


class Mp4Error(ValueError):
    """The source file is not an MP4 this module can read."""


@dataclass(frozen=True)
class Track:
    """One track of a source file: its samples in decoding order and what is needed to write them again."""

    handler: bytes  # b"vide" or b"soun"
    timescale: int
    stsd: bytes  # the whole stsd box, header included
    samples: tuple[bytes, ...]
    deltas: tuple[int, ...]  # each sample's duration in ``timescale`` units
    sync: frozenset[int] | None  # 0-based indices of sync samples; None when every sample is one
    width: int = 0
    height: int = 0


@dataclass
class OutTrack:
    """A track to write: its samples grouped in chunks (chunk i of every track is written together)."""

    handler: bytes
    timescale: int
    stsd: bytes
    chunks: list[list[bytes]]
    deltas: list[int]  # per sample
    sync: list[int] | None = None  # 1-based sample numbers; None when every sample is a sync sample
    width: int = 0
    height: int = 0

    @property
    def duration(self) -> int:
        return sum(self.deltas)


# --- reading -------------------------------------------------------------------------------------------------------


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of each box in ``data[start:end]``."""
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, position)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, position + 8)
            header = 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            raise Mp4Error(f"bad {kind!r} box at offset {position}")
        yield kind, position + header, position + size
        position += size


def _find(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int]:
    for found, payload, box_end in _boxes(data, start, end):
        if found == kind:
            return payload, box_end
    raise Mp4Error(f"no {kind.decode()} box")


def _table(data: bytes, payload: int, fmt: str) -> list[tuple[int, ...]]:
    """The entries of a full box that holds an entry count then fixed-size entries."""
    (count,) = struct.unpack_from(">I", data, payload + 4)
    size = struct.calcsize(fmt)
    return [struct.unpack_from(fmt, data, payload + 8 + i * size) for i in range(count)]


def read_tracks(data: bytes) -> list[Track]:
    """Every track of a progressive MP4 (sample tables, not fragments)."""
    moov, moov_end = _find(data, 0, len(data), b"moov")
    tracks = []
    for kind, trak, trak_end in _boxes(data, moov, moov_end):
        if kind != b"trak":
            continue
        tkhd, _ = _find(data, trak, trak_end, b"tkhd")
        width_at = tkhd + (4 + 32 if data[tkhd] == 1 else 4 + 20) + 52
        width, height = (value >> 16 for value in struct.unpack_from(">II", data, width_at))
        mdia, mdia_end = _find(data, trak, trak_end, b"mdia")
        mdhd, _ = _find(data, mdia, mdia_end, b"mdhd")
        (timescale,) = struct.unpack_from(">I", data, mdhd + (20 if data[mdhd] == 1 else 12))
        hdlr, _ = _find(data, mdia, mdia_end, b"hdlr")
        handler = data[hdlr + 8 : hdlr + 12]
        minf, minf_end = _find(data, mdia, mdia_end, b"minf")
        stbl, stbl_end = _find(data, minf, minf_end, b"stbl")
        boxes = {k: (p, e) for k, p, e in _boxes(data, stbl, stbl_end)}
        if b"stsd" not in boxes or b"stsz" not in boxes or b"stsc" not in boxes or b"stts" not in boxes:
            raise Mp4Error("incomplete sample table")
        if b"ctts" in boxes:
            raise Mp4Error("composition offsets (B-frames) are not supported")
        stsd_payload, stsd_end = boxes[b"stsd"]
        stsd = data[stsd_payload - 8 : stsd_end]
        stsz = boxes[b"stsz"][0]
        fixed, count = struct.unpack_from(">II", data, stsz + 4)
        sizes = [fixed] * count if fixed else list(struct.unpack_from(f">{count}I", data, stsz + 12))
        if b"stco" in boxes:
            offsets = [entry[0] for entry in _table(data, boxes[b"stco"][0], ">I")]
        elif b"co64" in boxes:
            offsets = [entry[0] for entry in _table(data, boxes[b"co64"][0], ">Q")]
        else:
            raise Mp4Error("no chunk offsets")
        runs = _table(data, boxes[b"stsc"][0], ">III")
        samples: list[bytes] = []
        for chunk, offset in enumerate(offsets, start=1):
            per_chunk = next(run[1] for run in reversed(runs) if run[0] <= chunk)
            for _ in range(per_chunk):
                size = sizes[len(samples)]
                samples.append(data[offset : offset + size])
                offset += size
        deltas = [delta for n, delta in _table(data, boxes[b"stts"][0], ">II") for _ in range(n)]
        sync = None
        if b"stss" in boxes:
            sync = frozenset(entry[0] - 1 for entry in _table(data, boxes[b"stss"][0], ">I"))
        if len(samples) != count or len(deltas) != count:
            raise Mp4Error("sample tables disagree")
        tracks.append(Track(handler, timescale, stsd, tuple(samples), tuple(deltas), sync, width, height))
    return tracks


@dataclass(frozen=True)
class Probe:
    """What a video file is, from its headers alone: length, picture size and whether it has sound."""

    seconds: float
    width: int
    height: int
    audio: bool


def probe(data: bytes) -> Probe:
    """The length (``mvhd``, else the longest track's ``mdhd``), the picture size (the video track's ``tkhd``) and
    whether an audio track exists, of an MP4 or QuickTime file. Only headers are read, so any codec, B-frames or
    fragmented files are fine. Mp4Error when the bytes are not such a file or say nothing of a length."""
    try:
        return _probe(data)
    except struct.error:
        raise Mp4Error("the file ends inside a box") from None


def _probe(data: bytes) -> Probe:
    moov, moov_end = _find(data, 0, len(data), b"moov")
    mvhd, _ = _find(data, moov, moov_end, b"mvhd")
    if data[mvhd] == 1:
        timescale, duration = struct.unpack_from(">IQ", data, mvhd + 20)
    else:
        timescale, duration = struct.unpack_from(">II", data, mvhd + 12)
    seconds = duration / timescale if timescale else 0.0
    width = height = 0
    audio = False
    for kind, trak, trak_end in _boxes(data, moov, moov_end):
        if kind != b"trak":
            continue
        mdia, mdia_end = _find(data, trak, trak_end, b"mdia")
        hdlr, _ = _find(data, mdia, mdia_end, b"hdlr")
        handler = data[hdlr + 8 : hdlr + 12]
        mdhd, _ = _find(data, mdia, mdia_end, b"mdhd")
        if data[mdhd] == 1:
            track_scale, track_duration = struct.unpack_from(">IQ", data, mdhd + 20)
        else:
            track_scale, track_duration = struct.unpack_from(">II", data, mdhd + 12)
        if not seconds and track_scale:
            seconds = max(seconds, track_duration / track_scale)
        if handler == b"soun":
            audio = True
        elif handler == b"vide" and not width:
            tkhd, _ = _find(data, trak, trak_end, b"tkhd")
            width_at = tkhd + (4 + 32 if data[tkhd] == 1 else 4 + 20) + 52
            width, height = (value >> 16 for value in struct.unpack_from(">II", data, width_at))
    if seconds <= 0:
        raise Mp4Error("the file does not say how long it is")
    return Probe(seconds, width, height, audio)


# --- writing -------------------------------------------------------------------------------------------------------


def _box(kind: bytes, *parts: bytes) -> bytes:
    payload = b"".join(parts)
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _full(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags), *parts)


def _runs(values: Sequence[int]) -> list[tuple[int, int]]:
    """Run-length encoding: (count, value) pairs."""
    runs: list[tuple[int, int]] = []
    for value in values:
        if runs and runs[-1][1] == value:
            runs[-1] = (runs[-1][0] + 1, value)
        else:
            runs.append((1, value))
    return runs


def _stbl(track: OutTrack, chunk_offsets: list[int]) -> bytes:
    stts = _runs(track.deltas)
    sizes = [len(sample) for chunk in track.chunks for sample in chunk]
    stsc: list[tuple[int, int, int]] = []  # (first chunk, samples per chunk, sample description index)
    for number, chunk in enumerate(track.chunks, start=1):
        if not stsc or stsc[-1][1] != len(chunk):
            stsc.append((number, len(chunk), 1))
    boxes = [
        track.stsd,
        _full(b"stts", 0, 0, struct.pack(">I", len(stts)), *(struct.pack(">II", n, d) for n, d in stts)),
    ]
    if track.sync is not None:
        boxes.append(_full(b"stss", 0, 0, struct.pack(f">I{len(track.sync)}I", len(track.sync), *track.sync)))
    boxes += [
        _full(b"stsc", 0, 0, struct.pack(">I", len(stsc)), *(struct.pack(">III", *entry) for entry in stsc)),
        _full(b"stsz", 0, 0, struct.pack(f">II{len(sizes)}I", 0, len(sizes), *sizes)),
        _full(b"stco", 0, 0, struct.pack(f">I{len(chunk_offsets)}I", len(chunk_offsets), *chunk_offsets)),
    ]
    return _box(b"stbl", *boxes)


def _trak(track: OutTrack, track_id: int, movie_timescale: int, chunk_offsets: list[int]) -> bytes:
    video = track.handler == b"vide"
    movie_duration = track.duration * movie_timescale // track.timescale
    tkhd = _full(
        b"tkhd",
        0,
        0x3,  # enabled, in movie
        struct.pack(">IIIII", 0, 0, track_id, 0, movie_duration),
        bytes(8),
        struct.pack(">hhHH", 0, 0, 0 if video else 0x0100, 0),
        _MATRIX,
        struct.pack(">II", track.width << 16, track.height << 16),
    )
    mdhd = _full(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, track.timescale, track.duration, 0x55C4, 0))  # "und"
    name = b"VideoHandler\0" if video else b"SoundHandler\0"
    hdlr = _full(b"hdlr", 0, 0, struct.pack(">I4s", 0, track.handler), bytes(12), name)
    header = _full(b"vmhd", 0, 1, bytes(8)) if video else _full(b"smhd", 0, 0, bytes(4))
    dinf = _box(b"dinf", _full(b"dref", 0, 0, struct.pack(">I", 1), _full(b"url ", 0, 1)))
    minf = _box(b"minf", header, dinf, _stbl(track, chunk_offsets))
    return _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf))


def mux(tracks: Sequence[OutTrack], movie_timescale: int = 1000) -> bytes:
    """A progressive MP4 (``moov`` before ``mdat``) with chunk i of every track written in turn."""
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isom", b"iso2", b"avc1", b"mp41")
    order = [
        (t, c)
        for c in range(max(len(t.chunks) for t in tracks))
        for t in range(len(tracks))
        if c < len(tracks[t].chunks)
    ]

    def moov(offsets: list[list[int]]) -> bytes:
        duration = max(t.duration * movie_timescale // t.timescale for t in tracks)
        mvhd = _full(
            b"mvhd",
            0,
            0,
            struct.pack(">IIII", 0, 0, movie_timescale, duration),
            struct.pack(">IH", 0x00010000, 0x0100),
            bytes(10),
            _MATRIX,
            bytes(24),
            struct.pack(">I", len(tracks) + 1),
        )
        traks = [_trak(t, i + 1, movie_timescale, offsets[i]) for i, t in enumerate(tracks)]
        return _box(b"moov", mvhd, *traks)

    # The moov's size does not depend on the offset values (stco entries are fixed-size), so lay it out once with
    # zeros, then again with the real offsets.
    placeholder = [[0] * len(t.chunks) for t in tracks]
    position = len(ftyp) + len(moov(placeholder)) + 8  # + the mdat header
    offsets: list[list[int]] = [[] for _ in tracks]
    for t, c in order:
        offsets[t].append(position)
        position += sum(len(sample) for sample in tracks[t].chunks[c])
    body = b"".join(sample for t, c in order for sample in tracks[t].chunks[c])
    return ftyp + moov(offsets) + _box(b"mdat", body)
