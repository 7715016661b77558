"""Sandboxes for your own tests: the emulators, served on loopback, the way moto serves AWS.

A context manager, for any code (and for module- or session-scoped fixtures of your own):

    from photo_contracts.fixtures import photo_sandbox

    with photo_sandbox("fulcrum", drift="fulcrum-thumbnail-truncated") as sandbox:
        requests.get(sandbox.base_url + "/v2/photos.json", headers=sandbox.headers)

and a pytest fixture, registered through the `pytest11` entry point `photo_contracts_sandbox`,
that returns a factory; every sandbox it starts stops when the test ends, passed or failed:

    def test_my_client(photo_sandbox):
        sandbox = photo_sandbox("cloudcard", drift="cloudcard-width-as-string")

Each sandbox yields `base_url` (with the API's documented base path), `token`, `headers` (the
credential header the API expects), `ids` (real ids by kind, e.g. `sandbox.ids["photo"]`), `store`
(the object store on 127.0.0.2 that serves the image URLs: `store.base_url`,
`store.credential_sightings`) and `api`. Unknown APIs and drift
profiles raise `SandboxError` (a `ToolError` and a `ValueError`) in one line, listing the valid
names, before anything is started.

This module is a pytest plugin in every environment that installs photo-contracts, so it stays
inert: it registers one fixture and no hooks, and imports the emulators only when a sandbox starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from photo_contracts.apis import APIS, get_api
from photo_contracts.errors import ToolError, did_you_mean

if TYPE_CHECKING:
    from photo_contracts.sandbox import Sandbox
    from photo_contracts.sandbox.objectstore import ObjectStore

__all__ = ["PhotoSandbox", "SandboxError", "SandboxFactory", "drift_profiles", "photo_sandbox"]


class SandboxError(ToolError, ValueError):
    """A sandbox asked for with an unknown API, drift profile or a bad argument (one line)."""


@dataclass(frozen=True)
class PhotoSandbox:
    """A running sandbox of one API: where it listens, the credential it accepts, its object store."""

    api: str  # a registered API: "cloudcard", "visitor", "fulcrum", "autodesk" or a plugin's
    base_url: str  # http://127.0.0.1:PORT + the API's documented base path (e.g. /api for Fulcrum)
    token: str  # the one credential the emulator accepts
    store: ObjectStore  # the stand-in for S3 that serves image URLs (its own loopback address)
    drift: str | None  # the drift profile applied, or None for the faithful emulator
    seed: int  # the dataset's seed: the same seed gives the same photos
    sandbox: Sandbox = field(repr=False)  # the underlying emulator (`sandbox.app.state` holds its dataset)

    @property
    def headers(self) -> dict[str, str]:
        """The credential header, as the vendor documents it (a new dict on each access)."""
        return self.sandbox.auth_headers()

    def auth_headers(self, token: str | None = None) -> dict[str, str]:
        """The credential header carrying `token` (default: the sandbox's own), to rehearse a rejection."""
        return self.sandbox.auth_headers(token)

    @property
    def ids(self) -> dict[str, list[Any]]:
        """Real ids the sandbox serves, by kind: `sandbox.ids["photo"][0]` (every API; the visitor API, which has
        no listing, gives `visitor` and `visitor_without_image`)."""
        return self.sandbox.ids

    def url(self, path: str = "") -> str:
        """`base_url` joined with an API path: `sandbox.url("/v2/photos.json")`."""
        return self.base_url + ("/" + path.lstrip("/") if path else "")


def drift_profiles(api: str | None = None) -> dict[str, str]:
    """Drift profile names (of `api`, when given) with what each one changes."""
    from photo_contracts.sandbox.drift import catalog

    name = _api_name(api) if api is not None else None
    return {p.name: p.description for p in catalog().values() if name is None or p.api == name}


def _api_name(api: object) -> str:
    if not isinstance(api, str):
        raise SandboxError(f"the API must be a name (a string), not {type(api).__name__}; "
                           f"valid names: {', '.join(APIS)}")
    try:
        return get_api(api).name
    except ToolError as error:
        raise SandboxError(str(error)) from None  # the registry's message names the nearest API already


def _with_suggestion(message: str, wrong: str, names: Any) -> str:
    suggestion = did_you_mean(wrong, names)
    if not suggestion:
        return message
    head, sep, tail = message.partition("; ")
    return f"{head}; {suggestion.rstrip()}{sep and ' '}{tail}"


def _check_drift(api: str, drift: object) -> str | None:
    if drift is None:
        return None
    from photo_contracts.sandbox.drift import catalog, get_profile

    if not isinstance(drift, str) or not drift:
        raise SandboxError(f"drift must be a profile name or None, not {drift!r}; "
                           f"list them with `photo-contracts sandbox --list-drifts --api {api}`")
    profile = catalog().get(drift)
    if profile is not None and profile.api != api:
        raise SandboxError(f"drift profile {drift!r} is for API {profile.api!r}, not {api!r}; "
                           f"start photo_sandbox({profile.api!r}, drift={drift!r})")
    try:
        return get_profile(drift, api).name
    except ToolError as error:
        names = [n for n, p in catalog().items() if p.api == api]
        raise SandboxError(_with_suggestion(str(error), drift, names)) from None


def _check_arguments(api: object, drift: object, seed: object, token: object) -> tuple[str, str | None]:
    name = _api_name(api)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise SandboxError(f"seed must be an integer, not {seed!r}")
    if token is not None and (not isinstance(token, str) or not token or any(c.isspace() for c in token)):
        raise SandboxError("token must be a non-empty string without whitespace, or None for a random one")
    return name, _check_drift(name, drift)


@contextmanager
def photo_sandbox(api: str, drift: str | None = None, *, seed: int = 0,
                  token: str | None = None) -> Iterator[PhotoSandbox]:
    """Serve the emulator of `api` (faithful, or changed by the drift profile `drift`) and its
    object store on loopback for the duration of the block; stop both afterwards.

    `seed` picks the dataset (the same seed, the same photos); `token` is the credential the
    emulator accepts (random when None). Raises `SandboxError` for an unknown API or profile.
    """
    name, profile = _check_arguments(api, drift, seed, token)
    from photo_contracts.sandbox import running

    with running(name, drift=profile, seed=seed, token=token) as sandbox:
        yield PhotoSandbox(name, sandbox.base_url, sandbox.token, sandbox.store, profile, seed, sandbox)


class SandboxFactory:
    """What the `photo_sandbox` fixture gives a test: call it to start a sandbox; `close()` stops
    every sandbox it started (the fixture does so when the test ends)."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self.started: list[PhotoSandbox] = []

    def __call__(self, api: str, drift: str | None = None, *, seed: int = 0,
                 token: str | None = None) -> PhotoSandbox:
        sandbox = self._stack.enter_context(photo_sandbox(api, drift, seed=seed, token=token))
        self.started.append(sandbox)
        return sandbox

    def close(self) -> None:
        self.started.clear()
        self._stack.close()


@pytest.fixture(name="photo_sandbox")
def _photo_sandbox_fixture() -> Iterator[SandboxFactory]:
    """A factory of sandboxes: `photo_sandbox("fulcrum", drift="fulcrum-thumbnail-truncated")`
    returns a running `PhotoSandbox`; all of them stop when the test ends."""
    factory = SandboxFactory()
    try:
        yield factory
    finally:
        factory.close()
