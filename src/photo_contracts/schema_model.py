"""What a JSON Schema documents: the one model drift (what may an answer look like) and audit
(what changed between two versions) both read.

A `Shape` is what a schema says about one JSON node: its types, enum (or const), constraints
(bounds, pattern, format, multipleOf, uniqueItems), properties and which are required, what other
keys may hold (additionalProperties, patternProperties) or that there may be none, its items
(prefixItems by position, items after them), its if/then/else branches, and the x-source /
x-assumed mark of the node that states each. `Documents` reads Shapes through a `Loader` (files on
disk, one git revision), following `$ref`s inside a file and into other files, relative to the
file that holds them.

allOf is a conjunction: types and enums intersect, constraints take the tightest, required add up.
anyOf/oneOf are a disjunction: types and enums add up, a constraint counts only when every branch
states it (at its loosest), a property is documented when any branch documents it and required
only when every branch that may be an object requires it. if/then/else is kept apart
(`conditionals`) so an audit can compare each branch; `folded()` reads the branches as
alternatives, as drift does: either may describe an answer.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from urllib.parse import unquote

from photo_contracts.errors import ToolError
from photo_contracts.provenance import Source, annotation

MAX_DEPTH = 24  # nesting levels (objects, arrays, references) followed before a shape is left open
JSON_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")
LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")  # higher = tighter
UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")  # lower = tighter
EXACT = ("pattern", "format", "multipleOf")  # another value is neither tighter nor looser
FLAGS = ("uniqueItems",)  # true is tighter
CONSTRAINTS = LOWER + UPPER + EXACT + FLAGS


def json_type(value: Any) -> str:
    """The JSON type of a parsed value (a bool is a boolean, not an integer)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def canonical(value: Any) -> str:
    """A JSON value as a comparable key: `{"a": 1}` and `{"a":1}` are the same."""
    return json.dumps(value, sort_keys=True, default=str)


# Keywords that explain a schema without constraining a value (and `x-` extensions, marks included).
ANNOTATIONS = ("title", "description", "examples", "example", "default", "$comment", "deprecated", "readOnly",
               "writeOnly")
NAMED = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")  # keys that are names
VALUES = ("enum", "const")  # JSON values, not schemas


