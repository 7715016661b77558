"""The CloudCard emulator over real HTTP: auth, ids, filters, pages, writes, images, the dataset."""

from __future__ import annotations

import base64
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
from PIL import Image
from requests import Session

from photo_contracts.apis import get_api
from photo_contracts.contracts import SCHEMAS_DIR, file_uri, validator
from photo_contracts.sandbox import STORE_HOST, Sandbox, SandboxContext, running
from photo_contracts.sandbox import cloudcard as emulator
from photo_contracts.sandbox.cloudcard_data import (
    DEFAULT_SIZE,
    DOCUMENTED_STATUSES,
    STATUSES,
    Dataset,
    build,
)
from photo_contracts.sandbox.images import make_image
from photo_contracts.sandbox.objectstore import ObjectStore
from photo_contracts.sandbox.server import serve

pytestmark = pytest.mark.slow

JSON = "application/json;charset=UTF-8"
SCHEMAS = SCHEMAS_DIR / "cloudcard"
PHOTO = validator(file_uri(SCHEMAS / "photo.json"))
PHOTO_LIST = validator(file_uri(SCHEMAS / "photo-list.json"))
ORGANIZATION = validator(file_uri(SCHEMAS / "organization.json"))
TOKEN = validator(file_uri(SCHEMAS / "authentication-token.json"))
UPDATE_RESULT = validator(file_uri(SCHEMAS / "photo-update-result.json"))
# Fields a list item and Get a Photo both carry with the same meaning (onHoldReasons and
# classifications differ in shape by documentation, person in depth).
SHARED = ("id", "dateCreated", "upVotes", "width", "dateApproved", "externalURL", "lastUpdated",
          "helperBotReviewed", "aspectRatio", "height", "backgroundReplaced", "downVotes",
          "automaticallyApprovedOrDenied", "publicKey", "manuallyEdited", "status", "domainClass",
          "version", "lowestClassification", "isAspectRatioCorrect", "links", "personHasApprovedPhoto",
          "isHelperBotProcessing")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running("cloudcard", seed=11) as sb:
        yield sb


@pytest.fixture(scope="module")
def http() -> Iterator[Session]:
    with requests.Session() as session:
        yield session


def get(sandbox: Sandbox, http: Session, path: str, headers: dict[str, str] | None = None,
        **params: Any) -> requests.Response:
    sent = sandbox.auth_headers() if headers is None else headers
    return http.get(sandbox.base_url + path, headers=sent, params=params, timeout=5, allow_redirects=False)


