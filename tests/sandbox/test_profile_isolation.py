"""Every drift profile changes exactly one documented behaviour.

For each profile (and each documented-but-different variant) a faithful sandbox and a drifted
one get the same fixed requests for every read operation of the API's contract (and every POST
it marks `x-write: false`): real ids (from `sample_ids` or the API's own listing), an unknown
id, no credentials, a wrong token, each documented query parameter with a valid and an invalid
value; and the images the JSON answers link to, plus a missing key beside them.

- An operation the profile does not name must answer identically: status, media type,
  Location and body. The two servers' host:port and signed-URL query strings are normalised:
  they differ by construction.
- An operation it names must still answer identically (JSON compared as data) where its change
  is plainly not about the exchange: a status or media type its guards leave out, a non-image
  answer to an image change, a JSON answer without the path a JSON change edits, a request
  without the parameter an ignored-parameter change drops, valid credentials under a change
  that stops enforcing auth.
- No request may make the drifted server raise (a change that raises answers a bare 500).

One faithful sandbox per API serves every profile; its answers are computed once. The
`faithful` case compares two faithful sandboxes: the normalisation hides nothing but what
differs by construction.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from photo_contracts.apis import APIS
from photo_contracts.checks.facts import ApiFacts
from photo_contracts.contracts import load_contract
from photo_contracts.jsonpath import locate, values
from photo_contracts.operations import Operation, operations
from photo_contracts.sandbox import Sandbox, images, running
from photo_contracts.sandbox.changes import (
    Change,
    HttpResponse,
    IgnoreParam,
    JsonChange,
    ReencodeImage,
    RemoveField,
    ScaleImage,
    SkipAuth,
    TruncateBody,
)
from photo_contracts.sandbox.drift import DriftProfile, catalog

pytestmark = pytest.mark.slow

TOKEN = "isolation-token-5f0c9e2a41b7"
WRONG_TOKEN = "isolation-wrong-token-0000"
# Smaller datasets than the defaults (the same for both sandboxes): building 40-72 photos is most of a
# sandbox's start-up, and a dozen still hold every kind of photo (not stored, not processed, deleted).
SIZES: dict[str, int | None] = {"cloudcard": 12, "fulcrum": 12, "autodesk": 12, "visitor": None}
MAX_IDS = 4  # real ids per path parameter: one per distinct (status, media) signature, at most this
MIN_IDS = 2
MAX_CANDIDATES = 60
LINKS_PER_SHAPE = 2  # linked images fetched per key shape (UUIDs and words with digits made '#')
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# Request bodies of the reads sent as POST; any other such operation gets `{}`.
BODIES: dict[str, list[tuple[str, Any]]] = {
    "POST /authentication-token": [
        ("json", {"persistentAccessToken": TOKEN}),
        ("json", {"persistentAccessToken": WRONG_TOKEN}),
        ("json", {}),
    ],
    "POST /v1/oauth/": [
        ("form", (("username", "sandbox"), ("password", TOKEN))),
        ("form", (("username", "sandbox"), ("password", WRONG_TOKEN))),
        ("form", ()),
    ],
    "POST /projects/{projectId}/photos:filter": [
        ("json", {}),
        ("json", {"limit": 2, "include": ["signedUrls"]}),
        ("json", {"filter": {"mediaType": ["NORMAL"]}, "limit": 3}),
        ("json", {"limit": 0}),
    ],
}

# Values that differ between two servers by construction (minted tokens, the clock).
VOLATILE: dict[str, tuple[str, ...]] = {
    "POST /authentication-token": ("$.tokenValue", "$.dateCreated", "$.lastUpdated", "$.expirationDate"),
    "POST /v1/oauth/": ("$.data.access_token", "$.data.expiry"),
}


def extra_candidates(api: str, app: Any) -> dict[str, list[str]]:
    """Real values the listings do not give: the caller's organization, a deleted media."""
    if api == "cloudcard":
        return {"id": [str(app.state.dataset.organization["id"])]}
    if api == "autodesk":
        return {"photoId": [m.id for m in app.state.dataset.media if m.deleted][:1]}
    return {}


IMAGE_CHANGES = (ReencodeImage, ScaleImage, TruncateBody)


@dataclass(frozen=True)
class Probe:
    operation: str  # "GET /photo/{id}", "STORE /photos/x.jpg", "LINK /assets/..."
    about: str  # what this request varies
    method: str
    path: str  # from the API's base URL (or the store's origin), without the query
    query: tuple[tuple[str, str], ...] = ()
    auth: str = "right"  # "right", "wrong" or "none"
    body: tuple[str, Any] | None = None  # ("json", text) or ("form", pairs)
    signed: bool = False  # a store key behind a signed URL: each store signs its own

    @property
    def on_store(self) -> bool:
        return self.operation.startswith("STORE ")

    def json_body(self) -> Any:
        return json.loads(self.body[1]) if self.body and self.body[0] == "json" else None


