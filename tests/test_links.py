"""Ids the API hands out are followed: the contracts' OpenAPI links, following them, and live runs that judge
every read operation from one configured id (or none where a listing exists), use every configured id, and
say where each id came from and which were left out."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import photo_contracts.sandbox as sandbox_module
from photo_contracts import config
from photo_contracts.apis import APIS
from photo_contracts.contracts import load_contract
from photo_contracts.errors import ToolError
from photo_contracts.links import FOLLOW_TRIES, Link, contract_links, follow
from photo_contracts.operations import Operation, operations
from photo_contracts.runner import execute
from photo_contracts.sandbox import running
from photo_contracts.sandbox.server import ServerThread

TOKEN = "vendor-issued-token-5e8f0c"


def link_table(api: str) -> set[tuple[str, str, str, str]]:
    return {(link.source, link.target, link.param, link.expression) for link in contract_links(load_contract(api))}


# The contracts


@pytest.mark.parametrize("api", APIS)
def test_every_link_names_an_operation_and_a_mark(api: str) -> None:
    links = contract_links(load_contract(api))  # a link to no operation raises
    assert links, f"{api}: no link says where an id comes from"
    assert all(link.mark is not None and link.mark.quote for link in links)


def test_the_links_the_runs_follow() -> None:
    cloudcard = link_table("cloudcard")
    assert ("GET /photo", "GET /photo/{id}", "id", "$response.body#/0/id") in cloudcard
    assert ("GET /photo", "PUT /photo/{id}", "id", "$response.body#/0/id") in cloudcard
    assert ("GET /photo/{id}", "GET /organization/{id}", "id", "$response.body#/person/organization/id") in cloudcard
    fulcrum = link_table("fulcrum")
    details = [op.name for op in operations(load_contract("fulcrum")) if op.path_params]
    by_key = "$response.body#/photos/0/access_key"
    for listing in ("GET /v2/photos.json", "GET /v2/photos"):  # both listings share one answer, and its links
        assert {t for s, t, p, e in fulcrum if s == listing and e == by_key} == set(details)
    autodesk = link_table("autodesk")
    filter_ = "POST /projects/{projectId}/photos:filter"
    detail = "GET /projects/{projectId}/photos/{photoId}"
    assert autodesk == {(filter_, detail, "projectId", "$request.path.projectId"),
                        (filter_, detail, "photoId", "$response.body#/results/0/id")}
    assert link_table("visitor") == {("GET /v1/photo/{visitorId}", "GET /v1/photo/thumb/{visitorId}", "visitorId",
                                      "$request.path.visitorId")}


def test_a_link_to_no_operation_is_a_broken_contract() -> None:
    document = {"paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {
        "description": "x", "links": {"B": {"operationId": "nowhere", "parameters": {"id": "$response.body#/id"}}}}}}}}}
    with pytest.raises(ToolError, match="link B names 'nowhere'"):
        contract_links(document)


def test_operation_refs_qualified_names_and_component_links_are_read() -> None:
    document = {
        "paths": {
            "/things": {"get": {"responses": {"200": {"$ref": "#/components/responses/Things"}}}},
            "/things/{thingId}": {"get": {"operationId": "getThing", "responses": {"200": {"description": "x"}}}},
        },
        "components": {
            "responses": {"Things": {"description": "x", "links": {"Thing": {"$ref": "#/components/links/Thing"}}}},
            "links": {"Thing": {"operationRef": "#/paths/~1things~1{thingId}/get", "x-assumed": "ours",
                                "parameters": {"path.thingId": "$response.body#/items/0/key", "q": "$url"}}},
        },
    }
    [link] = contract_links(document)
    assert (link.source, link.target, link.param) == ("GET /things", "GET /things/{thingId}", "thingId")
    assert link.mark is not None and link.mark.quote == "ours"


def test_a_listing_link_takes_every_item_of_the_page_once() -> None:
    link = Link("GET /photo", "200", "GetPhoto", "GET /photo/{id}", "id", "$response.body#/0/id")
    assert link.values([{"id": 3}, {"id": 1}, {"id": 3}, {"no": 1}, {"id": None}, {"id": True}]) == ["3", "1"]
    assert link.json_path() == "$[*].id" and link.origin() == "listing GET /photo"
    nested = Link("GET /photo/{id}", "200", "Org", "GET /organization/{id}", "id",
                  "$response.body#/person/organization/id")
    assert nested.values({"person": {"organization": {"id": 7}}}) == ["7"]
    assert nested.values({"person": None}) == []
    assert nested.origin() == "link from GET /photo/{id} $.person.organization.id"


# Following them

CLOUDCARD = list(operations(load_contract("cloudcard")))
PHOTO, ORG, UPDATE = ("GET /photo/{id}", "id"), ("GET /organization/{id}", "id"), ("PUT /photo/{id}", "id")


class Vendor:
    """A fake CloudCard for `follow`: a listing, details (one id unknown) and a record of what was asked."""

    def __init__(self, listed: list[int]) -> None:
        self.listed, self.asked = listed, []

    def __call__(self, op: Operation, path: dict[str, str]) -> Any:
        self.asked.append((op.name, path))
        if op.name == "GET /photo":
            return [{"id": i} for i in self.listed]
        if op.name == "GET /photo/{id}" and path["id"] != "404":
            return {"id": int(path["id"]), "person": {"organization": {"id": 1}}}
        return None


def test_configured_ids_first_then_listed_ones_then_linked_ones() -> None:
    vendor = Vendor([11, 12, 11])
    slots = follow(CLOUDCARD, contract_links(load_contract("cloudcard")), {PHOTO: {"404": "configured"}}, vendor, 12)
    assert slots[PHOTO] == {"404": "configured", "11": "listing GET /photo", "12": "listing GET /photo"}
    # The organization: asked of the configured photo first (unknown), then of a listed one.
    assert slots[ORG] == {"1": "link from GET /photo/{id} $.person.organization.id"}
    assert vendor.asked == [("GET /photo", {}), ("GET /photo/{id}", {"id": "404"}), ("GET /photo/{id}", {"id": "11"})]
    # PUT takes both the listed ids and (the same id as GET /photo/{id}) the configured one, never asked itself.
    assert set(slots[UPDATE]) == {"404", "11", "12"} and slots[UPDATE]["404"] == "configured"


def test_following_stops_after_a_few_tries_and_asks_no_write() -> None:
    vendor = Vendor([])
    seeds = {PHOTO: {"404": "configured", "405": "configured", "406": "configured", "407": "configured"}}

    def unknown(op: Operation, path: dict[str, str]) -> Any:
        vendor.asked.append((op.name, path))
        return [] if op.name == "GET /photo" else None

    slots = follow(CLOUDCARD, contract_links(load_contract("cloudcard")), seeds, unknown, 12)
    assert ORG not in slots or not slots[ORG]
    assert [a for a in vendor.asked if a[0] == "GET /photo/{id}"] == [
        ("GET /photo/{id}", {"id": str(i)}) for i in range(404, 404 + FOLLOW_TRIES)]
    assert all(name.startswith("GET") for name, _ in vendor.asked)


def test_a_listing_is_not_asked_when_its_ids_are_already_enough() -> None:
    fulcrum = list(operations(load_contract("fulcrum")))
    asked: list[str] = []

    def listing(op: Operation, path: dict[str, str]) -> Any:
        asked.append(op.name)
        return {"photos": [{"access_key": f"k{i}"} for i in range(5)]}

    slots = follow(fulcrum, contract_links(load_contract("fulcrum")), {}, listing, 5)
    assert asked == ["GET /v2/photos.json"]  # the unsuffixed listing would give the same ids again
    assert list(slots[("GET /v2/photos/{id}.jpg", "id")]) == [f"k{i}" for i in range(5)]


# Live runs on loopback


class Counting:
    def __init__(self, app: Any, seen: list[tuple[str, str]], lock: threading.Lock) -> None:
        self.app, self.seen, self.lock = app, seen, lock

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            with self.lock:
                self.seen.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Every (method, path) the sandboxes started in the test serve."""
    requests: list[tuple[str, str]] = []
    lock = threading.Lock()
    monkeypatch.setattr(sandbox_module, "ServerThread",
                        lambda app, sock: ServerThread(Counting(app, requests, lock), sock))
    yield requests


