"""A run depends on the seed and the contracts only: not on where, or after what, the tool runs in a process."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

# Python's own default warning filters (highest precedence first), the ones a plain `python` starts with.
INTERPRETER_FILTERS = (
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""),
    ("ignore", ImportWarning, ""),
    ("ignore", ResourceWarning, ""),
)


@contextmanager
def pinned_generation() -> Iterator[None]:
    """Make the cases a seed generates, and the verdict on them, independent of the calling process.

    Three kinds of state of the process would leak into a run otherwise:

    - hypothesis mixes into generated data the string and number literals of every *local* module loaded
      at the time (`hypothesis.internal.conjecture.providers._get_local_constants`): the same seed would
      generate other cases from a checkout than from an installed wheel, after any edit of a string in the
      source, in a replay than in its recording, and depending on which modules earlier runs had loaded;
    - hypothesis' settings profile (a test suite's `ci` profile, `HYPOTHESIS_PROFILE`) fills every setting
      the suite does not set itself;
    - the caller's warning filters: under a test suite's `filterwarnings = error`, a warning raised while a
      conformance test runs would fail that test as an error of the tool (the API then inconclusive), or
      escape from the run. A pipe or socket some earlier code left unclosed raises its ResourceWarning
      wherever the garbage collector happens to finalize it: a verdict by what else the process did.

    A run draws from an empty local pool, under hypothesis' default profile and Python's own default
    warning filters (the suite's pytest.ini adds its own on top, as always). The constants and the profile
    use hypothesis internals; where those are gone, that part is not pinned.
    """
    with ExitStack() as stack:
        stack.enter_context(_interpreter_warnings())
        stack.enter_context(_default_profile())
        stack.enter_context(_no_local_constants())
        yield


@contextmanager
def _no_local_constants() -> Iterator[None]:
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if original is None or cache is None or not hasattr(providers, "Constants"):
        yield
        return
    empty = providers.Constants()
    providers._get_local_constants = lambda: empty  # noqa: SLF001
    cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original  # noqa: SLF001
        cache.clear()


@contextmanager
def _default_profile() -> Iterator[None]:
    try:
        from hypothesis import settings
        from hypothesis._settings import local_settings
        default = settings.get_profile("default")
    except Exception:  # noqa: BLE001 - pragma: no cover - an internal that moved: nothing is pinned
        yield
        return
    with local_settings(default):
        yield


@contextmanager
def _interpreter_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.resetwarnings()
        for action, category, module in reversed(INTERPRETER_FILTERS):
            warnings.filterwarnings(action, category=category, module=module)
        yield
