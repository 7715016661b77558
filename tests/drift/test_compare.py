"""Drift against the contract on hand-made observations: one test per kind, and what is not drift."""

from __future__ import annotations

import copy
import json

from photo_contracts.contracts import SCHEMAS_DIR
from photo_contracts.drift.compare import compare, drift_key
from photo_contracts.drift.observe import Observations

DETAIL = "GET /v2/photos/{id}.json"
PHOTO = json.loads((SCHEMAS_DIR / "fulcrum" / "examples" / "photo.json").read_text())
PHOTOS = json.loads((SCHEMAS_DIR / "cloudcard" / "examples" / "photo-list.json").read_text())
CLOUDCARD_PHOTO = json.loads((SCHEMAS_DIR / "cloudcard" / "examples" / "photo.json").read_text())


def observed(*answers, images=()):
    """Observations from (api, operation, status, media, body) answers and (api, operation, role, format) images."""
    obs = Observations()
    for api, operation, status, media, body in answers:
        obs.response(api, operation, status, media, body, is_json=body is not None)
    for api, operation, role, image_format in images:
        obs.image(api, operation, role, image_format, (10, 10))
    return obs.as_dict()


def kinds(drift):
    return {(d["operation"], d["kind"], d["path"], d["observed"], d["severity"]) for d in drift}


def fulcrum_photo(**changes):
    body = copy.deepcopy(PHOTO)
    for key, value in changes.items():
        if value is ...:
            del body["photo"][key]
        else:
            body["photo"][key] = value
    return body


def test_the_documented_example_is_no_drift():
    assert compare(observed(("fulcrum", DETAIL, 200, "application/json", fulcrum_photo()))) == []


def test_undocumented_field_is_info_and_its_children_are_not_listed():
    drift = compare(observed(("fulcrum", DETAIL, 200, "application/json", fulcrum_photo(blur={"score": 0.3}))))
    assert kinds(drift) == {(DETAIL, "undocumented-field", "$.photo.blur", "", "info")}
    assert drift[0]["response"] == "200 application/json"


def test_missing_required_field_is_breaking_optional_is_a_warning():
    """access_key ("Required: yes"), `original` and `created_by` (read-only rows of the same table) are listed as
    part of the photo: breaking; CloudCard's `helperBotAction` is optional (only Get a Photo's example shows it, not the
    list's) but shown in the vendor's example of that answer: a warning."""
    drift = compare(observed(("fulcrum", DETAIL, 200, "application/json",
                              fulcrum_photo(access_key=..., original=..., created_by=...)),
                             ("cloudcard", "GET /photo/{id}", 200, "application/json",
                              {k: v for k, v in CLOUDCARD_PHOTO.items() if k != "helperBotAction"})))
    assert kinds(drift) == {(DETAIL, "missing-field", "$.photo.access_key", "", "breaking"),
                            (DETAIL, "missing-field", "$.photo.original", "", "breaking"),
                            (DETAIL, "missing-field", "$.photo.created_by", "", "breaking"),
                            ("GET /photo/{id}", "missing-field", "$.helperBotAction", "", "warning")}


def test_a_missing_field_required_only_by_our_reading_is_a_notice():
    """GET /organization/{id}: that an organization always has a `name` is our reading (x-assumed)."""
    drift = compare(observed(("cloudcard", "GET /organization/{id}", 200, "application/json", {"id": 7})))
    assert (("GET /organization/{id}", "missing-field", "$.name", "", "notice")) in kinds(drift)


def test_missing_field_only_when_its_parent_was_observed():
    # exif is null: its (optional) fields are not missing, their parent is absent
    assert compare(observed(("fulcrum", DETAIL, 200, "application/json", fulcrum_photo(exif=None)))) == []


def test_type_change_is_breaking_but_an_integer_is_a_number():
    drift = compare(observed(("fulcrum", DETAIL, 200, "application/json",
                              fulcrum_photo(file_size="924235", latitude=42))))
    assert kinds(drift) == {(DETAIL, "type-change", "$.photo.file_size", "string", "breaking")}
    assert "Documented: integer" in drift[0]["detail"]


