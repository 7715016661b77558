"""A tiny Fulcrum Photos client: the kind of code an integrator owns and wants to keep honest.

It lists photos, then downloads the first photo's thumbnail from the URL the API gives (on S3,
so without the API token) and checks that the bytes decode as an image. Anything it cannot use
becomes its own error, `FulcrumClientError`, never a half-read picture.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import requests
from PIL import Image


class FulcrumClientError(Exception):
    """Fulcrum (or its file storage) answered something this client cannot use."""


@dataclass
class TinyFulcrumClient:
    base_url: str  # e.g. https://api.fulcrumapp.com/api
    token: str
    timeout: float = 10.0

    def photos(self, per_page: int = 20) -> list[dict[str, Any]]:
        """The first page of photos (GET /v2/photos.json)."""
        response = requests.get(
            f"{self.base_url.rstrip('/')}/v2/photos.json",
            headers={"X-ApiToken": self.token, "Accept": "application/json"},
            params={"per_page": per_page},
            timeout=self.timeout,
        )
        if response.status_code == 401:
            raise FulcrumClientError("Fulcrum rejected the API token (HTTP 401)")
        if response.status_code != 200:
            raise FulcrumClientError(f"the photo list answered HTTP {response.status_code}")
        try:
            photos = response.json()["photos"]
        except (ValueError, KeyError, TypeError) as error:
            raise FulcrumClientError(f"the photo list is not the documented JSON: {error!r}") from error
        if not isinstance(photos, list):
            raise FulcrumClientError("the photo list's `photos` is not a list")
        return photos

    def first_thumbnail(self) -> Image.Image:
        """The first photo's thumbnail, decoded."""
        photos = self.photos(per_page=1)
        if not photos:
            raise FulcrumClientError("the account has no photos")
        photo = photos[0]
        url = photo.get("thumbnail")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise FulcrumClientError(f"photo {photo.get('access_key')} has no thumbnail URL")
        # The URL points at file storage, not at the API: it gets no X-ApiToken.
        response = requests.get(url, timeout=self.timeout)
        if response.status_code != 200:
            raise FulcrumClientError(f"the thumbnail of photo {photo.get('access_key')} "
                                     f"answered HTTP {response.status_code}")
        try:
            picture = Image.open(io.BytesIO(response.content))
            picture.load()  # a truncated or corrupt file fails here, not later in the caller
        except (OSError, Image.DecompressionBombError) as error:
            raise FulcrumClientError(f"the thumbnail of photo {photo.get('access_key')} "
                                     f"does not decode: {error}") from error
        return picture
