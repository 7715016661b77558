"""Load the OpenAPI contracts and the JSON Schemas they reference.

Contracts (YAML, OpenAPI 3.1) reference their schemas by relative file paths, so schemathesis,
openapi-spec-validator and jsonschema all resolve them from disk without any network access.
The built-in ones are package data (the repository's contracts/ and schemas/); a user's own
contract is any file, its references resolved relative to it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from photo_contracts.apis import get_api, registered
from photo_contracts.errors import ToolError
from photo_contracts.operations import Operation
from photo_contracts.provenance import Source, annotation

CONTRACTS_DIR = Path(str(resources.files("photo_contracts.openapi")))
SCHEMAS_DIR = Path(str(resources.files("photo_contracts.schemas")))


def contract_path(api: str) -> Path:
    """The contract `api` is judged by: the built-in one, or the user's own for this run."""
    return get_api(api).contract


def contract_identity(api: str) -> dict[str, Any]:
    """What reports name as the contract a verdict was judged by: its path; the SHA-256 of the file (what
    `sha256sum` prints); the SHA-256 of it with every file it references (`sha256sum` lines, `<digest>  <path
    relative to the contract's directory>`, sorted by path: an edited schema changes it too); whether it is the
    user's own (named in the configuration or with --contract), not the one the API registered."""
    path = contract_path(api)
    files: set[Path] = set()
    check_references(path, files)
    lines = sorted((Path(os.path.relpath(file, path.parent)).as_posix(), _sha256(file)) for file in files)
    return {"path": str(path), "sha256": _sha256(path),
            "sha256_with_references": hashlib.sha256("".join(f"{digest}  {name}\n" for name, digest in lines)
                                                      .encode()).hexdigest(),
            "own": path.resolve() != registered(api).contract.resolve()}


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror}") from None


def read_document(path: Path) -> Any:
    """A YAML or JSON file as Python data, or a one-line ToolError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ToolError(f"{path} is not a text file (UTF-8 YAML or JSON)") from None
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ToolError(f"{path} is not valid {path.suffix.lstrip('.').upper()}: {exc}") from None


def load_contract(api: str) -> dict[str, Any]:
    """The contract of `api` as data (read once per process; callers must not modify it)."""
    return _load_contract(contract_path(api))


@cache
def _load_contract(path: Path) -> dict[str, Any]:
    document = shared_document(path)
    if not isinstance(document, dict) or "paths" not in document:
        raise ToolError(f"{path} is not an OpenAPI document (no 'paths')")
    return document


# Provenance: each node of a loaded contract or schema -> the nearest mark on or above it.
_MARKS: dict[int, Source | None] = {}


def _index_marks(node: Any, inherited: Source | None) -> None:
    if isinstance(node, dict):
        inherited = annotation(node) or inherited
        _MARKS[id(node)] = inherited
        for value in node.values():
            _index_marks(value, inherited)
    elif isinstance(node, list):
        for item in node:
            _index_marks(item, inherited)


@cache
def shared_document(path: Path) -> Any:
    """A contract or schema file, read once: validators, reports and marks all see the same objects,
    so a schema error's node leads back to the mark that sources it."""
    document = read_document(path)
    _nullable_as_type(document)
    _index_marks(document, None)
    return document


def _nullable_as_type(node: Any) -> None:
    """OpenAPI 3.0's `nullable: true` as JSON Schema's `null` type, in place: vendors' own OpenAPI files (Fulcrum's
    is 3.1 but writes `nullable`) mean "may be null", which 2020-12 validation would otherwise ignore."""
    if isinstance(node, dict):
        kind = node.get("type")
        if node.get("nullable") is True and isinstance(kind, str | list) and "null" not in kind:
            node["type"] = [kind, "null"] if isinstance(kind, str) else [*kind, "null"]
        for value in node.values():
            _nullable_as_type(value)
    elif isinstance(node, list):
        for item in node:
            _nullable_as_type(item)


def source_of(node: Any) -> Source | None:
    """The mark on a loaded contract or schema node, or the nearest one above it in its file."""
    return _MARKS.get(id(node))


_REFS_IN_A_ROW = 16  # `$ref`s followed without a keyword between them: deeper is a cycle


