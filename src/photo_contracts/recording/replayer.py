"""Replay: answers from a recording, in recorded order; nothing is ever sent."""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3 import HTTPHeaderDict

from photo_contracts.errors import ToolError
from photo_contracts.http import (
    ApiSession,
    ResponseTooLarge,
    redact_url,
)
from photo_contracts.recording.format import BODIES, EXCHANGES, NotRecorded, load_meta, match_key


class _Body:
    """A response body for replay: the recorded bytes, then the recorded error, if any."""

    version = 11

    def __init__(self, data: bytes, headers: HTTPHeaderDict, error: BaseException | None = None) -> None:
        self.data, self.headers, self.error, self.offset = data, headers, error, 0

    def read(self, amt: int | None = None, decode_content: bool = True, **_: Any) -> bytes:
        end = len(self.data) if amt is None else self.offset + amt
        chunk, self.offset = self.data[self.offset:end], min(end, len(self.data))
        if not chunk and self.error is not None:
            error, self.error = self.error, None
            raise error
        return chunk

    def close(self) -> None:
        self.offset = len(self.data)


def _exception(recorded: Mapping[str, Any]) -> BaseException:
    from photo_contracts import http

    kind = getattr(requests.exceptions, recorded["type"], None) or getattr(http, recorded["type"], None)
    if not (isinstance(kind, type) and issubclass(kind, requests.RequestException)):
        kind = requests.ConnectionError
    return kind(recorded["message"])


class Replayer:
    """The recorded exchanges of DIR, queued per match key, handed out in recorded order."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.meta = load_meta(self.directory)
        self.queues: dict[str, deque[dict[str, Any]]] = defaultdict(deque)
        self.skipped_lines: list[int] = []  # unreadable lines (a recording killed mid-write)
        self.misses: list[str] = []  # requests with no recorded answer
        self.lock = threading.Lock()
        with (self.directory / EXCHANGES).open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                try:
                    exchange = json.loads(line)
                    self.queues[exchange["key"]].append(exchange)
                except (ValueError, KeyError, TypeError):
                    self.skipped_lines.append(number)

    @property
    def unused(self) -> int:
        return sum(len(q) for q in self.queues.values())

    def answer(self, request: requests.PreparedRequest, max_bytes: int) -> requests.Response:
        key = match_key(request.method or "GET", request.url or "", request.headers, request.body)
        with self.lock:
            queue = self.queues.get(key)
            exchange = queue.popleft() if queue else None
            if exchange is None:
                self.misses.append(f"{request.method} {redact_url(request.url or '')}")
        if exchange is None:
            wanted = f"{request.method} {redact_url(request.url or '')}"
            raise NotRecorded(f"not in the recording {self.directory}: {wanted}")
        error = exchange.get("error")
        if error and error.get("during") == "send":
            raise _exception(error)
        headers = HTTPHeaderDict()
        for name, value in exchange["response_headers"]:
            headers.add(name, value)
        data = self.body(exchange["body"])
        failure = None
        if error and error["type"] == ResponseTooLarge.__name__:
            data = data + b"\0" * (max_bytes + 1 - len(data))  # the cap decides again, as it did
        elif error:
            failure = _exception(error)
        response = requests.Response()
        response.status_code = exchange["status"]
        response.reason = exchange["reason"]
        response.headers = CaseInsensitiveDict(headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = _Body(data, headers, failure)
        response.url = request.url or ""
        response.request = request
        response.elapsed = timedelta(0)
        return response

    def body(self, recorded: Mapping[str, Any] | None) -> bytes:
        if not recorded:
            return b""
        if "text" in recorded:
            return recorded["text"].encode("utf-8")
        try:
            return (self.directory / BODIES / recorded["sha256"]).read_bytes()
        except OSError:
            raise ToolError(f"replay: body {recorded['sha256']} is missing from {self.directory / BODIES}") from None


class ReplayAdapter(BaseAdapter):
    """A transport that answers from a recording and never opens a connection."""

    def __init__(self, replayer: Replayer, max_bytes: int) -> None:
        super().__init__()
        self.replayer, self.max_bytes = replayer, max_bytes

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        response = self.replayer.answer(request, self.max_bytes)
        response.connection = self
        return response

    def close(self) -> None:
        pass


class ReplaySession(ApiSession):
    """The one HTTP client, answering from a recording: same credential scoping, budget, caps and retries."""

    def __init__(self, replayer: Replayer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.replayer = replayer
        adapter = ReplayAdapter(replayer, self.limits.max_bytes)
        self.adapters.clear()
        self.mount("http://", adapter)
        self.mount("https://", adapter)
