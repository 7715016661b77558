"""A new copy of a vendor page against the promises that cite it: which lost their words, which values
moved, what the examples and tables say now.

Entries are `breaking` when a promise the suite gates on (a documented mark) lost its source, or when
the contract rejects an example the vendor now documents: `sources diff` exits 1 then. Example shapes
compared by `audit`'s rules, table rows that appear or vanish and words that changed near a promise
are `warning` or `info`: what to review, not a verdict. Whitespace, line breaks and markup are no
change (`vendor_docs`). A vendor OpenAPI is compared in `sources_openapi`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema.exceptions import best_match, relevance

from photo_contracts.audit.observation_rules import diff_observations
from photo_contracts.citations import Location, Promise, naming, shown_path
from photo_contracts.contracts import (
    contract_path,
    example_files,
    load_contract,
    response_media,
    schema_uri_for,
    source_of,
    validator,
)
from photo_contracts.drift.observe import Observations, flatten
from photo_contracts.operations import operations
from photo_contracts.provenance import Source
from photo_contracts.vendor_docs import Document, Example, Words, collapsed, normal

WINDOW = 12  # words between a changed passage and a quote for the passage to concern the quote's promise
SHOWN_WORDS = 60  # words shown of a passage
ORDER = ("breaking", "warning", "info")


@dataclass
class Place:
    """Where an entry lands: a node of the contract, a schema or the vendor's checks module."""

    where: str  # contracts/cloudcard.yaml#/paths/~1photo/get/parameters/2/schema/default
    label: str
    checks: tuple[str, ...] = ()

    @classmethod
    def of(cls, location: Location, relative: str = "", checks: tuple[str, ...] | None = None) -> Place:
        label = location.label + (f", {relative.strip('/').replace('/', ' ')}" if relative else "")
        return cls(location.where + relative, label, location.checks if checks is None else checks)

    def as_dict(self) -> dict[str, Any]:
        return {"where": self.where, "label": self.label, "checks": list(self.checks)}


@dataclass
class Entry:
    """One thing the new copy changed for the contract."""

    kind: str  # lost-words | changed-value | example-rejected | example-changed | example-removed | example-added
    #            | table-row-removed | table-row-added | vendor-change | words-changed
    severity: str  # breaking | warning | info
    title: str
    old: str = ""  # the old copy's words
    new: str = ""  # the new copy's words
    places: list[Place] = field(default_factory=list)
    source: Source | None = None  # the promise's own words (ref, quote, pointer)
    detail: str = ""
    rule: str = ""  # the audit rule, where the classification is audit's

    @property
    def checks(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for p in self.places for c in p.checks))

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "severity": self.severity, "title": self.title,
                               "old": self.old, "new": self.new, "places": [p.as_dict() for p in self.places],
                               "checks": list(self.checks)}
        if self.source is not None:
            out["source"] = self.source.as_dict()
        if self.detail:
            out["detail"] = self.detail
        if self.rule:
            out["rule"] = self.rule
        return out


@dataclass
class Report:
    api: str
    ref: str
    old: Document
    new: Document
    contract: str
    entries: list[Entry] = field(default_factory=list)
    judged: int = 0  # promises whose words the old copy has
    not_judged: list[Promise] = field(default_factory=list)  # promises whose words the old copy lacks too
    outside: int = 0  # changes to parts of the document the old copy does not cover and no promise needs

    @property
    def exit_code(self) -> int:
        return 1 if any(e.severity == "breaking" for e in self.entries) else 0

    def counts(self) -> dict[str, int]:
        return {s: sum(e.severity == s for e in self.entries) for s in ORDER}

    def sort(self) -> None:
        self.entries.sort(key=lambda e: (ORDER.index(e.severity), e.places[0].where if e.places else "~", e.title))


def places(promise: Promise) -> list[Place]:
    return [Place.of(location) for location in promise.locations]


def clip(text: str, words: int = SHOWN_WORDS) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def shown(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- words --------------------------------------------------------------------------------------------------

def _bare(token: str) -> str:
    return re.sub(r"^[^\w.+-]+|[^\w]+$", "", token)


def _members(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [json.dumps(v) if isinstance(v, bool) or v is None else str(v) for v in values]


def _new_span(opcodes: list[tuple[str, int, int, int, int]], start: int, end: int) -> tuple[int, int]:
    """The tokens of the new copy that stand where the old tokens [start, end) stood."""
    first, last = None, None
    for tag, i1, i2, j1, j2 in opcodes:
        if not (i1 < end and i2 > start) and not (i1 == i2 and start < i1 < end):
            continue
        if tag == "equal":
            a, b = j1 + max(start, i1) - i1, j1 + min(end, i2) - i1
        else:
            a, b = j1, j2
        first = a if first is None else min(first, a)
        last = b if last is None else max(last, b)
    if first is None:  # the old words were the whole of a deletion at the edge
        position = next((j1 for tag, i1, i2, j1, j2 in opcodes if i1 >= start), 0)
        return position, position
    return first, last


def _lines_text(document: Document, words: Words, start: int, end: int) -> str:
    """The lines of the copy that hold tokens [start, end) (the line before, for an insertion)."""
    if not words.tokens:
        return ""
    start = min(start, len(words.tokens) - 1)
    end = max(end, start + 1)
    lines = sorted(set(words.lines[start:min(end, len(words.tokens))]))
    return clip(" ".join(normal(document.lines[n]) for n in lines[:4]))


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= start and (end <= b or start == end) and start < b for a, b in spans)


def text_entries(report: Report, promises: list[Promise]) -> None:
    """Lost quotes, values changed beside a quote, examples and table rows of a text, Markdown or HTML copy."""
    old, new = report.old, report.new
    ow, nw = old.words, new.words
    opcodes = SequenceMatcher(None, ow.tokens, nw.tokens, autojunk=False).get_opcodes()
    spans: list[tuple[Promise, tuple[int, int]]] = []
    lost: list[tuple[int, int]] = []
    for promise in promises:
        quote = promise.source.quote
        found = ow.find_all(quote) if quote else []
        if not found:
            report.not_judged.append(promise)
            continue
        report.judged += 1
        spans += [(promise, span) for span in found]
        if nw.count(quote):
            continue
        start, end = found[0]
        a, b = _new_span(opcodes, start, end)
        before = " ".join(ow.tokens[start:end])
        after = " ".join(nw.tokens[a:b])
        lost += found
        report.entries.append(Entry(
            "lost-words", "breaking", f"The words of {promise.locations[0].label} are no longer in the page",
            old=clip(normal(quote)), new=clip(after) if after else "(nothing in their place)",
            places=_stating(promise, before, after), source=promise.source, detail=_values_in(promise, before, after)))
    rows_gone = {r.line - 1 for key, rows in old.rows.items() if len(rows) > len(new.rows.get(key, ())) for r in rows}
    rows_come = {r.line - 1 for key, rows in new.rows.items() if len(rows) > len(old.rows.get(key, ())) for r in rows}
    old_examples = [e.span for e in old.examples]
    new_examples = [e.span for e in new.examples]
    reported: set[str] = set()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        if (i1 < i2 and _inside(i1, i2, old_examples)) or (j1 < j2 and _inside(j1, j2, new_examples)) or (
                i1 == i2 and _inside(i1, i1 + 1, old_examples) and _inside(j1, j2, new_examples)):
            continue  # inside an example: compared as an example
        if any(a < max(i2, i1 + 1) and i1 < b for a, b in lost):
            continue  # part of a lost quote, reported with it
        near = [(p, s) for p, s in spans if max(0, s[0] - i2, i1 - s[1]) <= WINDOW]
        if not near:
            continue
        said = {_bare(t) for t in ow.tokens[i1:i2]}
        old_text = _lines_text(old, ow, i1, i2) if i2 > i1 else ""
        new_text = _lines_text(new, nw, j1, j2) if j2 > j1 else ""
        if set(ow.lines[i1:i2]) <= rows_gone and set(nw.lines[j1:j2]) <= rows_come:
            continue  # a table row that vanished or appeared: reported as such
        matched = False
        for promise, _ in near:
            for location in promise.locations:
                for relative, value in location.values().items():
                    if not any(m in said for m in _members(value)):
                        continue
                    place = Place.of(location, relative, location.keyword_checks(relative))
                    matched = True
                    if place.where in reported:
                        continue
                    reported.add(place.where)
                    keyword = relative.rsplit("/", 1)[-1]
                    report.entries.append(Entry(
                        "changed-value", "breaking",
                        f"`{keyword}` {shown(value)} of {location.label}: the words that state it changed",
                        old=old_text, new=new_text or "(removed)", places=[place], source=promise.source))
        if not matched:
            key = f"near:{i1}:{i2}"
            if key not in reported:
                reported.add(key)
                promise = near[0][0]
                report.entries.append(Entry(
                    "words-changed", "info", f"Words beside the quote of {promise.locations[0].label} changed",
                    old=old_text or "(nothing)", new=new_text or "(removed)", places=places(promise),
                    source=promise.source))
    example_entries(report, old.examples, new.examples)
    table_entries(report)


def _stated(location: Location, before: str, after: str) -> list[str]:
    """The keywords of a node (relative pointers) whose values were among the lost words."""
    said_before = {_bare(t) for t in before.split()}
    said_after = {_bare(t) for t in after.split()}
    return [relative for relative, value in location.values().items()
            if any(m in said_before and m not in said_after for m in _members(value))]


def _stating(promise: Promise, before: str, after: str) -> list[Place]:
    """The promise's places; where lost words stated values of a node, the checks of those values."""
    found = []
    for location in promise.locations:
        stated = _stated(location, before, after)
        checks = tuple(dict.fromkeys(c for r in stated for c in location.keyword_checks(r))) if stated else None
        found.append(Place.of(location, checks=checks))
    return found


def _values_in(promise: Promise, before: str, after: str) -> str:
    """Which values the node states were among the lost words, and which numbers stand there now."""
    said_before = {_bare(t) for t in before.split()}
    said_after = {_bare(t) for t in after.split()}
    stated = []
    for location in promise.locations:
        for relative, value in location.values().items():
            if any(m in said_before and m not in said_after for m in _members(value)):
                stated.append(f"{relative.strip('/').replace('/', ' ')} {shown(value)}")
    if not stated:
        return ""
    numbers = [t for t in after.split() if re.fullmatch(r"-?\d+(\.\d+)?", _bare(t)) and _bare(t) not in said_before]
    now = f"; the new words say {', '.join(dict.fromkeys(_bare(n) for n in numbers))}" if numbers else ""
    return f"The node states {', '.join(dict.fromkeys(stated))}, which these words gave{now}."


# -- examples -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Home:
    """A response of the contract that attaches a documented example (`externalValue`)."""

    operation: Any  # operations.Operation
    status: str
    media: str
    where: str
    label: str


@cache
def _attachments(api: str, contract: Path) -> tuple[tuple[Home, str], ...]:
    """Each example the contract attaches, with its JSON text (whitespace in strings collapsed)."""
    document = load_contract(api)
    found = []
    for op in operations(document):
        for status in op.spec.get("responses", {}):
            for media in response_media(op, status, document):
                for path in example_files(api, op, status, media):
                    try:
                        value = collapsed(json.loads(path.read_text(encoding="utf-8")))
                    except (OSError, ValueError):
                        continue
                    pointer = "/" + "/".join(p.replace("~", "~0").replace("/", "~1")
                                             for p in ("paths", op.path, op.method, "responses", status, "content",
                                                       media))
                    home = Home(op, status, media, f"{shown_path(contract)}#{pointer}",
                                f"{op.name} response {status} {media}, example {path.name}")
                    found.append((home, json.dumps(value, sort_keys=True)))
    return tuple(found)


def homes(api: str, value: Any) -> list[Home]:
    text = json.dumps(value, sort_keys=True)
    return [home for home, attached in _attachments(api, contract_path(api).resolve()) if attached == text]


def _paths(value: Any) -> set[str]:
    return set(flatten(value))


def pair_examples(old: list[Example], new: list[Example]) -> tuple[list[tuple[Example, Example]], list[Example],
                                                                   list[Example]]:
    """(changed pairs, removed, added): equal examples first, then the most alike by the paths they show."""
    left = list(range(len(new)))
    pending = []
    for example in old:
        same = next((j for j in left if new[j].value == example.value), None)
        if same is None:
            pending.append(example)
        else:
            left.remove(same)
    pairs, removed = [], []
    for example in pending:
        if example.pointer:
            match = next((j for j in left if new[j].pointer == example.pointer), None)
        else:
            mine = _paths(example.value)
            scored = [(len(mine & _paths(new[j].value)) / max(1, len(mine | _paths(new[j].value))), -j, j)
                      for j in left]
            best = max(scored, default=None)
            match = best[2] if best and best[0] >= 0.5 else None
        if match is None:
            removed.append(example)
        else:
            left.remove(match)
            pairs.append((example, new[match]))
    return pairs, removed, [new[j] for j in left]


def _steps(path: str) -> list[str]:
    return re.findall(r"\[\*\]|\.[^.\[]+", path.removeprefix("$"))


def value_at(value: Any, path: str) -> tuple[bool, Any, str]:
    """(found, the first value at a `$.a[*].b` path, its member name)."""
    node, name = value, "$"
    for step in _steps(path):
        if step == "[*]":
            if not isinstance(node, list) or not node:
                return False, None, name
            node = node[0]
        else:
            key = step[1:]
            if not isinstance(node, dict) or key not in node:
                return False, None, name
            node, name = node[key], key
    return True, node, name


def member(value: Any, path: str) -> str:
    found, node, name = value_at(value, path)
    return f'"{name}": {shown(node, 80)}' if found else "(absent)"


def _observed(api: str, operation: str, status: str, media: str, value: Any) -> dict[str, Any]:
    observations = Observations()
    observations.response(api, operation, int(status) if status.isdigit() else 200, media, value, is_json=True)
    return observations.as_dict()


def compare_examples(api: str, label: str, before: Any, after: Any, status: str = "200",
                     media: str = "application/json") -> list[Entry]:
    """What `audit`'s run-to-run rules say of the two payloads, as review entries."""
    changes = diff_observations(_observed(api, label, status, media, before), _observed(api, label, status, media,
                                                                                         after))
    appeared = {c.location.split(" ", 2)[-1] for c in changes if c.rule == "observed-path-appeared"}
    entries = []
    for change in sorted(changes, key=lambda c: c.location):
        path = change.location.split(" ", 2)[-1] if change.location.startswith("response ") else change.location
        detail = ""
        if change.rule == "observed-path-disappeared":
            found, old_value, _ = value_at(before, path)
            parent = path.rsplit(".", 1)[0]
            twins = [p for p in appeared if p.rsplit(".", 1)[0] == parent and value_at(after, p)[1] == old_value]
            if found and twins:
                detail = f"`{twins[0]}` appeared beside it with the same value: renamed?"
        severity = "warning" if change.severity in ("breaking", "warning") else "info"
        entries.append(Entry("example-changed", severity, f"Example {label}: `{path}` {change.message}",
                             old=member(before, path), new=member(after, path), detail=detail, rule=change.rule))
    return entries


def rejections(api: str, home: Home, value: Any) -> Entry | None:
    """A breaking entry when the contract rejects the example where it attaches it."""
    uri = schema_uri_for(api, home.operation, home.status, home.media)
    if not uri:
        return None
    errors = sorted(validator(uri).iter_errors(value), key=relevance)
    if not errors:
        return None
    best = best_match(errors)
    mark = source_of(best.schema)
    under = f" ({mark.label()})" if mark is not None else ""
    others = f"; {len(errors) - 1} more error(s)" if len(errors) > 1 else ""
    return Entry("example-rejected", "breaking", f"The contract rejects the vendor's new example of {home.label}",
                 old="(the old example validates)", new=f"{best.json_path}: {best.message}",
                 places=[Place(home.where, f"{home.operation.name} response {home.status}",
                               ("response_schema_conformance",))],
                 detail=f"Rejected at {best.json_path} by `{best.validator}`{under}{others}.")


def example_entries(report: Report, old: list[Example], new: list[Example]) -> None:
    pairs, removed, added = pair_examples(old, new)
    for before, after in pairs:
        attached = homes(report.api, before.value)
        where = f"at {before.pointer}" if before.pointer else f"on line {before.line}"
        label = attached[0].label if attached else f"{where} (no contract response attaches it)"
        found = compare_examples(report.api, label, before.value, after.value,
                                 *((attached[0].status, attached[0].media) if attached else ()))
        for home in attached:
            rejected = rejections(report.api, home, after.value)
            if rejected is not None:
                report.entries.append(rejected)
            for entry in found:
                entry.places = [Place(home.where, f"{home.operation.name} response {home.status}",
                                      ("response_schema_conformance",))]
        report.entries += found
        if not found and not attached:
            report.entries.append(Entry("example-changed", "info", f"Example {label} changed in its values",
                                        old=shown(before.value), new=shown(after.value)))
    for example in removed:
        attached = homes(report.api, example.value)
        report.entries.append(Entry(
            "example-removed", "warning" if attached else "info",
            f"The example {'at ' + example.pointer if example.pointer else 'on line ' + str(example.line)} "
            "is no longer in the page", old=shown(example.value), new="(gone)",
            places=[Place(h.where, h.label, ("response_schema_conformance",)) for h in attached]))
    for example in added:
        report.entries.append(Entry(
            "example-added", "info",
            f"A new example {'at ' + example.pointer if example.pointer else 'on line ' + str(example.line)}",
            old="(none)", new=shown(example.value)))


# -- tables ---------------------------------------------------------------------------------------------------

def table_entries(report: Report) -> None:
    """Rows that vanish from, or appear in, the page's tables (by the field, parameter or code they name)."""
    before, after = report.old.rows, report.new.rows
    for kind_key in sorted(set(before) | set(after)):
        was, now = len(before.get(kind_key, ())), len(after.get(kind_key, ()))
        if was == now:
            continue
        kind, key = kind_key
        named = naming(report.api, kind, key)
        contract_places = [Place(where, f"names {kind} `{key}`") for where in named]
        if now < was:
            row = before[kind_key][0]
            report.entries.append(Entry(
                "table-row-removed", "warning" if named else "info",
                f"The {kind} `{key}` is no longer in the page's table" + (" (one of its rows)" if now else ""),
                old=normal(report.old.lines[row.line - 1]), new="(gone)", places=contract_places,
                detail="" if named else "The contract names no such " + kind + "."))
        else:
            row = after[kind_key][-1]
            report.entries.append(Entry(
                "table-row-added", "info", f"The page's table now lists the {kind} `{key}`",
                old="(none)", new=normal(report.new.lines[row.line - 1]), places=contract_places,
                detail="" if named else "The contract names no such " + kind + " yet."))
