"""A broken connection is not an answer and not a silence: every request counts, and each one that got no
complete answer is a `response_within_limits` finding; the diagnosis reads the whole ledger."""

from __future__ import annotations

import io
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from photo_contracts import config
from photo_contracts.runner import execute

pytestmark = pytest.mark.slow

TOKEN = "reset-secret-71c3"


def _answer(connection: socket.socket) -> None:
    """Reads one request; /organization/... answers 404, everything else half a body and then a TCP reset."""
    with connection:
        connection.settimeout(5)
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = connection.recv(65536)
            if not chunk:
                return
            request += chunk
        path = request.split(b" ", 2)[1]
        if path.startswith(b"/organization/"):
            body = b'{"error": "not found"}'
            connection.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: "
                               + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
            return
        if request.startswith(b"HEAD"):
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n"
                           + b'{"id": 1, "status": "APPROVED", "width": ' + b" " * 400)
        # SO_LINGER with a zero timeout: close() sends RST, not FIN
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@contextmanager
def resetting_server() -> Iterator[str]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=_answer, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        server.close()


def test_a_reset_connection_is_a_counted_request_and_a_finding(tmp_path: Path) -> None:
    with resetting_server() as base_url:
        path = tmp_path / "reset.toml"
        path.write_text(f'[cloudcard]\nbase_url = "{base_url}"\ntoken_env = "RESET_TOKEN"\nphoto_ids = ["1"]\n'
                        "[limits]\nbudget = 40\nrate = 1000\nretries = 0\nread_timeout = 2\ndeadline = 4\n",
                        encoding="utf-8")
        cfg = config.load(path, environ={"RESET_TOKEN": TOKEN},
                          overrides={"target": "live", "report_dir": tmp_path / "r", "examples": 2, "jobs": 1})
        out = io.StringIO()
        code, run = execute(cfg, out=out)
    detail = run.ledger.operations("cloudcard")["GET /photo/{id}"]
    assert detail.requests >= 1 and detail.transport_failures == detail.requests and detail.answers == 0
    assert run.ledger.totals("cloudcard").transport_failures >= 2  # the listing was cut short too
    limits = [f for f in run.findings if f.check == "response_within_limits"]
    assert {f.operation for f in limits} >= {"GET /photo/{id}", "GET /photo"}, out.getvalue()
    assert code == 1 and run.verdicts["cloudcard"].verdict == "findings"
    assert "every operation answered 404" not in out.getvalue()
    assert TOKEN not in out.getvalue()
