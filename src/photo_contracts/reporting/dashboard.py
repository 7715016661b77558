"""The conformance dashboard: one self-contained page that answers "does each vendor still keep its
promises, and if not, which operation, which check and why?".

A verdict banner with the worst findings, an API x operation x check matrix from the coverage
ledger, the findings folded by shape with their evidence, a gallery of the images the run decoded,
the command that reproduces the run and the environment. Rendered with Jinja2 (autoescaped) from
`templates/`; inline CSS, no JavaScript. pytest-html's page stays the detailed log, linked from here.
"""

from __future__ import annotations

import base64
import platform
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2

from photo_contracts import __version__
from photo_contracts.findings import Finding
from photo_contracts.severities import SEVERITIES

GALLERY = 48  # images shown; the gallery's header counts them all
TOP = 5  # folded findings named in the banner
DRIFT_ROWS = 60  # drift rows on the page; summary.json holds them all
VARIANTS = 6  # distinct messages listed under a folded finding

# What makes two messages "the same finding on another response": URLs, ids and numbers differ.
_SHAPES = [
    (re.compile(r"https?://\S+"), "<url>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<uuid>"),
    (re.compile(r"\b[0-9a-f]{16,}\b", re.I), "<hex>"),
    (re.compile(r"\d+"), "#"),
]


def shape(message: str) -> str:
    for pattern, placeholder in _SHAPES:
        message = pattern.sub(placeholder, message)
    return message


@dataclass
class Folded:
    """Findings of one check on one operation whose messages differ only in URLs, ids and numbers."""

    first: Finding
    responses: int = 0  # findings folded in, each with its `similar` count
    messages: list[str] = field(default_factory=list)  # distinct messages, the first one first

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
        digest = f"{zlib.crc32(shape(self.first.message).encode()):08x}"  # stable across runs, unlike hash()
        return anchor("f", self.api, self.operation, self.check, digest)


def anchor(*parts: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts)


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def fold(findings: list[Finding]) -> list[Folded]:
    """Near-duplicates folded ("x12 responses"), worst first, then by API, operation and check."""
    groups: dict[tuple[str, ...], Folded] = {}
    for finding in findings:
        key = (finding.api, finding.operation, finding.check, finding.severity, shape(finding.message))
        group = groups.setdefault(key, Folded(finding))
        group.responses += 1 + finding.similar
        if finding.message not in group.messages:
            group.messages.append(finding.message)
    return sorted(groups.values(), key=lambda g: (severity_rank(g.severity), g.api, g.operation, g.check))


@dataclass
class Cell:
    state: str  # passed | finding | not_applicable | not_reached
    label: str
    detail: str  # what the cell means, in words (also its title)
    link: str | None = None


def _cell(entry: Any, check: str, hits: list[Folded]) -> Cell:
    if hits:
        worst = min(hits, key=lambda g: severity_rank(g.severity))
        count = sum(g.responses for g in hits)
        return Cell("finding", worst.severity, f"{worst.severity} finding on {count} response{'s' * (count != 1)}",
                    worst.anchor)
    counts = entry.checks.get(check) if entry is not None else None
    reasons = "; ".join(sorted(entry.reasons.get(check, ()))) if entry is not None else ""
    if counts and counts["applied"] and entry.requests and set(entry.statuses) == {"404"}:
        # a base URL that misses the API: the findings those answers cause are dropped, not a pass
        return Cell("not_reached", "not reached", f"every answer was 404; applied {counts['applied']}x to those only")
    if counts and counts["applied"] and entry.requests and entry.auth_rejected == entry.requests:
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


