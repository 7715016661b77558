"""The rows of a vendor document's tables, by what each names: a field, a parameter, a status or error
code, an endpoint. Markdown tables, HTML tables (as `vendor_docs` reads them: one row per line, `|` after
each cell) and whitespace tables copied from a page under a header line such as `name type description`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from photo_contracts.vendor_docs import Document, separator_row, tokens_of


@dataclass(frozen=True)
class Row:
    """One row of a table in a document, by what it names."""

    key: str  # a field or parameter name, a status or error code, or `GET /path`
    kind: str  # field | parameter | status code | error code | endpoint
    line: int  # 1-based


_TYPE_WORD = re.compile(r"^(string|boolean|bool|integer|int|number|float|double|object|array|json|datetime|date|"
                        r"uuid|enum|file|binary|multipart/form-data)\b", re.IGNORECASE)
_HEADER_WORDS = {"name", "type", "description", "property", "parameter", "field", "required", "readonly", "example",
                 "method", "endpoint", "code", "status", "value", "values", "default", "in", "meaning", "notes"}
_METHOD = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$")
_STATUS = re.compile(r"^[1-5]\d\d$")
_ERROR_CODE = re.compile(r"^(\d{4,}|[A-Z][A-Z0-9]*-\d+)$")
_NOTE = re.compile(r":\s*\S")  # `Max length: 36`, `Possible values: ...`: a note under a row, not a row


def _key(cell: str) -> str:
    """What a row names: its first cell up to the first type word (`createdAt datetime: ISO 8601` -> createdAt)."""
    words = tokens_of(cell.replace("\\", ""))
    kept: list[str] = []
    for word in words:
        if kept and _TYPE_WORD.match(word):
            break
        kept.append(word)
        if _STATUS.match(word) or _ERROR_CODE.match(word):
            break
    return " ".join(kept).rstrip(":*").strip()


def _kind(key: str, context: str) -> str:
    first = key.split(" ")[0]
    if _METHOD.match(first):
        return "endpoint"
    if _STATUS.match(first):
        return "status code"
    if _ERROR_CODE.match(first):
        return "error code"
    return "parameter" if "param" in context.lower() or "header" in context.lower() else "field"


def _cells(line: str) -> list[str]:
    cells = [c.strip() for c in line.strip().split("|")]
    if cells and not cells[0]:
        cells = cells[1:]
    if cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def _is_pipe_row(line: str) -> bool:
    stripped = line.strip()
    return " | " in stripped or stripped.endswith(" |") or (stripped.startswith("|") and stripped.count("|") >= 2)


def _context(lines: list[str], at: int) -> str:
    """The nearest non-empty lines above a table: its heading (`URI Parameters`, `Bad Request`)."""
    above = [line for line in lines[max(0, at - 4):at] if line.strip() and not _is_pipe_row(line)]
    return " ".join(above[-2:])


def table_rows(lines: list[str]) -> list[Row]:
    """The rows of the document's tables: `a | b |` rows (Markdown, and HTML tables as read here) and
    whitespace tables under a header line such as `name type description`. Header rows are left out."""
    rows: list[Row] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _is_pipe_row(line) and not separator_row(line):
            start = index
            block = []
            while index < len(lines) and (_is_pipe_row(lines[index]) or separator_row(lines[index])):
                block.append(index)
                index += 1
            context = _context(lines, start)
            for position, number in enumerate(block):
                if separator_row(lines[number]):
                    continue
                following = block[position + 1] if position + 1 < len(block) else None
                if following is not None and separator_row(lines[following]):
                    context = f"{context} {lines[number]}"  # a header row names the columns
                    continue
                cells = _cells(lines[number])
                if not cells:
                    continue
                key = _key(cells[0])
                if _METHOD.match(key) and len(cells) > 1:
                    key = f"{key} {_key(cells[1])}"
                if key and (_METHOD.match(key.split()[0]) or not _NOTE.search(key)):
                    rows.append(Row(key, _kind(key, context), number + 1))
            continue
        header = tokens_of(line.lower())
        if len(header) >= 2 and all(word in _HEADER_WORDS for word in header):
            context = f"{_context(lines, index)} {line}"
            index += 1
            while index < len(lines) and lines[index].strip() and not _is_pipe_row(lines[index]):
                key = _key(lines[index])
                if key and (_METHOD.match(key.split()[0]) or not _NOTE.search(key)):
                    rows.append(Row(key, _kind(key, context), index + 1))
                index += 1
            continue
        index += 1
    return rows


def rows_of(document: Document) -> dict[tuple[str, str], list[Row]]:
    """A document's table rows by (kind, key): a name may head rows of several tables (`fileUrl` under two
    objects)."""
    found: dict[tuple[str, str], list[Row]] = {}
    for row in table_rows(document.lines) if document.form != "openapi" else ():
        found.setdefault((row.kind, row.key), []).append(row)
    return found
