"""The API registry: the names come from the entry points alone, each plugin is loaded and checked when its API
is used, so a broken, malformed or shadowing plugin is one clear line for the commands that use it and nothing
for the others."""

from __future__ import annotations

import dataclasses
import importlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from photo_contracts import apis
from photo_contracts.apis import APIS, get_api
from photo_contracts.builtin_apis import VISITOR
from photo_contracts.checks.facts import ApiFacts
from photo_contracts.errors import ToolError
from photo_contracts.sandbox.drift import DriftProfile

PREFIX = "pc_registry_"  # the plugin modules these tests write (forgotten after each test)
BROKEN = f"{PREFIX}broken"
Install = Callable[..., None]


def install(site: Path, distribution: str, entries: dict[str, str], modules: dict[str, str]) -> None:
    """An installed distribution as pip would leave it: its modules, and its metadata registering `entries`."""
    for module, code in modules.items():
        (site / f"{module}.py").write_text(code, encoding="utf-8")
    info = site / f"{distribution.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 0.1\n", encoding="utf-8")
    lines = "".join(f"{name} = {value}\n" for name, value in entries.items())
    (info / "entry_points.txt").write_text(f"[photo_contracts.apis]\n{lines}", encoding="utf-8")


def forget_registry() -> None:
    apis._entry_points.cache_clear()
    apis.registered.cache_clear()
    for module in [name for name in sys.modules if name.startswith(PREFIX)]:
        del sys.modules[module]


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """`plugin(distribution, entries, modules)` installs a distribution into a site on this process's path;
    the registry reads the path again, and forgets it all after the test."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def installed(distribution: str, entries: dict[str, str], modules: dict[str, str] | None = None) -> None:
        install(site, distribution, entries, modules or {})
        importlib.invalidate_caches()  # importlib.metadata and the path finders cache directory listings
        forget_registry()

    yield installed
    forget_registry()


def shaped(plugin: Install, change: str) -> ToolError:
    """The ToolError of the plugin `shaped`: the built-in visitor API renamed, with `change` made."""
    module = f"{PREFIX}shaped"
    plugin("pc-shaped", {"shaped": f"{module}:API"}, {module: (
        "import types\nfrom dataclasses import replace\nfrom pathlib import Path\n"
        "from photo_contracts.builtin_apis import VISITOR\n"
        "profiles = ()\n"
        f"API = replace(VISITOR, name='shaped', profiles=profiles)\n{change}\n")})
    with pytest.raises(ToolError) as raised:
        get_api("shaped")
    message = str(raised.value)
    assert message.startswith(f"the API plugin shaped = '{module}:API' "), message
    with pytest.raises(ToolError, match="^the API plugin shaped"):
        APIS["shaped"]
    return raised.value


# A broken plugin stops only its own API


def test_a_broken_plugin_stops_only_its_own_api(plugin: Install) -> None:
    plugin("pc-broken", {"broken": f"{BROKEN}:API"}, {BROKEN: "import no_such_module_of_photo_contracts\n"})
    assert list(APIS) == ["autodesk", "broken", "cloudcard", "fulcrum", "visitor"]
    assert len(APIS) == 5 and "broken" in APIS and "nope" not in APIS
    assert BROKEN not in sys.modules  # listing names imports no plugin
    assert get_api("visitor") is VISITOR and APIS["visitor"] is VISITOR
    with pytest.raises(ToolError) as raised:
        get_api("broken")
    assert str(raised.value) == (f"the API plugin broken = '{BROKEN}:API' cannot be loaded: "
                                 "ModuleNotFoundError: No module named 'no_such_module_of_photo_contracts'")
    with pytest.raises(ToolError, match="cannot be loaded"):
        list(APIS.values())  # every API (a run of all of them) includes the broken one


def test_an_unknown_name_lists_the_registered_ones() -> None:
    with pytest.raises(ToolError, match="^unknown API 'nope'; valid names: autodesk, cloudcard, fulcrum, visitor$"):
        get_api("nope")
    with pytest.raises(KeyError):
        APIS["nope"]


def test_the_users_contract_is_not_the_registered_one(tmp_path: Path) -> None:
    own = tmp_path / "visitor.yaml"
    with apis.contracts_from({"visitor": own}):
        assert get_api("visitor").contract == own.resolve() == APIS["visitor"].contract
        assert apis.registered("visitor") is VISITOR
    assert get_api("visitor") is VISITOR


# A malformed plugin is one line naming what is wrong


def test_the_facts_attributes_checked_are_what_api_facts_has() -> None:
    fields = {f.name for f in dataclasses.fields(ApiFacts)}
    assert fields <= set(apis.FACTS_ATTRIBUTES) and all(hasattr(ApiFacts(), a) for a in apis.FACTS_ATTRIBUTES)
    profile_fields = {f.name for f in dataclasses.fields(DriftProfile)}
    assert profile_fields <= set(apis.PROFILE_ATTRIBUTES)
    assert all(a in profile_fields or hasattr(DriftProfile, a) for a in apis.PROFILE_ATTRIBUTES)


MALFORMED = {
    "API = object()": "is not a photo_contracts.apis.Api named 'shaped'",
    "API = VISITOR": "is not a photo_contracts.apis.Api named 'shaped'",
    "API = replace(API, facts=None)": "is malformed: facts is not a checks.facts.ApiFacts (got NoneType)",
    "API = replace(API, facts=types.SimpleNamespace(**{a: getattr(VISITOR.facts, a) for a in "
    "('records', 'endpoints', 'ids')}))": "(it has no thumbnail_formats, thumbnail_source, unknown_ids, not_found,",
    "API = replace(API, emulator=types.SimpleNamespace(create_app=lambda ctx: None))":
        "is malformed: emulator has no BASE_PATH string",
    "API = replace(API, emulator=types.SimpleNamespace(BASE_PATH='/v1'))": "emulator has no callable create_app",
    "API = replace(API, emulator=types.SimpleNamespace(BASE_PATH='/v1', create_app=print, sample_ids=3))":
        "emulator.sample_ids is not callable",
    "API = replace(API, contract=Path('/no/such/contract.yaml'))":
        "contract is not a pathlib.Path of an existing file (got PosixPath('/no/such/contract.yaml'))",
    "API = replace(API, contract=str(VISITOR.contract))": "contract is not a pathlib.Path of an existing file",
    "API = replace(API, invariants=None)": "invariants is not a mapping of names to checks",
    "API = replace(API, invariants={'pagination_is_consistent': None})": "invariants is not a mapping",
    "API = replace(API, profiles=list(VISITOR.profiles))": "profiles is not a tuple (got list)",
    "API = replace(API, profiles=(object(), *VISITOR.profiles[:1]))":
        "1 of its profiles are not sandbox.drift.DriftProfiles (with name, api,",
    "API = replace(API, profiles=VISITOR.profiles[:2])":
        f"its profiles {VISITOR.profiles[0].name!r}, {VISITOR.profiles[1].name!r} change the API 'visitor', not "
        "'shaped'",
    "API = replace(API, title=None)": "title is not a string (got NoneType)",
}


@pytest.mark.parametrize("change", MALFORMED)
def test_a_malformed_plugin_is_one_line_naming_the_problem(plugin: Install, change: str) -> None:
    message = str(shaped(plugin, change))
    assert MALFORMED[change] in message and "\n" not in message, message


def test_every_problem_is_named_at_once(plugin: Install) -> None:
    message = str(shaped(plugin, "API = replace(API, facts=None, emulator=None, invariants=None)"))
    assert message.count(";") == 3 and "facts" in message and "invariants" in message, message


def test_a_well_formed_plugin_loads(plugin: Install) -> None:
    plugin("pc-shaped", {"shaped": f"{PREFIX}fine:API"}, {f"{PREFIX}fine": (
        "from dataclasses import replace\nfrom photo_contracts.builtin_apis import VISITOR\n"
        "API = replace(VISITOR, name='shaped', profiles=())\n")})
    assert get_api("shaped").name == "shaped"


# A name registered twice


def test_a_name_registered_by_two_distributions_names_both(plugin: Install) -> None:
    shadow = f"{PREFIX}shadow"
    plugin("pc-shadow", {"cloudcard": f"{shadow}:API"}, {shadow: (
        "from photo_contracts.builtin_apis import CLOUDCARD as API\n")})
    assert list(APIS) == ["autodesk", "cloudcard", "fulcrum", "visitor"]
    with pytest.raises(ToolError) as raised:
        get_api("cloudcard")
    message = str(raised.value)
    assert message.startswith("the API 'cloudcard' is registered by several distributions: "), message
    assert "photo-contracts " in message and "(photo_contracts.builtin_apis:CLOUDCARD)" in message, message
    assert f"pc-shadow 0.1 ({shadow}:API)" in message, message
    assert shadow not in sys.modules  # neither is used
    assert get_api("visitor") is VISITOR


# Through the command line


def cli(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "photo_contracts.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False, env={**os.environ, "PYTHONPATH": str(site)})


@pytest.fixture
def broken_site(tmp_path: Path) -> Path:
    """A site with a plugin that cannot be imported, for commands in another process."""
    site = tmp_path / "site"
    site.mkdir()
    install(site, "pc-broken", {"broken": f"{BROKEN}:API"}, {BROKEN: "raise RuntimeError('half installed')\n"})
    return site


def test_commands_that_do_not_use_a_broken_plugin_still_work(broken_site: Path, tmp_path: Path) -> None:
    version = cli(broken_site, tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.startswith("photo-contracts "), version.stderr
    contract = str(VISITOR.contract)
    audit = cli(broken_site, tmp_path, "audit", contract, contract)
    assert audit.returncode == 0, audit.stdout + audit.stderr


@pytest.mark.slow
def test_a_run_of_another_api_still_works(broken_site: Path, tmp_path: Path) -> None:
    done = cli(broken_site, tmp_path, "run", "--api", "visitor", "--examples", "1", "--report-dir", "R")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "R" / "summary.json").is_file()


def test_a_run_of_the_broken_api_is_one_line(broken_site: Path, tmp_path: Path) -> None:
    done = cli(broken_site, tmp_path, "run", "--api", "broken", "--report-dir", "R")
    assert done.returncode == 2 and "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.stderr == (f"photo-contracts: error: the API plugin broken = '{BROKEN}:API' cannot be loaded: "
                           "RuntimeError: half installed\n")
