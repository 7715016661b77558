"""The request budget as a plan (issue 16): a large dataset starves no invariant or probe, a looping cursor is a
finding within a few requests, and summary.json records the plan, every part within its share and what flowed
to it."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from photo_contracts import config
from photo_contracts.apis import get_api
from photo_contracts.budget import Part, Plan, ShareSpent
from photo_contracts.checks import registry
from photo_contracts.contracts import SCHEMAS_DIR
from photo_contracts.judge import budget_gaps
from photo_contracts.runner import execute
from photo_contracts.sandbox import running

VENDOR_TOKEN = "budget-vendor-token-4b7e21"
LARGE = 500  # photos in the listing: ten pages of the largest limit, five hundred of the smallest


# The plan on its own: shares, what flows on, one part refused while the others go on

def parts(*needs: tuple[str, int, int]) -> list[Part]:
    return [Part(name, name.split(" ")[0], stage, need) for name, stage, need in needs]


def spend(plan: Plan, name: str, times: int) -> None:
    with plan.spending(name):
        for _ in range(times):
            plan.charge()


def test_each_part_gets_its_need_when_they_fit_and_the_rest_is_nobody_s():
    plan = Plan(20)
    plan.lay_out(parts(("positive A", 1, 5), ("invariant B", 2, 6), ("probes", 3, 3)), spent_before=2)
    shares = {p["part"]: p["share"] for p in plan.as_dict()["parts"]}
    assert shares == {"ids": 2, "positive A": 5, "invariant B": 6, "probes": 3}
    assert plan.as_dict()["reserved"] <= 20


def test_when_the_needs_exceed_the_budget_the_answers_beyond_their_floor_give_way_first():
    plan = Plan(20)
    plan.lay_out([Part("positive A", "positive", 1, 30, floor=4), Part("invariant B", "invariant", 2, 8),
                  Part("probes", "probes", 3, 4)])
    shares = {p["part"]: p["share"] for p in plan.as_dict()["parts"]}
    assert shares["invariant B"] == 8 and shares["probes"] == 4  # the promises keep their whole need
    assert shares["positive A"] == 8 and sum(shares.values()) == 20


def test_what_a_part_leaves_flows_on_and_a_spent_part_is_refused_alone():
    plan = Plan(12)
    plan.lay_out(parts(("positive A", 1, 4), ("invariant B", 2, 4), ("probes", 3, 4)))
    spend(plan, "positive A", 1)  # leaves 3 of its 4
    spend(plan, "invariant B", 7)  # its 4, and the 3 A left
    with pytest.raises(ShareSpent) as refused, plan.spending("invariant B"):
        plan.charge()  # the probes' 4 are theirs
    assert refused.value.part == "invariant B"
    spend(plan, "probes", 4)  # the others go on
    by_name = {p["part"]: p for p in plan.as_dict()["parts"]}
    assert by_name["invariant B"] == {"part": "invariant B", "kind": "invariant", "operation": "-", "need": 4,
                                      "share": 4, "spent": 7, "flowed_in": 3, "refused": 1}
    assert plan.as_dict()["spent"] == 12
    for part in by_name.values():
        assert part["spent"] <= part["share"] + part["flowed_in"]


def test_a_check_the_budget_starved_is_a_gap_with_the_requests_it_needed():
    plan = Plan(6)
    plan.lay_out([Part("positive GET /x", "positive", 1, 2, where="GET /x"),
                  Part("invariant pagination_is_consistent", "invariant", 2, 21, where="GET /x")])
    # Not even one example of the invariant fits: nothing is reserved for it (a part of a check judges nothing),
    # the answers keep theirs, and the invariant may spend what they leave.
    assert [p["share"] for p in plan.as_dict()["parts"]] == [0, 2, 0]
    spend(plan, "positive GET /x", 1)
    with pytest.raises(ShareSpent):
        spend(plan, "invariant pagination_is_consistent", 6)
    [gap] = budget_gaps(plan)
    assert (gap.check, gap.operation, gap.needed, gap.blocks) == ("pagination_is_consistent", "GET /x", 21, False)
    assert "gave it 5 requests (0 reserved, 5 flowed to it)" in gap.reason
    assert gap.as_dict()["requests_needed"] == 21


def test_when_the_floors_do_not_fit_the_checks_are_reserved_whole_the_cheapest_first():
    plan = Plan(12)
    plan.lay_out([Part("positive A", "positive", 1, 10, floor=6), Part("invariant B", "invariant", 2, 21, floor=5),
                  Part("promise C", "promise", 3, 3), Part("invariant D", "invariant", 4, 6, floor=2)])
    shares = {p["part"]: p["share"] for p in plan.as_dict()["parts"]}
    assert shares == {"ids": 0, "positive A": 2, "promise C": 3, "invariant D": 2, "invariant B": 5}


def test_every_invariant_and_promise_says_what_it_needs():
    """The plan reserves for a check of its own what it declares; every built-in one declares it."""
    for api in ("cloudcard", "fulcrum", "autodesk"):
        for name, check in get_api(api).invariants.items():
            assert check.need is not None, f"{api}: {name}"
    for group in ("error", "promise"):
        for name in registry.in_group(group):
            assert registry.CHECKS[name].need is not None, name


# Live runs against sandboxes

def write_config(path: Path, api: str, base_url: str, ids: dict[str, Any], budget_: int | None = None) -> Path:
    lines = [f"[{api}]", f'base_url = "{base_url}"', 'token_env = "VENDOR_TOKEN"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in ids.items()]
    lines += ["", "[limits]", "rate = 1000", "retries = 0"] + ([f"budget = {budget_}"] if budget_ else [])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def live_run(tmp_path: Path, sandbox: Any, api: str, ids: dict[str, Any]) -> tuple[int, Any, dict[str, Any]]:
    cfg = config.load(write_config(tmp_path / "live.toml", api, sandbox.base_url, ids),
                      environ={"VENDOR_TOKEN": VENDOR_TOKEN},
                      overrides={"target": "live", "report_dir": tmp_path / "reports", "jobs": 1})
    code, run = execute(cfg, out=io.StringIO())
    return code, run, json.loads((tmp_path / "reports" / "summary.json").read_text(encoding="utf-8"))


def autodesk_ids(sandbox: Any) -> dict[str, Any]:
    return {key: value for key, value in get_api("autodesk").emulator.sample_ids(sandbox.app).items()
            if key in ("project_id", "deleted_ids")}


@pytest.fixture(scope="module")
def large_autodesk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Any, dict[str, Any]]]:
    """A default live run (budget 150) against an Autodesk project of LARGE photos."""
    with running("autodesk", token=VENDOR_TOKEN, size=LARGE) as sandbox:
        yield live_run(tmp_path_factory.mktemp("large"), sandbox, "autodesk", autodesk_ids(sandbox))


@pytest.mark.slow
def test_a_large_dataset_starves_no_invariant_and_no_probe(large_autodesk):
    code, run, summary = large_autodesk
    api = summary["apis"]["autodesk"]
    assert code == 0 and summary["verdict"] == "conforms", [f.message for f in run.findings]
    assert api["requests"] <= 150
    coverage = api["coverage"]["POST /projects/{projectId}/photos:filter"]["checks"]
    for invariant in get_api("autodesk").invariants:  # every declared one judged, none skipped
        assert coverage[invariant] == {"applied": 1}, invariant
    parts = {p["part"]: p for p in api["budget"]["parts"]}
    assert parts["probes"]["spent"] == parts["probes"]["need"] > 0 and not parts["probes"]["refused"]
    assert not [p for p in parts.values() if p["refused"]]
    assert not [g for g in api["gaps"] if g.get("check")]
    # pagination follows the pages that cover the first page's media, whatever the size of the listing
    assert parts["invariant pagination_is_consistent"]["spent"] <= parts["invariant pagination_is_consistent"]["need"]


@pytest.mark.slow
def test_summary_json_records_the_plan_within_the_budget(large_autodesk):
    _, run, summary = large_autodesk
    schema = json.loads((SCHEMAS_DIR / "report" / "summary.json").read_text(encoding="utf-8"))
    jsonschema.validate(summary, schema)
    plan = summary["apis"]["autodesk"]["budget"]
    assert plan == run.plans["autodesk"].as_dict()
    assert plan["budget"] == 150 and plan["enforced"] is True
    assert plan["reserved"] == sum(p["share"] for p in plan["parts"]) <= plan["budget"]
    assert plan["spent"] == sum(p["spent"] for p in plan["parts"]) == summary["apis"]["autodesk"]["requests"]
    for part in plan["parts"]:
        assert part["spent"] <= part["share"] + part["flowed_in"], part
    kinds = {p["kind"] for p in plan["parts"]}
    assert {"ids", "positive", "images", "error", "promise", "invariant", "probes"} <= kinds


def looping_cursor(app: Any) -> Any:
    """The emulator, but every nextPost of photos:filter leads back to the first page (same limit, offset 0)."""
    from photo_contracts.sandbox.autodesk import decode_cursor, encode_cursor

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("photos:filter"):
            await app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            try:
                page = json.loads(body)
                following = page["pagination"]["nextPost"]
                state = decode_cursor(following["body"]["cursorState"])
                following["body"]["cursorState"] = encode_cursor(dict(state, o=0))
                body = json.dumps(page).encode()
            except (ValueError, KeyError, TypeError):
                pass  # no nextPost (or not a page): as it was
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, capture)

    wrapped.state = app.state  # type: ignore[attr-defined]  # the dataset, for sample_ids
    return wrapped


@pytest.mark.slow
def test_a_looping_cursor_is_a_finding_within_a_few_requests(tmp_path, monkeypatch):
    emulator = get_api("autodesk").emulator
    create = emulator.create_app
    monkeypatch.setattr(emulator, "create_app", lambda ctx: looping_cursor(create(ctx)))
    with running("autodesk", token=VENDOR_TOKEN, size=60) as sandbox:
        code, run, summary = live_run(tmp_path, sandbox, "autodesk", autodesk_ids(sandbox))
    found = [f for f in run.findings if f.check == "pagination_is_consistent"]
    assert code == 1 and found, [f.check for f in run.findings]
    assert "again" in found[0].message and found[0].severity == "breaking"
    part = next(p for p in summary["apis"]["autodesk"]["budget"]["parts"]
                if p["part"] == "invariant pagination_is_consistent")
    assert 2 <= part["spent"] <= 4  # the first page, and the one the cursor led back to


@pytest.mark.slow
def test_configured_deleted_media_beyond_the_asked_ones_are_said_to_be_left_out(tmp_path):
    """deleted_media_is_gone asks for at most DELETED_ASKED of them (its share of the budget); the others are listed
    in `ids.left_out` with why, not silently dropped."""
    from photo_contracts.checks.promises import DELETED_ASKED

    with running("autodesk", token=VENDOR_TOKEN, size=LARGE) as sandbox:
        deleted = [m.id for m in sandbox.app.state.dataset.media if m.deleted][:DELETED_ASKED + 2]
        ids = {**autodesk_ids(sandbox), "deleted_ids": deleted}
        code, _, summary = live_run(tmp_path, sandbox, "autodesk", ids)
    assert len(deleted) == DELETED_ASKED + 2 and code == 0
    left_out = [e for entries in summary["apis"]["autodesk"]["ids"]["left_out"].values() for e in entries]
    assert {e.split(":", 1)[0] for e in left_out if "deleted media are asked for" in e} == set(deleted[DELETED_ASKED:])