def source_of_error(error: ValidationError, schema_uri: str) -> Source | None:
    """The mark of the promise a jsonschema error (from `validator(schema_uri)`) breaks: the one nearest the failing
    keyword on the path the validator took to it, through properties, combinators and `$ref`s, so a property's own
    mark wins over its object's and a referenced schema's over the schema that references it. Without a mark on that
    path (or if the path cannot be followed again), the nearest mark above the failing node in its file."""
    steps = list(error.absolute_schema_path)[:-1]  # the last step is the keyword, inside `error.schema`
    path = _schema_path(registry().resolver(), {"$ref": schema_uri}, steps, error.schema, 0)
    for node in reversed(path or []):
        mark = annotation(node)
        if mark is not None:
            return mark
    return source_of(error.schema)


def _schema_path(resolver: Any, node: Any, steps: list[Any], target: Any, refs: int) -> list[Any] | None:
    """The nodes from `node` to `target` along `steps`. jsonschema's schema paths leave out the `$ref`s it followed,
    so a `$ref` is followed wherever the next step is not the node's own, and the path must end at `target`."""
    if not steps and node is target:
        return [node]
    if steps and isinstance(node, dict | list):
        step, rest = steps[0], steps[1:]
        child = (node.get(step) if isinstance(node, dict) else
                 node[step] if isinstance(step, int) and 0 <= step < len(node) else None)
        if child is not None:
            inner = resolver  # a child with its own `$id` is the new base of its relative `$ref`s
            if isinstance(child, dict) and isinstance(child.get("$id"), str):
                inner = resolver.in_subresource(DRAFT202012.create_resource(child))
            found = _schema_path(inner, child, rest, target, 0)
            if found is not None:
                return [node, *found]
    ref = node.get("$ref") if isinstance(node, dict) else None
    if isinstance(ref, str) and refs < _REFS_IN_A_ROW:
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable:
            return None
        found = _schema_path(resolved.resolver, resolved.contents, steps, target, refs + 1)
        if found is not None:
            return [node, *found]
    return None


def check_references(path: Path, seen: set[Path] | None = None) -> None:
    """Every file a document references (`$ref`, `externalValue`), recursively, exists and parses;
    otherwise a one-line ToolError naming the file and the reference."""
    seen = set() if seen is None else seen
    if path in seen:
        return
    seen.add(path)

    def walk(node: Any) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("$ref", "externalValue") and isinstance(value, str):
                    yield key, value
                else:
                    yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    resolver = registry().resolver(base_uri=file_uri(path))
    for key, ref in walk(read_document(path)):
        if not ref.startswith("#"):
            target = Path(unquote(urlparse(urldefrag(resolve_ref(path, ref))[0]).path))
            if not target.is_file():
                raise ToolError(f"{path}: reference {ref!r} points at {target}, which does not exist")
            if key == "externalValue":
                continue  # an example file, not a schema: it only has to be there
            check_references(target, seen)
        try:
            resolver.lookup(ref)
        except Unresolvable:
            where = urldefrag(ref)[1]
            raise ToolError(f"{path}: reference {ref!r} does not resolve: no {where or 'such node'!r} in it") from None


def _retrieve(uri: str) -> Resource:
    # Every reference is a file on disk; nothing is ever fetched from the network.
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        raise ToolError(f"schema reference {uri!r} is not a local file")
    return Resource.from_contents(shared_document(Path(unquote(parsed.path)).resolve()), DRAFT202012)


@cache
def registry() -> Registry:
    """Every shipped schema file, loaded and crawled once (a validator then resolves `$ref`s by lookup,
    not by reading and crawling files again on every answer); anything else is retrieved from disk."""
    files = sorted(SCHEMAS_DIR.rglob("*.json")) + sorted(CONTRACTS_DIR.glob("*.yaml"))
    resources = [(file_uri(path), Resource.from_contents(shared_document(path.resolve()), DRAFT202012))
                 for path in files if "examples" not in path.parts]
    return Registry(retrieve=_retrieve).with_resources(resources).crawl()  # type: ignore[call-arg]


def file_uri(path: Path) -> str:
    return path.resolve().as_uri()


def resolve_ref(base: Path, ref: str) -> str:
    """An absolute file URI (with fragment) for a `$ref` written in the file `base`."""
    return urljoin(file_uri(base), ref)


