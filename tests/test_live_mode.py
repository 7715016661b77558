"""Live mode against a sandbox started separately, as if it were the vendor: read-only, within
its budget, credential from the named variable, and conforming on a faithful sandbox."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import photo_contracts.sandbox as sandbox_module
from photo_contracts import config
from photo_contracts.apis import get_api
from photo_contracts.contracts import load_contract
from photo_contracts.operations import operations
from photo_contracts.runner import execute
from photo_contracts.sandbox import running
from photo_contracts.sandbox.server import ServerThread

pytestmark = pytest.mark.slow

BUDGET = 150
VENDOR_TOKEN = "vendor-issued-token-5e8f0c"


class Counting:
    """ASGI wrapper that records (method, path) of every HTTP request the 'vendor' serves."""

    def __init__(self, app: Any, seen: list[tuple[str, str]], lock: threading.Lock) -> None:
        self.app, self.seen, self.lock = app, seen, lock

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            with self.lock:
                self.seen.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)


@pytest.fixture
def vendor(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """`vendor(api)` starts that sandbox, counting every request it and its object store serve."""
    seen: list[tuple[str, str]] = []
    lock = threading.Lock()

    def counting_server(app: Any, sock: Any) -> ServerThread:
        return ServerThread(Counting(app, seen, lock), sock)

    monkeypatch.setattr(sandbox_module, "ServerThread", counting_server)

    def start(api: str) -> Any:
        return running(api, token=VENDOR_TOKEN)

    start.seen = seen  # type: ignore[attr-defined]
    yield start


def write_config(tmp_path: Path, api: str, base_url: str, ids: dict[str, Any]) -> Path:
    lines = [f"[{api}]", f'base_url = "{base_url}"', 'token_env = "VENDOR_TOKEN"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in ids.items()]
    lines += ["", "[limits]", f"budget = {BUDGET}", "rate = 1000"]
    path = tmp_path / "live.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_operations(api: str, base_path: str) -> list[tuple[str, Any]]:
    """(METHOD, path regex) of the contract's write and login operations, as the server sees them."""
    import re

    found = []
    for op in operations(load_contract(api)):
        if op.is_write or op.spec.get("security") == []:
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(base_path + op.path))
            found.append((op.method.upper(), re.compile(pattern + "$")))
    return found


@pytest.mark.parametrize("api", ["cloudcard", "visitor", "fulcrum", "autodesk"])
def test_live_run_against_a_faithful_vendor(tmp_path: Path, vendor: Any, api: str) -> None:
    module = get_api(api).emulator
    with vendor(api) as sandbox:
        sample = getattr(module, "sample_ids", None)
        ids = sample(sandbox.app) if sample else {}
        path = write_config(tmp_path, api, sandbox.base_url, ids)
        cfg = config.load(path, environ={"VENDOR_TOKEN": VENDOR_TOKEN},
                          overrides={"target": "live", "report_dir": tmp_path / "reports", "examples": 3})
        assert cfg.apis == (api,) and cfg.api_configs[api].token == VENDOR_TOKEN
        vendor.seen.clear()
        out = io.StringIO()
        code, run = execute(cfg, out=out)
        seen = list(vendor.seen)
    output = out.getvalue()
    target = run.targets[api]
    assert target.live and target.session.polite
    assert list(run.findings) == [], output
    assert code == 0, output
    assert run.stats[api].failed == 0 and run.stats[api].passed > 0, output
    # Budget: the session's count and what the vendor really served (less the reachability probe).
    assert target.session.requests_sent <= BUDGET
    served = len([s for s in seen if s[0] != "HEAD"])
    assert served == target.session.requests_sent  # every request went through the one client
    assert served <= BUDGET
    # Read-only: no write operation reached the vendor, and the suite says it skipped them.
    writes = write_operations(api, module.BASE_PATH)
    sent_writes = [(m, p) for m, p in seen for wm, rx in writes if m == wm and rx.match(p)]
    assert sent_writes == []
    assert not any(m in ("PUT", "PATCH", "DELETE") for m, _ in seen)
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text(encoding="utf-8"))
    assert summary["target"] == "live" and summary["conforms"] is True
    assert summary["apis"][api]["requests"] == target.session.requests_sent
    if writes:
        assert run.stats[api].skipped >= len(writes)
    for name in ("report.html", "junit.xml", "summary.json"):
        assert VENDOR_TOKEN not in (tmp_path / "reports" / name).read_text(encoding="utf-8")
    assert VENDOR_TOKEN not in output


def test_live_run_stops_at_its_budget(tmp_path: Path, vendor: Any) -> None:
    with vendor("cloudcard") as sandbox:
        path = write_config(tmp_path, "cloudcard", sandbox.base_url, {})
        path.write_text(path.read_text().replace(f"budget = {BUDGET}", "budget = 12"), encoding="utf-8")
        cfg = config.load(path, environ={"VENDOR_TOKEN": VENDOR_TOKEN},
                          overrides={"target": "live", "report_dir": tmp_path / "reports", "examples": 3})
        vendor.seen.clear()
        code, run = execute(cfg, out=io.StringIO())
        seen = list(vendor.seen)
    session = run.targets["cloudcard"].session
    assert session.budget_hit and session.requests_sent == 12
    assert len([s for s in seen if s[0] != "HEAD"]) == 12
    assert list(run.findings) == [] and run.stats["cloudcard"].failed == 0  # a spent budget is no finding
    # ... and no verdict either, unless what it reached first was enough to judge the images
    assert code in (0, 3)
    if code == 3:
        assert "budget (12) ran out first" in run.verdicts["cloudcard"].diagnosis
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text(encoding="utf-8"))
    assert summary["apis"]["cloudcard"]["budget_exhausted"] is True
