"""`photo-contracts run`: configuration -> targets -> the pytest suite -> reports -> exit code."""

from __future__ import annotations

import argparse
import io
import sys
import time
from importlib import resources
from pathlib import Path
from typing import TextIO

import pytest

from photo_contracts import config as config_module
from photo_contracts.apis import contracts_from, get_api
from photo_contracts.contracts import check_references, contract_identity, contract_path, load_contract
from photo_contracts.engine import Run
from photo_contracts.errors import ToolError, did_you_mean
from photo_contracts.interrupts import sigterm_interrupts
from photo_contracts.parallel import Merged, run_apart, workers
from photo_contracts.plugin import Suite
from photo_contracts.reporting.combined import APIS_DIR, write_merged_reports
from photo_contracts.reporting.console import print_summary
from photo_contracts.reporting.summary import write_summary
from photo_contracts.result import RunResult, build
from photo_contracts.target import open_targets
from photo_contracts.usage import of_config as usage_of

SUITE_DIR = Path(str(resources.files("photo_contracts.conformance")))


def check_names(apis: list[str] | None, drift: str | None) -> None:
    """`--api` and `--sandbox-drift`: each a registered name, or one line naming the nearest valid one (for a
    drift profile, among the profiles of the APIs named with --api)."""
    from photo_contracts.apis import APIS

    for name in apis or ():
        if name not in APIS:
            raise ToolError(f"unknown API {name!r}; {did_you_mean(name, list(APIS))}valid names: {', '.join(APIS)}")
    if drift:
        from photo_contracts.sandbox.drift import catalog

        profiles = catalog()
        if drift not in profiles:
            scope = sorted(n for n, p in profiles.items() if not apis or p.api in apis)
            named = f" for {', '.join(apis)}" if apis else ""
            raise ToolError(f"unknown drift profile {drift!r}{named}; {did_you_mean(drift, scope)}list them with "
                            f"`photo-contracts sandbox --list-drifts{' --api ' + apis[0] if apis else ''}`")


def load_config(args: argparse.Namespace) -> config_module.Config:
    drift = args.sandbox_drift
    apis = args.api
    check_names(apis, drift)
    if drift:
        from photo_contracts.sandbox.drift import get_profile

        profile = get_profile(drift)
        if not apis:
            apis = [profile.api]  # a drift rehearsal checks the API it changes
        elif profile.api not in apis:
            raise ToolError(f"drift profile {drift} changes the {profile.api} sandbox, which this run does not "
                            f"check (--api {' --api '.join(apis)}); add --api {profile.api}")
    cfg = config_module.load(args.config, overrides={
        "target": args.target, "apis": apis, "report_dir": args.report_dir, "sandbox_drift": drift,
        "seed": args.seed, "examples": args.examples, "allow_writes": args.allow_writes or None,
        "record": getattr(args, "record", None), "strict": getattr(args, "strict", None) or None,
        "baseline": getattr(args, "baseline", None), "contracts": getattr(args, "contract", None),
        "jobs": getattr(args, "jobs", None), "usage": getattr(args, "usage", None),
    }, flags=config_module.LiveFlags(getattr(args, "url", None), getattr(args, "header", None),
                                     tuple(getattr(args, "ids", None) or ())))
    return cfg


def pytest_args(cfg: config_module.Config, extra: list[str] | None = None) -> list[str]:
    report_dir = Path(cfg.report_dir)
    return [
        # --assert=plain: the suite reports findings, not assertion diffs, and rewriting ~200
        # modules on every run costs over a second where bytecode is not cached.
        # no:unraisableexception / no:threadexception: the garbage of whatever process calls execute() (a test
        # process's unclosed pipes) is not the run's to judge, and must never fail its session.
        str(SUITE_DIR), "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:randomly", "--assert=plain",
        "-p", "no:unraisableexception", "-p", "no:threadexception",
        "--rootdir", str(SUITE_DIR), "-c", str(SUITE_DIR / "pytest.ini"),
        f"--html={report_dir / 'report.html'}", "--self-contained-html",
        f"--junitxml={report_dir / 'junit.xml'}", "-o", "junit_family=xunit2",
        # the name a merged run gives each API's suite (reporting.combined), and "photo-contracts" for several
        "-o", "junit_suite_name=photo-contracts" + (f" {cfg.apis[0]}" if len(cfg.apis) == 1 else ""),
        *(extra or []),
    ]


def execute(cfg: config_module.Config, out: TextIO | None = None,
            command: str | None = None) -> tuple[int, Run | Merged]:
    """Run the suite on the configured targets; returns (exit code, run). `command`: the command line that
    reproduces it, when it is not `photo-contracts run` (drift passes its own)."""
    with contracts_from(cfg.contracts), sigterm_interrupts():  # a cancelled job still leaves its reports
        return _execute(cfg, out or sys.stdout, command)


