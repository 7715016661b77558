"""Bad input (a malformed contract, a dangling reference, an unusable report directory, numbers out
of range) is a clear error with exit code 2, before any run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from photo_contracts import cli, contracts


@pytest.fixture
def contract_copy(tmp_path: Path) -> Path:
    """A copy of the contracts and schemas, which the runs below judge by (`--contract visitor=COPY`)."""
    shutil.copytree(contracts.CONTRACTS_DIR, tmp_path / "contracts")
    shutil.copytree(contracts.SCHEMAS_DIR, tmp_path / "schemas")
    return tmp_path / "contracts" / "visitor.yaml"


def run_visitor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["run", "--api", "visitor", "--report-dir", str(tmp_path / "reports"), "--examples", "2",
                     "--contract", f"visitor={tmp_path / 'contracts' / 'visitor.yaml'}"])
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


@pytest.mark.parametrize("argv", [
    ["run", "--api", "visitor", "--examples", "0"],
    ["run", "--api", "visitor", "--examples", "many"],
    ["drift", "--baseline", "b.json", "--examples", "-1"],
    ["sandbox", "--api", "visitor", "--port", "99999"],
    ["sandbox", "--api", "visitor", "--signed-url-ttl", "0"],
    ["sandbox", "--api", "visitor", "--size", "0"],
], ids=" ".join)
def test_numbers_out_of_range_are_usage_errors(argv, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert "error: argument" in err and "Traceback" not in err


@pytest.mark.parametrize("line", ["examples = 0", "examples = \"25\"", "seed = 1.5"])
def test_bad_numbers_in_the_configuration(tmp_path, capsys, line) -> None:
    path = tmp_path / "photo-contracts.toml"
    path.write_text(f"[run]\n{line}\n")
    code = cli.main(["run", "--api", "visitor", "--config", str(path), "--report-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "must be a whole number" in err


def test_drift_profile_for_an_api_the_run_leaves_out(tmp_path, capsys) -> None:
    code = cli.main(["run", "--api", "visitor", "--sandbox-drift", "cloudcard-width-as-string",
                     "--report-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "add --api cloudcard" in err


@pytest.mark.parametrize(("url", "says"), [
    ("http://[::1", "Invalid IPv6 URL"),
    ("https://127.0.0.1:99999", "Port out of range"),
    ("ftp://127.0.0.1", "must be an http(s) URL"),
    ("http://user:SECRETPW@127.0.0.1:9", "carries a user or password"),
])
def test_a_base_url_that_is_not_one_is_one_line(tmp_path, capsys, url, says) -> None:
    """A malformed URL is one line, exit 2 (it was a ValueError traceback); a password in it is refused, never
    printed (every report prints the base URL)."""
    code = cli.main(["run", "--api", "fulcrum", "--url", url, "--header", "X-ApiToken: abc",
                     "--report-dir", str(tmp_path / "r")])
    captured = capsys.readouterr()
    assert code == 2 and captured.err.count("\n") == 1 and says in captured.err, captured.err
    assert "Traceback" not in captured.err and "SECRETPW" not in captured.out + captured.err


def test_a_base_url_in_the_configuration_is_checked_the_same(tmp_path, capsys) -> None:
    config = tmp_path / "live.toml"
    config.write_text('[fulcrum]\nbase_url = "https://127.0.0.1:99999/api"\ntoken_env = "T"\n', encoding="utf-8")
    code = cli.main(["run", "--api", "fulcrum", "--target", "live", "--config", str(config),
                     "--report-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and "base_url must be an http(s) URL" in err and "Port out of range" in err, err


@pytest.mark.parametrize("argv", [
    ["run", "--config", "{bin}"],
    ["run", "--api", "visitor", "--usage", "{bin}"],
    ["run", "--api", "fulcrum", "--contract", "fulcrum={bin}"],
    ["drift", "--api", "visitor", "--baseline", "{bin}"],
    ["audit", "{bin}", "{bin}"],
], ids=["config", "usage", "contract", "baseline", "audit"])
def test_a_file_that_is_not_text_is_one_line(tmp_path, capsys, argv) -> None:
    """Binary where a text file is expected: one line naming the file, exit 2 (it was a UnicodeDecodeError)."""
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\xb7\xfe")
    code = cli.main([a.replace("{bin}", str(binary)) for a in argv] + ["--report-dir", str(tmp_path / "r")]
                    if argv[0] != "audit" else [a.replace("{bin}", str(binary)) for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and str(binary) in err and "Traceback" not in err, err


@pytest.mark.parametrize("ref", ["../schemas/visitor/error.json#/nope", "#/components/schemas/Nope"],
                         ids=["in-another-file", "in-the-contract"])
def test_a_reference_to_a_node_that_is_not_there_is_one_line(tmp_path, contract_copy, capsys, ref) -> None:
    """The file exists but the pointer names nothing: the user's contract is wrong, not the tool (it was exit 3,
    "an error of photo-contracts itself")."""
    contract_copy.write_text(contract_copy.read_text().replace("../schemas/visitor/error.json", ref, 1))
    code, err = run_visitor(tmp_path, capsys)
    assert code == 2 and err.count("\n") == 1 and "does not resolve" in err and "Traceback" not in err, err
