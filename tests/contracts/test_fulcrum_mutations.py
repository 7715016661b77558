"""Mutations of the documented Fulcrum examples that every fulcrum schema must reject, at the right place."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from photo_contracts.contracts import SCHEMAS_DIR, file_uri, validator

SCHEMAS = SCHEMAS_DIR / "fulcrum"
EXAMPLES = SCHEMAS / "examples"


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text())


ENVELOPE = example("photo.json")  # the documented 'Valid photo'
PHOTO = ENVELOPE["photo"]
EXIF = PHOTO["exif"]
PAGE = {"photos": [PHOTO], "current_page": 1, "total_pages": 1, "total_count": 1, "per_page": 20000}


def uri(name: str) -> str:
    path, _, fragment = name.partition("#")
    return file_uri(SCHEMAS / path) + (f"#{fragment}" if fragment else "")


def set_(path: tuple, value: Any) -> Callable[[Any], None]:
    def mutate(document: Any) -> None:
        *parents, last = path
        for step in parents:
            document = document[step]
        document[last] = value

    return mutate


def remove(path: tuple) -> Callable[[Any], None]:
    def mutate(document: Any) -> None:
        *parents, last = path
        for step in parents:
            document = document[step]
        del document[last]

    return mutate


def replace_whole(value: Any) -> Callable[[Any], Any]:
    return lambda document: value


# (schema, base document, mutation, JSON path of the expected error)
MUTATIONS: dict[str, tuple[str, Any, Callable[[Any], Any], str]] = {
    # photo.json
    "photo-access-key-removed": ("photo.json", PHOTO, remove(("access_key",)), "$"),
    "photo-original-removed": ("photo.json", PHOTO, remove(("original",)), "$"),
    "photo-processed-removed": ("photo.json", PHOTO, remove(("processed",)), "$"),
    "photo-access-key-not-uuid": ("photo.json", PHOTO, set_(("access_key",), "my-photo-access-key"), "$.access_key"),
    "photo-created-at-malformed": ("photo.json", PHOTO, set_(("created_at",), "2015-06-06 16:16:40"), "$.created_at"),
    "photo-stored-as-string": ("photo.json", PHOTO, set_(("stored",), "true"), "$.stored"),
    "photo-file-size-as-string": ("photo.json", PHOTO, set_(("file_size",), "924235"), "$.file_size"),
    "photo-file-size-negative": ("photo.json", PHOTO, set_(("file_size",), -1), "$.file_size"),
    "photo-content-type-not-image": ("photo.json", PHOTO, set_(("content_type",), "application/pdf"), "$.content_type"),
    "photo-latitude-out-of-range": ("photo.json", PHOTO, set_(("latitude",), 142.8), "$.latitude"),
    "photo-url-not-uri": ("photo.json", PHOTO, set_(("url",), "not a url"), "$.url"),
    "photo-thumbnail-as-number": ("photo.json", PHOTO, set_(("thumbnail",), 3), "$.thumbnail"),
    "photo-record-id-not-uuid": ("photo.json", PHOTO, set_(("record_id",), "9028ec24"), "$.record_id"),
    "photo-created-by-id-not-hex": ("photo.json", PHOTO, set_(("created_by_id",), "Bryan"), "$.created_by_id"),
    "photo-exif-as-list": ("photo.json", PHOTO, set_(("exif",), []), "$.exif"),
    "photo-exif-pixel-width-as-string": ("photo.json", PHOTO, set_(("exif", "pixel_x_dimension"), "810"),
                                         "$.exif.pixel_x_dimension"),
    # exif.json
    "exif-image-width-zero": ("exif.json", EXIF, set_(("image_width",), 0), "$.image_width"),
    "exif-pixel-height-as-float": ("exif.json", EXIF, set_(("pixel_y_dimension",), 1080.5), "$.pixel_y_dimension"),
    "exif-x-resolution-not-decimal": ("exif.json", EXIF, set_(("x_resolution",), "seventy-two"), "$.x_resolution"),
    "exif-f-number-as-boolean": ("exif.json", EXIF, set_(("f_number",), True), "$.f_number"),
    "exif-date-time-in-exif-syntax": ("exif.json", EXIF, set_(("date_time",), "2015:06:06 12:00:08"), "$.date_time"),
    "exif-latitude-ref-unknown": ("exif.json", EXIF, set_(("gps_latitude_ref",), "X"), "$.gps_latitude_ref"),
    "exif-gps-latitude-two-parts": ("exif.json", EXIF, set_(("gps_latitude",), ["42.0", "49.0"]), "$.gps_latitude"),
    "exif-gps-time-part-not-decimal": ("exif.json", EXIF, set_(("gps_time_stamp", 0), "noon"), "$.gps_time_stamp[0]"),
    "exif-gps-date-stamp-dashes": ("exif.json", EXIF, set_(("gps_date_stamp",), "2015-06-06"), "$.gps_date_stamp"),
    "exif-subsec-not-digits": ("exif.json", EXIF, set_(("subsec_time",), "9.43"), "$.subsec_time"),
    "exif-altitude-ref-long": ("exif.json", EXIF, set_(("gps_altitude_ref",), "above"), "$.gps_altitude_ref"),
    "exif-as-string": ("exif.json", EXIF, replace_whole("none"), "$"),
    # photo_envelope.json
    "envelope-photo-removed": ("photo_envelope.json", ENVELOPE, remove(("photo",)), "$"),
    "envelope-photo-null": ("photo_envelope.json", ENVELOPE, set_(("photo",), None), "$.photo"),
    "envelope-nested-uploaded-removed": ("photo_envelope.json", ENVELOPE, remove(("photo", "uploaded")), "$.photo"),
    "envelope-nested-form-id-number": ("photo_envelope.json", ENVELOPE, set_(("photo", "form_id"), 7), "$.photo.form_id"),
    # photos_page.json
    "page-photos-removed": ("photos_page.json", PAGE, remove(("photos",)), "$"),
    "page-total-count-removed": ("photos_page.json", PAGE, remove(("total_count",)), "$"),
    "page-current-page-zero": ("photos_page.json", PAGE, set_(("current_page",), 0), "$.current_page"),
    "page-per-page-zero": ("photos_page.json", PAGE, set_(("per_page",), 0), "$.per_page"),
    "page-total-pages-negative": ("photos_page.json", PAGE, set_(("total_pages",), -1), "$.total_pages"),
    "page-photos-as-object": ("photos_page.json", PAGE, set_(("photos",), {"0": PHOTO}), "$.photos"),
    "page-item-original-removed": ("photos_page.json", PAGE, remove(("photos", 0, "original")), "$.photos[0]"),
    # errors.json
    "unauthorized-error-renamed": ("errors.json#/$defs/unauthorized", example("unauthorized.json"),
                                   replace_whole({"message": "Unauthorized"}), "$"),
    "unauthorized-error-empty": ("errors.json#/$defs/unauthorized", example("unauthorized.json"),
                                 set_(("error",), ""), "$.error"),
    "bad-request-status-removed": ("errors.json#/$defs/bad_request", example("bad-request.json"),
                                   remove(("status",)), "$"),
    "bad-request-status-as-string": ("errors.json#/$defs/bad_request", example("bad-request.json"),
                                     set_(("status",), "400"), "$.status"),
    "bad-request-status-other-code": ("errors.json#/$defs/bad_request", example("bad-request.json"),
                                      set_(("status",), 422), "$.status"),
    "not-found-as-array": ("errors.json#/$defs/not_found", example("not-found.json"), replace_whole([]), "$"),
    "not-found-as-html": ("errors.json#/$defs/not_found", example("not-found.json"),
                          replace_whole("<h1>Not Found</h1>"), "$"),
    "validation-photo-removed": ("errors.json#/$defs/validation", example("validation-error.json"),
                                 replace_whole({"errors": {"access_key": ["must be provided"]}}), "$"),
    "validation-errors-empty": ("errors.json#/$defs/validation", example("validation-error.json"),
                                set_(("photo", "errors"), {}), "$.photo.errors"),
    "validation-message-not-list": ("errors.json#/$defs/validation", example("validation-error.json"),
                                    set_(("photo", "errors", "access_key"), "must be provided"),
                                    "$.photo.errors.access_key"),
    "validation-message-list-empty": ("errors.json#/$defs/validation", example("validation-error.json"),
                                      set_(("photo", "errors", "access_key"), []), "$.photo.errors.access_key"),
    # upload_envelope.json, version_envelope.json
    "upload-photo-removed": ("upload_envelope.json", ENVELOPE, remove(("photo",)), "$"),
    "upload-nested-access-key-removed": ("upload_envelope.json", ENVELOPE, remove(("photo", "access_key")), "$.photo"),
    "version-photo-removed": ("version_envelope.json", ENVELOPE, remove(("photo",)), "$"),
    "version-as-list": ("version_envelope.json", ENVELOPE, replace_whole([]), "$"),
    "version-nested-file-size-negative": ("version_envelope.json", ENVELOPE, set_(("photo", "file_size"), -1),
                                          "$.photo.file_size"),
}

# The unmutated documents each mutation starts from: all must be valid.
BASES = {
    "photo.json": PHOTO, "exif.json": EXIF, "photo_envelope.json": ENVELOPE, "photos_page.json": PAGE,
    "upload_envelope.json": ENVELOPE, "version_envelope.json": ENVELOPE,
    "errors.json#/$defs/unauthorized": example("unauthorized.json"),
    "errors.json#/$defs/bad_request": example("bad-request.json"),
    "errors.json#/$defs/not_found": example("not-found.json"),
    "errors.json#/$defs/validation": example("validation-error.json"),
}


@pytest.mark.parametrize("schema", sorted(BASES))
def test_unmutated_base_is_valid(schema: str) -> None:
    assert list(validator(uri(schema)).iter_errors(BASES[schema])) == []


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutation_is_rejected_at_its_path(name: str) -> None:
    schema, base, mutate, json_path = MUTATIONS[name]
    document = copy.deepcopy(base)
    result = mutate(document)
    document = document if result is None else result
    error = best_match(validator(uri(schema)).iter_errors(document))
    assert error is not None, f"{name}: the mutated document is valid"
    assert error.json_path == json_path, error.message


def test_every_schema_file_is_mutated() -> None:
    files = {path.name for path in SCHEMAS.glob("*.json")}
    assert files == {schema.partition("#")[0] for schema, *_ in MUTATIONS.values()}
    definitions = json.loads((SCHEMAS / "errors.json").read_text())["$defs"]
    assert {f"errors.json#/$defs/{name}" for name in definitions} <= {schema for schema, *_ in MUTATIONS.values()}


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.json")), ids=lambda p: p.name)
def test_schema_is_a_valid_2020_12_schema(path) -> None:
    Draft202012Validator.check_schema(json.loads(path.read_text()))


# Documented quirks the schemas must keep accepting (schemas/DISCREPANCIES.md).
ACCEPTED = {
    "exif-numbers-as-numbers": ("exif.json", {**EXIF, "x_resolution": 72.0, "f_number": 2.2, "gps_altitude": 107}),
    "exif-gps-latitude-as-number": ("exif.json", {**EXIF, "gps_latitude": 42.82525}),
    "exif-southern-hemisphere": ("exif.json", {**EXIF, "gps_latitude_ref": "S"}),
    "photo-not-yet-linked-or-processed": ("photo.json", {**PHOTO, "record_id": None, "form_id": None, "thumbnail": None,
                                                         "large": None, "processed": False}),
    "photo-without-gps-or-exif": ("photo.json", {**PHOTO, "latitude": None, "longitude": None, "exif": None}),
    "photo-upper-case-access-key": ("photo.json", {**PHOTO, "access_key": "7A8ABC73-A41B-4F1E-BA16-F7C03DAE1E22"}),
    "photo-new-vendor-field": ("photo.json", {**PHOTO, "deleted_at": None, "updated_by_id": None}),
    # The official OpenAPI's Photo: `nullable: true` on these (and a deleted_at the page does not list).
    "photo-official-nulls": ("photo.json", {**PHOTO, "file_size": None, "content_type": None, "created_by": None,
                                            "created_by_id": None, "updated_by": None,
                                            "deleted_at": "2016-01-01T00:00:00Z"}),
    "version-metadata-any-object": ("version_envelope.json", {"photo": PHOTO, "other": 1}),
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_documented_variants_are_accepted(name: str) -> None:
    schema, document = ACCEPTED[name]
    assert [e.message for e in validator(uri(schema)).iter_errors(document)] == []
