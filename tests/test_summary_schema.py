"""schemas/report/summary.json describes summary.json exactly: real runs validate, mutations do not."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from photo_contracts import config
from photo_contracts.contracts import SCHEMAS_DIR
from photo_contracts.runner import execute

SCHEMA_PATH = SCHEMAS_DIR / "report" / "summary.json"
EXAMPLES = 5
FAITHFUL_API = "autodesk"
DRIFT_PROFILE = "autodesk-size-as-string"  # response_schema_conformance: a finding with a json_path


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def run_summary(report_dir: Path, api: str, drift: str | None = None) -> dict[str, Any]:
    cfg = config.load(overrides={"apis": [api], "sandbox_drift": drift, "report_dir": report_dir,
                                 "examples": EXAMPLES}, environ={})
    execute(cfg, out=io.StringIO())
    return json.loads((report_dir / "summary.json").read_text())


@pytest.fixture(scope="module")
def faithful(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_summary(tmp_path_factory.mktemp("faithful"), FAITHFUL_API)


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_summary(tmp_path_factory.mktemp("drifted"), FAITHFUL_API, DRIFT_PROFILE)


def errors(validator: Draft202012Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_faithful_run_validates(validator, faithful):
    assert faithful["conforms"] is True and faithful["findings"] == []
    assert errors(validator, faithful) == []


def test_drifted_run_validates(validator, drifted):
    assert drifted["conforms"] is False and drifted["sandbox_drift"] == DRIFT_PROFILE
    assert any(f["check"] == "response_schema_conformance" for f in drifted["findings"]), drifted["findings"]
    assert errors(validator, drifted) == []


def test_schema_covers_every_field_written(faithful, drifted):
    """A field summary.py adds must be added to the schema (every level is closed)."""
    schema = json.loads(SCHEMA_PATH.read_text())
    assert set(faithful) == set(schema["properties"])
    assert set(faithful["apis"][FAITHFUL_API]) == set(schema["$defs"]["api"]["properties"])
    finding_fields = set(schema["$defs"]["finding"]["properties"])
    for finding in drifted["findings"]:
        assert set(finding) <= finding_fields
    drift_fields = set(schema["$defs"]["drift"]["properties"])
    for item in faithful["drift"] + drifted["drift"]:
        assert set(item) <= drift_fields


def test_drift_kinds_match_the_comparison():
    compare = pytest.importorskip("photo_contracts.drift.compare")
    schema = json.loads(SCHEMA_PATH.read_text())
    assert set(schema["$defs"]["drift"]["properties"]["kind"]["enum"]) == set(compare.KINDS)


DRIFT_ITEM = {"api": "autodesk", "operation": "GET /projects/{projectId}/photos/{photoId}",
              "kind": "type-change", "path": "$.size", "severity": "breaking",
              "detail": "Received string at `$.size` / Documented: integer", "response": "200 application/json",
              "observed": "string"}


def _finding(data: dict[str, Any]) -> dict[str, Any]:
    return data["findings"][0]


def _api(data: dict[str, Any]) -> dict[str, Any]:
    return data["apis"][FAITHFUL_API]


def _set(get: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: get(data).__setitem__(key, value)


def _drop(get: Callable[[dict[str, Any]], dict[str, Any]], key: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: get(data).pop(key)


def _top(data: dict[str, Any]) -> dict[str, Any]:
    return data


def _with_drift(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        item = dict(DRIFT_ITEM)
        change(item)
        data["drift"] = [item]
    return mutate


MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    # top level: closed, everything required, typed
    "unknown top-level field": _set(_top, "token", "sandbox-0123"),
    "missing target": _drop(_top, "target"),
    "missing apis": _drop(_top, "apis"),
    "missing drift": _drop(_top, "drift"),
    "missing conforms": _drop(_top, "conforms"),
    "target not sandbox|live": _set(_top, "target", "staging"),
    "created not a date-time": _set(_top, "created", "2026-13-45T99:00:00Z"),
    "created with an offset": _set(_top, "created", "2026-11-22T06:00:00+01:00"),
    "tool of another name": _set(_top, "tool", "schemathesis 4.32"),
    "seed as a string": _set(_top, "seed", "0"),
    "interrupted as a string": _set(_top, "interrupted", "no"),
    "sandbox_drift empty": _set(_top, "sandbox_drift", ""),
    "conforms with findings": _set(_top, "conforms", True),
    "apis empty": _set(_top, "apis", {}),
    "findings not an array": _set(_top, "findings", {}),
    # apis.<name>
    "api: unknown field": _set(_api, "status", "ok"),
    "api: missing passed": _drop(_api, "passed"),
    "api: missing requests": _drop(_api, "requests"),
    "api: missing budget_exhausted": _drop(_api, "budget_exhausted"),
    "api: negative failed": _set(_api, "failed", -1),
    "api: requests as a float": _set(_api, "requests", 1.5),
    "api: base_url not a URL": _set(_api, "base_url", "127.0.0.1:8000"),
    "api: budget_exhausted as a number": _set(_api, "budget_exhausted", 0),
    # findings[]
    "finding: unknown field": _set(_finding, "token", "x"),
    "finding: severity critical": _set(_finding, "severity", "critical"),
    "finding: severity in capitals": _set(_finding, "severity", "BREAKING"),
    "finding: missing api": _drop(_finding, "api"),
    "finding: missing check": _drop(_finding, "check"),
    "finding: missing message": _drop(_finding, "message"),
    "finding: empty message": _set(_finding, "message", ""),
    "finding: operation without method": _set(_finding, "operation", "/photo/{id}"),
    "finding: json_path not a path": _set(_finding, "json_path", "size"),
    "finding: request null": _set(_finding, "request", None),
    "finding: occurrences zero": _set(_finding, "occurrences", 0),
    "finding: image bytes kept": _set(_finding, "image", "iVBORw0KGgo="),
    # drift[]
    "drift: not an array": _set(_top, "drift", {}),
    "drift: unknown field": _with_drift(lambda item: item.__setitem__("documented", "integer")),
    "drift: missing kind": _with_drift(lambda item: item.pop("kind")),
    "drift: missing path": _with_drift(lambda item: item.pop("path")),
    "drift: missing detail": _with_drift(lambda item: item.pop("detail")),
    "drift: unknown kind": _with_drift(lambda item: item.__setitem__("kind", "type-changed")),
    "drift: observed as a number": _with_drift(lambda item: item.__setitem__("observed", 3)),
    "drift: severity major": _with_drift(lambda item: item.__setitem__("severity", "major")),
    "drift: path not a path": _with_drift(lambda item: item.__setitem__("path", "results.size")),
    "drift: operation without path": _with_drift(lambda item: item.__setitem__("operation", "GET")),
}


def test_a_valid_drift_entry_is_accepted(validator, drifted):
    data = copy.deepcopy(drifted)
    data["drift"] = [dict(DRIFT_ITEM)]
    data["findings"][0]["occurrences"] = 3
    assert errors(validator, data) == []


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_mutation_is_rejected(validator, drifted, name):
    data = copy.deepcopy(drifted)
    MUTATIONS[name](data)
    assert errors(validator, data), f"{name}: accepted"
