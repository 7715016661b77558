"""Every contract rule on a pair of crafted versions: exactly that rule fires, with its severity,
at the expected operations and locations, and nothing else does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from audit_helpers import BASE, Mutation, Version

from photo_contracts.audit.changes import RULES, Change
from photo_contracts.audit.diff import diff
from photo_contracts.audit.sources import open_input

LIST, DETAIL = "GET /photos", "GET /photos/{id}"


@dataclass(frozen=True)
class Case:
    name: str
    mutation: Mutation
    rule: str
    severity: str
    where: tuple[tuple[str, str], ...]  # (operation, location) of every change expected


def _params(v: Version) -> list[dict]:
    return v.op("get", "/photos")["parameters"]


def _param(v: Version, name: str) -> dict:
    return next(p for p in _params(v) if p["name"] == name)


def _create(v: Version) -> dict:
    return v.schemas["photo-create.json"]


def _photo(v: Version) -> dict:
    return v.schemas["photo.json"]


def _owner(v: Version) -> dict:
    return v.schemas["photo.json"]["$defs"]["owner"]


def _add_bearer(v: Version) -> None:
    v.contract["components"]["securitySchemes"]["bearer"] = {"type": "http", "scheme": "bearer"}
    v.op("get", "/photos/{id}")["security"] = [{"bearer": []}]


def _both(location: str) -> tuple[tuple[str, str], ...]:
    """A change in photo.json shows in the list (as items) and in the detail."""
    return ((LIST, f"response 200 $.items[*]{location}"), (DETAIL, f"response 200 ${location}"))


CASES = [
    # operations
    Case("operation removed", lambda v: v.contract["paths"]["/photos/{id}"].pop("delete"),
         "operation-removed", "breaking", (("DELETE /photos/{id}", "operation"),)),
    Case("operation added", lambda v: v.contract["paths"]["/photos/{id}"].update(
        patch={"responses": {"200": {"description": "ok"}}}),
         "operation-added", "info", (("PATCH /photos/{id}", "operation"),)),
    Case("operation deprecated", lambda v: v.op("delete", "/photos/{id}").update(deprecated=True),
         "operation-deprecated", "warning", (("DELETE /photos/{id}", "operation"),)),
    # parameters
    Case("required parameter added", lambda v: _params(v).append(
        {"name": "tenant", "in": "query", "required": True, "schema": {"type": "string"}}),
         "parameter-added-required", "breaking", ((LIST, "parameter query tenant"),)),
    Case("optional parameter added", lambda v: _params(v).append(
        {"name": "sort", "in": "query", "schema": {"type": "string"}}),
         "parameter-added-optional", "info", ((LIST, "parameter query sort"),)),
    Case("parameter removed", lambda v: _params(v).remove(_param(v, "q")),
         "parameter-removed", "warning", ((LIST, "parameter query q"),)),
    Case("parameter became required", lambda v: _param(v, "limit").update(required=True),
         "parameter-became-required", "breaking", ((LIST, "parameter query limit"),)),
    Case("parameter became optional", lambda v: _param(v, "X-Trace").update(required=False),
         "parameter-became-optional", "info", ((LIST, "parameter header X-Trace"),)),
    Case("maximum lowered", lambda v: _param(v, "limit")["schema"].update(maximum=50),
         "request-constraint-tightened", "breaking", ((LIST, "parameter query limit"),)),
    Case("minimum raised", lambda v: _param(v, "limit")["schema"].update(minimum=10),
         "request-constraint-tightened", "breaking", ((LIST, "parameter query limit"),)),
    Case("maxLength lowered", lambda v: _param(v, "q")["schema"].update(maxLength=10),
         "request-constraint-tightened", "breaking", ((LIST, "parameter query q"),)),
    Case("pattern added", lambda v: _param(v, "q")["schema"].update(pattern="^[a-z]+$"),
         "request-constraint-tightened", "breaking", ((LIST, "parameter query q"),)),
    Case("pattern changed", lambda v: _create(v)["properties"]["name"].update(minLength=1, pattern="^a"),
         "request-constraint-tightened", "breaking", (("POST /photos", "request body $.name"),)),
    Case("enum introduced on a parameter", lambda v: _param(v, "q")["schema"].update(enum=["a", "b"]),
         "request-constraint-tightened", "breaking", ((LIST, "parameter query q"),)),
    Case("path parameter minimum raised", lambda v: v.contract["components"]["parameters"]["Id"]["schema"]
         .update(minimum=100), "request-constraint-tightened", "breaking",
         (("DELETE /photos/{id}", "parameter path id"), (DETAIL, "parameter path id"),
          ("PUT /photos/{id}", "parameter path id"))),
    Case("maxLength raised", lambda v: _param(v, "q")["schema"].update(maxLength=100),
         "request-constraint-loosened", "info", ((LIST, "parameter query q"),)),
    Case("parameter enum value removed", lambda v: _param(v, "status")["schema"]["enum"].remove("denied"),
         "request-enum-value-removed", "breaking", ((LIST, "parameter query status"),)),
    Case("parameter enum value added", lambda v: _param(v, "status")["schema"]["enum"].append("archived"),
         "request-enum-value-added", "info", ((LIST, "parameter query status"),)),
    # request bodies
    Case("request body became required", lambda v: v.op("put", "/photos/{id}")["requestBody"].update(
        required=True), "request-body-became-required", "breaking", (("PUT /photos/{id}", "request body"),)),
    Case("request media type removed", lambda v: v.op("post", "/photos")["requestBody"]["content"].pop(
        "multipart/form-data"), "request-media-type-removed", "breaking",
         (("POST /photos", "request body multipart/form-data"),)),
    Case("request media type added", lambda v: v.op("post", "/photos")["requestBody"]["content"].update(
        {"application/x-www-form-urlencoded": {}}), "request-media-type-added", "info",
         (("POST /photos", "request body application/x-www-form-urlencoded"),)),
    Case("request property removed", lambda v: _create(v)["properties"].pop("tags"),
         "request-property-removed", "warning", (("POST /photos", "request body $.tags"),)),
    Case("required request property added", lambda v: (
        _create(v)["properties"].update(album={"type": "string"}), _create(v)["required"].append("album")),
         "request-property-added-required", "breaking", (("POST /photos", "request body $.album"),)),
    Case("optional request property added", lambda v: _create(v)["properties"].update(album={"type": "string"}),
         "request-property-added-optional", "info", (("POST /photos", "request body $.album"),)),
    Case("request property became required", lambda v: _create(v)["required"].append("kind"),
         "request-property-became-required", "breaking", (("POST /photos", "request body $.kind"),)),
    Case("request property became optional", lambda v: _create(v)["required"].remove("name"),
         "request-property-became-optional", "info", (("POST /photos", "request body $.name"),)),
    Case("request type changed", lambda v: _create(v)["properties"]["name"].update(type="integer"),
         "request-type-changed", "breaking", (("POST /photos", "request body $.name"),)),
    Case("request type widened", lambda v: _create(v)["properties"]["name"].update(type=["string", "null"]),
         "request-type-widened", "info", (("POST /photos", "request body $.name"),)),
    Case("request enum value removed", lambda v: _create(v)["properties"]["kind"]["enum"].remove("landscape"),
         "request-enum-value-removed", "breaking", (("POST /photos", "request body $.kind"),)),
    Case("request enum value added", lambda v: _create(v)["properties"]["kind"]["enum"].append("square"),
         "request-enum-value-added", "info", (("POST /photos", "request body $.kind"),)),
    Case("request array items constrained", lambda v: _create(v)["properties"]["tags"]["items"].update(
        maxLength=20), "request-constraint-tightened", "breaking", (("POST /photos", "request body $.tags[*]"),)),
    # additionalProperties, prefixItems and if/then/else, read by the one schema model drift reads too
    Case("request additionalProperties true -> false", lambda v: _create(v).update(additionalProperties=False),
         "request-constraint-tightened", "breaking", (("POST /photos", "request body $"),)),
    Case("request additionalProperties given a schema", lambda v: _create(v).update(
        additionalProperties={"type": "string"}), "request-type-changed", "breaking",
         (("POST /photos", "request body $.*"),)),
    Case("request prefixItems constrain the first item", lambda v: _create(v)["properties"]["tags"].update(
        prefixItems=[{"type": "string", "maxLength": 10}]), "request-constraint-tightened", "breaking",
         (("POST /photos", "request body $.tags[0]"),)),
    Case("request if/then added", lambda v: _create(v).update({"if": {"required": ["kind"]},
                                                               "then": {"required": ["tags"]}}),
         "request-property-became-required", "breaking", (("POST /photos", "request body $(then).tags"),)),
    Case("response additionalProperties true -> false", lambda v: _photo(v).update(additionalProperties=False),
         "response-constraint-tightened", "info", _both("")),
    # status codes and response media types
    Case("success status removed", lambda v: v.op("delete", "/photos/{id}")["responses"].pop("204"),
         "success-status-removed", "breaking", (("DELETE /photos/{id}", "response 204"),)),
    Case("error status removed", lambda v: v.op("delete", "/photos/{id}")["responses"].pop("404"),
         "error-status-removed", "warning", (("DELETE /photos/{id}", "response 404"),)),
    Case("success status added", lambda v: v.op("delete", "/photos/{id}")["responses"].update(
        {"202": {"description": "later"}}), "success-status-added", "warning",
         (("DELETE /photos/{id}", "response 202"),)),
    Case("error status added", lambda v: v.op("delete", "/photos/{id}")["responses"].update(
        {"409": {"description": "conflict"}}), "error-status-added", "info",
         (("DELETE /photos/{id}", "response 409"),)),
    Case("response media type removed", lambda v: v.op("get", "/photos/{id}")["responses"]["200"]["content"]
         .pop("image/jpeg"), "response-media-type-removed", "breaking", ((DETAIL, "response 200 image/jpeg"),)),
    Case("response media type added", lambda v: v.op("get", "/photos/{id}")["responses"]["200"]["content"]
         .update({"image/png": {}}), "response-media-type-added", "info", ((DETAIL, "response 200 image/png"),)),
    # response bodies: $ref into other files, allOf, anyOf, items, nested properties
    Case("response field removed", lambda v: (_photo(v)["properties"].pop("width"), _photo(v)["required"].remove(
        "width")), "response-property-removed", "breaking", _both(".width")),
    Case("response field removed from an allOf part", lambda v: (
        v.schemas["base.json"]["properties"].pop("created"), v.schemas["base.json"]["required"].remove("created")),
         "response-property-removed", "breaking", _both(".created")),
    Case("response field removed under anyOf", lambda v: _owner(v)["properties"].pop("name"),
         "response-property-removed", "breaking", _both(".owner.name")),
    Case("response field removed at the top", lambda v: v.schemas["photo-list.json"]["properties"].pop("next"),
         "response-property-removed", "breaking", ((LIST, "response 200 $.next"),)),
    Case("response field added", lambda v: _photo(v)["properties"].update(height={"type": "integer"}),
         "response-property-added", "info", _both(".height")),
    Case("response field became optional", lambda v: _photo(v)["required"].remove("width"),
         "response-property-became-optional", "breaking", _both(".width")),
    Case("response field became required", lambda v: _owner(v)["required"].append("name"),
         "response-property-became-required", "info", _both(".owner.name")),
    Case("response type changed", lambda v: _photo(v)["properties"]["width"].update(type="string"),
         "response-type-changed", "breaking", _both(".width")),
    Case("response field may be null", lambda v: _photo(v)["properties"]["width"].update(type=["integer", "null"]),
         "response-type-changed", "breaking", _both(".width")),
    Case("response type narrowed", lambda v: _photo(v)["properties"]["caption"].update(type="string"),
         "response-type-narrowed", "info", _both(".caption")),
    Case("response enum value added", lambda v: v.schemas["status.json"]["enum"].append("archived"),
         "response-enum-value-added", "warning", _both(".status")),
    Case("response enum dropped", lambda v: v.schemas["status.json"].pop("enum"),
         "response-enum-value-added", "warning", _both(".status")),
    Case("response enum value removed", lambda v: v.schemas["status.json"]["enum"].remove("denied"),
         "response-enum-value-removed", "info", _both(".status")),
    Case("response bound tightened", lambda v: _photo(v)["properties"]["caption"].update(maxLength=100),
         "response-constraint-tightened", "info", _both(".caption")),
    Case("response bound loosened", lambda v: _photo(v)["properties"]["caption"].update(maxLength=300),
         "response-constraint-loosened", "warning", _both(".caption")),
    Case("response bound removed", lambda v: _photo(v)["properties"]["caption"].pop("maxLength"),
         "response-constraint-loosened", "warning", _both(".caption")),
    Case("response format changed", lambda v: v.schemas["base.json"]["properties"]["created"].update(
        format="date"), "response-constraint-loosened", "warning", _both(".created")),
    Case("response pattern added", lambda v: _photo(v)["properties"]["caption"].update(pattern="^.+$"),
         "response-constraint-tightened", "info", _both(".caption")),
    Case("error body field added", lambda v: v.schemas["error.json"]["properties"].update(code={"type": "string"}),
         "response-property-added", "info",
         (("DELETE /photos/{id}", "response 404 $.code"), (LIST, "response 400 $.code"),
          (DETAIL, "response 404 $.code"), ("POST /photos", "response 400 $.code"),
          ("PUT /photos/{id}", "response 404 $.code"))),
    # security
    Case("operation needs another scheme", _add_bearer, "security-changed", "breaking",
         ((DETAIL, "security"),)),
    Case("credential became optional", lambda v: v.op("delete", "/photos/{id}").update(
        security=[{"apiKey": []}, {}]), "security-relaxed", "info", (("DELETE /photos/{id}", "security"),)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule_fires_alone(case: Case, crafted) -> None:
    new = crafted(case.mutation)
    changes = diff(open_input(str(BASE)), open_input(str(new)))
    assert {c.rule for c in changes} == {case.rule}, [c.as_dict() for c in changes]
    assert RULES[case.rule].severity == case.severity
    assert {c.severity for c in changes} == {case.severity}
    assert sorted((c.operation, c.location) for c in changes) == sorted(case.where)


def test_header_name_change_breaks_every_authenticated_operation(crafted) -> None:
    new = crafted(lambda v: v.contract["components"]["securitySchemes"]["apiKey"].update(name="X-Key"))
    changes = diff(open_input(str(BASE)), open_input(str(new)))
    assert {(c.rule, c.location) for c in changes} == {("security-changed", "security")}
    assert len(changes) == 5  # every operation uses the default security
    assert "X-Api-Key" in changes[0].message and "X-Key" in changes[0].message


@pytest.mark.parametrize("field,value", [("type", "http"), ("in", "query"), ("x-auth-prefix", "Token ")])
def test_every_scheme_attribute_counts(crafted, field: str, value: str) -> None:
    new = crafted(lambda v: v.contract["components"]["securitySchemes"]["apiKey"].update({field: value}))
    changes = diff(open_input(str(BASE)), open_input(str(new)))
    assert {c.rule for c in changes} == {"security-changed"}


def test_renamed_scheme_and_path_parameter_are_no_change(crafted) -> None:
    def rename(v: Version) -> None:
        schemes = v.contract["components"]["securitySchemes"]
        schemes["key"] = schemes.pop("apiKey")
        v.contract["security"] = [{"key": []}]

    assert diff(open_input(str(BASE)), open_input(str(crafted(rename)))) == []


def test_unchanged_contract_has_no_change() -> None:
    assert diff(open_input(str(BASE)), open_input(str(BASE))) == []


def test_real_contracts_compare_with_themselves(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2] / "contracts"
    for contract in sorted(root.glob("*.yaml")):
        assert diff(open_input(str(contract)), open_input(str(contract))) == [], contract.name


def test_every_contract_rule_has_a_case() -> None:
    contract_rules = {r.id for r in RULES.values() if r.scope != "observations"}
    assert contract_rules == {c.rule for c in CASES}


# -- if/then/else on both sides: each branch is compared on its own --------------------------

def _conditional(v: Version) -> None:
    """photo.json: an approved photo is at least 10 pixels wide, any other one has a caption."""
    _photo(v).update({"if": {"properties": {"status": {"const": "approved"}}, "required": ["status"]},
                      "then": {"properties": {"width": {"type": "integer", "minimum": 10}}},
                      "else": {"required": ["caption"]}})


def _versions(tmp_path: Path, change: Mutation) -> list[Change]:
    """The changes from a version with `_conditional` to the same version with `change` applied too."""
    old, new = Version(), Version()
    _conditional(old)
    _conditional(new)
    change(new)
    return diff(open_input(str(old.write(tmp_path / "old"))), open_input(str(new.write(tmp_path / "new"))))


def _then(v: Version) -> dict:
    return _photo(v)["then"]


@pytest.mark.parametrize("change,rule,location,message", [
    (lambda v: _then(v)["properties"]["width"].update(minimum=1), "response-constraint-loosened",
     "(then).width", "minimum 10 -> 1"),
    (lambda v: _then(v)["properties"]["width"].update(type="string"), "response-type-changed",
     "(then).width", "type integer -> string"),
    (lambda v: _photo(v)["else"]["required"].remove("caption"), "response-property-became-optional",
     "(else).caption", "required -> optional"),
    (lambda v: _photo(v)["if"]["properties"]["status"].update(const="denied"), "response-constraint-loosened",
     "", 'if {"properties": {"status": {"const": "approved"}}, "required": ["status"]} '
         '-> {"properties": {"status": {"const": "denied"}}, "required": ["status"]}'),
], ids=["then bound loosened", "then type changed", "else no longer requires", "condition changed"])
def test_a_changed_branch_is_found_where_it_is(tmp_path: Path, change: Mutation, rule: str, location: str,
                                                message: str) -> None:
    changes = _versions(tmp_path, change)
    assert {c.rule for c in changes} == {rule}, [c.as_dict() for c in changes]
    assert sorted((c.operation, c.location) for c in changes) == sorted(_both(location))
    assert changes[0].message == message


def test_unchanged_branches_are_no_change(tmp_path: Path) -> None:
    assert _versions(tmp_path, lambda v: None) == []


def test_a_condition_that_only_gains_a_mark_is_no_change(tmp_path: Path) -> None:
    assert _versions(tmp_path, lambda v: _photo(v)["if"].update(
        {"description": "approved photos", "x-assumed": "our reading"})) == []


def test_additional_properties_false_dropped_from_a_response_is_a_warning(tmp_path: Path) -> None:
    closed = Version()
    _photo(closed).update(additionalProperties=False)
    changes = diff(open_input(str(closed.write(tmp_path / "closed"))), open_input(str(BASE)))
    assert {(c.rule, c.severity, c.message) for c in changes} == {
        ("response-constraint-loosened", "warning", "additionalProperties false -> true")}
    assert sorted((c.operation, c.location) for c in changes) == sorted(_both(""))
