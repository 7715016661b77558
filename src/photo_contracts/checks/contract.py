"""Checks that judge one answer by the contract: status, media type, headers, body schema; that input it
forbids is rejected (its 400); that the credential it requires is needed (its security scheme).

schemathesis has checks of the same names; these are ours because each failure must name
the promise it breaks: the mark (`x-source` / `x-assumed`) on the operation (its set of
statuses), on the response (its media type and headers), or nearest above the schema keyword
that failed. A response documented without `content` accepts any body, or none.

A value that breaks several keywords (a number where a string enum is documented: its type and its enum) is one
failure: jsonschema's best match among the errors at its JSON path, under that error's mark, the others folded into
its message ("also: ...").
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Iterable
from typing import Any

import requests
from jsonschema.exceptions import ValidationError, best_match, relevance

from photo_contracts.checks.builtin import describe, json_path, negative_failures
from photo_contracts.checks.probes import items_in
from photo_contracts.checks.registry import CheckContext, CheckFailed, an_answer, check, fail_all
from photo_contracts.contracts import (
    documented_response,
    load_contract,
    schema_uri_for,
    security_source,
    source_of,
    source_of_error,
    validator,
)
from photo_contracts.jsonpath import wildcard
from photo_contracts.provenance import Source, assumed, documented

SERVER_ERROR = documented("rfc9110", "The 5xx (Server Error) class of status code indicates that the server is "
                                     "aware that it has erred or is incapable of performing the requested method.")
JSON_TEXT = documented("rfc8259", "A JSON text is a sequence of tokens")
SCHEMA_ERRORS_SHOWN = 3  # failing values reported per answer; the rest are counted by Findings
UNMARKED = assumed("the contract names no source for this promise")
# Negative cases: where the contract documents no 400 for an operation, rejecting bad input is our reading.
UNDOCUMENTED_REJECTION = assumed("the vendor does not document how it answers input the contract forbids")


def media_of(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _documented_media(media: str, content: dict[str, Any]) -> str | None:
    """The contract's media-type key that covers `media` (wildcards like image/* included)."""
    for key in content:
        if fnmatch.fnmatch(media, key.lower()):
            return key
    return None


def _answer(ctx: CheckContext) -> dict[str, Any]:
    """The response the contract documents for the answer's status ({} if none: status_code_conformance's)."""
    return documented_response(ctx.documented, str(ctx.response.status_code), load_contract(ctx.target.api.name))[1]


def _content_key(ctx: CheckContext, answer: dict[str, Any]) -> str | None:
    """The documented media-type key of the answer's body; None if its status documents no body."""
    return _documented_media(media_of(ctx.response), answer.get("content") or {})


@check("breaking", "no response has a 5xx status", "contract", applies_to=an_answer)
def not_a_server_error(ctx: CheckContext) -> None:
    if ctx.response.status_code >= 500:
        raise CheckFailed(f"Received HTTP {ctx.response.status_code} / Documented: no server error",
                          source=SERVER_ERROR)


@check("breaking", "every status code is one the contract documents for the operation", "contract",
       applies_to=an_answer)
def status_code_conformance(ctx: CheckContext) -> None:
    if not _answer(ctx):
        spec = ctx.documented.spec
        known = ", ".join(k for k in spec.get("responses", {}) if not k.startswith("x-"))
        raise CheckFailed(f"Received HTTP {ctx.response.status_code} / Documented: {known}",
                          source=source_of(spec) or UNMARKED)


@check("warning", "documented response headers are present and valid", "contract", applies_to=an_answer)
def response_headers_conformance(ctx: CheckContext) -> None:
    answer = _answer(ctx)  # an undocumented status documents no headers
    status = ctx.response.status_code
    fail_all([CheckFailed(f"Received HTTP {status} without the {name} header / Documented: {name} is sent",
                          source=source_of(header) or source_of(answer) or UNMARKED)
              for name, header in (answer.get("headers") or {}).items()
              if header.get("required") and name not in ctx.response.headers])


@check("breaking", "every Content-Type is one the contract documents for that status", "contract",
       applies_to=an_answer)
