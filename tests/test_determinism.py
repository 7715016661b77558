"""A seed means one run: the same requests, the same coverage and the same verdict in any process, whatever ran
in it before (other APIs, other seeds, a drift profile) and whatever it leaves behind while the run goes on."""

from __future__ import annotations

import gc
import hashlib
import io
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from photo_contracts import config, http
from photo_contracts.runner import execute
from photo_contracts.sandbox import wrapping

pytestmark = pytest.mark.slow

API, SEED, EXAMPLES = "autodesk", 20240601, 3


def _request(request: Any) -> str:
    """One request as a line: method, path, query and JSON body; not the port, the credential or a signed URL's
    date and signature, which change from run to run."""
    url = urlsplit(request.url)
    query = urlencode([(k, v) for k, v in parse_qsl(url.query, keep_blank_values=True) if not k.startswith("X-Amz-")])
    body = request.body or b""
    body = body.encode() if isinstance(body, str) else body
    json_body = "json" in request.headers.get("Content-Type", "")
    return f"{request.method} {url.path}{'?' + query if query else ''}" + (
        f" {hashlib.sha256(body).hexdigest()[:12]}" if json_body and body else "")


def observe(report_dir: Path, api: str = API, *, seed: int = SEED, drift: str | None = None) -> dict[str, Any]:
    """Run one API on its sandbox in this process; what it sent, what it reached and what it decided."""
    sent: list[str] = []
    original = http.ApiSession.send

    def send(self: http.ApiSession, request: Any, **kwargs: Any) -> Any:
        sent.append(_request(request))
        return original(self, request, **kwargs)

    cfg = config.load(environ={}, overrides={"apis": [api], "seed": seed, "sandbox_drift": drift, "jobs": 1,
                                             "examples": EXAMPLES, "report_dir": report_dir})
    http.ApiSession.send = send  # type: ignore[method-assign]
    try:
        code, run = execute(cfg, out=io.StringIO())
    finally:
        http.ApiSession.send = original  # type: ignore[method-assign]
    return {"code": code, "verdict": repr(run.verdicts.get(api)), "coverage": run.ledger.as_dict(api),
            "findings": sorted([f.check, f.operation] for f in run.findings), "requests": sent}


def assert_same(again: dict[str, Any], first: dict[str, Any]) -> None:
    assert again["requests"] == first["requests"], "the same seed sent other requests"
    assert again["coverage"] == first["coverage"]
    assert (again["code"], again["verdict"], again["findings"]) == (first["code"], first["verdict"], first["findings"])


def test_a_seed_runs_the_same_whatever_ran_before_it(tmp_path: Path) -> None:
    first = observe(tmp_path / "first")
    assert first["code"] == 0 and first["requests"], first["verdict"]
    observe(tmp_path / "another-api", "visitor", seed=0)
    observe(tmp_path / "another-seed", seed=7)
    observe(tmp_path / "a-drift-profile", "visitor", seed=0, drift="visitor-thumbnail-as-png")
    observe(tmp_path / "its-own-drift-profile", drift="autodesk-limit-ignored")
    assert_same(observe(tmp_path / "again"), first)


def test_a_fresh_process_runs_the_same_seed_the_same(tmp_path: Path) -> None:
    here = observe(tmp_path / "here")
    script = (f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import test_determinism as t; "
              f"from pathlib import Path; print(json.dumps(t.observe(Path({str(tmp_path / 'fresh')!r}))))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert_same(json.loads(done.stdout.splitlines()[-1]), json.loads(json.dumps(here)))


class Leak:
    """A socket nobody closes, in a reference cycle: only the garbage collector ends it, whenever it runs."""

    def __init__(self) -> None:
        self.cycle = self
        self.sock = socket.socket()


def test_garbage_the_process_collects_meanwhile_is_not_judged(tmp_path: Path) -> None:
    """Under this suite's `filterwarnings = error`, a socket some other code left unclosed, finalized by the
    garbage collector while a conformance test runs, raises its ResourceWarning in that test. It is not the
    API's doing, and whether the collector runs then depends on what the process did before: the run judges the
    API the same either way."""
    first = observe(tmp_path / "first")
    collected: list[str] = []

    def meanwhile(api: str, app: Any, profile: Any) -> Any:
        async def served(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("method") == "GET" and not collected:  # the run's first GET: its tests are under way
                Leak()
                gc.collect()
                collected.append(scope["path"])
            await app(scope, receive, send)
        return served

    with wrapping(meanwhile):
        again = observe(tmp_path / "again")
    assert collected, "the sandbox was never asked"
    assert_same(again, first)
