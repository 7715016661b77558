"""The README's check table is the registry: the same names, severities and statements of what each asserts."""

from __future__ import annotations

import re
from pathlib import Path

from photo_contracts.checks.registry import CHECKS

README = Path(__file__).resolve().parents[1] / "README.md"
HEADER = "| check | asserts | severity |"


def readme_rows() -> dict[str, tuple[str, str]]:
    """check -> (severity, asserts) from the table under HEADER."""
    table = README.read_text(encoding="utf-8").split(HEADER, 1)[1].split("\n\n", 1)[0]
    rows = [re.fullmatch(r"\| (\w+) \| (.+) \| (\w+) \|", line) for line in table.strip().splitlines()[1:]]
    assert all(rows), "every line of the check table is `| name | asserts | severity |`"
    return {row.group(1): (row.group(3), row.group(2)) for row in rows}


def test_the_readme_names_every_registered_check_and_no_other():
    assert sorted(readme_rows()) == sorted(CHECKS)


def test_the_readme_gives_each_check_its_registered_severity_and_statement():
    assert readme_rows() == {name: (check.severity, check.asserts) for name, check in CHECKS.items()}
