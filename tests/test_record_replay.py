"""Record and replay: a recorded run holds no secret, and its offline replay reproduces its findings
exactly, with nothing listening and nothing sent; gaps in a recording are findings, never hangs."""

from __future__ import annotations

import hashlib
import io
import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest
import requests

from photo_contracts import config
from photo_contracts.cli import main
from photo_contracts.recording import EXCHANGES, META, match_key
from photo_contracts.runner import execute

pytestmark = pytest.mark.slow

TOKEN = "known-token-4d2b9e71c0aa"
RUNS = {
    "faithful": (["cloudcard", "autodesk"], None, 0),
    "drift": (["autodesk"], "autodesk-original-truncated", 1),
    "auth-drift": (["fulcrum"], "fulcrum-auth-not-enforced", 1),  # ignored_auth probes bypass the client
}


def findings(run: Any) -> set[tuple[str, str, str, str]]:
    return {(f.api, f.operation, f.check, f.message) for f in run.findings}


def record(tmp_path: Path, apis: list[str], drift: str | None,
           contracts: list[tuple[str, str]] | None = None) -> tuple[int, Any, Path]:
    directory = tmp_path / "recording"
    cfg = config.load(environ={}, overrides={"apis": apis, "sandbox_drift": drift, "report_dir": tmp_path / "rec",
                                             "examples": 4, "sandbox_token": TOKEN, "record": directory,
                                             "contracts": contracts})
    code, run = execute(cfg, out=io.StringIO())
    return code, run, directory


def replay(tmp_path: Path, directory: Path, name: str = "rep",
           contracts: list[tuple[str, str]] | None = None) -> tuple[int, Any, str]:
    cfg = config.load(environ={}, overrides={"target": f"replay:{directory}", "report_dir": tmp_path / name,
                                             "contracts": contracts})
    out = io.StringIO()
    code, run = execute(cfg, out=out)
    return code, run, out.getvalue()


@pytest.mark.parametrize("name", list(RUNS))
def test_replay_reproduces_the_recorded_run(tmp_path: Path, signatures: list[str], monkeypatch: pytest.MonkeyPatch,
                                            name: str) -> None:
    apis, drift, expected = RUNS[name]
    code, run, directory = record(tmp_path, apis, drift)
    assert code == expected
    for target in run.targets.values():  # the sandboxes are stopped: nothing listens there any more
        with pytest.raises(requests.ConnectionError):
            requests.get(target.base_url, timeout=2)

    # The recording: complete, every exchange of the one client (plus schemathesis' probes), no secret.
    meta = json.loads((directory / META).read_text(encoding="utf-8"))
    lines = (directory / EXCHANGES).read_text(encoding="utf-8").splitlines()
    assert meta["complete"] and meta["exchanges"] == len(lines) and meta["seed"] == 0 and meta["examples"] == 4
    assert set(meta["apis"]) == set(apis)
    assert len(lines) >= sum(t.session.requests_sent for t in run.targets.values())
    texts = [(directory / META).read_text(encoding="utf-8"), *lines]
    for text in texts:
        assert TOKEN not in text
        assert not [s for s in set(signatures) if s in text]
        assert "SANDBOXKEY/" not in text
    if "autodesk" in apis:
        assert signatures and any("X-Amz-Signature=[REDACTED]" in line for line in lines)
        images = [json.loads(line)["body"] for line in lines if '"sha256"' in line]
        images = [b for b in images if b and "sha256" in b]
        assert images and all((directory / "bodies" / b["sha256"]).stat().st_size == b["size"] for b in images)

    # The replay, offline: same findings, same exit code, every request answered, nothing left over.
    attempts = offline(monkeypatch)
    replayed_code, replayed, output = replay(tmp_path, directory)
    assert attempts == []
    assert findings(replayed) == findings(run), output
    assert replayed_code == code
    assert "0 requests not in the recording, 0 recorded answers not asked for" in output
    assert {a: s.passed for a, s in replayed.stats.items()} == {a: s.passed for a, s in run.stats.items()}
    summary = json.loads((tmp_path / "rep" / "summary.json").read_text(encoding="utf-8"))
    assert summary["target"] == "sandbox" and summary["sandbox_drift"] == drift
    assert TOKEN not in (tmp_path / "rep" / "summary.json").read_text(encoding="utf-8")


