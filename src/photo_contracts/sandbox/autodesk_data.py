"""The Autodesk ACC Photos emulator's dataset: media records, real JPEGs, deterministic per seed.

Invariant of the generated timestamps (the documented example satisfies it too):
    takenAt <= userCreatedAt <= createdAt <= updatedAt < deletedAt (when deleted)
Timestamps are written like the docs' example: `2021-03-14T10:20:33`, no timezone, UTC.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from PIL import Image, ImageOps

from photo_contracts.sandbox import images

PROJECT_ID = "36c0838c-0360-4cfa-b2c6-85e0056ec7e8"  # the documented example's project
EXAMPLE_PHOTO_ID = "5439bfb7-8006-4388-a454-f02560f99566"  # the documented example's media
DEFAULT_SIZE = 40
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S"
ASSETS_PATH = "/construction/photos/assets"  # where `urls` point (the docs' example: no /v1)
THUMBNAIL_WIDTH = 160  # [I] the docs do not give the thumbnail size
MEDIA_TYPES = ("NORMAL", "INFRARED", "PHOTOSPHERE")  # VIDEO is documented but not emulated
SOURCE_TYPES = ("FIELD-REPORT", "FORM", "ISSUE", "RFI", "MARKUP", "ASSET", "GALLERY",
                "MEETING", "SUBMITTAL", "LOGO")
TITLES = ("Office Dry Wall", "North stairwell rebar", "Level 2 ductwork", "Roof membrane seam",
          "Concrete pour grid C4", "Window flashing east", "Electrical rough-in L3",
          "Fire stopping at shaft", "Curtain wall mockup", "Parking deck drainage",
          "Site logistics gate", "Elevator pit waterproofing")
DESCRIPTIONS = ("The left side of the office", "Before close-up inspection", "Deficiency noted",
                "Progress at end of shift", "As-built condition", "Rework required per RFI")


@dataclass
class Media:
    """One media item: its JSON record (without signedUrls), its images and where they live."""

    record: dict[str, Any]
    original: bytes
    thumbnail: bytes
    width: int
    height: int
    file_key: str  # object-store keys of the signed URLs
    thumbnail_key: str
    file_name: str  # e.g. c35b8b28-....jpg (the Content-Disposition filename)
    times: dict[str, datetime] = field(default_factory=dict)  # parsed timestamps, for filters

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def deleted(self) -> bool:
        return "deletedAt" in self.record


@dataclass
class Dataset:
    project_id: str
    media: list[Media]  # in generation order, deleted ones included
    by_id: dict[str, Media]
    assets: dict[str, tuple[Media, bool]]  # "<assetId>/<file name>" -> (media, is thumbnail)
    users: list[str]

    def live(self) -> list[Media]:
        """Media not deleted: what photos:filter lists."""
        return [m for m in self.media if not m.deleted]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _autodesk_id(rng: random.Random) -> str:
    return "PER" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(9))


def _picture(media_type: str, width: int, height: int, seed: int, taken: datetime) -> bytes:
    picture = images.portrait(width, height, seed)
    if media_type == "INFRARED":  # a false-colour thermal look
        picture = ImageOps.colorize(picture.convert("L"), black=(20, 0, 70), white=(255, 235, 0),
                                    mid=(220, 40, 40))
    exif = Image.Exif()
    exif[0x0132] = taken.strftime("%Y:%m:%d %H:%M:%S")  # DateTime: agrees with takenAt
    return images.encode(picture, "JPEG", exif)


def _dimensions(media_type: str, rng: random.Random) -> tuple[int, int]:
    if media_type == "PHOTOSPHERE":
        return 1024, 512  # equirectangular, 2:1
    if media_type == "INFRARED":
        return 320, 240  # thermal cameras are low resolution
    return rng.choice(((640, 480), (480, 640), (800, 600)))


def _times(rng: random.Random, deleted: bool) -> dict[str, datetime]:
    taken = datetime(2021, 1, 4) + timedelta(seconds=rng.randint(0, 364 * 86400))
    user_created = taken + timedelta(seconds=rng.randint(0, 3600))
    created = user_created + timedelta(seconds=rng.choice((0, rng.randint(60, 2 * 86400))))
    updated = created + timedelta(seconds=rng.choice((0, rng.randint(60, 3 * 86400))))
    times = {"takenAt": taken, "userCreatedAt": user_created, "createdAt": created,
             "updatedAt": updated}
    if deleted:
        times["deletedAt"] = updated + timedelta(seconds=rng.randint(3600, 10 * 86400))
    return times


def _example_times() -> dict[str, datetime]:
    # The documented example's own timestamps (its deletedAt is left out: this one is live).
    return {name: datetime.strptime(value, TIMESTAMP_FORMAT) for name, value in (
        ("takenAt", "2021-03-13T18:15:00"), ("userCreatedAt", "2021-03-13T18:20:33"),
        ("createdAt", "2021-03-14T10:20:33"), ("updatedAt", "2021-03-14T11:20:33"))}


def build(seed: int, size: int | None, api_origin: str) -> Dataset:
    """`size` media (default 40) for PROJECT_ID; every 10th (index 7, 17, ...) deleted by a user."""
    rng = random.Random(seed)
    count = DEFAULT_SIZE if size is None else size
    users = ["PER8KQPK2JRT"] + [_autodesk_id(rng) for _ in range(4)]
    media: list[Media] = []
    for index in range(count):
        example = index == 0
        deleted = index % 10 == 7
        media_type = "NORMAL" if example else rng.choices(MEDIA_TYPES, weights=(6, 2, 2))[0]
        width, height = (640, 480) if example else _dimensions(media_type, rng)
        times = _example_times() if example else _times(rng, deleted)
        media_id = EXAMPLE_PHOTO_ID if example else _uuid(rng)
        asset_id = "ce8edd30-ef28-467c-8d99-7d7051097ee0" if example else _uuid(rng)
        file_id = "c35b8b28-859e-4256-a3bc-41772a673260" if example else _uuid(rng)
        original = _picture(media_type, width, height, seed * 1000 + index, times["takenAt"])
        thumbnail = images.resized(original, THUMBNAIL_WIDTH)
        creator = users[0] if example else rng.choice(users)
        record: dict[str, Any] = {
            "createdBy": creator,
            "description": DESCRIPTIONS[0] if example else rng.choice(DESCRIPTIONS),
            "id": media_id,
            "isPublic": False if example else rng.random() < 0.3,
            "latitude": 37.757497 if example else round(37.7575 + rng.uniform(-0.01, 0.01), 6),
            "locked": False if example else rng.random() < 0.15,
            "longitude": -122.42115 if example else round(-122.4212 + rng.uniform(-0.01, 0.01), 6),
            "mediaType": media_type,
            "projectId": PROJECT_ID,
            "size": len(original),
            "title": TITLES[0] if example else rng.choice(TITLES),
            "type": "FIELD-REPORT" if example else rng.choice(SOURCE_TYPES),
            "updatedBy": creator if example or rng.random() < 0.7 else rng.choice(users),
            "urls": {
                "fileUrl": f"{api_origin}{ASSETS_PATH}/{asset_id}/{file_id}.jpg",
                "thumbnailUrl": f"{api_origin}{ASSETS_PATH}/{asset_id}/{file_id}_t.jpg",
            },
        }
        # autodesk-platform-sdk: "Autodesk reports only what a record carries": no GPS fix, no description.
        if not example and rng.random() < 0.2:
            del record["latitude"], record["longitude"]
        if not example and rng.random() < 0.2:
            del record["description"]
        for name, value in times.items():
            record[name] = value.strftime(TIMESTAMP_FORMAT)
        if deleted:
            record["deletedBy"] = rng.choice(users)
        record = dict(sorted(record.items()))  # the docs' example lists fields alphabetically
        media.append(Media(record, original, thumbnail, width, height,
                           f"photos/{asset_id}/{file_id}.jpg",
                           f"thumbnails/{asset_id}/{file_id}_t.jpg", f"{file_id}.jpg", times))
    assets: dict[str, tuple[Media, bool]] = {}
    for item in media:
        asset_id = item.file_key.split("/")[1]
        assets[f"{asset_id}/{item.file_name}"] = (item, False)
        assets[f"{asset_id}/{item.file_name[:-4]}_t.jpg"] = (item, True)
    return Dataset(PROJECT_ID, media, {m.id: m for m in media}, assets, users)
