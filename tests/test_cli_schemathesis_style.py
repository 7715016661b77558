"""The command line schemathesis users expect (issue 17): a live run without a TOML file (`--url`, `--header`,
`--ids`), the nearest valid name for `--api` and `--sandbox-drift`, `--quiet` and `-v`, `run --help` with its
defaults, API names and exit codes, `python -m pytest docs/examples` after the main install alone, and
`--target live` without a configuration saying so and how to write one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from photo_contracts.apis import APIS
from photo_contracts.cli import main
from photo_contracts.fixtures import photo_sandbox

ROOT = Path(__file__).resolve().parents[1]
SECRET = "flag-credential-4f2a9c"


def cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    return subprocess.run([sys.executable, "-m", "photo_contracts.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env=env)


def one_line_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err + captured.out, captured.err
    return lines[0]


# A live run without a TOML file -------------------------------------------------------------


@pytest.mark.slow
def test_live_run_from_url_header_and_ids_without_a_configuration_file(tmp_path: Path) -> None:
    """The sandbox stands in for the live API; the header's value never reaches a report, the console or the
    object store (another host), and the configured id is the first the run uses."""
    with photo_sandbox("fulcrum", token=SECRET) as live:
        photo = live.ids["photo"][3]
        result = cli("run", "--api", "fulcrum", "--url", live.base_url, "--header", f"X-ApiToken: {SECRET}",
                     "--ids", f"photo={photo}", "--examples", "2", "--report-dir", str(tmp_path))
        sightings = list(live.store.credential_sightings)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "live run of fulcrum" in result.stdout
    assert SECRET not in result.stdout + result.stderr
    leaks = [p.name for p in tmp_path.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert leaks == [], f"the credential is in {leaks}"
    assert sightings == [], "the credential went to the object store, another origin"
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["target"] == "live" and summary["apis"]["fulcrum"]["verdict"] == "conforms"
    assert summary["apis"]["fulcrum"]["ids"]["origins"]["id"][photo] == "configured"
    assert "--url" in (tmp_path / "summary.md").read_text()  # the command that reproduces it, without the secret
    assert f"--ids photo={photo}" in (tmp_path / "summary.md").read_text()  # with the ids the run was given


@pytest.mark.parametrize(("args", "words"), [
    (["run", "--url", "http://127.0.0.1:9/api", "--header", "X-ApiToken: x"], ["--api NAME", "fulcrum"]),
    (["run", "--api", "fulcrum", "--api", "visitor", "--url", "http://127.0.0.1:9/api", "--header", "X-ApiToken: x"],
     ["one API", "--config"]),
    (["run", "--api", "fulcrum", "--url", "http://127.0.0.1:9/api"], ["--header", "X-ApiToken"]),
    (["run", "--api", "fulcrum", "--url", "http://127.0.0.1:9/api", "--header", "Authorization: Bearer x"],
     ["X-ApiToken"]),
    (["run", "--api", "fulcrum", "--url", "http://127.0.0.1:9/api", "--header", "X-ApiToken: "], ["empty"]),
    (["run", "--api", "fulcrum", "--url", "ftp://host", "--header", "X-ApiToken: x"], ["http(s) URL"]),
    (["run", "--api", "fulcrum", "--url", "http://127.0.0.1:9/api", "--header", "X-ApiToken: x", "--ids", "phot=1"],
     ["did you mean 'photo'?"]),
    (["run", "--api", "fulcrum", "--target", "sandbox", "--url", "http://127.0.0.1:9/api", "--header",
      "X-ApiToken: x"], ["--target sandbox"]),
    (["run", "--api", "fulcrum", "--ids", "photo=1"], ["--url"]),
], ids=["no-api", "two-apis", "no-header", "wrong-header", "empty-value", "not-http", "ids-kind", "sandbox", "no-url"])
def test_live_flags_are_checked_in_one_line(capsys: pytest.CaptureFixture[str], args: list[str],
                                           words: list[str]) -> None:
    line = one_line_error(capsys, *args)
    assert all(word in line for word in words), line


def test_the_credential_prefix_is_optional_in_the_header() -> None:
    """`--header "Authorization: Bearer $TOKEN"` and the bare token give the same credential."""
    from photo_contracts.config import LiveFlags, load

    for header in ("Authorization: Bearer t0k3n", "authorization: t0k3n"):
        cfg = load(None, overrides={"apis": ["autodesk"]},
                   flags=LiveFlags("https://developer.api.autodesk.com/construction/photos/v1", header,
                                   ("project=36c0838c-0360-4cfa-b2c6-85e0056ec7e8", "photo=a,b", "deleted=c")))
        settings = cfg.api_configs["autodesk"]
        assert cfg.target == "live" and settings.token == "t0k3n" and settings.token_env is None
        assert settings.project_id == "36c0838c-0360-4cfa-b2c6-85e0056ec7e8"
        assert dict(settings.ids) == {"photo_ids": ("a", "b"), "deleted_ids": ("c",)}
        assert "t0k3n" not in repr(cfg)


# Nearest valid names ------------------------------------------------------------------------


def test_api_names_the_nearest_valid_one(capsys: pytest.CaptureFixture[str]) -> None:
    line = one_line_error(capsys, "run", "--api", "fulcrm")
    assert "did you mean 'fulcrum'?" in line and ", ".join(APIS) in line


def test_sandbox_drift_names_the_nearest_profile_of_the_api_given(capsys: pytest.CaptureFixture[str]) -> None:
    line = one_line_error(capsys, "run", "--api", "fulcrum", "--sandbox-drift", "fulcrum-thumbnail-truncatd")
    assert "did you mean 'fulcrum-thumbnail-truncated'?" in line
    # Filtered by API: the nearest name among fulcrum's profiles, never another API's.
    line = one_line_error(capsys, "run", "--api", "fulcrum", "--sandbox-drift", "autodesk-size-as-strin")
    assert "'autodesk-size-as-string'" not in line and "--list-drifts --api fulcrum" in line
    line = one_line_error(capsys, "run", "--sandbox-drift", "autodesk-size-as-strin")
    assert "did you mean 'autodesk-size-as-string'?" in line


# --quiet and -v -------------------------------------------------------------------------------


@pytest.mark.slow
def test_quiet_prints_one_line_per_api_and_the_verdict(tmp_path: Path) -> None:
    result = cli("run", "--api", "visitor", "--api", "fulcrum", "--examples", "1", "-q", "--report-dir", str(tmp_path))
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(lines) == 3, lines
    assert lines[0].split() == ["visitor", "conforms"] and lines[1].split() == ["fulcrum", "conforms"]
    assert lines[2].startswith("verdict: conforms (exit 0)") and str(tmp_path) in lines[2]


@pytest.mark.slow
def test_quiet_names_the_api_with_findings(tmp_path: Path) -> None:
    result = cli("run", "--sandbox-drift", "fulcrum-thumbnail-truncated", "--examples", "1", "-q",
                 "--report-dir", str(tmp_path))
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 2, result.stdout + result.stderr
    assert lines[0].startswith("fulcrum    findings (") and lines[1].startswith("verdict: findings (exit 1)")


@pytest.mark.slow
def test_verbose_adds_coverage_per_operation_and_each_finding_in_full(tmp_path: Path) -> None:
    result = cli("run", "--sandbox-drift", "fulcrum-thumbnail-truncated", "--examples", "1", "-v",
                 "--report-dir", str(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    details = result.stdout.split("Details (-v):", 1)[1]
    assert "  GET /v2/photos.json: " in details and " 2xx, statuses 200 x" in details
    assert "[breaking] " in details and ("Documented (" in details or "Assumed: " in details)


def test_quiet_and_verbose_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:  # argparse's usage error: exit 2
        main(["run", "-q", "-v"])
    assert raised.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


# run --help ---------------------------------------------------------------------------------


def test_run_help_shows_defaults_api_names_and_exit_codes() -> None:
    result = cli("run", "--help")
    text = " ".join(result.stdout.split())
    assert result.returncode == 0
    for words in ("(default: sandbox", "(default: reports)", "(default: 0)", "(default: 25 on a sandbox, 5 live)",
                  "default: every registered API", f"APIs: {', '.join(APIS)}.", "0 conforms", "1 findings",
                  "2 usage", "3 inconclusive", "130 interrupted", "--url", "--header", "-q, --quiet",
                  "-v, --verbose"):
        assert words in text, words


# docs/examples after the main install alone -------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("where", ["root", "examples"])
def test_docs_examples_run_without_the_test_extra(where: str) -> None:
    """Its own pytest.ini keeps the project's settings out: no option of a test-extra plugin (pytest-timeout's
    `timeout` would be an error under --strict-config where the plugin is missing), none of its plugins loaded."""
    cwd = ROOT if where == "root" else ROOT / "docs" / "examples"
    target = "docs/examples" if where == "root" else "."
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:timeout", "-p", "no:xdist", "-p", "no:randomly",
                             "--strict-config", target], cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    settings = [line for line in (ROOT / "docs" / "examples" / "pytest.ini").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert not any(line.split("=")[0].strip() in ("timeout", "timeout_method") for line in settings)


# --target live without a configuration ------------------------------------------------------


def test_live_without_config_says_no_config_was_given_and_how_to_write_one(capsys: pytest.CaptureFixture[str]) -> None:
    line = one_line_error(capsys, "run", "--target", "live")
    for words in ("no --config was given", "[fulcrum]", "base_url =", "token_env =", "--config FILE",
                  "Live targets", "--url"):
        assert words in line, words
