"""Mutations of the documented Autodesk examples that each schema must reject, at the right place."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from photo_contracts.contracts import SCHEMAS_DIR, file_uri, validator

SCHEMAS = SCHEMAS_DIR / "autodesk"
PHOTO = json.loads((SCHEMAS / "examples" / "photo.json").read_text(encoding="utf-8"))
# No verbatim example exists for these: built from the documented field names (vendor-notes section 4).
# Error bodies are not documented (the contract has no `content` for them), so no schema to mutate.
CURSOR = "o25~l25~i1~sC~f*mN"  # the emulator's cursor grammar (filter-request.json cursorState pattern)
FILTER_REQUEST = {
    "filter": {
        "createdAt": "2021-03-01..2021-03-31", "takenAt": "2021-03-13T00:00:00Z..",
        "createdBy": ["PER8KQPK2JRT"], "id": [PHOTO["id"]], "title": "wall", "mediaType": ["NORMAL"],
    },
    "include": ["signedUrls"], "limit": 25, "sort": ["createdAt", "desc"],
}  # a first request: with cursorState every other member is ignored (mutations of the cursor add one)
FILTER_PAGE = {
    "pagination": {
        "limit": 25,
        "nextPost": {
            "url": "https://developer.api.autodesk.com/construction/photos/v1/projects/"
                   "36c0838c-0360-4cfa-b2c6-85e0056ec7e8/photos:filter",
            "body": {"cursorState": "eyJvIjoyNX0"},
        },
    },
    "results": [PHOTO],
}
BASES: dict[str, Any] = {
    "media.json": PHOTO,
    "signed-urls.json": PHOTO["signedUrls"],
    "urls.json": PHOTO["urls"],
    "filter-request.json": FILTER_REQUEST,
    "filter-page.json": FILTER_PAGE,
}


def drop(*path: str | int) -> Callable[[Any], None]:
    def mutate(document: Any) -> None:
        *parents, last = path
        for step in parents:
            document = document[step]
        del document[last]
    return mutate


def put(value: Any, *path: str | int) -> Callable[[Any], None]:
    def mutate(document: Any) -> None:
        *parents, last = path
        for step in parents:
            document = document[step]
        document[last] = value
    return mutate


# (schema file, mutation, JSON path of the error)
MUTATIONS: dict[str, tuple[str, Callable[[Any], None], str]] = {
    "media-id-removed": ("media.json", drop("id"), "$"),
    "media-urls-removed": ("media.json", drop("urls"), "$"),
    "media-createdBy-removed": ("media.json", drop("createdBy"), "$"),
    "media-updatedAt-removed": ("media.json", drop("updatedAt"), "$"),
    "media-id-not-uuid": ("media.json", put("5439bfb7", "id"), "$.id"),
    "media-projectId-not-uuid": ("media.json", put("b.36c0838c", "projectId"), "$.projectId"),
    "media-mediaType-undocumented": ("media.json", put("PANORAMA", "mediaType"), "$.mediaType"),
    "media-type-undocumented": ("media.json", put("PHOTO", "type"), "$.type"),
    "media-size-as-string": ("media.json", put("11359", "size"), "$.size"),
    "media-size-negative": ("media.json", put(-1, "size"), "$.size"),
    "media-isPublic-as-string": ("media.json", put("false", "isPublic"), "$.isPublic"),
    "media-latitude-out-of-range": ("media.json", put(91.0, "latitude"), "$.latitude"),
    "media-createdAt-space": ("media.json", put("2021-03-14 10:20:33", "createdAt"), "$.createdAt"),
    "media-takenAt-month-13": ("media.json", put("2021-13-13T18:15:00", "takenAt"), "$.takenAt"),
    "media-deletedAt-number": ("media.json", put(1616154633, "deletedAt"), "$.deletedAt"),
    "media-createdBy-empty": ("media.json", put("", "createdBy"), "$.createdBy"),
    "media-urls-fileUrl-relative": ("media.json", put("/assets/a.jpg", "urls", "fileUrl"), "$.urls.fileUrl"),
    "media-signedUrls-not-uri": ("media.json", put("s3 bucket/key", "signedUrls", "fileUrl"), "$.signedUrls.fileUrl"),
    "signed-urls-thumbnail-removed": ("signed-urls.json", drop("thumbnailUrl"), "$"),
    "signed-urls-fileUrl-number": ("signed-urls.json", put(42, "fileUrl"), "$.fileUrl"),
    "signed-urls-fileUrl-space": ("signed-urls.json", put("https://s3 .amazonaws.com/k", "fileUrl"), "$.fileUrl"),
    "urls-fileUrl-removed": ("urls.json", drop("fileUrl"), "$"),
    "urls-thumbnail-null": ("urls.json", put(None, "thumbnailUrl"), "$.thumbnailUrl"),
    "urls-fileUrl-no-scheme": ("urls.json", put("developer.api.autodesk.com/x.jpg", "fileUrl"), "$.fileUrl"),
    "filter-limit-51": ("filter-request.json", put(51, "limit"), "$.limit"),
    "filter-limit-0": ("filter-request.json", put(0, "limit"), "$.limit"),
    "filter-limit-string": ("filter-request.json", put("25", "limit"), "$.limit"),
    "filter-include-undocumented": ("filter-request.json", put(["thumbnails"], "include"), "$.include[0]"),
    "filter-mediaType-undocumented": ("filter-request.json", put(["VIDEO360"], "filter", "mediaType"), "$.filter.mediaType[0]"),
    "filter-mediaType-not-list": ("filter-request.json", put("NORMAL", "filter", "mediaType"), "$.filter.mediaType"),
    "filter-createdAt-not-a-date": ("filter-request.json", put("2021-03", "filter", "createdAt"), "$.filter.createdAt"),
    "filter-unknown-member": ("filter-request.json", put("x", "filter", "updatedAt"), "$.filter"),
    "filter-takenAt-slash-range": ("filter-request.json", put("2021-03-01/2021-03-31", "filter", "takenAt"), "$.filter.takenAt"),
    "filter-id-not-uuid": ("filter-request.json", put(["not-a-uuid"], "filter", "id"), "$.filter.id[0]"),
    "filter-sort-undocumented": ("filter-request.json", put(["size", "asc"], "sort"), "$.sort[0]"),
    "filter-sort-direction-undocumented": ("filter-request.json", put(["createdAt", "down"], "sort"), "$.sort[1]"),
    "filter-sort-not-a-pair": ("filter-request.json", put(["createdAt", "desc", "takenAt", "asc"], "sort"), "$.sort"),
    "filter-cursorState-empty": ("filter-request.json", put("", "cursorState"), "$.cursorState"),
    "filter-cursorState-not-issued": ("filter-request.json", put("0", "cursorState"), "$.cursorState"),
    "filter-cursorState-base64": ("filter-request.json", put("eyJvIjoyNX0", "cursorState"), "$.cursorState"),
    "filter-cursorState-limit-51": ("filter-request.json", put("o0~l51~i0~sC~f", "cursorState"), "$.cursorState"),
    "page-pagination-removed": ("filter-page.json", drop("pagination"), "$"),
    "page-results-removed": ("filter-page.json", drop("results"), "$"),
    "page-results-object": ("filter-page.json", put({}, "results"), "$.results"),
    "page-limit-51": ("filter-page.json", put(51, "pagination", "limit"), "$.pagination.limit"),
    "page-nextPost-cursor-removed": ("filter-page.json", drop("pagination", "nextPost", "body", "cursorState"), "$.pagination.nextPost.body"),
    "page-nextPost-url-not-uri": ("filter-page.json", put("photos filter", "pagination", "nextPost", "url"), "$.pagination.nextPost.url"),
    "page-result-id-removed": ("filter-page.json", drop("results", 0, "id"), "$.results[0]"),
}

# Documented optional or alternative forms that must stay valid (guards against over-strictness).
ACCEPTED: dict[str, tuple[str, Callable[[Any], None]]] = {
    "media-without-signedUrls": ("media.json", drop("signedUrls")),
    "media-without-deletion": ("media.json", lambda d: (d.pop("deletedAt"), d.pop("deletedBy"))),
    "media-without-gps": ("media.json", lambda d: (d.pop("latitude"), d.pop("longitude"))),
    "media-gps-null": ("media.json", lambda d: d.update(latitude=None, longitude=None)),
    "media-without-description": ("media.json", put(None, "description")),
    "media-live-deleted-null": ("media.json", lambda d: d.update(deletedAt=None, deletedBy=None)),
    "media-utc-z-timestamp": ("media.json", put("2021-03-14T10:20:33Z", "createdAt")),
    "media-offset-fraction-timestamp": ("media.json", put("2021-03-14T10:20:33.120+01:00", "createdAt")),
    "media-video": ("media.json", put("VIDEO", "mediaType")),
    "media-new-field": ("media.json", put({"width": 640}, "dimensions")),
    "filter-empty-body": ("filter-request.json", lambda d: d.clear()),
    "filter-cursor-alone": ("filter-request.json", lambda d: (d.clear(), d.update(cursorState=CURSOR))),
    # Autodesk's photos:filter page: with cursorState "all other body parameters are ignored".
    "filter-cursor-ignores-the-rest": ("filter-request.json",
                                       lambda d: d.update(cursorState=CURSOR, limit=51, sort="x", filter=[])),
    "filter-single-date": ("filter-request.json", put("2021-03-01", "filter", "createdAt")),
    "filter-single-date-time": ("filter-request.json", put("2021-03-13T18:15:00Z", "filter", "takenAt")),
    "filter-sort-pair-asc": ("filter-request.json", put(["takenAt", "asc"], "sort")),
    "filter-include-relationships-count": ("filter-request.json", put(["signedUrls", "relationshipsCount"], "include")),
    "filter-cursor-every-member": ("filter-request.json", put(
        "o0~l7~i0~sC~f*a2021-03-01..*k..2021-03-31T23:59:59Z*bPER8KQPK2JRT,x%2Ey"
        "*d5439bfb7-8006-4388-a454-f02560f99566*noffice%20dry*mNIPV", "cursorState")),
    "filter-open-range": ("filter-request.json", put("..2021-03-31T23:59:59", "filter", "createdAt")),
    "page-last-page": ("filter-page.json", drop("pagination", "nextPost")),
    "page-other-cursor-format": ("filter-page.json",
                                 put("eyJvIjoyNX0", "pagination", "nextPost", "body", "cursorState")),
}


def schema_validator(name: str) -> Draft202012Validator:
    return validator(file_uri(SCHEMAS / name))


@pytest.mark.parametrize("name", sorted(BASES))
def test_base_document_is_valid(name: str) -> None:
    errors = list(schema_validator(name).iter_errors(BASES[name]))
    assert errors == [], [e.message for e in errors]


@pytest.mark.parametrize("case", sorted(MUTATIONS), ids=str)
def test_mutation_is_rejected_at_its_path(case: str) -> None:
    name, mutate, json_path = MUTATIONS[case]
    document = copy.deepcopy(BASES[name])
    mutate(document)
    error = best_match(schema_validator(name).iter_errors(document))
    assert error is not None, f"{case}: {name} accepted the mutated document"
    assert error.json_path == json_path, error.message


@pytest.mark.parametrize("case", sorted(ACCEPTED), ids=str)
def test_documented_alternative_is_accepted(case: str) -> None:
    name, mutate = ACCEPTED[case]
    document = copy.deepcopy(BASES[name])
    mutate(document)
    errors = [e.message for e in schema_validator(name).iter_errors(document)]
    assert errors == []


def test_every_schema_file_has_mutations() -> None:
    files = {p.name for p in SCHEMAS.glob("*.json")}
    assert files == set(BASES)
    assert files == {name for name, _, _ in MUTATIONS.values()}


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.json")), ids=lambda p: p.name)
def test_schema_is_valid_2020_12(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "$id" not in schema and schema["title"] and schema["description"]
