"""Drift profiles of the cloudcard emulator."""

from __future__ import annotations

from photo_contracts.sandbox.drift import DriftProfile

PROFILES: tuple[DriftProfile, ...] = ()
