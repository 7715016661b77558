"""Safe negative probes: each read-only operation gets a few requests the contract forbids."""

from __future__ import annotations

import pytest

from photo_contracts.checks.probes import probes
from photo_contracts.checks.registry import NotApplicable
from photo_contracts.contracts import load_contract
from photo_contracts.engine import StopApi
from photo_contracts.operations import operations
from photo_contracts.plugin import fail_with


def test_negative_probes(pc_suite, pc_api, pc_findings):
    run = pc_suite.run
    target = run.targets[pc_api]
    if not run.config.probes:
        pytest.skip("negative probes are off ([live] negative = false)")
    if "negative_data_rejection" in target.facts.excluded_builtins:
        pytest.skip(f"{pc_api} answers errors with HTTP 200: the error checks judge rejections there")
    sent, reasons, asked = 0, set(), set()
    try:
        for operation in operations(load_contract(pc_api)):
            for probe in probes(pc_api, operation):
                if target.live and (probe.what, probe.source) in asked:
                    continue  # one request per documented bound: operations sharing a parameter share it
                asked.add((probe.what, probe.source))
                try:
                    pc_findings.extend(run.probe(target, probe))
                    sent += 1
                except NotApplicable as why:
                    reasons.add(str(why))
    except StopApi as stop:
        pytest.skip(str(stop))
    if not sent:
        pytest.skip("; ".join(sorted(reasons)) or "the contract documents no bound to probe")
    fail_with(pc_findings)
