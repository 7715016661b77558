"""The verdict of a run: conforms, findings, inconclusive or interrupted, per API and overall, with its
exit code.

Inconclusive means the run could not reach what the vendor documents: every answer rejected the
credential, every operation answered 404, no documented operation succeeded, a documented read never
got past 404, or no image was decoded for an API that serves images. It comes with one plain diagnosis
and the likely fix. What is only our assumption and was not reached is a `Gap`, listed, never a verdict.
judge.py applies these rules to a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from photo_contracts.coverage import Ledger

EXIT_CODES = {"conforms": 0, "findings": 1, "inconclusive": 3, "interrupted": 130}
GATING = ("breaking", "warning")  # --strict adds "notice"


@dataclass(frozen=True)
class Gap:
    """A documented operation that got no successful answer: why, and what would reach it. Or (`check` set) a
    check of its own the request budget left unjudged, and the requests it needed."""

    operation: str
    reason: str
    fix: str
    sourced: bool = True  # its success answer rests on the vendor's words
    blocks: bool = False  # it makes the API inconclusive (a documented read no real id reached)
    check: str | None = None  # an error check, promise, invariant or the probes: not judged for want of budget
    needed: int | None = None  # ... and the requests it needed

    def as_dict(self) -> dict[str, Any]:
        return {"operation": self.operation, "reason": self.reason, "fix": self.fix, "sourced": self.sourced,
                "blocks_verdict": self.blocks} | (
            {"check": self.check, "requests_needed": self.needed} if self.check else {})


@dataclass(frozen=True)
class ApiVerdict:
    verdict: str  # conforms | findings | inconclusive | interrupted
    diagnosis: str | None = None  # why inconclusive, and the likely fix
    gaps: tuple[Gap, ...] = ()  # documented operations not reached (coverage gaps; some block the verdict)


def gating(severity: str, strict: bool) -> bool:
    return severity in GATING or (strict and severity == "notice")


def diagnose(api: str, ledger: Ledger, target: Any, documented_server: str | None) -> str | None:
    """Why this API's run judged nothing, or None when it reached what it judges."""
    total = ledger.totals(api)
    stalled = getattr(target.session, "stalled", None)
    if stalled and (total.successes == 0 or "in time" in stalled or "deadline" in stalled):
        return f"{api}: {stalled}" + ("; check base_url and the network" if stalled.startswith("cannot reach") else
                                      "; the answers it did give were judged")
    where = "the sandbox token" if not target.live else (
        f"the credential in {target.token_env}" if getattr(target, "token_env", None) else "the credential")
    if total.requests == 0 and target.session.budget_hit:
        return (f"{api}: the request budget ({target.session.limits.budget}) ran out first, before any operation "
                "was exercised: raise budget in [limits]")
    if total.requests == 0:
        return f"{api}: no request was sent (every test was skipped); see the skip reasons in the report"
    if total.auth_rejected and total.auth_rejected == total.requests:
        codes = ", ".join(sorted(total.error_codes)) or ", ".join(
            s for s in sorted(total.statuses) if s.startswith("4")) or "a rejection"
        return f"{api}: every request answered {codes}: {where} is rejected; renew it or check its scope"
    if set(total.statuses) == {"404"} and not total.transport_failures:
        base = target.base_url
        if documented_server and urlsplit(base).path in ("", "/") and urlsplit(documented_server).path not in ("", "/"):
            return (f"{api}: every operation answered 404: base_url {base} has no path; "
                    f"the documented server is {documented_server}")
        return f"{api}: every operation answered 404: check base_url ({base}) and the configured ids"
    missing = [s.config_key for s in target.facts.ids if not target.ids.get(s.param)]
    fix = (f"no real ids were found or configured: list {', '.join(dict.fromkeys(missing))} in the [{api}] table"
           if missing else "check the configured ids")
    if target.session.budget_hit:
        fix = f"the request budget ({target.session.limits.budget}) ran out first: raise budget in [limits]"
    if total.successes == 0:
        seen = ", ".join(f"{s} x{n}" for s, n in sorted(total.statuses.items()))
        codes = f" with error codes {', '.join(sorted(total.error_codes))}" if total.error_codes else ""
        return f"{api}: no request got a successful answer (HTTP {seen}{codes}); {fix}"
    if target.facts.serves_images and total.images_decoded == 0:
        return f"{api}: no image was fetched and decoded, so the image checks judged nothing; {fix}"
    return None


def judge_api(api: str, findings: list[Any], ledger: Ledger, target: Any, documented_server: str | None,
              strict: bool, errors: int = 0, gaps: tuple[Gap, ...] = (),
              sourced: set[str] | None = None) -> ApiVerdict:
    """One API's verdict; `gaps` are its unreached operations, `sourced` the operations the vendor documents."""
    if any(gating(f.severity, strict) and not f.accepted for f in findings if f.api == api):
        return ApiVerdict("findings", diagnose(api, ledger, target, documented_server), gaps)
    if errors:  # a check that crashed judged nothing: never "conforms" on it
        return ApiVerdict("inconclusive", f"{api}: {errors} test{'s' * (errors != 1)} of the suite stopped on an "
                                          "error of photo-contracts itself, so what they check was not judged; "
                                          "see report.html and report it", gaps)
    diagnosis = diagnose(api, ledger, target, documented_server)
    if diagnosis:
        return ApiVerdict("inconclusive", diagnosis, gaps)
    entries = ledger.operations(api)
    if sourced and not any(entries[op].successes for op in sourced if op in entries):
        return ApiVerdict("inconclusive", f"{api}: none of the operations the vendor documents got a successful "
                                          "answer (only our assumed ones did); check base_url and the configured ids",
                          gaps)
    blocking = [g for g in gaps if g.blocks]
    if blocking:
        what = "; ".join(f"{g.operation}: {g.reason}" for g in blocking)
        return ApiVerdict("inconclusive", f"{api}: {what}, so the vendor's documented promises there were not "
                                          f"judged; {blocking[0].fix}", gaps)
    return ApiVerdict("conforms", None, gaps)


def overall(verdicts: dict[str, ApiVerdict]) -> str:
    """Findings outrank interrupted, which outranks inconclusive, which outranks conforms."""
    kinds = {v.verdict for v in verdicts.values()}
    for kind in ("findings", "interrupted", "inconclusive"):
        if kind in kinds:
            return kind
    return "conforms" if verdicts else "inconclusive"
