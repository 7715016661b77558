"""The action's mode `sources`: a directory of freshly saved vendor documents, one `sources diff` each."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sources_edits import SOURCES, as_html

from photo_contracts import ci_action


def run_action(workspace: Path, **inputs: str) -> tuple[int, str, str, dict[str, str]]:
    """The entry script as the action's step runs it (tests/test_ci_action.py does the same for run and drift)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    env.update({ci_action.env_name(name.replace("_", "-")): value for name, value in inputs.items()})
    summary, outputs = workspace / "step-summary.md", workspace / "github-output.txt"
    summary.write_text("", encoding="utf-8")
    outputs.write_text("", encoding="utf-8")
    env.update(GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(outputs), PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-m", "photo_contracts.ci_action"], cwd=workspace, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    pairs = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines() if line)
    return done.returncode, done.stdout + done.stderr, summary.read_text(encoding="utf-8"), pairs


def test_the_sources_mode_plans_a_status_first() -> None:
    plan = ci_action.plan({"mode": "sources", "sources": "vendor-docs", "apis": "cloudcard fulcrum",
                           "target": "sandbox", "update-baseline": "false"})
    assert (plan.mode, plan.sources, plan.report_dir) == ("sources", "vendor-docs", "reports")
    assert plan.args == ["sources", "status", "--format", "json", "--api", "cloudcard", "--api", "fulcrum"]


@pytest.mark.parametrize(("inputs", "says"), [
    ({"mode": "sources"}, "mode sources needs sources: a directory of freshly saved vendor documents"),
    ({"mode": "sources", "sources": "d", "baseline": "b.json"}, "baseline does not apply to mode: sources"),
    ({"mode": "sources", "sources": "d", "target": "live"}, "target does not apply to mode: sources"),
    ({"sources": "d"}, "sources applies to mode: sources"),
    ({"mode": "nightly"}, "mode must be gate or drift, got 'nightly' (or sources"),
])
def test_bad_sources_inputs(inputs: dict[str, str], says: str) -> None:
    with pytest.raises(ci_action.BadInput) as raised:
        ci_action.plan(inputs)
    assert says in str(raised.value)


def test_an_empty_directory_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    code, log, summary, outputs = run_action(tmp_path, mode="sources", sources="docs")
    assert code == 2 and "sources: docs holds no vendor document" in log, log
    assert outputs == {"verdict": "error", "report-dir": "reports", "exit-code": "2"}
    assert summary.count("\n") == 1 and "photo-contracts: error" in summary


@pytest.mark.slow
def test_a_nightly_job_fails_when_a_vendors_words_move(tmp_path: Path) -> None:
    docs = tmp_path / "vendor-docs"
    docs.mkdir()
    page = (SOURCES / "cloudcard-get-photo-list.txt").read_text(encoding="utf-8")
    (docs / "cloudcard-get-photo-list.html").write_text(
        as_html(page.replace("any integer between 0 and 1000", "any integer between 0 and 500")), encoding="utf-8")
    (docs / "fulcrum-openapi-photos.json").write_text((SOURCES / "fulcrum-openapi-photos.json").read_text())
    code, log, summary, outputs = run_action(tmp_path, mode="sources", sources="vendor-docs", apis="cloudcard fulcrum",
                                             report_dir="out")
    assert code == 1, log
    assert outputs == {"verdict": "findings", "report-dir": "out", "exit-code": "1"}
    assert summary.startswith("## ❌ photo-contracts: the vendors' own words")
    assert "| `cloudcard-get-photo-list.html` | cloudcard | 1 | 1 | 0 | 0 |" in summary, summary
    assert "| `fulcrum-openapi-photos.json` | fulcrum | 0 | 0 | 0 | 0 |" in summary, summary
    assert "Allowable Values: any integer between 0 and 500" in summary
    for name in ("cloudcard-cloudcard-get-photo-list", "fulcrum-fulcrum-openapi-photos"):
        assert all((tmp_path / "out" / "sources" / f"{name}.{form}").is_file() for form in ("md", "html", "json"))


@pytest.mark.slow
def test_a_file_named_after_no_document_is_an_error(tmp_path: Path) -> None:
    docs = tmp_path / "vendor-docs"
    docs.mkdir()
    (docs / "cloudcard-get-photo-lst.html").write_text("<p>hello</p>", encoding="utf-8")
    code, log, summary, outputs = run_action(tmp_path, mode="sources", sources="vendor-docs", apis="cloudcard")
    assert code == 2 and outputs["verdict"] == "error", log
    assert "no API cites a vendor document named 'cloudcard-get-photo-lst'" in summary
