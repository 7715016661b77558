"""pytest-html content: a per-API summary at the top and, for each finding, its evidence."""

from __future__ import annotations

import base64
import os
from html import escape
from pathlib import Path
from typing import Any

from pytest_html import extras

from photo_contracts.findings import Finding
from photo_contracts.result import RunResult
from photo_contracts.severities import SEVERITIES

VERDICT_COLOURS = {"conforms": "#d9ead3", "findings": "#f4c7c3", "inconclusive": "#fce8b2"}


def summary_table(result: RunResult) -> list[str]:
    """The verdict and counts per API, as summary.json has them."""
    rows = []
    for api in result.apis.values():
        c, tests = api.counts, api.tests
        worst = next((s for s in SEVERITIES if c.by_severity.get(s)), "-")
        rows.append(
            f"<tr style='background:{VERDICT_COLOURS.get(api.verdict, '#eee')}'><td>{escape(api.title)}</td>"
            f"<td>{api.verdict}</td><td>{tests['passed']}</td><td>{tests['failed']}</td><td>{tests['skipped']}</td>"
            f"<td>{c.requests}</td><td>{c.answers}</td><td>{c.successes}</td>"
            f"<td>{c.images_decoded}/{c.images_fetched}</td><td>{c.findings}</td><td>{worst}</td>"
            f"<td>{escape(api.diagnosis or '')}</td></tr>"
        )
    drift = f" (sandbox drift profile <code>{escape(result.sandbox_drift)}</code>)" if result.sandbox_drift else ""
    return [
        f"<h2>Verdict: {escape(result.verdict)}</h2>",
        f"<p>The main page of this run is the dashboard, <a href='{escape(dashboard_link(result.config))}'>index.html"
        "</a>; this page is the detailed test log.</p>",
        f"<h2>Summary per API: {escape(result.target)}{drift}</h2>",
        "<table class='pc-summary' border='1' cellpadding='4'><tr><th>API</th><th>verdict</th><th>passed</th>"
        "<th>failed</th><th>skipped</th><th>requests</th><th>answers</th><th>2xx</th><th>images decoded</th>"
        "<th>findings</th><th>worst</th><th>diagnosis</th></tr>" + "".join(rows) + "</table>",
        *contracts_list(result),
        *coverage_table(result),
    ]


def dashboard_link(config: Any) -> str:
    """index.html beside this log, or the run's own when this API ran apart (`apis/<api>/report.html`)."""
    part_of = getattr(config, "part_of", None)
    if part_of is None:
        return "index.html"
    return Path(os.path.relpath(Path(part_of) / "index.html", config.report_dir)).as_posix()


def contracts_list(result: RunResult) -> list[str]:
    """The contract each API was judged by: its path and SHA-256 (the user's own, or the one it registered)."""
    items = [f"<li class='pc-contract'>{escape(name)}: {'your own' if api.contract['own'] else 'registered'} "
             f"<code>{escape(api.contract['path'])}</code>, SHA-256 <code>{api.contract['sha256']}</code>, "
             f"with the files it references <code>{api.contract['sha256_with_references']}</code></li>"
             for name, api in result.apis.items() if api.contract]
    return ["<h2>Contracts judged by</h2>", "<ul>" + "".join(items) + "</ul>"] if items else []


