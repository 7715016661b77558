"""The real schemathesis CLI, positive mode, every built-in check, against the faithful emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from photo_contracts.contracts import contract_path
from photo_contracts.sandbox import running
from photo_contracts.sandbox.autodesk_data import PROJECT_ID

pytestmark = pytest.mark.slow

# cursorState is opaque: only values the service put in pagination.nextPost are valid, and the
# documented answer to any other is 400. A generated one is therefore removed before the request
# is sent (in every phase), instead of excluding positive_data_acceptance for the whole operation.
# Following real cursors is proven in test_autodesk_emulator.py.
HOOKS = '''
import schemathesis


@schemathesis.hook
def before_call(context, case, kwargs):
    if isinstance(case.body, dict):
        case.body.pop("cursorState", None)
'''
# Pin the project to the dataset's, so generated filters reach the data instead of a 403
# (the 403 for other projects is covered in test_autodesk_emulator.py).
CONFIG = f'''
[parameters]
"path.projectId" = "{PROJECT_ID}"
'''


def test_schemathesis_finds_nothing(tmp_path: Path) -> None:
    hooks, config = tmp_path / "hooks.py", tmp_path / "schemathesis.toml"
    hooks.write_text(HOOKS, encoding="utf-8")
    config.write_text(CONFIG, encoding="utf-8")
    with running("autodesk") as sandbox:
        command = [
            sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color",
            "run", str(contract_path("autodesk")), "--url", sandbox.base_url,
            "--mode", "positive", "--checks", "all", "--seed", "20240601", "--max-examples", "40",
            "--generation-database", "none", "--report-dir", str(tmp_path / "report"),
            "-H", f"Authorization: Bearer {sandbox.token}",
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path,
                                env=dict(os.environ, SCHEMATHESIS_HOOKS=str(hooks)))
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout
