"""A load test of what visitors do most: catalog searches, project pages and usage beacons.

`run_load(base_url, seconds, clients)` runs `clients` concurrent clients against a portal that is
already serving, for `seconds`, each with its own keep-alive connection, and returns the figures as a
dict (JSON-able): requests, errors, latency percentiles, requests per second, per kind of request.
Loopback only: it refuses any other host. Any answer that is not 2xx or 3xx, and any failed
connection, is an error.

The beacon is rate limited per client address (USAGE_BEACON_RATE); the server under test must allow
the load, e.g. by being started with `USAGE_BEACON_RATE=1000000/minute` (what `serve_portal()` and
`manage.py loadtest --serve` do).

Plain threads and http.client rather than locust: locust needs gevent's monkey-patching of the whole
process, which cannot share a process with Django, the test runner or the benchmark. 32 blocking
clients are what is asked for, and a client thread spends nearly all its time waiting on the socket.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
SEARCH_TERMS = ["api", "data", "kafka", "ledger", "python", "widgets", "payments", "auth", "ui", "tool"]
# How often each kind of request comes, out of 10.
MIX = ["search"] * 4 + ["project"] * 4 + ["beacon"] * 2
PROJECT_LINK = re.compile(r'href="/catalog/([a-z0-9][a-z0-9-]*)/"')
NOT_PROJECTS = {"register", "review", "mine"}  # the catalog's own pages, linked from every page
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
MAX_ERROR_SAMPLES = 20


class LoadTestError(RuntimeError):
    pass


@dataclass
class _Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in set(MIX)})
    errors: dict[str, int] = field(default_factory=lambda: {kind: 0 for kind in set(MIX)})
    samples: list[str] = field(default_factory=list)


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    from metrics.computations import percentile

    return round(percentile(values, q), 2)


def _summary(latencies: list[float], errors: int, seconds: float) -> dict:
    return {
        "requests": len(latencies),
        "errors": errors,
        "requests_per_second": round(len(latencies) / seconds, 1) if seconds else None,
        "p50_ms": _percentile(latencies, 50),
        "p95_ms": _percentile(latencies, 95),
        "p99_ms": _percentile(latencies, 99),
        "max_ms": round(max(latencies), 2) if latencies else None,
    }


def _check_loopback(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK:
        raise LoadTestError(f"the load test only runs against http://127.0.0.1 (loopback), not {base_url}")
    return parts.hostname, parts.port or 80


def discover_projects(base_url: str, *, limit: int = 50) -> list[str]:
    """Project slugs linked from the catalog's first page (the project pages the clients visit)."""
    host, port = _check_loopback(base_url)
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("GET", "/catalog/", headers={"User-Agent": BROWSER})
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
    finally:
        connection.close()
    if response.status != 200:
        raise LoadTestError(f"GET /catalog/ answered {response.status}: is the portal serving?")
    slugs = [slug for slug in PROJECT_LINK.findall(body) if slug not in NOT_PROJECTS]
    return list(dict.fromkeys(slugs))[:limit]


def _request(
    kind: str, rng: random.Random, slugs: list[str], client: int, n: int
) -> tuple[str, str, bytes, dict]:
    headers = {"User-Agent": BROWSER, "Accept": "text/html"}
    if kind == "search":
        return "GET", f"/catalog/?q={quote(rng.choice(SEARCH_TERMS))}", b"", headers
    slug = rng.choice(slugs) if slugs else None
    if kind == "project":
        return "GET", f"/catalog/{slug}/" if slug else "/catalog/", b"", headers
    body = json.dumps(
        {"kind": "result_click", "search_id": str(uuid.uuid4()), "position": rng.randint(1, 20),
         "path": f"/catalog/{slug}/" if slug else "/catalog/"}
    ).encode()  # fmt: skip
    # A distinct address per client, for servers that count behind a trusted proxy (TRUSTED_PROXY_COUNT=1).
    headers.update(
        {"Content-Type": "text/plain", "X-Forwarded-For": f"10.{client}.{n // 250 % 250}.{n % 250 + 1}"}
    )
    return "POST", "/usage/beacon/", body, headers


def run_load(base_url: str, seconds: float = 60, clients: int = 32, *, seed: int = 7) -> dict:
    """Run the mix of searches, project pages and beacons; return the figures (see the module doc)."""
    host, port = _check_loopback(base_url)
    slugs = discover_projects(base_url)
    tallies = [_Tally() for _ in range(clients)]
    start_line = threading.Barrier(clients + 1)
    deadline_box: list[float] = []

    def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        tally = tallies[index]
        connection: http.client.HTTPConnection | None = None
        start_line.wait()
        deadline = deadline_box[0]
        n = 0
        while time.monotonic() < deadline:
            kind = rng.choice(MIX)
            method, path, body, headers = _request(kind, rng, slugs, index, n)
            n += 1
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(host, port, timeout=30)
                connection.request(method, path, body=body or None, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as error:
                status = None
                if connection is not None:
                    connection.close()
                connection = None
                problem = f"{method} {path}: {error.__class__.__name__}: {error}"
            elapsed_ms = (time.perf_counter() - started) * 1000
            tally.latencies[kind].append(elapsed_ms)
            if status is None or status >= 400:
                tally.errors[kind] += 1
                if len(tally.samples) < MAX_ERROR_SAMPLES:
                    tally.samples.append(problem if status is None else f"{method} {path}: HTTP {status}")
        if connection is not None:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    deadline_box.append(began + seconds)
    start_line.wait()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.monotonic() - began

    by_kind = {}
    for kind in sorted(set(MIX)):
        latencies = [value for tally in tallies for value in tally.latencies[kind]]
        by_kind[kind] = _summary(latencies, sum(tally.errors[kind] for tally in tallies), elapsed)
    everything = [value for tally in tallies for kind in tally.latencies for value in tally.latencies[kind]]
    errors = sum(sum(tally.errors.values()) for tally in tallies)
    return {
        "base_url": base_url,
        "clients": clients,
        "seconds": round(elapsed, 2),
        "projects": len(slugs),
        **_summary(everything, errors, elapsed),
        "by_kind": by_kind,
        "error_samples": [sample for tally in tallies for sample in tally.samples][:MAX_ERROR_SAMPLES],
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve_portal(*, env: dict[str, str] | None = None, workers: int = 2, threads: int = 16) -> Iterator[str]:
    """gunicorn serving this portal on a free loopback port with the beacon's limit raised for the load;
    the database and Redis are the environment's (migrated and filled beforehand). Yields the base URL."""
    port = _free_port()
    environment = {**os.environ, "USAGE_BEACON_RATE": "100000000/minute", **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--timeout", "60",
         "--access-logfile", "/dev/null", "--log-level", "warning"],
        cwd=ROOT, env=environment,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise LoadTestError("gunicorn exited at start-up")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise LoadTestError("gunicorn did not listen within 60 s") from None
                time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
