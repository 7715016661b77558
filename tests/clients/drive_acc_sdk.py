"""Drives acc-sdk's AccPhotosApi (Python 3.12+) against a running Autodesk sandbox; run in its own environment.

    python drive_acc_sdk.py BASE_ORIGIN TOKEN PROJECT_ID PHOTO_ID

Prints one JSON object: step name -> {"ok": true, "value": ...} or {"ok": false, "status": ..., "error": ...}.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import requests
from acc_sdk.photos import AccPhotosApi

ORIGIN, TOKEN, PROJECT, PHOTO = sys.argv[1:5]
UNKNOWN = "00000000-0000-4000-8000-000000000000"


class Base:
    """What AccPhotosApi uses of AccBase: the 3-legged token (AccBase itself signs in to Autodesk)."""

    def get_3leggedToken(self) -> str:  # noqa: N802 - the client's name
        return TOKEN


def client(prefix: str) -> AccPhotosApi:
    api = AccPhotosApi(Base())
    api.base_url = ORIGIN + prefix  # the client's own host replaced by the sandbox's, its path kept or fixed
    return api


def main() -> None:
    shipped = client("/photos/v1")  # the path acc-sdk ships: https://developer.api.autodesk.com/photos/v1
    fixed = client("/construction/photos/v1")  # Autodesk's documented base path
    steps: dict[str, Callable[[], Any]] = {
        "get_photo_shipped_base": lambda: shipped.get_photo(PROJECT, PHOTO)["id"],
        "get_photo": lambda: fixed.get_photo(PROJECT, PHOTO)["id"],
        "get_photo_signed_urls": lambda: sorted(fixed.get_photo(PROJECT, PHOTO, include=["signedUrls"])["signedUrls"]),
        "get_photo_two_includes": lambda: fixed.get_photo(PROJECT, PHOTO, include=["signedUrls", "relationshipsCount"]),
        "get_photo_unknown": lambda: fixed.get_photo(PROJECT, UNKNOWN),
        "get_filtered_photos": lambda: len(fixed.get_filtered_photos(PROJECT)["results"]),
        "get_filtered_photos_documented_params": lambda: fixed.get_filtered_photos(
            PROJECT, filter_params={"limit": 5, "sortBy": "createdAt", "sortOrder": "desc"}),
    }
    out: dict[str, Any] = {}
    for name, step in steps.items():
        try:
            out[name] = {"ok": True, "value": step()}
        except requests.HTTPError as error:
            out[name] = {"ok": False, "status": error.response.status_code, "error": str(error)[:300]}
        except Exception as error:  # noqa: BLE001 - every failure of a step is reported, not raised
            out[name] = {"ok": False, "status": None, "error": f"{type(error).__name__}: {error}"[:300]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
