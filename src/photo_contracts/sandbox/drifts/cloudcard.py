"""Drift profiles of the cloudcard emulator: each changes one documented behaviour, which its check
reports under an x-source mark. VARIANTS: answers CloudCard's sources allow but the faithful
emulator does not give (no error status or body is documented, no order of the list, no closed
field set); the suite must keep its faithful verdict on each.

Sources: sources/cloudcard-get-a-photo.txt, sources/cloudcard-get-photo-list.txt, sources/vendor-notes.md
section 1. Checks CloudCard cannot prove under an x-source mark, so no profile here names them:
unknown_id_is_documented_error (404 is our reading), negative_data_rejection (400 is our reading),
image_metadata_matches (what `width` and `height` measure is not said).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from photo_contracts.sandbox.changes import (
    Change,
    DefaultParam,
    EmptyBody,
    HttpRequest,
    HttpResponse,
    IgnoreParam,
    Offset,
    PlainText,
    ReplaceValue,
    SetHeader,
    SetOnlyStatus,
    SetStatus,
    SkipAuth,
    Stringify,
    TruncateBody,
)
from photo_contracts.sandbox.cloudcard_data import documented_photo
from photo_contracts.sandbox.drift import DriftProfile

API = "cloudcard"
LIST = "GET /photo"
DETAIL = "GET /photo/{id}"
READS = (LIST, DETAIL, "GET /organization/{id}")
IMAGES = "STORE photos.cloudcard/*.jpg"  # photos, originals and additional photos on "S3"
MAX_LIMIT = 1000  # "any integer between 0 and 1000"








def _edit_photos(response: HttpResponse, edit: Any) -> None:
    """Apply `edit` to each photo of a Get Photo List (array) or Get a Photo (object) answer."""
    if "json" not in response.media_type:
        return
    try:
        document = json.loads(response.body)
    except ValueError:
        return
    photos = document if isinstance(document, list) else [document]
    for photo in photos:
        if isinstance(photo, dict) and "id" in photo:
            edit(photo)
    response.body = json.dumps(document).encode()


@dataclass(frozen=True, kw_only=True)
class ExtraMembers(Change):
    """Every photo carries members the documented examples do not show."""

    members: tuple[tuple[str, Any], ...]

    def edit_response(self, response: HttpResponse) -> None:
        _edit_photos(response, lambda photo: photo.update(dict(self.members)))


@dataclass(frozen=True, kw_only=True)
class LinksOnly(Change):
    """Photos carry `links.bytes` without `externalURL`, as older payloads do (vendor-notes)."""

    def edit_response(self, response: HttpResponse) -> None:
        def edit(photo: dict[str, Any]) -> None:
            url = photo.pop("externalURL", None)
            if url and not isinstance(photo.get("links"), dict):
                photo["links"] = {"bytes": url}
        _edit_photos(response, edit)


@dataclass(frozen=True, kw_only=True)
class OldestFirst(Change):
    """Get Photo List in the other order, oldest first, consistently across pages (no order is
    documented). The emulator is asked for the whole listing; the answer is reversed and cut to the
    caller's offset and max. Requests whose offset or max the emulator would refuse pass unchanged."""

    def edit_request(self, request: HttpRequest, credential: tuple[str, str]) -> None:
        query = dict(request.query)
        try:
            offset, limit = int(query.get("offset", "0"), 10), int(query.get("max", "25"), 10)
        except ValueError:
            return
        if offset < 0 or not 0 <= limit <= MAX_LIMIT:
            return
        request.headers["x-variant-page"] = f"{offset},{limit}"
        request.query = [(k, v) for k, v in request.query if k not in ("offset", "max")] + [
            ("offset", "0"), ("max", str(MAX_LIMIT))]

    def edit_response(self, response: HttpResponse) -> None:
        page = response.request.headers.get("x-variant-page") if response.request else None
        if not page or response.status != 200 or "json" not in response.media_type:
            return
        offset, limit = (int(part) for part in page.split(","))
        everything = json.loads(response.body)
        if isinstance(everything, list):
            response.body = json.dumps(everything[::-1][offset: offset + limit]).encode()


@dataclass(frozen=True, kw_only=True)
class RenameStatus(Change):
    """Photos in status `old` are reported as `new`, alike in the list and in Get a Photo."""

    old: str
    new: str

    def edit_response(self, response: HttpResponse) -> None:
        def edit(photo: dict[str, Any]) -> None:
            if photo.get("status") == self.old:
                photo["status"] = self.new
        _edit_photos(response, edit)




def _listed_classification() -> list[dict[str, Any]]:
    """The first classification of the Get a Photo example, as list items carried before 25.02.03."""
    return [copy.deepcopy(documented_photo()["classifications"][0])]


