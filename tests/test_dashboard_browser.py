"""The dashboard of a drifted run in a real browser (Debian's chromium, driven by Playwright) at 1280x800: the
verdicts and the counts of summary.json are visible above the fold, and nothing overflows horizontally.

Without chromium or Playwright the tests skip with the reason; where PC_REQUIRE_BROWSER is set (.ci/run sets it),
that is a failure instead.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from photo_contracts import config
from photo_contracts.runner import execute

# What the page must show of each API above the fold: (the words after the number on the page, the API's key in
# summary.json's counts).
COUNTS = [
    pytest.param("requests", "requests", id="requests"),
    pytest.param("answers", "answers", id="answers"),
    pytest.param("images decoded", "images_decoded", id="images_decoded"),
    pytest.param("findings", "findings", id="findings"),
]

VIEWPORT = {"width": 1280, "height": 800}
APIS = ["fulcrum", "visitor"]
DRIFT = "fulcrum-jpg-is-png"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# as root, on a machine without network: no sandbox, no GPU, nothing that calls home
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOW_TO_GET = "the browser test needs Debian's chromium (apt-get install chromium) and playwright (the test extra)"

pytestmark = pytest.mark.slow

# The deepest elements whose rendered text (innerText: CSS text-transform applied) matches `pattern`, inside
# `scope` (a selector; the whole body if null) and outside `outside`, with their boxes in the viewport.
FIND = """([scope, outside, pattern]) => {
  const re = new RegExp(pattern, "i");
  const roots = scope ? [...document.querySelectorAll(scope)] : [document.body];
  const seen = new Set(), found = [];
  for (const root of roots) {
    for (const el of [root, ...root.querySelectorAll("*")]) {
      if (seen.has(el)) continue;
      seen.add(el);
      if (outside && el.closest(outside)) continue;
      if (!re.test(el.innerText || "") || [...el.children].some(c => re.test(c.innerText || ""))) continue;
      const r = el.getBoundingClientRect();
      found.push({element: el.tagName.toLowerCase() + (el.className ? "." + el.className.split(" ").join(".") : ""),
                  text: (el.innerText || "").slice(0, 160), top: r.top, bottom: r.bottom, left: r.left,
                  right: r.right, width: r.width, height: r.height,
                  visible: el.checkVisibility({opacityProperty: true, visibilityProperty: true})});
    }
  }
  return found;
}"""

# The page's widths, and every element that reaches out of the viewport sideways and is not inside a container
# that scrolls it (overflow-x auto or scroll).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth, wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || (r.left >= -0.5 && r.right <= width + 0.5)) continue;
    let held = false;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(a).overflowX)) { held = true; break; }
    }
    if (!held) wide.push(el.tagName.toLowerCase() + (el.className ? "." + el.className.split(" ").join(".") : "")
                         + " spans " + Math.round(r.left) + ".." + Math.round(r.right));
  }
  return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width, innerWidth: window.innerWidth,
          wide: wide};
}"""


def unavailable(reason: str) -> NoReturn:
    """Skip where the browser is missing; fail where CI requires it."""
    message = f"{reason}: {HOW_TO_GET}"
    if os.environ.get("PC_REQUIRE_BROWSER"):
        pytest.fail(f"PC_REQUIRE_BROWSER is set but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reports of one run of two APIs, Fulcrum drifted (findings) and the visitor API not (conforms)."""
    directory = tmp_path_factory.mktemp("browser")
    cfg = config.load(environ={}, overrides={"apis": APIS, "sandbox_drift": DRIFT, "report_dir": directory,
                                             "examples": 3, "seed": 0})
    code, _ = execute(cfg, out=io.StringIO())
    assert code == 1, f"the drifted run should end with findings (exit 1), not {code}"
    return directory


@pytest.fixture(scope="module")
def summary(reports: Path) -> dict[str, Any]:
    return json.loads((reports / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    """Playwright's driver, once it and chromium are known to be here (checked before the run is made)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"no chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def page(driver: Any, reports: Path) -> Iterator[Any]:
    """index.html of the drifted run, open in headless chromium at 1280x800 (a screenshot beside it)."""
    browser = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    try:
        tab = browser.new_page(viewport=VIEWPORT)
        tab.goto((reports / "index.html").as_uri(), wait_until="load")
        tab.screenshot(path=reports / "above-the-fold.png")
        print(f"screenshot: {reports / 'above-the-fold.png'}")
        yield tab
    finally:
        browser.close()


def count(api: dict[str, Any], key: str) -> int:
    """An API's count in summary.json, the reference: in its `counts`."""
    return int(api["counts"][key])


def above_the_fold(box: dict[str, Any]) -> bool:
    return (box["visible"] and box["width"] > 0 and box["height"] > 0 and box["top"] >= 0
            and box["bottom"] <= VIEWPORT["height"] and box["left"] >= 0 and box["right"] <= VIEWPORT["width"])


def assert_shown(page: Any, pattern: str, what: str, *, scope: str | None = None, outside: str | None = None) -> None:
    found = page.evaluate(FIND, [scope, outside, pattern])
    seen = [f"{b['element']} at y={b['top']:.0f}..{b['bottom']:.0f}, visible={b['visible']}: {b['text']!r}"
            for b in found]
    assert any(above_the_fold(b) for b in found), (
        f"{what} is not visible in the first {VIEWPORT['height']}px at {VIEWPORT['width']}px wide; "
        f"elements matching /{pattern}/ in {scope or 'the page'}: {seen or 'none'}")


def words(label: str) -> str:
    """A label as a pattern: any amount of white space between words, singular or plural."""
    return r"\s+".join(re.escape(word.removesuffix("s")) + "s?" for word in label.split())


def test_the_verdicts_are_visible_above_the_fold(page, summary):
    assert summary["verdict"] == "findings" and set(summary["apis"]) == set(APIS)
    # the overall verdict is outside any one API's part of the page
    assert_shown(page, rf"^\s*{summary['verdict']}\s*$", f"the verdict {summary['verdict']!r}", outside="[data-api]")
    for name, api in summary["apis"].items():
        assert_shown(page, rf"^\s*{api['verdict']}\s*$", f"{name}'s verdict {api['verdict']!r}",
                     scope=f'[data-api="{name}"]')


@pytest.mark.parametrize(("label", "key"), COUNTS)
def test_each_count_of_summary_json_is_visible_above_the_fold(page, summary, label, key):
    for name, api in summary["apis"].items():
        number = count(api, key)
        # "152 answers", "170/170 images decoded", or the label first: "answers: 152"
        pattern = rf"(?<![\d/]){number}(?:/\d+)?\s+{words(label)}\b|\b{words(label)}:?\s+{number}(?![\d/])"
        assert_shown(page, pattern, f"{name}'s {key} = {number} from summary.json", scope=f'[data-api="{name}"]')


def test_nothing_overflows_horizontally(page):
    widths = page.evaluate(OVERFLOW)
    assert widths["scrollWidth"] <= widths["clientWidth"] <= widths["innerWidth"], widths
    assert not widths["wide"], f"wider than the viewport, outside any scrolling container: {widths['wide']}"
