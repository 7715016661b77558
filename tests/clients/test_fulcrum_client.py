"""fulcrum 1.12.0 (Fulcrum's official Python client, in the `test` extra) against the faithful Fulcrum sandbox.

Every Photos operation it offers: `find`, `search`, `media` (original, thumbnail, large), `create` (multipart
upload), and its error path, each status mapped to the client's own exception. It calls the paths without the
`.json` suffix, with `Accept: application/json` (sources/fulcrum-python-client.md).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator

import pytest
from PIL import Image

from photo_contracts.fixtures import PhotoSandbox, photo_sandbox

fulcrum = pytest.importorskip("fulcrum", reason="fulcrum is in the test extra: pip install -e '.[test]'")
from fulcrum.exceptions import (  # noqa: E402
    BadRequestException,
    NotFoundException,
    RateLimitExceededException,
    UnauthorizedException,
)

pytestmark = pytest.mark.slow
JPEG = b"\xff\xd8\xff"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[PhotoSandbox]:
    with photo_sandbox("fulcrum", seed=0) as started:
        yield started


def client(sandbox: PhotoSandbox, key: str | None = None) -> object:
    """The client as its README builds it: `Fulcrum(key, uri)`; it appends /api/v2/ to uri."""
    return fulcrum.Fulcrum(key or sandbox.token, uri=sandbox.base_url.removesuffix("/api"))


def test_find_returns_the_photo_envelope(sandbox: PhotoSandbox) -> None:
    key = sandbox.ids["photo"][0]
    photo = client(sandbox).photos.find(key)["photo"]
    assert photo["access_key"] == key and photo["processed"] and photo["url"]


def test_search_pages_and_filters(sandbox: PhotoSandbox) -> None:
    photos = client(sandbox).photos
    everything = photos.search()
    assert everything["total_count"] == len(everything["photos"]) == len(sandbox.ids["photo"])
    pages = [photos.search(url_params={"per_page": 15, "page": n}) for n in (1, 2, 3)]
    keys = [p["access_key"] for page in pages for p in page["photos"]]
    assert len(keys) == len(set(keys)) == len(sandbox.ids["photo"]) and pages[0]["total_pages"] == 3
    form = sandbox.ids["form"][0]
    by_form = photos.search(url_params={"form_id": form})["photos"]
    assert by_form and {p["form_id"] for p in by_form} == {form}
    newest = photos.search(url_params={"newest_first": "true"})["photos"]
    assert [p["updated_at"] for p in newest] == sorted((p["updated_at"] for p in newest), reverse=True)


@pytest.mark.parametrize("size", ["original", "thumbnail", "large"])
def test_media_downloads_each_version(sandbox: PhotoSandbox, size: str) -> None:
    data = client(sandbox).photos.media(sandbox.ids["photo"][0], size)
    assert data[:3] == JPEG and Image.open(io.BytesIO(data)).format == "JPEG"


def test_create_uploads_and_the_photo_is_then_found(sandbox: PhotoSandbox) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(picture, "JPEG")
    picture.seek(0)
    picture.name = "site.jpg"  # the client sends the file object's name
    key = str(uuid.uuid4())
    created = client(sandbox).photos.create(picture, access_key=key)
    assert created["photo"]["access_key"] == key
    assert client(sandbox).photos.find(key)["photo"]["access_key"] == key
    assert key in sandbox.ids["photo"]


@pytest.mark.parametrize(("call", "error"), [
    (lambda photos, key: photos.find(str(uuid.uuid4())), NotFoundException),
    (lambda photos, key: photos.media(str(uuid.uuid4())), NotFoundException),
    (lambda photos, key: photos.search(url_params={"per_page": 0}), BadRequestException),
    (lambda photos, key: photos.search(url_params={"form_id": "not-a-uuid"}), BadRequestException),
], ids=["find-unknown", "media-unknown", "per-page-0", "form-id-not-uuid"])
def test_errors_raise_the_clients_exceptions(sandbox: PhotoSandbox, call: object, error: type) -> None:
    with pytest.raises(error):
        call(client(sandbox).photos, sandbox.ids["photo"][0])  # type: ignore[operator]


def test_a_wrong_token_raises_unauthorized(sandbox: PhotoSandbox) -> None:
    with pytest.raises(UnauthorizedException):
        client(sandbox, key="not-the-token").photos.find(sandbox.ids["photo"][0])


def test_the_rate_limit_raises_rate_limit_exceeded() -> None:
    with photo_sandbox("fulcrum", seed=0, token="rate-limited") as limited:
        limited.sandbox.app.state.emulator.rate_limit.limit = 2  # 5,000 an hour, documented; 2 here
        photos = client(limited).photos
        photos.find(limited.ids["photo"][0])
        photos.find(limited.ids["photo"][0])
        with pytest.raises(RateLimitExceededException):
            photos.find(limited.ids["photo"][0])


def test_unsupported_size_is_refused_by_the_client_itself(sandbox: PhotoSandbox) -> None:
    with pytest.raises(ValueError, match="not supported"):
        client(sandbox).photos.media(sandbox.ids["photo"][0], "medium")
