"""Recording: every exchange of the one HTTP client appended to DIR/exchanges.jsonl."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from photo_contracts import __version__
from photo_contracts.contracts import contract_identity
from photo_contracts.errors import ToolError
from photo_contracts.http import (
    REDACTED,
    ApiSession,
    Redactor,
    origin,
    redact_url,
)
from photo_contracts.recording.format import (
    BODIES,
    EXCHANGES,
    FORMAT,
    META,
    TEXT_MEDIA,
    credential_headers,
    mask_signed,
    match_key,
    raw_body,
)


class Recorder:
    """Appends the exchanges of one run to DIR/exchanges.jsonl; keeps DIR/recording.json current."""

    def __init__(self, directory: Path, meta: dict[str, Any], secrets: list[str]) -> None:
        self.directory = directory
        self.meta = meta
        self.redactor = Redactor(secrets)
        self.count = 0
        self.lock = threading.Lock()
        (directory / BODIES).mkdir(parents=True, exist_ok=True)
        self._write_meta()
        self.file = (directory / EXCHANGES).open("a", encoding="utf-8")

    @classmethod
    @contextmanager
    def open(cls, directory: Path, config: Any) -> Iterator[Recorder]:
        """Record a run of `config` into `directory` (which must not hold a recording yet)."""
        directory = Path(directory)
        if (directory / META).exists() or (directory / EXCHANGES).exists():
            raise ToolError(f"{directory} already holds a recording; record into a new directory")
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ToolError(f"cannot create the recording directory {directory}: {exc.strerror}") from None
        meta = {
            "format": FORMAT, "tool": f"photo-contracts {__version__}",
            "created": datetime.now(UTC).isoformat(timespec="seconds"), "complete": False, "exchanges": 0,
            "target": config.target, "sandbox_drift": config.sandbox_drift, "seed": config.seed,
            "examples": config.examples_per_operation, "negative": config.negative_testing,
            "allow_writes": config.allow_writes, "disabled_checks": sorted(config.disabled_checks),
            "limits": asdict(config.limits), "apis": {},
        }
        secrets = [c.token for c in config.api_configs.values() if c.token]
        if config.sandbox_token:
            secrets.append(config.sandbox_token)
        recorder = cls(directory, meta, secrets)
        try:
            yield recorder
        finally:
            recorder.close()

    def add_api(self, name: str, session: ApiSession, token: str, live: bool, ids: Mapping[str, Any]) -> None:
        """Declare one API of the run and start recording its session. The contract it is judged by (the user's own
        while the run's `contracts_from` is in force, as for `target.contract`) is kept, for the replay to judge by."""
        self.redactor.add(token)
        self.redactor.add(session.auth_value)
        self.meta["apis"][name] = {"base_url": session.base_url, "live": live,
                                   "ids": {k: ([v] if isinstance(v, str) else list(v)) for k, v in ids.items()},
                                   "contract": contract_identity(name)}
        self._write_meta()
        session.observer = lambda request, response, error: self.record(name, request, response, error)

    def api_of(self, url: str) -> str | None:
        wanted = origin(url)
        return next((n for n, a in self.meta["apis"].items() if origin(a["base_url"]) == wanted), None)

    def _write_meta(self) -> None:
        temporary = self.directory / (META + ".tmp")
        temporary.write_text(json.dumps(self.meta, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, self.directory / META)

    def _body(self, data: bytes | None, media: str) -> dict[str, Any] | None:
        if not data:
            return None
        media = media.lower()
        if not media or (not media.startswith("image/") and any(t in media for t in TEXT_MEDIA)):
            try:
                return {"text": self._text(data.decode("utf-8"))}
            except UnicodeDecodeError:
                pass
        digest = hashlib.sha256(data).hexdigest()
        path = self.directory / BODIES / digest
        if not path.exists():
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(data)
            os.replace(temporary, path)
        return {"sha256": digest, "size": len(data)}

    def _text(self, text: str) -> str:
        """The run's tokens masked, and signed-URL secrets masked in shape (bodies stay valid documents)."""
        for secret in self.redactor.secrets:
            text = text.replace(secret, REDACTED)
        return mask_signed(text)

    def _headers(self, pairs: list[tuple[str, str]]) -> list[list[str]]:
        return [[k, REDACTED if k.lower() in credential_headers() else self._text(str(v))] for k, v in pairs]

    def record(self, api: str | None, request: requests.PreparedRequest, response: requests.Response | None,
               error: BaseException | None) -> None:
        """One exchange: the request as sent, and its response or the transport error."""
        method = (request.method or "GET").upper()
        url = request.url or ""
        line: dict[str, Any] = {
            "api": api, "method": method, "url": self.redactor.text(redact_url(url)),
            "key": match_key(method, url, request.headers, request.body),
            "request_headers": dict(self._headers(list(request.headers.items()))),
            "request_body": self._body(raw_body(request.body), request.headers.get("Content-Type", "")),
            "status": None, "reason": None, "response_headers": [], "body": None, "error": None,
        }
        if response is not None and response.history:
            response = response.history[0]  # the answer to this request; later hops are recorded by their own sends
        if response is not None:
            raw_headers = getattr(response.raw, "headers", None)
            pairs = list(raw_headers.items()) if raw_headers is not None else list(response.headers.items())
            content = response._content if isinstance(response._content, bytes) else None  # noqa: SLF001
            line.update(status=response.status_code, reason=response.reason, response_headers=self._headers(pairs),
                        body=self._body(content, response.headers.get("Content-Type", "")))
        if error is not None:
            line["error"] = {"type": type(error).__name__, "message": self.redactor.text(str(error)),
                             "during": "body" if response is not None else "send"}
        with self.lock:
            self.count += 1
            line = {"n": self.count, **line}
            self.file.write(json.dumps(line, separators=(",", ":")) + "\n")
            self.file.flush()

    def close(self) -> None:
        with self.lock:
            self.file.close()
            self.meta.update(complete=True, exchanges=self.count)
            self._write_meta()


class RecordingAdapter(HTTPAdapter):
    """For sessions outside the one HTTP client (schemathesis' auth probes): send, read, record."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.recorder = recorder

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        api = self.recorder.api_of(request.url or "")
        try:
            response = super().send(request, *args, **kwargs)
        except requests.RequestException as exc:
            self.recorder.record(api, request, None, exc)
            raise
        response.content  # noqa: B018 - read it now, to record it
        self.recorder.record(api, request, response, None)
        return response
