"""Every cloudcard drift profile changes what its probe sees; the faithful emulator does not."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from PIL import Image

from photo_contracts.checks import KNOWN_CHECKS
from photo_contracts.contracts import load_contract
from photo_contracts.operations import operations
from photo_contracts.sandbox import Sandbox, running
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


def list_classifications_returned(sandbox: Sandbox) -> bool:
    return any(item["classifications"] for item in fetch(sandbox, "/photo", max=50).json())


def jpeg_labelled_otherwise(sandbox: Sandbox) -> bool:
    response = image_response(sandbox)
    return response.content[:3] == b"\xff\xd8\xff" and response.headers["content-type"] != "image/jpeg"


def image_broken(sandbox: Sandbox) -> bool:
    return decodes(image_response(sandbox).content) is None


def status_filter_ignored(sandbox: Sandbox) -> bool:
    return {item["status"] for item in fetch(sandbox, "/photo", status="DENIED", max=1000).json()} != {"DENIED"}


def default_page_larger(sandbox: Sandbox) -> bool:
    return len(fetch(sandbox, "/photo").json()) > 25


def offset_ignored(sandbox: Sandbox) -> bool:
    first = [i["id"] for i in fetch(sandbox, "/photo", offset=0, max=5).json()]
    second = [i["id"] for i in fetch(sandbox, "/photo", offset=5, max=5).json()]
    return bool(set(first) & set(second))


def auth_not_enforced(sandbox: Sandbox) -> bool:
    return fetch(sandbox, "/photo", auth=False).status_code == 200


def list_disagrees_with_detail(sandbox: Sandbox) -> bool:
    item = fetch(sandbox, "/photo", max=1).json()[0]
    return item["version"] != fetch(sandbox, f"/photo/{item['id']}").json()["version"]


def detail_not_json(sandbox: Sandbox) -> bool:
    return not fetch(sandbox, f"/photo/{first_photo_id(sandbox)}").headers["content-type"].startswith("application/json")


def organization_fails(sandbox: Sandbox) -> bool:
    return fetch(sandbox, "/organization/1").status_code >= 500


# Variants: documented-but-different answers (check=None).
def not_found_is_empty(sandbox: Sandbox) -> bool:
    response = fetch(sandbox, "/photo/1")
    return response.status_code == 404 and response.content == b"" and "content-type" not in response.headers


def unauthorized_is_text(sandbox: Sandbox) -> bool:
    response = fetch(sandbox, "/photo", auth=False)
    return response.status_code == 401 and response.headers["content-type"].startswith("text/plain")


def bad_token_gets_403(sandbox: Sandbox) -> bool:
    missing = fetch(sandbox, "/photo", auth=False)
    wrong = requests.get(sandbox.base_url + "/photo", headers=sandbox.auth_headers("wrong"), timeout=5)
    return missing.status_code == wrong.status_code == 403


def oldest_first(sandbox: Sandbox) -> bool:
    everything = [i["id"] for i in fetch(sandbox, "/photo", max=1000).json()]
    pages = [i["id"] for offset in range(0, len(everything), 7)
             for i in fetch(sandbox, "/photo", offset=offset, max=7).json()]
    newest = sandbox.app.state.dataset.order
    return everything == newest[::-1] and pages == everything and len(fetch(sandbox, "/photo").json()) == 25


def archived_status(sandbox: Sandbox) -> bool:
    archived = [i for i in fetch(sandbox, "/photo", max=1000).json() if i["status"] == "ARCHIVED"]
    return bool(archived) and fetch(sandbox, f"/photo/{archived[0]['id']}").json()["status"] == "ARCHIVED"


def extra_fields(sandbox: Sandbox) -> bool:
    return "tags" in detail(sandbox) and all("tags" in i for i in fetch(sandbox, "/photo").json())


def links_bytes_only(sandbox: Sandbox) -> bool:
    photos = [detail(sandbox), *fetch(sandbox, "/photo").json()]
    return all("externalURL" not in p and p["links"]["bytes"].endswith(".jpg") for p in photos)


PROBES: dict[str, Probe] = {
    "cloudcard-width-as-string": width_is_string,
    "cloudcard-list-classifications-returned": list_classifications_returned,
    "cloudcard-jpeg-labelled-png": jpeg_labelled_otherwise,
    "cloudcard-truncated-jpeg": image_broken,
    "cloudcard-status-filter-ignored": status_filter_ignored,
    "cloudcard-offset-ignored": offset_ignored,
    "cloudcard-max-default-50": default_page_larger,
    "cloudcard-auth-not-enforced": auth_not_enforced,
    "cloudcard-list-version-stale": list_disagrees_with_detail,
    "cloudcard-organization-5xx": organization_fails,
    "cloudcard-detail-served-as-html": detail_not_json,
    "cloudcard-doc-404-empty": not_found_is_empty,
    "cloudcard-doc-401-text-plain": unauthorized_is_text,
    "cloudcard-doc-credentials-403": bad_token_gets_403,
    "cloudcard-doc-list-oldest-first": oldest_first,
    "cloudcard-doc-extra-fields": extra_fields,
    "cloudcard-undocumented-status": archived_status,
    "cloudcard-doc-links-bytes-only": links_bytes_only,
}
PROFILES = sorted(name for name, profile in catalog().items() if profile.api == "cloudcard")


@pytest.fixture(scope="module")
def faithful() -> Iterator[Sandbox]:
    with running("cloudcard", seed=2) as sandbox:
        yield sandbox


def test_every_profile_has_a_probe() -> None:
    assert sorted(PROBES) == PROFILES
    assert len([n for n in PROFILES if catalog()[n].check]) >= 6
    assert len([n for n in PROFILES if catalog()[n].is_variant]) >= 4


@pytest.mark.parametrize("name", PROFILES)
def test_profile_is_well_formed(name: str) -> None:
    profile = catalog()[name]
    assert profile.is_variant or profile.check in KNOWN_CHECKS
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
