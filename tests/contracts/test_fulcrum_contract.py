"""The Fulcrum contract: valid OpenAPI 3.1, loadable by schemathesis, every example valid where attached."""

from __future__ import annotations

import json
import re
import warnings

import pytest
import schemathesis
from openapi_spec_validator import validate

from photo_contracts.contracts import (
    SCHEMAS_DIR,
    contract_path,
    example_files,
    load_contract,
    schema_uri_for,
    validator,
)
from photo_contracts.operations import operations

CONTRACT = load_contract("fulcrum")
OPERATIONS = {op.name: op for op in operations(CONTRACT)}


def test_contract_is_valid_openapi() -> None:
    validate(CONTRACT, base_uri=contract_path("fulcrum").as_uri())


def test_schemathesis_loads_it_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema = schemathesis.openapi.from_path(str(contract_path("fulcrum")))
        assert len([op.ok() for op in schema.get_all_operations()]) == 11


def test_operations_and_sources() -> None:
    assert set(OPERATIONS) == {
        "GET /v2/photos.json", "POST /v2/photos.json", "GET /v2/photos", "POST /v2/photos",
        "GET /v2/photos/{id}.json", "GET /v2/photos/{id}", "GET /v2/photos/{id}.jpg",
        "GET /v2/photos/{id}/thumbnail.json", "GET /v2/photos/{id}/thumbnail.jpg",
        "GET /v2/photos/{id}/large.json", "GET /v2/photos/{id}/large.jpg",
    }
    for name, op in OPERATIONS.items():
        assert op.spec["operationId"] and op.spec["summary"], name
        assert re.search(r"\[(D|C|I)\]", op.spec["description"]), name
        assert op.is_write == (op.method == "post"), name
        assert "401" in op.spec["responses"] and "429" in op.spec["responses"], name
    scheme = CONTRACT["components"]["securitySchemes"]["ApiToken"]
    assert {k: v for k, v in scheme.items() if k in ("type", "in", "name")} == {
        "type": "apiKey", "in": "header", "name": "X-ApiToken"}
    assert scheme["x-source"] == {"ref": "fulcrum-openapi-photos", "pointer": "/components/securitySchemes/ApiToken"}


def attached_examples() -> list[tuple[str, str, str]]:
    found = []
    for name, op in OPERATIONS.items():
        for status, response in op.spec["responses"].items():
            for media in response.get("content", {}):
                for path in example_files("fulcrum", op, status, media):
                    found.append((name, status, path.name))
    return found


def test_every_example_file_is_attached_somewhere() -> None:
    files = {p.name for p in (SCHEMAS_DIR / "fulcrum" / "examples").glob("*.json")}
    assert files == {example for *_, example in attached_examples()}


@pytest.mark.parametrize(("operation", "status", "example"), attached_examples(),
                         ids=lambda value: str(value))
def test_attached_example_is_valid(operation: str, status: str, example: str) -> None:
    op = OPERATIONS[operation]
    media = next(iter(op.spec["responses"][status]["content"]))
    (path,) = [p for p in example_files("fulcrum", op, status, media) if p.name == example]
    uri = schema_uri_for("fulcrum", op, status, media)
    assert uri is not None
    assert [e.message for e in validator(uri).iter_errors(json.loads(path.read_text()))] == []
