"""Autodesk ACC Photos: `size` against the file, signed URLs on S3, cursor pagination."""

from __future__ import annotations

from typing import Any

from photo_contracts.checks.facts import ApiFacts, IdSource, ImageRecord, Rejection

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
    not_found=Rejection(404),
    missing_credentials=Rejection(401),
    wrong_credentials=Rejection(401),
    probe_operations=(DETAIL,),
)

INVARIANTS: dict[str, Any] = {}
