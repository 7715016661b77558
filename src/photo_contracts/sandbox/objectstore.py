"""A stand-in for S3: serves image bytes on its own loopback address, with signed URLs.

Image URLs in vendor payloads point at another host than the API, and are fetched without
the vendor credential. This store lives on a different address (127.0.0.2 by default),
needs no credential, and remembers every request that carried one, so tests can prove
that the suite never leaks a token to it.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# Headers that carry credentials everywhere; the API's own header is added per store.
CREDENTIAL_HEADERS = ("authorization", "cookie")


@dataclass(frozen=True)
class Blob:
    data: bytes
    content_type: str
    signed: bool  # only reachable through a signed, unexpired URL


def _s3_error(status: int, code: str, message: str) -> Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return Response(body, status_code=status, media_type="application/xml")


class ObjectStore:
    """In-memory objects by key; `app` serves them; `base_url` is set once it listens."""

    def __init__(self, secret: bytes = b"sandbox-signing-key", clock: Callable[[], float] = time.time,
                 auth_header: str = "") -> None:
        self._blobs: dict[str, Blob] = {}
        self._secret = secret
        self._lock = threading.Lock()
        self.clock = clock
        self.base_url = ""
        self.credential_headers = tuple(dict.fromkeys((*CREDENTIAL_HEADERS, *([auth_header.lower()] if auth_header else []))))
        self.credential_sightings: list[tuple[str, str]] = []  # (path, header name)
        self.requests = 0
        self.app = Starlette(routes=[Route("/{key:path}", self._get, methods=["GET", "HEAD"])])

    # Writing and addressing objects
    def put(self, key: str, data: bytes, content_type: str, *, signed: bool = False) -> None:
        with self._lock:
            self._blobs[key] = Blob(data, content_type, signed)

    def get(self, key: str) -> Blob | None:
        return self._blobs.get(key)

    def url(self, key: str) -> str:
        return f"{self.base_url}/{key}"

    def signed_url(self, key: str, expires: int = 60, filename: str | None = None) -> str:
        """An S3 SigV4-style presigned URL for `key`, valid for `expires` seconds from now."""
        stamp = datetime.fromtimestamp(self.clock(), UTC).strftime("%Y%m%dT%H%M%SZ")
        blob = self._blobs.get(key)
        params = {
            "response-content-disposition": f'attachment; filename="{filename or key.rsplit("/", 1)[-1]}"',
            "response-content-type": blob.content_type if blob else "application/octet-stream",
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Date": stamp,
            "X-Amz-SignedHeaders": "host",
            "X-Amz-Expires": str(expires),
            "X-Amz-Credential": f"SANDBOXKEY/{stamp[:8]}/us-east-1/s3/aws4_request",
        }
        params["X-Amz-Signature"] = self._signature(key, stamp, str(expires))
        return f"{self.url(key)}?{urlencode(params)}"

    def _signature(self, key: str, stamp: str, expires: str) -> str:
        return hmac.new(self._secret, f"{key}\n{stamp}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def _check_signature(self, key: str, query: dict[str, str]) -> Response | None:
        stamp, expires, signature = (query.get(n, "") for n in ("X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature"))
        if not (stamp and expires and signature):
            return _s3_error(403, "AccessDenied", "Access Denied")
        if not hmac.compare_digest(signature, self._signature(key, stamp, expires)):
            return _s3_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
        issued = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
        if self.clock() > issued + int(expires):
            return _s3_error(403, "AccessDenied", "Request has expired")
        return None

    # Serving
    async def _get(self, request: Request) -> Response:
        key = request.path_params["key"]
        with self._lock:
            self.requests += 1
            for name in self.credential_headers:
                if name in request.headers:
                    self.credential_sightings.append((request.url.path, name))
        blob = self._blobs.get(key)
        if blob is None:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        if blob.signed and (denied := self._check_signature(key, dict(request.query_params))):
            return denied
        content_type = request.query_params.get("response-content-type", blob.content_type)
        return Response(blob.data, media_type=content_type)
