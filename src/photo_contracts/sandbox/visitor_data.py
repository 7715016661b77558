"""The visitor emulator's dataset and error catalogue: visitors, their photos, the error bodies."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from photo_contracts.sandbox import images

DEFAULT_SIZE = 8
THUMBNAIL_WIDTH = 200  # [D][C] thumbnails are always JPEG, 200 px wide, aspect kept
FULL_FORMATS = ("JPEG", "PNG", "BMP")  # [C] full photos are served as stored
# Webcam and phone-camera sizes a front-desk kiosk would store (landscape and portrait).
PHOTO_SIZES = ((640, 480), (480, 640), (800, 600), (600, 800), (720, 540), (360, 480))

# The documented codes [D], by exception family, with the messages of the vendor's own error table
# (sources/visitor-vmsalpha-code.md, v1/res/kill.php [C]); 3404 keeps the photo page's words, since the
# code's message names the ID it was given.
ERRORS: dict[str, tuple[str, str]] = {
    "1142": ("OAuthException", "Wrong username/password. Please try again."),
    "1157": ("OAuthException", "Username/password not supplied."),
    "1190": ("OAuthException", "An active access token must be used to query information about the current visitors."),
    "1403": ("OAuthException", "Invalid OAuth access token."),
    "3404": ("APIMethodException", "Invalid visitor ID"),
    "4515": ("RequestedObjectException", "Image not available."),
    "5404": ("ServerSideException",
             "Unknown error occured. This should not happen normally. Please contact a developer."),
}


def error_body(code: str) -> bytes:
    """The sandbox's error body: the vendor code's message/type/code shape (code a string)."""
    kind, message = ERRORS[code]
    document = {"success": False, "errors": {"message": message, "type": kind, "code": code}}
    return json.dumps(document).encode()


@dataclass(frozen=True)
class Visitor:
    """One visitor; `photo` is None for the visitor whose image is missing (error 4515)."""

    id: str  # 40 lower-case hex digits [C]
    content_type: str | None  # of the full photo: image/jpeg, image/png or image/bmp
    width: int  # of the full photo (0 when there is none)
    height: int
    photo: bytes | None
    thumbnail: bytes | None  # always JPEG, THUMBNAIL_WIDTH wide

    @property
    def has_image(self) -> bool:
        return self.photo is not None

    @property
    def thumbnail_size(self) -> tuple[int, int]:
        if not self.width:
            return (0, 0)
        return (THUMBNAIL_WIDTH, max(1, round(self.height * THUMBNAIL_WIDTH / self.width)))


def build_visitors(seed: int, size: int | None = None) -> tuple[Visitor, ...]:
    """`size` visitors (default 8), the same for the same seed; exactly one has no image."""
    count = DEFAULT_SIZE if size is None else size
    rng = random.Random(seed)
    ids: list[str] = []
    while len(ids) < count:
        candidate = f"{rng.getrandbits(160):040x}"
        if candidate not in ids:
            ids.append(candidate)
    missing = rng.randrange(count) if count else -1
    # Formats rotate, so every format appears from three images on.
    start = rng.randrange(len(FULL_FORMATS))
    visitors = []
    with_image = 0
    for index, visitor_id in enumerate(ids):
        if index == missing:
            visitors.append(Visitor(visitor_id, None, 0, 0, None, None))
            continue
        fmt = FULL_FORMATS[(start + with_image) % len(FULL_FORMATS)]
        with_image += 1
        width, height = rng.choice(PHOTO_SIZES)
        photo = images.make_image(width, height, rng.getrandbits(32), fmt)
        thumbnail = images.resized(photo, THUMBNAIL_WIDTH, "JPEG")
        mime = images.MIME_TYPES[fmt]
        visitors.append(Visitor(visitor_id, mime, width, height, photo, thumbnail))
    return tuple(visitors)
