"""The real schemathesis CLI, plain `st run --mode positive` (default checks and phases, no hooks),
against the visitor emulator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from photo_contracts.contracts import contract_path, load_contract, with_absolute_refs
from photo_contracts.sandbox import Sandbox, running

pytestmark = pytest.mark.slow

SEED = 20240601
MAX_EXAMPLES = 25
# The one default check that disagrees with the vendor: `ignored_auth` expects 401/403 for a request
# without credentials, where VMSAlpha answers every error with HTTP 200. The vendor's words
# (sources/vendor-notes.md section 2, [C], citable): "Errors are returned with HTTP 200 and
# `application/json`: the status code alone never tells an error from an image"; the missing header
# is error "1190 (missing/malformed header)". Nothing else is excluded.
EXCLUDED_CHECKS = "ignored_auth"


def contract_for(sandbox: Sandbox, directory: Path) -> Path:
    """The visitor contract plus this sandbox's visitor IDs and login as examples.

    Random 40-hex IDs only ever reach error 3404; the examples make schemathesis also fetch real
    JPEG, PNG and BMP photos, thumbnails, the missing image (4515) and a token.
    """
    document = with_absolute_refs(load_contract("visitor"), contract_path("visitor"))
    examples = {f"visitor-{i}": {"value": visitor.id} for i, visitor in enumerate(sandbox.app.state.dataset)}
    examples["unknown"] = {"value": "0" * 40}  # and one that gets 3404
    document["components"]["parameters"]["visitorId"]["examples"] = examples
    form = document["paths"]["/v1/oauth/"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    form["example"] = {"username": "sandbox", "password": sandbox.token}
    path = directory / "visitor.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def schemathesis_run(sandbox: Sandbox, directory: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", str(contract_for(sandbox, directory)),
        "--url", sandbox.base_url,
        "--mode", "positive",
        "--exclude-checks", EXCLUDED_CHECKS,
        "-H", f"{sandbox.api.auth_header}: {sandbox.api.auth_value(sandbox.token)}",
        "--seed", str(SEED),
        "--max-examples", str(MAX_EXAMPLES),
        "--workers", "1",
    ]
    return subprocess.run(command, capture_output=True, text=True, cwd=directory, timeout=120)


def test_faithful_emulator_passes_every_builtin_check(tmp_path: Path) -> None:
    with running("visitor", seed=1) as sandbox:
        result = schemathesis_run(sandbox, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No issues found" in result.stdout, result.stdout


def test_the_same_run_fails_on_a_drifted_emulator(tmp_path: Path) -> None:
    # Proof that the run above can fail: the error code sent as a number breaks the error schema.
    with running("visitor", seed=1, drift="visitor-error-code-as-number") as sandbox:
        result = schemathesis_run(sandbox, tmp_path)
    assert result.returncode != 0, result.stdout
    assert "Response violates schema" in result.stdout, result.stdout
