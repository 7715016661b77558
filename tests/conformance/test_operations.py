"""Contract-driven checks: schemathesis generates cases from each contract with hypothesis;
every response goes through the schemathesis built-ins and the photo checks."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, Phase, Verbosity, example, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.generation.feedback import NO_FEEDBACK

from photo_contracts.contracts import load_contract, parameters_of
from photo_contracts.engine import StopApi
from photo_contracts.operations import operations
from photo_contracts.plugin import fail_with

MAX_EXPLICIT = 12  # real ids tried once each, before generation


def needs_more_than_path(spec: dict) -> bool:
    """True when a valid request needs more than its path parameters (a required query or body)."""
    required = any(p.get("required") and p.get("in") != "path" for p in spec.get("parameters", []))
    return required or bool(spec.get("requestBody", {}).get("required"))


def _other_inputs(api: str, operation) -> bool:
    """Whether an operation takes anything besides its path parameters (a query, a header, a body)."""
    return any(p.get("in") != "path" for p in parameters_of(api, operation)) or "requestBody" in operation.spec


def test_operation(pc_suite, pc_api, pc_operation, pc_mode, pc_findings):
    run = pc_suite.run
    target = run.targets[pc_api]
    documented = next(op for op in operations(load_contract(pc_api)) if op.name == pc_operation)
    if target.live and not run.config.allow_writes:
        if documented.is_write:
            pytest.skip("write operation: live runs are read-only unless --allow-writes")
        if documented.spec.get("security") == []:
            # A login endpoint: generated credentials against a real account could lock it out.
            pytest.skip("login operation: live runs do not log in with generated credentials unless --allow-writes")
    method, path = pc_operation.split(" ", 1)
    operation = pc_suite.schema(pc_api)[path][method]
    mode = GenerationMode.POSITIVE if pc_mode == "positive" else GenerationMode.NEGATIVE
    # NO_FEEDBACK: no constants mined from whatever Python modules this process happened to load, so a
    # seed generates the same cases whatever ran before it (and a live run asks the same as a sandbox run).
    strategies = [operation.as_strategy(generation_mode=mode, feedback=NO_FEEDBACK)]
    known = {p: target.ids_for(pc_operation, p) for p in documented.path_params if target.ids_for(pc_operation, p)}
    if known:  # real ids reach past 404s to the payloads worth checking
        fixed = st.fixed_dictionaries({p: st.sampled_from(v) for p, v in known.items()})
        strategies.append(fixed.flatmap(lambda values: operation.as_strategy(
            generation_mode=mode, path_parameters=values, feedback=NO_FEEDBACK)))

    def exercise(case):
        pc_findings.extend(run.exercise(target, pc_operation, case, mode=pc_mode))

    exercise = given(case=st.one_of(strategies))(exercise)
    phases = [Phase.explicit, Phase.generate]
    only_ids = len(known) == len(documented.path_params) and not needs_more_than_path(documented.spec)
    if pc_mode == "positive" and only_ids:
        # Every real id once, explicitly: a rare record (a visitor without an image) is never left to chance.
        # (a live run, polite by default, tries as many real ids as it generates examples)
        explicit = MAX_EXPLICIT if not target.live else min(MAX_EXPLICIT, run.config.examples_per_operation)
        for values in itertools.islice(itertools.product(*known.values()), explicit):
            exercise = example(case=operation.Case(path_parameters=dict(zip(known, values, strict=True))))(exercise)
        if target.live and not _other_inputs(pc_api, documented):
            # Nothing else to vary: generated cases would only ask the same ids again, or unknown ones (404s
            # the error checks already judge). A live run spends those requests elsewhere.
            phases = [Phase.explicit]
    exercise = settings(max_examples=run.config.examples_per_operation, deadline=None, database=None,
                        phases=phases, suppress_health_check=list(HealthCheck),
                        verbosity=Verbosity.quiet)(exercise)
    exercise = seed(run.config.seed)(exercise)
    try:
        exercise()
    except StopApi as stop:
        pytest.skip(f"{pc_api}: {stop}")
    except Unsatisfiable:
        pytest.skip(f"no {pc_mode} cases can be generated for this operation")
    fail_with(pc_findings)
