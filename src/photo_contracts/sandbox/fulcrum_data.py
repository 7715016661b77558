"""The Fulcrum emulator's dataset: photos over forms and records, real JPEGs with real EXIF.

Everything is built from the documented 'Valid photo' example (same fields, realistic values)
and is deterministic for a seed. Sizes are scaled down from a phone's (the original's long
side is 640-800 px, `large` 480 px, `thumbnail` 120 px) so the default dataset starts fast.
"""

from __future__ import annotations

import io
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image

from photo_contracts.sandbox import images

DEFAULT_SIZE = 40
FORMS = 4
RECORDS = 12
LARGE_SIDE = 480  # long side of the `large` version
THUMBNAIL_SIDE = 120  # long side of the `thumbnail` version
VERSIONS = ("original", "thumbnail", "large")
# The documented example's key order, `url` and the version URLs included.
KEY_ORDER = (
    "access_key", "created_at", "updated_at", "uploaded", "stored", "processed", "record_id", "form_id",
    "file_size", "content_type", "latitude", "longitude", "url", "created_by", "created_by_id",
    "updated_by", "updated_by_id", "thumbnail", "large", "original", "exif",
)
STORE_PREFIX = {"original": "", "thumbnail": "thumb_", "large": "large_"}

# (make, model, software, sensor width, sensor height): the first is the documented device.
DEVICES = (
    ("samsung", "SM-G900V", "G900VVRU1BOC4", 3264, 2448),
    ("Apple", "iPhone 6", "8.3", 3264, 2448),
    ("Apple", "iPhone 12", "14.4", 4032, 3024),
    ("Google", "Pixel 4a", "HDR+ 1.0.345", 4032, 3024),
    ("samsung", "SM-G991U", "G991USQU4AUF5", 4000, 2252),
)
# The documented 'Valid photo': every dataset starts with it (its ids, place and author), so the
# contract's example id names a real photo. Its org id prefixes the documented S3 keys.
DOCUMENTED = {
    "access_key": "5b8d16c7-4203-487f-862d-bf454f3de6e1", "record_id": "9028ec24-fa06-4355-861b-78544299d766",
    "form_id": "7a0c3378-b63a-4707-b459-df499698f23c", "org_id": "514f7b5b-c5e8-44d6-a0dc-f48d409a1f9e",
    "latitude": 42.82525, "longitude": -73.89618,
}
USERS = ("Bryan McBride", "Ana Ortiz", "Wei Chen", "Priya Natarajan", "Tom Okafor")

# EXIF tag numbers (IFD0, Exif IFD, GPS IFD) the images carry and uploads are read from.
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
MAKE, MODEL, SOFTWARE, DATETIME, WIDTH, LENGTH = 0x010F, 0x0110, 0x0131, 0x0132, 0x0100, 0x0101
PIXEL_X, PIXEL_Y, DATETIME_ORIGINAL = 0xA002, 0xA003, 0x9003
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4


def stamp(moment: datetime) -> str:
    """A timestamp the way the docs write created_at: 2015-06-06T16:16:40Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def exif_stamp(moment: datetime) -> str:
    """A timestamp the way the docs write EXIF dates: 2015-06-06T12:00:08.000+00:00."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _hex24(rng: random.Random) -> str:
    return f"{rng.getrandbits(96):024x}"


def _dms(value: float) -> list[str]:
    degrees, rest = divmod(abs(value), 1)
    minutes, rest = divmod(rest * 60, 1)
    return [f"{degrees:.1f}", f"{minutes:.1f}", f"{rest * 60:.4f}"]


@dataclass
class Photo:
    """One photo: its metadata (as the API shows the original) and the bytes of each version."""

    access_key: str
    meta: dict[str, Any]  # the JSON of the photo, without the URL fields
    blobs: dict[str, bytes]  # version -> JPEG bytes
    sizes: dict[str, tuple[int, int]]  # version -> (width, height)
    created: datetime
    cache: dict[str, bytes] = field(default_factory=dict)  # version -> serialized photo JSON

    @property
    def available(self) -> tuple[str, ...]:
        """The versions that can be downloaded: `stored` frees the original, `processed` the rest."""
        if not self.meta["stored"]:
            return ()
        return VERSIONS if self.meta["processed"] else ("original",)


