"""Drift profiles of the fulcrum emulator: each changes one documented behaviour."""

from __future__ import annotations

from photo_contracts.sandbox.changes import (
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

PROFILES: tuple[DriftProfile, ...] = (
    DriftProfile(
        name="fulcrum-original-url-removed",
        api="fulcrum",
        description="A single photo no longer carries the required `original` URL.",
        check="response_schema_conformance",
        operations=DETAIL,
        change=RemoveField(path="$.photo.original"),
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
        description="GET /v2/photos/{id}/thumbnail.jpg serves a picture ten times the thumbnail size, larger than the original.",
        check="thumbnail_not_larger_than_original",
        operations=("GET /v2/photos/{id}/thumbnail.jpg",),
        change=ScaleImage(factor=10),
    ),
    DriftProfile(
        name="fulcrum-pixel-width-contradicts-image",
        api="fulcrum",
        description="exif.pixel_x_dimension of a single photo is 37 px off the image's real width.",
        check="image_metadata_matches",
        operations=DETAIL,
        change=Offset(path="$.photo.exif.pixel_x_dimension", delta=37),
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
