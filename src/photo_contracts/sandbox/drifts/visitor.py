"""Drift profiles of the visitor emulator: each changes one documented VMSAlpha behaviour."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

from PIL import Image

from photo_contracts.sandbox import images
from photo_contracts.sandbox.changes import (
    Change,
    HttpResponse,
    JsonChange,
    ScaleImage,
    SetHeader,
    SetStatus,
    SkipAuth,
    TruncateBody,
)
from photo_contracts.sandbox.drift import DriftProfile

PHOTO = "GET /v1/photo/{visitorId}"
THUMB = "GET /v1/photo/thumb/{visitorId}"


@dataclass(frozen=True, kw_only=True)
class ReencodeAs(Change):
    """The image in another format, labelled as such: an honest but undocumented format."""

    format: str  # a Pillow format name

    def edit_response(self, response: HttpResponse) -> None:
        if not response.media_type.startswith("image/"):
            return
        with Image.open(io.BytesIO(response.body)) as image:
            response.body = images.encode(image.convert("RGB"), self.format)
        response.headers["content-type"] = images.MIME_TYPES[self.format]


@dataclass(frozen=True, kw_only=True)
class Numberify(JsonChange):
    """A numeric string, now a number: "3404" becomes 3404."""

    def edit(self, container: Any, key: str | int) -> None:
        value = container[key]
        if isinstance(value, str) and value.isdigit():
            container[key] = int(value)


@dataclass(frozen=True, kw_only=True)
class StatusForErrorCode(Change):
    """JSON errors with vendor code `code` get HTTP `status` instead of 200; body unchanged."""

    code: str
    status: int

    def edit_response(self, response: HttpResponse) -> None:
        if "json" not in response.media_type:
            return
        errors = json.loads(response.body).get("errors")
        if isinstance(errors, dict) and (errors.get("code") == self.code or self.code in errors):
            response.status = self.status


PROFILES: tuple[DriftProfile, ...] = (
    DriftProfile(
        name="visitor-thumbnail-as-png",
        api="visitor",
        description="Thumbnails are served as PNG (image/png), not the documented always-JPEG.",
        check="thumbnail_is_documented_format",
        operations=(THUMB,),
        change=ReencodeAs(format="PNG"),
    ),
    DriftProfile(
        name="visitor-thumbnail-larger-than-photo",
        api="visitor",
        description="Thumbnails are 1,000 px wide, larger than the full photos they preview.",
        check="thumbnail_not_larger_than_original",
        operations=(THUMB,),
        change=ScaleImage(factor=5.0, when_media="image/"),
    ),
    DriftProfile(
        name="visitor-photo-jpeg-labelled-png",
        api="visitor",
        description="Full photos stored as JPEG are sent with Content-Type image/png.",
        check="image_matches_content_type",
        operations=(PHOTO,),
        change=SetHeader(name="Content-Type", value="image/png", when_media="image/jpeg"),
    ),
    DriftProfile(
        name="visitor-photo-truncated-jpeg",
        api="visitor",
        description="JPEG full photos are cut off halfway, so they no longer decode.",
        check="image_decodes",
        operations=(PHOTO,),
        change=TruncateBody(keep=0.5, when_media="image/jpeg"),
    ),
    DriftProfile(
        name="visitor-error-code-as-number",
        api="visitor",
        description='Error bodies carry the code as a number ("code": 3404), not a string.',
        check="response_schema_conformance",
        operations=(PHOTO, THUMB),
        change=Numberify(path="$.errors.code"),
    ),
    DriftProfile(
        name="visitor-auth-not-enforced",
        api="visitor",
        description="Photos are served without a valid 'Authorization: Token' header.",
        check="credentials_are_enforced",
        operations=(PHOTO, THUMB),
        change=SkipAuth(),
    ),
    DriftProfile(
        name="visitor-server-error-on-photo",
        api="visitor",
        description="A valid visitor ID with a photo on file gets HTTP 500 instead of the image.",
        check="not_a_server_error",
        operations=(PHOTO,),
        change=SetStatus(status=500, when_media="image/"),
    ),
    DriftProfile(
        name="visitor-missing-image-http-404",
        api="visitor",
        description="'Image not available' (4515) comes with HTTP 404, not the documented 200.",
        check="status_code_conformance",
        operations=(PHOTO, THUMB),
        change=StatusForErrorCode(code="4515", status=404),
    ),
)