@dataclass
class Dataset:
    org_id: str  # prefixes the object-store keys, as in the documented URLs
    forms: list[str]
    records: dict[str, str]  # record_id -> form_id
    api_user: tuple[str, str]  # (name, id) of the token's owner: uploads are theirs
    photos: dict[str, Photo] = field(default_factory=dict)  # access_key (lower case) -> photo

    def store_key(self, photo: Photo, version: str) -> str:
        return f"photos/{STORE_PREFIX[version]}{self.org_id}-{photo.access_key}.jpg"


def scaled(size: tuple[int, int], side: int) -> tuple[int, int]:
    width, height = size
    factor = side / max(width, height)
    return max(1, round(width * factor)), max(1, round(height * factor))


def _camera_exif(rng: random.Random, device: tuple[Any, ...], taken: datetime, size: tuple[int, int],
                 gps: tuple[float, float] | None) -> dict[str, Any]:
    """The JSON `exif` of a phone photo: the documented example's keys, values for this shot."""
    make, model, software, sensor_w, sensor_h = device
    exposure = 1 / rng.choice((365, 250, 120, 60, 30))
    aperture = rng.choice(("1.8", "2.2", "2.4"))
    subsec = f"{rng.randint(0, 999):03d}"
    exif: dict[str, Any] = {
        "image_width": sensor_w, "image_length": sensor_h, "make": make, "model": model,
        "x_resolution": "72.0", "y_resolution": "72.0", "resolution_unit": 2, "software": software,
        "date_time": exif_stamp(taken), "ycb_cr_positioning": 1, "exposure_time": repr(exposure),
        "f_number": aperture, "exposure_program": 2, "iso_speed_ratings": rng.choice((40, 50, 100, 200, 400)),
        "date_time_original": exif_stamp(taken), "date_time_digitized": exif_stamp(taken),
        "shutter_speed_value": repr(exposure * 1.0027), "aperture_value": aperture,
        "brightness_value": f"{rng.uniform(-1, 9):.2f}", "exposure_bias_value": "0.0",
        "max_aperture_value": f"{float(aperture) + 0.08:.2f}", "metering_mode": 2, "light_source": 0,
        "flash": rng.choice((0, 0, 16, 24)), "focal_length": rng.choice(("4.2", "4.8", "5.1")),
        "subsec_time": subsec, "subsec_time_original": subsec, "subsec_time_digitized": subsec,
        "color_space": 1, "pixel_x_dimension": size[0], "pixel_y_dimension": size[1], "sensing_method": 2,
        "exposure_mode": 0, "white_balance": 0, "focal_length_in_35mm_film": rng.choice((26, 28, 31)),
        "scene_capture_type": 0, "image_unique_id": "".join(rng.choices("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", k=10)),
    }
    if gps:
        latitude, longitude = gps
        utc = taken.astimezone(UTC)
        exif.update({
            "gps_latitude_ref": "N" if latitude >= 0 else "S", "gps_latitude": _dms(latitude),
            "gps_longitude_ref": "E" if longitude >= 0 else "W", "gps_longitude": _dms(longitude),
            "gps_altitude_ref": "\u0000", "gps_altitude": f"{rng.uniform(2, 400):.1f}",
            "gps_time_stamp": [f"{utc.hour:.1f}", f"{utc.minute:.1f}", f"{utc.second:.1f}"],
            "gps_date_stamp": utc.strftime("%Y:%m:%d"),
        })
    return exif


def embedded_exif(exif: dict[str, Any]) -> Image.Exif:
    """The EXIF block written into the JPEG: the tags the JSON `exif` is derived from."""
    block = Image.Exif()
    taken = datetime.fromisoformat(exif["date_time"]).strftime("%Y:%m:%d %H:%M:%S")
    block.update({MAKE: exif["make"], MODEL: exif["model"], SOFTWARE: exif["software"], DATETIME: taken,
                  WIDTH: exif["image_width"], LENGTH: exif["image_length"]})
    sub = block.get_ifd(EXIF_IFD)
    sub.update({PIXEL_X: exif["pixel_x_dimension"], PIXEL_Y: exif["pixel_y_dimension"], DATETIME_ORIGINAL: taken})
    if "gps_latitude" in exif:
        gps = block.get_ifd(GPS_IFD)
        gps.update({GPS_LAT_REF: exif["gps_latitude_ref"], GPS_LAT: tuple(float(v) for v in exif["gps_latitude"]),
                    GPS_LON_REF: exif["gps_longitude_ref"], GPS_LON: tuple(float(v) for v in exif["gps_longitude"])})
    return block


