"""Running `photo-contracts sources ...` in this process, as a user would on the command line."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from photo_contracts.cli import main


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.out)

    def entries(self, kind: str | None = None, severity: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.json()["entries"] if (kind is None or e["kind"] == kind)
                and (severity is None or e["severity"] == severity)]

    def __repr__(self) -> str:  # what a failed assertion shows
        return f"exit {self.code}\n--- stdout\n{self.out[-5000:]}\n--- stderr\n{self.err[-2000:]}"


def sources(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Ran:
    capsys.readouterr()
    code = main(["sources", *map(str, args)])
    captured = capsys.readouterr()
    return Ran(code, captured.out, captured.err)


def diff(capsys: pytest.CaptureFixture[str], api: str, ref: str, new: Path, *more: str | Path) -> Ran:
    """`sources diff` as JSON."""
    return sources(capsys, "diff", api, ref, new, "--format", "json", *more)


def unnumbered(where: str) -> str:
    """A place without the line number of a Python mark (`checks/vendors/autodesk.py:44 SIZE` -> `... SIZE`):
    other work moves lines."""
    return re.sub(r"\.py:\d+ ", ".py ", where)
