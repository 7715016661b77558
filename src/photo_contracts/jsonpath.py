"""A small JSON path syntax shared by drift profiles and checks: `$`, `.name`, `[*]`, `[3]`."""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r"\.([^.\[]+)|\[(\*|\d+)\]")
_INDEX = re.compile(r"\[\d+\]")


def wildcard(path: str) -> str:
    """A concrete path as the place it names in every item: `$.photos[3].id` -> `$.photos[*].id`."""
    return _INDEX.sub("[*]", path)


def _steps(path: str) -> list[str | int | None]:
    """`$.results[*].size` -> ['results', None, 'size'] (None = every item)."""
    if not path.startswith("$"):
        raise ValueError(f"JSON path must start with '$': {path!r}")
    steps: list[str | int | None] = []
    for name, index in _TOKEN.findall(path[1:]):
        steps.append(name if name else (None if index == "*" else int(index)))
    return steps


def locate(document: Any, path: str) -> list[tuple[Any, str | int]]:
    """Every (container, key) that `path` names and that exists in `document`."""
    *parents, last = _steps(path) or [None]
    nodes = [document]
    for step in parents:
        nodes = [child for node in nodes for child in _children(node, step)]
    found = []
    for node in nodes:
        if last is None and isinstance(node, list):
            found.extend((node, i) for i in range(len(node)))
        elif isinstance(node, dict) and isinstance(last, str) and last in node or isinstance(node, list) and isinstance(last, int) and -len(node) <= last < len(node):
            found.append((node, last))
    return found


def _children(node: Any, step: str | int | None) -> list[Any]:
    if step is None:
        return list(node) if isinstance(node, list) else []
    if isinstance(step, int):
        return [node[step]] if isinstance(node, list) and -len(node) <= step < len(node) else []
    return [node[step]] if isinstance(node, dict) and step in node else []


def values(document: Any, path: str) -> list[tuple[str, Any]]:
    """(concrete path, value) for every node `path` names: `$.results[*].id` -> `$.results[2].id`."""
    steps = _steps(path)
    found: list[tuple[str, Any]] = []

    def walk(node: Any, at: str, rest: list[str | int | None]) -> None:
        if not rest:
            found.append((at, node))
            return
        step, tail = rest[0], rest[1:]
        if step is None and isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{at}[{i}]", tail)
        elif isinstance(step, int) and isinstance(node, list) and -len(node) <= step < len(node):
            walk(node[step], f"{at}[{step}]", tail)
        elif isinstance(step, str) and isinstance(node, dict) and step in node:
            walk(node[step], f"{at}.{step}", tail)

    walk(document, "$", steps)
    return found
