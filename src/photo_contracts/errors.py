"""Errors of the tool itself (exit code 2), never to be confused with findings about an API."""

from __future__ import annotations


class ToolError(Exception):
    """A usage, configuration, contract or connection problem: one clear line, exit code 2."""

    exit_code = 2

    def __str__(self) -> str:
        # One line, always: a multi-line message is a traceback in disguise.
        return " ".join(str(self.args[0]).split()) if self.args else self.__class__.__name__
