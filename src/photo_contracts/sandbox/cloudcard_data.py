"""The CloudCard emulator's dataset: an organization, cardholders and their photos, per seed.

Records are built from the documented examples (vendor-docs/cloudcard-get-a-photo.txt and
cloudcard-get-photo-list.txt, stored under schemas/cloudcard/examples/), with deterministic
values from `random.Random(seed)` and real JPEGs in the object store whose pixel size is the
photo's `width` x `height`.
"""

from __future__ import annotations

import copy
import json
import random
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from photo_contracts.contracts import SCHEMAS_DIR
from photo_contracts.sandbox import images
from photo_contracts.sandbox.objectstore import ObjectStore

DEFAULT_SIZE = 72  # 8 photos in each of the 9 statuses
EXAMPLES = SCHEMAS_DIR / "cloudcard" / "examples"
BUCKET = "photos.cloudcard"  # S3 path-style bucket, as in the documented externalURL
# Documented filter values [D] and the two the vendor's downloader also uses [C].
DOCUMENTED_STATUSES = (
    "PENDING", "APPROVED", "DENIED", "READY_FOR_DOWNLOAD", "DOWNLOADED", "DONE", "ENROUTE",
)
STATUSES = (*DOCUMENTED_STATUSES, "ON_HOLD", "FAILED")
REVIEWED = frozenset(STATUSES) - {"PENDING"}
APPROVED_LIKE = frozenset({"APPROVED", "READY_FOR_DOWNLOAD", "DOWNLOADED", "DONE", "ENROUTE"})
HEIGHTS = (400, 401, 375, 300, 450)  # width is always 300, the organization's photo width
EPOCH = datetime(2024, 1, 8, 9, 0, 0, tzinfo=UTC)
ON_HOLD_REASON = "The photo could not be saved by the downloader"
ALPHANUMERIC = string.ascii_lowercase + string.digits
FIRST_NAMES = ("alex", "sam", "jordan", "taylor", "morgan", "casey", "riley", "jamie", "avery")
LAST_NAMES = ("nguyen", "smith", "garcia", "okafor", "larsen", "kim", "patel", "rossi", "silva")
CARD_DELIVERY = ("Mail", "Pick up at the card office", "Campus mailbox")


# Field order of each documented representation.
DETAIL_KEYS = (
    "id", "dateCreated", "upVotes", "helperBotAction", "width", "dateApproved", "externalURL",
    "lastUpdated", "helperBotReviewed", "processingMode", "aspectRatio", "height",
    "backgroundReplaced", "downVotes", "automaticallyApprovedOrDenied", "publicKey",
    "manuallyEdited", "status", "domainClass", "person", "classifications",
    "lowestClassification", "isAspectRatioCorrect", "links", "originalPhoto",
    "personHasApprovedPhoto", "version", "onHoldReasons", "isHelperBotProcessing",
)
ITEM_KEYS = (
    "id", "dateCreated", "upVotes", "width", "dateApproved", "externalURL", "lastUpdated",
    "helperBotReviewed", "aspectRatio", "height", "backgroundReplaced", "downVotes",
    "automaticallyApprovedOrDenied", "publicKey", "manuallyEdited", "status", "domainClass",
    "version", "person", "lowestClassification", "isAspectRatioCorrect", "links", "originalPhoto",
    "personHasApprovedPhoto", "onHoldReasons", "isHelperBotProcessing", "classifications",
)
PERSON_DETAIL_KEYS = (
    "id", "dateCreated", "passwordResetRequired", "organization", "preArchiveEmail",
    "accountExpired", "dateArchived", "unsubscribe", "identifier", "preArchiveIdentifier",
    "dateTermsAccepted", "passwordExpired", "lastUpdated", "cardholderGroup",
    "additionalPhotoRequired", "quicksightArn", "preArchiveUsername", "username", "accountLocked",
    "activatedDate", "aiOptOut", "enabled", "email", "additionalPhotos",
)
PERSON_ITEM_KEYS = (
    "id", "username", "email", "identifier", "additionalPhotoRequired", "domainClass", "version",
    "additionalPhotos", "previouslyApprovedPhoto", "customFields",
)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso(clock: float) -> str:
    return iso(datetime.fromtimestamp(clock, UTC))


