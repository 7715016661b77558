"""Conditional promises: request options, deleted media and default page sizes, as each vendor documents."""

from __future__ import annotations

import pytest

from photo_contracts.checks import registry
from photo_contracts.checks.registry import NotApplicable
from photo_contracts.engine import StopApi
from photo_contracts.plugin import fail_with


@pytest.mark.parametrize("check", registry.in_group("promise"))
def test_promise(pc_suite, pc_api, check, pc_findings):
    run = pc_suite.run
    target = run.targets[pc_api]
    promise = registry.CHECKS[check]
    try:
        pc_findings.extend(run.apply(promise, run.context(target, promise.where(target.facts))))
    except (StopApi, NotApplicable) as stop:
        pytest.skip(str(stop))
    fail_with(pc_findings)
