"""Detection per request: what a live run costs and what it catches within a request budget, per dataset size.

For each API and each dataset size of `--size` (small 10, medium 60, large 500 photos per listing:
`sandbox.running(api, size=N, token=T)`) this starts the faithful sandbox as if it were the vendor,
writes the TOML a user would (base_url, token_env, the ids a user configures, `[limits] rate = 1000`)
and runs `photo-contracts` in live mode on it (`runner.execute`, in process):

1. a default live run (every limit at its default, `budget` 150): requests sent, the verdict, and where
   the requests went (the run's budget plan: each part's share and what it spent);
2. each drift profile that names a check (`sandbox.drift.catalog()`; "documented but different"
   variants are skipped) at each budget of `--budgets` (`[limits] budget = N`): did the profile's
   check report a finding (`any(f.check == profile.check for f in run.findings)`), requests used;
3. each profile missed at the largest budget once more at `--probe-budget` (1000). Missed there
   too: "not live-detectable". Caught there: the request count at which the check's first finding
   was recorded (`first_at`), and a run at exactly that budget to confirm it.

Writes benchmarks/results/live_detection.json, benchmarks/results/live_detection.md (the tables) and,
with --update-readme, the same tables into benchmarks/README.md between the live-detection markers.

    .venv/bin/python benchmarks/live_detection.py --update-readme
    .venv/bin/python benchmarks/live_detection.py --api fulcrum --budgets 50,150 --size medium
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
README = ROOT / "benchmarks" / "README.md"
BEGIN, END = "<!-- live_detection:begin -->", "<!-- live_detection:end -->"
API_NAMES = ["cloudcard", "visitor", "fulcrum", "autodesk"]
TOKEN = "bench-vendor-token-7d31a9"
RATE = 1000  # requests/s: the politeness limit would only make the benchmark slow
SIZES = {"small": 10, "medium": 60, "large": 500}  # photos per listing (visitors, for the visitor API)
USER_IDS = 10  # visitor ids a user lists in the configuration (the API has no listing to find more)


# --------------------------------------------------------------------------------------------
# One measurement (runs in a worker process)

def write_config(path: Path, api: str, base_url: str, ids: dict[str, Any], budget: int | None) -> None:
    lines = [f"[{api}]", f'base_url = "{base_url}"', 'token_env = "VENDOR_TOKEN"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in ids.items()]
    lines += ["", "[limits]", f"rate = {RATE}"]
    if budget is not None:
        lines.append(f"budget = {budget}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def user_ids(api: str, app: Any) -> dict[str, Any]:
    """The ids a user would configure: visitor_ids (visitor; at most USER_IDS of them, the one without an
    image first, as the emulator's sample lists them), project_id and deleted_ids (autodesk). CloudCard and
    Fulcrum list their photos, so a user configures none."""
    from photo_contracts.apis import get_api

    sample = getattr(get_api(api).emulator, "sample_ids", None)
    ids = sample(app) if sample else {}
    wanted = {"visitor": ("visitor_ids",), "autodesk": ("project_id", "deleted_ids")}.get(api, ())
    return {key: value[:USER_IDS] if isinstance(value, list) else value for key, value in ids.items()
            if key in wanted}


_first_at: dict[str, int] = {}


def _instrument() -> None:
    """Remember, per check, how many requests the session had sent when its first finding was
    recorded (a wrapper around `engine.Run.finding`, in this benchmark's process only)."""
    from photo_contracts import engine

    if getattr(engine.Run.finding, "_bench_wrapped", False):
        return
    original = engine.Run.finding

    def finding(self: Any, target: Any, operation: str, check: str, *args: Any, **kwargs: Any) -> Any:
        found = original(self, target, operation, check, *args, **kwargs)
        if found is not None and check not in _first_at:
            _first_at[check] = getattr(getattr(target, "session", None), "requests_sent", -1)
        return found

    finding._bench_wrapped = True  # type: ignore[attr-defined]
    engine.Run.finding = finding  # type: ignore[method-assign]


def measure(api: str, profile: str | None, check: str | None, budget: int | None, phase: str,
            keep: str | None, size: str = "default") -> dict[str, Any]:
    from photo_contracts import config
    from photo_contracts.runner import execute
    from photo_contracts.sandbox import running

    _instrument()
    _first_at.clear()
    result: dict[str, Any] = {"api": api, "profile": profile, "check": check, "budget": budget, "phase": phase,
                              "size": size}
    label = f"{profile or api + '-faithful'}-{size}-{budget if budget is not None else 'default'}"
    workdir = Path(keep) / label if keep else Path(tempfile.mkdtemp(prefix="pc-live-detect-"))
    workdir.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    started = time.monotonic()
    try:
        with running(api, drift=profile, token=TOKEN, size=SIZES.get(size)) as sandbox:
            path = workdir / "live.toml"
            write_config(path, api, sandbox.base_url, user_ids(api, sandbox.app), budget)
            cfg = config.load(path, overrides={"target": "live", "report_dir": workdir / "reports"},
                              environ={"VENDOR_TOKEN": TOKEN})
            code, run = execute(cfg, out=out)
        session = run.targets[api].session
        verdict = run.verdicts.get(api)
        checks = sorted({f.check for f in run.findings if f.api == api})
        result.update(
            code=code, requests=session.requests_sent, budget_hit=bool(session.budget_hit),
            verdict=getattr(verdict, "verdict", None), diagnosis=getattr(verdict, "diagnosis", None),
            caught=bool(check) and any(f.check == check for f in run.findings),
            first_at=_first_at.get(check) if check else None, checks_found=checks,
            findings=len(list(run.findings)),
        )
        plans = getattr(run, "plans", None) or {}
        if api in plans:  # where the requests went, part by part (the run's budget plan)
            result["plan"] = plans[api].as_dict()
    except BaseException as exc:  # noqa: BLE001 - a measurement that breaks is reported, not fatal
        result.update(error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc()[-2000:],
                      output_tail=out.getvalue()[-2000:])
    finally:
        result["seconds"] = round(time.monotonic() - started, 2)
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


# --------------------------------------------------------------------------------------------
# Orchestration

def profiles_of(apis: list[str]) -> list[Any]:
    from photo_contracts.sandbox.drift import catalog

    return [p for p in catalog().values() if p.api in apis and p.check is not None]


def run_all(tasks: list[tuple], workers: int, log: Any) -> list[dict[str, Any]]:
    """Each measurement in a fresh process: a run's generated cases depend on what ran before it in
    the same process (hypothesis state), so reusing a process would make one profile's figure
    depend on the order of the others. The forkserver has the modules imported already."""
    context = multiprocessing.get_context("forkserver")
    # _warm draws the sandboxes' pictures in the server (PC_BENCH_WARM): each child starts its sandbox warm.
    context.set_forkserver_preload(["photo_contracts.runner", "photo_contracts.sandbox", "photo_contracts.config",
                                    "_warm"])
    results = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, max_tasks_per_child=1) as pool:
        futures = [pool.submit(measure, *task) for task in tasks]
        for future in as_completed(futures):
            results.append(future.result())
            log(results[-1])
    return results


def log_line(result: dict[str, Any]) -> None:
    what = result["profile"] or f"{result['api']} (faithful, default)"
    budget = result["budget"] if result["budget"] is not None else "default"
    if "error" in result:
        state = f"ERROR {result['error']}"
    elif result["profile"]:
        state = f"{'caught' if result['caught'] else 'missed'} ({result['requests']} requests)"
    else:
        state = f"{result['verdict']} ({result['requests']} requests)"
    print(f"  [{result['phase']}] {what} ({result['size']}) @ {budget}: {state}, {result['seconds']} s", flush=True)


def summarise(apis: list[str], budgets: list[int], probe: int, results: list[dict[str, Any]],
              profiles: list[Any], size: str) -> dict[str, Any]:
    """Per API, for one dataset size: the default run, and each profile at each budget."""
    results = [r for r in results if r.get("size") == size]
    by_key = {(r["profile"], r["budget"], r["phase"]): r for r in results}
    top = max(budgets)
    summary: dict[str, Any] = {}
    for api in apis:
        default = next((r for r in results if r["api"] == api and r["phase"] == "default"), {})
        entry: dict[str, Any] = {
            "default_run": {k: default.get(k) for k in ("requests", "verdict", "code", "budget_hit", "findings",
                                                          "checks_found", "seconds", "error", "plan")},
            "profiles": {}, "budgets": {},
        }
        names = [p for p in profiles if p.api == api]
        skipped = write_or_login(api)
        not_detectable = []
        for profile in names:
            row: dict[str, Any] = {"check": profile.check, "operations": list(profile.operations), "by_budget": {},
                                   "write_or_login_only": all(op in skipped for op in profile.operations)}
            for budget in budgets:
                r = by_key.get((profile.name, budget, "budget"), {})
                row["by_budget"][str(budget)] = {k: r.get(k) for k in ("caught", "requests", "budget_hit",
                                                                        "first_at", "error")}
            probe_run = by_key.get((profile.name, probe, "probe"))
            if probe_run:
                row["probe"] = {k: probe_run.get(k) for k in ("budget", "caught", "requests", "first_at", "error")}
                if not probe_run.get("caught") and "error" not in probe_run:
                    row["live_detectable"] = False
                    not_detectable.append(profile.name)
                else:
                    row["live_detectable"] = bool(probe_run.get("caught"))
                    first = probe_run.get("first_at")
                    confirm = by_key.get((profile.name, first, "confirm")) if first else None
                    if confirm:
                        row["confirm"] = {k: confirm.get(k) for k in ("budget", "caught", "requests", "error")}
                    row["caught_at"] = first if confirm and confirm.get("caught") else probe
            else:
                caught_top = row["by_budget"].get(str(top), {}).get("caught")
                row["live_detectable"] = True if caught_top else None  # None: not probed (an error)
                if caught_top:  # the smallest budget from which every larger one catches it
                    row["caught_at"] = min(b for b in budgets
                                           if all(row["by_budget"][str(c)].get("caught") for c in budgets if c >= b))
            entry["profiles"][profile.name] = row
        detectable = [p.name for p in names if entry["profiles"][p.name].get("live_detectable") is not False]
        for budget in budgets:
            caught = [p.name for p in names if entry["profiles"][p.name]["by_budget"][str(budget)].get("caught")]
            entry["budgets"][str(budget)] = {
                "caught": len(caught), "live_detectable": len(detectable), "profiles": len(names),
                "missed": [n for n in [p.name for p in names] if n not in caught],
                "max_requests": max((entry["profiles"][n]["by_budget"][str(budget)].get("requests") or 0)
                                    for n in [p.name for p in names]) if names else 0,
            }
        entry["not_live_detectable"] = not_detectable
        entry["missed_at_top"] = [
            {"profile": n, "check": entry["profiles"][n]["check"], "caught_at": entry["profiles"][n].get("caught_at"),
             "first_at": (entry["profiles"][n].get("probe") or {}).get("first_at")}
            for n in entry["budgets"][str(top)]["missed"]
        ]
        summary[api] = entry
    return summary


def write_or_login(api: str) -> set[str]:
    """The contract's write and login operations ("POST /path"), which a default live run leaves out."""
    from photo_contracts.contracts import load_contract
    from photo_contracts.operations import operations

    return {f"{op.method.upper()} {op.path}" for op in operations(load_contract(api))
            if op.is_write or op.spec.get("security") == []}


def size_label(size: str) -> str:
    return f"{size} ({SIZES[size]})" if size in SIZES else size


def markdown(summaries: dict[str, dict[str, Any]], budgets: list[int], probe: int, meta: dict[str, Any]) -> str:
    top = max(budgets)
    lines = [
        f"### Figures, {meta['date']} ({meta['cores']} cores, Python {meta['python']}, commit {meta['commit']}"
        f"{' + local changes' if meta['dirty'] else ''}; {meta['seconds']:.0f} s with {meta['workers']} workers)",
        "",
        "\"caught\" counts the drift profiles whose named check reported a finding, out of all profiles with a",
        "check; \"max req\" is the most requests any of those runs used. Size: photos per listing (visitors for",
        f"the visitor API, of which the configuration lists {USER_IDS}).",
        "",
        "| API | size | default run: requests | verdict | profiles | "
        + " | ".join(f"caught @ {b}" for b in budgets) + f" | max req @ {top} |",
        "|---|---|---:|---|---:|" + "---:|" * len(budgets) + "---:|",
    ]
    for api in next(iter(summaries.values()), {}):
        for size, summary in summaries.items():
            entry = summary[api]
            default = entry["default_run"]
            first = entry["budgets"][str(budgets[0])]
            cells = [f"{entry['budgets'][str(b)]['caught']}/{entry['budgets'][str(b)]['profiles']}" for b in budgets]
            requests = default.get("requests") if default.get("error") is None else f"error: {default['error']}"
            lines.append(f"| {api} | {size_label(size)} | {requests} | {default.get('verdict')} | "
                         f"{first['profiles']} | " + " | ".join(cells)
                         + f" | {entry['budgets'][str(top)]['max_requests']} |")
    lines += ["", f"Profiles missed at a budget of {top}, and the budget that catches them "
              f"(the request count at which the check's first finding was recorded in a run at {probe}, "
              f"confirmed by a run at exactly that budget; \"not at {probe}\": not caught there either):", ""]
    missed = [(api, size, m) for size, summary in summaries.items() for api, entry in summary.items()
              for m in entry["missed_at_top"]]
    if missed:
        lines += ["| API | size | profile | check | caught at budget |", "|---|---|---|---|---:|"]
        for api, size, m in missed:
            row = summaries[size][api]["profiles"][m["profile"]]
            at = m["caught_at"] if row.get("live_detectable") is not False else f"not at {probe}"
            lines.append(f"| {api} | {size_label(size)} | `{m['profile']}` | {m['check']} | {at} |")
    else:
        lines.append("(none)")
    gone = [(api, size, n, summary[api]["profiles"][n]) for size, summary in summaries.items() for api in summary
            for n in summary[api]["not_live_detectable"]]
    if gone:
        lines += ["", f"Not caught even at a budget of {probe}:", ""]
        for api, size, name, row in gone:
            why = ("changes only write or login operations, which a live run leaves out" if row["write_or_login_only"]
                   else "changes a read-only operation")
            lines.append(f"- {api}, {size_label(size)}: `{name}` ({row['check']}; changes "
                         f"{', '.join(row['operations'])}; {why})")
    return "\n".join(lines) + "\n"


def detail(summaries: dict[str, dict[str, Any]], budgets: list[int]) -> str:
    """Every profile, per size: the smallest budget from which it is caught (at every larger budget too)."""
    sizes = list(summaries)
    lines = ["Every profile, per dataset size: the smallest of the budgets that catches it (and every larger one);",
             f"\"-\": missed at {max(budgets)}.", "",
             "| API | profile | check | " + " | ".join(size_label(s) for s in sizes) + " |",
             "|---|---|---|" + "---:|" * len(sizes)]
    first = next(iter(summaries.values()), {})
    for api, entry in first.items():
        for name, row in entry["profiles"].items():
            cells = []
            for size in sizes:
                runs = summaries[size][api]["profiles"][name]["by_budget"]
                if any(runs[str(b)].get("error") for b in budgets):
                    cells.append("error")
                    continue
                caught = [b for b in budgets if all(runs[str(c)].get("caught") for c in budgets if c >= b)]
                cells.append(str(min(caught)) if caught else "-")
            lines.append(f"| {api} | `{name}` | {row['check']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plans(summaries: dict[str, dict[str, Any]]) -> str:
    """Where the requests of each default live run went: the plan's parts, their shares and what they spent."""
    lines = ["Where the requests of a default live run (budget 150) go, per part of the plan: spent / share",
             "(a part's unspent share flows to the next; fuzzing, off by default on live targets, takes the rest).",
             ""]
    for size, summary in summaries.items():
        for api, entry in summary.items():
            plan = (entry["default_run"] or {}).get("plan")
            if not plan:
                continue
            parts = "; ".join(f"{p['part']} {p['spent']}/{p['share']}" for p in plan["parts"]
                              if p["share"] or p["spent"])
            lines.append(f"- {api}, {size_label(size)}: {plan['spent']} of {plan['budget']}: {parts}")
    return "\n".join(lines) + "\n" if len(lines) > 3 else ""


def update_readme(section: str) -> None:
    text = README.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{section}{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


def git_meta() -> tuple[str, bool]:
    import subprocess

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "src", "contracts",
                                     "schemas", "tests/conformance"], cwd=ROOT, capture_output=True,
                                    text=True).stdout.strip())
        return commit, dirty
    except (OSError, subprocess.CalledProcessError):
        return "unknown", False


