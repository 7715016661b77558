"""What keeps a replay identical to its recording besides pinned generation (generation.py): routed probes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from requests.adapters import BaseAdapter


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
