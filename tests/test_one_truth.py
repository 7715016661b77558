"""One truth per run: every output of a run shows the numbers of its summary.json, under the same names.

The same drifted run (two APIs) is made in one process and in one process per API, and an interrupted run
in a subprocess; for each, the console, the dashboard, summary.md, the pytest-html log and junit.xml are
read back and every count they show is compared with summary.json's.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from photo_contracts import config
from photo_contracts.runner import execute
from reporting.reporting_helpers import Page

pytestmark = pytest.mark.slow

APIS = ["fulcrum", "visitor"]
DRIFT = "fulcrum-thumbnail-truncated"


def made(directory: Path, jobs: int) -> dict[str, Any]:
    cfg = config.load(environ={}, overrides={"apis": APIS, "report_dir": directory, "examples": 3, "jobs": jobs,
                                             "sandbox_drift": DRIFT, "seed": 0})
    out = io.StringIO()
    code, _ = execute(cfg, out=out)
    return {"code": code, "console": out.getvalue(), "dir": directory}


@pytest.fixture(scope="module", params=[1, 2], ids=["one-process", "process-per-api"])
def outputs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return made(tmp_path_factory.mktemp(f"jobs{request.param}"), request.param)


def summary_of(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "summary.json").read_text(encoding="utf-8"))


def console_rows(console: str, names: set[str]) -> dict[str, list[str]]:
    """The console's table: API -> verdict, requests, answers, 2xx, images decoded/fetched, findings, notices."""
    rows = {}
    for line in console.splitlines():
        cells = line.split()
        if len(cells) == 8 and cells[0] in names:
            rows[cells[0]] = cells[1:]
    return rows


def assert_console_agrees(console: str, summary: dict[str, Any]) -> None:
    rows = console_rows(console, set(summary["apis"]))
    assert set(rows) == set(summary["apis"]), console
    for name, api in summary["apis"].items():
        c = api["counts"]
        assert rows[name] == [api["verdict"], str(c["requests"]), str(c["answers"]), str(c["successes"]),
                              f"{c['images_decoded']}/{c['images_fetched']}", str(c["findings"]), str(c["notices"])]
    last = console.strip().splitlines()[-1]
    assert last.startswith(summary["verdict"])
    if summary["findings"]:
        t = summary["totals"]
        assert f"{t['gating']} gating finding" in last and f"{t['findings']} distinct in all" in last
        assert f"({len(summary['findings'])} distinct, seen {t['occurrences']} times)" in console


def assert_markdown_agrees(markdown: str, summary: dict[str, Any]) -> None:
    assert markdown.startswith("## ") and f"photo-contracts: {summary['verdict']}" in markdown.splitlines()[0]
    for name, api in summary["apis"].items():
        line = next(line for line in markdown.splitlines() if line.startswith("| ") and f"(`{name}`)" in line)
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        c = api["counts"]
        assert cells[1].endswith(f"**{api['verdict']}**")
        assert cells[2:6] == [str(c["requests"]), str(c["answers"]), str(c["successes"]),
                              f"{c['images_decoded']}/{c['images_fetched']}"]
        assert cells[6].startswith(f"{c['findings']}:")
    if summary["findings"]:
        assert f"### Findings ({len(summary['findings'])}, seen {summary['totals']['occurrences']} times)" in markdown
    for finding in summary["findings"][:25]:
        if finding["occurrences"] > 1:
            assert f"`{finding['check']}` on `{finding['operation']}` ({finding['api']}) · ×{finding['occurrences']} " \
                   "occurrences" in markdown


def number(text: str) -> int:
    return int(re.match(r"\s*(\d+)", text).group(1))  # type: ignore[union-attr]


