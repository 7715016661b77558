"""The VMSAlpha emulator over real HTTP: auth, IDs, images, the missing image, tokens, the dataset."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
import requests
from PIL import Image

from photo_contracts.contracts import SCHEMAS_DIR, file_uri, validator
from photo_contracts.sandbox import Sandbox, running
from photo_contracts.sandbox.visitor import sample_ids
from photo_contracts.sandbox.visitor_data import Visitor, build_visitors

pytestmark = pytest.mark.slow

HEX40 = re.compile(r"^[0-9a-f]{40}$")
PHOTO, THUMB = "/v1/photo/", "/v1/photo/thumb/"
ERRORS = validator(file_uri(SCHEMAS_DIR / "visitor" / "error.json"))
TOKENS = validator(file_uri(SCHEMAS_DIR / "visitor" / "token.json"))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running("visitor", seed=7) as sb:
        yield sb


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def get(sandbox: Sandbox, http: requests.Session, path: str, **headers: str) -> requests.Response:
    sent = sandbox.auth_headers() if not headers else headers
    return http.get(sandbox.base_url + path, headers=sent, timeout=5)


def assert_error(response: requests.Response, code: str, kind: str) -> None:
    """A documented VMSAlpha error: HTTP 200, application/json, message/type/code with `code`."""
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert not list(ERRORS.iter_errors(body)), body
    assert body["errors"]["code"] == code and body["errors"]["type"] == kind, body


def with_image(sandbox: Sandbox) -> list[Visitor]:
    return [v for v in sandbox.app.state.dataset if v.has_image]


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()  # fully decode: a truncated file raises here
    return image


# Auth
@pytest.mark.parametrize("prefix", [PHOTO, THUMB])
@pytest.mark.parametrize(("headers", "code"), [
    ({}, "1190"),
    ({"Authorization": ""}, "1190"),
    ({"Authorization": "Token"}, "1190"),
    ({"Authorization": "Token "}, "1190"),
    ({"Authorization": "Bearer {token}"}, "1190"),
    ({"Authorization": "TOKEN {token}"}, "1190"),
    ({"Authorization": "{token}"}, "1190"),
    ({"Authorization": "Token {token} extra"}, "1190"),
    ({"Authorization": "Token wrong-token"}, "1403"),
    ({"Authorization": "Token {token}x"}, "1403"),
    ({"X-Auth-Token": "{token}"}, "1190"),
], ids=["none", "empty", "keyword-only", "keyword-space", "bearer", "upper-case-keyword", "bare-token", "two-words",
        "wrong", "token-plus-one", "other-header"])
def test_missing_malformed_or_wrong_credentials(
    sandbox: Sandbox, http: requests.Session, prefix: str, headers: dict[str, str], code: str
) -> None:
    visitor = with_image(sandbox)[0]
    sent = {name: value.format(token=sandbox.token) for name, value in headers.items()} or {"X-None": "1"}
    assert_error(get(sandbox, http, prefix + visitor.id, **sent), code, "OAuthException")


@pytest.mark.parametrize("prefix", [PHOTO, THUMB])
def test_lower_case_token_keyword_is_accepted(sandbox: Sandbox, http: requests.Session, prefix: str) -> None:
    # res/scripts/token.php: preg_match('/(?:token|Token) (.*)/', ...) (sources/visitor-vmsalpha-code.md) [C].
    visitor = with_image(sandbox)[0]
    response = get(sandbox, http, prefix + visitor.id, Authorization=f"token {sandbox.token}")
    assert response.status_code == 200
    documented = get(sandbox, http, prefix + visitor.id, Authorization=f"Token {sandbox.token}")
    assert response.headers["content-type"] == documented.headers["content-type"]
    assert response.headers["content-type"].startswith("image/") and response.content == documented.content
    assert_error(get(sandbox, http, prefix + visitor.id, Authorization="token wrong-token"), "1403", "OAuthException")


def test_auth_is_checked_before_the_visitor_id(sandbox: Sandbox, http: requests.Session) -> None:
    assert_error(get(sandbox, http, PHOTO + "0" * 40, **{"X-None": "1"}), "1190", "OAuthException")
    assert_error(get(sandbox, http, PHOTO + "nope", Authorization="Token wrong"), "1403", "OAuthException")


# Visitor IDs
@pytest.mark.parametrize("prefix", [PHOTO, THUMB])
@pytest.mark.parametrize("visitor_id", ["0" * 40, "f" * 40, "abc", "G" * 40, "", "thumb"],
                         ids=["unknown-zeros", "unknown-fs", "short", "not-hex", "empty", "word"])
def test_unknown_or_malformed_id_is_3404(sandbox: Sandbox, http: requests.Session, prefix: str, visitor_id: str) -> None:
    assert_error(get(sandbox, http, prefix + visitor_id), "3404", "APIMethodException")


def test_upper_case_id_is_unknown(sandbox: Sandbox, http: requests.Session) -> None:
    visitor = with_image(sandbox)[0]
    assert_error(get(sandbox, http, PHOTO + visitor.id.upper()), "3404", "APIMethodException")


@pytest.mark.parametrize("prefix", [PHOTO, THUMB])
@pytest.mark.parametrize("slash", ["", "/"], ids=["canonical", "trailing-slash"])
def test_missing_image_is_4515(sandbox: Sandbox, http: requests.Session, prefix: str, slash: str) -> None:
    missing = sandbox.app.state.visitor_without_image
    assert missing is not None and missing.photo is None and missing.thumbnail is None
    assert_error(get(sandbox, http, prefix + missing.id + slash), "4515", "RequestedObjectException")


# Images
@pytest.mark.parametrize("slash", ["", "/"], ids=["canonical", "trailing-slash"])
def test_full_photos_are_what_the_content_type_says(sandbox: Sandbox, http: requests.Session, slash: str) -> None:
    for visitor in with_image(sandbox):
        response = get(sandbox, http, PHOTO + visitor.id + slash)
        assert response.status_code == 200
        assert response.headers["content-type"] == visitor.content_type
        image = decoded(response.content)
        assert Image.MIME[image.format] == visitor.content_type
        assert image.size == (visitor.width, visitor.height)
        assert response.content == visitor.photo


def test_full_photos_cover_jpeg_png_and_bmp(sandbox: Sandbox) -> None:
    assert {v.content_type for v in with_image(sandbox)} == {"image/jpeg", "image/png", "image/bmp"}


@pytest.mark.parametrize("slash", ["", "/"], ids=["canonical", "trailing-slash"])
def test_thumbnails_are_jpeg_200_px_wide_with_the_photo_aspect(
    sandbox: Sandbox, http: requests.Session, slash: str
) -> None:
    for visitor in with_image(sandbox):
        response = get(sandbox, http, THUMB + visitor.id + slash)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        image = decoded(response.content)
        assert image.format == "JPEG"
        assert image.width == 200
        assert image.height == round(visitor.height * 200 / visitor.width)
        assert image.width < visitor.width
        assert image.size == visitor.thumbnail_size


def test_images_are_served_by_the_api_not_the_object_store(sandbox: Sandbox, http: requests.Session) -> None:
    # VMSAlpha sends the bytes itself (no image URLs), so nothing goes to the store.
    before = sandbox.store.requests
    get(sandbox, http, PHOTO + with_image(sandbox)[0].id)
    assert sandbox.store.requests == before
    assert sandbox.store.credential_sightings == []


# Tokens
def test_oauth_issues_a_token_that_opens_photos(sandbox: Sandbox, http: requests.Session) -> None:
    response = http.post(sandbox.base_url + "/v1/oauth/", data={"username": "sandbox", "password": sandbox.token})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert not list(TOKENS.iter_errors(body)), body
    token = body["data"]["access_token"]
    assert token != sandbox.token
    photo = get(sandbox, http, PHOTO + with_image(sandbox)[0].id, Authorization=f"Token {token}")
    assert photo.headers["content-type"].startswith("image/")


@pytest.mark.parametrize(("form", "code"), [
    ({"username": "sandbox", "password": "wrong"}, "1142"),
    ({"username": "someone", "password": "{token}"}, "1142"),
    ({"username": "sandbox"}, "1157"),
    ({"password": "{token}"}, "1157"),
    ({}, "1157"),
], ids=["wrong-password", "wrong-user", "no-password", "no-username", "empty"])
def test_oauth_rejections(sandbox: Sandbox, http: requests.Session, form: dict[str, str], code: str) -> None:
    sent = {k: v.format(token=sandbox.token) for k, v in form.items()}
    tokens = set(sandbox.app.state.tokens)
    response = http.post(sandbox.base_url + "/v1/oauth", data=sent)
    assert_error(response, code, "OAuthException")
    assert sandbox.app.state.tokens == tokens  # a rejection mints nothing


def test_oauth_does_not_accept_get(sandbox: Sandbox, http: requests.Session) -> None:
    assert http.get(sandbox.base_url + "/v1/oauth/").status_code == 405


# The dataset
def test_default_dataset(sandbox: Sandbox) -> None:
    visitors = sandbox.app.state.dataset
    assert len(visitors) == 8
    assert len({v.id for v in visitors}) == 8
    assert all(HEX40.match(v.id) for v in visitors)
    assert [v for v in visitors if not v.has_image] == [sandbox.app.state.visitor_without_image]


def test_same_seed_same_visitors_other_seed_other_visitors() -> None:
    first, again, other = build_visitors(7), build_visitors(7), build_visitors(8)
    assert first == again
    assert {v.id for v in first}.isdisjoint({v.id for v in other})


def test_running_twice_with_one_seed_serves_the_same_dataset(sandbox: Sandbox) -> None:
    with running("visitor", seed=7) as again:
        assert again.app.state.dataset == sandbox.app.state.dataset


@pytest.mark.parametrize("size", [1, 3, 20])
def test_dataset_size_and_exactly_one_missing_image(size: int) -> None:
    visitors = build_visitors(3, size)
    assert len(visitors) == size
    assert sum(not v.has_image for v in visitors) == 1
    if size >= 4:  # three or more images: every documented format appears
        assert {v.content_type for v in visitors if v.has_image} == {"image/jpeg", "image/png", "image/bmp"}


def test_sample_ids_give_the_runner_every_visitor_missing_image_first(sandbox: Sandbox) -> None:
    ids = sample_ids(sandbox.app)["visitor_ids"]
    assert sorted(ids) == sorted(v.id for v in sandbox.app.state.dataset)
    assert ids[0] == sandbox.app.state.visitor_without_image.id
