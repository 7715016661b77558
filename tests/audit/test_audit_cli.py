"""`photo-contracts audit` as users meet it: REV:path on a real git repository, the three
formats, --output, and exit codes 1 (breaking), 0 (otherwise), 2 (bad input, one line)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from audit_helpers import BASE

from photo_contracts.cli import main

CONTRACT = "contracts/photos.yaml"
OWNER_NAME = "response 200 $.owner.name"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=audit", "-c", "user.email=audit@example.invalid",
                    "-c", "commit.gpgsign=false", *args], cwd=root, check=True, capture_output=True)


def edit_schema(root: Path, change) -> None:
    path = root / "schemas" / "photos" / "photo.json"
    schema = json.loads(path.read_text())
    change(schema)
    path.write_text(json.dumps(schema))


@pytest.fixture
def repo(fixture_tree: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """v1: the fixture; v2: `owner.name` removed from a schema file only; then an uncommitted
    edit in the work tree (`caption` removed) that no revision contains."""
    git(fixture_tree, "init", "-q")
    git(fixture_tree, "add", ".")
    git(fixture_tree, "commit", "-q", "-m", "v1")
    git(fixture_tree, "tag", "v1")
    edit_schema(fixture_tree, lambda s: s["$defs"]["owner"]["properties"].pop("name"))
    git(fixture_tree, "commit", "-q", "-am", "v2")
    git(fixture_tree, "tag", "v2")
    edit_schema(fixture_tree, lambda s: s["properties"].pop("caption"))
    monkeypatch.chdir(fixture_tree)
    return fixture_tree


def audit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["audit", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_revisions_resolve_refs_in_their_own_revision(repo: Path, capsys) -> None:
    code, out, _ = audit(capsys, f"v1:{CONTRACT}", f"v2:{CONTRACT}", "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert {(c["rule"], c["location"]) for c in report["changes"]} == {
        ("response-property-removed", OWNER_NAME),
        ("response-property-removed", "response 200 $.items[*].owner.name")}
    assert "caption" not in out  # the uncommitted edit is in no revision


def test_revision_against_the_work_tree(repo: Path, capsys) -> None:
    code, out, _ = audit(capsys, f"v2:{CONTRACT}", CONTRACT, "--format", "json")
    assert code == 1
    assert {c["location"] for c in json.loads(out)["changes"]} == {
        "response 200 $.caption", "response 200 $.items[*].caption"}


def test_revision_path_relative_to_the_current_directory(repo: Path, capsys,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "schemas")
    code, out, _ = audit(capsys, "v1:../contracts/photos.yaml", "v1:../contracts/photos.yaml")
    assert code == 0 and "No change found" in out


@pytest.mark.parametrize("old,message", [
    ("nosuchrev:contracts/photos.yaml", "unknown git revision 'nosuchrev'"),
    ("v1:contracts/nothere.yaml", "contracts/nothere.yaml does not exist in revision v1"),
    ("missing.yaml", "missing.yaml: no such file"),
])
def test_bad_revision_or_path_is_one_line_exit_2(repo: Path, capsys, old: str, message: str) -> None:
    code, out, err = audit(capsys, old, CONTRACT)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_revision_outside_a_repository(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = audit(capsys, f"HEAD:{CONTRACT}", str(BASE))
    assert code == 2 and "inside a git repository" in err


def test_mixing_kinds_is_a_usage_error(tmp_path: Path, capsys) -> None:
    observations = tmp_path / "observations.json"
    observations.write_text(json.dumps({"apis": {}}))
    code, out, err = audit(capsys, str(BASE), str(observations))
    assert code == 2 and out == ""
    assert "must both be contracts or both be observations" in err and err.count("\n") == 1


def test_neither_contract_nor_observations(tmp_path: Path, capsys) -> None:
    other = tmp_path / "other.json"
    other.write_text("[1, 2]")
    code, _, err = audit(capsys, str(other), str(other))
    assert code == 2 and "neither an OpenAPI contract nor an observations.json" in err


def test_dangling_ref_is_a_tool_error(crafted, capsys) -> None:
    new = crafted(lambda v: v.op("post", "/photos")["requestBody"]["content"]["application/json"].update(
        schema={"$ref": "../schemas/photos/gone.json"}))
    code, _, err = audit(capsys, str(BASE), str(new))
    assert code == 2 and "gone.json" in err and err.count("\n") == 1


def test_unknown_format_is_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["audit", str(BASE), str(BASE), "--format", "pdf"])
    assert exited.value.code == 2


def test_no_breaking_change_exits_0(crafted, capsys) -> None:
    new = crafted(lambda v: v.schemas["photo.json"]["properties"].update(height={"type": "integer"}))
    code, out, _ = audit(capsys, str(BASE), str(new))
    assert code == 0
    assert "0 breaking, 0 warnings, 2 info." in out and "## Info" in out and "## Breaking" not in out


def _mixed(v) -> None:
    v.schemas["photo.json"]["properties"].pop("caption")  # breaking, twice
    v.schemas["status.json"]["enum"].append("<archived>")  # warning, twice; needs escaping in HTML
    v.contract["paths"]["/photos/{id}"]["patch"] = {"responses": {"200": {"description": "ok"}}}  # info


def test_markdown_groups_by_severity_then_operation(crafted, capsys) -> None:
    code, out, _ = audit(capsys, str(BASE), str(crafted(_mixed)))
    assert code == 1
    assert out.index("## Breaking") < out.index("## Warning") < out.index("## Info")
    breaking = out[out.index("## Breaking"):out.index("## Warning")]
    assert "### GET /photos\n" in breaking and "### GET /photos/{id}\n" in breaking
    assert "- `response-property-removed` at response 200 $.caption: removed" in breaking
    assert "2 breaking, 2 warnings, 1 info." in out


def test_json_and_html(crafted, capsys, tmp_path: Path) -> None:
    new = str(crafted(_mixed))
    code, out, _ = audit(capsys, str(BASE), new, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["summary"] == {"breaking": 2, "warning": 2, "info": 1}
    assert report["kind"] == "contract"
    assert {"rule", "severity", "operation", "location", "message"} <= set(report["changes"][0])
    target = tmp_path / "audit.html"
    code, out, _ = audit(capsys, str(BASE), new, "--format", "html", "--output", str(target))
    page = target.read_text()
    assert code == 1 and out == ""
    assert page.startswith("<!DOCTYPE html>") and "&quot;&lt;archived&gt;&quot;" in page
    assert "<archived>" not in page and "response-property-removed" in page


def test_shipped_contract_against_a_copy_with_a_vendor_change(tmp_path: Path, capsys) -> None:
    """The real CloudCard contract: a schema file change under schemas/ is found through its $ref."""
    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "contracts", tmp_path / "contracts")
    shutil.copytree(root / "schemas", tmp_path / "schemas")
    photo = tmp_path / "schemas" / "cloudcard" / "photo.json"
    schema = json.loads(photo.read_text())
    schema["properties"]["width"]["type"] = "string"
    photo.write_text(json.dumps(schema))
    code, out, _ = audit(capsys, str(root / "contracts" / "cloudcard.yaml"),
                         str(tmp_path / "contracts" / "cloudcard.yaml"), "--format", "json")
    found = {(c["operation"], c["location"], c["rule"]) for c in json.loads(out)["changes"]}
    assert code == 1
    assert ("GET /photo/{id}", "response 200 $.width", "response-type-changed") in found
    assert ("GET /photo", "response 200 $[*].width", "response-type-changed") in found
