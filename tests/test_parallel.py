"""Several APIs at once, one process each: the same result as one after the other, one set of reports."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from photo_contracts import config, parallel
from photo_contracts.contracts import SCHEMAS_DIR
from photo_contracts.errors import ToolError
from photo_contracts.parallel import Snapshot, run_apart, workers
from photo_contracts.reporting.combined import write_merged_reports
from photo_contracts.result import build
from photo_contracts.runner import execute, write_main_pages

pytestmark = pytest.mark.slow

APIS = ["visitor", "autodesk"]
DRIFT = "autodesk-urls-as-string"  # one API drifted: its finding must reach the merged reports


def run(directory: Path, jobs: int, drift: str | None = DRIFT) -> tuple[int, dict, str]:
    cfg = config.load(environ={}, overrides={"apis": APIS, "report_dir": directory, "examples": 3, "jobs": jobs,
                                             "sandbox_drift": drift, "sandbox_token": "sandbox-token-c0ffee99"})
    out = io.StringIO()
    code, _ = execute(cfg, out=out)
    return code, json.loads((directory / "summary.json").read_text(encoding="utf-8")), out.getvalue()


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[tuple[int, dict, str], tuple[int, dict, str], Path]:
    parallel_dir = tmp_path_factory.mktemp("parallel")
    return run(tmp_path_factory.mktemp("sequential"), 1), run(parallel_dir, 2), parallel_dir


def finding_keys(summary: dict) -> list[tuple[str, str, str, str]]:
    return sorted((f["api"], f["operation"], f["check"], f["severity"]) for f in summary["findings"])


def test_parallel_run_finds_what_a_sequential_run_finds(both):
    (seq_code, sequential, _), (par_code, parallel, out), _ = both
    assert "2 at a time" in out
    assert seq_code == par_code == 1
    assert finding_keys(parallel) == finding_keys(sequential)
    assert any(f["api"] == "autodesk" and f["severity"] == "breaking" for f in parallel["findings"])
    for api in APIS:  # the same seed generates the same cases, whichever process runs them
        assert parallel["apis"][api]["requests"] == sequential["apis"][api]["requests"]
        assert parallel["apis"][api]["coverage"] == sequential["apis"][api]["coverage"]
        assert parallel["apis"][api]["verdict"] == sequential["apis"][api]["verdict"]
    assert parallel["apis"]["visitor"]["verdict"] == "conforms"
    assert parallel["verdict"] == sequential["verdict"] == "findings"


def test_parallel_run_writes_one_set_of_reports(both):
    _, (_, summary, _), directory = both
    schema = json.loads((SCHEMAS_DIR / "report" / "summary.json").read_text(encoding="utf-8"))
    jsonschema.validate(summary, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    suites = ET.parse(directory / "junit.xml").getroot()
    names = sorted(s.get("name") for s in suites.iter("testsuite"))
    assert names == [f"photo-contracts {api}" for api in sorted(APIS)]
    assert int(suites.get("tests")) == sum(int(s.get("tests")) for s in suites.iter("testsuite")) > 0
    assert int(suites.get("failures")) >= 1  # the drifted API's failing test
    logs = (directory / "report.html").read_text(encoding="utf-8")
    for api in APIS:  # each API's own complete report, linked from report.html
        for name in ("report.html", "junit.xml", "summary.json"):
            assert (directory / "apis" / api / name).is_file()
        assert f'href="apis/{api}/report.html"' in logs
    observed = json.loads((directory / "observations.json").read_text(encoding="utf-8"))
    assert sorted(observed["apis"]) == sorted(APIS)
    page = (directory / "index.html").read_text(encoding="utf-8")
    assert all(f'data-api="{api}"' in page for api in APIS)
    assert "sandbox-token-c0ffee99" not in page + logs + json.dumps(summary)


def test_a_run_in_one_process_names_its_junit_suite_as_a_merged_run_does(tmp_path):
    """`photo-contracts <api>` for one API (pytest's default was "pytest"), "photo-contracts" for several."""
    for apis, name in (["visitor"], "photo-contracts visitor"), (["visitor", "cloudcard"], "photo-contracts"):
        cfg = config.load(environ={}, overrides={"apis": apis, "jobs": 1, "examples": 2,
                                                 "report_dir": tmp_path / "-".join(apis)})
        execute(cfg, out=io.StringIO())
        suites = ET.parse(tmp_path / "-".join(apis) / "junit.xml").getroot().iter("testsuite")
        assert [s.get("name") for s in suites] == [name]


def test_a_child_that_dies_leaves_an_inconclusive_verdict(tmp_path, capfd):
    cfg = config.load(environ={}, overrides={"apis": APIS, "report_dir": tmp_path, "jobs": 2})

    def die(one: config.Config) -> tuple[int, object]:
        if one.apis == ("visitor",):
            os._exit(7)  # a crash of the interpreter, not an exception
        raise RuntimeError("the tool itself failed")

    merged = run_apart(cfg, die)
    assert "Traceback" not in capfd.readouterr().err
    assert merged.verdict == "inconclusive" and merged.exit_code == 3
    assert "exit code 7" in merged.verdicts["visitor"].diagnosis
    assert "RuntimeError: the tool itself failed" in merged.verdicts["autodesk"].diagnosis
    trace = (tmp_path / "apis" / "autodesk" / "error.txt").read_text(encoding="utf-8")  # in a file, not printed
    assert "Traceback" in trace and "the tool itself failed" in trace
    assert all(t.session.requests_sent == 0 for t in merged.targets.values())
    result = build(merged)
    write_merged_reports(merged, result, tmp_path, APIS)  # every report still has a row per API, with its diagnosis
    write_main_pages(result, cfg)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert sorted(summary["apis"]) == sorted(APIS)
    assert "exit code 7" in summary["apis"]["visitor"]["diagnosis"] and summary["apis"]["visitor"]["base_url"] is None
    for page in ("summary.md", "index.html"):
        assert "exit code 7" in (tmp_path / page).read_text(encoding="utf-8"), page


def test_a_tool_error_in_a_child_ends_the_run_as_in_one_process(tmp_path):
    cfg = config.load(environ={}, overrides={"apis": APIS, "report_dir": tmp_path, "jobs": 2})

    def refuse(one: config.Config) -> tuple[int, object]:
        raise ToolError(f"cannot start the {one.apis[0]} sandbox")

    with pytest.raises(ToolError, match="cannot start the (visitor|autodesk) sandbox"):
        run_apart(cfg, refuse)


def test_jobs_defaults_to_the_cores_and_never_splits_a_recording(tmp_path):
    cores = len(os.sched_getaffinity(0))
    assert workers(config.load(environ={}, overrides={"apis": APIS})) == min(2, cores)
    assert workers(config.load(environ={}, overrides={"apis": APIS, "jobs": 1})) == 1
    assert workers(config.load(environ={}, overrides={"apis": ["visitor"], "jobs": 4})) == 1
    assert workers(config.load(environ={}, overrides={"apis": APIS, "record": tmp_path / "rec"})) == 1
    with pytest.raises(Exception, match="jobs must be a whole number"):
        config.load(environ={}, overrides={"jobs": 0})
    assert Snapshot("visitor", 3).target is None


def test_a_child_past_the_run_deadline_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "GRACE", 0.5)
    cfg = config.load(environ={}, overrides={"apis": APIS, "report_dir": tmp_path, "jobs": 2})
    cfg = replace(cfg, limits=replace(cfg.limits, run_deadline=1.0))

    def hang(one: config.Config) -> tuple[int, object]:
        assert one.limits.run_deadline <= 1.0  # a child gets what is left of the run's deadline
        time.sleep(600)  # stuck where no request deadline reaches
        raise AssertionError("unreachable")

    started = time.monotonic()
    merged = run_apart(cfg, hang)
    assert time.monotonic() - started < 10
    assert merged.exit_code == 3
    assert all("did not finish within the run deadline" in v.diagnosis for v in merged.verdicts.values())


