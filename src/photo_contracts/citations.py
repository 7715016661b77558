"""Every promise of an API that names where it comes from, where it sits and which checks enforce it.

Marks sit in three places: the contract (`x-source` / `x-assumed` on operations, responses,
parameters, security schemes and inline schemas), the JSON Schemas it references, and the vendor's
checks module (`provenance.documented(...)` / `assumed(...)` on facts and invariants). Each mark
found is a `Location`: the file, a JSON pointer (or, in Python, the name it is bound to and its
line: `code_marks`), a label a reader recognises (`GET /photo parameter max (query)`) and the checks
that judge by it. Documented marks with the same words (source, quote, pointer) are one `Promise`.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from photo_contracts.apis import get_api
from photo_contracts.checks import KNOWN_CHECKS
from photo_contracts.code_marks import code_marks
from photo_contracts.contracts import contract_path, read_document
from photo_contracts.operations import HTTP_METHODS
from photo_contracts.provenance import STANDARDS, Source, annotation

# Keywords whose value a vendor states in words (a bound, a default, the allowed values).
VALUE_KEYWORDS = ("default", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
                  "minItems", "maxItems", "multipleOf", "enum", "const")


@dataclass(frozen=True)
class Location:
    """Where one mark sits."""

    file: str  # as shown: contracts/cloudcard.yaml, schemas/cloudcard/photo.json, checks/vendors/cloudcard.py
    at: str  # a JSON pointer in `file`; in a Python module, the name the mark is bound to
    label: str  # what a reader recognises: `GET /photo parameter max (query), schema`
    checks: tuple[str, ...]
    line: int | None = None  # Python marks: the line
    also: tuple[str, ...] = ()  # further pointers where the same node sits (YAML aliases)
    node: Any = field(default=None, compare=False, hash=False, repr=False)  # the marked object (contract, schema)
    sizes: tuple[str, ...] = field(default=(), compare=False, repr=False)  # page-size parameters of the listings

    @property
    def where(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line} {self.at}"
        return f"{self.file}#{self.at}"

    def values(self) -> dict[str, Any]:
        """The values this node states (`pointer` of each keyword, relative to the node -> value)."""
        node = self.node
        if not isinstance(node, dict):
            return {}
        found: dict[str, Any] = {}
        scopes = [("", node)]
        if isinstance(node.get("schema"), dict):  # a parameter: what its schema states is what it states
            scopes.append(("/schema", node["schema"]))
        for prefix, scope in scopes:
            for keyword in VALUE_KEYWORDS:
                if keyword in scope:
                    found[f"{prefix}/{keyword}"] = scope[keyword]
        return found

    def keyword_checks(self, relative: str) -> tuple[str, ...]:
        """The checks that enforce one keyword of this node (`/schema/default` -> defaults_are_honoured)."""
        keyword = relative.rsplit("/", 1)[-1]
        if keyword == "default":
            return ("defaults_are_honoured",) if "defaults_are_honoured" in self.checks else ()
        return tuple(c for c in self.checks if c != "defaults_are_honoured")


@dataclass
class Promise:
    """Documented words (a source, a quote and/or a JSON pointer) and every place that rests on them."""

    source: Source
    locations: list[Location]

    @property
    def checks(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for location in self.locations for c in location.checks))


def _known(*checks: str) -> tuple[str, ...]:
    return tuple(c for c in checks if c in KNOWN_CHECKS)


# -- contract and schemas -----------------------------------------------------------------------------

def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _pointer(parts: list[str]) -> str:
    return "".join("/" + _escape(str(p)) for p in parts)


def _local(document: Any, node: Any) -> Any:
    """A `$ref` within the document followed (parameters written once under components)."""
    seen = 0
    while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/") and seen < 8:
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        node, seen = target, seen + 1
    return node


def _contract_label(document: Any, parts: list[str]) -> str:
    if parts[:1] == ["paths"] and len(parts) >= 3 and parts[2] in HTTP_METHODS:
        head, rest = f"{parts[2].upper()} {parts[1]}", parts[3:]
    elif parts[:1] == ["paths"] and len(parts) >= 2:
        head, rest = f"every operation of {parts[1]}", parts[2:]
    elif parts[:1] == ["components"] and len(parts) >= 3:
        kind = {"securitySchemes": "security scheme", "responses": "response", "parameters": "parameter",
                "requestBodies": "request body", "schemas": "schema"}.get(parts[1], parts[1])
        head, rest = f"{kind} {parts[2]}", parts[3:]
        if parts[1] == "parameters":
            parameter = _local(document, document["components"]["parameters"][parts[2]])
            head = f"parameter {parameter.get('name')} ({parameter.get('in')})"
    else:
        return _pointer(parts) or "the contract"
    words = [head]
    index = 0
    while index < len(rest):
        part = rest[index]
        if part == "parameters" and index + 1 < len(rest):
            base: Any = document
            for p in parts[: len(parts) - len(rest) + index + 2]:
                base = base[int(p)] if isinstance(base, list) else base[p]
            parameter = _local(document, base)
            words.append(f"parameter {parameter.get('name')} ({parameter.get('in')})")
            index += 2
        elif part == "responses" and index + 1 < len(rest):
            words.append(f"response {rest[index + 1]}")
            index += 2
        elif part == "requestBody":
            words.append("request body")
            index += 1
        else:
            words.append(", " + "/".join(rest[index:]))
            break
    return " ".join(words).replace(" , ", ", ")


def schema_path(parts: list[str]) -> str:
    """A schema pointer as the data path it describes: /properties/a/items/allOf/0 -> `$.a[*] (allOf 0)`."""
    path, notes, index = "$", [], 0
    while index < len(parts):
        part = parts[index]
        if part in ("properties", "patternProperties", "$defs", "definitions") and index + 1 < len(parts):
            path += f".{parts[index + 1]}" if part == "properties" else f" ({part} {parts[index + 1]})"
            index += 2
        elif part == "items":
            path += "[*]"
            index += 1
        elif part == "prefixItems" and index + 1 < len(parts):
            path += f"[{parts[index + 1]}]"
            index += 2
        elif part == "additionalProperties":
            path += ".*"
            index += 1
        elif part in ("allOf", "anyOf", "oneOf") and index + 1 < len(parts):
            notes.append(f"{part} {parts[index + 1]}")
            index += 2
        else:
            notes.append(part)
            index += 1
    return path + (f" ({', '.join(notes)})" if notes else "")


def _contract_checks(document: Any, parts: list[str], sizes: tuple[str, ...]) -> tuple[str, ...]:
    if parts[:2] == ["components", "securitySchemes"]:
        return _known("credentials_are_enforced", "ignored_auth")
    if "parameters" in parts:
        at = parts.index("parameters")
        base: Any = document
        for p in parts[: at + 2]:
            base = base[int(p)] if isinstance(base, list) else base.get(p, {})
        name = _local(document, base).get("name") if isinstance(base, dict) else None
        if parts[:2] == ["components", "parameters"]:
            name = _local(document, document["components"]["parameters"][parts[2]]).get("name")
        return _known("negative_data_rejection", *(("defaults_are_honoured",) if name in sizes else ()))
    if "requestBody" in parts or parts[:2] == ["components", "requestBodies"]:
        return _known("negative_data_rejection")
    if "responses" in parts or parts[:2] == ["components", "responses"]:
        at = parts.index("responses") + 2 if "responses" in parts else 3
        rest = parts[at:]
        if not rest:
            return _known("status_code_conformance", "content_type_conformance", "response_schema_conformance",
                          "response_headers_conformance")
        if rest[0] == "headers":
            return _known("response_headers_conformance")
        return _known("content_type_conformance", "response_schema_conformance")
    if parts[:1] == ["paths"] and len(parts) >= 3 and parts[2] in HTTP_METHODS:
        return _known("status_code_conformance")
    return ()


def _walk(node: Any, parts: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield parts, node
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in ("x-source", "x-assumed", "examples", "example"):
                yield from _walk(value, [*parts, str(key)])
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, [*parts, str(index)])


def _file_refs(document: Any, base: Path) -> Iterator[tuple[list[str], Path]]:
    for parts, node in _walk(document, []):
        if isinstance(node, dict) and isinstance(node.get("$ref"), str) and not node["$ref"].startswith("#"):
            file_part = node["$ref"].split("#", 1)[0]
            if file_part and "://" not in file_part:
                yield parts, Path(posixpath.normpath(posixpath.join(str(base.parent), file_part)))


def shown_path(path: Path) -> str:
    """A contract or schema file as reports show it: relative to the directory that holds `contracts/` (or the
    package's `openapi/`) and `schemas/`."""
    return _shown(path, contract_path_root(path))


def contract_path_root(path: Path) -> Path:
    return path.resolve().parent.parent


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Mark:
    """One mark where it sits (documented or assumed)."""

    source: Source
    location: Location


def _document_marks(api: str) -> list[Mark]:
    contract = contract_path(api).resolve()
    root = contract.parent.parent
    facts = get_api(api).facts
    sizes = tuple(listing.size for listing in facts.listings if not listing.in_body)
    body_sizes = tuple(listing.size for listing in facts.listings if listing.in_body)
    document = read_document(contract)
    marks: list[Mark] = []
    seen: dict[int, int] = {}

    def add(source: Source, location: Location, node: Any) -> None:
        if id(node) in seen:  # the same node under another pointer (a YAML alias)
            index = seen[id(node)]
            first = marks[index].location
            marks[index] = Mark(source, dataclasses.replace(first, also=(*first.also, location.at)))
            return
        seen[id(node)] = len(marks)
        marks.append(Mark(source, location))

    contexts: dict[Path, set[str]] = {}
    for parts, node in _walk(document, []):
        mark = annotation(node)
        if mark is not None:
            add(mark, Location(_shown(contract, root), _pointer(parts), _contract_label(document, parts),
                               _contract_checks(document, parts, sizes), node=node, sizes=sizes), node)
    for parts, target in _file_refs(document, contract):
        kind = "response" if "responses" in parts else "request"
        contexts.setdefault(target, set()).add(kind)
    pending = list(contexts)
    while pending:  # schemas reference schemas: each is read in the contexts of what references it
        path = pending.pop()
        if not path.is_file():
            continue
        for _, target in _file_refs(read_document(path), path):
            before = set(contexts.get(target, set()))
            contexts.setdefault(target, set()).update(contexts[path])
            if contexts[target] != before:
                pending.append(target)
    for path in sorted(contexts):
        if not path.is_file():
            continue
        kinds = contexts[path]
        schema = read_document(path)
        seen.clear()
        for parts, node in _walk(schema, []):
            mark = annotation(node)
            if mark is None:
                continue
            checks = (("response_schema_conformance",) if "response" in kinds else ()) + (
                ("negative_data_rejection",) if "request" in kinds else ())
            if "request" in kinds and len(parts) >= 2 and parts[-2] == "properties" and parts[-1] in body_sizes:
                checks += ("defaults_are_honoured",)
            rel = _shown(path, root)
            label = f"{rel.split('/', 1)[-1]} {schema_path(parts)}"
            add(mark, Location(rel, _pointer(parts), label, _known(*checks), node=node, sizes=body_sizes), node)
    return marks


# -- together -------------------------------------------------------------------------------------------

def marks(api: str) -> tuple[Mark, ...]:
    """Every mark of `api`'s contract, schemas and checks module (for the contract it is judged by now)."""
    return _marks(api, contract_path(api).resolve())


@cache
def _marks(api: str, contract: Path) -> tuple[Mark, ...]:
    in_code = [Mark(m.source, Location(m.file, m.name, m.label, m.checks, line=m.line, also=m.also))
               for m in code_marks(api)]
    return (*_document_marks(api), *in_code)


def promises(api: str, ref: str | None = None) -> list[Promise]:
    """Documented marks citing `ref` (every vendor document when None), grouped by their words."""
    grouped: dict[tuple[str, str, str | None], Promise] = {}
    for mark in marks(api):
        source = mark.source
        if not source.documented or source.ref in STANDARDS or (ref is not None and source.ref != ref):
            continue
        key = (str(source.ref), source.quote, source.pointer)
        grouped.setdefault(key, Promise(source, [])).locations.append(mark.location)
    return list(grouped.values())


def cited_refs(api: str) -> list[str]:
    """The vendor documents `api`'s documented marks cite (standards left out)."""
    return sorted({str(m.source.ref) for m in marks(api) if m.source.documented and m.source.ref not in STANDARDS})


# -- what the contract names ----------------------------------------------------------------------------

@cache
def _documents(api: str, contract: Path) -> tuple[tuple[str, Any], ...]:
    root = contract.parent.parent
    found = [(_shown(contract, root), read_document(contract))]
    pending, seen = [contract], {contract}
    while pending:
        path = pending.pop()
        for _, target in _file_refs(read_document(path), path):
            if target not in seen and target.is_file():
                seen.add(target)
                pending.append(target)
                found.append((_shown(target, root), read_document(target)))
    return tuple(found)


def _names(kind: str, key: str, parts: list[str], node: Any) -> bool:
    """Whether a node of the contract or a schema names `key` the way a table row of `kind` does."""
    bare = key.split("[")[-1].rstrip("]")  # photo[access_key] -> access_key
    if kind in ("field", "parameter") and len(parts) >= 2 and parts[-2] == "properties":
        return parts[-1] in (key, bare)
    if kind == "parameter" and isinstance(node, dict):
        name = str(node.get("name", "")).lower()
        if node.get("in") in ("query", "path", "header", "cookie"):
            return name in (key.lower(), bare.lower())
        return (node.get("type") == "apiKey" and name == key.lower()) or (
            node.get("type") == "http" and key.lower() == "authorization")
    if kind == "status code":
        return len(parts) >= 2 and parts[-2] == "responses" and parts[-1] == key
    if kind == "error code":
        return node == key or (isinstance(node, dict) and key in node)
    return False


def naming(api: str, kind: str, key: str) -> list[str]:
    """Places of the contract and its schemas that name `key` as a table row of `kind` names it: a property
    (field), a parameter (or the credential header), a response status, an endpoint; an error code anywhere."""
    contract = contract_path(api).resolve()
    found = [f"{file}#{_pointer(parts)}" for file, document in _documents(api, contract)
             for parts, node in _walk(document, []) if _names(kind, key, parts, node)]
    if kind == "endpoint" and " " in key:
        method, path = key.split(" ", 1)
        wanted = _template(path)
        for path_key, item in (read_document(contract).get("paths") or {}).items():
            if isinstance(item, dict) and method.lower() in item and wanted.endswith(_template(path_key)):
                found.append(f"{shown_path(contract)}#{_pointer(['paths', path_key, method.lower()])}")
    return list(dict.fromkeys(found))


def _template(path: str) -> str:
    """`/api/v2/photos/:id.json` and `/v2/photos/{id}.json` alike: `/v2/photos/{}.json`."""
    return re.sub(r"\{[^}]*\}|:[A-Za-z_]\w*", "{}", path)
