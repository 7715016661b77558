"""The Autodesk ACC Photos emulator over real HTTP: auth, errors, filters, pagination, images."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from jsonschema.exceptions import best_match
from PIL import Image

from photo_contracts.contracts import file_uri, load_contract, schema_uri_for, validator
from photo_contracts.operations import operations
from photo_contracts.sandbox import Sandbox, running
from photo_contracts.sandbox.autodesk_data import EXAMPLE_PHOTO_ID, PROJECT_ID, build

pytestmark = pytest.mark.slow
CONTRACT = load_contract("autodesk")
OPS = {op.spec["operationId"]: op for op in operations(CONTRACT)}
OTHER_PROJECT = "0f6a1c0e-8a3e-4b8e-9a57-3d1a7c0f2b11"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running("autodesk", seed=0) as started:
        yield started


def photo_url(sandbox: Sandbox, photo_id: str, project: str = PROJECT_ID) -> str:
    return f"{sandbox.base_url}/projects/{project}/photos/{photo_id}"


def filter_url(sandbox: Sandbox, project: str = PROJECT_ID) -> str:
    return f"{sandbox.base_url}/projects/{project}/photos:filter"


def assert_documented(operation_id: str, response: requests.Response) -> Any:
    """The response's status is one the contract documents for the operation, and its body is JSON
    that validates where the contract documents a body (error bodies are not documented: any body
    passes the contract; the emulator still sends JSON, which the tests read)."""
    responses = OPS[operation_id].spec["responses"]
    assert str(response.status_code) in responses, f"{response.status_code} is not documented for {operation_id}"
    assert response.headers["content-type"].split(";")[0] == "application/json"
    body = response.json()
    uri = schema_uri_for("autodesk", OPS[operation_id], str(response.status_code), "application/json")
    if "content" in responses[str(response.status_code)]:
        assert uri is not None
        error = best_match(validator(uri).iter_errors(body))
        assert error is None, f"{error.json_path}: {error.message}"
    return body


def post_filter(sandbox: Sandbox, body: Any, **kwargs: Any) -> requests.Response:
    return requests.post(filter_url(sandbox), json=body, headers=sandbox.auth_headers(), timeout=5, **kwargs)


def all_pages(sandbox: Sandbox, body: dict[str, Any]) -> list[dict[str, Any]]:
    pages = []
    url = filter_url(sandbox)
    for _ in range(100):
        response = requests.post(url, json=body, headers=sandbox.auth_headers(), timeout=5)
        page = assert_documented("filterPhotos", response)
        pages.append(page)
        next_post = page["pagination"].get("nextPost")
        if next_post is None:
            return pages
        url, body = next_post["url"], next_post["body"]
    raise AssertionError("pagination does not terminate")


def live_ids(sandbox: Sandbox, predicate: Any = lambda m: True) -> set[str]:
    return {m.id for m in sandbox.app.state.dataset.media if not m.deleted and predicate(m)}


def fetch(url: str) -> requests.Response:
    return requests.get(url, timeout=5)


# Auth ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("headers", "code"), [
    ({}, "AUTH-012"),
    ({"Authorization": "Bearer wrong-token"}, "AUTH-006"),
    ({"Authorization": "Token {token}"}, "AUTH-006"),
    ({"Authorization": "{token}"}, "AUTH-006"),
], ids=["missing", "wrong-token", "wrong-scheme", "no-scheme"])
def test_bad_credentials_get_the_gateway_401(sandbox: Sandbox, headers: dict[str, str], code: str) -> None:
    headers = {k: v.format(token=sandbox.token) for k, v in headers.items()}
    get = requests.get(photo_url(sandbox, EXAMPLE_PHOTO_ID), headers=headers, timeout=5)
    post = requests.post(filter_url(sandbox), json={}, headers=headers, timeout=5)
    assert (get.status_code, post.status_code) == (401, 401)
    assert assert_documented("getPhoto", get)["errorCode"] == code
    assert assert_documented("filterPhotos", post)["errorCode"] == code


def test_bearer_scheme_is_case_insensitive(sandbox: Sandbox) -> None:
    response = requests.get(photo_url(sandbox, EXAMPLE_PHOTO_ID),
                            headers={"Authorization": f"bearer {sandbox.token}"}, timeout=5)
    assert response.status_code == 200


# Errors -----------------------------------------------------------------------------------


def test_unknown_photo_is_404(sandbox: Sandbox) -> None:
    response = requests.get(photo_url(sandbox, OTHER_PROJECT), headers=sandbox.auth_headers(), timeout=5)
    assert response.status_code == 404
    assert_documented("getPhoto", response)


def test_other_project_is_403(sandbox: Sandbox) -> None:
    get = requests.get(photo_url(sandbox, EXAMPLE_PHOTO_ID, OTHER_PROJECT), headers=sandbox.auth_headers(), timeout=5)
    post = requests.post(filter_url(sandbox, OTHER_PROJECT), json={}, headers=sandbox.auth_headers(), timeout=5)
    assert (get.status_code, post.status_code) == (403, 403)
    assert_documented("getPhoto", get)
    assert_documented("filterPhotos", post)


def test_deleted_media_is_410_and_not_listed(sandbox: Sandbox) -> None:
    deleted = [m for m in sandbox.app.state.dataset.media if m.deleted]
    assert len(deleted) == 4
    for media in deleted:
        response = requests.get(photo_url(sandbox, media.id), headers=sandbox.auth_headers(), timeout=5)
        assert response.status_code == 410
        assert_documented("getPhoto", response)
    listed = {r["id"] for page in all_pages(sandbox, {"limit": 50}) for r in page["results"]}
    assert listed == live_ids(sandbox) and not listed & {m.id for m in deleted}


@pytest.mark.parametrize("body", [
    {"limit": 51}, {"limit": 0}, {"limit": "10"}, {"include": ["thumbnails"]},
    {"filter": {"mediaType": ["PANORAMA"]}}, {"filter": {"createdAt": "2021-03"}},
    {"sort": ["size", "asc"]}, {"sort": ["createdAt desc"]}, {"sort": ["createdAt"]},
    {"sort": ["createdAt", "desc", "takenAt", "asc"]}, {"cursorState": "not-a-cursor"}, {"cursorState": 5}, [],
    {"filter": [{"mediaType": ["NORMAL"]}]},
], ids=["limit-51", "limit-0", "limit-string", "include", "mediaType", "date", "sort-field", "sort-one-string",
        "sort-field-alone", "sort-four", "cursor", "cursor-number", "array", "filter-list"])
def test_invalid_filter_body_is_400(sandbox: Sandbox, body: Any) -> None:
    response = post_filter(sandbox, body)
    assert response.status_code == 400
    assert_documented("filterPhotos", response)


@pytest.mark.parametrize("member", ["updatedAt", "mediatype", "status"])
def test_unknown_filter_member_is_refused_as_unknown_field(sandbox: Sandbox, member: str) -> None:
    """autodesk-platform-sdk: "Autodesk refuses a key it does not know here with `Unknown field`"."""
    response = post_filter(sandbox, {"filter": {"mediaType": ["NORMAL"], member: "x"}})
    assert response.status_code == 400
    assert "Unknown field" in assert_documented("filterPhotos", response)["detail"]


@pytest.mark.parametrize("body", [
    {"sort": ["createdAt", "desc"]}, {"sort": ["takenAt", "asc"]}, {"filter": {"createdAt": "2021-03-14T10:20:33"}},
    {"filter": {"takenAt": "2021-03-13"}}, {"include": ["relationshipsCount"]},
    {"include": ["signedUrls", "relationshipsCount"]}, {"filter": {}}, {},
], ids=["sort-pair", "sort-taken-asc", "single-date-time", "single-date", "relationships-count", "both-includes",
        "empty-filter", "empty"])
def test_readings_a_source_supports_are_accepted(sandbox: Sandbox, body: dict[str, Any]) -> None:
    """The requests autodesk-platform-sdk and Autodesk's Postman sample send (issue 17)."""
    page = assert_documented("filterPhotos", post_filter(sandbox, body))
    assert isinstance(page["results"], list)


