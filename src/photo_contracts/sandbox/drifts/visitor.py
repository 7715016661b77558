"""Drift profiles of the visitor emulator: each changes one documented VMSAlpha behaviour, and the
check it names reports it under an `x-source` mark. VARIANTS answer as the vendor's sources allow
but the faithful emulator does not (check=None): the suite must keep its faithful verdict on them.

Sources: sources/visitor-retrieve-visitor-photo.txt and sources/vendor-notes.md section 2.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PIL import Image

from photo_contracts.sandbox import images
from photo_contracts.sandbox.changes import (
    Change,
    HttpResponse,
    JsonChange,
    RemoveField,
    ScaleImage,
    SetHeader,
    SetStatus,
    SkipAuth,
    TruncateBody,
)
from photo_contracts.sandbox.drift import DriftProfile

PHOTO = "GET /v1/photo/{visitorId}"
OAUTH = "POST /v1/oauth/"
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
        name="visitor-thumbnail-300px-wide",
        api="visitor",
        description="Thumbnails are 300 px wide, not the documented 200 px (still smaller than every photo).",
        check="thumbnail_is_documented_format",  # "thumbnails are always JPEG, 200 px wide" [D][C]
        operations=(THUMB,),
        change=ScaleImage(factor=1.5, when_media="image/"),
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
        name="visitor-error-without-success",
        api="visitor",
        description="Error bodies of the photo operations drop `success`: {\"errors\": {...}} alone.",
        check="response_schema_conformance",  # Bad Request table: "success boolean false - for unsuccessful request"
        operations=(PHOTO, THUMB),
        change=RemoveField(path="$.success", when_media="application/json"),
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


# Documented but different

def _errors(response: HttpResponse) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(body, body["errors"]) of a JSON error answer in the message/type/code shape, else None."""
    if "json" not in response.media_type:
        return None
    body = json.loads(response.body)
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, dict) or "code" not in errors:
        return None
    return body, errors


@dataclass(frozen=True, kw_only=True)
class ErrorsKeyedByCode(Change):
    """Errors in the photo page's shape, {"3404": "Invalid visitor ID"}, instead of message/type/code."""

    def edit_response(self, response: HttpResponse) -> None:
        found = _errors(response)
        if found is not None:
            body, errors = found
            body["errors"] = {str(errors["code"]): errors.get("message", "")}
            response.body = json.dumps(body).encode()


@dataclass(frozen=True, kw_only=True)
class MissingCredentialCode(Change):
    """A request without an Authorization header gets error `code` (1142 or 1157) instead of 1190."""

    code: str

    def edit_response(self, response: HttpResponse) -> None:
        found = _errors(response)
        if found is None or response.request is None or "authorization" in response.request.headers:
            return
        body, errors = found
        if errors["code"] == "1190":
            errors["code"] = self.code
            response.body = json.dumps(body).encode()


@dataclass(frozen=True, kw_only=True)
class ExtraErrorField(Change):
    """Error bodies carry one more member beside success and errors (a request id)."""

    def edit_response(self, response: HttpResponse) -> None:
        found = _errors(response)
        if found is not None:
            body, _ = found
            body["request_id"] = "7f3a9c2e"
            response.body = json.dumps(body).encode()


@dataclass(frozen=True, kw_only=True)
class JsonCharset(Change):
    """JSON answers labelled `application/json; charset=utf-8`: the same media type, with a parameter."""

    def edit_response(self, response: HttpResponse) -> None:
        if response.media_type == "application/json":
            response.headers["content-type"] = "application/json; charset=utf-8"


@dataclass(frozen=True, kw_only=True)
class ExpiryAsIsoString(Change):
    """The token's expiry as an ISO 8601 string instead of epoch seconds (the vendor's code's integer)."""

    def edit_response(self, response: HttpResponse) -> None:
        if "json" not in response.media_type:
            return
        body = json.loads(response.body)
        data = body.get("data") if isinstance(body, dict) else None
        if isinstance(data, dict) and isinstance(data.get("expiry"), int):
            data["expiry"] = datetime.fromtimestamp(data["expiry"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            response.body = json.dumps(body).encode()


VARIANTS: tuple[DriftProfile, ...] = (
    DriftProfile(
        name="visitor-doc-errors-keyed-by-code",
        api="visitor",
        description='Errors come keyed by code, {"3404": "Invalid visitor ID"}, the photo page\'s shape.',
        check=None,  # "3404 string Invalid visitor ID" (photo page, Bad Request table)
        operations=(PHOTO, THUMB, OAUTH),
        change=ErrorsKeyedByCode(),
    ),
    DriftProfile(
        name="visitor-doc-missing-credential-1142",
        api="visitor",
        description="A request without an Authorization header gets error 1142, not 1190.",
        check=None,  # "OAuthException 1142, 1157, 1190 (missing/malformed header)"
        operations=(PHOTO, THUMB),
        change=MissingCredentialCode(code="1142"),
    ),
    DriftProfile(
        name="visitor-doc-missing-credential-1157",
        api="visitor",
        description="A request without an Authorization header gets error 1157, not 1190.",
        check=None,  # "OAuthException 1142, 1157, 1190 (missing/malformed header)"
        operations=(PHOTO, THUMB),
        change=MissingCredentialCode(code="1157"),
    ),
    DriftProfile(
        name="visitor-doc-full-photo-as-png",
        api="visitor",
        description="Full photos stored as JPEG are served as PNG (image/png), a documented format.",
        check=None,  # "Full photos are JPEG, PNG or BMP (Content-Type from the file)"
        operations=(PHOTO,),
        change=ReencodeAs(format="PNG", when_media="image/jpeg"),
    ),
    DriftProfile(
        name="visitor-doc-full-photo-as-bmp",
        api="visitor",
        description="Full photos stored as JPEG are served as BMP (image/bmp), a documented format.",
        check=None,  # "Full photos are JPEG, PNG or BMP (Content-Type from the file)"
        operations=(PHOTO,),
        change=ReencodeAs(format="BMP", when_media="image/jpeg"),
    ),
    DriftProfile(
        name="visitor-doc-error-extra-field",
        api="visitor",
        description="Error bodies carry an undocumented request_id beside success and errors.",
        check=None,  # the vendor never closes the error object
        operations=(PHOTO, THUMB, OAUTH),
        change=ExtraErrorField(),
    ),
    DriftProfile(
        name="visitor-doc-json-charset",
        api="visitor",
        description="JSON answers are labelled application/json; charset=utf-8.",
        check=None,  # "Errors are returned with HTTP 200 and `application/json`": the same media type
        operations=(PHOTO, THUMB, OAUTH),
        change=JsonCharset(),
    ),
    DriftProfile(
        name="visitor-doc-token-expiry-iso-string",
        api="visitor",
        description="The token's expiry is an ISO 8601 string, not epoch seconds (an integer, as VMSAlpha's code "
                    "answers).",
        check=None,  # the contract accepts a timestamp string too [I]
        operations=(OAUTH,),
        change=ExpiryAsIsoString(),
    ),
)
