"""Fulcrum: file_size, content_type and EXIF dimensions; original, thumbnail and large versions.

Every fact and every failure names its source: the photos page (`fulcrum-photos`), the vendor's
official OpenAPI (`fulcrum-openapi-photos`), VENDOR-NOTES section 3 (`vendor-notes`), or an
assumption of ours (a failure under it is a notice).
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from photo_contracts.checks.facts import ApiFacts, IdSource, ImageEndpoint, ImageRecord, Listing, Rejection
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
    parse_time,
    walk_need,
)
from photo_contracts.checks.registry import CheckContext, CheckFailed, invariant
from photo_contracts.provenance import Source, assumed, documented

LIST = "GET /v2/photos.json"
DETAIL = "GET /v2/photos/{id}.json"
VERSIONS = {"original": "original", "thumbnail": "thumbnail", "large": "large"}

PAGE = "fulcrum-photos"
OPENAPI = "fulcrum-openapi-photos"
NOTES = "vendor-notes"
_LIST_PARAMS = "/paths/~1v2~1photos.json/get/parameters"

# Facts about the photo record: what its fields mean.
RECORD_SOURCES = {
    "links": documented(PAGE, "The URL to access the original version of the photo."),
    "byte_size": documented(PAGE, "The size of the photo file in bytes."),
    "content_type": documented(PAGE, "The content type of the photo file."),
    "exif_width": assumed("exif.pixel_x_dimension/pixel_y_dimension are the stored image's size; the page says only "
                          "that exif is 'The photo's EXIF metadata (varies by device)'"),
    "exif_height": assumed("exif.pixel_x_dimension/pixel_y_dimension are the stored image's size; the page says only "
                           "that exif is 'The photo's EXIF metadata (varies by device)'"),
}
_IMAGE_200 = "/get/responses/200/content/image~1jpeg"
JPEG = {
    "original": documented(OPENAPI, pointer="/paths/~1v2~1photos~1{photo_id}.jpg" + _IMAGE_200),
    "thumbnail": documented(OPENAPI, pointer="/paths/~1v2~1photos~1{photo_id}~1thumbnail.jpg" + _IMAGE_200),
    "large": documented(OPENAPI, pointer="/paths/~1v2~1photos~1{photo_id}~1large.jpg" + _IMAGE_200),
}
UNAUTHORIZED = documented(NOTES, '401 -> `{"error": "Unauthorized"}`')

FACTS = ApiFacts(
    records=(
        ImageRecord((LIST, "GET /v2/photos"), "$.photos[*]", VERSIONS, byte_size="file_size",
                    content_type="content_type", exif_width="exif.pixel_x_dimension",
                    exif_height="exif.pixel_y_dimension", sources=RECORD_SOURCES),
        ImageRecord((DETAIL, "GET /v2/photos/{id}"), "$.photo", VERSIONS, byte_size="file_size",
                    content_type="content_type", exif_width="exif.pixel_x_dimension",
                    exif_height="exif.pixel_y_dimension", sources=RECORD_SOURCES),
    ),
    endpoints=(
        ImageEndpoint("GET /v2/photos/{id}.jpg", "original", ("JPEG",), source=JPEG["original"]),
        ImageEndpoint("GET /v2/photos/{id}/thumbnail.jpg", "thumbnail", ("JPEG",), original="GET /v2/photos/{id}.jpg",
                      source=JPEG["thumbnail"]),
        ImageEndpoint("GET /v2/photos/{id}/large.jpg", "large", ("JPEG",), source=JPEG["large"]),
    ),
    thumbnail_formats=("JPEG",),
    thumbnail_source=JPEG["thumbnail"],
    # The listing here serves a contract without links; the built-in one links the listings to every detail.
    ids=(IdSource("id", "photo_ids", "GET", "/v2/photos.json?per_page=50", "$.photos[*].access_key"),),
    unknown_ids={"id": "00000000-0000-4000-8000-000000000000"},
    not_found=Rejection((404,), source=documented(NOTES, "404 -> `{}`")),
    missing_credentials=Rejection((401,), source=UNAUTHORIZED),
    wrong_credentials=Rejection((401,), source=UNAUTHORIZED),
    probe_operations=(DETAIL,),
    # per_page: "The number of items to return per page.", default 20000 (the official OpenAPI).
    listings=(Listing(LIST, "$.photos[*]", "per_page"), Listing("GET /v2/photos", "$.photos[*]", "per_page")),
)

# The promises the invariants rest on.
LIST_200 = documented(OPENAPI, pointer="/paths/~1v2~1photos.json/get/responses/200")
ENVELOPE = documented(OPENAPI, pointer="/components/schemas/PhotosResponse/required")
PAGE_NUMBER = documented(OPENAPI, "The page number requested.", pointer=f"{_LIST_PARAMS}/6")
PER_PAGE = documented(OPENAPI, "The number of items to return per page.", pointer=f"{_LIST_PARAMS}/7")
DEFAULT_PER_PAGE = documented(OPENAPI, pointer=f"{_LIST_PARAMS}/7/schema/default")
TOTALS = assumed("total_count counts the photos of the listing and total_pages is ceil(total_count / per_page); "
                 "the official PhotosResponse names and bounds them but does not define them")
PARTITION = assumed("pages in one order, disjoint, together the whole listing: what paging means; "
                    "the vendor does not spell it out")
NEWEST_FIRST = documented(OPENAPI, "If present, photos will be sorted by updated_at date.", pointer=f"{_LIST_PARAMS}/2")
CREATED_BEFORE_UPDATED = assumed("created_at <= updated_at: a photo is last updated after it was created "
                                 "('Timestamp when the photo was last updated.'), unless the two come from clocks "
                                 "that disagree")
SAME_PHOTO = assumed("a listed photo and GET /v2/photos/{id}.json describe the same photo with the same values; "
                     "the vendor does not say the two representations are equal")
FILTERS: dict[str, Source] = {
    name: documented(OPENAPI, quote, pointer=f"{_LIST_PARAMS}/{index}") for name, index, quote in (
        ("record_id", 0, "The ID of the record with which the photo is associated."),
        ("form_id", 1, "Leaving this blank will query against all of your photos."),
        ("processed", 3, "Filter for photos that have been completely processed."),
        ("stored", 4, "Filter for photos that have been completely stored."),
        ("uploaded", 5, "Filter for photos that have been completely uploaded."),
    )
}
NEGATED_FILTER = assumed("processed/stored/uploaded=false lists the photos without the flag; the official OpenAPI "
                         "documents only the filter for photos that have it")


def _page(target: Any, query: str = "") -> dict[str, Any]:
    body = fetch_json(target, "GET", "/v2/photos.json" + query, LIST_200)
    if not isinstance(body, dict) or not isinstance(body.get("photos"), list):
        raise CheckFailed("Received no photos array from GET /v2/photos.json / Documented: a page envelope",
                          source=ENVELOPE)
    return body


@invariant(LIST, source=PER_PAGE, need=lambda target, config: walk_need(config))
def pagination_is_consistent(ctx: CheckContext) -> None:
    """page/per_page pages are disjoint, make up the listing, and their totals are coherent: for each page size,
    the pages that cover the first photos of the listing, and the page past total_pages."""
    target, config = ctx.target, ctx.config
    full = _page(target)
    keys = ids_of(full["photos"], "access_key")
    total = full.get("total_count")
    if isinstance(total, int) and total > 20000:
        return  # more photos than one default page holds: the listing to compare with is not one answer
    if total != len(keys):
        # Fewer photos than total_count on a page of the documented default size 20000: the default is not kept.
        short = isinstance(total, int) and len(keys) < total
        raise CheckFailed(f"Received total_count {total} with {len(keys)} photos on the default page / "
                          "Documented: per_page defaults to 20000, so one page holds them all",
                          json_path="$.total_count", source=DEFAULT_PER_PAGE if short else TOTALS)
    field_sources = {"current_page": PAGE_NUMBER, "per_page": PER_PAGE, "total_count": TOTALS, "total_pages": TOTALS}
    window = keys[:WINDOW]

    @as_property(config)
    @given(per_page=st.integers(1, 15))
    def pages_make_the_listing(per_page: int) -> None:
        what = f"GET /v2/photos.json with per_page={per_page}"
        pager = Walk(what, per_page, "access_key", at="$.photos", size_name="per_page", bound=PER_PAGE,
                     disjoint=PARTITION)
        expected_pages = math.ceil(len(keys) / per_page)
        walked = min(pages_for(len(window), per_page), expected_pages)
        # The pages that cover the window, then the page past the last one, asked directly: nothing there.
        for number in [*range(1, walked + 1), expected_pages + 1]:
            page = _page(target, f"?page={number}&per_page={per_page}")
            for field, want in (("current_page", number), ("per_page", per_page), ("total_count", len(keys)),
                                ("total_pages", expected_pages)):
                if page.get(field) != want:
                    raise CheckFailed(f"Received {field} {page.get(field)!r} on page {number} with "
                                      f"per_page={per_page} / Documented: {want}", json_path=f"$.{field}",
                                      source=field_sources[field])
            if number > expected_pages:
                if page["photos"]:
                    raise CheckFailed(f"Received photos on page {number} after the last page {expected_pages} / "
                                      "Documented: nothing past total_pages", json_path="$.photos", source=TOTALS)
                break
            pager.page(page["photos"])
        ended = walked == expected_pages
        agrees(pager.ids, keys, what, ended=ended, complete=True, source=PARTITION)

    pages_make_the_listing()


@invariant(LIST, source=FILTERS["form_id"], need=lambda target, config: 1 + examples_of(config, 8))
def filters_are_honoured(ctx: CheckContext) -> None:
    """form_id, record_id and the processed/stored/uploaded flags return exactly the matching photos."""
    target, config = ctx.target, ctx.config
    photos = _page(target)["photos"]
    if not photos:
        return
    choices = [(key, photo.get(key)) for photo in photos for key in ("form_id", "record_id") if photo.get(key)]
    choices += [(flag, value) for flag in ("processed", "stored", "uploaded") for value in (True, False)]

    @as_property(config, examples=8)
    @given(choice=st.sampled_from(choices))
    def only_and_all_matching(choice: tuple[str, Any]) -> None:
        key, value = choice
        source = NEGATED_FILTER if value is False else FILTERS[key]
        text = str(value).lower() if isinstance(value, bool) else value
        chosen = _page(target, f"?{key}={text}")["photos"]
        for index, photo in enumerate(chosen):
            if not _same(photo.get(key), value):
                raise CheckFailed(f"Received {key} {photo.get(key)!r} from GET /v2/photos.json?{key}={text} / "
                                  f"Documented: only photos with {key} {value!r}", json_path=f"$.photos[{index}].{key}",
                                  source=source)
        expected = sum(1 for photo in photos if _same(photo.get(key), value))
        if len(chosen) != expected:
            raise CheckFailed(f"Received {len(chosen)} photos for {key}={text} but the listing has {expected} / "
                              "Documented: every matching photo", source=source)

    only_and_all_matching()


def _same(stated: Any, wanted: Any) -> bool:
    """Ids compare without regard to letter case (a UUID is the same in either case)."""
    if isinstance(stated, str) and isinstance(wanted, str):
        return stated.lower() == wanted.lower()
    return stated == wanted


@invariant(LIST, source=SAME_PHOTO, need=lambda target, config: 1 + examples_of(config, 10))
def list_matches_detail(ctx: CheckContext) -> None:
    """A listed photo and GET /v2/photos/{id}.json agree on every field both carry."""
    target, config = ctx.target, ctx.config
    items_agree_with_details(target, config, _page(target)["photos"],
                             lambda photo: f"/v2/photos/{photo.get('access_key')}.json", (), "$.photos",
                             unwrap="photo", source=SAME_PHOTO)


@invariant(LIST, source=NEWEST_FIRST, need=lambda target, config: 2)
def timestamps_are_ordered(ctx: CheckContext) -> None:
    """created_at <= updated_at, and newest_first=true lists the newest updated_at first."""
    target = ctx.target
    for index, photo in enumerate(_page(target)["photos"]):
        ordered(photo, "created_at", "updated_at", f"$.photos[{index}]", source=CREATED_BEFORE_UPDATED)
    newest = _page(target, "?newest_first=true")["photos"]
    times = [parse_time(photo.get("updated_at")) for photo in newest]
    for index in range(1, len(times)):
        before, after = times[index - 1], times[index]
        if before is not None and after is not None and before < after:
            raise CheckFailed(f"Received updated_at {newest[index]['updated_at']} after "
                              f"{newest[index - 1]['updated_at']} with newest_first=true / Documented: sorted by "
                              "updated_at, newest first", json_path=f"$.photos[{index}].updated_at",
                              source=NEWEST_FIRST)


INVARIANTS = {f.name: f for f in (pagination_is_consistent, filters_are_honoured, list_matches_detail,
                                  timestamps_are_ordered)}