def assert_dashboard_agrees(html: str, summary: dict[str, Any]) -> None:
    page = Page(html)
    assert page.one("header", cls="banner").attrs["data-verdict"] == summary["verdict"]
    for name, api in summary["apis"].items():
        row = page.one("li", cls="api-verdict", data_api=name)
        assert row.attrs["data-verdict"] == api["verdict"]
        c = api["counts"]
        shown = {e.attrs["data-count"]: e.text for e in page.within(row) if e.attrs.get("data-count")}
        assert number(shown["requests"]) == c["requests"]
        assert number(shown["answers"]) == c["answers"]
        assert number(shown["successes"]) == c["successes"]
        assert shown["images"].startswith(f"{c['images_decoded']}/{c['images_fetched']} ")
        assert number(shown["findings"]) == c["findings"]
        # the matrix: every documented operation has a row, with the ledger's answers and 2xx
        table = [e for e in page.find("tr") if e.attrs.get("data-operation")]
        rows = {e.attrs["data-operation"]: e.text for e in table}
        for operation, entry in api["coverage"].items():
            if entry["requests"]:
                assert operation in rows, operation
                assert f"{entry['answers']} · {entry['successes']} · {entry['images_decoded']}" in rows[operation]
    totals = summary["totals"]
    for severity, value in totals["by_severity"].items():
        shown = page.find("li", data_severity=severity)
        if value or severity in ("breaking", "warning", "notice"):
            assert shown and number(shown[0].text) == value, severity
    if summary["verdict"] == "findings":
        assert number(page.one(None, data_count="gating").text) == totals["gating"]
    gallery = page.one("section", id="gallery").text
    if summary["images"]["distinct"]:
        assert f"{summary['images']['distinct']} distinct image" in gallery
        assert f"({summary['images']['decoded']} decoded)" in gallery
    findings = page.find("article", cls="finding")
    assert len(findings) == len(summary["findings"])


