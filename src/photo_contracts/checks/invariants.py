"""The semantic invariants (one name and severity for every vendor; each vendor module implements those its
API has, with `registry.invariant`), and the tools they share: hypothesis settings, JSON fetching, record
comparison, times."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st

from photo_contracts.checks.registry import CheckFailed, declare
from photo_contracts.provenance import Source

# Cheapest first (a live run is budgeted, and runs them in this order): a filter or an ordering takes a few
# requests, a pagination walk many, and comparing list items with their details one request per item.
for _name, _severity, _asserts in (
    ("filters_are_honoured", "breaking",
     "every item a filtered listing returns matches the filter, and none is missed"),
    ("timestamps_are_ordered", "warning", "documented timestamp orderings hold (created <= updated, newest_first)"),
    ("pagination_is_consistent", "breaking",
     "pages are disjoint, their union is the full listing, totals and cursors are coherent and terminate"),
    ("list_matches_detail", "warning", "a list item agrees with the detail of the same photo"),
):
    declare(_name, _severity, _asserts, "invariant")

# Each helper takes the `source` of the promise its caller checks; None falls back to the invariant's own.

# Pagination follows at most the pages it needs to prove its promise, bounded by the items compared, never
# by the size of the dataset: the first WINDOW items of the listing (one page of the largest size), and per
# page size at most PAGES_PER_WALK pages of them (and one past them, where the listing ends there).
WINDOW = 50
PAGES_PER_WALK = 3


def examples_of(config: Any, examples: int = 5) -> int:
    """How many examples an invariant's property runs (each costs real requests)."""
    return min(examples, max(1, config.examples_per_operation))


def refused_by_plan(exc: BaseException) -> bool:
    """The run's budget plan refused the request: this check's share is spent (budget.ShareSpent names its part)."""
    return getattr(exc, "part", None) is not None


def as_property(config: Any, examples: int = 5) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings for an invariant: few examples (each costs real requests), seeded, no shrinking.
    The first failure is the answer: hypothesis' replay of the failing example gets it again without asking the
    API again (an answer that changes, or a budget spent meanwhile, would otherwise hide the finding). Where the
    run's budget plan refuses this check more requests after an example was judged whole, the examples judged are
    the judgement: the rest are not run."""

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        inner = test.hypothesis.inner_test  # type: ignore[attr-defined]
        first: list[BaseException] = []
        judged: list[int] = [0]
        cut: list[BaseException] = []

        @functools.wraps(inner)
        def once(*args: Any, **kwargs: Any) -> None:
            if first:
                raise first[0]
            if cut:
                return
            try:
                inner(*args, **kwargs)
            except Exception as exc:
                if judged[0] and refused_by_plan(exc):
                    cut.append(exc)
                    return
                first.append(exc)
                raise
            judged[0] += 1

        test.hypothesis.inner_test = once  # type: ignore[attr-defined]
        test = settings(max_examples=examples_of(config, examples), deadline=None,
                        database=None, phases=[Phase.explicit, Phase.generate], verbosity=Verbosity.quiet,
                        suppress_health_check=list(HealthCheck))(test)
        return seed(config.seed)(test)

    return decorate


def walk_need(config: Any, examples: int = 5) -> int:
    """The requests of a pagination property: the window, and each example's walk with the page past it."""
    return 1 + examples_of(config, examples) * (PAGES_PER_WALK + 1)


def pages_for(window: int, size: int) -> int:
    """Pages of `size` items that cover the first `window` items of a listing, at most PAGES_PER_WALK."""
    return max(1, min(PAGES_PER_WALK, math.ceil(window / size) if size > 0 else 1))


class Walk:
    """One walk through the pages of a listing, judged page by page: a page larger than the size asked for, an
    item an earlier page already listed, or a cursor given twice is a finding at once, before another request
    (a defect that would otherwise spend the budget hides nothing)."""

    def __init__(self, what: str, size: int | None, key: str, *, at: str = "$", size_name: str = "limit",
                 bound: Source | None = None, disjoint: Source | None = None, cursor: Source | None = None) -> None:
        self.what, self.size, self.key, self.at, self.size_name = what, size, key, at, size_name
        self.bound, self.disjoint, self.cursor_source = bound, disjoint, cursor
        self.pages: list[list[Any]] = []  # the items of each page
        self._seen: set[Any] = set()
        self._cursors: set[str] = set()

    @property
    def items(self) -> list[Any]:
        return [item for page in self.pages for item in page]

    @property
    def ids(self) -> list[Any]:
        return ids_of(self.items, self.key)

    def page(self, items: list[Any]) -> None:
        """The next page's items (each with its id under `key`)."""
        number = len(self.pages) + 1
        ids = ids_of(items, self.key)
        if self.size is not None and len(ids) > self.size:
            raise CheckFailed(f"Received {len(ids)} items on page {number} of {self.what} / Documented: at most "
                              f"{self.size_name} ({self.size})", source=self.bound, json_path=self.at)
        repeated = [i for i in ids if i is not None and i in self._seen]
        if repeated:
            raise CheckFailed(f"Received id {repeated[0]!r} again on page {number} of {self.what}, after an earlier "
                              "page listed it / Documented: pages are disjoint", source=self.disjoint,
                              json_path=self.at)
        self._seen.update(i for i in ids if i is not None)
        self.pages.append(list(items))

    def cursor(self, token: Any, json_path: str) -> None:
        """The cursor (or page token) that leads to the next page: one given before leads back, never on."""
        key = json.dumps(token, sort_keys=True, default=str)
        if key in self._cursors:
            raise CheckFailed(f"Received after page {len(self.pages)} of {self.what} a cursor it gave before: it "
                              "leads back to a page already walked, so the walk never ends / Documented: the "
                              "cursor leads to the next page, and the last page has none", source=self.cursor_source,
                              json_path=json_path)
        self._cursors.add(key)


