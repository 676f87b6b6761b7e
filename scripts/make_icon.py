"""Draw kling-mcp's icon, icon.png (512x512 RGBA; the size Claude Desktop recommends for a bundle icon), with no
image library: shapes are signed distance functions, anti-aliased by their distance to each pixel's centre, and the
PNG is written with zlib.

    python scripts/make_icon.py            # write icon.png at the repository root
    python scripts/make_icon.py --check    # exit 1 if icon.png's pixels are not what this script draws

The picture: a violet-to-blue rounded square, a white film frame with a play triangle in it, and a warm spark at
the frame's corner (a generated video).
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICON = ROOT / "icon.png"
SIZE = 512

Colour = tuple[float, float, float]
TOP_LEFT: Colour = (124, 58, 237)  # violet
BOTTOM_RIGHT: Colour = (37, 99, 235)  # blue
WHITE: Colour = (255, 255, 255)
SPARK: Colour = (253, 224, 71)  # warm yellow


def _rounded_box(x: float, y: float, cx: float, cy: float, hw: float, hh: float, r: float) -> float:
    qx = abs(x - cx) - (hw - r)
    qy = abs(y - cy) - (hh - r)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - r


def _triangle(x: float, y: float, a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
    """Signed distance to a triangle (negative inside)."""
    best_sq, sign_min = math.inf, math.inf
    orientation = (b[0] - a[0]) * (a[1] - c[1]) - (b[1] - a[1]) * (a[0] - c[0])
    s = 1.0 if orientation >= 0 else -1.0
    for p, q in ((a, b), (b, c), (c, a)):
        ex, ey = q[0] - p[0], q[1] - p[1]
        vx, vy = x - p[0], y - p[1]
        t = min(max((vx * ex + vy * ey) / (ex * ex + ey * ey), 0.0), 1.0)
        dx, dy = vx - ex * t, vy - ey * t
        best_sq = min(best_sq, dx * dx + dy * dy)
        sign_min = min(sign_min, s * (vx * ey - vy * ex))
    return -math.sqrt(best_sq) * (1.0 if sign_min > 0 else -1.0)


def _coverage(distance: float) -> float:
    return min(max(0.5 - distance, 0.0), 1.0)


def _over(dst: tuple[float, float, float, float], colour: Colour, alpha: float) -> tuple[float, float, float, float]:
    """Paint colour at alpha over a premultiplied RGBA pixel."""
    r, g, b, a = dst
    keep = 1.0 - alpha
    return (colour[0] * alpha + r * keep, colour[1] * alpha + g * keep, colour[2] * alpha + b * keep, alpha + a * keep)


def pixels() -> bytes:
    """Raw RGBA scanlines, each preceded by PNG filter type 0."""
    play = ((222.0, 196.0), (222.0, 316.0), (318.0, 256.0))
    rows = bytearray()
    for py in range(SIZE):
        rows.append(0)
        y = py + 0.5
        for px in range(SIZE):
            x = px + 0.5
            pixel = (0.0, 0.0, 0.0, 0.0)
            background = _coverage(_rounded_box(x, y, 256, 256, 256, 256, 104))
            if background > 0:
                t = (x + y) / (2 * SIZE)
                shade = tuple(TOP_LEFT[i] + (BOTTOM_RIGHT[i] - TOP_LEFT[i]) * t for i in range(3))
                pixel = _over(pixel, (shade[0], shade[1], shade[2]), background)
                frame = _coverage(abs(_rounded_box(x, y, 256, 256, 150, 112, 36)) - 13)
                if frame > 0:
                    pixel = _over(pixel, WHITE, frame * background)
                if 190 <= x <= 335 and 175 <= y <= 337:
                    triangle = _coverage(_triangle(x, y, *play) - 10)
                    if triangle > 0:
                        pixel = _over(pixel, WHITE, triangle * background)
                spark = _coverage(math.hypot(x - 398, y - 150) - 30)
                if spark > 0:
                    pixel = _over(pixel, SPARK, spark * background)
            r, g, b, a = pixel
            if a <= 0:
                rows += b"\0\0\0\0"
            else:  # un-premultiply
                rows += bytes((round(min(r / a, 255)), round(min(g / a, 255)), round(min(b / a, 255)), round(a * 255)))
    return bytes(rows)


def png(raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def decode(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and raw scanlines of a PNG this script wrote (RGBA, filter 0); compared by pixels, not bytes,
    since zlib builds may compress the same pixels differently."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    at, width, height, idat = 8, 0, 0, b""
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    return width, height, zlib.decompress(idat)


def main(argv: list[str]) -> int:
    raw = pixels()
    if "--check" in argv:
        current = decode(ICON.read_bytes()) if ICON.is_file() else None
        if current != (SIZE, SIZE, raw):
            print(f"{ICON.name} is not what this script draws: run python scripts/make_icon.py", file=sys.stderr)
            return 1
        return 0
    ICON.write_bytes(png(raw))
    print(f"wrote {ICON} ({ICON.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
