"""Drift against the contract: what a run observed that the contract (or the vendor's facts) does not say.

Input is the JSON form of `Observations` (observations.json); output is a list of entries
`{api, operation, kind, path, severity, detail, response, observed}`, sorted worst first.
`response` names the answer ("200 application/json", "image thumbnail") and `observed` the
value that drifted (a type, an enum value, a status, a media type, an image format), so that
two entries are the same drift exactly when `drift_key` says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from photo_contracts import provenance
from photo_contracts.apis import get_api
from photo_contracts.checks.facts import ApiFacts
from photo_contracts.checks.images import PIL_FORMATS
from photo_contracts.contracts import (
    documented_response,
    example_files,
    load_contract,
    schema_uri_for,
    source_of,
)
from photo_contracts.drift.documented import documented_shape, lookup
from photo_contracts.drift.observe import flatten
from photo_contracts.operations import Operation, operations
from photo_contracts.provenance import Source
from photo_contracts.schema_model import Shape
from photo_contracts.severities import SEVERITIES

# kind -> severity (missing-field is breaking when required, warning otherwise)
KINDS = {
    "undocumented-status": "breaking",
    "undocumented-content-type": "breaking",
    "image-format-change": "breaking",
    "type-change": "breaking",
    "missing-field": "breaking",
    "new-enum-value": "warning",
    "undocumented-field": "info",
}
MEDIA_FORMATS = {media: name for name, media in PIL_FORMATS.items()} | {"image/jpg": "JPEG"}


def entry(api: str, operation: str, kind: str, path: str, severity: str, detail: str, response: str = "",
          observed: str = "", source: Source | None = None) -> dict[str, Any]:
    """One drift entry; under an assumption (an `x-assumed` mark) its severity is a notice."""
    item = {"api": api, "operation": operation, "kind": kind, "path": path,
            "severity": provenance.severity(severity, source), "detail": detail, "response": response,
            "observed": observed}
    if source is not None:
        item["source"] = source.as_dict()
    return item


def drift_key(item: dict[str, Any]) -> str:
    """The identity of a drift entry, stable across runs (severity and wording left out)."""
    parts = (item["api"], item["operation"], item["kind"], item.get("response", ""), item["path"],
             item.get("observed", ""))
    return " | ".join(str(p) for p in parts)


def sort_key(item: dict[str, Any]) -> tuple[Any, ...]:
    return (SEVERITIES.index(item["severity"]), item["api"], item["operation"], item["kind"],
            item.get("response", ""), item["path"], item.get("observed", ""))


def vendor_facts(api: str) -> ApiFacts:
    return get_api(api).facts


def _media_match(content: dict[str, Any], media: str) -> str | None:
    """The documented media type (or range) that covers an observed one."""
    if media in content:
        return media
    for documented in content:
        base = documented.split(";")[0].strip().lower()
        if base == media or base == "*/*" or (base.endswith("/*") and media.startswith(base[:-1])):
            return documented
    return None


def compare_body(api: str, operation: str, response: str, shape: Shape, paths: dict[str, Any],
                 exemplified: set[str] | frozenset[str] = frozenset()) -> list[dict[str, str]]:
    """Drift of one observed JSON body shape (observe's `paths`) against its documented Shape;
    `exemplified` holds the paths the vendor's own examples of that response show."""
    found: list[dict[str, str]] = []
    undocumented: list[str] = []
    for path, facts in paths.items():
        if any(path.startswith(u) and path[len(u):len(u) + 1] in (".", "[") for u in undocumented):
            continue  # below an undocumented field: that field is the news, not each of its children
        node, missing_at = lookup(shape, path)
        if node is None:
            if missing_at == path and not path.endswith("[*]"):
                undocumented.append(path)
                kinds = "/".join(sorted(facts.get("types", {})))
                found.append(entry(api, operation, "undocumented-field", path, "info",
                                   f"Received a field `{path}` ({kinds}) / Documented: no such field", response))
            continue
        for kind in sorted(facts.get("types", {})):
            if node.allows(kind):
                continue
            documented = "/".join(sorted(node.types or ())) or "nothing"
            found.append(entry(api, operation, "type-change", path, "breaking",
                               f"Received {kind} at `{path}` / Documented: {documented}", response, kind,
                               node.type_source or node.source))
        if node.enum is not None:
            for value in facts.get("values", []):
                if not node.permits(value):
                    allowed = ", ".join(sorted(str(v) for v in node.enum.values()))
                    found.append(entry(api, operation, "new-enum-value", path, "warning",
                                       f"Received {value!r} at `{path}` / Documented: one of {allowed}",
                                       response, str(value), node.enum_source or node.source))
    found += _missing(api, operation, response, shape, paths, exemplified)
    return found


def _missing(api: str, operation: str, response: str, shape: Shape, paths: dict[str, Any],
             exemplified: set[str] | frozenset[str]) -> list[dict[str, str]]:
    """Documented fields never seen although their parent object was (each parent once per body shape).

    A required field is always expected. An optional one only where the vendor's own example of that
    response shows it: a schema may document fields a given account or sample never carries, and
    reporting each of those would bury real drift (a faithful sandbox would show dozens)."""
    found = []
    for parent, facts in paths.items():
        if "object" not in facts.get("types", {}):
            continue
        node, _ = lookup(shape, parent)
        if node is None:
            continue
        for name, documented in node.properties.items():
            path = f"{parent}.{name}"
            if path in paths:
                continue
            child = documented.folded()
            required = name in node.required
            if not required and (name in node.partial or (child.types is not None and child.types <= {"null"})):
                continue  # documented by one alternative only (another error shape, say): not expected
            if not required and (node.varies or path not in exemplified):
                continue  # optional, and no documented example shows it: no evidence it is ever sent
            if not required and name in node.conditional:
                continue  # the vendor's words tie it to a case (a deleted media) an answer need not be
            severity = "breaking" if required else "warning"
            what = "a required" if required else "an optional"
            source = node.required_sources.get(name) if required else child.source
            found.append(entry(api, operation, "missing-field", path, severity,
                               f"Received no `{path}` in any answer / Documented: {what} field", response,
                               source=source))
    return found


def _allowed_formats(api: str, operation: Operation, role: str, facts: ApiFacts,
                     contract: dict[str, Any]) -> tuple[str, ...]:
    """Pillow format names the API documents for images of `role` seen on `operation` (() = unknown)."""
    for endpoint in facts.endpoints:
        if endpoint.operation == operation.name and endpoint.role == role:
            return endpoint.formats
    if role == "thumbnail" and facts.thumbnail_formats:
        return facts.thumbnail_formats
    same_role = tuple(dict.fromkeys(f for e in facts.endpoints if e.role == role for f in e.formats))
    if same_role:
        return same_role
    documented = []
    for status in operation.spec.get("responses", {}):
        if status.startswith("2"):
            for media in documented_response(operation, status, contract)[1].get("content", {}):
                if media in MEDIA_FORMATS:
                    documented.append(MEDIA_FORMATS[media])
    return tuple(dict.fromkeys(documented))


def example_paths(api: str, operation: Operation, status: str, media: str) -> set[str]:
    """Every path pattern the documented examples of one response show."""
    found: set[str] = set()
    for path in example_files(api, operation, status, media):
        try:
            found.update(flatten(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue  # the contract tests report a broken example; drift just has less evidence
    return found


def compare_operation(api: str, operation: Operation, observed: dict[str, Any], contract: dict[str, Any],
                      facts: ApiFacts) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    name = operation.name
    for status in observed.get("statuses", {}):
        if not documented_response(operation, status, contract)[1]:
            found.append(entry(api, name, "undocumented-status", "$", "breaking",
                               f"Received HTTP {status} / Documented: "
                               f"{', '.join(operation.spec.get('responses', {})) or 'no status'}",
                               status, status, source_of(operation.spec)))
    for key in observed.get("content_types", {}):
        status, _, media = key.partition(" ")
        response = documented_response(operation, status, contract)[1]
        if not response or media == "(none)" or not response.get("content"):
            continue  # an undocumented status is reported as such; an empty answer has no type; an
            # undocumented body may be anything (it is still observed: a baseline sees it change)
        content = response["content"]
        if _media_match(content, media) is None:
            found.append(entry(api, name, "undocumented-content-type", "$", "breaking",
                               f"Received Content-Type {media} with HTTP {status} / Documented: "
                               f"{', '.join(content)}", key, media, source_of(response)))
    for key, body in observed.get("bodies", {}).items():
        status, _, media = key.partition(" ")
        content = documented_response(operation, status, contract)[1].get("content") or {}
        documented_media = _media_match(content, media)
        if documented_media is None:
            continue
        uri = schema_uri_for(api, operation, status, documented_media)
        if uri is None:
            continue  # no schema: nothing documented to drift from
        found += compare_body(api, name, key, documented_shape(uri), body.get("paths", {}),
                              example_paths(api, operation, status, documented_media))
    for role, formats in observed.get("images", {}).items():
        allowed = _allowed_formats(api, operation, role, facts, contract)
        for image_format in formats:
            if allowed and image_format != "undecodable" and image_format not in allowed:
                found.append(entry(api, name, "image-format-change", "$", "breaking",
                                   f"Received a {image_format} {role} image / Documented: {', '.join(allowed)}",
                                   f"image {role}", image_format))
    return found


def compare(observations: dict[str, Any], apis: Iterable[str] | None = None) -> list[dict[str, str]]:
    """Every drift entry of observations (the JSON form) against the contracts, worst first."""
    found: list[dict[str, str]] = []
    for api, observed_operations in observations.get("apis", {}).items():
        if apis is not None and api not in apis:
            continue
        contract = load_contract(api)
        facts = vendor_facts(api)
        documented = {op.name: op for op in operations(contract)}
        for name, observed in observed_operations.items():
            if name in documented:
                found += compare_operation(api, documented[name], observed, contract, facts)
    return sorted(found, key=sort_key)


def run_drift(run: Any) -> list[dict[str, str]]:
    """The drift of a finished run, computed once and kept on the run (`run.drift`)."""
    cached = getattr(run, "drift", None)
    if cached is None:
        cached = compare(run.observations.as_dict(), run.config.apis)
        run.drift = cached
    return cached
