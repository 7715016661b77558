"""The documented shape of a response: JSON paths, types, nullability, required and enum values.

Paths use the same pattern syntax as `observe.flatten` (`$.photos[*].exif.make`); keys of a map
(`additionalProperties`, `patternProperties`) are written `.*`. Alternatives (anyOf, oneOf,
if/then/else) are a union: a field is documented if any alternative documents it, and required
only if every alternative requires it. allOf is an intersection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from photo_contracts.contracts import registry, source_of
from photo_contracts.provenance import Source
from photo_contracts.drift.observe import json_type
from photo_contracts.errors import ToolError

if TYPE_CHECKING:
    from referencing._core import Resolver  # referencing exports no public name for it

MAX_DEPTH = 24  # nesting levels (objects, arrays, references) followed before a shape is left open
JSON_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")
ANY_KEY = "*"  # the pattern step for a key of a map


@dataclass
class Shape:
    """What a schema documents about one JSON node."""

    types: set[str] | None = None  # JSON types allowed ("null" included); None = any
    enum: set[Any] | None = None  # allowed values; None = not an enumeration
    properties: dict[str, Shape] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    additional: Shape | None = None  # the shape of keys not in `properties` (a map)
    closed: bool = False  # additionalProperties: false
    items: Shape | None = None  # every item ([*]), prefixItems merged in
    open_object: bool = False  # an object of which nothing is said: any key is fine
    partial: set[str] = field(default_factory=set)  # properties only some alternatives document
    varies: bool = False  # `x-fields-vary`: the vendor says which optional fields appear varies (EXIF by device)
    source: Source | None = None  # the mark on (or nearest above) the schema that documents this node
    type_source: Source | None = None  # the mark of the node that states its type
    enum_source: Source | None = None  # the mark of the node that states its values
    required_sources: dict[str, Source] = field(default_factory=dict)  # required field -> the mark requiring it

    @property
    def full(self) -> set[str]:
        """Properties every alternative documents: the ones an answer is expected to show."""
        return set(self.properties) - self.partial

    def allows(self, kind: str) -> bool:
        """Whether an observed JSON type is documented here (an integer is a number)."""
        if self.types is None:
            return True
        return kind in self.types or (kind == "integer" and "number" in self.types)

    @property
    def nullable(self) -> bool:
        return self.types is None or "null" in self.types

    def child(self, step: str) -> Shape | None:
        """The documented shape one step down (`name` or `[*]`), None if undocumented."""
        if step == "[*]":
            if self.items is not None:
                return self.items
            return open_shape() if self.types is None or "array" in self.types else None
        if step in self.properties:
            return self.properties[step]
        if self.additional is not None:
            return self.additional
        if self.open_object:
            return open_shape()
        return None


def open_shape() -> Shape:
    """A node of which nothing is documented: anything below it is fine."""
    return Shape(open_object=True)


def _type_set(schema: dict[str, Any]) -> set[str] | None:
    kind = schema.get("type")
    if kind is None:
        return None
    kinds = {kind} if isinstance(kind, str) else set(kind)
    return kinds & set(JSON_TYPES)


def _meet(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """Types both allow (an integer is a number)."""
    if a is None or b is None:
        return b if a is None else a
    both = a & b
    if ("number" in a and "integer" in b) or ("integer" in a and "number" in b):
        both.add("integer")
    return both


def _pick(*sources: Source | None) -> Source | None:
    """The vendor's word outranks an assumption where two schemas say the same."""
    present = [s for s in sources if s is not None]
    return next((s for s in present if s.documented), present[0] if present else None)


def _required_sources(*shapes: Shape) -> dict[str, Source]:
    merged: dict[str, Source] = {}
    for shape in shapes:
        for name, source in shape.required_sources.items():
            merged[name] = _pick(merged.get(name), source) or source
    return merged


def _narrower(a: Any, b: Any, a_source: Source | None, b_source: Source | None) -> Source | None:
    """allOf: the mark of whichever side states the narrower constraint (an assumption narrowing a
    documented type is what a failure would break)."""
    if a is None or b is None:
        return a_source if b is None else b_source
    if len(b) < len(a):
        return b_source
    if len(a) < len(b):
        return a_source
    return _pick(a_source, b_source)


