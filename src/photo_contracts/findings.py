"""Findings: structured facts about an API, never to be confused with errors of the tool.

One finding is one broken promise at one place: (API, operation, check, JSON path). Every further
answer that breaks it again is an occurrence of the same finding, not another one; its distinct
messages are kept as variants. Every report counts findings and occurrences this way.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from photo_contracts.severities import SEVERITIES

VARIANTS = 6  # distinct messages kept per finding; further ones are counted as occurrences only


@dataclass
class Finding:
    api: str
    operation: str  # "GET /photo/{id}"
    check: str
    severity: str  # breaking | warning | info | notice
    message: str  # "Received ... / Documented ..."
    source: dict[str, Any] | None = None  # provenance.Source.as_dict(): documented with its quote, or assumed
    request: str | None = None  # the request as a curl command, redacted
    response: str | None = None  # an excerpt of the response, redacted
    json_path: str | None = None  # where a schema error sits
    image: bytes | None = field(default=None, repr=False)  # small PNG preview for image checks
    occurrences: int = 1  # answers (or images) that broke this promise at this place, this one included
    variants: list[str] = field(default_factory=list)  # other distinct messages of those occurrences
    accepted: dict[str, Any] | None = None  # the baseline entry (reason, expires) that accepts it: it does not gate
    affects: bool | None = None  # with a usage file: whether the integration relies on it (False: info); None: unknown

    def source_label(self) -> str:
        """'Documented (ref: "quote")' or 'Assumed: reason', as every report shows it."""
        from photo_contracts.provenance import Source

        data = self.source or {}
        if data.get("kind") == "documented":
            return Source(data.get("ref"), data.get("quote", ""), data.get("pointer")).label()
        return f"Assumed: {data.get('reason', 'no source named')}"

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What makes a finding distinct: the API, operation, check and JSON path (as the baseline keys it)."""
        return (self.api, self.operation, self.check, self.json_path or "")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("image")
        if data.get("accepted"):
            data["accepted"] = {k: data["accepted"].get(k) for k in ("reason", "expires") if data["accepted"].get(k)}
        if not data["variants"]:
            data.pop("variants")
        data["affects_integration"] = data.pop("affects")
        return {k: v for k, v in data.items() if v is not None}


class Findings:
    """Every distinct finding of a run; a repeat is counted as an occurrence of the first (the worst
    severity seen wins, with its evidence)."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str, str, str], Finding] = {}
        self._lock = threading.Lock()

    def add(self, finding: Finding) -> bool:
        """Record `finding`; True when it is new (not an occurrence of one already recorded)."""
        with self._lock:
            known = self._items.get(finding.key)
            if known is None:
                self._items[finding.key] = finding
                return True
            known.occurrences += finding.occurrences
            if SEVERITIES.index(finding.severity) < SEVERITIES.index(known.severity):  # a worse reading of it
                finding.occurrences, finding.variants = known.occurrences, known.variants
                known.variants = []
                finding.variants = [m for m in [known.message, *finding.variants] if m != finding.message]
                self._items[finding.key] = finding
                return True
            for message in [finding.message, *finding.variants]:
                if message != known.message and message not in known.variants and len(known.variants) < VARIANTS:
                    known.variants.append(message)
            return False

    def discard(self, predicate: Any) -> int:
        """Drop the findings `predicate` picks (a cause the verdict names explains them); how many went."""
        with self._lock:
            gone = [key for key, item in self._items.items() if predicate(item)]
            for key in gone:
                del self._items[key]
            return len(gone)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)
