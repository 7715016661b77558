"""Faithful emulators of the four photo APIs, served on loopback, with drift profiles.

    with running("cloudcard", drift="cloudcard-width-as-string") as sandbox:
        requests.get(sandbox.base_url + "/photo", headers=sandbox.auth_headers())
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from photo_contracts.apis import Api, get_api
from photo_contracts.contracts import load_contract
from photo_contracts.sandbox.drift import DriftMiddleware, DriftProfile, get_profile
from photo_contracts.sandbox.objectstore import ObjectStore
from photo_contracts.sandbox.server import ServerThread, bind

STORE_HOST = "127.0.0.2"  # another loopback address: the object store is "another host"


@dataclass
class SandboxContext:
    """What an emulator is built from: passed to each module's `create_app`."""

    api: Api
    token: str
    base_url: str  # scheme://host:port + the API's base path
    store: ObjectStore
    seed: int = 0
    size: int | None = None  # dataset size; None = the emulator's default
    signed_url_ttl: int = 60  # seconds a signed image URL stays valid
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sandbox:
    """A running emulator: where it listens, the credential it accepts, its object store."""

    api: Api
    base_url: str
    token: str
    store: ObjectStore
    app: Any  # the emulator's ASGI app (its `state` holds the dataset)
    profile: DriftProfile | None

    def auth_headers(self, token: str | None = None) -> dict[str, str]:
        return {self.api.auth_header: self.api.auth_value(self.token if token is None else token)}

    @property
    def ids(self) -> dict[str, list[Any]]:
        """Real ids the emulator serves now, by kind (`{"photo": [...], ...}`), as the API spells them: the
        emulator's `ids(app)`, else its `sample_ids(app)` (configuration keys, `_ids` dropped), else {}."""
        return ids_of(self.api.emulator, self.app)


def ids_of(emulator: Any, app: Any) -> dict[str, list[Any]]:
    """Real ids by kind from an emulator module (`ids(app)` or, failing that, `sample_ids(app)`)."""
    reader = getattr(emulator, "ids", None)
    if callable(reader):
        return {str(kind): list(values) for kind, values in reader(app).items()}
    sample = getattr(emulator, "sample_ids", None)
    found = sample(app) if callable(sample) else {}
    return {key.removesuffix("_ids").removesuffix("_id"): list(value) if isinstance(value, list | tuple) else [value]
            for key, value in found.items()}


# Wrappers put around every sandbox's app while a `wrapping()` block runs: learn.py records what a user's tests
# call and breaks one documented field at a time. Each gets (API name, app, drift profile or None).
_WRAPPERS: list[Callable[[str, Any, Any], Any]] = []


@contextmanager
def wrapping(wrapper: Callable[[str, Any, Any], Any]) -> Iterator[None]:
    """Wrap the app of every sandbox started inside the block with `wrapper`."""
    _WRAPPERS.append(wrapper)
    try:
        yield
    finally:
        _WRAPPERS.remove(wrapper)


@contextmanager
def running(
    api: str,
    *,
    drift: str | None = None,
    seed: int = 0,
    size: int | None = None,
    token: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    store_host: str = STORE_HOST,
    signed_url_ttl: int = 60,
) -> Iterator[Sandbox]:
    """Start the emulator of `api` (and its object store) on loopback; stop both afterwards."""
    spec = get_api(api)
    profile = get_profile(drift, spec.name) if drift else None
    module = spec.emulator
    token = token or f"sandbox-{secrets.token_hex(12)}"
    with ExitStack() as stack:
        api_sock = bind(host, port)
        stack.callback(api_sock.close)
        store_sock = bind(store_host, 0)
        stack.callback(store_sock.close)
        store = ObjectStore(auth_header=spec.auth_header)
        store.base_url = "http://{}:{}".format(*store_sock.getsockname()[:2])
        base_url = "http://{}:{}{}".format(*api_sock.getsockname()[:2], module.BASE_PATH)
        context = SandboxContext(spec, token, base_url, store, seed, size, signed_url_ttl)
        app = module.create_app(context)
        served_app, served_store = app, store.app
        if profile:
            credential = (spec.auth_header, spec.auth_value(token))
            templates = list(load_contract(spec.name)["paths"])
            served_app = DriftMiddleware(app, profile, "api", module.BASE_PATH, credential, templates)
            served_store = DriftMiddleware(store.app, profile, "store", "", credential)
        for wrap in list(_WRAPPERS):
            served_app = wrap(spec.name, served_app, profile)
        servers = [ServerThread(asgi, sock) for asgi, sock in ((served_store, store_sock), (served_app, api_sock))]
        for server in servers:
            server.start()
            stack.callback(server.stop)
        # Runs first (callbacks unwind in reverse): both servers wind down together, then are joined.
        stack.callback(lambda: [server.signal_stop() for server in servers])
        yield Sandbox(spec, base_url, token, store, app, profile)
