"""The layers written down in ARCHITECTURE.md hold: each module imports only what its row allows, every
module has a row, and the imports between modules have no cycle (imports inside functions included)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "photo_contracts"
ROW = re.compile(r"^\| `([\w/]+)` \|.*\| ([^|]+) \|$")


def table() -> dict[str, set[str]]:
    """ARCHITECTURE.md's table: module -> what it may import ("everything above" = every earlier row)."""
    allowed: dict[str, set[str]] = {}
    for line in (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if not match:
            continue
        module, may = match.group(1).rstrip("/"), match.group(2).strip()
        if may == "everything above":
            allowed[module] = set(allowed)
        else:
            allowed[module] = set() if may == "-" else set(re.findall(r"`(\w+)/?`", may))
    return allowed


ALLOWED = table()


def imports_of(path: Path) -> set[str]:
    """The first component under photo_contracts of every import in `path`, wherever it sits in the file;
    the package root (`__version__`) imports nothing, so it is left out."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("photo_contracts"):
            rest = node.module.split(".")[1:]
            found.update(rest[:1] if rest else (alias.name for alias in node.names))
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("photo_contracts."))
    return found - {"__version__"}


def layer_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if layer_of(p) != "__init__")


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in MODULES:
        layer = layer_of(path)
        edges.setdefault(layer, set()).update(imports_of(path) - {layer})
    return edges


def test_the_table_is_read() -> None:
    assert {"errors", "apis", "checks", "engine", "runner", "cli"} <= set(ALLOWED)
    assert ALLOWED["errors"] == set() and ALLOWED["verdict"] == {"coverage"}
    assert "engine" in ALLOWED["runner"]  # "everything above"


def test_every_module_has_a_row() -> None:
    assert {layer_of(p) for p in MODULES} - set(ALLOWED) == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_its_allowed_layers(path: Path) -> None:
    layer = layer_of(path)
    forbidden = imports_of(path) - ALLOWED[layer] - {layer}
    assert not forbidden, f"{path.relative_to(PACKAGE)} imports {sorted(forbidden)}"


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle of `edges` (depth first), or None."""
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> list[str] | None:
        if node in visiting:
            return [*visiting[visiting.index(node):], node]
        if node in done:
            return None
        visiting.append(node)
        for target in sorted(edges.get(node, ())):
            if cycle := visit(target):
                return cycle
        visiting.pop()
        done.add(node)
        return None

    return next((cycle for node in sorted(edges) if (cycle := visit(node))), None)


def test_no_import_cycles_between_modules() -> None:
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_check_finds_the_cycles_the_layers_had() -> None:
    assert find_cycle({"config": {"recording"}, "recording": {"http"}, "http": {"config"}}) == [
        "config", "recording", "http", "config"]
    assert find_cycle({"drift": {"runner"}, "runner": {"engine"}, "engine": {"drift"}, "cli": {"runner"}}) == [
        "runner", "engine", "drift", "runner"]  # reached from cli, the first module in name order
    assert find_cycle({"a": {"b"}, "b": set()}) is None
