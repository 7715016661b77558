"""The one-screen summary printed at the end of a run: verdict, coverage, worst findings, gaps, diagnosis.

Every number is a count of the run's result (result.py), named as summary.json names it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from photo_contracts.result import RunResult, budget_line

WORST_SHOWN = 8
GAPS_SHOWN = 6


def _cut(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def print_summary(result: RunResult, report_dir: Path, elapsed: float, out: TextIO) -> None:
    print("", file=out)
    print(f"{'API':<11} {'verdict':<13} {'requests':>8} {'answers':>7} {'2xx':>5} {'images':>9} {'findings':>8} "
          f"{'notices':>7}", file=out)
    for name, api in result.apis.items():
        c = api.counts
        print(f"{name:<11} {api.verdict:<13} {c.requests:>8} {c.answers:>7} {c.successes:>5} "
              f"{f'{c.images_decoded}/{c.images_fetched}':>9} {c.findings:>8} {c.notices:>7}", file=out)
    print("(requests: every request sent, images included; answers: complete answers to the operations' cases; "
          "images: decoded/fetched; findings: distinct, notices among them)", file=out)
    findings = result.findings
    if findings:
        print(f"\nWorst findings ({len(findings)} distinct, seen {result.totals.occurrences} times):", file=out)
        for finding in findings[:WORST_SHOWN]:
            accepted = f" (accepted: {finding.accepted.get('reason')})" if finding.accepted else ""
            seen = f" x{finding.occurrences}" if finding.occurrences > 1 else ""
            unused = " (not used by your integration)" if finding.affects is False else ""
            print(f"  {finding.severity:<8} {finding.api}: {finding.check} on {finding.operation}{seen}{accepted}"
                  f"{unused}\n"
                  f"           {_cut(finding.message)}\n           {_cut(finding.source_label())}", file=out)
    for name, api in result.apis.items():
        if api.explained:
            print(f"\n{name}: {api.explained} finding{'s' * (api.explained != 1)} not reported: {api.explained_by} "
                  "explains them", file=out)
        gaps = [g for g in api.gaps if not g.blocks and g.check is None]
        if gaps:
            print(f"\n{name}: {len(gaps)} operation{'s' * (len(gaps) != 1)} never answered with success, so what "
                  "the vendor promises of that answer was not judged (coverage gaps, not a verdict):", file=out)
            for gap in gaps[:GAPS_SHOWN]:
                print(f"  {gap.operation}: {_cut(gap.reason, 90)}; fix: {_cut(gap.fix, 90)}", file=out)
            if len(gaps) > GAPS_SHOWN:
                print(f"  ... and {len(gaps) - GAPS_SHOWN} more (summary.json, gaps)", file=out)
        starved = [g for g in api.gaps if g.check is not None]
        if starved:
            print(f"\n{name}: {len(starved)} check{'s' * (len(starved) != 1)} not judged: the request budget ran out "
                  "for them (coverage gaps, not a verdict):", file=out)
            for gap in starved[:GAPS_SHOWN]:
                print(f"  {gap.check} on {gap.operation}: needed {gap.needed} requests; fix: {_cut(gap.fix, 90)}",
                      file=out)
        line = budget_line(api.budget)
        if line:
            print(f"\n{name}: {line}", file=out)
    for api in result.apis.values():
        if api.diagnosis:
            print(f"\n{api.diagnosis}", file=out)
    t = result.totals
    parts = [f"{t.gating} gating finding{'s' * (t.gating != 1)}"] if findings else []
    parts += [f"{t.notices} notice{'s' * (t.notices != 1)}"] if t.notices else []
    parts += [f"{t.accepted} accepted by the baseline"] if t.accepted else []
    parts += [f"{t.findings} distinct in all"] if findings else []
    counts = f" ({', '.join(parts)})" if parts else ""
    print(f"\n{result.verdict}{counts} in {elapsed:.1f}s. Report: {report_dir / 'index.html'}", file=out, flush=True)