def _execute(cfg: config_module.Config, out: TextIO, command: str | None) -> tuple[int, Run | Merged]:
    for api in cfg.apis:  # a broken contract is a one-line error now, not a crash mid-run
        load_contract(api)
        check_references(contract_path(api))
    usage_of(cfg)  # so is a bad usage file (read against the contracts this run judges by)
    try:
        Path(cfg.report_dir).mkdir(parents=True, exist_ok=True)
        earlier = clear_reports(Path(cfg.report_dir))
    except OSError as exc:
        raise ToolError(f"cannot create the report directory {cfg.report_dir}: {exc.strerror}") from None
    if earlier:
        print(f"photo-contracts: removed {earlier} report file{'s' * (earlier != 1)} of an earlier run from "
              f"{cfg.report_dir}", file=out, flush=True)
    started = time.monotonic()
    drift = f" (drift profile {cfg.sandbox_drift})" if cfg.sandbox_drift else ""
    kind = f"replay of {cfg.replay} recorded {cfg.replay_recorded or '(date unknown)'}: a {cfg.target}" \
        if cfg.replay else cfg.target
    jobs = workers(cfg)
    at_once = f", {jobs} at a time" if jobs > 1 else ""
    print(f"photo-contracts: {kind} run of {', '.join(cfg.apis)}{drift}{at_once}", file=out, flush=True)
    for api in cfg.contracts:
        identity = contract_identity(api)
        if identity["own"]:
            print(f"{api}: judged by your own contract {identity['path']} (SHA-256 {identity['sha256'][:12]}…)",
                  file=out, flush=True)
    run: Run | Merged
    if jobs > 1:
        run = run_apart(cfg, lambda one: run_suite(one, out))
        code = run.exit_code
    else:
        code, run = run_suite(cfg, out)
    elapsed = time.monotonic() - started
    result = build(run, interrupted=code == 130)  # the one result every output of this run renders
    if jobs > 1:
        write_merged_reports(run, result, Path(cfg.report_dir), [api for api in cfg.apis if api in run.targets])
    else:
        write_summary(result, Path(cfg.report_dir) / "summary.json")
    write_main_pages(result, cfg, command=command)
    print_summary(result, Path(cfg.report_dir), elapsed, out)
    if cfg.record or cfg.replay:
        from photo_contracts.recording import describe

        print(describe(cfg, run.targets), file=out, flush=True)
    return code, run


# What a run writes into its report directory: an earlier run's copies go first, so a directory holds one
# run's reports only (an API absent from this run leaves no stale apis/<api>/ behind). Nothing else is touched.
REPORT_FILES = ("index.html", "report.html", "junit.xml", "summary.json", "summary.md", "observations.json",
                "drift.json", "drift-timeline.html", "error.txt")


def clear_reports(report_dir: Path) -> int:
    """Remove the reports an earlier run left in `report_dir`; how many files went."""
    import shutil

    gone = 0
    for name in REPORT_FILES:
        path = report_dir / name
        if path.is_file():
            path.unlink()
            gone += 1
    apis = report_dir / APIS_DIR
    if apis.is_dir():
        for part in apis.iterdir():
            if part.is_dir() and any((part / name).exists() for name in REPORT_FILES):
                gone += sum(1 for f in part.rglob("*") if f.is_file())
                shutil.rmtree(part)
    return gone


def run_suite(cfg: config_module.Config, out: TextIO) -> tuple[int, Run]:
    """The conformance suite on the targets of `cfg`, in this process: (exit code, run), its reports written
    by the suite's plugin (summary.json, observations.json) and pytest (report.html, junit.xml)."""
    with open_targets(cfg) as targets:
        for target in targets.values():
            if target.note:
                print(target.note, file=out, flush=True)
        run = Run(cfg, targets)
        suite = Suite(cfg, run, progress=out)
        status = pytest.main(pytest_args(cfg), plugins=[suite])
    if status == pytest.ExitCode.INTERRUPTED:
        return 130, run
    if status in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED, pytest.ExitCode.TESTS_FAILED):
        if not run.verdicts:  # the session ended before its finish hook (nothing collected)
            run.finish()
        return run.exit_code, run  # conforms 0, findings 1, inconclusive 3: by the verdict, not by pytest
    raise ToolError(f"the conformance suite could not run (pytest exit code {int(status)}); see {cfg.report_dir}")


