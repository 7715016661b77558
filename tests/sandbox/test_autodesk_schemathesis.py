"""The real schemathesis CLI, plain: positive mode, its default checks and phases, no hooks,
against the faithful emulator. Whatever it generates from the contract, the emulator accepts.

cursorState needs no hook: filter-request.json states the cursor grammar as its pattern, and the
emulator accepts every string of it (tests/sandbox/test_autodesk_emulator.py proves both)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from photo_contracts.contracts import contract_path
from photo_contracts.sandbox import running
from photo_contracts.sandbox.autodesk_data import PROJECT_ID

pytestmark = pytest.mark.slow

# A parameter value, not a hook: pin the project to the dataset's, so generated requests reach the
# data instead of the 403 of a project the token cannot see (covered in test_autodesk_emulator.py).
CONFIG = f'''
[parameters]
"path.projectId" = "{PROJECT_ID}"
'''


def test_schemathesis_finds_nothing(tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    with running("autodesk") as sandbox:
        command = [
            sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color",
            "run", str(contract_path("autodesk")), "--url", sandbox.base_url,
            "--mode", "positive", "--seed", "20240601", "--max-examples", "40",
            "--generation-database", "none", "--report-dir", str(tmp_path / "report"),
            "-H", f"Authorization: Bearer {sandbox.token}",
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout
