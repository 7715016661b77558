"""`photo-contracts drift` (to be built)."""

from __future__ import annotations

import argparse

from photo_contracts.errors import ToolError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--baseline", metavar="FILE", required=True)


def main(args: argparse.Namespace) -> int:
    raise ToolError("drift is not built yet")
