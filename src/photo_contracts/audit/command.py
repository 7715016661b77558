"""`photo-contracts audit OLD NEW` (to be built)."""

from __future__ import annotations

import argparse

from photo_contracts.errors import ToolError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD")
    parser.add_argument("new", metavar="NEW")
    parser.add_argument("--format", choices=("md", "html", "json"), default="md")


def main(args: argparse.Namespace) -> int:
    raise ToolError("audit is not built yet")
