"""The GitHub sync, over real HTTP against the local fake forge (tests/metrics/fakeforge.py)."""

import base64
import hashlib
import time
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from catalog.models import Repository
from metrics.models.activity import Comment, Commit, ForgeAccount, Issue, PullRequest, Release, Review
from metrics.models.sync import ManifestFile, SyncState
from metrics.sync.runner import repository_sync
from metrics.tasks import sync_repository
from tests.factories import ProjectFactory, RepositoryFactory, UserFactory
from tests.metrics import manifest_files
from tests.metrics.fakeforge import Answer

BASE = "/repos/acme/widgets"
NOW = datetime.now(UTC).replace(microsecond=0)
GOOD_FIRST_ISSUE_QUERY = f"{BASE}/issues?labels=good+first+issue&state=open&per_page=1"


def at(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def user(login: str, *, kind: str = "User", id: int = 0) -> dict:
    return {"login": login, "id": id or abs(hash(login)) % 10**6, "type": kind}


ALICE, BOB, CAROL = user("alice", id=1), user("bob", id=2), user("carol", id=3)
DEPENDABOT, CI_ROBOT = user("dependabot[bot]", kind="Bot", id=4), user("ci-robot", id=5)


def pr(number: int, *, state="open", merged_at=None, draft=False, author=ALICE, updated=1.0, **extra):
    """A pull request as the list answers it (no sizes, no merged_by)."""
    return {
        "id": 1000 + number,
        "number": number,
        "title": f"Change {number}",
        "state": state,
        "draft": draft,
        "user": author,
        "labels": extra.pop("labels", []),
        "created_at": at(30),
        "updated_at": at(updated),
        "closed_at": extra.pop("closed_at", None),
        "merged_at": merged_at,
    }


def single(item: dict, merged_by=None) -> dict:
    """The single-request answer of a listed pull request: sizes and merged_by added."""
    return {**item, "merged_by": merged_by, "additions": 10 * item["number"], "deletions": item["number"]}


def issue(number: int, *, state="open", author=ALICE, labels=(), updated=2.0, pull_request=False) -> dict:
    item = {
        "id": 2000 + number,
        "number": number,
        "title": f"Issue {number}",
        "state": state,
        "user": author,
        "labels": [{"name": name} for name in labels],
        "created_at": at(20),
        "updated_at": at(updated),
        "closed_at": at(updated) if state == "closed" else None,
    }
    if pull_request:
        item["pull_request"] = {"url": f"https://api.example/repos/acme/widgets/pulls/{number}"}
    return item


def commit(
    sha: str, *, author=None, name="Someone", email="someone@acme.example", days_ago=3.0, parents=1
) -> dict:
    stamp = {"name": name, "email": email, "date": at(days_ago)}
    return {
        "sha": sha,
        "author": author,
        "committer": author,
        "commit": {"author": stamp, "committer": stamp, "message": "work"},
        "parents": [{"sha": f"p{n}"} for n in range(parents)],
    }


PR1 = pr(1, state="closed", merged_at=at(5), closed_at=at(5), labels=[{"name": "enhancement"}], updated=5)
PR2 = pr(2, author=DEPENDABOT, updated=4)
PR3 = pr(3, draft=True, updated=3)
PR4 = pr(4, state="closed", closed_at=at(6), author=CAROL, updated=6)
REVIEWS = {
    1: [
        {
            "id": 501,
            "user": BOB,
            "state": "APPROVED",
            "submitted_at": at(5.5),
            "pull_request_url": "x/pulls/1",
        },
        {
            "id": 502,
            "user": CAROL,
            "state": "COMMENTED",
            "submitted_at": at(5.6),
            "pull_request_url": "x/pulls/1",
        },
    ],
    2: [{"id": 503, "user": ALICE, "state": "PENDING", "pull_request_url": "x/pulls/2"}],
}
ISSUES = [
    issue(5, labels=["good first issue"]),
    issue(6, state="closed", author=BOB),
    issue(1, pull_request=True),
]
ISSUE_COMMENTS = [
    {
        "id": 701,
        "user": BOB,
        "created_at": at(2),
        "updated_at": at(2),
        "issue_url": "https://x/repos/acme/widgets/issues/5",
    },
    {
        "id": 702,
        "user": CI_ROBOT,
        "created_at": at(5),
        "updated_at": at(5),
        "issue_url": "https://x/repos/acme/widgets/issues/1",
    },
]
REVIEW_COMMENTS = [
    {
        "id": 801,
        "user": BOB,
        "created_at": at(5.7),
        "updated_at": at(5.7),
        "pull_request_url": "https://x/repos/acme/widgets/pulls/1",
    }
]
COMMITS = [
    commit("c1" * 20, author=CAROL, name="Carol", email="carol@acme.example", days_ago=2),
    commit("c2" * 20, author=BOB, name="Bob", email="bob@acme.example", days_ago=5, parents=2),
    commit("c3" * 20, author=None, name="Dana Nobody", email="dana@elsewhere.example", days_ago=7),
]
RELEASES = [
    {
        "id": 901,
        "tag_name": "v1.0",
        "name": "One",
        "draft": False,
        "prerelease": False,
        "published_at": at(4),
        "author": ALICE,
    },
    {
        "id": 902,
        "tag_name": "v1.1-rc1",
        "name": None,
        "draft": False,
        "prerelease": True,
        "published_at": at(1),
        "author": BOB,
    },
]
REPO = {
    "full_name": "acme/widgets",
    "description": "Widgets for everyone",
    "default_branch": "main",
    "stargazers_count": 42,
    "watchers_count": 42,
    "subscribers_count": 5,
    "forks_count": 7,
    "open_issues_count": 3,
    "license": {"key": "mit", "spdx_id": "MIT", "name": "MIT License"},
    "topics": ["inner-source", "python"],
    "created_at": at(400),
    "updated_at": at(1),
    "pushed_at": at(1),
}
ROOT = [
    {"name": name, "path": name, "type": kind, "sha": f"{n:040x}"}
    for n, (name, kind) in enumerate([("README.md", "file"), ("LICENSE", "file"), ("CONTRIBUTING.md", "file"),
                                      ("innersource.json", "file"), (".github", "dir"), ("src", "dir")])
]  # fmt: skip
README_TEXT = "# Widgets\n\nSee [the guide](docs/guide.md).\n"


def readme_answer(text: str, *, path: str = "README.md", sha: str = f"{0:040x}") -> dict:
    """GET /repos/{owner}/{repo}/readme as GitHub answers it: the contents API's shape, base64 with
    line breaks."""
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(text.encode()),
        "name": path.rpartition("/")[2],
        "path": path,
        "content": base64.encodebytes(text.encode()).decode(),
        "sha": sha,
        "url": f"https://api.github.example{BASE}/contents/{path}?ref=main",
        "git_url": f"https://api.github.example{BASE}/git/blobs/{sha}",
        "html_url": f"https://github.acme.example/acme/widgets/blob/main/{path}",
        "download_url": f"https://raw.github.acme.example/acme/widgets/main/{path}",
        "_links": {"self": f"https://api.github.example{BASE}/contents/{path}?ref=main"},
    }


