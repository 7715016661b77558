"""The changelog as Markdown, self-contained HTML or JSON: by severity, then by operation."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from itertools import groupby

from photo_contracts.audit.changes import CHANGE_SEVERITIES, Change


def counts(changes: Iterable[Change]) -> dict[str, int]:
    changes = list(changes)
    return {s: sum(c.severity == s for c in changes) for s in CHANGE_SEVERITIES}


KINDS = {"contract": "contracts", "observations": "observations"}  # Input.kind -> heading


def heading(kind: str, old: str, new: str) -> str:
    """`Audit of contracts: OLD -> NEW` (the kind is `contract` or `observations`, already plural)."""
    return f"Audit of {KINDS.get(kind, kind)}: {old} -> {new}"


def _summary(changes: list[Change]) -> str:
    """`2 breaking, 3 warnings, 0 info` (`1 warning`): of the three, only "warning" takes a plural."""
    n = counts(changes)
    return ", ".join(f"{n[s]} {s}{'s' if s == 'warning' and n[s] != 1 else ''}" for s in CHANGE_SEVERITIES)


def _grouped(changes: list[Change]):  # severity -> [(operation heading, [changes])]
    for severity in CHANGE_SEVERITIES:
        of = [c for c in changes if c.severity == severity]
        if of:
            yield severity, [(title, list(group)) for title, group in
                             groupby(of, key=lambda c: f"{c.api} {c.operation}" if c.api else c.operation)]


def markdown(changes: list[Change], old: str, new: str, kind: str, usage: str | None = None) -> str:
    lines = ["# " + heading(kind, f"`{old}`", f"`{new}`"), "", _summary(changes) + ".", ""]
    lines += [usage, ""] if usage else []
    if not changes:
        lines += ["No change found.", ""]
    for severity, groups in _grouped(changes):
        lines += [f"## {severity.capitalize()}", ""]
        for title, group in groups:
            lines += [f"### {title}", ""]
            lines += [f"- `{c.rule}` at {c.location}: {c.message}" for c in group]
            lines.append("")
    return "\n".join(lines)


def as_json(changes: list[Change], old: str, new: str, kind: str, usage: str | None = None) -> str:
    return json.dumps({"old": old, "new": new, "kind": kind, "summary": counts(changes),
                       **({"usage": usage} if usage else {}),
                       "changes": [c.as_dict() for c in changes]}, indent=2, ensure_ascii=False) + "\n"


_STYLE = """body{font:14px/1.5 system-ui,sans-serif;margin:2em;max-width:70em}
table{border-collapse:collapse;width:100%;margin-bottom:1.5em}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
h2.breaking{color:#b00020}h2.warning{color:#a05a00}h2.info{color:#225}code{font-size:92%}"""


def as_html(changes: list[Change], old: str, new: str, kind: str, usage: str | None = None) -> str:
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>Audit {e(old)} -&gt; {e(new)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{heading(e(kind), f'<code>{e(old)}</code>', f'<code>{e(new)}</code>').replace('->', '-&gt;')}</h1>",
             f"<p>{e(_summary(changes))}.</p>"] + ([f"<p>{e(usage)}</p>"] if usage else [])
    if not changes:
        parts.append("<p>No change found.</p>")
    for severity, groups in _grouped(changes):
        parts.append(f'<h2 class="{severity}">{severity.capitalize()}</h2>')
        for title, group in groups:
            parts.append(f"<h3>{e(title)}</h3><table>"
                         "<tr><th>rule</th><th>location</th><th>change</th></tr>")
            parts += [f"<tr><td><code>{e(c.rule)}</code></td><td>{e(c.location)}</td>"
                      f"<td>{e(c.message)}</td></tr>" for c in group]
            parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


FORMATS = {"md": markdown, "html": as_html, "json": as_json}
