"""The entry script of the GitHub Action (`action.yml`): `python -m photo_contracts.ci_action`.

The action passes its inputs as environment variables (`INPUT_MODE`, `INPUT_APIS`, ...: the input's
name upper-cased, `-` as `_`; `INPUT_FAIL-ON`, as GitHub spells it for other kinds of action, is read
too). This script builds the `photo-contracts run` (mode `gate`) or `photo-contracts drift` (mode
`drift`) command line from them, runs it with its output streamed to the log, and then

- reads `summary.json` of the run for the verdict: conforms, findings, inconclusive, interrupted, or
  `error` when the command wrote none (usage or configuration errors, exit 2);
- appends `summary.md` of the run (in drift mode also what changed since the baseline) or a one-line
  error to the file named by `GITHUB_STEP_SUMMARY`;
- writes `verdict=`, `report-dir=` and `exit-code=` to the file named by `GITHUB_OUTPUT`;
- exits with the command's exit code (0 conforms, 1 findings or new drift, 2 error, 3 inconclusive,
  130 interrupted).

Mode `sources` watches the vendors' own words instead: `sources` names a directory of freshly saved
vendor documents, each named by the ref the contracts cite it with (`cloudcard-get-photo-list.html`,
`fulcrum-openapi-photos.json`). For each file and each API whose promises cite it, the script runs
`photo-contracts sources diff API REF FILE` (reports in `<report-dir>/sources/`), writes one table to the
step summary and exits with the worst exit code: 1 when a promise lost its words or the contract rejects
a new example, 2 when a file names no document any API cites.

Bad inputs (an unknown mode, drift without a baseline, ...) give one line and exit 2 before anything
runs. Run it locally with the same variables to see what the action would do.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Every input of action.yml, each read from INPUT_<NAME> (tests/test_ci_action.py keeps the two in sync).
INPUTS = ("mode", "apis", "target", "config", "fail-on", "baseline", "update-baseline", "history",
          "report-dir", "examples", "sandbox-drift", "seed", "sources")
MODES = {"gate": "run", "drift": "drift", "sources": "sources"}
# Inputs a sources job has no use for (the action's own defaults, `target: sandbox` and `update-baseline: false`,
# are fine): named, they are a mistake in the workflow.
NOT_FOR_SOURCES = ("config", "fail-on", "baseline", "history", "examples", "sandbox-drift", "seed")
FAIL_ON = ("breaking", "warning", "info")
VERDICTS = ("conforms", "findings", "inconclusive", "interrupted", "error")
MARKS = {"conforms": "✅", "findings": "❌", "inconclusive": "⚠️", "interrupted": "⏹️", "error": "⛔"}
SHOWN = 15  # new drift entries listed in the step summary; drift.json has them all
PREFIX = "photo-contracts action"


class BadInput(Exception):
    """An input the action cannot use: one line, exit 2."""


def env_name(name: str) -> str:
    return "INPUT_" + name.upper().replace("-", "_").replace(" ", "_")


def read_inputs(environ: Mapping[str, str]) -> dict[str, str]:
    values = {}
    for name in INPUTS:
        raw = environ.get(env_name(name))
        if raw is None:
            raw = environ.get("INPUT_" + name.upper(), "")  # INPUT_FAIL-ON
        values[name] = raw.strip()
    return values


def _flag(name: str, value: str) -> bool:
    if value.lower() in ("", "false", "0", "no", "off"):
        return False
    if value.lower() in ("true", "1", "yes", "on"):
        return True
    raise BadInput(f"{name} must be true or false, got {value!r}")


def _integer(name: str, value: str, minimum: int | None = None) -> str:
    if not re.fullmatch(r"-?\d+", value) or (minimum is not None and int(value) < minimum):
        raise BadInput(f"{name} must be {'an integer' if minimum is None else f'an integer >= {minimum}'}, "
                       f"got {value!r}")
    return str(int(value))


@dataclass(frozen=True)
class Plan:
    mode: str
    args: list[str]  # after `photo-contracts`
    report_dir: str
    sources: str = ""  # mode sources: the directory of saved vendor documents


def plan(inputs: Mapping[str, str]) -> Plan:
    """The command line for these inputs; BadInput for anything it cannot use."""
    for name, value in inputs.items():
        if "\n" in value and name != "apis":
            raise BadInput(f"{name} must be one line, got {value!r}")
    mode = inputs.get("mode") or "gate"
    if mode not in MODES:
        raise BadInput(f"mode must be gate or drift, got {mode!r} (or sources, with a directory of vendor documents)")
    if mode == "sources":
        return _sources_plan(inputs)
    if inputs.get("sources"):
        raise BadInput("sources applies to mode: sources (a directory of freshly saved vendor documents)")
    args = [MODES[mode]]
    for api in inputs.get("apis", "").replace(",", " ").split():
        args += ["--api", api]
    target = inputs.get("target", "")
    if target:
        if target not in ("sandbox", "live") and not (target.startswith("replay:") and len(target) > 7):
            raise BadInput(f"target must be sandbox, live or replay:DIR, got {target!r}")
        args += ["--target", target]
    if inputs.get("config"):
        args += ["--config", inputs["config"]]
    report_dir = inputs.get("report-dir") or "reports"
    args += ["--report-dir", report_dir]
    if inputs.get("sandbox-drift"):
        args += ["--sandbox-drift", inputs["sandbox-drift"]]
    if inputs.get("seed"):
        args += ["--seed", _integer("seed", inputs["seed"])]
    if inputs.get("examples"):
        args += ["--examples", _integer("examples", inputs["examples"], 1)]
    fail_on, baseline, history = inputs.get("fail-on", ""), inputs.get("baseline", ""), inputs.get("history", "")
    update = _flag("update-baseline", inputs.get("update-baseline", ""))
    if mode == "drift":
        if not baseline:
            raise BadInput("mode drift needs baseline: the accepted drift and findings (a JSON file; it need not "
                           "exist yet, and update-baseline: true creates it)")
        if fail_on and fail_on not in FAIL_ON:
            raise BadInput(f"fail-on must be one of {', '.join(FAIL_ON)}, got {fail_on!r}")
        args += ["--baseline", baseline] + (["--fail-on", fail_on] if fail_on else [])
        args += ["--history", history] if history else []
    else:
        if fail_on:
            raise BadInput(f"fail-on applies to mode: drift, got fail-on: {fail_on} with mode: gate (the gate fails "
                           "on every breaking or warning finding the baseline does not accept)")
        if history:
            raise BadInput("history applies to mode: drift (the gate keeps no history)")
        if update and not baseline:
            raise BadInput("update-baseline needs baseline: the file that receives the accepted findings")
        args += ["--baseline", baseline] if baseline else []
    args += ["--update-baseline"] if update else []
    return Plan(mode, args, report_dir)


def _sources_plan(inputs: Mapping[str, str]) -> Plan:
    directory = inputs.get("sources", "")
    if not directory:
        raise BadInput("mode sources needs sources: a directory of freshly saved vendor documents, each named by the "
                       "ref the contracts cite it with (e.g. cloudcard-get-photo-list.html)")
    named = [name for name in NOT_FOR_SOURCES if inputs.get(name)]
    if named:
        raise BadInput(f"{', '.join(named)} {'does' if len(named) == 1 else 'do'} not apply to mode: sources")
    if inputs.get("target", "") not in ("", "sandbox"):
        raise BadInput("target does not apply to mode: sources (it reads files, it calls no API)")
    if _flag("update-baseline", inputs.get("update-baseline", "")):
        raise BadInput("update-baseline does not apply to mode: sources")
    args = ["sources", "status", "--format", "json"]
    for api in inputs.get("apis", "").replace(",", " ").split():
        args += ["--api", api]
    return Plan("sources", args, inputs.get("report-dir") or "reports", directory)


def _documents(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise BadInput(f"sources: {directory} is not a directory")
    found = sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))
    if not found:
        raise BadInput(f"sources: {directory} holds no vendor document")
    return found


def _capture(command: list[str]) -> tuple[int, str, str]:
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace")
    sys.stderr.write(done.stderr)
    return done.returncode, done.stdout, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""


def sources_section(rows: list[dict[str, Any]]) -> str:
    """The step summary of a sources job: one row per document and API, then what lost its words."""
    worst = max((row["code"] for row in rows), default=0)
    verdict = {0: "conforms", 1: "findings"}.get(worst, "error")
    lines = [f"## {MARKS[verdict]} photo-contracts: the vendors' own words", "",
             "| document | API | exit | breaking | warning | info |", "|---|---|---|---|---|---|"]
    for row in rows:
        counts = row.get("summary") or {}
        lines.append(f"| {_code(row['file'])} | {_md(row['api'] or '-')} | {row['code']} | "
                     f"{counts.get('breaking', '-')} | {counts.get('warning', '-')} | {counts.get('info', '-')} |")
    for row in rows:
        if row.get("error"):
            lines += ["", f"- {_code(row['file'])}: {_md(row['error'])}"]
        breaking = [e for e in row.get("entries") or [] if e.get("severity") == "breaking"]
        if breaking:
            lines += ["", f"### {_md(row['ref'])} ({_md(row['api'])})", ""]
            for entry in breaking[:SHOWN]:
                where = entry["places"][0]["where"] if entry.get("places") else ""
                lines.append(f"- **breaking** {_md(entry['title'])}" + (f" at {_code(where)}" if where else "")
                             + f": {_code(entry.get('old', ''))} -> {_code(entry.get('new', ''))}")
            if len(breaking) > SHOWN:
                lines.append(f"- … and {len(breaking) - SHOWN} more in `{row['report']}`")
    lines += ["", "Exit 1: a promise the gate relies on lost its words, or the contract rejects a new example; "
                  "each report (md and html) is in the report directory under `sources/`."]
    return "\n".join(lines) + "\n"


def _run_sources(chosen: Plan, summary_file: str | None, output_file: str | None) -> int:
    """Mode sources: one `sources diff` per saved document and API that cites it."""
    python = [sys.executable, "-m", "photo_contracts.cli"]
    try:
        documents = _documents(Path(chosen.sources))
    except BadInput as exc:
        print(f"{PREFIX}: error: {exc}", file=sys.stderr, flush=True)
        _append(summary_file, f"{MARKS['error']} **photo-contracts: error**: bad action input: {_md(exc)}")
        _outputs(output_file, {"verdict": "error", "report-dir": chosen.report_dir, "exit-code": "2"})
        return 2
    code, out, last_error = _capture([*python, *chosen.args])
    try:
        statuses = json.loads(out)["apis"] if code == 0 else []
    except (ValueError, KeyError, TypeError):
        statuses = []
    if code != 0 or not statuses:
        _append(summary_file, f"{MARKS['error']} **photo-contracts: error**: {_code(shlex.join(chosen.args))} exited "
                              f"{code}: {_md(last_error)}")
        _outputs(output_file, {"verdict": "error", "report-dir": chosen.report_dir, "exit-code": "2"})
        return 2
    citing: dict[str, list[str]] = {}
    for entry in statuses:
        for source in entry.get("sources") or []:
            citing.setdefault(source["ref"], []).append(entry["api"])
    out_dir = Path(chosen.report_dir) / "sources"
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for document in documents:
        ref = document.name.split(".", 1)[0]
        if ref not in citing:
            close = ", ".join(sorted(citing))
            rows.append({"file": document.name, "ref": ref, "api": None, "code": 2,
                         "error": f"no API cites a vendor document named {ref!r} (name each file by the ref its "
                                  f"marks cite: {close})"})
            continue
        for api in citing[ref]:
            base = out_dir / f"{api}-{ref}"
            command = ["sources", "diff", api, ref, str(document)]
            print(f"{PREFIX}: {shlex.join(['photo-contracts', *command])}", flush=True)
            code, _, last_error = _capture([*python, *command, "--format", "json", "--output", f"{base}.json"])
            row: dict[str, Any] = {"file": document.name, "ref": ref, "api": api, "code": code,
                                   "report": f"{base}.md"}
            if code in (0, 1):
                report = _fresh_json(Path(f"{base}.json"), None) or {}
                row.update(summary=report.get("summary"), entries=report.get("entries"))
                for form in ("md", "html"):
                    _capture([*python, *command, "--format", form, "--output", f"{base}.{form}"])
            else:
                row.update(code=2, error=last_error or f"sources diff exited {code}")
            rows.append(row)
    worst = max(row["code"] for row in rows)
    verdict = {0: "conforms", 1: "findings"}.get(worst, "error")
    _append(summary_file, sources_section(rows))
    _outputs(output_file, {"verdict": verdict, "report-dir": chosen.report_dir, "exit-code": str(worst)})
    print(f"{PREFIX}: verdict {verdict}, exit code {worst}, reports in {out_dir}", flush=True)
    return worst


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _fresh_json(path: Path, before: tuple[int, int, int] | None) -> dict[str, Any] | None:
    """The file as this run wrote it; None when it is missing, unreadable or left over from an earlier run."""
    now = _signature(path)
    if now is None or now == before:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _md(value: Any) -> str:
    return re.sub(r"([\\`*_\[\]<>|#&!~])", r"\\\1", " ".join(str(value).split()))


def _code(value: str) -> str:
    return "`" + value.replace("`", "'") + "`"


def drift_section(drift: dict[str, Any], command: str) -> str:
    """What the drift command compared with the baseline, for the step summary (summary.md has the run)."""
    new, gone = drift.get("new") or [], drift.get("disappeared") or []
    counted = Counter(str(e.get("severity", "info")) for e in new)
    parts = ", ".join(f"{counted[s]} {s}" for s in FAIL_ON if counted[s]) or "none"
    lines = ["### Drift since the baseline", "",
             f"Baseline {_code(str(drift.get('baseline', '?')))}, fail-on {_code(str(drift.get('fail_on', '?')))}: "
             f"{len(new)} new ({parts}), {len(gone)} disappeared.", ""]
    for entry in new[:SHOWN]:
        where = f" [{_md(entry['response'])}]" if entry.get("response") else ""
        lines.append(f"- **{_md(entry.get('severity', 'info'))}** {_code(str(entry.get('kind', '?')))} "
                     f"{_code(str(entry.get('path', '')))} on {_code(str(entry.get('operation', '?')))} "
                     f"({_md(entry.get('api', '?'))}){where}")
    if len(new) > SHOWN:
        lines.append(f"- … and {len(new) - SHOWN} more in `drift.json`")
    if drift.get("exit_code") == 1:
        lines += ["", "Exit 1: new drift at or above fail-on, or a breaking or warning finding the baseline "
                      "does not accept (listed above)."]
    lines += ["", f"The action ran {_code(command)}."]
    return "\n".join(lines) + "\n"


def _append(path: str | None, text: str) -> None:
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")


def _outputs(path: str | None, values: dict[str, str]) -> None:
    _append(path, "".join(f"{key}={value}\n" for key, value in values.items()))


def _run(command: list[str]) -> tuple[int, str]:
    """Run the command with stdout on our stdout and stderr relayed line by line; (exit code, its last error)."""
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
                               bufsize=1)
    last_error = ""
    assert process.stderr is not None
    while True:
        try:
            for line in process.stderr:
                sys.stderr.write(line)
                sys.stderr.flush()
                if "error:" in line or "Error" in line:
                    last_error = line.strip()
            code = process.wait()
            return (128 - code if code < 0 else code), last_error  # killed by signal N: 128 + N, as a shell says
        except KeyboardInterrupt:  # a cancelled job: the command writes its reports and exits 130; wait for it
            continue


def main(environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    summary_file, output_file = environ.get("GITHUB_STEP_SUMMARY"), environ.get("GITHUB_OUTPUT")
    inputs = read_inputs(environ)
    try:
        chosen = plan(inputs)
    except BadInput as exc:
        print(f"{PREFIX}: error: {exc}", file=sys.stderr, flush=True)
        _append(summary_file, f"{MARKS['error']} **photo-contracts: error**: bad action input: {_md(exc)}")
        _outputs(output_file, {"verdict": "error", "report-dir": inputs.get("report-dir") or "reports",
                               "exit-code": "2"})
        return 2

    if chosen.mode == "sources":
        return _run_sources(chosen, summary_file, output_file)
    shown = shlex.join(["photo-contracts", *chosen.args])
    print(f"{PREFIX}: {shown}", flush=True)
    report_dir = Path(chosen.report_dir)
    before = {name: _signature(report_dir / name) for name in ("summary.json", "summary.md", "drift.json")}
    code, last_error = _run([sys.executable, "-m", "photo_contracts.cli", *chosen.args])

    summary = _fresh_json(report_dir / "summary.json", before["summary.json"])
    verdict = str(summary.get("verdict")) if summary else "error"
    if code == 2 or verdict not in VERDICTS:
        verdict = "error"  # exit 2 is a usage, configuration or connection error, whatever a report says

    markdown_path = report_dir / "summary.md"
    if verdict != "error" and _signature(markdown_path) not in (None, before["summary.md"]):
        text = markdown_path.read_text(encoding="utf-8")
        drift = _fresh_json(report_dir / "drift.json", before["drift.json"]) if chosen.mode == "drift" else None
        if drift is not None:
            text = text.rstrip("\n") + "\n\n" + drift_section(drift, shown)
        _append(summary_file, text)
    else:
        why = f": {_md(last_error)}" if last_error else ""
        _append(summary_file, f"{MARKS.get(verdict, '')} **photo-contracts: {verdict}**: {_code(shown)} exited "
                              f"{code}{why}" + (f" (no summary.md in {_code(chosen.report_dir)})"
                                                if verdict != "error" else ""))
    _outputs(output_file, {"verdict": verdict, "report-dir": chosen.report_dir, "exit-code": str(code)})
    print(f"{PREFIX}: verdict {verdict}, exit code {code}, reports in {chosen.report_dir}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