def coverage_table(result: RunResult) -> list[str]:
    """The coverage ledger: per operation, what the run reached and how often each check applied."""
    rows = []
    for name, api in result.apis.items():
        for row in sorted(api.operations, key=lambda r: r.name):
            entry, operation = row.coverage, row.name
            checks = ", ".join(f"{check} {sum(counts.values())}" for check, counts in sorted(entry.checks.items()))
            statuses = ", ".join(f"{s}\u00d7{n}" for s, n in sorted(entry.statuses.items()))
            gap = f" (not judged: {row.gap.reason})" if row.gap else ""
            rows.append(f"<tr><td>{escape(name)}</td><td><code>{escape(operation)}</code>{escape(gap)}</td>"
                        f"<td>{entry.answers}</td>"
                        f"<td>{entry.successes}</td><td>{entry.auth_rejected}</td><td>{escape(statuses)}</td>"
                        f"<td>{entry.images_decoded}/{entry.images_fetched}</td><td>{escape(checks)}</td></tr>")
    return ["<h2>Coverage</h2>",
            "<table class='pc-coverage' border='1' cellpadding='4'><tr><th>API</th><th>operation</th><th>answers</th>"
            "<th>2xx</th><th>credential rejected</th><th>statuses</th><th>images decoded/fetched</th>"
            "<th>checks applied</th></tr>" + "".join(rows) + "</table>"]


def _finding_html(finding: Finding) -> str:
    parts = [
        "<div class='pc-finding' style='border-left:4px solid #c33;padding-left:8px;margin:8px 0'>",
        f"<b>{escape(finding.severity.upper())}</b> <code>{escape(finding.check)}</code> on "
        f"<code>{escape(finding.operation)}</code> ({escape(finding.api)})",
        f"<p>{escape(finding.message)}</p>",
        f"<p><i>{escape(finding.source_label())}</i></p>",
    ]
    if finding.occurrences > 1:  # written when this test ends: later tests may see it again
        parts.append(f"<p><i>seen {finding.occurrences} times by the end of this test (the run's count: "
                     "summary.json and the dashboard)</i></p>")
    if finding.json_path:
        parts.append(f"<p>JSON path: <code>{escape(finding.json_path)}</code></p>")
    if finding.request:
        parts.append(f"<p>Request:</p><pre>{escape(finding.request)}</pre>")
    if finding.response:
        parts.append(f"<p>Response (excerpt):</p><pre>{escape(finding.response)}</pre>")
    if finding.image:
        data = base64.b64encode(finding.image).decode()
        parts.append(f"<p>Image:</p><img alt='image preview' src='data:image/png;base64,{data}'/>")
    parts.append("</div>")
    return "".join(parts)


def finding_extras(found: list[Finding]) -> list[Any]:
    return [extras.html(_finding_html(f)) for f in found]


DRIFT_COLOURS = {"breaking": "#f4c7c3", "warning": "#fce8b2", "info": "#d2e3fc"}
DRIFT_ROWS = 200  # rows shown in the report; summary.json and observations.json hold them all


def drift_section(result: RunResult) -> list[str]:
    """Drift against the contract (observed shapes vs documented ones), worst first."""
    drift = result.drift
    counts = ", ".join(f"{sum(1 for d in drift if d['severity'] == s)} {s}" for s in SEVERITIES)
    if not drift:
        return ["<h2>Drift against the contract</h2><p>None: every observed answer is documented.</p>"]
    rows = [
        f"<tr style='background:{DRIFT_COLOURS.get(d['severity'], '#fff')}'><td>{escape(d['severity'])}</td>"
        f"<td>{escape(d['api'])}</td><td><code>{escape(d['operation'])}</code></td><td>{escape(d['kind'])}</td>"
        f"<td>{escape(d.get('response', ''))}</td><td><code>{escape(d['path'])}</code></td>"
        f"<td>{escape(result.redactor.text(d['detail']))}</td></tr>"
        for d in drift[:DRIFT_ROWS]
    ]
    more = f"<p><i>and {len(drift) - DRIFT_ROWS} more in summary.json</i></p>" if len(drift) > DRIFT_ROWS else ""
    return [
        f"<h2>Drift against the contract ({len(drift)}: {counts})</h2>",
        "<table class='pc-drift' border='1' cellpadding='4'><tr><th>severity</th><th>API</th><th>operation</th>"
        "<th>kind</th><th>response</th><th>path</th><th>detail</th></tr>" + "".join(rows) + "</table>" + more,
    ]
