"""`sources diff` on Fulcrum's own history: revisions of its official OpenAPI (github fulcrumapp/api,
reference/rest-api.json) that changed the photo operations or the schemas named for photos, each kept
as its photo excerpt in tests/data/fulcrum-history/ (README there: what each pair reports, and why
that is right). Also edits of the copy in sources/: reformatted, as YAML, a moved default, a shifted
parameter, an example the contract rejects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sources_edits import SOURCES, openapi_reformatted
from sources_helpers import Ran, diff, unnumbered

HISTORY = Path(__file__).resolve().parents[1] / "data" / "fulcrum-history"
REF = "fulcrum-openapi-photos"
COPY = SOURCES / f"{REF}.json"


def revision(short: str) -> Path:
    (path,) = HISTORY.glob(f"*-{short}*.json")
    return path


def pair(capsys, old: str, new: str) -> Ran:
    return diff(capsys, "fulcrum", REF, revision(new), "--old", revision(old))


def rules(ran: Ran, severity: str) -> set[str]:
    return {e.get("rule") or e["kind"] for e in ran.entries(severity=severity)}


def test_the_copy_in_sources_is_the_latest_photo_excerpt(capsys) -> None:
    """2a82dcdb (2026-01-29) is what 9a334b8e and 15afa6f8 (2026-05) still say of photos: the copy."""
    assert json.loads(revision("2a82dcdb").read_text()) == json.loads(COPY.read_text())
    ran = diff(capsys, "fulcrum", REF, revision("2a82dcdb"))
    assert ran.code == 0 and ran.entries() == [], ran


def test_schemas_for_photos_appear(capsys) -> None:
    """51392c52 -> 02feb5c3: the 200 answers reference PhotosResponse / SinglePhotoResponse instead of an
    empty object. Only additions; the marks citing the new schemas were not in the old copy."""
    ran = pair(capsys, "51392c52", "02feb5c3")
    assert ran.code == 0, ran
    assert rules(ran, "info") == {"response-property-added"} and not ran.entries(severity="warning")
    assert ran.json()["promises"]["not_in_the_old_copy"] > 0


def test_required_fields_dropped_from_photo(capsys) -> None:
    """02feb5c3 -> adc6897d: Photo no longer requires access_key and url. Breaking for clients by audit's
    rule, but our `required` rests on other words (the Photos page's table): warnings."""
    ran = pair(capsys, "02feb5c3", "adc6897d")
    assert ran.code == 0, ran
    warned = ran.entries(severity="warning")
    assert {e["rule"] for e in warned} == {"response-property-became-optional"} and len(warned) == 4
    assert sorted(e["old"] for e in warned) == ["response 200 $.photo.access_key", "response 200 $.photo.url",
                                                "response 200 $.photos[*].access_key", "response 200 $.photos[*].url"]
    access_key = next(e for e in warned if "$.photo.access_key" in e["title"])
    assert "rests on other words: Documented (fulcrum-photos" in access_key["detail"]
    url = next(e for e in warned if "$.photo.url" in e["title"])  # a read-only row of the page's table
    assert "rests on other words: Documented (fulcrum-photos" in url["detail"]


def test_ai_fields_removed(capsys) -> None:
    """adc6897d -> 55fb1b78: labels*/text* leave the vendor's Photo; our contract never described them."""
    ran = pair(capsys, "adc6897d", "55fb1b78")
    assert ran.code == 0, ran
    warned = ran.entries(severity="warning")
    assert len(warned) == 12 and {e["rule"] for e in warned} == {"response-property-removed"}
    assert all("Our contract does not describe this place." in e["detail"] for e in warned)


def test_page_bounds_removed(capsys) -> None:
    """6108d856 -> 861931dc: PhotosResponse loses its minimums. Four promises of photos_page.json cite those
    very pointers: their source is gone (exit 1)."""
    ran = pair(capsys, "6108d856", "861931dc")
    assert ran.code == 1, ran
    lost = ran.entries("lost-words")
    assert sorted(e["places"][0]["where"] for e in lost) == [
        f"schemas/fulcrum/photos_page.json#/properties/{name}" for name in
        ("current_page", "per_page", "total_count", "total_pages")]
    assert all(e["new"].startswith("(no such node") for e in lost)
    assert rules(ran, "warning") == {"response-constraint-loosened"}


def test_page_bounds_restored(capsys) -> None:
    """861931dc -> 806a44ae: the minimums come back; nothing of ours lost anything."""
    ran = pair(capsys, "861931dc", "806a44ae")
    assert ran.code == 0 and not ran.entries(severity="warning"), ran
    assert "response-constraint-tightened" in rules(ran, "info")


def test_image_answers_become_jpeg(capsys) -> None:
    """872fd682 -> 7d2c4d91: the .jpg operations answer image/jpeg instead of an (empty) JSON object: the
    vendor's words move towards our contract, which never described JSON there."""
    ran = pair(capsys, "872fd682", "7d2c4d91")
    assert ran.code == 0, ran
    assert rules(ran, "warning") == {"response-media-type-removed"}
    assert rules(ran, "info") == {"response-media-type-added"}


def test_accept_header_removed_from_image_operations(capsys) -> None:
    """7d2c4d91 -> 119a2a17: `Accept` leaves the .jpg operations (photo_id moves to index 0 there; no mark
    of ours points into those parameter lists)."""
    ran = pair(capsys, "7d2c4d91", "119a2a17")
    assert ran.code == 0, ran
    assert rules(ran, "warning") == {"parameter-removed"} and not ran.entries(severity="info")


def test_summaries_reworded(capsys) -> None:
    """119a2a17 -> 2a82dcdb: only summaries change: cosmetic, nothing reported."""
    ran = pair(capsys, "119a2a17", "2a82dcdb")
    assert ran.code == 0 and ran.entries() == [], ran


def test_the_accidental_revert_of_2026_05_07(capsys) -> None:
    """2a82dcdb -> 6ca460fc: a commit about form elements put back the photo paths of 2025-10 (the excerpt of
    6ca460fc is the one of 51392c52): the photo schemas, the image/jpeg answers and the reworded parameter
    descriptions are gone. Exit 1, and 9a334b8e restored them the same day."""
    ran = pair(capsys, "2a82dcdb", "51392c52")
    assert ran.code == 1, ran
    lost = {p["where"] for e in ran.entries("lost-words") for p in e["places"]}
    assert "schemas/fulcrum/photo.json#" in lost and "contracts/fulcrum.yaml#/components/parameters/PerPage" in lost
    assert any(w.startswith("checks/vendors/fulcrum.py") and "JPEG" in w for w in lost)
    assert {"response-property-removed", "response-media-type-removed"} <= rules(ran, "breaking")
    restored = pair(capsys, "51392c52", "2a82dcdb")
    assert restored.code == 0 and not restored.entries(severity="breaking"), restored


# -- edits of the copy in sources/ -----------------------------------------------------------------------


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=1) if name.endswith(".json") else yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("form", ["reformatted", "yaml"])
def test_the_same_document_written_otherwise_moves_nothing(capsys, tmp_path, form: str) -> None:
    text = COPY.read_text(encoding="utf-8")
    new = tmp_path / ("copy.json" if form == "reformatted" else "copy.yaml")
    new.write_text(openapi_reformatted(text) if form == "reformatted" else yaml.safe_dump(json.loads(text)),
                   encoding="utf-8")
    ran = diff(capsys, "fulcrum", REF, new)
    assert ran.code == 0 and ran.entries() == [], ran


