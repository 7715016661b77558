"""Drift profiles: one documented behaviour of a faithful emulator, changed the way a vendor might.

A profile is data: the operations it touches, one declarative change, and the name of the
check that must catch it. A profile with no check is a "documented but different" variant:
it answers in a way the vendor's documents allow but the faithful emulator does not (another
valid order, an empty body where none is documented, content negotiation on Accept), and the
suite must give it no breaking finding and no warning. `DriftMiddleware` applies it around the emulator's ASGI app (and
around the object store, for operations written `STORE <glob>`).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from photo_contracts.apis import APIS, get_api
from photo_contracts.errors import ToolError
from photo_contracts.sandbox.changes import Change, HttpRequest, HttpResponse, decode_query, encode_query


@dataclass(frozen=True)
class DriftProfile:
    name: str
    api: str
    description: str
    check: str | None  # the check that must report a finding; None for a documented-but-different variant
    operations: tuple[str, ...]  # "GET /photo/{id}" (contract paths) or "STORE photos/*"
    change: Change

    @property
    def is_variant(self) -> bool:
        return self.check is None

    def store_globs(self) -> list[re.Pattern[str]]:
        """Object-store keys this profile changes (operations written `STORE <glob>`)."""
        return [re.compile(fnmatch.translate("/" + op[6:].lstrip("/"))) for op in self.operations
                if op.startswith("STORE ")]


def template_regex(template: str) -> re.Pattern[str]:
    """`/photo/{id}` -> a regex for concrete paths (a trailing slash allowed, as servers do)."""
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+?" if p.startswith("{") else re.escape(p) for p in parts) + "/?$")


def operation_of(method: str, path: str, templates: list[tuple[str, re.Pattern[str]]]) -> str | None:
    """The contract operation a request addresses; a literal path wins over a template
    (`/photo/download` is not `/photo/{id}`), as OpenAPI prescribes."""
    matching = [t for t, regex in templates if regex.match(path)]
    if not matching:
        return None
    return f"{method} {min(matching, key=lambda t: (t.count('{'), -len(t)))}"


class DriftMiddleware:
    """Applies a profile's change to the requests and responses of the operations it names."""

    def __init__(self, app: Any, profile: DriftProfile, role: str, base_path: str, credential: tuple[str, str],
                 templates: list[str] = ()) -> None:
        self.app = app
        self.change = profile.change
        self.role = role
        self.operations = set(profile.operations)
        self.globs = profile.store_globs()
        self.templates = [(t, template_regex(t)) for t in templates]
        self.base_path = base_path.rstrip("/")
        self.credential = credential

    def _matches(self, scope: dict[str, Any]) -> bool:
        path, method = scope["path"], scope["method"]
        if self.role == "store":
            return method in ("GET", "HEAD") and any(glob.match(path) for glob in self.globs)
        if self.base_path and path.startswith(self.base_path):
            path = path[len(self.base_path):]
        operation = operation_of("GET" if method == "HEAD" else method, path, self.templates)
        return operation in self.operations

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not self._matches(scope):
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = HttpRequest(
            decode_query(scope.get("query_string", b"")),
            {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
            body,
        )
        host = request.headers.get("host", "")
        request.url = f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}{scope['path']}"
        self.change.edit_request(request, self.credential)
        request.headers["content-length"] = str(len(request.body))
        scope = dict(scope, query_string=encode_query(request.query),
                     headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in request.headers.items()])
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": request.body, "more_body": False}

        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, replay, capture)
        response = HttpResponse(
            start["status"],
            {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start.get("headers", [])},
            b"".join(chunks),
            request,
        )
        if self.change.applies(response):
            self.change.edit_response(response)
        response.headers["content-length"] = str(len(response.body))
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body if scope["method"] != "HEAD" else b""})


def _loadable() -> tuple[list[Any], list[str]]:
    """The registered APIs that load, and the names of those that do not (a broken plugin of someone else's
    takes part in no run, and must not stop the others)."""
    loaded, broken = [], []
    for name in APIS:
        try:
            loaded.append(get_api(name))
        except ToolError:
            broken.append(name)
    return loaded, broken


@cache
def catalog() -> dict[str, DriftProfile]:
    """Every drift profile of every API that loads, by name."""
    profiles: dict[str, DriftProfile] = {}
    for api in _loadable()[0]:
        for profile in api.profiles:
            if profile.name in profiles:
                raise ToolError(f"the drift profile name {profile.name!r} is used by the APIs "
                                f"{profiles[profile.name].api} and {api.name}: each must be unique")
            profiles[profile.name] = profile
    return profiles


def get_profile(name: str, api: str | None = None) -> DriftProfile:
    """The profile called `name` (for `api`, when given), or a ToolError listing valid names."""
    profiles = {p.name: p for p in get_api(api).profiles} if api else catalog()
    if name not in profiles:
        scope = f" for API {api!r}" if api else ""
        broken = [] if api else _loadable()[1]
        unsearched = f" (not searched: {', '.join(broken)}, which cannot be loaded)" if broken else ""
        raise ToolError(f"unknown drift profile {name!r}{scope}; valid names: {', '.join(sorted(profiles))}"
                        f"{unsearched}")
    return profiles[name]
