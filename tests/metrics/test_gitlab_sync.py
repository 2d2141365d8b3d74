"""The GitLab sync over real HTTP, against the local fake forge answering like GitLab's REST API v4."""

import base64
import hashlib
from datetime import UTC, date, datetime, timedelta
from functools import partial
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.utils import timezone

from catalog.effort import EffortBasis, assets_effort
from catalog.models import Repository
from metrics.models.activity import Comment, Commit, ForgeAccount, Issue, PullRequest, Release, Review
from metrics.models.sync import ManifestFile, SyncState
from metrics.selectors import time_to_value
from metrics.sync import gitlab as gitlab_sync
from metrics.sync import manifest_scan
from metrics.sync.gitlab_payloads import approval_forge_id
from metrics.sync.http import TransientForgeError
from metrics.sync.runner import repository_sync
from metrics.tasks import sync_repository
from tests.factories import AssetFactory, ProjectFactory
from tests.metrics import manifest_files
from tests.metrics.fakeforge import Answer

BASE = "/api/v4/projects/platform%2Fwidgets"
TOKEN = "glpat-test-token"


def user(uid: int, username: str, name: str) -> dict:
    return {
        "id": uid,
        "username": username,
        "name": name,
        "state": "active",
        "avatar_url": f"https://gitlab.acme.example/uploads/{uid}.png",
        "web_url": f"https://gitlab.acme.example/{username}",
    }


ALICE = user(11, "alice", "Alice Author")
BOB = user(12, "bob", "Bob Reviewer")
CAROL = user(13, "carol", "Carol Commenter")
DAVE = user(14, "dave", "Dave Reporter")
TOKEN_BOT = user(99, "project_42_bot_5e1f", "Release automation")

PROJECT = {
    "id": 42,
    "description": "Widgets for every platform team.",
    "name": "widgets",
    "path": "widgets",
    "path_with_namespace": "platform/widgets",
    "web_url": "https://gitlab.acme.example/platform/widgets",
    "default_branch": "main",
    "topics": ["ui", "widgets"],
    "star_count": 7,
    "forks_count": 2,
    "open_issues_count": 1,
    "created_at": "2023-02-01T09:00:00.000Z",
    "last_activity_at": "2025-03-10T12:00:00.000Z",
    "empty_repo": False,
    "issues_enabled": True,
    "merge_requests_enabled": True,
    "license_url": "https://gitlab.acme.example/platform/widgets/-/blob/main/LICENSE",
    "license": {"key": "apache-2.0", "name": "Apache License 2.0", "nickname": None},
}


def merge_request(iid: int, **fields) -> dict:
    item = {
        "id": 5000 + iid,
        "iid": iid,
        "project_id": 42,
        "title": f"Merge request {iid}",
        "state": "opened",
        "created_at": f"2025-01-0{iid}T10:00:00.000Z",
        "updated_at": f"2025-02-0{iid}T10:00:00.000Z",
        "merged_at": None,
        "closed_at": None,
        "author": ALICE,
        "merge_user": None,
        "merged_by": None,
        "labels": [],
        "draft": False,
        "work_in_progress": False,
        "user_notes_count": 0,
    }
    item.update(fields)
    return item


def gitlab_note(nid: int, author: dict, body: str, *, noteable_type: str, iid: int, **fields) -> dict:
    item = {
        "id": nid,
        "type": None,
        "body": body,
        "author": author,
        "created_at": "2025-02-01T08:00:00.000Z",
        "updated_at": "2025-02-01T08:00:00.000Z",
        "system": False,
        "noteable_id": 1,
        "noteable_type": noteable_type,
        "noteable_iid": iid,
    }
    item.update(fields)
    return item


def system_note(nid: int, author: dict, body: str, *, iid: int, at: str) -> dict:
    return gitlab_note(nid, author, body, noteable_type="MergeRequest", iid=iid, system=True, created_at=at)


def gitlab_issue(iid: int, title: str, *, state: str = "opened", **fields) -> dict:
    closed = f"2025-02-0{4 + iid}T10:00:00.000Z" if state == "closed" else None
    item = {
        "id": 3000 + iid,
        "iid": iid,
        "title": title,
        "state": state,
        "author": DAVE,
        "labels": [],
        "created_at": f"2025-01-0{4 + iid}T10:00:00.000Z",
        "updated_at": f"2025-02-0{4 + iid}T10:00:00.000Z",
        "closed_at": closed,
        "user_notes_count": 0,
    }
    item.update(fields)
    return item


def commit(sha: str, when: datetime, parents: int = 1) -> dict:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000+00:00")
    return {
        "id": sha,
        "short_id": sha[:8],
        "title": f"Commit {sha[:4]}",
        "message": f"Commit {sha[:4]}",
        "author_name": "Erin Engineer",
        "author_email": "Erin@Acme.Example",
        "authored_date": stamp,
        "committer_name": "Erin Engineer",
        "committer_email": "erin@acme.example",
        "committed_date": stamp,
        "created_at": stamp,
        "parent_ids": [f"{n:040x}" for n in range(parents)],
    }


def release(tag: str, released_at: str, **fields) -> dict:
    item = {
        "tag_name": tag,
        "name": f"Widgets {tag}",
        "created_at": "2025-01-10T10:00:00.000Z",
        "released_at": released_at,
        "upcoming_release": False,
        "author": ALICE,
    }
    item.update(fields)
    return item


