"""The pytest plugin (entry point `pytest11`): options, run state, parametrization, report content.

`photo-contracts run` drives it with a ready `Suite` registered as a plugin; plain
`pytest tests/conformance --pc-...` works too. Nothing starts unless a conformance test
asks for the `pc_suite` fixture, so the plugin is inert in the project's own tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

import pytest

from photo_contracts import config as config_module
from photo_contracts.contracts import contract_path, load_contract
from photo_contracts.errors import ToolError
from photo_contracts.findings import Finding
from photo_contracts.operations import operations

SUITE_KEY = pytest.StashKey["Suite"]()
FINDINGS_KEY = pytest.StashKey[list[Finding]]()
MODES = ("positive", "negative")


class Suite:
    """A conformance session: its configuration and, once started, its targets and findings."""

    def __init__(self, cfg: config_module.Config, run: Any = None, progress: TextIO | None = None) -> None:
        self.config = cfg
        self.run = run  # engine.Run; started lazily when pytest drives the suite directly
        self.progress = progress
        self._stack = ExitStack()
        self._schemas: dict[str, Any] = {}
        self.planned: dict[str, int] = {}  # tests collected per API: an interrupted API ran fewer

    def start(self) -> Any:
        if self.run is None:
            from photo_contracts.engine import Run
            from photo_contracts.target import open_targets

            self.run = Run(self.config, self._stack.enter_context(open_targets(self.config)))
        return self.run

    def close(self) -> None:
        self._stack.close()

    def schema(self, api: str) -> Any:
        """The schemathesis schema of `api`, loaded once."""
        if api not in self._schemas:
            import schemathesis
            from hypothesis import strategies as st

            from photo_contracts.sandbox.images import make_image

            # Uploads get real JPEG bytes, not random ones: an upload API may rightly refuse noise.
            schemathesis.openapi.media_type("image/jpeg", st.builds(
                make_image, st.integers(8, 96), st.integers(8, 96), st.integers(0, 2**16)))
            self._schemas[api] = schemathesis.openapi.from_path(contract_path(api))
        return self._schemas[api]

    def cases(self) -> list[tuple[str, str, str]]:
        """(api, operation, mode) for every operation of every selected API."""
        modes = MODES if self.config.negative_testing else MODES[:1]
        return [(api, op.name, mode) for api in self.config.apis for op in operations(load_contract(api))
                for mode in modes]

    # Reporting hooks (this object is registered as a plugin)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            api = getattr(item, "callspec", None) and item.callspec.params.get("pc_api")
            if api:
                self.planned[api] = self.planned.get(api, 0) + 1

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._session = session

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from photo_contracts.interrupts import requested

        if requested():
            # Ctrl-C or SIGTERM came: the session ends interrupted after this test, whatever became of the
            # KeyboardInterrupt (a library may have turned it into another error, or lost it in a cleanup).
            session = getattr(self, "_session", None)
            if session is not None:
                session.shouldstop = "interrupted"
            if report.failed:  # stopped, not broken: not counted as an error of the tool
                return
        api = getattr(report, "pc_api", None)
        if self.run is not None and api and report.failed and report.when != "call":
            self.run.stats[api].errors += 1  # a fixture or teardown error: nothing of that test was judged
        if self.run is None or not api or not (report.when == "call" or report.skipped):
            return
        stats = self.run.stats[api]
        outcome = "passed" if report.passed else "failed" if report.failed else "skipped"
        setattr(stats, outcome, getattr(stats, outcome) + 1)
        if report.failed and not getattr(report, "pc_findings", None):
            stats.errors += 1  # failed on an error of the tool itself, not on a finding: nothing was judged
        if self.progress:
            found = len(getattr(report, "pc_findings", []))
            note = f"{found} finding{'s' * (found != 1)}" if found else outcome.replace("passed", "ok")
            name = report.nodeid.split("::")[-1]
            function, _, param = name.partition("[")
            param = param.rstrip("]")
            # test_operation ids say everything ("fulcrum:GET /v2/photos:positive"); others get their test's name
            named = function == "test_operation" or "-" in param
            label = param if named else f"{param}-{function.removeprefix('test_')}"
            print(f"  {label:<72} {note}", file=self.progress, flush=True)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.run is None or hasattr(session.config, "workerinput"):
            return  # nothing ran, or an xdist worker: the controller writes reports
        from photo_contracts.drift.compare import run_drift
        from photo_contracts.reporting.summary import write_json, write_summary
        from photo_contracts.result import build

        report_dir = Path(self.config.report_dir)
        report_dir.mkdir(parents=True, exist_ok=True)
        for api, count in self.planned.items():
            if api in self.run.stats:
                self.run.stats[api].planned = count
        # findings a named cause explains go; each API gets its verdict (interrupted where its tests did not all run)
        self.run.finish(interrupted=exitstatus == pytest.ExitCode.INTERRUPTED)
        from photo_contracts.drift.compare import sort_key
        from photo_contracts.judge import drift_by_usage
        from photo_contracts.usage import of_config

        drift_by_usage(run_drift(self.run), of_config(self.config))  # drift against the contract, for drift[]
        self.run.drift = sorted(self.run.drift, key=sort_key)
        write_summary(build(self.run), report_dir / "summary.json")
        write_json(report_dir / "observations.json", self.run.observations.as_dict(), self.run.redactor)

    def pytest_html_report_title(self, report: Any) -> None:
        cfg = self.config
        what = f"replay of {cfg.replay} recorded {cfg.replay_recorded}" if cfg.replay else f"{cfg.target} run"
        report.title = f"photo-contracts: {what}: detailed test log"

    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str]) -> None:
        if self.run is not None:
            from photo_contracts.reporting import html
            from photo_contracts.result import build

            result = build(self.run)
            prefix.extend(html.summary_table(result))
            prefix.extend(html.drift_section(result))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("photo-contracts", "photo-contracts conformance suite")
    group.addoption("--pc-api", action="append", metavar="NAME", help="API to check (repeatable; default: all)")
    group.addoption("--pc-target", choices=("sandbox", "live"), help="sandbox (default) or live")
    group.addoption("--pc-config", metavar="FILE", help="photo-contracts TOML configuration")
    group.addoption("--pc-report-dir", metavar="DIR", help="where summary.json goes")
    group.addoption("--pc-sandbox-drift", metavar="PROFILE", help="a drift profile for the sandbox")
    group.addoption("--pc-seed", type=int, metavar="N", help="seed for generation and datasets")
    group.addoption("--pc-examples", type=int, metavar="N", help="generated examples per operation")


def suite(config: pytest.Config) -> Suite:
    """The session's Suite: the one `photo-contracts run` registered, or one built from the options."""
    if SUITE_KEY not in config.stash:
        given = next((p for p in config.pluginmanager.get_plugins() if isinstance(p, Suite)), None)
        if given is None:
            try:
                cfg = config_module.load(config.getoption("pc_config"), overrides={
                    "target": config.getoption("pc_target"), "apis": config.getoption("pc_api"),
                    "report_dir": config.getoption("pc_report_dir"), "seed": config.getoption("pc_seed"),
                    "sandbox_drift": config.getoption("pc_sandbox_drift"),
                    "examples": config.getoption("pc_examples"),
                })
            except ToolError as exc:
                raise pytest.UsageError(str(exc)) from None
            given = Suite(cfg)
            config.pluginmanager.register(given, "photo_contracts_suite")
        config.stash[SUITE_KEY] = given
    return config.stash[SUITE_KEY]


