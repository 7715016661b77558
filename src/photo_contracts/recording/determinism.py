"""What keeps a replay identical to its recording: pinned generation, routed probes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from requests.adapters import BaseAdapter


@contextmanager
def pinned_generation() -> Iterator[None]:
    """Make hypothesis' generation depend only on the seed and the contracts, for record and replay alike.

    Hypothesis mixes into generated data the string and number literals of every *local* module
    loaded at the time (`hypothesis.internal.conjecture.providers._get_local_constants`): a run
    that started sandboxes has loaded other modules than its offline replay, so the same seed would
    generate other cases. Record and replay both draw from an empty local pool instead. This uses a
    hypothesis internal; if it is gone, nothing is pinned and divergence shows as NotRecorded findings.
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


@contextmanager
def probe_transport(adapter: BaseAdapter) -> Iterator[None]:
    """Route schemathesis' own probe sessions (ignored_auth sends them outside the one client) through `adapter`."""
    from schemathesis.transport import requests as st_requests

    original = st_requests.SameHostRedirectsSession

    class Routed(original):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.adapters.clear()
            self.mount("http://", adapter)
            self.mount("https://", adapter)

    st_requests.SameHostRedirectsSession = Routed
    try:
        yield
    finally:
        st_requests.SameHostRedirectsSession = original
