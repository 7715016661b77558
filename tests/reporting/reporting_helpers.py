"""Shared by the reporting tests: real runs of the Fulcrum suite, a small HTML reader, a stand-in run."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from photo_contracts import config
from photo_contracts.coverage import Ledger
from photo_contracts.findings import Finding, Findings
from photo_contracts.judge import Documented
from photo_contracts.result import build
from photo_contracts.runner import execute
from photo_contracts.sandbox import running
from photo_contracts.verdict import ApiVerdict

SANDBOX_TOKEN = "sandbox-secret-5c1d2e77"  # the token of the sandbox runs: no report may show it
VENDOR_TOKEN = "vendor-issued-token-7d21a9"  # what the live 'vendor' accepts
REVOKED = "revoked-token-000-b4f1"  # what the live run sends (and the vendor rejects)
COMMANDS = {
    "clean": "photo-contracts run --api fulcrum --seed 0 --examples 4",
    "drifted": "photo-contracts run --api fulcrum --sandbox-drift fulcrum-jpg-is-png --seed 0 --examples 4",
    "inconclusive": "photo-contracts run --api fulcrum --target live --config live.toml --examples 2",
}


def sandbox_run(directory: Path, drift: str | None = None) -> Any:
    cfg = config.load(environ={}, overrides={"apis": ["fulcrum"], "sandbox_drift": drift, "report_dir": directory,
                                             "examples": 4, "sandbox_token": SANDBOX_TOKEN})
    _, run = execute(cfg, out=io.StringIO())
    return run


def live_rejected_run(directory: Path) -> Any:
    """A live run against a sandbox started as the 'vendor', with a credential the vendor rejects."""
    with running("fulcrum", token=VENDOR_TOKEN) as vendor:
        path = directory / "live.toml"
        path.write_text(f'[fulcrum]\nbase_url = "{vendor.base_url}"\ntoken_env = "VENDOR_TOKEN"\n'
                        "[limits]\nbudget = 120\nrate = 1000\nretries = 0\n", encoding="utf-8")
        cfg = config.load(path, overrides={"target": "live", "report_dir": directory / "reports", "examples": 2},
                          environ={"VENDOR_TOKEN": REVOKED})
        _, run = execute(cfg, out=io.StringIO())
    return run


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None = None) -> None:
        self.tag, self.attrs, self.parts, self.parent = tag, attrs, [], parent

    def inside(self, root: Element) -> bool:
        node = self.parent
        while node is not None:
            if node is root:
                return True
            node = node.parent
        return False

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class Page(HTMLParser):
    """Every element of an HTML page with its attributes and its text (descendants' included)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self._open[-1] if self._open else None)
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.parts.append(data)

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Element]:
        return [e for e in self.elements if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)
                and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def within(self, root: Element) -> list[Element]:
        """Every element inside `root`, in document order."""
        return [e for e in self.elements if e.inside(root)]

    def one(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element:
        found = self.find(tag, cls, **attrs)
        assert len(found) == 1, (tag, cls, attrs, len(found))
        return found[0]


def fake_run(findings: list[Finding], *, interrupted: bool = False) -> Any:
    """Just what a result is built from (result.RunLike), for findings no real run makes: the result."""
    collected = Findings()
    for finding in findings:
        collected.add(finding)
    ledger = Ledger()
    ledger.answer("demo", "GET /x", 200, success=True, auth_rejected=False)
    ledger.check("demo", "GET /x", "response_schema_conformance", "applied")
    ledger.check("demo", "GET /x", "image_decodes", "skipped", "disabled in the configuration")
    target = SimpleNamespace(api=SimpleNamespace(title="Demo <API>"), base_url="http://127.0.0.1:1/api", live=False,
                             session=SimpleNamespace(requests_sent=1, budget_hit=False), contract={})
    run = SimpleNamespace(
        findings=collected, ledger=ledger, targets={"demo": target}, verdicts={"demo": ApiVerdict("findings")},
        explained={}, explained_by={}, stats={}, documented={"demo": [Documented("GET /x", True, False, False, False)]},
        drift=[{"api": "demo", "operation": "GET /x", "kind": "type-change", "path": "$.a", "severity": "breaking",
                "detail": "Received `string` / Documented: `integer`"}],
        config=SimpleNamespace(seed=7, target="sandbox", sandbox_drift=None, examples=3, strict=False, replay=None),
        redactor=SimpleNamespace(text=lambda s: s.replace("s3cr3t", "[REDACTED]")), images={})
    return build(run, interrupted=interrupted)


def finding(message: str, **extra: Any) -> Finding:
    return Finding(api="demo", operation="GET /x", check="response_schema_conformance", severity="breaking",
                   message=message, source={"kind": "assumed", "reason": "a <b>bold</b> reading"}, **extra)
