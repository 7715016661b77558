"""Stopping a run: SIGTERM (a cancelled CI job) is taken like Ctrl-C, so the run still writes its reports."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

STOPS = (signal.SIGINT, signal.SIGTERM)
_requested = [False]  # a stop was asked for during this run (a library may turn the KeyboardInterrupt into another error)


def requested() -> bool:
    """Whether Ctrl-C or SIGTERM came during the current run."""
    return _requested[0]


def _interrupt(signum: int, frame: Any) -> None:
    _requested[0] = True
    raise KeyboardInterrupt


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM raise KeyboardInterrupt (pytest then ends the session as
    interrupted), and `requested()` says one came."""
    _requested[0] = False
    try:
        previous = {stop: signal.signal(stop, _interrupt) for stop in STOPS}
    except ValueError:  # not the main thread: signals are not ours to handle
        yield
        return
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)


def interrupt_once() -> None:
    """From now on, the first SIGINT or SIGTERM raises KeyboardInterrupt and later ones do nothing: a process
    that got Ctrl-C from the terminal and again from its parent stops once, and writes its reports."""
    stopped = False

    def first(signum: int, frame: Any) -> None:
        nonlocal stopped
        if not stopped:
            stopped = True
            _requested[0] = True
            raise KeyboardInterrupt

    for stop in STOPS:
        signal.signal(stop, first)


def ignore_interrupts() -> None:
    """Later SIGINT and SIGTERM do nothing (a Python handler, not SIG_IGN: a signal already pending when the
    handler changes would otherwise be reported as 'ignored due to race condition')."""
    for stop in STOPS:
        signal.signal(stop, lambda signum, frame: None)
