"""What an integration relies on (`usage.yaml`), and whether a finding, drift entry or audit change touches it.

    cloudcard:
      GET /photo/{id}:
        reads: [$.id, $.status, $.links.bytes]   # JSON paths in the project's $.a[*].b syntax
      GET /photo:
        params: [status, max, offset]
        reads: ["$[*].id", "$[*].status"]

An operation listed without `reads` relies on its whole answer (without `params`, on every parameter).
An image link listed in `reads` means the integration relies on that image: its format, decoding and
metadata checks. An API the file does not name is judged as if there were no usage file; an operation of
a named API that is not listed is not used. What is not used is reported as `info` ("not used by your
integration") and never gates.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from photo_contracts.apis import APIS, get_api
from photo_contracts.contracts import load_contract, parameters_of, schema_uri_for
from photo_contracts.drift.documented import documented_shape, lookup
from photo_contracts.errors import ToolError
from photo_contracts.jsonpath import wildcard
from photo_contracts.operations import Operation, operations

NOT_USED = "not used by your integration"
KEYS = ("reads", "params")
# Checks about a request parameter: they touch the integration only through the parameters it sends.
PARAM_CHECKS = ("negative_data_rejection", "defaults_are_honoured", "filters_are_honoured")
_REQUIRED = re.compile(r"'([^']+)' is a required property")


@dataclass(frozen=True)
class OperationUsage:
    reads: tuple[str, ...] | None = None  # None: the whole answer
    params: tuple[str, ...] | None = None  # None: every parameter


@dataclass(frozen=True)
class Usage:
    """Per API (only those the file names) and operation, what the integration relies on."""

    apis: dict[str, dict[str, OperationUsage]] = field(default_factory=dict)
    files: tuple[str, ...] = ()

    def knows(self, api: str) -> bool:
        return api in self.apis

    def relies_on(self, api: str, operation: str, *, check: str | None = None, json_path: str | None = None,
                  message: str = "", param: str | None = None) -> bool | None:
        """Whether the integration relies on what a finding, drift entry or change is about; None when the usage
        file says nothing of `api` (then everything counts, as without a usage file)."""
        if api not in self.apis:
            return None
        used = self.apis[api].get(operation)
        if used is None:
            return False
        if param is not None:
            return used.params is None or param in used.params
        if check in PARAM_CHECKS and used.params is not None:
            return any(re.search(rf"\b{re.escape(p)}\b", message) for p in used.params)
        if used.reads is None:
            return True
        if check is not None and check in _image_checks():
            return _image_endpoint(api, operation) or any(r in _image_links(api, operation) for r in used.reads)
        if json_path is None:
            return True  # about the answer as a whole (status, media type, a broken connection): it matters
        path = _pattern(json_path, message)
        return any(_related(path, read) for read in used.reads)

    def as_dict(self) -> dict[str, Any]:
        return {api: {op: {k: list(v) for k, v in (("reads", u.reads), ("params", u.params)) if v is not None}
                      for op, u in ops.items()} for api, ops in self.apis.items()}


def _pattern(json_path: str, message: str = "") -> str:
    """A concrete JSON path as a pattern (`$[3].id` -> `$[*].id`); a missing required field is its own path."""
    path = wildcard(json_path)
    missing = _REQUIRED.search(message)
    return f"{path}.{missing.group(1)}" if missing else path


def _related(path: str, read: str) -> bool:
    """The same node, one inside the read's value, or one that holds the read (its parent changed shape)."""
    return path == read or path.startswith((read + ".", read + "[")) or read.startswith((path + ".", path + "["))


@cache
def _image_checks() -> frozenset[str]:
    from photo_contracts.checks import registry

    return frozenset(registry.in_group("image"))


def _image_links(api: str, operation: str) -> set[str]:
    """The JSON paths of the image links the API's facts know in this operation's answers."""
    facts = get_api(api).facts
    return {f"{record.path}.{dotted}" for record in facts.records if operation in record.operations
            for dotted in record.links.values()}


def _image_endpoint(api: str, operation: str) -> bool:
    return any(endpoint.operation == operation for endpoint in get_api(api).facts.endpoints)


def documented_paths(api: str, operation: Operation, depth: int = 4) -> list[tuple[str, frozenset[str]]]:
    """Every JSON path the operation's success answers document, with the JSON types documented there
    (empty: any), down to `depth` levels."""
    out: dict[str, frozenset[str]] = {}

    def walk(shape: Any, at: str, level: int) -> None:
        if shape is None or level >= depth:
            return
        for name, child in sorted(shape.properties.items()):
            child = child.folded()
            out.setdefault(f"{at}.{name}", child.types or frozenset())
            walk(child, f"{at}.{name}", level + 1)
        item = shape.any_item if shape.types is None or "array" in shape.types else None
        if item is not None:
            item = item.folded()
            out.setdefault(f"{at}[*]", item.types or frozenset())
            walk(item, f"{at}[*]", level + 1)

    for uri in _success_schemas(api, operation):
        walk(documented_shape(uri).folded(), "$", 0)
    return list(out.items())


