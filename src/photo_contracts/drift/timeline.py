"""drift-timeline.html: drift across runs (columns) per API and operation (rows), by worst severity.

Self-contained: inline CSS, no script, no external resource.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from photo_contracts.findings import SEVERITIES

MAX_RUNS = 60  # most recent runs shown
COLOURS = {"breaking": "#d93025", "warning": "#f9ab00", "info": "#4285f4", "notice": "#9aa0a6", "none": "#34a853", "absent": "#e8eaed"}
CSS = """
body{font-family:system-ui,sans-serif;margin:24px;color:#202124}
table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #dadce0;padding:4px 6px;text-align:center;white-space:nowrap}
th.op,td.op{text-align:left}
th.run{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal;font-size:11px}
td.cell{min-width:26px;color:#fff;font-weight:bold}
td.new{outline:3px solid #202124;outline-offset:-3px}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;color:#fff}
"""


def worst(counts: dict[str, int] | None) -> str:
    if counts is None:
        return "absent"
    return next((s for s in SEVERITIES if counts.get(s)), "none")


def render(entries: list[dict[str, Any]], title: str = "photo-contracts: drift timeline") -> str:
    runs = entries[-MAX_RUNS:]
    rows = sorted({(api, op) for run in runs for api, ops in run.get("counts", {}).items() for op in ops})
    head = "".join(
        f"<th class='run' title='{escape(run.get('target', ''))}'>{escape(run.get('time', '?'))}"
        f"{' ' + escape(run['sandbox_drift']) if run.get('sandbox_drift') else ''}</th>"
        for run in runs
    )
    body = []
    for api, op in rows:
        cells = []
        for run in runs:
            counts = run.get("counts", {}).get(api, {}).get(op)
            level = worst(counts)
            new = [k for k in run.get("new", []) if k.startswith(f"{api} | {op} | ")]
            gone = [k for k in run.get("disappeared", []) if k.startswith(f"{api} | {op} | ")]
            label = "" if counts is None else str(sum(counts.get(s, 0) for s in SEVERITIES) or "")
            tip = "not observed" if counts is None else ", ".join(f"{counts.get(s, 0)} {s}" for s in SEVERITIES)
            if new:
                tip += "\nnew: " + "\nnew: ".join(new)
            if gone:
                tip += "\ngone: " + "\ngone: ".join(gone)
            css = "cell new" if new else "cell"
            cells.append(f"<td class='{css}' style='background:{COLOURS[level]}' title='{escape(tip)}'>"
                         f"{escape(label)}</td>")
        body.append(f"<tr><td class='op'>{escape(api)}</td><td class='op'><code>{escape(op)}</code></td>"
                    + "".join(cells) + "</tr>")
    legend = "".join(f"<span style='background:{COLOURS[k]}'>{k}</span>" for k in
                     ("breaking", "warning", "info", "none", "absent"))
    shown = f"the last {len(runs)} of {len(entries)} runs" if len(entries) > len(runs) else f"{len(runs)} runs"
    table = (f"<table><tr><th class='op'>API</th><th class='op'>operation</th>{head}</tr>{''.join(body)}</table>"
             if runs else "<p>No runs in the history yet.</p>")
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f"<p>Drift against the contract per operation, {shown}, oldest on the left. A cell's colour is the worst "
        "severity of that run's drift, its number the count of entries; an outlined cell has drift that was new "
        "against the baseline (hover for details).</p>"
        f"<p class='legend'>{legend}</p>{table}</body></html>\n"
    )


def write(path: Path, entries: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render(entries), encoding="utf-8")
    tmp.replace(path)
