"""A live run against a hostile API: huge, slow, malformed, looping and garbage answers each
become a finding, the run never crashes, and all three reports are written."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from photo_contracts import config
from photo_contracts.engine import Run
from photo_contracts.runner import execute
from photo_contracts.sandbox.server import serve
from photo_contracts.severities import SEVERITIES

pytestmark = pytest.mark.slow

TOKEN = "hostile-secret-4d2b9e"
MAX_BYTES = 50_000
READ_TIMEOUT = 0.3
DEADLINE = 1.5  # seconds for one whole request in these runs
DRIP_SECONDS = 0.25  # between two bytes of a dripping body: far under READ_TIMEOUT, far over DEADLINE in all
REPORTS = ("report.html", "junit.xml", "summary.json")


def photo(image_url: str) -> dict[str, object]:
    return {"id": 1, "status": "APPROVED", "width": 64, "height": 64, "aspectRatio": 1.0,
            "externalURL": image_url, "dateCreated": "2024-01-01T00:00:00Z"}


def hostile_app(mode: str, seen: list[tuple[str, dict[str, str]]], links: dict[str, str]) -> Starlette:
    """Answers every request of the CloudCard contract in one hostile way."""

    async def anything(request: Request) -> Response:
        seen.append((request.url.path, dict(request.headers)))
        if mode == "hang":  # accepts the connection, then never answers (the reachability probe included)
            await asyncio.sleep(3600)
        if request.method == "HEAD":
            return Response(b"", status_code=200)  # reachable: the trouble is in the answers
        if mode == "huge":
            return Response(b"[" + b'"x",' * (MAX_BYTES // 2) + b'"x"]', media_type="application/json")
        if mode == "huge-chunked":
            async def chunks() -> AsyncIterator[bytes]:
                yield b"["
                for _ in range(MAX_BYTES // 1000 + 5):
                    yield b'"x",' * 250
                yield b'"x"]'
            return StreamingResponse(chunks(), media_type="application/json")
        if mode == "slow":
            await asyncio.sleep(READ_TIMEOUT * 4)
            return JSONResponse([])
        if mode == "drip":  # headers at once, then the body one byte a second: per-read timeouts never fire
            body = json.dumps([photo("http://127.0.0.3/x.jpg")]).encode()

            async def drip() -> AsyncIterator[bytes]:
                for byte in body:
                    yield bytes([byte])
                    await asyncio.sleep(DRIP_SECONDS)
            return StreamingResponse(drip(), media_type="application/json",
                                     headers={"Content-Length": str(len(body))})
        if mode == "malformed":
            return Response(b'[{"id": 1, "width": 64, "externalURL": ', media_type="application/json")
        if mode == "redirect-loop":
            return RedirectResponse(str(request.url), status_code=302)
        if mode == "garbage-image":
            record = photo(links["image"])
            if request.url.path == "/photo":
                return JSONResponse([record])
            if request.url.path == "/photo/1":
                return JSONResponse(record)
            return JSONResponse({"message": "Not found"}, status_code=404)
        raise AssertionError(mode)

    return Starlette(routes=[Route("/{path:path}", anything, methods=["GET", "HEAD", "POST", "PUT", "DELETE"])])


def image_app(seen: list[tuple[str, dict[str, str]]]) -> Starlette:
    async def garbage(request: Request) -> Response:
        seen.append((request.url.path, dict(request.headers)))
        return Response(os.urandom(5000), media_type="image/jpeg")

    return Starlette(routes=[Route("/{path:path}", garbage)])


@contextmanager
def hostile(mode: str) -> Iterator[tuple[str, list, list]]:
    api_seen: list[tuple[str, dict[str, str]]] = []
    image_seen: list[tuple[str, dict[str, str]]] = []
    links: dict[str, str] = {}
    with ExitStack() as stack:
        links["image"] = stack.enter_context(serve(image_app(image_seen), host="127.0.0.3")) + "/img/1.jpg"
        base_url = stack.enter_context(serve(hostile_app(mode, api_seen, links)))
        yield base_url, api_seen, image_seen


def write_config(tmp_path: Path, base_url: str, budget: int = 25) -> Path:
    path = tmp_path / "hostile.toml"
    path.write_text(f"""
[cloudcard]
base_url = "{base_url}"
token_env = "HOSTILE_TOKEN"
photo_ids = ["1"]