def test_single_date_matches_that_day_and_a_date_time_that_instant(sandbox: Sandbox) -> None:
    found = results(sandbox, {"filter": {"createdAt": "2021-03-14"}})
    assert EXAMPLE_PHOTO_ID in {r["id"] for r in found} and all(r["createdAt"][:10] == "2021-03-14" for r in found)
    exact = results(sandbox, {"filter": {"createdAt": "2021-03-14T10:20:33"}})
    assert [r["id"] for r in exact] == [r["id"] for r in found if r["createdAt"] == "2021-03-14T10:20:33"]


def test_include_in_the_query_of_filter_as_autodesks_postman_sample(sandbox: Sandbox) -> None:
    page = assert_documented("filterPhotos", post_filter(sandbox, {"limit": 3}, params={"include": "signedUrls"}))
    assert all("signedUrls" in r for r in page["results"])
    assert post_filter(sandbox, {"limit": 3}, params={"include": "thumbnails"}).status_code == 400


def test_malformed_json_is_400(sandbox: Sandbox) -> None:
    response = requests.post(filter_url(sandbox), data=b"{limit: 5", timeout=5,
                             headers=dict(sandbox.auth_headers(), **{"Content-Type": "application/json"}))
    assert response.status_code == 400
    assert_documented("filterPhotos", response)