def test_a_moved_default_per_page(capsys, tmp_path) -> None:
    data = json.loads(COPY.read_text(encoding="utf-8"))
    data["paths"]["/v2/photos.json"]["get"]["parameters"][7]["schema"]["default"] = 1000
    ran = diff(capsys, "fulcrum", REF, _write(tmp_path, "copy.json", data))
    assert ran.code == 1, ran
    wheres = {unnumbered(p["where"]): e for e in ran.entries(severity="breaking") for p in e["places"]}
    assert "checks/vendors/fulcrum.py DEFAULT_PER_PAGE" in wheres  # the pointer now says 1000
    ours = wheres["contracts/fulcrum.yaml#/components/parameters/PerPage/schema/default"]
    assert ours["kind"] == "changed-value" and ours["checks"] == ["defaults_are_honoured"]
    assert (ours["old"], ours["new"]) == ("/paths/~1v2~1photos.json/get/parameters/7/schema/default: 20000",
                                          "/paths/~1v2~1photos.json/get/parameters/7/schema/default: 1000")


def test_a_parameter_inserted_before_the_cited_positions(capsys, tmp_path) -> None:
    data = json.loads(COPY.read_text(encoding="utf-8"))
    parameters = data["paths"]["/v2/photos.json"]["get"]["parameters"]
    parameters.insert(2, {"name": "updated_since", "in": "query", "schema": {"type": "string"}})
    ran = diff(capsys, "fulcrum", REF, _write(tmp_path, "copy.json", data))
    assert ran.code == 1, ran
    moved = [e for e in ran.entries("lost-words") if "now names another parameter" in e["title"]]
    assert {e["title"].split(":")[0] for e in moved} >= {"parameter page (query)", "parameter per_page (query)"}
    per_page = next(e for e in moved if e["title"].startswith("parameter per_page"))
    assert (per_page["old"], per_page["new"]) == ('name "per_page"', 'name "page"')
    assert per_page["detail"].endswith('"per_page" now sits at /paths/~1v2~1photos.json/get/parameters/8.')
    assert "parameter-added-optional" in rules(ran, "info")


def test_an_example_the_contract_rejects(capsys, tmp_path) -> None:
    data = json.loads(COPY.read_text(encoding="utf-8"))
    response = data["paths"]["/v2/photos/{photo_id}.json"]["get"]["responses"]["200"]
    response["content"]["application/json"]["example"] = {"photo": {"access_key": 7}}
    ran = diff(capsys, "fulcrum", REF, _write(tmp_path, "copy.json", data))
    assert ran.code == 1, ran
    (rejected,) = ran.entries("example-rejected")
    assert rejected["places"][0]["where"] == "contracts/fulcrum.yaml#/paths/~1v2~1photos~1{id}.json/get/responses/200"
    assert "$.photo" in rejected["new"]