@dataclass(frozen=True)
class Answer:
    status: int
    media: str
    location: str
    body: bytes

    def data(self) -> Any:
        """The body as JSON data when it is JSON, else the bytes."""
        if "json" in self.media:
            try:
                return json.loads(self.body)
            except ValueError:
                pass
        return self.body

    def same_data(self, other: Answer) -> bool:
        """The same answer, JSON compared as data (a change that re-serialises it is no change)."""
        return (self.status, self.media, self.location, self.data()) == (
            other.status, other.media, other.location, other.data())


def difference(expected: Answer, received: Answer) -> str:
    """Both answers, their bodies from just before the first byte where they differ."""
    def show(answer: Answer, start: int) -> str:
        if answer.media.startswith("image/"):
            text = f"<{len(answer.body)} image bytes>"
        else:
            text = ("..." if start else "") + repr(answer.body[start:start + 200])
        location = f" Location: {answer.location}" if answer.location else ""
        return f"{answer.status} {answer.media or '-'}{location} {text}"

    common = next((i for i, (a, b) in enumerate(zip(expected.body, received.body, strict=False)) if a != b),
                  min(len(expected.body), len(received.body)))
    start = max(0, common - 40)
    return f"    faithful: {show(expected, start)}\n    drifted:  {show(received, start)}"


# Sending and normalising


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


SIGNED_QUERY = re.compile(rb"(<store>/[^\"\s?<>]*)\?[^\"\s<>]*")


def normalise(response: requests.Response, sandbox: Sandbox, operation: str) -> Answer:
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    body, location = response.content, response.headers.get("location", "")
    replacements = ((origin(sandbox.base_url).encode(), b"<api>"), (sandbox.store.base_url.encode(), b"<store>"))
    for old, new in replacements:
        location = location.replace(old.decode(), new.decode())
        if not media.startswith("image/"):
            body = body.replace(old, new)
    if not media.startswith("image/"):
        body = SIGNED_QUERY.sub(rb"\1?<signed>", body)
    location = SIGNED_QUERY.sub(rb"\1?<signed>", location.encode()).decode()
    if operation in VOLATILE and "json" in media:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if document is not None:
            for path in VOLATILE[operation]:
                for container, key in locate(document, path):
                    container[key] = "<volatile>"
            body = json.dumps(document).encode()
    return Answer(response.status_code, media, location, body)


def send(session: requests.Session, sandbox: Sandbox, probe: Probe) -> Answer:
    query = list(probe.query)
    headers: dict[str, str] = {}
    if probe.on_store:
        url = sandbox.store.base_url + probe.path
        if probe.signed:
            signed = sandbox.store.signed_url(probe.path.lstrip("/"), 600)
            url, query = signed, []
    else:
        root = origin(sandbox.base_url) if probe.operation.startswith("LINK ") else sandbox.base_url
        url = root + probe.path
        if probe.auth != "none":
            headers.update(sandbox.auth_headers(WRONG_TOKEN if probe.auth == "wrong" else None))
    kwargs: dict[str, Any] = {}
    if probe.body and probe.body[0] == "json":
        kwargs["data"] = probe.body[1].encode()
        headers["content-type"] = "application/json"
    elif probe.body:
        kwargs["data"] = list(probe.body[1])
        headers["content-type"] = "application/x-www-form-urlencoded"
    response = session.request(probe.method, url, params=query, headers=headers, allow_redirects=False,
                               timeout=10, **kwargs)
    return normalise(response, sandbox, probe.operation)


# The fixed requests of an API


