"""Three real runs of the Fulcrum suite, made once per session: clean, drifted and inconclusive."""

from __future__ import annotations

from typing import Any

import pytest
from reporting_helpers import live_rejected_run, sandbox_run


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return sandbox_run(tmp_path_factory.mktemp("clean"))


@pytest.fixture(scope="session")
def drifted_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return sandbox_run(tmp_path_factory.mktemp("drifted"), "fulcrum-jpg-is-png")


@pytest.fixture(scope="session")
def inconclusive_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return live_rejected_run(tmp_path_factory.mktemp("inconclusive"))
