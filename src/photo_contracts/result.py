"""The one result of a run: every output (console, dashboard, summary.json, summary.md, JUnit properties,
pytest-html, the CI step summary, drift.json) renders a `RunResult`, so a number means the same thing
wherever it appears. summary.json is its reference form; schemas/report/summary.json documents each count.

The counts, once:
- requests: every request sent to the API's target (the operations' cases, the checks' own requests, probes
  and image downloads);
- answers: complete HTTP answers to the operations' own cases (the coverage ledger); transport failures are
  the cases' requests that got none; successes the 2xx answers that are not error bodies;
- images fetched and decoded: each image download or image answer, and those Pillow decoded; distinct images:
  different image URLs (the gallery);
- findings: distinct broken promises, one per (API, operation, check, JSON path), of every severity;
  occurrences: how often they were seen in all.

It is built from a `RunLike`: the engine's `Run` in one process, or `parallel.Merged` for a run whose APIs
ran in processes of their own. Reporters read this module's types, never a run's private attributes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from photo_contracts.coverage import Ledger, OperationCoverage
from photo_contracts.findings import Finding
from photo_contracts.severities import SEVERITIES
from photo_contracts.verdict import ApiVerdict, Gap, gating, overall


class RunLike(Protocol):
    """What a result is built from: the evidence of a run and what judge.py decided of it."""

    config: Any
    targets: dict[str, Any]
    findings: Any  # findings.Findings
    stats: dict[str, Any]
    observations: Any
    drift: list[dict[str, Any]] | None
    ledger: Ledger
    verdicts: dict[str, ApiVerdict]
    explained: dict[str, int]
    explained_by: dict[str, str]
    documented: dict[str, list[Any]]  # judge.Documented per API
    redactor: Any

    @property
    def images(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Counts:
    requests: int = 0
    answers: int = 0
    transport_failures: int = 0
    successes: int = 0
    auth_rejected: int = 0
    images_fetched: int = 0
    images_decoded: int = 0
    findings: int = 0
    occurrences: int = 0
    gating: int = 0  # findings that gate the verdict: at or above the gate, not accepted by the baseline
    notices: int = 0  # findings under an assumption (they never gate unless --strict)
    accepted: int = 0  # findings the baseline accepts
    by_severity: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "answers": self.answers, "transport_failures": self.transport_failures,
                "successes": self.successes, "auth_rejected": self.auth_rejected,
                "images_fetched": self.images_fetched, "images_decoded": self.images_decoded,
                "findings": self.findings, "occurrences": self.occurrences, "gating": self.gating,
                "notices": self.notices, "accepted": self.accepted,
                "by_severity": {s: self.by_severity.get(s, 0) for s in SEVERITIES}}


def _counts(requests: int, total: OperationCoverage, findings: list[Finding], strict: bool) -> Counts:
    return Counts(
        requests=requests, answers=total.answers, transport_failures=total.transport_failures,
        successes=total.successes, auth_rejected=total.auth_rejected, images_fetched=total.images_fetched,
        images_decoded=total.images_decoded, findings=len(findings), occurrences=sum(f.occurrences for f in findings),
        gating=sum(1 for f in findings if gating(f.severity, strict) and not f.accepted),
        notices=sum(1 for f in findings if f.severity == "notice"), accepted=sum(1 for f in findings if f.accepted),
        by_severity=dict(Counter(f.severity for f in findings)))


@dataclass(frozen=True)
class OperationRow:
    """One operation of an API: documented in its contract (every one is listed), or met only in the ledger."""

    name: str
    documented: bool
    sourced: bool
    coverage: OperationCoverage
    gap: Gap | None = None


@dataclass(frozen=True)
class ApiResult:
    name: str
    title: str
    verdict: str  # conforms | findings | inconclusive | interrupted
    diagnosis: str | None
    base_url: str | None
    live: bool
    contract: dict[str, Any]
    counts: Counts
    tests: dict[str, int]  # passed, failed, skipped, errors, planned
    budget_exhausted: bool
    explained: int
    explained_by: str
    operations: list[OperationRow]
    gaps: list[Gap]
    findings: list[Finding]
    ids: dict[str, Any] = field(default_factory=dict)  # where each real id came from, and those left out
    # The request budget as planned (budget.Plan.as_dict): per part of what the run judges, its share and
    # what it spent; None for a run whose API sent nothing back.
    budget: dict[str, Any] | None = None

    def coverage(self) -> dict[str, Any]:
        return {row.name: row.coverage.as_dict() for row in sorted(self.operations, key=lambda r: r.name)}


@dataclass(frozen=True)
class ImageView:
    """One distinct image of the run (its sample decodes a preview only when a report shows it)."""

    url: str
    role: str
    format: str | None
    size: Any
    content_type: str
    error: str | None
    sample: Any = field(repr=False, default=None)

    def preview(self) -> bytes | None:
        return self.sample.preview() if self.sample is not None else None


@dataclass(frozen=True)
class RunResult:
    target: str
    sandbox_drift: str | None
    replay: dict[str, Any] | None
    seed: int
    examples: int | None
    strict: bool
    interrupted: bool
    verdict: str  # the run's: conforms | findings | inconclusive | interrupted
    apis: dict[str, ApiResult]
    findings: list[Finding]  # worst first
    drift: list[dict[str, Any]]
    images: list[ImageView]  # distinct images, by URL
    totals: Counts
    redactor: Any = field(repr=False, default=None)
    config: Any = field(repr=False, default=None)
    usage: dict[str, Any] | None = None  # the usage file(s) the run gated by: {"files", "apis"}

    @property
    def conforms(self) -> bool:
        return self.verdict == "conforms"

    def as_dict(self) -> dict[str, Any]:
        """summary.json's body (without the tool and time stamp)."""
        apis = {}
        for name, api in self.apis.items():
            tests = api.tests
            apis[name] = {
                "verdict": api.verdict, "diagnosis": api.diagnosis,
                "base_url": self.redactor.text(api.base_url) if api.base_url else None,
                "contract": api.contract,
                "passed": tests["passed"], "failed": tests["failed"], "skipped": tests["skipped"],
                "requests": api.counts.requests, "findings": api.counts.findings,
                "counts": api.counts.as_dict(),
                "budget_exhausted": api.budget_exhausted, "explained": api.explained,
                "gaps": [gap.as_dict() for gap in api.gaps],
                "coverage": api.coverage(),
                "ids": api.ids,
                "budget": api.budget,
            }
        return {
            "target": self.target, "sandbox_drift": self.sandbox_drift, "replay": self.replay, "seed": self.seed,
            "strict": self.strict, "interrupted": self.interrupted, "verdict": self.verdict,
            "conforms": self.conforms, "totals": self.totals.as_dict(), "apis": apis,
            "images": {"distinct": len(self.images), "decoded": sum(1 for i in self.images if i.error is None)},
            "findings": [f.as_dict() for f in self.findings], "drift": list(self.drift),
            "usage": self.usage,
        }


