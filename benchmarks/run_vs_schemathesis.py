"""`photo-contracts run` against plain `st run` on the same contract, the same sandbox, the same N.

    . .venv/bin/activate && python benchmarks/run_vs_schemathesis.py [--api NAME ...] [--examples N]

For each API, in one script run:
- photo-contracts: `photo-contracts run --api X --examples N --seed 0 --report-dir DIR`, timed as a
  whole process (its sandbox start, pytest, reports included); requests from summary.json
  (`apis.X.requests`: every request of its HTTP client, image downloads included);
- schemathesis: `photo-contracts sandbox --api X --token T` in its own process (its start-up
  timed separately), then `st run contracts/X.yaml --url BASE -H "<auth header>: <value>"
  --max-examples N --mode all --phases fuzzing --checks all --continue-on-failure --seed 0
  --suppress-health-check all --report ndjson`, timed as a whole process; requests counted from
  the NDJSON report (the interactions recorded by every ScenarioFinished event).
Then the full default run (`photo-contracts run`, all four APIs, default examples, the APIs at
the same time up to the cores), timed and compared with the sum of the four `st run` times
(sandbox start included), and the same run with `--jobs 1` (one API after the other).

Fuzzing only for st because photo-contracts generates from the schemas (positive and negative)
and explicit examples; no coverage or stateful phase. Markdown to stdout; JSON and the raw
reports under benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _sandbox import API_NAMES, RESULTS, ROOT, cli, start_sandbox  # noqa: E402

from photo_contracts.apis import get_api  # noqa: E402


def st_command() -> list[str]:
    found = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    return [found] if found else [sys.executable, "-m", "schemathesis.cli"]


def timed(command: list[str], log: Path) -> tuple[float, int]:
    started = time.perf_counter()
    with log.open("w") as out:
        code = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT).returncode
    return time.perf_counter() - started, code


def photo_contracts(api: str | None, examples: int | None, out: Path, jobs: int | None = None) -> dict[str, object]:
    command = [*cli(), "run", "--report-dir", str(out), *(["--jobs", str(jobs)] if jobs else [])]
    if api:
        command += ["--api", api, "--seed", "0"]
    if examples is not None:
        command += ["--examples", str(examples)]
    seconds, code = timed(command, out.with_suffix(".log"))
    summary = json.loads((out / "summary.json").read_text())
    requests = {name: data["requests"] for name, data in summary["apis"].items()}
    return {"seconds": round(seconds, 2), "exit": code, "requests": requests,
            "findings": len(summary["findings"]), "command": " ".join(command)}


def ndjson_requests(path: Path) -> int:
    total = 0
    with path.open() as events:
        for line in events:
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if finished:
                total += len(finished["recorder"]["interactions"])
    return total


def schemathesis(api: str, examples: int, out: Path) -> dict[str, object]:
    spec = get_api(api)
    out.mkdir(parents=True, exist_ok=True)
    report = out / "events.ndjson"
    started = time.perf_counter()
    with start_sandbox(api, token="bench-st-token") as sandbox:
        startup = time.perf_counter() - started
        name, value = sandbox.auth_header
        command = [*st_command(), "run", str(spec.contract), "--url", sandbox.base_url,
                   "-H", f"{name}: {value}", "--max-examples", str(examples), "--mode", "all",
                   "--phases", "fuzzing", "--checks", "all", "--continue-on-failure", "--seed", "0",
                   "--suppress-health-check", "all", "--report", "ndjson", "--report-ndjson-path", str(report),
                   "--no-color"]
        seconds, code = timed(command, out / "st.log")
    return {"seconds": round(seconds, 2), "sandbox_start": round(startup, 2), "exit": code,
            "requests": ndjson_requests(report), "command": " ".join(command).replace(value, "<token>")}


def per_request_ms(seconds: float, requests: int) -> float:
    return round(1000 * seconds / requests, 2) if requests else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--api", action="append", choices=API_NAMES, help="default: all four")
    parser.add_argument("--examples", type=int, default=25, help="N for both tools (default 25, the sandbox default)")
    parser.add_argument("--skip-full", action="store_true", help="skip the full default run")
    args = parser.parse_args()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work = RESULTS / f"run-vs-st-{stamp}"
    work.mkdir(parents=True, exist_ok=True)
    rows, records = [], []
    for api in args.api or API_NAMES:
        pc = photo_contracts(api, args.examples, work / f"pc-{api}")
        st = schemathesis(api, args.examples, work / f"st-{api}")
        pc_requests, st_requests = pc["requests"][api], st["requests"]  # type: ignore[index]
        st_total = st["seconds"] + st["sandbox_start"]  # type: ignore[operator]
        pc_cost, st_cost = per_request_ms(pc["seconds"], pc_requests), per_request_ms(st_total, st_requests)  # type: ignore[arg-type]
        record = {"api": api, "examples": args.examples, "photo_contracts": pc, "schemathesis": st,
                  "wall_ratio": round(pc["seconds"] / st_total, 2),  # type: ignore[operator]
                  "cost_per_request_ratio": round(pc_cost / st_cost, 2)}
        records.append(record)
        rows.append(f"| {api} | {args.examples} | {pc['seconds']} | {pc_requests} | {pc_cost} | {pc['exit']} "
                    f"| {st['seconds']} + {st['sandbox_start']} | {st_requests} | {st_cost} | {st['exit']} "
                    f"| {record['wall_ratio']} | {record['cost_per_request_ratio']} |")
        print(f"{api}: photo-contracts {pc['seconds']}s/{pc_requests} req, st {st_total:.2f}s/{st_requests} req",
              file=sys.stderr, flush=True)
    print("| API | N | photo-contracts s | requests | ms/request | exit | st s (+ sandbox start) | requests "
          "| ms/request | exit | wall ratio pc/st | cost/request ratio pc/st |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    full = sequential = None
    st_sum = round(sum(r["schemathesis"]["seconds"] + r["schemathesis"]["sandbox_start"] for r in records), 2)
    if not args.skip_full:
        full = photo_contracts(None, None, work / "pc-full")
        sequential = photo_contracts(None, None, work / "pc-full-jobs1", jobs=1)
        for label, result in (("Full default run", full), ("The same, --jobs 1", sequential)):
            total = sum(result["requests"].values())  # type: ignore[attr-defined]
            print(f"\n{label} (`photo-contracts run`, all four APIs): {result['seconds']} s, {total} requests, "
                  f"exit {result['exit']}; {round(result['seconds'] / st_sum, 2)} x the sum of the four st runs "
                  f"({st_sum} s)")
    (work / "results.json").write_text(json.dumps({
        "created": stamp, "cpus": os.cpu_count(), "python": platform.python_version(),
        "per_api": records, "st_sum_seconds": st_sum, "full_default_run": full,
        "full_default_run_jobs_1": sequential}, indent=2) + "\n")
    print(f"\n(results: {work.relative_to(ROOT)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
