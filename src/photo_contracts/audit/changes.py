"""Changes and the rule table: every audit rule is a small named function registered here."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from photo_contracts.severities import NOTICE, SEVERITIES

# Two documents compared are judged under no mark, so a change is never a notice.
CHANGE_SEVERITIES = tuple(s for s in SEVERITIES if s != NOTICE)
SCOPES = ("document", "operation", "schema", "observations")
API_WIDE = "(whole API)"  # the operation named by changes that concern every operation


@dataclass(frozen=True)
class Hit:
    """What a rule function reports; the engine adds the rule id, severity and operation."""

    location: str
    message: str  # "old -> new", in words
    operation: str | None = None  # rules that see several operations name the one they mean
    api: str | None = None


@dataclass(frozen=True)
class Change:
    """One entry of the changelog."""

    rule: str
    severity: str
    operation: str
    location: str
    message: str
    api: str | None = None

    @property
    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (CHANGE_SEVERITIES.index(self.severity), self.api or "", self.operation, self.location, self.rule)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


RuleFunction = Callable[..., Iterator[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    scope: str  # document | operation | schema | observations
    description: str
    function: RuleFunction
    direction: str | None = None  # schema rules: request | response

    def changes(self, hits: Iterator[Hit], operation: str = API_WIDE, api: str | None = None,
                prefix: str = "") -> Iterator[Change]:
        for hit in hits:
            location = f"{prefix} {hit.location}".strip() if prefix else hit.location
            yield Change(self.id, self.severity, hit.operation or operation, location, hit.message,
                         hit.api or api)


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: str, scope: str, description: str,
         direction: str | None = None) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under `rule_id` (ids are unique; the table is docs/audit.md)."""
    if severity not in CHANGE_SEVERITIES or scope not in SCOPES:
        raise ValueError(f"rule {rule_id}: bad severity {severity!r} or scope {scope!r}")

    def register(function: RuleFunction) -> RuleFunction:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, severity, scope, description, function, direction)
        return function

    return register


def rules(scope: str, direction: str | None = None) -> list[Rule]:
    return [r for r in RULES.values() if r.scope == scope and (direction is None or r.direction == direction)]


def shown(value: Any) -> str:
    """A value as a changelog shows it: JSON-like, short."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