@cache
def documented_photo() -> dict[str, Any]:
    """The Get a Photo example, the template of every record."""
    return json.loads((EXAMPLES / "photo.json").read_text(encoding="utf-8"))


@cache
def documented_list() -> list[dict[str, Any]]:
    return json.loads((EXAMPLES / "photo-list.json").read_text(encoding="utf-8"))


def _organization() -> dict[str, Any]:
    org = copy.deepcopy(documented_photo()["person"]["organization"])
    # The example's photo requirements name organization 123 though it is organization 1;
    # the emulator keeps its own data consistent (the discrepancy is in schemas/DISCREPANCIES.md).
    for requirement in org["photoRequirements"]:
        requirement["organization"] = {"id": org["id"]}
    return org


@dataclass
class Photo:
    """One photo: the fields both representations share, plus what only one of them has."""

    fields: dict[str, Any]  # shared scalar fields, in documented order
    person_id: int
    original: dict[str, Any]  # {id, publicKey, links, dateCreated}
    classifications: list[dict[str, Any]]
    on_hold_reasons: list[str] = field(default_factory=list)
    _detail: bytes | None = None
    _item: bytes | None = None

    @property
    def id(self) -> int:
        return int(self.fields["id"])

    @property
    def status(self) -> str:
        return str(self.fields["status"])

    def invalidate(self) -> None:
        self._detail = self._item = None


@dataclass
class Dataset:
    """Everything the emulator serves; `app.state.dataset` (tests and checks introspect it)."""

    organization: dict[str, Any]
    persons: dict[int, dict[str, Any]]  # id -> every person field (both forms)
    photos: dict[int, Photo]  # id -> photo
    order: list[int]  # photo ids as GET /photo lists them: newest first
    store: ObjectStore
    next_id: int = 0
    next_original_id: int = 0
    _organization_bytes: bytes | None = None

    # Representations
    def person_detail(self, person_id: int) -> dict[str, Any]:
        person = {**self.persons[person_id], "organization": self.organization}
        return {k: person[k] for k in PERSON_DETAIL_KEYS}

    def person_item(self, person_id: int) -> dict[str, Any]:
        return {k: self.persons[person_id][k] for k in PERSON_ITEM_KEYS}

    def detail(self, photo: Photo) -> dict[str, Any]:
        """Get a Photo: full person with organization, classifications, `onHoldReasons` a list."""
        values = {
            **photo.fields, "domainClass": "us.cloudcard.api.Photo",
            "person": self.person_detail(photo.person_id), "classifications": photo.classifications,
            "links": {"bytes": photo.fields["externalURL"]},
            "originalPhoto": {k: photo.original[k] for k in ("id", "publicKey", "links")},
            "onHoldReasons": list(photo.on_hold_reasons),
        }
        return {k: values[k] for k in DETAIL_KEYS}

    def item(self, photo: Photo) -> dict[str, Any]:
        """Get Photo List: lightweight person, `classifications: []`, `onHoldReasons` an object."""
        reasons = {"message": "; ".join(photo.on_hold_reasons)} if photo.on_hold_reasons else {}
        values = {
            **photo.fields, "domainClass": "us.cloudcard.api.Photo",
            "person": self.person_item(photo.person_id), "classifications": [],
            "links": {"bytes": photo.fields["externalURL"]}, "originalPhoto": dict(photo.original),
            "onHoldReasons": reasons,
        }
        return {k: values[k] for k in ITEM_KEYS}

    def detail_bytes(self, photo: Photo) -> bytes:
        if photo._detail is None:
            photo._detail = dumps(self.detail(photo))
        return photo._detail

    def item_bytes(self, photo: Photo) -> bytes:
        if photo._item is None:
            photo._item = dumps(self.item(photo))
        return photo._item

    def organization_bytes(self) -> bytes:
        if self._organization_bytes is None:
            self._organization_bytes = dumps(self.organization)
        return self._organization_bytes

    def listed(self, status: str | None = None) -> list[Photo]:
        photos = (self.photos[i] for i in self.order)
        return [p for p in photos if status is None or p.status == status]

    # Writes
    def set_status(self, photo: Photo, status: str, clock: float) -> None:
        f = photo.fields
        stamp = max(now_iso(clock), f["lastUpdated"])
        f["status"] = status
        f["version"] += 1
        f["lastUpdated"] = stamp
        if status in REVIEWED and f["dateApproved"] is None:
            f["dateApproved"] = stamp
        photo.on_hold_reasons = [ON_HOLD_REASON] if status == "ON_HOLD" else []
        photo.invalidate()

    def add_photo(self, person_id: int, jpeg: bytes, clock: float, rng: random.Random) -> Photo:
        """A new PENDING photo of `person_id` from an uploaded (already JPEG) image."""
        width, height = images.size_of(jpeg)
        created = datetime.fromtimestamp(clock, UTC)
        self.next_id += 1
        self.next_original_id += 1
        photo = _make_photo(self, rng, self.next_id, self.next_original_id, person_id, "PENDING",
                            created, created, width, height, jpeg, jpeg)
        self.photos[photo.id] = photo
        self.order.insert(0, photo.id)
        return photo


