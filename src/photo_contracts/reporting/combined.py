"""The top-level reports of a run whose APIs ran in processes of their own (parallel.py).

Each API's process wrote its complete report into `apis/<api>/`. Here the run's own directory gets
what spans them all: summary.json and observations.json of the merged result, one junit.xml holding
every API's test suite, and report.html pointing at each API's detailed pytest log."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from photo_contracts.reporting.dashboard import templates
from photo_contracts.reporting.summary import write_json, write_summary
from photo_contracts.result import RunResult

APIS_DIR = "apis"  # <report dir>/apis/<api>/: each API's own complete report
TOTALS = ("tests", "failures", "errors", "skipped")


def write_merged_reports(run: Any, result: RunResult, report_dir: Path, apis: list[str]) -> None:
    """`result`: the merged run's, built once (its drift in the merged order)."""
    write_summary(result, report_dir / "summary.json")
    write_json(report_dir / "observations.json", run.observations.as_dict(), run.redactor)
    merge_junit([report_dir / APIS_DIR / api / "junit.xml" for api in apis], report_dir / "junit.xml")
    rows = [{"name": api, "title": result.apis[api].title, "dir": f"{APIS_DIR}/{api}",
             "contract": result.apis[api].contract, "verdict": result.apis[api].verdict} for api in apis]
    page = templates().get_template("logs.html.j2").render(apis=rows, verdict=result.verdict)
    (report_dir / "report.html").write_text(result.redactor.text(page), encoding="utf-8")


def merge_junit(parts: list[Path], path: Path) -> None:
    """One JUnit file with the <testsuite> of every part (a part that is missing or broken is left out)."""
    merged = ET.Element("testsuites")
    totals = dict.fromkeys(TOTALS, 0)
    seconds = 0.0
    for part in parts:
        try:
            root = ET.parse(part).getroot()
        except (OSError, ET.ParseError):
            continue
        for suite in root.iter("testsuite"):
            suite.set("name", f"photo-contracts {part.parent.name}")
            merged.append(suite)
            for key in TOTALS:
                totals[key] += int(suite.get(key, 0))
            seconds += float(suite.get("time", 0))
    for key, value in totals.items():
        merged.set(key, str(value))
    merged.set("time", f"{seconds:.3f}")
    ET.ElementTree(merged).write(path, encoding="utf-8", xml_declaration=True)
