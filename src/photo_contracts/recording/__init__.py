"""Record every HTTP exchange of a run, and replay a recording offline (`--record DIR`, `--target replay:DIR`).

A recording is a directory:

    DIR/recording.json     metadata, rewritten atomically (temp file + rename) at start and end:
                           {"format": 1, "tool": "photo-contracts <version>", "created": ISO time,
                            "complete": bool, "exchanges": N, "target": "sandbox"|"live",
                            "sandbox_drift", "seed", "examples", "negative", "allow_writes",
                            "disabled_checks": [...], "limits": {...},
                            "apis": {name: {"base_url", "live", "ids": {param source: [values]},
                                               "contract": {path, sha256, ..., own}}}}
    DIR/exchanges.jsonl    one exchange per line, appended and flushed as it happens (a run killed
                           mid-write loses at most its last line, which replay skips):
                           {"n", "api", "method", "url" (redacted), "key" (the match key, below),
                            "request_headers" (redacted), "request_body" (body),
                            "status", "reason", "response_headers" ([[name, value], ...], redacted),
                            "body" (body), "error" (null or {"type", "message", "during": "send"|"body"})}
                           where a body is null, {"text": "..."} (redacted text) or
                           {"sha256": hex, "size": n} for binary bodies (images, uploads)
    DIR/bodies/<sha256>    the bytes of each binary body, named by their SHA-256

Redaction: credential header values are `[REDACTED]`; the "url" field goes through
`http.redact_url` and a `Redactor` that knows the run's tokens; in text bodies and response
header values the run's tokens become `[REDACTED]` and X-Amz-Signature/Credential/Security-Token
values are masked *in shape* (digits -> 0, hex letters -> a/A, other letters -> x/X, %XX kept),
so a signed URL in a replayed body is still a valid URI of the same form (a schema with
`format: uri` judges it as it judged the original). Image bytes are kept as they are.

Replay matches a request on (method, scheme, host, port, path, query without X-Amz-* and
signature/credential parameters, which credential headers are present (not their values),
SHA-256 of the request body with any multipart boundary normalised); the X-Schemathesis-TestCaseId
header, the credential's value and signed-URL times are ignored. Identical requests are answered
in recorded order. A request with no recorded answer raises `NotRecorded` (a ConnectionError,
so the engine reports it as a finding that names the request); nothing is ever sent.

Exact reproduction needs the same generated cases: generation is seeded, and every run (generation.py)
keeps hypothesis from mixing in literals of whatever local modules happen to be loaded (they
differ between a run with sandboxes and its replay). Known limits (tested in
tests/test_record_replay.py): text bodies are replayed redacted, so a check that read a token or
the exact value of a signature inside a body would see the mask; a replay runs the recorded
configuration (APIs, seed, examples, checks, limits) and judges by the contract each API was
judged by when recorded (its identity is in the meta, under `apis.<api>.contract`), not the flags given
to it, except `--contract API=PATH`, which re-judges the recorded answers by another contract; another version of
photo-contracts, schemathesis or hypothesis may generate other cases: those show as NotRecorded
findings and in the replay's closing line, never as a silent pass.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from photo_contracts.recording.determinism import probe_transport
from photo_contracts.recording.format import EXCHANGES, META, REPLAY_TOKEN, NotRecorded, load_meta, match_key
from photo_contracts.recording.recorder import Recorder, RecordingAdapter
from photo_contracts.recording.replayer import ReplayAdapter, Replayer, ReplaySession

__all__ = [
    "EXCHANGES", "META", "REPLAY_TOKEN", "NotRecorded", "Recorder", "RecordingAdapter", "ReplayAdapter",
    "ReplaySession", "Replayer", "describe", "load_meta", "match_key", "probe_transport",
]


def describe(config: Any, targets: Mapping[str, Any]) -> str:
    """One line for the console: what was recorded, or how the replay matched the recording."""
    if config.record:
        try:
            count = json.loads((Path(config.record) / META).read_text(encoding="utf-8"))["exchanges"]
        except (OSError, ValueError, KeyError):
            count = "?"
        return f"Recorded {count} exchanges into {config.record}"
    replayer = next((t.session.replayer for t in targets.values() if hasattr(t.session, "replayer")), None)
    if replayer is None:
        return f"Replayed {config.replay}"
    line = (f"Replayed {config.replay}: {len(replayer.misses)} requests not in the recording, "
            f"{replayer.unused} recorded answers not asked for")
    if replayer.skipped_lines:
        line += f", unreadable lines skipped: {', '.join(map(str, replayer.skipped_lines))}"
    return line
