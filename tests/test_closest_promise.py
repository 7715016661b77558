"""The closest promise (issue 15): a finding cites the most specific mark on the path to what failed, and one failing
value is one finding.

In-process check contexts (no sandbox): a schema error cites the mark nearest its keyword on the path the validator
took (a property's own before its object's, across `$ref`s); an image check cites the vendor's words on the operation
or link that served the bytes before RFC 9110; several keywords one value breaks are one failure with the others
folded into its message.
"""

from __future__ import annotations

import io
import json
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from PIL import Image

from photo_contracts import apis
from photo_contracts.checks.contract import by_value, response_schema_conformance
from photo_contracts.checks.errors import judge
from photo_contracts.checks.facts import ApiFacts, ImageEndpoint, ImageRecord, Rejection
from photo_contracts.checks.images import CONTENT_TYPE, ImageSample, image_decodes, image_matches_content_type
from photo_contracts.checks.registry import CheckContext, CheckFailed
from photo_contracts.checks.vendors import autodesk, cloudcard, fulcrum, visitor
from photo_contracts.contracts import (
    SCHEMAS_DIR,
    file_uri,
    load_contract,
    source_of,
    source_of_error,
    validator,
)
from photo_contracts.operations import operations
from photo_contracts.provenance import annotation, assumed, documented

WIDTH_MARK = {"ref": "cloudcard-get-a-photo", "quote": '"width": 300,'}


def answer(body: Any, status: int = 200, media: str = "application/json") -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers["Content-Type"] = media
    response._content = json.dumps(body).encode()  # noqa: SLF001 - a response built by hand
    response.url = "http://127.0.0.1:1/answer"
    return response


def context(api: str, operation: str, facts: ApiFacts | None = None, **evidence: Any) -> CheckContext:
    documented_op = next(o for o in operations(load_contract(api)) if o.name == operation)
    target = SimpleNamespace(api=apis.get_api(api), facts=facts if facts is not None else ApiFacts())
    return CheckContext(target, operation, SimpleNamespace(strict=False), documented_op, **evidence)


def failures(check: Any, ctx: CheckContext) -> tuple[CheckFailed, ...]:
    with pytest.raises(CheckFailed) as raised:
        check(ctx)
    return raised.value.failures


def example(name: str) -> Any:
    return json.loads((SCHEMAS_DIR / "cloudcard" / "examples" / name).read_text(encoding="utf-8"))


# Schema errors: the mark nearest the keyword, on the validator's path

def test_width_as_string_cites_the_width_fields_own_mark(copy_contracts, tmp_path):
    """cloudcard-width-as-string, judged by a contract whose `width` carries its own mark (the example's
    "width": 300): the finding cites that mark, not the photo's "Description: Returns a photo"."""
    contracts = copy_contracts(tmp_path)
    schema_path = tmp_path / "schemas" / "cloudcard" / "photo.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["width"]["x-source"] = WIDTH_MARK
    schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    body = example("photo.json") | {"width": "300"}
    with apis.contracts_from({"cloudcard": contracts / "cloudcard.yaml"}):
        found = failures(response_schema_conformance, context("cloudcard", "GET /photo/{id}", response=answer(body)))
    assert [f.json_path for f in found] == ["$.width"]
    assert found[0].source == documented(**WIDTH_MARK)
    assert "Returns a photo" not in found[0].source.quote


def test_a_schema_error_cites_the_nearest_mark_on_the_built_in_path():
    """With the built-in schema, `width` carries its own mark (the Get a Photo example's "width": 300): the
    finding cites exactly that, the nearest marked node on the path to the keyword, not the photo's."""
    photo = json.loads((SCHEMAS_DIR / "cloudcard" / "photo.json").read_text(encoding="utf-8"))
    width = photo["properties"]["width"]
    body = example("photo.json") | {"width": "300"}
    found = failures(response_schema_conformance, context("cloudcard", "GET /photo/{id}", response=answer(body)))
    assert [f.json_path for f in found] == ["$.width"]
    assert width.get("x-source") == WIDTH_MARK and found[0].source == annotation(width)


