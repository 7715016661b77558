"""Every visitor drift profile changes what its probe sees; the faithful emulator does not."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
import requests
from PIL import Image

from photo_contracts.checks import KNOWN_CHECKS
from photo_contracts.contracts import SCHEMAS_DIR, file_uri, load_contract, operations, validator
from photo_contracts.sandbox import Sandbox, running
from photo_contracts.sandbox.drift import catalog
from photo_contracts.sandbox.visitor_data import Visitor

pytestmark = pytest.mark.slow

ERRORS = validator(file_uri(SCHEMAS_DIR / "visitor" / "error.json"))
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


def thumbnail_larger(sandbox: Sandbox) -> bool:
    target = visitor(sandbox, "image/jpeg")
    thumb = decodes(fetch(sandbox, "/v1/photo/thumb/" + target.id).content)
    full = decodes(fetch(sandbox, "/v1/photo/" + target.id).content)
    assert thumb is not None and full is not None
    return thumb.width > full.width


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


PROBES: dict[str, Probe] = {
    "visitor-thumbnail-as-png": thumbnail_not_jpeg,
    "visitor-thumbnail-larger-than-photo": thumbnail_larger,
    "visitor-photo-jpeg-labelled-png": bytes_contradict_content_type,
    "visitor-photo-truncated-jpeg": photo_does_not_decode,
    "visitor-error-code-as-number": error_breaks_schema,
    "visitor-auth-not-enforced": photo_without_credentials,
    "visitor-server-error-on-photo": server_error_on_valid_id,
    "visitor-missing-image-http-404": missing_image_not_http_200,
}
VISITOR_PROFILES = {name: p for name, p in catalog().items() if p.api == "visitor"}


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


def test_every_visitor_profile_has_a_probe() -> None:
    assert set(PROBES) == set(VISITOR_PROFILES)


def test_profiles_are_well_formed() -> None:
    documented = {op.name for op in operations(load_contract("visitor"))}
    assert len(VISITOR_PROFILES) >= 6
    for profile in VISITOR_PROFILES.values():
        assert profile.check in KNOWN_CHECKS, profile.name
        assert profile.name.startswith("visitor-") and profile.description.endswith(".")
        assert profile.operations and set(profile.operations) <= documented, profile.name
