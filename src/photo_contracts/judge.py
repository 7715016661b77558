"""Judging a run, in one place: which findings a cause explains (dropped), which the baseline accepts,
each API's verdict, and the coverage gaps that are not verdicts.

The engine (or a process of its own per API) collects evidence; this module decides; every report
renders what it decided (result.py). The rules:
- an API is inconclusive only when what the vendor documents could not be judged: no request, every
  answer a rejection or a 404, no documented operation reached, no image decoded, budget or deadline gone,
  or a documented read that only ever answered 404 or rejected the credential;
- an operation that is only our assumption (its success answer is `x-assumed`), or that the configuration
  leaves out (writes and log-ins on a live target), and that was not reached is a coverage gap, with its
  reason and fix, never a verdict;
- an API whose tests did not all run (Ctrl-C, SIGTERM) is `interrupted`, never `conforms`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from photo_contracts.coverage import Ledger, OperationCoverage
from photo_contracts.operations import Operation, operations
from photo_contracts.usage import Usage
from photo_contracts.usage import of_config as usage_of
from photo_contracts.verdict import ApiVerdict, Gap, judge_api

# Checks that probe the credential on purpose: a rejected run credential does not explain their findings.
AUTH_CHECKS = ("ignored_auth", "credentials_are_enforced")


@dataclass(frozen=True)
class Documented:
    """One operation of a contract, as the judge sees it."""

    name: str  # "GET /photo/{id}"
    sourced: bool  # a success answer is documented (x-source, or unmarked in a contract of the user's own), not
    # only our reading (x-assumed)
    write: bool
    login: bool  # needs no credential (`security: []`): a log-in, never sent generated credentials live
    reads_one: bool  # a read of one resource: path parameters, not a write


def _assumed(document: dict[str, Any], answer: Any) -> bool:
    """A response marked `x-assumed` (our reading), following a local `$ref`; an unmarked one (a contract of the
    user's own, the vendor's OpenAPI) is what the contract documents."""
    if isinstance(answer, dict) and isinstance(answer.get("$ref"), str) and answer["$ref"].startswith("#/"):
        node: Any = document
        for part in answer["$ref"][2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        answer = node
    return isinstance(answer, dict) and "x-assumed" in answer and "x-source" not in answer


def documented_operations(document: dict[str, Any]) -> list[Documented]:
    """Every operation of a contract, with what the judge needs to know of it."""
    out = []
    for op in operations(document):
        answers = op.spec.get("responses", {}) or {}
        successes = [a for s, a in answers.items() if str(s).startswith("2")]
        sourced = any(not _assumed(document, a) for a in successes)
        out.append(Documented(op.name, sourced, op.is_write, op.spec.get("security") == [],
                              bool(op.path_params) and not op.is_write))
    return out


def _only_404(entry: OperationCoverage) -> bool:
    return bool(entry.requests) and not entry.transport_failures and set(entry.statuses) == {"404"}


def _all_rejected(entry: OperationCoverage) -> bool:
    return bool(entry.requests) and entry.auth_rejected == entry.answers and not entry.transport_failures


def _id_hint(target: Any, ops: list[Operation]) -> str:
    """How to give real ids to operations that got none: name them in the configuration, or (a contract of the
    user's own) keep the parameter names the API's facts know ids for."""
    params = {p for op in ops for p in op.path_params}
    sources = {source.param: source.config_key for source in target.facts.ids}
    unknown = sorted(params - set(sources))
    if unknown:
        return (f"the API's facts know real ids for {', '.join(sorted(sources)) or 'no parameter'}, not for "
                f"{', '.join(unknown)}: a contract of your own must keep those parameter names")
    keys = sorted({source.config_key for source in target.facts.ids if source.param in params
                   and (not source.operations or any(op.name in source.operations for op in ops))})
    return f"list real ids in the [{target.api.name}] table ({', '.join(keys)})"


def gap_of(op: Documented, entry: OperationCoverage | None, target: Any, cfg: Any, spec: Operation | None,
           interrupted: bool) -> Gap | None:
    """Why a documented operation got no successful answer, and the fix; None when it got one (a 2xx, or a
    redirect such as CloudCard's documented 303 to a download)."""
    if entry is not None and (entry.successes or any(s.startswith("3") for s in entry.statuses)):
        return None
    name = op.name
    if target.live and not cfg.allow_writes and (op.write or op.login):
        what = "write operation" if op.write else "log-in"
        return Gap(name, f"left out: a live run sends no {what} unless --allow-writes",
                   "--allow-writes (it changes or logs in to the vendor's account)", sourced=op.sourced)
    if entry is None or not entry.requests:
        if interrupted:
            return Gap(name, "not reached: the run was interrupted first", "run again", sourced=op.sourced)
        if target.session.budget_hit:
            return Gap(name, f"not reached: the request budget ({target.session.limits.budget}) ran out first",
                       "raise budget in [limits]", sourced=op.sourced)
        return Gap(name, "not exercised", "see the skip reasons in report.html", sourced=op.sourced)
    if _only_404(entry):
        return Gap(name, f"every answer ({entry.requests}) was 404: no real id reached it",
                   _id_hint(target, [spec]) if spec is not None and spec.path_params
                   else "its request needs real values (ids in its body) the run did not have",
                   sourced=op.sourced, blocks=op.sourced and op.reads_one)
    if _all_rejected(entry) and op.login:  # generated user names and passwords are refused, as they should be
        return Gap(name, f"every log-in with generated credentials ({entry.answers}) was refused",
                   "its success answer is judged only with real credentials (a test of your own)", sourced=op.sourced)
    if _all_rejected(entry):
        return Gap(name, f"every answer ({entry.answers}) rejected the credential",
                   "check the credential's scope or role", sourced=op.sourced, blocks=op.sourced)
    statuses = ", ".join(f"{s} x{n}" for s, n in sorted(entry.statuses.items()))
    failures = f"{entry.transport_failures} without a complete answer" if entry.transport_failures else ""
    return Gap(name, f"no successful answer ({'; '.join(x for x in (statuses and 'HTTP ' + statuses, failures) if x)})",
               "see its findings and report.html", sourced=op.sourced)


def by_usage(findings: Any, usage: Usage | None) -> None:
    """What the integration does not rely on is info ("not used by your integration") and never gates; what it
    relies on keeps its severity. Nothing changes for an API the usage file does not name."""
    if usage is None:
        return
    for finding in findings:
        relies = usage.relies_on(finding.api, finding.operation, check=finding.check, json_path=finding.json_path,
                                 message=finding.message)
        finding.affects = relies
        if relies is False:
            finding.severity = "info"


def drift_by_usage(drift: list[dict[str, Any]], usage: Usage | None) -> None:
    """The same for drift entries against the contract (marked `affects_integration`)."""
    if usage is None:
        return
    for entry in drift:
        relies = usage.relies_on(entry.get("api", ""), entry.get("operation", ""), json_path=entry.get("path"))
        if relies is None:
            continue
        entry["affects_integration"] = relies
        if not relies:
            entry["severity"] = "info"


# Parts of a budget plan that judge a promise with requests of their own (the positive answers have their gaps above).
JUDGING_PARTS = ("error", "promise", "invariant", "probes")


def budget_gaps(plan: Any, entries: dict[str, OperationCoverage] | None = None) -> list[Gap]:
    """Each check of its own whose part of the request budget ran out before it was judged (budget.Plan), with
    the requests it needed: at least one more than it got, and what the plan found it needs. A check the
    ledger (`entries`) counts as applied was judged all the same (an invariant on fewer examples)."""
    gaps = []
    planned = plan.as_dict() if plan is not None else {"parts": [], "budget": None}
    for part in planned["parts"]:
        if not part["refused"] or part["kind"] not in JUDGING_PARTS:
            continue
        check = part["part"].split(" ", 1)[-1]
        outcomes = (entries or {}).get(part["operation"], OperationCoverage()).checks.get(check, {})
        if outcomes.get("applied") and not outcomes.get("skipped"):
            continue
        needed = max(part["need"], part["spent"] + 1)
        gaps.append(Gap(part["operation"],
                        f"{part['part']} not judged: the request budget ({planned['budget']}) gave it "
                        f"{part['spent']} requests "
                        f"({part['share']} reserved, {part['flowed_in']} flowed to it); it needed {needed}",
                        f"raise budget in [limits] by at least {needed - part['spent']}",
                        check=check, needed=needed))
    return gaps


def judge(run: Any, *, interrupted: bool = False) -> None:
    """Drop the findings a named cause explains, mark those the baseline accepts, and give each API of `run`
    its verdict (`run.verdicts`), with the cause of the drops (`run.explained`, `run.explained_by`)."""
    cfg = run.config
    if cfg.baseline is not None:
        from photo_contracts.drift.baseline import load as load_baseline

        accepted = load_baseline(cfg.baseline)
        for finding in run.findings:
            finding.accepted = accepted.acceptance(finding)
    by_usage(run.findings, usage_of(cfg))
    for name, target in run.targets.items():
        ledger: Ledger = run.ledger
        entries = ledger.operations(name)
        total = ledger.totals(name)
        if total.requests and _only_404(total):  # a base URL that misses the API: nothing judged
            run.explained[name] = run.findings.discard(lambda f, name=name: f.api == name)
            run.explained_by[name] = "every operation answered 404"
        else:
            rejected = {op for op, entry in entries.items() if _all_rejected(entry)}
            run.explained[name] = run.findings.discard(
                lambda f, name=name, rejected=rejected: f.api == name and f.operation in rejected
                and f.check not in AUTH_CHECKS)
            run.explained_by[name] = "the rejected credential"
        stats = run.stats[name]
        unfinished = interrupted and stats.planned and stats.passed + stats.failed + stats.skipped < stats.planned
        specs = {op.name: op for op in run.operations(name)} if callable(getattr(run, "operations", None)) else {}
        gaps = [gap for op in run.documented[name]
                if (gap := gap_of(op, entries.get(op.name), target, cfg, specs.get(op.name), bool(unfinished)))]
        gaps += budget_gaps((getattr(run, "plans", None) or {}).get(name), entries)
        verdict = judge_api(name, list(run.findings), ledger, target, run.servers.get(name), cfg.strict,
                            stats.errors, gaps=tuple(gaps),
                            sourced={op.name for op in run.documented[name] if op.sourced})
        if unfinished:
            ran = stats.passed + stats.failed + stats.skipped
            verdict = ApiVerdict("interrupted", f"{name}: interrupted after {ran} of {stats.planned} tests; "
                                                "what ran is reported, the rest was not judged", verdict.gaps)
        run.verdicts[name] = verdict
