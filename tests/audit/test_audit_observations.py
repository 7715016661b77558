"""Run-to-run audit: two hand-made observations.json files (the format of drift/observe.py)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

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
    Case("operation newly observed", lambda d: d["apis"]["photos"].update({"DELETE /photos/{id}": {"statuses": {"204": 1}}}),
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
    Case("path disappeared (only the topmost is named)", lambda d: (_paths(d).pop("$.owner"), _paths(d).pop("$.owner.id")),
         "observed-path-disappeared", "breaking", ((DETAIL, "response 200 $.owner"),)),
    Case("type changed", lambda d: _paths(d)["$.id"].update(types={"string": 5}),
         "observed-type-changed", "breaking", ((DETAIL, "response 200 $.id"),)),
    Case("null appeared", lambda d: _paths(d)["$.owner"].update(types={"object": 4, "null": 1}),
         "observed-type-changed", "breaking", ((DETAIL, "response 200 $.owner"),)),
    Case("new value at an enum-like path", lambda d: _paths(d)["$.status"].update(
        values=["approved", "archived", "new"]), "observed-enum-value-new", "warning",
         ((DETAIL, "response 200 $.status"),)),
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
