"""The one-screen summary printed at the end of a run: verdict, coverage, worst findings, diagnosis."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from photo_contracts.severities import SEVERITIES

WORST_SHOWN = 8


def print_summary(run: Any, report_dir: Path, elapsed: float, out: TextIO, *, interrupted: bool = False) -> None:
    print("", file=out)
    print(f"{'API':<11} {'verdict':<13} {'requests':>8} {'2xx':>5} {'images':>7} {'findings':>8} {'notices':>7}",
          file=out)
    for name in run.targets:
        total = run.ledger.totals(name)
        verdict = run.verdicts.get(name)
        mine = [f for f in run.findings if f.api == name]
        notices = sum(1 for f in mine if f.severity == "notice")
        sent = run.targets[name].session.requests_sent  # every request: cases, probes, invariants, images
        print(f"{name:<11} {verdict.verdict if verdict else '-':<13} {sent:>8} {total.successes:>5} "
              f"{total.images_decoded:>7} {len(mine) - notices:>8} {notices:>7}", file=out)
    findings = sorted(run.findings, key=lambda f: (SEVERITIES.index(f.severity), f.api, f.operation))
    if findings:
        print(f"\nWorst findings ({len(findings)} in all):", file=out)
        for finding in findings[:WORST_SHOWN]:
            message = finding.message if len(finding.message) <= 110 else finding.message[:107] + "..."
            label = finding.source_label()
            label = label if len(label) <= 110 else label[:107] + "..."
            accepted = f" (accepted: {finding.accepted.get('reason')})" if finding.accepted else ""
            print(f"  {finding.severity:<8} {finding.api}: {finding.check} on {finding.operation}{accepted}\n"
                  f"           {message}\n           {label}", file=out)
    for name, count in sorted(getattr(run, "explained", {}).items()):
        if count:
            cause = getattr(run, "explained_by", {}).get(name, "the rejected credential")
            print(f"\n{name}: {count} finding{'s' * (count != 1)} not reported: {cause} explains them", file=out)
    for verdict in run.verdicts.values():
        if verdict.diagnosis:
            print(f"\n{verdict.diagnosis}", file=out)
    verdict = "interrupted" if interrupted else run.verdict
    accepted = sum(1 for f in findings if f.accepted)
    gating = sum(1 for f in findings if f.severity != "notice" and not f.accepted)
    notices = sum(1 for f in findings if f.severity == "notice" and not f.accepted)
    parts = [f"{gating} finding{'s' * (gating != 1)}"] + ([f"{notices} notice{'s' * (notices != 1)}"] if notices else [])
    parts += [f"{accepted} accepted by the baseline"] if accepted else []
    counts = f" ({', '.join(parts)})"
    print(f"\n{verdict}{counts if findings else ''} in {elapsed:.1f}s. Report: {report_dir / 'index.html'}",
          file=out, flush=True)
