"""Calibrated inconclusive: an unreached operation that is only our assumption is a coverage gap, listed with
its fix, and never hides the judgement of what the vendor documents; a documented one still blocks."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import requests
from starlette.responses import JSONResponse

from photo_contracts import config
from photo_contracts.apis import get_api
from photo_contracts.cli import main
from photo_contracts.runner import execute
from photo_contracts.sandbox import running

pytestmark = pytest.mark.slow

VENDOR_TOKEN = "calibrated-vendor-token-93a1"


def without(prefix: str, app: Any) -> Any:
    """The emulator, but every path under `prefix` answers 404 (a deployment without that operation)."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith(prefix):
            await JSONResponse({"message": "Not Found"}, status_code=404)(scope, receive, send)
            return
        await app(scope, receive, send)

    return wrapped


@pytest.fixture
def vendor(monkeypatch: pytest.MonkeyPatch) -> Any:
    """CloudCard as a server that implements only the operations the vendor documents with its own words."""
    emulator = get_api("cloudcard").emulator
    create = emulator.create_app
    monkeypatch.setattr(emulator, "create_app", lambda ctx: without("/organization/", create(ctx)))
    with running("cloudcard", token=VENDOR_TOKEN) as sandbox:
        yield sandbox


def live_config(tmp_path: Path, vendor: Any) -> Path:
    first = requests.get(f"{vendor.base_url}/photo?max=1", headers=vendor.auth_headers(), timeout=5).json()[0]["id"]
    path = tmp_path / "live.toml"
    path.write_text(f'[cloudcard]\nbase_url = "{vendor.base_url}"\ntoken_env = "CC_TOKEN"\nphoto_ids = [{first}]\n'
                    "[limits]\nrate = 1000\nretries = 0\n", encoding="utf-8")
    return path


def test_an_unreached_assumed_operation_is_a_gap_not_a_verdict(tmp_path, vendor):
    cfg = config.load(live_config(tmp_path, vendor), environ={"CC_TOKEN": VENDOR_TOKEN},
                      overrides={"target": "live", "report_dir": tmp_path / "r", "examples": 2, "jobs": 1})
    out = io.StringIO()
    code, run = execute(cfg, out=out)
    console = out.getvalue()
    assert code == 0 and run.verdicts["cloudcard"].verdict == "conforms", console
    summary = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))
    gaps = {g["operation"]: g for g in summary["apis"]["cloudcard"]["gaps"]}
    organization = gaps["GET /organization/{id}"]
    assert organization["sourced"] is False and organization["blocks_verdict"] is False
    assert "404" in organization["reason"] and organization["fix"]
    assert "GET /organization/{id}" in console and "coverage gaps, not a verdict" in console
    markdown = (tmp_path / "r" / "summary.md").read_text(encoding="utf-8")
    assert "### Coverage gaps" in markdown and "GET /organization/{id}" in markdown
    # the writes a live run leaves out are gaps too, with the fix that would reach them
    assert "--allow-writes" in gaps["PUT /photo/{id}"]["fix"]


def test_drift_still_compares_what_it_observed(tmp_path, vendor):
    """A nightly drift job on that deployment keeps judging: it writes its history and exits 0, not 3."""
    path = live_config(tmp_path, vendor)
    import os

    os.environ["CC_TOKEN"] = VENDOR_TOKEN
    try:
        code = main(["drift", "--target", "live", "--config", str(path), "--examples", "2", "--jobs", "1",
                     "--baseline", str(tmp_path / "baseline.json"), "--report-dir", str(tmp_path / "r")])
    finally:
        del os.environ["CC_TOKEN"]
    assert code == 0
    assert (tmp_path / "baseline.history.jsonl").exists() and (tmp_path / "r" / "drift.json").exists()


def test_a_documented_read_that_only_answered_404_still_blocks(tmp_path, monkeypatch):
    """The other direction: GET /photo/{id} is the vendor's own (Get a Photo); unreached, it blocks "conforms"
    (here the listing's photos that the detail does not know are also a finding, which outranks inconclusive)."""
    emulator = get_api("cloudcard").emulator
    create = emulator.create_app
    monkeypatch.setattr(emulator, "create_app", lambda ctx: without("/photo/", create(ctx)))
    with running("cloudcard", token=VENDOR_TOKEN) as sandbox:
        path = tmp_path / "live.toml"
        path.write_text(f'[cloudcard]\nbase_url = "{sandbox.base_url}"\ntoken_env = "CC_TOKEN"\nphoto_ids = [1]\n'
                        "[limits]\nrate = 1000\nretries = 0\n", encoding="utf-8")
        cfg = config.load(path, environ={"CC_TOKEN": VENDOR_TOKEN},
                          overrides={"target": "live", "report_dir": tmp_path / "r", "examples": 2, "jobs": 1})
        code, run = execute(cfg, out=io.StringIO())
    verdict = run.verdicts["cloudcard"]
    assert code in (1, 3) and verdict.verdict != "conforms"
    assert any(g.blocks and g.operation == "GET /photo/{id}" for g in verdict.gaps)
    run.findings.discard(lambda f: True)  # judged again without the findings: the gap alone makes it inconclusive
    run.finish()
    verdict = run.verdicts["cloudcard"]
    assert verdict.verdict == "inconclusive" and "GET /photo/{id}" in verdict.diagnosis and "404" in verdict.diagnosis
