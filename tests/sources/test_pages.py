"""`sources diff` on the vendor pages in sources/: unchanged, rewrapped or saved as HTML nothing moves;
a changed bound, a changed default, a renamed field in an example and a removed table row each name
the promise, the check and the words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sources_edits import SOURCES, TEXT_SOURCES, as_html, reflowed
from sources_helpers import diff, unnumbered

from photo_contracts.apis import APIS
from photo_contracts.citations import cited_refs

# Every page of sources/ with every API whose marks cite it (vendor-notes is cited by all four).
CITED = [(api, path) for api in APIS for path in TEXT_SOURCES if path.stem in cited_refs(api)]
IDS = [f"{api}:{path.stem}" for api, path in CITED]
LIST_PAGE = SOURCES / "cloudcard-get-photo-list.txt"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize(("api", "page"), CITED, ids=IDS)
@pytest.mark.parametrize("saved", ["unchanged", "reflowed", "html", "html-reflowed"])
def test_a_copy_that_says_the_same_moves_nothing(capsys, tmp_path, api: str, page: Path, saved: str) -> None:
    text = page.read_text(encoding="utf-8")
    copy = {"unchanged": text, "reflowed": reflowed(text), "html": as_html(text, page.stem),
            "html-reflowed": reflowed(as_html(text, page.stem), 70)}[saved]
    new = _write(tmp_path, page.stem + (".html" if "html" in saved else page.suffix), copy)
    ran = diff(capsys, api, page.stem, new)
    assert ran.code == 0, ran
    report = ran.json()
    assert report["entries"] == [], ran
    assert report["promises"]["judged"] > 0 and report["promises"]["not_in_the_old_copy"] == 0
    assert report["new"]["read_as"] == ("html" if "html" in saved else "markdown" if page.suffix == ".md" else "text")


def _bound_and_default(text: str) -> str:
    text = text.replace("any integer between 0 and 1000", "any integer between 1 and 500")
    at = text.index("• max")
    return text[:at] + text[at:].replace("Default Value: 25", "Default Value: 50", 1)


def _renamed(text: str) -> str:
    return text.replace('"width": 300', '"photoWidth": 300')


def test_a_changed_bound_default_and_example_field_of_get_photo_list(capsys, tmp_path) -> None:
    new = _write(tmp_path, "get-photo-list.txt", _renamed(_bound_and_default(LIST_PAGE.read_text(encoding="utf-8"))))
    ran = diff(capsys, "cloudcard", "cloudcard-get-photo-list", new)
    assert ran.code == 1, ran
    # The max parameter's constraints: the words of its bounds are gone, with the values they gave.
    (bound,) = ran.entries("lost-words")
    assert bound["severity"] == "breaking"
    assert bound["places"][0]["where"] == "contracts/cloudcard.yaml#/paths/~1photo/get/parameters/2/schema"
    assert bound["places"][0]["label"] == "GET /photo parameter max (query), schema"
    assert bound["places"][0]["checks"] == ["negative_data_rejection"]
    assert (bound["old"], bound["new"]) == ("Allowable Values: any integer between 0 and 1000",
                                            "Allowable Values: any integer between 1 and 500")
    assert "minimum 0, maximum 1000" in bound["detail"] and "1, 500" in bound["detail"]
    # The default the defaults_are_honoured fact reads.
    (default,) = ran.entries("changed-value")
    assert default["severity"] == "breaking" and default["checks"] == ["defaults_are_honoured"]
    assert default["places"][0]["where"].endswith("/paths/~1photo/get/parameters/2/schema/default")
    assert (default["old"], default["new"]) == ("Default Value: 25", "Default Value: 50")
    # The example's renamed field: gone, new beside it, and the contract rejects the new example.
    gone = [e for e in ran.entries("example-changed") if e["rule"] == "observed-path-disappeared"]
    assert [(e["title"].split("`")[1], e["old"], e["new"]) for e in gone] == [
        ("$[*].width", '"width": 300', "(absent)")]
    assert "photoWidth" in gone[0]["detail"]
    came = [e for e in ran.entries("example-changed") if e["rule"] == "observed-path-appeared"]
    assert [(e["old"], e["new"]) for e in came] == [("(absent)", '"photoWidth": 300')]
    (rejected,) = ran.entries("example-rejected")
    assert rejected["severity"] == "breaking" and "'width' is a required property" in rejected["new"]
    assert rejected["checks"] == ["response_schema_conformance"]


def test_the_same_in_markdown_and_html_reports(capsys, tmp_path) -> None:
    new = _write(tmp_path, "get-photo-list.html",
                 as_html(_renamed(_bound_and_default(LIST_PAGE.read_text(encoding="utf-8")))))
    ran = diff(capsys, "cloudcard", "cloudcard-get-photo-list", new)
    assert ran.code == 1 and len(ran.entries(severity="breaking")) == 3, ran
    md = diff(capsys, "cloudcard", "cloudcard-get-photo-list", new, "--format", "md")
    assert md.code == 1 and md.out.startswith("# Vendor document `cloudcard-get-photo-list` (cloudcard)")
    assert "3 breaking, 1 warning, 1 info" in md.out
    assert "- old: `Default Value: 25`\n  - new: `Default Value: 50`" in md.out
    assert "checked by `defaults_are_honoured`" in md.out
    page = diff(capsys, "cloudcard", "cloudcard-get-photo-list", new, "--format", "html")
    assert page.code == 1 and page.out.startswith("<!DOCTYPE html>")
    assert 'class="banner verdict-findings"' in page.out and "--breaking:" in page.out  # the dashboard's styles
    style = page.out.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "&#34;" not in style and "&quot;" not in style, "the stylesheet is escaped: its fonts do not apply"
    assert 'class="message"' not in page.out  # the dashboard's two-column grid: it split a sentence into cells
    assert "`" not in page.out.split("<main", 1)[1]  # `ticks` are code, not literal backquotes
    assert "<pre>Default Value: 25</pre>" in page.out and "<code>defaults_are_honoured</code>" in page.out


@pytest.mark.parametrize(("edit", "kind", "check"), [
    (lambda t: t.replace("any integer between 0 and 1000", "any integer between 0 and 500"), "lost-words",
     "negative_data_rejection"),
    (lambda t: t[:t.index("• max")] + t[t.index("• max"):].replace("Default Value: 25", "Default Value: 100", 1),
     "changed-value", "defaults_are_honoured"),
    (_renamed, "example-rejected", "response_schema_conformance"),
], ids=["bound", "default", "example-field"])
def test_each_edit_alone_is_breaking(capsys, tmp_path, edit, kind: str, check: str) -> None:
    new = _write(tmp_path, "page.txt", edit(LIST_PAGE.read_text(encoding="utf-8")))
    ran = diff(capsys, "cloudcard", "cloudcard-get-photo-list", new)
    assert ran.code == 1, ran
    assert [e["kind"] for e in ran.entries(severity="breaking")] == [kind], ran
    assert check in ran.entries(severity="breaking")[0]["checks"]


def test_the_value_the_words_name(capsys, tmp_path) -> None:
    """`offset` states minimum 0 and default 0: `Default Value: 0` -> `10` moves the default only."""
    text = LIST_PAGE.read_text(encoding="utf-8").replace("Default Value: 0", "Default Value: 10")
    ran = diff(capsys, "cloudcard", "cloudcard-get-photo-list", _write(tmp_path, "page.txt", text))
    assert ran.code == 1, ran
    assert [e["places"][0]["where"].rsplit("/", 3)[1:] for e in ran.entries()] == [["1", "schema", "default"]], ran


def test_new_prose_is_no_change(capsys, tmp_path) -> None:
    text = LIST_PAGE.read_text(encoding="utf-8").replace(
        "Related content", "Note: we are proud of this endpoint and its speed.\n\nRelated content")
    ran = diff(capsys, "cloudcard", "cloudcard-get-photo-list", _write(tmp_path, "page.txt", text))
    assert ran.code == 0 and ran.entries() == [], ran


def test_a_removed_field_row_of_autodesk(capsys, tmp_path) -> None:
    page = (SOURCES / "autodesk-acc-photos-get-photo.txt").read_text(encoding="utf-8")
    new = _write(tmp_path, "get.html", as_html(page.replace("size number | Filesize of the media in bytes |\n", "")))
    ran = diff(capsys, "autodesk", "autodesk-acc-photos-get-photo", new)
    assert ran.code == 1, ran
    (lost,) = ran.entries("lost-words")
    assert {unnumbered(p["where"]) for p in lost["places"]} == {"schemas/autodesk/media.json#/properties/size",
                                                               "checks/vendors/autodesk.py SIZE"}
    assert {"image_metadata_matches", "response_schema_conformance"} <= set(lost["checks"])
    (row,) = ran.entries("table-row-removed")
    assert row["severity"] == "warning" and row["title"] == "The field `size` is no longer in the page's table"
    assert row["old"] == "size number Filesize of the media in bytes" and row["new"] == "(gone)"
    assert [p["where"] for p in row["places"]] == ["schemas/autodesk/media.json#/properties/size"]


def test_a_removed_field_row_of_fulcrum_photos(capsys, tmp_path) -> None:
    page = (SOURCES / "fulcrum-photos.md").read_text(encoding="utf-8")
    row = "| file_size | number | no | yes | The size of the photo file in bytes. |\n"
    ran = diff(capsys, "fulcrum", "fulcrum-photos", _write(tmp_path, "photos.md", page.replace(row, "")))
    assert ran.code == 1, ran
    lost = ran.entries("lost-words")
    assert any("image_metadata_matches" in e["checks"] for e in lost)  # the vendor module's fact on file_size
    assert any(p["where"].startswith("schemas/fulcrum/photo.json#/allOf/") for e in lost for p in e["places"])
    assert ran.entries("table-row-removed")[0]["title"] == "The field `file_size` is no longer in the page's table"


def test_a_removed_error_code_row_is_a_warning(capsys, tmp_path) -> None:
    page = (SOURCES / "visitor-retrieve-visitor-photo.txt").read_text(encoding="utf-8")
    new = page.replace("4515 string Image not available (RequestedObjectException 4515)\n", "")
    ran = diff(capsys, "visitor", "visitor-retrieve-visitor-photo", _write(tmp_path, "photo.txt", new))
    assert ran.code == 0, ran
    (row,) = ran.entries()
    assert (row["kind"], row["severity"]) == ("table-row-removed", "warning")
    assert row["places"][0]["where"].startswith("schemas/visitor/error.json#")


def test_a_new_table_row_is_info(capsys, tmp_path) -> None:
    page = (SOURCES / "autodesk-acc-photos-get-photo.txt").read_text(encoding="utf-8")
    new = page.replace("title string |", "caption string | A caption of the media |\ntitle string |")
    ran = diff(capsys, "autodesk", "autodesk-acc-photos-get-photo", _write(tmp_path, "get.txt", new))
    assert ran.code == 0, ran
    (row,) = ran.entries("table-row-added")
    assert row["severity"] == "info" and "`caption`" in row["title"]


def test_a_changed_limit_in_vendor_notes(capsys, tmp_path) -> None:
    notes = (SOURCES / "vendor-notes.md").read_text(encoding="utf-8")
    new, count = re.subn(r'"limit" \(default 25,\s+max 50\)', '"limit" (default 20, max 100)', notes)
    assert count == 1
    ran = diff(capsys, "autodesk", "vendor-notes", _write(tmp_path, "notes.md", new))
    assert ran.code == 1, ran
    assert len(ran.entries("lost-words")) == 3  # the request body and its schema quote the same words
    (lost,) = [e for e in ran.entries("lost-words") if e["source"]["quote"] == '"limit" (default 25, max 50)']
    wheres = {unnumbered(p["where"]) for p in lost["places"]}
    assert any(w.startswith("schemas/autodesk/filter-request.json#") and w.endswith("/limit") for w in wheres)
    assert "checks/vendors/autodesk.py LIMIT" in wheres
    assert "defaults_are_honoured" in lost["checks"] and '"limit" (default 20, max 100)' in lost["new"]


def test_a_renamed_field_in_the_autodesk_example(capsys, tmp_path) -> None:
    page = (SOURCES / "autodesk-acc-photos-get-photo.txt").read_text(encoding="utf-8")
    new = page.replace('"takenAt": "2021', '"capturedAt": "2021')
    ran = diff(capsys, "autodesk", "autodesk-acc-photos-get-photo", _write(tmp_path, "get.txt", new))
    assert ran.code == 1, ran
    (rejected,) = ran.entries("example-rejected")
    assert "'takenAt' is a required property" in rejected["new"]
    assert "Documented (autodesk-acc-photos-get-photo" in rejected["detail"]  # the mark of the keyword that rejects
