"""Autodesk ACC Photos: `size` against the file, signed URLs on S3, cursor pagination.

Sources: `autodesk-acc-photos-get-photo` (the GET page: status table, body table, example) and
`vendor-notes` section 4 (photos:filter, the gateway). The filter semantics, the default order and
that filter results are the media GET returns are not documented: those promises are assumptions.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from photo_contracts.checks.facts import (
    ApiFacts,
    DeletedPromise,
    IdSource,
    ImageRecord,
    Listing,
    OptionPromise,
    Rejection,
)
from photo_contracts.checks.invariants import (
    WINDOW,
    Walk,
    agrees,
    as_property,
    examples_of,
    fetch_json,
    ids_of,
    items_agree_with_details,
    ordered,
    pages_for,
    walk_need,
)
from photo_contracts.checks.registry import CheckContext, CheckFailed, invariant, require_ids
from photo_contracts.provenance import Source, assumed, documented

DETAIL = "GET /projects/{projectId}/photos/{photoId}"
FILTER = "POST /projects/{projectId}/photos:filter"
SIGNED = {"original": "signedUrls.fileUrl", "thumbnail": "signedUrls.thumbnailUrl"}
GET_PAGE = "autodesk-acc-photos-get-photo"

# The promises, in the vendor's words (or marked as ours).
SIGNED_URLS = documented(GET_PAGE, "Accessible by anyone but is short-lived. Must be explicitly requested via "
                                   "`include field")
SIZE = documented(GET_PAGE, "size number | Filesize of the media in bytes")
# The example's thumbnail: a `_t.jpg` file served as image/jpeg.
THUMBNAIL_JPEG = documented(GET_PAGE, "c35b8b28-859e-4256-a3bc-41772a673260_t.jpg%22&response-content-type="
                                      "image%2Fjpeg")
NOT_FOUND = documented(GET_PAGE, "404 Not Found | The resource cannot be found")
# The GET page answers bad credentials with 403; the gateway in front of it with 401 (AUTH-006, AUTH-012).
BAD_CREDENTIALS = documented(GET_PAGE, "403 Forbidden | The request was not accepted because it lacked valid "
                                       "authentication credentials")
PAGE_SHAPE = documented("vendor-notes", '{"pagination": {"limit", "nextPost": {"url", "body": {"cursorState"}}}, '
                                        '"results": [...]}')
LAST_PAGE = documented("vendor-notes", "no `nextPost` on the last page")
LIMIT = documented("vendor-notes", '"limit" (default 25, max 50)')
NEXT_URL = assumed("nextPost.url is the photos:filter URL of the same API (the docs name url, not where it points)")
SAME_ORDER = assumed("without a sort every walk of photos:filter lists the media in one order, whatever the limit "
                     "(the default order is not documented)")
FILTER_SEMANTICS = assumed("filter.mediaType and filter.id return exactly the media with those values (the docs "
                           "name the filter members, not how they match)")
SAME_MEDIA = assumed("photos:filter results are the media GET photos/{photoId} returns (the docs show results: [...] "
                     "without their shape)")
UPDATED = documented(GET_PAGE, "The time when the media was last updated")
DELETED = documented(GET_PAGE, "The time when the media was deleted at")
GONE = documented(GET_PAGE, "410 Gone | The resource was deleted by a user and cannot be return")
DELETED_LAST = assumed("a deletion is the last change of a media, so updatedAt <= deletedAt (the docs do not "
                       "relate them)")

FACTS = ApiFacts(
    records=(
        ImageRecord((DETAIL,), "$", SIGNED, byte_size="size", sources={"links": SIGNED_URLS, "byte_size": SIZE}),
        ImageRecord((FILTER,), "$.results[*]", SIGNED, byte_size="size",
                    sources={"links": SIGNED_URLS, "byte_size": SIZE}),
    ),
    thumbnail_formats=("JPEG",),
    thumbnail_source=THUMBNAIL_JPEG,
    # The listing here serves a contract without links; the built-in one links photos:filter to the GET.
    ids=(
        IdSource("projectId", "project_id"),
        IdSource("photoId", "photo_ids", "POST", "/projects/{projectId}/photos:filter", "$.results[*].id",
                 body={"limit": 50}),
    ),
    unknown_ids={"photoId": "00000000-0000-4000-8000-000000000000"},
    not_found=Rejection((404,), source=NOT_FOUND),
    # 403 from the GET page's table, 401 from the gateway (vendor-notes section 4): either is documented.
    missing_credentials=Rejection((401, 403), source=BAD_CREDENTIALS),
    wrong_credentials=Rejection((401, 403), source=BAD_CREDENTIALS),
    probe_operations=(DETAIL,),
    listings=(Listing(FILTER, "$.results[*]", "limit", in_body=True),),
    options=(OptionPromise(DETAIL, {"include": "signedUrls"}, "signedUrls",
                           ("signedUrls.fileUrl", "signedUrls.thumbnailUrl"), source=SIGNED_URLS),),
    # Deleted media: GET answers 410; photos:filter lists them with deletedAt (or configure deleted_ids).
    deleted=DeletedPromise(DETAIL, "photoId", 410, "deletedAt", listing=FILTER, items="$.results[*]", source=GONE),
)

MEDIA_TYPES = ("NORMAL", "INFRARED", "PHOTOSPHERE", "VIDEO")
SIGNED_ONLY = ("signedUrls",)  # minted per response: never equal twice


def _filter_path(target: Any) -> str:
    return f"/projects/{target.ids['projectId'][0]}/photos:filter"


def walk(target: Any, body: dict[str, Any], pages: int, what: str | None = None) -> tuple[Walk, bool]:
    """At most `pages` pages of POST photos:filter, following nextPost; (the walk, whether it reached the last
    page). A page over its limit, a media listed again or a cursor given again is a finding at once."""
    limit = body.get("limit", 25)
    pager = Walk(what or f"photos:filter with limit {limit}", limit, "id", at="$.results", bound=LIMIT,
                 disjoint=PAGE_SHAPE, cursor=LAST_PAGE)
    path, request = _filter_path(target), dict(body)
    pager.cursor(request, "$")  # the first page's request: a nextPost that repeats it leads back to the start
    for _ in range(pages):
        page = fetch_json(target, "POST", path, json=request)
        results = page.get("results") if isinstance(page, dict) else None
        if not isinstance(results, list):
            raise CheckFailed("Received no results array from photos:filter / Documented: a filter page",
                              source=PAGE_SHAPE)
        pager.page(results)
        following = (page.get("pagination") or {}).get("nextPost")
        if not following:
            return pager, True
        url = str(following.get("url", ""))
        if url and not url.startswith(target.base_url):
            raise CheckFailed(f"Received nextPost.url {url} outside the API / Documented: the filter URL",
                              source=NEXT_URL, json_path="$.pagination.nextPost.url")
        request = following.get("body") or {}
        pager.cursor(request, "$.pagination.nextPost.body")  # one given before leads back: the walk never ends
    return pager, False


def _window(target: Any, body: dict[str, Any] | None = None) -> tuple[list[Any], bool]:
    """The first WINDOW media (one page of the largest limit), and whether they are the whole listing."""
    pager, ended = walk(target, {"limit": WINDOW, **(body or {})}, 1)
    return pager.items, ended


@invariant(FILTER, source=LAST_PAGE, need=lambda target, config: walk_need(config))
def pagination_is_consistent(ctx: CheckContext) -> None:
    """Cursor pages hold at most limit media, are disjoint, terminate, and together are the listing: for each
    limit, the pages that cover the first media of the listing (one page of the largest limit)."""
    target, config = ctx.target, ctx.config
    require_ids(target, "projectId")
    listed, complete = _window(target)
    full = ids_of(listed, "id")

    @as_property(config)
    @given(limit=st.integers(1, 50))
    def pages_make_the_listing(limit: int) -> None:
        pages = pages_for(len(full), limit)
        covered = complete and len(full) <= pages * limit  # the walk reaches the end: ask one page past it
        pager, ended = walk(target, {"limit": limit}, pages + int(covered))
        what = f"photos:filter with limit {limit}"
        agrees(pager.ids, full, what, ended=ended, complete=complete, source=PAGE_SHAPE, order=SAME_ORDER)
        if covered and not ended:
            raise CheckFailed(f"Received nextPost after page {len(pager.pages)} of {what}, past the last of the "
                              f"{len(full)} media / Documented: no nextPost on the last page", source=LAST_PAGE,
                              json_path="$.pagination.nextPost")

    pages_make_the_listing()


@invariant(FILTER, source=FILTER_SEMANTICS, need=lambda target, config: 1 + 2 * examples_of(config, 6))
def filters_are_honoured(ctx: CheckContext) -> None:
    """filter.mediaType and filter.id return exactly the matching media (the matching is assumed), judged on the
    first page of each (all of them where the listing fits in one page)."""
    target, config = ctx.target, ctx.config
    require_ids(target, "projectId")
    everything, complete = _window(target)

    @as_property(config, examples=6)
    @given(media=st.sampled_from(MEDIA_TYPES), picks=st.sets(st.integers(0, max(len(everything) - 1, 0)), max_size=3))
    def only_and_all_matching(media: str, picks: set[int]) -> None:
        chosen, ended = _window(target, {"filter": {"mediaType": [media]}})
        for index, item in enumerate(chosen):
            if item.get("mediaType") != media:
                raise CheckFailed(f"Received mediaType {item.get('mediaType')!r} for filter.mediaType [{media}] / "
                                  f"Assumed: only {media}", source=FILTER_SEMANTICS,
                                  json_path=f"$.results[{index}].mediaType")
        expected = sum(1 for item in everything if item.get("mediaType") == media)
        if complete and ended and len(chosen) != expected:  # counts compare only when both are whole
            raise CheckFailed(f"Received {len(chosen)} media for mediaType {media} but the listing has {expected} / "
                              "Assumed: every matching media", source=FILTER_SEMANTICS)
        wanted = sorted({everything[i]["id"] for i in picks if i < len(everything)})
        if wanted:
            got = sorted(ids_of(_window(target, {"filter": {"id": wanted}})[0], "id"))
            if got != wanted:
                raise CheckFailed(f"Received ids {got} for filter.id {wanted} / Assumed: exactly those media",
                                  source=FILTER_SEMANTICS)

    only_and_all_matching()


@invariant(FILTER, source=SAME_MEDIA, need=lambda target, config: 1 + examples_of(config, 10))
def list_matches_detail(ctx: CheckContext) -> None:
    """A filtered media and GET photos/{photoId} agree on every field both carry (media of the first page)."""
    target, config = ctx.target, ctx.config
    require_ids(target, "projectId")
    project = target.ids["projectId"][0]
    items_agree_with_details(target, config, [item for item in _window(target)[0] if not item.get("deletedAt")],
                             lambda item: f"/projects/{project}/photos/{item.get('id')}", SIGNED_ONLY, "$.results")


def _ordered(record: dict[str, Any], earlier: str, later: str, at: str, source: Source,
             operation: str | None = None) -> None:
    try:
        ordered(record, earlier, later, at, operation)
    except CheckFailed as failed:
        raise CheckFailed(failed.message, source=source, json_path=failed.json_path,
                          operation=failed.operation) from None


def _timestamps(record: dict[str, Any], at: str, operation: str | None = None) -> None:
    _ordered(record, "createdAt", "updatedAt", at, UPDATED, operation)  # "last updated": not before created
    _ordered(record, "createdAt", "deletedAt", at, DELETED, operation)
    _ordered(record, "updatedAt", "deletedAt", at, DELETED_LAST, operation)


@invariant(FILTER, source=UPDATED, need=lambda target, config: 1 + examples_of(config))
def timestamps_are_ordered(ctx: CheckContext) -> None:
    """createdAt <= updatedAt (documented by "last updated"), updatedAt <= deletedAt (assumed), listed (the first
    page) and in detail."""
    target, config = ctx.target, ctx.config
    require_ids(target, "projectId")
    everything = _window(target)[0]
    for index, item in enumerate(everything):
        _timestamps(item, f"$.results[{index}]")
    if not everything:
        return

    @as_property(config, examples=5)
    @given(index=st.integers(0, len(everything) - 1))
    def detail_is_ordered(index: int) -> None:
        detail = fetch_json(target, "GET", f"/projects/{target.ids['projectId'][0]}/photos/{everything[index]['id']}")
        _timestamps(detail, "$", DETAIL)

    detail_is_ordered()


INVARIANTS = {f.name: f for f in (pagination_is_consistent, filters_are_honoured, list_matches_detail,
                                  timestamps_are_ordered)}
