"""The four built-in APIs, each one `Api`, registered in pyproject.toml under `photo_contracts.apis`
exactly as a fifth API would be (ARCHITECTURE.md, "Adding an API")."""

from __future__ import annotations

from types import ModuleType

from photo_contracts.apis import Api
from photo_contracts.checks.vendors import autodesk, cloudcard, fulcrum, visitor
from photo_contracts.contracts import CONTRACTS_DIR
from photo_contracts.sandbox import autodesk as autodesk_emulator
from photo_contracts.sandbox import cloudcard as cloudcard_emulator
from photo_contracts.sandbox import fulcrum as fulcrum_emulator
from photo_contracts.sandbox import visitor as visitor_emulator
from photo_contracts.sandbox.drifts import autodesk as autodesk_drifts
from photo_contracts.sandbox.drifts import cloudcard as cloudcard_drifts
from photo_contracts.sandbox.drifts import fulcrum as fulcrum_drifts
from photo_contracts.sandbox.drifts import visitor as visitor_drifts


def builtin(name: str, title: str, auth_header: str, auth_prefix: str, checks: ModuleType, emulator: ModuleType,
            drifts: ModuleType) -> Api:
    """One built-in API: its contract in the package data, the vendor's checks module, emulator and drifts."""
    return Api(name, title, CONTRACTS_DIR / f"{name}.yaml", auth_header, auth_prefix, facts=checks.FACTS,
               invariants=checks.INVARIANTS, emulator=emulator, profiles=(*drifts.PROFILES, *drifts.VARIANTS))


CLOUDCARD = builtin("cloudcard", "CloudCard (RemotePhoto)", "X-Auth-Token", "", cloudcard, cloudcard_emulator,
                    cloudcard_drifts)
VISITOR = builtin("visitor", "VMSAlpha visitor photos", "Authorization", "Token ", visitor, visitor_emulator,
                  visitor_drifts)
FULCRUM = builtin("fulcrum", "Fulcrum Photos", "X-ApiToken", "", fulcrum, fulcrum_emulator, fulcrum_drifts)
AUTODESK = builtin("autodesk", "Autodesk ACC Photos", "Authorization", "Bearer ", autodesk, autodesk_emulator,
                   autodesk_drifts)
