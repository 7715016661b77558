"""summary.json: the machine-readable result of a run (its schema: schemas/report/summary.json)."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from photo_contracts import __version__
from photo_contracts.result import RunResult


def summary(result: RunResult) -> dict[str, Any]:
    """summary.json of a run: its result, stamped with the tool and the time."""
    return {"tool": f"photo-contracts {__version__}", "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **result.as_dict()}


def write_json(path: Path, data: Any, redactor: Any) -> None:
    """Write JSON atomically (a reader never sees half a file), redacted."""
    text = redactor.text(json.dumps(data, indent=2))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    os.replace(tmp, path)


def write_summary(result: RunResult, path: Path) -> dict[str, Any]:
    """Write summary.json and return it."""
    data = summary(result)
    write_json(path, data, result.redactor)
    return data
