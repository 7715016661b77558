"""Conditional promises: where the vendor ties a property of the answer to a request option or to a
state, a check asserts it. The facts (which option, which field, which status) live in each vendor
module (`ApiFacts.options`, `.deleted`, `.listings`); these checks know no vendor.
"""

from __future__ import annotations

from typing import Any

from photo_contracts.checks.facts import Listing
from photo_contracts.checks.images import _get
from photo_contracts.checks.registry import CheckContext, CheckFailed, NotApplicable, check
from photo_contracts.contracts import load_contract, parameters_of, resolve_schema, source_of
from photo_contracts.jsonpath import values
from photo_contracts.operations import operations
from photo_contracts.provenance import assumed

UNMARKED = assumed("the contract names no source for this default")
DELETED_ASKED = 3  # deleted media asked for at most (configured or listed)


def _path(target: Any, operation: str, **extra: str) -> tuple[str, str]:
    method, template = operation.split(" ", 1)
    known = {p: v[0] for p, v in target.ids.items() if v} | extra
    try:
        return method, template.format(**known)
    except KeyError as missing:
        raise NotApplicable(f"no real value for {missing} to call {operation}") from None


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _first_listing(facts: Any) -> str:
    return facts.listings[0].operation if facts.listings else "-"


@check("breaking", "a documented request option changes the answer as documented (Autodesk `include=signedUrls` -> "
       "`signedUrls`, both URLs fetch without the credential)", "promise",
       where=lambda facts: facts.options[0].operation if facts.options else _first_listing(facts),
       need=lambda target, config: sum(1 + len(p.links) for p in target.facts.options))
def options_are_honoured(ctx: CheckContext) -> None:
    target, fetch = ctx.target, ctx.fetch_anonymously
    if not target.facts.options:
        raise NotApplicable(f"{target.api.name} documents no request option that adds fields")
    for promise in target.facts.options:
        method, path = _path(target, promise.operation)
        response = target.call(method, path, params=dict(promise.query))
        if not response.ok:
            raise NotApplicable(f"{promise.operation} answered HTTP {response.status_code}: no answer to judge")
        body = _json(response)
        asked = "&".join(f"{k}={v}" for k, v in promise.query.items())
        if _get(body, promise.present) is None:
            raise CheckFailed(f"Received no `{promise.present}` with {asked} / Documented: {promise.present} "
                              "is returned when asked for", source=promise.source, response=response,
                              json_path=f"$.{promise.present}")
        for key in promise.links:
            url = _get(body, key)
            if not isinstance(url, str) or fetch(url) is None:
                raise CheckFailed(f"Received a `{key}` that does not fetch without the credential ({asked}) / "
                                  "Documented: accessible by anyone", source=promise.source, response=response,
                                  json_path=f"$.{key}")


def deleted_ids(target: Any) -> list[str]:
    """Ids of deleted media: configured, or marked deleted by the vendor's own listing."""
    promise = target.facts.deleted
    configured = list(target.ids.get(promise.config_key, []))
    if configured or not promise.listing:
        return configured
    for listing in target.facts.listings:
        if listing.operation == promise.listing:
            method, path = _path(target, listing.operation)
            body = {listing.size: _maximum(target, listing)} if listing.in_body else None
            response = target.call(method, path, json=body) if listing.in_body else target.call(method, path)
            items = [item for _, item in values(_json(response), listing.items)] if response.ok else []
            return [str(i[promise.id_key]) for i in items if isinstance(i, dict) and i.get(promise.marker)]
    return []


@check("breaking", "media deleted by a user answer the documented status (Autodesk 410), never a success "
       "carrying `deletedAt`", "promise",
       where=lambda facts: facts.deleted.operation if facts.deleted else _first_listing(facts),
       need=lambda target, config: 1 + DELETED_ASKED if target.facts.deleted else 0)
