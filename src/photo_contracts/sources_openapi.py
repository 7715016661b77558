"""A new copy of a vendor's OpenAPI against the promises that cite it by JSON pointer (or quote).

A pointer that no longer resolves, or now names another parameter or another value, is a lost source
(breaking). What changed inside a cited operation or schema is classified by `audit`'s own rules and
mapped to the marks it concerns (`sources_audit`). Values `audit` does not compare (a parameter's
`default`) are compared here; prose (descriptions, summaries) is info. Examples are compared as on a
page (`sources_examples`), only where the old copy or our contract looks.
"""

from __future__ import annotations

import re
from typing import Any

from photo_contracts.audit.model import operation_key
from photo_contracts.citations import Promise, shown_path
from photo_contracts.contracts import contract_path, load_contract, schema_uri_for
from photo_contracts.operations import operations
from photo_contracts.sources_audit import audit_entries
from photo_contracts.sources_diff import Entry, Place, Report, places, shown
from photo_contracts.sources_examples import Home, compare_examples, pair_examples, rejections
from photo_contracts.vendor_docs import escape, for_comparison, missing, normal, parts, resolve

PROSE = ("description", "summary", "title")
UNCOMPARED = ("default", "readOnly", "writeOnly")  # what the audit's rules do not compare, compared here
IDENTITY = ("name", "in")  # a parameter object is the parameter these name


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
    audit_entries(report, [p for p in pointed if p not in report.not_judged], old, new)
    _example_entries(report)
