"""The Fulcrum emulator over real HTTP: auth, ids, filters, pages, images, uploads, limits."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
import requests
from PIL import Image

from photo_contracts.contracts import SCHEMAS_DIR, file_uri, validator
from photo_contracts.sandbox import Sandbox, running
from photo_contracts.sandbox.fulcrum import RateLimit
from photo_contracts.sandbox.fulcrum_data import DOCUMENTED, embedded_exif

pytestmark = pytest.mark.slow

SCHEMAS = SCHEMAS_DIR / "fulcrum"
PHOTO = DOCUMENTED["access_key"]
UNKNOWN = "00000000-0000-4000-8000-000000000000"
ID_PATHS = ("{}.json", "{}", "{}.jpg", "{}/thumbnail.json", "{}/thumbnail.jpg", "{}/large.json", "{}/large.jpg")


def schema(name: str) -> str:
    path, _, fragment = name.partition("#")
    return file_uri(SCHEMAS / path) + (f"#{fragment}" if fragment else "")


def assert_valid(document: object, name: str) -> None:
    errors = [f"{e.json_path}: {e.message}" for e in validator(schema(name)).iter_errors(document)]
    assert not errors, errors


def image(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()  # a truncated or broken file fails here
    return picture


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running("fulcrum", seed=11) as running_sandbox:
        yield running_sandbox


@pytest.fixture(scope="module")
def writable() -> Iterator[Sandbox]:
    """A second emulator for the tests that upload, so the read tests see the pristine dataset."""
    with running("fulcrum", seed=12, size=10) as running_sandbox:
        yield running_sandbox


def get(sandbox: Sandbox, path: str, token: str | None = None, **params: object) -> requests.Response:
    return requests.get(sandbox.base_url + path, headers=sandbox.auth_headers(token), params=params, timeout=10)


def listing(sandbox: Sandbox, **params: object) -> dict:
    response = get(sandbox, "/v2/photos.json", **params)
    assert response.status_code == 200, response.text
    return response.json()


def jpeg(width: int, height: int, gps: bool = True) -> bytes:
    exif = {"make": "Apple", "model": "iPhone 12", "software": "14.4", "date_time": "2021-05-01T10:00:00.000+00:00",
            "image_width": 4032, "image_length": 3024, "pixel_x_dimension": width, "pixel_y_dimension": height}
    if gps:
        exif.update(gps_latitude_ref="S", gps_latitude=["33.0", "52.0", "4.0"],
                    gps_longitude_ref="E", gps_longitude=["151.0", "12.0", "36.0"])
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, "JPEG", exif=embedded_exif(exif))
    return buffer.getvalue()


def upload(sandbox: Sandbox, data: dict[str, str], files: dict | None = None, path: str = "/v2/photos.json"):
    return requests.post(sandbox.base_url + path, headers=sandbox.auth_headers(), data=data, files=files, timeout=10)


# Auth and unknown ids
@pytest.mark.parametrize("token", [None, "", "wrong-token"], ids=["missing", "empty", "wrong"])
@pytest.mark.parametrize("path", ["/v2/photos.json", "/v2/photos", f"/v2/photos/{PHOTO}.json", f"/v2/photos/{PHOTO}.jpg"])
def test_bad_credentials_get_documented_401(sandbox: Sandbox, path: str, token: str | None) -> None:
    headers = {} if token is None else sandbox.auth_headers(token)
    response = requests.get(sandbox.base_url + path, headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"error": "Unauthorized"}


def test_upload_without_credentials_is_401(sandbox: Sandbox) -> None:
    response = requests.post(sandbox.base_url + "/v2/photos.json", files={"photo[file]": ("a.jpg", jpeg(8, 8))},
                             data={"photo[access_key]": UNKNOWN}, timeout=10)
    assert (response.status_code, response.json()) == (401, {"error": "Unauthorized"})
    assert UNKNOWN not in sandbox.app.state.dataset.photos


@pytest.mark.parametrize("template", ID_PATHS)
def test_unknown_id_is_documented_404(sandbox: Sandbox, template: str) -> None:
    response = get(sandbox, "/v2/photos/" + template.format(UNKNOWN))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {}


def test_undocumented_method_is_405_with_allow(sandbox: Sandbox) -> None:
    response = requests.delete(f"{sandbox.base_url}/v2/photos/{PHOTO}.json", headers=sandbox.auth_headers(), timeout=10)
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]


# The list: envelope, pages, bounds, filters, order
def test_default_page_is_everything_and_valid(sandbox: Sandbox) -> None:
    page = listing(sandbox)
    assert_valid(page, "photos_page.json")
    assert (page["current_page"], page["total_pages"], page["total_count"], page["per_page"]) == (1, 1, 40, 20000)
    assert len(page["photos"]) == 40
    assert listing(sandbox) == get(sandbox, "/v2/photos").json()  # the client's unsuffixed path [C]


def test_pages_partition_the_list(sandbox: Sandbox) -> None:
    everything = [p["access_key"] for p in listing(sandbox)["photos"]]
    seen = []
    for number in range(1, 7):
        page = listing(sandbox, per_page=7, page=number)
        assert (page["current_page"], page["total_pages"], page["total_count"], page["per_page"]) == (number, 6, 40, 7)
        assert len(page["photos"]) == (7 if number < 6 else 5)
        seen += [p["access_key"] for p in page["photos"]]
    assert seen == everything
    beyond = listing(sandbox, per_page=7, page=9)
    assert (beyond["photos"], beyond["total_count"], beyond["total_pages"]) == ([], 40, 6)


@pytest.mark.parametrize("params", [
    {"page": 0}, {"per_page": 0}, {"page": -1}, {"page": "two"}, {"per_page": "1.5"},
    {"processed": "maybe"}, {"form_id": "not-a-uuid"}, {"record_id": "42"},
], ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_bad_parameters_get_documented_400(sandbox: Sandbox, params: dict) -> None:
    response = get(sandbox, "/v2/photos.json", **params)
    assert response.status_code == 400
    assert response.json() == {"error": "Bad Request", "status": 400}


def test_form_and_record_filters(sandbox: Sandbox) -> None:
    photos = listing(sandbox)["photos"]
    forms = {p["form_id"] for p in photos}
    records = {p["record_id"] for p in photos}
    assert len(forms) >= 3 and len(records) >= 8
    for form_id in forms:
        page = listing(sandbox, form_id=form_id)
        expected = [p["access_key"] for p in photos if p["form_id"] == form_id]
        assert [p["access_key"] for p in page["photos"]] == expected
        assert page["total_count"] == len(expected)
    record_id = DOCUMENTED["record_id"]
    page = listing(sandbox, record_id=record_id.upper(), form_id=DOCUMENTED["form_id"])
    assert page["photos"] and {p["record_id"] for p in page["photos"]} == {record_id}
    assert listing(sandbox, record_id=UNKNOWN) | {"photos": []} == {
        "photos": [], "current_page": 1, "total_pages": 0, "total_count": 0, "per_page": 20000}


@pytest.mark.parametrize("path", ["/v2/photos.json", "/v2/photos"])
def test_blank_form_id_queries_all_photos(sandbox: Sandbox, path: str) -> None:
    # "Leaving this blank will query against all of your photos." (the official OpenAPI, of form_id)
    everything = get(sandbox, path).json()
    for query in ("?form_id=", "?form_id", f"?form_id=&record_id={DOCUMENTED['record_id']}"):
        response = requests.get(sandbox.base_url + path + query, headers=sandbox.auth_headers(), timeout=10)
        assert response.status_code == 200, (query, response.text)
        expected = everything if "record_id" not in query else listing(sandbox, record_id=DOCUMENTED["record_id"])
        assert response.json() == expected, query


@pytest.mark.parametrize("flag", ["processed", "stored", "uploaded"])
def test_state_filters(sandbox: Sandbox, flag: str) -> None:
    photos = listing(sandbox)["photos"]
    for value in (True, False):
        page = listing(sandbox, **{flag: str(value).lower()})
        assert [p["access_key"] for p in page["photos"]] == [p["access_key"] for p in photos if p[flag] is value]
    # The dataset has photos on their way, so processed/stored filters really split it.
    if flag != "uploaded":
        assert 0 < listing(sandbox, **{flag: "false"})["total_count"] < 40


def test_order_is_by_created_at_and_newest_first_by_updated_at(sandbox: Sandbox) -> None:
    oldest_first = [p["created_at"] for p in listing(sandbox)["photos"]]
    assert oldest_first == sorted(oldest_first)
    # "If present, photos will be sorted by updated_at date" (the official OpenAPI), newest first.
    newest = listing(sandbox, newest_first="true")["photos"]
    assert [p["updated_at"] for p in newest] == sorted((p["updated_at"] for p in newest), reverse=True)
    assert all(p["created_at"] <= p["updated_at"] for p in newest)
    assert [p["created_at"] for p in listing(sandbox, newest_first="false")["photos"]] == oldest_first


@pytest.mark.parametrize("query", ["newest_first", "newest_first=", "newest_first=1", "newest_first=TRUE",
                                   "newest_first=yes"])
def test_newest_first_if_present_whatever_its_value(sandbox: Sandbox, query: str) -> None:
    # "If present, photos will be sorted by updated_at date." (the official OpenAPI): presence is the switch.
    newest = listing(sandbox, newest_first="true")["photos"]
    assert [p["created_at"] for p in newest] != sorted(p["created_at"] for p in newest)  # the two orders differ
    response = requests.get(f"{sandbox.base_url}/v2/photos.json?{query}", headers=sandbox.auth_headers(), timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["photos"] == newest


@pytest.mark.parametrize("value", ["false", "0", "FALSE"])
def test_newest_first_false_keeps_the_default_order(sandbox: Sandbox, value: str) -> None:
    # The OpenAPI types newest_first boolean; what false does is undocumented: the default order [I].
    assert listing(sandbox, newest_first=value)["photos"] == listing(sandbox)["photos"]


# Single photos and their images
def test_documented_photo_is_served(sandbox: Sandbox) -> None:
    photo = get(sandbox, f"/v2/photos/{PHOTO}.json").json()["photo"]
    documented = json.loads((SCHEMAS / "examples" / "photo.json").read_text())["photo"]
    assert list(photo) == list(documented)  # the same fields, in the documented order
    for key in ("access_key", "created_at", "record_id", "form_id", "latitude", "longitude", "created_by_id"):
        assert photo[key] == documented[key]
    assert (photo["exif"]["pixel_x_dimension"], photo["exif"]["pixel_y_dimension"]) == (810, 1080)
    assert get(sandbox, f"/v2/photos/{PHOTO.upper()}").json()["photo"] == photo


def test_every_photo_matches_its_images(sandbox: Sandbox) -> None:
    store = urlparse(sandbox.store.base_url)
    for summary in listing(sandbox)["photos"]:
        key = summary["access_key"]
        photo = get(sandbox, f"/v2/photos/{key}.json").json()["photo"]
        assert photo == summary
        assert_valid({"photo": photo}, "photo_envelope.json")
        assert photo["url"] == f"{sandbox.base_url}/v2/photos/{key}"
        exif = photo["exif"]
        # image_width/image_length: the camera's size; the stored image is that, scaled (and maybe rotated).
        camera = sorted((exif["image_width"], exif["image_length"]))
        stored = sorted((exif["pixel_x_dimension"], exif["pixel_y_dimension"]))
        assert abs(camera[0] / camera[1] - stored[0] / stored[1]) < 0.01
        if not photo["stored"]:
            assert photo["original"] is None and get(sandbox, f"/v2/photos/{key}.jpg").status_code == 404
        else:
            response = get(sandbox, f"/v2/photos/{key}.jpg")
            assert response.headers["content-type"] == "image/jpeg"
            original = image(response.content)
            assert (original.format, original.size) == ("JPEG", (exif["pixel_x_dimension"], exif["pixel_y_dimension"]))
            assert photo["file_size"] == len(response.content) and photo["content_type"] == "image/jpeg"
            served = requests.get(photo["original"], timeout=10)
            assert urlparse(photo["original"]).hostname == store.hostname == "127.0.0.2"
            assert served.content == response.content
        for version in ("thumbnail", "large"):
            if not photo["processed"]:
                assert photo[version] is None
                assert get(sandbox, f"/v2/photos/{key}/{version}.json").status_code == 404
                assert get(sandbox, f"/v2/photos/{key}/{version}.jpg").status_code == 404
                continue
            data = get(sandbox, f"/v2/photos/{key}/{version}.jpg").content
            picture = image(data)
            assert picture.format == "JPEG" and picture.width < original.width
            assert requests.get(photo[version], timeout=10).content == data
            meta = get(sandbox, f"/v2/photos/{key}/{version}.json").json()["photo"]
            assert_valid({"photo": meta}, "photo_envelope.json")
            assert meta["file_size"] == len(data)
            assert (meta["exif"]["pixel_x_dimension"], meta["exif"]["pixel_y_dimension"]) == picture.size
            assert {k: v for k, v in meta.items() if k not in ("file_size", "exif")} == {
                k: v for k, v in photo.items() if k not in ("file_size", "exif")}
    assert sandbox.store.credential_sightings == []


def test_image_urls_are_plain_and_do_not_expire(sandbox: Sandbox) -> None:
    photo = get(sandbox, f"/v2/photos/{PHOTO}.json").json()["photo"]
    for version in ("original", "thumbnail", "large"):
        assert urlparse(photo[version]).query == ""  # Fulcrum's URLs are not presigned
    sandbox.store.clock = lambda: time.time() + 86400
    try:
        assert requests.get(photo["thumbnail"], timeout=10).status_code == 200
    finally:
        sandbox.store.clock = time.time


# Dataset size and determinism
def test_dataset_is_deterministic_per_seed(sandbox: Sandbox) -> None:
    def facts(box: Sandbox) -> list:
        return [(p["access_key"], p["file_size"], p["created_at"], p["exif"]) for p in listing(box)["photos"]]

    with running("fulcrum", seed=11) as same, running("fulcrum", seed=13) as other:
        assert facts(same) == facts(sandbox)
        assert facts(other) != facts(sandbox)


def test_size() -> None:
    # How fast a sandbox starts is measured in benchmarks/emulators.py, never in a timed test (it failed under load).
    with running("fulcrum", seed=5) as box:
        assert len(box.app.state.dataset.photos) == 40
    with running("fulcrum", seed=5, size=3) as small:
        assert listing(small)["total_count"] == 3


# Uploads
def test_upload_is_served_through_every_get(writable: Sandbox) -> None:
    key = "7A8ABC73-A41B-4F1E-BA16-F7C03DAE1E22"
    data = jpeg(300, 400)
    response = upload(writable, {"photo[access_key]": key}, {"photo[file]": ("p.jpg", data, "image/jpeg")})
    assert response.status_code == 200, response.text
    photo = response.json()["photo"]
    assert_valid({"photo": photo}, "photo_envelope.json")
    assert (photo["access_key"], photo["file_size"], photo["content_type"]) == (key, len(data), "image/jpeg")
    assert (photo["exif"]["pixel_x_dimension"], photo["exif"]["pixel_y_dimension"]) == (300, 400)
    assert (photo["exif"]["make"], photo["exif"]["image_width"]) == ("Apple", 4032)
    assert photo["latitude"] == pytest.approx(-33.868, abs=1e-3) and photo["longitude"] == pytest.approx(151.21, abs=1e-3)
    assert (photo["record_id"], photo["form_id"]) == (None, None)
    assert photo["uploaded"] and photo["stored"] and photo["processed"]
    assert get(writable, f"/v2/photos/{key.lower()}.json").json()["photo"] == photo
    assert get(writable, f"/v2/photos/{key}").json()["photo"] == photo
    assert get(writable, f"/v2/photos/{key}.jpg").content == data
    assert image(get(writable, f"/v2/photos/{key}/thumbnail.jpg").content).size == (90, 120)
    assert image(requests.get(photo["large"], timeout=10).content).size == (300, 400)  # never upscaled
    newest = listing(writable, newest_first="true")
    assert newest["total_count"] == 11 and newest["photos"][0] == photo


def test_upload_again_replaces_the_file(writable: Sandbox) -> None:
    key = "3f1d2c4b-5a69-4788-9abc-def012345678"
    first = upload(writable, {"photo[access_key]": key}, {"photo[file]": ("a.jpg", jpeg(64, 48), "image/jpeg")}).json()
    second = upload(writable, {"photo[access_key]": key}, {"photo[file]": ("b.jpg", jpeg(48, 64, gps=False), "image/jpeg")},
                    path="/v2/photos")
    assert second.status_code == 200
    photo = second.json()["photo"]
    assert photo["created_at"] == first["photo"]["created_at"]
    assert (photo["exif"]["pixel_x_dimension"], photo["latitude"]) == (48, None)
    assert image(get(writable, f"/v2/photos/{key}.jpg").content).size == (48, 64)


def test_png_upload_is_stored_as_jpeg(writable: Sandbox) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "PNG")
    key = "0b8f6a52-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
    photo = upload(writable, {"photo[access_key]": key}, {"photo[file]": ("a.png", buffer.getvalue(), "image/png")}).json()
    served = get(writable, f"/v2/photos/{key}.jpg").content
    assert image(served).format == "JPEG" and photo["photo"]["file_size"] == len(served)


@pytest.mark.parametrize(("data", "files", "errors"), [
    ({}, {"photo[file]": ("a.jpg", b"", "image/jpeg")}, {"access_key": ["must be provided"]}),
    ({"photo[access_key]": "not-a-uuid"}, None, {"access_key": ["is invalid"], "file": ["must be provided"]}),
    ({"photo[access_key]": ""}, None, {"access_key": ["must be provided"], "file": ["must be provided"]}),
], ids=["access-key-missing", "access-key-invalid-no-file", "nothing-provided"])
def test_upload_validation_errors_are_422(writable: Sandbox, data: dict, files: dict | None, errors: dict) -> None:
    response = upload(writable, data, files)
    assert response.status_code == 422
    assert response.json() == {"photo": {"errors": errors}}
    assert_valid(response.json(), "errors.json#/$defs/validation")


@pytest.mark.parametrize(("name", "content", "declared"), [
    ("a.pdf", b"%PDF-1.4 nothing", "application/pdf"),
    ("a.jpg", b"\xff\xd8 not really", "image/jpeg"),
    ("a.jpg", b"", "image/jpeg"),
], ids=["pdf", "broken-jpeg", "empty"])
def test_file_that_is_no_image_gets_a_placeholder(writable: Sandbox, name: str, content: bytes, declared: str) -> None:
    """The docs say nothing of files that are no image: the upload succeeds and a placeholder picture
    stands in for it, so every version of the created photo exists at once (as schemathesis expects)."""
    key = "6d0c1b2a-3e4f-4a5b-8c7d-9e0f1a2b3c4d"
    response = upload(writable, {"photo[access_key]": key}, {"photo[file]": (name, content, declared)})
    assert response.status_code == 200, response.text
    photo = response.json()["photo"]
    assert_valid(response.json(), "upload_envelope.json")
    assert (photo["uploaded"], photo["stored"], photo["processed"], photo["content_type"]) == (True, True, True, "image/jpeg")
    original = get(writable, f"/v2/photos/{key}.jpg").content
    assert image(original).size == (64, 48) and photo["file_size"] == len(original)
    for template in ("{}/thumbnail.jpg", "{}/large.jpg"):
        assert image(get(writable, "/v2/photos/" + template.format(key)).content).format == "JPEG"
    assert get(writable, f"/v2/photos/{key}.json").json()["photo"] == photo


def test_documented_422_when_only_access_key_is_missing(writable: Sandbox) -> None:
    response = upload(writable, {}, {"photo[file]": ("a.jpg", jpeg(8, 8), "image/jpeg")})
    documented = json.loads((SCHEMAS / "examples" / "validation-error.json").read_text())
    assert (response.status_code, response.json()) == (422, documented)


@pytest.mark.parametrize("body", [{"data": {"other": "x"}}, {"json": {"photo": {"access_key": UNKNOWN}}}],
                         ids=["no-photo-fields", "json-body"])
def test_upload_without_photo_form_is_400(writable: Sandbox, body: dict) -> None:
    response = requests.post(writable.base_url + "/v2/photos.json", headers=writable.auth_headers(), timeout=10, **body)
    assert (response.status_code, response.json()) == (400, {"error": "Bad Request", "status": 400})


# Rate limit
def test_rate_limit_is_429_with_retry_after(sandbox: Sandbox) -> None:
    now = [1000.0]
    original = sandbox.app.state.emulator.rate_limit
    sandbox.app.state.emulator.rate_limit = RateLimit(limit=3, window=3600, clock=lambda: now[0])
    try:
        assert [get(sandbox, "/v2/photos.json", per_page=1).status_code for _ in range(4)] == [200, 200, 200, 429]
        limited = get(sandbox, f"/v2/photos/{PHOTO}.json")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) == 3600
        assert isinstance(limited.json(), dict)  # the 429 body is undocumented: the emulator's own
        assert get(sandbox, "/v2/photos.json", token="wrong").status_code == 401  # not counted, not limited
        now[0] += 3600
        assert get(sandbox, "/v2/photos.json", per_page=1).status_code == 200
    finally:
        sandbox.app.state.emulator.rate_limit = original


def test_default_rate_limit_is_documented_5000_per_hour(sandbox: Sandbox) -> None:
    limit = sandbox.app.state.emulator.rate_limit
    assert (limit.limit, limit.window) == (5000, 3600.0)