def entries(*names: str, folder: str = "") -> list[dict]:
    """A tree listing; names ending in / are folders."""
    return [
        {
            "id": f"{n:040x}",
            "name": name.rstrip("/"),
            "type": "tree" if name.endswith("/") else "blob",
            "path": f"{folder}/{name}".strip("/").rstrip("/"),
            "mode": "040000" if name.endswith("/") else "100644",
        }
        for n, name in enumerate(names)
    ]


README_TEXT = "# Widgets\n\n![diagram](docs/diagram.png)\n"


def gitlab_file(path: str, text: str, blob: int) -> dict:
    """GET /projects/:id/repository/files/:file_path?ref= as GitLab answers it (REST v4)."""
    raw = text.encode()
    return {
        "file_name": path.rpartition("/")[2],
        "file_path": path,
        "size": len(raw),
        "encoding": "base64",
        "content_sha256": hashlib.sha256(raw).hexdigest(),
        "ref": "main",
        "blob_id": f"{blob:040x}",
        "commit_id": "d5a3ff139356ce33e37e73add446f16869741b50",
        "last_commit_id": "570e7b2abdd848b95f2f578043fc23bd6f6fd24d",
        "execute_filemode": False,
        "content": base64.b64encode(raw).decode(),
    }


def monday(moment: datetime):
    return (moment - timedelta(days=moment.weekday())).date()


@pytest.fixture
def now():
    return timezone.now().astimezone(UTC)


@pytest.fixture
def gitlab(fake_forge, settings, now):
    """A GitLab project with two pages of merge requests, approvals (one request's API missing),
    notes with system notes among them, issues numbered like the requests, commits, releases and files."""
    settings.GITLAB_URL = fake_forge.url
    settings.GITLAB_TOKEN = TOKEN
    fake_forge.route(BASE, PROJECT)
    fake_forge.paginate(
        f"{BASE}/merge_requests",
        [
            [
                merge_request(
                    1,
                    state="merged",
                    merged_at="2025-02-01T09:30:00.000Z",
                    merge_user=BOB,
                    merged_by=BOB,
                    labels=["feature", "ui"],
                    user_notes_count=2,
                ),
                merge_request(2, work_in_progress=True, draft=None, author=CAROL),
            ],
            [
                merge_request(3, state="closed", closed_at="2025-02-03T10:00:00.000Z", author=TOKEN_BOT),
                merge_request(4, state="locked", draft=True),
            ],
        ],
    )
    fake_forge.route(f"{BASE}/merge_requests/1/approvals", {"iid": 1, "approved_by": [{"user": BOB}]})
    fake_forge.route(f"{BASE}/merge_requests/2/approvals", {"iid": 2, "approved_by": []})
    # No route for !3's approvals: the server answers 404, as editions without the API do.
    fake_forge.route(f"{BASE}/merge_requests/4/approvals", {"iid": 4, "approved_by": []})
    mr_note = partial(gitlab_note, noteable_type="MergeRequest")
    fake_forge.route(
        f"{BASE}/merge_requests/1/notes",
        [
            mr_note(701, CAROL, "Looks good, one question.", iid=1),
            mr_note(702, BOB, "Use a constant here.", iid=1, type="DiffNote"),
            system_note(703, BOB, "approved this merge request", iid=1, at="2025-02-01T09:00:00.000Z"),
        ],
    )
    fake_forge.route(
        f"{BASE}/merge_requests/3/notes",
        [
            system_note(731, BOB, "approved this merge request", iid=3, at="2025-02-02T09:00:00.000Z"),
            system_note(732, BOB, "unapproved this merge request", iid=3, at="2025-02-02T09:10:00.000Z"),
            system_note(733, ALICE, "approved this merge request", iid=3, at="2025-02-02T11:00:00.000Z"),
        ],
    )
    fake_forge.paginate(
        f"{BASE}/issues",
        [
            [
                gitlab_issue(
                    1, "Widgets flicker on resize", state="closed", labels=["bug"], user_notes_count=1
                ),
                gitlab_issue(2, "Document the colour tokens", labels=["good first issue", "docs"]),
            ]
        ],
    )
    fake_forge.route(
        f"{BASE}/issues/1/notes",
        [
            gitlab_note(801, CAROL, "I can reproduce this.", noteable_type="Issue", iid=1),
            gitlab_note(802, ALICE, "closed", noteable_type="Issue", iid=1, system=True),
        ],
    )
    fake_forge.route(
        f"{BASE}/issues?{urlencode(gitlab_sync.GOOD_FIRST_ISSUE_PARAMS)}", [{"id": 3002, "iid": 2}]
    )
    fake_forge.paginate(
        f"{BASE}/repository/commits",
        [
            [commit("a" * 40, now - timedelta(days=3), parents=2), commit("b" * 40, now - timedelta(days=4))],
            [commit("c" * 40, now - timedelta(days=100))],
        ],
    )
    fake_forge.route(
        f"{BASE}/releases",
        [
            release("v2.0.0", "2099-01-01T00:00:00.000Z", upcoming_release=True, author=TOKEN_BOT),
            release("v1.0.0", "2025-01-10T10:00:00.000Z"),
        ],
    )
    tree = f"{BASE}/repository/tree"
    fake_forge.route(tree, entries(".gitlab/", "docs/", "README.md", "LICENSE", "innersource.json"))
    fake_forge.route(
        f"{tree}?{urlencode({'path': '.gitlab', 'per_page': 100})}",
        entries("issue_templates/", "merge_request_templates/", "CONTRIBUTING.md", folder=".gitlab"),
    )
    fake_forge.route(
        f"{tree}?{urlencode({'path': 'docs', 'per_page': 100})}", entries("CODEOWNERS", folder="docs")
    )
    fake_forge.route(f"{BASE}/repository/files/README.md?ref=main", gitlab_file("README.md", README_TEXT, 2))
    return fake_forge


