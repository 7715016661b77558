"""CloudCard: photo metadata (width, height, aspectRatio) and S3 links (externalURL, links.bytes)."""

from __future__ import annotations

from typing import Any

from photo_contracts.checks.facts import ApiFacts, IdSource, ImageRecord, Rejection

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
    not_found=Rejection(404),
    missing_credentials=Rejection(401),
    wrong_credentials=Rejection(401),
    probe_operations=(DETAIL,),
)

INVARIANTS: dict[str, Any] = {}
