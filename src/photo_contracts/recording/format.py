"""The recording format: file names, redaction of bodies, the match key of a request, metadata."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from photo_contracts.apis import APIS, get_api
from photo_contracts.errors import ToolError
from photo_contracts.http import (
    SENSITIVE_HEADERS,
    SENSITIVE_PARAMS,
)

FORMAT = 1
META = "recording.json"
EXCHANGES = "exchanges.jsonl"
BODIES = "bodies"
REPLAY_TOKEN = "replay-token-never-sent"  # the dummy credential of replay targets
_BOUNDARY = re.compile(r"boundary=\"?([^\";,\s]+)", re.IGNORECASE)
TEXT_MEDIA = ("json", "text/", "xml", "x-www-form-urlencoded", "javascript", "yaml")


_SIGNED_VALUE = re.compile(r"((?:X-Amz-(?:Signature|Credential|Security-Token))=)([^&\s\"'<>\\]+)", re.IGNORECASE)
_MASKS = str.maketrans({**dict.fromkeys("0123456789", "0"), **dict.fromkeys("abcdef", "a"),
                        **dict.fromkeys("ghijklmnopqrstuvwxyz", "x"), **dict.fromkeys("ABCDEF", "A"),
                        **dict.fromkeys("GHIJKLMNOPQRSTUVWXYZ", "X")})


@cache
def credential_headers() -> frozenset[str]:
    """Headers that carry a credential: the usual ones and every registered API's own (read once, when first
    needed: the registry loads the API plugins)."""
    headers = set(SENSITIVE_HEADERS)
    for name in APIS:
        try:
            headers.add(get_api(name).auth_header.lower())
        except ToolError:  # a plugin that cannot be loaded takes part in no run, recorded or replayed
            continue
    return frozenset(headers - {""})


def mask_signed(text: str) -> str:
    """Signed-URL secrets replaced by a same-shape mask (0/a/x), so a URL stays a valid URI of the same form."""
    def mask(match: re.Match[str]) -> str:
        value = re.sub(r"%[0-9A-Fa-f]{2}|[^%]+", lambda m: m.group(0) if m.group(0).startswith("%")
                       else m.group(0).translate(_MASKS), match.group(2))
        return match.group(1) + value
    return _SIGNED_VALUE.sub(mask, text)


class NotRecorded(requests.ConnectionError):
    """Replay: the recording holds no (more) answer for this request; nothing was sent."""


# Matching
def _ignored_param(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("x-amz-") or lowered in SENSITIVE_PARAMS


def raw_body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    return b""  # a streamed body (file, generator): the suite never sends one


def match_key(method: str, url: str, headers: Mapping[str, str], body: Any) -> str:
    """What identifies a request across runs (see the module docstring)."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _ignored_param(k)]
    credentials = sorted(name.lower() for name in headers if name.lower() in credential_headers())
    raw = raw_body(body)
    boundary = _BOUNDARY.search(headers.get("Content-Type", "") or "")
    if boundary and raw:
        raw = raw.replace(boundary.group(1).encode(), b"BOUNDARY")  # random per request
    digest = hashlib.sha256(raw).hexdigest() if raw else ""
    return json.dumps([method.upper(), parts.scheme, f"{parts.hostname}:{port}", parts.path, query, credentials,
                       digest], separators=(",", ":"))


def load_meta(directory: str | Path) -> dict[str, Any]:
    """DIR/recording.json, checked; a ToolError (one line) when DIR holds no usable recording."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ToolError(f"replay: {directory} is not a directory")
    try:
        meta = json.loads((directory / META).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ToolError(f"replay: {directory} holds no recording ({META} is missing)") from None
    except (OSError, ValueError) as exc:
        raise ToolError(f"replay: {directory / META} is unreadable: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or not isinstance(meta.get("apis"), dict):
        raise ToolError(f"replay: {directory / META} is not a format-{FORMAT} recording")
    if not (directory / EXCHANGES).is_file():
        raise ToolError(f"replay: {directory} holds no {EXCHANGES}")
    unknown = sorted(set(meta["apis"]) - set(APIS))
    if unknown or not meta["apis"]:
        raise ToolError(f"replay: {directory / META} names no known API ({', '.join(unknown) or 'none'})")
    return meta
