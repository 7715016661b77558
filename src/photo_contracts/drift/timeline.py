"""drift-timeline.html: drift across runs (columns) per API and operation (rows), by worst severity.

Self-contained and readable with JavaScript off: inline CSS, no script, no external resource. The
details are in the page, not in tooltips: each cell says its count and how many entries were new,
and a table below lists every run (linked to its report when the history entry names its
`report_dir`) with the drift entries that were new or disappeared against the baseline.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import Any

from photo_contracts.severities import SEVERITIES

MAX_RUNS = 60  # most recent runs shown
LEVELS = (*SEVERITIES, "none", "absent")
COLOURS = {"breaking": "#c5221f", "warning": "#f9ab00", "info": "#1967d2", "notice": "#5f6368", "none": "#188038",
           "absent": "#f1f3f4"}
# text on each colour, chosen for contrast (WCAG AA, 4.5:1 or better): white on the dark ones
TEXT = {"breaking": "#ffffff", "warning": "#202124", "info": "#ffffff", "notice": "#ffffff", "none": "#ffffff",
        "absent": "#3c4043"}
NAMES = {"none": "no drift", "absent": "not observed"}
CSS = """
body{font-family:system-ui,sans-serif;margin:24px;color:#202124;max-width:110em}
table{border-collapse:collapse;font-size:13px;margin-bottom:1.5em}
th,td{border:1px solid #dadce0;padding:4px 6px;text-align:center;white-space:nowrap}
th.op,td.op{text-align:left}
th.run{font-weight:normal;font-size:11px;vertical-align:bottom;line-height:1.3}
td.cell{min-width:26px;font-weight:bold}
td.cell a{color:inherit;text-decoration:none;display:block}
td.new{outline:3px solid #202124;outline-offset:-3px}
td.absent{border-style:dashed;font-weight:normal}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #9aa0a6}
table.runs td{text-align:left;vertical-align:top;white-space:normal}
table.runs td.nowrap{white-space:nowrap}
table.runs ul{margin:0;padding-left:1.2em}
code{font-size:92%}
.muted{color:#5f6368}
"""


def worst(counts: dict[str, int] | None) -> str:
    if counts is None:
        return "absent"
    return next((s for s in SEVERITIES if counts.get(s)), "none")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _chip(level: str) -> str:
    return (f"<span style='background:{COLOURS[level]};color:{TEXT[level]}'>"
            f"{escape(NAMES.get(level, level))}</span>")


def _report_links(runs: list[dict[str, Any]], at: Path | None) -> dict[int, str | None]:
    """Run index -> href of its report (relative to the timeline), or None. A report directory that
    a later run wrote into again holds that later run's report: only the latest run links to it."""
    links: dict[int, str | None] = {}
    latest: dict[str, int] = {}
    for index, run in enumerate(runs):
        if run.get("report_dir"):
            latest[os.path.abspath(run["report_dir"])] = index
    for index, run in enumerate(runs):
        directory = run.get("report_dir")
        if not directory or latest[os.path.abspath(directory)] != index:
            links[index] = None
            continue
        page = Path(directory) / "index.html"
        if at is not None:
            page = Path(os.path.relpath(os.path.abspath(page), os.path.abspath(at)))
        links[index] = page.as_posix()
    return links


def _entry(key: str) -> str:
    """`api | operation | kind | response | path | observed` as a readable line."""
    parts = key.split(" | ")
    if len(parts) < 5:
        return f"<code>{escape(key)}</code>"
    _api, operation, kind, response, path, *observed = parts
    where = " ".join(p for p in (response, path) if p)
    seen = f" (observed {escape(' | '.join(observed))})" if observed and any(observed) else ""
    return f"<code>{escape(operation)}</code> {escape(kind)} at <code>{escape(where)}</code>{seen}"


def _run_row(number: int, run: dict[str, Any], href: str | None, superseded: bool) -> str:
    time = escape(run.get("time", "?"))
    title = f"<a href='{escape(href)}'>{time}</a>" if href else time
    if superseded:
        title += "<br><span class='muted'>report replaced by a later run</span>"
    about = [escape(run.get("target", "?"))]
    if run.get("sandbox_drift"):
        about.append("drift profile " + escape(run["sandbox_drift"]))
    if run.get("seed") is not None:
        about.append(f"seed {escape(str(run['seed']))}")
    totals = {s: sum(c.get(s, 0) for ops in run.get("counts", {}).values() for c in ops.values()) for s in SEVERITIES}
    drift = ", ".join(f"{totals[s]} {s}{'s' if s == 'warning' and totals[s] != 1 else ''}" for s in SEVERITIES)
    outcome = f"exit {run['exit_code']}" if "exit_code" in run else ""
    if run.get("baseline_updated"):
        outcome += "; baseline updated"
    lists = []
    for label, keys in (("new", run.get("new", [])), ("disappeared", run.get("disappeared", []))):
        if keys:
            lists.append(f"<b>{len(keys)} {label} entr{'y' if len(keys) == 1 else 'ies'}</b>"
                         "<ul>" + "".join(f"<li>{escape(k.split(' | ')[0])}: {_entry(k)}</li>" for k in keys)
                         + "</ul>")
    changes = "".join(lists) or "<span class='muted'>nothing new or disappeared</span>"
    return (f"<tr id='run-{number}'><td class='nowrap'>#{number}</td><td class='nowrap'>{title}</td>"
            f"<td>{', '.join(about)}</td><td>{drift}</td><td class='nowrap'>{escape(outcome)}</td>"
            f"<td>{changes}</td></tr>")


def render(entries: list[dict[str, Any]], title: str = "photo-contracts: drift timeline",
           at: Path | None = None) -> str:
    """The page; `at` is the directory it is written to (report links are made relative to it)."""
    runs = entries[-MAX_RUNS:]
    first = len(entries) - len(runs) + 1  # run numbers count the whole history, oldest is #1
    links = _report_links(runs, at)
    rows = sorted({(api, op) for run in runs for api, ops in run.get("counts", {}).items() for op in ops})
    head = []
    for index, run in enumerate(runs):
        stamp = str(run.get("time", "?"))  # 2026-11-30T20:50:38Z -> 11-30 / 20:50
        day, _, clock = stamp.partition("T")
        label = f"#{first + index}<br>{escape(day[5:] or day)}<br>{escape(clock[:5])}"
        about = " ".join(str(run.get(k)) for k in ("time", "target", "sandbox_drift") if run.get(k))
        href = links[index]
        inner = f"<a href='{escape(href)}'>{label}</a>" if href else label
        head.append(f"<th class='run' title='{escape(about)}'>{inner}</th>")
    body = []
    for api, op in rows:
        cells = []
        for index, run in enumerate(runs):
            counts = run.get("counts", {}).get(api, {}).get(op)
            level = worst(counts)
            new = [k for k in run.get("new", []) if k.startswith(f"{api} | {op} | ")]
            gone = [k for k in run.get("disappeared", []) if k.startswith(f"{api} | {op} | ")]
            total = 0 if counts is None else sum(counts.get(s, 0) for s in SEVERITIES)
            label = "–" if counts is None else str(total)
            if new:
                label += f" +{len(new)}"
            tip = "not observed" if counts is None else ", ".join(f"{counts.get(s, 0)} {s}" for s in SEVERITIES)
            if new:
                tip += "\nnew: " + "\nnew: ".join(new)
            if gone:
                tip += "\ngone: " + "\ngone: ".join(gone)
            css = "cell" + (" new" if new else "") + (" absent" if counts is None else "")
            text = f"<a href='#run-{first + index}'>{escape(label)}</a>" if new or gone else escape(label)
            cells.append(f"<td class='{css}' style='background:{COLOURS[level]};color:{TEXT[level]}' "
                         f"title='{escape(tip)}'>{text}</td>")
        body.append(f"<tr><td class='op'>{escape(api)}</td><td class='op'><code>{escape(op)}</code></td>"
                    + "".join(cells) + "</tr>")
    legend = "".join(_chip(k) for k in LEVELS)
    shown = (f"the last {len(runs)} of {len(entries)} runs" if len(entries) > len(runs)
             else _plural(len(runs), "run"))
    if runs:
        table = (f"<table><tr><th class='op'>API</th><th class='op'>operation</th>{''.join(head)}</tr>"
                 f"{''.join(body)}</table>")
        details = ("<h2>Runs, newest first</h2><table class='runs'><tr><th>run</th><th>time and report</th>"
                   "<th>target</th><th>drift</th><th>outcome</th><th>against the baseline</th></tr>"
                   + "".join(_run_row(first + i, runs[i], links[i],
                                      bool(runs[i].get("report_dir")) and links[i] is None)
                             for i in reversed(range(len(runs))))
                   + "</table>")
    else:
        table, details = "<p>No runs in the history yet.</p>", ""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f"<p>Drift against the contract per operation, {shown}, oldest on the left. A cell's colour is the worst "
        "severity of that run's drift, its number the count of entries and <b>+N</b> the entries new against the "
        "baseline (outlined; the cell links to the run's details below). A run's heading links to its report "
        "when the history recorded where it was written.</p>"
        f"<p class='legend'>{legend}</p>{table}{details}</body></html>\n"
    )


def write(path: Path, entries: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render(entries, at=path.parent), encoding="utf-8")
    tmp.replace(path)
