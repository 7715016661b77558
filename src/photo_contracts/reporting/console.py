"""The one-screen summary printed at the end of a run."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from photo_contracts.findings import SEVERITIES

WORST_SHOWN = 8


def print_summary(run: Any, report_dir: Path, elapsed: float, out: TextIO, *, conforms: bool = True,
                  interrupted: bool = False) -> None:
    print("", file=out)
    print(f"{'API':<11} {'passed':>6} {'failed':>6} {'skipped':>7} {'requests':>8} {'findings':>8}", file=out)
    for name, target in run.targets.items():
        stats = run.stats[name]
        count = sum(1 for f in run.findings if f.api == name)
        print(f"{name:<11} {stats.passed:>6} {stats.failed:>6} {stats.skipped:>7} "
              f"{target.session.requests_sent:>8} {count:>8}", file=out)
    findings = sorted(run.findings, key=lambda f: (SEVERITIES.index(f.severity), f.api, f.operation))
    if findings:
        print(f"\nWorst findings ({len(findings)} in all):", file=out)
        for finding in findings[:WORST_SHOWN]:
            message = finding.message if len(finding.message) <= 110 else finding.message[:107] + "..."
            print(f"  {finding.severity:<8} {finding.api}: {finding.check} on {finding.operation}\n"
                  f"           {message}", file=out)
    failed = sum(stats.failed for stats in run.stats.values())
    if interrupted:
        verdict = "interrupted"
    elif findings:
        verdict = f"{len(findings)} finding{'s' * (len(findings) != 1)}"
    else:
        verdict = "conforms" if conforms else f"{failed} test{'s' * (failed != 1)} failed without a finding (see the report)"
    print(f"\n{verdict} in {elapsed:.1f}s. Report: {report_dir / 'report.html'}", file=out, flush=True)
