"""The one HTTP client against real loopback servers: credential scope, budget, rate limit,
Retry-After, retries, size cap, timeouts, redaction."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field

import pytest
import requests
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from photo_contracts import http
from photo_contracts.http import (
    REDACTED,
    ApiSession,
    BudgetExhausted,
    Limits,
    Redactor,
    ResponseTooLarge,
    redact_headers,
    redact_url,
    retry_after,
)
from photo_contracts.sandbox.server import serve

pytestmark = pytest.mark.slow

TOKEN = "tok-3f9a1c77e2"
CREDENTIAL_HEADERS = ("Authorization", "X-Auth-Token", "X-ApiToken")
FAST = Limits(rate=10_000.0, retries=0)


@dataclass
class Recorder:
    """Every request a test server saw: (method, path, headers)."""

    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    flaky: int = 0  # answers given so far by /flaky
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, request: Request) -> None:
        with self.lock:
            self.seen.append((request.method, request.url.path, {k.lower(): v for k, v in request.headers.items()}))

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.seen]


def api_app(recorder: Recorder, other: dict[str, str]) -> Starlette:
    """The 'API': echoes, redirects to the other host, misbehaves on demand."""
    async def echo(request: Request) -> Response:
        recorder.note(request)
        return JSONResponse({"ok": True})

    async def to_other(request: Request) -> Response:
        recorder.note(request)
        return RedirectResponse(other["url"] + "/landing", status_code=int(request.query_params.get("status", 302)))

    async def loop(request: Request) -> Response:
        recorder.note(request)
        return RedirectResponse("/loop", status_code=302)

    async def flaky(request: Request) -> Response:
        """The first `fails` answers are `status` with Retry-After `after`, then 200."""
        recorder.note(request)
        recorder.flaky += 1
        if recorder.flaky <= int(request.query_params.get("fails", 1)):
            headers = {"Retry-After": request.query_params["after"]} if "after" in request.query_params else {}
            return JSONResponse({"busy": True}, status_code=int(request.query_params.get("status", 503)),
                                headers=headers)
        return JSONResponse({"ok": True})

    async def big(request: Request) -> Response:
        recorder.note(request)
        return Response(b"x" * int(request.query_params["n"]), media_type="application/octet-stream")

    async def big_stream(request: Request) -> Response:
        recorder.note(request)
        n = int(request.query_params["n"])

        async def chunks() -> Iterator[bytes]:
            for _ in range(n // 65536):
                yield b"y" * 65536

        return StreamingResponse(chunks(), media_type="application/octet-stream")  # no Content-Length

    async def bomb(request: Request) -> Response:
        recorder.note(request)
        return Response(gzip.compress(b"\0" * 20_000_000), headers={"Content-Encoding": "gzip"},
                        media_type="application/octet-stream")

    async def slow(request: Request) -> Response:
        recorder.note(request)
        await asyncio.sleep(2.0)
        return JSONResponse({"late": True})

    return Starlette(routes=[
        Route("/echo", echo, methods=["GET", "POST", "PUT"]), Route("/to-other", to_other),
        Route("/loop", loop), Route("/flaky", flaky, methods=["GET", "POST", "PUT", "DELETE"]),
        Route("/big", big), Route("/big-stream", big_stream), Route("/bomb", bomb), Route("/slow", slow),
    ])


def other_app(recorder: Recorder) -> Starlette:
    async def anything(request: Request) -> Response:
        recorder.note(request)
        return JSONResponse({"other": True})

    return Starlette(routes=[Route("/{path:path}", anything)])


@dataclass
class Servers:
    api: str
    api_seen: Recorder
    other: str  # another host: 127.0.0.3
    other_seen: Recorder
    other_port: str  # the API's host on another port: another origin too
    other_port_seen: Recorder


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    api_seen, other_seen, port_seen = Recorder(), Recorder(), Recorder()
    other: dict[str, str] = {}
    with ExitStack() as stack:
        other_url = stack.enter_context(serve(other_app(other_seen), host="127.0.0.3"))
        port_url = stack.enter_context(serve(other_app(port_seen), host="127.0.0.1"))
        other["url"] = other_url
        api_url = stack.enter_context(serve(api_app(api_seen, other), host="127.0.0.1"))
        yield Servers(api_url, api_seen, other_url, other_seen, port_url, port_seen)


@pytest.fixture
def fresh(servers: Servers) -> Servers:
    for recorder in (servers.api_seen, servers.other_seen, servers.other_port_seen):
        recorder.seen.clear()
        recorder.flaky = 0
    return servers


class FakeTime:
    """Stands in for the `time` module inside photo_contracts.http: sleeping advances the clock."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return 1_700_000_000.0 + self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(http, "time", fake)
    return fake


