"""The coverage ledger: what a run actually reached, per API and operation.

Requests sent, successful answers, answers that rejected the credential, images fetched and
decoded, and for each check how often it applied, did not apply, or was skipped and why.
A verdict rests on it: a run that reached nothing is inconclusive, never "conforms".
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

OUTCOMES = ("applied", "not_applicable", "skipped")


@dataclass
class OperationCoverage:
    requests: int = 0  # requests of the operation's own cases: every answer, and every transport failure
    transport_failures: int = 0  # requests that got no complete answer (reset, cut short, too slow, too large)
    successes: int = 0  # 2xx answers that are not error bodies (the visitor API answers errors with 200)
    auth_rejected: int = 0  # answers that reject the run's own credential
    statuses: Counter[str] = field(default_factory=Counter)
    error_codes: Counter[str] = field(default_factory=Counter)  # vendor error codes seen (visitor: "3404")
    images_fetched: int = 0
    images_decoded: int = 0
    checks: dict[str, Counter[str]] = field(default_factory=dict)
    reasons: dict[str, set[str]] = field(default_factory=dict)  # check -> why it was skipped or did not apply

    @property
    def answers(self) -> int:
        """Complete HTTP answers: requests minus transport failures."""
        return self.requests - self.transport_failures

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests, "answers": self.answers, "transport_failures": self.transport_failures,
            "successes": self.successes, "auth_rejected": self.auth_rejected,
            "statuses": dict(sorted(self.statuses.items())), "error_codes": dict(sorted(self.error_codes.items())),
            "images_fetched": self.images_fetched, "images_decoded": self.images_decoded,
            "checks": {name: {o: counts[o] for o in OUTCOMES if counts[o]} | (
                {"reasons": sorted(self.reasons[name])} if self.reasons.get(name) else {})
                for name, counts in sorted(self.checks.items())},
        }


class Ledger:
    """Thread-safe counts per (api, operation)."""

    def __init__(self) -> None:
        self._ops: dict[str, dict[str, OperationCoverage]] = {}
        self._lock = threading.Lock()

    def operation(self, api: str, operation: str) -> OperationCoverage:
        with self._lock:
            return self._ops.setdefault(api, {}).setdefault(operation, OperationCoverage())

    def answer(self, api: str, operation: str, status: int, *, success: bool, auth_rejected: bool,
               code: str | None = None) -> None:
        entry = self.operation(api, operation)
        with self._lock:
            entry.requests += 1
            entry.statuses[str(status)] += 1
            entry.successes += success
            entry.auth_rejected += auth_rejected
            if code:
                entry.error_codes[code] += 1

    def failure(self, api: str, operation: str) -> None:
        """A request of the operation that got no complete answer: counted, never silently lost."""
        entry = self.operation(api, operation)
        with self._lock:
            entry.requests += 1
            entry.transport_failures += 1

    def image(self, api: str, operation: str, decoded: bool) -> None:
        entry = self.operation(api, operation)
        with self._lock:
            entry.images_fetched += 1
            entry.images_decoded += decoded

    def check(self, api: str, operation: str, name: str, outcome: str, reason: str | None = None) -> None:
        entry = self.operation(api, operation)
        with self._lock:
            entry.checks.setdefault(name, Counter())[outcome] += 1
            if reason:
                entry.reasons.setdefault(name, set()).add(reason)

    def adopt(self, api: str, operations: dict[str, OperationCoverage]) -> None:
        """Take over the coverage of one API measured elsewhere (its run in another process)."""
        with self._lock:
            self._ops[api] = dict(operations)

    def operations(self, api: str) -> dict[str, OperationCoverage]:
        with self._lock:
            return dict(self._ops.get(api, {}))

    def totals(self, api: str) -> OperationCoverage:
        total = OperationCoverage()
        for entry in self.operations(api).values():
            total.requests += entry.requests
            total.transport_failures += entry.transport_failures
            total.successes += entry.successes
            total.auth_rejected += entry.auth_rejected
            total.statuses.update(entry.statuses)
            total.error_codes.update(entry.error_codes)
            total.images_fetched += entry.images_fetched
            total.images_decoded += entry.images_decoded
        return total

    def as_dict(self, api: str) -> dict[str, Any]:
        return {operation: entry.as_dict() for operation, entry in sorted(self.operations(api).items())}
