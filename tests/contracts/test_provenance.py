"""Every promise the suite enforces names its source (the vendor's words) or is marked assumed.

Walks every contract, every schema and every vendor module: a constraint with neither an
`x-source` nor an `x-assumed` mark fails, and so does a mark whose quote is not in the source.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from photo_contracts import provenance
from photo_contracts.apis import APIS
from photo_contracts.checks.registry import CHECKS
from photo_contracts.contracts import SCHEMAS_DIR, contract_path, read_document
from photo_contracts.operations import HTTP_METHODS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILES = sorted(p for api in APIS for p in (SCHEMAS_DIR / api).glob("*.json"))
# Keywords that promise something about a value; `type` is covered by the nearest mark above it.
CONSTRAINTS = {"required", "enum", "const", "format", "pattern", "minimum", "maximum", "exclusiveMinimum",
               "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
               "minProperties", "maxProperties", "dependentRequired", "not"}
ANNOTATION_FORMATS = {"binary", "byte", "int32", "int64", "double", "float"}  # OpenAPI annotations, not checked


def marked(node: dict[str, Any]) -> bool:
    return provenance.annotation(node) is not None


def constrains(node: dict[str, Any]) -> bool:
    keys = set(node) & CONSTRAINTS
    if keys == {"format"} and node["format"] in ANNOTATION_FORMATS:
        return False
    return bool(keys) or node.get("additionalProperties") is False


def unmarked_schema_nodes(node: Any, where: str) -> Iterator[str]:
    """JSON pointers of schema objects that constrain a value without a mark of their own."""
    if isinstance(node, dict):
        if constrains(node) and not marked(node):
            yield where or "/"
        for key, value in node.items():
            if key in ("examples", "example", "default", "x-source", "const", "enum"):
                continue
            yield from unmarked_schema_nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from unmarked_schema_nodes(item, f"{where}/{index}")


def all_marks(node: Any) -> Iterator[provenance.Source]:
    if isinstance(node, dict):
        mark = provenance.annotation(node)
        if mark is not None:
            yield mark
        for value in node.values():
            yield from all_marks(value)
    elif isinstance(node, list):
        for item in node:
            yield from all_marks(item)


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_schema_constraint_has_a_source_or_is_assumed(path):
    document = read_document(path)
    assert marked(document), f"{path.name}: the file itself names no source and is not marked assumed"
    assert list(unmarked_schema_nodes(document, "")) == []


def contract_nodes(contract: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(where, node) for each contract node that states a promise: operations, responses, parameters,
    request bodies, security schemes."""
    for path, item in contract.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op = item[method]
            yield f"{method.upper()} {path}", op
            for status, response in op.get("responses", {}).items():
                if "$ref" not in response:
                    yield f"{method.upper()} {path} {status}", response
            if "requestBody" in op:
                yield f"{method.upper()} {path} requestBody", op["requestBody"]
        for method in [*HTTP_METHODS, "parameters"]:
            spec = item.get(method, {})
            for parameter in (spec if method == "parameters" else spec.get("parameters", [])):
                if "$ref" not in parameter:
                    yield f"{path} parameter {parameter.get('name')}", parameter
    components = contract.get("components", {})
    for kind in ("responses", "parameters", "securitySchemes", "requestBodies"):
        for name, node in components.get(kind, {}).items():
            yield f"components/{kind}/{name}", node


@pytest.mark.parametrize("api", APIS)
def test_every_contract_promise_has_a_source_or_is_assumed(api):
    contract = read_document(contract_path(api))
    missing = [where for where, node in contract_nodes(contract) if not marked(node)]
    assert missing == [], f"{api}: no x-source or x-assumed on {missing}"
    # Schemas written inline in the contract (parameters, small bodies) follow the schema rule.
    assert [w for w in unmarked_schema_nodes(contract.get("paths", {}), "/paths")
            if "/parameters/" not in w and "/schema" in w] == []


@pytest.mark.parametrize("api", APIS)
def test_every_mark_holds_up_against_its_source(api):
    """A quote must be in the vendor page it cites; an assumption must give its reason."""
    documents = [read_document(contract_path(api))] + [read_document(p) for p in SCHEMA_FILES if p.parent.name == api]
    problems = [problem for document in documents for mark in all_marks(document)
                for problem in provenance.problems(mark)]
    assert problems == []


def fact_sources(api: str) -> Iterator[tuple[str, provenance.Source | None]]:
    facts = APIS[api].facts
    for name in ("not_found", "missing_credentials", "wrong_credentials"):
        yield name, getattr(facts, name).source
    for endpoint in facts.endpoints:
        yield f"endpoint {endpoint.operation}", endpoint.source
    for record in facts.records:
        yield f"record {record.path} links", record.sources.get("links")
        for key in ("width", "height", "aspect_ratio", "byte_size", "content_type", "exif_width", "exif_height"):
            if getattr(record, key):
                yield f"record {record.path} {key}", record.sources.get(key)
    thumbnails = any(e.role == "thumbnail" for e in facts.endpoints) or any(
        "thumbnail" in r.links for r in facts.records)
    if thumbnails:
        yield "thumbnail_formats", facts.thumbnail_source


@pytest.mark.parametrize("api", APIS)
def test_every_vendor_fact_and_invariant_has_a_source(api):
    missing = [name for name, source in fact_sources(api) if source is None]
    invariants = APIS[api].invariants
    missing += [f"invariant {name}" for name, fn in invariants.items() if getattr(fn, "source", None) is None]
    assert missing == [], f"{api}: no source for {missing}"
    marks = [s for _, s in fact_sources(api) if s] + [fn.source for fn in invariants.values()]
    assert [p for mark in marks for p in provenance.problems(mark)] == []


CHECK_MODULES = sorted((ROOT / "src" / "photo_contracts" / "checks").rglob("*.py"))


@pytest.mark.parametrize("path", CHECK_MODULES, ids=lambda p: p.name if p.parent.name == "checks" else f"vendors/{p.name}")
def test_every_failure_a_check_raises_names_its_source(path):
    """Each `CheckFailed(...)` passes `source=`: the finding it becomes says which promise broke."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "CheckFailed"
            and not any(k.arg == "source" for k in node.keywords)]
    assert bare == [], f"{path.name}: CheckFailed without source= on lines {bare}"


def test_sources_in_code_hold_up():
    marks = [info.source for info in CHECKS.values() if info.source is not None]
    assert [p for mark in marks for p in provenance.problems(mark)] == []
