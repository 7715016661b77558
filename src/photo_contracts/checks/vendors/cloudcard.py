"""CloudCard: photo metadata (width, height, aspectRatio) and S3 links (externalURL, links.bytes).

Sources: sources/cloudcard-get-a-photo.txt, sources/cloudcard-get-photo-list.txt and
sources/vendor-notes.md section 1. CloudCard documents its answers by example and the list's
parameters in words; every error status is an inference there ("Errors [I]"), so the rejections
below are assumptions, and so is what `width` and `height` measure.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from photo_contracts.checks.facts import ApiFacts, IdSource, ImageRecord, Listing, Rejection
from photo_contracts.checks.invariants import (
    PAGES_PER_WALK,
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
)
from photo_contracts.checks.registry import CheckContext, CheckFailed, invariant
from photo_contracts.provenance import assumed, documented

LIST = "GET /photo"
DETAIL = "GET /photo/{id}"

PHOTO_PAGE = "cloudcard-get-a-photo"
LIST_PAGE = "cloudcard-get-photo-list"
NOTES = "vendor-notes"

# Where each promise comes from.
S3_JPEG = documented(NOTES, "both point at an S3 `.jpg` that is fetched WITHOUT the CloudCard token")
ORIGINAL_JPEG = documented(  # the originalPhoto's link in the Get a Photo example: an S3 .jpg
    PHOTO_PAGE, '"bytes": "https://s3-ca-central-1.amazonaws.com/photos.cloudcard/000000.25.099.'
                '17543059499227279982652705456159922043545350466530045655938314590555064610431400.jpg"')
PIXELS = assumed("CloudCard never says what `width` and `height` measure; the example's 300 x 401 with "
                 "aspectRatio 0.748 (= 300/401) reads as the pixel size of the photo's JPEG")
RATIO = assumed("CloudCard never defines `aspectRatio`; in the examples it is width / height (300/401, 300/400)")
NO_ERROR_STATUS = "CloudCard documents no error status or body (vendor-notes: \"Errors [I]\")"
PAGING = documented(LIST_PAGE, "Allows pagination. Skips the number of photos designated.")
MAX_BOUND = documented(LIST_PAGE, "Limits the number of photos retrieved")
FILTER = documented(LIST_PAGE, "Retrieves only photos in the designated status")
EVERY_MATCH = documented(LIST_PAGE, "If the organization has more than max photos of the given status, use the "
                                    "offsetparameter to page through the results")
LIGHTWEIGHT = documented(LIST_PAGE, "Each item in the list is a lightweight representation of a photo")
BARE_ARRAY = documented(NOTES, "bare JSON array of lightweight photos")
TIMES = assumed("CloudCard never says how its timestamps relate; a photo created no later than it was updated "
                "and reviewed is our reading (dateApproved may follow lastUpdated, as in the Get a Photo example)")

FACTS = ApiFacts(
    records=(
        ImageRecord((LIST,), "$[*]", {"original": "externalURL"}, width="width", height="height",
                    aspect_ratio="aspectRatio",
                    sources={"links": S3_JPEG, "width": PIXELS, "height": PIXELS, "aspect_ratio": RATIO}),
        ImageRecord((DETAIL,), "$", {"original": "externalURL"}, width="width", height="height",
                    aspect_ratio="aspectRatio",
                    sources={"links": S3_JPEG, "width": PIXELS, "height": PIXELS, "aspect_ratio": RATIO}),
        # Older payloads carry links.bytes instead of externalURL [D]; the photo before edits sits in originalPhoto.
        ImageRecord((LIST,), "$[*]", {"original": "links.bytes"}, sources={"links": S3_JPEG}),
        ImageRecord((DETAIL,), "$", {"original": "links.bytes"}, sources={"links": S3_JPEG}),
        ImageRecord((LIST,), "$[*].originalPhoto", {"original": "links.bytes"}, sources={"links": ORIGINAL_JPEG}),
        ImageRecord((DETAIL,), "$.originalPhoto", {"original": "links.bytes"}, sources={"links": ORIGINAL_JPEG}),
    ),
    # The listings here serve a contract without links; the built-in one says the same with OpenAPI links.
    ids=(IdSource("id", "photo_ids", "GET", "/photo?max=50", "$[*].id"),
         # The organization a photo's person belongs to (Get a Photo shows person.organization.id).
         IdSource("id", "organization_ids", "GET", "/photo/{id}", "$.person.organization.id",
                  operations=("GET /organization/{id}",))),
    unknown_ids={"id": "987654321"},
    not_found=Rejection((404,), source=assumed(f"{NO_ERROR_STATUS}; vendor-notes models 404 for an unknown id")),
    # vendor-notes models 401 for a missing or expired token and 403 for a role that may not act; nothing
    # says which of the two a missing or wrong token gets, so both are accepted.
    missing_credentials=Rejection((401, 403), source=assumed(
        f"{NO_ERROR_STATUS}; vendor-notes models 401 for a missing token, and a server may refuse it with 403")),
    wrong_credentials=Rejection((401, 403), source=assumed(
        f"{NO_ERROR_STATUS}; vendor-notes models 401 for an expired token, and a server may refuse it with 403")),
    probe_operations=(DETAIL,),
    # Get Photo List: a bare array sized by `max` ("Default Value: 25", "any integer between 0 and 1000").
    listings=(Listing(LIST, "$[*]", "max"),),
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
        raise CheckFailed(f"Received a {type(body).__name__} from GET /photo / Documented: a JSON array",
                          source=BARE_ARRAY)
    return body


@invariant(LIST, source=PAGING, need=lambda target, config: examples_of(config) * (PAGES_PER_WALK + 2))
def pagination_is_consistent(ctx: CheckContext) -> None:
    """offset/max pages are disjoint and together are the listing, for any page size and status: the pages that
    cover the first items of the listing, and the page past its end where they are all of it."""
    target, config = ctx.target, ctx.config
    listings: dict[str | None, list[Any]] = {}

    @as_property(config)
    @given(size=st.integers(3, 25), status=st.sampled_from((None, *STATUSES)))
    def pages_make_the_listing(size: int, status: str | None) -> None:
        if status not in listings:
            listings[status] = ids_of(_listing(target, status), "id")
        full = listings[status]
        complete = len(full) < MAX
        window = full[:WINDOW]
        what = f"GET /photo with max={size}" + (f", status={status}" if status else "")
        pager = Walk(what, size, "id", size_name="max", bound=MAX_BOUND, disjoint=PAGING)
        pages = pages_for(len(window), size)
        reaches_end = complete and len(full) <= pages * size  # then one page past the end: it must be empty
        ended = False
        for number in range(pages + int(reaches_end)):
            query = f"?offset={number * size}&max={size}" + (f"&status={status}" if status else "")
            page = fetch_json(target, "GET", "/photo" + query)
            if not isinstance(page, list):
                raise CheckFailed(f"Received a {type(page).__name__} from GET /photo{query} / Documented: a JSON "
                                  "array", source=BARE_ARRAY)
            if not page:
                ended = True
                break
            pager.page(page)
        agrees(pager.ids, full if reaches_end else window, what, ended=ended, complete=reaches_end, source=PAGING)

    pages_make_the_listing()


@invariant(LIST, source=FILTER, need=lambda target, config: 1 + examples_of(config, len(STATUSES)))
def filters_are_honoured(ctx: CheckContext) -> None:
    """GET /photo?status=S returns exactly the photos whose status is S."""
    target, config = ctx.target, ctx.config
    everything = _listing(target)
    complete = len(everything) < MAX  # counts can only be compared when nothing was cut off

    @as_property(config, examples=len(STATUSES))
    @given(status=st.sampled_from(STATUSES))
    def only_and_all_matching(status: str) -> None:
        chosen = _listing(target, status)
        for index, photo in enumerate(chosen):
            if photo.get("status") != status:
                raise CheckFailed(f"Received status {photo.get('status')!r} from GET /photo?status={status} / "
                                  f"Documented: only {status} photos", json_path=f"$[{index}].status", source=FILTER)
        expected = sum(1 for photo in everything if photo.get("status") == status)
        if complete and len(chosen) != expected:
            raise CheckFailed(f"Received {len(chosen)} photos for status={status} but the listing has {expected} / "
                              "Documented: every photo in that status", source=EVERY_MATCH)

    only_and_all_matching()


@invariant(LIST, source=LIGHTWEIGHT, need=lambda target, config: 1 + examples_of(config, 10))
def list_matches_detail(ctx: CheckContext) -> None:
    """A list item and GET /photo/{id} agree on every field both carry."""
    target, config = ctx.target, ctx.config
    items_agree_with_details(target, config, _listing(target), lambda item: f"/photo/{item.get('id')}",
                             LIST_ONLY_VIEW, "$")


@invariant(LIST, source=TIMES, need=lambda target, config: 1)
def timestamps_are_ordered(ctx: CheckContext) -> None:
    """dateCreated <= lastUpdated and dateCreated <= dateApproved for every photo."""
    target = ctx.target
    for index, photo in enumerate(_listing(target)):
        ordered(photo, "dateCreated", "lastUpdated", f"$[{index}]")
        ordered(photo, "dateCreated", "dateApproved", f"$[{index}]")


INVARIANTS = {f.name: f for f in (pagination_is_consistent, filters_are_honoured, list_matches_detail,
                                  timestamps_are_ordered)}
