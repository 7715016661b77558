"""The check registry: every check is one function of a `CheckContext`, registered with its name, severity,
what it asserts, and which contexts it applies to. The engine gathers evidence (an answer, an image, a
record and its images), builds a context and applies `applicable(context)`, in registration order: each
kind of evidence is judged by the checks of one module, in the order they are defined there.

A check raises `CheckFailed` (a broken promise: a finding), `NotApplicable` (it cannot judge this target:
counted, with the reason), or returns (applied, nothing found).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from photo_contracts.provenance import Source

if TYPE_CHECKING:
    from photo_contracts.checks.facts import ImageEndpoint, ImageRecord
    from photo_contracts.checks.images import ImageSample
    from photo_contracts.checks.probes import Probe
    from photo_contracts.operations import Operation


@dataclass(frozen=True)
class CheckContext:
    """What a check may look at. The engine fills in what it has; a check's `applies_to` says what it needs."""

    target: Any  # target.Target: the API, its facts, real ids, and `call` for a check's own requests
    operation: str  # the operation coverage and findings are recorded under
    config: Any  # config.Config
    documented: Operation | None = None  # the contract's operation
    response: Any = None  # the answer judged, or the one the evidence came from (an image's, a record's)
    # A generated case: schemathesis' case, the transport arguments it was sent with (credential included), its mode.
    case: Any = None
    request: Mapping[str, Any] | None = None
    mode: str | None = None  # positive | negative
    probe: Probe | None = None  # a negative probe of ours (a request the contract forbids)
    image: ImageSample | None = None  # one decoded image
    endpoint: ImageEndpoint | None = None  # the operation that served `image` as its answer, if one did
    images: Mapping[str, ImageSample] = field(default_factory=dict)  # role -> image: a record's, or a thumbnail's
    record: Any = None  # a JSON record that describes `images` ...
    record_facts: ImageRecord | None = None  # ... where its links and metadata sit ...
    record_path: str | None = None  # ... and where it is in the answer
    # Downloads a URL without the credential: the decoded image, or None (signed URLs).
    fetch_anonymously: Callable[[str], ImageSample | None] | None = None


def _beyond_an_answer(ctx: CheckContext) -> bool:
    return ctx.image is not None or bool(ctx.images) or ctx.record_facts is not None


def an_answer(ctx: CheckContext) -> bool:
    """The API's answer to a request of the run (a generated case or a probe)."""
    return ctx.response is not None and not _beyond_an_answer(ctx)


def an_image(ctx: CheckContext) -> bool:
    return ctx.image is not None


def on_its_own(ctx: CheckContext) -> bool:
    """No evidence: the check makes its own requests (its conformance test starts it, never an answer)."""
    return ctx.response is None and not _beyond_an_answer(ctx)


def nowhere(facts: Any) -> str:
    return "-"


@dataclass(frozen=True)
class Check:
    name: str
    severity: str
    asserts: str
    group: str  # contract | transport | image | error | promise | invariant
    source: Source | None = None  # the promise the check rests on, where one source covers all it asserts
    run: Callable[[CheckContext], None] | None = None  # None: declared only (judged by the engine or per vendor)
    applies_to: Callable[[CheckContext], bool] = on_its_own
    once_per_operation: bool = False  # applied to the first context of each operation that it applies to
    # Checks that make their own requests: the operation (from the API's facts) they are recorded under ...
    where: Callable[[Any], str] = nowhere
    # ... and how many requests they need at most, given the target and the configuration (the run's budget
    # plan reserves that many for them; None: budget.DEFAULT_NEED).
    need: Callable[[Any, Any], int] | None = None

    def __call__(self, ctx: CheckContext) -> None:
        if self.run is None:
            raise TypeError(f"{self.name} is declared, not implemented here")
        self.run(ctx)


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
        self.also: tuple[CheckFailed, ...] = ()  # further failures of the same check in the same context

    @property
    def failures(self) -> tuple[CheckFailed, ...]:
        return (self, *self.also)


def fail_all(failures: list[CheckFailed]) -> None:
    """Raise every failure at once (several schema keywords one answer breaks), if there is any."""
    if failures:
        failures[0].also = tuple(failures[1:])
        raise failures[0]


class NotApplicable(Exception):
    """The check cannot run on this target (e.g. no real id to probe with); the test is skipped, not passed."""


def require_ids(target: Any, *params: str) -> None:
    missing = [p for p in params if not target.ids.get(p)]
    if missing:
        raise NotApplicable(f"no real value for {', '.join(missing)}: list them in the configuration "
                            f"({target.api.name} table)")


CHECKS: dict[str, Check] = {}


def _register(entry: Check) -> Check:
    if entry.name in CHECKS:
        raise ValueError(f"check {entry.name!r} is registered twice")
    CHECKS[entry.name] = entry
    return entry


def declare(name: str, severity: str, asserts: str, group: str, source: Source | None = None) -> Check:
    """A check name the engine or each vendor judges (response_within_limits, the invariants)."""
    return _register(Check(name, severity, asserts, group, source))


def check(severity: str, asserts: str, group: str, source: Source | None = None, *,
          applies_to: Callable[[CheckContext], bool] = on_its_own, once_per_operation: bool = False,
          where: Callable[[Any], str] = nowhere,
          need: Callable[[Any, Any], int] | None = None) -> Callable[[Callable[[CheckContext], None]], Check]:
    """Register the decorated function as a check (its name is the function's name)."""

    def decorate(function: Callable[[CheckContext], None]) -> Check:
        return _register(Check(function.__name__, severity, asserts, group, source, function, applies_to,
                               once_per_operation, where, need))

    return decorate


def applicable(ctx: CheckContext) -> list[Check]:
    """The registered checks that judge `ctx`, in registration order."""
    return [c for c in CHECKS.values() if c.run is not None and c.applies_to(ctx)]


def in_group(group: str) -> list[str]:
    """The names of one group's checks, in registration order."""
    return [c.name for c in CHECKS.values() if c.group == group]


def invariant(operation: str, source: Source, need: Callable[[Any, Any], int] | None = None,
              ) -> Callable[[Callable[[CheckContext], None]], Check]:
    """A vendor's implementation of the declared invariant of the function's name, exercised through
    `operation`. `source` is the promise the invariant rests on; a `CheckFailed` it raises may name a more
    precise one (each assertion of an invariant can rest on other words). `need(target, config)`: the most
    requests it sends (the run's budget plan reserves them)."""

    def decorate(function: Callable[[CheckContext], None]) -> Check:
        declared = CHECKS.get(function.__name__)
        if declared is None or declared.group != "invariant":
            raise ValueError(f"unknown invariant {function.__name__!r}")
        return replace(declared, source=source, run=function, where=lambda facts: operation, need=need)

    return decorate


# Judged by the engine around every request (a check's own included): transport trouble is a finding.
declare("response_within_limits", "breaking",
        "every response arrives within the timeouts and size cap, with no redirect loop or broken connection",
        "transport")
