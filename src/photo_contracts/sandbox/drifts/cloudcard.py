"""Drift profiles of the cloudcard emulator: one documented behaviour changed per profile."""

from __future__ import annotations

from photo_contracts.sandbox.changes import (
    IgnoreParam,
    Offset,
    ReplaceValue,
    SetHeader,
    SetStatus,
    SkipAuth,
    Stringify,
    TruncateBody,
)
from photo_contracts.sandbox.drift import DriftProfile

API = "cloudcard"
IMAGES = "STORE photos.cloudcard/*.jpg"  # photos, originals and additional photos on "S3"

PROFILES: tuple[DriftProfile, ...] = (
    DriftProfile(
        name="cloudcard-width-as-string",
        api=API,
        description="Get a Photo sends the documented integer `width` as a string (\"300\").",
        check="response_schema_conformance",
        operations=("GET /photo/{id}",),
        change=Stringify(path="$.width", when_status=200),
    ),
    DriftProfile(
        name="cloudcard-undocumented-status",
        api=API,
        description="Get Photo List reports photos in a status no source documents (ARCHIVED).",
        check="response_schema_conformance",
        operations=("GET /photo",),
        change=ReplaceValue(path="$[*].status", value="ARCHIVED", when_status=200),
    ),
    DriftProfile(
        name="cloudcard-jpeg-labelled-png",
        api=API,
        description="S3 serves the .jpg photo bytes with Content-Type image/png.",
        check="image_matches_content_type",
        operations=(IMAGES,),
        change=SetHeader(name="content-type", value="image/png", when_status=200),
    ),
    DriftProfile(
        name="cloudcard-truncated-jpeg",
        api=API,
        description="S3 serves only the first half of each photo's JPEG bytes.",
        check="image_decodes",
        operations=(IMAGES,),
        change=TruncateBody(keep=0.5, when_status=200),
    ),
    DriftProfile(
        name="cloudcard-height-contradicts-image",
        api=API,
        description="Get a Photo reports a `height` 40 px taller than its JPEG.",
        check="image_metadata_matches",
        operations=("GET /photo/{id}",),
        change=Offset(path="$.height", delta=40, when_status=200),
    ),
    DriftProfile(
        name="cloudcard-status-filter-ignored",
        api=API,
        description="Get Photo List ignores `status` and returns photos in every status.",
        check="filters_are_honoured",
        operations=("GET /photo",),
        change=IgnoreParam(name="status"),
    ),
    DriftProfile(
        name="cloudcard-offset-ignored",
        api=API,
        description="Get Photo List ignores `offset`, so every page repeats the first one.",
        check="pagination_is_consistent",
        operations=("GET /photo",),
        change=IgnoreParam(name="offset"),
    ),
    DriftProfile(
        name="cloudcard-auth-not-enforced",
        api=API,
        description="Photo and organization reads answer without a valid X-Auth-Token, not 401.",
        check="ignored_auth",
        operations=("GET /photo", "GET /photo/{id}", "GET /organization/{id}"),
        change=SkipAuth(),
    ),
    DriftProfile(
        name="cloudcard-list-version-stale",
        api=API,
        description="Get Photo List reports each photo's `version` one ahead of Get a Photo.",
        check="list_matches_detail",
        operations=("GET /photo",),
        change=Offset(path="$[*].version", delta=1, when_status=200),
    ),
    DriftProfile(
        name="cloudcard-unknown-photo-200",
        api=API,
        description="Get a Photo answers an unknown id with 200 and `{}` instead of a 404 error.",
        check="unknown_id_is_documented_error",
        operations=("GET /photo/{id}",),
        change=SetStatus(status=200, body={}, when_status=404),
    ),
    DriftProfile(
        name="cloudcard-organization-5xx",
        api=API,
        description="Get an Organization fails with HTTP 500 for the caller's own organization.",
        check="not_a_server_error",
        operations=("GET /organization/{id}",),
        change=SetStatus(status=500, when_status=200),
    ),
    DriftProfile(
        name="cloudcard-detail-served-as-html",
        api=API,
        description="Get a Photo answers with Content-Type text/html instead of application/json.",
        check="content_type_conformance",
        operations=("GET /photo/{id}",),
        change=SetHeader(name="Content-Type", value="text/html; charset=utf-8", when_status=200),
    ),
    DriftProfile(
        name="cloudcard-bad-input-accepted",
        api=API,
        description="Get Photo List stops validating its parameters: max=5000 or status=FOO get 200 [].",
        check="negative_data_rejection",
        operations=("GET /photo",),
        change=SetStatus(status=200, body=[], when_status=400),
    ),
)
