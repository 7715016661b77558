"""No empty verdicts: a run that could not reach what it judges is inconclusive (exit 3) with one
diagnosis and its fix, never "conforms". Live runs against sandboxes started as the 'vendor'."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from photo_contracts import config
from photo_contracts.runner import execute
from photo_contracts.sandbox import running

pytestmark = pytest.mark.slow

VENDOR_TOKEN = "vendor-issued-token-7d21a9"


def live_run(tmp_path: Path, api: str, base_url: str, token: str, **table: Any) -> tuple[int, Any, str, dict]:
    lines = [f"[{api}]", f'base_url = "{base_url}"', 'token_env = "VENDOR_TOKEN"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in table.items()]
    lines += ["[limits]", "budget = 120", "rate = 1000", "retries = 0"]
    path = tmp_path / "live.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = config.load(path, overrides={"target": "live", "report_dir": tmp_path / "reports", "examples": 2},
                      environ={"VENDOR_TOKEN": token})
    out = io.StringIO()
    code, run = execute(cfg, out=out)
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text(encoding="utf-8"))
    return code, run, out.getvalue(), summary


def assert_inconclusive(code: int, output: str, summary: dict, api: str, *diagnosis: str) -> None:
    assert code == 3, output
    assert summary["verdict"] == "inconclusive" and summary["apis"][api]["verdict"] == "inconclusive"
    assert "conforms" not in output.splitlines()[-1], output
    for words in diagnosis:
        assert words in summary["apis"][api]["diagnosis"], summary["apis"][api]["diagnosis"]
        assert words in output


def test_a_rejected_credential_is_inconclusive_and_explains_the_other_findings(tmp_path):
    with running("fulcrum", token=VENDOR_TOKEN) as vendor:
        code, run, output, summary = live_run(tmp_path, "fulcrum", vendor.base_url, "revoked-token-000")
    assert_inconclusive(code, output, summary, "fulcrum", "every request answered 401",
                        "the credential in VENDOR_TOKEN is rejected")
    assert {f.check for f in run.findings} <= {"ignored_auth", "credentials_are_enforced"}
    assert "revoked-token-000" not in output and "revoked-token-000" not in json.dumps(summary)


def test_a_rejected_visitor_credential_is_named_by_its_error_code(tmp_path):
    """The visitor API answers a bad token with HTTP 200 and code 1403: no check blames the ids for it."""
    with running("visitor", token=VENDOR_TOKEN) as vendor:
        ids = vendor.api.emulator.sample_ids(vendor.app)["visitor_ids"]
        code, run, output, summary = live_run(tmp_path, "visitor", vendor.base_url, "revoked-token-000",
                                              visitor_ids=list(ids))
    assert_inconclusive(code, output, summary, "visitor", "every request answered 1403",
                        "the credential in VENDOR_TOKEN is rejected")
    assert not [f for f in run.findings if f.check == "unknown_id_is_documented_error"]


def test_a_bare_host_gets_the_documented_base_path_said_once(tmp_path):
    with running("fulcrum", token=VENDOR_TOKEN) as vendor:
        host = vendor.base_url.removesuffix("/api")
        code, run, output, summary = live_run(tmp_path, "fulcrum", host, VENDOR_TOKEN)
    assert output.count("has no path; using " + host + "/api") == 1, output
    assert run.targets["fulcrum"].base_url == host + "/api"
    assert summary["apis"]["fulcrum"]["verdict"] != "inconclusive", output


def test_every_operation_404_is_inconclusive_with_the_base_url_to_check(tmp_path):
    with running("fulcrum", token=VENDOR_TOKEN) as vendor:
        wrong = vendor.base_url.removesuffix("/api") + "/v1"
        code, _, output, summary = live_run(tmp_path, "fulcrum", wrong, VENDOR_TOKEN)
    assert_inconclusive(code, output, summary, "fulcrum", "every operation answered 404", f"check base_url ({wrong})")
    assert summary["findings"] == [] and "every operation answered 404 explains them" in output  # none built on 404s


def test_no_ids_is_inconclusive_and_names_the_key_to_set(tmp_path):
    """The visitor API has no listing: without visitor_ids a live run reaches no photo at all."""
    with running("visitor", token=VENDOR_TOKEN) as vendor:
        code, _, output, summary = live_run(tmp_path, "visitor", vendor.base_url, VENDOR_TOKEN)
    assert_inconclusive(code, output, summary, "visitor", "no request got a successful answer",
                        "list visitor_ids in the [visitor] table")


def test_ids_that_only_answer_errors_are_inconclusive(tmp_path):
    with running("visitor", token=VENDOR_TOKEN) as vendor:
        code, _, output, summary = live_run(tmp_path, "visitor", vendor.base_url, VENDOR_TOKEN,
                                            visitor_ids=["f" * 40, "e" * 40])
    assert_inconclusive(code, output, summary, "visitor", "no request got a successful answer", "3404")
    assert summary["apis"]["visitor"]["coverage"]["GET /v1/photo/{visitorId}"]["images_decoded"] == 0


def test_a_check_that_crashes_makes_the_run_inconclusive_never_conforms(tmp_path, monkeypatch):
    """An error of the tool itself judged nothing: the verdict says so instead of 'conforms'."""
    from photo_contracts.engine import Run

    def broken(self, target, probe):
        raise RuntimeError("a bug in a probe")

    monkeypatch.setattr(Run, "probe", broken)
    cfg = config.load(environ={}, overrides={"apis": ["autodesk"], "report_dir": tmp_path, "examples": 2})
    out = io.StringIO()
    code, run = execute(cfg, out=out)
    assert code == 3, out.getvalue()
    assert "error of photo-contracts itself" in run.verdicts["autodesk"].diagnosis


def test_a_nightly_drift_that_reached_nothing_is_not_green(tmp_path, capsys, monkeypatch):
    """drift on a rejected credential: nothing new because nothing was reached. Exit 3, baseline untouched."""
    from photo_contracts.cli import main

    with running("fulcrum", token=VENDOR_TOKEN) as vendor:
        path = tmp_path / "live.toml"
        path.write_text(f'[fulcrum]\nbase_url = "{vendor.base_url}"\ntoken_env = "VENDOR_TOKEN"\n'
                        "[limits]\nrate = 1000\nretries = 0\n", encoding="utf-8")
        monkeypatch.setenv("VENDOR_TOKEN", "revoked-token-000")
        code = main(["drift", "--target", "live", "--config", str(path), "--examples", "2",
                     "--baseline", str(tmp_path / "baseline.json"), "--report-dir", str(tmp_path / "r")])
    out = capsys.readouterr().out
    assert code == 3, out
    assert "inconclusive" in out and not (tmp_path / "baseline.json").exists()
