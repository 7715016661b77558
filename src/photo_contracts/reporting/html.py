"""pytest-html content: a per-API summary at the top and, for each finding, its evidence."""

from __future__ import annotations

import base64
import os
from html import escape
from pathlib import Path
from typing import Any

from pytest_html import extras

from photo_contracts.findings import Finding
from photo_contracts.severities import SEVERITIES

VERDICT_COLOURS = {"conforms": "#d9ead3", "findings": "#f4c7c3", "inconclusive": "#fce8b2"}


def summary_table(run: Any) -> list[str]:
    rows = []
    for name, target in run.targets.items():
        stats = run.stats[name]
        verdict = run.verdicts.get(name)
        count = sum(1 for f in run.findings if f.api == name)
        worst = next((s for s in SEVERITIES if any(
            f.severity == s and f.api == name for f in run.findings)), "-")
        kind = verdict.verdict if verdict else "inconclusive"
        rows.append(
            f"<tr style='background:{VERDICT_COLOURS[kind]}'><td>{escape(target.api.title)}</td><td>{kind}</td>"
            f"<td>{stats.passed}</td><td>{stats.failed}</td><td>{stats.skipped}</td>"
            f"<td>{target.session.requests_sent}</td><td>{run.ledger.totals(name).successes}</td>"
            f"<td>{run.ledger.totals(name).images_decoded}</td><td>{count}</td><td>{worst}</td>"
            f"<td>{escape(verdict.diagnosis or '') if verdict else ''}</td></tr>"
        )
    drift = f" (sandbox drift profile <code>{escape(run.config.sandbox_drift)}</code>)" if run.config.sandbox_drift else ""
    return [
        f"<h2>Verdict: {escape(run.verdict)}</h2>",
        f"<p>The main page of this run is the dashboard, <a href='{escape(dashboard_link(run))}'>index.html</a>; "
        "this page is the detailed test log.</p>",
        f"<h2>Summary per API: {escape(run.config.target)}{drift}</h2>",
        "<table class='pc-summary' border='1' cellpadding='4'><tr><th>API</th><th>verdict</th><th>passed</th>"
        "<th>failed</th><th>skipped</th><th>requests</th><th>2xx reached</th><th>images decoded</th>"
        "<th>findings</th><th>worst</th><th>diagnosis</th></tr>" + "".join(rows) + "</table>",
        *contracts_list(run),
        *coverage_table(run),
    ]


def dashboard_link(run: Any) -> str:
    """index.html beside this log, or the run's own when this API ran apart (`apis/<api>/report.html`)."""
    part_of = getattr(run.config, "part_of", None)
    if part_of is None:
        return "index.html"
    return Path(os.path.relpath(Path(part_of) / "index.html", run.config.report_dir)).as_posix()


def contracts_list(run: Any) -> list[str]:
    """The contract each API was judged by: its path and SHA-256 (the user's own, or the one it registered)."""
    items = [f"<li class='pc-contract'>{escape(name)}: {'your own' if target.contract['own'] else 'registered'} "
             f"<code>{escape(target.contract['path'])}</code>, SHA-256 <code>{target.contract['sha256']}</code>, "
             f"with the files it references <code>{target.contract['sha256_with_references']}</code></li>"
             for name, target in run.targets.items() if getattr(target, "contract", None)]
    return ["<h2>Contracts judged by</h2>", "<ul>" + "".join(items) + "</ul>"] if items else []


def coverage_table(run: Any) -> list[str]:
    """The coverage ledger: per operation, what the run reached and how often each check applied."""
    rows = []
    for name in run.targets:
        for operation, entry in sorted(run.ledger.operations(name).items()):
            checks = ", ".join(f"{check} {sum(counts.values())}" for check, counts in sorted(entry.checks.items()))
            statuses = ", ".join(f"{s}\u00d7{n}" for s, n in sorted(entry.statuses.items()))
            rows.append(f"<tr><td>{escape(name)}</td><td><code>{escape(operation)}</code></td><td>{entry.requests}</td>"
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
    if finding.similar:
        parts.append(f"<p><i>and {finding.similar} more like it on this operation</i></p>")
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


def drift_section(run: Any) -> list[str]:
    """Drift against the contract (observed shapes vs documented ones), worst first."""
    from photo_contracts.drift.compare import run_drift

    drift = run_drift(run)
    counts = ", ".join(f"{sum(1 for d in drift if d['severity'] == s)} {s}" for s in SEVERITIES)
    if not drift:
        return ["<h2>Drift against the contract</h2><p>None: every observed answer is documented.</p>"]
    rows = [
        f"<tr style='background:{DRIFT_COLOURS.get(d['severity'], '#fff')}'><td>{escape(d['severity'])}</td>"
        f"<td>{escape(d['api'])}</td><td><code>{escape(d['operation'])}</code></td><td>{escape(d['kind'])}</td>"
        f"<td>{escape(d.get('response', ''))}</td><td><code>{escape(d['path'])}</code></td>"
        f"<td>{escape(run.redactor.text(d['detail']))}</td></tr>"
        for d in drift[:DRIFT_ROWS]
    ]
    more = f"<p><i>and {len(drift) - DRIFT_ROWS} more in summary.json</i></p>" if len(drift) > DRIFT_ROWS else ""
    return [
        f"<h2>Drift against the contract ({len(drift)}: {counts})</h2>",
        "<table class='pc-drift' border='1' cellpadding='4'><tr><th>severity</th><th>API</th><th>operation</th>"
        "<th>kind</th><th>response</th><th>path</th><th>detail</th></tr>" + "".join(rows) + "</table>" + more,
    ]
