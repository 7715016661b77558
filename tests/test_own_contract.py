"""Bring your own contract: checks, drift, reports and audit all judge by the file the user names."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from photo_contracts.contracts import CONTRACTS_DIR

pytestmark = pytest.mark.slow

DOCUMENTED = {"ref": "autodesk-acc-photos-get-photo", "quote": "Body Structure (200)"}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "photo_contracts.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def require_rating(directory: Path) -> None:
    """The announced change: every media now carries `rating` (documented, so a missing one is breaking)."""
    path = directory / "schemas" / "autodesk" / "media.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["allOf"].append({"required": ["rating"], "x-source": DOCUMENTED})
    schema["properties"]["rating"] = {"type": "integer", "x-source": DOCUMENTED}
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")


def test_a_run_judges_by_the_named_contract_and_its_own_schemas(copy_contracts, tmp_path):
    contract = copy_contracts(tmp_path / "mine") / "autodesk.yaml"
    same = cli("run", "--api", "autodesk", "--examples", "2", "--contract", f"autodesk={contract}",
               "--report-dir", "same", cwd=tmp_path)
    assert same.returncode == 0, same.stdout[-2000:] + same.stderr
    assert f"autodesk: judged by your own contract {contract}" in same.stdout
    summary = json.loads((tmp_path / "same" / "summary.json").read_text(encoding="utf-8"))
    identity = summary["apis"]["autodesk"]["contract"]
    assert identity["path"] == str(contract) and identity["own"] is True
    assert identity["sha256"] == hashlib.sha256(contract.read_bytes()).hexdigest()
    assert str(contract) in (tmp_path / "same" / "index.html").read_text(encoding="utf-8")
    assert str(contract) in (tmp_path / "same" / "summary.md").read_text(encoding="utf-8")
    assert str(contract) in (tmp_path / "same" / "report.html").read_text(encoding="utf-8")  # the pytest-html log
    digest = summary["apis"]["autodesk"]["contract"]["sha256"]
    assert f'name="autodesk.contract" value="{contract} sha256:{digest} with-references:' in (
        tmp_path / "same" / "junit.xml").read_text(encoding="utf-8")

    require_rating(tmp_path / "mine")  # the schema beside the contract, not the built-in one, is what counts
    (tmp_path / "live.toml").write_text('[autodesk]\ncontract = "mine/contracts/autodesk.yaml"\n', encoding="utf-8")
    edited = cli("run", "--api", "autodesk", "--examples", "2", "--config", "live.toml", "--report-dir", "edited",
                 cwd=tmp_path)
    assert edited.returncode == 1, edited.stdout[-2000:] + edited.stderr
    findings = json.loads((tmp_path / "edited" / "summary.json").read_text(encoding="utf-8"))["findings"]
    rating = [f for f in findings if f["check"] == "response_schema_conformance" and "rating" in f["message"]]
    assert rating and rating[0]["severity"] == "breaking"
    edited_identity = json.loads((tmp_path / "edited" / "summary.json").read_text())["apis"]["autodesk"]["contract"]
    assert edited_identity["sha256"] == identity["sha256"]  # the YAML is the same file ...
    assert edited_identity["sha256_with_references"] != identity["sha256_with_references"]  # ... its schema is not

    builtin = cli("run", "--api", "autodesk", "--examples", "2", "--report-dir", "builtin", cwd=tmp_path)
    assert builtin.returncode == 0, builtin.stdout[-2000:]
    registered = json.loads((tmp_path / "builtin" / "summary.json").read_text())["apis"]["autodesk"]["contract"]
    assert registered["path"] == str(CONTRACTS_DIR / "autodesk.yaml") and registered["own"] is False
    assert registered["sha256"] == hashlib.sha256((CONTRACTS_DIR / "autodesk.yaml").read_bytes()).hexdigest()
    assert registered["sha256_with_references"] == identity["sha256_with_references"]  # an exact copy
    same_path = cli("run", "--api", "autodesk", "--examples", "1", "--report-dir", "named",
                    "--contract", f"autodesk={CONTRACTS_DIR / 'autodesk.yaml'}", cwd=tmp_path)
    assert same_path.returncode == 0  # naming the registered file itself is not "your own"
    assert json.loads((tmp_path / "named" / "summary.json").read_text())["apis"]["autodesk"]["contract"]["own"] is False


def test_drift_and_audit_read_the_named_contract(copy_contracts, tmp_path):
    contract = copy_contracts(tmp_path / "mine") / "autodesk.yaml"
    path = tmp_path / "mine" / "schemas" / "autodesk" / "media.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    del schema["properties"]["title"]  # the copy no longer documents `title`: what the sandbox sends drifts
    schema["allOf"][0]["required"].remove("title")
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    drift = cli("drift", "--api", "autodesk", "--examples", "2", "--contract", f"autodesk={contract}",
                "--baseline", "b.json", "--fail-on", "info", "--report-dir", "r", cwd=tmp_path)
    assert drift.returncode == 1, drift.stdout[-2000:] + drift.stderr
    entries = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))["drift"]
    assert any(e["kind"] == "undocumented-field" and e["path"] == "$.title" for e in entries), entries[:5]

    audit = cli("audit", str(CONTRACTS_DIR / "autodesk.yaml"), str(contract), cwd=tmp_path)
    assert audit.returncode == 1, audit.stdout + audit.stderr  # a documented response property went away
    assert "title" in audit.stdout
    assert cli("audit", str(CONTRACTS_DIR / "autodesk.yaml"), str(CONTRACTS_DIR / "autodesk.yaml"),
               cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(("args", "says"), [
    (["--contract", "autodesk=missing.yaml"], "the autodesk contract missing.yaml does not exist"),
    (["--contract", "autodesk"], "expected API=PATH"),
    (["--contract", "nosuchapi=x.yaml"], "unknown API 'nosuchapi'"),
    (["--api", "visitor", "--contract", "autodesk=x.yaml"], "this run does not check autodesk"),
])
def test_a_wrong_contract_is_one_line_and_exit_2(tmp_path, args, says):
    (tmp_path / "x.yaml").write_text("openapi: 3.1.0\npaths: {}\n", encoding="utf-8")
    result = cli("run", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]  # argparse's usage errors (API=PATH) follow its usage lines
    assert "usage:" in result.stderr or len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert says in last


def test_a_contract_that_is_not_openapi_is_one_line(tmp_path):
    (tmp_path / "bad.yaml").write_text("just: text\n", encoding="utf-8")
    result = cli("run", "--api", "visitor", "--contract", "visitor=bad.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "is not an OpenAPI document" in result.stderr, result.stderr


def test_the_vendors_own_openapi_as_the_contract_is_judged_honestly(tmp_path):
    """Fulcrum's official OpenAPI excerpt, a contract we did not write: its operations name the photo
    `photo_id` where the API's facts know real ids for `id`, so the detail reads only ever get 404. That is
    inconclusive, never "conforms", and no check crashes on the operations the facts name otherwise."""
    official = Path(str(resources.files("photo_contracts.sources") / "fulcrum-openapi-photos.json"))
    done = cli("run", "--api", "fulcrum", "--examples", "5", "--contract", f"fulcrum={official}",
               "--report-dir", "r", cwd=tmp_path)
    assert done.returncode == 3, done.stdout[-3000:] + done.stderr
    fulcrum = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))["apis"]["fulcrum"]
    assert fulcrum["verdict"] == "inconclusive" and fulcrum["contract"]["own"] is True
    assert "GET /v2/photos/{photo_id}.json" in fulcrum["diagnosis"] and "was 404" in fulcrum["diagnosis"]
    assert "facts know real ids for id, not for photo_id" in fulcrum["diagnosis"]  # what to do about it
    assert "error of photo-contracts itself" not in done.stdout
    assert fulcrum["coverage"]["GET /v2/photos.json"]["successes"] > 0  # what it could reach, it judged
    findings = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))["findings"]
    nulls = [f["message"] for f in findings if f["check"] == "response_schema_conformance" and "None" in f["message"]]
    assert nulls == []  # its `nullable: true` means "may be null" (latitude of a photo without GPS, say)