DOT_GITHUB = [
    {"name": "CODEOWNERS", "type": "file"},
    {"name": "ISSUE_TEMPLATE", "type": "dir"},
    {"name": "pull_request_template.md", "type": "file"},
]


def serve(forge, *, pulls=None, singles=None) -> None:
    """The whole repository on the fake forge."""
    pulls = pulls if pulls is not None else [PR3, PR2, PR1, PR4]  # newest change first, as GitHub sorts
    merged_by = {1: BOB}
    singles = singles or {}
    forge.route(f"{BASE}/events", [{"id": "1", "type": "PushEvent"}])
    forge.route(f"{BASE}/commits", COMMITS)
    forge.route(f"{BASE}/pulls", pulls)
    for item in pulls:
        number = item["number"]
        forge.route(f"{BASE}/pulls/{number}", singles.get(number) or single(item, merged_by.get(number)))
        forge.route(f"{BASE}/pulls/{number}/reviews", REVIEWS.get(number, []))
    forge.route(f"{BASE}/issues", ISSUES)
    forge.route(GOOD_FIRST_ISSUE_QUERY, [ISSUES[0]])
    forge.route(f"{BASE}/issues/comments", ISSUE_COMMENTS)
    forge.route(f"{BASE}/pulls/comments", REVIEW_COMMENTS)
    forge.route(f"{BASE}/releases", RELEASES)
    forge.route(BASE, REPO)
    forge.route(f"{BASE}/stats/participation", {"all": [0] * 50 + [3, 4], "owner": [0] * 52})
    forge.route(f"{BASE}/contents/", ROOT)
    forge.route(f"{BASE}/contents/.github", DOT_GITHUB)
    forge.route(f"{BASE}/readme", readme_answer(README_TEXT))


@pytest.fixture
def github(settings, fake_forge):
    settings.GITHUB_API_URL = fake_forge.url
    settings.GITHUB_TOKEN = "test-token"
    settings.PORTAL_BOT_LOGINS = {"ci-robot"}
    return fake_forge


