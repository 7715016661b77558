"""`sources diff` and `sources status` as Markdown, JSON or HTML (Jinja2, in the dashboard's own style)."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import jinja2
import markupsafe

from photo_contracts.sources_diff import ORDER, Entry, Report

KINDS = {
    "lost-words": "Promise lost its words", "changed-value": "Value changed", "example-rejected": "Example rejected",
    "example-changed": "Example changed", "example-removed": "Example removed", "example-added": "Example added",
    "table-row-removed": "Table row removed", "table-row-added": "Table row added",
    "vendor-change": "Vendor change", "words-changed": "Words changed",
}


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[s]} {s}{'s' if s == 'warning' and counts[s] != 1 else ''}" for s in ORDER)


def _verdict(report: Report) -> str:
    if report.exit_code:
        return "a promise the gate relies on lost its words, or the contract rejects a new example: exit 1"
    if report.entries:
        return "nothing the gate relies on moved; review the entries below: exit 0"
    return "no promise moved: exit 0"


def _md(text: str) -> str:
    return text.replace("`", "'").replace("\n", " ")


def as_dict(report: Report) -> dict[str, Any]:
    return {
        "api": report.api, "ref": report.ref, "contract": report.contract,
        "old": {"path": report.old.label, "sha256": report.old.sha256, "read_as": report.old.form},
        "new": {"path": report.new.label, "sha256": report.new.sha256, "read_as": report.new.form},
        "summary": report.counts(), "exit_code": report.exit_code,
        "promises": {"judged": report.judged, "not_in_the_old_copy": len(report.not_judged)},
        "outside_the_old_copy": report.outside,
        "entries": [e.as_dict() for e in report.entries],
    }


def as_json(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"


def _entry_md(entry: Entry) -> list[str]:
    lines = [f"- **{KINDS.get(entry.kind, entry.kind)}**: {entry.title}" + (f" (`{entry.rule}`)" if entry.rule else "")]
    for place in entry.places[:6]:
        checks = f"; checked by {', '.join(f'`{c}`' for c in place.checks)}" if place.checks else ""
        lines.append(f"  - at `{place.where}` ({_md(place.label)}{checks})")
    if len(entry.places) > 6:
        lines.append(f"  - and {len(entry.places) - 6} more places")
    if entry.source is not None and entry.source.documented:
        lines.append(f"  - promise: {_md(entry.source.label())}")
    if entry.old or entry.new:
        lines.append(f"  - old: `{_md(entry.old)}`")
        lines.append(f"  - new: `{_md(entry.new)}`")
    if entry.detail:
        lines.append(f"  - {_md(entry.detail)}")
    return lines


def markdown(report: Report) -> str:
    lines = [f"# Vendor document `{report.ref}` ({report.api}): `{report.old.label}` -> `{report.new.label}`", "",
             f"{_summary(report.counts())}: {_verdict(report)}.", "",
             f"Judged by `{report.contract}`: {report.judged} promises cite words of the old copy"
             + (f"; {len(report.not_judged)} cite words the old copy does not have either (not judged)"
                if report.not_judged else "") + "."
             + (f" {report.outside} changes concern parts of the document the old copy does not cover and no "
                "promise needs (not listed)." if report.outside else ""), ""]
    if not report.entries:
        lines += ["Nothing changed for the contract.", ""]
    for severity in ORDER:
        of = [e for e in report.entries if e.severity == severity]
        if of:
            lines += [f"## {severity.capitalize()}", ""]
            for entry in of:
                lines += _entry_md(entry)
            lines.append("")
    return "\n".join(lines)


_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>photo-contracts sources diff: {{ report.ref }} ({{ report.api }}) {{ verdict }}</title>
<style>
{{ css | safe }}
</style>
</head>
<body>
<header class="banner verdict-{{ verdict }}" data-verdict="{{ verdict }}">
  <div class="wrap">
    <p class="kicker">photo-contracts sources diff · {{ report.api }} · judged by <code>{{ report.contract }}</code></p>
    <h1><span class="verdict-badge">{{ "words moved" if report.exit_code else "holds" }}</span>
      <code>{{ report.ref }}</code>: <code>{{ report.old.label }}</code> → <code>{{ report.new.label }}</code></h1>
    <ul class="counts">
      {% for severity in order %}
      <li class="count sev-{{ severity }}{{ ' zero' if not counts[severity] }}">
        <b>{{ counts[severity] }}</b> {{ severity }}</li>
      {% endfor %}
    </ul>
    <p class="diagnosis">{{ summary }}</p>
    <p class="explained">{{ report.judged }} promises cite words of the old copy
      {%- if report.not_judged %}; {{ report.not_judged | length }} cite words it does not have either
      (not judged){% endif %}.
      {% if report.outside %}{{ report.outside }} changes concern parts of the document the old copy does not
      cover and no promise needs (not listed).{% endif %}
      Old copy SHA-256 <code>{{ report.old.sha256[:12] }}…</code> ({{ report.old.form }}),
      new <code>{{ report.new.sha256[:12] }}…</code> ({{ report.new.form }}).</p>
  </div>
</header>
<main class="wrap">
{% if not report.entries %}<p class="empty">Nothing changed for the contract.</p>{% endif %}
{% for severity in order %}{% set of = report.entries | selectattr("severity", "equalto", severity) | list %}
{% if of %}
<h2 id="{{ severity }}">{{ severity | capitalize }} <span class="muted">({{ of | length }})</span></h2>
{% for entry in of %}
<article class="finding sev-border-{{ entry.severity }}">
  <header><span class="chip sev-{{ entry.severity }}">{{ entry.severity }}</span>
    <span class="check">{{ kinds.get(entry.kind, entry.kind) }}</span>
    {% if entry.rule %}<code>{{ entry.rule }}</code>{% endif %}</header>
  <p class="title">{{ entry.title | ticks }}</p>
  {% for place in entry.places %}
  <p class="path"><span class="label">At</span> <code>{{ place.where }}</code> {{ place.label | ticks }}
    {% if place.checks %}<span class="muted">· checked by
      {% for c in place.checks %}<code>{{ c }}</code>{{ ", " if not loop.last }}{% endfor %}</span>{% endif %}</p>
  {% endfor %}
  {% if entry.source and entry.source.documented %}
  <p class="source"><span class="label">Promise</span> {{ entry.source.label() }}</p>
  {% endif %}
  {% if entry.old or entry.new %}
  <div class="evidence">
    <div><span class="label">Old words</span><pre>{{ entry.old }}</pre></div>
    <div><span class="label">New words</span><pre>{{ entry.new }}</pre></div>
  </div>
  {% endif %}
  {% if entry.detail %}<p class="notes">{{ entry.detail | ticks }}</p>{% endif %}
</article>
{% endfor %}
{% endif %}
{% endfor %}
<footer>photo-contracts sources diff {{ report.api }} {{ report.ref }} {{ report.new.label }}</footer>
</main>
</body>
</html>
"""


