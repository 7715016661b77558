"""Drift profiles of the fulcrum emulator."""

from __future__ import annotations

from photo_contracts.sandbox.drift import DriftProfile

PROFILES: tuple[DriftProfile, ...] = ()
