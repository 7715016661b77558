"""Each Autodesk drift profile and variant visibly changes the emulator; the faithful emulator shows none of it."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
import requests
from PIL import Image

from photo_contracts.checks import KNOWN_CHECKS
from photo_contracts.sandbox import Sandbox, running
from photo_contracts.sandbox.autodesk_data import EXAMPLE_PHOTO_ID, PROJECT_ID
from photo_contracts.sandbox.drift import catalog

pytestmark = pytest.mark.slow
Probe = Callable[[Sandbox], bool]


def get_photo(sandbox: Sandbox, signed: bool = False, auth: bool = True) -> requests.Response:
    return requests.get(f"{sandbox.base_url}/projects/{PROJECT_ID}/photos/{EXAMPLE_PHOTO_ID}",
                        params={"include": "signedUrls"} if signed else {},
                        headers=sandbox.auth_headers() if auth else {}, timeout=5)


def post_filter(sandbox: Sandbox, body: dict, auth: bool = True) -> requests.Response:
    return requests.post(f"{sandbox.base_url}/projects/{PROJECT_ID}/photos:filter", json=body,
                         headers=sandbox.auth_headers() if auth else {}, timeout=5)


def deleted_id(sandbox: Sandbox) -> str:
    return next(m.id for m in sandbox.app.state.dataset.media if m.deleted)


def signed_bytes(sandbox: Sandbox, name: str) -> bytes:
    return requests.get(get_photo(sandbox, signed=True).json()["signedUrls"][name], timeout=5).content


def decodes(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except OSError:
        return False
    return True


def last_page_loops(sandbox: Sandbox) -> bool:
    """Following nextPost from a page of 5, some page's nextPost gives again the cursor that fetched it."""
    body: dict = {"limit": 5}
    for _ in range(100):
        following = post_filter(sandbox, body).json()["pagination"].get("nextPost")
        if not following:
            return False
        if following["body"] == body:
            return True
        body = following["body"]
    return False


