"""Every finding, wherever it is reported (summary.json, JUnit, the HTML report, the console), says which
promise it rests on: the vendor's words, or an assumption; a failed assumption gates only with --strict."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest

from photo_contracts import config
from photo_contracts.runner import execute

pytestmark = pytest.mark.slow


def run(tmp_path, drift, strict=None):
    cfg = config.load(environ={}, overrides={"sandbox_drift": drift, "apis": [drift.split("-")[0]],
                                             "report_dir": tmp_path, "examples": 4, "strict": strict})
    out = io.StringIO()
    code, result = execute(cfg, out=out)
    return code, result, out.getvalue()


def test_every_reported_finding_names_its_source(tmp_path):
    code, result, output = run(tmp_path, "visitor-photo-truncated-jpeg")
    assert code == 1 and list(result.findings)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["findings"] and all(f["source"]["kind"] in ("documented", "assumed") for f in summary["findings"])
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    failures = [node.get("message", "") + (node.text or "")
                for node in ET.parse(tmp_path / "junit.xml").getroot().iter("failure")]
    assert failures
    for finding in result.findings:
        label = finding.source_label()
        assert label.startswith(("Documented (", "Assumed: "))
        head = label.split(":")[0]  # 'Documented (rfc9110' or 'Assumed': quotes are escaped in the page
        assert head in report, head
    assert all("Documented (" in text or "Assumed: " in text for text in failures)
    assert "Documented (" in output or "Assumed: " in output


def test_a_failed_assumption_is_a_notice_unless_strict(tmp_path):
    """thumbnail_not_larger_than_original rests on an assumption (no vendor states a thumbnail's size
    against its original): it is reported, and the gate stays open, unless --strict."""
    code, result, output = run(tmp_path / "plain", "fulcrum-thumbnail-larger-than-original")
    notices = [f for f in result.findings if f.check == "thumbnail_not_larger_than_original"]
    assert notices and all(f.severity == "notice" and f.source["kind"] == "assumed" for f in notices)
    assert code == 0 and "notice" in output.splitlines()[-1], output
    code, result, output = run(tmp_path / "strict", "fulcrum-thumbnail-larger-than-original", strict=True)
    assert code == 1 and any(f.severity == "breaking" for f in result.findings
                             if f.check == "thumbnail_not_larger_than_original"), output