def test_the_walk_follows_refs_a_mark_on_the_referencing_property_beats_the_files_root(tmp_path):
    """A `$defs` entry without a mark, reached through a marked property: the property's mark is nearer on the path
    than the mark of the file's root (which is all the file's own index knows)."""
    root = documented("vendor-notes", "Errors [D]")
    near = documented("vendor-notes", "(code is a string)")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "x-source": {"ref": root.ref, "quote": root.quote},
        "type": "object",
        "properties": {"code": {"x-source": {"ref": near.ref, "quote": near.quote}, "$ref": "#/$defs/code"}},
        "$defs": {"code": {"type": "string"}},
    }
    path = tmp_path / "walk.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    uri = file_uri(path)
    [error] = list(validator(uri).iter_errors({"code": 3404}))
    assert source_of(error.schema) == root  # the file's index: the nearest mark *in the file*
    assert source_of_error(error, uri) == near  # the validator's path: the property's


# One failing value, one finding

def visitor_error_with_numeric_code() -> dict[str, Any]:
    return {"success": False, "errors": {"message": "Invalid visitor ID", "type": "APIMethodException", "code": 3404}}


def test_a_number_where_a_string_enum_is_documented_is_one_finding():
    ctx = context("visitor", visitor.FULL, visitor.FACTS, response=answer(visitor_error_with_numeric_code()))
    found = failures(response_schema_conformance, ctx)
    assert len(found) == 1, [f.message for f in found]
    [failure] = found
    assert failure.json_path == "$.errors.code"
    assert "is not of type 'string'" in failure.message
    assert "also: not one of ['1142'" in failure.message  # the enum error, folded under the type error
    assert failure.source.quote == "(code is a string)"  # the mark of the keyword reported


def test_a_value_breaking_a_documented_type_and_an_assumed_enum_is_one_breaking_finding():
    """CloudCard's `status`: its type is documented by the example, its closed set of values is our reading. A
    number breaks both; the one finding is the type's, under the vendor's words (no notice hides it)."""
    body = example("photo.json") | {"status": 5}
    found = failures(response_schema_conformance, context("cloudcard", "GET /photo/{id}", response=answer(body)))
    assert [f.json_path for f in found] == ["$.status"]
    assert "not of type 'string'" in found[0].message and "also: not one of" in found[0].message
    assert found[0].source.documented


def test_of_errors_ranked_alike_the_one_under_the_vendors_words_is_reported(tmp_path):
    """Folding must not hide a documented promise under an assumption: the value breaks an enum of ours (listed first)
    and a documented length alike; the one failure is the documented one, the enum folded under it."""
    vendor = {"ref": "vendor-notes", "quote": "one letter"}
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "x-assumed": "the file as a whole",
        "properties": {"grade": {"allOf": [{"x-assumed": "the grades we have seen", "enum": ["a", "b"]},
                                           {"x-source": vendor, "maxLength": 1}]}},
    }
    path = tmp_path / "grades.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    uri = file_uri(path)
    errors = list(validator(uri).iter_errors({"grade": "zz"}))
    assert [e.validator for e in errors] == ["enum", "maxLength"]
    [(best, others)] = by_value(errors, uri)
    assert best.validator == "maxLength" and [e.validator for e in others] == ["enum"]
    assert source_of_error(best, uri) == documented(**vendor)


def test_values_that_fail_apart_stay_apart():
    body = example("photo.json") | {"width": "300", "height": "401"}
    found = failures(response_schema_conformance, context("cloudcard", "GET /photo/{id}", response=answer(body)))
    assert sorted(f.json_path for f in found) == ["$.height", "$.width"]
    assert not any("also:" in f.message for f in found)


def test_an_error_body_that_breaks_its_schema_is_judged_the_same_way():
    """The error checks (unknown ids, credentials) judge error bodies by their schema too: one failure per value, the
    other errors folded, under the nearest mark."""
    response = answer(visitor_error_with_numeric_code())
    with pytest.raises(CheckFailed) as raised:
        judge("visitor", visitor.FULL, response, Rejection((200,), ("3404",)), visitor.error_code, "an unknown id")
    assert raised.value.failures == (raised.value,)
    assert "also: not one of ['1142'" in raised.value.message
    assert raised.value.source.quote == "(code is a string)"
    assert raised.value.json_path == "$.errors.code"


# Images: the vendor's words on what served the bytes, before the standard

