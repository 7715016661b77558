"""The conformance dashboard: one self-contained page that answers "does each vendor still keep its
promises, and if not, which operation, which check and why?".

A verdict banner with the worst findings, an API x operation x check matrix from the coverage
ledger (every documented operation, with the gap of those not reached), the findings with their
occurrences and evidence, a gallery of the images the run decoded,
the command that reproduces the run and the environment. Rendered with Jinja2 (autoescaped) from
`templates/`; inline CSS, no JavaScript. pytest-html's page stays the detailed log, linked from here.
"""

from __future__ import annotations

import base64
import platform
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2

from photo_contracts import __version__
from photo_contracts.findings import Finding
from photo_contracts.result import ApiResult, RunResult, budget_line
from photo_contracts.severities import SEVERITIES

GALLERY = 48  # images shown; the gallery's header counts them all
TOP = 5  # folded findings named in the banner
DRIFT_ROWS = 60  # drift rows on the page; summary.json holds them all

@dataclass
class Folded:
    """One distinct finding as the page shows it: its first message, its occurrences and its other messages."""

    first: Finding

    @property
    def occurrences(self) -> int:
        return self.first.occurrences

    @property
    def messages(self) -> list[str]:
        return [self.first.message, *self.first.variants]

    @property
    def api(self) -> str:
        return self.first.api

    @property
    def operation(self) -> str:
        return self.first.operation

    @property
    def check(self) -> str:
        return self.first.check

    @property
    def severity(self) -> str:
        return self.first.severity

    @property
    def anchor(self) -> str:
        digest = f"{zlib.crc32((self.first.json_path or '').encode()):08x}"  # stable across runs, unlike hash()
        return anchor("f", self.api, self.operation, self.check, digest)


def anchor(*parts: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts)


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def fold(findings: list[Finding]) -> list[Folded]:
    """The findings as the page lists them: what affects the integration first (with a usage file), then worst
    first, then by API, operation and check."""
    return sorted((Folded(f) for f in findings),
                  key=lambda g: (g.first.affects is False, severity_rank(g.severity), g.api, g.operation, g.check))


@dataclass
class Cell:
    state: str  # passed | finding | not_applicable | not_reached
    label: str
    detail: str  # what the cell means, in words (also its title)
    link: str | None = None


def _cell(entry: Any, check: str, hits: list[Folded]) -> Cell:
    if hits:
        worst = min(hits, key=lambda g: severity_rank(g.severity))
        count = sum(g.occurrences for g in hits)
        return Cell("finding", worst.severity, f"{worst.severity} finding, {count} occurrence{'s' * (count != 1)}",
                    worst.anchor)
    counts = entry.checks.get(check) if entry is not None else None
    reasons = "; ".join(sorted(entry.reasons.get(check, ()))) if entry is not None else ""
    if counts and counts["applied"] and entry.requests and set(entry.statuses) == {"404"} \
            and not entry.transport_failures:
        # a base URL that misses the API: the findings those answers cause are dropped, not a pass
        return Cell("not_reached", "not reached", f"every answer was 404; applied {counts['applied']}x to those only")
    if counts and counts["applied"] and entry.requests and entry.auth_rejected == entry.answers \
            and not entry.transport_failures:
        # the findings such answers cause are dropped (the rejected credential explains them): not a pass
        return Cell("not_reached", "not reached", f"every answer rejected the credential; applied "
                    f"{counts['applied']}x to those rejections only")
    if counts and counts["applied"]:
        return Cell("passed", "pass", f"applied {counts['applied']}x, no finding")
    if counts and counts["skipped"]:
        return Cell("not_reached", "skipped", f"skipped: {reasons or 'no reason given'}")
    if counts and counts["not_applicable"]:
        return Cell("not_applicable", "n/a", f"not applicable: {reasons or 'no reason given'}")
    if entry is None or not entry.requests:
        return Cell("not_reached", "not reached", "the operation was not exercised")
    if not entry.successes:
        return Cell("not_reached", "not reached", "no successful answer to check")
    return Cell("not_applicable", "n/a", "the check does not judge this operation's answers")


def _reasons(entry: Any, check: str) -> str:
    return "; ".join(sorted(entry.reasons.get(check, ()))) or "no reason"


def matrix(api: ApiResult, folded: list[Folded]) -> dict[str, Any]:
    """Operations (rows) x checks (columns) of one API, each cell from the ledger and the findings.

    Every documented operation is a row, reached or not (its gap says why not); an operation met only in the
    ledger gets a row when it was exercised or has a finding. A check that judged nothing anywhere in this API
    gets no column: its reasons are listed in the notes instead."""
    def exercised(entry: Any) -> bool:
        return bool(entry.requests or any(c["applied"] or c["skipped"] for c in entry.checks.values()))

    flagged = {g.operation for g in folded}
    shown = [row for row in api.operations if row.documented or row.name in flagged or exercised(row.coverage)]
    hidden = [row for row in api.operations if row not in shown]
    notes = [(row.name, check, f"not applicable: {_reasons(row.coverage, check)}")
             for row in hidden for check in row.coverage.checks]
    seen: Counter[str] = Counter()
    for row in shown:
        for check, counts in row.coverage.checks.items():
            if counts["applied"] or counts["skipped"]:
                seen[check] += 1
    seen.update({g.check: 0 for g in folded})
    checks = sorted(seen, key=lambda c: (-seen[c], c))
    rows = []
    for row in shown:
        entry = row.coverage
        cells = [_cell(entry, check, [g for g in folded if g.operation == row.name and g.check == check])
                 for check in checks]
        rows.append({"operation": row.name, "entry": entry, "cells": cells, "gap": row.gap, "sourced": row.sourced,
                     "broken": any(c.state == "finding" and c.label in ("breaking", "warning") for c in cells)})
        notes += [(row.name, check, f"not applicable: {_reasons(entry, check)}")
                  for check in entry.checks if check not in seen]
    notes += [(row["operation"], check, cell.detail) for row in rows
              for check, cell in zip(checks, row["cells"], strict=True)
              if cell.label == "skipped" or cell.detail.startswith("not applicable:")]
    return {"checks": checks, "rows": rows, "notes": sorted(set(notes))}