@pytest.fixture
def repo(db):
    url = "https://github.acme.example/acme/widgets"
    return RepositoryFactory(project=ProjectFactory(name="Widgets"), url=url, full_name="acme/widgets")


def snapshot(repository: Repository) -> dict:
    return {
        "pulls": list(
            PullRequest.objects.filter(repository=repository)
            .order_by("number")
            .values_list(
                "number", "state", "draft", "author__login", "merged_by__login", "additions", "merged_at"
            )
        ),
        "reviews": list(
            Review.objects.order_by("forge_id").values_list("forge_id", "state", "pull_request__number")
        ),
        "issues": list(
            Issue.objects.order_by("number").values_list("number", "state", "labels", "author__login")
        ),
        "comments": list(
            Comment.objects.order_by("forge_id").values_list(
                "forge_id", "kind", "issue__number", "pull_request__number"
            )
        ),
        "commits": list(
            Commit.objects.order_by("sha").values_list("sha", "author__login", "author_email", "is_merge")
        ),
        "releases": list(
            Release.objects.order_by("tag").values_list("tag", "name", "prerelease", "published_at")
        ),
        "accounts": list(
            ForgeAccount.objects.order_by("login").values_list("login", "is_bot", "user__username")
        ),
    }


def test_the_first_sync_writes_pull_requests_reviews_issues_comments_commits_and_releases(github, repo):
    serve(github)

    outcome = repository_sync(repository=repo)

    pulls = {
        p.number: p for p in PullRequest.objects.filter(repository=repo).select_related("author", "merged_by")
    }
    assert {n: p.state for n, p in pulls.items()} == {1: "merged", 2: "open", 3: "open", 4: "closed"}
    assert pulls[1].merged_by.login == "bob"
    assert pulls[1].merged_at == datetime.fromisoformat(at(5))
    assert (pulls[1].additions, pulls[1].deletions, pulls[1].labels) == (10, 1, ["enhancement"])
    assert pulls[3].draft is True
    assert pulls[4].closed_at == datetime.fromisoformat(at(6))
    assert pulls[4].merged_by is None
    reviews = {r.forge_id: r for r in Review.objects.select_related("pull_request", "author")}
    assert {k: (r.state, r.pull_request.number, r.author.login) for k, r in reviews.items()} == {
        501: ("approved", 1, "bob"),
        502: ("commented", 1, "carol"),
        503: ("pending", 2, "alice"),
    }
    assert reviews[503].submitted_at is None
    # The issues list includes pull request #1: it is not an issue.
    assert list(Issue.objects.order_by("number").values_list("number", "state")) == [
        (5, "open"),
        (6, "closed"),
    ]
    comments = {c.forge_id: c for c in Comment.objects.select_related("issue", "pull_request")}
    assert (comments[701].kind, comments[701].issue.number, comments[701].pull_request) == ("issue", 5, None)
    assert (comments[702].issue, comments[702].pull_request.number) == (None, 1)  # conversation on PR #1
    assert (comments[801].kind, comments[801].pull_request.number) == ("review", 1)
    commits = {c.sha[:2]: c for c in Commit.objects.select_related("author")}
    assert commits["c1"].author.login == "carol"
    assert commits["c2"].is_merge is True and commits["c1"].is_merge is False
    assert (commits["c3"].author, commits["c3"].author_name, commits["c3"].author_email) == (
        None,
        "Dana Nobody",
        "dana@elsewhere.example",
    )
    assert list(Release.objects.order_by("tag").values_list("tag", "name", "prerelease")) == [
        ("v1.0", "One", False),
        ("v1.1-rc1", "", True),
    ]
    assert outcome.records == 4 + 3 + 2 + 3 + 3 + 2


def test_the_first_sync_stores_the_repository_statistics_files_and_refreshes_the_activity_score(github, repo):
    serve(github)
    assert repo.project.activity_score == 0

    repository_sync(repository=repo)

    repo.refresh_from_db()
    assert (repo.stars, repo.forks, repo.watchers, repo.open_issues) == (42, 7, 5, 3)
    assert (repo.license, repo.topics, repo.default_branch) == ("MIT", ["inner-source", "python"], "main")
    assert repo.description == "Widgets for everyone"
    assert repo.forge_created_at == datetime.fromisoformat(at(400))
    assert repo.participation == [0] * 50 + [3, 4]
    # In the readiness checklist's order.
    assert repo.files_present == [
        "README", "CONTRIBUTING", "LICENSE", "CODEOWNERS", "ISSUE_TEMPLATE", "PULL_REQUEST_TEMPLATE", "INNERSOURCE_JSON",
    ]  # fmt: skip
    assert repo.has_good_first_issues is True
    assert repo.last_synced_at is not None and repo.last_error == ""
    repo.project.refresh_from_db()
    assert repo.project.activity_score > 0