def test_undocumented_include_is_400(sandbox: Sandbox) -> None:
    response = requests.get(photo_url(sandbox, EXAMPLE_PHOTO_ID), params={"include": "thumbnails"},
                            headers=sandbox.auth_headers(), timeout=5)
    assert response.status_code == 400
    assert_documented("getPhoto", response)


# The documented example and signedUrls ---------------------------------------------------


def test_example_photo_matches_the_documented_example(sandbox: Sandbox) -> None:
    response = requests.get(photo_url(sandbox, EXAMPLE_PHOTO_ID), headers=sandbox.auth_headers(), timeout=5)
    body = assert_documented("getPhoto", response)
    assert "signedUrls" not in body  # only when asked for
    for name, value in {"title": "Office Dry Wall", "takenAt": "2021-03-13T18:15:00",
                        "userCreatedAt": "2021-03-13T18:20:33", "createdAt": "2021-03-14T10:20:33",
                        "updatedAt": "2021-03-14T11:20:33", "createdBy": "PER8KQPK2JRT"}.items():
        assert body[name] == value


def test_comma_joined_include_is_400(sandbox: Sandbox) -> None:
    """autodesk-platform-sdk: "Comma-joining them instead is a 400"."""
    for value in ("signedUrls,relationshipsCount", "signedUrls,signedUrls"):
        response = requests.get(photo_url(sandbox, EXAMPLE_PHOTO_ID), params={"include": value},
                                headers=sandbox.auth_headers(), timeout=5)
        assert response.status_code == 400, value
        assert_documented("getPhoto", response)


@pytest.mark.parametrize("include", [["signedUrls"], ["signedUrls", "relationshipsCount"], ["signedUrls"] * 2],
                         ids=["one", "with-relationships-count", "repeated"])
def test_signed_urls_only_when_asked(sandbox: Sandbox, include: list[str]) -> None:
    response = requests.get(photo_url(sandbox, EXAMPLE_PHOTO_ID), params={"include": include},
                            headers=sandbox.auth_headers(), timeout=5)
    body = assert_documented("getPhoto", response)
    assert set(body["signedUrls"]) == {"fileUrl", "thumbnailUrl"}
    page = assert_documented("filterPhotos", post_filter(sandbox, {"include": ["signedUrls"], "limit": 3}))
    assert all("signedUrls" in r for r in page["results"])
    page = assert_documented("filterPhotos", post_filter(sandbox, {"limit": 3}))
    assert not any("signedUrls" in r for r in page["results"])


