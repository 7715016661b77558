"""The request budget of a run as a plan, not a queue.

Before the suite sends anything, each API's budget (`[limits] budget`, on live targets) is planned across
what the run must judge, in the order it runs: per operation its positive answers (every configured id
among them) and the images they link to (a few distinct images per role), each error answer, each
applicable promise and invariant, the negative probes; fuzzing (the negative cases) takes what is left.
Each part gets a reserved share: its need where the needs fit the budget. Where they do not, the positive
answers beyond their generated examples give way first, then the invariants' examples beyond the first; where
not even that fits, each operation keeps a first slice of answers and the checks are reserved whole (a part
of a check's requests judges nothing), the cheapest first. The engine names the part each request is for
(`Plan.spending`); a part spends its share, then whatever no open part has reserved: what earlier parts
left unused flows on to the parts after them. A part that can get no more raises `ShareSpent` for itself
alone, and the others go on; the judge lists a promise that could not be judged so as a coverage gap,
with the requests it needed.

The ids found before the suite (OpenAPI links, listings) are spent before the plan: its first part,
`ids`, records them. A sandbox run is not limited; its plan only records where the requests went.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from photo_contracts.checks import registry
from photo_contracts.checks.probes import probes
from photo_contracts.contracts import load_contract, parameters_of
from photo_contracts.http import BudgetExhausted
from photo_contracts.operations import Operation, operations

DISCOVERY = "ids"  # the part of the ids found before the suite
OTHER = "other"  # requests no part claimed
FUZZING = "fuzzing"
IMAGES_PER_ROLE = 2  # distinct images fetched per operation and role (original, thumbnail, ...) on a live target
DEFAULT_NEED = 5  # requests planned for a check of its own that does not say what it needs
GROUPS = ("error", "promise", "invariant")  # checks that make their own requests: one part each
WHOLE = GROUPS  # parts that judge nothing with a part of their requests: reserved whole or not at all
FIRST_SLICE = 2  # what the other parts keep first when not even the floors fit: an answer, and it without credential


class ShareSpent(BudgetExhausted):
    """One part's share of the request budget, and what flowed to it, is spent; the other parts go on."""

    def __init__(self, message: str, part: str) -> None:
        super().__init__(message)
        self.part = part


@dataclass
class Part:
    """One thing the run must judge, and its part of the budget."""

    name: str  # "positive GET /photo/{id}", "images GET /photo", "invariant pagination_is_consistent", ...
    kind: str  # ids | positive | images | error | promise | invariant | probes | fuzzing | other
    stage: int  # the order the suite runs it in; the parts of one stage run together (answers and their images)
    need: int  # requests it asks for at most (as planned)
    floor: int | None = None  # what it keeps when the needs exceed the budget (None: its need)
    where: str = "-"  # the operation its coverage is recorded under
    share: int = 0  # reserved for it
    spent: int = 0
    inflow: int = 0  # requests it spent beyond its share: what the parts before it left, or nobody reserved
    refused: int = 0  # requests it asked for and did not get
    closed: bool = False  # done: what it left unused flows on

    def as_dict(self) -> dict[str, Any]:
        return {"part": self.name, "kind": self.kind, "operation": self.where, "need": self.need,
                "share": self.share, "spent": self.spent, "flowed_in": self.inflow, "refused": self.refused}


