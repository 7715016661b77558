"""Every check is proven: each drift profile makes its named check report a finding on the
operation it changes, and the faithful sandboxes give no finding at all."""

from __future__ import annotations

import io

import pytest

from photo_contracts import config
from photo_contracts.apis import APIS
from photo_contracts.checks import KNOWN_CHECKS
from photo_contracts.checks.registry import CHECKS
from photo_contracts.runner import execute
from photo_contracts.sandbox.drift import catalog

PROFILES = [p for p in catalog().values() if not p.is_variant]
VARIANTS = [p for p in catalog().values() if p.is_variant]
EXAMPLES = 10


def test_every_check_is_named_by_a_drift_profile():
    """No check goes unproven: each one has a profile on which it must report a finding."""
    assert set(KNOWN_CHECKS) == set(CHECKS)
    assert set(KNOWN_CHECKS) - {p.check for p in PROFILES} == set()


def run_once(tmp_path, api, drift=None):
    cfg = config.load(overrides={"apis": [api], "sandbox_drift": drift, "report_dir": tmp_path,
                                 "examples": EXAMPLES}, environ={})
    out = io.StringIO()
    code, run = execute(cfg, out=out)
    return code, run, out.getvalue()


@pytest.mark.parametrize("api", APIS)
def test_faithful_sandbox_gives_no_finding(tmp_path, api):
    code, run, output = run_once(tmp_path, api)
    assert list(run.findings) == [], output
    assert code == 0
    assert run.stats[api].passed > 0 and run.stats[api].failed == 0


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_drift_profile_is_caught_by_its_check(tmp_path, profile):
    assert profile.check in CHECKS
    code, run, output = run_once(tmp_path, profile.api, profile.name)
    caught = [f for f in run.findings if f.check == profile.check]
    assert caught, f"{profile.name}: no {profile.check} finding; found {[(f.check, f.operation) for f in run.findings]}\n{output}"
    api_operations = {op for op in profile.operations if not op.startswith("STORE ")}
    if api_operations:  # object-store changes surface on whichever operation linked the image
        assert {f.operation for f in caught} & api_operations, [(f.operation, f.message) for f in caught]
    assert all(f.source for f in caught)
    if CHECKS[profile.check].source is not None and not CHECKS[profile.check].source.documented:
        # A check that rests on an assumption by design (no vendor states it) proves itself with a notice.
        assert code == 0 and all(f.severity == "notice" for f in caught), output
        return
    # A profile changes a documented behaviour: the finding names the vendor's words and gates.
    documented = [f for f in caught if f.source["kind"] == "documented" and f.severity != "notice"]
    assert documented, f"{profile.name}: caught only under assumptions: {[f.source for f in caught]}"
    assert code == 1


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda p: p.name)
def test_documented_but_different_variant_keeps_the_faithful_verdict(tmp_path, variant):
    """A server that answers as the vendor's documents allow, only not as our emulator does,
    gets no breaking finding and no warning: the suite judges by the vendor's words, not ours."""
    code, run, output = run_once(tmp_path, variant.api, variant.name)
    loud = [(f.check, f.operation, f.severity, f.message) for f in run.findings if f.severity in ("breaking", "warning")]
    assert loud == [], f"{variant.name}: {loud}\n{output}"
    assert code == 0, output
