"""The drift history survives runs killed while writing; corrupted lines are reported, never silently lost."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from photo_contracts.drift import history, timeline


def entry(n: int, **extra):
    return {"time": f"2025-01-{n:02d}T00:00:00Z", "target": "sandbox", "n": n,
            "counts": {"fulcrum": {"GET /v2/photos": {"breaking": 0, "warning": n % 2, "info": 0}}},
            "new": [], "disappeared": [], **extra}


def read(path: Path):
    warnings: list[str] = []
    return history.read(path, warn=warnings.append), warnings


def test_default_path_is_beside_the_baseline(tmp_path):
    assert history.default_path(tmp_path / "drift-baseline.json") == tmp_path / "drift-baseline.history.jsonl"


def test_append_and_read_back(tmp_path):
    path = tmp_path / "sub" / "h.jsonl"
    for n in (1, 2, 3):
        history.append(path, entry(n))
    entries, warnings = read(path)
    assert [e["n"] for e in entries] == [1, 2, 3] and warnings == []
    assert path.read_bytes().count(b"\n") == 3


def test_a_cut_off_last_line_is_reported_and_skipped(tmp_path):
    path = tmp_path / "h.jsonl"
    history.append(path, entry(1))
    whole = json.dumps(entry(2)).encode()
    with path.open("ab") as handle:  # what a run killed halfway through its write leaves
        handle.write(whole[: len(whole) // 2])
    entries, warnings = read(path)
    assert [e["n"] for e in entries] == [1]
    assert len(warnings) == 1 and "line 2" in warnings[0] and "cut off" in warnings[0] and "skipped" in warnings[0]


def test_the_next_run_appends_on_a_fresh_line_after_a_cut_off_one(tmp_path):
    path = tmp_path / "h.jsonl"
    history.append(path, entry(1))
    with path.open("ab") as handle:
        handle.write(b'{"time": "2025-01-02T0')
    history.append(path, entry(3))
    entries, warnings = read(path)
    assert [e["n"] for e in entries] == [1, 3]  # the new entry is intact, not glued to the broken one
    assert len(warnings) == 1 and "line 2" in warnings[0]


def test_corrupted_lines_elsewhere_are_reported_too(tmp_path):
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps(entry(1)) + "\n" + "garbage\n" + "[1, 2]\n" + json.dumps(entry(4)) + "\n")
    entries, warnings = read(path)
    assert [e["n"] for e in entries] == [1, 4]
    assert len(warnings) == 2 and "line 2:" in warnings[0] and "line 3:" in warnings[1]


def test_read_warns_on_stderr_by_default(tmp_path, capsys):
    path = tmp_path / "h.jsonl"
    path.write_bytes(b'{"n": 1}\n{"n": ')
    assert history.read(path) == [{"n": 1}]
    assert "line 2" in capsys.readouterr().err


def test_history_survives_a_process_killed_while_appending(tmp_path):
    path = tmp_path / "h.jsonl"
    writer = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from photo_contracts.drift import history
        path = Path({str(path)!r})
        big = {{"pad": "x" * 20000}}  # large lines make a kill inside a write more likely
        n = 0
        while True:
            history.append(path, {{"n": n, **big}})
            n += 1
            if n == 5:
                print("ready", flush=True)
    """)
    with subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout.readline().strip() == "ready"
            time.sleep(0.2)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    # a further truncation stands in for the kill landing inside a write (the OS rarely splits one)
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.truncate(size - 7000)
    entries, warnings = read(path)
    assert len(entries) >= 5
    assert [e["n"] for e in entries] == list(range(len(entries)))  # every complete entry, in order
    assert len(warnings) == 1 and "cut off" in warnings[0]
    history.append(path, {"n": "after"})
    entries2, warnings2 = read(path)
    assert entries2[-1] == {"n": "after"} and len(entries2) == len(entries) + 1 and len(warnings2) == 1


def test_timeline_is_self_contained_and_coloured_by_worst_severity(tmp_path):
    entries = [
        entry(1),
        entry(2, counts={"fulcrum": {"GET /v2/photos": {"breaking": 2, "warning": 1, "info": 0},
                                     "GET /v2/photos/{id}": {"breaking": 0, "warning": 0, "info": 0}}},
              new=["fulcrum | GET /v2/photos | type-change | 200 application/json | $.photos[*].file_size | string"]),
    ]
    out = tmp_path / "drift-timeline.html"
    timeline.write(out, entries)
    html = out.read_text()
    assert "<script" not in html and "src=" not in html and "<link" not in html
    assert set(re.findall(r"href='([^']*)'", html)) == {"#run-2"}  # in-page only: these entries name no report
    assert html.split("</table>")[0].count("<tr>") == 3  # the grid: header + one row per (API, operation)
    assert timeline.COLOURS["breaking"] in html and timeline.COLOURS["absent"] in html
    assert "cell new" in html and "file_size" in html
    assert timeline.worst({"breaking": 0, "warning": 3, "info": 1}) == "warning"
    assert timeline.worst({"breaking": 0, "warning": 0, "info": 0}) == "none"
