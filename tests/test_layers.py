"""The layers written down in ARCHITECTURE.md hold: each package imports only what it may."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "photo_contracts"

# module (or package) -> what it may import from photo_contracts ("" = the package root, for __version__)
ALLOWED = {
    "errors": set(),
    "jsonpath": set(),
    "findings": {"provenance"},
    "provenance": set(),
    "coverage": set(),
    "verdict": {"coverage"},
    "apis": {"errors"},
    "contracts": {"apis", "errors", "provenance"},
    "config": {"apis", "checks", "errors", "recording"},
    "http": {"config"},
    "checks": {"contracts", "errors", "jsonpath", "provenance"},
    "sandbox": {"apis", "contracts", "errors", "jsonpath"},
    "audit": {"errors"},
    "recording": {"", "apis", "errors", "http"},
    "reporting": {"", "findings", "drift"},
    "fixtures": {"apis", "errors", "sandbox"},
    "ci_action": set(),
    "target": {"apis", "checks", "config", "contracts", "errors", "http", "jsonpath", "recording", "sandbox"},
    "engine": {"checks", "config", "contracts", "coverage", "drift", "findings", "http", "jsonpath", "provenance",
               "target", "verdict"},
    "drift": {"", "apis", "checks", "config", "contracts", "errors", "findings", "provenance", "runner", "verdict"},
}
ENTRY_POINTS = {"plugin", "runner", "cli", "__init__"}  # they wire everything together


def imports_of(path: Path) -> set[str]:
    """The first component under photo_contracts of every import in `path` ("" for the root)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("photo_contracts"):
            rest = node.module.split(".")[1:]
            if rest:
                found.add(rest[0])
            else:  # from photo_contracts import x
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("photo_contracts."))
    return {"" if name == "__version__" else name for name in found}


def layer_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if layer_of(p) not in ENTRY_POINTS)


def test_every_layer_is_in_the_table() -> None:
    assert {layer_of(p) for p in MODULES} <= set(ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_its_allowed_layers(path: Path) -> None:
    layer = layer_of(path)
    forbidden = imports_of(path) - ALLOWED[layer] - {layer}
    # The drift command may call the runner; nothing else in drift/ may.
    if layer == "drift" and path.name != "command.py":
        forbidden |= imports_of(path) & {"runner"}
    assert not forbidden, f"{path.relative_to(PACKAGE)} imports {sorted(forbidden)}"
