"""`audit`'s classification of a vendor OpenAPI's old copy against its new one, mapped to our promises.

Each change (`GET /v2/photos.json response 200 $.photos[*].labels: removed`) is followed through the
vendor's document (`$ref`s included) to the pointers on the way to it; the marks whose pointer lies on
that way, or below the place, are the promises it concerns. It stays breaking only where audit says
breaking, our contract describes that place and our promise there (the mark that requires a field,
states a type...) rests on this document's words, as the old copy has them; otherwise it is a warning,
and the entry says on what our promise rests instead.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from photo_contracts.audit.changes import API_WIDE, Change
from photo_contracts.audit.diff import diff_contracts
from photo_contracts.audit.model import Contract, Interface
from photo_contracts.audit.sources import Input, open_input
from photo_contracts.citations import Promise
from photo_contracts.contracts import contract_path
from photo_contracts.errors import ToolError
from photo_contracts.provenance import Source, annotation
from photo_contracts.schema_model import Shape
from photo_contracts.sources_diff import Entry, Report, places
from photo_contracts.vendor_docs import escape, missing, resolve


class _Copy:
    """A schema_model Loader holding one document: a `$ref` to another file names nothing of the copy."""

    def __init__(self, path: str, document: Any) -> None:
        self.path, self.document = path, document

    def join(self, base: str, relative: str) -> str:
        return posixpath.normpath(posixpath.join(posixpath.dirname(base), relative))

    def load(self, path: str) -> Any:
        if path != self.path:
            raise ToolError(f"the copy refers to another file ({posixpath.basename(path)}), which it does not hold")
        return self.document


def _input(label: str, document: Any) -> Input:
    path = "/vendor/" + re.sub(r"[^\w.-]", "_", label.rsplit("/", 1)[-1])
    return Input(label, "contract", document, path, _Copy(path, document))


def ancestor(a: str, b: str) -> bool:
    """Whether pointer `a` is `b` or above it."""
    return a == b or b.startswith(a + "/")


def _covered(document: Any, change: Change) -> bool:
    """Whether the old copy covers the operation a change is about."""
    method, _, path = change.operation.partition(" ")
    return bool(path) and not missing(resolve(document, f"/paths/{escape(path)}/{method.lower()}"))


_STEP = re.compile(r"\.([A-Za-z_$][\w$-]*)|\['((?:[^'\\]|\\.)*)'\]|\[\*\]|\[(\d+)\]|\.\*|\((then|else)[^)]*\)")


def _steps(path: str) -> list[str]:
    out = []
    for match in _STEP.finditer(path.removeprefix("$")):
        text = match.group(0)
        out.append(match.group(1) or match.group(2) or ("[*]" if text == "[*]" else f"[{match.group(3)}]"
                                                         if match.group(3) else ".*" if text == ".*" else
                                                         f"({match.group(4)})"))
    return out


def _deref(document: Any, pointer: str, trail: list[str]) -> str:
    for _ in range(16):
        node = resolve(document, pointer)
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#"):
            return pointer
        pointer = ref[1:]
        trail.append(pointer)
    return pointer


def _schema_trail(document: Any, pointer: str, steps: list[str]) -> tuple[list[str], bool]:
    """Every pointer of the vendor document on the way from a schema down a JSON path ($ref targets too), and
    whether the way reaches the end of the path."""
    trail = [pointer]
    for step in steps:
        pointer = _deref(document, pointer, trail)
        node = resolve(document, pointer)
        if not isinstance(node, dict):
            return trail, False
        if step == "[*]":
            candidates = ["/items"]
        elif step.startswith("[") and step[1:-1].isdigit():
            candidates = [f"/prefixItems/{step[1:-1]}"]
        elif step == ".*":
            candidates = ["/additionalProperties"]
        elif step.startswith("("):
            candidates = [f"/{step[1:-1]}"]
        else:
            candidates = [f"/properties/{escape(step)}"]
        found = next((pointer + c for c in candidates if not missing(resolve(document, pointer + c))), None)
        if found is None and not step.startswith(("[", ".", "(")):
            for k in ("allOf", "anyOf", "oneOf"):  # the property sits in a branch, maybe behind a $ref
                for i in range(len(node.get(k) or ())):
                    branch = _deref(document, f"{pointer}/{k}/{i}", trail)
                    if found is None and not missing(resolve(document, f"{branch}/properties/{escape(step)}")):
                        found = f"{branch}/properties/{escape(step)}"
        if found is None:
            return trail, False
        pointer = found
        trail.append(pointer)
    _deref(document, pointer, trail)
    return trail, True


_LOCATION = re.compile(r"^(?:(?P<kind>parameter) (?P<in>\S+) (?P<name>\S+)|(?P<response>response) (?P<status>\S+)|"
                       r"(?P<body>request body))(?: (?P<media>[^$\s]+))?(?: (?P<path>\$.*))?$")


def _trail(document: Any, change: Change) -> tuple[list[str], bool]:
    """The vendor pointers on the way to the place a change concerns, and whether the way reaches it (a place
    only one copy has is reached in that copy alone)."""
    method, _, path = change.operation.partition(" ")
    if change.operation == API_WIDE or not path:
        return [], False
    base = f"/paths/{escape(path)}/{method.lower()}"
    if missing(resolve(document, base)):
        return [], False
    match = _LOCATION.match(change.location)
    if change.location == "operation" or match is None:
        return [base] + (["/security", "/components/securitySchemes"] if change.location == "security" else []), True
    if match.group("kind"):
        for holder in (base, f"/paths/{escape(path)}"):
            listed = resolve(document, holder + "/parameters")
            for index, _ in enumerate(listed if isinstance(listed, list) else []):
                found = [f"{holder}/parameters/{index}"]
                at = _deref(document, found[0], found)
                node = resolve(document, at)
                if isinstance(node, dict) and node.get("in") == match.group("in") and node.get(
                        "name") == match.group("name"):
                    if not match.group("path"):
                        return found, True
                    trail, reached = _schema_trail(document, at + "/schema", _steps(match.group("path")))
                    return found + trail, reached
        return [base], False
    media = match.group("media") or "application/json"
    holder = f"{base}/responses/{escape(match.group('status'))}" if match.group("response") else f"{base}/requestBody"
    trail = [holder]
    holder = _deref(document, holder, trail)
    if missing(resolve(document, holder)):
        return [base], False
    if not (match.group("media") or match.group("path")):
        return trail, True
    content = f"{holder}/content/{escape(media)}"
    if missing(resolve(document, content)):
        return trail, False
    trail.append(content)
    if not match.group("path"):
        return trail, True
    walked, reached = _schema_trail(document, f"{content}/schema", _steps(match.group("path")))
    return trail + walked, reached


def _scheme_mark(contract: Contract, interface: Interface) -> Source | None:
    """The mark of the security scheme our operation requires (where the vendor says how to send the credential)."""
    root = contract.documents.root(contract.source.path).value
    for requirement in interface.operation.spec.get("security", root.get("security") or []):
        for name in requirement or {}:
            scheme = ((root.get("components") or {}).get("securitySchemes") or {}).get(name)
            if annotation(scheme) is not None:
                return annotation(scheme)
    return None


def _ours(contract: Contract, change: Change) -> tuple[bool, Source | None]:
    """Whether our contract describes the place a change concerns, and the mark our promise there rests on
    (for a field made optional, the mark that requires it; for a type, the one that states it)."""
    method, _, path = change.operation.partition(" ")
    key = f"{method.upper()} {re.sub(r'{[^}]*}', '{}', path)}"
    interface = contract.interfaces.get(key)
    if interface is None:
        return False, None
    match = _LOCATION.match(change.location)
    operation_mark = annotation(interface.operation.spec)
    if change.location == "security":
        return True, _scheme_mark(contract, interface) or operation_mark
    if change.location == "operation" or match is None:
        return True, operation_mark
    if match.group("kind"):
        where = (match.group("in"), match.group("name"))
        if match.group("in") == "path":
            return True, operation_mark
        node = interface.parameters.get(where)
        return node is not None, node.mark if node is not None else None
    node = interface.responses.get(match.group("status")) if match.group("response") else interface.body
    if node is None:
        return False, None
    media = match.group("media") or "application/json"
    content = node.value.get("content") or {}
    if (match.group("media") or match.group("path")) and media not in content:
        return False, None
    if not match.group("path"):
        return True, node.mark
    shape: Shape | None = contract.documents.shape(node.inner("content", media, "schema"))
    parent: Shape | None = None
    last = ""
    for step in _steps(match.group("path")):
        if shape is None:
            return False, None
        parent, shape, last = shape.folded(), None, step
        if step == "[*]":
            shape = parent.any_item
        elif step.startswith("[") and step[1:-1].isdigit():
            shape = parent.position(int(step[1:-1]))
        elif step == ".*":
            shape = parent.additional
        elif step.startswith("("):
            shape = parent
        else:
            shape = parent.properties.get(step)
    if shape is None:
        return False, None
    if "required" in change.rule or "optional" in change.rule:
        return True, (parent.required_sources.get(last) if parent is not None else None) or (
            parent.source if parent is not None else shape.source)
    if "type" in change.rule:
        return True, shape.type_source or shape.source
    if "enum" in change.rule:
        return True, shape.enum_source or shape.source
    return True, shape.source


def audit_entries(report: Report, pointed: list[Promise], old: Any, new: Any) -> None:
    """`audit`'s rules on the two copies, each change as an entry with the marks it concerns."""
    try:
        changes = diff_contracts(_input(report.old.label, old), _input(report.new.label, new))
    except ToolError as exc:
        report.entries.append(Entry("vendor-change", "info", "The vendor's operations could not be classified",
                                    detail=f"audit of the two copies: {exc}"))
        return
    ours = Contract.read(open_input(str(contract_path(report.api))))
    for change in changes:
        on_the_way: list[str] = []
        places_at: list[str] = []
        for document in (old, new):
            trail, complete = _trail(document, change)
            if complete:
                on_the_way += trail
                places_at.append(trail[-1])
            else:  # the place is not in this copy: only the operation's own nodes lead to it
                on_the_way += [t for t in trail if t.startswith("/paths/")]
        related = [p for p in pointed if any(ancestor(p.source.pointer or "", t) for t in on_the_way)
                   or any(ancestor(at, p.source.pointer or "") for at in places_at)]
        described, mark = _ours(ours, change)
        if not (related or described or _covered(report.old.data, change)):
            report.outside += 1  # a part of the document the old copy does not cover and no promise of ours needs
            continue
        rests = mark is not None and mark.documented and mark.ref == report.ref
        unrooted = rests and mark is not None and (
            (mark.pointer is not None and missing(resolve(report.old.data, mark.pointer)))
            or (bool(mark.quote) and not report.old.words.count(mark.quote)))
        severity = change.severity
        if severity == "breaking" and not (described and rests and not unrooted):
            severity = "warning"
        if not described:
            why = "Our contract does not describe this place."
        elif unrooted and mark is not None:
            why = f"Our promise there cites words the old copy does not have either: {mark.label()}."
        elif mark is None or not mark.documented:
            why = f"Our promise there is {'an assumption' if mark is not None else 'unmarked'}" + (
                f" ({mark.label()})." if mark is not None else ".")
        elif mark.ref != report.ref:
            why = f"Our promise there rests on other words: {mark.label()}."
        else:
            why = f"Our promise there rests on these words: {mark.label()}."
        report.entries.append(Entry(
            "vendor-change", severity, f"{change.operation} {change.location}: {change.message}",
            old=change.location, new=change.message, places=[p for promise in related for p in places(promise)],
            rule=change.rule, detail=f"audit classifies it {change.severity}. {why}"))
