"""The photo APIs the tool knows: one `Api` object each, registered as a plugin.

An API is registered under the entry-point group `photo_contracts.apis` (the four built-in ones
in this package's own metadata, a fifth in any installed distribution's):

    [project.entry-points."photo_contracts.apis"]
    myapi = "my_package.api:API"

`Api` gathers everything the tool knows about one API: its contract, how it authenticates, the
vendor's facts and invariants (checks), its emulator and drift profiles (sandbox). This module
sits below all of them, so it holds them without importing them, and checks a plugin's `Api` by
the attributes the tool reads.

The names come from the entry points alone; a plugin is imported (and checked) when its API is
used, so a broken plugin stops only the commands that use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from photo_contracts.errors import ToolError, did_you_mean

GROUP = "photo_contracts.apis"

# What the tool reads of `Api.facts` (every field of checks.facts.ApiFacts, and the methods it calls).
FACTS_ATTRIBUTES = (
    "records", "endpoints", "thumbnail_formats", "thumbnail_source", "ids", "unknown_ids", "not_found",
    "missing_credentials", "wrong_credentials", "error_code", "probe_operations", "listings", "options", "deleted",
    "excluded_builtins", "serves_images", "code_of", "succeeded", "rejects_credential",
)
# What the tool reads of each drift profile (sandbox.drift.DriftProfile).
PROFILE_ATTRIBUTES = ("name", "api", "description", "check", "operations", "change", "store_globs")


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
def _entry_points() -> dict[str, tuple[metadata.EntryPoint, ...]]:
    """The registered entry points by API name, in name order (the order of runs and reports), none loaded.
    A name with several is registered by several distributions (the same one seen twice on the path is one)."""
    found: dict[str, tuple[metadata.EntryPoint, ...]] = {}
    for entry in sorted(metadata.entry_points(group=GROUP), key=lambda e: e.name):
        found[entry.name] = (*found.get(entry.name, ()), entry)
    if not found:
        raise ToolError(f"no API is registered (entry-point group {GROUP}); reinstall photo-contracts")
    return found


def _distribution(entry: metadata.EntryPoint) -> str:
    return f"{entry.dist.name} {entry.dist.version}" if entry.dist else "an unknown distribution"


@cache
def registered(name: str) -> Api:
    """The API called `name` as its plugin registers it (whatever contract the user chose for this run),
    loaded and checked on first use; a ToolError for an unknown name or a broken, malformed or ambiguous plugin."""
    entries = _entry_points().get(name)
    if entries is None:
        raise ToolError(f"unknown API {name!r}; {did_you_mean(name, _entry_points())}"
                        f"valid names: {', '.join(_entry_points())}")
    if len(entries) > 1:  # a plugin must not silently stand in for another API (or a built-in one)
        raise ToolError(f"the API {name!r} is registered by several distributions: "
                        + "; ".join(f"{_distribution(e)} ({e.value})" for e in entries) + "; uninstall all but one")
    entry = entries[0]
    plugin = f"the API plugin {name} = {entry.value!r}"
    try:
        api = entry.load()
    except Exception as exc:  # a broken plugin is the user's input: one line, no traceback
        raise ToolError(f"{plugin} cannot be loaded: {type(exc).__name__}: {exc}") from None
    if not isinstance(api, Api) or api.name != name:
        raise ToolError(f"{plugin} is not a photo_contracts.apis.Api named {name!r}")
    problems = _problems(api)
    if problems:
        raise ToolError(f"{plugin} is malformed: {'; '.join(problems)}")
    return api


def _problems(api: Api) -> list[str]:
    """What is wrong with `api`, judged by the attributes the tool reads (a plugin need not use our classes)."""
    problems = [f"{key} is not a string (got {type(value).__name__})"
                for key, value in (("title", api.title), ("auth_header", api.auth_header),
                                   ("auth_prefix", api.auth_prefix)) if not isinstance(value, str)]
    if not isinstance(api.contract, Path) or not api.contract.is_file():
        problems.append(f"contract is not a pathlib.Path of an existing file (got {api.contract!r})")
    missing = [a for a in FACTS_ATTRIBUTES if not hasattr(api.facts, a)]
    if missing:
        lacks = f"got {type(api.facts).__name__}" if len(missing) == len(FACTS_ATTRIBUTES) else \
            f"it has no {', '.join(missing)}"
        problems.append(f"facts is not a checks.facts.ApiFacts ({lacks})")
    if not isinstance(getattr(api.emulator, "BASE_PATH", None), str):
        problems.append("emulator has no BASE_PATH string")
    if not callable(getattr(api.emulator, "create_app", None)):
        problems.append("emulator has no callable create_app")
    sample_ids = getattr(api.emulator, "sample_ids", None)  # optional
    if sample_ids is not None and not callable(sample_ids):
        problems.append("emulator.sample_ids is not callable")
    if not isinstance(api.invariants, Mapping) or not all(
            isinstance(key, str) and callable(check) for key, check in api.invariants.items()):
        problems.append("invariants is not a mapping of names to checks (functions)")
    if not isinstance(api.profiles, tuple):
        problems.append(f"profiles is not a tuple (got {type(api.profiles).__name__})")
    else:
        problems.extend(_profile_problems(api))
    return problems


def _profile_problems(api: Api) -> list[str]:
    profiles = [p for p in api.profiles if all(hasattr(p, a) for a in PROFILE_ATTRIBUTES)]
    others = [p for p in profiles if p.api != api.name]
    problems = []
    if len(profiles) < len(api.profiles):
        problems.append(f"{len(api.profiles) - len(profiles)} of its profiles are not sandbox.drift.DriftProfiles "
                        f"(with {', '.join(PROFILE_ATTRIBUTES)})")
    if others:
        problems.append(f"its profiles {', '.join(repr(p.name) for p in others)} change the API "
                        f"{' or '.join(sorted({repr(p.api) for p in others}))}, not {api.name!r}")
    return problems


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
    api = registered(name)
    return replace(api, contract=_chosen[name]) if name in _chosen else api


class _Apis(Mapping[str, Api]):
    """`APIS[name]`, `APIS.values()`: the registered APIs (with this run's contracts), each loaded on first use.
    `for name in APIS`, `name in APIS`, `len(APIS)` read the names only: they load no plugin."""

    def __getitem__(self, name: str) -> Api:
        if name not in self:
            raise KeyError(name)
        return get_api(name)

    def __contains__(self, name: object) -> bool:
        return name in _entry_points()

    def __iter__(self) -> Iterator[str]:
        return iter(_entry_points())

    def __len__(self) -> int:
        return len(_entry_points())


APIS: Mapping[str, Api] = _Apis()