def test_requests_carry_the_api_version_and_the_token(github, repo):
    serve(github)

    repository_sync(repository=repo)

    path, headers = github.requests[0]
    assert path.startswith(f"{BASE}/events")
    assert headers["Authorization"] == "Bearer test-token"
    assert headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert headers["Accept"] == "application/vnd.github+json"


def test_a_closed_issue_or_pull_request_without_closed_at_is_closed_at_its_update(github, repo):
    serve(github, pulls=[pr(4, state="closed", updated=6)])
    github.route(f"{BASE}/issues", [issue(6, state="closed", updated=3) | {"closed_at": None}])

    repository_sync(repository=repo)

    closed_issue = Issue.objects.get(repository=repo, number=6)
    assert (closed_issue.state, closed_issue.closed_at) == ("closed", datetime.fromisoformat(at(3)))
    closed_pull = PullRequest.objects.get(repository=repo, number=4)
    assert (closed_pull.state, closed_pull.closed_at) == ("closed", datetime.fromisoformat(at(6)))


def test_a_second_sync_of_an_unchanged_repository_costs_one_request_answered_304(github, repo):
    serve(github)
    repository_sync(repository=repo)
    before = snapshot(repo)
    github.counts.clear()
    github.requests.clear()

    outcome = repository_sync(repository=repo)

    assert github.total() == 1
    assert github.requests[0][0].startswith(f"{BASE}/events")
    assert "If-None-Match" in github.requests[0][1]
    assert outcome.requests == 1 and outcome.unchanged
    assert SyncState.objects.get(repository=repo).last_request_count == 1
    assert snapshot(repo) == before


def test_stale_statistics_are_refreshed_even_when_nothing_happened(github, repo):
    serve(github)
    repository_sync(repository=repo)
    state = SyncState.objects.get(repository=repo)
    state.cursors["stats_at"] = at(2)
    state.save()
    github.route(BASE, {**REPO, "stargazers_count": 43})
    github.counts.clear()

    repository_sync(repository=repo)

    repo.refresh_from_db()
    assert repo.stars == 43
    assert github.counts[f"{BASE}/pulls"] == 0  # only the statistics were read again


def test_lists_are_followed_across_pages_through_link_headers(github, repo):
    serve(github)
    pages = [
        [commit(f"{page}{n}".ljust(40, "0"), days_ago=10 - page - n / 10) for n in range(3)]
        for page in range(3)
    ]
    github.paginate(f"{BASE}/commits", pages)
    del github.routes[f"{BASE}/commits"]

    repository_sync(repository=repo)

    assert github.counts[f"{BASE}/commits"] == 3
    assert Commit.objects.filter(repository=repo).count() == 9
    later_pages = [path for path, _ in github.requests if path.startswith(f"{BASE}/commits")][1:]
    assert [("page=2" in later_pages[0]), ("page=3" in later_pages[1])] == [True, True]
    assert all("per_page=100" in path for path in later_pages)
    state = SyncState.objects.get(repository=repo)
    assert state.cursors["commits_since"] == at(10 - 2 - 0.2)  # the newest committer date of all pages


def test_an_incremental_sync_reads_only_what_changed_and_takes_ready_for_review_from_the_timeline(
    github, repo
):
    serve(github)
    repository_sync(repository=repo)
    assert PullRequest.objects.get(number=3).ready_for_review_at is None
    ready = pr(3, draft=False, updated=0.5)
    github.route(f"{BASE}/events", [{"id": "2", "type": "PullRequestEvent"}])
    github.route(f"{BASE}/pulls", [ready, PR2, PR1, PR4])
    github.route(f"{BASE}/pulls/3", single(ready))
    github.route(
        f"{BASE}/issues/3/timeline",
        [
            {"event": "labeled", "created_at": at(0.8)},
            {"event": "ready_for_review", "created_at": at(0.6)},
        ],
    )
    github.counts.clear()
    github.requests.clear()

    repository_sync(repository=repo)

    updated = PullRequest.objects.get(number=3)
    assert (updated.draft, updated.ready_for_review_at) == (False, datetime.fromisoformat(at(0.6)))
    # Listed newest first, the pull requests older than the cursor (PR 3's old update) are not read.
    assert [github.counts[f"{BASE}/pulls/{n}"] for n in (1, 2, 3, 4)] == [0, 0, 1, 0]
    issues_request = next(path for path, _ in github.requests if path.startswith(f"{BASE}/issues?state=all"))
    assert "since=" in issues_request and "direction=asc" in issues_request


