"""Where each promise comes from: a vendor source with the quoted words, or an assumption.

Contracts and schemas carry the mark on the node that states the constraint:

    x-source: {ref: cloudcard-get-photo-list, quote: "any integer between 0 and 1000"}
    x-source: {ref: fulcrum-openapi-photos, pointer: /components/schemas/PhotosResponse/required}
    x-assumed: "CloudCard documents no error body; a JSON body is our reading"

`ref` names a file of `sources/` (the vendor pages, the vendor's OpenAPI, vendor-notes: the
vendor's other pages and public code) or a standard in `STANDARDS`. Vendor modules use the
same marks as Python values (`documented(...)`, `assumed(...)`). A finding judged by an
assumption is a `notice`: it never fails the gate unless the user asks for `--strict`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

SOURCE_KEY = "x-source"
ASSUMED_KEY = "x-assumed"
# Standards every HTTP API keeps; cited for protocol-level promises (a 5xx is a failure, a
# Content-Type names the bytes). Quotes are the standards' own words.
STANDARDS = {
    "rfc9110": "RFC 9110, HTTP Semantics",
    "rfc8259": "RFC 8259, The JSON Data Interchange Format",
    "limits": "the run's own [limits]: what the user asks of every answer (timeouts, size cap, redirects)",
}


@dataclass(frozen=True)
class Source:
    """One promise's origin. `ref` is None for an assumption; `quote` holds the reason then."""

    ref: str | None
    quote: str
    pointer: str | None = None  # a JSON pointer into `ref` (the vendor's OpenAPI)

    @property
    def documented(self) -> bool:
        return self.ref is not None

    def label(self) -> str:
        """'Documented (fulcrum-photos: "…")' or 'Assumed: …', as findings show it."""
        if not self.documented:
            return f"Assumed: {self.quote}"
        if self.ref == "limits":
            return f"Configured ({self.quote})"
        where = f"{self.ref}{self.pointer or ''}"
        return f'Documented ({where}: "{self.quote}")' if self.quote else f"Documented ({where})"

    def as_dict(self) -> dict[str, Any]:
        if not self.documented:
            return {"kind": "assumed", "reason": self.quote}
        out = {"kind": "documented", "ref": self.ref, "quote": self.quote}
        if self.pointer:
            out["pointer"] = self.pointer
        return out


def documented(ref: str, quote: str = "", pointer: str | None = None) -> Source:
    return Source(ref, quote, pointer)


def assumed(reason: str) -> Source:
    return Source(None, reason)


def annotation(node: Any) -> Source | None:
    """The mark a contract or schema node carries itself, if any."""
    if not isinstance(node, dict):
        return None
    if ASSUMED_KEY in node:
        return assumed(str(node[ASSUMED_KEY]))
    mark = node.get(SOURCE_KEY)
    if isinstance(mark, dict):
        return documented(str(mark.get("ref", "")), str(mark.get("quote", "")), mark.get("pointer"))
    if isinstance(mark, str):  # shorthand: "ref: quoted words"
        ref, _, quote = mark.partition(":")
        return documented(ref.strip(), quote.strip().strip("'\""))
    return None


def severity(base: str, source: Source | None, strict: bool = False) -> str:
    """A check's severity under its source: an assumption that fails is a notice unless strict."""
    if source is not None and not source.documented and not strict:
        return "notice"
    return base


# Checking the marks themselves (used by the provenance test and `verify`)

def _sources_dir() -> Path:
    return Path(str(resources.files("photo_contracts.sources")))


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@cache
def source_text(ref: str) -> str | None:
    """The text of a vendor source in `sources/`, or None when there is no such file."""
    for path in sorted(_sources_dir().glob(f"{ref}.*")):
        return path.read_text(encoding="utf-8")
    return None


def problems(source: Source) -> list[str]:
    """Why a mark does not hold up (unknown source, quote not found, pointer not found); [] if it does."""
    if not source.documented:
        return [] if source.quote.strip() else ["an assumption needs its reason"]
    ref = source.ref or ""
    if ref in STANDARDS:
        return [] if source.quote.strip() else [f"{ref}: quote the standard's words"]
    text = source_text(ref)
    if text is None:
        return [f"unknown source {ref!r} (no file sources/{ref}.*)"]
    found: list[str] = []
    if source.pointer is not None:
        node: Any = json.loads(text)
        for part in source.pointer.lstrip("/").split("/") if source.pointer.strip("/") else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return [f"{ref}: pointer {source.pointer} not found"]
        if source.quote and _normal(source.quote) not in _normal(json.dumps(node)) + _normal(text):
            found.append(f"{ref}{source.pointer}: quote not found: {source.quote!r}")
    elif not source.quote.strip():
        found.append(f"{ref}: a documented mark needs the quoted words or a pointer")
    elif _normal(source.quote) not in _normal(text):
        found.append(f"{ref}: quote not found: {source.quote!r}")
    return found
