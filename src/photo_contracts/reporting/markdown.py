"""summary.md: the run in Markdown for $GITHUB_STEP_SUMMARY and pull-request comments.

The verdict per API with its coverage and drift counts, the findings (worst first, near-duplicates
folded as on the dashboard) and the command that reproduces the run.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from photo_contracts.reporting.dashboard import fold
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


def summary_markdown(run: Any, command: str, *, interrupted: bool = False) -> str:
    """The Markdown summary of a finished run (redacted)."""
    verdict = "interrupted" if interrupted else run.verdict
    folded = fold(list(run.findings))
    drift = list(run.drift or [])
    lines = [f"## {MARKS.get(verdict, '')} photo-contracts: {verdict}".replace("  ", " "), ""]
    replay = getattr(run.config, "replay", None)
    kind = f"replay of {replay} recorded {run.config.replay_recorded or '(date unknown)'}, a {run.config.target}" \
        if replay else run.config.target
    profile = f", drift profile {code(run.config.sandbox_drift)}" if run.config.sandbox_drift else ""
    lines += [f"{kind[:1].upper()}{kind[1:]} run, seed {run.config.seed}{profile}.", ""]
    lines += ["| API | verdict | answers | 2xx | images decoded | findings | drift |",
              "|---|---|--:|--:|--:|---|---|"]
    diagnoses = []
    for name, target in run.targets.items():
        judged = run.verdicts.get(name)
        api_verdict = judged.verdict if judged else "inconclusive"
        total = run.ledger.totals(name)
        mine = Counter(g.severity for g in folded if g.api == name)
        drifted = Counter(d.get("severity", "info") for d in drift if d.get("api") == name)
        title = text(getattr(target.api, "title", name))
        lines.append(f"| {title} ({code(name)}) | {MARKS.get(api_verdict, '')} **{api_verdict}** | {total.requests} "
                     f"| {total.successes} | {total.images_decoded}/{total.images_fetched} "
                     f"| {counts(mine, ('breaking', 'warning', 'notice', 'info'))} "
                     f"| {counts(drifted, SEVERITIES)} |")
        diagnosis = judged.diagnosis if judged else "the run ended before any verdict"
        if diagnosis:
            diagnoses.append(f"> {text(diagnosis)}")  # it names its API
        if run.explained.get(name):
            cause = getattr(run, "explained_by", {}).get(name, "the rejected credential")
            diagnoses.append(f"> {text(name)}: {plural(run.explained[name], 'finding')} not reported: "
                             f"{text(cause)} explains them")
    if diagnoses:
        lines += ["", *[line for d in diagnoses for line in (d, "")]][:-1]
    contracts = [(name, target.contract) for name, target in run.targets.items() if getattr(target, "contract", None)]
    if contracts:
        lines += ["", "Judged by: " + "; ".join(
            f"{text(name)} {'your own' if c['own'] else 'registered'} {code(c['path'])} (SHA-256 {code(c['sha256'][:12])})"
            for name, c in contracts) + "."]
    lines += ["", f"### Findings ({len(folded)})" if folded else "### Findings", ""]
    if not folded and any(v.verdict == "inconclusive" for v in run.verdicts.values()):
        lines.append("None reported, but the run could not judge everything: see the diagnosis above.")
    elif not folded:
        lines.append("None: every check that applied found the answers as documented.")
    for number, group in enumerate(folded[:SHOWN], 1):
        many = f" · ×{group.responses} responses" if group.responses > 1 else ""
        lines += [f"{number}. **{group.severity}** {code(group.check)} on {code(group.operation)} "
                  f"({text(group.api)}){many}  ",
                  f"   {text(group.first.message)}  ",
                  f"   _{text(group.first.source_label(), 300)}_"]
        if group.first.json_path:
            lines[-1] += f"  \n   JSON path {code(group.first.json_path)}"
    if len(folded) > SHOWN:
        lines += ["", f"… and {len(folded) - SHOWN} more in the report."]
    if drift:
        lines += ["", f"### Drift against the contract ({len(drift)})", "",
                  counts(Counter(d.get("severity", "info") for d in drift), SEVERITIES) + "."]
    lines += ["", "### Reproduce", "", "```sh", command.replace("```", "'''"), "```", ""]
    return run.redactor.text("\n".join(lines))
