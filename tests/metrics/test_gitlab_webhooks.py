"""GitLab webhooks end to end: the view verifies and stores, the task (run on commit) writes activity."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalog.models import Repository
from metrics.models import Comment, Commit, ForgeAccount, Issue, PullRequest, Release, Review, WebhookDelivery
from metrics.sync.gitlab_payloads import approval_forge_id
from metrics.webhooks import gitlab as gitlab_hooks
from tests.factories import ProjectFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gitlab-webhooks"
URL = "/webhooks/gitlab/"
SECRET = "hook-secret-for-tests"
EVENTS = {
    "merge_request_opened": "Merge Request Hook",
    "merge_request_approval": "Merge Request Hook",
    "merge_request_merged": "Merge Request Hook",
    "note_on_merge_request": "Note Hook",
    "note_on_issue": "Note Hook",
    "issue_opened": "Issue Hook",
    "push_default_branch": "Push Hook",
    "release_create": "Release Hook",
}


def payload(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture
def repo(db, settings):
    settings.GITLAB_WEBHOOK_TOKEN = SECRET
    return Repository.objects.create(
        project=ProjectFactory(),
        forge="gitlab",
        url="https://gitlab.acme.example/platform/widgets",
        full_name="platform/widgets",
    )


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """POST a payload as GitLab would, running the processing task that the view queues on commit."""

    def post(name: str, *, body=None, event=None, token=SECRET, key=None, repository=""):
        raw = (
            body
            if isinstance(body, bytes)
            else json.dumps(body if body is not None else payload(name)).encode()
        )
        headers = {"X-Gitlab-Event": event or EVENTS[name], "Idempotency-Key": key or f"key-{name}"}
        if token is not None:
            headers["X-Gitlab-Token"] = token
        with django_capture_on_commit_callbacks(execute=True):
            # A repository with its own token is named in its webhook's URL (?repository=group/name).
            url = URL + (f"?repository={repository}" if repository else "")
            return client.post(url, data=raw, content_type="application/json", headers=headers)

    return post


def test_every_payload_is_accepted_stored_and_processed(repo, deliver):
    for name, event in EVENTS.items():
        response = deliver(name)
        assert response.status_code == 202, name
        delivery = WebhookDelivery.objects.get(forge="gitlab", delivery_id=f"key-{name}")
        assert (delivery.event, delivery.repository_id) == (event, repo.pk)
        assert delivery.processed_at is not None and delivery.error == "", name


def test_an_opened_merge_request_is_recorded_with_its_author_draft_and_labels(repo, deliver):
    deliver("merge_request_opened")

    pr = PullRequest.objects.select_related("author").get(repository=repo, number=7)
    assert (pr.forge_id, pr.state, pr.draft, pr.labels) == (5007, "open", True, ["feature"])
    assert (pr.author.login, pr.author.email, pr.author.external_id) == ("alice", "alice@acme.example", "11")
    assert pr.created_at == datetime(2025, 3, 1, 10, tzinfo=UTC)


def test_a_merge_keeps_the_author_and_records_the_merger_and_the_time(repo, deliver):
    deliver("merge_request_opened")
    deliver("merge_request_merged")

    pr = PullRequest.objects.select_related("author", "merged_by").get(repository=repo, number=7)
    assert pr.state == "merged"
    assert pr.author.login == "alice", "the merge hook names the author by id only"
    assert pr.merged_by.login == "bob"
    assert pr.merged_at == datetime(2025, 3, 3, 16, 45, tzinfo=UTC)
    assert (pr.draft, pr.labels) == (False, ["feature", "ui"])
    assert ForgeAccount.objects.get(login="bob").email == "", "a [REDACTED] address is no address"


def test_an_approval_becomes_the_same_review_the_sync_writes(repo, deliver):
    deliver("merge_request_opened")
    deliver("merge_request_approval")

    review = Review.objects.select_related("author").get(pull_request__number=7)
    assert (review.state, review.author.login) == ("approved", "bob")
    assert review.forge_id == approval_forge_id(7, 12)


def test_a_note_on_a_merge_request_attaches_to_it(repo, deliver):
    deliver("merge_request_opened")
    deliver("note_on_merge_request")

    comment = Comment.objects.select_related("pull_request", "author").get(forge_id=9001)
    assert (comment.kind, comment.pull_request.number, comment.issue) == ("issue", 7, None)
    assert comment.author.login == "carol"
    assert comment.created_at == datetime(2025, 3, 2, 11, 30, tzinfo=UTC)
    pr = PullRequest.objects.get(repository=repo, number=7)
    assert pr.author.login == "alice", "the request's author is kept from what was stored"
    assert pr.updated_at == datetime(2025, 3, 2, 11, 30, tzinfo=UTC)


def test_a_late_note_does_not_roll_a_merged_request_back(repo, deliver):
    deliver("merge_request_opened")
    deliver("merge_request_merged")
    deliver("note_on_merge_request")  # written before the merge, processed after it

    pr = PullRequest.objects.get(repository=repo, number=7)
    assert (pr.state, pr.merged_at) == ("merged", datetime(2025, 3, 3, 16, 45, tzinfo=UTC))
    assert Comment.objects.get(forge_id=9001).pull_request_id == pr.pk


def test_a_note_on_an_issue_brings_the_issue_and_not_the_request_of_the_same_number(repo, deliver):
    deliver("merge_request_opened")
    deliver("note_on_issue")

    issue = Issue.objects.get(repository=repo, number=7)
    assert (issue.forge_id, issue.title, issue.state, issue.labels) == (
        3007,
        "Handles vanish on zoom",
        "open",
        ["bug"],
    )
    comment = Comment.objects.select_related("author").get(forge_id=9002)
    assert (comment.issue_id, comment.pull_request_id) == (issue.pk, None)
    assert comment.author.login == "bob"


def test_an_opened_issue_is_recorded(repo, deliver):
    deliver("issue_opened")

    issue = Issue.objects.select_related("author").get(repository=repo, number=8)
    assert (issue.forge_id, issue.state, issue.labels, issue.author.login) == (
        3008,
        "open",
        ["good first issue"],
        "carol",
    )


def test_a_push_to_the_default_branch_records_its_commits(repo, deliver):
    deliver("push_default_branch")

    commits = {c.sha[:4]: c for c in Commit.objects.filter(repository=repo)}
    assert set(commits) == {"badc", "c0ff"}
    assert (commits["badc"].author_email, commits["badc"].is_merge) == ("alice@acme.example", False)
    assert commits["badc"].authored_at == datetime(2025, 3, 3, 14, tzinfo=UTC)
    assert commits["c0ff"].is_merge, "GitLab's merge commit message"


def test_a_push_to_another_branch_records_nothing(repo, deliver):
    body = payload("push_default_branch") | {"ref": "refs/heads/resize-handles"}

    assert deliver("push_default_branch", body=body).status_code == 202

    assert not Commit.objects.exists()
    assert WebhookDelivery.objects.get().processed_at is not None


def test_a_created_release_is_recorded_by_its_tag(repo, deliver):
    deliver("release_create")

    release = Release.objects.get(repository=repo)
    assert (release.forge_id, release.tag, release.name, release.prerelease) == (
        "v1.2.0",
        "v1.2.0",
        "Widgets 1.2",
        False,
    )
    assert release.published_at == datetime(2025, 3, 6, 10, tzinfo=UTC)


def test_a_wrong_or_missing_token_is_refused_and_nothing_is_stored(repo, deliver):
    assert deliver("merge_request_opened", token="not-the-secret").status_code == 401
    assert deliver("merge_request_opened", token=None).status_code == 401

    assert not WebhookDelivery.objects.exists() and not PullRequest.objects.exists()


def test_a_repository_secret_takes_precedence_over_the_global_token(repo, deliver):
    Repository.objects.filter(pk=repo.pk).update(webhook_secret="repository-own-secret")

    assert deliver("issue_opened").status_code == 401
    assert deliver("issue_opened", token="repository-own-secret").status_code == 401  # not named
    named = repo.full_name or repo.url
    assert deliver("issue_opened", token="repository-own-secret", repository=named).status_code == 202


def test_a_malformed_body_is_refused(repo, deliver):
    assert deliver("issue_opened", body=b"{not json").status_code == 400
    assert deliver("issue_opened", body=b"[1, 2]").status_code == 400
    assert not WebhookDelivery.objects.exists()


def test_an_unknown_event_is_acknowledged_and_ignored(repo, deliver):
    response = deliver("issue_opened", event="Pipeline Hook")

    assert response.status_code == 202 and response.json()["status"] == "ignored"
    assert not WebhookDelivery.objects.exists()


def test_a_redelivery_changes_nothing(repo, deliver):
    deliver("merge_request_opened")
    first = list(PullRequest.objects.values())

    response = deliver("merge_request_opened")

    assert response.status_code == 200 and response.json()["status"] == "duplicate"
    assert WebhookDelivery.objects.count() == 1
    assert list(PullRequest.objects.values()) == first


def test_an_unreadable_payload_is_stored_with_its_error(repo, deliver):
    body = payload("issue_opened")
    del body["object_attributes"]["iid"]

    assert deliver("issue_opened", body=body).status_code == 202

    delivery = WebhookDelivery.objects.get()
    assert delivery.processed_at is None and delivery.error.startswith("KeyError")


def test_system_notes_and_deleted_releases_write_nothing():
    note = payload("note_on_issue")
    note["object_attributes"]["system"] = True
    release = payload("release_create") | {"action": "delete"}

    assert gitlab_hooks.batch_from_delivery(event="Note Hook", payload=note) is None
    assert gitlab_hooks.batch_from_delivery(event="Release Hook", payload=release) is None


def test_the_token_is_compared_exactly():
    assert gitlab_hooks.signature_valid(body=b"", headers={"X-Gitlab-Token": "abc"}, secret="abc")
    assert not gitlab_hooks.signature_valid(body=b"", headers={"X-Gitlab-Token": "abcd"}, secret="abc")
    assert not gitlab_hooks.signature_valid(body=b"", headers={"X-Gitlab-Token": ""}, secret="")
    assert gitlab_hooks.repository_identity(payload("release_create")) == (
        "https://gitlab.acme.example/platform/widgets",
        "platform/widgets",
    )
    assert gitlab_hooks.repository_identity({"project": "nope"}) == ("", "")


DEEP = b"[" * 100_000 + b"]" * 100_000


def padded(name: str, *, size: int) -> bytes:
    body = payload(name) | {"padding": ""}
    body["padding"] = "x" * (size - len(json.dumps(body)))
    return json.dumps(body).encode()


@pytest.mark.parametrize("body", [b"{not json", DEEP], ids=["malformed", "nested 100,000 deep"])
def test_a_delivery_without_the_right_token_is_refused_before_its_body_is_parsed(repo, deliver, body):
    wrong = deliver("issue_opened", body=body, token="not-the-secret")
    missing = deliver("issue_opened", body=body, token=None)

    # 401, not the 400 a parse would give: the token is checked first.
    assert (wrong.status_code, missing.status_code) == (401, 401)
    assert wrong.json() == {"error": "The signature does not match."}
    assert not WebhookDelivery.objects.exists()


def test_a_wrong_token_is_refused_unparsed_when_repositories_have_their_own(repo, deliver):
    Repository.objects.filter(pk=repo.pk).update(webhook_secret="repository-own-secret")

    named = repo.full_name or repo.url
    assert deliver("issue_opened", body=DEEP, token="not-the-secret", repository=named).status_code == 401
    assert deliver("issue_opened", body=b"{not json", token="not-the-secret").status_code == 401
    assert deliver("issue_opened", body=DEEP, token="repository-own-secret").status_code == 401
    assert (
        deliver("issue_opened", body=DEEP, token="repository-own-secret", repository=named).status_code == 400
    )
    assert not WebhookDelivery.objects.exists()


def test_a_repository_token_is_accepted_only_for_that_repository(repo, deliver):
    Repository.objects.filter(pk=repo.pk).update(webhook_secret="repository-own-secret")
    other = Repository.objects.create(
        project=repo.project, forge="gitlab", url="https://gitlab.acme.example/platform/other"
    )
    body = payload("issue_opened")
    body["project"] |= {"web_url": other.url, "path_with_namespace": "platform/other"}

    named = repo.full_name or repo.url
    assert (
        deliver("issue_opened", body=body, token="repository-own-secret", repository=named).status_code == 401
    )
    assert deliver("issue_opened", body=body, token=SECRET).status_code == 202


def test_a_signed_delivery_nested_too_deeply_is_a_json_400(repo, deliver):
    response = deliver("issue_opened", body=DEEP)

    assert response.status_code == 400
    assert response.json() == {"error": "The JSON is nested deeper than 64 levels."}


def test_a_valid_five_megabyte_delivery_is_accepted(repo, deliver):
    response = deliver("issue_opened", body=padded("issue_opened", size=5 * 1024 * 1024))

    assert response.status_code == 202, response.content[:200]
    assert WebhookDelivery.objects.get().processed_at is not None


def test_a_delivery_over_the_size_limit_is_a_json_413(repo, deliver, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 10_000

    response = deliver("issue_opened", body=padded("issue_opened", size=10_001))

    assert response.status_code == 413
    assert response.json() == {"error": "The delivery is larger than 10000 bytes."}
    assert not WebhookDelivery.objects.exists()


# -- deliveries without a delivery id ---------------------------------------------------------------------


def post_without_id(client, capture, *, body: bytes, event: str = "Issue Hook"):
    """As GitLab versions (and proxies) that send neither Idempotency-Key nor X-Gitlab-Event-UUID."""
    with capture(execute=True):
        return client.post(
            URL,
            data=body,
            content_type="application/json",
            headers={"X-Gitlab-Event": event, "X-Gitlab-Token": SECRET},
        )


def test_a_delivery_without_an_id_is_accepted_and_processed(repo, client, django_capture_on_commit_callbacks):
    body = json.dumps(payload("issue_opened")).encode()

    response = post_without_id(client, django_capture_on_commit_callbacks, body=body)

    assert response.status_code == 202, response.content
    delivery = WebhookDelivery.objects.get()
    assert delivery.processed_at is not None and delivery.repository == repo
    assert Issue.objects.get(repository=repo).number == 8


def test_an_identical_delivery_without_an_id_is_recognised_as_a_redelivery(
    repo, client, django_capture_on_commit_callbacks
):
    body = json.dumps(payload("issue_opened")).encode()
    post_without_id(client, django_capture_on_commit_callbacks, body=body)
    Issue.objects.update(title="edited here since")

    again = post_without_id(client, django_capture_on_commit_callbacks, body=body)

    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert WebhookDelivery.objects.count() == 1
    assert Issue.objects.get().title == "edited here since"


def test_deliveries_without_an_id_that_differ_in_body_or_event_are_each_recorded(
    repo, client, django_capture_on_commit_callbacks
):
    opened = payload("issue_opened")
    edited = json.loads(json.dumps(opened))
    edited["object_attributes"] |= {
        "title": "Keyboard and mouse resizing",
        "updated_at": "2025-03-06T09:00:00Z",
    }
    body = json.dumps(opened).encode()

    answers = [
        post_without_id(client, django_capture_on_commit_callbacks, body=body).status_code,
        post_without_id(
            client, django_capture_on_commit_callbacks, body=json.dumps(edited).encode()
        ).status_code,
        # The same bytes under another event name are another delivery.
        post_without_id(client, django_capture_on_commit_callbacks, body=body, event="Note Hook").status_code,
    ]

    assert answers == [202, 202, 202]
    assert WebhookDelivery.objects.count() == 3
    assert (
        len(set(WebhookDelivery.objects.values_list("delivery_id", flat=True)))
        == WebhookDelivery.objects.count()
    )
    assert Issue.objects.get().title == "Keyboard and mouse resizing"


def test_a_delivery_without_an_id_is_still_refused_unparsed_without_the_token(
    repo, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, data=DEEP, content_type="application/json", headers={"X-Gitlab-Event": "Issue Hook"}
        )

    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()


# -- closed without closed_at -----------------------------------------------------------------------------


def closed_issue(*, closed_at=None, updated_at="2025-03-07T15:00:00Z", action="close") -> dict:
    body = payload("issue_opened")
    body["object_attributes"] |= {"state": "closed", "action": action, "updated_at": updated_at}
    if closed_at is None:
        # Older GitLab versions send no closed_at at all.
        del body["object_attributes"]["closed_at"]
    else:
        body["object_attributes"]["closed_at"] = closed_at
    return body


def test_an_issue_closed_without_closed_at_is_closed_at_its_update(repo, deliver):
    deliver("issue_opened")
    deliver("issue_opened", body=closed_issue(), key="close")

    issue = Issue.objects.get(repository=repo, number=8)
    assert (issue.state, issue.closed_at) == ("closed", datetime(2025, 3, 7, 15, tzinfo=UTC))


def test_a_later_update_of_a_closed_issue_without_closed_at_keeps_the_closing_time(repo, deliver):
    deliver("issue_opened", body=closed_issue(closed_at="2025-03-07T15:00:00Z"), key="close")
    deliver("issue_opened", body=closed_issue(updated_at="2025-03-20T09:00:00Z", action="update"), key="edit")

    issue = Issue.objects.get(repository=repo, number=8)
    assert issue.closed_at == datetime(2025, 3, 7, 15, tzinfo=UTC)
    assert issue.updated_at == datetime(2025, 3, 20, 9, tzinfo=UTC)
