"""Drift profiles of the visitor emulator."""

from __future__ import annotations

from photo_contracts.sandbox.drift import DriftProfile

PROFILES: tuple[DriftProfile, ...] = ()