class Plan:
    """The budget of one API, part by part. `charge()` is called for every request the API's session sends."""

    def __init__(self, budget: int | None, enforced: bool = True) -> None:
        self.budget = budget
        self.enforced = enforced and budget is not None
        self.parts: dict[str, Part] = {}
        self._current = threading.local()
        self._lock = threading.Lock()

    def lay_out(self, parts: list[Part], spent_before: int = 0) -> None:
        """Reserve each part's share of what `spent_before` (the ids found before the suite) left."""
        with self._lock:
            self.parts = {DISCOVERY: Part(DISCOVERY, "ids", 0, spent_before, where="-", share=spent_before,
                                          spent=spent_before, closed=True)}
            planned = [p for p in parts if p.kind != FUZZING]  # fuzzing reserves nothing: it takes what is left
            if self.budget is None:
                shares = [p.need for p in planned]
            else:
                shares = reserve(max(0, self.budget - spent_before), [p.need for p in planned],
                                 [p.need if p.floor is None else min(p.floor, p.need) for p in planned],
                                 [p.kind in WHOLE for p in planned])
            for part, share in zip(planned, shares, strict=True):
                part.share = share
            for part in parts:
                self.parts[part.name] = part

    @contextmanager
    def spending(self, name: str) -> Iterator[None]:
        """The requests sent inside the block are charged to part `name` (this thread only)."""
        before = getattr(self._current, "name", None)
        self._current.name = name
        try:
            yield
        finally:
            self._current.name = before

    @property
    def current(self) -> str:
        return getattr(self._current, "name", None) or OTHER

    def charge(self) -> None:
        """One request of the current part: within its share, or from what nobody has reserved; else ShareSpent."""
        with self._lock:
            part = self._part(self.current)
            for other in self.parts.values():  # the suite has moved on: what earlier stages left flows on
                if other.stage < part.stage:
                    other.closed = True
            if not self.enforced:
                part.spent += 1
                return
            assert self.budget is not None
            spent = sum(p.spent for p in self.parts.values())
            reserved = sum(max(0, p.share - p.spent) for p in self.parts.values() if not p.closed and p is not part)
            free = self.budget - spent - reserved
            if part.spent < part.share and not part.closed:
                part.spent += 1
            elif free > 0:
                part.inflow += part.spent >= part.share
                part.spent += 1
            else:
                part.refused += 1
                raise ShareSpent(f"{part.name}: its share of the request budget of {self.budget} is spent "
                                 f"({part.spent} requests: {part.share} reserved, {part.inflow} flowed to it)",
                                 part.name)

    def _part(self, name: str) -> Part:
        if name not in self.parts:  # a request no part was planned for: from what nobody reserved, closing nothing
            self.parts[name] = Part(name, OTHER if name == OTHER else name.split(" ", 1)[0], -1, 0)
        return self.parts[name]

    def as_dict(self) -> dict[str, Any]:
        """summary.json's `apis.<api>.budget`: the budget, what was reserved and spent, and each part."""
        with self._lock:
            parts = list(self.parts.values())
            return {"budget": self.budget, "enforced": self.enforced,
                    "reserved": sum(p.share for p in parts), "spent": sum(p.spent for p in parts),
                    "parts": [p.as_dict() for p in parts]}


def reserve(available: int, needs: list[int], floors: list[int], whole: list[bool] | None = None) -> list[int]:
    """Shares of `available` for `needs`: each need in full if they fit; else each floor, and what remains
    shared in proportion to what each needs beyond it. Where not even the floors fit, a part judged `whole` (a
    check: a part of its requests judges nothing) gets all of its floor or nothing: every other part gets a first
    slice (FIRST_SLICE: an answer, and the request without the credential), then the whole parts are funded,
    the cheapest first, and what is left goes to the others' floors in proportion."""
    if sum(needs) <= available:
        return list(needs)
    if sum(floors) <= available:
        extra = apportion(available - sum(floors), [n - f for n, f in zip(needs, floors, strict=True)])
        return [f + e for f, e in zip(floors, extra, strict=True)]
    whole = whole or [False] * len(needs)
    first = [0 if w else min(f, FIRST_SLICE) for f, w in zip(floors, whole, strict=True)]
    if sum(first) >= available:
        return apportion(available, first)
    shares, left = list(first), available - sum(first)
    for index in sorted((i for i, w in enumerate(whole) if w), key=lambda i: floors[i]):
        if floors[index] <= left:
            shares[index], left = floors[index], left - floors[index]
    rest = apportion(left, [0 if w else f - s for f, s, w in zip(floors, shares, whole, strict=True)])
    return [s + r for s, r in zip(shares, rest, strict=True)]