# Profile name -> a request and a predicate that is true when the change shows.
PROBES: dict[str, Probe] = {
    "autodesk-size-as-string": lambda s: isinstance(get_photo(s).json()["size"], str),
    "autodesk-urls-as-string": lambda s: isinstance(get_photo(s).json()["urls"], str),
    "autodesk-new-media-type": lambda s: any(
        r["mediaType"] == "PANORAMA" for r in post_filter(s, {"limit": 5}).json()["results"]),
    "autodesk-credentials-rejected-as-404": lambda s: (get_photo(s, auth=False).status_code,
                                                       post_filter(s, {}, auth=False).status_code) == (404, 404),
    "autodesk-taken-at-not-iso": lambda s: all(
        r["takenAt"] == "13/03/2021 18:15" for r in post_filter(s, {"limit": 5}).json()["results"]),
    "autodesk-limit-ignored": lambda s: len(post_filter(s, {"limit": 5}).json()["results"]) != 5,
    "autodesk-last-page-loops": lambda s: last_page_loops(s),
    "autodesk-auth-not-enforced": lambda s: get_photo(s, auth=False).status_code == 200,
    "autodesk-filter-server-error": lambda s: post_filter(s, {}).status_code >= 500,
    "autodesk-thumbnail-png": lambda s: signed_bytes(s, "thumbnailUrl").startswith(b"\x89PNG"),
    "autodesk-original-truncated": lambda s: not decodes(signed_bytes(s, "fileUrl")),
    "autodesk-size-mismatch": lambda s: len(signed_bytes(s, "fileUrl")) != get_photo(s).json()["size"],
    "autodesk-updated-before-created": lambda s: get_photo(s).json()["updatedAt"] < get_photo(s).json()["createdAt"],
    "autodesk-429-without-retry-after": lambda s: (lambda r: r.status_code == 429 and "retry-after" not in r.headers)(
        get_photo(s)),
    "autodesk-signed-urls-ignored": lambda s: "signedUrls" not in get_photo(s, signed=True).json(),
    "autodesk-deleted-media-answers-200": lambda s: (lambda r: r.status_code == 200 and "deletedAt" in r.json())(
        requests.get(f"{s.base_url}/projects/{PROJECT_ID}/photos/{deleted_id(s)}", headers=s.auth_headers(),
                     timeout=5)),
    "autodesk-unknown-photo-answers-403": lambda s: requests.get(
        f"{s.base_url}/projects/{PROJECT_ID}/photos/00000000-0000-4000-8000-000000000000", headers=s.auth_headers(),
        timeout=5).status_code == 403,
    "autodesk-bad-include-accepted": lambda s: requests.get(
        f"{s.base_url}/projects/{PROJECT_ID}/photos/{EXAMPLE_PHOTO_ID}", params={"include": "nonsense"},
        headers=s.auth_headers(), timeout=5).status_code == 200,
    "autodesk-default-limit-50": lambda s: post_filter(s, {}).json()["pagination"]["limit"] == 50,
    # Variants: documented but different.
    "autodesk-doc-401-empty": lambda s: (lambda r: r.status_code == 401 and r.content == b""
                                         and "content-type" not in r.headers)(get_photo(s, auth=False)),
    "autodesk-doc-401-two-fields": lambda s: set(get_photo(s, auth=False).json()) == {"developerMessage", "errorCode"},
    "autodesk-doc-403-text-plain": lambda s: (lambda r: r.status_code == 403 and r.text == "403 Forbidden"
                                              and r.headers["content-type"].startswith("text/plain"))(
        requests.get(f"{s.base_url}/projects/{OTHER_PROJECT}/photos/{EXAMPLE_PHOTO_ID}", headers=s.auth_headers(),
                     timeout=5)),
    "autodesk-doc-credentials-403": lambda s: (get_photo(s, auth=False).status_code,
                                               post_filter(s, {}, auth=False).status_code) == (403, 403),
    "autodesk-doc-utc-z": lambda s: get_photo(s).json()["createdAt"].endswith("Z") and all(
        r["takenAt"].endswith("Z") for r in post_filter(s, {"limit": 5}).json()["results"]),
    "autodesk-doc-extra-fields": lambda s: "tags" in get_photo(s).json() and all(
        "folderId" in r for r in post_filter(s, {"limit": 5}).json()["results"]),
    "autodesk-doc-filter-order": lambda s: (lambda taken: taken == sorted(taken))(
        [r["takenAt"] for r in post_filter(s, {"limit": 50}).json()["results"]]),
}
OTHER_PROJECT = "0f6a1c0e-8a3e-4b8e-9a57-3d1a7c0f2b11"
PROFILES = sorted(name for name, profile in catalog().items() if profile.api == "autodesk")


@pytest.fixture(scope="module")
def faithful() -> Iterator[Sandbox]:
    with running("autodesk", size=12) as sandbox:
        yield sandbox


def test_every_profile_has_a_probe() -> None:
    assert len([n for n in PROFILES if not catalog()[n].is_variant]) >= 6
    assert len([n for n in PROFILES if catalog()[n].is_variant]) >= 4
    assert set(PROBES) == set(PROFILES)


@pytest.mark.parametrize("name", PROFILES)
def test_profile_names_a_known_check(name: str) -> None:
    profile = catalog()[name]
    assert (profile.check is None if profile.name.startswith("autodesk-doc-") else profile.check in KNOWN_CHECKS)
    assert profile.description and profile.operations


@pytest.mark.parametrize("name", PROFILES)
def test_faithful_emulator_does_not_show_the_change(faithful: Sandbox, name: str) -> None:
    assert PROBES[name](faithful) is False


@pytest.mark.parametrize("name", PROFILES)
def test_profile_shows_the_change(name: str) -> None:
    with running("autodesk", drift=name, size=12) as drifted:
        assert PROBES[name](drifted) is True
