"""Requests per second of each emulator on loopback: one JSON detail request, one image request.

    . .venv/bin/activate && python benchmarks/emulators.py [--api NAME ...] [--requests N]

Each emulator runs in its own process (`photo-contracts sandbox --api NAME --token T`), started
fresh for every measurement. The client is `wrk` when it is installed (one thread, a few
keep-alive connections; a small Lua script stops it after N responses and times them), else a
thread pool of `requests.Session`s. Every response must be 200 with the expected content type;
anything else is counted and reported.

Fulcrum's emulator allows 5,000 calls per hour per token (then 429), and the CLI offers no way to
raise that; so every measurement gets a fresh sandbox and stays below 5,000 calls (warm-up
included): --requests is capped at 4,700 for Fulcrum.

A markdown table goes to stdout, and a JSON copy to benchmarks/results/emulators-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _sandbox import API_NAMES, RESULTS, SandboxProcess, start_sandbox  # noqa: E402

WARMUP = 50
FULCRUM_LIMIT = 5000  # photo_contracts.sandbox.fulcrum.RateLimit.limit
TARGET_JSON_RPS = 1000

LUA = r"""
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } bench_timespec; int clock_gettime(int, bench_timespec *); ]]
local ts = ffi.new("bench_timespec")
local function now() ffi.C.clock_gettime(1, ts); return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9 end
max_per_thread = tonumber(os.getenv("BENCH_MAX_PER_THREAD") or "0")
count, bad, started, finished = 0, 0, 0, 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) started = now() end
function response(status, headers, body)
  count = count + 1
  if status ~= 200 then bad = bad + 1 end
  if max_per_thread > 0 and count == max_per_thread then finished = now(); wrk.thread:stop() end