# Images ------------------------------------------------------------------------------------


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_images_are_what_the_metadata_says(sandbox: Sandbox) -> None:
    page = assert_documented("filterPhotos", post_filter(sandbox, {"include": ["signedUrls"], "limit": 50}))
    dataset = sandbox.app.state.dataset
    for item in page["results"][:12]:
        signed = item["signedUrls"]
        for url in signed.values():
            parts = urlsplit(url)
            assert parts.hostname == "127.0.0.2"
            assert parse_qs(parts.query)["X-Amz-Expires"] == [str(60)]
        original = fetch(signed["fileUrl"])
        thumbnail = fetch(signed["thumbnailUrl"])
        assert original.status_code == thumbnail.status_code == 200
        assert original.headers["content-type"] == thumbnail.headers["content-type"] == "image/jpeg"
        assert len(original.content) == item["size"]
        full, small = decoded(original.content), decoded(thumbnail.content)
        assert full.format == small.format == "JPEG"
        media = dataset.by_id[item["id"]]
        assert full.size == (media.width, media.height)
        assert small.width == 160 and small.width < full.width and len(thumbnail.content) < len(original.content)
        if item["mediaType"] == "PHOTOSPHERE":
            assert full.width == 2 * full.height
        taken = datetime.strptime(item["takenAt"], "%Y-%m-%dT%H:%M:%S")
        assert full.getexif()[0x0132] == taken.strftime("%Y:%m:%d %H:%M:%S")


def test_auth_urls_need_the_bearer_token(sandbox: Sandbox) -> None:
    body = requests.get(photo_url(sandbox, EXAMPLE_PHOTO_ID), params={"include": "signedUrls"},
                        headers=sandbox.auth_headers(), timeout=5).json()
    api_host = urlsplit(sandbox.base_url).netloc
    for name in ("fileUrl", "thumbnailUrl"):
        url = body["urls"][name]
        assert urlsplit(url).netloc == api_host and "/construction/photos/assets/" in url
        assert requests.get(url, timeout=5).status_code == 401
        with_token = requests.get(url, headers=sandbox.auth_headers(), timeout=5)
        assert with_token.status_code == 200 and with_token.headers["content-type"] == "image/jpeg"
        assert with_token.content == fetch(body["signedUrls"][name]).content
    # The docs' example URLs end with a stray '"': the emulator serves them all the same.
    quoted = requests.get(body["urls"]["fileUrl"] + '"', headers=sandbox.auth_headers(), timeout=5)
    assert quoted.status_code == 200 and len(quoted.content) == body["size"]


def test_store_needs_a_fresh_signature(sandbox: Sandbox) -> None:
    body = requests.get(photo_url(sandbox, EXAMPLE_PHOTO_ID), params={"include": "signedUrls"},
                        headers=sandbox.auth_headers(), timeout=5).json()
    url = body["signedUrls"]["fileUrl"]
    assert fetch(url.split("?")[0]).status_code == 403  # unsigned
    store = sandbox.store
    original_clock = store.clock
    try:
        store.clock = lambda: original_clock() + 61  # X-Amz-Expires=60 has passed
        assert fetch(url).status_code == 403
        fresh = requests.get(photo_url(sandbox, EXAMPLE_PHOTO_ID), params={"include": "signedUrls"},
                             headers=sandbox.auth_headers(), timeout=5).json()["signedUrls"]["fileUrl"]
        assert fetch(fresh).status_code == 200  # minted per response
    finally:
        store.clock = original_clock
    assert store.credential_sightings == []


def test_signed_url_ttl_is_configurable() -> None:
    # A controlled clock, on a whole second: X-Amz-Date has one-second resolution, so a real clock
    # could leave a 1-second URL almost no time at all (the flake this replaced).
    with running("autodesk", size=2, signed_url_ttl=1) as short:
        now = [float(int(time.time()))]
        short.store.clock = lambda: now[0]
        body = requests.get(photo_url(short, EXAMPLE_PHOTO_ID), params={"include": "signedUrls"},
                            headers=short.auth_headers(), timeout=5).json()
        url = body["signedUrls"]["thumbnailUrl"]
        assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["1"]
        now[0] += 1.0
        assert fetch(url).status_code == 200  # still within its second
        now[0] += 0.5
        assert fetch(url).status_code == 403


# Pagination ----------------------------------------------------------------------------------


def test_default_page_is_25(sandbox: Sandbox) -> None:
    page = assert_documented("filterPhotos", post_filter(sandbox, {}))
    assert page["pagination"]["limit"] == 25 and len(page["results"]) == 25
    assert page["pagination"]["nextPost"]["url"] == filter_url(sandbox)


