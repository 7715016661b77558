"""Safe negative probes: a small, bounded set of requests the contract forbids, for read-only
operations only (GET, and POSTs the contract marks `x-write: false`).

Each probe breaks one documented bound of one parameter: a number past its maximum or under its
minimum, a value of the wrong type, an unknown enum value, a malformed id. A documented 4xx is
the right answer. A 5xx is a server error; a 2xx that returns more items than the bound allows
ignores a documented limit; any other 2xx accepted input the vendor said is out of range, which
breaks a promise only where the vendor documents the rejection (otherwise it is a notice).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from photo_contracts import jsonpath
from photo_contracts.contracts import parameters_of, resolve_schema, source_of
from photo_contracts.operations import Operation
from photo_contracts.provenance import Source, assumed

MALFORMED_ID = "not-an-id-%%"
UNKNOWN_ENUM = "NOT_A_DOCUMENTED_VALUE"
PER_PARAMETER = 3  # probes at most, per parameter: a live run is polite
UNMARKED = assumed("the contract names no source for this bound")


@dataclass(frozen=True)
class Probe:
    """One forbidden request: what it breaks, where, and the bound it tests."""

    operation: str
    what: str  # "max=1001 (documented: at most 1000)"
    source: Source  # the mark of the bound it breaks
    query: dict[str, Any] = field(default_factory=dict)
    path: dict[str, str] = field(default_factory=dict)  # path parameters to replace
    body: Any = None  # the whole JSON body, when the bound is in it
    maximum: int | None = None  # a documented largest page size the answer must keep


def _schema(node: dict[str, Any]) -> dict[str, Any]:
    schema = node.get("schema", node)
    return schema if isinstance(schema, dict) else {}


def _bounds(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The schema and its allOf members: a bound of ours sits in its own member with its own mark."""
    yield schema
    for part in schema.get("allOf", []):
        if isinstance(part, dict):
            yield from _bounds(part)


def _bad_values(name: str, schema: dict[str, Any]) -> Iterator[tuple[Any, str, int | None, dict[str, Any]]]:
    """(value, what, maximum, the node stating the bound) for each bound `schema` states, most telling first."""
    kind = schema.get("type")
    if kind == "array" and isinstance(schema.get("items"), dict):  # include=signedUrls: its items' values
        for value, what, maximum, node in _bad_values(name, schema["items"]):
            if value == UNKNOWN_ENUM:
                yield value, what, maximum, node
    for node in _bounds(schema):
        if isinstance(node.get("enum"), list) and all(isinstance(v, str) for v in node["enum"]):
            yield UNKNOWN_ENUM, f"{name}={UNKNOWN_ENUM} (documented: one of {', '.join(node['enum'])})", None, node
    if kind not in ("integer", "number"):
        return
    for node in _bounds(schema):
        if isinstance(node.get("maximum"), int | float):
            top = node["maximum"]
            yield int(top) + 1, f"{name}={int(top) + 1} (documented: at most {top})", int(top), node
    for node in _bounds(schema):
        if isinstance(node.get("minimum"), int | float):
            low = node["minimum"]
            yield int(low) - 1, f"{name}={int(low) - 1} (documented: at least {low})", None, node
    yield "abc", f"{name}=abc (documented: {kind})", None, schema


def probes(api: str, operation: Operation) -> list[Probe]:
    """The negative probes of one read-only operation (none for writes)."""
    if operation.is_write:
        return []
    found: list[Probe] = []
    for parameter in parameters_of(api, operation):
        schema = resolve_schema(api, _schema(parameter))
        source = source_of(parameter) or source_of(schema) or UNMARKED
        name = parameter.get("name", "")
        if parameter.get("in") == "query":
            for value, what, maximum, node in list(_bad_values(name, schema))[:PER_PARAMETER]:
                mark = source_of(node) or source  # the bound's own mark (ours, perhaps) before the parameter's
                found.append(Probe(operation.name, what, mark, query={name: value}, maximum=maximum))
        elif parameter.get("in") == "path" and operation.path_params[-1:] == [name] and (
                schema.get("format") == "uuid" or schema.get("type") == "integer" or "pattern" in schema):
            found.append(Probe(operation.name, f"{name}={MALFORMED_ID} (documented: "
                               f"{schema.get('format') or schema.get('type') or 'a pattern'})", source,
                               path={name: MALFORMED_ID}))
    body = ((operation.spec.get("requestBody") or {}).get("content") or {}).get("application/json")
    if body and isinstance(body.get("schema"), dict):
        found += _body_probes(operation, resolve_schema(api, body["schema"]))
    return found


def _body_probes(operation: Operation, resolved: dict[str, Any]) -> list[Probe]:
    """Bounds of top-level properties of a JSON body (the filter's `limit`), on an otherwise empty body."""
    found = []
    for name, sub in (resolved.get("properties") or {}).items():
        if not isinstance(sub, dict) or "$ref" in sub:
            continue
        for value, what, maximum, node in list(_bad_values(name, sub))[:PER_PARAMETER]:
            found.append(Probe(operation.name, what, source_of(node) or UNMARKED, body={name: copy.deepcopy(value)},
                               maximum=maximum))
    return found


def items_in(facts: Any, operation: str, response: Any) -> int | None:
    """How many items a listing's answer holds (None: not a listing, or not JSON)."""
    where = next((listing.items for listing in facts.listings if listing.operation == operation), None)
    try:
        return len(list(jsonpath.values(response.json(), where))) if where else None
    except ValueError:
        return None


def fill(template: str, values: dict[str, str]) -> str | None:
    """`/photo/{id}` with the given values, or None if one is missing."""
    try:
        return re.sub(r"\{([^}]+)\}", lambda m: str(values[m.group(1)]), template)
    except KeyError:
        return None
