"""The one local fake forge: real HTTP on 127.0.0.1 answering with payloads shaped like GitHub's or GitLab's.

The sync benchmark runs it in a process of its own (portal.bench.forge answers its repositories through
`fallback`); the tests start it in a thread and register routes (path + query → answer). It counts
requests per path and answers per status, serves ETags and answers 304 to a matching If-None-Match,
adds pagination Link headers, and can be told to answer a sequence of statuses first (a 403 rate limit,
a 502, a malformed body) before the real answer. `GET /_stats` gives the answers per status so far
(itself not counted), for a forge in another process. `POST /api/graphql` answers GitLab's GraphQL query
of a project's blobs by paths (`gitlab_blobs`) in the shape GitLab's GraphQL reference gives.
"""

import hashlib
import json
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

STATS_PATH = "/_stats"
GRAPHQL_PATH = "/api/graphql"
# GitLab's connections give at most 100 nodes a page (its GraphQL API limits).
GRAPHQL_MAX_PAGE = 100
# The RepositoryBlob fields the fake knows; a query gets those it selects, as GraphQL answers.
BLOB_FIELDS = ("path", "oid", "size")
NODES_RE = re.compile(r"nodes\s*\{([^}]*)\}")


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # JSON-serialisable, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)


class FakeForge:
    """`fallback(path, query)` answers what no route does (None: 404). `keep_alive`: HTTP/1.1 with
    persistent connections and Nagle's algorithm off, for measuring the client rather than the forge."""

    def __init__(
        self,
        *,
        fallback: Callable[[str, dict[str, str]], Any] | None = None,
        keep_alive: bool = False,
    ) -> None:
        self.routes: dict[str, Any] = {}
        self.pages: dict[str, list[Any]] = {}
        self.scripted: dict[str, list[Answer]] = defaultdict(list)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.posted: list[Any] = []  # the JSON bodies of POST requests, in order
        self.blobs: dict[str, dict[str, dict[str, tuple[str, int]]]] = {}  # project → ref → path → blob
        self.counts: Counter[str] = Counter()  # requests per path
        self.statuses: Counter[str] = Counter()  # answers per status
        self.fallback = fallback
        self.keep_alive = keep_alive
        self._lock = threading.Lock()  # the server answers each request on a thread of its own
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeForge":
        self._thread.start()
        return self

    def serve(self) -> None:
        """Answer on this thread until the process ends (a forge in a process of its own)."""
        self._server.serve_forever()

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

    def gitlab_blobs(self, full_path: str, ref: str, blobs: dict[str, tuple[str, int]]) -> None:
        """Answer GitLab's GraphQL `project(fullPath:) { repository { blobs(ref:, paths:) { nodes {...} } } }`
        for this project and ref with these files ({path: (blob id, size in bytes)})."""
        self.blobs.setdefault(full_path, {})[ref] = blobs

    def graphql(self, body: Any) -> Any:
        """GitLab's answer to a query of blobs by paths (with variables fullPath, ref and paths): a node
        per path found, in the order asked, at most a page of them; `size` is a BigInt, sent as a string.
        A project the forge does not know is null, as GitLab answers one the token may not see."""
        query = body.get("query", "") if isinstance(body, dict) else ""
        variables = (body.get("variables") or {}) if isinstance(body, dict) else {}
        selected = NODES_RE.search(query)
        if "blobs(" not in query or selected is None:
            return {"errors": [{"message": "The fake forge answers only a query of repository blobs"}]}
        fields = [name for name in selected.group(1).split() if name in BLOB_FIELDS]
        project = self.blobs.get(str(variables.get("fullPath")))
        if project is None:
            return {"data": {"project": None}}
        files = project.get(str(variables.get("ref")), {})
        found = [path for path in variables.get("paths") or [] if path in files][:GRAPHQL_MAX_PAGE]
        nodes = []
        for path in found:
            oid, size = files[path]
            node = {"path": path, "oid": oid, "size": str(size)}
            nodes.append({name: node[name] for name in fields})
        return {"data": {"project": {"repository": {"blobs": {"nodes": nodes}}}}}

    def total(self) -> int:
        return sum(self.counts.values())

    def _answer(self, path: str, query_string: str) -> tuple[Any, dict[str, str]] | None:
        """The body (and extra headers) that a route, the pages or the fallback give; None: 404."""
        query = dict(parse_qsl(query_string))
        full = f"{path}?{query_string}" if query_string else path
        if full in self.routes:
            return self.routes[full], {}
        if path in self.pages:
            pages = self.pages[path]
            number = int(query.get("page", "1"))
            body = pages[number - 1] if 0 < number <= len(pages) else []
            headers = {}
            if number < len(pages):
                rest = {k: v for k, v in query.items() if k != "page"}
                rest["page"] = str(number + 1)
                link_query = "&".join(f"{k}={v}" for k, v in rest.items())
                headers["Link"] = f'<{self.url}{path}?{link_query}>; rel="next"'
            return body, headers
        if path in self.routes:
            return self.routes[path], {}
        body = self.fallback(path, query) if self.fallback else None
        return None if body is None else (body, {})

    def _handler(self):
        forge = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if forge.keep_alive else "HTTP/1.0"
            # Headers and body go out in two writes; with Nagle's algorithm on, the second waits for the
            # client's delayed ACK (40 ms a request on Linux) on a persistent connection.
            disable_nagle_algorithm = forge.keep_alive

            def log_message(self, *args) -> None:  # keep test and benchmark output quiet
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path == STATS_PATH:
                    with forge._lock:
                        return self._send(200, dict(forge.statuses), {}, counted=False)
                with forge._lock:
                    forge.requests.append((self.path, dict(self.headers)))
                    forge.counts[parts.path] += 1
                    scripted = forge.scripted.get(parts.path)
                    answer = scripted.pop(0) if scripted else None
                if answer is not None:
                    return self._send(answer.status, answer.body, answer.headers)
                found = forge._answer(parts.path, parts.query)
                if found is None:
                    return self._send(404, {"message": "Not Found"}, {})
                self._send_json(*found)

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw) if raw else None
                except json.JSONDecodeError:
                    body = None
                with forge._lock:
                    forge.requests.append((self.path, dict(self.headers)))
                    forge.posted.append(body)
                    forge.counts[parts.path] += 1
                    scripted = forge.scripted.get(parts.path)
                    answer = scripted.pop(0) if scripted else None
                if answer is not None:
                    return self._send(answer.status, answer.body, answer.headers)
                if parts.path != GRAPHQL_PATH:
                    return self._send(404, {"message": "Not Found"}, {})
                if body is None:
                    return self._send(400, {"errors": [{"message": "Invalid JSON"}]}, {})
                with forge._lock:
                    answered = forge.graphql(body)
                self._send(200, answered, {})

            def _send_json(self, body: Any, headers: dict[str, str]) -> None:
                # bytes are a file's raw content (GitLab's blobs/:sha/raw), sent as they are
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                etag = '"' + hashlib.sha1(raw).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    self._count(304)
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self._send(200, raw, {"ETag": etag, **headers})

            def _send(self, status: int, body: Any, headers: dict[str, str], *, counted: bool = True) -> None:
                if counted:
                    self._count(status)
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def _count(self, status: int) -> None:
                with forge._lock:
                    forge.statuses[str(status)] += 1

        return Handler