def session(servers: Servers, header: str = "X-Auth-Token", *, polite: bool = True, **limits: object) -> ApiSession:
    values = {"rate": 10_000.0, "retries": 0, **limits}
    return ApiSession(servers.api, header, TOKEN, limits=Limits(**values), polite=polite)  # type: ignore[arg-type]


def carried(recorder: Recorder) -> list[str]:
    """Credential headers (or the token anywhere in a header) a server received."""
    found = []
    for _, _, headers in recorder.seen:
        found += [name for name, value in headers.items()
                  if name in {h.lower() for h in CREDENTIAL_HEADERS} or TOKEN in value]
    return found


# Credentials stay with the API's origin


@pytest.mark.parametrize("header", CREDENTIAL_HEADERS)
def test_credential_reaches_the_api_itself(fresh: Servers, header: str) -> None:
    with session(fresh, header) as s:
        s.get(fresh.api + "/echo", headers={header: TOKEN})
    assert fresh.api_seen.seen[0][2].get(header.lower()) == TOKEN


@pytest.mark.parametrize("header", CREDENTIAL_HEADERS)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_another_host_drops_the_credential(fresh: Servers, header: str, status: int) -> None:
    with session(fresh, header) as s:
        response = s.get(fresh.api + f"/to-other?status={status}", headers={header: TOKEN})
    assert response.json() == {"other": True}
    assert fresh.api_seen.seen[0][2].get(header.lower()) == TOKEN  # it was sent where it belongs
    assert fresh.other_seen.paths() == ["/landing"]
    assert carried(fresh.other_seen) == []


@pytest.mark.parametrize("header", CREDENTIAL_HEADERS)
def test_direct_request_to_another_origin_carries_no_credential(fresh: Servers, header: str) -> None:
    with session(fresh, header) as s:
        s.headers[header] = TOKEN  # even a session-wide header
        s.get(fresh.other + "/direct", headers={header: TOKEN, "Cookie": "session=" + TOKEN})
        s.get(fresh.other_port + "/same-host-other-port", headers={header: TOKEN})
        prepared = requests.Request("GET", fresh.other + "/prepared", headers={header: TOKEN}).prepare()
        s.send(prepared)  # prepared outside the session
    assert carried(fresh.other_seen) == [] and len(fresh.other_seen.seen) == 2
    assert carried(fresh.other_port_seen) == [] and len(fresh.other_port_seen.seen) == 1


# Budget and rate limit


def test_budget_stops_after_n_requests(fresh: Servers) -> None:
    with session(fresh, budget=3) as s:
        for _ in range(3):
            assert s.get(fresh.api + "/echo").ok
        with pytest.raises(BudgetExhausted):
            s.get(fresh.api + "/echo")
        assert s.budget_hit and s.requests_sent == 3
    assert len(fresh.api_seen.seen) == 3


def test_budget_counts_redirect_hops(fresh: Servers) -> None:
    with session(fresh, budget=1) as s, pytest.raises(BudgetExhausted):
        s.get(fresh.api + "/to-other")
    assert fresh.other_seen.seen == []


def test_sandbox_sessions_have_no_budget(fresh: Servers) -> None:
    with session(fresh, polite=False, budget=2) as s:
        for _ in range(4):
            s.get(fresh.api + "/echo")
        assert s.requests_sent == 4 and not s.budget_hit