def derived(picture: Image.Image, size: tuple[int, int]) -> tuple[dict[str, bytes], dict[str, tuple[int, int]]]:
    """The `large` and `thumbnail` versions of a picture: JPEG bytes and pixel sizes (never upscaled)."""
    blobs, sizes = {}, {}
    for version, side in (("large", LARGE_SIDE), ("thumbnail", THUMBNAIL_SIDE)):
        sizes[version] = scaled(size, min(side, max(size)))
        blobs[version] = images.encode(picture.resize(sizes[version]), "JPEG")
    return blobs, sizes


# Rendered pictures by (size, seed, EXIF): a sandbox started again with the same seed (every test that starts
# one, learn-usage once per mutation) serves the same bytes without drawing and encoding them again.
_RENDERED: dict[tuple[Any, ...], tuple[dict[str, bytes], dict[str, tuple[int, int]]]] = {}


def render(size: tuple[int, int], seed: int, exif: dict[str, Any]) -> tuple[dict[str, bytes], dict[str, tuple[int, int]]]:
    """The JPEG bytes and pixel size of every version of one generated picture."""
    key = (size, seed, json.dumps(exif, sort_keys=True, default=str))
    if key not in _RENDERED:
        picture = images.portrait(*size, seed)
        blobs, sizes = derived(picture, size)
        blobs["original"] = images.encode(picture, "JPEG", embedded_exif(exif))
        sizes["original"] = size
        _RENDERED[key] = (blobs, sizes)
    blobs, sizes = _RENDERED[key]
    return dict(blobs), dict(sizes)


