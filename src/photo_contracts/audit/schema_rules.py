"""Rules about one place of a request or response schema (a JSON path), compared OLD vs NEW.

Direction matters: a request schema binds clients (what they send must still be accepted),
a response schema binds the vendor (what clients parse must still come back).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from photo_contracts.audit.changes import Hit, rule, shown
from photo_contracts.schema_model import EXACT, FLAGS, LOWER, UPPER, Shape, canonical, covers

_NAME = re.compile(r"^[A-Za-z_$][\w$-]*$")


def child(path: str, name: str) -> str:
    return f"{path}.{name}" if _NAME.match(name) else f"{path}[{name!r}]"


def _types(shape: Shape) -> str:
    if shape.types is None:
        return "any"
    return "|".join(sorted(shape.types)) or "nothing"


def _allows_more(a: Shape, b: Shape) -> bool:
    """Whether `b` allows a JSON type that `a` does not."""
    if b.types is None:
        return a.types is not None
    return any(not covers(a.types, t) for t in b.types)


def _values(shape: Shape, keys: set[str]) -> str:
    return ", ".join(shown(shape.enum[k]) for k in sorted(keys)) if shape.enum else ""


# -- properties -------------------------------------------------------------------------------

@rule("request-property-removed", "warning", "schema",
      "A request body property is gone: clients still sending it are usually ignored, "
      "refused where the schema forbids additional properties.", direction="request")
def request_property_removed(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    for name in old.properties:
        if name not in new.properties:
            yield Hit(child(path, name), "removed")


@rule("request-property-added-required", "breaking", "schema",
      "A new required request property: requests written for OLD lack it.", direction="request")
def request_property_added_required(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    for name in new.properties:
        if name not in old.properties and name in new.required:
            yield Hit(child(path, name), "added, required")


@rule("request-property-added-optional", "info", "schema", "A new optional request property.",
      direction="request")
def request_property_added_optional(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    for name in new.properties:
        if name not in old.properties and name not in new.required:
            yield Hit(child(path, name), "added, optional")


def _newly_required(old: Shape, new: Shape) -> list[str]:
    """Names NEW requires and OLD did not, except properties NEW adds (those are "added, required");
    also names `required` lists without describing them (`then: {required: [size]}`)."""
    return sorted(n for n in new.required - old.required if n in old.properties or n not in new.properties)


def _no_longer_required(old: Shape, new: Shape) -> list[str]:
    """Names OLD required and NEW does not, except properties NEW removes (those are "removed")."""
    return _newly_required(new, old)


@rule("request-property-became-required", "breaking", "schema",
      "An optional request property became required.", direction="request")
def request_property_became_required(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    for name in _newly_required(old, new):
        yield Hit(child(path, name), "optional -> required")


@rule("request-property-became-optional", "info", "schema",
      "A required request property became optional.", direction="request")
def request_property_became_optional(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    for name in _no_longer_required(old, new):
        yield Hit(child(path, name), "required -> optional")


@rule("response-property-removed", "breaking", "schema",
      "A response field is gone: clients that read it break.", direction="response")
def response_property_removed(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    for name in old.properties:
        if name not in new.properties:
            yield Hit(child(path, name), "removed")


@rule("response-property-added", "info", "schema", "A new response field.", direction="response")
def response_property_added(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    for name in new.properties:
        if name not in old.properties:
            yield Hit(child(path, name), "added, required" if name in new.required else "added")


@rule("response-property-became-optional", "breaking", "schema",
      "A response field that was always present may now be missing.", direction="response")
def response_property_became_optional(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    for name in _no_longer_required(old, new):
        yield Hit(child(path, name), "required -> optional")


@rule("response-property-became-required", "info", "schema",
      "A response field is now always present.", direction="response")
def response_property_became_required(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    for name in _newly_required(old, new):
        yield Hit(child(path, name), "optional -> required")


# -- types ------------------------------------------------------------------------------------

@rule("request-type-changed", "breaking", "schema",
      "A request value no longer accepts a type it accepted (integer -> string, null dropped...).",
      direction="request")
def request_type_changed(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    if _allows_more(new, old):
        yield Hit(path, f"type {_types(old)} -> {_types(new)}")


@rule("request-type-widened", "info", "schema", "A request value accepts more types than before.",
      direction="request")
def request_type_widened(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    if not _allows_more(new, old) and _allows_more(old, new):
        yield Hit(path, f"type {_types(old)} -> {_types(new)}")


@rule("response-type-changed", "breaking", "schema",
      "A response value may come back in a type OLD did not allow.", direction="response")
def response_type_changed(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    if _allows_more(old, new):
        yield Hit(path, f"type {_types(old)} -> {_types(new)}")


@rule("response-type-narrowed", "info", "schema",
      "A response value comes back in fewer types than before (e.g. no longer null).",
      direction="response")
def response_type_narrowed(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    if not _allows_more(old, new) and _allows_more(new, old):
        yield Hit(path, f"type {_types(old)} -> {_types(new)}")


# -- enums ------------------------------------------------------------------------------------

def _enum_diff(old: Shape, new: Shape) -> tuple[set[str], set[str]]:
    if old.enum is None or new.enum is None:
        return set(), set()
    return set(old.enum) - set(new.enum), set(new.enum) - set(old.enum)


@rule("request-enum-value-removed", "breaking", "schema",
      "A value clients may send is no longer allowed.", direction="request")
def request_enum_value_removed(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    removed, _ = _enum_diff(old, new)
    if removed:
        yield Hit(path, f"enum value removed: {_values(old, removed)}")


@rule("request-enum-value-added", "info", "schema", "A new value clients may send.",
      direction="request")
def request_enum_value_added(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    _, added = _enum_diff(old, new)
    if added:
        yield Hit(path, f"enum value added: {_values(new, added)}")


@rule("response-enum-value-added", "warning", "schema",
      "The vendor may answer a value clients have never seen and may not handle (also when "
      "the enum is dropped altogether).",
      direction="response")
def response_enum_value_added(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    _, added = _enum_diff(old, new)
    if added:
        yield Hit(path, f"enum value added: {_values(new, added)}")
    elif old.enum is not None and new.enum is None:
        yield Hit(path, "enum dropped: any value may come back")


@rule("response-enum-value-removed", "info", "schema", "A value the vendor no longer answers.",
      direction="response")
def response_enum_value_removed(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    removed, _ = _enum_diff(old, new)
    if removed:
        yield Hit(path, f"enum value removed: {_values(old, removed)}")


# -- constraints ------------------------------------------------------------------------------

def _shown(value: object) -> str:
    return "(none)" if value is None else shown(value)


def constraint_changes(old: Shape, new: Shape) -> Iterator[tuple[str, str]]:
    """(description, effect) for every constraint that differs, enum presence included; the
    effect is `tightened`, `loosened`, or `changed` (a pattern, format or multipleOf replaced
    by another: neither accepts all the other does)."""
    for name in sorted(set(old.constraints) | set(new.constraints)):
        a, b = old.constraints.get(name), new.constraints.get(name)
        if a == b:
            continue
        if a is None or b is None:
            tightened = a is None
        elif name in EXACT:
            yield f"{name} {_shown(a)} -> {_shown(b)}", "changed"
            continue
        elif name in LOWER:
            tightened = b > a
        elif name in UPPER:
            tightened = b < a
        else:
            assert name in FLAGS
            tightened = bool(b) and not a
        yield f"{name} {_shown(a)} -> {_shown(b)}", "tightened" if tightened else "loosened"
    if old.enum is None and new.enum is not None:
        yield "enum introduced", "tightened"
    elif old.enum is not None and new.enum is None:
        yield "enum dropped", "loosened"
    if old.closed != new.closed:
        yield f"additionalProperties {_extra(old)} -> {_extra(new)}", "tightened" if new.closed else "loosened"
    for before, after in zip(old.conditionals, new.conditionals, strict=False):
        if canonical(before.condition) != canonical(after.condition):  # the branches are compared apart
            yield f"if {shown(before.condition)} -> {shown(after.condition)}", "changed"


def _extra(shape: Shape) -> str:
    """What additionalProperties says: false, a schema, or true (not said)."""
    return "false" if shape.closed else "a schema" if shape.additional is not None else "true"


@rule("request-constraint-tightened", "breaking", "schema",
      "A request value is constrained more: minimum/minLength/minItems up, maximum/maxLength/"
      "maxItems down, pattern/format/multipleOf or an if/then/else condition added or changed, "
      "uniqueItems, an enum or `additionalProperties: false` introduced.",
      direction="request")
def request_constraint_tightened(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    for text, effect in constraint_changes(old, new):
        if effect != "loosened":
            yield Hit(path, text)


@rule("request-constraint-loosened", "info", "schema",
      "A request value is constrained less (the reverse of the above, or a constraint removed).",
      direction="request")
def request_constraint_loosened(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    for text, effect in constraint_changes(old, new):
        if effect == "loosened":
            yield Hit(path, text)


@rule("response-constraint-loosened", "warning", "schema",
      "A response value is constrained less (a bound raised or removed, a pattern, format, "
      "multipleOf or if/then/else condition changed or removed, `additionalProperties: false` "
      "dropped): the vendor may answer values clients never had to handle.",
      direction="response")
def response_constraint_loosened(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    for text, effect in constraint_changes(old, new):
        if effect != "tightened" and text != "enum dropped":  # that is response-enum-value-added
            yield Hit(path, text)


@rule("response-constraint-tightened", "info", "schema",
      "A response value is constrained more (a bound added or tightened, a pattern or format "
      "added, an enum or `additionalProperties: false` introduced): what clients already handle "
      "still comes.", direction="response")
def response_constraint_tightened(old: Shape, new: Shape, path: str) -> Iterator[Hit]:
    for text, effect in constraint_changes(old, new):
        if effect == "tightened":
            yield Hit(path, text)