def _rank(finding: Finding) -> tuple[int, str, str, str]:
    return (SEVERITIES.index(finding.severity), finding.api, finding.operation, finding.check)


def _ids(target: Any) -> dict[str, Any]:
    origins = getattr(target, "id_origins", None) or {}
    left_out = getattr(target, "ids_left_out", None) or {}
    return ({"origins": origins} if origins else {}) | ({"left_out": left_out} if left_out else {})


def budget_line(plan: dict[str, Any] | None) -> str | None:
    """Where a budgeted run's requests went, by kind of part (summary.json's apis.<api>.budget has each part);
    None for a run without a budget (a sandbox)."""
    if not plan or plan.get("budget") is None:
        return None
    spent: dict[str, int] = {}
    for part in plan["parts"]:
        if part["spent"]:
            spent[part["kind"]] = spent.get(part["kind"], 0) + part["spent"]
    refused = sum(1 for part in plan["parts"] if part["refused"])
    return (f"{plan['spent']} of {plan['budget']} requests: " + ", ".join(f"{k} {n}" for k, n in spent.items())
            + (f"; {refused} part{'s' * (refused != 1)} ran out of budget" if refused else ""))


def _budget(run: RunLike, api: str) -> dict[str, Any] | None:
    plan = (getattr(run, "plans", None) or {}).get(api)
    return plan.as_dict() if plan is not None else None