def test_rate_limit_spaces_requests(fresh: Servers, clock: FakeTime) -> None:
    with session(fresh, rate=2.0) as s:
        for _ in range(5):
            s.get(fresh.api + "/echo")
    assert len(fresh.api_seen.seen) == 5
    assert sum(clock.sleeps) == pytest.approx(2.0)  # 5 requests at 2/s: 4 gaps of 0.5 s
    assert all(wait == pytest.approx(0.5) for wait in clock.sleeps)


def test_rate_limit_in_real_time(fresh: Servers) -> None:
    import time

    with session(fresh, rate=20.0) as s:
        started = time.monotonic()
        for _ in range(5):
            s.get(fresh.api + "/echo")
        assert time.monotonic() - started >= 0.19  # 4 gaps of 50 ms; no upper bound asserted


def test_no_rate_limit_for_sandboxes(fresh: Servers, clock: FakeTime) -> None:
    with session(fresh, polite=False, rate=1.0) as s:
        for _ in range(3):
            s.get(fresh.api + "/echo")
    assert clock.sleeps == []


# Retry-After and retries


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured(fresh: Servers, clock: FakeTime, status: int) -> None:
    with session(fresh, retries=2) as s:
        response = s.get(fresh.api + f"/flaky?status={status}&after=3&fails=1")
    assert response.status_code == 200
    assert len(fresh.api_seen.seen) == 2
    assert 3.0 in clock.sleeps


def test_retry_after_as_http_date(fresh: Servers, clock: FakeTime) -> None:
    from email.utils import formatdate

    date = formatdate(clock.time() + 7, usegmt=True).replace(" ", "%20").replace(",", "%2C")
    with session(fresh, retries=1) as s:
        assert s.get(fresh.api + f"/flaky?after={date}").status_code == 200
    assert any(6.0 <= wait <= 7.0 for wait in clock.sleeps), clock.sleeps


def test_retry_after_beyond_the_bound_ends_the_retries(fresh: Servers, clock: FakeTime) -> None:
    with session(fresh, retries=2, max_retry_after=30.0) as s:
        response = s.get(fresh.api + "/flaky?after=120")
    assert response.status_code == 503
    assert len(fresh.api_seen.seen) == 1
    assert all(wait < 30 for wait in clock.sleeps)


def test_retries_are_bounded(fresh: Servers, clock: FakeTime) -> None:
    with session(fresh, retries=2) as s:
        response = s.get(fresh.api + "/flaky?after=0&fails=100")
    assert response.status_code == 503
    assert len(fresh.api_seen.seen) == 3  # one try and two retries


@pytest.mark.parametrize(("method", "sent"), [("GET", 2), ("PUT", 2), ("DELETE", 2), ("POST", 1)])
def test_only_idempotent_methods_are_retried(fresh: Servers, clock: FakeTime, method: str, sent: int) -> None:
    with session(fresh, retries=1) as s:
        response = s.request(method, fresh.api + "/flaky?after=1")
    assert len(fresh.api_seen.seen) == sent
    assert response.status_code == (200 if sent == 2 else 503)


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize(("method", "backoffs"), [("GET", 2), ("POST", 0)])
def test_connection_errors_retry_idempotent_methods_only(clock: FakeTime, method: str, backoffs: int) -> None:
    with ApiSession(f"http://127.0.0.1:{closed_port()}", limits=Limits(rate=10_000.0, retries=2)) as s:
        with pytest.raises(requests.ConnectionError):
            s.request(method, s.base_url + "/x")
        assert s.requests_sent == 1 + backoffs
    assert len([w for w in clock.sleeps if w > 0.01]) == backoffs


def test_retry_after_parsing() -> None:
    assert retry_after("5") == 5.0
    assert retry_after(None) is None and retry_after("soon") is None and retry_after("-3") is None
    assert retry_after("Mon, 01 Jan 1990 00:00:00 GMT") == 0.0


# Size cap and timeouts


