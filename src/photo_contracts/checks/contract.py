"""Checks that judge one answer by the contract: status, media type, headers, body schema.

schemathesis has checks of the same names; these are ours because each failure must name
the promise it breaks: the mark (`x-source` / `x-assumed`) on the operation (its set of
statuses), on the response (its media type and headers), or nearest above the schema keyword
that failed. A response documented without `content` accepts any body, or none.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

import requests
from jsonschema.exceptions import relevance

from photo_contracts.contracts import (
    Operation,
    documented_response,
    load_contract,
    schema_uri_for,
    source_of,
    validator,
)
from photo_contracts.provenance import Source, assumed, documented

SERVER_ERROR = documented("rfc9110", "The 5xx (Server Error) class of status code indicates that the server is "
                                     "aware that it has erred or is incapable of performing the requested method.")
JSON_TEXT = documented("rfc8259", "A JSON text is a sequence of tokens")
SCHEMA_ERRORS_SHOWN = 3  # distinct schema errors reported per answer; the rest are counted by Findings
UNMARKED = assumed("the contract names no source for this promise")


@dataclass(frozen=True)
class Failed:
    """One broken promise of one answer."""

    check: str
    message: str
    source: Source
    json_path: str | None = None


def media_of(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _documented_media(media: str, content: dict[str, Any]) -> str | None:
    """The contract's media-type key that covers `media` (wildcards like image/* included)."""
    for key in content:
        if fnmatch.fnmatch(media, key.lower()):
            return key
    return None


def judge(api: str, operation: Operation, response: requests.Response, names: set[str]) -> list[Failed]:
    """Every broken contract promise of `response` among the checks in `names`."""
    contract = load_contract(api)
    status = str(response.status_code)
    failed: list[Failed] = []
    if "not_a_server_error" in names and response.status_code >= 500:
        failed.append(Failed("not_a_server_error", f"Received HTTP {status} / Documented: no server error",
                             SERVER_ERROR))
    _, documented_answer = documented_response(operation, status, contract)
    if not documented_answer:
        if "status_code_conformance" in names:
            known = ", ".join(k for k in operation.spec.get("responses", {}) if not k.startswith("x-"))
            failed.append(Failed("status_code_conformance", f"Received HTTP {status} / Documented: {known}",
                                 source_of(operation.spec) or UNMARKED))
        return failed
    answer_source = source_of(documented_answer) or UNMARKED
    if "response_headers_conformance" in names:
        for name, header in (documented_answer.get("headers") or {}).items():
            if header.get("required") and name not in response.headers:
                failed.append(Failed("response_headers_conformance",
                                     f"Received HTTP {status} without the {name} header / Documented: {name} is sent",
                                     source_of(header) or answer_source))
    content = documented_answer.get("content")
    if not content:
        return failed  # the vendor documents no body here: any body, or none, keeps the promise
    media = media_of(response)
    key = _documented_media(media, content)
    if key is None:
        if "content_type_conformance" in names:
            failed.append(Failed("content_type_conformance",
                                 f"Received Content-Type {media or '(none)'} with HTTP {status} / "
                                 f"Documented: {', '.join(content)}", answer_source))
        return failed
    if "response_schema_conformance" in names and "json" in media:
        failed += _schema_failures(api, operation, status, key, response, answer_source)
    return failed


def _schema_failures(api: str, operation: Operation, status: str, media: str, response: requests.Response,
                     answer_source: Source) -> list[Failed]:
    uri = schema_uri_for(api, operation, status, media)
    if uri is None:
        return []
    try:
        body = response.json()
    except ValueError:
        return [Failed("response_schema_conformance",
                       f"Received a body that is not JSON with Content-Type {media} / Documented: JSON", JSON_TEXT)]
    errors = sorted(validator(uri).iter_errors(body), key=relevance)
    failed: list[Failed] = []
    for error in errors:
        source = source_of(error.schema) or answer_source
        keyword = error.validator
        expected = error.validator_value
        shown = expected if not isinstance(expected, (dict, list)) or len(str(expected)) < 80 else "..."
        message = (f"Received {_short(error.instance)} at {error.json_path}: {error.message[:200]} / "
                   f"Documented: {keyword} {shown}")
        if any(f.json_path == error.json_path and f.source == source for f in failed):
            continue
        failed.append(Failed("response_schema_conformance", message, source, error.json_path))
        if len(failed) >= SCHEMA_ERRORS_SHOWN:
            break
    return failed


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
