"""Fulcrum: file_size, content_type and EXIF dimensions; original, thumbnail and large versions."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from photo_contracts.checks.facts import ApiFacts, IdSource, ImageEndpoint, ImageRecord, Rejection
from photo_contracts.checks.invariants import (
    as_property,
    fetch_json,
    ids_of,
    items_agree_with_details,
    ordered,
    parse_time,
    same_sequence,
)
from photo_contracts.checks.registry import CheckFailed, invariant

LIST = "GET /v2/photos.json"
DETAIL = "GET /v2/photos/{id}.json"
VERSIONS = {"original": "original", "thumbnail": "thumbnail", "large": "large"}

FACTS = ApiFacts(
    records=(
        ImageRecord((LIST, "GET /v2/photos"), "$.photos[*]", VERSIONS, byte_size="file_size",
                    content_type="content_type", exif_width="exif.pixel_x_dimension",
                    exif_height="exif.pixel_y_dimension"),
        ImageRecord((DETAIL, "GET /v2/photos/{id}"), "$.photo", VERSIONS, byte_size="file_size",
                    content_type="content_type", exif_width="exif.pixel_x_dimension",
                    exif_height="exif.pixel_y_dimension"),
    ),
    endpoints=(
        ImageEndpoint("GET /v2/photos/{id}.jpg", "original", ("JPEG",)),
        ImageEndpoint("GET /v2/photos/{id}/thumbnail.jpg", "thumbnail", ("JPEG",), original="GET /v2/photos/{id}.jpg"),
        ImageEndpoint("GET /v2/photos/{id}/large.jpg", "large", ("JPEG",)),
    ),
    thumbnail_formats=("JPEG",),
    ids=(IdSource("id", "photo_ids", "GET", "/v2/photos.json?per_page=50", "$.photos[*].access_key"),),
    unknown_ids={"id": "00000000-0000-4000-8000-000000000000"},
    not_found=Rejection((404,)),
    missing_credentials=Rejection((401,)),
    wrong_credentials=Rejection((401,)),
    probe_operations=(DETAIL,),
)


def _page(target: Any, query: str = "") -> dict[str, Any]:
    body = fetch_json(target, "GET", "/v2/photos.json" + query)
    if not isinstance(body, dict) or not isinstance(body.get("photos"), list):
        raise CheckFailed("Received no photos array from GET /v2/photos.json / Documented: a page envelope")
    return body


@invariant(LIST, source=None)
def pagination_is_consistent(target: Any, config: Any) -> None:
    """page/per_page pages are disjoint, make up the listing, and their totals are coherent."""
    full = _page(target)
    keys = ids_of(full["photos"], "access_key")
    if full.get("total_count") != len(keys):
        raise CheckFailed(f"Received total_count {full.get('total_count')} with {len(keys)} photos on the only page / "
                          "Documented: total_count counts the photos", json_path="$.total_count")

    @as_property(config)
    @given(per_page=st.integers(1, 15))
    def pages_make_the_listing(per_page: int) -> None:
        pages, expected_pages = [], math.ceil(len(keys) / per_page)
        for number in range(1, expected_pages + 2):
            page = _page(target, f"?page={number}&per_page={per_page}")
            for field, want in (("current_page", number), ("per_page", per_page), ("total_count", len(keys)),
                                ("total_pages", expected_pages)):
                if page.get(field) != want:
                    raise CheckFailed(f"Received {field} {page.get(field)!r} on page {number} with per_page={per_page} / "
                                      f"Documented: {want}", json_path=f"$.{field}")
            if len(page["photos"]) > per_page:
                raise CheckFailed(f"Received {len(page['photos'])} photos with per_page={per_page} / Documented: at most "
                                  "per_page", json_path="$.photos")
            if number > expected_pages:
                if page["photos"]:
                    raise CheckFailed(f"Received photos on page {number} after the last page {expected_pages} / "
                                      "Documented: nothing past total_pages", json_path="$.photos")
                break
            pages.append(ids_of(page["photos"], "access_key"))
        same_sequence(pages, keys, f"GET /v2/photos.json with per_page={per_page}")

    pages_make_the_listing()


@invariant(LIST, source=None)
def filters_are_honoured(target: Any, config: Any) -> None:
    """form_id, record_id and the processed/stored/uploaded flags return exactly the matching photos."""
    photos = _page(target)["photos"]
    if not photos:
        return
    choices = [(key, photo.get(key)) for photo in photos for key in ("form_id", "record_id") if photo.get(key)]
    choices += [(flag, value) for flag in ("processed", "stored", "uploaded") for value in (True, False)]

    @as_property(config, examples=8)
    @given(choice=st.sampled_from(choices))
    def only_and_all_matching(choice: tuple[str, Any]) -> None:
        key, value = choice
        text = str(value).lower() if isinstance(value, bool) else value
        chosen = _page(target, f"?{key}={text}")["photos"]
        for index, photo in enumerate(chosen):
            if photo.get(key) != value:
                raise CheckFailed(f"Received {key} {photo.get(key)!r} from GET /v2/photos.json?{key}={text} / "
                                  f"Documented: only photos with {key} {value!r}", json_path=f"$.photos[{index}].{key}")
        expected = sum(1 for photo in photos if photo.get(key) == value)
        if len(chosen) != expected:
            raise CheckFailed(f"Received {len(chosen)} photos for {key}={text} but the listing has {expected} / "
                              "Documented: every matching photo")

    only_and_all_matching()


@invariant(LIST, source=None)
def list_matches_detail(target: Any, config: Any) -> None:
    """A listed photo and GET /v2/photos/{id}.json agree on every field both carry."""
    items_agree_with_details(target, config, _page(target)["photos"],
                             lambda photo: f"/v2/photos/{photo.get('access_key')}.json", (), "$.photos", unwrap="photo")


@invariant(LIST, source=None)
def timestamps_are_ordered(target: Any, config: Any) -> None:
    """created_at <= updated_at, and newest_first=true lists the newest created_at first."""
    for index, photo in enumerate(_page(target)["photos"]):
        ordered(photo, "created_at", "updated_at", f"$.photos[{index}]")
    newest = _page(target, "?newest_first=true")["photos"]
    times = [parse_time(photo.get("created_at")) for photo in newest]
    for index in range(1, len(times)):
        if times[index - 1] and times[index] and times[index - 1] < times[index]:
            raise CheckFailed(f"Received created_at {newest[index]['created_at']} after "
                              f"{newest[index - 1]['created_at']} with newest_first=true / Documented: newest first",
                              json_path=f"$.photos[{index}].created_at")


INVARIANTS = {f.__name__: f for f in (pagination_is_consistent, filters_are_honoured, list_matches_detail,
                                      timestamps_are_ordered)}