def assert_log_agrees(directory: Path, summary: dict[str, Any]) -> None:
    """pytest-html's summary table of each API's log (and junit.xml's tests) against summary.json."""
    for name, api in summary["apis"].items():
        log = directory / "apis" / name / "report.html"
        log = log if log.exists() else directory / "report.html"
        page = Page(log.read_text(encoding="utf-8"))
        table = page.one("table", cls="pc-summary")
        row = next(e for e in page.within(table) if e.tag == "tr" and e.text.startswith(api_title(summary, name)))
        cells = [e.text for e in page.within(row) if e.tag == "td"]
        c = api["counts"]
        assert cells[1:11] == [api["verdict"], str(api["passed"]), str(api["failed"]), str(api["skipped"]),
                               str(c["requests"]), str(c["answers"]), str(c["successes"]),
                               f"{c['images_decoded']}/{c['images_fetched']}", str(c["findings"]),
                               next((s for s, n in c["by_severity"].items() if n), "-")]
    root = ET.parse(directory / "junit.xml").getroot()
    suites = list(root.iter("testsuite"))
    tests = sum(int(s.get("tests", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    assert skipped == sum(a["skipped"] for a in summary["apis"].values())
    assert tests >= sum(a["passed"] + a["failed"] + a["skipped"] for a in summary["apis"].values())


def api_title(summary: dict[str, Any], name: str) -> str:
    return {"fulcrum": "Fulcrum", "visitor": "VMSAlpha", "cloudcard": "CloudCard", "autodesk": "Autodesk"}[name]


def test_every_output_of_a_drifted_run_shows_the_summary_numbers(outputs):
    directory = outputs["dir"]
    summary = summary_of(directory)
    assert outputs["code"] == 1 and summary["verdict"] == "findings"
    for name, api in summary["apis"].items():  # the reference agrees with itself
        assert api["requests"] == api["counts"]["requests"] and api["findings"] == api["counts"]["findings"]
        assert api["findings"] == sum(1 for f in summary["findings"] if f["api"] == name)
        assert api["counts"]["answers"] == sum(e["answers"] for e in api["coverage"].values())
        assert api["counts"]["occurrences"] == sum(f["occurrences"] for f in summary["findings"] if f["api"] == name)
    assert summary["totals"]["findings"] == len(summary["findings"])
    assert_console_agrees(outputs["console"], summary)
    assert_markdown_agrees((directory / "summary.md").read_text(encoding="utf-8"), summary)
    assert_dashboard_agrees((directory / "index.html").read_text(encoding="utf-8"), summary)
    assert_log_agrees(directory, summary)


def test_a_finding_is_one_per_place_however_often_it_is_seen(outputs):
    summary = summary_of(outputs["dir"])
    keys = [(f["api"], f["operation"], f["check"], f.get("json_path")) for f in summary["findings"]]
    assert len(keys) == len(set(keys))
    assert any(f["occurrences"] > 1 for f in summary["findings"])  # a truncated thumbnail on every photo


def test_the_matrix_lists_every_documented_operation(outputs):
    """In one process or merged from several: every operation of each contract is a row, reached or not."""
    from photo_contracts.contracts import load_contract
    from photo_contracts.operations import operations

    page = Page((outputs["dir"] / "index.html").read_text(encoding="utf-8"))
    for name in APIS:
        table = page.one("table", cls="matrix", data_api=name)
        rows = {e.attrs["data-operation"] for e in page.within(table) if e.tag == "tr"
                and e.attrs.get("data-operation")}
        assert {op.name for op in operations(load_contract(name))} <= rows


def test_a_report_directory_holds_one_run(tmp_path):
    stale = tmp_path / "apis" / "cloudcard"
    stale.mkdir(parents=True)
    (stale / "summary.json").write_text("{}", encoding="utf-8")
    (tmp_path / "summary.md").write_text("old", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    cfg = config.load(environ={}, overrides={"apis": ["visitor"], "report_dir": tmp_path, "examples": 1, "jobs": 1})
    out = io.StringIO()
    execute(cfg, out=out)
    assert not stale.exists() and (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert "removed 2 report files of an earlier run" in out.getvalue()
    assert "old" not in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_an_interrupted_run_never_conforms_and_its_outputs_agree(tmp_path):
    """Ctrl-C in the middle of a run: an API whose tests did not all run is interrupted, never "conforms"
    (in one process the tests of both APIs interleave by kind, so neither has finished)."""
    report_dir = tmp_path / "r"
    process = subprocess.Popen(
        [sys.executable, "-m", "photo_contracts.cli", "run", "--api", "visitor", "--api", "cloudcard", "--jobs", "1",
         "--examples", "200", "--report-dir", str(report_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        for line in process.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("  cloudcard:") or time.monotonic() > deadline:
                break
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    console = "".join(lines) + rest
    assert process.returncode == 130, console
    summary = summary_of(report_dir)
    assert summary["verdict"] == "interrupted" and summary["interrupted"] is True
    assert summary["apis"]["cloudcard"]["verdict"] == "interrupted", summary["apis"]["cloudcard"]["diagnosis"]
    assert "conforms" not in {api["verdict"] for api in summary["apis"].values()}
    assert_console_agrees(console, summary)
    assert_markdown_agrees((report_dir / "summary.md").read_text(encoding="utf-8"), summary)
    assert_dashboard_agrees((report_dir / "index.html").read_text(encoding="utf-8"), summary)
    page = Page((report_dir / "index.html").read_text(encoding="utf-8"))
    from photo_contracts.contracts import load_contract
    from photo_contracts.operations import operations

    table = page.one("table", cls="matrix", data_api="cloudcard")
    rows = {e.attrs["data-operation"] for e in page.within(table) if e.attrs.get("data-operation")}
    assert {op.name for op in operations(load_contract("cloudcard"))} <= rows


def test_drift_json_carries_the_runs_verdict_and_counts(tmp_path):
    from photo_contracts.cli import main

    report_dir = tmp_path / "r"
    main(["drift", "--api", "visitor", "--examples", "2", "--jobs", "1", "--baseline", str(tmp_path / "b.json"),
          "--report-dir", str(report_dir)])
    drift = json.loads((report_dir / "drift.json").read_text(encoding="utf-8"))
    summary = summary_of(report_dir)
    assert drift["verdict"] == summary["verdict"] and drift["totals"] == summary["totals"]
    assert drift["drift"] == summary["drift"]