@pytest.fixture
def repo(db):
    return Repository.objects.create(
        project=ProjectFactory(),
        forge="gitlab",
        url="https://gitlab.acme.example/platform/widgets",
        full_name="platform/widgets",
    )


def requested(forge, path: str) -> list[dict[str, list[str]]]:
    """The query strings of the requests made to one path, in order."""
    found = []
    for raw, _headers in forge.requests:
        parts = urlsplit(raw)
        if parts.path == path:
            found.append(parse_qs(parts.query))
    return found


def snapshot(repo) -> dict:
    return {
        "prs": list(PullRequest.objects.filter(repository=repo).order_by("number").values()),
        "reviews": list(Review.objects.filter(pull_request__repository=repo).order_by("forge_id").values()),
        "issues": list(Issue.objects.filter(repository=repo).order_by("number").values()),
        "comments": list(Comment.objects.filter(repository=repo).order_by("forge_id").values()),
        "commits": list(Commit.objects.filter(repository=repo).order_by("sha").values()),
        "releases": list(Release.objects.filter(repository=repo).order_by("tag").values()),
        "accounts": list(ForgeAccount.objects.order_by("login").values()),
    }


def test_merge_requests_are_recorded_with_their_states_drafts_labels_and_mergers(gitlab, repo):
    repository_sync(repository=repo)

    prs = {
        pr.number: pr
        for pr in PullRequest.objects.filter(repository=repo).select_related("author", "merged_by")
    }
    assert sorted(prs) == [1, 2, 3, 4]
    assert (prs[1].state, prs[1].forge_id, prs[1].merged_by.login, prs[1].author.login) == (
        "merged",
        5001,
        "bob",
        "alice",
    )
    assert prs[1].merged_at == datetime(2025, 2, 1, 9, 30, tzinfo=UTC)
    assert prs[1].labels == ["feature", "ui"]
    assert (prs[2].state, prs[2].draft, prs[2].author.login) == ("open", True, "carol")
    assert (prs[3].state, prs[3].closed_at) == ("closed", datetime(2025, 2, 3, 10, tzinfo=UTC))
    assert (prs[4].state, prs[4].draft) == ("open", True), "locked means a merge in progress: still open"
    assert prs[3].author.is_bot, "project access-token users are bots"
    assert not prs[1].author.is_bot


def test_approvals_become_approved_reviews_timed_by_gitlabs_approval_notes(gitlab, repo):
    repository_sync(repository=repo)

    reviews = {
        (r.pull_request.number, r.author.login): r
        for r in Review.objects.filter(pull_request__repository=repo).select_related("pull_request", "author")
    }
    assert set(reviews) == {(1, "bob"), (3, "alice")}, (
        "!3 has no approvals API: its notes tell; bob unapproved"
    )
    assert all(r.state == "approved" for r in reviews.values())
    assert reviews[(1, "bob")].submitted_at == datetime(2025, 2, 1, 9, tzinfo=UTC)
    assert reviews[(1, "bob")].forge_id == approval_forge_id(1, BOB["id"])
    assert reviews[(3, "alice")].submitted_at == datetime(2025, 2, 2, 11, tzinfo=UTC)


def test_notes_attach_to_their_request_or_issue_and_system_notes_are_skipped(gitlab, repo):
    repository_sync(repository=repo)

    comments = {c.forge_id: c for c in Comment.objects.filter(repository=repo).select_related("author")}
    assert set(comments) == {701, 702, 801}, "system notes (703, 731-733, 802) are not comments"
    assert comments[701].pull_request.number == 1 and comments[701].issue is None
    assert (comments[701].kind, comments[701].author.login) == ("issue", "carol")
    assert comments[702].kind == "review", "a DiffNote is a review comment"
    # GitLab numbers issues and merge requests separately: issue #1's note is not on !1.
    assert comments[801].issue.number == 1 and comments[801].pull_request is None
    assert comments[801].issue.title == "Widgets flicker on resize"


