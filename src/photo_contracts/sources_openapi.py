"""A new copy of a vendor's OpenAPI against the promises that cite it by JSON pointer (or quote).

A pointer that no longer resolves, or now names another parameter or another value, is a lost source
(breaking). What changed inside a cited operation or schema is classified by `audit`'s own rules
(OLD copy -> NEW copy) and each change is mapped to the marks whose pointer sits on the way to it:
breaking when the change is breaking, a mark of ours cites it and our contract describes that place;
otherwise a warning or info to review. Values `audit` does not compare (a parameter's `default`) are
compared here; prose (descriptions, summaries) is info. Examples are compared as on a page.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from photo_contracts.audit.changes import API_WIDE, Change
from photo_contracts.audit.diff import diff_contracts
from photo_contracts.audit.model import Contract, Interface, operation_key
from photo_contracts.audit.sources import Input, open_input
from photo_contracts.citations import Promise, shown_path
from photo_contracts.contracts import contract_path, load_contract, schema_uri_for
from photo_contracts.errors import ToolError
from photo_contracts.operations import operations
from photo_contracts.provenance import Source, annotation
from photo_contracts.schema_model import Shape
from photo_contracts.sources_diff import (
    Entry,
    Home,
    Place,
    Report,
    compare_examples,
    pair_examples,
    places,
    rejections,
    shown,
)
from photo_contracts.vendor_docs import escape, for_comparison, missing, normal, parts, resolve

PROSE = ("description", "summary", "title")
UNCOMPARED = ("default", "readOnly", "writeOnly")  # what the audit's rules do not compare, compared here
IDENTITY = ("name", "in")  # a parameter object is the parameter these name


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


def _flat(node: Any, pointer: str = "") -> dict[str, Any]:
    """Leaf values by pointer, examples left out (they are compared as examples)."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key not in ("example", "examples"):
                out.update(_flat(value, f"{pointer}/{escape(str(key))}"))
        return out or {pointer: {}}
    if isinstance(node, list) and node and any(isinstance(item, dict | list) for item in node):
        out = {}
        for index, item in enumerate(node):
            out.update(_flat(item, f"{pointer}/{index}"))
        return out
    return {pointer: node}


def _ancestor(a: str, b: str) -> bool:
    return a == b or b.startswith(a + "/")


# -- pointers -----------------------------------------------------------------------------------------------

def _pointer_entries(report: Report, pointed: list[Promise], old: Any, new: Any) -> list[Promise]:
    """Lost or moved pointers and quotes; the promises whose nodes are objects in both copies (still to compare)."""
    still = []
    old_words, new_words = report.old.words, report.new.words
    for promise in pointed:
        pointer = promise.source.pointer or ""
        quote = promise.source.quote
        before, after = resolve(old, pointer), resolve(new, pointer)
        if missing(before) or (quote and not old_words.count(quote)):
            report.not_judged.append(promise)
            continue
        report.judged += 1
        label = promise.locations[0].label
        if missing(after):
            report.entries.append(Entry(
                "lost-words", "breaking", f"{label}: the vendor's OpenAPI no longer has {pointer}",
                old=shown(before), new=f"(no such node; {_nearest(new, pointer)})", places=places(promise),
                source=promise.source))
            continue
        if quote and not new_words.count(quote):
            report.entries.append(Entry(
                "lost-words", "breaking", f"The words of {label} are no longer at {pointer}",
                old=normal(quote), new=shown(after), places=places(promise), source=promise.source))
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            moved = [k for k in IDENTITY if k in before and before.get(k) != after.get(k)]
            if moved:
                now_at = _same_item(new_data := report.new.data, pointer, before)
                report.entries.append(Entry(
                    "lost-words", "breaking", f"{label}: {pointer} now names another parameter",
                    old=", ".join(f"{k} {shown(before.get(k))}" for k in moved),
                    new=", ".join(f"{k} {shown(after.get(k))}" for k in moved), places=places(promise),
                    source=promise.source, detail="An array position in a pointer moves when the vendor inserts or "
                    "removes an item before it" + (f"; {shown(before.get('name'))} now sits at {now_at}."
                                                    if now_at and not missing(resolve(new_data, now_at)) else ".")))
            else:
                still.append(promise)
        elif isinstance(before, list) and isinstance(after, list) and all(x in after for x in before):
            if before != after:
                more = shown([x for x in after if x not in before])
                report.entries.append(Entry(
                    "vendor-change", "info", f"{label}: {pointer} now also lists {more}",
                    old=shown(before), new=shown(after), places=places(promise), source=promise.source))
        elif before != after:
            report.entries.append(Entry(
                "lost-words", "breaking", f"{label}: {pointer} now says something else",
                old=shown(before), new=shown(after), places=places(promise), source=promise.source))
    return still


