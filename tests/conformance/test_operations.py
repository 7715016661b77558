"""Contract-driven checks: schemathesis generates cases from each contract with hypothesis;
every response goes through the schemathesis built-ins and the photo checks."""

from __future__ import annotations

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
    sent: dict[str, set[str]] = {p: set() for p in known}
    stops: list[str] = []  # why the API gets no more requests, if it came to that

    def exercise(case):
        before = target.session.requests_sent
        try:
            pc_findings.extend(run.exercise(target, pc_operation, case, mode=pc_mode))
        except StopApi as stop:
            stops.append(str(stop))
            if target.session.requests_sent > before:  # the case went out; a check's own request was refused
                _note_sent(sent, case)
            raise
        _note_sent(sent, case)

    exercise = given(case=st.one_of(strategies))(exercise)
    phases = [Phase.explicit, Phase.generate]
    only_ids = len(known) == len(documented.path_params) and not needs_more_than_path(documented.spec)
    meant = {p: [v for v in values if target.is_configured(p, v)] for p, values in known.items()}
    if pc_mode == "positive" and only_ids:
        # Every configured id, explicitly: a rare record (a visitor without an image) is never left to chance,
        # and no id the user named is left out while the budget lasts. Ids the run found itself fill the
        # rest, up to target.found_cap (a live run: as many as it generates examples), at least one.
        explicit = target.explicit_ids(pc_operation, documented.path_params)
        meant = {p: list(dict.fromkeys(values[p] for values in explicit)) for p in known}
        for values in reversed(explicit):  # hypothesis runs the last example added first
            exercise = example(case=operation.Case(path_parameters=values))(exercise)
        if target.live and not _other_inputs(pc_api, documented):
            # Nothing else to vary: generated cases would only ask the same ids again, or unknown ones (404s
            # the error checks already judge). A live run spends those requests elsewhere.
            phases = [Phase.explicit]
    exercise = settings(max_examples=run.config.examples_per_operation, deadline=None, database=None,
                        phases=phases, suppress_health_check=list(HealthCheck),
                        verbosity=Verbosity.quiet)(exercise)
    exercise = seed(run.config.seed)(exercise)
    why = (f"the test of {pc_operation} stopped before it sent them" if pc_mode == "positive" and only_ids
           else f"{pc_operation} needs more than its path parameters, and no generated case used it")
    try:
        exercise()
    except StopApi as stop:
        pytest.skip(f"{pc_api}: {stop}")
    except BaseExceptionGroup as group:  # explicit examples stopped at different places: one stop all the same
        if group.subgroup(KeyboardInterrupt) is not None:  # Ctrl-C or SIGTERM inside one: the run stops, not a test
            raise KeyboardInterrupt from None
        if group.split(StopApi)[1] is not None:
            raise
        pytest.skip(f"{pc_api}: {stops[0] if stops else group}")
    except Unsatisfiable:
        why = f"no {pc_mode} case can be generated for {pc_operation}"
        pytest.skip(f"no {pc_mode} cases can be generated for this operation")
    finally:
        if pc_mode == "positive":  # say which ids this operation was meant to get and did not, and why
            for param, values in meant.items():
                for value in values:
                    if value not in sent[param]:
                        target.leave_out(param, value, pc_operation, stops[0] if stops else why)
    fail_with(pc_findings)


def _note_sent(sent: dict[str, set[str]], case) -> None:
    for param, value in (case.path_parameters or {}).items():
        if param in sent:
            sent[param].add(str(value))
