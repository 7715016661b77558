"""Run-to-run audit: two hand-made observations.json files (the format of drift/observe.py)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from photo_contracts.audit import values
from photo_contracts.audit.changes import RULES
from photo_contracts.audit.diff import diff
from photo_contracts.audit.sources import open_input
from photo_contracts.drift.observe import Observations

DETAIL, LIST = "GET /photos/{id}", "GET /photos"
TIMES = [f"2025-01-0{i}T00:00:00Z" for i in range(1, 6)]


def base() -> dict[str, Any]:
    """What a run saw: built with the real recorder, so the format is the one runs write."""
    seen = Observations()
    for i, stamp in enumerate(TIMES):
        body = {"id": i + 1, "status": "approved" if i % 2 else "new", "created": stamp, "owner": {"id": 7}}
        seen.response("photos", DETAIL, 200, "application/json", body, is_json=True)
        seen.response("photos", DETAIL, 200, "image/jpeg")
        seen.image("photos", DETAIL, "original", "JPEG", (640, 480))
    seen.response("photos", DETAIL, 404, "application/json; charset=utf-8", {"message": "no"}, is_json=True)
    seen.response("photos", LIST, 200, "application/json", {"items": []}, is_json=True)
    return seen.as_dict()


def _op(doc: dict, name: str = DETAIL) -> dict:
    return doc["apis"]["photos"][name]


def _paths(doc: dict) -> dict:
    return _op(doc)["bodies"]["200 application/json"]["paths"]


def _drop_status(doc: dict, status: str) -> None:
    op = _op(doc)
    op["statuses"].pop(status)
    for facts in ("content_types", "bodies"):
        for key in [k for k in op[facts] if k.startswith(f"{status} ")]:
            op[facts].pop(key)


@dataclass(frozen=True)
class Case:
    name: str
    mutation: Callable[[dict], Any]
    rule: str
    severity: str
    where: tuple[tuple[str, str], ...]


CASES = [
    Case("operation no longer observed", lambda d: d["apis"]["photos"].pop(LIST),
         "observed-operation-disappeared", "warning", ((LIST, "operation"),)),
    Case("operation newly observed",
         lambda d: d["apis"]["photos"].update({"DELETE /photos/{id}": {"statuses": {"204": 1}}}),
         "observed-operation-appeared", "info", (("DELETE /photos/{id}", "operation"),)),
    Case("status appeared", lambda d: _op(d)["statuses"].update({"500": 1}),
         "observed-status-appeared", "warning", ((DETAIL, "response 500"),)),
    Case("success status disappeared", lambda d: _drop_status(d, "200"),
         "observed-success-status-disappeared", "warning", ((DETAIL, "response 200"),)),
    Case("error status disappeared", lambda d: _drop_status(d, "404"),
         "observed-error-status-disappeared", "info", ((DETAIL, "response 404"),)),
    Case("content type appeared", lambda d: _op(d)["content_types"].update({"200 image/png": 1}),
         "observed-content-type-appeared", "breaking", ((DETAIL, "response 200 image/png"),)),
    Case("content type disappeared", lambda d: _op(d)["content_types"].pop("200 image/jpeg"),
         "observed-content-type-disappeared", "info", ((DETAIL, "response 200 image/jpeg"),)),
    Case("path appeared (only the topmost is named)", lambda d: _paths(d).update(
        {"$.extra": {"types": {"object": 5}}, "$.extra.a": {"types": {"integer": 5}}}),
         "observed-path-appeared", "info", ((DETAIL, "response 200 $.extra"),)),
    Case("path disappeared (only the topmost is named)",
         lambda d: (_paths(d).pop("$.owner"), _paths(d).pop("$.owner.id")),
         "observed-path-disappeared", "breaking", ((DETAIL, "response 200 $.owner"),)),
    Case("type changed", lambda d: _paths(d)["$.id"].update(types={"string": 5}),
         "observed-type-changed", "breaking", ((DETAIL, "response 200 $.id"),)),
    Case("null appeared", lambda d: _paths(d)["$.owner"].update(types={"object": 4, "null": 1}),
         "observed-type-changed", "breaking", ((DETAIL, "response 200 $.owner"),)),
    Case("new value at an enum-like path", lambda d: _paths(d)["$.status"].update(
        values=["approved", "archived", "new"]), "observed-enum-value-new", "warning",
         ((DETAIL, "response 200 $.status"),)),
    Case("string format changed", lambda d: _paths(d)["$.created"].update(values=TIMES[:4] + ["13/03/2021 18:15"]),
         "observed-string-format-changed", "breaking", ((DETAIL, "response 200 $.created"),)),
    Case("image format changed", lambda d: _op(d)["images"].update(original={"PNG": 5}),
         "observed-image-format-changed", "breaking", ((DETAIL, "image original"),)),
]


def _write(tmp_path: Path, name: str, document: dict) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule_fires_alone(case: Case, tmp_path: Path) -> None:
    old = base()
    new = copy.deepcopy(old)
    case.mutation(new)
    changes = diff(open_input(_write(tmp_path, "old.json", old)), open_input(_write(tmp_path, "new.json", new)))
    assert {c.rule for c in changes} == {case.rule}, [c.as_dict() for c in changes]
    assert RULES[case.rule].severity == case.severity == changes[0].severity
    assert sorted((c.operation, c.location) for c in changes) == sorted(case.where)
    assert {c.api for c in changes} == {"photos"}


def test_new_timestamps_are_not_enum_values(tmp_path: Path) -> None:
    old = base()
    new = copy.deepcopy(old)
    _paths(new)["$.created"]["values"] = [t.replace("2025", "2026") for t in TIMES]
    assert diff(open_input(_write(tmp_path, "a.json", old)), open_input(_write(tmp_path, "b.json", new))) == []


def test_report_directory_is_read_through_its_observations(tmp_path: Path) -> None:
    (tmp_path / "run1").mkdir()
    _write(tmp_path / "run1", "observations.json", base())
    assert open_input(str(tmp_path / "run1")).kind == "observations"


def test_every_observation_rule_has_a_case() -> None:
    assert {r.id for r in RULES.values() if r.scope == "observations"} == {c.rule for c in CASES}


# -- what varies between two runs of the same API is not a change ----------------------------

SIGNED = ("?response-content-disposition=attachment%3B+filename%3D%22{id}.jpg%22&X-Amz-Algorithm=AWS4-HMAC-SHA256"
          "&X-Amz-Date={stamp}&X-Amz-Expires=60&X-Amz-Credential=KEY%2F{day}%2Fus-east-1%2Fs3%2Faws4_request"
          "&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}")
IDS = ["5b8d16c7-4203-487f-862d-bf454f3de6e1", "70c455a9-2a1b-4112-b033-1476f53fc3dd"]


def run(port: int, store: int, clock: str, fuzz: str, *, status: str = "new", folder: str = "photos") -> dict:
    """What one run of a sandbox answers: its ports, wall clock and fuzzed inputs are its own."""
    seen = Observations()
    for i in range(6):
        photo = IDS[i % 2]
        stamp = f"{clock}{i:02d}Z"
        signed = SIGNED.format(id=photo, stamp=f"{clock}00Z".replace("-", "").replace(":", ""), day=clock[:10],
                               signature=f"{port * (1 + i % 2):064x}")  # signed once per photo and run
        body = {"id": photo, "status": status if i else "approved", "updated_at": stamp,
                "url": f"http://127.0.0.1:{port}/api/v2/photos/{photo}",
                "original": f"http://127.0.0.2:{store}/{folder}/large_{photo}.jpg",
                "signed": f"http://127.0.0.2:{store}/{folder}/{photo}.jpg" + signed,
                "kind": "PHOTO"}
        seen.response("photos", DETAIL, 200, "application/json", body, is_json=True)
        seen.response("photos", DETAIL, 400, "application/json",
                      {"title": "Bad Request", "detail": f"$.limit: {fuzz!r} is not of type 'integer'"}, is_json=True)
    return seen.as_dict()


def audit(tmp_path: Path, old: dict, new: dict) -> list:
    return diff(open_input(_write(tmp_path, "old.json", old)), open_input(_write(tmp_path, "new.json", new)))


def test_two_runs_differing_only_in_ports_clocks_signatures_and_fuzz_are_the_same(tmp_path: Path) -> None:
    first = run(51275, 54733, "2026-11-30T20:41:", "\u00ca\x00")
    second = run(35757, 53561, "2026-12-01T03:12:", "abc")
    assert first != second
    assert audit(tmp_path, first, second) == []


def test_a_new_enum_value_is_still_reported_among_the_noise(tmp_path: Path) -> None:
    changes = audit(tmp_path, run(51275, 54733, "2026-11-30T20:41:", "x"),
                    run(35757, 53561, "2026-12-01T03:12:", "y", status="archived"))
    assert [(c.rule, c.location, c.message) for c in changes] == [
        ("observed-enum-value-new", "response 200 $.status", "new value: 'archived'")]


def test_a_new_url_form_is_reported_without_host_port_or_signature(tmp_path: Path) -> None:
    changes = audit(tmp_path, run(51275, 54733, "2026-11-30T20:41:", "x"),
                    run(35757, 53561, "2026-12-01T03:12:", "y", folder="images"))
    found = {c.location: c.message for c in changes}
    assert {c.rule for c in changes} == {"observed-enum-value-new"}
    assert found["response 200 $.original"] == "new value: 'http://{host}/images/large_{uuid}.jpg'"
    signed = found["response 200 $.signed"]
    assert signed.startswith("new value: 'http://{host}/images/{uuid}.jpg?X-Amz-Algorithm=&X-Amz-Credential=&")
    assert "X-Amz-Signature=&" in signed and "35757" not in signed and "53561" not in signed


def test_generated_values_at_an_enum_like_path_are_new_values(tmp_path: Path) -> None:
    old = run(51275, 54733, "2026-11-30T20:41:", "x")
    new = copy.deepcopy(old)
    paths = new["apis"]["photos"][DETAIL]["bodies"]["200 application/json"]["paths"]
    paths["$.kind"]["values"] = ["2026-11-30T20:41:00Z"]  # an enum now answers a timestamp
    changes = audit(tmp_path, old, new)
    assert [(c.rule, c.location) for c in changes] == [("observed-enum-value-new", "response 200 $.kind")]


@pytest.mark.parametrize(("value", "expected"), [
    ("http://127.0.0.1:51275/api/v2/photos/5b8d16c7-4203-487f-862d-bf454f3de6e1", "http://{host}/api/v2/photos/{uuid}"),
    ("https://cdn.example.com/photos.cloudcard/000001.24.059.up4a2rhtrq6ho5dvt8j1se1m21e703hxl9ywid22.jpg",
     "https://{host}/photos.cloudcard/{n}.{n}.{n}.{token}.jpg"),
    ("https://s3.amazonaws.com/b/k.jpg?Expires=1700000000&Signature=abc%2B&AWSAccessKeyId=AKIA",
     "https://{host}/b/k.jpg?AWSAccessKeyId=&Expires=&Signature="),
    ("APPROVED", "APPROVED"), ("createdAt asc", "createdAt asc"), ("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256"),
    ("2200", "2200"), ("Bad Request", "Bad Request"), ("image/jpeg", "image/jpeg"),
    ("2026-11-30T20:45:08Z", None), ("2021-03-13T18:15:00", None), ("2021-03-13", None),
    ("Mon, 30 Nov 2026 20:45:08 GMT", None), ("5b8d16c7-4203-487f-862d-bf454f3de6e1", None),
    ("13/03/2021 18:15", None), ("2021.03.13", None), ("18:15", None),  # timestamps in other notations
    ("large_5b8d16c7-4203-487f-862d-bf454f3de6e1", None), ("e3b0c44298fc1c149afbf4c8996fb924", None),
    ("up4a2rhtrq6ho5dvt8j1se1m21e703hxl9ywid22", None), ("max must be an integer", None),
    ("$.limit: 'abc' is not of type 'integer'", None), ("\u00ca", None), ("a\x00b", None),
])
def test_comparable_values(value: str, expected: str | None) -> None:
    assert values.comparable(value) == expected


def test_string_formats() -> None:
    assert [values.string_format(v) for v in ("https://x.test/a", "2021-03-13T18:15:00Z", "2021-03-13",
                                              "5b8d16c7-4203-487f-862d-bf454f3de6e1", "13/03/2021 18:15")] == [
        "url", "date-time", "date", "uuid", "other"]
