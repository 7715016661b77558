"""VMSAlpha visitor photos: image bytes straight from the API, errors as HTTP 200 JSON."""

from __future__ import annotations

from typing import Any

from photo_contracts.checks.facts import ApiFacts, IdSource, ImageEndpoint, Rejection

FULL = "GET /v1/photo/{visitorId}"
THUMB = "GET /v1/photo/thumb/{visitorId}"


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
        ImageEndpoint(FULL, "original", ("JPEG", "PNG", "BMP")),
        ImageEndpoint(THUMB, "thumbnail", ("JPEG",), width=200, original=FULL),
    ),
    thumbnail_formats=("JPEG",),
    ids=(IdSource("visitorId", "visitor_ids"),),
    unknown_ids={"visitorId": "0" * 40},
    not_found=Rejection((200,), ("3404",)),
    missing_credentials=Rejection((200,), ("1190",)),
    wrong_credentials=Rejection((200,), ("1403",)),
    error_code=error_code,
    probe_operations=(FULL, THUMB),
    # The vendor answers every error, auth included, with HTTP 200 and a JSON body [D][C]; these two
    # built-ins judge by status code alone. credentials_are_enforced and the schema checks cover them.
    excluded_builtins=("ignored_auth", "negative_data_rejection"),
)

INVARIANTS: dict[str, Any] = {}  # no listings, so no pagination, filters or list/detail agreement
