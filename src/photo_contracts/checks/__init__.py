"""Named checks: contract checks (schemathesis' names, judged by our contracts' marks), schemathesis'
negative_data_rejection, and the photo-specific ones of this package."""

from __future__ import annotations

# Judged by checks/contract.py on every answer, each failure under the mark of the promise it breaks.
CONTRACT_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
# Every check a drift profile may name.
BUILTIN_CHECKS = CONTRACT_CHECKS + (
    "negative_data_rejection",  # run by schemathesis: it alone knows which part of a case it made invalid
    "ignored_auth",  # ours: the same request without the credential, through the one HTTP client
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
    "options_are_honoured",
    "deleted_media_is_gone",
    "defaults_are_honoured",
)
KNOWN_CHECKS = BUILTIN_CHECKS + PHOTO_CHECKS

# Importing the check modules registers every check, whoever imports the package first.
from photo_contracts.checks import errors, images, promises  # noqa: E402, F401
