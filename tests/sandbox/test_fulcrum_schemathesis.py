"""Plain schemathesis against the faithful Fulcrum emulator: `st run --mode positive` with its default
checks and phases, no hooks and no configuration file. It must find nothing.

It once needed a hooks file (real JPEGs for `photo[file]`) and the coverage phase off for uploads:
the emulator answered a file that is no image with 422, which schemathesis rightly calls a
schema-valid request rejected. The docs promise nothing about such files (the form asks for "The
photo file."), so the emulator now accepts them and stores a placeholder picture in their place
(schemas/DISCREPANCIES.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from photo_contracts.contracts import contract_path
from photo_contracts.sandbox import running

pytestmark = pytest.mark.slow


def test_plain_schemathesis_positive_mode_finds_nothing(tmp_path: Path) -> None:
    with running("fulcrum", seed=7) as sandbox:
        header = "{}: {}".format(*next(iter(sandbox.auth_headers().items())))
        command = [
            sys.executable, "-m", "schemathesis.cli",
            "run", str(contract_path("fulcrum")),
            "--url", sandbox.base_url,
            "--mode", "positive",
            "-H", header,
            # A new connection per request: the sandbox's loopback sockets are not TCP_NODELAY,
            # and keep-alive would stall every response ~40 ms. It changes no check.
            "-H", "Connection: close",
            "--seed", "20240601",
            "--max-examples", "6",
            "--workers", "1",
            "--report-dir", str(tmp_path),
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMATHESIS_")} | {"NO_COLOR": "1"}
        result = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env, cwd=tmp_path)
        uploads = [p for p in sandbox.app.state.dataset.photos.values() if p.meta["record_id"] is None]
    assert result.returncode == 0, result.stdout + result.stderr
    # The run really uploaded (schemathesis' own bytes as photo[file]), not only got 4xx answers.
    assert uploads, result.stdout
