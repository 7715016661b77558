"""A new copy of a vendor page against the promises that cite it: which lost their words, which values
moved, what the tables say now (the examples: `sources_examples`).

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
from typing import Any

from photo_contracts.citations import Location, Promise, naming
from photo_contracts.provenance import Source
from photo_contracts.vendor_docs import Document, Words, normal
from photo_contracts.vendor_tables import rows_of

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
    old_rows, new_rows = rows_of(old), rows_of(new)
    rows_gone = {r.line - 1 for key, rows in old_rows.items() if len(rows) > len(new_rows.get(key, ())) for r in rows}
    rows_come = {r.line - 1 for key, rows in new_rows.items() if len(rows) > len(old_rows.get(key, ())) for r in rows}
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
        stated = [(promise, location, relative, value) for promise, _ in near for location in promise.locations
                  for relative, value in location.values().items() if any(m in said for m in _members(value))]
        matched = bool(stated)
        for promise, location, relative, value in _named(stated, old_text):
            place = Place.of(location, relative, location.keyword_checks(relative))
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


# Words that say which keyword a value in a sentence is: `Default Value: 0` is the default, not the minimum 0.
_HINTS = {"default": r"default", "minimum": r"min|least|greater|between|from|positive",
          "exclusiveMinimum": r"min|greater|more than|positive", "maximum": r"max|most|less|between|up to|limit",
          "exclusiveMaximum": r"max|less|below", "minLength": r"length|characters|long", "maxLength":
          r"length|characters|long", "minItems": r"items|least", "maxItems": r"items|most|up to",
          "multipleOf": r"multiple", "enum": r"value|allow|possible|one of|either", "const": r"value|always"}


def _named(stated: list[tuple[Promise, Location, str, Any]], words: str) -> list[tuple[Promise, Location, str, Any]]:
    """Of the values found among changed words, those the words name (all of them when they name none)."""
    named = [found for found in stated
             if re.search(_HINTS.get(found[2].rsplit("/", 1)[-1], r"$^"), words, re.IGNORECASE)]
    return named or stated


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


# -- tables ---------------------------------------------------------------------------------------------------

def table_entries(report: Report) -> None:
    """Rows that vanish from, or appear in, the page's tables (by the field, parameter or code they name)."""
    before, after = rows_of(report.old), rows_of(report.new)
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
