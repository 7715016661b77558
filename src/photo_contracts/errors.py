"""Errors of the tool itself (exit code 2), never to be confused with findings about an API."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ToolError(Exception):
    """A usage, configuration, contract or connection problem: one clear line, exit code 2."""

    exit_code = 2

    def __str__(self) -> str:
        # One line, always: a multi-line message is a traceback in disguise.
        return " ".join(str(self.args[0]).split()) if self.args else self.__class__.__name__


def did_you_mean(wrong: str, names: Iterable[str], n: int = 1, cutoff: float = 0.6) -> str:
    """"did you mean 'fulcrum'? " for a misspelt name (the nearest valid ones), or "" when none is near."""
    close = difflib.get_close_matches(wrong, list(names), n=n, cutoff=cutoff)
    return f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
