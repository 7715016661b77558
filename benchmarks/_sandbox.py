"""Shared by the benchmarks: start `photo-contracts sandbox` in its own process, stop it again."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from photo_contracts.apis import APIS, get_api

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
API_NAMES = list(APIS)


def cli() -> list[str]:
    """The photo-contracts command of this virtualenv (falls back to `python -m`)."""
    found = shutil.which("photo-contracts", path=str(Path(sys.executable).parent)) or shutil.which("photo-contracts")
    return [found] if found else [sys.executable, "-m", "photo_contracts.cli"]


@dataclass
class SandboxProcess:
    api: str
    base_url: str
    token: str
    process: subprocess.Popen[str]

    @property
    def auth_header(self) -> tuple[str, str]:
        spec = get_api(self.api)
        return spec.auth_header, spec.auth_value(self.token)

    @property
    def origin(self) -> str:
        scheme, rest = self.base_url.split("://", 1)
        return f"{scheme}://{rest.split('/', 1)[0]}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the CLI stops its servers on SIGTERM
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_sandbox(api: str, token: str = "bench-token", seed: int = 0) -> SandboxProcess:
    """`photo-contracts sandbox --api API --token TOKEN` in a separate process; waits for its banner."""
    command = [*cli(), "sandbox", "--api", api, "--token", token, "--seed", str(seed)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None
    line = process.stdout.readline()  # "<api> sandbox: <base_url> token=<token>"
    parts = line.split()
    if len(parts) < 4 or parts[1] != "sandbox:":
        process.kill()
        raise SystemExit(f"{api}: the sandbox did not start (got {line!r})")
    return SandboxProcess(api, parts[2], parts[3].removeprefix("token="), process)
