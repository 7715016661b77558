"""Every cloudcard drift profile changes what its probe sees; the faithful emulator does not."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from PIL import Image

from photo_contracts.checks import KNOWN_CHECKS
from photo_contracts.contracts import load_contract, operations
from photo_contracts.sandbox import Sandbox, running
from photo_contracts.sandbox.cloudcard_data import STATUSES
from photo_contracts.sandbox.drift import catalog

pytestmark = pytest.mark.slow

Probe = Callable[[Sandbox], bool]  # True when the responses show the profile's change


def fetch(sandbox: Sandbox, path: str, *, auth: bool = True, **params: Any) -> requests.Response:
    headers = sandbox.auth_headers() if auth else {}
    return requests.get(sandbox.base_url + path, headers=headers, params=params, timeout=5)


def first_photo_id(sandbox: Sandbox) -> int:
    return sandbox.app.state.dataset.order[0]


def detail(sandbox: Sandbox) -> dict[str, Any]:
    return fetch(sandbox, f"/photo/{first_photo_id(sandbox)}").json()


def image_response(sandbox: Sandbox) -> requests.Response:
    photo = sandbox.app.state.dataset.photos[first_photo_id(sandbox)]
    return requests.get(photo.fields["externalURL"], timeout=5)


def decodes(data: bytes) -> Image.Image | None:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except OSError:
        return None
    return image


def width_is_string(sandbox: Sandbox) -> bool:
    return isinstance(detail(sandbox)["width"], str)


def undocumented_status(sandbox: Sandbox) -> bool:
    return any(item["status"] not in STATUSES for item in fetch(sandbox, "/photo", max=50).json())


def jpeg_labelled_otherwise(sandbox: Sandbox) -> bool:
    response = image_response(sandbox)
    return response.content[:3] == b"\xff\xd8\xff" and response.headers["content-type"] != "image/jpeg"


def image_broken(sandbox: Sandbox) -> bool:
    return decodes(image_response(sandbox).content) is None


def height_contradicts_image(sandbox: Sandbox) -> bool:
    photo = detail(sandbox)
    image = decodes(requests.get(photo["externalURL"], timeout=5).content)
    return image is None or image.size != (photo["width"], photo["height"])


def status_filter_ignored(sandbox: Sandbox) -> bool:
    return {item["status"] for item in fetch(sandbox, "/photo", status="DENIED", max=1000).json()} != {"DENIED"}


def offset_ignored(sandbox: Sandbox) -> bool:
    first = [i["id"] for i in fetch(sandbox, "/photo", offset=0, max=5).json()]
    second = [i["id"] for i in fetch(sandbox, "/photo", offset=5, max=5).json()]
    return bool(set(first) & set(second))


def auth_not_enforced(sandbox: Sandbox) -> bool:
    return fetch(sandbox, "/photo", auth=False).status_code == 200


def list_disagrees_with_detail(sandbox: Sandbox) -> bool:
    item = fetch(sandbox, "/photo", max=1).json()[0]
    return item["version"] != fetch(sandbox, f"/photo/{item['id']}").json()["version"]


def unknown_photo_not_404(sandbox: Sandbox) -> bool:
    return fetch(sandbox, "/photo/1").status_code != 404


def detail_not_json(sandbox: Sandbox) -> bool:
    return not fetch(sandbox, f"/photo/{first_photo_id(sandbox)}").headers["content-type"].startswith("application/json")


def out_of_range_max_accepted(sandbox: Sandbox) -> bool:
    return fetch(sandbox, "/photo", max=5000).status_code == 200


def organization_fails(sandbox: Sandbox) -> bool:
    return fetch(sandbox, "/organization/1").status_code >= 500


PROBES: dict[str, Probe] = {
    "cloudcard-width-as-string": width_is_string,
    "cloudcard-undocumented-status": undocumented_status,
    "cloudcard-jpeg-labelled-png": jpeg_labelled_otherwise,
    "cloudcard-truncated-jpeg": image_broken,
    "cloudcard-height-contradicts-image": height_contradicts_image,
    "cloudcard-status-filter-ignored": status_filter_ignored,
    "cloudcard-offset-ignored": offset_ignored,
    "cloudcard-auth-not-enforced": auth_not_enforced,
    "cloudcard-list-version-stale": list_disagrees_with_detail,
    "cloudcard-unknown-photo-200": unknown_photo_not_404,
    "cloudcard-organization-5xx": organization_fails,
    "cloudcard-detail-served-as-html": detail_not_json,
    "cloudcard-bad-input-accepted": out_of_range_max_accepted,
}
PROFILES = sorted(name for name, profile in catalog().items() if profile.api == "cloudcard")


@pytest.fixture(scope="module")
def faithful() -> Iterator[Sandbox]:
    with running("cloudcard", seed=2) as sandbox:
        yield sandbox


def test_every_profile_has_a_probe() -> None:
    assert sorted(PROBES) == PROFILES
    assert len(PROFILES) >= 6


@pytest.mark.parametrize("name", PROFILES)
def test_profile_is_well_formed(name: str) -> None:
    profile = catalog()[name]
    assert profile.check in KNOWN_CHECKS
    documented = {operation.name for operation in operations(load_contract("cloudcard"))}
    for operation in profile.operations:
        assert operation.startswith("STORE ") or operation in documented, operation


@pytest.mark.parametrize("name", PROFILES)
def test_faithful_emulator_does_not_show_the_change(faithful: Sandbox, name: str) -> None:
    assert not PROBES[name](faithful)


@pytest.mark.parametrize("name", PROFILES)
def test_drifted_emulator_shows_the_change(name: str) -> None:
    with running("cloudcard", seed=2, drift=name) as sandbox:
        assert PROBES[name](sandbox)
