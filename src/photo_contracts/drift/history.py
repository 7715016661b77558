"""The drift history: append-only JSON Lines, one entry per `drift` run.

A run killed while appending leaves at worst one cut-off last line: each entry is one
`os.write` of a complete line followed by fsync, a new entry always starts on a fresh line,
and the reader reports (never silently drops) every line it cannot read.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from photo_contracts.errors import ToolError

Warn = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def default_path(baseline: Path) -> Path:
    """`drift-baseline.json` -> `drift-baseline.history.jsonl`, beside it."""
    return baseline.with_name(f"{baseline.stem}.history.jsonl")


def append(path: Path, entry: dict[str, Any]) -> None:
    """Append one entry as one complete line, durably."""
    line = (json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ToolError(f"cannot open history {path}: {exc.strerror}") from None
    try:
        if os.fstat(fd).st_size and not _ends_with_newline(path):
            line = b"\n" + line  # a run killed mid-write left a cut-off line: ours starts afresh
        written = os.write(fd, line)
        while written < len(line):  # a short write to a regular file is rare; finish the line
            written += os.write(fd, line[written:])
        os.fsync(fd)
    except OSError as exc:
        raise ToolError(f"cannot append to history {path}: {exc.strerror}") from None
    finally:
        os.close(fd)


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def read(path: Path, warn: Warn = _stderr) -> list[dict[str, Any]]:
    """Every readable entry, oldest first; each unreadable line is reported through `warn` and skipped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ToolError(f"cannot read history {path}: {exc.strerror}") from None
    lines = data.split(b"\n")
    last = max((i for i, raw in enumerate(lines) if raw.strip()), default=-1)
    entries = []
    for index, raw in enumerate(lines):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
            if not isinstance(entry, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            cut_off = index == last and not data.endswith(b"\n")
            why = ("the last line is cut off (a run killed while writing it?)" if cut_off
                   else f"the {'last ' if index == last else ''}line is not a JSON object ({exc})")
            warn(f"photo-contracts: warning: {path} line {index + 1}: {why}; skipped")
            continue
        entries.append(entry)
    return entries