def test_issues_commits_and_releases_are_recorded(gitlab, repo, now):
    repository_sync(repository=repo)

    issues = {i.number: i for i in Issue.objects.filter(repository=repo)}
    assert (issues[1].state, issues[1].forge_id, issues[1].closed_at) == (
        "closed",
        3001,
        datetime(2025, 2, 5, 10, tzinfo=UTC),
    )
    assert (issues[2].state, issues[2].labels) == ("open", ["good first issue", "docs"])
    commits = {c.sha[0]: c for c in Commit.objects.filter(repository=repo)}
    assert sorted(commits) == ["a", "b", "c"], "both pages of commits, followed by the Link header"
    assert (commits["a"].is_merge, commits["b"].is_merge) == (True, False)
    assert (commits["b"].author_name, commits["b"].author_email) == ("Erin Engineer", "erin@acme.example")
    assert abs(commits["b"].authored_at - (now - timedelta(days=4))) < timedelta(seconds=1)
    releases = {r.tag: r for r in Release.objects.filter(repository=repo).select_related("author")}
    assert (releases["v1.0.0"].forge_id, releases["v1.0.0"].prerelease) == ("v1.0.0", False)
    assert (releases["v1.0.0"].name, releases["v1.0.0"].author.login) == ("Widgets v1.0.0", "alice")
    assert releases["v1.0.0"].published_at == datetime(2025, 1, 10, 10, tzinfo=UTC)
    assert (releases["v2.0.0"].prerelease, releases["v2.0.0"].author.login) == (True, "project_42_bot_5e1f")


def test_closed_issues_and_requests_without_their_closing_time_are_closed_at_their_update(gitlab, repo):
    gitlab.paginate(
        f"{BASE}/issues", [[gitlab_issue(1, "Widgets flicker on resize", state="closed", closed_at=None)]]
    )
    gitlab.paginate(
        f"{BASE}/merge_requests", [[merge_request(3, state="closed"), merge_request(5, state="merged")]]
    )
    gitlab.route(f"{BASE}/merge_requests/5/notes", [])

    repository_sync(repository=repo)

    issue = Issue.objects.get(repository=repo, number=1)
    assert (issue.state, issue.closed_at) == ("closed", datetime(2025, 2, 5, 10, tzinfo=UTC))
    closed, merged = PullRequest.objects.filter(repository=repo).order_by("number")
    assert (closed.state, closed.closed_at, closed.merged_at) == (
        "closed",
        datetime(2025, 2, 3, 10, tzinfo=UTC),
        None,
    )
    assert (merged.state, merged.merged_at) == ("merged", datetime(2025, 2, 5, 10, tzinfo=UTC))
    # The issue now counts in the time to close: a month from 5 January to 5 February.
    figures = time_to_value(projects=None, start=date(2025, 2, 1), end=date(2025, 3, 1))
    assert figures["issue_time_to_close"] == {"count": 1, "median_hours": 744.0, "p90_hours": 744.0}


