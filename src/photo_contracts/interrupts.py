"""Stopping a run: SIGTERM (a cancelled CI job) is taken like Ctrl-C, so the run still writes its reports."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

STOPS = (signal.SIGINT, signal.SIGTERM)
# A stop was asked for during this run (a library may turn its KeyboardInterrupt into another error, or lose it).
_requested = [False]


def requested() -> bool:
    """Whether Ctrl-C or SIGTERM came during the current run."""
    return _requested[0]


def _interrupt(signum: int, frame: Any) -> None:
    _requested[0] = True
    raise KeyboardInterrupt


def _quiet_when_lost(previous: Any) -> Any:
    """An unraisable-exception hook that keeps quiet about our own KeyboardInterrupt and passes anything else on.

    Python runs a signal's handler between two bytecodes of the main thread, wherever it is, and some of what
    it runs cannot raise: a garbage collector callback (hypothesis times every collection), a weakref callback
    (WeakSet), a `__del__`. A KeyboardInterrupt raised there is printed as 'Exception ignored in: ... Traceback
    ... KeyboardInterrupt' and lost. Lost, it is not forgotten (`requested()`: the session stops after the test
    it came in); printed, it would be a traceback on stderr for a run that stopped as asked."""

    def hook(unraisable: Any) -> None:
        if unraisable.exc_type is KeyboardInterrupt and _requested[0]:
            return
        previous(unraisable)

    return hook


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM raise KeyboardInterrupt (pytest then ends the session as
    interrupted), `requested()` says one came, and one lost where nothing may raise is not printed."""
    _requested[0] = False
    try:
        previous = {stop: signal.signal(stop, _interrupt) for stop in STOPS}
    except ValueError:  # not the main thread: signals are not ours to handle
        yield
        return
    unraisable_hook = sys.unraisablehook
    sys.unraisablehook = _quiet_when_lost(unraisable_hook)
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)
        sys.unraisablehook = unraisable_hook


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
    sys.unraisablehook = _quiet_when_lost(sys.unraisablehook)


def ignore_interrupts() -> None:
    """Later SIGINT and SIGTERM do nothing (a Python handler, not SIG_IGN: a signal already pending when the
    handler changes would otherwise be reported as 'ignored due to race condition')."""
    for stop in STOPS:
        signal.signal(stop, lambda signum, frame: None)
