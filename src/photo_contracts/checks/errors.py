"""Error checks: unknown ids and missing or wrong credentials get the documented answer."""

from __future__ import annotations

import re
from typing import Any

import requests

from photo_contracts.checks.contract import best_value, folded_note
from photo_contracts.checks.facts import Rejection
from photo_contracts.checks.probes import fill
from photo_contracts.checks.registry import CheckContext, CheckFailed, NotApplicable, check
from photo_contracts.contracts import (
    documented_response,
    load_contract,
    schema_uri_for,
    source_of,
    source_of_error,
    validator,
)
from photo_contracts.operations import operations


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def judge(api: str, operation: str, response: requests.Response, expected: Rejection,
          error_code: Any, what: str) -> None:
    """Raise CheckFailed unless `response` is the documented rejection (status, code, schema)."""
    body = _json(response)
    code = error_code(body) if body is not None else None
    if not expected.accepts(response.status_code, code):
        got = f"HTTP {response.status_code}" + (f" with error code {code}" if code else "")
        raise CheckFailed(f"Received {got} for {what} / Documented: {expected.describe()}",
                          source=expected.source, response=response)
    media = response.headers.get("Content-Type", "").split(";")[0].strip()
    op = next((o for o in operations(load_contract(api)) if o.name == operation), None)
    uri = schema_uri_for(api, op, str(response.status_code), media) if op else None
    found = best_value(list(validator(uri).iter_errors(body)), uri) if op and uri and body is not None else None
    if op and found is not None:  # one value, one failure: the other errors about it are folded into its message
        error, others = found
        answer = documented_response(op, str(response.status_code), load_contract(api))[1]
        raise CheckFailed(f"Received an error body that breaks its documented schema for {what}: {error.message}"
                          f"{folded_note(others)} / Documented: the schema of HTTP {response.status_code}",
                          source=source_of_error(error, uri) or source_of(answer) or expected.source,
                          json_path=error.json_path, response=response)


@check("breaking", "an unknown id gets the documented not-found answer (status, error code, body)", "error",
       need=lambda target, config: len(target.facts.probe_operations))
def unknown_id_is_documented_error(ctx: CheckContext) -> None:
    target, operation = ctx.target, ctx.operation
    method, template = operation.split(" ", 1)
    values = {p: v[0] for p, v in target.ids.items() if v}
    values.update(target.facts.unknown_ids)
    # Keep real values for the other parameters (a real project), but an unknown one for the last.
    params = re.findall(r"\{([^}]+)\}", template)
    if not params or params[-1] not in target.facts.unknown_ids:
        raise NotApplicable(f"{operation} has no unknown id to probe with")
    path = fill(template, values)
    if path is None:
        raise NotApplicable(f"no real value for the other parameters of {operation}")
    response = target.call(method, path)
    # Not about the id at all: the verdict says so once. (A bare 403 may also be the vendor's answer to
    # an id of another project, so only a 401 or a vendor auth code says "credential".)
    if target.facts.rejects_credential(response) and (response.status_code == 401 or target.facts.code_of(response)):
        raise NotApplicable(f"{operation}: the run's credential is rejected, so an unknown id cannot be judged")
    judge(target.api.name, operation, response, target.facts.not_found, target.facts.error_code,
          f"the unknown id {target.facts.unknown_ids[params[-1]]!r}")


@check("breaking", "missing or wrong credentials get the documented rejection: status, error code, body (visitor: "
       "HTTP 200 with codes 1142/1157/1190 and 1403)", "error",
       need=lambda target, config: 2 * len(target.facts.probe_operations))
def credentials_are_enforced(ctx: CheckContext) -> None:
    target, operation = ctx.target, ctx.operation
    method, template = operation.split(" ", 1)
    path = fill(template, {p: v[0] for p, v in target.ids.items() if v})
    if path is None:
        raise NotApplicable(f"no real id to probe {operation} with: list them in the configuration")
    missing = target.call(method, path, anonymous=True)
    judge(target.api.name, operation, missing, target.facts.missing_credentials, target.facts.error_code,
          "a request without credentials")
    wrong = target.call(method, path, token="wrong-" + "0" * 24)
    judge(target.api.name, operation, wrong, target.facts.wrong_credentials, target.facts.error_code,
          "a request with a wrong credential")
