"""Fixtures shared by the project's own tests."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from photo_contracts.contracts import CONTRACTS_DIR, SCHEMAS_DIR
from photo_contracts.sandbox.objectstore import ObjectStore


def copy_contracts(directory: Path) -> Path:
    """The built-in contracts and schemas copied side by side into `directory`, as the README tells users to
    copy them; the copied contracts/ directory."""
    shutil.copytree(CONTRACTS_DIR, directory / "contracts", ignore=shutil.ignore_patterns("__*"))
    shutil.copytree(SCHEMAS_DIR, directory / "schemas", ignore=shutil.ignore_patterns("__*"))
    return directory / "contracts"


@pytest.fixture(name="copy_contracts")
def copy_contracts_fixture() -> Callable[[Path], Path]:
    return copy_contracts


@pytest.fixture
def signatures(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every X-Amz-Signature value the object stores issue during the test."""
    issued: list[str] = []
    original = ObjectStore.signed_url

    def recording(self: ObjectStore, *args: object, **kwargs: object) -> str:
        url = original(self, *args, **kwargs)  # type: ignore[arg-type]
        issued.extend(re.findall(r"X-Amz-Signature=([0-9a-f]+)", url))
        return url

    monkeypatch.setattr(ObjectStore, "signed_url", recording)
    return issued
