"""Autodesk ACC Photos: `size` against the file, signed URLs on S3, cursor pagination."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from photo_contracts.checks.facts import ApiFacts, IdSource, ImageRecord, Rejection
from photo_contracts.checks.invariants import (
    MAX_PAGES,
    as_property,
    fetch_json,
    ids_of,
    items_agree_with_details,
    ordered,
    same_sequence,
)
from photo_contracts.checks.registry import CheckFailed, invariant, require_ids

DETAIL = "GET /projects/{projectId}/photos/{photoId}"
FILTER = "POST /projects/{projectId}/photos:filter"
SIGNED = {"original": "signedUrls.fileUrl", "thumbnail": "signedUrls.thumbnailUrl"}

FACTS = ApiFacts(
    records=(
        ImageRecord((DETAIL,), "$", SIGNED, byte_size="size"),
        ImageRecord((FILTER,), "$.results[*]", SIGNED, byte_size="size"),
    ),
    thumbnail_formats=("JPEG",),
    ids=(
        IdSource("projectId", "project_id"),
        IdSource("photoId", "photo_ids", "POST", "/projects/{projectId}/photos:filter", "$.results[*].id",
                 body={"limit": 50}),
    ),
    unknown_ids={"photoId": "00000000-0000-4000-8000-000000000000"},
    not_found=Rejection((404,)),
    missing_credentials=Rejection((401,)),
    wrong_credentials=Rejection((401,)),
    probe_operations=(DETAIL,),
)

MEDIA_TYPES = ("NORMAL", "INFRARED", "PHOTOSPHERE", "VIDEO")
SIGNED_ONLY = ("signedUrls",)  # minted per response: never equal twice


def _filter_path(target: Any) -> str:
    return f"/projects/{target.ids['projectId'][0]}/photos:filter"


def walk(target: Any, body: dict[str, Any]) -> list[list[Any]]:
    """Every page of POST photos:filter, following nextPost until the last page (bounded)."""
    pages: list[list[Any]] = []
    path, request = _filter_path(target), dict(body)
    for _ in range(MAX_PAGES):
        page = fetch_json(target, "POST", path, json=request)
        results = page.get("results") if isinstance(page, dict) else None
        if not isinstance(results, list):
            raise CheckFailed("Received no results array from photos:filter / Documented: a filter page")
        limit = body.get("limit", 25)
        if len(results) > limit:
            raise CheckFailed(f"Received {len(results)} results with limit {limit} / Documented: at most limit",
                              json_path="$.results")
        pages.append(results)
        following = (page.get("pagination") or {}).get("nextPost")
        if not following:
            return pages
        request = following.get("body") or {}
        url = str(following.get("url", ""))
        if url and not url.startswith(target.base_url):
            raise CheckFailed(f"Received nextPost.url {url} outside the API / Documented: the filter URL",
                              json_path="$.pagination.nextPost.url")
    raise CheckFailed(f"Received nextPost on page {MAX_PAGES} and beyond with limit {body.get('limit')} / "
                      "Documented: no nextPost on the last page", json_path="$.pagination.nextPost")


def _everything(target: Any, body: dict[str, Any] | None = None) -> list[Any]:
    return [item for page in walk(target, {"limit": 50, **(body or {})}) for item in page]


@invariant(FILTER, source=None)
def pagination_is_consistent(target: Any, config: Any) -> None:
    """Cursor pages are disjoint, terminate, and together are the listing, for any limit."""
    require_ids(target, "projectId")
    full = ids_of(_everything(target), "id")

    @as_property(config)
    @given(limit=st.integers(1, 50))
    def pages_make_the_listing(limit: int) -> None:
        pages = [ids_of(page, "id") for page in walk(target, {"limit": limit})]
        same_sequence([p for p in pages if p], full, f"photos:filter with limit {limit}")

    pages_make_the_listing()


@invariant(FILTER, source=None)
def filters_are_honoured(target: Any, config: Any) -> None:
    """filter.mediaType and filter.id return exactly the matching media."""
    require_ids(target, "projectId")
    everything = _everything(target)

    @as_property(config, examples=6)
    @given(media=st.sampled_from(MEDIA_TYPES), picks=st.sets(st.integers(0, max(len(everything) - 1, 0)), max_size=3))
    def only_and_all_matching(media: str, picks: set[int]) -> None:
        chosen = _everything(target, {"filter": {"mediaType": [media]}})
        for index, item in enumerate(chosen):
            if item.get("mediaType") != media:
                raise CheckFailed(f"Received mediaType {item.get('mediaType')!r} for filter.mediaType [{media}] / "
                                  f"Documented: only {media}", json_path=f"$.results[{index}].mediaType")
        expected = sum(1 for item in everything if item.get("mediaType") == media)
        if len(chosen) != expected:
            raise CheckFailed(f"Received {len(chosen)} media for mediaType {media} but the listing has {expected} / "
                              "Documented: every matching media")
        wanted = sorted({everything[i]["id"] for i in picks if i < len(everything)})
        if wanted:
            got = sorted(ids_of(_everything(target, {"filter": {"id": wanted}}), "id"))
            if got != wanted:
                raise CheckFailed(f"Received ids {got} for filter.id {wanted} / Documented: exactly those media")

    only_and_all_matching()


@invariant(FILTER, source=None)
def list_matches_detail(target: Any, config: Any) -> None:
    """A filtered media and GET photos/{photoId} agree on every field both carry."""
    require_ids(target, "projectId")
    project = target.ids["projectId"][0]
    items_agree_with_details(target, config, [item for item in _everything(target) if not item.get("deletedAt")],
                             lambda item: f"/projects/{project}/photos/{item.get('id')}", SIGNED_ONLY, "$.results")


@invariant(FILTER, source=None)
def timestamps_are_ordered(target: Any, config: Any) -> None:
    """createdAt <= updatedAt <= deletedAt for every listed media, and in the detail of any media."""
    require_ids(target, "projectId")
    everything = _everything(target)
    for index, item in enumerate(everything):
        ordered(item, "createdAt", "updatedAt", f"$.results[{index}]")
        ordered(item, "updatedAt", "deletedAt", f"$.results[{index}]")
    if not everything:
        return

    @as_property(config, examples=5)
    @given(index=st.integers(0, len(everything) - 1))
    def detail_is_ordered(index: int) -> None:
        detail = fetch_json(target, "GET", f"/projects/{target.ids['projectId'][0]}/photos/{everything[index]['id']}")
        ordered(detail, "createdAt", "updatedAt", "$", DETAIL)
        ordered(detail, "updatedAt", "deletedAt", "$", DETAIL)

    detail_is_ordered()


INVARIANTS = {f.__name__: f for f in (pagination_is_consistent, filters_are_honoured, list_matches_detail,
                                      timestamps_are_ordered)}
