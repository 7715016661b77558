"""Real images, made with Pillow, deterministic for a seed: what the emulators serve."""

from __future__ import annotations

import io
import random
from functools import lru_cache

from PIL import Image, ImageDraw

# Pillow format names by MIME type, and back.
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/bmp": "BMP", "image/gif": "GIF"}
MIME_TYPES = {fmt: mime for mime, fmt in FORMATS.items()}


def portrait(width: int, height: int, seed: int) -> Image.Image:
    """An ID-photo-like picture: plain background, a head and shoulders, colours from `seed`."""
    rng = random.Random(seed)
    background = tuple(rng.randint(200, 250) for _ in range(3))
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    skin = (rng.randint(120, 230), rng.randint(90, 190), rng.randint(70, 160))
    shirt = tuple(rng.randint(20, 160) for _ in range(3))
    cx = width // 2
    draw.ellipse((cx - width // 2, int(height * 0.65), cx + width // 2, height * 1.4), fill=shirt)
    head_w, head_h = int(width * 0.36), int(height * 0.42)
    top = int(height * 0.14)
    draw.ellipse((cx - head_w // 2, top, cx + head_w // 2, top + head_h), fill=skin)
    return image


def encode(image: Image.Image, fmt: str, exif: Image.Exif | None = None) -> bytes:
    """`image` as bytes in a Pillow format (JPEG, PNG, BMP); EXIF only where the format has it."""
    buffer = io.BytesIO()
    options: dict[str, object] = {"quality": 85} if fmt == "JPEG" else {}
    if exif is not None and fmt in ("JPEG", "PNG"):
        options["exif"] = exif
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def make_image(width: int, height: int, seed: int, fmt: str = "JPEG", exif: Image.Exif | None = None) -> bytes:
    if exif is None:
        return _plain(width, height, seed, fmt)
    return encode(portrait(width, height, seed), fmt, exif)


# Deterministic pictures are drawn once per process: every sandbox started again with the same seed (each test
# that starts one; learn-usage once per mutation) serves the same bytes without drawing and encoding them again.
@lru_cache(maxsize=8192)
def _plain(width: int, height: int, seed: int, fmt: str) -> bytes:
    return encode(portrait(width, height, seed), fmt)


@lru_cache(maxsize=8192)
def resized(data: bytes, width: int, fmt: str = "JPEG") -> bytes:
    """`data` scaled to `width` pixels wide, keeping the aspect ratio (thumbnails, large versions)."""
    with Image.open(io.BytesIO(data)) as image:
        height = max(1, round(image.height * width / image.width))
        return encode(image.convert("RGB").resize((width, height)), fmt)


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size
