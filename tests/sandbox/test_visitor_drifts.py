"""Every visitor drift profile and documented-but-different variant changes what its probe sees;
the faithful emulator does not. Variants' answers still validate against the contract's schemas."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
import requests
from PIL import Image

from photo_contracts.checks import KNOWN_CHECKS
from photo_contracts.contracts import SCHEMAS_DIR, file_uri, load_contract, validator
from photo_contracts.operations import operations
from photo_contracts.sandbox import Sandbox, running
from photo_contracts.sandbox.drift import catalog
from photo_contracts.sandbox.visitor_data import Visitor

pytestmark = pytest.mark.slow

ERRORS = validator(file_uri(SCHEMAS_DIR / "visitor" / "error.json"))
TOKENS = validator(file_uri(SCHEMAS_DIR / "visitor" / "token.json"))
Probe = Callable[[Sandbox], bool]  # True when the response shows the profile's change


def fetch(sandbox: Sandbox, path: str, *, auth: bool = True) -> requests.Response:
    headers = sandbox.auth_headers() if auth else {}
    return requests.get(sandbox.base_url + path, headers=headers, timeout=5)


def visitor(sandbox: Sandbox, content_type: str) -> Visitor:
    return next(v for v in sandbox.app.state.dataset if v.content_type == content_type)


def decodes(data: bytes) -> Image.Image | None:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except OSError:
        return None
    return image


def thumbnail_not_jpeg(sandbox: Sandbox) -> bool:
    response = fetch(sandbox, "/v1/photo/thumb/" + visitor(sandbox, "image/png").id)
    image = decodes(response.content)
    return response.headers["content-type"] != "image/jpeg" or image is None or image.format != "JPEG"


def thumbnail_not_200_px_wide(sandbox: Sandbox) -> bool:
    target = visitor(sandbox, "image/jpeg")
    thumb = decodes(fetch(sandbox, "/v1/photo/thumb/" + target.id).content)
    assert thumb is not None
    return thumb.width != 200 and thumb.width < target.width  # still smaller than the photo


def bytes_contradict_content_type(sandbox: Sandbox) -> bool:
    response = fetch(sandbox, "/v1/photo/" + visitor(sandbox, "image/jpeg").id)
    image = decodes(response.content)
    assert image is not None and image.format is not None
    return Image.MIME[image.format] != response.headers["content-type"]


def photo_does_not_decode(sandbox: Sandbox) -> bool:
    return decodes(fetch(sandbox, "/v1/photo/" + visitor(sandbox, "image/jpeg").id).content) is None


def error_breaks_schema(sandbox: Sandbox) -> bool:
    response = fetch(sandbox, "/v1/photo/thumb/" + "0" * 40)
    return bool(list(ERRORS.iter_errors(response.json())))


def error_without_success(sandbox: Sandbox) -> bool:
    body = fetch(sandbox, "/v1/photo/" + "0" * 40).json()
    return "success" not in body and "errors" in body  # only `success` goes


def photo_without_credentials(sandbox: Sandbox) -> bool:
    response = fetch(sandbox, "/v1/photo/" + visitor(sandbox, "image/bmp").id, auth=False)
    return response.headers["content-type"].startswith("image/")


def server_error_on_valid_id(sandbox: Sandbox) -> bool:
    return fetch(sandbox, "/v1/photo/" + visitor(sandbox, "image/png").id).status_code >= 500


def missing_image_not_http_200(sandbox: Sandbox) -> bool:
    missing = sandbox.app.state.visitor_without_image
    response = fetch(sandbox, "/v1/photo/" + missing.id)
    assert response.json()["errors"]["code"] == "4515"
    return response.status_code != 200


# Documented but different: each probe sees the variant's one difference, and the answer it sees
# is one the contract accepts.

def valid_error(response: requests.Response) -> dict:
    assert response.headers["content-type"].split(";")[0] == "application/json"
    body = response.json()
    assert not list(ERRORS.iter_errors(body)), body
    return body


def errors_keyed_by_code(sandbox: Sandbox) -> bool:
    body = valid_error(fetch(sandbox, "/v1/photo/" + "0" * 40))
    return body["errors"] == {"3404": "Invalid visitor ID"}


def missing_credential_code(code: str) -> Probe:
    def probe(sandbox: Sandbox) -> bool:
        target = visitor(sandbox, "image/jpeg").id
        missing = valid_error(fetch(sandbox, "/v1/photo/thumb/" + target, auth=False))
        malformed = requests.get(sandbox.base_url + "/v1/photo/" + target, headers={"Authorization": "Bearer x"},
                                 timeout=5)
        assert valid_error(malformed)["errors"]["code"] == "1190"  # only the missing header changes
        return missing["errors"]["code"] == code
    return probe


def full_photo_served_as(fmt: str) -> Probe:
    def probe(sandbox: Sandbox) -> bool:
        response = fetch(sandbox, "/v1/photo/" + visitor(sandbox, "image/jpeg").id)
        image = decodes(response.content)
        assert image is not None and Image.MIME[image.format] == response.headers["content-type"]
        return image.format == fmt
    return probe


def error_has_extra_field(sandbox: Sandbox) -> bool:
    return "request_id" in valid_error(fetch(sandbox, "/v1/photo/" + "0" * 40))


def json_with_charset(sandbox: Sandbox) -> bool:
    response = fetch(sandbox, "/v1/photo/" + "0" * 40)
    valid_error(response)
    return response.headers["content-type"] == "application/json; charset=utf-8"


def expiry_is_iso_string(sandbox: Sandbox) -> bool:
    response = requests.post(sandbox.base_url + "/v1/oauth/", data={"username": "sandbox", "password": sandbox.token},
                             timeout=5)
    body = response.json()
    assert not list(TOKENS.iter_errors(body)), body
    return isinstance(body["data"]["expiry"], str) and body["data"]["expiry"].endswith("Z")


PROBES: dict[str, Probe] = {
    "visitor-thumbnail-as-png": thumbnail_not_jpeg,
    "visitor-thumbnail-300px-wide": thumbnail_not_200_px_wide,
    "visitor-photo-jpeg-labelled-png": bytes_contradict_content_type,
    "visitor-photo-truncated-jpeg": photo_does_not_decode,
    "visitor-error-code-as-number": error_breaks_schema,
    "visitor-error-without-success": error_without_success,
    "visitor-auth-not-enforced": photo_without_credentials,
    "visitor-server-error-on-photo": server_error_on_valid_id,
    "visitor-missing-image-http-404": missing_image_not_http_200,
    # variants
    "visitor-doc-errors-keyed-by-code": errors_keyed_by_code,
    "visitor-doc-missing-credential-1142": missing_credential_code("1142"),
    "visitor-doc-missing-credential-1157": missing_credential_code("1157"),
    "visitor-doc-full-photo-as-png": full_photo_served_as("PNG"),
    "visitor-doc-full-photo-as-bmp": full_photo_served_as("BMP"),
    "visitor-doc-error-extra-field": error_has_extra_field,
    "visitor-doc-json-charset": json_with_charset,
    "visitor-doc-token-expiry-iso-string": expiry_is_iso_string,
}
VISITOR = {name: p for name, p in catalog().items() if p.api == "visitor"}
VISITOR_PROFILES = {name: p for name, p in VISITOR.items() if not p.is_variant}
VISITOR_VARIANTS = {name: p for name, p in VISITOR.items() if p.is_variant}


@pytest.fixture(scope="module")
def faithful() -> Iterator[Sandbox]:
    with running("visitor", seed=5) as sandbox:
        yield sandbox


@pytest.mark.parametrize("name", PROBES)
def test_probe_sees_the_drift_and_not_the_faithful_emulator(name: str, faithful: Sandbox) -> None:
    probe = PROBES[name]
    assert not probe(faithful), f"{name}: the faithful emulator already shows the change"
    with running("visitor", seed=5, drift=name) as drifted:
        assert probe(drifted), f"{name}: the probe does not see the change"


def test_every_visitor_profile_and_variant_has_a_probe() -> None:
    assert set(PROBES) == set(VISITOR)


def test_profiles_are_well_formed() -> None:
    documented = {op.name for op in operations(load_contract("visitor"))}
    assert len(VISITOR_PROFILES) >= 6
    for profile in VISITOR_PROFILES.values():
        assert profile.check in KNOWN_CHECKS, profile.name
        assert profile.name.startswith("visitor-") and profile.description.endswith(".")
        assert profile.operations and set(profile.operations) <= documented, profile.name


def test_variants_are_well_formed() -> None:
    documented = {op.name for op in operations(load_contract("visitor"))}
    assert len(VISITOR_VARIANTS) >= 4
    for variant in VISITOR_VARIANTS.values():
        assert variant.check is None
        assert variant.name.startswith("visitor-doc-") and variant.description.endswith(".")
        assert variant.operations and set(variant.operations) <= documented, variant.name
