"""Semantic invariants, as hypothesis properties, from each vendor's checks module."""

from __future__ import annotations

import importlib

import pytest

from photo_contracts.checks import registry
from photo_contracts.checks.registry import NotApplicable
from photo_contracts.engine import StopApi
from photo_contracts.plugin import fail_with

# Cheapest first (a live run is budgeted): a filter or an ordering takes a few requests, a pagination walk
# many, and comparing list items with their details one request per item.
INVARIANTS = ("filters_are_honoured", "timestamps_are_ordered", "pagination_is_consistent", "list_matches_detail")


@pytest.mark.parametrize("invariant", INVARIANTS)
def test_invariant(pc_suite, pc_api, invariant, pc_findings):
    run = pc_suite.run
    target = run.targets[pc_api]
    vendor = importlib.import_module(f"photo_contracts.checks.vendors.{pc_api}")
    property_ = getattr(vendor, "INVARIANTS", {}).get(invariant)
    if property_ is None:
        pytest.skip(f"{invariant} does not apply to {pc_api}")
    operation = property_.operation
    try:
        pc_findings.extend(run.apply(invariant, target, operation, property_, target, run.config))
    except (StopApi, NotApplicable) as stop:
        pytest.skip(str(stop))
    assert invariant in registry.CHECKS
    fail_with(pc_findings)
