"""A local forge for tests: real HTTP on 127.0.0.1 answering with payloads shaped like GitHub's or GitLab's.

Tests register routes (path + query → answer). The server counts requests, serves ETags and answers
304 to a matching If-None-Match, adds pagination Link headers, and can be told to answer a sequence of
statuses first (a 403 rate limit, a 502, a malformed body) before the real answer.
"""

import hashlib
import json
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # JSON-serialisable, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)


class FakeForge:
    def __init__(self) -> None:
        self.routes: dict[str, Any] = {}
        self.pages: dict[str, list[Any]] = {}
        self.scripted: dict[str, list[Answer]] = defaultdict(list)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.counts: Counter[str] = Counter()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeForge":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def route(self, path: str, body: Any) -> None:
        """Answer GET path (query string ignored unless the route includes one) with body as JSON
        (bytes: as they are)."""
        self.routes[path] = body

    def paginate(self, path: str, pages: list[list[Any]]) -> None:
        """Answer GET path with pages linked by `Link: <...&page=N>; rel="next"`."""
        self.pages[path] = pages

    def script(self, path: str, *answers: Answer) -> None:
        """Answer the next requests to path with these answers first, in order."""
        self.scripted[path].extend(answers)

    def total(self) -> int:
        return sum(self.counts.values())

    def _handler(self):
        forge = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query))
                forge.requests.append((self.path, dict(self.headers)))
                forge.counts[parts.path] += 1
                if forge.scripted.get(parts.path):
                    answer = forge.scripted[parts.path].pop(0)
                    return self._send(answer.status, answer.body, answer.headers)
                full = f"{parts.path}?{parts.query}" if parts.query else parts.path
                if full in forge.routes:
                    return self._send_json(forge.routes[full])
                if parts.path in forge.pages:
                    pages = forge.pages[parts.path]
                    number = int(query.get("page", "1"))
                    body = pages[number - 1] if 0 < number <= len(pages) else []
                    headers = {}
                    if number < len(pages):
                        rest = {k: v for k, v in query.items() if k != "page"}
                        rest["page"] = str(number + 1)
                        link_query = "&".join(f"{k}={v}" for k, v in rest.items())
                        headers["Link"] = f'<{forge.url}{parts.path}?{link_query}>; rel="next"'
                    return self._send_json(body, headers)
                if parts.path in forge.routes:
                    return self._send_json(forge.routes[parts.path])
                self._send(404, {"message": "Not Found"}, {})

            def _send_json(self, body: Any, headers: dict[str, str] | None = None) -> None:
                # bytes are a file's raw content (GitLab's blobs/:sha/raw), sent as they are
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                etag = '"' + hashlib.sha1(raw).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self._send(200, raw, {"ETag": etag, **(headers or {})})

            def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

        return Handler
