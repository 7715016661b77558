"""`photo-contracts audit OLD NEW`: classify what changed between two contracts or two runs."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from photo_contracts.audit.changes import Change
from photo_contracts.audit.diff import diff
from photo_contracts.audit.render import FORMATS
from photo_contracts.audit.sources import open_input
from photo_contracts.errors import ToolError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "OLD and NEW: two contract files (OpenAPI, YAML or JSON), two REV:path git revisions "
        "(e.g. HEAD~1:contracts/cloudcard.yaml), or two observations.json files (or report "
        "directories holding one). Exit 1 when a breaking change is found, 0 otherwise, 2 on bad input.")
    parser.add_argument("old", metavar="OLD", help="contract, REV:path or observations.json")
    parser.add_argument("new", metavar="NEW", help="same kind as OLD")
    parser.add_argument("--format", choices=tuple(FORMATS), default="md", help="default: md")
    parser.add_argument("--output", metavar="FILE", help="write the changelog here instead of stdout")
    parser.add_argument("--usage", metavar="FILE",
                        help="what your integration relies on (YAML): changes elsewhere are info and do not gate")


def main(args: argparse.Namespace) -> int:
    old, new = open_input(args.old), open_input(args.new)
    changes = diff(old, new)
    usage = None
    if getattr(args, "usage", None):
        from photo_contracts.usage import load

        judged = by_usage(changes, load(Path(args.usage)))
        aside = sum(1 for was, now in zip(changes, judged, strict=True) if now.severity != was.severity)
        usage = (f"Judged for the integration in {args.usage}: {aside} of {len(changes)} changes touch nothing it "
                 "relies on, so they are info and do not gate.")
        changes = sorted(judged, key=lambda c: c.sort_key)
    text = FORMATS[args.format](changes, args.old, args.new, old.kind, usage)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ToolError(f"cannot write {args.output}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    return 1 if any(c.severity == "breaking" for c in changes) else 0


def by_usage(changes: list[Change], usage: Any) -> list[Change]:
    """"Can I upgrade?": a change to what the integration does not rely on is info ("not used by your
    integration"); one to what it relies on keeps its severity. Two contracts name no API: a change belongs to
    the usage file's API that lists its operation."""
    from photo_contracts.usage import NOT_USED

    out = []
    for change in changes:
        apis = [change.api] if change.api else [a for a, ops in usage.apis.items() if change.operation in ops]
        relies = any(_relies(usage, api, change) for api in apis)
        out.append(change if relies else replace(change, severity="info", message=f"{change.message} ({NOT_USED})"))
    return out


def _relies(usage: Any, api: str, change: Change) -> bool:
    words = change.location.split()
    if words[:1] == ["response"] and len(words) >= 3 and words[2].startswith("$"):
        return bool(usage.relies_on(api, change.operation, json_path=words[2]))
    if words[:1] == ["parameter"] and len(words) >= 3:  # "parameter query max ..."
        return bool(usage.relies_on(api, change.operation, param=words[2]))
    return bool(usage.relies_on(api, change.operation))
