"""The accepted baseline: drift entries and findings a team has seen and accepted, per API, with a
digest of what was observed when they were accepted.

    {"format": 1, "tool": "...", "updated": "...", "target": "sandbox",
     "apis": {"fulcrum": {"updated": "...", "observations_digest": "sha256:...",
                          "accepted": [{api, operation, kind, path, severity, detail, response, observed}],
                          "findings": [{api, operation, check, json_path, reason, expires}]}}}

A finding is accepted by its API, operation, check and JSON path (its message may carry generated
values); each entry says why, and may carry an `expires` date (YYYY-MM-DD): from that day on the
finding counts as new again. `run --baseline` and `drift --baseline` read the same file.

An update replaces the APIs of the run and keeps the others, so `drift --api X --update-baseline`
never forgets what was accepted for Y.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from photo_contracts import __version__
from photo_contracts.drift.compare import drift_key, sort_key
from photo_contracts.errors import ToolError
from photo_contracts.jsonpath import wildcard

FORMAT = 1


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def shape_of(observed_api: dict[str, Any]) -> dict[str, Any]:
    """What one API answered, without counts, values or sizes: equal for two equivalent runs."""
    return {
        operation: {
            "statuses": sorted(facts.get("statuses", {})),
            "content_types": sorted(facts.get("content_types", {})),
            "bodies": {key: {path: sorted(p.get("types", {})) for path, p in body.get("paths", {}).items()}
                       for key, body in facts.get("bodies", {}).items()},
            "images": {role: sorted(formats) for role, formats in facts.get("images", {}).items()},
        }
        for operation, facts in observed_api.items()
    }


def digest(observed_api: dict[str, Any]) -> str:
    text = json.dumps(shape_of(observed_api), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Baseline:
    path: Path
    exists: bool
    target: str | None = None
    apis: dict[str, dict[str, Any]] = field(default_factory=dict)

    def accepted(self, apis: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
        return [e for api in apis for e in self.apis.get(api, {}).get("accepted", [])]

    def digest(self, api: str) -> str | None:
        return self.apis.get(api, {}).get("observations_digest")

    def accepted_findings(self, apis: list[str] | tuple[str, ...]) -> dict[str, dict[str, Any]]:
        return {finding_key(e): e for api in apis for e in self.apis.get(api, {}).get("findings", [])}

    def acceptance(self, finding: Any, today: date | None = None) -> dict[str, Any] | None:
        """The baseline entry that accepts `finding`, unless there is none or it has expired."""
        entry = self.accepted_findings([finding.api]).get(finding_key(finding))
        if entry is None:
            return None
        expires = entry.get("expires")
        return None if expires and (today or date.today()).isoformat() >= str(expires) else entry


def finding_key(finding: Any) -> str:
    """Identity of an accepted finding, stable across runs (its message may hold generated values)."""
    get = finding.get if isinstance(finding, dict) else lambda k: getattr(finding, k, None)
    # an entry written when schema findings were keyed by array index (`$.photos[0]`) accepts `$.photos[*]`
    return " | ".join(wildcard(str(get(k) or "")) if k == "json_path" else str(get(k) or "")
                      for k in ("api", "operation", "check", "json_path"))


def load(path: Path) -> Baseline:
    """The baseline at `path`; a missing file is an empty baseline, a broken one a ToolError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Baseline(path, exists=False)
    except OSError as exc:
        raise ToolError(f"cannot read baseline {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ToolError(f"baseline {path} is not a text file; restore it or remove it to start afresh") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ToolError(f"baseline {path} is not valid JSON ({exc}); restore it or remove it to start afresh") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("apis"), dict):
        raise ToolError(f"baseline {path} is not a photo-contracts drift baseline (format {FORMAT})")
    for api, section in data["apis"].items():
        accepted = section.get("accepted") if isinstance(section, dict) else None
        if not isinstance(accepted, list) or not all(isinstance(e, dict) and {"api", "operation", "kind", "path"}
                                                      <= set(e) for e in accepted):
            raise ToolError(f"baseline {path}: the entry of API {api!r} is malformed")
        for entry in section.get("findings", []):
            if not isinstance(entry, dict) or not {"api", "operation", "check", "reason"} <= set(entry):
                raise ToolError(f"baseline {path}: an accepted finding of {api!r} needs api, operation, check and "
                                "reason")
            expires = entry.get("expires")
            try:
                if expires is not None:
                    date.fromisoformat(str(expires))
            except ValueError:
                raise ToolError(f"baseline {path}: expires {expires!r} is not a date (YYYY-MM-DD)") from None
    return Baseline(path, True, data.get("target"), data["apis"])


def save(baseline: Baseline, target: str, drift: list[dict[str, Any]], observations: dict[str, Any],
         apis: list[str] | tuple[str, ...], findings: list[Any] = ()) -> None:
    """Accept the current drift and findings of `apis` (others kept as they were); written atomically.
    A finding accepted before keeps its reason and expiry; a new one says when and how it was accepted."""
    sections = dict(baseline.apis)
    stamp = now()
    for api in apis:
        entries = sorted((e for e in drift if e["api"] == api), key=sort_key)
        unique = list({drift_key(e): e for e in entries}.values())
        before = baseline.accepted_findings([api])
        accepted: dict[str, dict[str, Any]] = {}
        for finding in (f for f in findings if f.api == api):
            key = finding_key(finding)
            accepted[key] = before.get(key) or {
                "api": finding.api, "operation": finding.operation, "check": finding.check,
                "json_path": finding.json_path, "severity": finding.severity,
                "reason": f"accepted with --update-baseline on {stamp[:10]}: say why", "expires": None}
        sections[api] = {"updated": stamp, "observations_digest": digest(observations.get("apis", {}).get(api, {})),
                         "accepted": unique, "findings": [accepted[k] for k in sorted(accepted)]}
    data = {"format": FORMAT, "tool": f"photo-contracts {__version__}", "updated": stamp, "target": target,
            "apis": dict(sorted(sections.items()))}
    path = baseline.path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, indent=2) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise ToolError(f"cannot write baseline {path}: {exc.strerror}") from None
    baseline.apis, baseline.target, baseline.exists = sections, target, True


def changes(current: list[dict[str, Any]], accepted: list[dict[str, Any]]) -> tuple[list[dict[str, Any]],
                                                                                 list[dict[str, Any]]]:
    """(new since the baseline, disappeared since the baseline), each worst first."""
    now_keys = {drift_key(e): e for e in current}
    then_keys = {drift_key(e): e for e in accepted}
    new = [e for k, e in now_keys.items() if k not in then_keys]
    gone = [e for k, e in then_keys.items() if k not in now_keys]
    return sorted(new, key=sort_key), sorted(gone, key=sort_key)
