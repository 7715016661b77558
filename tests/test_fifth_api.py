"""A fifth API, defined entirely in tests/fifth_api/pc_fifth, registered through real entry-point metadata
and run, served, observed for drift and audited by the real command line, without a line of src/ knowing it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
import requests
from PIL import Image

FIFTH = Path(__file__).parent / "fifth_api"
CONTRACT = FIFTH / "pc_fifth" / "contract.yaml"
PROFILE = "fifth-picture-as-png"
PICTURE = "GET /pictures/{pictureId}"
OPERATIONS = ("GET /pictures", PICTURE)
EXAMPLES = "5"  # enough to reach both operations' 2xx and the picture; runs stay a few seconds each
TIMEOUT = 120
Done = subprocess.CompletedProcess[str]


def register(site: Path, distribution: str, entry: str) -> None:
    """An installed distribution's metadata, as pip would leave it: `entry` in the photo_contracts.apis group."""
    info = site / f"{distribution.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[photo_contracts.apis]\n{entry}\n", encoding="utf-8")


def environment(site: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join((str(site), str(FIFTH)))}


def cli(env: dict[str, str], cwd: Path, *args: str) -> Done:
    return subprocess.run([sys.executable, "-m", "photo_contracts.cli", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)


def start(env: dict[str, str], cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "photo_contracts.cli", *args], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen[str]) -> Done:
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:  # fails the test, and the process does not outlive it
        process.kill()
        process.communicate()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The fifth API installed (its metadata on the path), shared by every command of this module."""
    site = tmp_path_factory.mktemp("site")
    register(site, "pc-fifth", "fifth = pc_fifth:API")
    return environment(site)


@pytest.fixture(scope="module")
def runs(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Done]]:
    """The faithful run and the drift rehearsal, side by side (two cores): report dir and process of each."""
    cwd = tmp_path_factory.mktemp("runs")
    arguments = {"faithful": (), "drifted": ("--sandbox-drift", PROFILE)}
    started = {name: start(env, cwd, "run", "--api", "fifth", "--examples", EXAMPLES, "--report-dir", name, *extra)
               for name, extra in arguments.items()}
    return {name: (cwd / name, finished(process)) for name, process in started.items()}


def summary(report_dir: Path) -> dict:
    return json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_the_fifth_api_conforms_in_its_sandbox(runs):
    report_dir, done = runs["faithful"]
    assert done.returncode == 0, done.stdout + done.stderr
    fifth = summary(report_dir)["apis"]["fifth"]
    assert fifth["verdict"] == "conforms" and fifth["requests"] > 0
    coverage = fifth["coverage"]
    assert all(coverage[operation]["successes"] > 0 for operation in OPERATIONS), coverage
    assert coverage[PICTURE]["images_decoded"] > 0


@pytest.mark.slow
def test_its_drift_profile_is_caught_by_its_check_under_the_contracts_words(runs):
    report_dir, done = runs["drifted"]
    assert done.returncode == 1, done.stdout + done.stderr
    caught = [f for f in summary(report_dir)["findings"]
              if f["check"] == "content_type_conformance" and f["operation"] == PICTURE]
    assert caught, summary(report_dir)["findings"]
    assert all(f["severity"] in ("breaking", "warning") for f in caught)
    assert {(f["source"]["kind"], f["source"]["quote"]) for f in caught} == {
        ("documented", "Every picture is served as image/jpeg")}  # the x-source of its 200 in contract.yaml


def test_the_built_in_apis_stay_registered_beside_it(env, tmp_path):
    done = cli(env, tmp_path, "sandbox", "--list-drifts")
    assert done.returncode == 0, done.stderr
    listed = {line.split()[0] for line in done.stdout.splitlines()}
    assert PROFILE in listed
    for api in ("cloudcard", "visitor", "fulcrum", "autodesk"):
        assert any(name.startswith(f"{api}-") for name in listed), api


@pytest.mark.slow
def test_its_sandbox_serves_a_real_jpeg_and_stops_on_sigterm(env, tmp_path):
    process = start(env, tmp_path, "sandbox", "--api", "fifth", "--port", "0")
    try:
        first = process.stdout.readline()  # "fifth sandbox: http://127.0.0.1:PORT/v1 token=..."
        assert first.startswith("fifth sandbox: http://127.0.0.1:"), first + process.stderr.read()
        base_url, token = first.split()[2], first.split("token=")[1].strip()
        headers = {"Authorization": f"Bearer {token}"}
        listing = requests.get(f"{base_url}/pictures", headers=headers, timeout=10)
        picture_id = listing.json()["pictures"][0]["id"]
        picture = requests.get(f"{base_url}/pictures/{picture_id}", headers=headers, timeout=10)
        assert picture.headers["Content-Type"] == "image/jpeg"
        with Image.open(BytesIO(picture.content)) as image:
            image.load()
            assert image.format == "JPEG"
        assert requests.get(f"{base_url}/pictures/{picture_id}", timeout=10).status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        done = finished(process)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_drift_accepts_a_baseline_then_holds_it_and_catches_the_profile(env, tmp_path):
    baseline = str(tmp_path / "baseline.json")
    common = ("drift", "--api", "fifth", "--baseline", baseline, "--examples", EXAMPLES)
    accepted = cli(env, tmp_path, *common, "--update-baseline", "--report-dir", "accepted")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    # The nightly job (same baseline) and a drifted night, side by side.
    quiet, drifted = (start(env, tmp_path, *common, "--report-dir", name, *extra)
                      for name, extra in (("quiet", ()), ("drifted", ("--sandbox-drift", PROFILE))))
    quiet, drifted = finished(quiet), finished(drifted)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    new = json.loads((tmp_path / "drifted" / "drift.json").read_text(encoding="utf-8"))["new"]
    assert {(e["api"], e["operation"], e["severity"]) for e in new} == {("fifth", PICTURE, "breaking")}, new


def test_audit_names_a_breaking_edit_of_its_contract(env, tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(CONTRACT.parent, old)
    shutil.copytree(CONTRACT.parent, new)
    listing = new / "schemas" / "picture-list.json"
    schema = json.loads(listing.read_text(encoding="utf-8"))
    picture = schema["$defs"]["picture"]
    del picture["properties"]["orientation"]
    picture["required"].remove("orientation")
    listing.write_text(json.dumps(schema), encoding="utf-8")

    unchanged = cli(env, tmp_path, "audit", str(CONTRACT), str(old / "contract.yaml"))
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr
    edited = cli(env, tmp_path, "audit", str(CONTRACT), str(new / "contract.yaml"))
    assert edited.returncode == 1, edited.stdout + edited.stderr
    assert "response-property-removed" in edited.stdout and "orientation" in edited.stdout, edited.stdout


def test_a_broken_plugin_is_one_clear_line(tmp_path):
    site = tmp_path / "site"
    register(site, "pc-fifth", "fifth = pc_fifth:API")
    register(site, "pc-broken", "broken = pc_fifth:NO_SUCH_API")
    done = cli(environment(site), tmp_path, "sandbox", "--list-drifts", "--api", "broken")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and "broken = 'pc_fifth:NO_SUCH_API'" in done.stderr, done.stderr
    others = cli(environment(site), tmp_path, "sandbox", "--list-drifts")  # the broken one stops no other API
    assert others.returncode == 0 and "fifth-picture-as-png" in others.stdout, others.stderr
