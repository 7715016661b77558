"""Cross-examination: what the vendor's official OpenAPI allows, our contract must accept.

For every photo operation of `sources/fulcrum-openapi-photos.json` and every response it documents,
our contract documents the same status and media type; and for every JSON body it describes,
hypothesis (hypothesis-jsonschema) generates instances from the vendor's schema, each of which must
validate against OUR schema for the same operation and status. The vendor writes OpenAPI 3.0's
`nullable: true` inside a 3.1 document; its intent, "may be null", is translated to a union with null.

Where our schema is stricter on purpose, the failing keyword is listed in EXCLUSIONS below with its
reason (and in schemas/DISCREPANCIES.md, Fulcrum section, under the same name). Every exclusion has
a witness: an instance the vendor's schema accepts and ours rejects at exactly that keyword, so the
table cannot go stale. Anything else the generator finds is a disagreement to fix.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import hypothesis_jsonschema._from_schema as jsonschema_strategies
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as conjecture_utils
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator

from photo_contracts import provenance
from photo_contracts.contracts import load_contract, read_document, schema_uri_for, validator
from photo_contracts.operations import operations


def _object_schema(custom_formats: Any, alphabet: Any, schema: dict[str, Any]) -> Any:
    """Objects for hypothesis-jsonschema 0.23.1 (the latest), whose own object strategy calls
    hypothesis' `many(...).more()`, which hypothesis 6.1xx removed. This covers what the vendor's
    schemas use: `properties`, `required` and `additionalProperties` (members in any combination)."""
    draw_value = getattr(jsonschema_strategies, "__from_schema")

    def value(sub: Any) -> Any:
        return draw_value(sub, custom_formats=custom_formats, alphabet=alphabet)

    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    known = st.fixed_dictionaries({k: value(properties.get(k, {})) for k in sorted(required)},
                                  optional={k: value(v) for k, v in properties.items() if k not in required})
    additional = schema.get("additionalProperties", {})
    if additional is False or additional == {"not": {}}:
        return known
    others = st.dictionaries(st.text(max_size=8).filter(lambda k: k not in properties and k not in required),
                             value(additional if isinstance(additional, dict) else {}), max_size=2)
    return st.builds(lambda extra, members: {**extra, **members}, others, known)


if not hasattr(conjecture_utils.many, "more"):
    jsonschema_strategies.object_schema = _object_schema

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = json.loads((ROOT / "sources" / "fulcrum-openapi-photos.json").read_text(encoding="utf-8"))
DISCREPANCIES = (ROOT / "schemas" / "DISCREPANCIES.md").read_text(encoding="utf-8")
OURS = {op.name: op for op in operations(load_contract("fulcrum"))}
MAX_EXAMPLES = 25
# OpenAPI annotation formats: they say how a number or string is stored, they do not constrain it.
ANNOTATIONS = {"int32", "int64", "double", "float", "binary", "byte"}


def our_operation(path: str, method: str) -> str:
    """/v2/photos/{photo_id}.json -> GET /v2/photos/{id}.json: our name of an official operation."""
    return f"{method.upper()} {path.replace('{photo_id}', '{id}')}"


def translate(node: Any) -> Any:
    """The official schema as JSON Schema 2020-12: components inlined, `nullable: true` a union with null,
    annotation formats dropped."""
    if isinstance(node, list):
        return [translate(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/components/schemas/")
        return translate(OFFICIAL["components"]["schemas"][name])
    out = {key: translate(value) for key, value in node.items()
           if key not in ("nullable", "example", "description") and not (key == "format" and value in ANNOTATIONS)}
    if node.get("nullable") is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            out["type"] = [*kind, "null"]
    return out


@dataclass(frozen=True)
class Response:
    path: str  # official path
    method: str
    status: str
    media: str
    schema: Any  # official, translated

    @property
    def operation(self) -> str:
        return our_operation(self.path, self.method)

    def __str__(self) -> str:
        return f"{self.operation} {self.status} {self.media}"


def official_responses() -> list[Response]:
    found = []
    for path, item in OFFICIAL["paths"].items():
        for method, spec in item.items():
            for status, response in spec.get("responses", {}).items():
                for media, content in response.get("content", {}).items():
                    found.append(Response(path, method, status, media, translate(content.get("schema", {}))))
    return found


RESPONSES = official_responses()
JSON_RESPONSES = [r for r in RESPONSES if "json" in r.media]


def our_validator(response: Response) -> tuple[str, Draft202012Validator]:
    uri = schema_uri_for("fulcrum", OURS[response.operation], response.status, response.media)
    assert uri is not None, f"{response}: our contract names no schema"
    return uri, validator(uri)


def _follow(base: str, ref: str) -> tuple[str, Any]:
    uri = urljoin(base, ref)
    file_uri, fragment = urldefrag(uri)
    node: Any = read_document(Path(unquote(urlparse(file_uri).path)))
    for part in [p for p in fragment.split("/") if p]:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return uri if fragment else f"{file_uri}#", node


def keyword_location(uri: str, error: Any) -> tuple[str, provenance.Source | None]:
    """`photo.json#/allOf/1/required`: the file and JSON pointer of the keyword an error broke in OUR
    schemas (following `$ref`s, which jsonschema's paths leave out), and the mark nearest above it."""
    where, node = _follow(uri, "")
    mark = provenance.annotation(node)
    for token in error.absolute_schema_path:
        while isinstance(node, dict) and "$ref" in node and token not in node:
            where, node = _follow(where, node["$ref"])
            mark = provenance.annotation(node) or mark
        node = node[token]
        where = f"{where.rstrip('/')}/{token}" if "#" in where else f"{where}#/{token}"
        if isinstance(node, dict):
            mark = provenance.annotation(node) or mark
    file_uri, _, pointer = where.partition("#")
    return f"{Path(urlparse(file_uri).path).name}#{pointer}", mark


def disagreements(response: Response, instance: Any) -> list[tuple[str, provenance.Source | None]]:
    uri, ours = our_validator(response)
    return [keyword_location(uri, error) for error in ours.iter_errors(instance)]


PHOTO = json.loads((ROOT / "schemas" / "fulcrum" / "examples" / "photo.json").read_text())["photo"]
LIST = ("/v2/photos.json", "get", "200")
DETAIL = ("/v2/photos/{photo_id}.json", "get", "200")
UPLOAD = ("/v2/photos.json", "post", "200")
THUMBNAIL = ("/v2/photos/{photo_id}/thumbnail.json", "get", "200")
BAD_REQUEST = ("/v2/photos/{photo_id}.jpg", "get", "400")


@dataclass(frozen=True)
class Exclusion:
    name: str  # as written in DISCREPANCIES.md
    reason: str
    response: tuple[str, str, str]  # (official path, method, status) where the witness is valid
    witness: Any  # valid under the official schema, rejected by ours at this keyword


def page_of(photo: dict[str, Any]) -> dict[str, Any]:
    return {"photos": [photo], "current_page": 1, "total_pages": 1, "total_count": 1, "per_page": 20000}


def without(*keys: str) -> dict[str, Any]:
    return {k: v for k, v in PHOTO.items() if k not in keys}


# Our keyword (file#pointer) -> why it is stricter than the official OpenAPI. Each is also in
# schemas/DISCREPANCIES.md (Fulcrum, "The official OpenAPI against our contract"), by name.
EXCLUSIONS: dict[str, Exclusion] = {e.name: e for e in (
    # The official Photo has no `required` list; the page marks access_key "Required: yes" [x-source].
    Exclusion("access-key-required", "the page: access_key | string | yes", DETAIL, {"photo": without("access_key")}),
    # The read-only fields: the page's table lists each as a property of the photo, the server's to set
    # (its 'Required' column is what a create must include); each under its own row [x-source].
    Exclusion("photo-fields-listed-required", "the page's table lists each read-only property of the photo",
              LIST, page_of(without("url"))),
    # Ids: the official OpenAPI types them as strings; every documented value is a UUID [x-source: example].
    Exclusion("access-key-uuid", "the page's example values are UUIDs", DETAIL,
              {"photo": {**PHOTO, "access_key": "my-photo-access-key"}}),
    Exclusion("record-id-uuid", "the page's example values are UUIDs", DETAIL, {"photo": {**PHOTO, "record_id": "42"}}),
    Exclusion("form-id-uuid", "the page's example values are UUIDs", DETAIL, {"photo": {**PHOTO, "form_id": "42"}}),
    # User ids: 24 hex digits in the only documented value [x-assumed].
    Exclusion("created-by-id-hex", "the one documented value is 24 hex digits [assumed]", DETAIL,
              {"photo": {**PHOTO, "created_by_id": "Bryan"}}),
    Exclusion("updated-by-id-hex", "the one documented value is 24 hex digits [assumed]", DETAIL,
              {"photo": {**PHOTO, "updated_by_id": "Bryan"}}),
    # A byte count is never negative: 'The size of the photo file in bytes.' [x-source].
    Exclusion("file-size-not-negative", "the page: 'The size of the photo file in bytes.'", DETAIL,
              {"photo": {**PHOTO, "file_size": -1}}),
    # 'The content type of the photo file.': an image type is our reading [x-assumed].
    Exclusion("content-type-image", "a photo file's content type is image/* [assumed]", DETAIL,
              {"photo": {**PHOTO, "content_type": "application/pdf"}}),
    # WGS 84 decimal degrees have a range [x-source].
    Exclusion("latitude-range", "the page: 'in WGS 84 decimal degrees'", DETAIL,
              {"photo": {**PHOTO, "latitude": 91}}),
    Exclusion("longitude-range", "the page: 'in WGS 84 decimal degrees'", DETAIL,
              {"photo": {**PHOTO, "longitude": -181}}),
    # The official exif is any object; exif.json reads the page's example (its constraints are assumed).
    Exclusion("exif-shape", "exif.json: the value forms of the page's example [assumed]", DETAIL,
              {"photo": {**PHOTO, "exif": {"image_width": 0}}}),
    # Upload: EmptySuccessResponse, but the official code samples read photo['photo'] [x-source].
    Exclusion("upload-photo-envelope", "the official upload samples print(photo['photo'])", UPLOAD, {}),
    # thumbnail.json/large.json: EmptySuccessResponse; the photo envelope is our assumption [x-assumed].
    Exclusion("version-photo-envelope", "the photo envelope [assumed]", THUMBNAIL, {}),
    # Where a `photo` is present in those bodies, we read it as an object of the photo's properties, none of them
    # required: which a version's metadata carries is undocumented (EmptySuccessResponse says nothing) [x-assumed].
    Exclusion("photo-is-a-photo", "a `photo` member is an object of the page's properties [assumed]", THUMBNAIL,
              {"photo": 1}),
    # 400: BadRequestResponse requires nothing and fixes no value; VENDOR-NOTES shows both fields [x-assumed].
    Exclusion("bad-request-fields", "VENDOR-NOTES' 400 body has both fields [assumed]", BAD_REQUEST, {}),
    Exclusion("bad-request-status-400", "VENDOR-NOTES' 400 body says status 400 [assumed]", BAD_REQUEST,
              {"error": "Bad Request", "status": 500}),
    Exclusion("bad-request-error-text", "a non-empty message [assumed]", BAD_REQUEST, {"error": "", "status": 400}),
)}
# The read-only fields photo.json requires, one `allOf` member each (after access_key's), in order.
LISTED = [member["required"][0] for member in json.loads(
    (ROOT / "schemas" / "fulcrum" / "photo.json").read_text(encoding="utf-8"))["allOf"][1:]]
# Which of our keywords each exclusion covers (found by its witness; pinned here so a change shows).
LOCATIONS = {
    "access-key-required": "photo.json#/allOf/0/required",
    "photo-fields-listed-required": f"photo.json#/allOf/{LISTED.index('url') + 1}/required",
    "access-key-uuid": "photo.json#/properties/access_key/format",
    "record-id-uuid": "photo.json#/properties/record_id/format",
    "form-id-uuid": "photo.json#/properties/form_id/format",
    "created-by-id-hex": "photo.json#/properties/created_by_id/allOf/0/pattern",
    "updated-by-id-hex": "photo.json#/properties/updated_by_id/allOf/0/pattern",
    "file-size-not-negative": "photo.json#/properties/file_size/minimum",
    "content-type-image": "photo.json#/properties/content_type/allOf/0/pattern",
    "latitude-range": "photo.json#/properties/latitude/maximum",
    "longitude-range": "photo.json#/properties/longitude/minimum",
    "exif-shape": "exif.json#/properties/image_width/allOf/0/minimum",
    "upload-photo-envelope": "upload_envelope.json#/allOf/0/required",
    "version-photo-envelope": "version_envelope.json#/allOf/0/required",
    "photo-is-a-photo": "version_envelope.json#/properties/photo/type",
    "bad-request-fields": "errors.json#/$defs/bad_request/allOf/0/required",
    "bad-request-status-400": "errors.json#/$defs/bad_request/properties/status/allOf/0/const",
    "bad-request-error-text": "errors.json#/$defs/bad_request/properties/error/allOf/0/minLength",
}
# Keywords a generated instance may break: the listed ones, and the bounds they imply on the same field
# (a latitude below -90 breaks `minimum`, not the witness's `maximum`).
TOLERATED = set(LOCATIONS.values()) | {
    "photo.json#/properties/latitude/minimum", "photo.json#/properties/longitude/maximum",
} | {f"photo.json#/allOf/{index}/required" for index in range(1, len(LISTED) + 1)}


def response_for(key: tuple[str, str, str]) -> Response:
    path, method, status = key
    return next(r for r in JSON_RESPONSES if (r.path, r.method, r.status) == key)


@pytest.mark.parametrize("response", RESPONSES, ids=str)
def test_our_contract_documents_every_official_response(response: Response) -> None:
    """Same operation, status and media type; our unsuffixed twins answer the same."""
    assert response.operation in OURS, f"{response}: no such operation in our contract"
    names = [response.operation]
    if response.path in ("/v2/photos.json", "/v2/photos/{photo_id}.json"):
        names.append(response.operation.replace(".json", ""))
    for name in names:
        ours = OURS[name].spec["responses"]
        assert response.status in ours, f"{name}: no {response.status}"
        media = ours[response.status].get("content", {})
        assert response.media in media, f"{name} {response.status}: no {response.media}"


def test_every_official_operation_is_cross_examined() -> None:
    official = {our_operation(path, method) for path, item in OFFICIAL["paths"].items() for method in item}
    assert official <= set(OURS)
    assert {r.operation for r in JSON_RESPONSES} == official  # each has at least its 400 JSON body


@pytest.mark.parametrize("response", JSON_RESPONSES, ids=str)
def test_what_the_official_openapi_allows_our_contract_accepts(response: Response) -> None:
    found: dict[str, Any] = {}

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(instance=from_schema(response.schema))
    def accepted(instance: Any) -> None:
        for location, _ in disagreements(response, instance):
            if location not in TOLERATED:
                found.setdefault(location, instance)

    accepted()
    assert found == {}, f"{response}: the official OpenAPI allows what our schema rejects: {found}"


@pytest.mark.parametrize("name", sorted(EXCLUSIONS))
def test_each_exclusion_is_real_and_written_down(name: str) -> None:
    exclusion = EXCLUSIONS[name]
    response = response_for(exclusion.response)
    official = Draft202012Validator(response.schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert list(official.iter_errors(exclusion.witness)) == [], f"{name}: the witness is not valid officially"
    locations = dict(disagreements(response, copy.deepcopy(exclusion.witness)))
    assert LOCATIONS[name] in locations, f"{name}: ours rejects it at {sorted(locations)}, not {LOCATIONS[name]}"
    assert f"`{name}`" in DISCREPANCIES, f"{name}: not written down in schemas/DISCREPANCIES.md"


def test_assumed_exclusions_are_marked_assumed() -> None:
    """An exclusion whose reason says [assumed] sits under an x-assumed mark (its failures are notices),
    and the others under an x-source mark."""
    for name, exclusion in EXCLUSIONS.items():
        response = response_for(exclusion.response)
        mark = dict(disagreements(response, copy.deepcopy(exclusion.witness)))[LOCATIONS[name]]
        assert mark is not None, name
        assert mark.documented == ("[assumed]" not in exclusion.reason), (name, mark)
