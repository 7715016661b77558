"""A vendor document as a user saves it: its words and its example payloads (its tables: `vendor_tables`).

A copy is plain text, Markdown, HTML saved from a browser (read with the standard library's
`html.parser`: the text a reader sees, not the markup) or, for a vendor's OpenAPI, JSON or YAML.
Words are compared the way `provenance` checks quotes, whitespace aside, and also without the
markup a copy of the same page may or may not carry: list bullets, Markdown code ticks and bold
markers, table pipes and separator rows. So a page saved as HTML, a text copy of it and the same
text rewrapped all read alike.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from photo_contracts.errors import ToolError

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
DATA_SUFFIXES = (".json", ".yaml", ".yml")

# -- words ------------------------------------------------------------------------------------------

_BULLETS = re.compile(r"[•◦▪▫‣⁃·]")
_MARKUP = re.compile(r"`|\*\*")
_SEPARATOR_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)[\w+-]*\s*$")
_NOISE_TOKEN = re.compile(r"^(\|+|#{1,6}|\{:[^}]*\})$")  # a lone table pipe, a Markdown heading mark, a kramdown IAL


def separator_row(line: str) -> bool:
    """A Markdown table's separator row (`|---|:---:|`), which says nothing."""
    return bool(_SEPARATOR_ROW.match(line))


def tokens_of(text: str) -> list[str]:
    """The words of `text` as compared: whitespace, bullets, code ticks, bold marks, lone pipes, table separator
    rows and Markdown code fences aside."""
    if _SEPARATOR_ROW.match(text) or _FENCE.match(text):
        return []
    return [t for t in _MARKUP.sub("", _BULLETS.sub(" ", text)).split() if not _NOISE_TOKEN.match(t)]


def normal(text: str) -> str:
    """`text` as quotes and copies are compared (one space between words, markup aside)."""
    return " ".join(tokens_of(text))


@dataclass
class Words:
    """The words of a document, each with the line it is on; `text` is them joined by single spaces."""

    tokens: list[str]
    lines: list[int]  # the line (0-based) of each token

    @classmethod
    def of(cls, lines: list[str]) -> Words:
        tokens, where = [], []
        for number, line in enumerate(lines):
            found = tokens_of(line)
            tokens += found
            where += [number] * len(found)
        return cls(tokens, where)

    @cached_property
    def text(self) -> str:
        return " ".join(self.tokens)

    @cached_property
    def _starts(self) -> list[int]:
        starts, at = [], 0
        for token in self.tokens:
            starts.append(at)
            at += len(token) + 1
        return starts

    def find_all(self, quote: str) -> list[tuple[int, int]]:
        """Token spans [start, end) where the normalised `quote` occurs (it may start or end inside a token)."""
        wanted = normal(quote)
        if not wanted:
            return []
        spans, at = [], self.text.find(wanted)
        while at >= 0:
            first = bisect_right(self._starts, at) - 1
            last = bisect_right(self._starts, at + len(wanted) - 1)
            spans.append((first, last))
            at = self.text.find(wanted, at + 1)
        return spans

    def count(self, quote: str) -> int:
        return len(self.find_all(quote))


# -- reading a copy ---------------------------------------------------------------------------------

_SKIPPED = {"script", "style", "head", "noscript", "template", "svg", "math", "iframe", "object"}
_BLOCKS = {"address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog", "div", "dl",
           "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
           "hr", "html", "legend", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot",
           "thead", "ul"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}


class _Text(HTMLParser):
    """The text of an HTML page as a reader sees it: blocks on their own lines, `<pre>` kept as written,
    list items as bullets, each table row on one line with `|` after each cell and, after a row of
    header cells, a separator row (as Markdown writes tables)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []
        self.pre = 0
        self.cell = 0
        self.row: list[bool] = []  # per cell of the current row: whether it is a header cell

    def _break(self) -> None:
        if not self.cell and not (self.parts and self.parts[-1].endswith("\n")):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag in _SKIPPED:
            self.skipping.append(tag)
        elif tag == "br":
            self.parts.append(" " if self.cell else "\n")
        elif tag == "li":
            self._break()
            self.parts.append("• ")
        elif tag == "tr":
            self.cell = 0
            self._break()
            self.row = []
        elif tag in ("td", "th"):
            self.cell += 1
            self.row.append(tag == "th")
        elif tag in _BLOCKS:
            self._break()
            if tag == "pre":
                self.pre += 1

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag in self.skipping:  # browsers close what is left open inside, so does this
                del self.skipping[len(self.skipping) - 1 - self.skipping[::-1].index(tag):]
            return
        if tag in ("td", "th") and self.cell:
            self.cell -= 1
            self.parts.append(" | ")
        elif tag == "tr":
            header = bool(self.row) and all(self.row)
            self.parts.append("\n" + " | ".join("---" for _ in self.row) + " |\n" if header else "\n")
            self.row, self.cell = [], 0
        elif tag in _BLOCKS or tag == "li":
            self._break()
            if tag == "pre" and self.pre:
                self.pre -= 1

    def handle_data(self, data: str) -> None:
        if self.skipping or (not data.strip() and not self.pre and (not self.parts or self.parts[-1].endswith("\n"))):
            return
        if self.pre and not self.cell:
            self.parts.append(data)
        else:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = "\n".join(line.strip() for line in "".join(self.parts).split("\n"))
        return re.sub(r"\n{3,}", "\n\n", lines).strip("\n")


def html_text(markup: str) -> str:
    """What a browser shows of an HTML page, as lines of text."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return parser.text()


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:1000].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text)


