"""Schemas seen flat: `$ref` resolved (also into other files), allOf/anyOf/oneOf merged into a View.

A View is what a diff needs of one place in a document: its types, enum, constraints, the
properties (still unresolved, walked lazily), which of them are required, and its items.
allOf is a conjunction (types intersect, constraints take the tightest, required add up);
anyOf/oneOf a disjunction (types add up, constraints the loosest that every branch states,
a property is required only when every object branch requires it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from photo_contracts.audit.sources import Loader
from photo_contracts.errors import ToolError

LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")  # higher = tighter
UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")  # lower = tighter
EXACT = ("pattern", "format", "multipleOf")  # any change tightens, removal loosens
FLAGS = ("uniqueItems",)  # true is tighter
CONSTRAINTS = LOWER + UPPER + EXACT + FLAGS


@dataclass(frozen=True)
class Node:
    """A piece of a document and the path of the document it sits in (base of relative $refs)."""

    path: str
    value: Any


@dataclass(frozen=True)
class Combined:
    """Several schemas that apply together (all) or as alternatives (any)."""

    mode: str  # all | any
    parts: tuple[Node | Combined, ...]


Schema = Node | Combined


@dataclass
class View:
    types: frozenset[str] | None = None  # None: any type
    enum: dict[str, Any] | None = None  # canonical JSON -> value
    constraints: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Schema] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    items: Schema | None = None

    def may_be(self, kind: str) -> bool:
        return self.types is None or kind in self.types


def covers(types: frozenset[str] | None, kind: str) -> bool:
    """Whether a value of JSON type `kind` is allowed by `types` (integers are numbers)."""
    return types is None or kind in types or (kind == "integer" and "number" in types)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _tight(name: str, values: list[Any]) -> Any:
    if name in LOWER:
        return max(values)
    if name in UPPER:
        return min(values)
    if name in FLAGS:
        return any(values)
    distinct = sorted({str(v) for v in values})
    return values[0] if len(distinct) == 1 else " & ".join(distinct)  # e.g. two patterns, both apply


def _loose(name: str, values: list[Any]) -> Any:
    if name in LOWER:
        return min(values)
    if name in UPPER:
        return max(values)
    if name in FLAGS:
        return all(values)
    return values[0] if len({_key(v) for v in values}) == 1 else None


def conjunction(views: list[View]) -> View:
    result = View()
    for view in views:
        if view.types is not None:
            if result.types is None:
                result.types = view.types
            else:
                a, b = result.types, view.types
                result.types = frozenset({t for t in a if covers(b, t)} | {t for t in b if covers(a, t)})
        if view.enum is not None:
            result.enum = view.enum if result.enum is None else {
                k: v for k, v in result.enum.items() if k in view.enum}
        for name, value in view.constraints.items():
            old = result.constraints.get(name)
            result.constraints[name] = value if old is None else _tight(name, [old, value])
        for name, schema in view.properties.items():
            old_schema = result.properties.get(name)
            result.properties[name] = schema if old_schema is None else Combined("all", (old_schema, schema))
        result.required |= view.required
        if view.items is not None:
            result.items = view.items if result.items is None else Combined("all", (result.items, view.items))
    return result


def disjunction(views: list[View]) -> View:
    if not views:
        return View()
    result = View()
    if all(v.types is not None for v in views):
        result.types = frozenset().union(*(v.types or frozenset() for v in views))
    if all(v.enum is not None for v in views):
        result.enum = {k: val for v in views for k, val in (v.enum or {}).items()}
    for name in set.intersection(*(set(v.constraints) for v in views)):
        value = _loose(name, [v.constraints[name] for v in views])
        if value is not None:
            result.constraints[name] = value
    for name in sorted({n for v in views for n in v.properties}):
        parts = tuple(v.properties[name] for v in views if name in v.properties)
        result.properties[name] = parts[0] if len(parts) == 1 else Combined("any", parts)
    objects = [v.required for v in views if v.may_be("object")]
    result.required = frozenset.intersection(*objects) if objects else frozenset()
    items = tuple(v.items for v in views if v.items is not None)
    if items:
        result.items = items[0] if len(items) == 1 else Combined("any", items)
    return result


class Resolver:
    """Follows `$ref`s (local pointers and relative files) through one loader."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader

    def target(self, node: Node, ref: str) -> Node:
        """The node a `$ref` written in `node`'s document names."""
        file_part, _, fragment = ref.partition("#")
        if "://" in file_part:
            raise ToolError(f"$ref {ref!r} in {node.path} is not a relative file reference")
        path = self.loader.join(node.path, file_part) if file_part else node.path
        value: Any = self.loader.load(path)
        for part in [p for p in unquote(fragment).split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            try:
                value = value[int(part)] if isinstance(value, list) else value[part]
            except (KeyError, IndexError, ValueError, TypeError):
                raise ToolError(f"$ref {ref!r} in {node.path} points at nothing") from None
        return Node(path, value)

    def deref(self, node: Node) -> Node:
        """An OpenAPI object with its `$ref` chain followed (siblings of `$ref` are ignored)."""
        seen = set()
        while isinstance(node.value, dict) and isinstance(node.value.get("$ref"), str):
            key = (node.path, node.value["$ref"])
            if key in seen:
                raise ToolError(f"$ref cycle at {node.value['$ref']!r} in {node.path}")
            seen.add(key)
            node = self.target(node, node.value["$ref"])
        return node

    def view(self, schema: Schema | None, _chain: frozenset[tuple[str, int]] = frozenset()) -> View:
        """The flat View of a schema."""
        if schema is None:
            return View()
        if isinstance(schema, Combined):
            views = [self.view(part, _chain) for part in schema.parts]
            return conjunction(views) if schema.mode == "all" else disjunction(views)
        value = schema.value
        if value is False:
            return View(types=frozenset())
        if not isinstance(value, dict):
            return View()
        identity = (schema.path, id(value))
        if identity in _chain:  # a schema that includes itself through $ref/allOf: stop here
            return View()
        chain = _chain | {identity}
        parts = [self._own(schema)]
        if isinstance(value.get("$ref"), str):
            parts.append(self.view(self.target(schema, value["$ref"]), chain))
        for sub in value.get("allOf") or []:
            parts.append(self.view(Node(schema.path, sub), chain))
        for keyword in ("anyOf", "oneOf"):
            if value.get(keyword):
                branches = [self.view(Node(schema.path, sub), chain) for sub in value[keyword]]
                parts.append(disjunction(branches))
        return conjunction(parts)

    @staticmethod
    def _own(schema: Node) -> View:
        value = schema.value
        view = View()
        kind = value.get("type")
        if kind is not None:
            view.types = frozenset([kind] if isinstance(kind, str) else kind)
            if value.get("nullable") is True:  # OpenAPI 3.0 spelling
                view.types |= {"null"}
        if "const" in value:
            view.enum = {_key(value["const"]): value["const"]}
        elif isinstance(value.get("enum"), list):
            view.enum = {_key(v): v for v in value["enum"]}
        view.constraints = {k: value[k] for k in CONSTRAINTS if k in value}
        properties = value.get("properties") or {}
        view.properties = {name: Node(schema.path, sub) for name, sub in properties.items()}
        view.required = frozenset(value.get("required") or ())
        if isinstance(value.get("items"), dict | bool):
            view.items = Node(schema.path, value["items"])
        return view
