"""Mutations of documented CloudCard payloads that the cloudcard schemas must reject, at the right path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema.exceptions import best_match

from photo_contracts.contracts import SCHEMAS_DIR, contract_path, file_uri, read_document, source_of, validator

SCHEMAS = SCHEMAS_DIR / "cloudcard"
EXAMPLES = SCHEMAS / "examples"
PHOTO = json.loads((EXAMPLES / "photo.json").read_text())
LIST = json.loads((EXAMPLES / "photo-list.json").read_text())
ITEM = LIST[0]
ORG = PHOTO["person"]["organization"]
ZIP_LINK = json.loads((EXAMPLES / "photo-download-zip.json").read_text())
MESSAGE = json.loads((EXAMPLES / "photo-download-external.json").read_text())
# Documented shapes without a verbatim example (VENDOR-NOTES 1 names the fields only): the
# documented field set with values of the documented or inferred types.
UPDATE = {"status": "DOWNLOADED", "version": 5}
UPDATE_RESULT = {"id": PHOTO["id"], "status": PHOTO["status"], "publicKey": PHOTO["publicKey"]}
CREATE = {"person": {"id": 123}, "encodedImage": "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U"}
TOKEN_REQUEST = {"persistentAccessToken": "GzR2GrzWGWM3o3oBCYAhWbPo6BOlSMCo"}
TOKEN = {"tokenValue": "c8c1f0a1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7", "expirationDate": "2025-02-07T06:55:06Z",
         "id": 17, "username": "service@myschool.edu", "version": 0}

Mutation = Callable[[Any], Any]


def _parent(document: Any, path: tuple[str | int, ...]) -> Any:
    for key in path[:-1]:
        document = document[key]
    return document


def delete(*path: str | int) -> Mutation:
    def mutate(document: Any) -> Any:
        del _parent(document, path)[path[-1]]
        return document
    return mutate


def assign(value: Any, *path: str | int) -> Mutation:
    def mutate(document: Any) -> Any:
        if not path:
            return value
        _parent(document, path)[path[-1]] = value
        return document
    return mutate


# (schema file, documented instance, mutation, JSON path of the best error)
ROWS: dict[str, tuple[str, Any, Mutation, str]] = {
    # photo.json (Get a Photo)
    "photo-id-missing": ("photo.json", PHOTO, delete("id"), "$"),
    "photo-id-as-string": ("photo.json", PHOTO, assign("99999", "id"), "$.id"),
    "photo-status-missing": ("photo.json", PHOTO, delete("status"), "$"),
    "photo-status-undocumented": ("photo.json", PHOTO, assign("ARCHIVED", "status"), "$.status"),
    "photo-status-lowercase": ("photo.json", PHOTO, assign("denied", "status"), "$.status"),
    "photo-width-as-string": ("photo.json", PHOTO, assign("300", "width"), "$.width"),
    "photo-width-zero": ("photo.json", PHOTO, assign(0, "width"), "$.width"),
    "photo-height-missing": ("photo.json", PHOTO, delete("height"), "$"),
    "photo-aspect-ratio-as-string": ("photo.json", PHOTO, assign("0.75", "aspectRatio"), "$.aspectRatio"),
    "photo-public-key-missing": ("photo.json", PHOTO, delete("publicKey"), "$"),
    "photo-date-created-malformed": ("photo.json", PHOTO, assign("2024-04-08 18:51", "dateCreated"), "$.dateCreated"),
    "photo-last-updated-no-timezone-date-only": ("photo.json", PHOTO, assign("2024-04-08", "lastUpdated"), "$.lastUpdated"),
    "photo-date-approved-malformed": ("photo.json", PHOTO, assign("yesterday", "dateApproved"), "$.dateApproved"),
    "photo-external-url-not-a-uri": ("photo.json", PHOTO, assign("photos.cloudcard/x.jpg", "externalURL"), "$.externalURL"),
    "photo-no-image-url-at-all": ("photo.json", PHOTO, lambda d: delete("links")(delete("externalURL")(d)), "$"),
    "photo-links-bytes-missing": ("photo.json", PHOTO, delete("links", "bytes"), "$.links"),
    "photo-links-bytes-not-a-uri": ("photo.json", PHOTO, assign("not a url", "links", "bytes"), "$.links.bytes"),
    "photo-version-negative": ("photo.json", PHOTO, assign(-1, "version"), "$.version"),
    "photo-lowest-classification-as-string": ("photo.json", PHOTO, assign("unclassified", "lowestClassification"), "$.lowestClassification"),
    "photo-on-hold-reasons-as-string": ("photo.json", PHOTO, assign("none", "onHoldReasons"), "$.onHoldReasons"),
    "photo-domain-class-changed": ("photo.json", PHOTO, assign("us.cloudcard.api.Image", "domainClass"), "$.domainClass"),
    "photo-person-missing": ("photo.json", PHOTO, delete("person"), "$"),
    "photo-person-email-malformed": ("photo.json", PHOTO, assign("not-an-email", "person", "email"), "$.person.email"),
    "photo-classifications-as-object": ("photo.json", PHOTO, assign({}, "classifications"), "$.classifications"),
    "photo-original-photo-links-missing": ("photo.json", PHOTO, delete("originalPhoto", "links"), "$.originalPhoto"),
    "photo-helper-bot-reviewed-as-string": ("photo.json", PHOTO, assign("false", "helperBotReviewed"), "$.helperBotReviewed"),
    # photo-list-item.json and photo-list.json (Get Photo List)
    "item-classifications-not-empty": ("photo-list-item.json", ITEM, assign(copy.deepcopy(PHOTO["classifications"][:1]), "classifications"), "$.classifications"),
    "item-classifications-missing": ("photo-list-item.json", ITEM, delete("classifications"), "$"),
    "item-original-date-created-malformed": ("photo-list-item.json", ITEM, assign("1 Sep 2022", "originalPhoto", "dateCreated"), "$.originalPhoto.dateCreated"),
    "item-custom-fields-as-string": ("photo-list-item.json", ITEM, assign("deliberately not rendered", "person", "customFields"), "$.person.customFields"),
    "item-width-missing": ("photo-list-item.json", ITEM, delete("width"), "$"),
    "list-wrapped-in-envelope": ("photo-list.json", LIST, assign({"photos": LIST}), "$"),
    "list-second-item-status-undocumented": ("photo-list.json", LIST, assign("QUEUED", 1, "status"), "$[1].status"),
    "list-item-not-an-object": ("photo-list.json", LIST, assign(1415398, 1), "$[1]"),
    # photo-status.json
    "status-undocumented": ("photo-status.json", "DENIED", assign("REJECTED"), "$"),
    "status-null": ("photo-status.json", "DENIED", assign(None), "$"),
    # person.json (full form from Get a Photo, light form from the list)
    "person-id-missing": ("person.json", PHOTO["person"], delete("id"), "$"),
    "person-username-missing": ("person.json", PHOTO["person"], delete("username"), "$"),
    "person-date-terms-accepted-malformed": ("person.json", PHOTO["person"], assign("2024-04-08", "dateTermsAccepted"), "$.dateTermsAccepted"),
    "person-additional-photos-as-object": ("person.json", PHOTO["person"], assign({}, "additionalPhotos"), "$.additionalPhotos"),
    "person-light-email-as-number": ("person.json", ITEM["person"], assign(57133436, "email"), "$.email"),
    "person-light-previously-approved-photo-as-string": ("person.json", ITEM["person"], assign("none", "previouslyApprovedPhoto"), "$.previouslyApprovedPhoto"),
    "person-organization-as-list": ("person.json", PHOTO["person"], assign([], "organization"), "$.organization"),
    # organization.json
    "org-id-missing": ("organization.json", ORG, delete("id"), "$"),
    "org-name-as-number": ("organization.json", ORG, assign(1, "name"), "$.name"),
    "org-custom-fields-as-object": ("organization.json", ORG, assign({"Card Delivery": "Mail"}, "customFields"), "$.customFields"),
    "org-download-strategy-undocumented": ("organization.json", ORG, assign("FTP_UPLOAD", "downloadStrategy", "id"), "$.downloadStrategy.id"),
    "org-logout-url-not-a-uri": ("organization.json", ORG, assign("help remotephoto", "logoutUrl"), "$.logoutUrl"),
    "org-last-updated-malformed": ("organization.json", ORG, assign("2025-02-06", "lastUpdated"), "$.lastUpdated"),
    "org-role-authority-not-a-role": ("organization.json", ORG, assign("OFFICE", "helpScoutBeacons", 0, "role", "authority"), "$.helpScoutBeacons[0].role.authority"),
    "org-photo-requirement-text-missing": ("organization.json", ORG, delete("photoRequirements", 2, "requirement"), "$.photoRequirements[2]"),
    "org-bad-photo-threshold-above-one": ("organization.json", ORG, assign(1.4, "badPhotoThreshold"), "$.badPhotoThreshold"),
    # classification.json
    "classification-score-missing": ("classification.json", PHOTO["classifications"][0], delete("score"), "$"),
    "classification-score-as-string": ("classification.json", PHOTO["classifications"][0], assign("0.93", "score"), "$.score"),
    "classification-label-name-missing": ("classification.json", PHOTO["classifications"][1], delete("label", "name"), "$.label"),
    "classification-classifier-date-malformed": ("classification.json", PHOTO["classifications"][1], assign("2024-12-18", "classifier", "dateCreated"), "$.classifier.dateCreated"),
    # additional-photo.json and additional-photo-type.json
    "additional-public-key-missing": ("additional-photo.json", ITEM["person"]["additionalPhotos"][0], delete("publicKey"), "$"),
    "additional-lowest-classification-as-list": ("additional-photo.json", ITEM["person"]["additionalPhotos"][0], assign([], "lowestClassification"), "$.lowestClassification"),
    "additional-links-bytes-not-a-uri": ("additional-photo.json", ITEM["person"]["additionalPhotos"][0], assign("additional-photo.jpg", "links", "bytes"), "$.links.bytes"),
    "additional-type-name-missing": ("additional-photo-type.json", ORG["additionalPhotoTypes"][0], delete("name"), "$"),
    "additional-type-threshold-above-one": ("additional-photo-type.json", ORG["additionalPhotoTypes"][0], assign(95, "goodFacialRecognitionThreshold"), "$.goodFacialRecognitionThreshold"),
    "additional-type-ocr-map-value-as-string": ("additional-photo-type.json", ORG["additionalPhotoTypes"][0], assign("no", "ocrRequirementsMap", "Last name"), "$.ocrRequirementsMap['Last name']"),
    # photo-dimensions.json, original-photo.json, links.json, reference.json
    "dimensions-width-missing": ("photo-dimensions.json", ORG["photoDimensions"], delete("width"), "$"),
    "dimensions-height-as-float": ("photo-dimensions.json", ORG["photoDimensions"], assign(300.5, "height"), "$.height"),
    "original-id-missing": ("original-photo.json", PHOTO["originalPhoto"], delete("id"), "$"),
    "original-public-key-empty": ("original-photo.json", PHOTO["originalPhoto"], assign("", "publicKey"), "$.publicKey"),
    "links-bytes-missing": ("links.json", PHOTO["links"], delete("bytes"), "$"),
    "links-bytes-relative": ("links.json", PHOTO["links"], assign("/photos.cloudcard/x.jpg", "bytes"), "$.bytes"),
    "reference-id-missing": ("reference.json", PHOTO["person"]["cardholderGroup"], delete("id"), "$"),
    "reference-id-as-string": ("reference.json", PHOTO["person"]["cardholderGroup"], assign("1", "id"), "$.id"),
    # photo-update.json (PUT request) and photo-update-result.json
    "update-status-missing": ("photo-update.json", UPDATE, delete("status"), "$"),
    "update-status-unknown": ("photo-update.json", UPDATE, assign("ARCHIVED", "status"), "$.status"),
    "update-version-as-string": ("photo-update.json", UPDATE, assign("5", "version"), "$.version"),
    "update-result-public-key-missing": ("photo-update-result.json", UPDATE_RESULT, delete("publicKey"), "$"),
    "update-result-status-undocumented": ("photo-update-result.json", UPDATE_RESULT, assign("ARCHIVED", "status"), "$.status"),
    # photo-create.json (POST request)
    "create-person-missing": ("photo-create.json", CREATE, delete("person"), "$"),
    "create-person-id-missing": ("photo-create.json", CREATE, assign({}, "person"), "$.person"),
    "create-encoded-image-not-base64": ("photo-create.json", CREATE, assign("not base64!", "encodedImage"), "$.encodedImage"),
    "create-encoded-image-as-list": ("photo-create.json", CREATE, assign([1, 2], "encodedImage"), "$.encodedImage"),
    # authentication-token-request.json and authentication-token.json
    "token-request-missing-token": ("authentication-token-request.json", TOKEN_REQUEST, delete("persistentAccessToken"), "$"),
    "token-request-empty-token": ("authentication-token-request.json", TOKEN_REQUEST, assign("", "persistentAccessToken"), "$.persistentAccessToken"),
    "token-value-missing": ("authentication-token.json", TOKEN, delete("tokenValue"), "$"),
    "token-value-as-number": ("authentication-token.json", TOKEN, assign(123, "tokenValue"), "$.tokenValue"),
    "token-expiration-missing": ("authentication-token.json", TOKEN, delete("expirationDate"), "$"),
    "token-expiration-as-epoch": ("authentication-token.json", TOKEN, assign(1738911306, "expirationDate"), "$.expirationDate"),
    "token-expiration-malformed": ("authentication-token.json", TOKEN, assign("2025-02-07T06:55", "expirationDate"), "$.expirationDate"),
    # photo-download-link.json and photo-download-message.json (Download Photos (API))
    "download-link-missing": ("photo-download-link.json", ZIP_LINK, delete("link"), "$"),
    "download-link-relative": ("photo-download-link.json", ZIP_LINK, assign("/api/photos/download/zip?token=x", "link"), "$.link"),
    "download-message-missing": ("photo-download-message.json", MESSAGE, delete("message"), "$"),
    "download-message-empty": ("photo-download-message.json", MESSAGE, assign("", "message"), "$.message"),
}

# The unmutated instance of every row's schema must be valid, or a row proves nothing.
BASES = sorted({(schema, json.dumps(instance, sort_keys=True)) for schema, instance, _, _ in ROWS.values()})


@pytest.mark.parametrize(("schema", "instance"), BASES, ids=[f"{s}-{i}" for i, (s, _) in enumerate(BASES)])
def test_documented_instance_is_valid(schema: str, instance: str) -> None:
    errors = list(validator(file_uri(SCHEMAS / schema)).iter_errors(json.loads(instance)))
    assert not errors, [f"{e.json_path}: {e.message}" for e in errors]


@pytest.mark.parametrize(("schema", "instance", "mutation", "path"), ROWS.values(), ids=ROWS.keys())
def test_mutation_is_rejected_at_its_path(schema: str, instance: Any, mutation: Mutation, path: str) -> None:
    document = mutation(copy.deepcopy(instance))
    error = best_match(validator(file_uri(SCHEMAS / schema)).iter_errors(document))
    assert error is not None, f"{schema} accepted the mutated document"
    assert error.json_path == path, f"{error.json_path}: {error.message}"


def mark_of(error: Any) -> Any:
    """The provenance mark a failing keyword is judged by: on its schema node or nearest above it."""
    return source_of(error.schema)


# Rows whose broken promise the vendor documents (x-source); every other row breaks an assumption
# (x-assumed), which the suite reports as a notice.
DOCUMENTED_ROWS = {
    "photo-id-as-string", "photo-width-as-string", "photo-aspect-ratio-as-string",
    "photo-date-created-malformed", "photo-last-updated-no-timezone-date-only", "photo-date-approved-malformed",
    "photo-external-url-not-a-uri", "photo-links-bytes-not-a-uri", "photo-lowest-classification-as-string",
    "photo-on-hold-reasons-as-string", "photo-person-email-malformed", "photo-classifications-as-object",
    "photo-helper-bot-reviewed-as-string", "item-classifications-not-empty", "item-classifications-missing",
    "item-original-date-created-malformed", "item-custom-fields-as-string", "list-wrapped-in-envelope",
    "list-item-not-an-object", "person-date-terms-accepted-malformed", "person-additional-photos-as-object",
    "person-light-email-as-number", "person-light-previously-approved-photo-as-string",
    "person-organization-as-list", "org-name-as-number", "org-custom-fields-as-object", "org-logout-url-not-a-uri",
    "org-last-updated-malformed", "classification-score-as-string", "classification-classifier-date-malformed",
    "additional-lowest-classification-as-list", "additional-links-bytes-not-a-uri",
    "additional-type-ocr-map-value-as-string", "dimensions-height-as-float", "links-bytes-relative",
    "reference-id-as-string", "status-null", "update-version-as-string", "create-encoded-image-not-base64",
    "create-encoded-image-as-list", "token-value-as-number",
    # A field every example of the answer shows is documented as present (DESIGN.md), its absence gates:
    "photo-id-missing", "photo-status-missing", "photo-height-missing", "photo-public-key-missing",
    "photo-no-image-url-at-all", "photo-links-bytes-missing", "photo-person-missing",
    "photo-original-photo-links-missing", "item-width-missing", "person-id-missing", "person-username-missing",
    "classification-score-missing", "classification-label-name-missing", "additional-public-key-missing",
    "additional-type-name-missing", "dimensions-width-missing", "original-id-missing", "links-bytes-missing",
    "reference-id-missing", "update-result-public-key-missing", "create-person-id-missing", "token-value-missing",
    "token-expiration-missing", "download-link-missing", "download-message-missing",
}


@pytest.mark.parametrize(("schema", "instance", "mutation", "row"),
                         [(s, i, m, name) for name, (s, i, m, _) in ROWS.items()], ids=ROWS.keys())
def test_each_mutation_breaks_a_promise_of_the_right_kind(schema: str, instance: Any, mutation: Mutation,
                                                          row: str) -> None:
    """Type and documented-format breaks, and fields every example shows, are judged by an x-source mark;
    ranges, constants and closed lists taken from examples by an x-assumed one (a notice, not a failure)."""
    document = mutation(copy.deepcopy(instance))
    error = best_match(validator(file_uri(SCHEMAS / schema)).iter_errors(document))
    mark = mark_of(error)
    assert mark is not None
    assert mark.documented == (row in DOCUMENTED_ROWS), (error.json_path, error.message, mark.label())


def test_undocumented_error_answers_stay_open() -> None:
    """CloudCard documents no error body: no 4xx response of the contract promises one."""
    contract = read_document(contract_path("cloudcard"))
    components = contract["components"]["responses"]
    for path, item in contract["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    resolved = components[response["$ref"].rsplit("/", 1)[1]] if "$ref" in response else response
                    assert "content" not in resolved, f"{method.upper()} {path} {status}"
                    assert "x-assumed" in resolved, f"{method.upper()} {path} {status}"


def test_every_schema_file_has_mutations() -> None:
    files = {path.name for path in SCHEMAS.glob("*.json")}
    assert files == {schema for schema, *_ in ROWS.values()}


def test_documented_quirks_are_accepted() -> None:
    """Both documented forms of the CloudCard quirks validate (schemas/DISCREPANCIES.md)."""
    photo = validator(file_uri(SCHEMAS / "photo.json"))
    for reasons in ([], {"message": "deliberately not rendered"}):  # detail vs list
        assert photo.is_valid({**PHOTO, "onHoldReasons": reasons})
    older = {k: v for k, v in PHOTO.items() if k != "externalURL"}  # links.bytes only
    assert photo.is_valid(older)
    assert validator(file_uri(SCHEMAS / "photo-status.json")).is_valid("ON_HOLD")
    assert validator(file_uri(SCHEMAS / "photo-update-result.json")).is_valid({**UPDATE_RESULT, "status": "FAILED"})
    update = validator(file_uri(SCHEMAS / "photo-update.json"))  # the vendor's downloader PUTs both [C]
    assert update.is_valid({"status": "ON_HOLD"}) and update.is_valid({**UPDATE, "status": "FAILED"})
    item = validator(file_uri(SCHEMAS / "photo-list-item.json"))  # the list's placeholder, or definitions' array form
    for fields in ({"message": "deliberately not rendered"}, []):
        assert item.is_valid({**ITEM, "person": {**ITEM["person"], "customFields": fields}})
    additional = validator(file_uri(SCHEMAS / "additional-photo.json"))
    assert additional.is_valid({**ITEM["person"]["additionalPhotos"][0], "lowestClassification": 0.42})
