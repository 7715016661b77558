"""Every contract is valid OpenAPI 3.1, loads in schemathesis, and every documented example
validates against the schema its contract names for that operation, status and media type."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import schemathesis
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from openapi_spec_validator import validate

from photo_contracts.apis import APIS
from photo_contracts.contracts import (
    SCHEMAS_DIR,
    contract_path,
    example_files,
    load_contract,
    response_media,
    schema_uri_for,
    validator,
)
from photo_contracts.operations import operations

SCHEMA_FILES = sorted(p for p in SCHEMAS_DIR.rglob("*.json") if "examples" not in p.parts)


def documented_examples() -> list[tuple[str, str, str, str, Path]]:
    found = []
    for api in APIS:
        contract = load_contract(api)
        for op in operations(contract):
            for status in op.spec.get("responses", {}):
                for media in response_media(op, status, contract):
                    found += [(api, op.name, status, media, path) for path in example_files(api, op, status, media)]
    return found


EXAMPLES = documented_examples()


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: str(p.relative_to(SCHEMAS_DIR)))
def test_schema_is_valid_2020_12(path: Path) -> None:
    schema = json.loads(path.read_text())
    assert schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("api", APIS)
def test_contract_is_valid_openapi_3_1(api: str) -> None:
    document = load_contract(api)
    assert document["openapi"].startswith("3.1")
    validate(document, base_uri=contract_path(api).as_uri())


@pytest.mark.parametrize("api", APIS)
def test_contract_loads_in_schemathesis_without_warnings(api: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema = schemathesis.openapi.from_path(contract_path(api))
        loaded = [result.ok() for result in schema.get_all_operations()]
    assert loaded and all(op is not None for op in loaded)
    assert not list(schema.iter_schema_warnings()) if hasattr(schema, "iter_schema_warnings") else True


@pytest.mark.parametrize("api", APIS)
def test_every_response_schema_resolves(api: str) -> None:
    """Every response schema the contract names resolves from disk (no dangling $ref)."""
    contract = load_contract(api)
    for op in operations(contract):
        for status in op.spec.get("responses", {}):
            for media in response_media(op, status, contract):
                uri = schema_uri_for(api, op, status, media)
                if uri:
                    validator(uri).is_valid(None)  # resolving refs happens lazily; force it on a value


@pytest.mark.parametrize("api", APIS)
def test_every_api_has_documented_examples(api: str) -> None:
    assert any(example[0] == api for example in EXAMPLES), f"{api}: no documented example attached to its contract"


@pytest.mark.parametrize(("api", "operation", "status", "media", "path"), EXAMPLES,
                         ids=[f"{e[0]}:{e[1]}:{e[2]}:{e[4].name}" for e in EXAMPLES])
def test_documented_example_validates_through_the_contract(api, operation, status, media, path) -> None:
    op = next(o for o in operations(load_contract(api)) if o.name == operation)
    uri = schema_uri_for(api, op, status, media)
    assert uri, f"{operation} {status} {media} has an example but no schema"
    error = best_match(validator(uri).iter_errors(json.loads(path.read_text())))
    assert error is None, f"{path.name} at {error.json_path}: {error.message}"