def _nullable_to_union(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` (which the vendor writes inside a 3.1 document) as a union with null."""
    if isinstance(node, list):
        return [_nullable_to_union(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _nullable_to_union(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    elif node.get("nullable") is True and isinstance(out.get("type"), list) and "null" not in out["type"]:
        out["type"] = [*out["type"], "null"]
    return out


@dataclass
class Example:
    """A JSON payload shown in a document (a JSON block of a page, or an OpenAPI `example`)."""

    value: Any  # string values with their whitespace collapsed: a rewrapped page shows the same example
    line: int  # 1-based line where it starts in the copy (0 for an OpenAPI example)
    span: tuple[int, int] = (0, 0)  # token span [start, end) of the lines it covers
    pointer: str = ""  # an OpenAPI example: where it sits


@dataclass
class Document:
    """A copy of a vendor document: what it says, and how it was read."""

    label: str
    form: str  # text | markdown | html | openapi
    sha256: str
    lines: list[str] = field(default_factory=list)
    data: Any = None  # an OpenAPI source: the parsed document

    @cached_property
    def words(self) -> Words:
        if self.form == "openapi":
            return Words.of(_openapi_lines(self.data))
        return Words.of(self.lines)

    @cached_property
    def examples(self) -> list[Example]:
        return openapi_examples(self.data) if self.form == "openapi" else json_blocks(self.lines, self.words)


def _openapi_lines(data: Any) -> list[str]:
    """The words of an OpenAPI document: every string in it, one per line (quotes are found among them)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                out.append(str(key))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        else:
            out.append(json.dumps(node, ensure_ascii=False) if not isinstance(node, str) else node)

    walk(data)
    return out


def read(path: str | Path, openapi: bool = False, label: str | None = None) -> Document:
    """A saved copy: plain text, Markdown or HTML; JSON or YAML when `openapi`. A ToolError (one line) when
    the file cannot be read or is not what it must be."""
    path = Path(path)
    label = label or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ToolError(f"cannot read {label}: {exc.strerror or exc}") from None
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if openapi:
        try:
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            kind = "JSON" if path.suffix == ".json" else "JSON or YAML"
            raise ToolError(f"{label} is not valid {kind}: {' '.join(str(exc).split())}") from None
        if not isinstance(data, dict) or not isinstance(data.get("paths"), dict):
            raise ToolError(f"{label} is not an OpenAPI document (no 'paths'); the source it replaces is one")
        return Document(label, "openapi", digest, data=data)
    if "\x00" in text:
        raise ToolError(f"{label} is not a text, Markdown or HTML file")
    if path.suffix.lower() in HTML_SUFFIXES or _looks_like_html(text):
        return Document(label, "html", digest, lines=html_text(text).split("\n"))
    form = "markdown" if path.suffix.lower() in (".md", ".markdown") else "text"
    return Document(label, form, digest, lines=text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def for_comparison(document: Document) -> Any:
    """An OpenAPI source as compared: `nullable: true` read as a union with null."""
    return _nullable_to_union(document.data)


# -- examples ---------------------------------------------------------------------------------------

def collapsed(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [collapsed(v) for v in value]
    if isinstance(value, dict):
        return {k: collapsed(v) for k, v in value.items()}
    return value


_SPACES = {0xA0: " ", 0x2007: " ", 0x202F: " ", 0x2009: " ", 0x200A: " ", 0x3000: " "}


def json_blocks(lines: list[str], words: Words) -> list[Example]:
    """Every JSON object or array written in the text (a code block, or inline as `200 OK [ {...} ]`)."""
    text = "\n".join(lines).translate(_SPACES)  # a non-breaking space between JSON tokens is still a space
    line_starts = [0]
    for line in lines[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    decoder = json.JSONDecoder(strict=False)
    found, at = [], 0
    while at < len(text):
        if text[at] in "{[":
            try:
                value, end = decoder.raw_decode(text, at)
            except ValueError:
                at += 1
                continue
            if isinstance(value, dict | list) and value:
                first = bisect_right(line_starts, at) - 1
                last = bisect_right(line_starts, end - 1) - 1
                span = (bisect_right(words.lines, first - 1), bisect_right(words.lines, last))
                found.append(Example(collapsed(value), first + 1, span))
                at = end
                continue
        at += 1
    return found


def openapi_examples(data: Any) -> list[Example]:
    """Every `example` and `examples` value of an OpenAPI document, with its JSON pointer."""
    found: list[Example] = []

    def walk(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{pointer}/{escape(str(key))}"
                if key == "example":
                    found.append(Example(collapsed(value), 0, pointer=here))
                elif key == "examples" and isinstance(value, dict):
                    for name, example in value.items():
                        if isinstance(example, dict) and "value" in example:
                            found.append(Example(collapsed(example["value"]), 0,
                                                 pointer=f"{here}/{escape(str(name))}/value"))
                elif key == "examples" and isinstance(value, list):  # a JSON Schema's own `examples`
                    for index, item in enumerate(value):
                        found.append(Example(collapsed(item), 0, pointer=f"{here}/{index}"))
                else:
                    walk(value, here)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{pointer}/{index}")

    walk(data, "")
    return found


# -- JSON pointers ----------------------------------------------------------------------------------

def escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def parts(pointer: str) -> list[str]:
    return [unescape(p) for p in pointer.split("/")[1:]] if pointer.strip("/") else []


_MISSING = object()


def resolve(document: Any, pointer: str) -> Any:
    """The node at `pointer`, or `MISSING`."""
    node = document
    for part in parts(pointer):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return _MISSING
    return node


def missing(value: Any) -> bool:
    return value is _MISSING