PROFILES: tuple[DriftProfile, ...] = (
    DriftProfile(
        name="cloudcard-width-as-string",
        api=API,
        description="Get a Photo sends `width`, an integer in the documented example (\"width\": 300), as a string.",
        check="response_schema_conformance",
        operations=(DETAIL,),
        change=Stringify(path="$.width", when_status=200),
    ),
    DriftProfile(
        name="cloudcard-list-classifications-returned",
        api=API,
        description="Get Photo List sends each photo's classifications again, though since 25.02.03 it "
                    "\"returns an empty classifications list for each photo\".",
        check="response_schema_conformance",
        operations=(LIST,),
        change=ReplaceValue(path="$[*].classifications", value=_listed_classification(), when_status=200),
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
        name="cloudcard-max-default-50",
        api=API,
        description="Get Photo List without `max` returns up to 50 photos, though `max` has \"Default Value: 25\".",
        check="defaults_are_honoured",
        operations=(LIST,),
        change=DefaultParam(name="max", value=50),
    ),
    DriftProfile(
        name="cloudcard-status-filter-ignored",
        api=API,
        description="Get Photo List ignores `status` (\"Retrieves only photos in the designated status\") and "
                    "returns photos in every status.",
        check="filters_are_honoured",
        operations=(LIST,),
        change=IgnoreParam(name="status"),
    ),
    DriftProfile(
        name="cloudcard-offset-ignored",
        api=API,
        description="Get Photo List ignores `offset` (\"Skips the number of photos designated\"), so every page "
                    "repeats the first one.",
        check="pagination_is_consistent",
        operations=(LIST,),
        change=IgnoreParam(name="offset"),
    ),
    DriftProfile(
        name="cloudcard-auth-not-enforced",
        api=API,
        description="Photo and organization reads answer without the X-Auth-Token the pages require "
                    "(\"Required Headers: X-Auth-Token\").",
        check="ignored_auth",
        operations=READS,
        change=SkipAuth(),
    ),
    DriftProfile(
        name="cloudcard-list-version-stale",
        api=API,
        description="Get Photo List reports each photo's `version` one ahead of Get a Photo, though each item is "
                    "\"a lightweight representation of a photo\".",
        check="list_matches_detail",
        operations=(LIST,),
        change=Offset(path="$[*].version", delta=1, when_status=200),
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
        description="Get a Photo, whose documented answer is a JSON photo, answers with Content-Type text/html.",
        check="content_type_conformance",
        operations=(DETAIL,),
        change=SetHeader(name="Content-Type", value="text/html; charset=utf-8", when_status=200),
    ),
)

VARIANTS: tuple[DriftProfile, ...] = (
    DriftProfile(
        name="cloudcard-doc-404-empty",
        api=API,
        description="An unknown photo id gets 404 with no body at all; CloudCard documents no error body.",
        check=None,
        operations=(DETAIL, "GET /organization/{id}"),
        change=EmptyBody(when_status=404),
    ),
    DriftProfile(
        name="cloudcard-doc-401-text-plain",
        api=API,
        description="A missing or wrong token gets 401 in text/plain; CloudCard documents no error body.",
        check=None,
        operations=READS,
        change=PlainText(text="Unauthorized", when_status=401),
    ),
    DriftProfile(
        name="cloudcard-doc-credentials-403",
        api=API,
        description="A missing or wrong token gets 403 instead of 401; CloudCard documents no error status.",
        check=None,
        operations=READS,
        change=SetOnlyStatus(status=403, when_status=401),
    ),
    DriftProfile(
        name="cloudcard-doc-list-oldest-first",
        api=API,
        description="Get Photo List lists the oldest photo first, consistently across pages; no order is documented.",
        check=None,
        operations=(LIST,),
        change=OldestFirst(),
    ),
    DriftProfile(
        # The name predates the variants (tests/drift/test_drift_command.py uses it for a new enum value).
        name="cloudcard-undocumented-status",
        api=API,
        description="Photos the emulator reports as FAILED are ARCHIVED, in the list and in Get a Photo alike; "
                    "CloudCard lists the values of the `status` filter, never all the statuses a photo may have.",
        check=None,
        operations=(LIST, DETAIL),
        change=RenameStatus(old="FAILED", new="ARCHIVED", when_status=200),
    ),
    DriftProfile(
        name="cloudcard-doc-extra-fields",
        api=API,
        description="Every photo carries fields the documented examples do not show (processingStatus, tags).",
        check=None,
        operations=(LIST, DETAIL),
        change=ExtraMembers(members=(("processingStatus", "COMPLETE"), ("tags", [])), when_status=200),
    ),
    DriftProfile(
        name="cloudcard-doc-links-bytes-only",
        api=API,
        description="Photos carry `links.bytes` without `externalURL`, as older payloads do (vendor-notes).",
        check=None,
        operations=(LIST, DETAIL),
        change=LinksOnly(when_status=200),
    ),
)
