""""Does this break my integration?": a usage file says what the integration relies on; findings, drift and audit
changes elsewhere are info ("not used by your integration") and never gate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from photo_contracts.cli import main
from photo_contracts.contracts import CONTRACTS_DIR, SCHEMAS_DIR
from photo_contracts.usage import Usage, parse

READS_ID_AND_BYTES = {"cloudcard": {"GET /photo/{id}": {"reads": ["$.id", "$.links.bytes"]}}}


def write(tmp_path: Path, data: object, name: str = "usage.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def run(tmp_path: Path, profile: str, usage: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(["run", "--api", "cloudcard", "--sandbox-drift", profile, "--usage", str(usage), "--examples", "3",
                 "--jobs", "1", "--report-dir", str(tmp_path / profile)])
    capsys.readouterr()
    return code, json.loads((tmp_path / profile / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_a_field_the_integration_does_not_read_is_info_while_its_image_still_gates(tmp_path, capsys):
    usage = write(tmp_path, READS_ID_AND_BYTES)
    code, summary = run(tmp_path, "cloudcard-width-as-string", usage, capsys)
    assert code == 0 and summary["verdict"] == "conforms"
    width = [f for f in summary["findings"] if f.get("json_path") == "$.width"]
    assert width and all(f["severity"] == "info" and f["affects_integration"] is False for f in width)
    assert summary["usage"]["apis"] == READS_ID_AND_BYTES
    markdown = (tmp_path / "cloudcard-width-as-string" / "summary.md").read_text(encoding="utf-8")
    assert "#### Affects your integration (0)" in markdown and "not used by your integration" in markdown

    code, summary = run(tmp_path, "cloudcard-truncated-jpeg", usage, capsys)
    assert code == 1 and summary["verdict"] == "findings"  # $.links.bytes is the photo: its decoding matters
    gating = [f for f in summary["findings"] if f["severity"] in ("breaking", "warning")]
    assert gating and all(f["affects_integration"] is True and f["operation"] == "GET /photo/{id}" for f in gating)


def test_what_the_integration_relies_on_is_matched_by_path():
    usage = Usage(parse(READS_ID_AND_BYTES | {"fulcrum": {"GET /v2/photos.json": {"params": ["page"]}}}, "u"))
    detail = "GET /photo/{id}"
    assert usage.relies_on("cloudcard", detail, json_path="$.id") is True
    assert usage.relies_on("cloudcard", detail, json_path="$.width") is False
    assert usage.relies_on("cloudcard", detail, json_path="$", message="'id' is a required property") is True
    assert usage.relies_on("cloudcard", detail, json_path="$", message="'width' is a required property") is False
    assert usage.relies_on("cloudcard", detail, check="status_code_conformance") is True  # the answer as a whole
    assert usage.relies_on("cloudcard", detail, check="image_decodes") is True  # links.bytes is read
    assert usage.relies_on("cloudcard", "GET /photo", json_path="$[0].id") is False  # not called
    assert usage.relies_on("visitor", "GET /v1/photo/{visitorId}") is None  # not named: judged as without usage
    listing = "GET /v2/photos.json"
    assert usage.relies_on("fulcrum", listing, json_path="$.photos[2].exif") is True  # no reads: the whole answer
    assert usage.relies_on("fulcrum", listing, param="page") is True
    assert usage.relies_on("fulcrum", listing, param="per_page") is False
    assert usage.relies_on("fulcrum", listing, check="negative_data_rejection", message="Received 2xx for per_page") \
        is False


@pytest.mark.parametrize(("data", "words"), [
    ({"cloudcrad": {"GET /photo": None}}, "unknown API 'cloudcrad'; did you mean 'cloudcard'?"),
    ({"cloudcard": {"GET /photos": None}}, "cloudcard has no operation 'GET /photos'; did you mean 'GET /photo'?"),
    ({"cloudcard": {"GET /photo": {"params": ["maxx"]}}}, "GET /photo has no parameter 'maxx'; did you mean 'max'?"),
    ({"cloudcard": {"GET /photo/{id}": {"reads": ["$.lnks.bytes"]}}},
     "GET /photo/{id} documents no $.lnks.bytes; did you mean '$.links.bytes'?"),
    ({"cloudcard": {"GET /photo/{id}": {"read": ["$.id"]}}}, "unknown key 'read'; did you mean 'reads'?"),
    ("cloudcard: [unclosed", "not valid YAML"),
], ids=["api", "operation", "parameter", "path", "key", "yaml"])
def test_a_bad_usage_file_is_one_line_and_exit_2(tmp_path, capsys, data, words):
    code = main(["run", "--api", "cloudcard", "--usage", str(write(tmp_path, data)), "--report-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "summary.json").exists()  # refused before any request


def test_audit_says_which_changes_touch_the_integration(tmp_path, capsys):
    """"Can I upgrade?": a contract revision retypes width (unread) and status (read): only status gates."""
    for side in ("old", "new"):
        shutil.copytree(SCHEMAS_DIR, tmp_path / side / "schemas", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
        (tmp_path / side / "contracts").mkdir()
        shutil.copy(CONTRACTS_DIR / "cloudcard.yaml", tmp_path / side / "contracts" / "cloudcard.yaml")
    photo = tmp_path / "new" / "schemas" / "cloudcard" / "photo.json"
    schema = json.loads(photo.read_text(encoding="utf-8"))
    schema["properties"]["width"]["type"] = "string"
    photo.write_text(json.dumps(schema), encoding="utf-8")
    old, new = (str(tmp_path / side / "contracts" / "cloudcard.yaml") for side in ("old", "new"))
    assert main(["audit", old, new]) == 1  # without a usage file every breaking change gates
    capsys.readouterr()
    usage = write(tmp_path, READS_ID_AND_BYTES)
    assert main(["audit", old, new, "--usage", str(usage), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    changes = report["changes"]
    assert changes and all(c["severity"] == "info" and "not used by your integration" in c["message"]
                           for c in changes)
    assert report["usage"].startswith(f"Judged for the integration in {usage}: ")  # the report names the file
    assert main(["audit", old, new, "--usage", str(usage), "--format", "md"]) == 0
    assert f"Judged for the integration in {usage}: " in capsys.readouterr().out
    reads_width = write(tmp_path, {"cloudcard": {"GET /photo/{id}": {"reads": ["$.width"]}}}, "width.yaml")
    assert main(["audit", old, new, "--usage", str(reads_width), "--format", "json"]) == 1
    changes = json.loads(capsys.readouterr().out)["changes"]
    assert [c["operation"] for c in changes if c["severity"] == "breaking"] == ["GET /photo/{id}"]


@pytest.mark.slow
def test_drift_gates_only_on_what_the_integration_relies_on(tmp_path, capsys):
    usage = write(tmp_path, READS_ID_AND_BYTES)
    args = ["drift", "--api", "cloudcard", "--sandbox-drift", "cloudcard-width-as-string", "--examples", "3",
            "--jobs", "1", "--fail-on", "warning"]
    assert main([*args, "--baseline", str(tmp_path / "a.json"), "--report-dir", str(tmp_path / "a")]) == 1
    capsys.readouterr()
    assert main([*args, "--baseline", str(tmp_path / "b.json"), "--report-dir", str(tmp_path / "b"),
                 "--usage", str(usage)]) == 0
    capsys.readouterr()
    drift = json.loads((tmp_path / "b" / "drift.json").read_text(encoding="utf-8"))["drift"]
    width = [d for d in drift if d["path"].endswith(".width")]
    assert width and all(d["severity"] == "info" and d["affects_integration"] is False for d in width)
    page = (tmp_path / "b" / "index.html").read_text(encoding="utf-8")
    assert 'data-affects="no"' in page and "not used by your integration" in page
