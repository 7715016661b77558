"""A faithful emulator of the Fulcrum Photos API (`https://api.fulcrumapp.com/api`).

Auth: `X-ApiToken: <token>`; anything else is 401 {"error": "Unauthorized"}. Photo JSON is
precomputed at startup (and again after an upload), so reads do no image work. Decisions
where the docs are silent ([I], written down in schemas/DISCREPANCIES.md):
- list order: oldest first by created_at; `newest_first` present sorts by updated_at, newest first
  (the official OpenAPI: "If present, photos will be sorted by updated_at date"), whatever its value
  (`true`, `1`, blank, a bare `?newest_first`, any word), except `false`/`0`, which keep the default
  order (the OpenAPI types the parameter boolean; what `false` does is undocumented);
- a blank `form_id` is no filter ("Leaving this blank will query against all of your photos.", the
  official OpenAPI); the OpenAPI says no such thing of `record_id`, so a blank one is malformed;
- a malformed or out-of-range parameter: 400 {"error": "Bad Request", "status": 400};
- versions not yet available (`stored`/`processed` false): their .json/.jpg answer 404 {};
- the thumbnail/large metadata differ from the photo's only in `file_size` and the exif pixel size;
- an uploaded image is stored as JPEG; a file that is no image Pillow can read is answered
  like an image, with a placeholder picture standing in for it (the docs say nothing of such
  files, and a created photo's versions then exist at once, as for an image); re-uploading an
  access_key replaces the file;
- 5,000 calls per hour per token (`app.state.emulator.rate_limit`), then 429 with `Retry-After`.
"""

from __future__ import annotations

import io
import json
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from PIL import Image
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from photo_contracts.sandbox import SandboxContext
from photo_contracts.sandbox import fulcrum_data as data
from photo_contracts.sandbox.fulcrum_data import Dataset, Photo

BASE_PATH = "/api"
JSON = "application/json; charset=utf-8"
DEFAULT_PER_PAGE = 20000
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
INTEGER = re.compile(r"^[0-9]{1,4000}$")  # int() refuses longer digit strings
FLAGS = {"true": True, "1": True, "false": False, "0": False}
BOOLEAN_FILTERS = ("processed", "stored", "uploaded")
# The filters the official OpenAPI says a blank value of means all photos: form_id only.
BLANK_MEANS_ALL = ("form_id",)


def json_response(body: bytes | str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, media_type=JSON, headers=headers)


UNAUTHORIZED = b'{"error":"Unauthorized"}'
BAD_REQUEST = b'{"error":"Bad Request","status":400}'
NOT_FOUND = b"{}"


class BadRequest(Exception):
    """A parameter the API cannot use: answered with the documented 400 body."""


@dataclass
class RateLimit:
    """Fixed-window call counter per token: `limit` calls per `window` seconds."""

    limit: int = 5000
    window: float = 3600.0
    clock: Callable[[], float] = time.monotonic
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)

    def hit(self, token: str) -> int | None:
        """Count one call; the seconds to wait when over the limit, else None."""
        now = self.clock()
        start, count = self._windows.get(token, (now, 0))
        if now - start >= self.window:
            start, count = now, 0
        if count >= self.limit:
            return max(1, math.ceil(start + self.window - now))
        self._windows[token] = (start, count + 1)
        return None


