"""Declarative changes that drift profiles apply to a faithful emulator.

A change edits the request before the emulator sees it (a filter ignored, auth not
enforced) or the response after (a field removed, a header changed, an image broken).
JSON locations use a small path syntax: `$`, `.name`, `[*]`, `[3]`.
A change touches only what it is about: JSON changes pass other bodies, image changes (re-encode,
scale, truncate) pass every answer that is not an image, such as a JSON 401 or an S3 XML 404.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from PIL import Image

from photo_contracts.jsonpath import locate
from photo_contracts.sandbox import images


@dataclass
class HttpRequest:
    """The parts of a request a change may edit before the emulator sees it."""

    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    url: str = ""  # scheme, host and path, without the query: a change that links back to the request


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    request: HttpRequest | None = None  # what was asked (content negotiation answers by it)

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_image(self) -> bool:
        """An image: typed image/*, or JPEG/PNG/GIF bytes under another type. Image changes leave
        everything else (a JSON error, an S3 XML error) as the emulator sent it."""
        return self.media_type.startswith("image/") or self.body.startswith(IMAGE_SIGNATURES)


IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


@dataclass(frozen=True, kw_only=True)
class Change:
    """Base: applies to every response of the matched operations, or only some of them."""

    when_status: int | None = None  # only responses with this status
    when_media: str | None = None  # only responses whose media type starts with this

    def applies(self, response: HttpResponse) -> bool:
        return (self.when_status is None or response.status == self.when_status) and (
            self.when_media is None or response.media_type.startswith(self.when_media)
        )

    def edit_request(self, request: HttpRequest, credential: tuple[str, str]) -> None:
        """Edit the request in place (most changes leave it alone)."""

    def edit_response(self, response: HttpResponse) -> None:
        """Edit the response in place (most changes leave it alone)."""


@dataclass(frozen=True, kw_only=True)
class JsonChange(Change):
    """A change to the JSON body at `path`; responses that are not JSON pass unchanged."""

    path: str

    def edit_response(self, response: HttpResponse) -> None:
        if "json" not in response.media_type:
            return
        try:
            document = json.loads(response.body)
        except ValueError:  # an empty or broken "JSON" body: not this change's business
            return
        for container, key in locate(document, self.path):
            self.edit(container, key)
        if self.path == "$":
            document = self.edit_root(document)
        response.body = json.dumps(document).encode()

    def edit(self, container: Any, key: str | int) -> None:
        raise NotImplementedError

    def edit_root(self, document: Any) -> Any:
        return document


@dataclass(frozen=True, kw_only=True)
class RemoveField(JsonChange):
    def edit(self, container: Any, key: str | int) -> None:
        del container[key]




@dataclass(frozen=True, kw_only=True)
class ReplaceValue(JsonChange):
    """A new value: a new enum member, a wrong type, contradicting metadata; `$` = whole body."""

    value: Any

    def edit(self, container: Any, key: str | int) -> None:
        container[key] = self.value

    def edit_root(self, document: Any) -> Any:
        return self.value


@dataclass(frozen=True, kw_only=True)
class Stringify(JsonChange):
    """The same value, now as a string: a number becomes "300"."""

    def edit(self, container: Any, key: str | int) -> None:
        container[key] = str(container[key])


@dataclass(frozen=True, kw_only=True)
class Offset(JsonChange):
    """A number off by `delta`: metadata that no longer agrees with the image."""

    delta: float

    def edit(self, container: Any, key: str | int) -> None:
        if isinstance(container[key], int | float) and not isinstance(container[key], bool):
            container[key] = container[key] + self.delta


@dataclass(frozen=True, kw_only=True)
class SetHeader(Change):
    name: str
    value: str

    def edit_response(self, response: HttpResponse) -> None:
        response.headers[self.name.lower()] = self.value


@dataclass(frozen=True, kw_only=True)
class SetStatus(Change):
    """Another status and body: a 5xx on a documented input, an error shape changed."""

    status: int
    body: Any = field(default_factory=lambda: {"error": "Internal Server Error"})

    def edit_response(self, response: HttpResponse) -> None:
        response.status = self.status
        response.body = json.dumps(self.body).encode()
        response.headers["content-type"] = "application/json"


@dataclass(frozen=True, kw_only=True)
class RedirectLoop(Change):
    """A redirect back to the same path: a client that follows it never arrives."""

    def edit_response(self, response: HttpResponse) -> None:
        response.status = 302
        response.headers = {"location": "?again", "content-type": "text/plain"}
        response.body = b""


@dataclass(frozen=True, kw_only=True)
class ReencodeImage(Change):
    """The same picture in another format, the Content-Type left as it was."""

    format: str  # a Pillow format name: PNG, GIF, BMP

    def edit_response(self, response: HttpResponse) -> None:
        if not response.is_image:
            return
        try:
            with Image.open(io.BytesIO(response.body)) as image:
                response.body = images.encode(image.convert("RGB"), self.format)
        except OSError:  # typed as an image but not one Pillow reads: left as it is
            return


@dataclass(frozen=True, kw_only=True)
class ScaleImage(Change):
    """The picture resized by `factor`, in its own format."""

    factor: float

    def edit_response(self, response: HttpResponse) -> None:
        if not response.is_image:
            return
        try:
            with Image.open(io.BytesIO(response.body)) as image:
                size = (max(1, round(image.width * self.factor)), max(1, round(image.height * self.factor)))
                fmt = image.format or "JPEG"
                response.body = images.encode(image.convert("RGB").resize(size), fmt)
        except OSError:  # typed as an image but not one Pillow reads: left as it is
            return


@dataclass(frozen=True, kw_only=True)
class TruncateBody(Change):
    """Only the first `keep` fraction of the bytes: an image that does not fully decode."""

    keep: float = 0.5

    def edit_response(self, response: HttpResponse) -> None:
        if response.is_image:
            response.body = response.body[: max(1, int(len(response.body) * self.keep))]


@dataclass(frozen=True, kw_only=True)
class IgnoreParam(Change):
    """The emulator never sees the parameter: a filter or a page size ignored."""

    name: str
    location: str = "query"  # or "body" (a top-level or nested JSON key, dotted)

    def edit_request(self, request: HttpRequest, credential: tuple[str, str]) -> None:
        if self.location == "query":
            request.query = [(k, v) for k, v in request.query if k != self.name]
        elif request.body:
            try:
                document = json.loads(request.body)
            except ValueError:
                return
            for container, key in locate(document, f"$.{self.name}"):
                del container[key]
            request.body = json.dumps(document).encode()


@dataclass(frozen=True, kw_only=True)
class EmptyBody(Change):
    """No body at all (Content-Length: 0, no Content-Type): where a vendor documents no error body."""

    def edit_response(self, response: HttpResponse) -> None:
        response.body = b""
        response.headers.pop("content-type", None)


@dataclass(frozen=True, kw_only=True)
class PlainText(Change):
    """The answer as text/plain, with another status if given (Autodesk's own 403 example)."""

    text: str
    status: int | None = None

    def edit_response(self, response: HttpResponse) -> None:
        response.status = self.status or response.status
        response.body = self.text.encode()
        response.headers["content-type"] = "text/plain; charset=utf-8"


@dataclass(frozen=True, kw_only=True)
class SetOnlyStatus(Change):
    """Another status, the body and headers left as they are."""

    status: int

    def edit_response(self, response: HttpResponse) -> None:
        response.status = self.status


@dataclass(frozen=True, kw_only=True)
class DefaultParam(Change):
    """A request that leaves a parameter out gets another default: a page size of 50 instead of 25."""

    name: str
    value: Any
    location: str = "query"  # or "body" (a top-level JSON key)

    def edit_request(self, request: HttpRequest, credential: tuple[str, str]) -> None:
        if self.location == "query":
            if all(k != self.name for k, _ in request.query):
                request.query.append((self.name, str(self.value)))
            return
        try:
            document = json.loads(request.body or b"{}")
        except ValueError:
            return
        if isinstance(document, dict) and self.name not in document:
            document[self.name] = self.value
            request.body = json.dumps(document).encode()


@dataclass(frozen=True, kw_only=True)
class SkipAuth(Change):
    """Auth not enforced: every request reaches the emulator as if it were authenticated."""

    def edit_request(self, request: HttpRequest, credential: tuple[str, str]) -> None:
        name, value = credential
        request.headers[name.lower()] = value


def encode_query(query: list[tuple[str, str]]) -> bytes:
    return urlencode(query).encode()


def decode_query(raw: bytes) -> list[tuple[str, str]]:
    return parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
