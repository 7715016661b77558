"""photo-contracts: contract tests and API-conformance checks for third-party photo APIs."""

from __future__ import annotations

__version__ = "0.1.0"
