"""Documented shapes: what a contract's response schema says about each JSON path."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from photo_contracts.apis import APIS
from photo_contracts.contracts import documented_response, file_uri, load_contract, schema_uri_for
from photo_contracts.drift.documented import documented_shape, lookup
from photo_contracts.operations import operations
from photo_contracts.schema_model import MAX_DEPTH, Shape

ANY_KEY = "*"  # how the flattened form below writes a key of a map


@dataclass(frozen=True)
class Documented:
    """One documented path, flattened: what the tests read of a Shape (drift walks it with `lookup`)."""

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
        node = node.folded()
        types = None if node.types is None else tuple(sorted(node.types - {"null"}))
        enum = None if node.enum is None else tuple(sorted(node.enum.values(), key=repr))
        found[path] = Documented(types, node.nullable, required, enum)
        for name, child in node.properties.items():
            walk(child, f"{path}.{name}", name in node.required, depth + 1)
        if node.additional is not None:
            walk(node.additional, f"{path}.{ANY_KEY}", False, depth + 1)
        if node.any_item is not None:
            walk(node.any_item, f"{path}[*]", False, depth + 1)

    walk(shape, at, True, 0)
    return found


def shape_of(api: str, operation: str, status: str = "200", media: str = "application/json"):
    op = next(o for o in operations(load_contract(api)) if o.name == operation)
    uri = schema_uri_for(api, op, status, media)
    assert uri, f"{api} {operation} {status} {media} names no schema"
    return flatten_shape(documented_shape(uri))


def response_schemas():
    for api in APIS:
        contract = load_contract(api)
        for op in operations(contract):
            for status in op.spec.get("responses", {}):
                for media in documented_response(op, status, contract)[1].get("content", {}):
                    uri = schema_uri_for(api, op, status, media)
                    if uri:
                        yield pytest.param(uri, id=f"{api}:{op.name}:{status}:{media}")


@pytest.mark.parametrize("uri", list(response_schemas()))
def test_every_response_schema_of_every_contract_flattens(uri):
    flat = flatten_shape(documented_shape(uri))
    assert "$" in flat and flat["$"].required


def test_fulcrum_photo_refs_nullable_required_and_anyof_null():
    flat = shape_of("fulcrum", "GET /v2/photos/{id}.json")
    original = flat["$.photo.original"]
    assert (original.types, original.nullable, original.required) == (("string",), True, True)
    assert flat["$.photo.created_by"].required is True  # a read-only row of the page's table
    assert flat["$.photo.file_size"].types == ("integer",)
    exif = flat["$.photo.exif"]  # anyOf [{$ref: exif.json}, {type: null}]
    assert (exif.types, exif.nullable, exif.required) == (("object",), True, True)  # listed; "varies by device" inside
    assert flat["$.photo.exif.x_resolution"].types == ("number", "string")  # a $ref into $defs, type list


def test_fulcrum_list_items_through_a_relative_ref():
    flat = shape_of("fulcrum", "GET /v2/photos.json")
    assert flat["$.photos[*].access_key"].required
    assert flat["$.photos[*].exif.make"].types == ("string",)


def test_cloudcard_allof_enum_and_required():
    flat = shape_of("cloudcard", "GET /photo")  # items: allOf [photo.json]
    assert "APPROVED" in flat["$[*].status"].enum and "ARCHIVED" not in flat["$[*].status"].enum
    assert flat["$[*].id"].required
    # links.bytes is in every payload; externalURL only in newer ones (vendor-notes)
    assert flat["$[*].links"].required and not flat["$[*].externalURL"].required
    assert flat["$[*].domainClass"].enum == ("us.cloudcard.api.Photo",)  # const


def test_visitor_if_then_else_is_a_union_with_a_map():
    flat = shape_of("visitor", "GET /v1/photo/{visitorId}")
    assert "3404" in flat["$.errors.code"].enum and not flat["$.errors.code"].required
    assert flat["$.errors.*"].types == ("string",)  # keyedByCode: additionalProperties
    assert flat["$.success"].enum == (False,)


def test_autodesk_nested_refs_and_enum():
    flat = shape_of("autodesk", "GET /projects/{projectId}/photos/{photoId}")
    assert set(flat["$.mediaType"].enum) >= {"NORMAL", "INFRARED"}
    assert flat["$.urls"].required and flat["$.urls.fileUrl"].required  # urls.json, a relative file $ref
    assert flat["$.createdAt"].types == ("string",)  # a $ref into the file's own $defs


@pytest.fixture
def schema_file(tmp_path):
    def write(schema: dict, name: str = "s.json") -> str:
        path = tmp_path / name
        path.write_text(json.dumps(schema))
        return file_uri(path)
    return write


def test_combinators_type_lists_prefix_items_and_maps(schema_file):
    uri = schema_file({
        "type": "object",
        "required": ["a", "b"],
        "properties": {
            "a": {"type": ["integer", "null"]},
            "b": {"oneOf": [
                {"type": "object", "required": ["x", "y"], "properties": {"x": {"type": "string"}, "y": {}}},
                {"type": "object", "required": ["x"], "properties": {"x": {"enum": ["p", "q"]}}},
            ]},
            "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}]},
            "tags": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "c": {"allOf": [{"type": "number"}, {"type": "integer"}]},
            "d": {"if": {"required": ["k"]}, "then": {"type": "string"}, "else": {"type": "integer"}},
        },
    })
    flat = flatten_shape(documented_shape(uri))
    assert (flat["$.a"].types, flat["$.a"].nullable) == (("integer",), True)
    assert flat["$.b.x"].required and not flat["$.b.y"].required  # required only if in every alternative
    assert flat["$.b.x"].types == ("string",) and flat["$.b.x"].enum is None  # one alternative is any string
    assert flat["$.pair[*]"].types == ("number", "string")
    assert flat["$.tags.*"].types == ("boolean",)
    assert flat["$.c"].types == ("integer",)
    assert flat["$.d"].types == ("integer", "string")
    node, undocumented = lookup(documented_shape(uri), "$.tags.anything")
    assert node is not None and undocumented is None
    assert lookup(documented_shape(uri), "$.nope.deeper") == (None, "$.nope")


def test_recursive_schema_terminates(schema_file):
    uri = schema_file({"$defs": {"node": {"type": "object", "properties": {
        "name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
        "$ref": "#/$defs/node"}, "tree.json")
    flat = flatten_shape(documented_shape(uri))
    assert "$.children[*]" in flat and "$.name" in flat
    assert lookup(documented_shape(uri), "$.children[*].children[*].name")[1] is None  # left open, not drift


def test_a_relative_file_ref(schema_file):
    schema_file({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}, "item.json")
    uri = schema_file({"type": "array", "items": {"$ref": "item.json"}}, "list.json")
    flat = flatten_shape(documented_shape(uri))
    assert flat["$[*].id"].required and flat["$[*].id"].types == ("integer",)
