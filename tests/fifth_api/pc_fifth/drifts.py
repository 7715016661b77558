"""The drift profile of the Fifth pictures emulator: pictures served as PNG, honestly labelled
image/png, where the contract promises "Every picture is served as image/jpeg" (its x-source)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from photo_contracts.sandbox.changes import Change, HttpResponse
from photo_contracts.sandbox.drift import DriftProfile

PICTURE = "GET /pictures/{pictureId}"


@dataclass(frozen=True, kw_only=True)
class ServeAsPng(Change):
    """The picture re-encoded as PNG and labelled image/png: a plugin's own change, beside the built-in ones."""

    def edit_response(self, response: HttpResponse) -> None:
        if response.media_type != "image/jpeg":
            return  # JSON errors pass as they are
        buffer = io.BytesIO()
        with Image.open(io.BytesIO(response.body)) as image:
            image.save(buffer, format="PNG")
        response.body = buffer.getvalue()
        response.headers["content-type"] = "image/png"


PROFILES = (
    DriftProfile(
        name="fifth-picture-as-png",
        api="fifth",
        description="Pictures are served as PNG (image/png), not the documented image/jpeg.",
        check="content_type_conformance",
        operations=(PICTURE,),
        change=ServeAsPng(),
    ),
)
