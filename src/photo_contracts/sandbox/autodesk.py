"""Emulator of the Autodesk Construction Cloud Photos API (GET one media, POST photos:filter).

What the sources say of requests (schemas/DISCREPANCIES.md, "Autodesk ... requests"): with
cursorState every other body member is ignored (Autodesk's photos:filter page); an unknown filter
member is refused ("Unknown field"), sort is a [field, direction] pair, a date filter is one
date-time or a 'from..to' range, include also takes relationshipsCount, and a comma-joined include
on GET is a 400 (autodesk-platform-sdk); Autodesk's Postman sample sends include=signedUrls in the
query of photos:filter, which is accepted too.

Choices where the vendor documents nothing ([I], written down in schemas/DISCREPANCIES.md):
- a project other than the dataset's -> 403 (a valid token without access to that project);
- deleted media: GET -> 410; photos:filter never lists them;
- filter: all members AND-ed; createdAt/takenAt ranges are inclusive (open ends, date-only bounds
  cover the whole day, invalid calendar days roll over leniently), a single value is the range
  from itself to itself; id/createdBy/mediaType lists match any value; title is a case-insensitive
  substring;
- include=relationshipsCount is accepted and adds nothing (no source shows what it adds);
- sort: createdAt desc by default, ties broken by id;
- cursorState: text in the grammar of CURSOR_PATTERN (below), carrying offset, limit, include,
  sort and filter, so nextPost.body is {"cursorState"} alone, as documented; every string of the
  grammar is accepted.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from photo_contracts.contracts import SCHEMAS_DIR, file_uri, validator
from photo_contracts.sandbox import SandboxContext
from photo_contracts.sandbox.autodesk_data import ASSETS_PATH, Dataset, Media, build

BASE_PATH = "/construction/photos/v1"
DEFAULT_SORT = ["createdAt desc"]  # internal form: "field direction" (the request sends a pair)
INCLUDES = ("signedUrls", "relationshipsCount")
FILTER_MEMBERS = ("createdAt", "takenAt", "createdBy", "id", "title", "mediaType")
DEFAULT_LIMIT = 25
MORE_INFO = "https://aps.autodesk.com/en/docs/oauth/v2/developers_guide/error_handling/"
_BOUND = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?)?",
    re.ASCII,
)


def gateway_error(code: str, message: str, status: int = 401) -> JSONResponse:
    """The API gateway's error body [D]."""
    body = {"developerMessage": message, "userMessage": "", "errorCode": code,
            "more info": MORE_INFO}
    return JSONResponse(body, status_code=status)


def service_error(status: int, title: str, detail: str) -> JSONResponse:
    """The Photos service's error body ([I]: the docs give status codes, not bodies)."""
    return JSONResponse({"title": title, "detail": detail, "status": status}, status_code=status)


def parse_bound(text: str, end: bool) -> datetime:
    """A range bound as a naive UTC datetime; date-only `end` bounds cover the whole day."""
    match = _BOUND.fullmatch(text)
    if match is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if int(year) < 1:
        return datetime.min
    try:
        # Lenient calendar: 2021-02-30 is 2021-03-02 (the schema's pattern allows it).
        moment = datetime(int(year), int(month), 1) + timedelta(days=int(day) - 1)
        if hour is None:
            return moment + timedelta(days=1, microseconds=-1) if end else moment
        moment += timedelta(hours=int(hour), minutes=int(minute), seconds=int(second),
                            microseconds=int((fraction or "0")[:6].ljust(6, "0")))
        if zone and zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            moment -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        return moment
    except OverflowError:
        return datetime.max


def in_range(value: datetime | None, expression: str) -> bool:
    """Whether `value` is in a date filter: 'from..to' (inclusive, open ends) or one value ([I]: itself..itself)."""
    start, dots, stop = expression.partition("..")
    if not dots:
        stop = start
    if value is None:
        return False
    return (not start or parse_bound(start, False) <= value) and (
        not stop or value <= parse_bound(stop, True))


def include_problem(values: list[str]) -> str | None:
    """Why `include` query values are a 400 (one value per parameter: a comma-joined list is refused), or None."""
    if any("," in value for value in values):
        return "include takes one value per parameter (include=signedUrls&include=relationshipsCount)"
    if any(value not in INCLUDES for value in values):
        return "include accepts only " + " and ".join(INCLUDES)
    return None


