"""A malformed contract, a dangling reference or an unusable report directory is a one-line error
with exit code 2, before any run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from photo_contracts import cli, contracts


@pytest.fixture
def contract_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of contracts/ and schemas/ that the tool reads instead of the real ones."""
    shutil.copytree(contracts.CONTRACTS_DIR, tmp_path / "contracts")
    shutil.copytree(contracts.SCHEMAS_DIR, tmp_path / "schemas")
    monkeypatch.setattr(contracts, "CONTRACTS_DIR", tmp_path / "contracts")
    return tmp_path / "contracts" / "visitor.yaml"


def run_visitor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["run", "--api", "visitor", "--report-dir", str(tmp_path / "reports"), "--examples", "2"])
    return code, capsys.readouterr().err


def test_the_copy_itself_runs(tmp_path, contract_copy, capsys) -> None:
    code, err = run_visitor(tmp_path, capsys)
    assert (code, err) == (0, "")


def test_malformed_yaml(tmp_path, contract_copy, capsys) -> None:
    contract_copy.write_text(contract_copy.read_text() + "  broken: [unclosed\n")
    code, err = run_visitor(tmp_path, capsys)
    assert code == 2
    assert err.count("\n") == 1 and "is not valid YAML" in err and "Traceback" not in err


def test_dangling_schema_reference(tmp_path, contract_copy, capsys) -> None:
    contract_copy.write_text(contract_copy.read_text().replace("../schemas/visitor/error.json",
                                                               "../schemas/visitor/missing.json", 1))
    code, err = run_visitor(tmp_path, capsys)
    assert code == 2
    assert err.count("\n") == 1 and "missing.json" in err and "does not exist" in err


def test_not_an_openapi_document(tmp_path, contract_copy, capsys) -> None:
    contract_copy.write_text("just: a mapping\n")
    code, err = run_visitor(tmp_path, capsys)
    assert code == 2 and "is not an OpenAPI document" in err and err.count("\n") == 1


def test_report_dir_that_cannot_be_created(tmp_path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code = cli.main(["run", "--api", "visitor", "--report-dir", str(blocker / "reports")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "cannot create the report directory" in err
