"""The GitHub Action (action.yml) and its entry script, run locally as the action runs it.

The script runs in a subprocess with its inputs as INPUT_* variables and temporary files for
GITHUB_STEP_SUMMARY and GITHUB_OUTPUT, in a temporary working directory (the workspace).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from photo_contracts import ci_action

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
WORKFLOWS = sorted((ROOT / "docs" / "ci").glob("*.yml"))


class Result:
    def __init__(self, code: int, log: str, summary: str, outputs: dict[str, str], workspace: Path) -> None:
        self.code, self.log, self.summary, self.outputs, self.workspace = code, log, summary, outputs, workspace

    def __repr__(self) -> str:  # what a failed assertion shows
        return f"exit {self.code}\n--- log\n{self.log[-4000:]}\n--- summary\n{self.summary[:2000]}\n--- {self.outputs}"


def run_action(workspace: Path, **inputs: str) -> Result:
    """The entry script as the action's step runs it: inputs as INPUT_* variables, in the workspace."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    env.update({ci_action.env_name(name.replace("_", "-")): value for name, value in inputs.items()})
    summary, outputs = workspace / "step-summary.md", workspace / "github-output.txt"
    summary.write_text("", encoding="utf-8")
    outputs.write_text("", encoding="utf-8")
    env.update(GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(outputs), PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-m", "photo_contracts.ci_action"], cwd=workspace, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    pairs = [line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines() if line]
    return Result(done.returncode, done.stdout + done.stderr, summary.read_text(encoding="utf-8"),
                  {k: v for k, v in pairs}, workspace)


# --- action.yml and the workflows that use it -------------------------------------------------------


def action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def script_step() -> dict[str, Any]:
    steps = [s for s in action()["runs"]["steps"] if "photo_contracts.ci_action" in s.get("run", "")]
    assert len(steps) == 1, "one step runs the entry script"
    return steps[0]


def test_action_yml_is_a_composite_action() -> None:
    data = action()
    assert data["runs"]["using"] == "composite"
    assert all(step.get("shell") == "bash" for step in data["runs"]["steps"] if "run" in step)
    install = data["runs"]["steps"][0]["run"]
    assert "pip install" in install and "$GITHUB_ACTION_PATH" in install
    assert data["inputs"]["mode"]["default"] == "gate"
    assert data["inputs"]["report-dir"]["default"] == "reports"


def test_every_input_reaches_the_script_by_its_env_name() -> None:
    declared = set(action()["inputs"])
    env = script_step()["env"]
    assert declared == set(ci_action.INPUTS), "action.yml inputs and ci_action.INPUTS differ"
    assert set(env) == {ci_action.env_name(name) for name in declared}
    for name in declared:
        assert env[ci_action.env_name(name)] == f"${{{{ inputs.{name} }}}}", name
    for step in action()["runs"]["steps"]:  # inputs go through env, never into the shell text
        assert "inputs." not in step.get("run", ""), step.get("name")


def test_every_output_is_one_the_script_writes(tmp_path: Path) -> None:
    step_id = script_step()["id"]
    outputs = action()["outputs"]
    assert set(outputs) == {"verdict", "report-dir", "exit-code"}
    for name, output in outputs.items():
        assert output["value"] == f"${{{{ steps.{step_id}.outputs.{name} }}}}"
    result = run_action(tmp_path, mode="nonsense")
    assert set(result.outputs) == set(outputs)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_docs_workflows_use_the_action_with_its_inputs(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    declared = set(action()["inputs"])
    uses = [step for job in workflow["jobs"].values() for step in job["steps"]
            if re.fullmatch(r"[\w.-]+/photo-contracts@[\w.-]+", step.get("uses", ""))]
    assert uses, f"{path.name} does not use the action"
    for step in uses:
        assert set(step.get("with", {})) <= declared, f"{path.name}: unknown inputs"
        assert not set(step.get("with", {})) - declared
    modes = {step["with"].get("mode", "gate") for step in uses}
    assert modes == ({"drift"} if "drift" in path.name else {"gate"})
    if "drift" in path.name:
        assert all(step["with"].get("baseline") for step in uses)


# --- the command line the inputs build ---------------------------------------------------------------


def test_inputs_become_the_command_line() -> None:
    gate = ci_action.plan({"apis": "visitor  fulcrum", "target": "live", "config": "live.toml",
                           "baseline": "gate/baseline.json", "examples": "3", "seed": "7", "report-dir": "r"})
    assert gate.args == ["run", "--api", "visitor", "--api", "fulcrum", "--target", "live", "--config", "live.toml",
                         "--report-dir", "r", "--seed", "7", "--examples", "3", "--baseline", "gate/baseline.json"]
    drift = ci_action.plan({"mode": "drift", "baseline": "s/b.json", "fail-on": "warning", "history": "s/h.jsonl",
                            "update-baseline": "true"})
    assert drift.args == ["drift", "--report-dir", "reports", "--baseline", "s/b.json", "--fail-on", "warning",
                          "--history", "s/h.jsonl", "--update-baseline"]
    assert ci_action.plan({}).args == ["run", "--report-dir", "reports"]


# --- bad inputs: one line, exit 2, before anything runs ------------------------------------------------


@pytest.mark.parametrize(("inputs", "says"), [
    ({"mode": "nightly"}, "mode must be gate or drift, got 'nightly'"),
    ({"mode": "drift"}, "mode drift needs baseline"),
    ({"mode": "drift", "baseline": "b.json", "fail-on": "notice"}, "fail-on must be one of breaking, warning, info"),
    ({"fail-on": "breaking"}, "fail-on applies to mode: drift"),
    ({"examples": "0"}, "examples must be an integer >= 1"),
    ({"target": "staging"}, "target must be sandbox, live or replay:DIR"),
    ({"update-baseline": "maybe", "baseline": "b.json"}, "update-baseline must be true or false"),
], ids=["unknown-mode", "drift-without-baseline", "bad-fail-on", "fail-on-in-gate", "examples", "target",
        "update-baseline"])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, inputs: dict[str, str], says: str) -> None:
    result = run_action(tmp_path, **inputs)
    assert result.code == 2, result
    assert result.log.strip().count("\n") == 0, result  # one line
    assert result.log.startswith("photo-contracts action: error: ") and says in result.log, result
    assert result.outputs == {"verdict": "error", "report-dir": "reports", "exit-code": "2"}
    assert result.summary.count("\n") == 1 and "photo-contracts: error" in result.summary and says.split(",")[0] \
        in result.summary.replace("\\", ""), result
    assert not (tmp_path / "reports").exists()


@pytest.mark.slow
def test_a_failing_command_is_an_error_not_a_stale_verdict(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "summary.json").write_text(json.dumps({"verdict": "conforms"}), encoding="utf-8")  # an earlier run
    (reports / "summary.md").write_text("## ✅ photo-contracts: conforms\n", encoding="utf-8")
    result = run_action(tmp_path, apis="cloudcrad", examples="1")
    assert result.code == 2, result
    assert result.outputs == {"verdict": "error", "report-dir": "reports", "exit-code": "2"}, result
    assert result.summary.startswith("⛔ **photo-contracts: error**: `photo-contracts run --api cloudcrad"), result
    assert "cloudcard" in result.summary and "conforms" not in result.summary, result  # the command's own line


# --- real runs against the sandboxes ---------------------------------------------------------------------


@pytest.mark.slow
def test_faithful_sandbox_gate_conforms(tmp_path: Path) -> None:
    result = run_action(tmp_path, mode="gate", apis="visitor", examples="2")
    assert result.code == 0, result
    assert result.outputs == {"verdict": "conforms", "report-dir": "reports", "exit-code": "0"}
    assert "photo-contracts: sandbox run of visitor" in result.log  # the command's output is streamed
    assert result.summary == (tmp_path / "reports" / "summary.md").read_text(encoding="utf-8")
    assert result.summary.startswith("## ✅ photo-contracts: conforms")
    assert "| VMSAlpha visitor photos (`visitor`) | ✅ **conforms** |" in result.summary
    assert "photo-contracts run --api visitor --seed 0 --examples 2" in result.summary
    assert (tmp_path / "reports" / "index.html").is_file()


@pytest.mark.slow
def test_drifted_sandbox_gate_reports_findings(tmp_path: Path) -> None:
    result = run_action(tmp_path, apis="visitor", examples="2", sandbox_drift="visitor-error-code-as-number",
                        report_dir="out/gate")
    assert result.code == 1, result
    assert result.outputs == {"verdict": "findings", "report-dir": "out/gate", "exit-code": "1"}
    assert result.summary.startswith("## ❌ photo-contracts: findings"), result
    assert "drift profile `visitor-error-code-as-number`" in result.summary
    assert "**breaking** `response_schema_conformance` on `GET /v1/photo/{visitorId}`" in result.summary
    assert json.loads((tmp_path / "out/gate/summary.json").read_text(encoding="utf-8"))["verdict"] == "findings"


@pytest.mark.slow
def test_nightly_drift_mode_fails_on_new_drift_and_says_what_changed(tmp_path: Path) -> None:
    result = run_action(tmp_path, mode="drift", apis="visitor", examples="2", fail_on="breaking",
                        sandbox_drift="visitor-error-code-as-number", baseline="state/baseline.json")
    assert result.code == 1, result
    assert result.outputs == {"verdict": "findings", "report-dir": "reports", "exit-code": "1"}
    assert "### Drift since the baseline" in result.summary, result
    assert "fail-on `breaking`: 2 new (2 breaking), 0 disappeared" in result.summary, result
    assert "- **breaking** `type-change` `$.errors.code` on `GET /v1/photo/{visitorId}` (visitor)" in result.summary
    assert "The action ran `photo-contracts drift --api visitor" in result.summary
    assert (tmp_path / "state" / "baseline.history.jsonl").is_file()