@pytest.mark.parametrize("path", ["/big", "/big-stream"], ids=["content-length", "chunked"])
def test_huge_body_raises_response_too_large(fresh: Servers, path: str) -> None:
    with session(fresh, max_bytes=100_000) as s:
        with pytest.raises(ResponseTooLarge):
            s.get(fresh.api + f"{path}?n=4194304")
        assert s.get(fresh.api + f"{path}?n=65536").content == (b"x" if path == "/big" else b"y") * 65536


def test_compressed_body_is_capped_after_decoding(fresh: Servers) -> None:
    with session(fresh, max_bytes=1_000_000) as s, pytest.raises(ResponseTooLarge):
        s.get(fresh.api + "/bomb")


def test_read_timeout(fresh: Servers) -> None:
    with session(fresh, read_timeout=0.3) as s, pytest.raises(requests.Timeout):
        s.get(fresh.api + "/slow")


def test_read_timeout_applies_through_requests_prepared_elsewhere(fresh: Servers) -> None:
    with session(fresh, read_timeout=0.3) as s, pytest.raises(requests.Timeout):
        s.send(requests.Request("GET", fresh.api + "/slow").prepare())


def test_redirect_loop_ends(fresh: Servers) -> None:
    with session(fresh) as s, pytest.raises(requests.TooManyRedirects):
        s.get(fresh.api + "/loop")
    assert len(fresh.api_seen.seen) == 6  # the request and five redirects


# Redaction


def test_redact_url_masks_signed_url_parameters() -> None:
    url = ("https://s3.example.com/p/1.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2024%2Fs3"
           "&X-Amz-Signature=deadbeefcafe&x-amz-security-token=FQoGZX&response-content-type=image%2Fjpeg")
    redacted = redact_url(url)
    for secret in ("deadbeefcafe", "AKIA", "FQoGZX"):
        assert secret not in redacted
    assert redacted.count(REDACTED) == 3
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in redacted and "response-content-type=image%2Fjpeg" in redacted
    assert redact_url("https://api.example.com/photo/1") == "https://api.example.com/photo/1"


def test_redact_headers() -> None:
    headers = redact_headers({"Authorization": "Bearer x", "X-Auth-Token": "y", "X-ApiToken": "z",
                              "Accept": "image/jpeg"})
    assert headers == {"Authorization": REDACTED, "X-Auth-Token": REDACTED, "X-ApiToken": REDACTED,
                       "Accept": "image/jpeg"}


def test_redactor_masks_secrets_and_signatures() -> None:
    redactor = Redactor([TOKEN, "abc", ""])
    redactor.add(TOKEN + "-longer")
    text = (f"curl -H 'X-Auth-Token: {TOKEN}-longer' -H 'Authorization: Token {TOKEN}' "
            "'https://s/k?X-Amz-Credential=AKIAX/1&X-Amz-Signature=0123abcd&X-Amz-Security-Token=SEC' abc")
    masked = redactor.text(text)
    assert TOKEN not in masked and "-longer" not in masked
    for secret in ("AKIAX", "0123abcd", "SEC'"):
        assert secret not in masked
    assert masked.endswith(" abc")  # secrets shorter than 4 characters are not masked (too common)


@pytest.mark.parametrize("url", [
    "https://files.example/zip?token=SECRETVALUE&n=1",  # CloudCard's zip link carries its token
    "https://storage.example/x.jpg?X-Goog-Signature=SECRETVALUE&X-Goog-Date=1",
    "https://cdn.example/x.jpg?Policy=SECRETVALUE&Signature=SECRETVALUE&Key-Pair-Id=SECRETVALUE",
    "https://blob.example/x.jpg?sv=2024&sig=SECRETVALUE",
    "https://s3.example/x.jpg?X-Amz-Signature=SECRETVALUE",
    "https://files.example/zip?n=1&amp;token=SECRETVALUE",  # as it reads in escaped HTML
])
def test_signed_url_values_are_masked_in_any_text(url):
    text = Redactor().text(f"curl -X GET '{url}' and more")
    assert "SECRETVALUE" not in text and "[REDACTED]" in text
    assert Redactor().text("mytoken=keep sig=keep") == "mytoken=keep sig=keep"  # only query parameters
