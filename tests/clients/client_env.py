"""A side environment for a published client that needs another Python (3.12+), built once and reused.

A client that installs on this project's Python runs in the test's own process (and is in the `test`
extra). One that needs Python 3.12+ (autodesk-platform-sdk, acc-sdk) runs in a virtualenv of its own,
built from the package registry with pinned versions under `~/.cache/photo-contracts/clients/`
(`PC_CLIENTS_HOME` moves it), by the first Python 3.12+ found: `PC_CLIENTS_PYTHON`, then
`python3.13`/`python3.12` on PATH, then pyenv's versions. Its test drives the client in a subprocess
against a sandbox served by the test. With no such Python, or no registry, the test is skipped with the
reason (pytest -ra prints it); `PC_REQUIRE_CLIENTS=1` (set by .ci/run) turns that skip into a failure.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# Pinned: the versions whose code sources/ quotes (autodesk-platform-sdk.md, acc-sdk.md).
SIDE_CLIENTS = ("autodesk-platform-sdk==0.3.0", "acc-sdk==0.5.14")
MINIMUM = (3, 12)


def unavailable(reason: str) -> None:
    """Skip with `reason`, or fail where CI requires the real-client tests to run."""
    if os.environ.get("PC_REQUIRE_CLIENTS") == "1":
        pytest.fail(f"PC_REQUIRE_CLIENTS=1 but {reason}")
    pytest.skip(reason)


def _version(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True,
                             text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    numbers = out.stdout.split()
    return (int(numbers[0]), int(numbers[1])) if out.returncode == 0 and len(numbers) == 2 else None


def side_python() -> str | None:
    """The first Python 3.12+ to be found, or None."""
    candidates = [os.environ.get("PC_CLIENTS_PYTHON", "")]
    candidates += [shutil.which(name) or "" for name in ("python3.13", "python3.12")]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        def key(path: Path) -> tuple[int, ...]:
            return tuple(int(n) for n in re.findall(r"\d+", path.name)[:3])
        candidates += [str(v / "bin" / "python3") for v in sorted(pyenv.iterdir(), key=key, reverse=True)]
    if sys.version_info[:2] >= MINIMUM:
        candidates.append(sys.executable)
    for candidate in candidates:
        version = _version(candidate) if candidate else None
        if version is not None and version >= MINIMUM:
            return candidate
    return None


def side_environment(requirements: tuple[str, ...] = SIDE_CLIENTS) -> Path:
    """The python of a virtualenv holding `requirements` (built on first use; a lock serialises xdist workers)."""
    python = side_python()
    if python is None:
        unavailable(f"{', '.join(requirements)} need Python {'.'.join(map(str, MINIMUM))}+ and none was found "
                    "(set PC_CLIENTS_PYTHON to one)")
    version = _version(python)
    digest = hashlib.sha256(json.dumps([python, version, requirements]).encode()).hexdigest()[:12]
    home = Path(os.environ.get("PC_CLIENTS_HOME", Path.home() / ".cache" / "photo-contracts" / "clients"))
    root = home / f"py{version[0]}.{version[1]}-{digest}"  # type: ignore[index]
    home.mkdir(parents=True, exist_ok=True)
    with open(home / f"{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = root / "ready"
        if not ready.exists():
            shutil.rmtree(root, ignore_errors=True)
            steps = ([python, "-m", "venv", str(root)],
                     [str(root / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                      *requirements])
            for step in steps:
                try:
                    done = subprocess.run(step, capture_output=True, text=True, timeout=900, check=False)
                except subprocess.TimeoutExpired:
                    unavailable(f"building the side environment timed out: {' '.join(step[-len(requirements):])}")
                if done.returncode != 0:
                    tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
                    unavailable(f"could not build the side environment for {', '.join(requirements)}: {tail}")
            ready.write_text(" ".join(requirements))
    return root / "bin" / "python"


def drive(python: Path, script: str, *arguments: str) -> dict[str, dict[str, object]]:
    """Run tests/clients/`script` under `python`; its one JSON object: step -> outcome."""
    done = subprocess.run([str(python), str(HERE / script), *arguments], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)
