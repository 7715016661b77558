"""Sandboxes for integrators' own tests: the context manager, the pytest fixture, docs/examples."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import requests

from photo_contracts.errors import ToolError
from photo_contracts.fixtures import PhotoSandbox, SandboxError, SandboxFactory, drift_profiles, photo_sandbox

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "photo_contracts.fixtures"


def plugin_args() -> list[str]:
    """`-p photo_contracts.fixtures` only where the entry point is not installed (or autoload is off)."""
    installed = any(e.value == PLUGIN for e in entry_points(group="pytest11"))
    return [] if installed and not os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD") else ["-p", PLUGIN]


def pytest_in_subprocess(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *plugin_args(), *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=240)


def refused(url: str) -> bool:
    try:
        requests.get(url, timeout=3)
    except requests.ConnectionError:
        return True
    return False


# The context manager

def test_context_manager_serves_with_its_token_and_stops() -> None:
    with photo_sandbox("cloudcard", token="integrator-token") as sandbox:
        assert sandbox.api == "cloudcard" and sandbox.drift is None and sandbox.seed == 0
        assert sandbox.base_url.startswith("http://127.0.0.1:")
        assert sandbox.token == "integrator-token"
        assert sandbox.headers == {"X-Auth-Token": "integrator-token"}
        answer = requests.get(sandbox.url("/photo"), headers=sandbox.headers, timeout=10)
        assert answer.status_code == 200 and isinstance(answer.json(), list)
        assert requests.get(sandbox.url("/photo"), timeout=10).status_code == 401
        assert requests.get(sandbox.url("/photo"), headers=sandbox.auth_headers("wrong"), timeout=10).status_code == 401
        assert sandbox.store.base_url.startswith("http://127.0.0.2:")
        assert sandbox.store.credential_sightings == []
    assert refused(sandbox.url("/photo"))
    assert refused(sandbox.store.base_url + "/anything")


def test_each_api_starts_with_its_documented_base_path_and_credential() -> None:
    with photo_sandbox("fulcrum") as fulcrum, photo_sandbox("autodesk") as autodesk:
        assert fulcrum.base_url.endswith("/api") and list(fulcrum.headers) == ["X-ApiToken"]
        assert autodesk.headers["Authorization"] == f"Bearer {autodesk.token}"
        assert fulcrum.token != autodesk.token  # random unless given
        listing = requests.get(fulcrum.url("v2/photos.json"), headers=fulcrum.headers, timeout=10)
        assert listing.status_code == 200 and listing.json()["photos"]


def test_a_drifted_sandbox_changes_what_its_profile_says() -> None:
    with photo_sandbox("fulcrum", "fulcrum-file-size-as-string", seed=3) as sandbox:
        assert sandbox.drift == "fulcrum-file-size-as-string"
        photos = requests.get(sandbox.url("/v2/photos.json"), headers=sandbox.headers, timeout=10).json()["photos"]
        assert photos and all(isinstance(photo["file_size"], str) for photo in photos)


def test_the_same_seed_gives_the_same_photos() -> None:
    def keys(sandbox: PhotoSandbox) -> list[str]:
        answer = requests.get(sandbox.url("/v2/photos.json"), headers=sandbox.headers, timeout=10)
        return [photo["access_key"] for photo in answer.json()["photos"]]

    with photo_sandbox("fulcrum", seed=5) as one, photo_sandbox("fulcrum", seed=5) as two:
        assert keys(one) == keys(two)


@pytest.mark.parametrize(("arguments", "expected"), [
    (("cloudcrad",), "unknown API 'cloudcrad'; did you mean 'cloudcard'? valid names: autodesk, cloudcard, fulcrum, "
                     "visitor"),
    (("s3",), "unknown API 's3'; valid names: autodesk, cloudcard, fulcrum, visitor"),
    (("fulcrum", "fulcrum-thumbnail-truncate"), "unknown drift profile 'fulcrum-thumbnail-truncate' for API "
                                                "'fulcrum'; did you mean 'fulcrum-thumbnail-truncated'? valid names: "
                                                "fulcrum-access-key-removed, "),
    (("fulcrum", "nothing-like-it"), "unknown drift profile 'nothing-like-it' for API 'fulcrum'; valid names: "),
    (("cloudcard", "fulcrum-thumbnail-truncated"), "drift profile 'fulcrum-thumbnail-truncated' is for API "
                                                   "'fulcrum', not 'cloudcard'"),
])
def test_unknown_api_or_profile_is_one_line_listing_the_valid_names(arguments: tuple[str, ...],
                                                                    expected: str) -> None:
    with pytest.raises(SandboxError) as raised, photo_sandbox(*arguments):
        pytest.fail("started a sandbox for a bad name")
    message = str(raised.value)
    assert message.startswith(expected)
    assert "\n" not in message
    assert isinstance(raised.value, ToolError) and isinstance(raised.value, ValueError)
    if "drift profile" in expected and "is for API" not in expected:
        listed = message.split("valid names: ", 1)[1].split(", ")
        assert listed == sorted(drift_profiles("fulcrum"))
        assert "fulcrum-thumbnail-truncated" in listed


@pytest.mark.parametrize("arguments", [
    {"api": "fulcrum", "seed": "7"},
    {"api": "fulcrum", "token": ""},
    {"api": "fulcrum", "token": "two words"},
    {"api": "fulcrum", "drift": ""},
])
def test_bad_arguments_are_refused_before_anything_starts(arguments: dict[str, object]) -> None:
    with pytest.raises(SandboxError), photo_sandbox(**arguments):  # type: ignore[arg-type]
        pytest.fail("started a sandbox for bad arguments")


def test_drift_profiles_lists_each_apis_profiles_with_what_they_change() -> None:
    profiles = drift_profiles("fulcrum")
    assert "fulcrum-thumbnail-truncated" in profiles and "cut off" in profiles["fulcrum-thumbnail-truncated"]
    assert all(name.startswith("fulcrum-") for name in profiles)
    assert set(drift_profiles()) > set(profiles)
    with pytest.raises(SandboxError, match="unknown API 'nope'"):
        drift_profiles("nope")


# The fixture

def test_the_fixture_is_registered_through_the_pytest11_entry_point() -> None:
    assert PLUGIN in {e.value for e in entry_points(group="pytest11")}


def test_the_fixture_starts_sandboxes_that_serve_real_requests(photo_sandbox: SandboxFactory) -> None:
    cloudcard = photo_sandbox("cloudcard", token="fixture-token")
    visitor = photo_sandbox("visitor", drift=None, seed=2)
    assert photo_sandbox.started == [cloudcard, visitor]
    answer = requests.get(cloudcard.url("/photo"), headers={"X-Auth-Token": "fixture-token"}, timeout=10)
    assert answer.status_code == 200
    assert visitor.headers == {"Authorization": f"Token {visitor.token}"}


def test_the_factory_stops_every_sandbox_it_started() -> None:
    factory = SandboxFactory()
    first, second = factory("cloudcard"), factory("fulcrum", drift="fulcrum-thumbnail-truncated")
    urls = [first.url("/photo"), second.url("/v2/photos.json"), first.store.base_url, second.store.base_url]
    assert requests.get(urls[0], headers=first.headers, timeout=10).status_code == 200
    factory.close()
    assert factory.started == []
    assert all(refused(url) for url in urls)


def test_the_fixture_stops_its_sandboxes_when_a_test_fails(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_lifecycle.py").write_text(textwrap.dedent("""
        import requests

        seen = []

        def test_fails_while_serving(photo_sandbox):
            sandbox = photo_sandbox("fulcrum")
            seen.extend([sandbox.url("/v2/photos.json"), sandbox.store.base_url])
            assert requests.get(seen[0], headers=sandbox.headers, timeout=10).status_code == 200
            assert False, "the integrator's test fails"

        def test_then_nothing_listens_any_more():
            for url in seen:
                try:
                    requests.get(url, timeout=3)
                except requests.ConnectionError:
                    continue
                raise AssertionError(f"{url} still answers")
    """))
    result = pytest_in_subprocess("-q", "-p", "no:randomly", str(tmp_path), cwd=tmp_path)
    assert "1 failed, 1 passed" in result.stdout, result.stdout + result.stderr
    assert "the integrator's test fails" in result.stdout


def test_the_plugin_is_inert_until_a_sandbox_starts() -> None:
    """Installed as a pytest plugin everywhere: importing it starts nothing and loads no emulator."""
    probe = ("import sys, threading, photo_contracts.fixtures; "
             "assert 'photo_contracts.sandbox' not in sys.modules, 'emulators imported'; "
             "assert 'uvicorn' not in sys.modules, 'uvicorn imported'; "
             "assert threading.active_count() == 1, 'threads started'")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# The example in docs/examples, as CI runs it

def test_the_documented_example_passes() -> None:
    result = pytest_in_subprocess("docs/examples", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout, result.stdout
