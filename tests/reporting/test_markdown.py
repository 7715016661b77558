"""summary.md: the verdict per API, folded findings worst first, drift counts, coverage and the command."""

from __future__ import annotations

import pytest
from reporting_helpers import COMMANDS, REVOKED, SANDBOX_TOKEN, VENDOR_TOKEN, fake_run, finding

from photo_contracts.reporting.markdown import code, summary_markdown, text
from photo_contracts.result import build


def row(markdown: str, api: str) -> list[str]:
    line = next(line for line in markdown.splitlines() if line.startswith("| ") and f"(`{api}`)" in line)
    return [cell.strip() for cell in line.strip("|").split("|")]


@pytest.mark.slow
def test_a_clean_run_conforms_per_api_with_its_coverage(clean_run):
    markdown = summary_markdown(build(clean_run), COMMANDS["clean"])
    assert markdown.startswith("## ✅ photo-contracts: conforms")
    title, verdict, requests, answers, successes, images, findings, drift = row(markdown, "fulcrum")
    assert verdict == "✅ **conforms**" and findings == "0: none" and drift == "none"
    totals = clean_run.ledger.totals("fulcrum")
    assert (int(answers), int(successes)) == (totals.answers, totals.successes) and successes != "0"
    assert int(requests) == clean_run.targets["fulcrum"].session.requests_sent
    assert images == f"{totals.images_decoded}/{totals.images_fetched}"
    assert f"```sh\n{COMMANDS['clean']}\n```" in markdown
    assert SANDBOX_TOKEN not in markdown


@pytest.mark.slow
def test_a_drifted_run_lists_its_finding_folded_with_its_source(drifted_run):
    markdown = summary_markdown(build(drifted_run), COMMANDS["drifted"])
    assert markdown.startswith("## ❌ photo-contracts: findings")
    cells = row(markdown, "fulcrum")
    assert cells[1] == "❌ **findings**" and cells[6] == "1: 1 breaking" and cells[7] == "1 breaking"
    seen = next(f for f in drifted_run.findings if f.check == "image_matches_content_type").occurrences
    assert (f"1. **breaking** `image_matches_content_type` on `GET /v2/photos/{{id}}.jpg` (fulcrum) · ×{seen} "
            "occurrences" in markdown)
    assert "_Documented (fulcrum-openapi-photos" in markdown
    assert "### Drift against the contract (1)" in markdown
    assert SANDBOX_TOKEN not in markdown


@pytest.mark.slow
def test_an_inconclusive_run_gives_the_diagnosis(inconclusive_run):
    markdown = summary_markdown(build(inconclusive_run), COMMANDS["inconclusive"])
    assert row(markdown, "fulcrum")[1] == "⚠️ **inconclusive**"
    assert "> fulcrum: every request answered 401: the credential in VENDOR\\_TOKEN is rejected" in markdown
    assert "not reported: the rejected credential explains them" in markdown
    assert REVOKED not in markdown and VENDOR_TOKEN not in markdown


def test_what_the_api_sent_cannot_break_the_markdown():
    hostile = "Received <img src=x> | `tick` [link](http://x) s3cr3t\nsecond line / Documented: integer"
    run = fake_run([finding(hostile)])
    markdown = summary_markdown(run, "photo-contracts run --api demo")
    item = next(line for line in markdown.splitlines() if line.startswith("   Received"))
    assert "\\<img src=x\\>" in item and "\\|" in item and "\\`tick\\`" in item and "\\[link\\]" in item
    assert "s3cr3t" not in markdown and "second line" in item
    assert "| Demo \\<API\\> (`demo`) | ❌ **findings** |" in markdown
    assert text("a" * 500).endswith("…") and code("a`b") == "``a`b``"