@pytest.mark.parametrize("limit", [1, 7, 36, 50])
def test_following_next_post_visits_every_media_once(sandbox: Sandbox, limit: int) -> None:
    pages = all_pages(sandbox, {"limit": limit, "sort": ["takenAt", "asc"]})
    ids = [r["id"] for page in pages for r in page["results"]]
    assert len(ids) == len(set(ids)) == 36 and set(ids) == live_ids(sandbox)
    assert all(len(p["results"]) == limit for p in pages[:-1]) and len(pages) == -(-36 // limit)
    assert "nextPost" not in pages[-1]["pagination"]
    taken = [r["takenAt"] for page in pages for r in page["results"]]
    assert taken == sorted(taken)


def test_cursor_alone_is_enough_and_every_other_member_is_ignored(sandbox: Sandbox) -> None:
    body = {"filter": {"mediaType": ["NORMAL"]}, "limit": 5}
    first = post_filter(sandbox, body).json()
    cursor = first["pagination"]["nextPost"]["body"]["cursorState"]
    assert first["pagination"]["nextPost"]["body"] == {"cursorState": cursor}  # documented: the cursor alone
    alone = assert_documented("filterPhotos", post_filter(sandbox, {"cursorState": cursor}))
    full = assert_documented("filterPhotos", post_filter(sandbox, dict(body, cursorState=cursor)))
    assert alone["results"] == full["results"] and {r["mediaType"] for r in alone["results"]} == {"NORMAL"}
    assert not {r["id"] for r in alone["results"]} & {r["id"] for r in first["results"]}
    # Autodesk's photos:filter page: with cursorState "all other body parameters are ignored", even invalid ones.
    for others in ({"filter": {"mediaType": ["INFRARED"]}}, {"limit": 51, "sort": ["size"], "filter": {"x": 1}}):
        other = assert_documented("filterPhotos", post_filter(sandbox, dict(others, cursorState=cursor)))
        assert other["results"] == alone["results"], others


def test_cursor_pattern_is_the_emulators_grammar() -> None:
    """filter-request.json states the cursor grammar; the emulator issues and accepts exactly it."""
    import json
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from photo_contracts.contracts import SCHEMAS_DIR
    from photo_contracts.sandbox.autodesk import CURSOR_PATTERN, decode_cursor, encode_cursor

    schema = json.loads((SCHEMAS_DIR / "autodesk" / "filter-request.json").read_text(encoding="utf-8"))
    assert schema["properties"]["cursorState"]["pattern"] == CURSOR_PATTERN
    request = validator(file_uri(SCHEMAS_DIR / "autodesk" / "filter-request.json"))

    @settings(max_examples=200, deadline=None, database=None)
    @given(st.from_regex(re.compile(CURSOR_PATTERN), fullmatch=True))
    def every_cursor_of_the_grammar_decodes(cursor: str) -> None:
        state = decode_cursor(cursor)
        assert state is not None
        assert len(state["s"]) == 1  # the request's [field, direction] pair
        query = {"filter": state["f"], "sort": state["s"][0].split(" "), "limit": state["l"], "include": state["i"]}
        assert request.is_valid(query), query
        assert decode_cursor(encode_cursor(state)) == state

    every_cursor_of_the_grammar_decodes()
    assert decode_cursor("0") is None and decode_cursor("eyJvIjoyNX0") is None


def test_any_cursor_of_the_grammar_is_a_page(sandbox: Sandbox) -> None:
    for cursor in ("o0~l1~i0~sC~f", "o999~l50~i1~sT~f*n*mV", "o3~l2~i0~sc~f*a..2021-01-01*bnobody"):
        page = assert_documented("filterPhotos", post_filter(sandbox, {"cursorState": cursor}))
        assert len(page["results"]) <= 50


# Filters and sort ------------------------------------------------------------------------------


def results(sandbox: Sandbox, body: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for page in all_pages(sandbox, dict(body, limit=50)) for r in page["results"]]


def test_filter_by_media_type(sandbox: Sandbox) -> None:
    for kinds in (["INFRARED"], ["PHOTOSPHERE", "INFRARED"]):
        found = {r["id"] for r in results(sandbox, {"filter": {"mediaType": kinds}})}
        assert found and found == live_ids(sandbox, lambda m, k=kinds: m.record["mediaType"] in k)


def test_filter_by_id_and_created_by(sandbox: Sandbox) -> None:
    wanted = sorted(live_ids(sandbox))[:3]
    assert {r["id"] for r in results(sandbox, {"filter": {"id": wanted}})} == set(wanted)
    user = sandbox.app.state.dataset.users[1]
    found = {r["id"] for r in results(sandbox, {"filter": {"createdBy": [user]}})}
    assert found and found == live_ids(sandbox, lambda m: m.record["createdBy"] == user)


def test_filter_by_title_substring(sandbox: Sandbox) -> None:
    found = {r["id"] for r in results(sandbox, {"filter": {"title": "WALL"}})}
    assert EXAMPLE_PHOTO_ID in found
    assert found == live_ids(sandbox, lambda m: "wall" in m.record["title"].lower())


def _at(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S")


@pytest.mark.parametrize("field", ["createdAt", "takenAt"])
def test_filter_by_date_range(sandbox: Sandbox, field: str) -> None:
    values = sorted(m.record[field] for m in sandbox.app.state.dataset.media if not m.deleted)
    low, high = values[5], values[20]
    day_start_plus_2 = datetime.fromisoformat(low[:10]) - timedelta(hours=2)
    for expression, predicate in (
        (f"{low}..{high}", lambda t: _at(low) <= t <= _at(high)),
        (f"{low}Z..", lambda t: t >= _at(low)),
        (f"..{high[:10]}", lambda t: t.date() <= _at(high).date()),  # a date covers the whole day
        (f"{low[:10]}T00:00:00+02:00..", lambda t: t >= day_start_plus_2),  # offsets are converted to UTC
    ):
        found = {r["id"] for r in results(sandbox, {"filter": {field: expression}})}
        expected = live_ids(sandbox, lambda m, p=predicate: p(_at(m.record[field])))
        assert found == expected and 0 < len(found) < 36, expression


def test_filters_combine(sandbox: Sandbox) -> None:
    found = results(sandbox, {"filter": {"mediaType": ["NORMAL"], "createdAt": "2021-01-01..2021-06-30"}})
    assert {r["id"] for r in found} == live_ids(
        sandbox, lambda m: m.record["mediaType"] == "NORMAL" and m.record["createdAt"][:10] <= "2021-06-30")


@pytest.mark.parametrize("sort", [["createdAt", "asc"], ["createdAt", "desc"], ["takenAt", "desc"]])
def test_sort(sandbox: Sandbox, sort: list[str]) -> None:
    field, direction = sort
    values = [r[field] for r in results(sandbox, {"sort": sort})]
    assert values == sorted(values, reverse=direction == "desc") and len(values) == 36


def test_default_sort_is_newest_first(sandbox: Sandbox) -> None:
    values = [r["createdAt"] for r in results(sandbox, {})]
    assert values == sorted(values, reverse=True)


# Dataset -----------------------------------------------------------------------------------------


def test_timestamps_are_ordered_and_look_like_the_docs(sandbox: Sandbox) -> None:
    order = ("takenAt", "userCreatedAt", "createdAt", "updatedAt", "deletedAt")
    for media in sandbox.app.state.dataset.media:
        stamps = [media.record[name] for name in order if name in media.record]
        assert stamps == sorted(stamps), media.id
        assert all(len(s) == 19 and s[10] == "T" for s in stamps)  # no timezone, as documented
        assert ("deletedAt" in media.record) == ("deletedBy" in media.record) == media.deleted


def test_dataset_size_and_media_types(sandbox: Sandbox) -> None:
    media = sandbox.app.state.dataset.media
    assert len(media) == 40
    assert {m.record["mediaType"] for m in media} == {"NORMAL", "INFRARED", "PHOTOSPHERE"}
    assert all(m.record["projectId"] == PROJECT_ID for m in media)
    with running("autodesk", size=3) as small:
        page = assert_documented("filterPhotos", post_filter(small, {}))
        assert len(small.app.state.dataset.media) == 3 and len(page["results"]) == 3


def test_dataset_is_deterministic_per_seed() -> None:
    def fingerprint(seed: int) -> list[Any]:
        return [(m.record, m.original) for m in build(seed, 8, "http://api").media]

    assert fingerprint(3) == fingerprint(3)
    assert fingerprint(3) != fingerprint(4)
