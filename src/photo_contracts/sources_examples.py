"""The example payloads of a vendor document, old against new: compared by `audit`'s run-to-run rules
(a path gone, a new one, a type or format changed) and, where the contract attaches the old example to
a response (`externalValue`), the new one validated through the contract: a documented example the
contract rejects is breaking.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema.exceptions import best_match, relevance

from photo_contracts.audit.observation_rules import diff_observations
from photo_contracts.citations import shown_path
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
from photo_contracts.sources_diff import Entry, Place, Report, shown
from photo_contracts.vendor_docs import Example, collapsed


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
