"""Ids you can use (issue 17): every sandbox tells its caller real ids of each kind, through the fixture's
`sandbox.ids` and `photo-contracts sandbox`'s output, and each one answers through the API."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from photo_contracts.fixtures import photo_sandbox

pytestmark = pytest.mark.slow

KINDS = {
    "cloudcard": {"photo", "person", "organization"},
    "visitor": {"visitor", "visitor_without_image"},
    "fulcrum": {"photo", "form", "record"},
    "autodesk": {"project", "photo", "deleted_photo"},
}


def photo_path(api: str, ids: dict[str, list[object]]) -> str:
    """The API path that reads the first photo of `ids`."""
    return {
        "cloudcard": f"/photo/{ids['photo'][0]}" if api == "cloudcard" else "",
        "visitor": f"/v1/photo/{ids['visitor'][0]}" if api == "visitor" else "",
        "fulcrum": f"/v2/photos/{ids['photo'][0]}.json" if api == "fulcrum" else "",
        "autodesk": f"/projects/{ids['project'][0]}/photos/{ids['photo'][0]}" if api == "autodesk" else "",
    }[api]


@pytest.mark.parametrize("api", sorted(KINDS))
def test_fixture_sandbox_has_real_ids_of_every_kind(api: str) -> None:
    with photo_sandbox(api) as sandbox:
        ids = sandbox.ids
        assert set(ids) == KINDS[api] and all(ids.values()), ids
        assert ids == sandbox.sandbox.ids  # the fixture's sandbox and the underlying one agree
        response = requests.get(sandbox.url(photo_path(api, ids)), headers=sandbox.headers, timeout=10)
        assert response.status_code == 200, response.text[:300]
        if api == "visitor":  # 200 either way: an image for a visitor with a photo, error 4515 for the other
            assert response.headers["content-type"].startswith("image/")
            missing = requests.get(sandbox.url(f"/v1/photo/{ids['visitor_without_image'][0]}"),
                                   headers=sandbox.headers, timeout=10).json()
            assert missing["errors"]["code"] == "4515"
        if api == "autodesk":
            gone = requests.get(sandbox.url(f"/projects/{ids['project'][0]}/photos/{ids['deleted_photo'][0]}"),
                                headers=sandbox.headers, timeout=10)
            assert gone.status_code == 410


def test_ids_follow_the_sandbox_state() -> None:
    """A photo the caller creates is among the ids straight away (ids are read when asked for)."""
    with photo_sandbox("fulcrum") as sandbox:
        before = set(sandbox.ids["photo"])
        key = "0b1f6e7e-2d7c-4f55-9b9e-3f1c1c2d8a11"
        created = requests.post(sandbox.url("/v2/photos.json"), headers=sandbox.headers, timeout=10,
                                data={"photo[access_key]": key}, files={"photo[file]": ("a.jpg", b"x", "image/jpeg")})
        assert created.status_code in (200, 201), created.text[:300]
        assert set(sandbox.ids["photo"]) - before == {key}


@pytest.mark.parametrize("api", sorted(KINDS))
def test_sandbox_command_prints_a_few_ids_of_each_kind(api: str) -> None:
    process = subprocess.Popen([sys.executable, "-m", "photo_contracts.cli", "sandbox", "--api", api],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [process.stdout.readline() for _ in range(1 + len(KINDS[api]))]  # type: ignore[union-attr]
    finally:
        process.terminate()
        try:
            process.communicate(timeout=20)
        finally:  # a sandbox that ignores SIGTERM fails the test, and does not outlive it
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert lines[0].startswith(f"{api} sandbox: http://127.0.0.1:"), lines
    printed = {line.split(":")[0].strip(): line.split(":", 1)[1].strip() for line in lines[1:]}
    assert set(printed) == KINDS[api], lines
    assert all(value and value != "(none)" for value in printed.values()), lines
    with photo_sandbox(api) as sandbox:  # the same seed: the same first ids
        for kind, value in printed.items():
            assert value.split(",")[0].split(" ")[0] == str(sandbox.ids[kind][0]), (kind, value)
