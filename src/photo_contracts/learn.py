"""`photo-contracts learn-usage`: learn what an integration relies on by breaking the sandbox under its own tests.

1. Run the user's tests (those that start a sandbox: the `photo_sandbox` fixture or context manager) once,
   recording which operations and query parameters each test calls.
2. For every documented field of the success answers of those operations, run the tests that call it again,
   once with the field removed and once with its type changed: the same declarative changes the drift
   profiles use (`sandbox.changes.RemoveField`, `ReplaceValue`), applied to faithful sandboxes only.
3. A field whose change makes a test fail that passed before is read by the integration; the deepest such
   paths go to `reads`, the parameters it sent to `params`, and the result is a usage file (usage.py).
   Fields inside one that the tests let be both removed and retyped are not tried (nothing inside it can
   be read if the whole of it may go): the bound that keeps learning to minutes.

The tests run in this process (`pytest.main`), once per mutation, bounded by `--max-mutations` and a time
budget; progress goes to stderr. A file the user wrote is replaced only with `--update`.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pytest
import yaml

from photo_contracts.apis import get_api
from photo_contracts.contracts import load_contract
from photo_contracts.errors import ToolError
from photo_contracts.operations import operations
from photo_contracts.sandbox import wrapping
from photo_contracts.sandbox.changes import Change, RemoveField, ReplaceValue
from photo_contracts.sandbox.drift import DriftMiddleware, DriftProfile, operation_of, template_regex
from photo_contracts.usage import documented_paths, parse

OTHER_TYPE = {"string": 12345, "integer": "not-a-number", "number": "not-a-number", "boolean": "yes",
              "array": {"not": "a list"}, "object": "not-an-object", "null": 0}


@dataclass
class Calls:
    """What the tests called: per test, the (API, operation) pairs; per pair, the query parameters sent."""

    by_test: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    params: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    current: str = ""


@dataclass(frozen=True)
class Mutation:
    api: str
    operation: str
    path: str
    kind: str  # removed | retyped
    change: Change


def _recorder(calls: Calls) -> Any:
    """A sandbox wrapper that notes each request's operation and query parameters under the current test."""
    from urllib.parse import parse_qsl

    def wrap(api: str, app: Any, profile: Any) -> Any:
        spec = get_api(api)
        templates = [(t, template_regex(t)) for t in load_contract(api)["paths"]]
        base = spec.emulator.BASE_PATH.rstrip("/")

        async def recorded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            path = scope.get("path", "")
            path = path[len(base):] if base and path.startswith(base) else path
            operation = operation_of(scope["method"], path, templates) if scope["type"] == "http" else None
            if operation is None or profile is not None:  # a drifted sandbox is never mutated: no call to note
                await app(scope, receive, send)
                return
            test = calls.current

            async def noting(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                    calls.by_test[test].add((api, operation))  # only a success answer is mutated
                    query = scope.get("query_string", b"").decode("latin-1")
                    calls.params[(api, operation)].update(name for name, _ in parse_qsl(query))
                await send(message)

            await app(scope, receive, noting)

        return recorded

    return wrap


def _mutating(mutation: Mutation) -> Any:
    """A sandbox wrapper that applies one mutation to faithful sandboxes of its API (a drifted one keeps its own)."""
    profile = DriftProfile("learn-usage", mutation.api, f"{mutation.kind} {mutation.path}", None,
                           (mutation.operation,), mutation.change)

    def wrap(api: str, app: Any, drift: Any) -> Any:
        if api != mutation.api or drift is not None:
            return app
        spec = get_api(api)
        credential = (spec.auth_header, "")
        return DriftMiddleware(app, profile, "api", spec.emulator.BASE_PATH, credential,
                               list(load_contract(api)["paths"]))

    return wrap


class _Outcomes:
    """A pytest plugin: each test's outcome, and the current test's id for the recorder."""

    def __init__(self, calls: Calls | None = None) -> None:
        self.failed: set[str] = set()
        self.ran: set[str] = set()
        self.calls = calls
        self.root: Path = Path.cwd()

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.root = Path(session.config.rootpath)  # node ids are relative to it, wherever the command runs

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        if self.calls is not None:
            self.calls.current = nodeid

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.ran.add(report.nodeid)
        if report.failed:
            self.failed.add(report.nodeid)


def _pytest(args: list[str], plugin: _Outcomes) -> None:
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # the outcomes are what counts; the test log is not shown
        code = pytest.main([*args, "-q", "-p", "no:cacheprovider", "-p", "no:unraisableexception", "--assert=plain",
                            "-W", "ignore"], plugins=[plugin])
    if code in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        raise ToolError(f"pytest {' '.join(args)} could not run (exit code {int(code)})")


def mutations(api: str, operation: str) -> list[Mutation]:
    """Each documented field of an operation's success answers removed, then retyped."""
    documented = next(op for op in operations(load_contract(api)) if op.name == operation)
    out = []
    for path, types in documented_paths(api, documented):
        out.append(Mutation(api, operation, path, "removed", RemoveField(path=path, when_status=200)))
        kind = next((t for t in ("object", "array", "string", "integer", "number", "boolean") if t in types),
                    "string")
        out.append(Mutation(api, operation, path, "retyped",
                            ReplaceValue(path=path, value=OTHER_TYPE[kind], when_status=200)))
    return out


def _parents(path: str) -> list[str]:
    """`$.a[*].b` -> ['$.a', '$.a[*]']."""
    out, at = [], ""
    for token in re.findall(r"\$|\.[^.\[]+|\[\*\]", path):
        at += token
        if at != "$" and at != path:
            out.append(at)
    return out


def deepest(paths: set[str]) -> list[str]:
    """The paths no other path lies inside: `$.photos[*].thumbnail` says `$.photos` is read too."""
    return sorted(p for p in paths if not any(q != p and q.startswith((p + ".", p + "[")) for q in paths))


def learn(tests: list[str], *, max_mutations: int = 400, budget: float = 600.0,
          progress: TextIO | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the usage learned, what was done: mutations, test runs, time, fields tried)."""
    started = time.monotonic()
    calls = Calls()
    first = _Outcomes(calls)
    with wrapping(_recorder(calls)):
        _pytest(tests, first)
    passing = {t for t in first.ran - first.failed}
    called = sorted({pair for test, pairs in calls.by_test.items() if test in passing for pair in pairs})
    if not called:
        raise ToolError(f"no passing test of {' '.join(tests)} called a photo-contracts sandbox: nothing to learn")
    plan = [m for api, operation in called for m in mutations(api, operation)]
    reads: dict[tuple[str, str], set[str]] = defaultdict(set)
    harmless: dict[tuple[str, str, str], int] = defaultdict(int)  # (api, operation, path) -> mutations that passed
    runs, tried, skipped = 0, 0, 0
    total = min(len(plan), max_mutations)
    for number, mutation in enumerate(plan[:max_mutations], 1):
        if time.monotonic() - started > budget:
            break
        tried = number
        key = (mutation.api, mutation.operation)
        # A field inside one that the tests let be removed and retyped is not read either: not tried.
        if any(harmless[(*key, parent)] == 2 for parent in _parents(mutation.path)):
            skipped += 1
            continue
        users = sorted(t for t in passing if key in calls.by_test.get(t, set()))
        outcome = _Outcomes()
        with wrapping(_mutating(mutation)):
            _pytest([str(first.root / t) for t in users], outcome)
        runs += 1
        if outcome.failed & set(users):
            reads[key].add(mutation.path)
        else:
            harmless[(*key, mutation.path)] += 1
        if progress is not None:
            done = int(30 * number / total)
            print(f"\r[{'#' * done}{'.' * (30 - done)}] {number}/{total} mutations, "
                  f"{sum(len(v) for v in reads.values())} read", end="", file=progress, flush=True)
    if progress is not None:
        print("", file=progress)
    learned: dict[str, Any] = {}
    for api, operation in called:
        entry: dict[str, Any] = {"reads": deepest(reads.get((api, operation), set()))}
        if calls.params.get((api, operation)):
            entry["params"] = sorted(calls.params[(api, operation)])
        learned.setdefault(api, {})[operation] = entry
    parse(learned, "the learned usage")  # what we write must read back
    report = {"tests": len(passing), "failing_before": sorted(first.failed), "operations": len(called),
              "mutations": tried, "planned": len(plan), "test_runs": runs + 1, "skipped_inside_harmless": skipped,
              "seconds": round(time.monotonic() - started, 1),
              "complete": tried == len(plan)}
    return learned, report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Run your tests that use a photo-contracts sandbox, then again once per documented "
                          "response field with that field removed and with its type changed; the fields whose change "
                          "makes a test fail are what your integration reads. Writes a usage file (--usage).")
    parser.add_argument("tests", nargs="+", metavar="TEST",
                        help="pytest paths or node ids (e.g. tests/ or docs/examples)")
    parser.add_argument("--output", metavar="FILE", default="usage.yaml", help="default: usage.yaml")
    parser.add_argument("--update", action="store_true", help="replace --output if it exists")
    parser.add_argument("--max-mutations", type=int, default=400, metavar="N", help="default: 400")
    parser.add_argument("--time-budget", type=float, default=600.0, metavar="SECONDS", help="default: 600")


def main(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    output = Path(args.output)
    if args.max_mutations < 1 or args.time_budget <= 0:
        raise ToolError("--max-mutations and --time-budget must be positive")
    learned, report = learn(list(args.tests), max_mutations=args.max_mutations, budget=args.time_budget,
                            progress=sys.stderr)
    text = ("# Learned by photo-contracts learn-usage: the fields whose removal or change of type failed a test.\n"
            + yaml.safe_dump(learned, sort_keys=True))
    fields = sum(len(op.get("reads", [])) for ops in learned.values() for op in ops.values())
    print(f"learn-usage: {report['operations']} operations, {report['mutations']} of {report['planned']} mutations, "
          f"{report['test_runs']} test runs, {fields} field{'s' * (fields != 1)} read, in {report['seconds']}s"
          + ("" if report["complete"] else " (stopped by --max-mutations or --time-budget: the rest was not tried)"),
          file=out)
    if report["failing_before"]:
        print(f"learn-usage: left out {len(report['failing_before'])} tests that failed before any change",
              file=out)
    if output.exists() and not args.update:
        print(f"learn-usage: {output} exists and was left as it is (--update replaces it); learned:\n{text}", file=out)
        return 0
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ToolError(f"cannot write {output}: {exc.strerror}") from None
    print(f"learn-usage: wrote {output}", file=out)
    return 0
