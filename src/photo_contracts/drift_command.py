"""`photo-contracts drift`: observe, compare with the contract and with the accepted baseline.

Exit 1 only for drift that is new since the baseline and at or above --fail-on (or a new gating finding);
0 otherwise (also after --update-baseline, which accepts what it saw); 3 only when nothing was observed
(a run that reached some operations and not others still compares what it saw); 2 for usage or
configuration errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from photo_contracts.apis import contracts_from
from photo_contracts.config import add_contract_and_jobs, int_range
from photo_contracts.drift import baseline as baselines
from photo_contracts.drift import history, timeline
from photo_contracts.drift.compare import drift_key, run_drift
from photo_contracts.errors import ToolError
from photo_contracts.result import build
from photo_contracts.runner import command_line, execute, load_config
from photo_contracts.severities import SEVERITIES
from photo_contracts.verdict import gating

SHOWN = 25  # entries listed per section on the console; drift.json has them all


def add_arguments(parser: argparse.ArgumentParser) -> None:
    required = parser.add_argument_group("required")
    required.add_argument("--baseline", metavar="FILE",
                          help="accepted drift and findings (JSON; --update-baseline creates it)")
    parser.add_argument("--update-baseline", action="store_true", help="accept the drift of this run")
    parser.add_argument("--fail-on", metavar="SEVERITY", default="breaking",
                        help="exit 1 for new drift at or above: breaking (default), warning, info")
    parser.add_argument("--api", action="append", metavar="NAME", help="API to observe (repeatable; default: all)")
    parser.add_argument("--target", default="sandbox", metavar="TARGET",
                        help="sandbox (default), live, or replay:DIR (a recording)")
    parser.add_argument("--config", metavar="FILE", help="TOML configuration (live targets, checks, limits)")
    parser.add_argument("--report-dir", metavar="DIR", default="reports", help="default: reports")
    parser.add_argument("--history", metavar="FILE", help="default: <baseline stem>.history.jsonl beside it")
    parser.add_argument("--sandbox-drift", metavar="PROFILE", help="run against a sandbox with this drift profile")
    parser.add_argument("--seed", type=int, help="seed for data generation and sandbox datasets")
    parser.add_argument("--examples", type=int_range(1), metavar="N", help="generated examples per operation")
    add_contract_and_jobs(parser)
    parser.add_argument("--record", metavar="DIR", help="store every exchange (redacted) for a later replay")
    parser.set_defaults(allow_writes=False)


def _line(item: dict[str, Any]) -> str:
    where = f" [{item['response']}]" if item.get("response") else ""
    return (f"  {item['severity']:<8} {item['api']} {item['operation']}: {item['kind']} {item['path']}{where}\n"
            f"           {item.get('detail', '')}")


def _counts(items: list[dict[str, Any]]) -> str:
    counted = Counter(i["severity"] for i in items)
    return ", ".join(f"{counted.get(s, 0)} {s}" for s in SEVERITIES)


def _section(title: str, items: list[dict[str, Any]], out: TextIO) -> None:
    print(f"{title}: {len(items)}" + (f" ({_counts(items)})" if items else ""), file=out)
    for item in items[:SHOWN]:
        print(_line(item), file=out)
    if len(items) > SHOWN:
        print(f"  ... and {len(items) - SHOWN} more (drift.json)", file=out)


def history_entry(run: Any, observations: dict[str, Any], drift: list[dict[str, Any]], new: list[dict[str, Any]],
                  gone: list[dict[str, Any]], code: int, updated: bool, baseline_path: Path) -> dict[str, Any]:
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for api in run.config.apis:
        for operation in observations.get("apis", {}).get(api, {}):
            counts.setdefault(api, {})[operation] = dict.fromkeys(SEVERITIES, 0)
    for item in drift:
        per_op = counts.setdefault(item["api"], {}).setdefault(item["operation"], dict.fromkeys(SEVERITIES, 0))
        per_op[item["severity"]] += 1
    return {
        "time": baselines.now(), "target": run.config.target, "sandbox_drift": run.config.sandbox_drift,
        "seed": run.config.seed, "apis": list(run.config.apis), "baseline": str(baseline_path),
        "counts": counts, "new": [drift_key(e) for e in new], "disappeared": [drift_key(e) for e in gone],
        "exit_code": code, "baseline_updated": updated, "report_dir": str(Path(run.config.report_dir).resolve()),
    }


def main(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if not args.baseline:
        raise ToolError("drift needs --baseline FILE (the accepted drift; --update-baseline creates it)")
    if args.fail_on not in SEVERITIES:
        raise ToolError(f"--fail-on must be one of {', '.join(SEVERITIES)}, got {args.fail_on!r}")
    if args.examples is not None and args.examples < 1:
        raise ToolError(f"--examples must be at least 1, got {args.examples}")
    baseline_path = Path(args.baseline)
    history_path = Path(args.history) if args.history else history.default_path(baseline_path)
    baseline = baselines.load(baseline_path)  # before the run: a broken baseline costs no requests
    cfg = load_config(args)
    with contracts_from(cfg.contracts):  # the run and its drift judged by the same contracts
        return _drift(args, cfg, baseline, baseline_path, history_path, out)


def _drift(args: argparse.Namespace, cfg: Any, baseline: baselines.Baseline, baseline_path: Path, history_path: Path,
           out: TextIO) -> int:
    again = command_line(cfg).replace("photo-contracts run", "photo-contracts drift", 1)  # with its --baseline
    status, run = execute(cfg, out, command=again + (f" --fail-on {args.fail_on}" if args.fail_on != "breaking" else ""))
    if status == 130:
        print("photo-contracts: drift: the run was interrupted; baseline and history left unchanged", file=out)
        return 130
    observations = run.observations.as_dict()
    drift = run_drift(run)
    apis = list(cfg.apis)
    report_dir = Path(cfg.report_dir)

    print("", file=out)
    print(f"Drift against the contract: {len(drift)} ({_counts(drift)}); "
          f"listed in {report_dir / 'summary.json'} and on the dashboard, {report_dir / 'index.html'}", file=out)
    if not baseline.exists:
        print(f"Baseline {baseline_path} does not exist: compared with an empty baseline"
              + ("; --update-baseline creates it" if not args.update_baseline else ""), file=out)
    else:
        accepted = baseline.accepted(apis)
        same = [a for a in apis if baseline.digest(a) == baselines.digest(observations.get("apis", {}).get(a, {}))]
        changed = [a for a in apis if a not in same]
        print(f"Baseline {baseline_path}: {len(accepted)} accepted for {', '.join(apis)}; observed shapes "
              + (f"changed since it for {', '.join(changed)}" if changed else "unchanged since it"), file=out)
        if baseline.target and baseline.target != cfg.target:
            print(f"Note: the baseline was accepted on a {baseline.target} target, this run is {cfg.target}",
                  file=out)
    new, gone = baselines.changes(drift, baseline.accepted(apis))
    _section("New since the baseline", new, out)
    _section("Disappeared since the baseline", gone, out)

    threshold = SEVERITIES.index(args.fail_on)
    failing = [e for e in new if SEVERITIES.index(e["severity"]) <= threshold]
    # A new finding the baseline does not accept fails the nightly job as much as new drift does.
    new_findings = [f for f in run.findings if not f.accepted and gating(f.severity, cfg.strict)]
    code = 1 if (failing or new_findings) and not args.update_baseline else 0
    observed = any(run.ledger.totals(api).successes for api in apis)  # a rejection or a 404 shows nothing
    if not observed and not (failing or new_findings):  # a new 500 is still news, even with nothing else seen
        # Nothing was observed, so nothing can be compared: not a green night. The baseline is left as it was.
        for verdict in run.verdicts.values():
            if verdict.diagnosis:
                print(verdict.diagnosis, file=out)
        print("photo-contracts: drift: the run observed no successful answer to compare (inconclusive): exit 3; "
              "the baseline and history are left unchanged", file=out, flush=True)
        return 3
    partial = run.verdict == "inconclusive"
    if partial:  # what was observed is still compared: a change there is reported whatever else was unreached
        for verdict in run.verdicts.values():
            if verdict.diagnosis:
                print(f"Not everything was reached, the rest is compared: {verdict.diagnosis}", file=out)
    if new_findings:
        print(f"New findings not accepted by the baseline: {len(new_findings)} "
              f"(worst: {new_findings[0].check} on {new_findings[0].api} {new_findings[0].operation})", file=out)
    if args.update_baseline and partial:
        print(f"Baseline {baseline_path} left unchanged: the run was inconclusive, so what it observed is not the "
              "whole state to accept", file=out)
    elif args.update_baseline:
        baselines.save(baseline, cfg.target, drift, observations, apis, list(run.findings))
        print(f"Baseline {baseline_path} updated: {len(drift)} entries accepted for {', '.join(apis)}", file=out)

    result = build(run)  # the run's verdict and counts, as summary.json has them
    report = {"baseline": str(baseline_path), "fail_on": args.fail_on, "exit_code": code, "verdict": result.verdict,
              "totals": result.totals.as_dict(), "drift": drift, "new": new, "disappeared": gone}
    (report_dir / "drift.json").write_text(run.redactor.text(json.dumps(report, indent=2)) + "\n", encoding="utf-8")
    history.append(history_path, history_entry(run, observations, drift, new, gone, code, args.update_baseline,
                                               baseline_path))
    entries = history.read(history_path)
    timeline.write(report_dir / "drift-timeline.html", entries)
    print(f"History: {history_path} ({len(entries)} run{'s' * (len(entries) != 1)}); "
          f"timeline: {report_dir / 'drift-timeline.html'}", file=out)
    if failing and not args.update_baseline:
        print(f"{len(failing)} new drift entr{'ies' if len(failing) != 1 else 'y'} at or above {args.fail_on}: exit 1",
              file=out, flush=True)
    else:
        print(f"No new drift at or above {args.fail_on}" if not failing else
              f"{len(failing)} new entries at or above {args.fail_on} accepted", file=out, flush=True)
    return code
