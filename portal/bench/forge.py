"""A local GitHub-shaped forge for the sync measurement: `python -m portal.bench.forge REPOS`.

It serves `bench-sync/repo-NNNN` (NNNN < REPOS) with the answers the GitHub adapter asks for, through the
one fake forge (portal.bench.fakeforge: an ETag on each answer, 304 to a matching If-None-Match, and
`GET /_stats` with how many requests it answered per status). It prints its port on the first line of
stdout. Answers are fixed, so a second sync finds every repository unchanged.
"""

import base64
import hashlib
import json
import re
import sys

from portal.bench.fakeforge import FakeForge

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
    def fallback(path: str, query: dict[str, str]) -> object | None:
        match = REPO_RE.match(path)
        if match and int(match.group(1).split("-")[1]) < repositories:
            return answer(match.group(1), match.group(2) or "", query, users)
        return None

    forge = FakeForge(fallback=fallback, keep_alive=True)
    print(forge.port, flush=True)
    forge.serve()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
