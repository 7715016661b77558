"""The check registry: every check has a name, a severity and a one-line statement of what it asserts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from photo_contracts.provenance import Source

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class CheckInfo:
    name: str
    severity: str
    asserts: str
    group: str  # schemathesis | image | error | invariant
    source: Source | None = None  # the promise the check rests on, where one source covers all it asserts


class CheckFailed(AssertionError):
    """Raised by a check: what was received and what is documented, plus optional evidence."""

    def __init__(self, message: str, *, source: Source | None = None, json_path: str | None = None,
                 image: bytes | None = None, response: Any = None, operation: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source  # the vendor's words (or the assumption) this failure breaks
        self.json_path = json_path
        self.image = image
        self.response = response  # the requests.Response that shows it, when the check made its own request
        self.operation = operation  # where it shows, when not the operation the check was started on


class NotApplicable(Exception):
    """The check cannot run on this target (e.g. no real id to probe with); the test is skipped, not passed."""


def require_ids(target: Any, *params: str) -> None:
    missing = [p for p in params if not target.ids.get(p)]
    if missing:
        raise NotApplicable(f"no real value for {', '.join(missing)}: list them in the configuration "
                            f"({target.api.name} table)")


CHECKS: dict[str, CheckInfo] = {}


def register(name: str, severity: str, asserts: str, group: str, source: Source | None = None) -> CheckInfo:
    info = CheckInfo(name, severity, asserts, group, source)
    CHECKS[name] = info
    return info


def check(severity: str, asserts: str, group: str, source: Source | None = None) -> Callable[[F], F]:
    """Register the decorated function as a named check (its name is the function's name)."""

    def decorate(function: F) -> F:
        register(function.__name__, severity, asserts, group, source)
        return function

    return decorate


# Contract checks (checks/contract.py), negative_data_rejection (schemathesis) and ignored_auth: the source of
# each failure is the contract's mark on the promise it breaks.
for _name, _severity, _asserts in (
    ("not_a_server_error", "breaking", "no response has a 5xx status"),
    ("status_code_conformance", "breaking", "every status code is one the contract documents for the operation"),
    ("content_type_conformance", "breaking", "every Content-Type is one the contract documents for that status"),
    ("response_headers_conformance", "warning", "documented response headers are present and valid"),
    ("response_schema_conformance", "breaking", "every JSON body validates against the documented schema"),
    ("negative_data_rejection", "warning", "input the contract forbids is rejected with a 4xx (sandbox by default)"),
    ("ignored_auth", "breaking", "the same request without its credential does not succeed"),
):
    register(_name, _severity, _asserts, "contract")
register("response_within_limits", "breaking",
         "every response arrives within the timeouts and size cap, with no redirect loop or broken connection",
         "transport")

# Semantic invariants: one function per vendor (checks/vendors/<api>.py), one name and severity for all.
for _name, _severity, _asserts in (
    ("pagination_is_consistent", "breaking",
     "pages are disjoint, their union is the full listing, totals and cursors are coherent and terminate"),
    ("filters_are_honoured", "breaking", "every item a filtered listing returns matches the filter, and none is missed"),
    ("list_matches_detail", "warning", "a list item agrees with the detail of the same photo"),
    ("timestamps_are_ordered", "warning", "documented orderings of timestamps hold (created <= updated, sort orders)"),
):
    register(_name, _severity, _asserts, "invariant")


def invariant(operation: str, source: Source) -> Callable[[F], F]:
    """Mark a vendor function as the invariant of its name, exercised through `operation`.

    `source` is the promise the invariant rests on; a `CheckFailed` it raises may name a more
    precise one (each assertion of an invariant can rest on other words)."""

    def decorate(function: F) -> F:
        if function.__name__ not in CHECKS:
            raise ValueError(f"unknown invariant {function.__name__!r}")
        function.operation = operation  # type: ignore[attr-defined]
        function.source = source  # type: ignore[attr-defined]
        return function

    return decorate
