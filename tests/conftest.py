"""Fixtures shared by the project's own tests."""

from __future__ import annotations

import re

import pytest

from photo_contracts.sandbox.objectstore import ObjectStore


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
