"""Box-structured MP4 bytes for tests: ftyp, moov, mdat (ISO/IEC 14496-12 top-level boxes)."""

from __future__ import annotations

import struct


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(media_bytes: int = 50_000) -> bytes:
    """A file whose boxes tile it exactly, with a movie header: what a complete MP4 looks like to the checks."""
    return (
        box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2")
        + box(b"moov", box(b"mvhd", bytes(100)))
        + box(b"mdat", bytes(range(256)) * (media_bytes // 256) + bytes(media_bytes % 256))
    )


COMPLETE = mp4()
