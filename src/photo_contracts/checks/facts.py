"""What each API says about its photos, as data: where image links and metadata sit in payloads,
which operations serve image bytes, how it answers unknown ids and bad credentials.

Each vendor module (checks/vendors/<api>.py) fills one `ApiFacts`; the generic checks read it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from photo_contracts.provenance import Source


@dataclass(frozen=True)
class ImageRecord:
    """JSON records that describe an image and link to its bytes (on the API or another host)."""

    operations: tuple[str, ...]  # operations whose JSON responses hold such records
    path: str  # JSON path to each record: "$", "$[*]", "$.photo", "$.results[*]"
    links: Mapping[str, str]  # role (original | thumbnail | large) -> dotted key within the record
    # Dotted keys of metadata about the `original` image; None where the vendor states nothing.
    width: str | None = None
    height: str | None = None
    aspect_ratio: str | None = None
    byte_size: str | None = None
    content_type: str | None = None
    exif_width: str | None = None
    exif_height: str | None = None
    with_credentials: bool = False  # links on the API's own origin that need the credential
    # The promise behind each link and metadata key above: "links" and every metadata field
    # that is set ("width", "byte_size", ...) name a provenance.Source.
    sources: Mapping[str, Source] = field(default_factory=dict)


@dataclass(frozen=True)
class ImageEndpoint:
    """An operation that answers with image bytes itself."""

    operation: str
    role: str  # original | thumbnail | large
    formats: tuple[str, ...]  # Pillow format names the docs allow: JPEG, PNG, BMP
    width: int | None = None  # documented pixel width, if any (visitor thumbnails: 200)
    original: str | None = None  # thumbnails: the operation serving the original (same parameters)
    source: Source | None = None  # where the vendor says this operation serves these formats (and width)


@dataclass(frozen=True)
class Rejection:
    """A documented error answer: the statuses and, where the vendor has them, error codes it may carry.

    Several values where the vendor's sources allow several (Autodesk documents 401 from the gateway
    and 403 "lacked valid authentication credentials"); `source` says where each comes from."""

    statuses: tuple[int, ...]
    codes: tuple[str, ...] = ()
    source: Source | None = None

    def accepts(self, status: int, code: str | None) -> bool:
        return status in self.statuses and (not self.codes or code in self.codes)

    def describe(self) -> str:
        text = " or ".join(f"HTTP {s}" for s in self.statuses)
        return text + (f" with error code {' or '.join(self.codes)}" if self.codes else "")


@dataclass(frozen=True)
class IdSource:
    """Where the configured values of a path parameter are listed (`config_key`), and which operations they
    are for. The ids the API hands out come from the contract's OpenAPI links (`photo_contracts.links`); the
    listing call named here is asked only where no link of the contract gives the parameter a value (a
    contract of the user's own, written without links)."""

    param: str
    config_key: str  # e.g. photo_ids, visitor_ids, project_id
    method: str | None = None  # a listing call (None: the configuration, the sandbox's sample and links only)
    path: str | None = None  # may use earlier parameters: "/projects/{projectId}/photos:filter"
    json_path: str | None = None  # ids in the listing's body: "$[*].id"
    body: Any = None
    # Only for these operations (the `id` of /organization/{id} is not a photo's id); kept under config_key.
    operations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Listing:
    """A listing operation: its items (`$[*]`, `$.results[*]`) and the parameter that sizes a page."""

    operation: str
    items: str
    size: str  # query parameter or JSON body property: max, limit, per_page
    in_body: bool = False


@dataclass(frozen=True)
class OptionPromise:
    """A request option and what the vendor says it adds to the answer."""

    operation: str
    query: Mapping[str, str]  # the option as sent: {"include": "signedUrls"}
    present: str  # dotted key that must then be in the answer: "signedUrls"
    links: tuple[str, ...] = ()  # dotted keys of URLs that must then fetch without the credential
    source: Source | None = None


@dataclass(frozen=True)
class DeletedPromise:
    """Deleted media: the detail answers `status`, and never a success carrying `marker`."""

    operation: str  # the detail, e.g. "GET /projects/{projectId}/photos/{photoId}"
    param: str  # its id parameter
    status: int  # 410
    marker: str  # the field a listing marks deleted media with: "deletedAt"
    listing: str | None = None  # a listing that shows deleted media (with `marker`), for their ids
    items: str = "$[*]"
    id_key: str = "id"
    config_key: str = "deleted_ids"  # or listed in the configuration
    source: Source | None = None


@dataclass(frozen=True)
class ApiFacts:
    records: tuple[ImageRecord, ...] = ()
    endpoints: tuple[ImageEndpoint, ...] = ()
    thumbnail_formats: tuple[str, ...] = ("JPEG",)  # documented formats of thumbnails
    thumbnail_source: Source | None = None  # where the vendor documents them
    ids: tuple[IdSource, ...] = ()
    unknown_ids: Mapping[str, str] = field(default_factory=dict)  # param -> an id that exists nowhere
    not_found: Rejection = Rejection((404,))
    missing_credentials: Rejection = Rejection((401,))
    wrong_credentials: Rejection = Rejection((401,))
    error_code: Callable[[Any], str | None] = lambda body: None  # the vendor error code of a JSON body
    # Operations that the error checks probe (reads whose last path parameter is an id).
    probe_operations: tuple[str, ...] = ()
    # Listing operations: where their items sit and which parameter sizes a page (its default and maximum
    # come from the contract, with their marks).
    listings: tuple[Listing, ...] = ()
    # Request options the vendor ties to fields of the answer (Autodesk include=signedUrls -> signedUrls).
    options: tuple[OptionPromise, ...] = ()
    # How the vendor answers media deleted by a user (Autodesk: 410), and how a listing marks them.
    deleted: DeletedPromise | None = None
    # schemathesis built-ins that contradict the vendor's documented behaviour, with the reason in a comment
    # where the facts are written (the visitor API answers errors with HTTP 200).
    excluded_builtins: tuple[str, ...] = ()

    @property
    def serves_images(self) -> bool:
        return bool(self.records or self.endpoints)

    def code_of(self, response: Any) -> str | None:
        """The vendor error code a JSON answer carries, if any."""
        if "json" not in response.headers.get("Content-Type", ""):
            return None
        try:
            return self.error_code(response.json())
        except ValueError:
            return None

    def succeeded(self, response: Any) -> bool:
        """A 2xx that is not an error (the visitor API answers its errors with HTTP 200)."""
        return 200 <= response.status_code < 300 and self.code_of(response) is None

    def rejects_credential(self, response: Any) -> bool:
        """The answer is the documented rejection of a missing or wrong credential."""
        code = self.code_of(response)
        return any(r.accepts(response.status_code, code) for r in (self.wrong_credentials, self.missing_credentials))
