"""Named checks: schemathesis built-ins plus the photo-specific ones of this package."""

from __future__ import annotations

# Every check a drift profile may name. Built-ins come from schemathesis; the rest are ours.
BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "ignored_auth",
)
PHOTO_CHECKS = (
    "image_matches_content_type",
    "image_decodes",
    "thumbnail_is_documented_format",
    "thumbnail_not_larger_than_original",
    "image_metadata_matches",
    "unknown_id_is_documented_error",
    "credentials_are_enforced",
    "pagination_is_consistent",
    "filters_are_honoured",
    "list_matches_detail",
    "timestamps_are_ordered",
    "response_within_limits",
)
KNOWN_CHECKS = BUILTIN_CHECKS + PHOTO_CHECKS

# Importing the check modules registers every check, whoever imports the package first.
from photo_contracts.checks import errors, images  # noqa: E402, F401