def _success_schemas(api: str, operation: Operation) -> list[str]:
    uris = []
    for status, answer in (operation.spec.get("responses") or {}).items():
        if str(status).startswith("2") and isinstance(answer, dict):
            for media in answer.get("content") or {}:
                uri = schema_uri_for(api, operation, str(status), media)
                if uri:
                    uris.append(uri)
    return uris


def _nearest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.4)
    return f"; did you mean {close[0]!r}?" if close else (f"; valid: {', '.join(choices[:12])}" if choices else "")


def _read_path(api: str, operation: Operation, read: Any, where: str) -> str:
    if not isinstance(read, str) or not read.startswith("$"):
        raise ToolError(f"{where}: a read must be a JSON path such as $.id or $[*].id, got {read!r}")
    schemas = _success_schemas(api, operation)
    if not schemas:  # an answer of bytes (an image) or an undocumented body: nothing to look up
        return read
    if any(lookup(documented_shape(uri), read)[0] is not None for uri in schemas):
        return read
    known = [path for path, _ in documented_paths(api, operation, depth=6)]
    raise ToolError(f"{where}: {operation.name} documents no {read}{_nearest(read, known)}")


def _operation_usage(api: str, operation: Operation, spec: Any, where: str) -> OperationUsage:
    if spec is None:
        return OperationUsage()
    if not isinstance(spec, dict):
        raise ToolError(f"{where}: expected a table with reads and params, got {type(spec).__name__}")
    for key in spec:
        if key not in KEYS:
            raise ToolError(f"{where}: unknown key {key!r}{_nearest(str(key), list(KEYS))}")
    reads = spec.get("reads")
    params = spec.get("params")
    if reads is not None and not isinstance(reads, list):
        raise ToolError(f"{where}: reads must be a list of JSON paths")
    if params is not None and not isinstance(params, list):
        raise ToolError(f"{where}: params must be a list of parameter names")
    known = [p.get("name") for p in parameters_of(api, operation) if p.get("in") != "path"]
    for param in params or []:
        if param not in known:
            raise ToolError(f"{where}: {operation.name} has no parameter {param!r}{_nearest(str(param), known)}")
    return OperationUsage(tuple(_read_path(api, operation, r, where) for r in reads) if reads is not None else None,
                          tuple(str(p) for p in params) if params is not None else None)


def parse(data: Any, source: str, only: str | None = None) -> dict[str, dict[str, OperationUsage]]:
    """The usage tables of one file (`only`: the file of one API's `usage =`, which names that API alone)."""
    if not isinstance(data, dict):
        raise ToolError(f"{source}: a usage file is a table of APIs, each a table of operations")
    out: dict[str, dict[str, OperationUsage]] = {}
    for api, table in data.items():
        if api not in APIS:
            raise ToolError(f"{source}: unknown API {api!r}{_nearest(str(api), list(APIS))}")
        if only is not None and api != only:
            raise ToolError(f"{source}: the usage file of [{only}] names {api}; list only {only} there")
        if not isinstance(table, dict) or not table:
            raise ToolError(f"{source}: {api}: list the operations the integration calls, e.g. 'GET /photo/{{id}}:'")
        documented = {op.name: op for op in operations(load_contract(api))}
        ops: dict[str, OperationUsage] = {}
        for name, spec in table.items():
            if name not in documented:
                raise ToolError(f"{source}: {api} has no operation {name!r}{_nearest(str(name), list(documented))}")
            ops[name] = _operation_usage(api, documented[name], spec, f"{source}: {api} {name}")
        out[api] = ops
    return out


def read(path: Path, only: str | None = None) -> dict[str, dict[str, OperationUsage]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ToolError(f"cannot read the usage file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ToolError(f"{path}: not a text file (a usage file is UTF-8 YAML)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise ToolError(f"{path}: not valid YAML{where}") from None
    return parse(data, str(path), only)


def load(file: Path | None = None, per_api: dict[str, Path] | None = None) -> Usage | None:
    """The usage of a run: `--usage FILE` and each API's `usage = PATH` (that one wins for its API); None if none."""
    if file is None and not per_api:
        return None
    apis: dict[str, dict[str, OperationUsage]] = read(Path(file)) if file is not None else {}
    for api, path in (per_api or {}).items():
        apis.update(read(Path(path), only=api))
    return Usage(apis, tuple(str(p) for p in [file, *(per_api or {}).values()] if p is not None))


def of_config(cfg: Any) -> Usage | None:
    """The usage a configuration names, read once per run (the same files give the same object)."""
    per_api = {name: settings.usage for name, settings in getattr(cfg, "api_configs", {}).items()
               if getattr(settings, "usage", None)}
    file = getattr(cfg, "usage", None)
    return _cached(str(file) if file else None, tuple(sorted((k, str(v)) for k, v in per_api.items())))


@cache
def _cached(file: str | None, per_api: tuple[tuple[str, str], ...]) -> Usage | None:
    return load(Path(file) if file else None, {k: Path(v) for k, v in per_api})
