"""The one HTTP client: credentials only to the API's own origin, politeness, caps, redaction.

Every request of a run goes through an `ApiSession` (a requests.Session, so schemathesis
can use it directly): auth is attached per request and only when the URL's origin is the
API's; redirects to another origin drop it; a budget, a rate limit, Retry-After, timeouts
and a response-size cap make live runs polite and hostile responses harmless.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

REDACTED = "[REDACTED]"
SENSITIVE_HEADERS = {"authorization", "x-auth-token", "x-apitoken", "cookie", "set-cookie", "proxy-authorization"}
# Signed-URL and token query parameters of the object stores vendors hand out: S3 (X-Amz-*), Google Cloud
# Storage (X-Goog-*), Azure SAS (sig), CloudFront (Signature, Policy, Key-Pair-Id), and plain ?token=.
SENSITIVE_PARAMS = {"x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature",
                    "x-goog-credential", "signature", "sig", "policy", "key-pair-id", "token"}
# Sees (request, response or None, error or None) after every attempt of an ApiSession: `--record`.
Observer = Callable[[requests.PreparedRequest, "requests.Response | None", "BaseException | None"], None]
IDEMPOTENT = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}


@dataclass(frozen=True)
class Limits:
    """Politeness and safety limits of the one HTTP client."""

    budget: int = 150  # requests per API per run (live); sandboxes are unlimited
    rate: float = 5.0  # requests per second per API (live)
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_bytes: int = 25 * 1024 * 1024  # larger bodies are cut off and reported
    max_pixels: int = 64_000_000  # larger images are not decoded (decompression bombs)
    retries: int = 2  # idempotent requests only, on connection errors and 503/429
    max_retry_after: float = 30.0  # longer Retry-After values end the retries
    deadline: float = 30.0  # seconds for one whole request: connect, headers and the complete body
    run_deadline: float = 900.0  # seconds of wall clock for a whole run; then every API stops, with a report


class DeadlineExceeded(requests.Timeout):
    """No complete response within the per-request deadline (a server that hangs or drips its body)."""


class BudgetExhausted(requests.RequestException):
    """The run's request budget for this API is spent; no more requests are sent."""


class RunDeadlineReached(BudgetExhausted):
    """The run's wall-clock deadline has passed: no more requests to any API."""


class ApiStalled(BudgetExhausted):
    """The API let requests run into their deadline again and again (or cannot be reached): stop asking."""


class ResponseTooLarge(requests.RequestException):
    """The body exceeded the size cap; it was cut off, not read to the end."""


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return parts.scheme, f"{parts.hostname}:{port}"