def deleted_media_is_gone(ctx: CheckContext) -> None:
    target = ctx.target
    promise = target.facts.deleted
    if promise is None:
        raise NotApplicable(f"{target.api.name} documents no answer for deleted media")
    found = deleted_ids(target)
    ids = found[:DELETED_ASKED]
    for media in found[DELETED_ASKED:]:  # the request budget reserves DELETED_ASKED asks: say which were not made
        target.leave_out(promise.param, media, promise.operation,
                         f"at most {DELETED_ASKED} deleted media are asked for")
    if not ids:
        raise NotApplicable(f"no deleted media to ask for: list {promise.config_key} in the [{target.api.name}] table")
    for media in ids:
        method, path = _path(target, promise.operation, **{promise.param: media})
        response = target.call(method, path)
        if response.status_code in (401, 403, 429) or response.status_code >= 500:
            raise NotApplicable(f"the deleted media {media} answered HTTP {response.status_code}: not about deletion")
        if response.status_code != promise.status:
            marked = " carrying " + promise.marker if _get(_json(response), promise.marker) else ""
            raise CheckFailed(f"Received HTTP {response.status_code}{marked} for the deleted media {media} / "
                              f"Documented: HTTP {promise.status}", source=promise.source, response=response)


def _size_parameter(target: Any, listing: Listing) -> tuple[dict[str, Any], Any]:
    """(schema, its mark) of the parameter or body property that sizes a page."""
    operation = next((op for op in operations(load_contract(target.api.name)) if op.name == listing.operation), None)
    if operation is None:  # a contract of the user's own may name its operations otherwise
        raise NotApplicable(f"the contract has no {listing.operation}, the listing the API's facts name")
    if listing.in_body:
        content = ((operation.spec.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
        schema = resolve_schema(target.api.name, content.get("schema") or {})
        prop = (schema.get("properties") or {}).get(listing.size) or {}
        if not prop:  # a body whose members apply only without a cursor (Autodesk: `if` cursorState, `else` these)
            prop = ((schema.get("else") or {}).get("properties") or {}).get(listing.size) or {}
        return prop, source_of(prop)
    for parameter in parameters_of(target.api.name, operation):
        if parameter.get("name") == listing.size:
            schema = resolve_schema(target.api.name, parameter.get("schema") or {})
            return schema, source_of(parameter) or source_of(schema)
    return {}, None


def _maximum(target: Any, listing: Listing) -> int | None:
    top = _size_parameter(target, listing)[0].get("maximum")
    return int(top) if isinstance(top, int | float) else None


@check("warning", "a listing asked without a page size returns at most the documented default (CloudCard `max` 25, "
       "Autodesk `limit` 25)", "promise", where=_first_listing,
       need=lambda target, config: len(target.facts.listings))
def defaults_are_honoured(ctx: CheckContext) -> None:
    target = ctx.target
    checked = 0
    short: list[str] = []  # listings that held fewer items than their default: a larger default cannot show
    for listing in target.facts.listings:
        schema, mark = _size_parameter(target, listing)
        default = schema.get("default")
        if not isinstance(default, int):
            continue
        source = mark or UNMARKED
        method, path = _path(target, listing.operation)
        response = target.call(method, path, json={}) if listing.in_body else target.call(method, path)
        if not response.ok:
            raise NotApplicable(f"{listing.operation} answered HTTP {response.status_code}: no page to count")
        items = len(list(values(_json(response), listing.items)))
        if items > default:
            raise CheckFailed(f"Received {items} items without {listing.size} / Documented: {listing.size} "
                              f"defaults to {default}", source=source, response=response)
        if items < default:
            short.append(f"{listing.operation} listed {items}, fewer than its default {listing.size} of {default}")
        else:
            checked += 1
    if short and not checked:
        raise NotApplicable("; ".join(short) + ": a page of the default size holds them all, so a larger default "
                            "could not show")
    if not checked:
        raise NotApplicable(f"{target.api.name} documents no default page size")
