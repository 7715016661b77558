"""Calibrated presence: a field the vendor's own response table lists (or the vendor's OpenAPI `required`)
is documented as present, so its absence gates; a field only an example shows stays an assumption.

(a) The visitor API's Bad Request table lists `success` and `errors`: a sandbox whose error bodies lack
`success` (drift profile `visitor-error-without-success`) fails `photo-contracts run` with a finding under
the table's words, and `photo-contracts drift --fail-on warning` exits 1 on the missing field.
(b) Each `required` field the vendor's tables document is governed by an `x-source` mark, read the two ways
the tool reads it: the mark nearest above the failing `required` keyword (response_schema_conformance) and
the schema model's `required_sources` (drift). A regression to `x-assumed` fails here.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from photo_contracts.cli import main
from photo_contracts.contracts import SCHEMAS_DIR, load_contract, schema_uri_for, source_of, validator
from photo_contracts.drift.documented import documented_shape, lookup
from photo_contracts.operations import operations
from photo_contracts.provenance import problems

PROFILE = "visitor-error-without-success"
PHOTO = "GET /v1/photo/{visitorId}"
THUMB = "GET /v1/photo/thumb/{visitorId}"
GET_MEDIA = "GET /projects/{projectId}/photos/{photoId}"
FILTER = "POST /projects/{projectId}/photos:filter"
EXAMPLES = "3"

AUTODESK_MEDIA = ["id", "projectId", "mediaType", "type", "title", "size", "createdAt", "createdBy", "updatedAt",
                  "updatedBy", "userCreatedAt", "takenAt", "isPublic", "locked", "urls"]
# Fulcrum's 'Photo Properties' table: access_key ("Required: yes") and every read-only property of the photo.
FULCRUM_PHOTO = ["access_key", "created_at", "updated_at", "created_by", "created_by_id", "updated_by", "updated_by_id",
                 "uploaded", "stored", "processed", "record_id", "form_id", "file_size", "content_type", "latitude",
                 "longitude", "url", "thumbnail", "large", "original", "exif"]
URLS = ["fileUrl", "thumbnailUrl"]
# (api, operation, JSON path of the object, its fields that a vendor table documents as present, the vendor's ref,
#  a documented example of the answer that has them all)
DOCUMENTED = [
    ("visitor", PHOTO, "$", ["success", "errors"], "visitor-retrieve-visitor-photo",
     "visitor/examples/error-keyed-by-code.json"),
    ("visitor", THUMB, "$", ["success", "errors"], "visitor-retrieve-visitor-photo",
     "visitor/examples/error-message-type-code.json"),
    ("autodesk", GET_MEDIA, "$", AUTODESK_MEDIA, "autodesk-acc-photos-get-photo", "autodesk/examples/photo.json"),
    ("autodesk", GET_MEDIA, "$.urls", URLS, "autodesk-acc-photos-get-photo", "autodesk/examples/photo.json"),
    ("autodesk", GET_MEDIA, "$.signedUrls", URLS, "autodesk-acc-photos-get-photo", "autodesk/examples/photo.json"),
    ("autodesk", FILTER, "$.results[*]", AUTODESK_MEDIA, "autodesk-acc-photos-get-photo", None),
    ("autodesk", FILTER, "$", ["pagination"], "autodesk-acc-photos-filter", None),
    ("autodesk", FILTER, "$", ["results"], "vendor-notes", None),
    ("autodesk", FILTER, "$.pagination", ["limit"], "vendor-notes", None),
    ("autodesk", FILTER, "$.pagination.nextPost", ["url", "body"], "autodesk-acc-photos-filter", None),
    ("autodesk", FILTER, "$.pagination.nextPost.body", ["cursorState"], "vendor-notes", None),
    ("fulcrum", "GET /v2/photos/{id}.json", "$.photo", FULCRUM_PHOTO, "fulcrum-photos", "fulcrum/examples/photo.json"),
    ("fulcrum", "GET /v2/photos.json", "$.photos[*]", FULCRUM_PHOTO, "fulcrum-photos", None),
    ("visitor", "POST /v1/oauth/", "$", ["success"], "vendor-notes", None),  # data: in the token branch only
    ("visitor", "POST /v1/oauth/", "$.data", ["access_token", "expiry"], "vendor-notes", None),
    # CloudCard publishes examples, no tables: what every example of a photo shows is documented (DESIGN.md)
    ("cloudcard", "GET /photo/{id}", "$", ["id", "dateCreated", "lastUpdated", "status", "publicKey", "width", "height",
                                          "aspectRatio", "version", "person"], "cloudcard-get-a-photo",
     "cloudcard/examples/photo.json"),
    ("cloudcard", "GET /photo/{id}", "$", ["links", "upVotes", "originalPhoto", "onHoldReasons", "classifications"],
     "cloudcard-get-a-photo", "cloudcard/examples/photo.json"),
    ("cloudcard", "GET /photo/{id}", "$.person", ["id", "username", "email"], "cloudcard-get-a-photo", None),
    # already documented before, by the vendor's official OpenAPI `required` lists: kept so
    ("fulcrum", "GET /v2/photos.json", "$", ["photos", "current_page", "total_pages", "total_count", "per_page"],
     "fulcrum-openapi-photos", None),
    ("fulcrum", "GET /v2/photos/{id}.json", "$", ["photo"], "fulcrum-openapi-photos", "fulcrum/examples/photo.json"),
]
# Listed by no vendor source as part of that answer (the vendor's words make them conditional, or name another
# body): their presence stays an assumption, a notice.
ASSUMED = [
    ("fulcrum", "GET /v2/photos/{id}/thumbnail.json", "$", ["photo"]),
]


def operation(api: str, name: str):
    return next(op for op in operations(load_contract(api)) if op.name == name)


def documented_object(api: str, name: str, path: str):
    uri = schema_uri_for(api, operation(api, name), "200", "application/json")
    assert uri is not None, (api, name)
    node, undocumented = lookup(documented_shape(uri), path)
    assert node is not None, (api, name, undocumented)
    return node


def ids(row) -> str:
    return f"{row[0]}:{row[1]}:{row[2]}"


@pytest.mark.parametrize("row", DOCUMENTED, ids=ids)
def test_drift_reads_each_table_listed_field_as_documented_present(row) -> None:
    api, name, path, fields, ref, _ = row
    node = documented_object(api, name, path)
    for field in fields:
        assert field in node.required, f"{api} {name} {path}.{field}: not required"
        source = node.required_sources[field]
        assert source.documented and source.ref == ref, f"{path}.{field}: {source.label()}"
        assert problems(source) == []


@pytest.mark.parametrize("row", [r for r in DOCUMENTED if r[5]], ids=ids)
def test_the_schema_check_reports_a_missing_table_field_under_the_vendor_words(row) -> None:
    """What response_schema_conformance does: the failing `required` keyword's node leads to its mark."""
    api, name, path, fields, ref, example = row
    uri = schema_uri_for(api, operation(api, name), "200", "application/json")
    body = json.loads((SCHEMAS_DIR / example).read_text(encoding="utf-8"))
    assert list(validator(uri).iter_errors(body)) == []
    for field in fields:
        mutated = copy.deepcopy(body)
        parent = mutated if path == "$" else mutated[path[2:]]
        del parent[field]
        failures = [e for e in validator(uri).iter_errors(mutated) if e.validator == "required"
                    and field in e.message]
        assert failures, f"{path}.{field}: its absence is not a required failure"
        sources = {source_of(e.schema) for e in failures}
        assert all(s is not None and s.documented and s.ref == ref for s in sources), \
            f"{path}.{field}: {[s.label() if s else None for s in sources]}"


