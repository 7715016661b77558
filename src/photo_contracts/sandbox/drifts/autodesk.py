"""Drift profiles of the autodesk emulator: each changes one documented behaviour."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from photo_contracts.sandbox.changes import (
    Change,
    HttpResponse,
    IgnoreParam,
    Offset,
    ReencodeImage,
    RenameField,
    ReplaceValue,
    SetStatus,
    SkipAuth,
    Stringify,
    TruncateBody,
)
from photo_contracts.sandbox.drift import DriftProfile

GET_PHOTO = "GET /projects/{projectId}/photos/{photoId}"
FILTER = "POST /projects/{projectId}/photos:filter"


@dataclass(frozen=True, kw_only=True)
class ReplaceAtPaths(Change):
    """ReplaceValue at several JSON paths: a media changes alike in GET and in filter results."""

    paths: tuple[str, ...]
    value: Any

    def edit_response(self, response: HttpResponse) -> None:
        for path in self.paths:
            ReplaceValue(path=path, value=self.value).edit_response(response)


PROFILES: tuple[DriftProfile, ...] = (
    DriftProfile(
        name="autodesk-size-as-string",
        api="autodesk",
        description="size (bytes) is sent as a string instead of a number.",
        check="response_schema_conformance",
        operations=(GET_PHOTO,),
        change=Stringify(path="$.size", when_status=200),
    ),
    DriftProfile(
        name="autodesk-urls-renamed",
        api="autodesk",
        description="The required urls object is renamed to links.",
        check="response_schema_conformance",
        operations=(GET_PHOTO,),
        change=RenameField(path="$.urls", to="links", when_status=200),
    ),
    DriftProfile(
        name="autodesk-new-media-type",
        api="autodesk",
        description="photos:filter results carry an undocumented mediaType value, PANORAMA.",
        check="response_schema_conformance",
        operations=(FILTER,),
        change=ReplaceValue(path="$.results[*].mediaType", value="PANORAMA", when_status=200),
    ),
    DriftProfile(
        name="autodesk-gateway-error-shape",
        api="autodesk",
        description="The gateway's 401 body loses developerMessage/errorCode for a bare {error}.",
        # Generated cases always carry the real token; the error check is what sees 401 bodies.
        check="credentials_are_enforced",
        operations=(GET_PHOTO, FILTER),
        change=ReplaceValue(path="$", value={"error": "unauthorized"}, when_status=401),
    ),
    DriftProfile(
        name="autodesk-media-type-filter-ignored",
        api="autodesk",
        description="photos:filter ignores filter.mediaType and lists every media type.",
        check="filters_are_honoured",
        operations=(FILTER,),
        change=IgnoreParam(name="filter.mediaType", location="body"),
    ),
    DriftProfile(
        name="autodesk-limit-ignored",
        api="autodesk",
        description="photos:filter ignores limit and always pages by 25.",
        check="pagination_is_consistent",
        operations=(FILTER,),
        change=IgnoreParam(name="limit", location="body"),
    ),
    DriftProfile(
        name="autodesk-auth-not-enforced",
        api="autodesk",
        description="Requests without a valid Bearer token are served instead of the gateway's 401.",
        check="ignored_auth",
        operations=(GET_PHOTO, FILTER),
        change=SkipAuth(),
    ),
    DriftProfile(
        name="autodesk-filter-server-error",
        api="autodesk",
        description="photos:filter answers a documented request with 500.",
        check="not_a_server_error",
        operations=(FILTER,),
        change=SetStatus(status=500, when_status=200),
    ),
    DriftProfile(
        name="autodesk-thumbnail-png",
        api="autodesk",
        description="Signed thumbnail URLs serve PNG bytes while the URL still says image/jpeg.",
        check="thumbnail_is_documented_format",
        operations=("STORE thumbnails/*",),
        change=ReencodeImage(format="PNG", when_status=200),
    ),
    DriftProfile(
        name="autodesk-original-truncated",
        api="autodesk",
        description="Signed original URLs serve only the first half of the JPEG.",
        check="image_decodes",
        operations=("STORE photos/*",),
        change=TruncateBody(keep=0.5, when_status=200),
    ),
    DriftProfile(
        name="autodesk-size-mismatch",
        api="autodesk",
        description="size no longer agrees with the bytes of the original (off by 1024).",
        check="image_metadata_matches",
        operations=(GET_PHOTO,),
        change=Offset(path="$.size", delta=1024, when_status=200),
    ),
    DriftProfile(
        name="autodesk-updated-before-created",
        api="autodesk",
        description="updatedAt is earlier than createdAt, in GET and in filter results alike.",
        check="timestamps_are_ordered",
        operations=(GET_PHOTO, FILTER),
        change=ReplaceAtPaths(paths=("$.updatedAt", "$.results[*].updatedAt"),
                              value="2000-01-01T00:00:00", when_status=200),
    ),
    DriftProfile(
        name="autodesk-429-without-retry-after",
        api="autodesk",
        description="The gateway rate-limits photo reads, and its 429 answers no longer carry Retry-After.",
        check="response_headers_conformance",
        operations=(GET_PHOTO,),
        change=SetStatus(status=429, body={"developerMessage": "Rate limit exceeded", "userMessage": "",
                                           "errorCode": "RATE-001", "more info": "https://aps.autodesk.com/"}),
    ),
)