def content_type_conformance(ctx: CheckContext) -> None:
    answer = _answer(ctx)
    content = answer.get("content")
    if content and _content_key(ctx, answer) is None:  # no `content`: any body, or none, keeps the promise
        raise CheckFailed(f"Received Content-Type {media_of(ctx.response) or '(none)'} with HTTP "
                          f"{ctx.response.status_code} / Documented: {', '.join(content)}",
                          source=source_of(answer) or UNMARKED)


@check("breaking", "every JSON body validates against the documented schema", "contract", applies_to=an_answer)
def response_schema_conformance(ctx: CheckContext) -> None:
    answer = _answer(ctx)
    key = _content_key(ctx, answer)
    if key is not None and "json" in media_of(ctx.response):
        fail_all(_schema_failures(ctx, key, source_of(answer) or UNMARKED))


def forbidden_input(ctx: CheckContext) -> bool:
    """An answer to input the contract forbids: a negative case, or a probe of ours that got a 2xx."""
    if not an_answer(ctx) or "negative_data_rejection" in ctx.target.facts.excluded_builtins:
        return False
    if ctx.probe is not None:
        return 200 <= ctx.response.status_code < 300
    return ctx.mode == "negative" and ctx.case is not None


@check("warning", "input the contract forbids is rejected with a 4xx (schemathesis' negative cases on sandboxes; "
       "the safe negative probes everywhere)", "contract", applies_to=forbidden_input)
def negative_data_rejection(ctx: CheckContext) -> None:
    """schemathesis judges its own negative cases (it alone knows which part of a case it made invalid). A probe
    that got a 2xx returned more items than its bound allows, or accepted input the vendor refuses."""
    target = ctx.target
    _, documented_rejection = documented_response(ctx.documented, "400", load_contract(target.api.name))
    rejection = (source_of(documented_rejection) if documented_rejection else None) or UNDOCUMENTED_REJECTION
    if ctx.probe is None:
        failures = negative_failures(ctx.case, ctx.response, {"session": target.session, "base_url": target.base_url},
                                     target.credentials())
        fail_all([CheckFailed(describe(f), source=rejection, json_path=json_path(f)) for f in failures])
        return
    items = items_in(target.facts, ctx.operation, ctx.response)
    if ctx.probe.maximum is not None and items is not None and items > ctx.probe.maximum:
        raise CheckFailed(f"Received {items} items for {ctx.probe.what} / Documented: at most {ctx.probe.maximum}",
                          source=ctx.probe.source)
    raise CheckFailed(f"Received HTTP {ctx.response.status_code} for {ctx.probe.what} / Documented: a 4xx",
                      source=rejection)


def a_secured_success(ctx: CheckContext) -> bool:
    """A successful answer to a generated request that carried the credential, where the contract requires one."""
    return an_answer(ctx) and ctx.request is not None and ctx.documented.spec.get("security") != [] \
        and ctx.target.facts.succeeded(ctx.response)


@check("breaking", "the same request without its credential does not succeed", "contract",
       applies_to=a_secured_success, once_per_operation=True)
def ignored_auth(ctx: CheckContext) -> None:
    """The first successful request of each operation, again without the credential. Sent through the one HTTP
    client (budget, rate limit, deadlines), so live runs do it too."""
    target = ctx.target
    header = target.api.auth_header.lower()
    anonymous = {**ctx.request, "headers": {k: v for k, v in (ctx.request.get("headers") or {}).items()
                                            if k.lower() != header}}
    answer = target.session.request(**anonymous)
    if target.facts.succeeded(answer):
        raise CheckFailed(f"Received HTTP {answer.status_code} with a success body to a request without "
                          f"{target.api.auth_header} / Documented: the credential is required",
                          source=security_source(target.api.name, ctx.documented), response=answer)


_VALID: set[tuple[str, bytes]] = set()  # (schema URI, SHA-256 of a body that validates against it)


