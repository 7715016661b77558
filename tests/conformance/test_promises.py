"""Conditional promises: request options, deleted media and default page sizes, as each vendor documents."""

from __future__ import annotations

import pytest

from photo_contracts.checks import promises
from photo_contracts.checks.registry import NotApplicable
from photo_contracts.engine import StopApi
from photo_contracts.plugin import fail_with

CHECKS = (promises.options_are_honoured, promises.deleted_media_is_gone, promises.defaults_are_honoured)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_promise(pc_suite, pc_api, check, pc_findings):
    run = pc_suite.run
    target = run.targets[pc_api]
    operation = (target.facts.options[0].operation if check is promises.options_are_honoured and target.facts.options
                 else target.facts.deleted.operation if check is promises.deleted_media_is_gone and target.facts.deleted
                 else target.facts.listings[0].operation if target.facts.listings else "-")
    args = (target, lambda url: run.fetch_unauthenticated(target, operation, url)) \
        if check is promises.options_are_honoured else (target,)
    try:
        pc_findings.extend(run.apply(check.__name__, target, operation, check, *args))
    except (StopApi, NotApplicable) as stop:
        pytest.skip(str(stop))
    fail_with(pc_findings)
