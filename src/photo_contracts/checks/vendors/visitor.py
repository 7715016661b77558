"""VMSAlpha visitor photos: image bytes straight from the API, errors as HTTP 200 JSON.

Sources: sources/visitor-retrieve-visitor-photo.txt (the photo page) and sources/vendor-notes.md
section 2 (the Errors and Exceptions and OAuth pages [D], the vendor's public code [C]).
"""

from __future__ import annotations

from typing import Any

from photo_contracts.checks.facts import ApiFacts, IdSource, ImageEndpoint, Rejection
from photo_contracts.provenance import documented

FULL = "GET /v1/photo/{visitorId}"
THUMB = "GET /v1/photo/thumb/{visitorId}"

PAGE = "visitor-retrieve-visitor-photo"
NOTES = "vendor-notes"


def error_code(body: Any) -> str | None:
    """The code of either documented error shape: {"3404": "..."} or {"code": "3404", ...}."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, dict):
        return None
    if "code" in errors:
        return str(errors["code"])
    return next((key for key in errors if key.isdigit()), None)


FACTS = ApiFacts(
    endpoints=(
        ImageEndpoint(FULL, "original", ("JPEG", "PNG", "BMP"),
                      source=documented(NOTES, "Full photos are JPEG, PNG or BMP (Content-Type from the file)")),
        ImageEndpoint(THUMB, "thumbnail", ("JPEG",), width=200, original=FULL,
                      source=documented(NOTES, "thumbnails are always JPEG, 200 px wide")),
    ),
    thumbnail_formats=("JPEG",),
    thumbnail_source=documented(PAGE, "Thumbnails are always returned in .jpg format."),
    ids=(IdSource("visitorId", "visitor_ids"),),
    unknown_ids={"visitorId": "0" * 40},
    # Every rejection is HTTP 200 ("Errors are returned with HTTP 200 and `application/json`", [C]);
    # each Rejection's source is where its codes are documented [D].
    not_found=Rejection(statuses=(200,), codes=("3404",),
                        source=documented(PAGE, "3404 string Invalid visitor ID (APIMethodException)")),
    # VENDOR-NOTES lists 1142, 1157 and 1190 together as "missing/malformed header": any of them.
    missing_credentials=Rejection(
        statuses=(200,), codes=("1142", "1157", "1190"),
        source=documented(NOTES, "OAuthException 1142, 1157, 1190 (missing/malformed header)")),
    wrong_credentials=Rejection(statuses=(200,), codes=("1403",),
                                source=documented(NOTES, "1403 (invalid token)")),
    error_code=error_code,
    probe_operations=(FULL, THUMB),
    # The vendor answers every error, invalid input included, with HTTP 200 and a JSON body ("Errors
    # are returned with HTTP 200 and `application/json`: the status code alone never tells an error
    # from an image", VENDOR-NOTES section 2 [C]): negative_data_rejection, which wants a 4xx for input
    # the contract forbids, contradicts that. unknown_id_is_documented_error and the schema checks judge
    # those answers by error code and body instead. (ignored_auth stays: the engine's own judges a
    # credential-less answer by its body, so a 1190 with HTTP 200 is a rejection to it.)
    excluded_builtins=("negative_data_rejection",),
)

INVARIANTS: dict[str, Any] = {}  # no listings, so no pagination, filters or list/detail agreement
