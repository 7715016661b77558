"""Named checks, each one function of a `registry.CheckContext`, registered by the modules below.

Within a module, checks apply in the order they are defined: the answer checks of `contract`, then the
image checks of `images`. Evidence of one kind is judged by one module, so the import order does not matter.
"""

from __future__ import annotations

from photo_contracts.checks import contract, errors, images, invariants, promises  # noqa: F401 - they register
from photo_contracts.checks.registry import CHECKS

# Every check a drift profile or `[checks] disable` may name.
KNOWN_CHECKS = tuple(CHECKS)
