"""Findings: structured facts about an API, never to be confused with errors of the tool."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITIES = ("breaking", "warning", "info")


@dataclass
class Finding:
    api: str
    operation: str  # "GET /photo/{id}"
    check: str
    severity: str  # breaking | warning | info
    message: str  # "Received ... / Documented ..."
    request: str | None = None  # the request as a curl command, redacted
    response: str | None = None  # an excerpt of the response, redacted
    json_path: str | None = None  # where a schema error sits
    image: bytes | None = field(default=None, repr=False)  # small PNG preview for image checks

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.api, self.operation, self.check, self.message)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("image")
        return {k: v for k, v in data.items() if v is not None}


class Findings:
    """Every finding of a run, deduplicated (the same message on the same operation counts once)."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str, str, str], Finding] = {}
        self._lock = threading.Lock()

    def add(self, finding: Finding) -> bool:
        with self._lock:
            if finding.key in self._items:
                return False
            self._items[finding.key] = finding
            return True

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)
