"""`photo-contracts sources`: bad input is one line and exit 2, reports go where asked, a contract of the
user's own is judged, `status` counts the promises and names the copies and the weak anchors."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from sources_edits import SOURCES
from sources_helpers import diff, sources

from photo_contracts.cli import parser
from photo_contracts.sources_command import copy_of, manifest

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
LIST_PAGE = SOURCES / "cloudcard-get-photo-list.txt"


@pytest.mark.parametrize(("args", "says"), [
    (("diff", "cloudcrad", "cloudcard-get-photo-list", LIST_PAGE),
     "unknown API 'cloudcrad'; did you mean 'cloudcard'? valid names: "),
    (("diff", "cloudcard", "cloudcard-get-photo-lst", LIST_PAGE),
     "cloudcard cites no vendor document 'cloudcard-get-photo-lst'; did you mean 'cloudcard-get-photo-list'"),
    (("diff", "cloudcard", "fulcrum-photos", LIST_PAGE), "cloudcard cites no vendor document 'fulcrum-photos'"),
    (("diff", "fulcrum", "rfc9110", LIST_PAGE), "'rfc9110' is a standard the suite cites"),
    (("diff", "cloudcard", "cloudcard-get-photo-list", "no-such-file.html"), "cannot read no-such-file.html"),
    (("diff", "fulcrum", "fulcrum-openapi-photos", LIST_PAGE), "is not valid JSON or YAML"),
    (("diff", "cloudcard", "cloudcard-get-photo-list", LIST_PAGE, "--output", "no/such/dir/report.md"),
     "cannot write no/such/dir/report.md"),
    (("diff", "cloudcard", "cloudcard-get-photo-list", LIST_PAGE, "--contract", "nowhere.yaml"),
     "--contract nowhere.yaml: no such file"),
    (("status", "--api", "fulcrun"), "unknown API 'fulcrun'; did you mean 'fulcrum'?"),
], ids=["api", "ref", "ref-of-another-api", "standard", "unreadable", "not-openapi", "output", "contract", "status"])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, monkeypatch, args, says: str) -> None:
    monkeypatch.chdir(tmp_path)
    ran = sources(capsys, *args)
    assert ran.code == 2 and ran.out == "", ran
    assert ran.err.startswith("photo-contracts: error: ") and says in ran.err and ran.err.count("\n") == 1, ran


def test_a_directory_is_no_copy(capsys, tmp_path) -> None:
    ran = sources(capsys, "diff", "visitor", "visitor-retrieve-visitor-photo", tmp_path)
    assert ran.code == 2 and "cannot read" in ran.err and ran.err.count("\n") == 1, ran


def test_report_written_to_a_file(capsys, tmp_path) -> None:
    out = tmp_path / "report.html"
    ran = sources(capsys, "diff", "cloudcard", "cloudcard-get-photo-list", LIST_PAGE, "--format", "html",
                  "--output", out)
    assert ran.code == 0 and ran.out == "", ran
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Nothing changed for the contract." in page


def test_the_old_copy_can_be_given(capsys, tmp_path) -> None:
    old = tmp_path / "old.txt"
    old.write_text(LIST_PAGE.read_text(encoding="utf-8").replace("between 0 and 1000", "between 0 and 100"),
                   encoding="utf-8")
    ran = diff(capsys, "cloudcard", "cloudcard-get-photo-list", LIST_PAGE, "--old", old)
    assert ran.code == 0, ran  # the bound's words are not in that old copy: not judged, nothing lost
    assert ran.json()["promises"]["not_in_the_old_copy"] == 1 and ran.json()["old"]["path"] == str(old)


def test_judged_by_the_users_own_contract(capsys, tmp_path, copy_contracts) -> None:
    contracts = copy_contracts(tmp_path)
    own = contracts / "cloudcard.yaml"
    text = own.read_text(encoding="utf-8")
    own.write_text(text.replace('quote: "Allowable Values: any integer between 0 and 1000"',
                                'quote: "Allowable Values: any integer between 1 and 500"'), encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text(LIST_PAGE.read_text(encoding="utf-8").replace("between 0 and 1000", "between 1 and 500"),
                    encoding="utf-8")
    built_in = diff(capsys, "cloudcard", "cloudcard-get-photo-list", page)
    assert built_in.code == 1, built_in
    edited = diff(capsys, "cloudcard", "cloudcard-get-photo-list", page, "--old", page, "--contract", own)
    assert edited.code == 0 and edited.json()["contract"] == str(own.resolve()), edited
    assert edited.json()["promises"]["not_in_the_old_copy"] == 0  # every quote of the edited contract is in the page


def test_status_counts_promises_and_names_the_copies(capsys) -> None:
    ran = sources(capsys, "status", "--format", "json")
    assert ran.code == 0, ran
    statuses = {entry["api"]: entry for entry in ran.json()["apis"]}
    assert set(statuses) >= {"cloudcard", "visitor", "fulcrum", "autodesk"}
    cloudcard = statuses["cloudcard"]
    marks = cloudcard["marks"]
    assert marks["documented"] > 0 and marks["assumed"] > 0
    assert marks["documented"] == marks["contract"]["documented"] + marks["module"]["documented"]
    listed = {doc["ref"]: doc for doc in cloudcard["sources"]}
    page = listed["cloudcard-get-photo-list"]
    assert page["file"] == "cloudcard-get-photo-list.txt" and page["promises"] > 0
    assert page["sha256"] == hashlib.sha256(LIST_PAGE.read_bytes()).hexdigest()
    assert page["taken"] == "2026-11-30" and page["manifest_matches"] is True
    weak = statuses["fulcrum"]["weak_anchors"]
    assert any(a["pointer"] == "/paths/~1v2~1photos.json/get/parameters/7" for a in weak["positional"])
    lengths = [a["length"] for a in cloudcard["weak_anchors"]["shortest"]]
    assert lengths == sorted(lengths) and len(lengths) == 5
    assert all(a["count"] > 1 for a in cloudcard["weak_anchors"]["repeated"])


def test_status_in_markdown(capsys) -> None:
    ran = sources(capsys, "status", "--api", "cloudcard")
    assert ran.code == 0, ran
    assert ran.out.startswith("# Vendor sources\n\n## cloudcard\n")
    row = r"\| `cloudcard-get-photo-list` \| cloudcard-get-photo-list.txt \| `[0-9a-f]{16}` \| 2026-11-30 \|"
    assert re.search(row, ran.out), ran
    assert "- shortest quote (" in ran.out


def test_the_manifest_holds_each_copys_date_and_digest() -> None:
    """A copy replaced in sources/ without its manifest entry would show an old date: the digests must agree."""
    recorded = manifest()
    assert recorded, "sources/manifest.json lists no copy"
    for ref, entry in recorded.items():
        copy = copy_of(ref)
        assert copy is not None and copy.name == entry["file"], ref
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == entry["sha256"], f"{ref}: update sources/manifest.json"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["taken"]), ref


def test_a_copy_changed_since_its_date_is_said(capsys, tmp_path, monkeypatch) -> None:
    copied = tmp_path / "sources"
    shutil.copytree(SOURCES, copied)
    (copied / "cloudcard-get-photo-list.txt").write_text("changed", encoding="utf-8")
    monkeypatch.setattr("photo_contracts.sources_command._sources_dir", lambda: copied)
    ran = sources(capsys, "status", "--api", "cloudcard")
    assert "2026-11-30 (the copy changed since: update sources/manifest.json)" in ran.out, ran
    data = json.loads(sources(capsys, "status", "--api", "cloudcard", "--format", "json").out)
    (page,) = [s for s in data["apis"][0]["sources"] if s["ref"] == "cloudcard-get-photo-list"]
    assert page["manifest_matches"] is False


@pytest.mark.parametrize("command", ["diff", "status"])
def test_every_flag_is_in_the_readme(command: str) -> None:
    top = next(a for a in parser()._actions if a.dest == "command")  # noqa: SLF001 - argparse's own table
    inner = next(a for a in top.choices["sources"]._actions if a.dest == "sources_command")  # noqa: SLF001
    flags = {o for action in inner.choices[command]._actions for o in action.option_strings  # noqa: SLF001
             if o.startswith("--") and o != "--help"}
    usage = "\n".join(re.findall(r"    photo-contracts sources " + command + r".*?(?:\n\n|\Z)", README, re.S))
    assert usage, f"README shows no usage of `sources {command}`"
    assert sorted(f for f in flags if f not in usage) == []
