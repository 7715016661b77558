"""OpenAPI `links`: where the real value of a path parameter comes from, read from the contract.

A contract says on a 2xx response that a value of its exchange is a parameter of another operation
(`GET /photo` -> `GET /photo/{id}` with `id: $response.body#/0/id`). A run follows those links to find
real ids (`follow`), after the ids the user configured. The expressions this reads are the standard's
runtime expressions: `$response.body#/json/pointer` and `$request.path.name` (others are not ids and
are left to schemathesis' stateful tests, which read the same links).

An index in a pointer names one item of a list; a run takes that field of every item of the page
(`#/0/id` -> `$[*].id`), duplicates once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import product
from typing import Any

from photo_contracts.errors import ToolError
from photo_contracts.operations import Operation, operations
from photo_contracts.provenance import Source, annotation

BODY = "$response.body#"
REQUEST_PATH = "$request.path."
FOLLOW_TRIES = 3  # requests spent on one operation's answers before its links are given up


@dataclass(frozen=True)
class Link:
    """One parameter of one link: `target`'s `param` takes the value `expression` names in `source`'s exchange."""

    source: str  # the operation whose answer (or request) holds the value: "GET /photo"
    status: str  # the response that carries the link: "200"
    name: str  # the link's name in the contract: "GetPhoto"
    target: str  # the operation that takes it: "GET /photo/{id}"
    param: str  # its path parameter: "id"
    expression: str  # "$response.body#/0/id", "$request.path.id"
    mark: Source | None = None  # the link's x-source or x-assumed

    @property
    def reads_answer(self) -> bool:
        return self.expression.startswith(BODY)

    @property
    def request_param(self) -> str | None:
        """`$request.path.id` -> `id`: the value the source operation was asked with."""
        return self.expression[len(REQUEST_PATH):] if self.expression.startswith(REQUEST_PATH) else None

    @property
    def pointer(self) -> list[str]:
        tail = self.expression[len(BODY):] if self.reads_answer else ""
        return [p.replace("~1", "/").replace("~0", "~") for p in tail.split("/")[1:]] if tail else []

    @property
    def lists_items(self) -> bool:
        """The value is a field of a list's items (a listing), not of one resource."""
        return any(part.isdigit() for part in self.pointer)

    def json_path(self) -> str:
        """`#/0/id` -> `$[*].id`, `#/person/organization/id` -> `$.person.organization.id`."""
        if self.request_param is not None:
            return self.expression
        return "$" + "".join("[*]" if part.isdigit() else f".{part}" for part in self.pointer)

    def origin(self) -> str:
        """Where a value found through this link came from, as runs record it."""
        if self.lists_items:
            return f"listing {self.source}"
        return f"link from {self.source} {self.json_path()}"

    def values(self, body: Any) -> list[str]:
        """Every value the pointer names in an answer's JSON body (every item where it has an index), once each."""
        nodes = [body]
        for part in self.pointer:
            found: list[Any] = []
            for node in nodes:
                if isinstance(node, list) and part.isdigit():
                    found.extend(node)
                elif isinstance(node, dict) and part in node:
                    found.append(node[part])
            nodes = found
        ids = [str(v) for v in nodes if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v) != ""]
        return list(dict.fromkeys(ids))


def _local(document: Mapping[str, Any], node: Any) -> Any:
    """A node, or what its local `$ref` (`#/components/...`) points at."""
    seen = 0
    while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/") and seen < 16:
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        node, seen = target, seen + 1
    return node