def without_annotations(schema: Any) -> Any:
    """A schema as written, without its annotations: two schemas that constrain alike compare equal."""
    if isinstance(schema, list):
        return [without_annotations(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    kept: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ANNOTATIONS or key.startswith("x-"):
            continue
        if key in VALUES:
            kept[key] = value
        elif key in NAMED and isinstance(value, dict):
            kept[key] = {name: without_annotations(sub) for name, sub in value.items()}
        else:
            kept[key] = without_annotations(value)
    return kept


def covers(types: frozenset[str] | None, kind: str) -> bool:
    """Whether a value of JSON type `kind` is allowed by `types` (None: any; an integer is a number)."""
    return types is None or kind in types or (kind == "integer" and "number" in types)


# -- reading documents ------------------------------------------------------------------------

class Loader(Protocol):
    """Where documents come from: `load` gives the parsed document at a path (the same object each
    time), `join` the path a relative `$ref` written in the document at `base` names."""

    def load(self, path: str) -> Any: ...

    def join(self, base: str, relative: str) -> str: ...


class FileLoader:
    """Documents on disk, by absolute path, each read once with `read` (path -> parsed document)."""

    def __init__(self, read: Callable[[str], Any]) -> None:
        self._read = read
        self._documents: dict[str, Any] = {}

    def join(self, base: str, relative: str) -> str:
        return posixpath.normpath(posixpath.join(posixpath.dirname(base), relative))

    def load(self, path: str) -> Any:
        if path not in self._documents:
            self._documents[path] = self._read(path)
        return self._documents[path]


@dataclass(frozen=True)
class Node:
    """A piece of a document, the path of the file it sits in (the base of its relative `$ref`s)
    and the mark on it or nearest above it in that file."""

    path: str
    value: Any
    mark: Source | None = None

    def inner(self, *keys: str | int) -> Node:
        """The node under `keys` (object keys, or indexes of arrays); a KeyError etc. if there is none."""
        value, mark = self.value, self.mark
        for key in keys:
            value = value[int(key)] if isinstance(value, list) else value[key]
            mark = annotation(value) or mark
        return Node(self.path, value, mark)


class Documents:
    """The documents one loader gives: `$ref`s followed, schemas read into Shapes."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader

    def root(self, path: str) -> Node:
        document = self.loader.load(path)
        return Node(path, document, annotation(document))

    def target(self, node: Node, ref: str) -> Node:
        """The node a `$ref` written in `node`'s file names (a relative file, a JSON pointer, or both)."""
        file_part, _, fragment = ref.partition("#")
        if "://" in file_part:
            raise ToolError(f"$ref {ref!r} in {node.path} is not a relative file reference")
        document = self.root(self.loader.join(node.path, file_part) if file_part else node.path)
        keys = [p.replace("~1", "/").replace("~0", "~") for p in unquote(fragment).split("/") if p]
        try:
            return document.inner(*keys)
        except (KeyError, IndexError, ValueError, TypeError):
            raise ToolError(f"$ref {ref!r} in {node.path} points at nothing") from None

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

    def shape(self, node: Node) -> Shape:
        """What the schema at `node` documents."""
        return _Reader(self).shape(node, 0)


# -- the model --------------------------------------------------------------------------------

@dataclass
class Conditional:
    """One if/then/else: the condition (as written, annotations left out: it is compared, never read
    as a promise) and what each branch documents (an absent branch documents nothing)."""

    condition: Any
    then: Shape
    otherwise: Shape


@dataclass
class Shape:
    """What a schema documents about one JSON node."""

    types: frozenset[str] | None = None  # JSON types allowed ("null" included); None = any
    enum: dict[str, Any] | None = None  # allowed values by `canonical` key; None = not an enumeration
    constraints: dict[str, Any] = field(default_factory=dict)  # CONSTRAINTS the node states
    properties: dict[str, Shape] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    additional: Shape | None = None  # the value of keys not in `properties` (a map); None = not said
    closed: bool = False  # additionalProperties: false
    prefix: tuple[Shape, ...] = ()  # prefixItems: the item at each position
    items: Shape | None = None  # every item after the prefix; None = not said
    conditionals: tuple[Conditional, ...] = ()  # if/then/else, not folded in (see `folded`)
    open_object: bool = False  # an object of which nothing is said: any key is fine
    partial: frozenset[str] = frozenset()  # properties only some alternatives document
    varies: bool = False  # `x-fields-vary`: the vendor says which optional fields appear varies (EXIF by device)
    conditional: frozenset[str] = frozenset()  # `x-conditional`: optional fields the vendor's words tie to a case
    source: Source | None = None  # the mark on (or nearest above) the schema that documents this node
    type_source: Source | None = None  # the mark of the node that states its type
    enum_source: Source | None = None  # the mark of the node that states its values
    required_sources: dict[str, Source] = field(default_factory=dict)  # required field -> the mark requiring it
    _folded: Shape | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def full(self) -> set[str]:
        """Properties every alternative documents: the ones an answer is expected to show."""
        return set(self.properties) - self.partial

    @property
    def nullable(self) -> bool:
        return self.types is None or "null" in self.types

    def allows(self, kind: str) -> bool:
        """Whether a value of JSON type `kind` is documented here (an integer is a number)."""
        return covers(self.types, kind)

    def permits(self, value: Any) -> bool:
        """Whether `value` is one of the enumerated values (any value, when there is no enum)."""
        return self.enum is None or canonical(value) in self.enum

    def position(self, index: int) -> Shape | None:
        """The item at `index` of an array (None: not said)."""
        return self.prefix[index] if index < len(self.prefix) else self.items

    @property
    def any_item(self) -> Shape | None:
        """What any item may be, whatever its position (None: not said)."""
        after = [] if self.items is None or self.items.types == frozenset() else [self.items]  # items: false
        shapes = [*self.prefix, *after]
        return union(shapes) if shapes else None

    def child(self, step: str) -> Shape | None:
        """The documented shape one step down (a property name, or `[*]` for an item), None if undocumented."""
        if step == "[*]":
            item = self.any_item
            if item is not None:
                return item
            return open_shape() if self.types is None or "array" in self.types else None
        if step in self.properties:
            return self.properties[step]
        if self.additional is not None:
            return self.additional
        if self.open_object:
            return open_shape()
        return None

    def folded(self) -> Shape:
        """This shape with its if/then/else read as alternatives: either branch may describe the value."""
        if not self.conditionals:
            return self
        if self._folded is None:
            result = replace(self, conditionals=())
            for conditional in self.conditionals:
                result = intersect(result, union([conditional.then, conditional.otherwise]))
            self._folded = result
        return self._folded


def open_shape() -> Shape:
    """A node of which nothing is documented: anything below it is fine."""
    return Shape(open_object=True)


def never() -> Shape:
    """The `false` schema: no value at all."""
    return Shape(types=frozenset())


NO_CONDITION = Conditional(None, open_shape(), open_shape())  # the counterpart of an if/then/else one side lacks


# -- combining shapes -------------------------------------------------------------------------

def _meet(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """Types both allow (an integer is a number)."""
    if a is None or b is None:
        return b if a is None else a
    return frozenset({t for t in a if covers(b, t)} | {t for t in b if covers(a, t)})


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


def _tightest(name: str, a: Any, b: Any) -> Any:
    if name in LOWER:
        return max(a, b)
    if name in UPPER:
        return min(a, b)
    if name in FLAGS:
        return bool(a) or bool(b)
    distinct = sorted({str(a), str(b)})
    return a if len(distinct) == 1 else " & ".join(distinct)  # e.g. two patterns: both apply


def _loosest(name: str, values: list[Any]) -> Any:
    """The loosest of the values every alternative states; None when they differ and none is looser."""
    if name in LOWER:
        return min(values)
    if name in UPPER:
        return max(values)
    if name in FLAGS:
        return all(values)
    return values[0] if len({canonical(v) for v in values}) == 1 else None


def _both(a: Shape | None, b: Shape | None) -> Shape | None:
    return b if a is None else a if b is None else intersect(a, b)


def intersect(a: Shape, b: Shape) -> Shape:
    """allOf: both hold."""
    enum = a.enum if b.enum is None else b.enum if a.enum is None else {k: v for k, v in a.enum.items() if k in b.enum}
    constraints = dict(a.constraints)
    for name, value in b.constraints.items():
        constraints[name] = value if name not in constraints else _tightest(name, constraints[name], value)
    properties = dict(a.properties)
    for name, shape in b.properties.items():
        properties[name] = intersect(properties[name], shape) if name in properties else shape
    prefix = tuple(_both(a.position(i), b.position(i)) or open_shape()
                   for i in range(max(len(a.prefix), len(b.prefix))))
    return Shape(_meet(a.types, b.types), enum, constraints, properties, a.required | b.required,
                 _both(a.additional, b.additional), a.closed or b.closed, prefix, _both(a.items, b.items),
                 a.conditionals + b.conditionals, a.open_object and b.open_object,
                 frozenset((a.partial | b.partial) - a.full - b.full), a.varies or b.varies,
                 conditional=a.conditional | b.conditional, source=_pick(a.source, b.source),
                 type_source=_narrower(a.types, b.types, a.type_source, b.type_source),
                 enum_source=_narrower(a.enum, b.enum, a.enum_source, b.enum_source),
                 required_sources=_required_sources(a, b))


def _union_of_present(shapes: list[Shape | None]) -> Shape | None:
    present = [s for s in shapes if s is not None]
    return union(present) if present else None


def union(shapes: list[Shape]) -> Shape:
    """anyOf / oneOf / then-else: any one holds (each alternative with its own if/then/else folded in)."""
    if not shapes:
        return open_shape()
    if len(shapes) == 1:
        return shapes[0]  # its if/then/else stays apart: nothing else to merge it with
    shapes = [s.folded() for s in shapes]
    types: frozenset[str] | None = None
    if all(s.types is not None for s in shapes):
        types = frozenset().union(*(s.types or () for s in shapes))
    enum: dict[str, Any] | None = None
    if all(s.enum is not None for s in shapes):
        enum = {k: v for s in shapes for k, v in (s.enum or {}).items()}
    constraints = {}
    for name in set.intersection(*(set(s.constraints) for s in shapes)):
        value = _loosest(name, [s.constraints[name] for s in shapes])
        if value is not None:
            constraints[name] = value
    properties = {name: union([s.properties[name] for s in shapes if name in s.properties])
                  for name in dict.fromkeys(n for s in shapes for n in s.properties)}
    # only alternatives that may be an object count: `anyOf: [{$ref: photo}, {type: null}]` expects photo's fields
    objects = [s for s in shapes if s.types is None or "object" in s.types] or shapes
    required = frozenset.intersection(*(s.required for s in objects))
    partial = frozenset(set(properties) - objects[0].full.intersection(*(s.full for s in objects[1:])))
    prefix = tuple(_union_of_present([s.position(i) for s in shapes]) or open_shape()
                   for i in range(max(len(s.prefix) for s in shapes)))
    return Shape(types, enum, constraints, properties, required,
                 _union_of_present([s.additional for s in shapes]), all(s.closed for s in shapes), prefix,
                 _union_of_present([s.items for s in shapes]), (), any(s.open_object for s in shapes), partial,
                 any(s.varies for s in shapes), conditional=frozenset().union(*(s.conditional for s in shapes)),
                 source=_pick(*(s.source for s in shapes)),
                 type_source=_pick(*(s.type_source for s in shapes)),
                 enum_source=_pick(*(s.enum_source for s in shapes)),
                 required_sources={n: src for n, src in _required_sources(*shapes).items() if n in required})


# -- reading a schema -------------------------------------------------------------------------

class _Reader:
    """Walks one schema, following its $refs, into a Shape."""

    def __init__(self, documents: Documents) -> None:
        self.documents = documents
        self.active: list[tuple[str, int]] = []  # $ref targets being followed, to stop at a cycle

    def shape(self, node: Node, depth: int) -> Shape:
        schema = node.value
        if schema is False:
            return never()
        if not isinstance(schema, dict) or depth > MAX_DEPTH:
            return open_shape()
        result = self.own(node, depth)
        if isinstance(schema.get("$ref"), str):
            result = intersect(result, self.follow(node, schema["$ref"], depth))
        for index in range(len(schema.get("allOf") or ())):
            result = intersect(result, self.shape(node.inner("allOf", index), depth + 1))
        for key in ("anyOf", "oneOf"):
            if schema.get(key):
                result = intersect(result, union([self.shape(node.inner(key, i), depth + 1)
                                                  for i in range(len(schema[key]))]))
        if "then" in schema or "else" in schema:
            # the `if` is a condition, not a promise: what each branch documents is kept apart
            then, otherwise = (self.shape(node.inner(k), depth + 1) if k in schema else open_shape()
                               for k in ("then", "else"))
            conditional = Conditional(without_annotations(schema.get("if", True)), then, otherwise)
            result = replace(result, conditionals=(*result.conditionals, conditional))
        return result

    def follow(self, node: Node, ref: str, depth: int) -> Shape:
        target = self.documents.target(node, ref)
        key = (target.path, id(target.value))  # the same subschema entered again: a cycle
        if key in self.active:
            return open_shape()  # a recursive schema: left open below this point
        self.active.append(key)
        try:
            return self.shape(target, depth + 1)
        finally:
            self.active.pop()

    def own(self, node: Node, depth: int) -> Shape:
        """What the schema says itself, without combinators and references."""
        schema, mark = node.value, node.mark
        shape = Shape(types=_type_set(schema), source=mark, type_source=mark if "type" in schema else None,
                      enum_source=mark if "enum" in schema or "const" in schema else None,
                      constraints={k: schema[k] for k in CONSTRAINTS if k in schema})
        if "const" in schema:
            shape.enum = {canonical(schema["const"]): schema["const"]}
        elif isinstance(schema.get("enum"), list):
            shape.enum = {canonical(v): v for v in schema["enum"]}
        if shape.enum is not None and shape.types is None:
            shape.types = frozenset(json_type(v) for v in shape.enum.values())
        if schema.get("nullable") is True and shape.types is not None:
            shape.types |= {"null"}  # OpenAPI 3.0 style, in case a contract still uses it
        shape.properties = {name: self.shape(node.inner("properties", name), depth + 1)
                            for name in (schema.get("properties") or {})}
        required = schema.get("required")
        if isinstance(required, list):
            shape.required = frozenset(r for r in required if isinstance(r, str))
        if mark is not None:
            shape.required_sources = dict.fromkeys(shape.required, mark)
        maps = [self.shape(node.inner("patternProperties", key), depth + 1)
                for key in (schema.get("patternProperties") or {})]
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            maps.append(self.shape(node.inner("additionalProperties"), depth + 1))
        shape.additional = union(maps) if maps else None
        shape.closed = extra is False
        shape.varies = bool(schema.get("x-fields-vary"))
        shape.conditional = frozenset(n for n in schema.get("x-conditional") or () if isinstance(n, str))
        shape.open_object = (not shape.properties and shape.additional is None and not shape.closed
                             and (shape.types is None or "object" in shape.types))
        shape.prefix = tuple(self.shape(node.inner("prefixItems", i), depth + 1)
                             for i in range(len(schema.get("prefixItems") or ())))
        if isinstance(schema.get("items"), dict | bool):
            shape.items = self.shape(node.inner("items"), depth + 1)
        return shape


def _type_set(schema: dict[str, Any]) -> frozenset[str] | None:
    kind = schema.get("type")
    if kind is None:
        return None
    kinds = {kind} if isinstance(kind, str) else set(kind)
    return frozenset(kinds & set(JSON_TYPES))