def _css() -> str:
    """The dashboard's stylesheet (package data of the reports), so the two pages look alike."""
    try:
        return resources.files("photo_contracts").joinpath("reporting", "templates", "dashboard.css").read_text(
            encoding="utf-8")
    except OSError:
        return ""


def _ticks(text: str) -> markupsafe.Markup:
    """Escaped text whose `code spans` become <code> elements."""
    escaped = str(markupsafe.escape(text))
    return markupsafe.Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))


def as_html(report: Report) -> str:
    env = jinja2.Environment(loader=jinja2.DictLoader({"diff.html": _HTML}), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["ticks"] = _ticks
    return env.get_template("diff.html").render(
        report=report, verdict="findings" if report.exit_code else "conforms", counts=report.counts(), order=ORDER,
        summary=f"{_summary(report.counts())}: {_verdict(report)}.", kinds=KINDS, css=_css())


FORMATS = {"md": markdown, "json": as_json, "html": as_html}


# -- status -----------------------------------------------------------------------------------------------------

def status_markdown(statuses: list[dict[str, Any]]) -> str:
    lines = ["# Vendor sources", ""]
    for api in statuses:
        marks = api["marks"]
        lines += [f"## {api['api']}", "",
                  f"{marks['documented']} promises cite a vendor document, {marks['assumed']} are assumed "
                  f"(contract and schemas: {marks['contract']['documented']} / {marks['contract']['assumed']}; "
                  f"checks module: {marks['module']['documented']} / {marks['module']['assumed']}).", "",
                  "| source | copy | SHA-256 | copy taken | promises |", "|---|---|---|---|---|"]
        for doc in api["sources"]:
            taken = doc["taken"] or "unknown (not in sources/manifest.json)"
            if doc["taken"] and not doc["manifest_matches"]:
                taken += " (the copy changed since: update sources/manifest.json)"
            lines.append(f"| `{doc['ref']}` | {doc['file'] or '(none)'} | `{(doc['sha256'] or '-')[:16]}` | "
                         f"{taken} | {doc['promises']} |")
        weak = api["weak_anchors"]
        lines += ["", "Weak anchors, to review first when a page changes:", ""]
        for anchor in weak["shortest"]:
            lines.append(f"- shortest quote ({anchor['length']} characters) `{_md(anchor['quote'])}` in "
                         f"`{anchor['ref']}`, at {', '.join(f'`{w}`' for w in anchor['where'][:3])}")
        for anchor in weak["repeated"]:
            lines.append(f"- quote found {anchor['count']} times in `{anchor['ref']}`: `{_md(anchor['quote'])}`, at "
                         f"{', '.join(f'`{w}`' for w in anchor['where'][:3])}")
        for anchor in weak["positional"]:
            lines.append(f"- pointer by array position `{anchor['pointer']}` in `{anchor['ref']}`, at "
                         f"{', '.join(f'`{w}`' for w in anchor['where'][:3])}")
        if not any(weak.values()):
            lines.append("- none")
        lines.append("")
    return "\n".join(lines)


def status_json(statuses: list[dict[str, Any]]) -> str:
    return json.dumps({"apis": statuses}, indent=2, ensure_ascii=False) + "\n"


STATUS_RENDERERS = {"md": status_markdown, "json": status_json}