def agrees(walked: list[Any], full: list[Any], what: str, *, ended: bool, complete: bool,
           source: Source | None = None, order: Source | None = None) -> None:
    """The items a bounded walk listed are, in order, the first items of the full listing; where the walk and the
    full listing both reached the end, they are all of it. `complete`: `full` is the whole listing, not a window
    of its first items; `ended`: the walk reached the last page."""
    if ended and complete:
        expected, got = full, walked
    elif ended:  # the walk ended: it holds at least the window, and begins with it
        expected, got = full, walked[:len(full)]
    else:
        count = min(len(walked), len(full))
        expected, got = full[:count], walked[:count]
    if got == expected:
        return
    got_set, expected_set = set(got), set(expected)
    missing = [i for i in expected if i not in got_set]
    extra = [i for i in got if i not in expected_set]
    if not (missing or extra) and order is not None:
        raise CheckFailed(f"Received the items of {what} in another order than the full listing / "
                          "Documented: one order whatever the page size", source=order)
    detail = f"{len(missing)} missing (e.g. {missing[0]!r})" if missing else (
        f"{len(extra)} not in the full listing (e.g. {extra[0]!r})" if extra else "a different order")
    scope = "the full listing" if ended and complete else f"the first {len(expected)} items of the full listing"
    raise CheckFailed(f"Received {len(got)} ids paging through {what}, {detail}, against {scope} / "
                      "Documented: the pages together are the full listing", source=source)


def fetch_json(target: Any, method: str, path: str, source: Source | None = None, **kwargs: Any) -> Any:
    """A JSON body the invariant needs; an error status or non-JSON answer is itself a failure."""
    response = target.call(method, path, **kwargs)
    if not response.ok:
        raise CheckFailed(f"Received HTTP {response.status_code} for {method} {path} / Documented: 200",
                          response=response, source=source)
    try:
        return response.json()
    except ValueError:
        raise CheckFailed(f"Received a body that is not JSON for {method} {path} / Documented: JSON",
                          response=response, source=source) from None


def ids_of(items: Iterable[Any], key: str) -> list[Any]:
    return [item.get(key) if isinstance(item, dict) else None for item in items]


def compare(listed: dict[str, Any], detail: dict[str, Any], ignore: Iterable[str], at: str,
            source: Source | None = None) -> None:
    """Every field present in both a list item and the detail has the same value."""
    skipped = set(ignore)
    for key in sorted(set(listed) & set(detail) - skipped):
        if listed[key] != detail[key]:
            raise CheckFailed(f"Received {key} = {listed[key]!r} in the list but {detail[key]!r} in the detail / "
                              "Documented: the list item is a view of the same photo", json_path=f"{at}.{key}",
                              source=source)


def items_agree_with_details(target: Any, config: Any, items: list[Any], detail_path: Callable[[Any], str],
                             ignore: Iterable[str], at: str, unwrap: str | None = None,
                             source: Source | None = None) -> None:
    """Hypothesis picks listed items; each agrees with its own detail (`unwrap`: the envelope key)."""
    if not items:
        return
    ignored = tuple(ignore)

    @as_property(config, examples=10)
    @given(index=st.integers(0, len(items) - 1))
    def item_agrees(index: int) -> None:
        detail = fetch_json(target, "GET", detail_path(items[index]), source)
        compare(items[index], detail.get(unwrap, {}) if unwrap else detail, ignored, f"{at}[{index}]", source)

    item_agrees()


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 timestamp (with or without zone: naive ones are taken as UTC, as documented)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ordered(record: dict[str, Any], earlier: str, later: str, at: str, operation: str | None = None,
            source: Source | None = None) -> None:
    first, second = parse_time(record.get(earlier)), parse_time(record.get(later))
    if first and second and first > second:
        raise CheckFailed(f"Received {earlier} {record[earlier]} after {later} {record[later]} / "
                          f"Documented: {earlier} <= {later}", json_path=f"{at}.{later}", operation=operation,
                          source=source)