@pytest.mark.parametrize("row", ASSUMED, ids=ids)
def test_fields_no_vendor_table_lists_stay_assumed(row) -> None:
    api, name, path, fields = row
    node = documented_object(api, name, path)
    for field in fields:
        assert field in node.required and not node.required_sources[field].documented, f"{path}.{field}"


def test_conditional_fields_are_not_required() -> None:
    """Autodesk: signedUrls 'Must be explicitly requested', deletedAt/deletedBy describe deleted media, and
    description/latitude/longitude only what a record carries (autodesk-platform-sdk). CloudCard: a photo not
    yet classified has no lowestClassification score (Process a Photo)."""
    node = documented_object("autodesk", GET_MEDIA, "$")
    assert {"signedUrls", "deletedAt", "deletedBy", "description", "latitude", "longitude"} & node.required == set()
    assert "lowestClassification" not in documented_object("cloudcard", "GET /photo/{id}", "$").required


# (a) end to end


def summary(report_dir: Path) -> dict:
    return json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_run_fails_when_error_bodies_lack_success(tmp_path, capsys) -> None:
    code = main(["run", "--api", "visitor", "--sandbox-drift", PROFILE, "--examples", EXAMPLES,
                 "--report-dir", str(tmp_path / "run")])
    out = capsys.readouterr().out
    assert code == 1, out
    findings = [f for f in summary(tmp_path / "run")["findings"]
                if f["check"] == "response_schema_conformance" and f["operation"] in (PHOTO, THUMB)]
    loud = [f for f in findings if f["severity"] in ("breaking", "warning")
            and f["source"]["kind"] == "documented" and f["source"]["ref"] == "visitor-retrieve-visitor-photo"]
    assert loud, findings


@pytest.mark.slow
def test_drift_fails_on_warning_when_error_bodies_lack_success(tmp_path, capsys) -> None:
    baseline = tmp_path / "baseline.json"
    code = main(["drift", "--examples", EXAMPLES, "--api", "visitor", "--baseline", str(baseline),
                 "--update-baseline", "--report-dir", str(tmp_path / "faithful")])
    assert code == 0 and baseline.exists(), capsys.readouterr().out
    code = main(["drift", "--examples", EXAMPLES, "--api", "visitor", "--baseline", str(baseline),
                 "--sandbox-drift", PROFILE, "--fail-on", "warning", "--report-dir", str(tmp_path / "drifted")])
    out = capsys.readouterr().out
    assert code == 1, out
    report = json.loads((tmp_path / "drifted" / "drift.json").read_text(encoding="utf-8"))
    missing = [e for e in report["new"] if e["kind"] == "missing-field" and e["path"] == "$.success"]
    assert {e["operation"] for e in missing} == {PHOTO, THUMB}, report["new"]
    assert all(e["severity"] in ("breaking", "warning") and e["source"]["kind"] == "documented"
               and e["source"]["ref"] == "visitor-retrieve-visitor-photo" for e in missing), missing


@pytest.mark.slow
def test_a_field_missing_from_every_photo_is_one_finding_per_place(tmp_path, capsys) -> None:
    """fulcrum-created-by-removed drops a table row from every photo: one finding per operation at the place the
    promise names (`$.photos[*]`, `$.photo`), as drift counts it, not one per array index."""
    code = main(["run", "--api", "fulcrum", "--sandbox-drift", "fulcrum-created-by-removed", "--examples", EXAMPLES,
                 "--report-dir", str(tmp_path / "run")])
    assert code == 1, capsys.readouterr().out
    schema = [f for f in summary(tmp_path / "run")["findings"] if f["check"] == "response_schema_conformance"]
    assert schema and len(schema) == len({f["operation"] for f in schema}), [(f["operation"], f["json_path"]) for f in schema]
    assert {f["json_path"] for f in schema} <= {"$.photos[*]", "$.photo"}
