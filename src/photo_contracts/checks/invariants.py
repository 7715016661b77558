"""The semantic invariants (one name and severity for every vendor; each vendor module implements those its
API has, with `registry.invariant`), and the tools they share: hypothesis settings, JSON fetching, record
comparison, times."""

from __future__ import annotations

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

MAX_PAGES = 200  # a walk that needs more pages than this is a cursor that does not terminate


def as_property(config: Any, examples: int = 5) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings for an invariant: few examples (each costs real requests), seeded, no shrinking."""

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        test = settings(max_examples=min(examples, max(1, config.examples_per_operation)), deadline=None,
                        database=None, phases=[Phase.explicit, Phase.generate], verbosity=Verbosity.quiet,
                        suppress_health_check=list(HealthCheck))(test)
        return seed(config.seed)(test)

    return decorate


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


def same_sequence(pages: list[list[Any]], full: list[Any], what: str, source: Source | None = None,
                  order: Source | None = None) -> None:
    """Pages are disjoint and, in order, make up exactly the full listing. `order`, when given, is the
    promise the order rests on where it is not the one the membership rests on (often our assumption)."""
    seen: set[Any] = set()
    for number, page in enumerate(pages, 1):
        repeated = [i for i in page if i in seen]
        if repeated:
            raise CheckFailed(f"Received id {repeated[0]!r} again on page {number} of {what} / "
                              "Documented: pages are disjoint", source=source)
        seen.update(page)
    walked = [i for page in pages for i in page]
    if walked != full:
        missing = [i for i in full if i not in seen]
        extra = [i for i in walked if i not in set(full)]
        if not (missing or extra) and order is not None:
            raise CheckFailed(f"Received the items of {what} in another order than the full listing / "
                              "Documented: one order whatever the page size", source=order)
        detail = f"{len(missing)} missing (e.g. {missing[0]!r})" if missing else (
            f"{len(extra)} not in the full listing (e.g. {extra[0]!r})" if extra else "a different order")
        raise CheckFailed(f"Received {len(walked)} ids paging through {what}, {detail}, against {len(full)} in the "
                          "full listing / Documented: the pages together are the full listing", source=source)


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