def matches(media: Media, query: dict[str, Any]) -> bool:
    """Whether `media` satisfies every member of a photos:filter `filter` object."""
    record = media.record
    if "id" in query and record["id"].lower() not in {i.lower() for i in query["id"]}:
        return False
    if "mediaType" in query and record["mediaType"] not in query["mediaType"]:
        return False
    if "createdBy" in query and record["createdBy"] not in query["createdBy"]:
        return False
    if "title" in query and query["title"].lower() not in record["title"].lower():
        return False
    ranges = [name for name in ("createdAt", "takenAt") if name in query]
    return all(in_range(media.times.get(name), query[name]) for name in ranges)


def ordered(items: list[Media], sort: list[str]) -> list[Media]:
    result = sorted(items, key=lambda m: m.id)
    for key in reversed(sort):
        name, _, direction = key.partition(" ")
        result.sort(key=lambda m, n=name: m.times.get(n, datetime.min), reverse=direction == "desc")
    return result


# cursorState ------------------------------------------------------------------------------
# The vendor documents cursorState only as the value pagination.nextPost.body carries. This
# emulator's cursors are plain text in a small grammar that carries the whole query (offset,
# limit, include, sort, filter), so that nextPost.body can be {"cursorState"} alone, as documented,
# and EVERY string of the grammar is a cursor it accepts: filter-request.json states the grammar
# as the pattern of cursorState (CURSOR_PATTERN, the same text), so generated cursors are valid.
#   o<offset>~l<limit>~i<0|1>~s<sort key>~f[*a<createdAt range>][*k<takenAt range>][*b<createdBy,...>]
#                                      [*d<id,...>][*n<title>][*m<media types>]
# sort: c/C createdAt asc/desc, t/T takenAt asc/desc; media types N I P V; free text is
# percent-encoded (only A-Z a-z 0-9 _ - % remain), decoded leniently.
_DATE = (r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
         r"(\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?")
_RANGE = rf"({_DATE})?\.\.({_DATE})?"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_TEXT = r"[A-Za-z0-9_%-]"
_CURSOR_PARTS = (
    ("o", r"o(0|[1-9][0-9]{0,8})"), ("l", r"~l([1-9]|[1-4][0-9]|50)"), ("i", r"~i[01]"), ("s", r"~s[cCtT]"),
    (None, "~f"),
    ("a", rf"(\*a{_RANGE})?"), ("k", rf"(\*k{_RANGE})?"), ("b", rf"(\*b{_TEXT}+(,{_TEXT}+)*)?"),
    ("d", rf"(\*d{_UUID}(,{_UUID})*)?"), ("n", rf"(\*n{_TEXT}*)?"), ("m", r"(\*m[NIPV]+)?"),
)
CURSOR_PATTERN = "^" + "".join(part for _, part in _CURSOR_PARTS) + "$"
_CURSOR = re.compile("".join(f"(?P<{name}>{part})" if name else part for name, part in _CURSOR_PARTS), re.ASCII)
SORT_CODES = {"createdAt asc": "c", "createdAt desc": "C", "takenAt asc": "t", "takenAt desc": "T"}
MEDIA_CODES = {"NORMAL": "N", "INFRARED": "I", "PHOTOSPHERE": "P", "VIDEO": "V"}
_SORTS = {code: key for key, code in SORT_CODES.items()}
_MEDIA = {code: name for name, code in MEDIA_CODES.items()}


def _text(value: str) -> str:
    return quote(value, safe="").replace(".", "%2E").replace("~", "%7E")


def encode_cursor(state: dict[str, Any]) -> str:
    """The cursor of a query (o offset, l limit, i include, s sort, f filter)."""
    sort = SORT_CODES[state["s"][0]]  # one key: the request's [field, direction] pair
    query, text = state["f"], f"o{int(state['o'])}~l{int(state['l'])}~i{int('signedUrls' in state['i'])}~s{sort}~f"
    for name, code in (("createdAt", "a"), ("takenAt", "k")):
        if name in query:  # a single value is the range from itself to itself
            value = query[name]
            text += f"*{code}{value if '..' in value else f'{value}..{value}'}"
    if "createdBy" in query:
        text += "*b" + ",".join(_text(v) for v in query["createdBy"])
    if "id" in query:
        text += "*d" + ",".join(query["id"])
    if "title" in query:
        text += "*n" + _text(query["title"])
    if "mediaType" in query:
        text += "*m" + "".join(MEDIA_CODES[m] for m in query["mediaType"])
    return text


