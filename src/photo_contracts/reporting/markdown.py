"""summary.md: the run in Markdown for $GITHUB_STEP_SUMMARY and pull-request comments.

The verdict per API with its counts (the result's, as in summary.json), the coverage gaps, the findings
(worst first, each with its occurrences) and the command that reproduces the run.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from photo_contracts.result import RunResult
from photo_contracts.severities import SEVERITIES

SHOWN = 25  # findings listed; a PR comment must stay well under GitHub's 65,536 characters
MESSAGE = 400  # characters of a message
MARKS = {"conforms": "✅", "findings": "❌", "inconclusive": "⚠️", "interrupted": "⏹️"}
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#&!~])")


def text(value: str, limit: int = MESSAGE) -> str:
    """Plain text safe in Markdown and in a table cell: one line, punctuation escaped, cut at `limit`."""
    value = " ".join(str(value).split())
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return _SPECIAL.sub(r"\\\1", value)


def code(value: str) -> str:
    """An inline code span that survives backticks inside it."""
    value = " ".join(str(value).split())
    fence = "`" * (max((len(m) for m in re.findall(r"`+", value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def counts(counter: Counter[str], severities: tuple[str, ...]) -> str:
    parts = [f"{counter[s]} {s}" for s in severities if counter[s]]
    return ", ".join(parts) or "none"


def _listed(findings: list[Any]) -> list[str]:
    lines: list[str] = []
    for number, finding in enumerate(findings[:SHOWN], 1):
        many = f" · ×{finding.occurrences} occurrences" if finding.occurrences > 1 else ""
        lines += [f"{number}. **{finding.severity}** {code(finding.check)} on {code(finding.operation)} "
                  f"({text(finding.api)}){many}  ",
                  f"   {text(finding.message)}  ",
                  f"   _{text(finding.source_label(), 300)}_"]
        if finding.json_path:
            lines[-1] += f"  \n   JSON path {code(finding.json_path)}"
    if len(findings) > SHOWN:
        lines += ["", f"… and {len(findings) - SHOWN} more in the report."]
    return lines


def summary_markdown(result: RunResult, command: str) -> str:
    """The Markdown summary of a finished run (redacted); every count is the result's, as summary.json has it."""
    verdict = result.verdict
    findings = result.findings
    drift = result.drift
    lines = [f"## {MARKS.get(verdict, '')} photo-contracts: {verdict}".replace("  ", " "), ""]
    replay = result.replay
    kind = f"replay of {replay['dir']} recorded {replay['recorded'] or '(date unknown)'}, a {result.target}" \
        if replay else result.target
    profile = f", drift profile {code(result.sandbox_drift)}" if result.sandbox_drift else ""
    lines += [f"{kind[:1].upper()}{kind[1:]} run, seed {result.seed}{profile}.", ""]
    lines += ["| API | verdict | requests | answers | 2xx | images decoded | findings | drift |",
              "|---|---|--:|--:|--:|--:|---|---|"]
    diagnoses = []
    for name, api in result.apis.items():
        c = api.counts
        mine = Counter(c.by_severity)
        drifted = Counter(d.get("severity", "info") for d in drift if d.get("api") == name)
        lines.append(f"| {text(api.title)} ({code(name)}) | {MARKS.get(api.verdict, '')} **{api.verdict}** "
                     f"| {c.requests} | {c.answers} | {c.successes} | {c.images_decoded}/{c.images_fetched} "
                     f"| {c.findings}: {counts(mine, ('breaking', 'warning', 'notice', 'info'))} "
                     f"| {counts(drifted, SEVERITIES)} |")
        if api.diagnosis:
            diagnoses.append(f"> {text(api.diagnosis)}")  # it names its API
        if api.explained:
            diagnoses.append(f"> {text(name)}: {plural(api.explained, 'finding')} not reported: "
                             f"{text(api.explained_by)} explains them")
    if diagnoses:
        lines += ["", *[line for d in diagnoses for line in (d, "")]][:-1]
    lines += ["", "Requests: every request sent, images included. Answers: complete answers to the operations' "
                  "cases. Findings: distinct (API, operation, check, JSON path)."]
    gaps = [(name, gap) for name, api in result.apis.items() for gap in api.gaps if not gap.blocks]
    if gaps:
        lines += ["", f"### Coverage gaps ({len(gaps)}): not judged, not a verdict", ""]
        lines += [f"- {text(name)} {code(gap.operation)}: {text(gap.reason)}; fix: {text(gap.fix)}"
                  for name, gap in gaps[:SHOWN]]
    contracts = [(name, api.contract) for name, api in result.apis.items() if api.contract]
    if contracts:
        lines += ["", "Judged by: " + "; ".join(
            f"{text(name)} {'your own' if c['own'] else 'registered'} {code(c['path'])} "
            f"(SHA-256 {code(c['sha256'][:12])})"
            for name, c in contracts) + "."]
    seen = f", seen {result.totals.occurrences} times" if findings else ""
    lines += ["", f"### Findings ({len(findings)}{seen})" if findings else "### Findings", ""]
    if not findings and any(api.verdict == "inconclusive" for api in result.apis.values()):
        lines.append("None reported, but the run could not judge everything: see the diagnosis above.")
    elif not findings:
        lines.append("None: every check that applied found the answers as documented.")
    if result.usage and findings:  # "does this break my integration?": what it relies on first
        mine = [f for f in findings if f.affects is not False]
        elsewhere = [f for f in findings if f.affects is False]
        lines += [f"#### Affects your integration ({len(mine)})", ""] + (_listed(mine) or ["None."])
        lines += ["", f"#### Elsewhere: not used by your integration ({len(elsewhere)})", ""] + (_listed(elsewhere)
                                                                                                 or ["None."])
    else:
        lines += _listed(findings)
    if drift:
        lines += ["", f"### Drift against the contract ({len(drift)})", "",
                  counts(Counter(d.get("severity", "info") for d in drift), SEVERITIES) + "."]
    lines += ["", "### Reproduce", "", "```sh", command.replace("```", "'''"), "```", ""]
    return result.redactor.text("\n".join(lines))