# Requests are a live run's cost: spend them where findings come from first. Real ids through every
# documented operation, then the documented error answers, conditional promises and the invariants of
# listings, then negative probes, and fuzzing breadth (sandboxes only, by default) last.
ORDER = ("test_operation:positive", "test_error_answers", "test_promise", "test_invariant", "test_negative_probes",
         "test_operation:negative")


def _priority(item: pytest.Item) -> int:
    name = item.name.split("[", 1)[0]
    mode = getattr(item, "callspec", None) and item.callspec.params.get("pc_mode")
    key = f"{name}:{mode}" if name == "test_operation" else name
    return ORDER.index(key) if key in ORDER else len(ORDER)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if any(item.fspath.dirname.endswith("conformance") for item in items):
        items.sort(key=_priority)  # stable: within a kind, the order of the APIs and operations stays


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "pc_operation" in metafunc.fixturenames:
        cases = suite(metafunc.config).cases()
        metafunc.parametrize(("pc_api", "pc_operation", "pc_mode"), cases,
                             ids=[f"{api}:{op}:{mode}" for api, op, mode in cases])
    elif "pc_api" in metafunc.fixturenames:
        apis = list(suite(metafunc.config).config.apis)
        metafunc.parametrize("pc_api", apis, ids=apis)


@pytest.fixture(scope="session")
def pc_suite(request: pytest.FixtureRequest, record_testsuite_property: Callable[[str, object], None]) -> Iterator[Suite]:
    current = suite(request.config)
    try:
        current.start()
    except ToolError as exc:
        pytest.exit(f"photo-contracts: error: {exc}", returncode=pytest.ExitCode.USAGE_ERROR)
    for name, target in current.run.targets.items():  # junit.xml names the contract each API is judged by
        contract = target.contract
        record_testsuite_property(f"{name}.contract", f"{contract['path']} sha256:{contract['sha256']} "
                                                      f"with-references:{contract['sha256_with_references']}")
    yield current
    current.close()


@pytest.fixture
def pc_findings(request: pytest.FixtureRequest) -> list[Finding]:
    """The findings of this test; the plugin attaches them to its report."""
    found: list[Finding] = []
    request.node.stash[FINDINGS_KEY] = found
    return found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "pc_api" in callspec.params and report.failed and report.when != "call":
        report.pc_api = callspec.params["pc_api"]  # a setup or teardown error: counted, nothing judged
    if callspec is not None and "pc_api" in callspec.params and (report.when == "call" or report.skipped):
        found = item.stash.get(FINDINGS_KEY, [])
        report.pc_api = callspec.params["pc_api"]
        report.pc_findings = [f.as_dict() for f in found]
        if found:
            from photo_contracts.reporting import html

            report.extras = [*getattr(report, "extras", []), *html.finding_extras(found)]
    return report


def fail_with(found: list[Finding]) -> None:
    """End a conformance test: fail, without a traceback, when it made findings that break a documented
    promise; notices (failed assumptions; --strict makes them breaking) leave it passed."""
    if not found:
        return
    lines = [f"{f.severity.upper()} {f.check} on {f.operation}: {f.message}\n    {f.source_label()}" for f in found]
    if any(f.severity != "notice" for f in found):
        pytest.fail("\n".join(lines), pytrace=False)