def contract_links(document: Mapping[str, Any]) -> list[Link]:
    """Every path parameter a contract's 2xx `links` give a value to, in contract order. A link to an
    operation the contract does not have is a broken contract (ToolError)."""
    ops = list(operations(dict(document)))
    by_id = {op.spec["operationId"]: op for op in ops if isinstance(op.spec.get("operationId"), str)}
    by_ref = {f"#/paths/{op.path.replace('~', '~0').replace('/', '~1')}/{op.method}": op for op in ops}
    found: list[Link] = []
    for op in ops:
        for status, response in (op.spec.get("responses") or {}).items():
            response = _local(document, response)
            if not str(status).startswith("2") or not isinstance(response, dict):
                continue
            for name, link in (response.get("links") or {}).items():
                link = _local(document, link)
                if not isinstance(link, dict):
                    continue
                target = by_id.get(link.get("operationId")) if "operationId" in link else by_ref.get(
                    str(link.get("operationRef", "")))
                if target is None:
                    named = link.get("operationId") or link.get("operationRef")
                    raise ToolError(f"{op.name} {status}: link {name} names {named!r}, which no operation of the "
                                    "contract is")
                mark = annotation(link) or annotation(response)
                for param, expression in (link.get("parameters") or {}).items():
                    param = str(param).removeprefix("path.")
                    if param in target.path_params and isinstance(expression, str) and (
                            expression.startswith(BODY) or expression.startswith(REQUEST_PATH)):
                        found.append(Link(op.name, str(status), str(name), target.name, param, expression, mark))
    return found


Slot = tuple[str, str]  # (operation, path parameter)
Fetch = Callable[[Operation, dict[str, str]], Any]  # the JSON body of a 2xx answer, or None


class Unanswered(Exception):
    """`fetch` got no answer at all (too slow, too large, budget spent): the API is asked nothing more for ids."""


def follow(ops: Iterable[Operation], links: list[Link], seeds: Mapping[Slot, Mapping[str, str]], fetch: Fetch,
           enough: int) -> dict[Slot, dict[str, str]]:
    """The values of every (operation, path parameter): the seeds (configured ids, value -> origin) first,
    then the values the links lead to, each with its origin.

    An operation is asked (through `fetch`, never for a write) only for its links' sake: with its own
    parameters' values in order, at most FOLLOW_TRIES times, until one answer gave every link of it a value;
    not at all once every parameter it leads to holds `enough` values found by the run. Operations with no
    path parameter (listings) are asked first, so a detail is asked with configured ids, then listed ones.
    A request that gets no answer at all (`Unanswered`) ends the following: the suite judges such an API."""
    ops = {op.name: op for op in ops}
    slots: dict[Slot, dict[str, str]] = {slot: dict(values) for slot, values in seeds.items()}
    seeded = {slot: set(values) for slot, values in seeds.items()}
    sources = sorted({link.source for link in links if link.reads_answer and link.source in ops},
                     key=lambda name: (bool(ops[name].path_params), list(ops).index(name)))
    asked: set[tuple[str, tuple[str, ...]]] = set()
    tries: Counter[str] = Counter()
    done: set[str] = set()

    def add(slot: Slot, origins: Mapping[str, str]) -> bool:
        held = slots.setdefault(slot, {})
        new = [v for v in origins if v not in held]
        for value in new:
            held[value] = origins[value]
        return bool(new)

    def found_in(slot: Slot) -> int:
        return len(set(slots.get(slot, {})) - seeded.get(slot, set()))

    progress = True
    while progress:
        progress = False
        for link in links:  # `$request.path.x`: the value the source was asked with serves the target too
            if (given := link.request_param) is not None:
                progress |= add((link.target, link.param), slots.get((link.source, given), {}))
        for name in sources:
            op = ops[name]
            own = [link for link in links if link.source == name and link.reads_answer]
            if name in done or op.is_write or all(found_in((lk.target, lk.param)) >= enough for lk in own):
                continue
            choices = [list(slots.get((name, p), {})) for p in op.path_params]
            for combo in product(*choices):
                if tries[name] >= FOLLOW_TRIES:
                    break
                if (name, combo) in asked:
                    continue
                asked.add((name, combo))
                tries[name] += 1
                try:
                    body = fetch(op, dict(zip(op.path_params, combo, strict=True)))
                except Unanswered:
                    return slots
                if body is None:
                    continue
                gave = [link for link in own if link.values(body)]
                for link in gave:
                    progress |= add((link.target, link.param), dict.fromkeys(link.values(body), link.origin()))
                if len({(lk.target, lk.param) for lk in gave}) == len({(lk.target, lk.param) for lk in own}):
                    done.add(name)
                    break
    return slots