def intersect(a: Shape, b: Shape) -> Shape:
    """allOf: both hold."""
    types = _meet(a.types, b.types)
    enum = a.enum if b.enum is None else b.enum if a.enum is None else a.enum & b.enum
    properties = dict(a.properties)
    for name, shape in b.properties.items():
        properties[name] = intersect(properties[name], shape) if name in properties else shape
    additional = a.additional if b.additional is None else b.additional if a.additional is None else intersect(
        a.additional, b.additional)
    items = a.items if b.items is None else b.items if a.items is None else intersect(a.items, b.items)
    partial = (a.partial | b.partial) - a.full - b.full
    return Shape(types, enum, properties, a.required | b.required, additional, a.closed or b.closed, items,
                 a.open_object and b.open_object, partial, a.varies or b.varies, source=_pick(a.source, b.source),
                 required_sources=_required_sources(a, b),
                 type_source=_narrower(a.types, b.types, a.type_source, b.type_source),
                 enum_source=_narrower(a.enum, b.enum, a.enum_source, b.enum_source))


def union(shapes: list[Shape]) -> Shape:
    """anyOf / oneOf / then-else: any one holds."""
    if not shapes:
        return open_shape()
    if len(shapes) == 1:
        return shapes[0]
    types: set[str] | None = set()
    enum: set[Any] | None = set()
    for shape in shapes:
        types = None if types is None or shape.types is None else types | shape.types
        enum = None if enum is None or shape.enum is None else enum | shape.enum
    properties: dict[str, Shape] = {}
    for name in dict.fromkeys(n for s in shapes for n in s.properties):
        properties[name] = union([s.properties[name] for s in shapes if name in s.properties])
    required = set.intersection(*(s.required for s in shapes))
    maps = [s.additional for s in shapes if s.additional is not None]
    lists = [s.items for s in shapes if s.items is not None]
    # only alternatives that allow an object count: `anyOf: [{$ref: photo}, {type: null}]` expects photo's fields
    objects = [s for s in shapes if s.types is None or "object" in s.types] or shapes
    partial = set(properties) - set.intersection(*(s.full for s in objects))
    return Shape(types, enum, properties, required, union(maps) if maps else None, all(s.closed for s in shapes),
                 union(lists) if lists else None, any(s.open_object for s in shapes), partial,
                 any(s.varies for s in shapes), source=_pick(*(s.source for s in shapes)),
                 required_sources={n: src for n, src in _required_sources(*shapes).items() if n in required},
                 type_source=_pick(*(s.type_source for s in shapes)),
                 enum_source=_pick(*(s.enum_source for s in shapes)))


class _Reader:
    """Walks one schema (following $refs through the project's file registry) into a Shape."""

    def __init__(self) -> None:
        self.active: list[int] = []  # $refs being followed, to stop at a cycle

    def shape(self, schema: Any, resolver: Resolver, depth: int) -> Shape:
        if schema is True or schema is None or depth > MAX_DEPTH or not isinstance(schema, dict | bool):
            return open_shape()
        if schema is False:
            return Shape(types=set())
        if "$id" in schema:
            resolver = resolver.in_subresource(DRAFT202012.create_resource(schema))
        result = self.own(schema, resolver, depth)
        if "$ref" in schema:
            result = intersect(result, self.follow(schema["$ref"], resolver, depth))
        for part in schema.get("allOf", []):
            result = intersect(result, self.shape(part, resolver, depth + 1))
        for key in ("anyOf", "oneOf"):
            if key in schema:
                result = intersect(result, union([self.shape(s, resolver, depth + 1) for s in schema[key]]))
        if "then" in schema or "else" in schema:
            # the `if` is a condition, not a promise: either branch may describe the answer
            branches = [self.shape(schema.get(k, True), resolver, depth + 1) for k in ("then", "else")]
            result = intersect(result, union(branches))
        return result

    def follow(self, ref: str, resolver: Resolver, depth: int) -> Shape:
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable as exc:
            raise ToolError(f"cannot resolve schema reference {ref!r}: {exc}") from None
        key = id(resolved.contents)  # the same subschema entered again: a cycle
        if key in self.active:
            return open_shape()  # a recursive schema: left open below this point
        self.active.append(key)
        try:
            return self.shape(resolved.contents, resolved.resolver, depth + 1)
        finally:
            self.active.pop()

    def own(self, schema: dict[str, Any], resolver: Resolver, depth: int) -> Shape:
        """What the schema says itself, without combinators and references."""
        mark = source_of(schema)
        shape = Shape(types=_type_set(schema), source=mark, type_source=mark if "type" in schema else None,
                      enum_source=mark if "enum" in schema or "const" in schema else None)
        if "const" in schema:
            shape.enum = {_hashable(schema["const"])}
        elif isinstance(schema.get("enum"), list):
            shape.enum = {_hashable(v) for v in schema["enum"]}
        if shape.enum is not None and shape.types is None:
            shape.types = {json_type(v) for v in shape.enum}
        if "nullable" in schema and schema["nullable"] and shape.types is not None:
            shape.types.add("null")  # OpenAPI 3.0 style, in case a contract still uses it
        for name, sub in (schema.get("properties") or {}).items():
            shape.properties[name] = self.shape(sub, resolver, depth + 1)
        shape.required = {r for r in schema.get("required", []) if isinstance(r, str)}
        if shape.source is not None:
            shape.required_sources = dict.fromkeys(shape.required, shape.source)
        maps = [self.shape(s, resolver, depth + 1) for s in (schema.get("patternProperties") or {}).values()]
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            maps.append(self.shape(extra, resolver, depth + 1))
        shape.additional = union(maps) if maps else None
        shape.closed = extra is False
        shape.varies = shape.varies or bool(schema.get("x-fields-vary"))
        shape.open_object = (not shape.properties and shape.additional is None and not shape.closed
                             and (shape.types is None or "object" in shape.types))
        lists = [self.shape(s, resolver, depth + 1) for s in schema.get("prefixItems", [])]
        if "items" in schema and schema["items"] is not False:
            lists.append(self.shape(schema["items"], resolver, depth + 1))
        shape.items = union(lists) if lists else None  # None: an array of anything
        return shape


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | type(None)) else repr(value)


