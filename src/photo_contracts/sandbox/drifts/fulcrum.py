"""Drift profiles of the fulcrum emulator: each changes one documented behaviour, and its check
reports under an x-source mark. VARIANTS: answers the vendor's documents allow but the faithful
emulator does not give (one difference each); the suite must keep its faithful verdict on each."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import Any

from photo_contracts.jsonpath import locate
from photo_contracts.sandbox.changes import (
    Change,
    HttpRequest,
    HttpResponse,
    IgnoreParam,
    Offset,
    RedirectLoop,
    ReencodeImage,
    RemoveField,
    ReplaceValue,
    ScaleImage,
    SkipAuth,
    Stringify,
    TruncateBody,
)
from photo_contracts.sandbox.drift import DriftProfile

DETAIL = ("GET /v2/photos/{id}.json", "GET /v2/photos/{id}")
LIST = ("GET /v2/photos.json", "GET /v2/photos")
VERSION_METADATA = ("GET /v2/photos/{id}/thumbnail.json", "GET /v2/photos/{id}/large.json")
UPLOAD = ("POST /v2/photos.json", "POST /v2/photos")
PHOTO_JSON = LIST + DETAIL + VERSION_METADATA + UPLOAD
# Where a photo sits in each of those bodies.
PHOTO_PATHS = ("$.photos[*]", "$.photo")


def _accept(response: HttpResponse) -> str:
    return (response.request.headers.get("accept", "") if response.request else "").lower()


@dataclass(frozen=True, kw_only=True)
class PhotoJsonChange(Change):
    """Edits every photo of a JSON body (list items and the envelope's photo); other bodies pass."""

    def edit_response(self, response: HttpResponse) -> None:
        if "json" not in response.media_type:
            return
        document = json.loads(response.body)
        for path in PHOTO_PATHS:
            for container, key in locate(document, path):
                if isinstance(container[key], dict):
                    self.edit_photo(container[key])
        response.body = json.dumps(document).encode()

    def edit_photo(self, photo: dict[str, Any]) -> None:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class UpperCaseAccessKeys(PhotoJsonChange):
    """access_key in upper case, as the page's validation example writes one; lookups ignore case."""

    def edit_photo(self, photo: dict[str, Any]) -> None:
        if isinstance(photo.get("access_key"), str):
            photo["access_key"] = photo["access_key"].upper()


@dataclass(frozen=True, kw_only=True)
class ExifNumbers(PhotoJsonChange):
    """EXIF decimals as JSON numbers (the vendor's client types them so), not the page's strings."""

    def edit_photo(self, photo: dict[str, Any]) -> None:
        exif = photo.get("exif")
        if not isinstance(exif, dict):
            return
        for key, value in exif.items():
            if key in DECIMALS and isinstance(value, str):
                exif[key] = float(value)
            elif key in TRIPLETS and isinstance(value, list):
                exif[key] = [float(v) if isinstance(v, str) else v for v in value]


# The EXIF keys the page's example writes as decimal strings (one, or three).
DECIMALS = frozenset({"x_resolution", "y_resolution", "exposure_time", "f_number", "shutter_speed_value",
                      "aperture_value", "brightness_value", "exposure_bias_value", "max_aperture_value",
                      "focal_length", "gps_altitude"})
TRIPLETS = frozenset({"gps_latitude", "gps_longitude", "gps_time_stamp"})


@dataclass(frozen=True, kw_only=True)
class DropFields(PhotoJsonChange):
    """Fields left out of every photo, in lists and envelopes alike."""

    fields: tuple[str, ...]

    def edit_photo(self, photo: dict[str, Any]) -> None:
        for field in self.fields:
            photo.pop(field, None)


@dataclass(frozen=True, kw_only=True)
class NullFields(PhotoJsonChange):
    """Fields the official OpenAPI writes `nullable: true` sent as null."""

    fields: tuple[str, ...]

    def edit_photo(self, photo: dict[str, Any]) -> None:
        for field in self.fields:
            if field in photo:
                photo[field] = None


@dataclass(frozen=True, kw_only=True)
class JpegUnlessJsonAccepted(Change):
    """Content negotiation: the photo's JPEG when the request's Accept does not ask for JSON."""

    def edit_response(self, response: HttpResponse) -> None:
        if "json" in _accept(response) or "json" not in response.media_type:
            return
        photo = json.loads(response.body).get("photo") or {}
        url = photo.get("original")
        if not isinstance(url, str):
            return  # no file to negotiate yet
        with urllib.request.urlopen(url, timeout=10) as answer:  # the object store, on loopback
            data = answer.read()
        response.body = data
        response.headers["content-type"] = "image/jpeg"


@dataclass(frozen=True, kw_only=True)
class NotAcceptableUnlessJson(Change):
    """406 to an Accept that admits no JSON (an absent Accept, or */*, admits it)."""

    def edit_response(self, response: HttpResponse) -> None:
        accept = _accept(response)
        if not accept or any(kind in accept for kind in ("json", "*/*", "application/*")):
            return
        response.status = 406
        response.body = b'{"error":"Not Acceptable","status":406}'
        response.headers["content-type"] = "application/json; charset=utf-8"


@dataclass(frozen=True, kw_only=True)
class NewestFirstByDefault(Change):
    """Without newest_first the list is still sorted newest updated_at first (a documented order)."""

    def edit_request(self, request: HttpRequest, credential: tuple[str, str]) -> None:
        if not any(key == "newest_first" for key, _ in request.query):
            request.query.append(("newest_first", "true"))


PROFILES: tuple[DriftProfile, ...] = (
    DriftProfile(
        name="fulcrum-access-key-removed",
        api="fulcrum",
        description="A single photo no longer carries `access_key`, the one property the page marks 'Required: yes'.",
        check="response_schema_conformance",
        operations=DETAIL,
        change=RemoveField(path="$.photo.access_key"),
    ),
    DriftProfile(
        name="fulcrum-created-by-removed",
        api="fulcrum",
        description="Photos no longer carry `created_by`, a read-only row of the page's 'Photo Properties' table "
                    "(its 'Required: no' is about creating a photo, not about answers).",
        check="response_schema_conformance",
        operations=DETAIL + LIST,
        change=DropFields(fields=("created_by",)),
    ),
    DriftProfile(
        name="fulcrum-file-size-as-string",
        api="fulcrum",
        description="The photo list sends `file_size` as a string (\"924235\") instead of an integer.",
        check="response_schema_conformance",
        operations=LIST,
        change=Stringify(path="$.photos[*].file_size"),
    ),
    DriftProfile(
        name="fulcrum-jpg-is-png",
        api="fulcrum",
        description="GET /v2/photos/{id}.jpg sends PNG bytes while still saying image/jpeg.",
        check="image_matches_content_type",
        operations=("GET /v2/photos/{id}.jpg",),
        change=ReencodeImage(format="PNG"),
    ),
    DriftProfile(
        name="fulcrum-thumbnail-truncated",
        api="fulcrum",
        description="The stored thumbnail files are cut off halfway and no longer decode.",
        check="image_decodes",
        operations=("STORE photos/thumb_*",),
        change=TruncateBody(keep=0.5),
    ),
    DriftProfile(
        name="fulcrum-thumbnail-larger-than-original",
        api="fulcrum",
        description="GET /v2/photos/{id}/thumbnail.jpg serves a picture ten times the thumbnail size, larger than "
                    "the original.",
        check="thumbnail_not_larger_than_original",
        operations=("GET /v2/photos/{id}/thumbnail.jpg",),
        # Only the image answers: the route's 401/404 JSON bodies pass unchanged.
        change=ScaleImage(factor=10, when_media="image/"),
    ),
    DriftProfile(
        name="fulcrum-file-size-contradicts-image",
        api="fulcrum",
        description="file_size of a single photo is 37 bytes off the size of its file ('The size of the photo "
                    "file in bytes').",
        check="image_metadata_matches",
        operations=DETAIL,
        change=Offset(path="$.photo.file_size", delta=37),
    ),
    DriftProfile(
        name="fulcrum-form-filter-ignored",
        api="fulcrum",
        description="The photo list ignores `form_id` and returns the photos of every form.",
        check="filters_are_honoured",
        operations=LIST,
        change=IgnoreParam(name="form_id"),
    ),
    DriftProfile(
        name="fulcrum-per-page-ignored",
        api="fulcrum",
        description="The photo list ignores `per_page` and always answers with its default page size.",
        check="pagination_is_consistent",
        operations=LIST,
        change=IgnoreParam(name="per_page"),
    ),
    DriftProfile(
        name="fulcrum-newest-first-ignored",
        api="fulcrum",
        description="The photo list ignores `newest_first` ('If present, photos will be sorted by updated_at date').",
        check="timestamps_are_ordered",
        operations=LIST,
        change=IgnoreParam(name="newest_first"),
    ),
    DriftProfile(
        name="fulcrum-auth-not-enforced",
        api="fulcrum",
        description="Photo metadata is served without a valid X-ApiToken instead of 401.",
        check="ignored_auth",
        operations=LIST + DETAIL,
        change=SkipAuth(),
    ),
    DriftProfile(
        name="fulcrum-unauthorized-body-reshaped",
        api="fulcrum",
        description="401 answers {\"message\": ..., \"code\": 401} instead of {\"error\": \"Unauthorized\"}.",
        # Only requests without valid credentials see it: the auth check, not an authenticated run.
        check="credentials_are_enforced",
        operations=LIST + DETAIL,
        change=ReplaceValue(path="$", value={"message": "Unauthorized", "code": 401}, when_status=401),
    ),
    DriftProfile(
        name="fulcrum-thumbnail-redirect-loop",
        api="fulcrum",
        description="S3 answers every thumbnail with a redirect back to itself, so it never arrives.",
        check="response_within_limits",
        operations=("STORE photos/thumb_*",),
        change=RedirectLoop(),
    ),
)

VARIANTS: tuple[DriftProfile, ...] = (
    DriftProfile(
        name="fulcrum-doc-unsuffixed-photo-negotiates-jpeg",
        api="fulcrum",
        description="GET /v2/photos/{id} answers the photo's JPEG unless Accept asks for JSON (the vendor's client "
                    "sends Accept: application/json on the unsuffixed paths; other Accepts are undocumented).",
        check=None,
        operations=("GET /v2/photos/{id}",),
        change=JpegUnlessJsonAccepted(when_status=200),
    ),
    DriftProfile(
        name="fulcrum-doc-unsuffixed-list-406-without-json",
        api="fulcrum",
        description="GET /v2/photos answers 406 to an Accept that admits no JSON (undocumented; the client asks "
                    "for JSON).",
        check=None,
        operations=("GET /v2/photos",),
        change=NotAcceptableUnlessJson(),
    ),
    DriftProfile(
        name="fulcrum-doc-newest-first-by-default",
        api="fulcrum",
        description="Without newest_first the list is sorted newest updated_at first, not oldest created_at first "
                    "(the default order is undocumented).",
        check=None,
        operations=LIST,
        change=NewestFirstByDefault(),
    ),
    DriftProfile(
        name="fulcrum-doc-upper-case-access-keys",
        api="fulcrum",
        description="access_key in upper case, as the page's example \"7A8ABC73-A41B-4F1E-BA16-F7C03DAE1E22\".",
        check=None,
        operations=PHOTO_JSON,
        change=UpperCaseAccessKeys(),
    ),
    DriftProfile(
        name="fulcrum-doc-exif-decimals-as-numbers",
        api="fulcrum",
        description="EXIF decimals as JSON numbers (72.0, [42.0, 49.0, 30.8953]) as the vendor's client types them, "
                    "not the page's strings.",
        check=None,
        operations=PHOTO_JSON,
        change=ExifNumbers(),
    ),
    DriftProfile(
        name="fulcrum-doc-official-nulls",
        api="fulcrum",
        description="created_by(_id), updated_by(_id), file_size and content_type are null, which the official "
                    "OpenAPI allows (nullable: true).",
        check=None,
        operations=PHOTO_JSON,
        change=NullFields(fields=("created_by", "created_by_id", "updated_by", "updated_by_id", "file_size",
                                  "content_type")),
    ),
    DriftProfile(
        name="fulcrum-doc-version-metadata-empty-success",
        api="fulcrum",
        description="thumbnail.json and large.json answer {} (the official OpenAPI's EmptySuccessResponse), "
                    "not the photo envelope we assume.",
        check=None,
        operations=VERSION_METADATA,
        change=ReplaceValue(path="$", value={}, when_status=200),
    ),
)
