"""The wheel works anywhere: built from the checkout, installed into a fresh virtualenv, run from elsewhere.

Offline on purpose: the wheel is built with this environment's setuptools (`--no-isolation`, so the
`test` extra carries build, setuptools and wheel), and the new virtualenv sees the wheel's declared
runtime dependencies, and nothing of the checkout, through a `.pth` file of links into this
environment, so pip installs the wheel with `--no-index`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from importlib import metadata
from pathlib import Path, PurePosixPath

import pytest
import requests
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "photo_contracts"
SANDBOX_LINE = re.compile(r"cloudcard sandbox: (?P<base_url>http://127\.0\.0\.1:\d+\S*) token=(?P<token>\S+)$")


def check(command: list[str | Path], *, cwd: Path | None = None, timeout: float = 120) -> str:
    """Run `command`, fail with its output unless it exits 0; its stdout."""
    done = subprocess.run(command, cwd=cwd, env=outside_environment(), capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{command} exited {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def outside_environment() -> dict[str, str]:
    """This environment less what would lead Python or pytest back to the checkout or this test session."""
    return {key: value for key, value in os.environ.items()
            if key not in ("PYTHONPATH", "VIRTUAL_ENV") and not key.startswith("PYTEST_")}


def packaged_directories() -> dict[str, Path]:
    """Each directory the wheel ships, by its place in the wheel ([tool.setuptools.package-dir])."""
    package_dir = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    return {(package.replace(".", "/") or PACKAGE): ROOT / directory / ("" if package else PACKAGE)
            for package, directory in package_dir.items()}


def repository_files(directory: Path) -> list[str]:
    """Files under `directory` that are in the repository or about to be (git's view, so no caches)."""
    listing = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "."],
                             cwd=directory, capture_output=True, text=True, check=True).stdout
    return sorted(name for name in listing.split("\0") if name and (directory / name).is_file())


def runtime_distributions(requires: list[str]) -> list[metadata.Distribution]:
    """The installed distributions that `requires` needs at run time, theirs included (with extras)."""
    found: dict[str, metadata.Distribution] = {}
    pending = [(Requirement(text), frozenset({""})) for text in requires]
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        requirement, extras = pending.pop()
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras) | {""})
        if key in seen or (requirement.marker and not any(requirement.marker.evaluate({"extra": e}) for e in extras)):
            continue
        seen.add(key)
        dist = found.setdefault(key[0], metadata.distribution(requirement.name))
        pending.extend((Requirement(text), key[1]) for text in dist.requires or [])
    return list(found.values())


def link_distributions(distributions: list[metadata.Distribution], into: Path) -> None:
    """Symlink each distribution's top-level files (modules, packages, dist-info) into `into`."""
    into.mkdir()
    for dist in distributions:
        assert dist.files is not None, f"{dist.metadata['Name']} has no RECORD: cannot tell its files"
        for top in {PurePosixPath(file).parts[0] for file in dist.files}:
            link = into / top
            if top not in ("..", "__pycache__") and not top.endswith(".pth") and not link.exists():
                link.symlink_to(str(dist.locate_file(top)))