def test_a_later_sync_keeps_the_ready_for_review_time_it_cannot_see_in_the_lists(github, repo):
    serve(github)
    repository_sync(repository=repo)
    PullRequest.objects.filter(number=1).update(ready_for_review_at=datetime.fromisoformat(at(9)))
    relabelled = {**PR1, "updated_at": at(0.1), "labels": [{"name": "released"}]}
    github.route(f"{BASE}/events", [{"id": "3", "type": "PullRequestEvent"}])
    github.route(f"{BASE}/pulls", [relabelled, PR3, PR2, PR4])
    github.route(f"{BASE}/pulls/1", single(relabelled, BOB))

    repository_sync(repository=repo)

    pull = PullRequest.objects.get(number=1)
    assert (pull.labels, pull.ready_for_review_at) == (["released"], datetime.fromisoformat(at(9)))
    assert github.counts[f"{BASE}/issues/1/timeline"] == 0


def test_a_rate_limit_records_when_to_come_back_and_loses_nothing(github, repo):
    serve(github)
    reset = int(time.time()) + 900
    github.script(
        f"{BASE}/issues/comments",
        Answer(
            403,
            {"message": "API rate limit exceeded"},
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
        ),
    )

    assert sync_repository.apply(args=[repo.pk]).get() == "rate limited"

    state = SyncState.objects.get(repository=repo)
    assert state.next_attempt_at == datetime.fromtimestamp(reset, tz=UTC)
    repo.refresh_from_db()
    assert "rate limit" in repo.last_error
    # What was read before the limit is saved, with the cursors that say so.
    assert PullRequest.objects.filter(repository=repo).count() == 4
    assert Issue.objects.filter(repository=repo).count() == 2
    assert "pulls_since" in state.cursors and "issues_since" in state.cursors
    assert Comment.objects.count() == 0

    github.counts.clear()
    assert sync_repository.apply(args=[repo.pk]).get().startswith("ok")

    assert Comment.objects.count() == 3
    assert github.counts[f"{BASE}/pulls/1"] == 0  # the pull requests were not read again
    repo.refresh_from_db()
    assert repo.last_error == ""
    assert SyncState.objects.get(repository=repo).next_attempt_at is None


