"""Run-to-run rules: two observations.json files (drift/observe.py `as_dict()`), compared.

Observations are samples: a path or status missing from one run may only be one the run did
not meet. The severities assume the two runs exercised the API alike (same seed and budget).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from photo_contracts.audit import values
from photo_contracts.audit.changes import Change, Hit, rule, rules
from photo_contracts.audit.model import is_success

ENUM_LIKE_MAX = 12  # at most this many distinct strings seen at a path ...
ENUM_LIKE_REPEAT = 2  # ... each seen this many times on average: an enum, not ids or timestamps

Facts = dict[str, Any]


def _apis(document: Any) -> dict[str, dict[str, Facts]]:
    return {api: ops for api, ops in (document.get("apis") or {}).items() if isinstance(ops, dict)}


def _operations(document: Any) -> dict[tuple[str, str], Facts]:
    return {(api, op): facts for api, ops in _apis(document).items() for op, facts in ops.items()}


def _pairs(old: Any, new: Any) -> Iterator[tuple[str, str, Facts, Facts]]:
    after = _operations(new)
    for (api, op), facts in _operations(old).items():
        if (api, op) in after:
            yield api, op, facts, after[(api, op)]


def _where(key: str) -> str:
    """`200 application/json` -> `response 200`; other media types stay in the location."""
    status, _, media = key.partition(" ")
    return f"response {status}" if media == "application/json" else f"response {status} {media}"


def _topmost(paths: set[str]) -> list[str]:
    """Paths without those under another path of the set (`$.a` hides `$.a.b` and `$.a[*]`)."""
    def under(p: str, q: str) -> bool:
        return p != q and p.startswith(q) and p[len(q)] in ".["

    return sorted(p for p in paths if not any(under(p, q) for q in paths))


def _bodies(old: Facts, new: Facts) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    before, after = old.get("bodies") or {}, new.get("bodies") or {}
    for key in before:
        if key in after:
            yield key, before[key].get("paths") or {}, after[key].get("paths") or {}


# -- operations and statuses ------------------------------------------------------------------

@rule("observed-operation-disappeared", "warning", "observations",
      "An operation observed in OLD was not observed in NEW (not exercised, or gone).")
def observed_operation_disappeared(old: Any, new: Any) -> Iterator[Hit]:
    after = _operations(new)
    for api, op in _operations(old):
        if (api, op) not in after:
            yield Hit("operation", "no longer observed", operation=op, api=api)


@rule("observed-operation-appeared", "info", "observations", "An operation observed only in NEW.")
def observed_operation_appeared(old: Any, new: Any) -> Iterator[Hit]:
    before = _operations(old)
    for api, op in _operations(new):
        if (api, op) not in before:
            yield Hit("operation", "newly observed", operation=op, api=api)


@rule("observed-status-appeared", "warning", "observations", "A status code only NEW received.")
def observed_status_appeared(old: Any, new: Any) -> Iterator[Hit]:
    for api, op, before, after in _pairs(old, new):
        for status in after.get("statuses") or {}:
            if status not in (before.get("statuses") or {}):
                yield Hit(f"response {status}", "newly received", operation=op, api=api)


@rule("observed-success-status-disappeared", "warning", "observations",
      "A 1XX-3XX status OLD received and NEW did not.")
def observed_success_status_disappeared(old: Any, new: Any) -> Iterator[Hit]:
    for api, op, before, after in _pairs(old, new):
        for status in before.get("statuses") or {}:
            if status not in (after.get("statuses") or {}) and is_success(status):
                yield Hit(f"response {status}", "no longer received", operation=op, api=api)


@rule("observed-error-status-disappeared", "info", "observations",
      "An error status OLD received and NEW did not.")
def observed_error_status_disappeared(old: Any, new: Any) -> Iterator[Hit]:
    for api, op, before, after in _pairs(old, new):
        for status in before.get("statuses") or {}:
            if status not in (after.get("statuses") or {}) and not is_success(status):
                yield Hit(f"response {status}", "no longer received", operation=op, api=api)


def _media(facts: Facts) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for key in facts.get("content_types") or {}:
        status, _, media = key.partition(" ")
        found.setdefault(status, set()).add(media)
    return found


@rule("observed-content-type-appeared", "breaking", "observations",
      "A status both runs received came back with a content type only NEW saw.")
def observed_content_type_appeared(old: Any, new: Any) -> Iterator[Hit]:
    for api, op, before, after in _pairs(old, new):
        was, now = _media(before), _media(after)
        for status in sorted(set(was) & set(now)):
            for media in sorted(now[status] - was[status]):
                yield Hit(f"response {status} {media}", "newly received", operation=op, api=api)


@rule("observed-content-type-disappeared", "info", "observations",
      "A content type OLD saw for a status both runs received, and NEW did not.")
def observed_content_type_disappeared(old: Any, new: Any) -> Iterator[Hit]:
    for api, op, before, after in _pairs(old, new):
        was, now = _media(before), _media(after)
        for status in sorted(set(was) & set(now)):
            for media in sorted(was[status] - now[status]):
                yield Hit(f"response {status} {media}", "no longer received", operation=op, api=api)


# -- JSON shapes ------------------------------------------------------------------------------

@rule("observed-path-appeared", "info", "observations", "A JSON path only NEW's bodies had.")
def observed_path_appeared(old: Any, new: Any) -> Iterator[Hit]:
    for api, op, before, after in _pairs(old, new):
        for key, was, now in _bodies(before, after):
            for path in _topmost(set(now) - set(was)):
                yield Hit(f"{_where(key)} {path}", "newly present", operation=op, api=api)


@rule("observed-path-disappeared", "breaking", "observations",
      "A JSON path OLD's bodies had and NEW's did not.")
def observed_path_disappeared(old: Any, new: Any) -> Iterator[Hit]:
    for api, op, before, after in _pairs(old, new):
        for key, was, now in _bodies(before, after):
            for path in _topmost(set(was) - set(now)):
                yield Hit(f"{_where(key)} {path}", "no longer present", operation=op, api=api)


@rule("observed-type-changed", "breaking", "observations",
      "A JSON path came back in a type OLD never saw there (null included).")
def observed_type_changed(old: Any, new: Any) -> Iterator[Hit]:
    for api, op, before, after in _pairs(old, new):
        for key, was, now in _bodies(before, after):
            for path in sorted(set(was) & set(now)):
                a, b = set(was[path].get("types") or {}), set(now[path].get("types") or {})
                if b - a:
                    yield Hit(f"{_where(key)} {path}", f"type {'|'.join(sorted(a))} -> {'|'.join(sorted(b))}",
                              operation=op, api=api)


def _enum_like(facts: dict[str, Any]) -> bool:
    values = facts.get("values") or []
    strings = (facts.get("types") or {}).get("string", 0)
    return 0 < len(values) <= ENUM_LIKE_MAX and strings >= ENUM_LIKE_REPEAT * len(values)


def _fresh_values(was: list[str], now: list[str]) -> list[str]:
    """NEW's values OLD did not have, compared as `values.comparable` makes them (URLs without host,
    port and signatures); generated values (timestamps, ids, messages) count only where OLD had none."""
    before = {values.comparable(v) for v in was}
    fresh: dict[str, None] = {}
    for value in now:
        seen = values.comparable(value)
        if seen is None and None not in before:
            fresh[value] = None
        elif seen is not None and seen not in before:
            fresh[seen] = None
    return sorted(fresh)


@rule("observed-enum-value-new", "warning", "observations",
      f"A new string at an enum-like path (at most {ENUM_LIKE_MAX} distinct values in OLD, each "
      f"seen {ENUM_LIKE_REPEAT}+ times on average); URLs are compared without host, port and signed "
      "query values, timestamps, ids and messages are not compared.")
def observed_enum_value_new(old: Any, new: Any) -> Iterator[Hit]:
    for api, op, before, after in _pairs(old, new):
        for key, was, now in _bodies(before, after):
            for path in sorted(set(was) & set(now)):
                if _enum_like(was[path]) and now[path].get("values"):
                    fresh = _fresh_values(was[path]["values"], now[path]["values"])
                    if fresh:
                        yield Hit(f"{_where(key)} {path}", "new value: " + ", ".join(map(repr, fresh)),
                                  operation=op, api=api)


@rule("observed-string-format-changed", "breaking", "observations",
      "Every string OLD saw at a path had one format (url, date-time, date, uuid) and NEW saw "
      "another there (`2021-03-13T18:15:00` -> `13/03/2021 18:15`).")
def observed_string_format_changed(old: Any, new: Any) -> Iterator[Hit]:
    for api, op, before, after in _pairs(old, new):
        for key, was, now in _bodies(before, after):
            for path in sorted(set(was) & set(now)):
                a, b = was[path].get("values") or [], now[path].get("values") or []
                formats = {values.string_format(v) for v in a}
                if len(formats) != 1 or formats == {"other"}:
                    continue
                odd = [v for v in b if values.string_format(v) not in formats]
                if odd:
                    seen = sorted(formats | {values.string_format(v) for v in b})
                    yield Hit(f"{_where(key)} {path}",
                              f"format {'|'.join(sorted(formats))} -> {'|'.join(seen)} (e.g. {odd[0]!r})",
                              operation=op, api=api)


# -- images -----------------------------------------------------------------------------------

@rule("observed-image-format-changed", "breaking", "observations",
      "Images of one role (original, thumbnail...) came in a format OLD never saw.")
def observed_image_format_changed(old: Any, new: Any) -> Iterator[Hit]:
    for api, op, before, after in _pairs(old, new):
        was, now = before.get("images") or {}, after.get("images") or {}
        for role in sorted(set(was) & set(now)):
            if set(now[role]) - set(was[role]):
                formats = f"format {'|'.join(sorted(was[role]))} -> {'|'.join(sorted(now[role]))}"
                yield Hit(f"image {role}", formats, operation=op, api=api)


def diff_observations(old: Any, new: Any) -> list[Change]:
    changes: list[Change] = []
    for r in rules("observations"):
        changes.extend(r.changes(r.function(old, new)))
    return changes
