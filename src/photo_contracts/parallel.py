"""The APIs of one run, concurrently: one process per API, up to the cores, merged into one result.

The APIs are independent (each has its own sandbox or live target, session, generated cases and
pytest session), and within one process the client and an in-process sandbox share one interpreter
lock. So each API runs in a process of its own, forked from the run's process (warm: its modules are
loaded; a seed generates the same cases there as in a sequential run, see generation.py). A child writes the complete
report of its API into `<report dir>/apis/<api>/` and sends back a `Snapshot`; `Merged` combines
the snapshots into the one result the dashboard, summary.json and the console read like a `Run`.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from photo_contracts.config import Config
from photo_contracts.coverage import Ledger, OperationCoverage
from photo_contracts.errors import ToolError
from photo_contracts.findings import Finding, Findings
from photo_contracts.http import Redactor
from photo_contracts.interrupts import ignore_interrupts, interrupt_once
from photo_contracts.reporting.combined import APIS_DIR
from photo_contracts.verdict import EXIT_CODES, ApiVerdict, overall


def workers(cfg: Config) -> int:
    """How many APIs run at once: `jobs` (`--jobs`, `[run] jobs`), by default the cores available. One where
    processes cannot be forked (Windows; macOS forks unsafely), and for a recording or a replay (one
    directory, one file of exchanges, written or read by one process)."""
    if cfg.record or cfg.replay or not sys.platform.startswith("linux"):
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(len(cfg.apis), cfg.jobs or cores))


@dataclass
class ApiView:
    name: str
    title: str


@dataclass
class SessionView:
    requests_sent: int
    budget_hit: bool


@dataclass
class TargetView:
    """What reports read of a target whose run ended in another process."""

    api: ApiView
    base_url: str
    live: bool
    contract: dict[str, Any]
    session: SessionView
    token: str = field(repr=False)  # kept in memory only, so the merged reports are redacted too
    id_origins: dict[str, Any] = field(default_factory=dict)
    ids_left_out: dict[str, Any] = field(default_factory=dict)


@dataclass
class PlanView:
    """An API's request budget plan as its process sent it back (budget.Plan.as_dict)."""

    plan: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return self.plan


@dataclass
class StatsView:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    errors: int = 0
    planned: int = 0


def _unreached(name: str, cfg: Config) -> TargetView:
    """The target of an API whose process sent nothing back: where it was to be reached, nothing sent."""
    from photo_contracts.apis import get_api
    from photo_contracts.contracts import contract_identity

    settings = cfg.api_configs.get(name)
    return TargetView(ApiView(name, get_api(name).title), (settings.base_url if settings else None) or "",
                      cfg.target == "live", contract_identity(name), SessionView(0, False), "")


@dataclass
class Snapshot:
    """One API's finished run, as its process sends it back."""

    api: str
    code: int
    target: TargetView | None = None
    findings: list[Finding] = field(default_factory=list)
    stats: Any = None
    observations: dict[str, Any] = field(default_factory=dict)  # observations.json's form (genson's don't pickle)
    drift: list[dict[str, Any]] = field(default_factory=list)
    coverage: dict[str, OperationCoverage] = field(default_factory=dict)
    verdict: ApiVerdict | None = None
    explained: int = 0
    explained_by: str = ""
    images: dict[str, Any] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    error: str | None = None  # a ToolError the child met: the run ends with it, as in one process
    documented: list[Any] = field(default_factory=list)  # judge.Documented of its contract
    plan: dict[str, Any] | None = None  # its request budget, part by part (budget.Plan.as_dict)

    @classmethod
    def of(cls, api: str, code: int, run: Any) -> Snapshot:
        target = run.targets[api]
        return cls(
            api, code,
            TargetView(ApiView(target.api.name, target.api.title), target.base_url, target.live, target.contract,
                       SessionView(target.session.requests_sent, target.session.budget_hit), target.token,
                       dict(getattr(target, "id_origins", None) or {}),
                       dict(getattr(target, "ids_left_out", None) or {})),
            list(run.findings), run.stats[api], run.observations.as_dict()["apis"], list(run.drift or []),
            run.ledger.operations(api), run.verdicts.get(api), run.explained.get(api, 0),
            run.explained_by.get(api, ""), run.images, list(run.redactor.secrets),
            documented=list(run.documented.get(api, [])),
            plan=run.plans[api].as_dict() if api in getattr(run, "plans", {}) else None,
        )


