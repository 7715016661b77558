"""The four built-in APIs, each one `Api`, registered in pyproject.toml under `photo_contracts.apis`
exactly as a fifth API would be (ARCHITECTURE.md, "Adding an API")."""

from __future__ import annotations

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

CLOUDCARD = Api(
    "cloudcard", "CloudCard (RemotePhoto)", CONTRACTS_DIR / "cloudcard.yaml", "X-Auth-Token", "",
    facts=cloudcard.FACTS, invariants=cloudcard.INVARIANTS, emulator=cloudcard_emulator,
    profiles=(*cloudcard_drifts.PROFILES, *cloudcard_drifts.VARIANTS),
)
VISITOR = Api(
    "visitor", "VMSAlpha visitor photos", CONTRACTS_DIR / "visitor.yaml", "Authorization", "Token ",
    facts=visitor.FACTS, invariants=visitor.INVARIANTS, emulator=visitor_emulator,
    profiles=(*visitor_drifts.PROFILES, *visitor_drifts.VARIANTS),
)
FULCRUM = Api(
    "fulcrum", "Fulcrum Photos", CONTRACTS_DIR / "fulcrum.yaml", "X-ApiToken", "",
    facts=fulcrum.FACTS, invariants=fulcrum.INVARIANTS, emulator=fulcrum_emulator,
    profiles=(*fulcrum_drifts.PROFILES, *fulcrum_drifts.VARIANTS),
)
AUTODESK = Api(
    "autodesk", "Autodesk ACC Photos", CONTRACTS_DIR / "autodesk.yaml", "Authorization", "Bearer ",
    facts=autodesk.FACTS, invariants=autodesk.INVARIANTS, emulator=autodesk_emulator,
    profiles=(*autodesk_drifts.PROFILES, *autodesk_drifts.VARIANTS),
)
