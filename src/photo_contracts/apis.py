"""The photo APIs the tool knows: one `Api` object each, registered as a plugin.

An API is registered under the entry-point group `photo_contracts.apis` (the four built-in ones
in this package's own metadata, a fifth in any installed distribution's):

    [project.entry-points."photo_contracts.apis"]
    myapi = "my_package.api:API"

`Api` gathers everything the tool knows about one API: its contract, how it authenticates, the
vendor's facts and invariants (checks), its emulator and drift profiles (sandbox). This module
sits below all of them, so it holds them without importing them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from photo_contracts.errors import ToolError

GROUP = "photo_contracts.apis"


@dataclass(frozen=True)
class Api:
    name: str
    title: str
    contract: Path  # the OpenAPI file judged by (its `$ref`s resolve relative to it)
    auth_header: str  # header that carries the credential
    auth_prefix: str  # what precedes the token in that header ("" when none)
    # What the checks know of the vendor: a checks.facts.ApiFacts (ids, images, error shapes, options).
    facts: Any = field(compare=False, repr=False)
    # The emulator: an object (usually a module) with BASE_PATH and create_app(sandbox.SandboxContext),
    # optionally sample_ids(app).
    emulator: Any = field(compare=False, repr=False)
    # Semantic invariants by check name (functions decorated with checks.registry.invariant).
    invariants: Mapping[str, Callable[..., Any]] = field(default_factory=dict, compare=False, repr=False)
    # Drift profiles (sandbox.drift.DriftProfile), "documented but different" variants included.
    profiles: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    def auth_value(self, token: str) -> str:
        return f"{self.auth_prefix}{token}"


@cache
def registered() -> dict[str, Api]:
    """Every registered API, in name order (the order of runs and reports)."""
    found: dict[str, Api] = {}
    for entry in sorted(metadata.entry_points(group=GROUP), key=lambda e: e.name):
        if entry.name in found:
            continue  # the same distribution seen twice on the path (an editable install and a copy)
        try:
            api = entry.load()
        except Exception as exc:  # a broken plugin is the user's input: one line, no traceback
            raise ToolError(f"the API plugin {entry.name} = {entry.value!r} cannot be loaded: {exc}") from None
        if not isinstance(api, Api) or api.name != entry.name:
            raise ToolError(f"the API plugin {entry.name} = {entry.value!r} is not a photo_contracts.apis.Api "
                            f"named {entry.name!r}")
        found[api.name] = api
    if not found:
        raise ToolError(f"no API is registered (entry-point group {GROUP}); reinstall photo-contracts")
    return found


# Contracts chosen by the user (`contract = ...` in an API's table, `--contract API=PATH`) for this run.
_chosen: dict[str, Path] = {}


@contextmanager
def contracts_from(chosen: Mapping[str, str | Path]) -> Iterator[None]:
    """Judge each API named in `chosen` by that contract file while the block runs."""
    saved = dict(_chosen)
    _chosen.update({name: Path(path).resolve() for name, path in chosen.items()})
    try:
        yield
    finally:
        _chosen.clear()
        _chosen.update(saved)


def get_api(name: str) -> Api:
    """The API called `name` (with the contract chosen for this run), or a ToolError listing the valid names."""
    try:
        api = registered()[name]
    except KeyError:
        raise ToolError(f"unknown API {name!r}; valid names: {', '.join(registered())}") from None
    return replace(api, contract=_chosen[name]) if name in _chosen else api


class _Apis(Mapping[str, Api]):
    """`APIS[name]`, `for name in APIS`: the registered APIs, loaded on first use."""

    def __getitem__(self, name: str) -> Api:
        if name not in registered():
            raise KeyError(name)
        return get_api(name)

    def __iter__(self) -> Iterator[str]:
        return iter(registered())

    def __len__(self) -> int:
        return len(registered())


APIS: Mapping[str, Api] = _Apis()
