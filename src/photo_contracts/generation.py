"""Generated cases depend on the seed and the contracts only: not on where or after what the tool runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def pinned_generation() -> Iterator[None]:
    """Make hypothesis' generation depend only on the seed and the contracts.

    Hypothesis mixes into generated data the string and number literals of every *local* module
    loaded at the time (`hypothesis.internal.conjecture.providers._get_local_constants`): the same
    seed would generate other cases from a checkout than from an installed wheel (site-packages is
    not "local"), after any edit of a string in the source, in a replay than in its recording, and
    depending on which modules earlier runs in the process had loaded. Every run draws from an empty
    local pool instead. This uses a hypothesis internal; if it is gone, nothing is pinned.
    """
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
