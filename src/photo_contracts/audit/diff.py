"""Apply the rule table to two inputs of the same kind: the changelog, sorted by severity."""

from __future__ import annotations

from collections.abc import Iterator

from photo_contracts.audit import contract_rules, observation_rules, schema_rules  # noqa: F401 - register
from photo_contracts.audit.changes import Change, Hit, rules
from photo_contracts.audit.model import Contract, Interface
from photo_contracts.audit.sources import Input
from photo_contracts.errors import ToolError
from photo_contracts.schema_model import NO_CONDITION, Documents, Node, Shape, open_shape


def diff(old: Input, new: Input) -> list[Change]:
    if old.kind != new.kind:
        raise ToolError(f"cannot compare {old.label} ({old.kind}) with {new.label} ({new.kind}): "
                        "OLD and NEW must both be contracts or both be observations")
    changes = diff_contracts(old, new) if old.kind == "contract" else observation_rules.diff_observations(
        old.document, new.document)
    return sorted(changes, key=lambda c: c.sort_key)


def diff_contracts(old_input: Input, new_input: Input) -> list[Change]:
    old, new = Contract.read(old_input), Contract.read(new_input)
    changes: list[Change] = []
    for r in rules("document"):
        changes.extend(r.changes(r.function(old, new)))
    for key, before in old.interfaces.items():
        after = new.interfaces.get(key)
        if after is None:
            continue
        for r in rules("operation"):
            changes.extend(r.changes(r.function(before, after), operation=after.operation.name))
        changes.extend(_operation_schemas(old.documents, new.documents, before, after))
    return changes


def _media_label(media: str) -> str:
    return "" if media == "application/json" else f" {media}"


def _schema(node: Node, media: str) -> Node | None:
    spec = (node.value.get("content") or {}).get(media)
    return node.inner("content", media, "schema") if isinstance(spec, dict) and "schema" in spec else None


def _operation_schemas(old: Documents, new: Documents, before: Interface, after: Interface) -> Iterator[Change]:
    request = Walk(old, new, "request", after.operation.name)
    for key in before.parameters:
        if key in after.parameters:
            yield from request.walk(before.parameter_schema(key), after.parameter_schema(key),
                                    prefix=f"parameter {key[0]} {key[1]}", bare_root=True)
    if before.body and after.body:
        for media in before.body.value.get("content") or {}:
            yield from request.walk(_schema(before.body, media), _schema(after.body, media),
                                    prefix=f"request body{_media_label(media)}")
    response = Walk(old, new, "response", after.operation.name)
    for status, old_response in before.responses.items():
        new_response = after.responses.get(status)
        if new_response is None:
            continue
        for media in old_response.value.get("content") or {}:
            yield from response.walk(_schema(old_response, media), _schema(new_response, media),
                                     prefix=f"response {status}{_media_label(media)}")


class Walk:
    """Schema rules of one direction, applied at every JSON path both versions describe: properties
    (`$.a`), items by position (`$[0]`, prefixItems) and after it (`$[*]`), values of other keys
    (`$.*`, additionalProperties) and each if/then/else branch (`$(then)`, `$(else)`)."""

    def __init__(self, old: Documents, new: Documents, direction: str, operation: str) -> None:
        self.old, self.new, self.operation = old, new, operation
        self.rules = rules("schema", direction)

    def walk(self, old: Node | None, new: Node | None, prefix: str, bare_root: bool = False) -> Iterator[Change]:
        if old is None or new is None:
            return
        yield from self._walk(self.old.shape(old), self.new.shape(new), "$", prefix, bare_root)

    def _walk(self, before: Shape, after: Shape, path: str, prefix: str, bare_root: bool) -> Iterator[Change]:
        for r in self.rules:
            hits: Iterator[Hit] = r.function(before, after, path)
            if bare_root:  # a parameter is its own value: `parameter query max`, not `... $`
                hits = (Hit(h.location.removeprefix("$").lstrip("."), h.message) for h in hits)
            yield from r.changes(hits, operation=self.operation, prefix=prefix)
        for at, old, new in _below(before, after, path):
            yield from self._walk(old, new, at, prefix, bare_root)


def _below(before: Shape, after: Shape, path: str) -> Iterator[tuple[str, Shape, Shape]]:
    """(path, OLD shape, NEW shape) of every place under `path` the two versions both describe; where
    only one says what an item or another key may be, the other allows anything there."""
    for name, shape in before.properties.items():
        if name in after.properties:
            yield schema_rules.child(path, name), shape, after.properties[name]
    for index in range(max(len(before.prefix), len(after.prefix))):
        yield f"{path}[{index}]", before.position(index) or open_shape(), after.position(index) or open_shape()
    if before.items is not None or after.items is not None:
        yield f"{path}[*]", before.items or open_shape(), after.items or open_shape()
    if not (before.closed or after.closed) and (before.additional is not None or after.additional is not None):
        yield f"{path}.*", before.additional or open_shape(), after.additional or open_shape()
    for index in range(max(len(before.conditionals), len(after.conditionals))):
        old = before.conditionals[index] if index < len(before.conditionals) else NO_CONDITION
        new = after.conditionals[index] if index < len(after.conditionals) else NO_CONDITION
        number = f" {index + 1}" if index else ""
        yield f"{path}(then{number})", old.then, new.then
        yield f"{path}(else{number})", old.otherwise, new.otherwise
