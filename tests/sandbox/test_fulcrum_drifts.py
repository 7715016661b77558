"""Every fulcrum drift profile shows under its profile and not on the faithful emulator."""

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


def width_contradicts(sandbox: Sandbox) -> bool:
    exif = get(sandbox, f"/v2/photos/{PHOTO}.json").json()["photo"]["exif"]
    return exif["pixel_x_dimension"] != pixels(get(sandbox, f"/v2/photos/{PHOTO}.jpg").content)[0]


# Profile name -> a request and a predicate: True when the response shows the change.
PROBES: dict[str, Callable[[Sandbox], bool]] = {
    "fulcrum-original-url-removed": lambda s: "original" not in get(s, f"/v2/photos/{PHOTO}.json").json()["photo"],
    "fulcrum-file-size-as-string": lambda s: isinstance(get(s, "/v2/photos").json()["photos"][0]["file_size"], str),
    "fulcrum-jpg-is-png": jpg_is_png,
    "fulcrum-thumbnail-truncated": thumbnail_broken,
    "fulcrum-thumbnail-larger-than-original": thumbnail_larger,
    "fulcrum-pixel-width-contradicts-image": width_contradicts,
    "fulcrum-form-filter-ignored": other_forms_listed,
    "fulcrum-per-page-ignored": lambda s: len(get(s, "/v2/photos.json", per_page=5).json()["photos"]) != 5,
    "fulcrum-auth-not-enforced": lambda s: get(s, f"/v2/photos/{PHOTO}.json", auth=False).status_code != 401,
    "fulcrum-unauthorized-body-reshaped": lambda s: "error" not in get(s, "/v2/photos.json", auth=False).json(),
    "fulcrum-thumbnail-redirect-loop": thumbnail_redirects_to_itself,
}


@pytest.fixture(scope="module")
def faithful() -> Iterator[Sandbox]:
    with running("fulcrum", seed=3) as sandbox:
        yield sandbox


def test_every_fulcrum_profile_has_a_probe() -> None:
    names = {name for name, profile in catalog().items() if profile.api == "fulcrum"}
    assert names == set(PROBES)
    assert len(names) >= 6


@pytest.mark.parametrize("name", sorted(PROBES))
def test_profile_shows_only_under_drift(name: str, faithful: Sandbox) -> None:
    probe = PROBES[name]
    assert not probe(faithful), f"{name}: the faithful emulator already shows the change"
    with running("fulcrum", seed=3, drift=name) as drifted:
        assert probe(drifted), f"{name}: the probe does not see the change"
