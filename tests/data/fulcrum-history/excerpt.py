"""How the excerpts here were made: the photo operations of one revision of Fulcrum's official OpenAPI
(github fulcrumapp/api, reference/rest-api.json), with the components they reference, in the form of
sources/fulcrum-openapi-photos.json.

    python tests/data/fulcrum-history/excerpt.py GIT_DIR REVISION > DATE-REVISION.json

GIT_DIR is a clone (or bare mirror) of fulcrumapp/api. Not used by the tests, which read the files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

NOTE = ("Photo operations of the Fulcrum REST API reference (github fulcrumapp/api, reference/rest-api.json), with the "
        "components they reference. Excerpt kept as vendor documentation.")


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/"):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def excerpt(document: dict[str, Any]) -> dict[str, Any]:
    paths = {p: item for p, item in document.get("paths", {}).items() if p.startswith("/v2/photos")}
    out: dict[str, Any] = {"openapi": document.get("openapi"), "info": {**document.get("info", {}), "x-excerpt": NOTE}}
    out.update({key: document[key] for key in ("servers", "security") if key in document})
    out["paths"] = paths
    components: dict[str, dict[str, Any]] = {}
    pending, seen = list(_refs(paths)), set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, _, kind, name = ref.split("/", 3)
        node = document["components"][kind][name]
        components.setdefault(kind, {})[name] = node
        pending.extend(_refs(node))
    if document.get("components", {}).get("securitySchemes"):
        components["securitySchemes"] = document["components"]["securitySchemes"]
    out["components"] = {kind: dict(sorted(nodes.items())) for kind, nodes in components.items()}
    return out


if __name__ == "__main__":
    git_dir, revision = sys.argv[1:3]
    text = subprocess.run(["git", "--git-dir", git_dir, "show", f"{revision}:reference/rest-api.json"],
                          capture_output=True, check=True).stdout
    print(json.dumps(excerpt(json.loads(text)), indent=1, ensure_ascii=False))
