"""Faithful emulator of the CloudCard / RemotePhoto photo API (contracts/cloudcard.yaml).

Auth: `X-Auth-Token: <token>` (no prefix). The sandbox credential (`ctx.token`) works both as a
session token and as the persistent access token that POST /authentication-token exchanges
for a new session token valid 12 hours. Error statuses (400/401/404/409) are [I] and their bodies
undocumented (the contract promises none); the emulator sends `{"status", "message"}` JSON. Integers
in request bodies are read as JSON Schema reads them (7.0 is 7). Time comes from `ctx.store.clock`, so
tests move one clock for token expiry. Image bytes live in the object store (another host,
plain unsigned `.jpg` URLs, as the documented S3 links are).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import random
import secrets
import zipfile
from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from photo_contracts.sandbox import SandboxContext, images
from photo_contracts.sandbox.cloudcard_data import (
    BUCKET,
    DOCUMENTED_STATUSES,
    STATUSES,
    Dataset,
    build,
    dumps,
    now_iso,
)

BASE_PATH = ""
JSON_TYPE = "application/json;charset=UTF-8"  # what the vendor's Grails back end sends
SESSION_SECONDS = 12 * 3600  # [D] a session token is valid for 12 hours
MAX_LIMIT = 1000  # [D] `max` between 0 and 1000
ZIP_PATH = "/api/photos/download/zip"  # [D] the link's path on the Download Photos (API) page
MARKED = "All Approved Photos have been marked ready for download."  # [D] same page


def json_response(
    body: bytes | Any, status: int = 200, headers: dict[str, str] | None = None,
) -> Response:
    data = body if isinstance(body, bytes) else dumps(body)
    sent = {"content-type": JSON_TYPE, **(headers or {})}
    return Response(data, status_code=status, headers=sent)


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response({"status": status, "message": message}, status, headers)


@dataclass
class State:
    ctx: SandboxContext
    data: Dataset
    strategy: str  # the organization's downloadStrategy id
    sessions: dict[str, float] = field(default_factory=dict)  # session token -> expiry (epoch s)
    zip_tokens: dict[str, list[int]] = field(default_factory=dict)  # zip link token -> photo ids
    rng: random.Random = field(default_factory=random.Random)
    next_token_id: int = 1

    def now(self) -> float:
        return self.ctx.store.clock()

    def target_status(self) -> str:
        """Where a download moves APPROVED photos: the status the strategy is named after [I]."""
        ready = self.strategy.endswith("READY_FOR_DOWNLOAD")
        return "READY_FOR_DOWNLOAD" if ready else "DOWNLOADED"

    def authenticated(self, request: Request) -> Response | None:
        """None when the request carries a valid X-Auth-Token, else the 401 to send."""
        token = request.headers.get("x-auth-token")
        if not token:
            return error(401, "Authentication required: send a session token as X-Auth-Token")
        if token == self.ctx.token:
            return None
        expires = self.sessions.get(token)
        if expires is None:
            return error(401, "Invalid authentication token")
        if self.now() >= expires:
            return error(401, "Authentication token expired")
        return None


def _int_param(
    request: Request, name: str, default: int, low: int, high: int | None,
) -> int | Response:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        return error(400, f"{name} must be an integer")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f">= {low}"
        return error(400, f"{name} must be {bound}")
    return value


async def _json_body(request: Request) -> dict[str, Any] | Response:
    try:
        body = json.loads(await request.body())
    except ValueError:
        return error(400, "The request body is not valid JSON")
    if not isinstance(body, dict):
        return error(400, "The request body must be a JSON object")
    return body


def _is_int(value: Any) -> bool:
    """An integer as JSON Schema counts them: 7 and 7.0 alike (JSON has one number type, RFC 8259)."""
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


def _decode_image(encoded: str) -> bytes | None:
    """The uploaded image as JPEG bytes, or None when it is not a base64 image."""
    if encoded.startswith("data:") and "," in encoded:
        encoded = encoded.split(",", 1)[1]
    try:
        raw = base64.b64decode(encoded, validate=True)
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            if image.format == "JPEG":
                return raw
            return images.encode(image.convert("RGB"), "JPEG")
    except (binascii.Error, ValueError, OSError, Image.DecompressionBombError):
        return None


def create_app(ctx: SandboxContext) -> Starlette:
    data = build(ctx.seed, ctx.size, ctx.store)
    strategy = str(ctx.extra.get("download_strategy", data.organization["downloadStrategy"]["id"]))
    data.organization["downloadStrategy"]["id"] = strategy
    state = State(ctx, data, strategy, rng=random.Random(ctx.seed + 1))

    async def list_photos(request: Request) -> Response:
        if denied := state.authenticated(request):
            return denied
        status = request.query_params.get("status")
        if status is not None and status not in DOCUMENTED_STATUSES:
            return error(400, f"status must be one of {', '.join(DOCUMENTED_STATUSES)}")
        offset = _int_param(request, "offset", 0, 0, None)
        if isinstance(offset, Response):
            return offset
        limit = _int_param(request, "max", 25, 0, MAX_LIMIT)
        if isinstance(limit, Response):
            return limit
        page = data.listed(status)[offset: offset + limit]
        return json_response(b"[" + b",".join(data.item_bytes(p) for p in page) + b"]")

    async def get_photo(request: Request) -> Response:
        if denied := state.authenticated(request):
            return denied
        photo = data.photos.get(request.path_params["id"])
        if photo is None:
            return error(404, "Photo not found")
        return json_response(data.detail_bytes(photo))

    async def update_photo(request: Request) -> Response:
        if denied := state.authenticated(request):
            return denied
        photo = data.photos.get(request.path_params["id"])
        if photo is None:
            return error(404, "Photo not found")
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        status, version = body.get("status"), body.get("version")
        # The seven documented filter values, and ON_HOLD and FAILED, which the vendor's own downloader
        # PUTs (`{ "status": "FAILED" }`, with `?failedReason=` / `?onHoldReason=`) [C].
        if status not in STATUSES:
            return error(400, f"status must be one of {', '.join(STATUSES)}")
        if "version" in body and not (_is_int(version) and version >= 0):
            return error(400, "version must be an integer >= 0")
        if "version" in body and int(version) != photo.fields["version"]:
            current = photo.fields["version"]
            return error(409, f"Photo {photo.id} was updated by someone else (version {current})")
        data.set_status(photo, status, state.now())
        result = {"id": photo.id, "status": photo.status, "publicKey": photo.fields["publicKey"]}
        return json_response(result)

    async def create_photo(request: Request) -> Response:
        if denied := state.authenticated(request):
            return denied
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        person, encoded = body.get("person"), body.get("encodedImage")
        if not (isinstance(person, dict) and _is_int(person.get("id"))):
            return error(400, "person.id is required")
        if not isinstance(encoded, str) or not encoded:
            return error(400, "encodedImage is required")
        person_id = int(person["id"])
        if person_id not in data.persons:
            return error(404, "Person not found")
        jpeg = _decode_image(encoded)
        if jpeg is None:
            return error(400, "encodedImage is not a base64-encoded image")
        photo = data.add_photo(person_id, jpeg, state.now(), state.rng)
        return json_response(data.detail_bytes(photo), 201)

    async def download_photos(request: Request) -> Response:
        if denied := state.authenticated(request):
            return denied
        approved = [p.id for p in data.listed("APPROVED")]
        if not approved:
            return Response(status_code=204)
        target = state.target_status()
        if state.strategy.startswith("EXTERNAL"):
            for photo_id in approved:
                data.set_status(data.photos[photo_id], target, state.now())
            return json_response({"message": MARKED})
        token = secrets.token_urlsafe(40)
        state.zip_tokens[token] = approved
        link = f"{ctx.base_url}{ZIP_PATH}?token={token}"
        return json_response({"link": link}, 303, {"location": link})

    async def download_zip(request: Request) -> Response:
        # The link carries its own one-time token; no X-Auth-Token is needed [I].
        ids = state.zip_tokens.pop(request.query_params.get("token", ""), None)
        if ids is None:
            return error(404, "Unknown or used download token")
        target = state.target_status()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for photo_id in ids:
                photo = data.photos[photo_id]
                blob = ctx.store.get(f"{BUCKET}/{photo.fields['publicKey']}.jpg")
                if blob is not None:
                    archive.writestr(f"{photo.id}.jpg", blob.data)
                if photo.status == "APPROVED":
                    data.set_status(photo, target, state.now())
        return Response(buffer.getvalue(), media_type="application/zip",
                        headers={"content-disposition": 'attachment; filename="photos.zip"'})

    async def get_organization(request: Request) -> Response:
        if denied := state.authenticated(request):
            return denied
        if request.path_params["id"] != data.organization["id"]:
            return error(404, "Organization not found")
        return json_response(data.organization_bytes())

    async def authentication_token(request: Request) -> Response:
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        persistent = body.get("persistentAccessToken")
        if not isinstance(persistent, str) or not persistent:
            return error(400, "persistentAccessToken is required")
        if persistent != ctx.token:
            return error(401, "Invalid persistent access token")
        now = state.now()
        value = secrets.token_hex(20)
        state.sessions[value] = now + SESSION_SECONDS
        token_id, state.next_token_id = state.next_token_id, state.next_token_id + 1
        return json_response({
            "id": token_id, "tokenValue": value, "dateCreated": now_iso(now),
            "lastUpdated": now_iso(now), "expirationDate": now_iso(now + SESSION_SECONDS),
            "username": "service-account@myschool.edu",
            "domainClass": "us.cloudcard.api.AuthenticationToken", "version": 0,
            "persistentAccessTokenId": str(token_id),
        })

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = "Not found" if exc.status_code == 404 else str(exc.detail)
        return error(exc.status_code, message, dict(exc.headers or {}))

    async def photos(request: Request) -> Response:
        return await (create_photo if request.method == "POST" else list_photos)(request)

    async def photo(request: Request) -> Response:
        return await (update_photo if request.method == "PUT" else get_photo)(request)

    # One route per path, so a 405 names every allowed method in its Allow header.
    routes = [
        Route(f"{BASE_PATH}/photo", photos, methods=["GET", "POST"]),
        Route(f"{BASE_PATH}/photo/download", download_photos, methods=["GET"]),
        Route(f"{BASE_PATH}/photo/{{id:int}}", photo, methods=["GET", "PUT"]),
        Route(f"{BASE_PATH}/organization/{{id:int}}", get_organization, methods=["GET"]),
        Route(f"{BASE_PATH}/authentication-token", authentication_token, methods=["POST"]),
        Route(f"{BASE_PATH}{ZIP_PATH}", download_zip, methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.state.dataset = data
    app.state.emulator = state
    return app


def ids(app: Any) -> dict[str, list[int]]:
    """Real ids a caller can use, by kind: photos (as GET /photo lists them, newest first), their persons and the
    organization."""
    data = app.state.dataset
    photos = data.listed()
    return {"photo": [p.id for p in photos], "person": sorted({p.person_id for p in photos}),
            "organization": [data.organization["id"]]}
