"""autodesk-platform-sdk 0.3.0 (Python 3.12+, in a side environment) against the faithful Autodesk sandbox.

Every operation the SDK offers for ACC Photos (`get_photo`, `filter_photos`, `download_photo`, sync and async),
with the request shapes its code sends (sources/autodesk-platform-sdk.md: sort as a pair, one date-time filter,
include=relationshipsCount, cursor_state alone), the error paths, and its pydantic models parsing every answer.
Before issue 17 the sandbox refused three of these requests with 400.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from client_env import drive, side_environment

from photo_contracts.sandbox import Sandbox, running

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running("autodesk", seed=0) as started:
        yield started


@pytest.fixture(scope="module")
def outcomes(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    python = side_environment()
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(sandbox.base_url))  # the SDK's base_url is the APS host
    ids = sandbox.ids
    return drive(python, "drive_autodesk_platform_sdk.py", origin, sandbox.token, ids["project"][0],
                 ids["deleted_photo"][0])


def value(outcomes: dict[str, dict[str, Any]], step: str) -> Any:
    outcome = outcomes[step]
    assert outcome["ok"], f"{step}: {outcome.get('error')}\n{outcome.get('trace', '')}"
    return outcome["value"]


def live(sandbox: Sandbox, predicate: Any = lambda m: True) -> set[str]:
    return {m.id for m in sandbox.app.state.dataset.live() if predicate(m)}


@pytest.mark.parametrize("step", ["get_photo", "get_photo_b_prefixed_project", "get_photo_signed_urls",
                                  "get_photo_relationships_count"])
def test_get_photo_parses_into_the_sdks_model(outcomes: dict[str, Any], sandbox: Sandbox, step: str) -> None:
    got = value(outcomes, step)
    assert got["id"] in live(sandbox) and got["urls"] and got["createdAt"] and got["mediaType"]
    assert got["signed"] == (step in ("get_photo_signed_urls", "get_photo_relationships_count"))


@pytest.mark.parametrize("step", ["download_photo", "download_thumbnail"])
def test_download_photo_fetches_a_jpeg_through_the_signed_url(outcomes: dict[str, Any], step: str) -> None:
    assert value(outcomes, step) is True


def test_filter_photos_walks_every_media_once(outcomes: dict[str, Any], sandbox: Sandbox) -> None:
    for step in ("filter_everything", "filter_paged_by_seven"):
        ids = [r["id"] for r in value(outcomes, step)["results"]]
        assert len(ids) == len(set(ids)) and set(ids) == live(sandbox), step
    assert value(outcomes, "filter_paged_by_seven")["limits"] == [7] * 6
    default = value(outcomes, "filter_default_page")
    assert default["limit"] == 25 and len(default["results"]) == 25 and default["next"]


@pytest.mark.parametrize(("step", "field", "descending"), [
    ("filter_sort_created_desc", "createdAt", True), ("filter_sort_taken_default_direction", "takenAt", False)])
def test_sort_pair_is_accepted_and_honoured(outcomes: dict[str, Any], step: str, field: str,
                                            descending: bool) -> None:
    stamps = [r[field] for r in value(outcomes, step)["results"]]
    assert len(stamps) == 36 and stamps == sorted(stamps, reverse=descending)


def test_date_filters_take_one_value_or_a_range(outcomes: dict[str, Any], sandbox: Sandbox) -> None:
    day = {r["id"] for r in value(outcomes, "filter_created_at_single")["results"]}
    assert day and day == live(sandbox, lambda m: m.record["createdAt"].startswith("2021-03-14"))
    instant = {r["id"] for r in value(outcomes, "filter_created_at_date_time")["results"]}
    assert instant == live(sandbox, lambda m: m.record["createdAt"] == "2021-03-14T10:20:33")
    taken = {r["id"] for r in value(outcomes, "filter_taken_at_range")["results"]}
    assert taken == live(sandbox, lambda m: "2021-01-01" <= m.record["takenAt"] <= "2021-06-30T23:59:59")
    later = {r["id"] for r in value(outcomes, "filter_open_range")["results"]}
    assert later == live(sandbox, lambda m: m.record["createdAt"] >= "2021-06-01")


def test_list_filters_and_includes(outcomes: dict[str, Any], sandbox: Sandbox) -> None:
    kinds = value(outcomes, "filter_media_types_signed")
    assert {r["id"] for r in kinds["results"]} == live(
        sandbox, lambda m: m.record["mediaType"] in ("INFRARED", "PHOTOSPHERE"))
    assert all(r["signed"] for r in kinds["results"]) and set(kinds["limits"]) == {5}
    assert len(value(outcomes, "filter_ids_creators_title")["results"]) == 1
    assert len(value(outcomes, "filter_relationships_count")["results"]) == 3


@pytest.mark.parametrize(("step", "status", "code"), [
    ("error_unknown_photo", 404, None), ("error_deleted_photo", 410, None), ("error_other_project", 403, None),
    ("error_bad_token", 401, "AUTH-006"), ("error_limit_51", 400, None), ("error_foreign_cursor", 400, None),
    ("error_bad_date", 400, None)])
def test_errors_raise_the_sdks_aps_api_error(outcomes: dict[str, Any], step: str, status: int,
                                             code: str | None) -> None:
    error = value(outcomes, step)
    assert error["status"] == status and error["description"]
    assert code is None or error["code"] == code  # the gateway's errorCode, read by the SDK's ApiError


def test_async_client_mirrors_the_sync_one(outcomes: dict[str, Any], sandbox: Sandbox) -> None:
    got = value(outcomes, "async_client")
    assert got["photo"]["signed"] and got["jpeg"] and got["unknown_status"] == 404
    assert len(got["page"]["results"]) == 5 and got["page"]["next"]
    assert not {r["id"] for r in got["page"]["results"]} & {r["id"] for r in got["next_page"]["results"]}
