"""summary.json: the machine-readable result of a run (its schema: schemas/report/summary.json)."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from photo_contracts import __version__
from photo_contracts.severities import SEVERITIES


def summary(run: Any, *, interrupted: bool = False) -> dict[str, Any]:
    findings = sorted(run.findings, key=lambda f: (SEVERITIES.index(f.severity), f.api, f.operation, f.check))
    apis = {}
    for name, target in run.targets.items():
        stats = run.stats[name]
        verdict = run.verdicts.get(name)
        apis[name] = {
            "verdict": verdict.verdict if verdict else "inconclusive",
            "diagnosis": verdict.diagnosis if verdict else "the run ended before any verdict",
            "base_url": run.redactor.text(target.base_url) if target.base_url else None,  # None: never reached
            "contract": target.contract,
            "passed": stats.passed,
            "failed": stats.failed,
            "skipped": stats.skipped,
            "requests": target.session.requests_sent,
            "findings": sum(1 for f in findings if f.api == name),
            "budget_exhausted": target.session.budget_hit,
            "explained": run.explained.get(name, 0),
            "coverage": run.ledger.as_dict(name),
        }
    return {
        "tool": f"photo-contracts {__version__}",
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "target": run.config.target,
        "sandbox_drift": run.config.sandbox_drift,
        "replay": {"dir": str(run.config.replay), "recorded": run.config.replay_recorded}
        if run.config.replay else None,
        "seed": run.config.seed,
        "strict": run.config.strict,
        "interrupted": interrupted,
        "verdict": "interrupted" if interrupted else run.verdict,
        "conforms": not interrupted and run.verdict == "conforms",
        "apis": apis,
        "findings": [f.as_dict() for f in findings],
        "drift": list(run.drift or []),
    }


def write_json(path: Path, data: Any, redactor: Any) -> None:
    """Write JSON atomically (a reader never sees half a file), redacted."""
    text = redactor.text(json.dumps(data, indent=2))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    os.replace(tmp, path)


def write_summary(run: Any, path: Path, *, interrupted: bool = False) -> dict[str, Any]:
    """Write summary.json and return it."""
    data = summary(run, interrupted=interrupted)
    write_json(path, data, run.redactor)
    return data