@dataclass
class MergedObservations:
    """The observations of each API, in their observations.json form."""

    apis: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"apis": dict(sorted(self.apis.items()))}


@dataclass
class Merged:
    """The runs of several APIs as one: the attributes reports and commands read of a `Run`."""

    config: Config
    targets: dict[str, TargetView] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)
    stats: dict[str, Any] = field(default_factory=dict)
    observations: MergedObservations = field(default_factory=MergedObservations)
    drift: list[dict[str, Any]] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)
    verdicts: dict[str, ApiVerdict] = field(default_factory=dict)
    explained: dict[str, int] = field(default_factory=dict)
    explained_by: dict[str, str] = field(default_factory=dict)
    images: dict[str, Any] = field(default_factory=dict)
    redactor: Redactor = field(default_factory=Redactor)
    interrupted: bool = False
    documented: dict[str, list[Any]] = field(default_factory=dict)
    plans: dict[str, PlanView] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return overall(self.verdicts) if self.verdicts else "inconclusive"

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else EXIT_CODES[self.verdict]

    def add(self, snapshot: Snapshot) -> None:
        name = snapshot.api
        self.interrupted |= snapshot.code == 130
        self.documented[name] = snapshot.documented or _documented(name)  # every operation a row in the reports
        if snapshot.target is None:  # the process ended without a result: nothing of this API was judged
            self.verdicts[name] = snapshot.verdict or ApiVerdict("inconclusive", f"{name}: its run ended early")
            self.targets[name] = _unreached(name, self.config)  # still a row in every report, with its diagnosis
            self.stats[name] = StatsView()
            return
        self.targets[name] = snapshot.target
        for finding in snapshot.findings:
            self.findings.add(finding)
        self.stats[name] = snapshot.stats
        self.observations.apis.update(snapshot.observations)
        self.drift += snapshot.drift
        self.ledger.adopt(name, snapshot.coverage)
        if snapshot.verdict:
            self.verdicts[name] = snapshot.verdict
        self.explained[name] = snapshot.explained
        self.explained_by[name] = snapshot.explained_by
        self.images.update(snapshot.images)
        if snapshot.plan is not None:
            self.plans[name] = PlanView(snapshot.plan)
        for secret in snapshot.secrets:
            self.redactor.add(secret)


GRACE = 60.0  # seconds a child has after the run deadline to stop its API and write its reports


def run_apart(cfg: Config, run_one: Callable[[Config], tuple[int, Any]]) -> Merged:
    """Run each API of `cfg` with `run_one` in a process of its own, at most `workers(cfg)` at a time,
    the one with the most operations first; merge what they send back in the order of `cfg.apis`.

    The run deadline holds for the whole run: a child gets what is left of it when it starts, one still
    running `GRACE` seconds after it is stopped, and an API not started by then is not started. On Ctrl-C
    or SIGTERM (interrupts.py) every child is asked to stop, reports what it judged, and the run ends
    interrupted. A `ToolError` in a child (bad input it met) ends the run as it would in one process."""
    context = multiprocessing.get_context("fork")  # the children start warm: every module is already loaded
    deadline = time.monotonic() + cfg.limits.run_deadline
    pending = sorted(cfg.apis, key=_expected_cost, reverse=True)
    running: dict[Connection, tuple[str, Any]] = {}
    results: dict[str, Snapshot] = {}
    try:
        while pending or running:
            while pending and len(running) < workers(cfg) and time.monotonic() < deadline:
                api = pending[0]
                left = replace(cfg.limits, run_deadline=max(1.0, deadline - time.monotonic()))
                child_cfg = replace(cfg, apis=(api,), report_dir=Path(cfg.report_dir) / APIS_DIR / api,
                                    limits=left, part_of=Path(cfg.report_dir))
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(child_cfg, run_one, send), name=f"pc-{api}")
                process.start()
                running[receive] = (api, process)
                pending.remove(api)  # only now: an interrupt in between leaves it pending, not lost
                send.close()  # the child holds the other end: EOF here means it is gone
            if not running:  # the deadline passed before the rest could start
                break
            ready = wait(list(running), timeout=max(0.0, deadline + GRACE - time.monotonic()))
            if not ready:  # past the deadline and its grace: whatever still runs is stopped
                for receive, (api, process) in list(running.items()):
                    process.kill()
                    results[api] = _receive(api, receive, process, "it did not finish within the run deadline")
                    del running[receive]
            for receive in ready:
                api, process = running[receive]
                results[api] = _receive(api, receive, process)
                del running[receive]  # only once received: an interrupt in between leaves it to collect
    except KeyboardInterrupt:  # every child is asked to stop (Ctrl-C reached them; SIGTERM may not have)
        for _, process in running.values():
            if process.is_alive():
                os.kill(process.pid, signal.SIGINT)  # a child takes the first interrupt only (_child)
        for receive, (api, process) in running.items():
            results[api] = _receive(api, receive, process)
        results.update({api: _not_started(api, "interrupted before it started", 130) for api in pending})
    results.update({api: _not_started(api, "the run deadline passed before it started", 3) for api in pending
                    if api not in results})
    failed = next((s.error for s in results.values() if s.error), None)
    if failed:
        raise ToolError(failed)
    from photo_contracts.drift.compare import sort_key

    merged = Merged(cfg)
    for api in cfg.apis:
        merged.add(results[api])
    merged.drift = sorted(merged.drift, key=sort_key)
    return merged