def _same_item(document: Any, pointer: str, before: dict[str, Any]) -> str | None:
    """Where the item a positional pointer named sits now in its array (a parameter by name and place)."""
    steps = parts(pointer)
    holder = "".join("/" + escape(s) for s in steps[:-1])
    items = resolve(document, holder)
    for index, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict) and all(item.get(k) == before.get(k) for k in IDENTITY if k in before):
            return f"{holder}/{index}"
    return None


def _nearest(document: Any, pointer: str) -> str:
    steps = parts(pointer)
    while steps:
        steps = steps[:-1]
        at = "".join("/" + escape(s) for s in steps)
        if not missing(resolve(document, at)):
            return f"the nearest node there is {at or '/'}"
    return "nothing of it is left"


def _leaf_entries(report: Report, promises: list[Promise], old: Any, new: Any) -> None:
    """Values `audit` does not compare and prose, under each cited object, once per vendor pointer."""
    seen: dict[str, Entry] = {}
    for promise in promises:
        pointer = promise.source.pointer or ""
        before, after = _flat(resolve(old, pointer), pointer), _flat(resolve(new, pointer), pointer)
        for leaf in sorted(set(before) | set(after)):
            was, now = before.get(leaf), after.get(leaf)
            if was == now:
                continue
            last = parts(leaf)[-1] if parts(leaf) else ""
            if leaf in seen:
                seen[leaf].places += [p for p in places(promise) if p not in seen[leaf].places]
                continue
            if last in PROSE and (was is None or now is None):
                continue  # prose of a node added or removed: the audit's rules report the node
            if last in PROSE:
                entry = Entry("words-changed", "info", f"The vendor's {last} at {leaf} changed",
                              old=str(was) if was is not None else "(none)", new=str(now) if now is not None
                              else "(none)", places=places(promise), source=promise.source)
            elif last in UNCOMPARED:
                relative = leaf[len(pointer):]
                ours = [(location, rel) for location in promise.locations
                        for rel, value in location.values().items() if rel == relative and value == was]
                if ours:
                    entry = Entry(
                        "changed-value", "breaking",
                        f"`{last}` {shown(was)} of {ours[0][0].label}: the vendor now says {shown(now)}",
                        old=f"{leaf}: {shown(was)}", new=f"{leaf}: {shown(now)}",
                        places=[Place.of(location, rel, location.keyword_checks(rel)) for location, rel in ours],
                        source=promise.source)
                else:
                    entry = Entry("vendor-change", "warning", f"The vendor's `{last}` at {leaf} changed",
                                  old=shown(was), new=shown(now), places=places(promise), source=promise.source)
            else:
                continue  # compared by the audit's rules
            seen[leaf] = entry
            report.entries.append(entry)


# -- the audit's classification, mapped to the marks -------------------------------------------------------

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


def _audit_entries(report: Report, pointed: list[Promise], old: Any, new: Any) -> None:
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
        related = [p for p in pointed if any(_ancestor(p.source.pointer or "", t) for t in on_the_way)
                   or any(_ancestor(at, p.source.pointer or "") for at in places_at)]
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


# -- examples ------------------------------------------------------------------------------------------------

_RESPONSE_EXAMPLE = re.compile(r"^/paths/(?P<path>[^/]+)/(?P<method>[a-z]+)/responses/(?P<status>[^/]+)/content/"
                               r"(?P<media>[^/]+)/")