def dumps(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def _token(rng: random.Random, length: int, alphabet: str = ALPHANUMERIC) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def _public_key(rng: random.Random, created: datetime, digits: bool = False) -> str:
    # Documented shape: <6-digit org prefix>.<yy>.<day of year>.<random>
    random_part = _token(rng, 80, string.digits) if digits else _token(rng, 64)
    return f"000001.{created:%y}.{created.timetuple().tm_yday:03d}.{random_part}"


def _classifications(rng: random.Random, photo_id: int) -> list[dict[str, Any]]:
    """The first 3 to 5 documented classifications, re-scored and pointed at this photo."""
    result = copy.deepcopy(documented_photo()["classifications"][: rng.randint(3, 5)])
    for n, entry in enumerate(result):
        entry["id"] = photo_id * 10 + n
        entry["score"] = round(rng.random(), 6)
        entry["photo"] = {"id": photo_id}
    return result


def _make_photo(
    data: Dataset, rng: random.Random, photo_id: int, original_id: int, person_id: int,
    status: str, created: datetime, updated: datetime, width: int, height: int, jpeg: bytes,
    original_jpeg: bytes,
) -> Photo:
    key = _public_key(rng, created)
    original_key = _public_key(rng, created - timedelta(seconds=30), digits=True)
    data.store.put(f"{BUCKET}/{key}.jpg", jpeg, "image/jpeg")
    data.store.put(f"{BUCKET}/{original_key}.jpg", original_jpeg, "image/jpeg")
    approved = None
    if status in REVIEWED:
        approved = iso(created + (updated - created) / 2)
    ratio = width / height
    fields = {
        "id": photo_id, "dateCreated": iso(created), "upVotes": rng.randint(0, 2),
        "helperBotAction": "AUTO_APPROVE", "width": width, "dateApproved": approved,
        "externalURL": data.store.url(f"{BUCKET}/{key}.jpg"), "lastUpdated": iso(updated),
        "helperBotReviewed": rng.random() < 0.7, "processingMode": None, "aspectRatio": ratio,
        "height": height, "backgroundReplaced": rng.random() < 0.8, "downVotes": rng.randint(0, 1),
        "automaticallyApprovedOrDenied": rng.random() < 0.3, "publicKey": key,
        "manuallyEdited": rng.random() < 0.2, "status": status,
        "lowestClassification": round(rng.uniform(0.3, 0.99), 4),
        "isAspectRatioCorrect": abs(ratio - 0.75) < 0.01,
        "personHasApprovedPhoto": status in APPROVED_LIKE,
        "version": 0 if status == "PENDING" else rng.randint(1, 6),
        "isHelperBotProcessing": False,
    }
    original = {
        "id": original_id, "publicKey": original_key,
        "links": {"bytes": data.store.url(f"{BUCKET}/{original_key}.jpg")},
        "dateCreated": iso(created - timedelta(seconds=30)),
    }
    return Photo(fields, person_id, original, _classifications(rng, photo_id),
                 [ON_HOLD_REASON] if status == "ON_HOLD" else [])


def _person(
    data: Dataset, rng: random.Random, person_id: int, created: datetime, gov_id: bytes,
) -> dict[str, Any]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = f"{first}.{last}{person_id % 1000}@myschool.edu"
    additional = []
    if rng.random() < 0.5:
        key = f"additional-photo-1.{created:%Y}.{created.timetuple().tm_yday:03d}.{_token(rng, 64)}"
        data.store.put(f"{BUCKET}/{key}.jpg", gov_id, "image/jpeg")
        template = documented_list()[0]["person"]["additionalPhotos"][0]
        additional.append({
            "id": 75_000 + len(data.persons),
            "additionalPhotoType": copy.deepcopy(template["additionalPhotoType"]),
            "facialRecognitionScore": None, "facialRecognitionClassification": "unclassified",
            "govIdScore": None, "govIdClassification": "unclassified",
            "lowestClassification": "unclassified",
            "publicKey": key, "links": {"bytes": data.store.url(f"{BUCKET}/{key}.jpg")},
        })
    return {
        "id": person_id, "dateCreated": iso(created - timedelta(minutes=1)),
        "passwordResetRequired": False, "preArchiveEmail": None, "accountExpired": False,
        "dateArchived": None, "unsubscribe": False,
        "identifier": str(rng.randint(10_000_000, 99_999_999)), "preArchiveIdentifier": None,
        "dateTermsAccepted": iso(created - timedelta(seconds=20)), "passwordExpired": False,
        "lastUpdated": iso(created - timedelta(seconds=20)), "cardholderGroup": {"id": 1},
        "additionalPhotoRequired": True, "quicksightArn": None, "preArchiveUsername": None,
        "username": email, "accountLocked": False, "activatedDate": None, "aiOptOut": False,
        "enabled": True, "email": email, "additionalPhotos": additional,
        "previouslyApprovedPhoto": None,
        "customFields": {"Card Delivery": rng.choice(CARD_DELIVERY)},
        "domainClass": "us.cloudcard.api.Person", "version": rng.randint(1, 40),
    }


def build(seed: int, size: int | None, store: ObjectStore) -> Dataset:
    """The dataset for `seed`: `size` photos (default 72) spread over every status."""
    rng = random.Random(seed)
    count = DEFAULT_SIZE if size is None else size
    data = Dataset(_organization(), {}, {}, [], store)
    statuses = [STATUSES[i % len(STATUSES)] for i in range(count)]
    rng.shuffle(statuses)
    gov_id = images.make_image(200, 67, seed)  # the organization's Government ID dimensions
    photo_id, original_id, person_id = 1_400_000 + rng.randint(0, 9_999), 9_600_000, 57_000_000
    created = EPOCH
    for status in statuses:
        photo_id += rng.randint(1, 4_000)
        original_id += rng.randint(1, 4_000)
        person_id += rng.randint(1, 90_000)
        created += timedelta(minutes=rng.randint(30, 2_000))
        updated = created + timedelta(seconds=rng.randint(5, 3 * 86_400))
        width, height = 300, rng.choice(HEIGHTS)
        image_seed = rng.randrange(2**31)
        jpeg = images.make_image(width, height, image_seed)
        original = images.make_image(width * 2, height * 2, image_seed)
        data.persons[person_id] = _person(data, rng, person_id, created, gov_id)
        photo = _make_photo(data, rng, photo_id, original_id, person_id, status, created, updated,
                            width, height, jpeg, original)
        data.photos[photo.id] = photo
    # Newest first, as the documented list is; ids grow with dateCreated.
    data.order = sorted(data.photos, reverse=True)
    data.next_id, data.next_original_id = photo_id, original_id
    return data