def test_a_rate_limit_in_the_middle_of_the_pull_requests_does_not_repeat_the_saved_pages(github, repo):
    serve(github)
    github.paginate(f"{BASE}/pulls", [[PR3, PR2], [PR1, PR4]])
    del github.routes[f"{BASE}/pulls"]
    reset = int(time.time()) + 900
    limited = Answer(
        403, {"message": "rate limit"}, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
    )
    github.script(f"{BASE}/pulls/1/reviews", limited)

    assert sync_repository.apply(args=[repo.pk]).get() == "rate limited"
    assert sorted(PullRequest.objects.values_list("number", flat=True)) == [2, 3]
    github.counts.clear()

    assert sync_repository.apply(args=[repo.pk]).get().startswith("ok")

    assert sorted(PullRequest.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
    # PR 3 was saved before the limit and is not read again; PR 2, the oldest of the saved page, is
    # (a pull request updated in the same second could be on the next page).
    assert [github.counts[f"{BASE}/pulls/{n}"] for n in (1, 2, 3, 4)] == [1, 1, 0, 1]
    state = SyncState.objects.get(repository=repo)
    assert "pulls_window" not in state.cursors and state.cursors["pulls_since"] == PR3["updated_at"]


def test_a_server_error_is_retried_and_the_retry_clears_the_error(github, repo):
    serve(github)
    github.script(f"{BASE}/events", Answer(502, {"message": "Bad Gateway"}))

    assert sync_repository.apply(args=[repo.pk]).get() == "retrying"
    repo.refresh_from_db()
    assert "502" in repo.last_error
    assert SyncState.objects.get(repository=repo).consecutive_failures == 1

    assert sync_repository.apply(args=[repo.pk]).get().startswith("ok")

    repo.refresh_from_db()
    assert repo.last_error == ""
    assert PullRequest.objects.filter(repository=repo).count() == 4
    state = SyncState.objects.get(repository=repo)
    assert (state.consecutive_failures, state.next_attempt_at) == (0, None)


@pytest.mark.parametrize(
    ("path", "answer", "message"),
    [
        (f"{BASE}/pulls", Answer(200, b"{this is not json"), "malformed answer"),
        (f"{BASE}/commits", Answer(200, {"message": "an object, not a list"}), "malformed page"),
        (f"{BASE}/issues/comments", Answer(200, [{"id": 1, "user": None}]), "malformed issues/comments"),
    ],
)
def test_a_malformed_answer_is_recorded_as_the_error(github, repo, path, answer, message):
    serve(github)
    github.script(path, answer)

    assert sync_repository.apply(args=[repo.pk]).get() == "failed"

    repo.refresh_from_db()
    assert message in repo.last_error
    assert repo.last_synced_at is None


def test_running_the_sync_twice_yields_the_same_rows(github, repo):
    serve(github)
    repository_sync(repository=repo)
    first = snapshot(repo)

    repository_sync(repository=repo, full=True)

    assert snapshot(repo) == first
    assert len(first["pulls"]) == 4 and len(first["commits"]) == 3
    assert ForgeAccount.objects.filter(login="bob").count() == 1


def test_bots_are_marked_as_bots(github, repo):
    serve(github)

    repository_sync(repository=repo)

    bots = dict(ForgeAccount.objects.values_list("login", "is_bot"))
    assert bots["dependabot[bot]"] is True  # a Bot account
    assert bots["ci-robot"] is True  # listed in PORTAL_BOT_LOGINS
    assert (bots["alice"], bots["bob"]) == (False, False)


def test_an_account_whose_email_matches_a_portal_user_is_linked_to_that_user(github, repo):
    carol = UserFactory(username="carol-portal", email="carol@acme.example")
    serve(github)

    repository_sync(repository=repo)

    account = ForgeAccount.objects.get(login="carol")
    assert account.user == carol
    assert ForgeAccount.objects.get(login="bob").user is None


def test_a_deleted_users_ghost_is_nobody(github, repo):
    serve(github)
    ghost = pr(7, author=user("ghost", id=10137), updated=0.5)
    github.route(f"{BASE}/pulls", [ghost, PR3, PR2, PR1, PR4])
    github.route(f"{BASE}/pulls/7", single(ghost))
    github.route(f"{BASE}/pulls/7/reviews", [])

    repository_sync(repository=repo)

    assert PullRequest.objects.get(number=7).author is None
    assert not ForgeAccount.objects.filter(login="ghost").exists()


def test_sync_repos_prints_progress_per_repository(github, repo):
    serve(github)
    out = StringIO()

    call_command("sync_repos", project="widgets", stdout=out)
    call_command("sync_repos", project="widgets", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[1/1] acme/widgets: 17 records in ")
    assert lines[1] == "Synced 1 of 1 repositories."
    assert lines[2] == "[1/1] acme/widgets: unchanged (1 request)"


def test_an_empty_repository_syncs_without_an_error(github, repo):
    serve(github)
    github.script(f"{BASE}/commits", Answer(409, {"message": "Git Repository is empty."}))
    github.script(f"{BASE}/contents/", Answer(404, {"message": "This repository is empty."}))
    github.script(f"{BASE}/stats/participation", Answer(202, {}))

    assert sync_repository.apply(args=[repo.pk]).get().startswith("ok")

    repo.refresh_from_db()
    assert (repo.last_error, repo.files_present, repo.participation) == ("", [], [])
    assert not Commit.objects.exists()
    assert github.counts[f"{BASE}/contents/.github"] == 0  # only folders the root lists are asked for


# --- the README of the default branch ---------------------------------------------------------------


def sync_again_with_new_activity(github, repo, *, event_id: str) -> None:
    """A later incremental sync that reads the statistics again: the event feed changed."""
    github.route(f"{BASE}/events", [{"id": event_id, "type": "PushEvent"}])
    repository_sync(repository=repo)
    repo.refresh_from_db()


def test_the_sync_stores_the_readme_of_the_default_branch(github, repo):
    serve(github)

    repository_sync(repository=repo)

    repo.refresh_from_db()
    assert (repo.readme_path, repo.readme_sha, repo.readme_truncated) == ("README.md", f"{0:040x}", False)
    assert repo.readme_text == README_TEXT
    assert github.counts[f"{BASE}/readme"] == 1


def test_an_unchanged_readme_is_not_read_again_and_a_changed_one_is(github, repo):
    serve(github)
    repository_sync(repository=repo)

    sync_again_with_new_activity(github, repo, event_id="2")

    assert github.counts[f"{BASE}/contents/"] == 2, "the statistics were read again"
    assert github.counts[f"{BASE}/readme"] == 1, "the listing shows the same blob: no request for it"
    assert repo.readme_text == README_TEXT

    changed = "# Widgets\n\nNow with gadgets.\n"
    github.route(f"{BASE}/contents/", [{**ROOT[0], "sha": "f" * 40}, *ROOT[1:]])
    github.route(f"{BASE}/readme", readme_answer(changed, sha="f" * 40))
    sync_again_with_new_activity(github, repo, event_id="3")

    assert github.counts[f"{BASE}/readme"] == 2
    assert (repo.readme_text, repo.readme_sha) == (changed, "f" * 40)


def test_a_full_sync_reads_the_readme_again(github, repo):
    serve(github)
    repository_sync(repository=repo)

    repository_sync(repository=repo, full=True)

    assert github.counts[f"{BASE}/readme"] == 2


def test_a_readme_in_docs_is_stored_with_its_path(github, repo):
    serve(github)
    github.route(f"{BASE}/contents/", [e for e in ROOT if e["name"] != "README.md"] + [
        {"name": "docs", "path": "docs", "type": "dir", "sha": "d" * 40}
    ])  # fmt: skip
    github.route(f"{BASE}/contents/docs", [
        {"name": "README.md", "path": "docs/README.md", "type": "file", "sha": "e" * 40}
    ])  # fmt: skip
    github.route(f"{BASE}/readme", readme_answer("# In docs\n", path="docs/README.md", sha="e" * 40))

    repository_sync(repository=repo)

    repo.refresh_from_db()
    assert (repo.readme_path, repo.readme_sha, repo.readme_text) == (
        "docs/README.md",
        "e" * 40,
        "# In docs\n",
    )


def test_a_removed_readme_is_cleared_without_asking_for_it(github, repo):
    serve(github)
    repository_sync(repository=repo)
    github.route(f"{BASE}/contents/", ROOT[1:])

    sync_again_with_new_activity(github, repo, event_id="2")

    assert (repo.readme_path, repo.readme_sha, repo.readme_text) == ("", "", "")
    assert github.counts[f"{BASE}/readme"] == 1
    assert "README" not in repo.files_present


def test_a_readme_github_does_not_find_is_cleared(github, repo):
    serve(github)
    repository_sync(repository=repo)
    github.route(f"{BASE}/contents/", [{**ROOT[0], "sha": "f" * 40}, *ROOT[1:]])
    github.script(f"{BASE}/readme", Answer(404, {"message": "Not Found"}))

    sync_again_with_new_activity(github, repo, event_id="2")

    assert (repo.readme_path, repo.readme_text, repo.last_error) == ("", "", "")


def test_a_huge_readme_is_cut_at_a_line_end_and_marked(github, repo):
    serve(github)
    line = "Lorem ipsum dolor sit amet, ünïcödé everywhere.\n"
    huge = line * (300 * 1024 // len(line.encode()))
    github.route(f"{BASE}/readme", readme_answer(huge))

    repository_sync(repository=repo)

    repo.refresh_from_db()
    assert repo.readme_truncated is True
    assert len(repo.readme_text.encode()) <= 200 * 1024
    assert repo.readme_text.endswith("everywhere.\n") and huge.startswith(repo.readme_text)


def test_a_readme_over_githubs_content_limit_is_marked_cut(github, repo):
    """Over 1 MB the contents API leaves the content out (encoding "none")."""
    serve(github)
    github.route(
        f"{BASE}/readme", {**readme_answer(""), "encoding": "none", "content": "", "size": 5_000_000}
    )

    repository_sync(repository=repo)

    repo.refresh_from_db()
    assert (repo.readme_path, repo.readme_text, repo.readme_truncated) == ("README.md", "", True)


# --- the dependency manifests of the default branch -------------------------------------------------

TREE = f"{BASE}/git/trees/main"


def blob_id(text: str) -> str:
    """The git blob id of a file's text, as git (and GitHub) compute it."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def serve_manifests(forge, files: dict[str, str], *, truncated: bool = False, sizes=None) -> None:
    """GET /repos/{owner}/{repo}/git/trees/{branch}?recursive=1 and git/blobs/{sha} as GitHub answers
    them (folders as "tree" entries; blobs base64 with line breaks)."""
    folders = sorted({path.rpartition("/")[0] for path in files} - {""})
    tree = [{"path": f, "mode": "040000", "type": "tree", "sha": "d" * 40, "url": "x"} for f in folders]
    for path, text in files.items():
        sha = blob_id(text)
        size = (sizes or {}).get(path, len(text.encode()))
        tree.append({"path": path, "mode": "100644", "type": "blob", "sha": sha, "size": size, "url": "x"})
        forge.route(
            f"{BASE}/git/blobs/{sha}",
            {
                "sha": sha,
                "node_id": "B_kwDOAAAB",
                "size": size,
                "url": f"https://api.github.example{BASE}/git/blobs/{sha}",
                "content": base64.encodebytes(text.encode()).decode(),
                "encoding": "base64",
            },
        )
    forge.route(TREE, {"sha": "e" * 40, "url": "x", "tree": tree, "truncated": truncated})


def blob_requests(forge) -> dict[str, int]:
    return {path: n for path, n in forge.counts.items() if path.startswith(f"{BASE}/git/blobs/")}


def test_the_sync_stores_the_manifests_of_the_tree_fetching_each_once(github, repo):
    serve(github)
    serve_manifests(github, manifest_files.FILES)

    repository_sync(repository=repo)

    assert manifest_files.stored(repo) == manifest_files.expected()
    assert github.counts[TREE] == 1
    assert "recursive=1" in next(path for path, _ in github.requests if path.startswith(TREE))
    wanted = {
        f"{BASE}/git/blobs/{blob_id(manifest_files.FILES[path])}": 1 for path in manifest_files.EXPECTED
    }
    assert blob_requests(github) == wanted, "no vendored manifest and no other file is fetched"


def test_an_unchanged_tree_costs_one_request_and_a_changed_manifest_only_its_blob(github, repo, monkeypatch):
    """Each manifest kind, fetched from GitHub, finds its asset with the version in use; an unchanged
    tree costs no parsing; a dependency removed ends its adoption."""
    serve(github)
    serve_manifests(github, manifest_files.FILES)
    before, parsed = manifest_files.first_sync(repo, monkeypatch)
    github.counts.clear()

    sync_again_with_new_activity(github, repo, event_id="2")

    assert github.counts[TREE] == 1 and blob_requests(github) == {}
    assert parsed == [], "an unchanged manifest is not parsed again"
    assert "If-None-Match" in [h for p, h in github.requests if p.startswith(TREE)][-1]
    assert manifest_files.read_times(repo) == before

    serve_manifests(github, manifest_files.changed_files())
    github.counts.clear()
    sync_again_with_new_activity(github, repo, event_id="3")

    assert blob_requests(github) == {f"{BASE}/git/blobs/{blob_id(manifest_files.CHANGED_REQUIREMENTS)}": 1}
    manifest_files.assert_the_change_read(repo, parsed)


def test_a_truncated_tree_removes_nothing_it_left_out(github, repo):
    serve(github)
    serve_manifests(github, manifest_files.FILES)
    repository_sync(repository=repo)
    serve_manifests(github, {"Dockerfile": "FROM acme/base-python:3.13\n"}, truncated=True)

    sync_again_with_new_activity(github, repo, event_id="2")

    stored = manifest_files.stored(repo)
    assert set(stored) == set(manifest_files.EXPECTED)
    assert stored["Dockerfile"] == ([("pkg:docker/acme/base-python", "3.13", 1)], "")


def test_a_broken_or_oversized_manifest_keeps_its_error_and_the_oversized_one_is_not_fetched(github, repo):
    serve(github)
    files = {**manifest_files.FILES, "web/package.json": manifest_files.BROKEN_PACKAGE_JSON}
    serve_manifests(github, files, sizes={"Dockerfile": 5 * 1024 * 1024})

    repository_sync(repository=repo)

    stored = manifest_files.stored(repo)
    assert stored["web/package.json"][0] == [] and stored["web/package.json"][1].startswith(
        "web/package.json: not valid JSON"
    )
    assert stored["Dockerfile"] == ([], "Dockerfile: larger than 2 MB, not read")
    assert github.counts[f"{BASE}/git/blobs/{blob_id(manifest_files.FILES['Dockerfile'])}"] == 0
    repo.refresh_from_db()
    assert repo.last_error == ""


def test_a_repository_without_a_tree_keeps_no_manifests(github, repo):
    serve(github)
    serve_manifests(github, manifest_files.FILES)
    repository_sync(repository=repo)
    github.script(TREE, Answer(409, {"message": "Git Repository is empty."}))

    sync_again_with_new_activity(github, repo, event_id="2")

    assert manifest_files.stored(repo) == {}
    assert repo.last_error == ""


def test_a_full_sync_lists_the_tree_again_but_fetches_no_unchanged_blob(github, repo):
    serve(github)
    serve_manifests(github, manifest_files.FILES)
    repository_sync(repository=repo)
    fields = ("pk", "path", "blob_sha", "dependencies", "error", "read_at")
    first = list(ManifestFile.objects.order_by("path").values(*fields))

    repository_sync(repository=repo, full=True)

    assert list(ManifestFile.objects.order_by("path").values(*fields)) == first
    listings = [headers for path, headers in github.requests if path.startswith(TREE)]
    assert len(listings) == 2 and "If-None-Match" not in listings[1], "a full sync ignores the ETag"
    assert set(blob_requests(github).values()) == {1}, "a blob id names its content: fetched once"
