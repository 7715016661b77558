"""Apply the rule table to two inputs of the same kind: the changelog, sorted by severity."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from photo_contracts.audit import contract_rules, observation_rules, schema_rules  # noqa: F401 - register
from photo_contracts.audit.changes import Change, Hit, rules
from photo_contracts.audit.model import Contract, Operation
from photo_contracts.audit.schemas import Combined, Node, Resolver, Schema
from photo_contracts.audit.sources import Input
from photo_contracts.errors import ToolError

MAX_DEPTH = 24  # JSON nesting followed; recursive schemas stop earlier, at their first repeat


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
    for key, before in old.operations.items():
        after = new.operations.get(key)
        if after is None:
            continue
        for r in rules("operation"):
            changes.extend(r.changes(r.function(before, after), operation=after.name))
        changes.extend(_operation_schemas(old.resolver, new.resolver, before, after))
    return changes


def _media_label(media: str) -> str:
    return "" if media == "application/json" else f" {media}"


def _schema(node: Node, media: str) -> Node | None:
    spec = (node.value.get("content") or {}).get(media)
    return Node(node.path, spec["schema"]) if isinstance(spec, dict) and "schema" in spec else None


def _operation_schemas(old_resolver: Resolver, new_resolver: Resolver, before: Operation,
                       after: Operation) -> Iterator[Change]:
    request = Walk(old_resolver, new_resolver, "request", after.name)
    for key in before.parameters:
        if key in after.parameters:
            yield from request.walk(before.parameter_schema(key), after.parameter_schema(key),
                                    prefix=f"parameter {key[0]} {key[1]}", bare_root=True)
    if before.body and after.body:
        for media in before.body.value.get("content") or {}:
            yield from request.walk(_schema(before.body, media), _schema(after.body, media),
                                    prefix=f"request body{_media_label(media)}")
    response = Walk(old_resolver, new_resolver, "response", after.name)
    for status, old_response in before.responses.items():
        new_response = after.responses.get(status)
        if new_response is None:
            continue
        for media in old_response.value.get("content") or {}:
            yield from response.walk(_schema(old_response, media), _schema(new_response, media),
                                     prefix=f"response {status}{_media_label(media)}")


def _identity(schema: Schema) -> Any:
    if isinstance(schema, Combined):
        return (schema.mode, tuple(_identity(p) for p in schema.parts))
    return (schema.path, id(schema.value))


class Walk:
    """Schema rules of one direction, applied at every JSON path both versions describe."""

    def __init__(self, old: Resolver, new: Resolver, direction: str, operation: str) -> None:
        self.old, self.new, self.operation = old, new, operation
        self.rules = rules("schema", direction)

    def walk(self, old: Schema | None, new: Schema | None, prefix: str,
             bare_root: bool = False) -> Iterator[Change]:
        if old is None or new is None:
            return
        yield from self._walk(old, new, "$", prefix, bare_root, frozenset())

    def _walk(self, old: Schema, new: Schema, path: str, prefix: str, bare_root: bool,
              stack: frozenset[Any]) -> Iterator[Change]:
        before, after = self.old.view(old), self.new.view(new)
        for r in self.rules:
            hits: Iterator[Hit] = r.function(before, after, path)
            if bare_root:  # a parameter is its own value: `parameter query max`, not `... $`
                hits = (Hit(h.location.removeprefix("$").lstrip("."), h.message) for h in hits)
            yield from r.changes(hits, operation=self.operation, prefix=prefix)
        identity = (_identity(old), _identity(new))
        if identity in stack or len(stack) >= MAX_DEPTH:
            return
        stack = stack | {identity}
        for name, schema in before.properties.items():
            if name in after.properties:
                yield from self._walk(schema, after.properties[name], schema_rules.child(path, name),
                                      prefix, bare_root, stack)
        if before.items is not None and after.items is not None:
            yield from self._walk(before.items, after.items, f"{path}[*]", prefix, bare_root, stack)