def decode_cursor(text: str) -> dict[str, Any] | None:
    """The query a cursor carries; None for a string outside the grammar."""
    match = _CURSOR.fullmatch(text)
    if match is None:
        return None
    part = match.groupdict()
    query: dict[str, Any] = {}
    for name, code in (("createdAt", "a"), ("takenAt", "k")):
        if part[code]:
            query[name] = part[code][2:]
    if part["b"]:
        query["createdBy"] = [unquote(v) for v in part["b"][2:].split(",")]
    if part["d"]:
        query["id"] = part["d"][2:].split(",")
    if part["n"]:
        query["title"] = unquote(part["n"][2:])
    if part["m"]:
        query["mediaType"] = [_MEDIA[c] for c in part["m"][2:]]
    return {"o": int(part["o"][1:]), "l": int(part["l"][2:]), "i": ["signedUrls"] if part["i"] == "~i1" else [],
            "s": [_SORTS[c] for c in part["s"][2:]], "f": query}


class PhotosApi:
    """The handlers, over one dataset."""

    def __init__(self, ctx: SandboxContext, dataset: Dataset) -> None:
        self.ctx = ctx
        self.dataset = dataset
        self.request_schema = validator(file_uri(SCHEMAS_DIR / "autodesk" / "filter-request.json"))

    def _authenticate(self, request: Request) -> Response | None:
        header = request.headers.get("authorization")
        if header is None:
            return gateway_error("AUTH-012", "The required header Authorization is missing.")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or token.strip() != self.ctx.token:
            return gateway_error("AUTH-006", "The token is not valid")
        return None

    def _project(self, request: Request) -> Response | None:
        if request.path_params["projectId"].lower() != self.dataset.project_id:
            return service_error(403, "Forbidden", "You do not have access to this project")
        return None

    def _item(self, media: Media, signed: bool) -> dict[str, Any]:
        if not signed:
            return media.record
        store, ttl = self.ctx.store, self.ctx.signed_url_ttl
        thumbnail_name = media.file_name[:-4] + "_t.jpg"
        signed_urls = {
            "fileUrl": store.signed_url(media.file_key, ttl, filename=media.file_name),
            "thumbnailUrl": store.signed_url(media.thumbnail_key, ttl, filename=thumbnail_name),
        }
        return dict(media.record, signedUrls=signed_urls)

    async def get_photo(self, request: Request) -> Response:
        if denied := self._authenticate(request) or self._project(request):
            return denied
        include = request.query_params.getlist("include")
        if problem := include_problem(include):
            return service_error(400, "Bad Request", problem)
        media = self.dataset.by_id.get(request.path_params["photoId"].lower())
        if media is None:
            return service_error(404, "Not Found", "The media cannot be found")
        if media.deleted:
            return service_error(410, "Gone", "The media was deleted by a user")
        return JSONResponse(self._item(media, "signedUrls" in include))

    def _invalid(self, body: Any) -> str | None:
        """The first way `body` breaks the filter-request schema, or None."""
        error = next(iter(self.request_schema.iter_errors(body)), None)
        return None if error is None else f"{error.json_path}: {error.message}"

    def _query(self, body: dict[str, Any]) -> dict[str, Any] | str:
        """The page to serve (filter, sort, limit, include, offset), or why the body is a 400.

        A cursor carries the query it continues, and with a cursor every other member is ignored
        (Autodesk's photos:filter page: "If provided, all other body parameters are ignored.")."""
        if "cursorState" in body:
            cursor = body["cursorState"]
            state = decode_cursor(cursor) if isinstance(cursor, str) else None
            return state if state is not None else "cursorState is not valid"
        query = body.get("filter")
        if isinstance(query, dict) and (unknown := sorted(set(query) - set(FILTER_MEMBERS))):
            return f"Unknown field: filter.{unknown[0]}"  # autodesk-platform-sdk: "Unknown field"
        if problem := self._invalid(body):
            return problem
        state = {"f": {}, "s": DEFAULT_SORT, "l": DEFAULT_LIMIT, "i": [], "o": 0}
        for key, short in (("filter", "f"), ("limit", "l"), ("include", "i")):
            if key in body:
                state[short] = body[key]
        if "sort" in body:
            state["s"] = [" ".join(body["sort"])]  # the pair, in the internal "field direction" form
        return state

    async def filter_photos(self, request: Request) -> Response:
        if denied := self._authenticate(request) or self._project(request):
            return denied
        try:
            body = json.loads(await request.body())
        except ValueError:
            return service_error(400, "Bad Request", "The request body is not valid JSON")
        if not isinstance(body, dict):
            return service_error(400, "Bad Request", "The request body must be a JSON object")
        query = self._query(body)
        if isinstance(query, str):
            return service_error(400, "Bad Request", query)
        # Autodesk's Postman sample asks for signedUrls in the query of photos:filter, too.
        extra = request.query_params.getlist("include")
        if problem := include_problem(extra):
            return service_error(400, "Bad Request", problem)
        query = dict(query, i=list(query["i"]) + extra)
        found = ordered([m for m in self.dataset.live() if matches(m, query["f"])], query["s"])
        offset, limit = query["o"], int(query["l"])  # 44.0 is a valid integer in JSON Schema
        signed = "signedUrls" in query["i"]
        page: dict[str, Any] = {
            "pagination": {"limit": limit},
            "results": [self._item(m, signed) for m in found[offset:offset + limit]],
        }
        if offset + limit < len(found):
            # Documented: nextPost.body is {"cursorState"}; the cursor carries filter, sort, limit, include.
            page["pagination"]["nextPost"] = {
                "url": str(request.url.replace(query="")),
                "body": {"cursorState": encode_cursor(dict(query, o=offset + limit))},
            }
        return JSONResponse(page)

    async def asset(self, request: Request) -> Response:
        """The auth-required `urls` of a media (Bearer token needed, unlike signedUrls)."""
        if denied := self._authenticate(request):
            return denied
        name = request.path_params["fileName"].rstrip('"')  # the docs' example URLs end with '"'
        found = self.dataset.assets.get(f"{request.path_params['assetId']}/{name}")
        if found is None:
            return service_error(404, "Not Found", "The asset cannot be found")
        media, thumbnail = found
        if media.deleted:
            return service_error(410, "Gone", "The media was deleted by a user")
        return Response(media.thumbnail if thumbnail else media.original, media_type="image/jpeg")