def command_line(cfg: config_module.Config) -> str:
    """The command that reproduces a run: its APIs, target, seed, examples and drift profile."""
    parts = ["photo-contracts", "run"]
    for api in cfg.apis:
        parts += ["--api", api]
    if cfg.replay:  # a replay runs the recorded seed, examples and drift: flags for them are refused
        parts += ["--target", f"replay:{cfg.replay}"]
        parts += [f"--contract {api}={path}" for api, path in cfg.contracts.items()]
        return " ".join(parts + (["--strict"] if cfg.strict else []))
    flagged = [c for c in cfg.api_configs.values() if c.token and not c.token_env]  # --url/--header, no file
    if cfg.target != "sandbox" and len(flagged) == 1 == len(cfg.apis):
        spec = get_api(flagged[0].name)
        parts += ["--url", str(flagged[0].base_url), "--header", f"'{spec.auth_header}: {spec.auth_prefix}$TOKEN'"]
        for pair in cfg.flag_ids:  # the ids the run was given are part of what it judged
            parts += ["--ids", pair]
    elif cfg.target != "sandbox":
        parts += ["--target", cfg.target, "--config", "CONFIG.toml"]
    if cfg.sandbox_drift:
        parts += ["--sandbox-drift", cfg.sandbox_drift]
    parts += ["--seed", str(cfg.seed), "--examples", str(cfg.examples_per_operation)]
    parts += [f"--contract {api}={path}" for api, path in cfg.contracts.items()]
    parts += ["--strict"] if cfg.strict else []
    parts += ["--baseline", str(cfg.baseline)] if cfg.baseline else []
    return " ".join(parts)


def write_main_pages(result: RunResult, cfg: config_module.Config, *, command: str | None = None) -> None:
    """The dashboard (index.html, the page people read) and summary.md (for CI summaries and PR comments)."""
    from photo_contracts.reporting.dashboard import write_dashboard
    from photo_contracts.reporting.markdown import summary_markdown

    report_dir = Path(cfg.report_dir)
    command = command or command_line(cfg)
    write_dashboard(result, report_dir / "index.html", command=command, log_name="report.html")
    (report_dir / "summary.md").write_text(summary_markdown(result, command), encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args)
    with contracts_from(cfg.contracts):  # the baseline's drift is judged by the same contracts as the run
        return _run(args, cfg)


def _run(args: argparse.Namespace, cfg: config_module.Config) -> int:
    if args.update_baseline and not cfg.baseline:
        raise ToolError("--update-baseline needs --baseline FILE (where the accepted findings go)")
    if cfg.baseline:
        from photo_contracts.drift import baseline as baselines

        accepted = baselines.load(cfg.baseline)  # before the run: a broken baseline costs no requests
    quiet, verbose = getattr(args, "quiet", False), getattr(args, "verbose", 0)
    code, result = execute(cfg, out=io.StringIO() if quiet else None)
    if quiet or verbose:
        shown = build(result, interrupted=code == 130)
        lines = quiet_lines(shown, code, Path(cfg.report_dir)) if quiet else verbose_lines(shown)
        print("\n".join(lines), flush=True)
    if args.update_baseline and code == 3:
        print(f"Baseline {cfg.baseline} left unchanged: the run was inconclusive, so its findings are not the state "
              "to accept")
        return 3
    if args.update_baseline and code != 130:
        from photo_contracts.drift.compare import run_drift

        baselines.save(accepted, cfg.target, run_drift(result), result.observations.as_dict(), cfg.apis,
                       list(result.findings))
        print(f"Baseline {cfg.baseline} updated: {len(list(result.findings))} findings accepted for "
              f"{', '.join(cfg.apis)}; write why in each entry's reason (and an expires date if it should end)")
        return 0
    return code




def quiet_lines(result: RunResult, code: int, report_dir: Path) -> list[str]:
    """`--quiet`: one line per API (its verdict, and why when it does not conform), then the run's verdict."""
    lines = []
    for name, api in result.apis.items():
        why = api.diagnosis if api.verdict not in ("conforms", "findings") and api.diagnosis else ""
        gating = f" ({api.counts.gating} gating)" if api.verdict == "findings" else ""
        lines.append(f"{name:<10} {api.verdict}{gating}{': ' + why if why else ''}")
    lines.append(f"verdict: {result.verdict} (exit {code}); report: {report_dir / 'index.html'}")
    return lines


def verbose_lines(result: RunResult) -> list[str]:
    """`-v`: after the summary, each operation's coverage and each finding in full (message, source, request)."""
    lines = ["", "Details (-v):"]
    for name, api in result.apis.items():
        lines.append(f"{name}: {api.verdict}{' - ' + api.diagnosis if api.diagnosis else ''}")
        for row in api.operations:
            cov = row.coverage
            statuses = ", ".join(f"{status} x{count}" for status, count in sorted(cov.statuses.items())) or "none"
            gap = f"; gap: {row.gap.reason}" if row.gap else ""
            lines.append(f"  {row.name}: {cov.requests} requests, {cov.successes} 2xx, statuses {statuses}, "
                         f"images {cov.images_decoded}/{cov.images_fetched}{gap}")
        for finding in api.findings:
            lines.append(f"  [{finding.severity}] {finding.check} on {finding.operation}"
                         f"{' at ' + finding.json_path if finding.json_path else ''} (x{finding.occurrences})")
            lines.append(f"      {finding.message}")
            lines.append(f"      {finding.source_label()}")
            if finding.request:
                lines.append(f"      {finding.request}")
    return lines