def with_absolute_refs(node: Any, base: Path) -> Any:
    """A copy of a document whose file references are absolute, so it resolves from anywhere."""
    if isinstance(node, dict):
        return {
            key: resolve_ref(base, value) if key in ("$ref", "externalValue") and not value.startswith("#")
            else with_absolute_refs(value, base)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [with_absolute_refs(item, base) for item in node]
    return node


@cache
def validator(schema_uri: str) -> Draft202012Validator:
    """A 2020-12 validator for the schema at `schema_uri`, with formats checked (one per schema)."""
    return Draft202012Validator(
        {"$ref": schema_uri},
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def documented_response(operation: Operation, status: str,
                        contract: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """(JSON pointer, response object) documented for `status`, following local `$ref`s."""
    responses = operation.spec.get("responses", {})
    key = next((k for k in (status, f"{status[:1]}XX", "default") if k in responses), None)
    if key is None:
        return "", {}
    pointer = "/" + "/".join(_escape(p) for p in ("paths", operation.path, operation.method, "responses", key))
    response = responses[key]
    while isinstance(response, dict) and "$ref" in response and contract is not None:
        pointer = response["$ref"].removeprefix("#")
        node: Any = contract
        for part in pointer.lstrip("/").split("/"):
            node = node.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(node, dict) else {}
        response = node
    return pointer, response if isinstance(response, dict) else {}


def response_media(operation: Operation, status: str, contract: dict[str, Any] | None = None) -> dict[str, Any]:
    """The `content` map of the documented response for `status`."""
    return documented_response(operation, status, contract)[1].get("content", {})


def schema_uri_for(api: str, operation: Operation, status: str, media_type: str) -> str | None:
    """The file URI of the schema the contract names for one response, if it names one."""
    pointer, response = documented_response(operation, status, load_contract(api))
    content = response.get("content", {}).get(media_type)
    if not content or "schema" not in content:
        return None
    schema = content["schema"]
    base = contract_path(api)
    if "$ref" in schema:
        return resolve_ref(base, schema["$ref"])
    # An inline schema (possibly with $refs inside): its URI is its place in the contract file.
    return f"{file_uri(base)}#{pointer}/content/{_escape(media_type)}/schema"


def example_files(api: str, operation: Operation, status: str, media_type: str) -> list[Path]:
    """Documented examples the contract attaches to a response (`externalValue` files)."""
    content = response_media(operation, status, load_contract(api)).get(media_type) or {}
    base = contract_path(api)
    paths = []
    for example in (content.get("examples") or {}).values():
        if "externalValue" in example:
            uri, _ = urldefrag(resolve_ref(base, example["externalValue"]))
            paths.append(Path(unquote(urlparse(uri).path)))
    return paths


def security_source(api: str, operation: Operation) -> Source | None:
    """The mark of the security scheme an operation requires (where the vendor says a credential is needed)."""
    contract = load_contract(api)
    requirements = operation.spec.get("security", contract.get("security", []))
    schemes = contract.get("components", {}).get("securitySchemes", {})
    for requirement in requirements:
        for name in requirement:
            if name in schemes:
                return source_of(schemes[name])
    return None


def parameters_of(api: str, operation: Operation) -> list[dict[str, Any]]:
    """The operation's parameters with those of its path item, local `$ref`s followed (the operation's win)."""
    contract = load_contract(api)
    listed = [*contract["paths"][operation.path].get("parameters", []), *operation.spec.get("parameters", [])]
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for parameter in listed:
        while isinstance(parameter, dict) and str(parameter.get("$ref", "")).startswith("#/"):
            node: Any = contract
            for part in parameter["$ref"][2:].split("/"):
                node = node.get(part.replace("~1", "/").replace("~0", "~"), {})
            parameter = node
        if isinstance(parameter, dict) and "name" in parameter:
            found[(parameter["name"], parameter.get("in", ""))] = parameter
    return list(found.values())


def resolve_schema(api: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A schema whose root is a `$ref` to a file (or a pointer in one), read from that file."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if not isinstance(ref, str) or ref.startswith("#"):
        return schema
    uri, fragment = urldefrag(resolve_ref(contract_path(api), ref))
    node: Any = shared_document(Path(unquote(urlparse(uri).path)).resolve())
    for part in [p for p in fragment.split("/") if p]:
        node = node.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(node, dict) else {}
    return node if isinstance(node, dict) else {}
