"""Drift profiles of the autodesk emulator: each changes one documented behaviour, which its check
reports under an x-source mark. VARIANTS: answers the vendor's documents allow but the faithful
emulator does not give; the suite must keep its faithful verdict on each."""

from __future__ import annotations

import json
import re
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
    ReencodeImage,
    ReplaceValue,
    SetOnlyStatus,
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


def _edit_json(response: HttpResponse, edit: Any) -> None:
    if "json" not in response.media_type:
        return
    document = json.loads(response.body)
    document = edit(document)
    response.body = json.dumps(document).encode()


@dataclass(frozen=True, kw_only=True)
class KeepMembers(Change):
    """A JSON object body keeps only the named members."""

    names: tuple[str, ...]

    def edit_response(self, response: HttpResponse) -> None:
        _edit_json(response, lambda d: {k: v for k, v in d.items() if k in self.names} if isinstance(d, dict) else d)


def _media(document: Any) -> list[dict[str, Any]]:
    """The media of a GET answer (the body) or of a filter page (its results)."""
    if isinstance(document, dict) and isinstance(document.get("results"), list):
        return [m for m in document["results"] if isinstance(m, dict)]
    return [document] if isinstance(document, dict) and "id" in document else []


TIMESTAMPS = ("createdAt", "updatedAt", "deletedAt", "takenAt", "userCreatedAt")
_ZONED = re.compile(r"(Z|[+-][0-9]{2}:[0-9]{2})$")


@dataclass(frozen=True, kw_only=True)
class UtcZone(Change):
    """Every media timestamp written with its UTC zone, `2021-03-14T10:20:33Z`."""

    def edit_response(self, response: HttpResponse) -> None:
        def edit(document: Any) -> Any:
            for media in _media(document):
                for name in TIMESTAMPS:
                    if isinstance(media.get(name), str) and not _ZONED.search(media[name]):
                        media[name] += "Z"
            return document
        _edit_json(response, edit)


@dataclass(frozen=True, kw_only=True)
class ExtraMembers(Change):
    """Every media carries members the docs do not list."""

    members: tuple[tuple[str, Any], ...]

    def edit_response(self, response: HttpResponse) -> None:
        def edit(document: Any) -> Any:
            for media in _media(document):
                media.update(dict(self.members))
            return document
        _edit_json(response, edit)


@dataclass(frozen=True, kw_only=True)
class DefaultSort(Change):
    """Another order when the request gives none: a first photos:filter request without sort gets `sort`
    (the cursor of its next pages carries it on)."""

    sort: tuple[str, ...]

    def edit_request(self, request: HttpRequest, credential: tuple[str, str]) -> None:
        try:
            body = json.loads(request.body)
        except ValueError:
            return
        if isinstance(body, dict) and "sort" not in body and "cursorState" not in body:
            body["sort"] = list(self.sort)
            request.body = json.dumps(body).encode()


@dataclass(frozen=True, kw_only=True)
class LastPageLoops(Change):
    """The last page reached by a cursor (no nextPost) gets a nextPost that gives that cursor again: a
    well-formed nextPost ({url, body: {cursorState}}) that leads back to the page itself."""

    def edit_response(self, response: HttpResponse) -> None:
        request = response.request
        try:
            asked = json.loads(request.body) if request is not None and request.body else {}
        except ValueError:
            return
        cursor = asked.get("cursorState") if isinstance(asked, dict) else None
        if request is None or not isinstance(cursor, str):
            return  # a first page that is also the last: there is no cursor to give again

        def edit(document: Any) -> Any:
            pagination = document.get("pagination") if isinstance(document, dict) else None
            if isinstance(pagination, dict) and not pagination.get("nextPost"):
                pagination["nextPost"] = {"url": request.url, "body": {"cursorState": cursor}}
            return document
        _edit_json(response, edit)


