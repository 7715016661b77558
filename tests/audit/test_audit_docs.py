"""docs/audit.md lists every registered rule with the severity the registry gives it, and the
git revisions the docs' examples name exist."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from photo_contracts.audit import diff  # noqa: F401 - registers every rule
from photo_contracts.audit.changes import RULES
from photo_contracts.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


def test_rule_table_matches_the_registry() -> None:
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| (breaking|warning|info) \|", DOC.read_text(), re.MULTILINE))
    assert rows == {rule.id: rule.severity for rule in RULES.values()}


README = DOC.parents[1] / "README.md"
REVISION = re.compile(r"(?<![\w/.~^-])([\w.~^/-]+):((?:contracts|schemas)/[\w./-]+\.(?:yaml|json))")


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(README.parent), *args], capture_output=True, text=True)


def _audit_section() -> str:
    text = README.read_text()
    start = text.index("\n## Audit\n")
    return text[start:text.index("\n## ", start + 1)]


def test_the_revisions_the_docs_name_exist(monkeypatch, capsys) -> None:
    if _git("rev-parse", "--is-shallow-repository").stdout.strip() != "false":
        pytest.skip("needs the project's full git history")
    named = REVISION.findall(_audit_section() + DOC.read_text())
    assert ("HEAD~1", "contracts/cloudcard.yaml") in named
    for revision, path in named:
        assert _git("cat-file", "-e", f"{revision}:{path}").returncode == 0, f"{revision}:{path} does not exist"
    monkeypatch.chdir(README.parent)  # the README's example, as a user runs it from the checkout
    assert main(["audit", "HEAD~1:contracts/cloudcard.yaml", "contracts/cloudcard.yaml", "--format", "json"]) in (0, 1)
    assert json.loads(capsys.readouterr().out)["kind"] == "contract"