def parse_sizes(text: str) -> list[str]:
    sizes = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES and s != "default"]
    if unknown:
        raise SystemExit(f"--size: unknown size {unknown[0]!r}; valid: {', '.join([*SIZES, 'default'])}")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api", action="append", choices=API_NAMES, help="repeatable; default all four")
    parser.add_argument("--size", default="small,medium,large",
                        help="comma-separated dataset sizes: small (10 photos per listing), medium (60), large (500), "
                             "default (the emulator's own); default small,medium,large")
    parser.add_argument("--budgets", default="50,100,150", help="comma-separated request budgets (default 50,100,150)")
    parser.add_argument("--probe-budget", type=int, default=1000,
                        help="budget for profiles missed at the largest budget; missed there too = not live-detectable")
    parser.add_argument("--workers", type=int, default=2, help="process pool size (default 2)")
    parser.add_argument("--out", type=Path, default=RESULTS / "live_detection.json")
    parser.add_argument("--keep-reports", type=Path, help="keep each run's reports under this directory")
    parser.add_argument("--update-readme", action="store_true",
                        help="write the tables into benchmarks/README.md (between the live-detection markers)")
    args = parser.parse_args(argv)
    apis = args.api or API_NAMES
    sizes = parse_sizes(args.size)
    budgets = sorted({int(b) for b in args.budgets.split(",") if b.strip()})
    probe, keep = args.probe_budget, str(args.keep_reports) if args.keep_reports else None
    started = time.monotonic()
    commit_at_start = git_meta()

    os.environ["PC_BENCH_WARM"] = ",".join(apis) + ";" + ",".join(
        str(SIZES[s]) if s in SIZES else "default" for s in sizes)
    profiles = profiles_of(apis)
    print(f"live detection: {', '.join(apis)}; {len(profiles)} profiles x budgets {budgets} x sizes {sizes}; "
          f"{args.workers} workers", flush=True)
    # Longest first (large datasets, Fulcrum and big budgets), so the two workers finish together.
    order = sorted(sizes, key=lambda s: SIZES.get(s, 0), reverse=True)
    tasks: list[tuple] = [(api, None, None, None, "default", keep, size) for size in order for api in apis]
    tasks += [(p.api, p.name, p.check, b, "budget", keep, size) for size in order
              for b in sorted(budgets, reverse=True) for p in profiles]
    results = run_all(tasks, args.workers, log_line)

    top = max(budgets)
    by_name = {p.name: p for p in profiles}
    missed = [(r["profile"], r["size"]) for r in results
              if r["phase"] == "budget" and r["budget"] == top and not r.get("caught") and "error" not in r]
    if missed:
        print(f"probing {len(missed)} profile run(s) missed at {top} with a budget of {probe}", flush=True)
        probes = run_all([(by_name[n].api, n, by_name[n].check, probe, "probe", keep, size) for n, size in missed],
                         args.workers, log_line)
        results += probes
        confirms = [(by_name[r["profile"]].api, r["profile"], r["check"], r["first_at"], "confirm", keep, r["size"])
                    for r in probes if r.get("caught") and r.get("first_at") and r["first_at"] > 0]
        if confirms:
            print(f"confirming {len(confirms)} first-finding budget(s)", flush=True)
            results += run_all(confirms, args.workers, log_line)

    elapsed = time.monotonic() - started
    summaries = {size: summarise(apis, budgets, probe, results, profiles, size) for size in sizes}
    commit, dirty = git_meta()
    if (commit, dirty) != commit_at_start:
        def state(c: str, d: bool) -> str:
            return c + (" + local changes" if d else "")
        print(f"warning: the code changed during the run ({state(*commit_at_start)} -> {state(commit, dirty)}); "
              "rerun for figures of one revision", file=sys.stderr)
    meta = {"commit_at_start": commit_at_start[0],
            "date": date.today().isoformat(), "cores": os.cpu_count(), "python": platform.python_version(),
            "commit": commit, "dirty": dirty, "seconds": elapsed, "workers": args.workers,
            "budgets": budgets, "probe_budget": probe, "rate": RATE, "sizes": {s: SIZES.get(s) for s in sizes},
            "command": " ".join([".venv/bin/python", "benchmarks/live_detection.py", *(argv or sys.argv[1:])])}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"meta": meta, "sizes": summaries, "runs": results}, indent=2) + "\n",
                        encoding="utf-8")
    section = markdown(summaries, budgets, probe, meta) + "\n" + detail(summaries, budgets)
    where = plans(summaries)
    if where:
        section += "\n" + where
    args.out.with_suffix(".md").write_text(section, encoding="utf-8")
    print()
    print(section)
    errors = [r for r in results if "error" in r]
    for r in errors:
        print(f"error: {r['profile'] or r['api']} ({r['size']}) @ {r['budget']}: {r['error']}", file=sys.stderr)
    if args.update_readme:
        update_readme(section)
        print(f"updated {README.relative_to(ROOT)}")
    print(f"wrote {args.out} ({elapsed:.0f} s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
