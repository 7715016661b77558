"""schemathesis' negative_data_rejection, run on its own: it alone knows which part of a case it made invalid."""

from __future__ import annotations

from typing import Any

from schemathesis import checks as st_checks
from schemathesis.core.failures import Failure, FailureGroup


def negative_failures(case: Any, response: Any, transport_kwargs: dict[str, Any],
                      credentials: dict[str, str]) -> list[Failure]:
    """Every way the answer to a negative case fails schemathesis' negative_data_rejection."""
    try:
        # The credential is passed as explicit headers: schemathesis then knows it is real, not generated.
        case.validate_response(response, checks=[st_checks.negative_data_rejection], transport_kwargs=transport_kwargs,
                               headers=credentials)
    except FailureGroup as group:
        return list(group.exceptions)
    except Failure as failure:
        return [failure]
    return []


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
