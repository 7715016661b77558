"""Fixtures of the audit tests: crafted contract versions in tmp trees."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from audit_helpers import FIXTURES, Mutation, Version


@pytest.fixture
def crafted(tmp_path: Path) -> Callable[[Mutation], Path]:
    """Write the fixture contract with `mutation` applied; returns the new contract's path."""

    def write(mutation: Mutation) -> Path:
        version = Version()
        mutation(version)
        return version.write(tmp_path / "new")

    return write


@pytest.fixture
def fixture_tree(tmp_path: Path) -> Path:
    """A copy of the fixture tree (contracts/ + schemas/) to use as a git work tree."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "contracts", root / "contracts")
    shutil.copytree(FIXTURES / "schemas", root / "schemas")
    return root

