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
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from photo_contracts.config import Config
from photo_contracts.coverage import Ledger, OperationCoverage
from photo_contracts.findings import Finding, Findings
from photo_contracts.http import Redactor
from photo_contracts.interrupts import Terminated
from photo_contracts.reporting.combined import APIS_DIR
from photo_contracts.verdict import EXIT_CODES, ApiVerdict, overall


def workers(cfg: Config) -> int:
    """How many APIs run at once: `jobs` (`--jobs`, `[run] jobs`), by default the cores available."""
    if cfg.record or cfg.replay:  # one recording (a directory, one file of exchanges) is written by one process
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

    @classmethod
    def of(cls, api: str, code: int, run: Any) -> Snapshot:
        target = run.targets[api]
        return cls(
            api, code,
            TargetView(ApiView(target.api.name, target.api.title), target.base_url, target.live, target.contract,
                       SessionView(target.session.requests_sent, target.session.budget_hit), target.token),
            list(run.findings), run.stats[api], run.observations.as_dict()["apis"], list(run.drift or []),
            run.ledger.operations(api), run.verdicts.get(api), run.explained.get(api, 0),
            run.explained_by.get(api, ""), dict(run._images), list(run.redactor.secrets),  # noqa: SLF001
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
    _images: dict[str, Any] = field(default_factory=dict)
    redactor: Redactor = field(default_factory=Redactor)
    interrupted: bool = False

    @property
    def verdict(self) -> str:
        return overall(self.verdicts) if self.verdicts else "inconclusive"

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else EXIT_CODES[self.verdict]

    def add(self, snapshot: Snapshot) -> None:
        name = snapshot.api
        self.interrupted |= snapshot.code == 130
        if snapshot.target is None:  # the process ended without a result: nothing of this API was judged
            self.verdicts[name] = snapshot.verdict or ApiVerdict("inconclusive", f"{name}: its run ended early")
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
        self._images.update(snapshot.images)
        for secret in snapshot.secrets:
            self.redactor.add(secret)


GRACE = 60.0  # seconds a child has after the run deadline to stop its API and write its reports


def run_apart(cfg: Config, run_one: Callable[[Config], tuple[int, Any]]) -> Merged:
    """Run each API of `cfg` with `run_one` in a process of its own, at most `workers(cfg)` at a time,
    the slowest first; merge what they send back in the order of `cfg.apis`.

    The run deadline holds for the whole run: a child gets what is left of it when it starts, and one
    still running `GRACE` seconds after it is ended. On Ctrl-C (or SIGTERM, interrupts.py) the children
    stop and report what they judged."""
    context = multiprocessing.get_context("fork")  # the children start warm: every module is already loaded
    deadline = time.monotonic() + cfg.limits.run_deadline
    pending = sorted(cfg.apis, key=_expected_cost, reverse=True)
    running: dict[Connection, tuple[str, Any]] = {}
    results: dict[str, Snapshot] = {}
    try:
        while pending or running:
            while pending and len(running) < workers(cfg):
                api = pending.pop(0)
                left = replace(cfg.limits, run_deadline=max(1.0, deadline - time.monotonic()))
                child_cfg = replace(cfg, apis=(api,), report_dir=Path(cfg.report_dir) / APIS_DIR / api,
                                    limits=left)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(child_cfg, run_one, send), name=f"pc-{api}")
                process.start()
                send.close()  # the child holds the other end: EOF here means it is gone
                running[receive] = (api, process)
            ready = wait(list(running), timeout=max(0.0, deadline + GRACE - time.monotonic()))
            if not ready:  # past the deadline and its grace: whatever still runs is stopped
                for receive, (api, process) in running.items():
                    process.kill()
                    results[api] = _receive(api, receive, process, "it did not finish within the run deadline")
                running.clear()
            for receive in ready:
                api, process = running.pop(receive)  # type: ignore[call-overload]
                results[api] = _receive(api, receive, process)
    except KeyboardInterrupt as stop:  # Ctrl-C reached the children too; SIGTERM did not: pass it on as Ctrl-C
        for receive, (api, process) in running.items():
            if isinstance(stop, Terminated) and process.is_alive():
                os.kill(process.pid, signal.SIGINT)
            results[api] = _receive(api, receive, process)
        for api in pending:
            never = ApiVerdict("inconclusive", f"{api}: interrupted before it ran")
            results[api] = Snapshot(api, 130, verdict=never)
    merged = Merged(cfg)
    for api in cfg.apis:
        merged.add(results[api])
    return merged


def _expected_cost(api: str) -> int:
    """Operations in the contract: the rough size of an API's run, so the largest starts first."""
    from photo_contracts.contracts import load_contract
    from photo_contracts.operations import operations

    return sum(1 for _ in operations(load_contract(api)))


def _child(cfg: Config, run_one: Callable[[Config], tuple[int, Any]], send: Connection) -> None:
    api = cfg.apis[0]
    try:
        code, run = run_one(cfg)
        snapshot = Snapshot.of(api, code, run)
    except BaseException as exc:  # noqa: BLE001 - whatever ends the child, the parent gets a verdict
        interrupted = isinstance(exc, KeyboardInterrupt)
        reason = "interrupted" if interrupted else f"{type(exc).__name__}: {exc}".splitlines()[0]
        if not interrupted:
            traceback.print_exc()  # an error of the tool itself: its trace helps whoever reports it
        code = 130 if interrupted else 3
        snapshot = Snapshot(api, code, verdict=ApiVerdict("inconclusive", f"{api}: its run ended early ({reason})"))
    send.send(snapshot)
    send.close()


def _receive(api: str, receive: Connection, process: Any, why: str = "") -> Snapshot:
    try:
        snapshot: Snapshot = receive.recv()
    except (EOFError, OSError):
        process.join()
        why = why or f"its process ended without a result (exit code {process.exitcode})"
        snapshot = Snapshot(api, 3, verdict=ApiVerdict("inconclusive", f"{api}: {why}"))
    process.join()
    receive.close()
    return snapshot