@dataclass(frozen=True)
class Installed:
    """The wheel installed in a fresh virtualenv, and a working directory outside the checkout."""

    venv: Path
    package: Path  # the installed photo_contracts directory
    work: Path

    def cli(self, *args: str | Path, expect: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([self.venv / "bin" / "photo-contracts", *map(str, args)], cwd=self.work,
                              env=outside_environment(), capture_output=True, text=True, timeout=120)
        assert done.returncode == expect, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done

    def contract_copy(self, api: str, into: Path) -> Path:
        """The installed contract of `api` with its schemas, laid out as in the package ($refs are relative)."""
        shutil.copytree(self.package / "schemas" / api, into / "schemas" / api)
        (into / "openapi").mkdir()
        return Path(shutil.copy(self.package / "openapi" / f"{api}.yaml", into / "openapi"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("build", reason="`python -m build` is not installed: the `test` extra needs build")
    # From a copy of what a commit would hold: setuptools writes build/ and *.egg-info/ beside the sources,
    # and two workers building in one checkout at once break each other (and leave stale files behind).
    source = tmp_path_factory.mktemp("source")
    for name in repository_files(ROOT):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    check([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, source])
    (built,) = dist.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    home = tmp_path_factory.mktemp("elsewhere")
    venv = home / "venv"
    check([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    site = Path(check([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).strip())
    with zipfile.ZipFile(wheel) as archive:
        (metadata_name,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        requires = Parser().parsestr(archive.read(metadata_name).decode()).get_all("Requires-Dist") or []
    link_distributions(runtime_distributions(requires), home / "dependencies")
    (site / "dependencies.pth").write_text(f"{home / 'dependencies'}\n")
    # No index: pip must find every declared dependency already there, and installs only the wheel.
    check([sys.executable, "-m", "pip", "--python", python, "install", "--no-index", "--no-cache-dir", wheel])
    located = check([python, "-c", f"import {PACKAGE}; print({PACKAGE}.__file__)"], cwd=home)
    work = home / "work"
    work.mkdir()
    return Installed(venv, Path(located.strip()).parent, work)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_wheel_ships_every_packaged_file(wheel: Path) -> None:
    shipped = set(zipfile.ZipFile(wheel).namelist())
    for place, directory in packaged_directories().items():
        missing = [name for name in repository_files(directory) if f"{place}/{name}" not in shipped]
        assert not missing, f"{directory.relative_to(ROOT)} files missing from the wheel's {place}/: {missing}"


def test_the_installed_wheel_is_what_runs(installed: Installed) -> None:
    assert installed.package.is_relative_to(installed.venv), installed.package
    assert not installed.package.is_relative_to(ROOT)
    out = installed.cli("--version").stdout
    assert out.startswith("photo-contracts ")


def test_run_judges_by_the_installed_contract(installed: Installed) -> None:
    installed.cli("run", "--api", "visitor", "--report-dir", "R")
    reports = installed.work / "R"
    for name in ("summary.json", "index.html", "junit.xml", "report.html"):
        assert (reports / name).is_file(), name
    summary = json.loads((reports / "summary.json").read_text())
    assert summary["conforms"] is True and summary["verdict"] == "conforms"
    contract = summary["apis"]["visitor"]["contract"]
    builtin = installed.package / "openapi" / "visitor.yaml"
    assert Path(contract["path"]).resolve() == builtin.resolve()
    assert contract["sha256"] == sha256(builtin) and contract["own"] is False
    assert str(ROOT) not in (reports / "summary.json").read_text()


def test_run_with_a_copied_contract(installed: Installed, tmp_path: Path) -> None:
    copy = installed.contract_copy("visitor", tmp_path)
    installed.cli("run", "--api", "visitor", "--contract", f"visitor={copy}", "--report-dir", "R-copy")
    summary = json.loads((installed.work / "R-copy" / "summary.json").read_text())
    assert summary["verdict"] == "conforms"
    contract = summary["apis"]["visitor"]["contract"]
    assert Path(contract["path"]).resolve() == copy.resolve()
    assert contract["sha256"] == sha256(copy) and contract["own"] is True


def test_sandbox_serves_until_terminated(installed: Installed) -> None:
    out = installed.work / "sandbox.out"
    with out.open("w") as stdout:
        process = subprocess.Popen([installed.venv / "bin" / "photo-contracts", "sandbox", "--api", "cloudcard"],
                                   cwd=installed.work, env=outside_environment(), stdout=stdout,
                                   stderr=subprocess.PIPE, text=True)
    try:
        match = SANDBOX_LINE.match(first_line(out, process))
        assert match, out.read_text()
        response = requests.get(f"{match['base_url']}/photo", headers={"X-Auth-Token": match["token"]}, timeout=10)
        assert response.status_code == 200 and response.json(), response.text[:500]
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0 and "Traceback" not in err, err


def first_line(path: Path, process: subprocess.Popen[str], timeout: float = 30) -> str:
    """The first line `process` writes to `path`; fail (never hang) if none comes in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if "\n" in (text := path.read_text()):
            return text.splitlines()[0]
        time.sleep(0.05)
    pytest.fail(f"the sandbox printed no line (exit {process.poll()}): {path.read_text()}")


def test_sandbox_lists_drifts(installed: Installed) -> None:
    lines = installed.cli("sandbox", "--list-drifts").stdout.splitlines()
    assert lines and any(line.startswith("visitor-") for line in lines)
    assert {line.split("-")[0] for line in lines} >= {"cloudcard", "visitor", "fulcrum", "autodesk"}


def test_drift_updates_a_baseline(installed: Installed) -> None:
    baseline = installed.work / "baseline.json"
    installed.cli("drift", "--api", "visitor", "--baseline", baseline, "--update-baseline", "--report-dir", "R-drift")
    assert json.loads(baseline.read_text())


def test_audit_copies_of_the_installed_contract(installed: Installed, tmp_path: Path) -> None:
    old, new = (installed.contract_copy("visitor", tmp_path / side) for side in ("old", "new"))
    installed.cli("audit", old, new)
    # A breaking edit in the copy's own schema: its $ref resolves beside the copy, not in the package.
    token = new.parent.parent / "schemas" / "visitor" / "token.json"
    schema = json.loads(token.read_text())
    schema["properties"]["data"]["properties"]["access_token"]["type"] = "integer"
    token.write_text(json.dumps(schema))
    changelog = installed.cli("audit", old, new, expect=1).stdout
    assert "response-type-changed" in changelog and "access_token" in changelog, changelog