def test_statistics_participation_and_files_land_on_the_catalog_repository(gitlab, repo, now):
    repository_sync(repository=repo)

    repo.refresh_from_db()
    assert (repo.stars, repo.forks, repo.open_issues) == (7, 2, 1)
    assert (repo.license, repo.topics, repo.default_branch) == ("Apache-2.0", ["ui", "widgets"], "main")
    assert repo.description == "Widgets for every platform team."
    assert repo.forge_created_at == datetime(2023, 2, 1, 9, tzinfo=UTC)
    assert repo.forge_updated_at == datetime(2025, 3, 10, 12, tzinfo=UTC)
    assert repo.files_present == [
        "README", "CONTRIBUTING", "LICENSE", "CODEOWNERS", "ISSUE_TEMPLATE", "PULL_REQUEST_TEMPLATE",
        "INNERSOURCE_JSON",
    ]  # fmt: skip
    assert repo.has_good_first_issues is True
    assert len(repo.participation) == 52 and sum(repo.participation) == 3
    expected = [0] * 52
    for days in (3, 4, 100):
        expected[51 - (monday(now) - monday(now - timedelta(days=days))).days // 7] += 1
    assert repo.participation == expected
    assert repo.last_error == "" and repo.last_synced_at is not None


def test_requests_go_to_the_encoded_project_with_the_token_and_pages_follow_links(gitlab, repo):
    outcome = repository_sync(repository=repo)

    assert gitlab.counts[BASE] == 1
    assert all(headers.get("PRIVATE-TOKEN") == TOKEN for _, headers in gitlab.requests)
    assert [q.get("page") for q in requested(gitlab, f"{BASE}/merge_requests")] == [None, ["2"]]
    first = requested(gitlab, f"{BASE}/merge_requests")[0]
    assert (first["order_by"], first["sort"], first["per_page"]) == (["updated_at"], ["asc"], ["100"])
    assert "updated_after" not in first, "a first sync reads the whole history"
    assert requested(gitlab, f"{BASE}/repository/commits")[0]["ref_name"] == ["main"]
    # Notes are only asked for where there are comments or approvals to time.
    assert gitlab.counts[f"{BASE}/merge_requests/2/notes"] == 0
    assert gitlab.counts[f"{BASE}/issues/2/notes"] == 0
    assert gitlab.counts[f"{BASE}/merge_requests/3/notes"] == 1
    assert outcome.requests == gitlab.total() == 20  # 18, the README, and the recursive tree (manifests)


def test_an_unchanged_project_costs_exactly_one_request_answered_304(gitlab, repo):
    repository_sync(repository=repo)
    before, rows = gitlab.total(), snapshot(repo)

    outcome = repository_sync(repository=repo)

    assert gitlab.total() == before + 1
    path, headers = gitlab.requests[-1]
    assert urlsplit(path).path == BASE and headers.get("If-None-Match")
    assert outcome.requests == 1 and outcome.records == 0
    assert SyncState.objects.get(repository=repo).last_request_count == 1
    assert snapshot(repo) == rows


def test_a_server_ignoring_etags_still_costs_one_request_when_the_project_is_the_same(gitlab, repo):
    repository_sync(repository=repo)
    SyncState.objects.filter(repository=repo).update(etags={})
    before = gitlab.total()

    outcome = repository_sync(repository=repo)

    assert gitlab.total() == before + 1 and outcome.records == 0


def test_a_changed_project_is_read_again_from_the_cursors(gitlab, repo):
    repository_sync(repository=repo)
    cursors = SyncState.objects.get(repository=repo).cursors
    assert cursors["merge_requests"] == "2025-02-04T10:00:00Z"
    assert cursors["issues"] == "2025-02-06T10:00:00Z"
    gitlab.route(BASE, {**PROJECT, "star_count": 8, "last_activity_at": "2025-03-11T12:00:00.000Z"})

    repository_sync(repository=repo)

    assert requested(gitlab, f"{BASE}/merge_requests")[-1]["updated_after"] == ["2025-02-04T10:00:00Z"]
    assert requested(gitlab, f"{BASE}/issues")[-2]["updated_after"] == ["2025-02-06T10:00:00Z"]
    assert "since" in requested(gitlab, f"{BASE}/repository/commits")[-1]
    repo.refresh_from_db()
    assert repo.stars == 8


def test_syncing_twice_in_full_yields_the_same_rows(gitlab, repo):
    repository_sync(repository=repo, full=True)
    first = snapshot(repo)
    requests = gitlab.total()

    repository_sync(repository=repo, full=True)

    assert gitlab.total() == 2 * requests, "a full sync ignores the ETag"
    assert snapshot(repo) == first
    assert len(first["prs"]) == 4 and len(first["comments"]) == 3 and len(first["reviews"]) == 2


def test_a_429_with_retry_after_records_when_to_come_back(gitlab, repo):
    gitlab.script(BASE, Answer(429, {"message": "429 Too Many Requests"}, {"Retry-After": "120"}))

    result = sync_repository.apply(args=[repo.pk]).get()

    assert result == "rate limited"
    state = SyncState.objects.get(repository=repo)
    assert timedelta(seconds=100) < state.next_attempt_at - timezone.now() <= timedelta(seconds=120)
    repo.refresh_from_db()
    assert "rate limit" in repo.last_error and "429" in repo.last_error
    assert not PullRequest.objects.filter(repository=repo).exists()


def test_an_exhausted_ratelimit_header_stops_before_the_next_request(gitlab, repo):
    reset = int((timezone.now() + timedelta(minutes=10)).timestamp())
    gitlab.script(BASE, Answer(200, PROJECT, {"RateLimit-Remaining": "0", "RateLimit-Reset": str(reset)}))

    result = sync_repository.apply(args=[repo.pk]).get()

    assert result == "rate limited"
    assert gitlab.total() == 1, "GitLab said no requests are left: none is made"
    state = SyncState.objects.get(repository=repo)
    assert state.next_attempt_at == datetime.fromtimestamp(reset, tz=UTC)


def test_a_502_is_retried_and_the_next_attempt_clears_the_error(gitlab, repo):
    gitlab.script(f"{BASE}/merge_requests", Answer(502, {"message": "502 Bad Gateway"}))

    assert sync_repository.apply(args=[repo.pk]).get() == "retrying"
    repo.refresh_from_db()
    assert "502" in repo.last_error
    assert SyncState.objects.get(repository=repo).etags == {}, "the half-done sync must not look complete"

    assert sync_repository.apply(args=[repo.pk]).get().startswith("ok")
    repo.refresh_from_db()
    assert repo.last_error == ""
    assert PullRequest.objects.filter(repository=repo).count() == 4


def test_a_malformed_page_is_recorded_as_the_forges_error(gitlab, repo):
    gitlab.script(f"{BASE}/issues", Answer(200, b"<html>maintenance</html>"))

    assert sync_repository.apply(args=[repo.pk]).get() == "failed"

    repo.refresh_from_db()
    assert "malformed" in repo.last_error and "/issues" in repo.last_error
    state = SyncState.objects.get(repository=repo)
    assert state.consecutive_failures == 1
    assert "issues" not in state.cursors and "project_digest" not in state.cursors
    assert PullRequest.objects.filter(repository=repo).count() == 4, "what was read before stays"


def test_a_malformed_merge_request_is_a_forge_error_not_a_crash(gitlab, repo):
    gitlab.paginate(f"{BASE}/merge_requests", [[{"id": 1, "title": "no iid, no state"}]])

    assert sync_repository.apply(args=[repo.pk]).get() == "failed"

    repo.refresh_from_db()
    assert repo.last_error.startswith("GitLab sent a malformed merge request")


def test_the_project_path_comes_from_the_full_name_or_the_url(settings):
    settings.GITLAB_URL = "https://code.acme.example/gitlab"
    assert gitlab_sync.project_path(
        Repository(url="https://x.example/a/b", full_name="platform/widgets")
    ) == ("platform/widgets")
    nested = Repository(url="https://code.acme.example/gitlab/platform/ui/widgets.git", full_name="")
    assert gitlab_sync.project_path(nested) == "platform/ui/widgets"


# --- the README of the default branch ---------------------------------------------------------------


def sync_after_a_push(gitlab, repo, *, moment: str, tree: list[dict] | None = None) -> None:
    """A later incremental sync of a project that changed (its last activity moved)."""
    if tree is not None:
        gitlab.route(f"{BASE}/repository/tree", tree)
    gitlab.route(BASE, {**PROJECT, "last_activity_at": moment})
    repository_sync(repository=repo)
    repo.refresh_from_db()


def test_the_sync_stores_the_readme_from_the_files_api_of_the_default_branch(gitlab, repo):
    repository_sync(repository=repo)

    repo.refresh_from_db()
    assert (repo.readme_path, repo.readme_sha, repo.readme_text) == ("README.md", f"{2:040x}", README_TEXT)
    assert repo.readme_truncated is False


def test_an_unchanged_readme_is_not_read_again_and_a_changed_one_is(gitlab, repo):
    readme = f"{BASE}/repository/files/README.md"
    repository_sync(repository=repo)

    sync_after_a_push(gitlab, repo, moment="2025-03-11T12:00:00.000Z")

    assert gitlab.counts[f"{BASE}/repository/tree"] >= 2, "the tree was listed again"
    assert gitlab.counts[readme] == 1, "same blob id: not read again"

    root = entries(".gitlab/", "docs/", "README.md", "LICENSE", "innersource.json")
    root[2]["id"] = "a" * 40
    gitlab.route(f"{readme}?ref=main", {**gitlab_file("README.md", "# New\n", 2), "blob_id": "a" * 40})
    sync_after_a_push(gitlab, repo, moment="2025-03-12T12:00:00.000Z", tree=root)

    assert gitlab.counts[readme] == 2
    assert (repo.readme_text, repo.readme_sha) == ("# New\n", "a" * 40)


def test_a_nested_path_is_encoded_and_a_removed_readme_is_cleared(gitlab, repo):
    gitlab.route(f"{BASE}/repository/tree", entries(".gitlab/", "docs/", "LICENSE"))
    gitlab.route(
        f"{BASE}/repository/tree?{urlencode({'path': 'docs', 'per_page': 100})}",
        entries("README.md", folder="docs"),
    )
    gitlab.route(
        f"{BASE}/repository/files/docs%2FREADME.md?ref=main", gitlab_file("docs/README.md", "# D\n", 0)
    )

    repository_sync(repository=repo)

    repo.refresh_from_db()
    assert (repo.readme_path, repo.readme_text) == ("docs/README.md", "# D\n")
    requests_before = gitlab.total()

    sync_after_a_push(gitlab, repo, moment="2025-03-11T12:00:00.000Z", tree=entries(".gitlab/", "LICENSE"))

    assert (repo.readme_path, repo.readme_sha, repo.readme_text) == ("", "", "")
    assert not any("/repository/files/" in path for path, _ in gitlab.requests[requests_before:])


def test_a_huge_readme_is_cut_and_marked(gitlab, repo):
    huge = "x" * 100 + "\n"
    huge *= 3000
    gitlab.route(f"{BASE}/repository/files/README.md?ref=main", gitlab_file("README.md", huge, 2))

    repository_sync(repository=repo)

    repo.refresh_from_db()
    assert repo.readme_truncated is True
    assert 0 < len(repo.readme_text.encode()) <= 200 * 1024 and repo.readme_text.endswith("x\n")


# --- the dependency manifests of the default branch -------------------------------------------------

TREE = f"{BASE}/repository/tree"


def blob_id(text: str) -> str:
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def serve_manifests(forge, files: dict[str, str]) -> None:
    """GET /projects/:id/repository/tree?recursive=true&ref=... on two pages, and each file's
    /repository/blobs/:sha/raw, as GitLab answers them; the root listing of the readiness files keeps
    its own answer."""
    forge.route(
        f"{TREE}?{urlencode({'per_page': 100})}", entries(".gitlab/", "docs/", "README.md", "LICENSE")
    )
    folders = sorted({path.rpartition("/")[0] for path in files} - {""})
    items = [
        {"id": "d" * 40, "name": f.rpartition("/")[2], "type": "tree", "path": f, "mode": "040000"}
        for f in folders
    ]
    for path, text in files.items():
        sha = blob_id(text)
        items.append(
            {"id": sha, "name": path.rpartition("/")[2], "type": "blob", "path": path, "mode": "100644"}
        )
        forge.route(f"{BASE}/repository/blobs/{sha}/raw", text.encode())
    half = len(items) // 2
    forge.paginate(TREE, [items[:half], items[half:]])


def blob_requests(forge) -> dict[str, int]:
    return {path: n for path, n in forge.counts.items() if path.startswith(f"{BASE}/repository/blobs/")}


def test_the_sync_stores_the_manifests_of_the_whole_tree_fetching_each_once(gitlab, repo):
    serve_manifests(gitlab, manifest_files.FILES)

    repository_sync(repository=repo)

    assert manifest_files.stored(repo) == manifest_files.expected()
    recursive = [query for query in requested(gitlab, TREE) if "recursive" in query]
    assert [(q["recursive"], q["ref"], q.get("page")) for q in recursive] == [
        (["true"], ["main"], None),
        (["true"], ["main"], ["2"]),
    ]
    wanted = {
        f"{BASE}/repository/blobs/{blob_id(manifest_files.FILES[path])}/raw": 1
        for path in manifest_files.EXPECTED
    }
    assert blob_requests(gitlab) == wanted, "no vendored manifest and no other file is fetched"
    repo.refresh_from_db()
    assert {"README", "LICENSE"} <= set(repo.files_present), "the readiness files: from the root listing"


def test_an_unchanged_manifest_is_not_fetched_again_and_a_changed_one_only(gitlab, repo, monkeypatch):
    """Each manifest kind, fetched from GitLab, finds its asset with the version in use; an unchanged
    tree costs no parsing; a dependency removed ends its adoption."""
    serve_manifests(gitlab, manifest_files.FILES)
    before, parsed = manifest_files.first_sync(repo, monkeypatch)
    gitlab.counts.clear()

    sync_after_a_push(gitlab, repo, moment="2025-03-11T12:00:00.000Z")

    assert gitlab.counts[TREE] >= 2 and blob_requests(gitlab) == {}
    assert parsed == [], "an unchanged manifest is not parsed again"
    assert manifest_files.read_times(repo) == before

    serve_manifests(gitlab, manifest_files.changed_files())
    sync_after_a_push(gitlab, repo, moment="2025-03-12T12:00:00.000Z")

    assert blob_requests(gitlab) == {
        f"{BASE}/repository/blobs/{blob_id(manifest_files.CHANGED_REQUIREMENTS)}/raw": 1
    }
    manifest_files.assert_the_change_read(repo, parsed)


def test_a_broken_manifest_keeps_its_error_and_an_oversized_one_is_not_read_whole(gitlab, repo, monkeypatch):
    # A small limit stands for the 2 MB one: GitLab's tree gives no sizes, so the raw answer is cut.
    monkeypatch.setattr("metrics.sync.gitlab.repository.MAX_BYTES", 60)
    monkeypatch.setattr(manifest_scan, "MAX_BYTES", 60)
    files = {
        **manifest_files.FILES,
        "web/package.json": manifest_files.BROKEN_PACKAGE_JSON,
        "svc/requirements.txt": "acme-retry==2.1.0\n" * 10,
    }
    serve_manifests(gitlab, files)

    repository_sync(repository=repo)

    stored = manifest_files.stored(repo)
    assert stored["web/package.json"][0] == []
    assert stored["web/package.json"][1].startswith("web/package.json: not valid JSON")
    assert stored["svc/requirements.txt"] == ([], "svc/requirements.txt: larger than 60 bytes, not read")
    assert stored["Dockerfile"] == manifest_files.expected()["Dockerfile"]
    repo.refresh_from_db()
    assert repo.last_error == ""


def test_a_project_synced_before_manifests_were_read_is_read_once_whole(gitlab, repo):
    serve_manifests(gitlab, manifest_files.FILES)
    repository_sync(repository=repo)
    ManifestFile.objects.filter(repository=repo).delete()
    state = SyncState.objects.get(repository=repo)
    del state.cursors[gitlab_sync.MANIFESTS_CURSOR]
    state.save()

    repository_sync(repository=repo)  # the project did not change

    assert manifest_files.stored(repo) == manifest_files.expected()
    before = gitlab.total()
    repository_sync(repository=repo)
    assert gitlab.total() == before + 1, "then an unchanged project costs one request again"


# --- the size of the source code, from GitLab's GraphQL API --------------------------------------------------

GRAPHQL = "/api/graphql"
# Source files of known sizes: Python 3,600 + 2,004 bytes, TypeScript 440; the rest is not source.
CODE = {
    "src/app.py": "print(1)\n" * 400,
    "src/util.py": "x = 1\n" * 334,
    "web/index.ts": "let a = 1;\n" * 40,
    "web/package.json": '{"name": "web"}\n',
    "web/vendor/lib.js": "var x;\n" * 500,
    "tests/test_app.py": "def test():\n    assert True\n",
    "README.md": "# Widgets\n",
}
SOURCE_PATHS = ["src/app.py", "src/util.py", "web/index.ts"]


def serve_code(forge, files: dict[str, str], *, sizes: dict[str, int] | None = None) -> None:
    """The tree and blobs of serve_manifests, and GitLab's GraphQL answer of the files' sizes (their
    length, unless `sizes` says otherwise)."""
    serve_manifests(forge, files)
    forge.gitlab_blobs(
        "platform/widgets",
        "main",
        {path: (blob_id(text), (sizes or {}).get(path, len(text.encode()))) for path, text in files.items()},
    )


def graphql_posts(forge) -> list[dict]:
    return [body for body in forge.posted if body is not None]


def test_gitlab_lines_are_the_source_files_sizes_over_40_bytes_asked_in_one_graphql_query(gitlab, repo):
    serve_code(gitlab, CODE)
    asset = AssetFactory(project=repo.project)

    repository_sync(repository=repo)

    repo.refresh_from_db()
    # Python: (3,600 + 2,004) / 40 = 140.1 → 141; TypeScript: 440 / 40 = 11. Vendored and tests do not count.
    assert repo.code_lines == {"Python": 141, "TypeScript": 11}
    assert repo.code_lines_basis == "bytes" and repo.code_counted_at is not None
    [query] = graphql_posts(gitlab)
    assert query["variables"] == {"fullPath": "platform/widgets", "ref": "main", "paths": SOURCE_PATHS}
    [(_path, headers)] = [(p, h) for p, h in gitlab.requests if p == GRAPHQL]
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert blob_requests(gitlab) == {f"{BASE}/repository/blobs/{blob_id(CODE['web/package.json'])}/raw": 1}, (
        "no source file is fetched: its size is enough"
    )
    # COCOMO II over 152 lines, by hand: ln 0.152 = -1.883875, × 1.0997 = -2.071697, e^ = 0.125972,
    # × 2.94 = 0.370357 person-months, × 19 = 7.04 engineer-days.
    effort = assets_effort([asset])[asset.pk]
    assert (effort.basis, effort.days, effort.lines) == (EffortBasis.MODEL, 7.0, 152)
    assert effort.text == "COCOMO II from 152 lines (estimated from file sizes; Python 141, TypeScript 11)"


def test_a_hundred_paths_go_in_each_query(gitlab, repo):
    files = {f"pkg/module_{n:03d}.py": "x = 1\n" * 2 for n in range(150)}  # 12 bytes each
    serve_code(gitlab, files)

    repository_sync(repository=repo)

    repo.refresh_from_db()
    assert repo.code_lines == {"Python": 45}, "150 × 12 bytes / 40"
    assert [len(body["variables"]["paths"]) for body in graphql_posts(gitlab)] == [100, 50]


def test_the_sizes_are_asked_again_only_when_the_source_files_change(gitlab, repo):
    serve_code(gitlab, CODE)
    repository_sync(repository=repo)
    repo.refresh_from_db()
    counted_at = repo.code_counted_at

    # The project changed, but not its source: the README and a vendored file did.
    serve_code(gitlab, {**CODE, "README.md": "# Widgets, again\n", "web/vendor/lib.js": "var y;\n"})
    sync_after_a_push(gitlab, repo, moment="2025-03-11T12:00:00.000Z")

    assert gitlab.counts[GRAPHQL] == 1, "the same source files: no query"
    assert repo.code_counted_at == counted_at

    serve_code(gitlab, {**CODE, "src/util.py": "x = 1\n" * 434})  # 2,604 bytes
    sync_after_a_push(gitlab, repo, moment="2025-03-12T12:00:00.000Z")

    assert gitlab.counts[GRAPHQL] == 2
    assert repo.code_lines == {"Python": 156, "TypeScript": 11}, "(3,600 + 2,604) / 40 = 155.1 → 156"
    assert repo.code_counted_at > counted_at


@pytest.mark.parametrize(
    "answer",
    [
        Answer(
            200, {"errors": [{"message": "Query has complexity of 346, which exceeds max complexity of 250"}]}
        ),
        Answer(401, {"errors": [{"message": "Invalid token"}]}),
        Answer(403, {"message": "403 Forbidden"}),
        Answer(200, {"data": {"project": None}}),
        Answer(200, {"data": {"project": {"repository": {"blobs": {"nodes": [{"path": "src/app.py"}]}}}}}),
    ],
    ids=["graphql-error", "401", "403", "no-project", "malformed"],
)
def test_when_gitlab_will_not_give_the_sizes_the_previous_count_is_kept(gitlab, repo, caplog, answer):
    serve_code(gitlab, CODE)
    repository_sync(repository=repo)
    repo.refresh_from_db()
    before = (repo.code_lines, repo.code_digest, repo.code_counted_at)

    serve_code(gitlab, {**CODE, "src/util.py": "x = 1\n" * 434})
    gitlab.script(GRAPHQL, answer)
    sync_after_a_push(gitlab, repo, moment="2025-03-11T12:00:00.000Z")

    assert (repo.code_lines, repo.code_digest, repo.code_counted_at) == before
    assert repo.last_error == "" and repo.readme_path == "README.md", "the rest of the sync went on"
    assert "source lines of GitLab project platform/widgets are not counted now" in caplog.text

    # The digest was not moved, so the next sync of the project asks again.
    sync_after_a_push(gitlab, repo, moment="2025-03-12T12:00:00.000Z")
    assert repo.code_lines == {"Python": 156, "TypeScript": 11}


def test_a_file_changed_since_the_listing_keeps_the_previous_count(gitlab, repo):
    serve_code(gitlab, CODE)
    repository_sync(repository=repo)
    repo.refresh_from_db()
    before = repo.code_lines

    # The tree lists the new util.py; by the time of the query the branch moved on again.
    serve_code(gitlab, {**CODE, "src/util.py": "x = 1\n" * 434})
    gitlab.gitlab_blobs("platform/widgets", "main", {path: ("e" * 40, 1) for path in SOURCE_PATHS})
    sync_after_a_push(gitlab, repo, moment="2025-03-11T12:00:00.000Z")

    assert repo.code_lines == before and repo.last_error == ""


def test_a_gitlab_failing_on_the_query_fails_the_sync_like_any_other_request(gitlab, repo):
    serve_code(gitlab, CODE)
    gitlab.script(GRAPHQL, Answer(502, {"message": "Bad Gateway"}))

    with pytest.raises(TransientForgeError):
        repository_sync(repository=repo)

    repo.refresh_from_db()
    assert repo.code_lines_basis == ""
    repository_sync(repository=repo)  # retried: the project's digest was not saved, so it is read again
    repo.refresh_from_db()
    assert repo.code_lines == {"Python": 141, "TypeScript": 11}