def matrix(run: Any, api: str, folded: list[Folded]) -> dict[str, Any]:
    """Operations (rows) x checks (columns) of one API, each cell from the ledger and the findings.

    A check that judged nothing anywhere in this API (every outcome "not applicable", say a vendor's
    invariant run against another vendor) gets no column, and a ledger entry that is not a documented
    operation and was never exercised gets no row: both are listed in the notes instead."""
    ledger = run.ledger.operations(api)
    documented = sorted(op for a, op in getattr(run, "_operations", {}) if a == api)
    flagged = {g.operation for g in folded}

    def exercised(name: str) -> bool:
        entry = ledger[name]
        return bool(entry.requests or any(c["applied"] or c["skipped"] for c in entry.checks.values()))

    names = list(dict.fromkeys([*documented, *(n for n in sorted(ledger) if n in flagged or exercised(n)),
                                *(g.operation for g in folded)]))
    notes = [(name, check, f"not applicable: {'; '.join(sorted(ledger[name].reasons.get(check, ()))) or 'no reason'}")
             for name in sorted(set(ledger) - set(names)) for check in ledger[name].checks]
    seen: Counter[str] = Counter()
    for name in names:
        for check, counts in getattr(ledger.get(name), "checks", {}).items():
            if counts["applied"] or counts["skipped"]:
                seen[check] += 1
    seen.update({g.check: 0 for g in folded})
    checks = sorted(seen, key=lambda c: (-seen[c], c))
    rows = []
    for name in names:
        entry = ledger.get(name)
        cells = [_cell(entry, check, [g for g in folded if g.operation == name and g.check == check])
                 for check in checks]
        rows.append({"operation": name, "entry": entry, "cells": cells,
                     "broken": any(c.state == "finding" and c.label in ("breaking", "warning") for c in cells)})
        if entry is not None:
            notes += [(name, check, f"not applicable: {'; '.join(sorted(entry.reasons.get(check, ()))) or 'no reason'}")
                      for check in entry.checks if check not in seen]
    notes += [(row["operation"], check, cell.detail) for row in rows
              for check, cell in zip(checks, row["cells"], strict=True)
              if cell.label == "skipped" or cell.detail.startswith("not applicable:")]
    return {"checks": checks, "rows": rows, "notes": sorted(set(notes))}


def data_uri(png: bytes | None) -> str | None:
    return f"data:image/png;base64,{base64.b64encode(png).decode()}" if png else None


def gallery(run: Any) -> dict[str, Any]:
    """The images the run decoded: problems first (undecodable, or not the type their Content-Type names)."""
    samples = [s for s in getattr(run, "_images", {}).values() if s is not None]

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
    return {"items": items, "total": len(samples), "formats": sorted(formats.items(), key=lambda kv: -kv[1])}


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


def context(run: Any, *, command: str, log_name: str = "report.html", interrupted: bool = False) -> dict[str, Any]:
    """Everything the page shows, as plain data (also what the Markdown summary reads)."""
    folded = fold(list(run.findings))
    verdict = "interrupted" if interrupted else run.verdict
    apis = []
    for name, target in run.targets.items():
        mine = [g for g in folded if g.api == name]
        judged = run.verdicts.get(name)
        total = run.ledger.totals(name)
        apis.append({
            "name": name, "title": getattr(target.api, "title", name),
            "verdict": judged.verdict if judged else "inconclusive",
            "diagnosis": judged.diagnosis if judged else "the run ended before any verdict",
            "base_url": target.base_url, "live": getattr(target, "live", False),
            "contract": getattr(target, "contract", {}),
            "requests": target.session.requests_sent, "answers": total.requests, "successes": total.successes,
            "auth_rejected": total.auth_rejected, "images_fetched": total.images_fetched,
            "images_decoded": total.images_decoded, "explained": run.explained.get(name, 0),
            "explained_by": getattr(run, "explained_by", {}).get(name, "the rejected credential"),
            "counts": Counter(g.severity for g in mine), "findings": mine,
            "operations": group_by_operation(mine), "matrix": matrix(run, name, mine),
        })
    drift = sorted(run.drift or [], key=lambda d: (severity_rank(d.get("severity", "info")), d.get("api", "")))
    cfg = run.config
    return {
        "verdict": verdict, "apis": apis, "folded": folded, "top": folded[:TOP],
        "counts": Counter(g.severity for g in folded),
        "responses": Counter({s: sum(g.responses for g in folded if g.severity == s) for s in SEVERITIES}),
        "drift": drift[:DRIFT_ROWS], "drift_total": len(drift),
        "drift_counts": Counter(d.get("severity", "info") for d in drift),
        "command": command, "seed": cfg.seed, "target": cfg.target, "sandbox_drift": cfg.sandbox_drift,
        "examples": getattr(cfg, "examples", None), "strict": cfg.strict,
        "replay": getattr(cfg, "replay", None), "replay_recorded": getattr(cfg, "replay_recorded", None),
        "gallery": gallery(run), "environment": environment(), "log_name": log_name,
        "created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "severities": SEVERITIES,
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


def render(run: Any, *, command: str, log_name: str = "report.html", interrupted: bool = False) -> str:
    page = templates().get_template("dashboard.html.j2").render(
        context(run, command=command, log_name=log_name, interrupted=interrupted))
    return run.redactor.text(page)


def write_dashboard(run: Any, path: Path, *, command: str, log_name: str = "report.html",
                    interrupted: bool = False) -> None:
    """Write the dashboard (self-contained HTML, redacted) to `path`."""
    path.write_text(render(run, command=command, log_name=log_name, interrupted=interrupted), encoding="utf-8")
