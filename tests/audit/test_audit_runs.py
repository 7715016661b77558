"""Run-to-run audits of real sandbox runs: two faithful runs are the same, a drifted run is not.

Each faithful run binds its own ephemeral ports, signs its image URLs at its own time and stamps
what it creates with the wall clock: none of that may come back as a change.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from photo_contracts.cli import main

pytestmark = pytest.mark.slow

# API, a drift profile of its sandbox, and the change that profile must still be reported as
CASES = [
    ("fulcrum", "fulcrum-file-size-as-string",
     ("observed-type-changed", "GET /v2/photos", "response 200 $.photos[*].file_size")),
    ("autodesk", "autodesk-taken-at-not-iso",
     ("observed-string-format-changed", "POST /projects/{projectId}/photos:filter",
      "response 200 $.results[*].takenAt")),
]


def run(directory: Path, api: str, *drift: str) -> Path:
    """A whole `photo-contracts run`, in its own process as users run it."""
    done = subprocess.run([sys.executable, "-c", "import sys; from photo_contracts.cli import main; sys.exit(main())",
                           "run", "--api", api, "--examples", "3", "--seed", "7", "--report-dir", str(directory),
                           *drift], capture_output=True, text=True, timeout=240)
    assert done.returncode in (0, 1) and (directory / "observations.json").exists(), done.stdout + done.stderr
    return directory


def audit(capsys, old: Path, new: Path) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["audit", str(old), str(new), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(("api", "profile", "change"), CASES, ids=[c[0] for c in CASES])
def test_two_faithful_runs_are_the_same_and_a_drifted_one_is_not(tmp_path, capsys, api, profile, change):
    first, second = run(tmp_path / "a", api), run(tmp_path / "b", api)
    assert (first / "observations.json").read_text() != (second / "observations.json").read_text()  # ports, clocks
    code, report = audit(capsys, first, second)
    assert (code, report["summary"], report["changes"]) == (0, {"breaking": 0, "warning": 0, "info": 0}, [])
    assert report["kind"] == "observations"

    drifted = run(tmp_path / "drifted", api, "--sandbox-drift", profile)
    code, report = audit(capsys, first, drifted)
    found = {(c["rule"], c["operation"], c["location"]) for c in report["changes"]}
    assert change in found and code == 1
    assert not [c for c in report["changes"] if c["rule"] == "observed-enum-value-new"], report["changes"]