@pytest.mark.parametrize(("jobs", "group"), [("1", False), ("2", False), ("2", True)],
                         ids=["sequential", "parallel", "parallel-whole-group"])
def test_sigterm_stops_a_run_with_its_reports(tmp_path, jobs, group):
    """A cancelled CI job: the run stops like on Ctrl-C, exit 130, and leaves its reports: whether SIGTERM
    reaches the run alone or its whole process group (`timeout`, `kill -TERM -PGID`)."""
    command = [sys.executable, "-m", "photo_contracts.cli", "run", "--api", "fulcrum", "--api", "cloudcard",
               "--jobs", jobs, "--examples", "200", "--report-dir", str(tmp_path / "r")]
    # One pipe: a child that fills an unread stderr pipe would block, and the test with it.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    assert process.stdout is not None
    seen: list[str] = []
    try:
        for line in process.stdout:  # both children are under way once tests report progress
            seen.append(line)
            if ":positive" in line:
                break
        if group:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=120)
        out = "".join(seen) + rest
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 130, out[-4000:]
    assert "Traceback" not in out
    summary = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))
    assert summary["interrupted"] is True and summary["verdict"] == "interrupted"
    assert sorted(summary["apis"]) == ["cloudcard", "fulcrum"]  # no API lost on the way
    assert (tmp_path / "r" / "index.html").is_file()