def assert_error(response: requests.Response, status: int) -> None:
    """The emulator's own error model, `{"status", "message"}` [I]: CloudCard documents no error body,
    so the contract promises none (any body keeps it); the emulator still sends one consistently."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == JSON
    body = response.json()
    assert set(body) == {"status", "message"}, body
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"], body


def everything(sandbox: Sandbox, http: Session, **params: Any) -> list[dict[str, Any]]:
    response = get(sandbox, http, "/photo", max=1000, **params)
    assert response.status_code == 200
    return response.json()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()  # fully decode: a truncated file raises here
    return image


# Auth


@pytest.mark.parametrize("path", ["/photo", "/photo/download", "/organization/1"])
@pytest.mark.parametrize("headers", [{}, {"X-Auth-Token": "wrong"}, {"Authorization": "Bearer x"}],
                         ids=["missing", "wrong", "other-header"])
def test_requests_without_a_valid_token_get_401(sandbox: Sandbox, http: Session, path: str,
                                               headers: dict[str, str]) -> None:
    assert_error(get(sandbox, http, path, headers=headers), 401)


def test_the_token_has_no_prefix(sandbox: Sandbox, http: Session) -> None:
    assert_error(get(sandbox, http, "/photo", headers={"X-Auth-Token": f"Bearer {sandbox.token}"}), 401)
    assert get(sandbox, http, "/photo", headers={"X-Auth-Token": sandbox.token}).status_code == 200


def test_session_token_works_and_expires_after_12_hours(sandbox: Sandbox, http: Session) -> None:
    # No X-Auth-Token needed to get one.
    response = http.post(sandbox.base_url + "/authentication-token",
                         json={"persistentAccessToken": sandbox.token}, timeout=5)
    assert response.status_code == 200 and response.headers["content-type"] == JSON
    token = response.json()
    assert not list(TOKEN.iter_errors(token)), token
    assert token["tokenValue"] != sandbox.token
    session = {"X-Auth-Token": token["tokenValue"]}
    assert get(sandbox, http, "/photo", headers=session, max=1).status_code == 200
    real = sandbox.store.clock
    start = real()
    try:
        sandbox.store.clock = lambda: start + 12 * 3600 - 60
        assert get(sandbox, http, "/photo", headers=session, max=1).status_code == 200
        sandbox.store.clock = lambda: start + 12 * 3600 + 60
        assert_error(get(sandbox, http, "/photo", headers=session, max=1), 401)
        # The persistent credential itself does not expire.
        assert get(sandbox, http, "/photo", max=1).status_code == 200
    finally:
        sandbox.store.clock = real


@pytest.mark.parametrize(("body", "status"), [
    ({"persistentAccessToken": "not-the-token"}, 401),
    ({"persistentAccessToken": ""}, 400),
    ({"token": "x"}, 400),
    (["x"], 400),
], ids=["wrong", "empty", "missing", "not-an-object"])
def test_authentication_token_rejections(sandbox: Sandbox, http: Session, body: Any, status: int) -> None:
    assert_error(http.post(sandbox.base_url + "/authentication-token", json=body, timeout=5), status)


# Ids


@pytest.mark.parametrize("path", ["/photo/1", "/photo/999999999", "/photo/abc", "/organization/2", "/nothing"])
def test_unknown_ids_get_a_documented_404(sandbox: Sandbox, http: Session, path: str) -> None:
    assert_error(get(sandbox, http, path), 404)


def test_photo_and_organization_are_documented_shapes(sandbox: Sandbox, http: Session) -> None:
    photo_id = next(iter(sandbox.app.state.dataset.photos))
    response = get(sandbox, http, f"/photo/{photo_id}")
    assert response.status_code == 200 and response.headers["content-type"] == JSON
    photo = response.json()
    assert not list(PHOTO.iter_errors(photo))
    assert photo["onHoldReasons"] == [] or photo["status"] == "ON_HOLD"
    assert photo["classifications"] and all(c["photo"]["id"] == photo_id for c in photo["classifications"])
    organization = get(sandbox, http, "/organization/1").json()
    assert not list(ORGANIZATION.iter_errors(organization))
    assert organization == photo["person"]["organization"]


# Filters and pagination


def test_list_is_a_bare_array_of_documented_items(sandbox: Sandbox, http: Session) -> None:
    response = get(sandbox, http, "/photo")
    assert response.headers["content-type"] == JSON
    items = response.json()
    assert isinstance(items, list) and len(items) == 25  # documented default max
    assert not list(PHOTO_LIST.iter_errors(items))
    assert all(item["classifications"] == [] and isinstance(item["onHoldReasons"], dict) for item in items)
    assert all(isinstance(item["person"]["customFields"], dict) for item in items)


@pytest.mark.parametrize("status", DOCUMENTED_STATUSES)
def test_status_filter_returns_exactly_that_status(sandbox: Sandbox, http: Session, status: str) -> None:
    items = everything(sandbox, http, status=status)
    expected = [p.id for p in sandbox.app.state.dataset.listed(status)]
    assert items and [item["id"] for item in items] == expected
    assert {item["status"] for item in items} == {status}


@pytest.mark.parametrize("params", [
    {"status": "ON_HOLD"}, {"status": "pending"}, {"max": 1001}, {"max": -1}, {"max": "ten"},
    {"offset": -1}, {"offset": "1.5"},
], ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()))
def test_out_of_range_parameters_get_400(sandbox: Sandbox, http: Session, params: dict[str, Any]) -> None:
    assert_error(get(sandbox, http, "/photo", **params), 400)


def test_pages_partition_the_list_newest_first(sandbox: Sandbox, http: Session) -> None:
    full = everything(sandbox, http)
    assert len(full) == len(sandbox.app.state.dataset.photos)
    assert [i["dateCreated"] for i in full] == sorted((i["dateCreated"] for i in full), reverse=True)
    pages = [get(sandbox, http, "/photo", offset=offset, max=10).json() for offset in range(0, len(full) + 10, 10)]
    assert pages[-1] == []
    assert [item["id"] for page in pages for item in page] == [item["id"] for item in full]
    assert get(sandbox, http, "/photo", max=0).json() == []
    assert get(sandbox, http, "/photo", max=1000, offset=10**12).json() == []


def test_list_items_agree_with_detail(sandbox: Sandbox, http: Session) -> None:
    for item in everything(sandbox, http)[::9]:
        detail = get(sandbox, http, f"/photo/{item['id']}").json()
        assert {k: item[k] for k in SHARED} == {k: detail[k] for k in SHARED}
        shared_person = set(item["person"]) & set(detail["person"])
        assert {"id", "email", "username", "identifier", "additionalPhotos"} <= shared_person
        assert all(item["person"][k] == detail["person"][k] for k in shared_person)
        assert item["originalPhoto"]["id"] == detail["originalPhoto"]["id"]
        assert bool(item["onHoldReasons"]) == bool(detail["onHoldReasons"]) == (item["status"] == "ON_HOLD")


def test_timestamps_are_ordered(sandbox: Sandbox, http: Session) -> None:
    for item in everything(sandbox, http):
        assert item["dateCreated"] <= item["lastUpdated"]
        assert item["dateApproved"] is None or item["dateCreated"] <= item["dateApproved"] <= item["lastUpdated"]
        assert (item["dateApproved"] is None) == (item["status"] == "PENDING")


# Images


def test_images_are_the_jpegs_the_metadata_describes(sandbox: Sandbox, http: Session) -> None:
    for item in everything(sandbox, http)[::6]:
        url = item["externalURL"]
        assert item["links"]["bytes"] == url
        parsed = urlparse(url)
        assert parsed.hostname == STORE_HOST and parsed.path.endswith(".jpg") and not parsed.query
        response = http.get(url, timeout=5)  # no CloudCard token: another host
        assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
        image = decoded(response.content)
        assert image.format == "JPEG" and image.size == (item["width"], item["height"])
        assert item["aspectRatio"] == item["width"] / item["height"]
        original = decoded(http.get(item["originalPhoto"]["links"]["bytes"], timeout=5).content)
        assert original.format == "JPEG" and original.width >= image.width
        for extra in item["person"]["additionalPhotos"]:
            assert decoded(http.get(extra["links"]["bytes"], timeout=5).content).format == "JPEG"
    assert sandbox.store.credential_sightings == []


def test_image_urls_are_plain_and_do_not_expire(sandbox: Sandbox, http: Session) -> None:
    # CloudCard's S3 links carry no signature [D]; moving the clock a day on changes nothing.
    item = get(sandbox, http, "/photo", max=1).json()[0]
    real = sandbox.store.clock
    sandbox.store.clock = lambda: real() + 86_400
    try:
        assert http.get(item["externalURL"], timeout=5).status_code == 200
    finally:
        sandbox.store.clock = real
    assert "X-Amz-Signature" not in item["externalURL"]


# The dataset


def test_default_dataset_covers_every_status() -> None:
    data = build(0, None, ObjectStore())
    counts = Counter(p.status for p in data.photos.values())
    assert len(data.photos) == DEFAULT_SIZE >= 60
    assert set(counts) == set(STATUSES) and min(counts.values()) >= 5


def fingerprint(data: Dataset) -> list[tuple[Any, ...]]:
    return [(p.id, p.status, p.fields["publicKey"], p.fields["height"], p.person_id) for p in data.photos.values()]


def test_dataset_is_deterministic_per_seed_and_sized() -> None:
    one, two = ObjectStore(), ObjectStore()
    assert fingerprint(build(5, 30, one)) == fingerprint(build(5, 30, two))
    assert {k: one.get(k).data for k in one._blobs} == {k: two.get(k).data for k in two._blobs}  # same JPEGs
    assert fingerprint(build(6, 30, ObjectStore())) != fingerprint(build(5, 30, ObjectStore()))
    assert len(build(5, 10, ObjectStore()).photos) == 10


# Writes (their own emulator, so the read tests above see the seeded data)


@pytest.fixture
def writable() -> Iterator[Sandbox]:
    with running("cloudcard", seed=12, size=27) as sb:
        yield sb


def test_put_changes_status_and_detects_stale_versions(writable: Sandbox, http: Session) -> None:
    photo = get(writable, http, "/photo", status="PENDING", max=1).json()[0]
    url = f"{writable.base_url}/photo/{photo['id']}"
    headers = writable.auth_headers()
    response = http.put(url, json={"status": "APPROVED", "version": photo["version"]}, headers=headers, timeout=5)
    assert response.status_code == 200 and response.headers["content-type"] == JSON
    assert response.json() == {"id": photo["id"], "status": "APPROVED", "publicKey": photo["publicKey"]}
    assert not list(UPDATE_RESULT.iter_errors(response.json()))
    detail = get(writable, http, f"/photo/{photo['id']}").json()
    assert detail["status"] == "APPROVED" and detail["version"] == photo["version"] + 1
    assert detail["dateApproved"] is not None and detail["lastUpdated"] >= photo["lastUpdated"]
    assert photo["id"] in [i["id"] for i in everything(writable, http, status="APPROVED")]
    stale = http.put(url, json={"status": "DENIED", "version": photo["version"]}, headers=headers, timeout=5)
    assert_error(stale, 409)
    assert get(writable, http, f"/photo/{photo['id']}").json()["status"] == "APPROVED"
    # The vendor's downloader sends `status` alone [C]: accepted.
    assert http.put(url, json={"status": "DONE"}, headers=headers, timeout=5).status_code == 200
    for body in ({"status": "ARCHIVED"}, {"status": "done"}, {"version": 1}, {"status": "DONE", "version": "1"}):
        assert_error(http.put(url, json=body, headers=headers, timeout=5), 400)
    assert_error(http.put(url, data=b"{", headers=headers, timeout=5), 400)
    assert_error(http.put(f"{writable.base_url}/photo/1", json={"status": "DONE"}, headers=headers, timeout=5), 404)
    assert_error(http.put(url, json={"status": "DONE"}, timeout=5), 401)


@pytest.mark.parametrize(("status", "reason"), [("ON_HOLD", "onHoldReason"), ("FAILED", "failedReason")])
def test_put_takes_the_statuses_the_vendors_downloader_sends(
    writable: Sandbox, http: Session, status: str, reason: str,
) -> None:
    # The vendor's own downloader (CloudCardClient.updateStatus) PUTs `{ "status": "FAILED" }` or ON_HOLD,
    # its message in `?failedReason=` / `?onHoldReason=` [C] (sources/vendor-notes.md, section 1).
    photo = get(writable, http, "/photo", status="APPROVED", max=1).json()[0]
    url = f"{writable.base_url}/photo/{photo['id']}?{reason}=Could+not+save+the+photo"
    headers = {**writable.auth_headers(), "Content-Type": "application/json"}
    response = http.put(url, data=f'{{ "status": "{status}" }}', headers=headers, timeout=5)
    assert response.status_code == 200 and response.headers["content-type"] == JSON, response.text
    assert response.json() == {"id": photo["id"], "status": status, "publicKey": photo["publicKey"]}
    assert not list(UPDATE_RESULT.iter_errors(response.json()))
    detail = get(writable, http, f"/photo/{photo['id']}").json()
    assert not list(PHOTO.iter_errors(detail))
    assert detail["status"] == status and detail["version"] == photo["version"] + 1
    assert bool(detail["onHoldReasons"]) == (status == "ON_HOLD")
    # With a version too, as Update Photo recommends.
    again = http.put(url, json={"status": status, "version": detail["version"]}, headers=headers, timeout=5)
    assert again.status_code == 200, again.text


def test_post_creates_a_pending_photo_from_the_image(writable: Sandbox, http: Session) -> None:
    person = next(iter(writable.app.state.dataset.persons))
    encoded = base64.b64encode(make_image(240, 320, 99, "PNG")).decode()
    url, headers = writable.base_url + "/photo", writable.auth_headers()
    response = http.post(url, json={"person": {"id": person}, "encodedImage": encoded}, headers=headers, timeout=5)
    assert response.status_code == 201 and response.headers["content-type"] == JSON
    photo = response.json()
    assert not list(PHOTO.iter_errors(photo))
    assert photo["status"] == "PENDING" and photo["person"]["id"] == person
    assert (photo["width"], photo["height"]) == (240, 320)
    image = decoded(http.get(photo["externalURL"], timeout=5).content)
    assert image.format == "JPEG" and image.size == (240, 320)
    assert get(writable, http, "/photo", max=1).json()[0]["id"] == photo["id"]  # newest first
    assert get(writable, http, f"/photo/{photo['id']}").json() == photo
    rejected = [
        ({"person": {"id": 1}, "encodedImage": encoded}, 404),
        ({"person": {"id": person}, "encodedImage": "bm90IGFuIGltYWdl"}, 400),  # "not an image"
        ({"person": {"id": person}, "encodedImage": "***"}, 400),
        ({"encodedImage": encoded}, 400),
        ({"person": {"id": person}}, 400),
    ]
    for body, status in rejected:
        assert_error(http.post(url, json=body, headers=headers, timeout=5), status)


def test_integral_numbers_are_integers(writable: Sandbox, http: Session) -> None:
    """JSON has one number type (RFC 8259) and JSON Schema counts 7.0 as an integer: the contract's
    integer ids and versions are accepted written either way (schemathesis sends both)."""
    headers = writable.auth_headers()
    encoded = base64.b64encode(make_image(30, 40, 5)).decode()
    person = next(iter(writable.app.state.dataset.persons))
    created = http.post(writable.base_url + "/photo", json={"person": {"id": float(person)}, "encodedImage": encoded},
                        headers=headers, timeout=5)
    assert created.status_code == 201 and created.json()["person"]["id"] == person
    unknown = http.post(writable.base_url + "/photo", json={"person": {"id": 1.0}, "encodedImage": encoded},
                        headers=headers, timeout=5)
    assert_error(unknown, 404)
    photo = created.json()
    url = f"{writable.base_url}/photo/{photo['id']}"
    updated = http.put(url, json={"status": "APPROVED", "version": float(photo["version"])}, headers=headers, timeout=5)
    assert updated.status_code == 200 and updated.json()["status"] == "APPROVED"
    assert_error(http.put(url, json={"status": "DONE", "version": 1.5}, headers=headers, timeout=5), 400)


def test_zip_download_moves_approved_photos(writable: Sandbox, http: Session) -> None:
    approved = {i["id"] for i in everything(writable, http, status="APPROVED")}
    assert approved
    response = get(writable, http, "/photo/download")
    assert response.status_code == 303 and response.headers["content-type"] == JSON
    link = response.json()["link"]
    assert response.headers["location"] == link and link.startswith(writable.base_url + "/api/photos/download/zip?")
    archive = http.get(link, timeout=5)  # the link carries its own token
    assert archive.status_code == 200 and archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        assert {int(name.removesuffix(".jpg")) for name in zipped.namelist()} == approved
        assert all(decoded(zipped.read(name)).format == "JPEG" for name in zipped.namelist())
    assert everything(writable, http, status="APPROVED") == []
    downloaded = {i["id"] for i in everything(writable, http, status="DOWNLOADED")}
    assert approved <= downloaded
    assert_error(http.get(link, timeout=5), 404)  # one use only
    nothing = get(writable, http, "/photo/download")
    assert nothing.status_code == 204 and nothing.content == b""


def test_external_strategy_marks_photos_at_once() -> None:
    store = ObjectStore()
    with serve(store.app, STORE_HOST) as store_url:
        store.base_url = store_url
        context = SandboxContext(get_api("cloudcard"), "tok", "", store, seed=4, size=18,
                                 extra={"download_strategy": "EXTERNAL_READY_FOR_DOWNLOAD"})
        app = emulator.create_app(context)
        with serve(app) as url:
            headers = {"X-Auth-Token": "tok"}
            approved = [p.id for p in app.state.dataset.listed("APPROVED")]
            response = requests.get(url + "/photo/download", headers=headers, timeout=5, allow_redirects=False)
            assert response.status_code == 200
            assert response.json() == {"message": "All Approved Photos have been marked ready for download."}
            assert all(app.state.dataset.photos[i].status == "READY_FOR_DOWNLOAD" for i in approved)
            assert requests.get(url + "/organization/1", headers=headers, timeout=5).json()[
                "downloadStrategy"]["id"] == "EXTERNAL_READY_FOR_DOWNLOAD"
            assert requests.get(url + "/photo/download", headers=headers, timeout=5).status_code == 204
