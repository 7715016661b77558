"""Drives autodesk-platform-sdk (Python 3.12+) against a running Autodesk sandbox; run in its own environment.

    python drive_autodesk_platform_sdk.py BASE_ORIGIN TOKEN PROJECT_ID DELETED_ID

Prints one JSON object: step name -> {"ok": true, ...what the step saw} or {"ok": false, "error": ...}. Every
step calls the client's own methods and keeps what its models parsed; the test judges the outcomes.
"""

from __future__ import annotations

import asyncio
import json
import sys
import traceback
from collections.abc import Callable
from typing import Any

from autodesk_platform_sdk.async_client import AsyncClient
from autodesk_platform_sdk.client import Client
from autodesk_platform_sdk.generic.exceptions import ApsApiError
from autodesk_platform_sdk.services.photos.schemas import Page, Photo, PhotoInclude

ORIGIN, TOKEN, PROJECT, DELETED = sys.argv[1:5]
UNKNOWN = "00000000-0000-4000-8000-000000000000"
OTHER_PROJECT = "0f6a1c0e-8a3e-4b8e-9a57-3d1a7c0f2b11"
JPEG = b"\xff\xd8\xff"


def photo(p: Photo) -> dict[str, Any]:
    assert isinstance(p, Photo)
    return {"id": p.id, "mediaType": p.media_type, "createdAt": p.created_at, "takenAt": p.taken_at,
            "title": p.title, "createdBy": p.created_by, "signed": p.signed_urls is not None,
            "urls": p.urls is not None and bool(p.urls.file_url)}


def page(p: Page[Photo]) -> dict[str, Any]:
    assert isinstance(p, Page)
    return {"limit": p.pagination.limit, "next": p.next_cursor(), "results": [photo(r) for r in p.results]}


def walk(client: Client, **arguments: Any) -> dict[str, Any]:
    """Every page of one query, following next_cursor() as the SDK says (cursor_state ignores the rest)."""
    first = client.photos.filter_photos(PROJECT, **arguments)
    pages, cursor = [page(first)], first.next_cursor()
    while cursor is not None and len(pages) < 100:
        following = client.photos.filter_photos(PROJECT, cursor_state=cursor, **arguments)
        pages.append(page(following))
        cursor = following.next_cursor()
    return {"pages": len(pages), "limits": [p["limit"] for p in pages],
            "results": [r for p in pages for r in p["results"]]}


def failure(call: Callable[[], Any]) -> dict[str, Any]:
    """The ApsApiError a call raises (its status and the code the SDK read from the body)."""
    try:
        call()
    except ApsApiError as error:
        return {"status": error.status_code, "code": error.error, "description": error.description}
    raise AssertionError("no ApsApiError")


def main() -> None:
    out: dict[str, Any] = {}
    client = Client(access_token=TOKEN, base_url=ORIGIN, retries=0)
    everything = walk(client, limit=50)
    first_id = everything["results"][0]["id"]
    steps: dict[str, Callable[[], Any]] = {
        "get_photo": lambda: photo(client.photos.get_photo(PROJECT, first_id)),
        "get_photo_b_prefixed_project": lambda: photo(client.photos.get_photo("b." + PROJECT, first_id)),
        "get_photo_signed_urls": lambda: photo(client.photos.get_photo(
            PROJECT, first_id, include=[PhotoInclude.signed_urls])),
        "get_photo_relationships_count": lambda: photo(client.photos.get_photo(
            PROJECT, first_id, include=[PhotoInclude.signed_urls, PhotoInclude.relationships_count])),
        "download_photo": lambda: client.photos.download_photo(PROJECT, first_id)[:3] == JPEG,
        "download_thumbnail": lambda: client.photos.download_photo(PROJECT, first_id, thumbnail=True)[:3] == JPEG,
        "filter_everything": lambda: everything,
        "filter_default_page": lambda: page(client.photos.filter_photos(PROJECT)),
        "filter_sort_created_desc": lambda: walk(client, sort_by="createdAt", sort_direction="desc", limit=50),
        "filter_sort_taken_default_direction": lambda: walk(client, sort_by="takenAt", limit=50),
        "filter_created_at_single": lambda: walk(client, created_at="2021-03-14", limit=50),
        "filter_created_at_date_time": lambda: walk(client, created_at="2021-03-14T10:20:33", limit=50),
        "filter_taken_at_range": lambda: walk(client, taken_at="2021-01-01..2021-06-30T23:59:59", limit=50),
        "filter_open_range": lambda: walk(client, created_at="2021-06-01..", limit=50),
        "filter_media_types_signed": lambda: walk(client, media_types=["INFRARED", "PHOTOSPHERE"],
                                                  include=[PhotoInclude.signed_urls], limit=5),
        "filter_ids_creators_title": lambda: walk(client, photo_ids=[first_id], created_by=[
            everything["results"][0]["createdBy"]], title=everything["results"][0]["title"][:4].lower()),
        "filter_relationships_count": lambda: page(client.photos.filter_photos(
            PROJECT, include=[PhotoInclude.relationships_count], limit=3)),
        "filter_paged_by_seven": lambda: walk(client, limit=7),
        "error_unknown_photo": lambda: failure(lambda: client.photos.get_photo(PROJECT, UNKNOWN)),
        "error_deleted_photo": lambda: failure(lambda: client.photos.get_photo(PROJECT, DELETED)),
        "error_other_project": lambda: failure(lambda: client.photos.get_photo(OTHER_PROJECT, first_id)),
        "error_bad_token": lambda: failure(lambda: Client(access_token="not-the-token", base_url=ORIGIN)
                                           .photos.get_photo(PROJECT, first_id)),
        "error_limit_51": lambda: failure(lambda: client.photos.filter_photos(PROJECT, limit=51)),
        "error_foreign_cursor": lambda: failure(
            lambda: client.photos.filter_photos(PROJECT, cursor_state="eyJvIjoyNX0")),
        "error_bad_date": lambda: failure(lambda: client.photos.filter_photos(PROJECT, created_at="March 2021")),
    }

    async def asynchronous() -> dict[str, Any]:
        async_client = AsyncClient(access_token=TOKEN, base_url=ORIGIN)
        try:
            got = photo(await async_client.photos.get_photo(PROJECT, first_id, include=[PhotoInclude.signed_urls]))
            listed = page(await async_client.photos.filter_photos(PROJECT, sort_by="createdAt", limit=5))
            listed_next = page(await async_client.photos.filter_photos(PROJECT, cursor_state=listed["next"]))
            image = await async_client.photos.download_photo(PROJECT, first_id)
            try:
                await async_client.photos.get_photo(PROJECT, UNKNOWN)
                missing = None
            except ApsApiError as error:
                missing = error.status_code
            return {"photo": got, "page": listed, "next_page": listed_next, "jpeg": image[:3] == JPEG,
                    "unknown_status": missing}
        finally:
            await async_client.aclose()

    steps["async_client"] = lambda: asyncio.run(asynchronous())
    for name, step in steps.items():
        try:
            out[name] = {"ok": True, "value": step()}
        except Exception as error:  # noqa: BLE001 - every failure of a step is reported, not raised
            out[name] = {"ok": False, "error": f"{type(error).__name__}: {error}",
                         "trace": traceback.format_exc(limit=3)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