class Emulator:
    """The dataset, its published form (store objects, cached JSON) and the request handlers."""

    def __init__(self, ctx: SandboxContext, dataset: Dataset) -> None:
        self.ctx = ctx
        self.dataset = dataset
        self.rate_limit = RateLimit()
        for photo in dataset.photos.values():
            self.publish(photo)
        self.ordered = self._order()

    # Publishing: store objects and the precomputed JSON of each photo
    def publish(self, photo: Photo) -> None:
        urls: dict[str, Any] = {"url": f"{self.ctx.base_url}/v2/photos/{photo.access_key}"}
        for version in data.VERSIONS:
            urls[version] = None
            if version in photo.available:
                key = self.dataset.store_key(photo, version)
                self.ctx.store.put(key, photo.blobs[version], "image/jpeg")
                urls[version] = self.ctx.store.url(key)
        photo.cache = {version: data.version_payload(photo, version, urls) for version in data.VERSIONS}

    def _order(self) -> list[Photo]:
        return sorted(self.dataset.photos.values(), key=lambda p: (p.created, p.access_key.lower()))

    # Gatekeeping
    def gate(self, request: Request) -> Response | None:
        """401 without the right X-ApiToken, 429 over the rate limit, else None."""
        token = request.headers.get("x-apitoken")
        if token != self.ctx.token:
            return json_response(UNAUTHORIZED, 401)
        wait = self.rate_limit.hit(token)
        if wait is not None:
            body = b'{"error":"Too Many Requests","status":429}'
            return json_response(body, 429, {"Retry-After": str(wait)})
        return None

    def guarded(self, handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return self.gate(request) or await handler(request)

        return endpoint

    # GET /v2/photos(.json)
    async def collection(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.upload(request)
        try:
            query = self._list_query(request)
        except BadRequest:
            return json_response(BAD_REQUEST, 400)
        photos = [p for p in self.ordered if all(p.meta[k] == v for k, v in query["filters"].items())]
        if query["newest_first"]:
            photos.sort(key=lambda p: (p.meta["updated_at"], p.access_key.lower()), reverse=True)
        page, per_page = query["page"], query["per_page"]
        window = photos[(page - 1) * per_page: page * per_page]
        total = len(photos)
        body = b'{"photos":[%s],"current_page":%d,"total_pages":%d,"total_count":%d,"per_page":%d}' % (
            b",".join(p.cache["original"] for p in window), page, -(-total // per_page), total, per_page)
        return json_response(body)

    @staticmethod
    def _list_query(request: Request) -> dict[str, Any]:
        params = request.query_params
        filters: dict[str, Any] = {}
        for name in ("form_id", "record_id"):
            if name in params:
                if name in BLANK_MEANS_ALL and params[name] == "":
                    continue
                if not UUID.match(params[name]):
                    raise BadRequest(name)
                filters[name] = params[name].lower()
        for name in BOOLEAN_FILTERS:
            if name in params:
                if params[name].lower() not in FLAGS:
                    raise BadRequest(name)
                filters[name] = FLAGS[params[name].lower()]
        # "If present, photos will be sorted by updated_at date.": presence with any value sorts; only a
        # boolean false (the OpenAPI's type for the parameter) keeps the default order.
        newest = "newest_first" in params and FLAGS.get(params["newest_first"].lower(), True)
        numbers = {}
        for name, default in (("page", 1), ("per_page", DEFAULT_PER_PAGE)):
            raw = params.get(name, str(default))
            if not INTEGER.match(raw) or int(raw) < 1:
                raise BadRequest(name)
            numbers[name] = int(raw)
        return {"filters": filters, "newest_first": newest, **numbers}

    # GET /v2/photos/{id}(.json|.jpg), /{id}/thumbnail.(json|jpg), /{id}/large.(json|jpg)
    def show(self, version: str, image: bool) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            photo = self.dataset.photos.get(request.path_params["id"].lower())
            # Metadata of the original always exists; files and derived versions once stored/processed.
            if photo is None or ((image or version != "original") and version not in photo.available):
                return json_response(NOT_FOUND, 404)
            if image:
                return Response(photo.blobs[version], media_type="image/jpeg")
            return json_response(b'{"photo":%s}' % photo.cache[version])

        return self.guarded(endpoint)

    # POST /v2/photos(.json)
    async def upload(self, request: Request) -> Response:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in ("multipart/form-data", "application/x-www-form-urlencoded"):
            return json_response(BAD_REQUEST, 400)
        try:
            form = await request.form()
        except Exception:  # a malformed body: whatever the parser says, it is a bad request
            return json_response(BAD_REQUEST, 400)
        try:
            if not any(key.startswith("photo[") for key in form):
                return json_response(BAD_REQUEST, 400)  # Rails: param is missing: photo
            access_key = form.get("photo[access_key]")
            file = form.get("photo[file]")
            content = await file.read() if isinstance(file, UploadFile) else (file or "").encode()
        finally:
            await form.close()
        errors: dict[str, list[str]] = {}
        if access_key is None or (isinstance(access_key, str) and not access_key.strip()):
            errors["access_key"] = ["must be provided"]
        elif not isinstance(access_key, str) or not UUID.match(access_key):
            errors["access_key"] = ["is invalid"]
        if file is None or (not content and not isinstance(file, UploadFile)):
            errors["file"] = ["must be provided"]
        if errors:
            return json_response(b'{"photo":{"errors":%s}}' % _dumps(errors), 422)
        assert isinstance(access_key, str)
        try:
            content, size, exif, position = data.read_upload(content)
        except data.NotAnImage:
            # The docs promise nothing about a file that is no image. The emulator keeps the upload and
            # stands a placeholder picture in for it, so every version exists and is a real JPEG.
            content, size, exif, position = data.read_upload(data.placeholder(content))
        photo = self.store_upload(access_key, content, size, exif, position)
        return json_response(b'{"photo":%s}' % photo.cache["original"])

    def store_upload(self, access_key: str, content: bytes, size: tuple[int, int], exif: dict[str, Any],
                     position: tuple[float, float] | None) -> Photo:
        """Keep the uploaded file as the original, make its versions, publish it."""
        now = datetime.now(UTC).replace(microsecond=0)
        name, user_id = self.dataset.api_user
        existing = self.dataset.photos.get(access_key.lower())
        with Image.open(io.BytesIO(content)) as opened:
            blobs, sizes = data.derived(opened.convert("RGB"), size)
        blobs["original"], sizes["original"] = content, size
        meta = {
            "access_key": existing.access_key if existing else access_key,
            "created_at": existing.meta["created_at"] if existing else data.stamp(now),
            "updated_at": data.stamp(now), "uploaded": True, "stored": True, "processed": True,
            "record_id": existing.meta["record_id"] if existing else None,
            "form_id": existing.meta["form_id"] if existing else None,
            "file_size": len(content), "content_type": "image/jpeg",
            "latitude": position[0] if position else None, "longitude": position[1] if position else None,
            "created_by": existing.meta["created_by"] if existing else name,
            "created_by_id": existing.meta["created_by_id"] if existing else user_id,
            "updated_by": name, "updated_by_id": user_id, "exif": exif,
        }
        key = existing.access_key if existing else access_key
        photo = Photo(key, meta, blobs, sizes, existing.created if existing else now)
        self.dataset.photos[photo.access_key.lower()] = photo
        self.publish(photo)
        self.ordered = self._order()
        return photo

    # Requests no route takes
    async def no_route(self, request: Request, exc: Exception) -> Response:
        return self.gate(request) or json_response(NOT_FOUND, 404)

    async def wrong_method(self, request: Request, exc: Exception) -> Response:
        headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
        return json_response(b'{"error":"Method Not Allowed","status":405}', 405, headers)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def create_app(ctx: SandboxContext) -> Starlette:
    """The Fulcrum Photos API over a dataset built from `ctx.seed` (40 photos by default)."""
    emulator = Emulator(ctx, data.build(ctx.seed, ctx.size))
    photos = f"{BASE_PATH}/v2/photos"
    collection = emulator.guarded(emulator.collection)
    routes = [
        Route(f"{photos}.json", collection, methods=["GET", "POST"]),
        Route(photos, collection, methods=["GET", "POST"]),  # the vendor's client: no suffix [C]
        Route(photos + "/{id}.json", emulator.show("original", image=False), methods=["GET"]),
        Route(photos + "/{id}.jpg", emulator.show("original", image=True), methods=["GET"]),
    ]
    for version in ("thumbnail", "large"):
        routes += [
            Route(f"{photos}/{{id}}/{version}.json", emulator.show(version, image=False), methods=["GET"]),
            Route(f"{photos}/{{id}}/{version}.jpg", emulator.show(version, image=True), methods=["GET"]),
        ]
    routes.append(Route(photos + "/{id}", emulator.show("original", image=False), methods=["GET"]))
    app = Starlette(routes=routes, exception_handlers={404: emulator.no_route, 405: emulator.wrong_method})
    app.state.dataset = emulator.dataset
    app.state.emulator = emulator
    return app


def ids(app: Any) -> dict[str, list[str]]:
    """Real ids a caller can use, by kind: photos (access keys; those with every version first), and the forms and
    records they belong to."""
    data = app.state.dataset
    photos = sorted(data.photos.values(), key=lambda p: (len(p.available) < 3, p.created))
    return {"photo": [p.access_key for p in photos], "form": list(data.forms), "record": list(data.records)}
