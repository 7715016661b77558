"""The visitor contract: valid OpenAPI 3.1, loadable by schemathesis, examples attached and valid."""

from __future__ import annotations

import json
import re
import warnings

import pytest
import schemathesis
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from photo_contracts.contracts import (
    SCHEMAS_DIR,
    contract_path,
    example_files,
    file_uri,
    load_contract,
    response_media,
    schema_uri_for,
    validator,
)
from photo_contracts.operations import operations

CONTRACT = load_contract("visitor")
OPERATIONS = {op.name: op for op in operations(CONTRACT)}
ERROR_CODES = {"1142", "1157", "1190", "1403", "2200", "2301", "2302", "2303", "2400", "2415", "2600",
               "3100", "3404", "4515", "5501", "5404"}


def test_contract_is_valid_openapi_31() -> None:
    assert CONTRACT["openapi"] == "3.1.0"
    validate(CONTRACT, base_uri=file_uri(contract_path("visitor")))


def test_schemathesis_loads_it_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema = schemathesis.openapi.from_path(str(contract_path("visitor")))
        labels = {result.ok().label for result in schema.get_all_operations()}
    assert labels == set(OPERATIONS)


def test_documented_operations() -> None:
    assert set(OPERATIONS) == {"GET /v1/photo/{visitorId}", "GET /v1/photo/thumb/{visitorId}", "POST /v1/oauth/"}
    for operation in OPERATIONS.values():
        assert operation.spec["operationId"] and operation.spec["summary"]
        assert re.search(r"\[[DCI]\]", operation.spec["description"]), operation.name
        assert list(operation.spec["responses"]) == ["200"], "VMSAlpha answers everything with HTTP 200"
    assert not OPERATIONS["POST /v1/oauth/"].is_write


def test_security_is_authorization_token() -> None:
    scheme = CONTRACT["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"], scheme["x-auth-prefix"]) == (
        "apiKey", "header", "Authorization", "Token ")
    assert CONTRACT["security"] == [{"tokenAuth": []}]
    assert OPERATIONS["POST /v1/oauth/"].spec["security"] == []


@pytest.mark.parametrize(("operation", "media_types"), [
    ("GET /v1/photo/{visitorId}", {"image/jpeg", "image/png", "image/bmp", "application/json"}),
    ("GET /v1/photo/thumb/{visitorId}", {"image/jpeg", "application/json"}),
    ("POST /v1/oauth/", {"application/json"}),
])
def test_response_media_types(operation: str, media_types: set[str]) -> None:
    assert set(response_media(OPERATIONS[operation], "200")) == media_types


@pytest.mark.parametrize("name", ["error.json", "token.json"])
def test_schema_files_are_valid_2020_12(name: str) -> None:
    schema = json.loads((SCHEMAS_DIR / "visitor" / name).read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] and schema["description"] and "$id" not in schema


def test_error_code_enum_is_the_documented_list() -> None:
    schema = json.loads((SCHEMAS_DIR / "visitor" / "error.json").read_text())
    code = schema["$defs"]["code"]
    assert code["type"] == "string"  # "(code is a string)", VENDOR-NOTES section 2
    (listed,) = code["allOf"]  # the list of codes carries its own source
    assert set(listed["enum"]) == ERROR_CODES and listed["x-source"]["ref"] == "vendor-notes"


def test_every_example_is_attached_to_both_photo_operations_and_valid() -> None:
    attached = set()
    for operation in OPERATIONS.values():
        for path in example_files("visitor", operation, "200", "application/json"):
            uri = schema_uri_for("visitor", operation, "200", "application/json")
            assert uri is not None
            assert not list(validator(uri).iter_errors(json.loads(path.read_text()))), path.name
            attached.add((operation.name, path.name))
    on_disk = {path.name for path in (SCHEMAS_DIR / "visitor" / "examples").glob("*.json")}
    photo_operations = {"GET /v1/photo/{visitorId}", "GET /v1/photo/thumb/{visitorId}"}
    assert attached == {(op, name) for op in photo_operations for name in on_disk}


def test_visitor_id_format_is_documented_and_its_case_assumed() -> None:
    """40 hex digits is the vendor's [C] fact; lower case is ours, marked as an assumption."""
    schema = CONTRACT["components"]["parameters"]["visitorId"]["schema"]
    hex40, lower = schema["allOf"]
    assert hex40["pattern"] == "^[0-9a-fA-F]{40}$" and hex40["x-source"]["quote"] == "Visitor IDs are 40-hex strings"
    assert lower["pattern"] == "^[0-9a-f]{40}$" and "x-source" not in lower and lower["x-assumed"]


def test_photo_statuses_are_sourced_and_the_token_status_assumed() -> None:
    for name in ("GET /v1/photo/{visitorId}", "GET /v1/photo/thumb/{visitorId}"):
        assert OPERATIONS[name].spec["x-source"]["ref"] == "vendor-notes"
    token = OPERATIONS["POST /v1/oauth/"].spec
    assert "x-source" not in token and token["x-assumed"]
