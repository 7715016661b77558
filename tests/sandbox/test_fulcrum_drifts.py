"""Every fulcrum drift profile and variant shows under its profile and not on the faithful emulator."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
import requests
from PIL import Image

from photo_contracts.sandbox import Sandbox, running
from photo_contracts.sandbox.drift import catalog
from photo_contracts.sandbox.fulcrum_data import DOCUMENTED

pytestmark = pytest.mark.slow

PHOTO = DOCUMENTED["access_key"]  # in every dataset, stored and processed


def get(sandbox: Sandbox, path: str, *, auth: bool = True, **params: object) -> requests.Response:
    headers = sandbox.auth_headers() if auth else {}
    return requests.get(sandbox.base_url + path, headers=headers, params=params, timeout=10)


def decodes(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except OSError:
        return False
    return True


def pixels(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def other_forms_listed(sandbox: Sandbox) -> bool:
    form_id = DOCUMENTED["form_id"]
    photos = get(sandbox, "/v2/photos.json", form_id=form_id).json()["photos"]
    return any(photo["form_id"] != form_id for photo in photos)


def jpg_is_png(sandbox: Sandbox) -> bool:
    response = get(sandbox, f"/v2/photos/{PHOTO}.jpg")
    return response.headers["content-type"] == "image/jpeg" and response.content.startswith(b"\x89PNG")


def thumbnail_broken(sandbox: Sandbox) -> bool:
    url = get(sandbox, f"/v2/photos/{PHOTO}.json").json()["photo"]["thumbnail"]
    return not decodes(requests.get(url, timeout=10).content)


def thumbnail_larger(sandbox: Sandbox) -> bool:
    thumbnail = pixels(get(sandbox, f"/v2/photos/{PHOTO}/thumbnail.jpg").content)
    original = pixels(get(sandbox, f"/v2/photos/{PHOTO}.jpg").content)
    return thumbnail[0] * thumbnail[1] > original[0] * original[1]


def thumbnail_redirects_to_itself(sandbox: Sandbox) -> bool:
    url = get(sandbox, f"/v2/photos/{PHOTO}.json").json()["photo"]["thumbnail"]
    response = requests.get(url, allow_redirects=False, timeout=5)
    return response.status_code in (301, 302, 303, 307, 308) and requests.compat.urljoin(
        url, response.headers["location"]).split("?")[0] == url.split("?")[0]


def size_contradicts(sandbox: Sandbox) -> bool:
    stated = get(sandbox, f"/v2/photos/{PHOTO}.json").json()["photo"]["file_size"]
    return stated != len(get(sandbox, f"/v2/photos/{PHOTO}.jpg").content)


def newest_first_not_by_updated_at(sandbox: Sandbox) -> bool:
    times = [p["updated_at"] for p in get(sandbox, "/v2/photos.json", newest_first="true").json()["photos"]]
    return times != sorted(times, reverse=True)


def unsuffixed_photo_is_jpeg(sandbox: Sandbox) -> bool:
    """Accept */* (requests' default) gets the JPEG; Accept: application/json still gets the photo."""
    response = get(sandbox, f"/v2/photos/{PHOTO}")
    as_json = requests.get(f"{sandbox.base_url}/v2/photos/{PHOTO}", timeout=10,
                           headers={**sandbox.auth_headers(), "Accept": "application/json"})
    return (response.headers["content-type"] == "image/jpeg" and decodes(response.content)
            and as_json.json()["photo"]["access_key"] == PHOTO)


def unsuffixed_list_refuses_images_only(sandbox: Sandbox) -> bool:
    refused = requests.get(f"{sandbox.base_url}/v2/photos", timeout=10,
                           headers={**sandbox.auth_headers(), "Accept": "image/jpeg"})
    return refused.status_code == 406 and get(sandbox, "/v2/photos").status_code == 200


def newest_updated_first_by_default(sandbox: Sandbox) -> bool:
    times = [p["updated_at"] for p in get(sandbox, "/v2/photos.json").json()["photos"]]
    return times == sorted(times, reverse=True)


def detail(sandbox: Sandbox) -> dict:
    return get(sandbox, f"/v2/photos/{PHOTO}.json").json()["photo"]


# Profile name -> a request and a predicate: True when the response shows the change.
PROBES: dict[str, Callable[[Sandbox], bool]] = {
    "fulcrum-access-key-removed": lambda s: "access_key" not in detail(s),
    "fulcrum-created-by-removed": lambda s: "created_by" not in detail(s),
    "fulcrum-file-size-as-string": lambda s: isinstance(get(s, "/v2/photos").json()["photos"][0]["file_size"], str),
    "fulcrum-jpg-is-png": jpg_is_png,
    "fulcrum-thumbnail-truncated": thumbnail_broken,
    "fulcrum-thumbnail-larger-than-original": thumbnail_larger,
    "fulcrum-file-size-contradicts-image": size_contradicts,
    "fulcrum-newest-first-ignored": newest_first_not_by_updated_at,
    "fulcrum-form-filter-ignored": other_forms_listed,
    "fulcrum-per-page-ignored": lambda s: len(get(s, "/v2/photos.json", per_page=5).json()["photos"]) != 5,
    "fulcrum-auth-not-enforced": lambda s: get(s, f"/v2/photos/{PHOTO}.json", auth=False).status_code != 401,
    "fulcrum-unauthorized-body-reshaped": lambda s: "error" not in get(s, "/v2/photos.json", auth=False).json(),
    "fulcrum-thumbnail-redirect-loop": thumbnail_redirects_to_itself,
    # Documented-but-different variants
    "fulcrum-doc-unsuffixed-photo-negotiates-jpeg": unsuffixed_photo_is_jpeg,
    "fulcrum-doc-unsuffixed-list-406-without-json": unsuffixed_list_refuses_images_only,
    "fulcrum-doc-newest-first-by-default": newest_updated_first_by_default,
    "fulcrum-doc-upper-case-access-keys": lambda s: detail(s)["access_key"] == PHOTO.upper(),
    "fulcrum-doc-exif-decimals-as-numbers": lambda s: detail(s)["exif"]["x_resolution"] == 72.0,
    "fulcrum-doc-official-nulls": lambda s: (detail(s)["created_by"], detail(s)["file_size"]) == (None, None),
    "fulcrum-doc-version-metadata-empty-success": lambda s: get(s, f"/v2/photos/{PHOTO}/thumbnail.json").json() == {},
}


@pytest.fixture(scope="module")
def faithful() -> Iterator[Sandbox]:
    with running("fulcrum", seed=3) as sandbox:
        yield sandbox


def test_every_fulcrum_profile_has_a_probe() -> None:
    names = {name for name, profile in catalog().items() if profile.api == "fulcrum"}
    assert names == set(PROBES)
    assert len([n for n in names if not catalog()[n].is_variant]) >= 6
    assert len([n for n in names if catalog()[n].is_variant]) >= 4


@pytest.mark.parametrize("name", sorted(PROBES))
def test_profile_shows_only_under_drift(name: str, faithful: Sandbox) -> None:
    probe = PROBES[name]
    assert not probe(faithful), f"{name}: the faithful emulator already shows the change"
    with running("fulcrum", seed=3, drift=name) as drifted:
        assert probe(drifted), f"{name}: the probe does not see the change"


def test_scaled_thumbnail_leaves_json_answers_alone() -> None:
    """ScaleImage applies to image answers only: the route's 404 {} stays a 404, not a 500."""
    with running("fulcrum", seed=3, drift="fulcrum-thumbnail-larger-than-original") as drifted:
        missing = get(drifted, "/v2/photos/00000000-0000-4000-8000-000000000000/thumbnail.jpg")
        anonymous = get(drifted, f"/v2/photos/{PHOTO}/thumbnail.jpg", auth=False)
    assert (missing.status_code, missing.json()) == (404, {})
    assert (anonymous.status_code, anonymous.json()) == (401, {"error": "Unauthorized"})
