"""Findings: structured facts about an API, never to be confused with errors of the tool."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any


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
    similar: int = 0  # further findings of the same check on the same operation, not listed one by one
    accepted: dict[str, Any] | None = None  # the baseline entry (reason, expires) that accepts it: it does not gate

    def source_label(self) -> str:
        """'Documented (ref: "quote")' or 'Assumed: reason', as every report shows it."""
        from photo_contracts.provenance import Source

        data = self.source or {}
        if data.get("kind") == "documented":
            return Source(data.get("ref"), data.get("quote", ""), data.get("pointer")).label()
        return f"Assumed: {data.get('reason', 'no source named')}"

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.api, self.operation, self.check, self.message)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("image")
        if data.get("accepted"):
            data["accepted"] = {k: data["accepted"].get(k) for k in ("reason", "expires") if data["accepted"].get(k)}
        return {k: v for k, v in data.items() if v is not None and not (k == "similar" and not v)}


class Findings:
    """Every finding of a run: a repeated message counts once, and after `per_check` distinct
    findings of one check on one operation, further ones are only counted (`similar`)."""

    def __init__(self, per_check: int = 3) -> None:
        self._items: dict[tuple[str, str, str, str], Finding] = {}
        self._per_check = per_check
        self._lock = threading.Lock()

    def add(self, finding: Finding) -> bool:
        with self._lock:
            if finding.key in self._items:
                return False
            same = [f for f in self._items.values() if f.key[:3] == finding.key[:3]]
            if len(same) >= self._per_check:
                same[-1].similar += 1
                return False
            self._items[finding.key] = finding
            return True

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
