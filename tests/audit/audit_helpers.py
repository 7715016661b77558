"""Crafted contract versions: the fixture contract, edited as data, written to a tmp tree that
mirrors contracts/ + schemas/ so the relative `$ref`s still resolve."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "contracts" / "photos.yaml"
SCHEMAS = FIXTURES / "schemas" / "photos"


class Version:
    """The fixture contract and its schemas as data: `contract` and `schemas[file name]`."""

    def __init__(self) -> None:
        self.contract: dict[str, Any] = yaml.safe_load(BASE.read_text())
        self.schemas: dict[str, Any] = {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}

    def op(self, method: str, path: str) -> dict[str, Any]:
        return self.contract["paths"][path][method]

    def write(self, root: Path) -> Path:
        (root / "contracts").mkdir(parents=True)
        (root / "schemas" / "photos").mkdir(parents=True)
        target = root / "contracts" / "photos.yaml"
        target.write_text(yaml.safe_dump(self.contract, sort_keys=False))
        for name, schema in self.schemas.items():
            (root / "schemas" / "photos" / name).write_text(json.dumps(schema, indent=1))
        return target


Mutation = Callable[[Version], None]