def truncated_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="JPEG")
    data = buffer.getvalue()
    return data[: len(data) // 2]


def broken_image(role: str = "original", media: str = "image/jpeg") -> ImageSample:
    sample = ImageSample.decode("http://127.0.0.2:1/photo.jpg", role, media, truncated_jpeg(), 10_000_000)
    assert sample.error, "a JPEG cut in half must not decode"
    return sample


def image_context(api: str, operation: str, facts: ApiFacts, **evidence: Any) -> CheckContext:
    return CheckContext(SimpleNamespace(api=apis.get_api(api), facts=facts), operation, SimpleNamespace(strict=False),
                        **evidence)


def test_image_decodes_on_an_image_endpoint_cites_the_endpoints_fact():
    """visitor-photo-truncated-jpeg: GET /v1/photo/{visitorId} serves the bytes itself."""
    endpoint = visitor.FACTS.endpoints[0]
    assert endpoint.operation == visitor.FULL
    ctx = image_context("visitor", visitor.FULL, visitor.FACTS, image=broken_image(), endpoint=endpoint)
    [failure] = failures(image_decodes, ctx)
    assert failure.source == endpoint.source
    assert "Full photos are JPEG, PNG or BMP" in failure.source.quote
    assert failure.source.ref != "rfc9110"


def test_image_decodes_on_a_linked_image_cites_the_records_link_fact():
    """cloudcard-truncated-jpeg: the bytes come from the S3 `.jpg` a Get a Photo record links."""
    ctx = image_context("cloudcard", cloudcard.DETAIL, cloudcard.FACTS, image=broken_image())
    [failure] = failures(image_decodes, ctx)
    assert failure.source == cloudcard.S3_JPEG
    assert failure.source.ref != "rfc9110"


def test_the_record_given_with_the_image_names_its_link():
    """Where the engine says which record linked the image (the photo before edits, `originalPhoto`), its link."""
    record = next(r for r in cloudcard.FACTS.records if r.path == "$.originalPhoto")
    ctx = image_context("cloudcard", cloudcard.DETAIL, cloudcard.FACTS, image=broken_image(), record_facts=record)
    [failure] = failures(image_decodes, ctx)
    assert failure.source == cloudcard.ORIGINAL_JPEG


def test_a_thumbnail_linked_from_a_record_cites_the_documented_thumbnail_format():
    ctx = image_context("fulcrum", fulcrum.DETAIL, fulcrum.FACTS, image=broken_image("thumbnail"))
    [failure] = failures(image_decodes, ctx)
    assert failure.source == fulcrum.FACTS.thumbnail_source


def test_a_mislabelled_image_cites_the_vendors_fact_too():
    """cloudcard-jpeg-labelled-png: .jpg bytes sent as image/png."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="JPEG")
    sample = ImageSample.decode("http://127.0.0.2:1/photo.jpg", "original", "image/png", buffer.getvalue(), 10_000)
    ctx = image_context("cloudcard", cloudcard.DETAIL, cloudcard.FACTS, image=sample)
    [failure] = failures(image_matches_content_type, ctx)
    assert failure.source == cloudcard.S3_JPEG


@pytest.mark.parametrize("facts", [
    ApiFacts(),  # nothing said about the image
    ApiFacts(records=(ImageRecord(("GET /photo/{id}",), "$", {"original": "url"},
                                  sources={"links": assumed("our reading of the link")}),)),
    ApiFacts(endpoints=(ImageEndpoint("GET /photo/{id}", "original", ("JPEG",)),)),
], ids=["no-facts", "assumed-link", "unsourced-endpoint"])
def test_without_a_documented_vendor_fact_the_standard_is_cited(facts):
    """An assumption of ours is not closer than the standard: it would make a broken image a mere notice."""
    endpoint = facts.endpoints[0] if facts.endpoints else None
    ctx = image_context("cloudcard", "GET /photo/{id}", facts, image=broken_image(), endpoint=endpoint)
    [failure] = failures(image_decodes, ctx)
    assert failure.source == CONTENT_TYPE


def test_every_built_in_image_is_judged_under_a_vendor_fact():
    """Every operation a built-in API serves or links images from has a documented vendor fact for them."""
    for name, module in (("autodesk", autodesk), ("cloudcard", cloudcard), ("fulcrum", fulcrum),
                         ("visitor", visitor)):
        facts = module.FACTS
        for endpoint in facts.endpoints:
            ctx = image_context(name, endpoint.operation, facts, image=broken_image(endpoint.role), endpoint=endpoint)
            assert failures(image_decodes, ctx)[0].source.ref != "rfc9110", endpoint
        for record in facts.records:
            for role in record.links:
                for operation in record.operations:
                    ctx = image_context(name, operation, facts, image=broken_image(role))
                    assert failures(image_decodes, ctx)[0].source.ref != "rfc9110", (record, role)

