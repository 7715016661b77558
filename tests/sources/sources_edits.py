"""Copies of the vendor documents in sources/ as a user might save them: rewrapped, as HTML, or edited.

`reflowed` changes only what a reader never sees: prose lines wrapped at another width, blank lines doubled,
indentation, trailing spaces, CRLF line ends, non-breaking spaces. `as_html` writes the same text as a page a
browser saves (paragraphs, bullet lists, tables, `<pre>` code, a script and a style that show nothing).
"""

from __future__ import annotations

import html
import json
import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "sources"
TEXT_SOURCES = sorted(p for p in SOURCES.iterdir() if p.suffix in (".txt", ".md", ".html") and p.name != "README.md")


def _table(line: str) -> bool:
    return "|" in line


def _fenced(lines: list[str]) -> list[bool]:
    """Which lines are inside a Markdown code fence or front matter (left as they are)."""
    inside, out = False, []
    front = bool(lines) and lines[0].strip() == "---"
    for index, line in enumerate(lines):
        if front and index > 0 and line.strip() == "---":
            out.append(True)
            front = False
            continue
        if line.strip().startswith("```"):
            out.append(True)
            inside = not inside
            continue
        out.append(inside or front)
    return out


def reflowed(text: str, width: int = 50) -> str:
    """The same words, wrapped and spaced otherwise."""
    lines = text.split("\n")
    kept = _fenced(lines)
    out: list[str] = []
    header_table = False
    for line, keep in zip(lines, kept, strict=True):
        words = line.split()
        if not words:
            header_table = False
            out += ["", "   "]  # blank lines doubled, one of them with spaces
            continue
        if re.fullmatch(r"(name|type|description|\s)+", line.strip()):
            header_table = True  # a whitespace table: its rows stay rows
        if keep or _table(line) or header_table or line.lstrip().startswith(("{", "}", "[", "]", '"', "#")):
            out.append(line.rstrip() + "  ")
            continue
        indent = "    " if line.startswith(" ") else ""
        wrapped = textwrap.wrap(" ".join(words), width, break_long_words=False, break_on_hyphens=False)
        out += [indent + w.replace(" ", "\u00a0", 1) for w in wrapped]
    return "\r\n".join(out) + "\r\n"


def _cells(line: str) -> list[str]:
    cells = [c.strip() for c in line.strip().split("|")]
    return cells[1:-1] if line.strip().startswith("|") else cells[:-1] if line.rstrip().endswith("|") else cells


def as_html(text: str, title: str = "Vendor page") -> str:
    """The page as a browser saves it: what the copy says, in markup."""
    e = html.escape
    lines = text.split("\n")
    kept = _fenced(lines)
    parts = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>' + e(title) + "</title>",
             "<style>p { margin: 0 }</style><script>var x = '<p>not text</p>';</script></head>",
             '<body><div class="page"><main>']
    index = 0
    while index < len(lines):
        line = lines[index]
        if kept[index]:
            block = []
            while index < len(lines) and kept[index]:
                if not lines[index].strip().startswith(("```", "---")):
                    block.append(lines[index])
                index += 1
            parts.append("<pre><code>" + e("\n".join(block)) + "</code></pre>")
            continue
        if _table(line) and line.strip():
            rows = []
            while index < len(lines) and _table(lines[index]) and lines[index].strip():
                rows.append(lines[index])
                index += 1
            parts.append("<table>")
            for position, row in enumerate(rows):
                if re.fullmatch(r"[\s|:-]+", row):
                    continue
                header = position + 1 < len(rows) and re.fullmatch(r"[\s|:-]+", rows[position + 1])
                tag = "th" if header else "td"
                parts.append("<tr>" + "".join(f"<{tag}><span>{e(c)}</span></{tag}>" for c in _cells(row)) + "</tr>")
            parts.append("</table>")
            continue
        stripped = line.strip()
        if re.fullmatch(r"name type description", stripped):  # a table copied as text: its rows, as cells
            parts.append("<table><tr><th>name</th><th>type</th><th>description</th></tr>")
            index += 1
            while index < len(lines) and lines[index].strip():
                match = re.match(r"(.+?) (string|boolean|JSON Object) (.*)", lines[index].strip())
                cells = match.groups() if match else (lines[index].strip(),)
                parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
                index += 1
            parts.append("</table>")
            continue
        if stripped.startswith("•"):
            parts.append(f"<ul><li>{e(stripped.lstrip('•').strip())}</li></ul>")
        elif stripped.startswith("#"):
            level = len(stripped) - len(stripped.lstrip("#"))
            parts.append(f"<h{level}>{e(stripped.lstrip('#').strip())}</h{level}>")
        elif stripped.startswith(("{", "[", "}", "]", '"')):
            block = []
            while index < len(lines) and lines[index].strip() and not _table(lines[index]):
                block.append(lines[index])
                index += 1
            parts.append("<pre>" + e("\n".join(block)) + "</pre>")
            continue
        elif stripped:
            parts.append(f"<p class=\"x\">{e(stripped)}</p>")
        index += 1
    parts.append("</main></div></body></html>\n")
    return "\n".join(parts)


def openapi_reformatted(text: str) -> str:
    """The same OpenAPI written otherwise: keys in another order, another indentation."""
    return json.dumps(json.loads(text), indent=4, sort_keys=True, ensure_ascii=True) + "\n"