def apportion(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders), never more than a weight; every weight gets
    at least one where the total allows it."""
    whole = sum(weights)
    if whole <= 0 or total <= 0:
        return [0] * len(weights)
    if whole <= total:
        return list(weights)
    wanting = sum(1 for w in weights if w > 0)
    if wanting <= total:
        rest = _proportional(total - wanting, [max(0, w - 1) for w in weights])
        return [r + (w > 0) for r, w in zip(rest, weights, strict=True)]
    return _proportional(total, weights)


def _proportional(total: int, weights: list[int]) -> list[int]:
    whole = sum(weights)
    if whole <= 0 or total <= 0:
        return [0] * len(weights)
    if whole <= total:
        return list(weights)
    exact = [w * total / whole for w in weights]
    shares = [int(x) for x in exact]
    for index in sorted(range(len(weights)), key=lambda i: exact[i] - shares[i], reverse=True)[:total - sum(shares)]:
        shares[index] += 1
    return shares


# What a run must judge, and what each part needs

def _reads(target: Any, config: Any) -> list[Operation]:
    """The operations the positive cases exercise (a live run leaves writes and log-ins out unless allowed)."""
    ops = list(operations(load_contract(target.api.name)))
    if target.live and not config.allow_writes:
        ops = [op for op in ops if not op.is_write and op.spec.get("security") != []]
    return ops


def positive_need(target: Any, config: Any, op: Operation) -> int:
    """The positive cases of one operation, as the suite sends them: its explicit ids once each
    (`Target.explicit_ids`: every configured combination, then found ones up to `found_cap`), the generated
    examples (none on a live target where only the ids vary), and ignored_auth's one request without the
    credential."""
    known = [p for p in op.path_params if target.ids_for(op.name, p)]
    others = [p for p in parameters_of(target.api.name, op) if p.get("in") != "path"]
    needs_more = any(p.get("required") for p in others) or bool((op.spec.get("requestBody") or {}).get("required"))
    only_ids = len(known) == len(op.path_params) and not needs_more
    explicit = len(target.explicit_ids(op.name, op.path_params)) if only_ids else 0
    generated = 0 if target.live and only_ids and not others and "requestBody" not in op.spec else (
        config.examples_per_operation)
    return explicit + generated + 1


def _image_roles(facts: Any, name: str) -> set[str]:
    roles = {role for record in facts.records if name in record.operations for role in record.links}
    roles |= {"original" for endpoint in facts.endpoints if endpoint.operation == name and endpoint.original}
    return roles


def need_of(check: registry.Check, target: Any, config: Any) -> int:
    return max(0, int(check.need(target, config))) if check.need is not None else DEFAULT_NEED


def probes_sent(target: Any, config: Any) -> list[str]:
    """The operation of each negative probe the run sends (on a live target one per documented bound)."""
    if not config.probes or "negative_data_rejection" in target.facts.excluded_builtins:
        return []
    asked: set[Any] = set()
    sent = []
    for op in operations(load_contract(target.api.name)):
        for probe in probes(target.api.name, op):
            if target.live and (probe.what, probe.source) in asked:
                continue
            asked.add((probe.what, probe.source))
            sent.append(probe.operation)
    return sent


def plan_for(target: Any, config: Any) -> Plan:
    """The plan of one API's run: the parts in the order the suite runs them, each with what it needs."""
    examples = config.examples_per_operation
    plan = Plan(config.limits.budget if target.session.polite else None)
    parts: list[Part] = []
    stage = 1
    for op in _reads(target, config):
        need = positive_need(target, config, op)
        parts.append(Part(f"positive {op.name}", "positive", stage, need, floor=min(need, examples + 1), where=op.name))
        roles = _image_roles(target.facts, op.name)
        if roles:
            parts.append(Part(f"images {op.name}", "images", stage, IMAGES_PER_ROLE * len(roles), where=op.name))
        stage += 1
    for group in GROUPS:
        for name in registry.in_group(group):
            check = target.api.invariants.get(name) if group == "invariant" else registry.CHECKS[name]
            if check is None or (group == "error" and not target.facts.probe_operations):
                continue
            where = check.where(target.facts) if group != "error" else target.facts.probe_operations[0]
            need = need_of(check, target, config)
            # An invariant is a property over a few examples: one example judges it (on fewer cases).
            floor = need_of(check, target, replace(config, examples=1)) if group == "invariant" else need
            parts.append(Part(f"{group} {name}", group, stage, need, floor=floor, where=where))
            stage += 1
    sent = probes_sent(target, config)
    if sent:
        parts.append(Part("probes", "probes", stage, len(sent), where=sent[0]))
        stage += 1
    if config.negative_testing:
        parts.append(Part(FUZZING, FUZZING, stage, 0))
    plan.lay_out(parts, target.session.requests_sent)
    return plan