def build(run: RunLike, *, interrupted: bool | None = None) -> RunResult:
    """The result of `run`, as every output shows it (`interrupted`: by default, what the run says)."""
    cfg = run.config
    interrupted = bool(getattr(run, "interrupted", False)) if interrupted is None else interrupted
    findings = sorted(run.findings, key=_rank)
    apis: dict[str, ApiResult] = {}
    for name, target in run.targets.items():
        mine = [f for f in findings if f.api == name]
        judged = run.verdicts.get(name) or ApiVerdict("inconclusive", f"{name}: the run ended before any verdict")
        ledger = run.ledger.operations(name)
        gaps = {gap.operation: gap for gap in judged.gaps if gap.check is None}  # an operation's own gap
        documented = list(run.documented.get(name, []))
        rows = [OperationRow(op.name, True, op.sourced, ledger.get(op.name) or OperationCoverage(),
                             gaps.get(op.name)) for op in documented]
        names = {op.name for op in documented}
        rows += [OperationRow(op, False, False, entry) for op, entry in sorted(ledger.items()) if op not in names]
        stats = run.stats.get(name)
        tests = {k: int(getattr(stats, k, 0) or 0) for k in ("passed", "failed", "skipped", "errors", "planned")}
        apis[name] = ApiResult(
            name=name, title=getattr(target.api, "title", name), verdict=judged.verdict, diagnosis=judged.diagnosis,
            base_url=target.base_url or None, live=bool(getattr(target, "live", False)),
            contract=dict(getattr(target, "contract", {}) or {}),
            counts=_counts(target.session.requests_sent, run.ledger.totals(name), mine, cfg.strict),
            tests=tests, budget_exhausted=bool(target.session.budget_hit),
            explained=run.explained.get(name, 0), explained_by=run.explained_by.get(name, "the rejected credential"),
            operations=rows, gaps=list(judged.gaps), findings=mine, ids=_ids(target), budget=_budget(run, name))
    verdicts = {name: ApiVerdict(api.verdict) for name, api in apis.items()}
    verdict = "interrupted" if interrupted else (overall(verdicts) if verdicts else "inconclusive")
    total = OperationCoverage()
    for name in apis:
        part = run.ledger.totals(name)
        for key in ("requests", "transport_failures", "successes", "auth_rejected", "images_fetched",
                    "images_decoded"):
            setattr(total, key, getattr(total, key) + getattr(part, key))
    images = [ImageView(s.url, s.role, s.format, s.size, s.content_type, s.error, s)
              for s in run.images.values() if s is not None]
    return RunResult(
        target=cfg.target, sandbox_drift=cfg.sandbox_drift,
        replay={"dir": str(cfg.replay), "recorded": cfg.replay_recorded} if getattr(cfg, "replay", None) else None,
        seed=cfg.seed, examples=getattr(cfg, "examples_per_operation", None), strict=cfg.strict,
        interrupted=interrupted, verdict=verdict, apis=apis, findings=findings, drift=list(run.drift or []),
        images=images, totals=_counts(sum(a.counts.requests for a in apis.values()), total, findings, cfg.strict),
        redactor=run.redactor, config=cfg, usage=_usage(cfg))


def _usage(cfg: Any) -> dict[str, Any] | None:
    from photo_contracts.usage import of_config

    usage = of_config(cfg) if hasattr(cfg, "api_configs") else None
    return {"files": list(usage.files), "apis": usage.as_dict()} if usage else None
