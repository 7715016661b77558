"""The documented shape of a response, read as drift reads it: JSON paths, types, nullability,
required and enum values.

The model is `schema_model.Shape`, read from the project's own copies of the contract and schema
files (`contracts.shared_document`). Paths use the same pattern syntax as `observe.flatten`
(`$.photos[*].exif.make`); a key of a map (`additionalProperties`, `patternProperties`) is looked
up through the map's value schema, whatever its name. An answer may match any alternative: anyOf,
oneOf and if/then/else are a union (a field is documented if any alternative documents it, and
required only if every one that may be an object requires it); allOf is an intersection.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

from photo_contracts.contracts import shared_document
from photo_contracts.schema_model import Documents, FileLoader, Node, Shape

_FILES = Documents(FileLoader(lambda path: shared_document(Path(path))))


@cache
def documented_shape(schema_uri: str) -> Shape:
    """The Shape of the schema at `schema_uri` (a file URI with an optional JSON pointer fragment)."""
    uri, fragment = urldefrag(schema_uri)
    return _FILES.shape(_FILES.target(Node(unquote(urlparse(uri).path), None), f"#{fragment}")).folded()


def steps(pattern: str) -> list[str]:
    """`$.photos[*].exif.make` -> ['photos', '[*]', 'exif', 'make']."""
    out: list[str] = []
    rest = pattern[1:] if pattern.startswith("$") else pattern
    i = 0
    while i < len(rest):
        if rest.startswith("[*]", i):
            out.append("[*]")
            i += 3
        elif rest[i] == ".":
            j = i + 1
            while j < len(rest) and rest[j] != "." and not rest.startswith("[*]", j):
                j += 1
            out.append(rest[i + 1:j])
            i = j
        else:  # not a pattern flatten writes; keep the rest as one step
            out.append(rest[i:])
            break
    return out


def lookup(shape: Shape, pattern: str) -> tuple[Shape | None, str | None]:
    """(documented shape at `pattern`, its if/then/else folded in, None) or (None, the first
    undocumented prefix of it)."""
    node = shape.folded()
    at = "$"
    for step in steps(pattern):
        at = at + step if step == "[*]" else f"{at}.{step}"
        child = node.child(step)
        if child is None:
            return None, at
        node = child.folded()
    return node, None
