"""Emulator of the VMSAlpha visitor-photo API (contracts/visitor.yaml).

Faithful to vendor-docs/visitor-retrieve-visitor-photo.txt and VENDOR-NOTES section 2:
- `GET /v1/photo/<id>` serves the stored photo (JPEG, PNG or BMP, Content-Type of the file);
  `GET /v1/photo/thumb/<id>` a JPEG 200 px wide; both with or without a trailing slash.
- Every error is HTTP 200 + application/json, `{"success": false, "errors": {...}}`. Of the two
  documented shapes the sandbox sends the vendor code's one, `{"message", "type", "code"}` with
  the code as a string; the contract accepts both.
- `Authorization: Token <t>`: missing or malformed header -> 1190, unknown token -> 1403; both are
  checked before the visitor ID (3404 unknown or malformed ID, 4515 no image on file). The vendor's
  code also takes `token <t>` (res/scripts/token.php: `preg_match('/(?:token|Token) (.*)/', ...)`), so
  the emulator does too.
- `POST /v1/oauth/` (form username, password): username "sandbox" with the sandbox token as
  password mints a new access token that works like the sandbox token.

`app.state.dataset` is the tuple of `Visitor`s; `app.state.visitor_without_image` the one whose
image is missing; `app.state.tokens` the accepted access tokens. `sample_ids` hands the runner
real visitor IDs (the API has no listing to discover them).
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from photo_contracts.sandbox import SandboxContext
from photo_contracts.sandbox.visitor_data import Visitor, build_visitors, error_body

BASE_PATH = ""  # self-hosted; the API lives at /v1 on the installation's host
# [C] res/scripts/token.php matches `(?:token|Token) (.*)`: both spellings of the word, no other.
TOKEN_PREFIXES = ("Token ", "token ")
SANDBOX_USERNAME = "sandbox"
TOKEN_LIFETIME = timedelta(seconds=2592000)  # [C] v1/oauth/index.php: $expiry = $cur_time + 2592000 (30 days)
_TOKEN = re.compile(r"^\S+$")
JSON = "application/json"


def create_app(ctx: SandboxContext) -> Starlette:
    visitors = build_visitors(ctx.seed, ctx.size)
    by_id: dict[str, Visitor] = {v.id: v for v in visitors}
    tokens: set[str] = {ctx.token}
    errors = {code: error_body(code) for code in ("1142", "1157", "1190", "1403", "3404", "4515")}

    def error(code: str) -> Response:
        return Response(errors[code], status_code=200, media_type=JSON)

    def authorize(request: Request) -> Response | None:
        header = request.headers.get("authorization")
        prefix = next((p for p in TOKEN_PREFIXES if header and header.startswith(p)), None)
        if prefix is None:
            return error("1190")
        token = header[len(prefix):]
        if not _TOKEN.match(token):
            return error("1190")
        return None if token in tokens else error("1403")

    def lookup(request: Request) -> Visitor | Response:
        denied = authorize(request)
        if denied is not None:
            return denied
        visitor = by_id.get(request.path_params.get("visitor_id", ""))
        if visitor is None:
            return error("3404")
        if not visitor.has_image:
            return error("4515")
        return visitor

    async def photo(request: Request) -> Response:
        found = lookup(request)
        if isinstance(found, Response):
            return found
        return Response(found.photo, media_type=found.content_type)

    async def thumbnail(request: Request) -> Response:
        found = lookup(request)
        if isinstance(found, Response):
            return found
        return Response(found.thumbnail, media_type="image/jpeg")

    async def oauth(request: Request) -> Response:
        form = await request.form()
        username, password = form.get("username"), form.get("password")
        if not (isinstance(username, str) and isinstance(password, str) and username and password):
            return error("1157")
        right = secrets.compare_digest(password.encode(), ctx.token.encode())
        if username != SANDBOX_USERNAME or not right:
            return error("1142")
        token = secrets.token_hex(20)
        tokens.add(token)
        expiry = int((datetime.now(UTC) + TOKEN_LIFETIME).timestamp())  # epoch seconds, as the vendor's code
        body = {"success": True, "data": {"access_token": token, "expiry": expiry}}
        return Response(json.dumps(body).encode(), media_type=JSON)

    routes = []
    photo_routes = (("/v1/photo/thumb/{visitor_id}", thumbnail), ("/v1/photo/{visitor_id}", photo),
                    ("/v1/photo", photo))
    for path, endpoint in photo_routes:
        # [D][C] trailing slash optional; an empty ID is an invalid ID (3404 once authorized).
        routes.append(Route(BASE_PATH + path, endpoint, methods=["GET"]))
        routes.append(Route(BASE_PATH + path + "/", endpoint, methods=["GET"]))
    routes.append(Route(BASE_PATH + "/v1/oauth/", oauth, methods=["POST"]))
    routes.append(Route(BASE_PATH + "/v1/oauth", oauth, methods=["POST"]))

    app = Starlette(routes=routes)
    app.state.dataset = visitors
    app.state.visitor_without_image = next((v for v in visitors if not v.has_image), None)
    app.state.tokens = tokens
    return app


def sample_ids(app: Any) -> dict[str, list[str]]:
    """Real visitor IDs for a run, as the configuration's `visitor_ids`. The one whose image is
    missing comes first: generated cases favour the first value, and a run must reach 4515 too."""
    visitors = sorted(app.state.dataset, key=lambda v: v.has_image)
    return {"visitor_ids": [v.id for v in visitors]}


def ids(app: Any) -> dict[str, list[str]]:
    """Real visitor IDs by kind (the API has no listing to find them): those with a photo, and the one whose image
    is missing (its photo answers error 4515)."""
    visitors = app.state.dataset
    return {"visitor": [v.id for v in visitors if v.has_image],
            "visitor_without_image": [v.id for v in visitors if not v.has_image]}
