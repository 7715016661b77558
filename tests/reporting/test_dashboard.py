"""The conformance dashboard: verdict banner, operation x check matrix, folded findings with their evidence,
image gallery, reproduction and environment; for a clean, a drifted and an inconclusive run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from reporting_helpers import COMMANDS, REVOKED, SANDBOX_TOKEN, VENDOR_TOKEN, Page, fake_run, finding

from photo_contracts.findings import Findings
from photo_contracts.reporting.dashboard import fold, write_dashboard
from photo_contracts.result import build

JPG = "GET /v2/photos/{id}.jpg"
STATES = {"passed", "finding", "not_applicable", "not_reached"}


def dashboard(run: Any, name: str, tmp_path: Path) -> tuple[str, Page]:
    path = tmp_path / "index.html"
    write_dashboard(build(run), path, command=COMMANDS[name], log_name="report.html")
    html = path.read_text(encoding="utf-8")
    return html, Page(html)


def assert_self_contained(html: str, page: Page) -> None:
    assert not page.find("script") and "<script" not in html
    assert not [e for e in page.find("link") if e.attrs.get("rel") == "stylesheet"]
    assert all(e.attrs["src"].startswith("data:image/png;base64,") for e in page.find("img"))
    assert page.one("a", cls="log-link").attrs["href"] == "report.html"


@pytest.mark.slow
def test_a_drifted_run_shows_the_broken_operation_check_and_why_first(drifted_run, tmp_path):
    html, page = dashboard(drifted_run, "drifted", tmp_path)
    assert_self_contained(html, page)
    banner = page.one("header", cls="banner")
    assert banner.attrs["data-verdict"] == "findings"
    assert "1 breaking" in page.one("li", cls="sev-breaking").text
    top = page.one("ol", cls="top").text
    assert "image_matches_content_type" in top and JPG in top
    # the closest promise: the vendor's own OpenAPI says this operation answers image/jpeg
    assert "Received" in top and "image/png" in top and "Documented (fulcrum-openapi-photos" in top
    # above the fold: the banner names it before the matrix, the findings or the gallery begin
    assert html.index("image_matches_content_type") < html.index('id="matrix"')

    cell = page.one("td", data_operation=JPG, data_check="image_matches_content_type")
    assert cell.attrs["data-state"] == "finding" and cell.text == "breaking"
    assert page.one("td", data_operation=JPG, data_check="content_type_conformance").attrs["data-state"] == "passed"
    assert {c.attrs["data-state"] for c in page.find("td", cls="cell")} <= STATES
    assert JPG in page.one("tr", cls="broken").attrs["data-operation"]

    finding = page.one("article", cls="finding", data_check="image_matches_content_type")
    assert finding.attrs["data-operation"] == JPG and finding.attrs["data-severity"] == "breaking"
    seen = next(f for f in drifted_run.findings if f.check == "image_matches_content_type").occurrences
    assert seen > 1 and f"×{seen} occurrences" in finding.text  # one finding, each image that broke it counted
    assert "Documented (fulcrum-openapi-photos" in finding.text
    assert "Received image/png" in finding.text and "Documented Content-Type image/jpeg" in finding.text
    assert "curl -X GET" in finding.text and "[REDACTED]" in finding.text
    assert "HTTP 200" in finding.text  # the response excerpt
    assert len(page.find("a", href="#" + finding.attrs["id"])) == 2  # from the banner and from the matrix cell

    images = page.find("li", cls="image")
    assert images and all(i.attrs["data-size"] for i in images)
    served_as = [i for i in images if "problem" in i.classes]
    assert served_as and all(i.attrs["data-format"] == "PNG" and "served as image/jpeg" in i.text for i in served_as)
    assert "drift profile" in banner.text and "fulcrum-jpg-is-png" in banner.text
    assert COMMANDS["drifted"] in page.one("pre", cls="command").text
    assert SANDBOX_TOKEN not in html


@pytest.mark.slow
def test_a_clean_run_conforms_with_a_gallery_and_the_environment(clean_run, tmp_path):
    html, page = dashboard(clean_run, "clean", tmp_path)
    assert_self_contained(html, page)
    assert page.one("header", cls="banner").attrs["data-verdict"] == "conforms"
    assert page.one("li", cls="api-verdict", data_api="fulcrum").attrs["data-verdict"] == "conforms"
    states = {c.attrs["data-state"] for c in page.find("td", cls="cell")}
    assert "finding" not in states and "passed" in states and states <= STATES
    assert not page.find("article", cls="finding")
    images = page.find("li", cls="image")
    assert images and {i.attrs["data-format"] for i in images} == {"JPEG"}
    first = images[0]
    width, height = first.attrs["data-size"].split("x")
    assert f"JPEG {width}×{height}" in first.text
    environment = page.one("footer").text
    for words in ("Python", "Platform", "photo-contracts", "schemathesis"):
        assert words in environment
    assert SANDBOX_TOKEN not in html


@pytest.mark.slow
def test_an_inconclusive_run_gives_its_diagnosis_and_claims_no_pass(inconclusive_run, tmp_path):
    html, page = dashboard(inconclusive_run, "inconclusive", tmp_path)
    assert_self_contained(html, page)
    assert page.one("header", cls="banner").attrs["data-verdict"] == "inconclusive"
    api = page.one("li", cls="api-verdict", data_api="fulcrum")
    assert api.attrs["data-verdict"] == "inconclusive"
    assert "every request answered 401" in api.text and "the credential in VENDOR_TOKEN is rejected" in api.text
    assert "not reported: the rejected credential explains them" in api.text
    # every answer rejected the credential: nothing passed
    assert "passed" not in {c.attrs["data-state"] for c in page.find("td", cls="cell")}
    assert REVOKED not in html and VENDOR_TOKEN not in html


def test_one_promise_at_one_place_is_one_finding_with_its_occurrences():
    found = [finding("Received 12 for http://h/a/1 / Documented: integer", json_path="$.a"),
             finding("Received 13 for http://h/a/2 / Documented: integer", json_path="$.a"),
             finding("Received 13 for http://h/a/2 / Documented: integer", json_path="$.a"),
             finding("Received null / Documented: integer", json_path="$.b")]
    collected = Findings()
    assert [collected.add(f) for f in found] == [True, False, False, True]
    folded = fold(list(collected))
    assert [g.occurrences for g in folded] == [3, 1]
    assert folded[0].messages == [found[0].message, found[1].message]


def test_what_the_api_sent_is_escaped_never_markup(tmp_path):
    run = fake_run([finding("Received <script>alert(1)</script> s3cr3t / Documented: integer", json_path="$.a")])
    path = tmp_path / "index.html"
    write_dashboard(run, path, command="photo-contracts run --api demo --seed 7")  # a result already
    html = path.read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Demo &lt;API&gt;" in html and "a &lt;b&gt;bold&lt;/b&gt; reading" in html
    assert "s3cr3t" not in html
    page = Page(html)
    assert page.one("td", data_check="image_decodes").text == "skipped"
    assert page.one("td", data_check="response_schema_conformance").text == "breaking"
    assert "<code>string</code>" in html  # drift details render their backticks as code


def test_an_interrupted_run_says_so_in_the_banner(tmp_path):
    path = tmp_path / "index.html"
    write_dashboard(fake_run([], interrupted=True), path, command="photo-contracts run")
    page = Page(path.read_text(encoding="utf-8"))
    banner = page.one("header", cls="banner")
    assert banner.attrs["data-verdict"] == "interrupted" and "interrupted" in banner.text
