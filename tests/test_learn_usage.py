"""Learning the usage from the integration's own tests: the tiny client of docs/examples reads exactly the
thumbnail URL of the photos it lists, and sends per_page."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from photo_contracts.cli import main
from photo_contracts.learn import deepest, learn
from photo_contracts.usage import parse

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
TINY_CLIENT = {"fulcrum": {"GET /v2/photos.json": {"reads": ["$.photos[*].thumbnail"], "params": ["per_page"]}}}


@pytest.fixture(scope="module")
def learned() -> tuple[dict, dict]:
    return learn([str(EXAMPLES)])


def test_the_tiny_client_reads_exactly_the_thumbnail_url(learned):
    usage, report = learned
    assert usage == TINY_CLIENT
    assert report["complete"] and report["operations"] == 1 and report["failing_before"] == []
    assert report["test_runs"] < report["mutations"]  # fields inside a harmless one are not tried
    parse(usage, "learned")  # a usage file run, drift and audit accept


def test_learn_usage_never_replaces_a_file_without_update(tmp_path, capsys, monkeypatch, learned):
    import photo_contracts.learn as module

    monkeypatch.setattr(module, "learn", lambda tests, **_: learned)  # the learning itself is tested above
    mine = tmp_path / "usage.yaml"
    mine.write_text("# mine\n", encoding="utf-8")
    assert main(["learn-usage", str(EXAMPLES), "--output", str(mine)]) == 0
    out = capsys.readouterr().out
    assert mine.read_text(encoding="utf-8") == "# mine\n" and "--update replaces it" in out
    assert "$.photos[*].thumbnail" in out
    assert main(["learn-usage", str(EXAMPLES), "--output", str(mine), "--update"]) == 0
    assert yaml.safe_load(mine.read_text(encoding="utf-8")) == TINY_CLIENT
    assert "1 field read" in capsys.readouterr().out


def test_only_the_deepest_paths_are_kept():
    assert deepest({"$.photos", "$.photos[*]", "$.photos[*].thumbnail", "$.total_count"}) == [
        "$.photos[*].thumbnail", "$.total_count"]
