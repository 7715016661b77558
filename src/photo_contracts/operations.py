"""An operation of an OpenAPI contract, as every layer means it: its method, path and spec, named
the way reports name it (`GET /photo/{id}`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")  # OpenAPI 3.1 path item
SAFE_METHODS = ("get", "head", "options", "trace")  # RFC 9110: they change nothing on the server


@dataclass(frozen=True)
class Operation:
    """One operation of a contract: `spec` is its operation object as the contract writes it."""

    method: str
    path: str
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"\{([^}]+)\}", self.path)

    @property
    def is_write(self) -> bool:
        # Contracts mark writes explicitly so live runs can leave them out.
        return bool(self.spec.get("x-write", self.method not in SAFE_METHODS))

    @property
    def deprecated(self) -> bool:
        return bool(self.spec.get("deprecated"))


def item_operations(path: str, item: dict[str, Any]) -> Iterator[Operation]:
    """The operations of one path item, in HTTP_METHODS order."""
    for method in HTTP_METHODS:
        if isinstance(item.get(method), dict):
            yield Operation(method, path, item[method])


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    """Every operation of an OpenAPI document (path items written in place; see `item_operations`)."""
    for path, item in (document.get("paths") or {}).items():
        if isinstance(item, dict):
            yield from item_operations(path, item)
