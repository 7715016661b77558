"""Error checks: unknown ids and missing or wrong credentials get the documented answer."""

from __future__ import annotations

import pytest

from photo_contracts.checks import registry
from photo_contracts.checks.registry import NotApplicable
from photo_contracts.engine import StopApi
from photo_contracts.plugin import fail_with


@pytest.mark.parametrize("check", registry.in_group("error"))
def test_error_answers(pc_suite, pc_api, check, pc_findings):
    run = pc_suite.run
    target = run.targets[pc_api]
    if not target.facts.probe_operations:
        pytest.skip(f"{pc_api} names no operations to probe")
    try:
        for operation in target.facts.probe_operations:
            pc_findings.extend(run.apply(registry.CHECKS[check], run.context(target, operation)))
    except (StopApi, NotApplicable) as stop:
        pytest.skip(str(stop))
    fail_with(pc_findings)
