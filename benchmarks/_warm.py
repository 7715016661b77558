"""Imported by live_detection.py's forkserver: draws the pictures of every sandbox dataset the benchmark measures
(the APIs and sizes in PC_BENCH_WARM, "api,api;size,size"), once, so each measurement's fresh process, forked from
the server, starts its sandbox warm (the emulators cache their deterministic pictures per process) instead of
drawing hundreds of JPEGs again."""

from __future__ import annotations

import os

from photo_contracts.sandbox import autodesk_data, cloudcard_data, fulcrum_data, visitor_data
from photo_contracts.sandbox.objectstore import ObjectStore


def warm(apis: list[str], sizes: list[int | None]) -> None:
    for size in sizes:
        if "cloudcard" in apis:
            cloudcard_data.build(0, size, ObjectStore())
        if "visitor" in apis:
            visitor_data.build_visitors(0, size)
        if "fulcrum" in apis:
            fulcrum_data.build(0, size)
        if "autodesk" in apis:
            autodesk_data.build(0, size, "http://127.0.0.1:1")


_apis, _, _sizes = os.environ.get("PC_BENCH_WARM", "").partition(";")
if _apis:
    warm(_apis.split(","), [int(s) if s != "default" else None for s in _sizes.split(",") if s])