def _schema_failures(ctx: CheckContext, media: str, answer_source: Source) -> list[CheckFailed]:
    uri = schema_uri_for(ctx.target.api.name, ctx.documented, str(ctx.response.status_code), media)
    if uri is None:
        return []
    try:
        body = ctx.response.json()
    except ValueError:
        return [CheckFailed(f"Received a body that is not JSON with Content-Type {media} / Documented: JSON",
                            source=JSON_TEXT)]
    # Listings answer the same bytes again and again (Fulcrum: 141 distinct bodies in 537 answers): a body that
    # validated once against a schema is valid again, so it is validated once.
    known = (uri, hashlib.sha256(ctx.response.content).digest())
    if known in _VALID:
        return []
    errors = list(validator(uri).iter_errors(body))
    if not errors:
        _VALID.add(known)
    # One failure per place a promise names (`$.photos[*].id`), not per item: a field missing from every photo is one
    # finding seen in each answer, whatever the listing's length.
    places: dict[str, tuple[ValidationError, list[ValidationError]]] = {}
    for best, others in by_value(errors, uri):
        places.setdefault(wildcard(best.json_path), (best, others))
    shown = list(places.values())[:SCHEMA_ERRORS_SHOWN]
    return [schema_failure(best, others, uri, answer_source) for best, others in shown]


def by_value(errors: Iterable[ValidationError], uri: str) -> list[tuple[ValidationError, list[ValidationError]]]:
    """(best, others) for each value that fails, in the order the values failed: the best error about the value, and
    the other errors about it."""
    at: dict[str, list[ValidationError]] = {}
    for error in errors:
        at.setdefault(error.json_path, []).append(error)
    return [(best, folded(best, group)) for group in at.values() if (best := _best(group, uri)) is not None]


def best_value(errors: list[ValidationError], uri: str) -> tuple[ValidationError, list[ValidationError]] | None:
    """(best, others) for the value jsonschema's best match of all `errors` is about; None if there is no error."""
    best = best_match(errors)
    if best is None:
        return None
    top = best
    while top.parent is not None:  # best_match may have descended into an anyOf's or a oneOf's errors
        top = top.parent
    group = [e for e in errors if e.json_path == top.json_path]
    best = _best(group, uri) or best
    return best, folded(best, group)


def _best(group: list[ValidationError], uri: str) -> ValidationError | None:
    """jsonschema's best match among the errors about one value; of errors it ranks alike, one under the vendor's
    words before one under our assumption (folded under a notice, a documented promise would not gate)."""
    if not group:
        return None
    top = max(relevance(e) for e in group)
    alike = [e for e in group if relevance(e) == top]
    vendor = [e for e in alike if getattr(source_of_error(e, uri), "documented", False)]
    return best_match((vendor or alike)[:1])


def folded(best: ValidationError, group: Iterable[ValidationError]) -> list[ValidationError]:
    """The errors of `group` (about one value) but `best` and the errors it explains (the anyOf or oneOf that
    best_match found it in)."""
    explained = {id(best)}
    parent = best.parent
    while parent is not None:
        explained.add(id(parent))
        parent = parent.parent
    return [e for e in group if id(e) not in explained]


def schema_failure(best: ValidationError, others: list[ValidationError], uri: str, fallback: Source) -> CheckFailed:
    """One failing value: the best error's "Received / Documented" with the others folded in, under the mark nearest
    the keyword the best error broke (`fallback`, the answer's mark, where its schema names none)."""
    expected = best.validator_value
    shown = expected if not isinstance(expected, dict | list) or len(str(expected)) < 80 else "..."
    message = (f"Received {_short(best.instance)} at {best.json_path}: {_cap(best.message, 200)}"
               f"{folded_note(others)} / Documented: {best.validator} {shown}")
    return CheckFailed(message, source=source_of_error(best, uri) or fallback, json_path=wildcard(best.json_path))


def folded_note(others: list[ValidationError]) -> str:
    """The folded errors, as a message shows them: " (also: not one of ['1142', ...])"; "" for none."""
    return f" (also: {_cap('; '.join(_reason(e) for e in others), 200)})" if others else ""


def _reason(error: ValidationError) -> str:
    """An error's message without the value it is about: "not one of ['1142', ...]"."""
    text = error.message
    for prefix in (f"{error.instance!r} is ", f"{error.instance!r} "):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def _cap(text: str, size: int) -> str:
    return text if len(text) <= size else text[:size - 3] + "..."


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
