"""Semantic invariants, as hypothesis properties: each API's own implementation of each declared invariant."""

from __future__ import annotations

import pytest

from photo_contracts.checks import registry
from photo_contracts.checks.registry import NotApplicable
from photo_contracts.engine import StopApi
from photo_contracts.plugin import fail_with


@pytest.mark.parametrize("invariant", registry.in_group("invariant"))  # declared cheapest first: a live run is budgeted
def test_invariant(pc_suite, pc_api, invariant, pc_findings):
    run = pc_suite.run
    target = run.targets[pc_api]
    property_ = target.api.invariants.get(invariant)
    if property_ is None:
        pytest.skip(f"{invariant} does not apply to {pc_api}")
    try:
        pc_findings.extend(run.apply(property_, run.context(target, property_.where(target.facts))))
    except (StopApi, NotApplicable) as stop:
        pytest.skip(str(stop))
    fail_with(pc_findings)
