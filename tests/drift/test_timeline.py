"""drift-timeline.html: details in the page (not only in tooltips), runs linked to their reports,
readable colours; self-contained, no script."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from photo_contracts.drift import timeline

LIST, DETAIL = "GET /v2/photos", "GET /v2/photos/{id}"
NEW = "fulcrum | GET /v2/photos | type-change | 200 application/json | $.photos[*].file_size | string"
GONE = "fulcrum | GET /v2/photos/{id} | undocumented-field | 200 application/json | $.photo.extra | "


def entry(n: int, report_dir: Path | None = None, **extra) -> dict:
    counts = {"fulcrum": {LIST: {"breaking": 0, "warning": 0, "info": 0},
                          DETAIL: {"breaking": 0, "warning": 0, "info": 0}}}
    made = {"time": f"2026-11-{n:02d}T20:50:00Z", "target": "sandbox", "seed": 7, "counts": counts,
            "new": [], "disappeared": [], "exit_code": 0, "baseline_updated": False, **extra}
    if report_dir is not None:
        made["report_dir"] = str(report_dir)
    return made


def history(tmp_path: Path) -> list[dict]:
    drifted = entry(2, tmp_path / "reports" / "r2", new=[NEW], disappeared=[GONE], exit_code=1,
                    sandbox_drift="fulcrum-file-size-as-string")
    drifted["counts"]["fulcrum"][LIST]["breaking"] = 1
    return [entry(1, tmp_path / "reports" / "r1", baseline_updated=True), drifted,
            entry(3, tmp_path / "reports" / "r3")]


class Text(HTMLParser):
    """The page as a reader without CSS, tooltips or JavaScript sees it."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_details_are_in_the_page_not_only_in_tooltips(tmp_path):
    out = tmp_path / "reports" / "r3" / "drift-timeline.html"
    timeline.write(out, history(tmp_path))
    text = visible(out.read_text())
    assert "1 +1" in text  # the cell: one entry, one of them new
    run2 = text[text.index("#2 2026-11-02T20:50:00Z"):text.index("#1 2026-11-01")]
    assert "drift profile fulcrum-file-size-as-string, seed 7" in run2 and "exit 1" in run2
    assert "1 new entry" in run2 and "GET /v2/photos type-change at 200 application/json $.photos[*].file_size" in run2
    assert "(observed string)" in run2
    assert "1 disappeared entry" in run2 and "undocumented-field at 200 application/json $.photo.extra" in run2
    assert "baseline updated" in text and "nothing new or disappeared" in text
    assert text.index("#3 2026-11-03") < text.index("#2 2026-11-02") < text.index("#1 2026-11-01")  # newest first


def test_runs_link_to_their_reports_relative_to_the_timeline(tmp_path):
    out = tmp_path / "reports" / "r3" / "drift-timeline.html"
    timeline.write(out, history(tmp_path))
    html = out.read_text()
    links = set(re.findall(r"href='([^']*)'", html))
    assert {"../r1/index.html", "../r2/index.html", "index.html", "#run-2"} == links
    assert "<script" not in html and "src=" not in html and "<link" not in html


def test_a_report_directory_reused_by_a_later_run_links_only_from_that_run(tmp_path):
    same = tmp_path / "reports" / "nightly"
    entries = [entry(1, same), entry(2, same)]
    html = timeline.render(entries, at=same)
    assert re.findall(r"href='([^']*)'", html) == ["index.html", "index.html"]  # run #2: header and details row
    assert "report replaced by a later run" in visible(html)


def test_entries_without_a_report_directory_have_no_link(tmp_path):
    html = timeline.render([entry(1), entry(2)], at=tmp_path)
    assert "href=" not in html and "report replaced" not in html
    assert "2 runs" in visible(html) and "1 run," in visible(timeline.render([entry(1)]))


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_colour_has_readable_text():
    for level in timeline.LEVELS:
        assert _contrast(timeline.COLOURS[level], timeline.TEXT[level]) >= 4.5, level
    html = timeline.render([entry(1)])
    legend = html[html.index("class='legend'"):html.index("</p>", html.index("class='legend'"))]
    assert f"background:{timeline.COLOURS['absent']};color:{timeline.TEXT['absent']}" in legend
    assert "not observed" in legend


def test_an_operation_not_observed_in_a_run_says_so(tmp_path):
    first = entry(1)
    first["counts"]["fulcrum"].pop(DETAIL)
    text = visible(timeline.render([first, entry(2)]))
    assert "–" in text
