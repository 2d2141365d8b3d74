"""A forge that misbehaves: the local fake forge (tests/metrics/fakeforge.py) plus faults by path prefix
(slow, truncated, garbage, a connection dropped without an answer) and gates that hold a request until
the test releases it (to kill a worker in the middle of a sync)."""

import contextlib
import threading
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from tests.metrics.fakeforge import FakeForge


def slow(seconds: float) -> Callable:
    """Answer nothing for `seconds` (longer than the client's timeout), then give up on the request."""

    def behave(handler) -> None:
        time.sleep(seconds)
        handler.close_connection = True

    return behave


def truncated(handler) -> None:
    """Promise a body of 4,096 bytes, send 17, and hang up."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "4096")
    handler.end_headers()
    handler.wfile.write(b'[{"id": 1, "numb')
    handler.wfile.flush()
    handler.close_connection = True


def garbage(handler) -> None:
    """A 200 whose body is not JSON at all (binary noise, as a broken proxy might send)."""
    raw = bytes(range(256)) * 4
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(raw)))
    handler.end_headers()
    handler.wfile.write(raw)


def hang_up(handler) -> None:
    """Close the connection without any answer."""
    handler.close_connection = True


class MisbehavingForge(FakeForge):
    def __init__(self) -> None:
        self.faults: dict[str, Callable] = {}
        self.gates: dict[tuple[str, str], threading.Event] = {}
        self.waiting: dict[tuple[str, str], threading.Event] = {}
        super().__init__()

    def fault(self, prefix: str, behaviour: Callable) -> None:
        """Every request whose path starts with prefix gets this behaviour instead of an answer."""
        self.faults[prefix] = behaviour

    def gate(self, path: str, *, page: str) -> tuple[threading.Event, threading.Event]:
        """Hold the request for this page of this list until released: returns (reached, release)."""
        reached, release = threading.Event(), threading.Event()
        self.waiting[(path, page)], self.gates[(path, page)] = reached, release
        return reached, release

    def release_all(self) -> None:
        for release in self.gates.values():
            release.set()

    def _handler(self):
        base = super()._handler()
        forge = self

        class Handler(base):
            def do_GET(self) -> None:
                for prefix, behaviour in forge.faults.items():
                    if self.path.startswith(prefix):
                        forge.counts[self.path.split("?")[0]] += 1
                        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                            behaviour(self)
                        return
                parts = urlsplit(self.path)
                key = (parts.path, dict(parse_qsl(parts.query)).get("page", "1"))
                if key in forge.gates:
                    forge.waiting[key].set()
                    forge.gates[key].wait(timeout=120)
                return super().do_GET()

        return Handler
