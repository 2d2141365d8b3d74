"""gunicorn as production runs it (portal.wsgi, 2 sync workers) and measurements over real HTTP."""

import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

from portal.bench.worker import percentiles

# A browser's User-Agent: the usage middleware does not count crawlers (python-requests is one).
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) PortalBenchmark/1.0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def vm_hwm_mb(pid: int) -> float | None:
    """The peak resident set of a process (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        return _children(self.process.pid)

    def worker_peak_mb(self) -> list[float]:
        return [m for m in (vm_hwm_mb(pid) for pid in self.worker_pids()) if m is not None]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_server(env: dict, *, log: Path, workers: int = 2, cwd: Path) -> Server:
    port = free_port()
    handle = log.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--timeout", "120"],
        env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT,
    )  # fmt: skip
    server = Server(process=process, port=port, log=log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited at start-up; see {log}")
        try:
            if requests.get(f"{server.base}/healthz", timeout=2).status_code == 200:
                while len(server.worker_pids()) < workers and time.monotonic() < deadline:
                    time.sleep(0.1)
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within 90 s; see {log}")


@dataclass
class Scenario:
    name: str
    group: str  # search, project_page, program_dashboard, project_dashboard
    paths: list[tuple[str, dict]]  # (path, params), taken in turn
    expect: str = ""  # text the page must contain


@dataclass
class Measured:
    samples_ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    missing_text: int = 0
    seconds: float = 0.0

    def summary(self) -> dict:
        return {
            **percentiles(self.samples_ms),
            "requests_per_second": len(self.samples_ms) / self.seconds if self.seconds else 0.0,
            "statuses": self.statuses,
            "missing_text": self.missing_text,
        }


def client(cookie: str) -> requests.Session:
    session = requests.Session()
    # As behind production's TLS-terminating proxy (SECURE_PROXY_SSL_HEADER; no redirect to https).
    session.headers.update(
        {"User-Agent": USER_AGENT, "Cookie": f"sessionid={cookie}", "X-Forwarded-Proto": "https"}
    )
    return session


def _get(session: requests.Session, base: str, path: str, params: dict, out: Measured, expect: str) -> None:
    started = time.perf_counter()
    response = session.get(base + path, params=params, timeout=300, allow_redirects=False)
    elapsed = (time.perf_counter() - started) * 1000
    out.samples_ms.append(elapsed)
    out.statuses[str(response.status_code)] = out.statuses.get(str(response.status_code), 0) + 1
    if expect and expect not in response.text:
        out.missing_text += 1


def measure(server: Server, cookie: str, scenario: Scenario, *, requests_max: int, seconds_max: float,
            warmup: int) -> Measured:  # fmt: skip
    """Sequential requests after warm-up: at most `requests_max`, and no more after `seconds_max`
    (at least 5 when the page is slow). Warm-up stops early once it has taken a tenth of that."""
    session = client(cookie)
    scratch = Measured()
    warm_started = time.perf_counter()
    for i in range(max(1, warmup)):
        path, params = scenario.paths[i % len(scenario.paths)]
        _get(session, server.base, path, params, scratch, scenario.expect)
        if time.perf_counter() - warm_started > seconds_max / 10:
            break  # a page of seconds is warm after one request; its samples matter more
    if set(scratch.statuses) != {"200"} or scratch.missing_text:
        raise RuntimeError(
            f"{scenario.name}: {scenario.paths[0][0]} answered {scratch.statuses} "
            f"({scratch.missing_text} without {scenario.expect!r}); see {server.log}"
        )
    out = Measured()
    started = time.perf_counter()
    for i in range(requests_max):
        path, params = scenario.paths[i % len(scenario.paths)]
        _get(session, server.base, path, params, out, scenario.expect)
        if time.perf_counter() - started > seconds_max and i >= 4:
            break
    out.seconds = time.perf_counter() - started
    return out


def throughput(
    server: Server, cookie: str, scenarios: list[Scenario], *, seconds: float, threads: int = 4
) -> dict:
    """Requests per second with `threads` clients taking the scenarios in turn, for `seconds`."""
    deadline = time.perf_counter() + seconds

    def run(offset: int) -> Measured:
        session, out, i = client(cookie), Measured(), offset
        while time.perf_counter() < deadline:
            scenario = scenarios[i % len(scenarios)]
            path, params = scenario.paths[(i // len(scenarios)) % len(scenario.paths)]
            _get(session, server.base, path, params, out, "")
            i += 1
        return out

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(run, range(threads)))
    elapsed = time.perf_counter() - started
    merged = Measured(seconds=elapsed)
    for result in results:
        merged.samples_ms += result.samples_ms
        for status, n in result.statuses.items():
            merged.statuses[status] = merged.statuses.get(status, 0) + n
    return {**merged.summary(), "threads": threads, "scenarios": [s.name for s in scenarios]}


def recording_overhead(on: Server, off: Server, cookie: str, path: str, *, pairs: int) -> dict:
    """The same page from a server recording usage and one without the usage middleware, alternately,
    so that drift on a busy machine hits both alike; the added latency is the difference of medians."""
    session = client(cookie)
    a, b = Measured(), Measured()
    for _ in range(10):
        _get(session, on.base, path, {}, Measured(), "")
        _get(session, off.base, path, {}, Measured(), "")
    for i in range(pairs):
        first, second = ((on, a), (off, b)) if i % 2 == 0 else ((off, b), (on, a))
        for server, out in (first, second):
            _get(session, server.base, path, {}, out, "")
    with_recording, without = percentiles(a.samples_ms), percentiles(b.samples_ms)
    differences = [x - y for x, y in zip(a.samples_ms, b.samples_ms, strict=True)]
    return {
        "path": path,
        "pairs": pairs,
        "on": with_recording,
        "off": without,
        # The median of the per-pair differences: each pair ran back to back, so load shared by both.
        "added_p50_ms": percentiles(differences)["p50"],
        "difference_of_medians_ms": with_recording["p50"] - without["p50"],
        "statuses_on": a.statuses,
        "statuses_off": b.statuses,
    }


def server_env(base_env: dict, **extra: str) -> dict:
    env = {k: v for k, v in base_env.items() if k != "PORTAL_TESTING"}
    env.update(extra)
    return env


def collectstatic(env: dict, cwd: Path) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
