"""Fifth pictures: a fifth API registered as a plugin, from outside photo_contracts.

Registered by its distribution's metadata, as any installed plugin would be:

    [photo_contracts.apis]
    fifth = pc_fifth:API

(tests/test_fifth_api.py writes that metadata at test time).
"""

from __future__ import annotations

from pathlib import Path

from pc_fifth import drifts, emulator
from photo_contracts.apis import Api
from photo_contracts.checks.facts import ApiFacts, IdSource, ImageEndpoint, Rejection
from photo_contracts.provenance import documented

PICTURE = drifts.PICTURE
DOCS = "fifth-pictures-docs"
UNAUTHORIZED = documented(DOCS, "A missing or wrong token answers 401 with a JSON error")

FACTS = ApiFacts(
    endpoints=(ImageEndpoint(PICTURE, "original", ("JPEG",),
                             source=documented(DOCS, "Every picture is served as image/jpeg")),),
    ids=(IdSource("pictureId", "picture_ids", "GET", "/pictures", "$.pictures[*].id"),),
    unknown_ids={"pictureId": "pic_00000000"},
    not_found=Rejection((404,), source=documented(DOCS, "An unknown picture id answers 404 with a JSON error")),
    missing_credentials=Rejection((401,), source=UNAUTHORIZED),
    wrong_credentials=Rejection((401,), source=UNAUTHORIZED),
    probe_operations=(PICTURE,),
)

API = Api(
    "fifth", "Fifth pictures", Path(__file__).parent / "contract.yaml", "Authorization", "Bearer ",
    facts=FACTS, emulator=emulator, profiles=drifts.PROFILES,
)
