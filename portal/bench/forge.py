"""A local GitHub-shaped forge for the sync measurement: `python -m portal.bench.forge REPOS`.

It serves `bench-sync/repo-NNNN` (NNNN < REPOS) with the answers the GitHub adapter asks for, each with
an ETag, and 304 to a matching If-None-Match. It prints its port on the first line of stdout, and
answers `GET /_stats` with how many requests it answered per status (`POST`-free: a GET resets nothing).
Answers are fixed, so a second sync finds every repository unchanged.
"""

import base64
import hashlib
import json
import re
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

OWNER = "bench-sync"
REPO_RE = re.compile(r"^/repos/bench-sync/(repo-\d{4})(/.*)?$")
WHEN = "2026-01-05T10:00:00Z"
LATER = "2026-01-06T12:00:00Z"


def _user(n: int) -> dict:
    return {"login": f"user{n:06d}", "id": 1000 + n, "type": "User"}


def answer(name: str, rest: str, query: dict, users: int) -> object | None:
    """The JSON answer to GET /repos/bench-sync/<name><rest>, or None for 404."""
    index = int(name.split("-")[1])
    author, reviewer = _user(index % users + 1), _user((index + 1) % users + 1)
    full = f"{OWNER}/{name}"
    base = f"https://api.bench.example/repos/{full}"
    pull = {
        "id": 900_000_000 + index * 10, "number": 1, "title": "Add the thing", "state": "closed",
        "user": author, "created_at": WHEN, "updated_at": LATER, "closed_at": LATER, "merged_at": LATER,
        "draft": False, "labels": [],
    }  # fmt: skip
    if rest in ("", "/"):
        return {
            "id": 800_000_000 + index, "full_name": full, "description": "A repository of the bench",
            "default_branch": "main", "stargazers_count": 3, "forks_count": 1, "subscribers_count": 2,
            "open_issues_count": 0, "license": {"spdx_id": "MIT", "name": "MIT License"}, "topics": ["bench"],
            "created_at": WHEN, "updated_at": LATER, "pushed_at": LATER,
        }  # fmt: skip
    if rest == "/events":
        return [{"id": str(700_000_000 + index), "type": "PushEvent", "created_at": LATER}]
    if rest == "/commits":
        return [
            {
                "sha": hashlib.sha1(full.encode()).hexdigest(), "author": author, "parents": [{"sha": "0" * 40}],
                "commit": {"author": {"name": author["login"], "email": f"{author['login']}@bench.example",
                                      "date": WHEN}, "committer": {"date": WHEN}},
            }
        ]  # fmt: skip
    if rest == "/pulls":
        return [pull]
    if rest == "/pulls/1":
        return {**pull, "merged_by": reviewer, "additions": 10, "deletions": 2}
    if rest == "/pulls/1/reviews":
        return [{"id": 910_000_000 + index, "user": reviewer, "state": "APPROVED", "submitted_at": LATER}]
    if rest == "/issues":
        if "labels" in query:
            return []
        return [
            {"id": 920_000_000 + index, "number": 2, "title": "A question", "state": "open", "user": reviewer,
             "created_at": WHEN, "updated_at": LATER, "labels": []}
        ]  # fmt: skip
    if rest == "/issues/comments":
        return [
            {"id": 930_000_000 + index, "issue_url": f"{base}/issues/2", "user": author, "created_at": LATER,
             "updated_at": LATER}
        ]  # fmt: skip
    if rest == "/pulls/comments":
        return [
            {"id": 940_000_000 + index, "pull_request_url": f"{base}/pulls/1", "user": reviewer,
             "created_at": LATER, "updated_at": LATER}
        ]  # fmt: skip
    if rest == "/releases":
        return [
            {"id": 950_000_000 + index, "tag_name": "v1.0.0", "name": "1.0", "draft": False, "prerelease": False,
             "published_at": LATER, "author": author}
        ]  # fmt: skip
    if rest == "/stats/participation":
        return {"all": [index % 5] * 52}
    if rest == "/contents/":
        return [{"name": "README.md", "type": "file"}, {"name": "CONTRIBUTING.md", "type": "file"}]
    files = manifests(index)
    if rest == "/git/trees/main":
        tree = [
            {"path": path, "mode": "100644", "type": "blob", "sha": blob_id(text), "size": len(text)}
            for path, text in {"README.md": "# Bench\n", **files}.items()
        ]
        return {"sha": hashlib.sha1(full.encode()).hexdigest(), "tree": tree, "truncated": False}
    if rest.startswith("/git/blobs/"):
        text = {blob_id(text): text for text in files.values()}.get(rest.rpartition("/")[2])
        if text is not None:
            content = base64.b64encode(text.encode()).decode()
            return {"sha": blob_id(text), "size": len(text), "encoding": "base64", "content": content}
    return None


def manifests(index: int) -> dict[str, str]:
    """Each repository's dependency manifests: an npm and a Python service depending on two of fifty
    shared libraries, so that the first sync fetches and parses manifests as a real one does."""
    first, second = index % 50, (index * 7 + 1) % 50
    return {
        "web/package.json": json.dumps(
            {"name": f"web-{index}", "dependencies": {f"@bench/lib-{first}": "^1.2.0", "left-pad": "1.3.0"}},
            indent=2,
        ),
        "svc/requirements.txt": f"bench-lib-{second}>=2.0\nrequests==2.32.0\n",
    }


def blob_id(text: str) -> str:
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def serve(repositories: int, users: int) -> None:
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle's algorithm on, the second waits for the
        # client's delayed ACK (40 ms a request on Linux), which made the forge, not the sync, the cost.
        disable_nagle_algorithm = True

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/_stats":
                with lock:
                    return self._send(200, json.dumps(dict(counts)).encode(), {})
            match = REPO_RE.match(parts.path)
            body = None
            if match and int(match.group(1).split("-")[1]) < repositories:
                body = answer(match.group(1), match.group(2) or "", dict(parse_qsl(parts.query)), users)
            if body is None:
                with lock:
                    counts["404"] += 1
                return self._send(404, b'{"message": "Not Found"}', {})
            raw = json.dumps(body).encode()
            etag = '"' + hashlib.sha1(raw).hexdigest() + '"'
            status = 304 if self.headers.get("If-None-Match") == etag else 200
            with lock:
                counts[str(status)] += 1
            self._send(status, b"" if status == 304 else raw, {"ETag": etag})

        def _send(self, status: int, raw: bytes, headers: dict) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if raw:
                self.wfile.write(raw)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