def _not_started(api: str, why: str, code: int) -> Snapshot:
    return Snapshot(api, code, verdict=ApiVerdict("interrupted" if code == 130 else "inconclusive", f"{api}: {why}"))


def _documented(api: str) -> list[Any]:
    from photo_contracts.contracts import load_contract
    from photo_contracts.judge import documented_operations

    return documented_operations(load_contract(api))


def _expected_cost(api: str) -> int:
    """Operations in the contract: the rough size of an API's run, so the largest starts first."""
    from photo_contracts.contracts import load_contract
    from photo_contracts.operations import operations

    return sum(1 for _ in operations(load_contract(api)))


def _child(cfg: Config, run_one: Callable[[Config], tuple[int, Any]], send: Connection) -> None:
    api = cfg.apis[0]
    interrupt_once()  # the parent passes Ctrl-C on too: a second one must not cut the reports short
    try:
        code, run = run_one(cfg)
        snapshot = Snapshot.of(api, code, run)
    except ToolError as exc:  # bad input the child met (a sandbox that cannot start): the run's one line
        snapshot = Snapshot(api, 2, error=str(exc))
    except BaseException as exc:  # noqa: BLE001 - whatever ends the child, the parent gets a verdict
        interrupted = isinstance(exc, KeyboardInterrupt)
        reason = "interrupted" if interrupted else f"{type(exc).__name__}: {exc}".splitlines()[0]
        if not interrupted:  # an error of the tool itself: its trace, for whoever reports it, goes to a file
            reason += f"; details in {_write_trace(cfg)}"
        snapshot = _not_started(api, f"its run ended early ({reason})", 130 if interrupted else 3)
    ignore_interrupts()  # done: nothing may interrupt the handing over
    send.send(snapshot)
    send.close()


def _write_trace(cfg: Config) -> Path | str:
    """The current exception's trace, redacted, in the API's report directory (error.txt): kept for whoever
    reports the error, never printed; where it went."""
    path = Path(cfg.report_dir) / "error.txt"
    redactor = Redactor([cfg.sandbox_token or "", *(c.token or "" for c in cfg.api_configs.values())])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(redactor.text(traceback.format_exc()), encoding="utf-8")
    except OSError as exc:
        return f"nowhere ({exc.strerror})"
    return path


def _receive(api: str, receive: Connection, process: Any, why: str = "") -> Snapshot:
    try:
        snapshot: Snapshot = receive.recv()
    except (EOFError, OSError):
        process.join()
        snapshot = _not_started(api, why or f"its process ended without a result (exit code {process.exitcode})", 3)
    process.join()
    receive.close()
    return snapshot