def data_uri(png: bytes | None) -> str | None:
    return f"data:image/png;base64,{base64.b64encode(png).decode()}" if png else None


def gallery(result: RunResult) -> dict[str, Any]:
    """The distinct images the run fetched: problems first (undecodable, or not the type their Content-Type names)."""
    samples = result.images

    def declared_mismatch(sample: Any) -> bool:
        if not sample.format or not sample.content_type.startswith("image/"):
            return False
        declared = sample.content_type.removeprefix("image/").replace("jpg", "jpeg")
        return declared != sample.format.lower()

    ordered = sorted(samples, key=lambda s: (s.error is None, not declared_mismatch(s)))
    items = [{"url": s.url, "role": s.role, "format": s.format, "size": s.size, "content_type": s.content_type,
              "error": s.error, "mismatch": declared_mismatch(s), "preview": data_uri(s.preview())}
             for s in ordered[:GALLERY]]
    formats = Counter(s.format or "undecodable" for s in samples)
    return {"items": items, "total": len(samples), "decoded": sum(1 for s in samples if s.error is None),
            "formats": sorted(formats.items(), key=lambda kv: -kv[1])}


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment() -> list[tuple[str, str]]:
    return [("Python", f"{platform.python_implementation()} {platform.python_version()}"),
            ("Platform", platform.platform()), ("photo-contracts", __version__),
            ("schemathesis", _version("schemathesis")), ("hypothesis", _version("hypothesis")),
            ("Jinja2", _version("jinja2")), ("Pillow", _version("Pillow"))]


def context(result: RunResult, *, command: str, log_name: str = "report.html") -> dict[str, Any]:
    """Everything the page shows, as plain data; every count is the result's (summary.json's)."""
    folded = fold(result.findings)
    apis = []
    for name, api in result.apis.items():
        mine = [g for g in folded if g.api == name]
        c = api.counts
        apis.append({
            "name": name, "title": api.title, "verdict": api.verdict, "diagnosis": api.diagnosis,
            "base_url": api.base_url, "live": api.live, "contract": api.contract,
            "requests": c.requests, "answers": c.answers, "successes": c.successes,
            "transport_failures": c.transport_failures, "auth_rejected": c.auth_rejected,
            "images_fetched": c.images_fetched, "images_decoded": c.images_decoded, "findings_count": c.findings,
            "occurrences": c.occurrences, "explained": api.explained, "explained_by": api.explained_by,
            "counts": Counter(c.by_severity), "findings": mine, "gaps": [g for g in api.gaps if not g.blocks],
            "operations": group_by_operation(mine), "matrix": matrix(api, mine), "budget": budget_line(api.budget),
        })
    drift = sorted(result.drift, key=lambda d: (severity_rank(d.get("severity", "info")), d.get("api", "")))
    cfg = result.config
    t = result.totals
    return {
        "verdict": result.verdict, "apis": apis, "folded": folded, "top": folded[:TOP], "totals": t,
        "counts": Counter(t.by_severity),
        "occurrences": Counter({s: sum(g.occurrences for g in folded if g.severity == s) for s in SEVERITIES}),
        "drift": drift[:DRIFT_ROWS], "drift_total": len(drift),
        "drift_counts": Counter(d.get("severity", "info") for d in drift),
        "command": command, "seed": result.seed, "target": result.target, "sandbox_drift": result.sandbox_drift,
        "examples": result.examples, "strict": result.strict,
        "replay": getattr(cfg, "replay", None), "replay_recorded": getattr(cfg, "replay_recorded", None),
        "gallery": gallery(result), "environment": environment(), "log_name": log_name,
        "created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "severities": SEVERITIES,
        "usage": result.usage,
    }


def group_by_operation(folded: list[Folded]) -> list[dict[str, Any]]:
    """Findings of one API by operation (the worst operation first), then by check."""
    operations: dict[str, dict[str, list[Folded]]] = {}
    for group in folded:
        operations.setdefault(group.operation, {}).setdefault(group.check, []).append(group)
    out = [{"operation": op, "checks": [{"check": check, "groups": groups} for check, groups in checks.items()],
            "worst": min(severity_rank(g.severity) for groups in checks.values() for g in groups)}
           for op, checks in operations.items()]
    return sorted(out, key=lambda o: (o["worst"], o["operation"]))


@cache
def templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("photo_contracts.reporting", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["data_uri"] = data_uri
    env.filters["plural"] = lambda n, word: f"{n} {word}{'s' * (n != 1)}"
    env.globals["zip"] = zip
    return env


def render(result: RunResult, *, command: str, log_name: str = "report.html") -> str:
    page = templates().get_template("dashboard.html.j2").render(context(result, command=command, log_name=log_name))
    return result.redactor.text(page)


def write_dashboard(result: RunResult, path: Path, *, command: str, log_name: str = "report.html") -> None:
    """Write the dashboard (self-contained HTML, redacted) to `path`."""
    path.write_text(render(result, command=command, log_name=log_name), encoding="utf-8")
