"""Serve an ASGI app with uvicorn on loopback, in a background thread, as a context manager."""

from __future__ import annotations

import errno
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from photo_contracts.errors import ToolError


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket on host:port (0 = a free port), or a one-line ToolError."""
    # IPPROTO_TCP explicitly: with proto 0 asyncio never sets TCP_NODELAY, and every keep-alive
    # response then waits ~40 ms for delayed ACKs.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    if not 0 <= port <= 65535:
        sock.close()
        raise ToolError(f"port {port} is out of range: give a number from 0 to 65535")
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ToolError(f"port {port} on {host} is already in use; choose another with --port") from None
        raise ToolError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    return sock


class ServerThread:
    """One uvicorn server in a daemon thread, on an already bound socket."""

    def __init__(self, app: object, sock: socket.socket) -> None:
        self.sock = sock
        host, port = sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off",
            timeout_graceful_shutdown=1, ws="none",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._serve, name=f"sandbox {self.url}", daemon=True)

    def _serve(self) -> None:
        # Ctrl-C and SIGTERM are never this thread's: the kernel hands them to one that takes them (the main
        # thread). Python runs a handler in the main thread only, between two bytecodes, so a signal this thread
        # took would reach a main thread parked in a wait without a timeout when that wait ends: never.
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        self.server.run(sockets=[self.sock])

    def start(self, timeout: float = 10.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise ToolError(f"sandbox server at {self.url} did not start")
            time.sleep(0.01)

    def signal_stop(self) -> None:
        self.server.should_exit = True

    def stop(self) -> None:
        self.signal_stop()
        self.thread.join(timeout=5)
        self.sock.close()


@contextmanager
def serve(app: object, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `app` on host:port until the block ends; yields the base URL."""
    server = ServerThread(app, bind(host, port))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