def test_null_where_not_nullable_is_a_type_change():
    drift = compare(observed(("fulcrum", DETAIL, 200, "application/json", fulcrum_photo(url=None))))
    assert kinds(drift) == {(DETAIL, "type-change", "$.photo.url", "null", "breaking")}


def test_new_enum_value_under_an_assumed_enum_is_a_notice():
    """CloudCard lists the values of its status filter, not of a photo's status: that list is our assumption."""
    photos = copy.deepcopy(PHOTOS)
    photos[0]["status"] = "ARCHIVED"
    drift = compare(observed(("cloudcard", "GET /photo", 200, "application/json", photos)))
    # (the documented example leaves out optional fields: those are missing-field entries, not this test's)
    changed = [d for d in drift if d["kind"] != "missing-field"]
    assert kinds(changed) == {("GET /photo", "new-enum-value", "$[*].status", "ARCHIVED", "notice")}
    assert changed[0]["source"]["kind"] == "assumed"


def test_undocumented_status_and_content_type_are_breaking():
    drift = compare(observed(("fulcrum", DETAIL, 418, "application/json", {"error": "teapot"}),
                             ("fulcrum", DETAIL, 200, "text/html; charset=utf-8", None)))
    assert kinds(drift) == {(DETAIL, "undocumented-status", "$", "418", "breaking"),
                            (DETAIL, "undocumented-content-type", "$", "text/html", "breaking")}


def test_image_format_change_is_breaking_per_the_vendor_facts():
    drift = compare(observed(
        ("fulcrum", "GET /v2/photos/{id}.jpg", 200, "image/jpeg", None),
        ("visitor", "GET /v1/photo/{visitorId}", 200, "image/bmp", None),
        images=[("fulcrum", "GET /v2/photos/{id}.jpg", "original", "PNG"),  # endpoint: JPEG only
                ("visitor", "GET /v1/photo/{visitorId}", "original", "BMP"),  # documented: JPEG, PNG, BMP
                ("autodesk", "GET /projects/{projectId}/photos/{photoId}", "thumbnail", "GIF"),  # thumbnails: JPEG
                ("cloudcard", "GET /photo/{id}", "original", "PNG")]))  # nothing documented: no claim
    assert kinds(drift) == {
        ("GET /v2/photos/{id}.jpg", "image-format-change", "$", "PNG", "breaking"),
        ("GET /projects/{projectId}/photos/{photoId}", "image-format-change", "$", "GIF", "breaking"),
    }


def test_an_error_shape_of_one_alternative_is_not_missing_the_other():
    # visitor errors: {message, type, code} or keyed by code; neither form lacks the other's fields
    body = {"success": False, "errors": {"3404": "Visitor not found"}}
    assert compare(observed(("visitor", "GET /v1/photo/{visitorId}", 200, "application/json", body))) == []


def test_drift_keys_separate_what_differs():
    a = compare(observed(("cloudcard", "GET /photo", 200, "application/json",
                          [dict(PHOTOS[0], status="ARCHIVED")])))
    b = compare(observed(("cloudcard", "GET /photo", 200, "application/json",
                          [dict(PHOTOS[0], status="PURGED")])))
    a, b = ([d for d in drift if d["kind"] == "new-enum-value"][0] for drift in (a, b))
    assert drift_key(a) != drift_key(b)
    assert drift_key(a) == drift_key(dict(a, severity="info", detail="other words"))


def test_a_field_the_vendors_words_tie_to_a_case_is_not_missing():
    """Autodesk's example shows deletedAt/deletedBy, but they describe a deleted media (`x-conditional`): a live
    media without them is no drift; a field the example shows without such words (`description`) still is."""
    media = json.loads((SCHEMAS_DIR / "autodesk" / "examples" / "photo.json").read_text())
    live = {k: v for k, v in media.items() if k not in ("deletedAt", "deletedBy", "description")}
    operation = "GET /projects/{projectId}/photos/{photoId}"
    drift = compare(observed(("autodesk", operation, 200, "application/json", live)))
    assert kinds(drift) == {(operation, "missing-field", "$.description", "", "warning")}
