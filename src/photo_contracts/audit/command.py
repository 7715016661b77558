"""`photo-contracts audit OLD NEW`: classify what changed between two contracts or two runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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


def main(args: argparse.Namespace) -> int:
    old, new = open_input(args.old), open_input(args.new)
    changes = diff(old, new)
    text = FORMATS[args.format](changes, args.old, args.new, old.kind)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ToolError(f"cannot write {args.output}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    return 1 if any(c.severity == "breaking" for c in changes) else 0
