"""Observations: what each operation really answered, in shape rather than in values.

Per operation: status codes, content types, the JSON shape of bodies (inferred with genson,
per status and media type), string values seen at each path (to spot new enum members) and
the formats and sizes of images. Written to observations.json in the report directory.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from genson import SchemaBuilder

from photo_contracts.schema_model import json_type

MAX_VALUES = 25  # distinct strings kept per path; more than this is not an enum


def flatten(document: Any, at: str = "$") -> dict[str, tuple[str, Any]]:
    """Path pattern -> (JSON type, value) for every node; list items share the `[*]` pattern."""
    found: dict[str, tuple[str, Any]] = {}

    def walk(node: Any, path: str) -> None:
        kind = json_type(node)
        found.setdefault(path, (kind, node if kind == "string" else None))
        if isinstance(node, dict):
            for key, child in node.items():
                walk(child, f"{path}.{key}")
        elif isinstance(node, list):
            for child in node:
                walk(child, f"{path}[*]")

    walk(document, at)
    return found


@dataclass
class PathFacts:
    types: Counter[str] = field(default_factory=Counter)
    values: set[str] = field(default_factory=set)
    too_many_values: bool = False

    def add(self, kind: str, value: Any) -> None:
        self.types[kind] += 1
        if kind == "string" and not self.too_many_values:
            self.values.add(value)
            if len(self.values) > MAX_VALUES:
                self.values.clear()
                self.too_many_values = True


@dataclass
class OperationFacts:
    statuses: Counter[str] = field(default_factory=Counter)
    content_types: Counter[str] = field(default_factory=Counter)  # "200 image/jpeg"
    shapes: dict[str, SchemaBuilder] = field(default_factory=dict)  # "200 application/json" -> builder
    paths: dict[str, dict[str, PathFacts]] = field(default_factory=lambda: defaultdict(dict))
    bodies: Counter[str] = field(default_factory=Counter)  # JSON bodies seen per "status media"
    images: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # role -> formats
    image_sizes: dict[str, list[int]] = field(default_factory=dict)  # role -> [min w, min h, max w, max h]


class Observations:
    """Thread-safe accumulation of what a run saw, per API and operation."""

    def __init__(self) -> None:
        self.operations: dict[tuple[str, str], OperationFacts] = defaultdict(OperationFacts)
        self._lock = threading.Lock()

    def response(self, api: str, operation: str, status: int, media: str, body: Any = None,
                 is_json: bool = False) -> None:
        media = media.split(";")[0].strip().lower() or "(none)"
        key = f"{status} {media}"
        with self._lock:
            facts = self.operations[(api, operation)]
            facts.statuses[str(status)] += 1
            facts.content_types[key] += 1
            if is_json:
                facts.bodies[key] += 1
                facts.shapes.setdefault(key, SchemaBuilder()).add_object(body)
                paths = facts.paths[key]
                for path, (kind, value) in flatten(body).items():
                    paths.setdefault(path, PathFacts()).add(kind, value)

    def image(self, api: str, operation: str, role: str, image_format: str | None,
              size: tuple[int, int] | None) -> None:
        with self._lock:
            facts = self.operations[(api, operation)]
            facts.images[role][image_format or "undecodable"] += 1
            if size:
                seen = facts.image_sizes.setdefault(role, [size[0], size[1], size[0], size[1]])
                seen[:] = [min(seen[0], size[0]), min(seen[1], size[1]), max(seen[2], size[0]), max(seen[3], size[1])]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of observations.json: apis -> operations -> facts (sorted, stable)."""
        result: dict[str, Any] = {}
        for (api, operation), facts in sorted(self.operations.items()):
            result.setdefault(api, {})[operation] = {
                "statuses": dict(sorted(facts.statuses.items())),
                "content_types": dict(sorted(facts.content_types.items())),
                "bodies": {
                    key: {
                        "count": facts.bodies[key],
                        "schema": facts.shapes[key].to_schema(),
                        "paths": {
                            path: {
                                "types": dict(sorted(p.types.items())),
                                **({"values": sorted(p.values)} if p.values else {}),
                            }
                            for path, p in sorted(facts.paths[key].items())
                        },
                    }
                    for key in sorted(facts.bodies)
                },
                "images": {role: dict(sorted(c.items())) for role, c in sorted(facts.images.items())},
                "image_sizes": {role: {"min": s[:2], "max": s[2:]} for role, s in sorted(facts.image_sizes.items())},
            }
        return {"apis": result}