def build(seed: int, size: int | None) -> Dataset:
    """The dataset for a seed: `size` photos (default 40) over 4 forms and 12 records."""
    rng = random.Random(seed)
    forms = [DOCUMENTED["form_id"]] + [_uuid(rng) for _ in range(FORMS - 1)]
    records = {DOCUMENTED["record_id"]: forms[0]} | {_uuid(rng): forms[i % FORMS] for i in range(1, RECORDS)}
    users = [(name, "50633f84a934480d260001db" if i == 0 else _hex24(rng)) for i, name in enumerate(USERS)]
    dataset = Dataset(DOCUMENTED["org_id"], forms, records, ("Sandbox Integration", _hex24(rng)))
    count = DEFAULT_SIZE if size is None else size
    # Distinct creation times spread over years, oldest first.
    start = datetime(2015, 6, 6, 16, 16, 40, tzinfo=UTC)
    offsets = [0] + sorted(rng.sample(range(17, 9 * 365 * 86400, 17), max(0, count - 1)))
    # Photos still on their way: about one in ten stored but not processed, one in ten not stored.
    pending = rng.sample(range(1, max(1, count)), 2 * (count // 10))
    not_processed, not_stored = set(pending[: count // 10]), set(pending[count // 10:])
    record_ids = list(records)
    for i, offset in enumerate(offsets):
        created = start + timedelta(seconds=offset)
        record_id = record_ids[i] if i < len(record_ids) else rng.choice(record_ids)
        device = DEVICES[0] if i == 0 else rng.choice(DEVICES)
        long_side = rng.choice((640, 720, 800))
        landscape = rng.random() < 0.3
        sensor = (device[3], device[4]) if landscape else (device[4], device[3])
        pixels = scaled(sensor, long_side)
        gps = None if rng.random() < 0.1 else (round(rng.uniform(25, 48), 5), round(rng.uniform(-123, -70), 5))
        if i == 0:
            pixels, gps = (810, 1080), (DOCUMENTED["latitude"], DOCUMENTED["longitude"])
        exif = _camera_exif(rng, device, created - timedelta(seconds=rng.randint(30, 20000)), pixels, gps)
        blobs, sizes = render(pixels, rng.getrandbits(32), exif)
        name, user_id = users[0] if i == 0 else rng.choice(users)
        access_key = DOCUMENTED["access_key"] if i == 0 else _uuid(rng)
        meta = {
            "access_key": access_key, "created_at": stamp(created),
            "updated_at": stamp(created + timedelta(seconds=1 if i == 0 else rng.randint(1, 120))),
            "uploaded": True, "stored": i not in not_stored, "processed": i not in not_stored | not_processed,
            "record_id": record_id, "form_id": records[record_id],
            "file_size": len(blobs["original"]), "content_type": "image/jpeg",
            "latitude": gps[0] if gps else None, "longitude": gps[1] if gps else None,
            "created_by": name, "created_by_id": user_id, "updated_by": name, "updated_by_id": user_id,
            "exif": exif,
        }
        dataset.photos[meta["access_key"]] = Photo(meta["access_key"], meta, blobs, sizes, created)
    return dataset


def placeholder(content: bytes) -> bytes:
    """The picture the emulator stores for an upload that is no image: grey, 64x48, the same for the same bytes."""
    shade = 96 + sum(content[:64]) % 64
    return images.encode(Image.new("RGB", (64, 48), (shade, shade, shade)), "JPEG")


class NotAnImage(ValueError):
    """The uploaded file is not an image."""


def read_upload(data: bytes) -> tuple[bytes, tuple[int, int], dict[str, Any], tuple[float, float] | None]:
    """The stored file, pixel size, JSON `exif` and GPS position of an uploaded image.

    A JPEG is stored as uploaded. Any other still image is stored re-encoded as JPEG, since
    every version is served as `.jpg` with image/jpeg [D]; its EXIF, if any, goes along.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            size, block, fmt = image.size, image.getexif(), image.format
            if fmt != "JPEG":
                data = images.encode(image.convert("RGB"), "JPEG", block or None)
    except (OSError, SyntaxError, ValueError) as exc:  # Pillow's ways of saying "not an image"
        raise NotAnImage(str(exc)) from None
    exif: dict[str, Any] = {}
    sub, gps_ifd = block.get_ifd(EXIF_IFD), block.get_ifd(GPS_IFD)
    for key, tag in (("make", MAKE), ("model", MODEL), ("software", SOFTWARE)):
        if isinstance(block.get(tag), str):
            exif[key] = block[tag].strip("\x00")
    for key, tag in (("image_width", WIDTH), ("image_length", LENGTH)):
        if isinstance(block.get(tag), int):
            exif[key] = block[tag]
    taken = sub.get(DATETIME_ORIGINAL) or block.get(DATETIME)
    if isinstance(taken, str):
        try:
            moment = datetime.strptime(taken.strip("\x00"), "%Y:%m:%d %H:%M:%S").replace(tzinfo=UTC)
            exif.update(date_time=exif_stamp(moment), date_time_original=exif_stamp(moment))
        except ValueError:
            pass
    exif.setdefault("image_width", size[0])
    exif.setdefault("image_length", size[1])
    # The stored image's own size, whatever the file's EXIF claims.
    exif.update(pixel_x_dimension=size[0], pixel_y_dimension=size[1])
    position = None
    try:
        lat = sum(float(v) / 60**i for i, v in enumerate(gps_ifd[GPS_LAT]))
        lon = sum(float(v) / 60**i for i, v in enumerate(gps_ifd[GPS_LON]))
        lat, lon = (-lat if gps_ifd.get(GPS_LAT_REF) == "S" else lat), (-lon if gps_ifd.get(GPS_LON_REF) == "W" else lon)
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            position = (round(lat, 6), round(lon, 6))
            exif.update(gps_latitude_ref=gps_ifd[GPS_LAT_REF], gps_latitude=_dms(lat),
                        gps_longitude_ref=gps_ifd[GPS_LON_REF], gps_longitude=_dms(lon))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        pass
    return data, size, exif, position


def version_payload(photo: Photo, version: str, urls: dict[str, Any]) -> bytes:
    """The JSON of `photo` as the metadata endpoint of `version` shows it.

    The thumbnail and large endpoints describe their own file: `file_size` and
    `exif.pixel_x_dimension`/`pixel_y_dimension` are that version's; everything else
    (identity, camera EXIF, URLs) is the photo's.
    """
    meta = {key: (urls | photo.meta).get(key) for key in KEY_ORDER}
    if version != "original":
        meta["file_size"] = len(photo.blobs[version])
        width, height = photo.sizes[version]
        meta["exif"] = dict(meta["exif"] or {}, pixel_x_dimension=width, pixel_y_dimension=height)
    return json.dumps(meta, separators=(",", ":")).encode()