def local(contract: dict[str, Any], node: Any) -> Any:
    """A `#/...` reference inside the contract, followed."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = contract
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def parameters(contract: dict[str, Any], operation: Operation) -> list[dict[str, Any]]:
    shared = contract["paths"][operation.path].get("parameters", [])
    return [local(contract, p) for p in (*shared, *operation.spec.get("parameters", []))]


def sample_value(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return str(schema["enum"][0])
    kind = schema.get("type")
    if kind == "array":
        return sample_value(schema.get("items", {}))
    if kind == "boolean":
        return "true"
    if kind == "integer":
        return str(max(schema.get("minimum", 0), 2))
    if schema.get("format") == "uuid":
        return "00000000-0000-4000-8000-00000000abcd"
    return "sample"


def unknown_value(schema: dict[str, Any]) -> str | None:
    """A well-formed value no dataset has, for a path parameter the vendor facts give none for."""
    if schema.get("format") == "uuid":
        return "00000000-0000-4000-8000-00000000dead"
    if schema.get("type") == "integer":
        return "987654321"
    return None


def typed(schema: dict[str, Any]) -> bool:
    """Whether some string is not a valid value of the schema."""
    if schema.get("type") == "array":
        return typed(schema.get("items", {}))
    return "enum" in schema or schema.get("type") in ("integer", "number", "boolean") or "format" in schema


def fill(template: str, values_: dict[str, str]) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: values_[m.group(1)], template)


class ApiUnderTest:
    """One API's faithful sandbox, the fixed requests derived from it and its answers to them."""

    def __init__(self, api: str, stack: ExitStack) -> None:
        self.api = api
        self.contract = load_contract(api)
        self.facts: ApiFacts = APIS[api].facts
        self.sandbox = stack.enter_context(running(api, seed=0, size=SIZES[api], token=TOKEN))
        self.session = stack.enter_context(requests.Session())
        self.session.trust_env = False
        self.reads = [op for op in operations(self.contract) if not op.is_write]
        self.ids = self._real_ids()
        self.probes = self._api_probes()
        self.answers = {probe: send(self.session, self.sandbox, probe) for probe in self.probes}
        links = self._link_probes()
        self.answers.update({probe: send(self.session, self.sandbox, probe) for probe in links})
        self.probes += links

    def ask(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.session.request(method, self.sandbox.base_url + path, json=body,
                                    headers=self.sandbox.auth_headers(), timeout=10)

    # Real ids: the runner's sources, then one per distinct answer signature
    def _real_ids(self) -> dict[str, list[str]]:
        sample = getattr(APIS[self.api].emulator, "sample_ids", None)
        configured = sample(self.sandbox.app) if sample else {}
        candidates: dict[str, list[str]] = {}
        for source in self.facts.ids:
            given = configured.get(source.config_key)
            if given:
                candidates[source.param] = [given] if isinstance(given, str) else [str(v) for v in given]
            elif source.method and source.path and source.json_path:
                path = fill(source.path, {k: v[0] for k, v in candidates.items()})
                response = self.ask(source.method, path, source.body)
                assert response.ok, f"{self.api}: listing {path} answered {response.status_code}"
                candidates[source.param] = [str(v) for _, v in values(response.json(), source.json_path)]
        for param, extra in extra_candidates(self.api, self.sandbox.app).items():
            candidates[param] = candidates.get(param, []) + [v for v in extra if v not in candidates.get(param, [])]
        return {param: self._select(param, found[:MAX_CANDIDATES], candidates)
                for param, found in candidates.items()}

    def _select(self, param: str, found: list[str], candidates: dict[str, list[str]]) -> list[str]:
        varying = [op for op in self.reads if op.method == "get" and op.path_params[-1:] == [param]
                   and all(p in candidates for p in op.path_params)]
        if len(found) <= MIN_IDS or not varying:
            return found[:MAX_IDS]
        chosen, seen = [], set()
        for value in found:
            signature = []
            for op in varying:
                given = {p: candidates[p][0] for p in op.path_params} | {param: value}
                response = self.ask("GET", fill(op.path, given))
                signature.append((response.status_code, response.headers.get("content-type", "")))
            if tuple(signature) not in seen:
                seen.add(tuple(signature))
                chosen.append(value)
            if len(chosen) == MAX_IDS:
                break
        for value in found:
            if len(chosen) >= MIN_IDS:
                break
            if value not in chosen:
                chosen.append(value)
        return chosen

    def _api_probes(self) -> list[Probe]:
        probes: list[Probe] = []
        for op in self.reads:
            name, method = op.name, op.method.upper()
            missing = [p for p in op.path_params if p not in self.ids]
            assert not missing, f"{self.api}: no real value for {missing} of {name}"
            base = {p: self.ids[p][0] for p in op.path_params}
            path = fill(op.path, base)
            bodies: list[tuple[str, Any] | None] = [None]
            if method == "POST":
                bodies = [(kind, json.dumps(b) if kind == "json" else b)
                          for kind, b in BODIES.get(name, [("json", {})])]
            for body in bodies:
                probes.append(Probe(name, f"body {body[1] if body else '-'}", method, path, body=body))
            if op.path_params:
                last = op.path_params[-1]
                for value in self.ids[last][1:]:
                    probes.append(Probe(name, f"{last}={value}", method, fill(op.path, base | {last: value}),
                                        body=bodies[0]))
                schemas = {p["name"]: p.get("schema", {}) for p in parameters(self.contract, op)
                           if p.get("in") == "path"}
                for param in op.path_params:
                    unknown_id = self.facts.unknown_ids.get(param) or unknown_value(schemas.get(param, {}))
                    if unknown_id:
                        unknown = fill(op.path, base | {param: unknown_id})
                        probes.append(Probe(name, f"unknown {param}", method, unknown, body=bodies[0]))
            probes.append(Probe(name, "no credentials", method, path, auth="none", body=bodies[0]))
            probes.append(Probe(name, "wrong token", method, path, auth="wrong", body=bodies[0]))
            for spec in parameters(self.contract, op):
                if spec.get("in") != "query":
                    continue
                schema = spec.get("schema", {})
                good = ((spec["name"], sample_value(schema)),)
                probes.append(Probe(name, f"query {good}", method, path, good, body=bodies[0]))
                if typed(schema):
                    bad = ((spec["name"], "not-a-valid-value"),)
                    probes.append(Probe(name, f"query {bad}", method, path, bad, body=bodies[0]))
        return probes

    def _link_probes(self) -> list[Probe]:
        """The images the JSON answers link to (a few of each key shape), and a missing key beside them."""
        store = re.compile(rb"<store>(/[^\"\s?<>]*)(\?<signed>)?")
        api = re.compile(rb"<api>(/[^\"\s?<>]*\.(?:jpe?g|png|gif|bmp))")
        by_shape: dict[tuple[str, str], list[Probe]] = {}
        for answer in self.answers.values():
            if "json" not in answer.media:
                continue
            found = [("STORE", m.group(1).decode(), bool(m.group(2))) for m in store.finditer(answer.body)]
            found += [("LINK", m.group(1).decode(), False) for m in api.finditer(answer.body)]
            for kind, path, signed in found:
                shape = (kind, re.sub(r"[A-Za-z0-9]*\d[A-Za-z0-9]*", "#", UUID.sub("#", path)))
                probe = Probe(f"{kind} {path}", "linked image", "GET", path, signed=signed)
                same = by_shape.setdefault(shape, [])
                if probe not in same and len(same) < LINKS_PER_SHAPE:
                    same.append(probe)
        probes = [probe for same in by_shape.values() for probe in same]
        for (kind, _), same in by_shape.items():
            if kind == "STORE":
                stem, dot, extension = same[0].path.rpartition(".")  # the same glob ("thumb_*.jpg") matches
                missing = f"{stem}-missing{dot}{extension}" if dot else f"{same[0].path}-missing"
                probes.append(Probe(f"STORE {missing}", "missing key", "GET", missing))
        return probes


@pytest.fixture(scope="module")
def faithful() -> Iterator[Callable[[str], ApiUnderTest]]:
    """The faithful sandbox of an API and its answers, made once per API on first use."""
    made: dict[str, ApiUnderTest] = {}
    with ExitStack() as stack:
        def get(api: str) -> ApiUnderTest:
            if api not in made:
                made[api] = ApiUnderTest(api, stack)
            return made[api]

        yield get


# What a profile's change must leave alone on the operations it names


def left_alone(change: Change, probe: Probe, faithful: Answer) -> str | None:
    """Why `change` is not about this exchange (so it must answer as the faithful one), or None."""
    if type(change).edit_request is Change.edit_request:  # changes only responses
        if change.when_status is not None and faithful.status != change.when_status:
            return f"status {faithful.status}, the change is for {change.when_status}"
        if change.when_media is not None and not faithful.media.startswith(change.when_media):
            return f"media {faithful.media}, the change is for {change.when_media}"
        if isinstance(change, IMAGE_CHANGES) and not faithful.media.startswith("image/"):
            return f"an image change, the answer is {faithful.media or 'not typed'}"
        if isinstance(change, JsonChange):
            data = faithful.data()
            if isinstance(data, bytes):
                return "a JSON change, the answer is not JSON"
            if change.path != "$" and not locate(data, change.path):
                return f"a JSON change at {change.path}, absent from the answer"
    elif isinstance(change, SkipAuth) and probe.auth == "right":
        return "auth no longer enforced, the request has valid credentials"
    elif isinstance(change, IgnoreParam):
        if change.location == "query" and change.name not in dict(probe.query):
            return f"{change.name} ignored, the request has no {change.name}"
        if change.location == "body":
            document = probe.json_body()
            if not isinstance(document, dict) or not locate(document, f"$.{change.name}"):
                return f"{change.name} ignored, the request body has none"
    return None


class Raised(logging.Handler):
    """What the servers log as raised while a test runs: a change that raises answers a bare 500."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        self.messages.append(f"{type(error).__name__}: {error}" if error else record.getMessage())


@contextmanager
def server_errors() -> Iterator[Raised]:
    # uvicorn logs "Exception in ASGI application" here; it does not propagate to the root logger.
    handler, logger = Raised(), logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def names_operation(profile: DriftProfile, probe: Probe) -> bool:
    if probe.on_store:
        return any(glob.match(probe.path) for glob in profile.store_globs())
    return probe.operation in profile.operations


PROFILES = [None, *sorted(catalog())]  # None: a second faithful sandbox (the normalisation suffices)


@pytest.mark.parametrize("name", PROFILES, ids=lambda n: n or "faithful")
def test_profile_changes_only_what_it_names(name: str | None, faithful: Callable[[str], ApiUnderTest]) -> None:
    profile = catalog()[name] if name else None
    for api in [profile.api] if profile else APIS:
        reference = faithful(api)
        if profile:
            named = [op for op in profile.operations if not op.startswith("STORE ")]
            unknown = set(named) - {op.name for op in operations(reference.contract)}
            assert not unknown, f"{name} names operations the contract does not have: {sorted(unknown)}"
            for glob in profile.store_globs():
                assert any(p.on_store and glob.match(p.path) for p in reference.probes), (
                    f"{name}: no linked image matches {glob.pattern}; the test would not see the store")
        leaks: list[str] = []
        with (running(api, drift=name, seed=0, size=SIZES[api], token=TOKEN) as drifted,
              requests.Session() as session, server_errors() as raised):
            session.trust_env = False
            for probe in reference.probes:
                reason: str | None
                before = len(raised.messages)
                expected, received = reference.answers[probe], send(session, drifted, probe)
                if len(raised.messages) > before:  # on any operation, named or not
                    reason = f"the server raised {'; '.join(raised.messages[before:])}"
                elif profile is not None and names_operation(profile, probe):
                    reason = left_alone(profile.change, probe, expected)
                    if reason is None or received.same_data(expected):
                        continue
                elif received == expected:
                    continue
                else:
                    reason = "an operation the profile does not name"
                leaks.append(f"{probe.operation} [{probe.about}]: {reason}\n{difference(expected, received)}")
        who = name or "a second faithful sandbox"
        assert not leaks, f"{who} ({api}) changes more than it names:\n" + "\n".join(leaks)


# The image changes themselves, on answers they are not about (no server needed)

NOT_IMAGES = [
    HttpResponse(401, {"content-type": "application/json"}, b'{"error":"Unauthorized"}'),
    HttpResponse(404, {"content-type": "application/json; charset=utf-8"}, b"{}"),
    HttpResponse(404, {"content-type": "application/xml"}, b"<Error><Code>NoSuchKey</Code></Error>"),
    HttpResponse(204, {}, b""),
    HttpResponse(200, {"content-type": "image/jpeg"}, b"not really a JPEG"),  # typed, but undecodable
]


@pytest.mark.parametrize("change", [ScaleImage(factor=10), ReencodeImage(format="PNG")], ids=repr)
@pytest.mark.parametrize("response", NOT_IMAGES, ids=lambda r: f"{r.status}-{r.media_type or 'untyped'}")
def test_image_changes_leave_other_answers_alone(change: Change, response: HttpResponse) -> None:
    edited = copy.deepcopy(response)
    change.edit_response(edited)
    assert edited == response


@pytest.mark.parametrize("response", NOT_IMAGES[:4], ids=lambda r: f"{r.status}-{r.media_type or 'untyped'}")
def test_truncation_leaves_answers_that_are_not_images_alone(response: HttpResponse) -> None:
    edited = copy.deepcopy(response)
    TruncateBody(keep=0.5).edit_response(edited)
    assert edited == response


def test_image_changes_still_change_images() -> None:
    jpeg = images.make_image(40, 60, seed=1)
    for change, check in ((ScaleImage(factor=2), lambda body: images.size_of(body) == (80, 120)),
                          (ReencodeImage(format="PNG"), lambda body: body.startswith(b"\x89PNG")),
                          (TruncateBody(keep=0.5), lambda body: len(body) == len(jpeg) // 2)):
        for headers in ({"content-type": "image/jpeg"}, {"content-type": "application/octet-stream"}):
            response = HttpResponse(200, dict(headers), jpeg)
            change.edit_response(response)
            assert check(response.body), (change, headers)


def test_json_changes_leave_bodies_that_do_not_parse_alone() -> None:
    response = HttpResponse(200, {"content-type": "application/json"}, b"")
    RemoveField(path="$.photo.original").edit_response(response)
    assert response.body == b""
