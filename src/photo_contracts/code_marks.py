"""The marks of an API's checks module: every `provenance.Source` its facts, invariants and constants hold,
the name each is bound to, its line, and the checks that judge by it (`citations` gathers them with the
contract's own).

A fact's checks follow from where it sits in `ApiFacts` (`not_found` -> unknown_id_is_documented_error,
a record's `links` -> the image checks, ...); a constant's from the invariants whose code uses it,
directly or through the module's own helper functions.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import photo_contracts
from photo_contracts.apis import get_api
from photo_contracts.checks import KNOWN_CHECKS
from photo_contracts.provenance import Source


class CodeMark(NamedTuple):
    source: Source
    file: str  # the module, relative to the package: checks/vendors/cloudcard.py
    name: str  # what it is bound to: MAX_BOUND, FACTS.not_found.source, RECORD_SOURCES['links']
    label: str
    checks: tuple[str, ...]
    line: int | None
    also: tuple[str, ...]  # other names it is reachable under


def _known(*checks: str) -> tuple[str, ...]:
    return tuple(c for c in checks if c in KNOWN_CHECKS)


def _sources_in(value: Any, path: str, above: frozenset[int] = frozenset()) -> Iterator[tuple[str, Source]]:
    """Every Source in a value, with the path to it (a value shared by two names is found under both)."""
    if isinstance(value, Source):
        yield path, value
        return
    if id(value) in above or isinstance(value, str | bytes | int | float | type | ModuleType) or callable(value) \
            and not dataclasses.is_dataclass(value):
        return
    above = above | {id(value)}
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _sources_in(item, f"{path}[{key!r}]", above)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from _sources_in(item, f"{path}[{index}]", above)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name != "run":
                yield from _sources_in(getattr(value, f.name), f"{path}.{f.name}", above)


_IMAGE_LINK_CHECKS = ("image_decodes", "image_matches_content_type")


def _fact_checks(path: str, facts: Any, facts_name: str) -> tuple[str, ...]:
    """The checks that read a fact, by where it sits in the API's facts."""
    rest = path[len(facts_name):] if path.startswith(facts_name + ".") else ""
    field_name = rest[1:].split("[", 1)[0].split(".", 1)[0]
    if field_name == "not_found":
        return _known("unknown_id_is_documented_error")
    if field_name in ("missing_credentials", "wrong_credentials"):
        return _known("credentials_are_enforced")
    if field_name == "records":
        return _known(*_IMAGE_LINK_CHECKS) if rest.endswith("['links']") else _known("image_metadata_matches")
    if field_name == "endpoints":
        index = int(rest.split("[", 1)[1].split("]", 1)[0])
        thumbnail = facts.endpoints[index].role == "thumbnail"
        return _known(*_IMAGE_LINK_CHECKS, *(("thumbnail_is_documented_format",) if thumbnail else ()))
    if field_name == "thumbnail_source":
        return _known("thumbnail_is_documented_format")
    if field_name == "options":
        return _known("options_are_honoured")
    if field_name == "deleted":
        return _known("deleted_media_is_gone")
    return ()


def _names_used(module: ModuleType) -> dict[str, set[str]]:
    """Top-level function -> the module-level names it uses, itself and through the functions it calls."""
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return {}
    direct: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            direct[node.name] = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    closed: dict[str, set[str]] = {}
    for name in direct:
        found, pending = set(), [name]
        while pending:
            current = pending.pop()
            for used in direct.get(current, ()):
                if used not in found:
                    found.add(used)
                    if used in direct:
                        pending.append(used)
        closed[name] = found
    return closed


def _lines(module: ModuleType) -> tuple[dict[str, int], list[str]]:
    try:
        text = inspect.getsource(module)
    except (OSError, TypeError):
        return {}, []
    assigned = {}
    for node in ast.parse(text).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Name):
                assigned[target.id] = node.lineno
        if isinstance(node, ast.FunctionDef):
            assigned[node.name] = node.lineno
    return assigned, text.splitlines()


def _line_of(source: Source, root: str, assigned: dict[str, int], text: list[str]) -> int | None:
    start = assigned.get(root)
    probe = (source.quote[:30] if source.quote else (source.pointer or "").rsplit("/", 1)[-1]).strip()
    if probe and start:
        for number in range(start, min(len(text), start + 60) + 1):
            if probe in text[number - 1]:
                return number
    return start


def _vendor_modules(api: Any) -> list[ModuleType]:
    found: dict[str, ModuleType] = {}
    for check in api.invariants.values():
        module = inspect.getmodule(getattr(check, "run", None) or check)
        if module is not None:
            found[module.__name__] = module
    for module in list(sys.modules.values()):
        holds = getattr(module, "__dict__", {})
        if any(value is api.facts for value in list(holds.values())):
            found[module.__name__] = module
    return [found[name] for name in sorted(found)]


def _module_file(module: ModuleType) -> str:
    file = getattr(module, "__file__", None)
    if not file:
        return module.__name__
    package = Path(photo_contracts.__file__).resolve().parent
    try:
        return Path(file).resolve().relative_to(package).as_posix()
    except ValueError:
        return module.__name__


def code_marks(api_name: str) -> list[CodeMark]:
    """Every Source the API's checks module holds (facts, invariants, constants), with where it is bound."""
    api = get_api(api_name)
    invariant_names = set(api.invariants)
    marks: list[CodeMark] = []
    for module in _vendor_modules(api):
        used = _names_used(module)
        assigned, text = _lines(module)
        facts_name = next((name for name, value in vars(module).items() if value is api.facts), "FACTS")
        by_source: dict[int, tuple[Source, list[str], set[str]]] = {}
        for name, value in vars(module).items():
            if name.startswith("__") or isinstance(value, ModuleType | type) or (
                    callable(value) and not dataclasses.is_dataclass(value)):
                continue
            if inspect.getmodule(value) not in (None, module) and not isinstance(value, Source) \
                    and not dataclasses.is_dataclass(value) and not isinstance(value, Mapping | list | tuple):
                continue
            for path, source in _sources_in(value, name):
                entry = by_source.setdefault(id(source), (source, [], set()))
                entry[1].append(path)
                entry[2].update(_fact_checks(path, api.facts, facts_name))
                root = path.split("[", 1)[0].split(".", 1)[0]
                check = getattr(value, "name", None)
                if path.endswith(".source") and check in invariant_names:
                    entry[2].add(check)
                for function, names in used.items():
                    if root in names and function in invariant_names:
                        entry[2].add(function)
        for source, paths, checks in by_source.values():
            named = sorted(paths, key=lambda p: (p.startswith(facts_name), "[" in p or "." in p, len(p)))
            root = named[0].split("[", 1)[0].split(".", 1)[0]
            label = f"{api_name} facts and invariants, {named[0]}"
            marks.append(CodeMark(source, _module_file(module), named[0], label, _known(*sorted(checks)),
                                  _line_of(source, root, assigned, text), tuple(named[1:])))
    return marks