def live_run(tmp_path: Path, api: str, base_url: str, ids: dict[str, Any], budget: int = 150,
             examples: int | None = None) -> Any:
    lines = [f"[{api}]", f'base_url = "{base_url}"', 'token_env = "VENDOR_TOKEN"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in ids.items()]
    lines += ["", "[limits]", f"budget = {budget}", "rate = 1000"]
    path = tmp_path / "live.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    overrides: dict[str, Any] = {"target": "live", "report_dir": tmp_path / "reports"}
    if examples is not None:
        overrides["examples"] = examples
    cfg = config.load(path, environ={"VENDOR_TOKEN": TOKEN}, overrides=overrides)
    out = io.StringIO()
    code, run = execute(cfg, out=out)
    return code, run, out.getvalue()


def read_operations(api: str) -> list[str]:
    return [op.name for op in operations(load_contract(api)) if not op.is_write and op.spec.get("security") != []]


LISTED = ("cloudcard", "fulcrum", "autodesk")  # APIs with a listing of their photos


def configured_ids(api: str, sandbox: Any, given: str) -> dict[str, Any]:
    """One configured photo id ("one"), or none where a listing gives them ("none"); Autodesk's project and a
    visitor id always (no listing gives them)."""
    data = sandbox.app.state.dataset
    if api == "visitor":
        return {"visitor_ids": [next(v.id for v in data if v.has_image)]}
    ids: dict[str, Any] = {"project_id": data.project_id} if api == "autodesk" else {}
    if given == "one":
        photo = {"cloudcard": lambda: next(iter(data.photos)), "fulcrum": lambda: next(iter(data.photos)),
                 "autodesk": lambda: next(m.id for m in data.media if not m.deleted)}[api]()
        ids["photo_ids"] = [photo]
    return ids


PARAM = {"visitor_ids": "visitorId", "project_id": "projectId"}
PHOTO_PARAM = {"cloudcard": "id", "fulcrum": "id", "autodesk": "photoId"}
RUNS = [("visitor", "one")] + [(api, given) for api in LISTED for given in ("one", "none")]


@pytest.mark.slow
@pytest.mark.parametrize(("api", "given"), RUNS, ids=[f"{a}-{g}" for a, g in RUNS])
def test_one_id_or_none_judges_every_read_operation(tmp_path: Path, api: str, given: str) -> None:
    with running(api, token=TOKEN) as sandbox:
        ids = configured_ids(api, sandbox, given)
        code, run, output = live_run(tmp_path, api, sandbox.base_url, ids)
    target = run.targets[api]
    ledger = run.ledger.operations(api)
    unjudged = [op for op in read_operations(api) if not (op in ledger and ledger[op].successes)]
    assert unjudged == [], output
    assert code == 0, output
    origins = target.id_origins
    for key, values in ids.items():
        param = PARAM.get(key) or PHOTO_PARAM[api]
        for value in values if isinstance(values, list) else [values]:
            assert origins[param][str(value)] == "configured"
            assert target.ids[param][0] == str(value)  # configured ids first
    found = {origin for param, held in origins.items() for origin in held.values()} - {"configured"}
    assert found == {
        "visitor": set(),
        "cloudcard": {"listing GET /photo", "link from GET /photo/{id} $.person.organization.id"},
        "fulcrum": {"listing GET /v2/photos.json"},
        "autodesk": {"listing POST /projects/{projectId}/photos:filter"},
    }[api]
    if api == "cloudcard":
        assert target.ids_for("GET /organization/{id}", "id") == [
            v for v, o in origins["id"].items() if o.startswith("link from")]
    assert target.ids_left_out == {}


@pytest.mark.slow
def test_a_configured_id_that_does_not_serve_everything_is_followed_by_listed_ones(tmp_path: Path) -> None:
    """A Fulcrum photo not yet stored: its image and versions answer 404, listed photos answer the rest."""
    with running("fulcrum", token=TOKEN) as sandbox:
        unstored = next(k for k, p in sandbox.app.state.dataset.photos.items() if not p.meta["stored"])
        code, run, output = live_run(tmp_path, "fulcrum", sandbox.base_url, {"photo_ids": [unstored]})
    ledger = run.ledger.operations("fulcrum")
    assert all(ledger[op].successes for op in read_operations("fulcrum")), output
    assert ledger["GET /v2/photos/{id}.jpg"].statuses["404"] >= 1  # the configured one was asked all the same
    assert run.targets["fulcrum"].ids_for("GET /v2/photos/{id}.jpg", "id")[0] == unstored
    assert code == 0, output


VISITOR_PATHS = ("/v1/photo/{}", "/v1/photo/thumb/{}")


@pytest.mark.slow
def test_every_configured_id_is_requested(tmp_path: Path, seen: list[tuple[str, str]]) -> None:
    """Eleven visitor ids on a live run of 5 examples: each goes to each read operation."""
    with running("visitor", token=TOKEN) as sandbox:
        real = [v.id for v in sandbox.app.state.dataset]
        ids = (real + [f"{n:040x}" for n in range(1, 12)])[:11]
        code, run, output = live_run(tmp_path, "visitor", sandbox.base_url, {"visitor_ids": ids}, examples=5)
    requested = {path for method, path in seen if method == "GET"}
    missing = [(template, i) for template in VISITOR_PATHS for i in ids if template.format(i) not in requested]
    assert missing == [], output
    assert run.targets["visitor"].ids_left_out == {}
    assert set(run.targets["visitor"].id_origins["visitorId"]) == set(ids)
    assert set(run.targets["visitor"].id_origins["visitorId"].values()) == {"configured"}


@pytest.mark.slow
def test_ids_the_budget_leaves_out_are_named_with_the_reason(tmp_path: Path, seen: list[tuple[str, str]]) -> None:
    with running("visitor", token=TOKEN) as sandbox:
        ids = [v.id for v in sandbox.app.state.dataset]
        code, run, output = live_run(tmp_path, "visitor", sandbox.base_url, {"visitor_ids": ids}, budget=5)
    target = run.targets["visitor"]
    requested = {path for method, path in seen if method == "GET"}
    left_out = target.ids_left_out["visitorId"]
    for visitor in ids:
        for template in VISITOR_PATHS:
            operation = "GET " + template.format("{visitorId}")
            entry = [e for e in left_out if e.startswith(f"{visitor}: ") and operation in e]
            if template.format(visitor) in requested:
                assert entry == [], (visitor, operation, left_out)
            else:
                assert entry and "budget of 5" in entry[0].split(": not sent to ", 1)[1], (visitor, operation, left_out)
    assert len(left_out) >= len(ids) - 5  # the budget of 5 reached five ids at most