[limits]
budget = {budget}
rate = 1000
max_bytes = {MAX_BYTES}
read_timeout = {READ_TIMEOUT}
connect_timeout = 2
retries = 0
deadline = {DEADLINE}
""", encoding="utf-8")
    return path


def live_run(tmp_path: Path, base_url: str) -> tuple[int, Run, str]:
    cfg = config.load(write_config(tmp_path, base_url), environ={"HOSTILE_TOKEN": TOKEN},
                      overrides={"target": "live", "report_dir": tmp_path / "reports", "examples": 2})
    out = io.StringIO()
    code, run = execute(cfg, out=out)
    return code, run, out.getvalue()


def assert_reports(report_dir: Path) -> dict:
    for name in REPORTS:
        assert (report_dir / name).is_file() and (report_dir / name).stat().st_size > 0, name
    ET.parse(report_dir / "junit.xml")
    return json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))


def assert_no_crash(report_dir: Path) -> None:
    """Every failed test failed with findings (fail_with), none with an exception of the tool."""
    for case in ET.parse(report_dir / "junit.xml").iter("testcase"):
        assert case.find("error") is None, ET.tostring(case, encoding="unicode")[:2000]
        failure = case.find("failure")
        if failure is not None:
            message = (failure.get("message") or "").removeprefix("Failed: ")
            assert message.split(" ", 1)[0] in {s.upper() for s in SEVERITIES}, message[:2000]


CASES = {
    "huge": "response_within_limits",
    "huge-chunked": "response_within_limits",
    "slow": "response_within_limits",
    "malformed": "response_schema_conformance",
    "redirect-loop": "response_within_limits",
    "garbage-image": "image_decodes",
}


@pytest.mark.parametrize("mode", list(CASES))
def test_hostile_answer_becomes_a_finding(tmp_path: Path, mode: str) -> None:
    with hostile(mode) as (base_url, api_seen, image_seen):
        code, run, output = live_run(tmp_path, base_url)
    checks = {f.check for f in run.findings}
    assert CASES[mode] in checks, (checks, output)
    assert code == 1, output
    summary = assert_reports(tmp_path / "reports")
    assert summary["target"] == "live" and not summary["conforms"]
    assert CASES[mode] in {f["check"] for f in summary["findings"]}
    assert_no_crash(tmp_path / "reports")
    assert run.targets["cloudcard"].session.requests_sent <= 25
    assert api_seen, "the hostile API was never called"
    for _, headers in image_seen:  # the image host is another origin: never the credential
        assert TOKEN not in json.dumps(headers)
    if mode == "garbage-image":
        assert image_seen, "the garbage image was never fetched"
    for name in REPORTS:
        assert TOKEN not in (tmp_path / "reports" / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("mode", ["drip", "hang"])
def test_a_dripping_or_hanging_api_ends_within_its_deadlines_with_a_finding(tmp_path: Path, mode: str) -> None:
    """A body dripped a byte at a time, or no answer at all, ends each request at the deadline: a
    response_within_limits finding, the API stops being asked after two such requests, the run ends."""
    started = time.monotonic()
    with hostile(mode) as (base_url, api_seen, _):
        code, run, output = live_run(tmp_path, base_url)
    elapsed = time.monotonic() - started
    late = [f for f in run.findings if f.check == "response_within_limits"]
    assert late and all("deadline" in f.message or "timed out" in f.message for f in late), output
    if mode == "drip":
        assert any("deadline" in f.message for f in late), output
    assert code == 1, output
    assert elapsed < 10 * DEADLINE + 10, f"{elapsed:.1f}s: {output}"
    summary = assert_reports(tmp_path / "reports")
    assert summary["verdict"] == "findings" and "in a row got no complete answer in time" in \
        summary["apis"]["cloudcard"]["diagnosis"]
    assert_no_crash(tmp_path / "reports")


def test_run_deadline_stops_every_api_and_still_reports(tmp_path: Path) -> None:
    with hostile("slow") as (base_url, _, _):
        path = write_config(tmp_path, base_url, budget=200)
        text = path.read_text(encoding="utf-8").replace(f"read_timeout = {READ_TIMEOUT}", "read_timeout = 5")
        text = text.replace(f"deadline = {DEADLINE}", "deadline = 5")  # each answer is slow, none too slow
        path.write_text(text + "run_deadline = 2\n", encoding="utf-8")
        cfg = config.load(path, environ={"HOSTILE_TOKEN": TOKEN},
                          overrides={"target": "live", "report_dir": tmp_path / "reports", "examples": 5})
        started = time.monotonic()
        code, run = execute(cfg, out=io.StringIO())
    assert time.monotonic() - started < 20
    assert code == 3  # slow but within every limit: the run's own deadline is no finding about the API
    summary = assert_reports(tmp_path / "reports")
    assert "run's deadline (2s) passed" in summary["apis"]["cloudcard"]["diagnosis"]


def test_interrupted_run_still_leaves_reports(tmp_path: Path) -> None:
    """SIGINT in the middle of a slow live run: exit 130, and all three reports are there."""
    report_dir = tmp_path / "reports"
    with hostile("slow") as (base_url, _, _):
        cfg = write_config(tmp_path, base_url, budget=200)
        # slow answers, each within the limits: the run goes on until it is interrupted
        text = cfg.read_text(encoding="utf-8").replace(f"read_timeout = {READ_TIMEOUT}", "read_timeout = 5")
        cfg.write_text(text.replace(f"deadline = {DEADLINE}", "deadline = 5"), encoding="utf-8")
        env = {**os.environ, "HOSTILE_TOKEN": TOKEN}
        lines: list[str] = []
        errors: list[str] = []
        progressed = threading.Event()
        # Closed (and waited for) by the with block whatever happens: an unclosed pipe's ResourceWarning would
        # surface in whichever later test of this process the garbage collector happens to run in.
        with subprocess.Popen(
                [sys.executable, "-m", "photo_contracts.cli", "run", "--target", "live", "--config", str(cfg),
                 "--report-dir", str(report_dir), "--examples", "5"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as process:

            def read() -> None:
                for line in process.stdout:  # type: ignore[union-attr]
                    lines.append(line)
                    if line.startswith("  cloudcard"):  # a first test has finished: the run is under way
                        progressed.set()

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            # stderr drained by a thread of its own: communicate() would close stdout under the reader's feet
            drain = threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)  # type: ignore[arg-type]
            drain.start()
            try:
                assert progressed.wait(60), "".join(lines)
                time.sleep(0.2)
                assert process.poll() is None, "the run ended before it could be interrupted"
                process.send_signal(signal.SIGINT)
                process.wait(timeout=60)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
                # The process is gone, so both pipes are at their end: each thread reads the rest and ends before
                # the block closes its pipe (closed under a reading thread, the pipe fails that thread instead).
                reader.join(60)
                drain.join(60)
    output, err = "".join(lines), "".join(errors)
    assert process.returncode == 130, (output, err)
    assert "Traceback" not in err + output
    summary = assert_reports(report_dir)
    assert summary["interrupted"] is True and summary["conforms"] is False
    for name in REPORTS:
        assert TOKEN not in (report_dir / name).read_text(encoding="utf-8")


def test_an_interrupt_that_lands_where_nothing_may_raise_still_stops_the_run(tmp_path: Path, capfd) -> None:
    """Python runs the SIGINT handler wherever the main thread is, a garbage-collector callback included
    (hypothesis times every collection): the KeyboardInterrupt raised there cannot propagate, Python prints it as
    'Exception ignored' and goes on. The run stops all the same (130, every report), and prints no traceback."""
    import gc

    from photo_contracts.sandbox import wrapping

    fired: list[str] = []

    def interrupt_in_a_gc_callback(phase: str, info: dict) -> None:
        if threading.current_thread() is threading.main_thread() and phase == "start" and not fired:
            fired.append(phase)
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(100):  # the handler runs at the next check of the main thread: here, in the callback
                pass

    def armed(api: str, app, profile):
        async def served(scope, receive, send) -> None:
            if scope.get("method") == "GET" and interrupt_in_a_gc_callback not in gc.callbacks:  # tests under way
                gc.callbacks.append(interrupt_in_a_gc_callback)
            await app(scope, receive, send)
        return served

    cfg = config.load(environ={}, overrides={"apis": ["autodesk"], "report_dir": tmp_path / "reports", "jobs": 1,
                                             "examples": 25})
    try:
        with wrapping(armed):
            code, run = execute(cfg, out=io.StringIO())
    finally:
        if interrupt_in_a_gc_callback in gc.callbacks:
            gc.callbacks.remove(interrupt_in_a_gc_callback)
    err = capfd.readouterr().err
    assert fired, "no garbage collection ran in the main thread during the run"
    assert code == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    summary = assert_reports(tmp_path / "reports")
    assert summary["interrupted"] is True