def create_app(ctx: SandboxContext) -> Starlette:
    parts = urlsplit(ctx.base_url)
    dataset = build(ctx.seed, ctx.size, f"{parts.scheme}://{parts.netloc}")
    for media in dataset.media:
        ctx.store.put(media.file_key, media.original, "image/jpeg", signed=True)
        ctx.store.put(media.thumbnail_key, media.thumbnail, "image/jpeg", signed=True)
    api = PhotosApi(ctx, dataset)
    project = f"{BASE_PATH}/projects/{{projectId}}"
    app = Starlette(routes=[
        Route(f"{project}/photos/{{photoId}}", api.get_photo, methods=["GET"]),
        Route(f"{project}/photos:filter", api.filter_photos, methods=["POST"]),
        Route(f"{ASSETS_PATH}/{{assetId}}/{{fileName}}", api.asset, methods=["GET", "HEAD"]),
    ])
    app.state.dataset = dataset
    return app


def sample_ids(app: Any) -> dict[str, Any]:
    """The project a run checks (the API has no project listing), as the configuration's `project_id`, and
    media deleted by a user, as a configuration's `deleted_ids` (photos:filter does not list them)."""
    dataset = app.state.dataset
    return {"project_id": dataset.project_id, "deleted_ids": [m.id for m in dataset.media if m.deleted][:2]}


def ids(app: Any) -> dict[str, list[str]]:
    """Real ids a caller can use, by kind: the project, its live media (newest created first, as photos:filter
    lists them by default) and media deleted by a user (GET answers 410)."""
    dataset = app.state.dataset
    live = sorted(dataset.live(), key=lambda m: (m.record["createdAt"], m.id), reverse=True)
    return {"project": [dataset.project_id], "photo": [m.id for m in live],
            "deleted_photo": [m.id for m in dataset.media if m.deleted]}