def offline(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("the replay tried to open a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_unrecorded_requests_are_findings_not_hangs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, run, directory = record(tmp_path, ["visitor"], None)
    assert code == 0
    lines = (directory / EXCHANGES).read_text(encoding="utf-8").splitlines(keepends=True)
    kept = lines[: len(lines) // 2] + ['{"n": 99999, "api": "visitor", "url": "cut off mid-wr']  # killed mid-write
    (directory / EXCHANGES).write_text("".join(kept), encoding="utf-8")
    attempts = offline(monkeypatch)
    replayed_code, replayed, output = replay(tmp_path, directory)
    assert attempts == []
    assert replayed_code == 1
    missing = [f for f in replayed.findings if "NotRecorded: not in the recording" in f.message]
    assert missing and all(f.check == "response_within_limits" for f in missing)
    assert re.search(r"Replayed .*: [1-9]\d* requests not in the recording, .*unreadable lines skipped: \d+", output)


def test_generation_is_pinned_for_record_and_replay(tmp_path: Path) -> None:
    """The one obstacle to exact reproduction that needed a fix: hypothesis draws literals from loaded
    local modules, which differ between a run with sandboxes and its replay. Both run with them pinned."""
    from hypothesis.internal.conjecture import providers

    from photo_contracts.generation import pinned_generation

    with pinned_generation():
        assert not providers._get_local_constants().strings  # noqa: SLF001
    assert providers._get_local_constants is not None  # noqa: SLF001 - restored


def test_match_key_ignores_what_changes_between_runs() -> None:
    base = "http://127.0.0.2:5000/bucket/a.jpg?X-Amz-Date=20260101T000000Z&X-Amz-Signature={}&size=2"
    first = match_key("GET", base.format("ab12"), {"X-Schemathesis-TestCaseId": "x1", "X-Auth-Token": "a"}, None)
    again = match_key("GET", base.format("[REDACTED]"), {"X-Schemathesis-TestCaseId": "y2", "X-Auth-Token": "b"}, None)
    assert first == again
    assert match_key("GET", base.format("ab12"), {}, None) != first  # with vs without a credential
    assert match_key("GET", base.format("ab12").replace("size=2", "size=3"), {}, None) != match_key(
        "GET", base.format("ab12"), {}, None)
    def multipart(boundary: str) -> str:
        body = f"--{boundary}\r\nA\r\n--{boundary}--".encode()
        return match_key("POST", "http://h/x", {"Content-Type": f"multipart/form-data; boundary={boundary}"}, body)

    one, two = multipart("b1"), multipart("b2")
    assert one == two


@pytest.mark.parametrize("target, message", [
    ("replay:{tmp}/nowhere", "is not a directory"),
    ("replay:{tmp}", "holds no recording"),
])
def test_bad_replay_dir_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str,
                                           message: str) -> None:
    assert main(["run", "--target", target.format(tmp=tmp_path), "--report-dir", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_target_flag_rejects_other_values(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--target", "replay:"])
    assert exit_.value.code == 2
    assert "sandbox, live or replay:DIR" in capsys.readouterr().err


def test_recording_into_a_recording_is_refused(tmp_path: Path) -> None:
    (tmp_path / META).write_text("{}", encoding="utf-8")
    assert main(["run", "--api", "cloudcard", "--record", str(tmp_path), "--report-dir", str(tmp_path / "r")]) == 2


def test_a_replay_says_what_it_replays_and_refuses_flags_that_cannot_apply(tmp_path):
    """A replay is labelled as one (not as a sandbox run), and --examples on a replay is refused, not ignored."""
    from photo_contracts.errors import ToolError

    recording = tmp_path / "rec"
    cfg = config.load(environ={}, overrides={"apis": ["visitor"], "examples": 2, "record": recording,
                                             "report_dir": tmp_path / "a"})
    execute(cfg, out=io.StringIO())
    out = io.StringIO()
    code, _ = execute(config.load(environ={}, overrides={"target": f"replay:{recording}",
                                                         "report_dir": tmp_path / "b"}), out=out)
    assert code == 0 and f"replay of {recording} recorded 20" in out.getvalue()
    summary = json.loads((tmp_path / "b" / "summary.json").read_text(encoding="utf-8"))
    assert summary["replay"]["dir"] == str(recording) and summary["replay"]["recorded"].startswith("20")
    for flag in ({"examples": 10}, {"seed": 3}, {"sandbox_drift": "visitor-thumbnail-300px-wide"}):
        with pytest.raises(ToolError, match="cannot apply to a replay"):
            config.load(environ={}, overrides={"target": f"replay:{recording}", **flag})


def contract_of(report_dir: Path) -> dict[str, Any]:
    return json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))["apis"]["autodesk"]["contract"]


def test_a_replay_judges_by_the_contract_the_recording_was_judged_by(copy_contracts, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    mine = copy_contracts(tmp_path / "mine") / "autodesk.yaml"
    media = tmp_path / "mine" / "schemas" / "autodesk" / "media.json"  # every media must now carry `rating`:
    schema = json.loads(media.read_text(encoding="utf-8"))  # judged by the built-in contract, the replay would pass
    schema["allOf"].append({"required": ["rating"]})
    media.write_text(json.dumps(schema), encoding="utf-8")
    code, run, directory = record(tmp_path, ["autodesk"], None, contracts=[("autodesk", str(mine))])
    assert code == 1 and any("rating" in f.message for f in run.findings)
    recorded = json.loads((directory / META).read_text(encoding="utf-8"))["apis"]["autodesk"]["contract"]
    assert recorded == contract_of(tmp_path / "rec")  # what the run's reports named
    assert {k: recorded[k] for k in ("path", "sha256", "own")} == {
        "path": str(mine), "sha256": hashlib.sha256(mine.read_bytes()).hexdigest(), "own": True}

    replayed_code, replayed, output = replay(tmp_path, directory)
    assert replayed_code == 1 and findings(replayed) == findings(run), output
    assert contract_of(tmp_path / "rep") == recorded

    # --contract re-judges the recorded answers: by an unedited copy, they pass
    other = copy_contracts(tmp_path / "other") / "autodesk.yaml"
    replayed_code, _, output = replay(tmp_path, directory, "by-other", contracts=[("autodesk", str(other))])
    assert replayed_code == 0, output
    assert contract_of(tmp_path / "by-other")["path"] == str(other) and contract_of(tmp_path / "by-other")["own"]

    mine.unlink()
    assert main(["run", "--target", f"replay:{directory}", "--report-dir", str(tmp_path / "gone")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(mine) in err and "--contract autodesk=PATH" in err


def test_the_command_that_reproduces_a_replay_carries_no_flag_a_replay_refuses() -> None:
    from photo_contracts.config import Config
    from photo_contracts.runner import command_line

    replayed = Config(apis=("autodesk",), replay=Path("rec"), contracts={"autodesk": Path("/c/autodesk.yaml")})
    assert command_line(replayed) == ("photo-contracts run --api autodesk --target replay:rec "
                                      "--contract autodesk=/c/autodesk.yaml")
    assert "--seed" in command_line(Config(apis=("autodesk",)))