def redact_url(url: str) -> str:
    """`url` with signature and credential query parameters masked."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, REDACTED if k.lower() in SENSITIVE_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="[]")))


def redact_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() in SENSITIVE_HEADERS else str(v)) for k, v in headers.items()}


class Redactor:
    """Masks known secret values and signed-URL parameters in any text that leaves the tool."""

    # The same parameters, wherever a URL sits in text (a curl line, an excerpt, a message).
    _SIGNED = re.compile(r"((?<=[?&;])(?:" + "|".join(re.escape(p) for p in sorted(SENSITIVE_PARAMS)) +
                         r")=)[^&\s\"'<>]+", re.IGNORECASE)

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4 and secret not in self.secrets:
            self.secrets = sorted([*self.secrets, secret], key=len, reverse=True)

    def text(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return self._SIGNED.sub(lambda m: m.group(1) + REDACTED, text)


class _RateLimiter:
    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self.next = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            delay = self.next - now
            self.next = max(now, self.next) + self.interval
        if delay > 0:
            time.sleep(delay)


class ApiSession(requests.Session):
    """A requests.Session bound to one API: its origin, its credential header, its limits."""

    def __init__(
        self,
        base_url: str,
        auth_header: str | None = None,
        auth_value: str | None = None,
        *,
        limits: Limits | None = None,
        polite: bool = True,
    ) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.api_origin = origin(base_url)
        self.auth_header = auth_header
        self.auth_value = auth_value
        self.limits = limits or Limits()
        self.polite = polite  # live targets: budget and rate limit apply
        self.requests_sent = 0
        self.budget_hit = False
        self._rate = _RateLimiter(self.limits.rate if polite else None)
        self._count_lock = threading.Lock()
        self._last = threading.local()  # the last complete response of this thread: evidence for checks
        self.trust_env = False  # no proxies or netrc credentials from the environment
        self.max_redirects = 5
        self.headers["User-Agent"] = "photo-contracts"
        self.observer: Observer | None = None
        self.run_deadline_at: float | None = None  # time.monotonic() after which nothing more is sent
        self.stalled: str | None = None  # why this API gets no more requests (unreachable, hanging)
        self._deadlines_in_a_row = 0
        # The run's plan of this budget (budget.Plan): each request is charged to the part it is for, and a
        # part whose share is spent is refused (its BudgetExhausted) while the others go on.
        self.plan: Any = None

    # Credentials never leave the API's origin, whoever put them on the request.
    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        prepared = super().prepare_request(request)
        self._scope_credential(prepared)
        return prepared

    def _scope_credential(self, prepared: requests.PreparedRequest) -> None:
        if origin(prepared.url or "") != self.api_origin:
            for name in list(prepared.headers):
                if name.lower() in SENSITIVE_HEADERS or (self.auth_header and name.lower() == self.auth_header.lower()):
                    del prepared.headers[name]

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: requests.Response) -> None:
        # requests strips only Authorization on a cross-host redirect; our header may be another.
        super().rebuild_auth(prepared_request, response)
        self._scope_credential(prepared_request)

    # Politeness and safety on every send (including redirects).
    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self._scope_credential(request)  # also covers requests prepared outside this session
        if kwargs.get("timeout") is None:  # Session.request passes timeout=None explicitly: None is "not set"
            kwargs["timeout"] = (self.limits.connect_timeout, self.limits.read_timeout)
        kwargs["stream"] = True
        method = (request.method or "GET").upper()
        attempts = 1 + (self.limits.retries if method in IDEMPOTENT else 0)
        for attempt in range(attempts):
            self._spend()
            try:
                response = self._within_deadline(request, kwargs)
            except requests.Timeout as exc:  # retrying a server that hangs or drips only waits again
                self._observe(request, None, exc)
                self._timed_out()
                raise
            except requests.ConnectionError as exc:
                self._observe(request, None, exc)
                if attempt + 1 >= attempts:
                    raise
                time.sleep(min(2**attempt * 0.2, 2.0))
                continue
            except requests.RequestException as exc:
                self._observe(request, None, exc)
                raise
            if response.status_code in (429, 503) and attempt + 1 < attempts:
                wait = retry_after(response.headers.get("Retry-After"))
                if wait is not None and wait <= self.limits.max_retry_after:
                    response.close()
                    self._observe(request, response, None)
                    time.sleep(wait)
                    continue
            self._last.response = response
            self._observe(request, response, None)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _within_deadline(self, request: requests.PreparedRequest, kwargs: dict[str, Any]) -> requests.Response:
        """Send and read the whole body within `limits.deadline` (and the run's deadline): per-read
        timeouts never fire on a server that drips one byte a second, so a watchdog ends the wait."""
        budget = self.limits.deadline
        cut_by_run = False  # the run's own deadline, not the request's, ends this wait: not the API's fault
        if self.run_deadline_at is not None and self.run_deadline_at - time.monotonic() < budget:
            budget, cut_by_run = max(0.0, self.run_deadline_at - time.monotonic()), True
        box: dict[str, Any] = {}

        def exchange() -> None:
            try:
                box["response"] = requests.Session.send(self, request, **kwargs)
                self._read_capped(box["response"])
            except BaseException as exc:  # handed to the caller's thread below
                box["error"] = exc

        worker = threading.Thread(target=exchange, name="photo-contracts-request", daemon=True)
        worker.start()
        worker.join(budget)
        if worker.is_alive():
            _abort(box.get("response"))  # the worker's blocked read ends; the thread ends with it
            if cut_by_run:
                self.stalled = f"the run's deadline ({self.limits.run_deadline:g}s) passed"
                raise RunDeadlineReached(f"the run's deadline ({self.limits.run_deadline:g}s) passed mid-request")
            raise DeadlineExceeded(f"no complete response within the {budget:g}s deadline "
                                   f"({'body unfinished' if 'response' in box else 'no headers'})")
        if "error" in box:
            raise box["error"]
        with self._count_lock:
            self._deadlines_in_a_row = 0
        return box["response"]

    def _timed_out(self) -> None:
        with self._count_lock:
            self._deadlines_in_a_row += 1
            if self._deadlines_in_a_row >= STALL_AFTER and not self.stalled:
                self.stalled = (f"{self._deadlines_in_a_row} requests in a row got no complete answer in time "
                                f"(read timeout {self.limits.read_timeout:g}s, deadline {self.limits.deadline:g}s)")

    def _observe(self, request: requests.PreparedRequest, response: requests.Response | None,
                 error: BaseException | None) -> None:
        if self.observer is not None:
            self.observer(request, response, error)

    def _spend(self) -> None:
        if self.stalled:
            raise ApiStalled(f"no more requests: {self.stalled}")
        if self.run_deadline_at is not None and time.monotonic() >= self.run_deadline_at:
            self.stalled = f"the run's deadline ({self.limits.run_deadline:g}s) passed"
            raise RunDeadlineReached(f"the run's deadline ({self.limits.run_deadline:g}s) has passed")
        if self.polite:
            with self._count_lock:
                if self.requests_sent >= self.limits.budget:
                    self.budget_hit = True
                    raise BudgetExhausted(f"request budget of {self.limits.budget} spent")
                self._charge()
                self.requests_sent += 1
            self._rate.wait()
        else:
            with self._count_lock:
                self._charge()
                self.requests_sent += 1

    def _charge(self) -> None:
        if self.plan is not None:
            try:
                self.plan.charge()
            except BudgetExhausted:  # one part's share is spent: the budget limited this run
                self.budget_hit = True
                raise

    def last_response(self) -> requests.Response | None:
        """The last complete response this thread received (what a failing invariant just read)."""
        return getattr(self._last, "response", None)

    def _read_capped(self, response: requests.Response) -> None:
        cap = self.limits.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            response.close()
            raise ResponseTooLarge(f"Content-Length {declared} exceeds the {cap}-byte cap")
        body = bytearray()
        for chunk in response.iter_content(64 * 1024):
            body += chunk
            if len(body) > cap:
                response.close()
                raise ResponseTooLarge(f"body exceeds the {cap}-byte cap")
        response._content = bytes(body)  # noqa: SLF001 - requests' own slot for a read body
        response._content_consumed = True  # noqa: SLF001


STALL_AFTER = 2  # timeouts in a row after which an API gets no more requests this run


def _abort(response: requests.Response | None) -> None:
    """Shut the socket under a response whose body never finishes (best effort)."""
    sock = getattr(getattr(getattr(response, "raw", None), "_connection", None), "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: nothing left to end
            sock.shutdown(socket.SHUT_RDWR)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
