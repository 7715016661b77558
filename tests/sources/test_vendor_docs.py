"""Reading a vendor document as a user saves it: text, Markdown, HTML (its text, not its markup), OpenAPI."""

from __future__ import annotations

from pathlib import Path

import pytest

from photo_contracts.errors import ToolError
from photo_contracts.vendor_docs import Words, html_text, json_blocks, normal, read, tokens_of
from photo_contracts.vendor_tables import table_rows


def test_words_leave_whitespace_and_markup_aside() -> None:
    assert normal("  Allowable Values:\n  • PENDING\u00a0 • `APPROVED`  ") == "Allowable Values: PENDING APPROVED"
    assert normal("| **access_key** | string | yes |") == "access_key string yes"
    assert tokens_of("|---|:---:|") == [] and tokens_of("```json") == [] and tokens_of("{:.table.table-striped}") == []
    assert normal("## Photo Properties") == "Photo Properties"


def test_quotes_are_found_across_lines_and_tokens() -> None:
    words = Words.of(["Default Value: 25", "", "  • Allowable Values: any integer", "between 0 and 1000"])
    assert words.find_all("any integer between 0 and 1000") == [(5, 11)]
    assert words.count("Value") == 2 and words.count("nowhere") == 0
    assert words.lines[5] == 2 and words.lines[10] == 3


def test_html_is_read_as_the_text_a_browser_shows() -> None:
    page = """<!DOCTYPE html><html><head><title>Get Photo List</title><meta charset="utf-8">
    <style>p { color: red }</style><script>var s = '<p>not shown</p>';</script></head>
    <body><h1>Get&nbsp;Photo List</h1><ul><li>max<ul><li>Default Value: 25</li></ul></li></ul>
    <p>Returns up to <b>max</b> photos &amp; more.<br>Next line</p>
    <table><tr><th>name</th><th>type</th></tr><tr><td><span>visitor ID</span></td><td>string</td></tr></table>
    <pre>{
      "id": 1
    }</pre><!-- a comment --></body></html>"""
    lines = html_text(page).split("\n")
    assert "not shown" not in "\n".join(lines) and "color" not in "\n".join(lines)
    assert lines[:3] == ["Get Photo List", "• max", "• Default Value: 25"]  # a no-break space is a space
    assert "Returns up to max photos & more." in lines and "Next line" in lines
    assert "name | type |" in lines and "--- | --- |" in lines and "visitor ID | string |" in lines
    assert [row.key for row in table_rows(lines)] == ["visitor ID"]


def test_table_rows_are_named_by_their_first_cell() -> None:
    lines = ["Request", "URI Parameters", "photoId string | Unique identifier of the media. |",
             "Response", "HTTP Status Code Summary", "410 Gone | The resource was deleted |",
             "Body Structure (200)", "id string: UUID | The ID of the media.", "Max length: 36 |",
             "mediaType enum:string | The type", "Possible values: NORMAL , VIDEO |", "",
             "| Method | Endpoint | Description |", "|---|---|---|", "| GET | /api/v2/photos/**:id**.json | One |", "",
             "Bad Request", "", "name type description", "success boolean false - for unsuccessful request",
             "errors JSON Object Contains error information", "3404 string Invalid visitor ID", ""]
    rows = {(row.kind, row.key) for row in table_rows(lines)}
    assert rows == {("parameter", "photoId"), ("status code", "410"), ("field", "id"), ("field", "mediaType"),
                    ("endpoint", "GET /api/v2/photos/:id.json"), ("field", "success"), ("field", "errors"),
                    ("error code", "3404")}


def test_json_blocks_inline_fenced_and_rewrapped() -> None:
    one_line = ['200 OK [ { "id": 1, "name": "Government issued ID" } ]']
    wrapped = ['200 OK [ { "id":\u00a01, "name": "Government', 'issued ID" } ]']
    fenced = ["```json", "{", '  "photo": {"access_key": "5b8d"}', "}", "```", "", "$('#photo')[0]"]
    assert [e.value for e in json_blocks(one_line, Words.of(one_line))] == [[{"id": 1, "name": "Government issued ID"}]]
    assert [e.value for e in json_blocks(wrapped, Words.of(wrapped))] == [[{"id": 1, "name": "Government issued ID"}]]
    found = json_blocks(fenced, Words.of(fenced))
    assert [e.value for e in found] == [{"photo": {"access_key": "5b8d"}}, [0]] and found[0].line == 2


def test_reading_a_copy(tmp_path: Path) -> None:
    saved = tmp_path / "page.htm"
    saved.write_text("<html><body><p>Hello</p></body></html>", encoding="utf-8")
    assert read(saved).form == "html" and read(saved).lines == ["Hello"]
    sniffed = tmp_path / "page.txt"
    sniffed.write_text("<!DOCTYPE html>\n<html><body><p>Hello</p></body></html>", encoding="utf-8")
    assert read(sniffed).form == "html"
    (tmp_path / "notes.md").write_text("# Notes\r\nline\r\n", encoding="utf-8")
    notes = read(tmp_path / "notes.md")
    assert notes.form == "markdown" and notes.lines[:2] == ["# Notes", "line"]
    (tmp_path / "api.yaml").write_text("openapi: 3.1.0\npaths: {}\n", encoding="utf-8")
    assert read(tmp_path / "api.yaml", openapi=True).data == {"openapi": "3.1.0", "paths": {}}


@pytest.mark.parametrize(("name", "content", "openapi", "says"), [
    ("missing.txt", None, False, "cannot read missing.txt"),
    ("bad.json", "{not json", True, "is not valid JSON"),
    ("list.yaml", "- a\n- b\n", True, "is not an OpenAPI document"),
    ("image.txt", "GIF89a\x00\x00", False, "is not a text, Markdown or HTML file"),
])
def test_an_unreadable_copy_is_one_line(tmp_path: Path, name: str, content: str | None, openapi: bool,
                                        says: str) -> None:
    if content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(ToolError) as raised:
        read(tmp_path / name, openapi=openapi, label=name)
    assert says in str(raised.value) and "\n" not in str(raised.value)
