"""docs/audit.md lists every registered rule with the severity the registry gives it."""

from __future__ import annotations

import re
from pathlib import Path

from photo_contracts.audit import diff  # noqa: F401 - registers every rule
from photo_contracts.audit.changes import RULES

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


def test_rule_table_matches_the_registry() -> None:
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| (breaking|warning|info) \|", DOC.read_text(), re.MULTILINE))
    assert rows == {rule.id: rule.severity for rule in RULES.values()}
