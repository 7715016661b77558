"""Fulcrum: file_size, content_type and EXIF dimensions; original, thumbnail and large versions."""

from __future__ import annotations

from typing import Any

from photo_contracts.checks.facts import ApiFacts, IdSource, ImageEndpoint, ImageRecord, Rejection

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
    not_found=Rejection(404),
    missing_credentials=Rejection(401),
    wrong_credentials=Rejection(401),
    probe_operations=(DETAIL,),
)

INVARIANTS: dict[str, Any] = {}