@cache
def documented_shape(schema_uri: str) -> Shape:
    """The Shape of the schema at `schema_uri` (a file URI with an optional JSON pointer fragment)."""
    resolver = registry().resolver()
    return _Reader().follow(schema_uri, resolver, 0)


@dataclass(frozen=True)
class Documented:
    """One documented path, flattened."""

    types: tuple[str, ...] | None  # None = any type
    nullable: bool
    required: bool
    enum: tuple[Any, ...] | None

    def as_dict(self) -> dict[str, Any]:
        return {"types": list(self.types) if self.types is not None else None, "nullable": self.nullable,
                "required": self.required, **({"enum": list(self.enum)} if self.enum is not None else {})}


def flatten_shape(shape: Shape, at: str = "$", max_depth: int = MAX_DEPTH) -> dict[str, Documented]:
    """Path pattern -> Documented for every node the shape documents (map keys as `.*`)."""
    found: dict[str, Documented] = {}

    def walk(node: Shape, path: str, required: bool, depth: int) -> None:
        if path in found or depth > max_depth:
            return
        types = None if node.types is None else tuple(sorted(node.types - {"null"}))
        enum = None if node.enum is None else tuple(sorted(node.enum, key=repr))
        found[path] = Documented(types, node.nullable, required, enum)
        for name, child in node.properties.items():
            walk(child, f"{path}.{name}", name in node.required, depth + 1)
        if node.additional is not None:
            walk(node.additional, f"{path}.{ANY_KEY}", False, depth + 1)
        if node.items is not None:
            walk(node.items, f"{path}[*]", False, depth + 1)

    walk(shape, at, True, 0)
    return found


def steps(pattern: str) -> list[str]:
    """`$.photos[*].exif.make` -> ['photos', '[*]', 'exif', 'make']."""
    out: list[str] = []
    rest = pattern[1:] if pattern.startswith("$") else pattern
    i = 0
    while i < len(rest):
        if rest.startswith("[*]", i):
            out.append("[*]")
            i += 3
        elif rest[i] == ".":
            j = i + 1
            while j < len(rest) and rest[j] != "." and not rest.startswith("[*]", j):
                j += 1
            out.append(rest[i + 1:j])
            i = j
        else:  # not a pattern flatten writes; keep the rest as one step
            out.append(rest[i:])
            break
    return out


def lookup(shape: Shape, pattern: str) -> tuple[Shape | None, str | None]:
    """(documented shape at `pattern`, None) or (None, the first undocumented prefix of it)."""
    node: Shape | None = shape
    at = "$"
    for step in steps(pattern):
        at = at + step if step == "[*]" else f"{at}.{step}"
        node = node.child(step) if node is not None else None
        if node is None:
            return None, at
    return node, None
