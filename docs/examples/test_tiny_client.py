"""The tiny client against the Fulcrum sandbox: faithful, and with a vendor change it must notice.

Runs with photo-contracts installed (it registers the `photo_sandbox` fixture):

    python -m pytest docs/examples
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tiny_client import FulcrumClientError, TinyFulcrumClient

from photo_contracts import fixtures


# The context manager, for a sandbox shared by the tests of a module.
@pytest.fixture(scope="module")
def fulcrum() -> Iterator[fixtures.PhotoSandbox]:
    with fixtures.photo_sandbox("fulcrum", seed=7) as sandbox:
        yield sandbox


def test_first_thumbnail_decodes(fulcrum: fixtures.PhotoSandbox) -> None:
    thumbnail = TinyFulcrumClient(fulcrum.base_url, fulcrum.token).first_thumbnail()

    assert thumbnail.format == "JPEG"
    assert thumbnail.width > 0 and thumbnail.height > 0
    # The thumbnail came from the object store (another host), which never saw the API token.
    assert fulcrum.store.requests >= 1
    assert fulcrum.store.credential_sightings == []


def test_a_rejected_token_is_the_clients_error(fulcrum: fixtures.PhotoSandbox) -> None:
    with pytest.raises(FulcrumClientError, match="rejected the API token"):
        TinyFulcrumClient(fulcrum.base_url, "not-" + fulcrum.token).photos()


# The fixture factory: a sandbox of its own for one test, stopped when the test ends.
def test_a_truncated_thumbnail_is_noticed(photo_sandbox: fixtures.SandboxFactory) -> None:
    drifted = photo_sandbox("fulcrum", drift="fulcrum-thumbnail-truncated")
    client = TinyFulcrumClient(drifted.base_url, drifted.token)

    assert client.photos(per_page=1)  # the API itself still answers as documented ...
    with pytest.raises(FulcrumClientError, match="does not decode"):
        client.first_thumbnail()  # ... but the stored thumbnail is cut off halfway
