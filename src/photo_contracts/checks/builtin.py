"""schemathesis' negative_data_rejection, run on its own so each failure keeps the name of its check."""

from __future__ import annotations

from typing import Any

from schemathesis import checks as st_checks
from schemathesis.core.failures import Failure, FailureGroup

FUNCTIONS = {"negative_data_rejection": st_checks.negative_data_rejection}


def run_builtins(case: Any, response: Any, names: list[str], transport_kwargs: dict[str, Any],
                 credentials: dict[str, str]) -> list[tuple[str, Failure]]:
    """(check name, failure) for every built-in check in `names` that the response fails."""
    failed: list[tuple[str, Failure]] = []
    for name in names:
        try:
            # The credential is passed as explicit headers: schemathesis then knows it is real, not generated.
            case.validate_response(response, checks=[FUNCTIONS[name]], transport_kwargs=transport_kwargs,
                                   headers=credentials)
        except FailureGroup as group:
            failed.extend((name, failure) for failure in group.exceptions)
        except Failure as failure:
            failed.append((name, failure))
    return failed


def describe(failure: Failure) -> str:
    """One "Received / Documented" style message from a schemathesis failure."""
    message = " ".join(str(failure.message or "").split())
    title = failure.title or type(failure).__name__
    return f"{title}: {message}" if message else title


def json_path(failure: Failure) -> str | None:
    """The JSON path of a schema failure, when schemathesis knows it."""
    path = getattr(failure, "instance_path", None)
    if path is None:
        return None
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
