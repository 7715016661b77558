"""CloudCard: photo metadata (width, height, aspectRatio) and S3 links (externalURL, links.bytes)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from photo_contracts.checks.facts import ApiFacts, IdSource, ImageRecord, Rejection
from photo_contracts.checks.invariants import (
    as_property,
    fetch_json,
    ids_of,
    items_agree_with_details,
    ordered,
    same_sequence,
)
from photo_contracts.checks.registry import CheckFailed, invariant

LIST = "GET /photo"
DETAIL = "GET /photo/{id}"

FACTS = ApiFacts(
    records=(
        ImageRecord((LIST,), "$[*]", {"original": "externalURL"}, width="width", height="height",
                    aspect_ratio="aspectRatio"),
        ImageRecord((DETAIL,), "$", {"original": "externalURL"}, width="width", height="height",
                    aspect_ratio="aspectRatio"),
        # Older payloads carry links.bytes instead of externalURL [D]; the photo before edits sits in originalPhoto.
        ImageRecord((LIST,), "$[*]", {"original": "links.bytes"}),
        ImageRecord((DETAIL,), "$", {"original": "links.bytes"}),
        ImageRecord((LIST,), "$[*].originalPhoto", {"original": "links.bytes"}),
        ImageRecord((DETAIL,), "$.originalPhoto", {"original": "links.bytes"}),
    ),
    ids=(IdSource("id", "photo_ids", "GET", "/photo?max=50", "$[*].id"),),
    unknown_ids={"id": "987654321"},
    not_found=Rejection((404,)),
    missing_credentials=Rejection((401,)),
    wrong_credentials=Rejection((401,)),
    probe_operations=(DETAIL,),
)



STATUSES = ("PENDING", "APPROVED", "DENIED", "READY_FOR_DOWNLOAD", "DOWNLOADED", "DONE", "ENROUTE")
MAX = 1000  # the documented largest page
# Fields the list documents differently from the detail: classifications are always [] in lists
# (since 25.02.03), person is a lighter view, onHoldReasons an object in the list example.
LIST_ONLY_VIEW = ("classifications", "person", "onHoldReasons", "originalPhoto", "additionalPhotos")


def _listing(target: Any, status: str | None = None) -> list[Any]:
    query = f"?max={MAX}" + (f"&status={status}" if status else "")
    body = fetch_json(target, "GET", "/photo" + query)
    if not isinstance(body, list):
        raise CheckFailed(f"Received a {type(body).__name__} from GET /photo / Documented: a JSON array")
    return body


@invariant(LIST, source=None)
def pagination_is_consistent(target: Any, config: Any) -> None:
    """offset/max pages are disjoint and together are the listing, for any page size and status."""

    @as_property(config)
    @given(size=st.integers(3, 25), status=st.sampled_from((None, *STATUSES)))
    def pages_make_the_listing(size: int, status: str | None) -> None:
        full = ids_of(_listing(target, status), "id")
        pages, offset = [], 0
        while len(pages) <= len(full) // size + 1:
            query = f"?offset={offset}&max={size}" + (f"&status={status}" if status else "")
            page = fetch_json(target, "GET", "/photo" + query)
            if len(page) > size:
                raise CheckFailed(f"Received {len(page)} photos for max={size} / Documented: at most max photos")
            if not page:
                break
            pages.append(ids_of(page, "id"))
            offset += size
        same_sequence(pages, full, f"GET /photo with max={size}" + (f", status={status}" if status else ""))

    pages_make_the_listing()


@invariant(LIST, source=None)
def filters_are_honoured(target: Any, config: Any) -> None:
    """GET /photo?status=S returns exactly the photos whose status is S."""
    everything = _listing(target)
    complete = len(everything) < MAX  # counts can only be compared when nothing was cut off

    @as_property(config, examples=len(STATUSES))
    @given(status=st.sampled_from(STATUSES))
    def only_and_all_matching(status: str) -> None:
        chosen = _listing(target, status)
        for index, photo in enumerate(chosen):
            if photo.get("status") != status:
                raise CheckFailed(f"Received status {photo.get('status')!r} from GET /photo?status={status} / "
                                  f"Documented: only {status} photos", json_path=f"$[{index}].status")
        expected = sum(1 for photo in everything if photo.get("status") == status)
        if complete and len(chosen) != expected:
            raise CheckFailed(f"Received {len(chosen)} photos for status={status} but the listing has {expected} / "
                              "Documented: every photo in that status")

    only_and_all_matching()


@invariant(LIST, source=None)
def list_matches_detail(target: Any, config: Any) -> None:
    """A list item and GET /photo/{id} agree on every field both carry."""
    items_agree_with_details(target, config, _listing(target), lambda item: f"/photo/{item.get('id')}",
                             LIST_ONLY_VIEW, "$")


@invariant(LIST, source=None)
def timestamps_are_ordered(target: Any, config: Any) -> None:
    """dateCreated <= lastUpdated and dateCreated <= dateApproved for every photo."""
    for index, photo in enumerate(_listing(target)):
        ordered(photo, "dateCreated", "lastUpdated", f"$[{index}]")
        ordered(photo, "dateCreated", "dateApproved", f"$[{index}]")


INVARIANTS = {f.__name__: f for f in (pagination_is_consistent, filters_are_honoured, list_matches_detail,
                                      timestamps_are_ordered)}