end
function done(summary, latency, requests)
  local total, wrong, elapsed = 0, 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("count"); wrong = wrong + t:get("bad")
    local e = t:get("finished") - t:get("started"); if e > elapsed then elapsed = e end
  end
  io.write(string.format("BENCH responses=%d bad=%d elapsed_us=%d p50_us=%d p99_us=%d\n",
    total, wrong, elapsed * 1e6, latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass
class Probe:
    """One request to measure: a GET of `url` with `headers`, answered 200 with `content_type`."""

    label: str
    url: str
    headers: dict[str, str]
    content_type: str


@dataclass
class Result:
    api: str
    kind: str
    request: str
    client: str
    responses: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float | None
    p99_ms: float | None
    bytes_per_response: int


# Which requests to measure, found over HTTP (the sandbox is another process) ------------------

def _get(sandbox: SandboxProcess, path: str, **kwargs: object) -> requests.Response:
    name, value = sandbox.auth_header
    response = requests.get(sandbox.base_url + path, headers={name: value}, timeout=10, **kwargs)  # type: ignore[arg-type]
    response.raise_for_status()
    return response


def probes(sandbox: SandboxProcess) -> dict[str, Probe]:
    name, value = sandbox.auth_header
    auth = {name: value}
    if sandbox.api == "cloudcard":
        photo = _get(sandbox, "/photo").json()[0]
        return {"json": Probe("GET /photo/{id}", f"{sandbox.base_url}/photo/{photo['id']}", auth, "application/json"),
                "image": Probe("GET externalURL (object store)", photo["externalURL"], {}, "image/")}
    if sandbox.api == "fulcrum":
        key = _get(sandbox, "/v2/photos.json", params={"per_page": 1}).json()["photos"][0]["access_key"]
        return {"json": Probe("GET /v2/photos/{id}.json", f"{sandbox.base_url}/v2/photos/{key}.json", auth, "application/json"),
                "image": Probe("GET /v2/photos/{id}.jpg", f"{sandbox.base_url}/v2/photos/{key}.jpg", auth, "image/jpeg")}
    if sandbox.api == "visitor":
        # The API has no JSON resource: its JSON answers are error envelopes (HTTP 200). The
        # "detail" measured is the photo of the visitor without an image: 200 + {"error": 4515}.
        from photo_contracts.sandbox.visitor_data import build_visitors  # same seed -> same IDs

        visitors = build_visitors(0)
        without = next(v.id for v in visitors if not v.has_image)
        with_image = next(v.id for v in visitors if v.has_image)
        return {"json": Probe("GET /v1/photo/{id} (4515 envelope)", f"{sandbox.base_url}/v1/photo/{without}", auth, "application/json"),
                "image": Probe("GET /v1/photo/{id}", f"{sandbox.base_url}/v1/photo/{with_image}", auth, "image/")}
    if sandbox.api == "autodesk":
        from photo_contracts.sandbox.autodesk_data import build  # the project ID depends on the seed only

        project = build(0, None, sandbox.origin).project_id
        page = requests.post(f"{sandbox.base_url}/projects/{project}/photos:filter", headers=auth,
                             json={"limit": 1}, timeout=10)
        page.raise_for_status()
        media = page.json()["results"][0]
        return {"json": Probe("GET /projects/{p}/photos/{id}", f"{sandbox.base_url}/projects/{project}/photos/{media['id']}", auth, "application/json"),
                "image": Probe("GET urls.fileUrl (auth asset)", media["urls"]["fileUrl"], auth, "image/")}
    raise SystemExit(f"no probes for {sandbox.api}")


# Clients -------------------------------------------------------------------------------------

def warm_up(probe: Probe, count: int = WARMUP) -> int:
    """A few sequential requests; checks status and content type; returns the body size."""
    with requests.Session() as session:
        for _ in range(count):
            response = session.get(probe.url, headers=probe.headers, timeout=10)
            kind = response.headers.get("content-type", "")
            if response.status_code != 200 or not kind.startswith(probe.content_type):
                raise SystemExit(f"{probe.label}: {response.status_code} {kind}: {response.text[:200]}")
        return len(response.content)


def with_wrk(probe: Probe, total: int, connections: int, duration: float) -> tuple[int, int, float, float, float]:
    """wrk, one thread: stops after `total` responses (timed by the Lua script) or `duration` s."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    try:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "10s", "-s", script.name]
        for key, value in probe.headers.items():
            command += ["-H", f"{key}: {value}"]
        command.append(probe.url)
        env = {**os.environ, "BENCH_MAX_PER_THREAD": str(total)}
        output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    finally:
        os.unlink(script.name)
    bench = {k: int(v) for k, v in re.findall(r"(\w+)=(-?\d+)", output.split("BENCH", 1)[1])}
    responses, seconds = bench["responses"], bench["elapsed_us"] / 1e6
    if seconds <= 0:  # the cap was not reached: wrk ran for the whole duration
        found = re.search(r"(\d+) requests in ([\d.]+)(m?s)", output)
        assert found, output
        seconds = float(found.group(2)) / (1000 if found.group(3) == "ms" else 1)
    return responses, bench["bad"], seconds, bench["p50_us"] / 1000, bench["p99_us"] / 1000


def with_threads(probe: Probe, total: int, connections: int, duration: float) -> tuple[int, int, float, None, None]:
    lock = threading.Lock()
    state = {"left": total, "bad": 0}

    def worker() -> None:
        with requests.Session() as session:
            while True:
                with lock:
                    if state["left"] <= 0 or time.perf_counter() > deadline:
                        return
                    state["left"] -= 1
                response = session.get(probe.url, headers=probe.headers, timeout=10)
                if response.status_code != 200:
                    with lock:
                        state["bad"] += 1

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    deadline = started + duration
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total - state["left"], state["bad"], time.perf_counter() - started, None, None


def measure(api: str, kind: str, total: int, connections: int, client: str, duration: float) -> Result:
    with start_sandbox(api) as sandbox:
        probe = probes(sandbox)[kind]
        size = warm_up(probe)
        run: Callable[..., tuple] = with_wrk if client == "wrk" else with_threads
        responses, bad, seconds, p50, p99 = run(probe, total, connections, duration)
    return Result(api, kind, probe.label, client, responses, bad, round(seconds, 3),
                  round(responses / seconds, 1), p50, p99, size)


def table(results: list[Result]) -> str:
    rows = ["| API | request | kind | client | responses | errors | s | req/s | p50 ms | p99 ms | body bytes |",
            "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        mark = " (below target)" if r.kind == "json" and r.rps < TARGET_JSON_RPS else ""
        rows.append(f"| {r.api} | `{r.request}` | {r.kind} | {r.client} | {r.responses} | {r.errors} | {r.seconds} "
                    f"| {r.rps:,.0f}{mark} | {r.p50_ms if r.p50_ms is not None else '-'} "
                    f"| {r.p99_ms if r.p99_ms is not None else '-'} | {r.bytes_per_response:,} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--api", action="append", choices=API_NAMES, help="default: all four")
    parser.add_argument("--requests", type=int, default=20000,
                        help="stop a measurement after N responses (default 20000; Fulcrum: at most 4,700)")
    parser.add_argument("--duration", type=float, default=5.0, help="or after this many seconds (default 5)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent keep-alive connections (default 4)")
    parser.add_argument("--client", choices=("wrk", "threads"), default="wrk" if shutil.which("wrk") else "threads")
    args = parser.parse_args()
    results = []
    for api in args.api or API_NAMES:
        total = args.requests
        if api == "fulcrum":  # warm-up, discovery and wrk's in-flight requests stay below the limit
            total = min(total, FULCRUM_LIMIT - WARMUP - 250)
        for kind in ("json", "image"):
            result = measure(api, kind, total, args.connections, args.client, args.duration)
            print(f"{api:<10} {kind:<5} {result.rps:>9,.0f} req/s  ({result.responses} in {result.seconds}s, "
                  f"{result.errors} errors)", file=sys.stderr, flush=True)
            results.append(result)
    print(table(results))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"emulators-{stamp}.json"
    out.write_text(json.dumps({"created": stamp, "cpus": os.cpu_count(), "python": platform.python_version(),
                               "args": vars(args), "results": [asdict(r) for r in results]}, indent=2) + "\n")
    print(f"\n(results: {out.relative_to(RESULTS.parent.parent)})", file=sys.stderr)
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
