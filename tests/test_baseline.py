"""Accepted-finding baselines: a known vendor quirk, accepted with a reason, does not fail the gate; a new
finding does; an expired acceptance counts as new; drift fails a nightly job on a new breaking finding too."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

DRIFT = "autodesk-size-as-string"  # a documented type broken: response_schema_conformance, breaking


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "photo_contracts.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def run(tmp_path: Path, baseline: Path, *extra: str, drift: str = DRIFT) -> subprocess.CompletedProcess[str]:
    return cli("run", "--api", "autodesk", "--sandbox-drift", drift, "--examples", "3", "--baseline", str(baseline),
               "--report-dir", str(tmp_path / "r"), *extra, cwd=tmp_path)


def edit(baseline: Path, **changes: object) -> None:
    data = json.loads(baseline.read_text(encoding="utf-8"))
    for entry in data["apis"]["autodesk"]["findings"]:
        entry.update(changes)
    baseline.write_text(json.dumps(data), encoding="utf-8")


def test_accept_then_expire_then_new(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    first = run(tmp_path, baseline)
    assert first.returncode == 1, first.stdout
    accepted = run(tmp_path, baseline, "--update-baseline")
    assert accepted.returncode == 0 and "findings accepted" in accepted.stdout, accepted.stdout + accepted.stderr
    edit(baseline, reason="vendor ticket 4711: size is a string until their March release")
    again = run(tmp_path, baseline)
    assert again.returncode == 0, again.stdout
    assert "accepted by the baseline" in again.stdout.splitlines()[-1]
    summary = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))
    assert summary["verdict"] == "conforms"
    assert all(f["accepted"]["reason"].startswith("vendor ticket 4711") for f in summary["findings"]
               if f["severity"] != "notice")

    edit(baseline, expires=(date.today() - timedelta(days=1)).isoformat())
    expired = run(tmp_path, baseline)
    assert expired.returncode == 1, expired.stdout  # an expired acceptance counts as new

    edit(baseline, expires=(date.today() + timedelta(days=30)).isoformat())
    other = run(tmp_path, baseline, drift="autodesk-new-media-type")
    assert other.returncode == 1, other.stdout  # a finding the baseline does not name is new


def test_drift_fails_on_a_new_breaking_finding_as_well_as_on_new_drift(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    accept = cli("drift", "--api", "autodesk", "--examples", "3", "--baseline", str(baseline), "--update-baseline",
                 "--report-dir", str(tmp_path / "r"), cwd=tmp_path)
    assert accept.returncode == 0, accept.stdout + accept.stderr
    # The vendor now answers every photos:filter with a 500: a breaking finding, and no shape drift to speak of.
    nightly = cli("drift", "--api", "autodesk", "--examples", "3", "--baseline", str(baseline),
                  "--sandbox-drift", "autodesk-filter-server-error", "--report-dir", str(tmp_path / "r"), cwd=tmp_path)
    assert nightly.returncode == 1, nightly.stdout
    assert "New findings not accepted by the baseline" in nightly.stdout


def test_a_broken_baseline_is_one_line_and_exit_2(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"format": 1, "apis": {"autodesk": {"accepted": [], "findings": [
        {"api": "autodesk", "operation": "GET /x", "check": "c", "reason": "r", "expires": "next week"}]}}}))
    result = run(tmp_path, baseline)
    assert result.returncode == 2 and "not a date" in result.stderr and "Traceback" not in result.stderr


def test_an_entry_keyed_by_array_index_accepts_the_finding_at_every_item():
    """Schema findings were keyed `$.photos[0]`; they are `$.photos[*]` now: an old baseline still accepts them."""
    from photo_contracts.drift.baseline import finding_key

    old = {"api": "fulcrum", "operation": "GET /v2/photos.json", "check": "response_schema_conformance",
           "json_path": "$.photos[0]"}
    assert finding_key(old) == finding_key({**old, "json_path": "$.photos[*]"})