@dataclass(frozen=True, kw_only=True)
class AcceptAnyInclude(Change):
    """`include` values other than signedUrls and relationshipsCount are dropped instead of answered 400: bad
    input accepted."""

    def edit_request(self, request: HttpRequest, credential: tuple[str, str]) -> None:
        valid = ("signedUrls", "relationshipsCount")
        request.query = [(k, v) for k, v in request.query if k != "include" or v in valid]


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
        name="autodesk-urls-as-string",
        api="autodesk",
        description="urls, documented as an object (fileUrl, thumbnailUrl), is sent as one URL string.",
        check="response_schema_conformance",
        operations=(GET_PHOTO,),
        change=ReplaceValue(path="$.urls", value="https://developer.api.autodesk.com/construction/photos/assets/a.jpg",
                            when_status=200),
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
        name="autodesk-credentials-rejected-as-404",
        api="autodesk",
        description="Missing or wrong credentials get 404 instead of the documented 401 (gateway) or 403.",
        # Generated cases always carry the real token; the error check is what sends bad ones.
        check="credentials_are_enforced",
        operations=(GET_PHOTO, FILTER),
        change=SetOnlyStatus(status=404, when_status=401),
    ),
    DriftProfile(
        name="autodesk-taken-at-not-iso",
        api="autodesk",
        description="photos:filter results write takenAt as 13/03/2021 18:15, not the documented ISO 8601.",
        check="response_schema_conformance",
        operations=(FILTER,),
        change=ReplaceValue(path="$.results[*].takenAt", value="13/03/2021 18:15", when_status=200),
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
        name="autodesk-last-page-loops",
        api="autodesk",
        description="The last photos:filter page reached by a cursor carries a nextPost that gives that cursor "
                    "again, so a client that follows nextPost until there is none never ends.",
        check="pagination_is_consistent",
        operations=(FILTER,),
        change=LastPageLoops(when_status=200),
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
    DriftProfile(
        name="autodesk-signed-urls-ignored",
        api="autodesk",
        description="GET photos/{photoId} ignores include=signedUrls: the answer has no signedUrls.",
        check="options_are_honoured",
        operations=(GET_PHOTO,),
        change=IgnoreParam(name="include"),
    ),
    DriftProfile(
        name="autodesk-deleted-media-answers-200",
        api="autodesk",
        description="A media deleted by a user answers 200 with deletedAt instead of the documented 410.",
        check="deleted_media_is_gone",
        operations=(GET_PHOTO,),
        change=SetStatus(status=200, body={"id": "00000000-0000-4000-8000-000000000000",
                                           "deletedAt": "2021-03-19T11:50:33"}, when_status=410),
    ),
    DriftProfile(
        name="autodesk-unknown-photo-answers-403",
        api="autodesk",
        description="An unknown photoId answers 403 instead of the documented 404 Not Found.",
        check="unknown_id_is_documented_error",
        operations=(GET_PHOTO,),
        change=SetStatus(status=403, body={"code": "FORBIDDEN"}, when_status=404),
    ),
    DriftProfile(
        name="autodesk-bad-include-accepted",
        api="autodesk",
        description="include values other than signedUrls and relationshipsCount are accepted (200) "
                    "instead of the documented 400.",
        check="negative_data_rejection",
        operations=(GET_PHOTO,),
        change=AcceptAnyInclude(),
    ),
    DriftProfile(
        name="autodesk-default-limit-50",
        api="autodesk",
        description="photos:filter without a limit returns pages of 50 instead of the documented default of 25.",
        check="defaults_are_honoured",
        operations=(FILTER,),
        change=DefaultParam(name="limit", value=50, location="body"),
    ),
)

VARIANTS: tuple[DriftProfile, ...] = (
    DriftProfile(
        name="autodesk-doc-401-empty",
        api="autodesk",
        description="The gateway's 401 has no body (Content-Length: 0), as in Autodesk's own example.",
        check=None,
        operations=(GET_PHOTO, FILTER),
        change=EmptyBody(when_status=401),
    ),
    DriftProfile(
        name="autodesk-doc-401-two-fields",
        api="autodesk",
        description="The gateway's 401 carries only developerMessage and errorCode (no userMessage, no more info).",
        check=None,
        operations=(GET_PHOTO, FILTER),
        change=KeepMembers(names=("developerMessage", "errorCode"), when_status=401),
    ),
    DriftProfile(
        name="autodesk-doc-403-text-plain",
        api="autodesk",
        description="403 answers are text/plain, as in Autodesk's own example (the body is not documented).",
        check=None,
        operations=(GET_PHOTO, FILTER),
        change=PlainText(text="403 Forbidden", when_status=403),
    ),
    DriftProfile(
        name="autodesk-doc-credentials-403",
        api="autodesk",
        description="Missing or wrong credentials get the GET page's 403 ('lacked valid authentication credentials') "
                    "instead of the gateway's 401.",
        check=None,
        operations=(GET_PHOTO, FILTER),
        change=SetOnlyStatus(status=403, when_status=401),
    ),
    DriftProfile(
        name="autodesk-doc-utc-z",
        api="autodesk",
        description="Timestamps carry their UTC zone (2021-03-14T10:20:33Z), as the text says, unlike the example.",
        check=None,
        operations=(GET_PHOTO, FILTER),
        change=UtcZone(when_status=200),
    ),
    DriftProfile(
        name="autodesk-doc-extra-fields",
        api="autodesk",
        description="Every media carries fields the docs do not list (folderId, tags).",
        check=None,
        operations=(GET_PHOTO, FILTER),
        change=ExtraMembers(members=(("folderId", "urn:adsk.wipprod:fs.folder:co.x1"), ("tags", [])), when_status=200),
    ),
    DriftProfile(
        name="autodesk-doc-filter-order",
        api="autodesk",
        description="photos:filter without a sort lists oldest photo first (takenAt asc), not newest created first; "
                    "the default order is not documented.",
        check=None,
        operations=(FILTER,),
        change=DefaultSort(sort=("takenAt", "asc")),
    ),
)
