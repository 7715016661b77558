"""No secret leaves a run: not the token, not a signed URL's signature, in no report and no output;
and the object store (another host) never receives a credential."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from photo_contracts import config
from photo_contracts.runner import execute

pytestmark = pytest.mark.slow

TOKEN = "known-token-7c1e5a93b0d2"
REPORTS = ("report.html", "junit.xml", "summary.json")


RUNS = {
    "faithful": (["cloudcard", "autodesk"], None),
    # Runs with findings: their evidence (curl commands, response excerpts) is where secrets would leak.
    "autodesk-original-truncated": (["autodesk"], "autodesk-original-truncated"),
    "autodesk-auth-not-enforced": (["autodesk"], "autodesk-auth-not-enforced"),
    "fulcrum-auth-not-enforced": (["fulcrum"], "fulcrum-auth-not-enforced"),
    "visitor-photo-truncated-jpeg": (["visitor"], "visitor-photo-truncated-jpeg"),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_no_secret_leaves_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str], signatures: list[str],
                                  name: str) -> None:
    apis, drift = RUNS[name]
    # One API after the other, in this process: the test reads the sandboxes' object stores.
    cfg = config.load(environ={}, overrides={"apis": apis, "sandbox_drift": drift, "report_dir": tmp_path,
                                             "examples": 3, "sandbox_token": TOKEN, "jobs": 1})
    out = io.StringIO()
    code, run = execute(cfg, out=out)
    assert code == (0 if drift is None else 1), out.getvalue()
    for api in apis:
        target = run.targets[api]
        assert target.token == TOKEN  # the run really used the known token
        assert target.session.requests_sent > 0
        assert target.sandbox.store.credential_sightings == [], api
    if "autodesk" in apis:
        assert signatures, "no signed URL was issued: the test proves nothing about signatures"
        assert sum(t.sandbox.store.requests for t in run.targets.values()) > 0
    if drift:
        assert run.findings and any(f.request for f in run.findings)  # evidence was written
        header = run.targets[apis[0]].api.auth_header
        for finding in run.findings:  # ... a credential in it is masked; an auth probe shows none at all
            if finding.request and f"{header}:" in finding.request:
                assert "[REDACTED]" in finding.request, finding.request
        if not drift.endswith("auth-not-enforced"):
            for report in ("report.html", "summary.json"):
                assert "[REDACTED]" in (tmp_path / report).read_text(encoding="utf-8"), report
    printed = capsys.readouterr()
    texts = {"output": out.getvalue(), "stdout": printed.out, "stderr": printed.err}
    texts.update({report: (tmp_path / report).read_text(encoding="utf-8") for report in REPORTS})
    for where, text in texts.items():
        assert TOKEN not in text, f"the token appears in {where}"
        leaked = [s for s in set(signatures) if s in text]
        assert not leaked, f"a signed URL's signature appears in {where}"
        assert "SANDBOXKEY/" not in text, f"a signed URL's X-Amz-Credential appears in {where}"


def test_no_token_in_any_report_of_a_parallel_run(tmp_path: Path) -> None:
    """APIs run in processes of their own: neither their own reports nor the merged ones show the token."""
    cfg = config.load(environ={}, overrides={"apis": ["autodesk", "fulcrum"], "report_dir": tmp_path, "examples": 3,
                                             "sandbox_drift": "fulcrum-auth-not-enforced", "sandbox_token": TOKEN,
                                             "jobs": 2})
    out = io.StringIO()
    code, _ = execute(cfg, out=out)
    assert code == 1, out.getvalue()
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert {"index.html", "summary.md", "report.html"} <= {p.name for p in written}
    assert len([p for p in written if p.parent.parent.name == "apis"]) >= 8  # each API's own reports too
    for path in written:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert TOKEN not in text and "SANDBOXKEY/" not in text, path
