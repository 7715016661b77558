"""Severities of findings, drift entries and audit changes: one list, most to least severe.

`notice` is a failed assumption (a promise marked `x-assumed`, see provenance.severity): only what
is judged under a mark can be one, so the audit's changes, which compare two documents, never are.
"""

from __future__ import annotations

SEVERITIES = ("breaking", "warning", "info", "notice")
NOTICE = "notice"