def _home(api: str, pointer: str) -> Home | None:
    """Our response for an example the vendor writes under one of its responses."""
    match = _RESPONSE_EXAMPLE.match(pointer)
    if not match:
        return None
    path = match.group("path").replace("~1", "/").replace("~0", "~")
    media = match.group("media").replace("~1", "/").replace("~0", "~")
    key = f"{match.group('method').upper()} {re.sub(r'{[^}]*}', '{}', path)}"
    for op in operations(load_contract(api)):
        if operation_key(op) == key and schema_uri_for(api, op, match.group("status"), media):
            return Home(op, match.group("status"), media, f"{shown_path(contract_path(api))}#/paths/{escape(op.path)}/"
                        f"{op.method}/responses/{match.group('status')}", f"{op.name} response {match.group('status')}")
    return None


def _covered(document: Any, change: Change) -> bool:
    """Whether the old copy covers the operation a change is about."""
    method, _, path = change.operation.partition(" ")
    return bool(path) and not missing(resolve(document, f"/paths/{escape(path)}/{method.lower()}"))


def _within(report: Report, pointer: str) -> bool:
    """Whether an example sits where the old copy or our contract looks: an operation either has, a component
    the old copy has."""
    steps = parts(pointer)
    if steps[:1] == ["paths"] and len(steps) >= 3:
        if not missing(resolve(report.old.data, f"/paths/{escape(steps[1])}/{escape(steps[2])}")):
            return True
        key = f"{steps[2].upper()} {re.sub(r'{[^}]*}', '{}', steps[1])}"
        return any(operation_key(op) == key for op in operations(load_contract(report.api)))
    return len(steps) >= 3 and not missing(resolve(report.old.data, "".join("/" + escape(s) for s in steps[:3])))


def _example_entries(report: Report) -> None:
    pairs, removed, added = pair_examples(report.old.examples, report.new.examples)
    report.outside += sum(not _within(report, example.pointer) for example in added)
    added = [example for example in added if _within(report, example.pointer)]
    for before, after in pairs:
        home = _home(report.api, before.pointer)
        found = compare_examples(report.api, before.pointer, before.value, after.value)
        if home is not None:
            rejected = rejections(report.api, home, after.value)
            if rejected is not None:
                report.entries.append(rejected)
        if not found:
            found = [Entry("example-changed", "info", f"The vendor's example at {before.pointer} changed",
                           old=shown(before.value), new=shown(after.value))]
        report.entries += found
    for example in removed:
        report.entries.append(Entry("example-removed", "info", f"The vendor's example at {example.pointer} is gone",
                                    old=shown(example.value), new="(gone)"))
    for example in added:
        home = _home(report.api, example.pointer)
        rejected = rejections(report.api, home, example.value) if home is not None else None
        if rejected is not None:
            report.entries.append(rejected)
        report.entries.append(Entry("example-added", "info", f"A new example at {example.pointer}",
                                    old="(none)", new=shown(example.value)))


def openapi_entries(report: Report, promises: list[Promise]) -> None:
    old, new = for_comparison(report.old), for_comparison(report.new)
    pointed = [p for p in promises if p.source.pointer is not None]
    quoted = [p for p in promises if p.source.pointer is None]
    for promise in quoted:  # quoted words anywhere in the document
        quote = promise.source.quote
        if not quote or not report.old.words.count(quote):
            report.not_judged.append(promise)
            continue
        report.judged += 1
        if not report.new.words.count(quote):
            report.entries.append(Entry("lost-words", "breaking",
                                        f"The words of {promise.locations[0].label} are no longer in the document",
                                        old=normal(quote), new="(not found)", places=places(promise),
                                        source=promise.source))
    objects = _pointer_entries(report, pointed, report.old.data, report.new.data)
    _leaf_entries(report, objects, old, new)
    _audit_entries(report, [p for p in pointed if p not in report.not_judged], old, new)
    _example_entries(report)
