"""GitHub webhook deliveries: real payloads (tests/fixtures/github-webhooks, from octokit/webhooks)
posted to the endpoint, stored, and processed into activity."""

import hashlib
import hmac
import json
from datetime import datetime
from itertools import count
from pathlib import Path

import pytest
from django.urls import reverse

from catalog.models import Repository
from metrics.models import Comment, Commit, ForgeAccount, Issue, PullRequest, Release, Review, WebhookDelivery
from metrics.webhooks import github as github_webhooks
from tests.factories import ProjectFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "github-webhooks"
SECRET = "global-webhook-secret"
RECORDED = sorted(github_webhooks.EVENTS)
DELIVERIES = sorted(
    (event, path.name) for event in [*RECORDED, "ping"] for path in (FIXTURES / event).glob("*.json")
)
_ids = count(1)


def body_of(event: str, name: str) -> bytes:
    return (FIXTURES / event / name).read_bytes()


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(
    client,
    event: str,
    body: bytes,
    *,
    signature: str | None = None,
    delivery: str | None = None,
    repository="",
):
    """A delivery as GitHub sends it; `repository` names the repository in the webhook's URL, as a
    repository with its own secret is configured (?repository=owner/name)."""
    url = reverse("metrics:github_webhook") + (f"?repository={repository}" if repository else "")
    return client.post(
        url,
        data=body,
        content_type="application/json",
        headers={
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery or f"delivery-{next(_ids)}",
            "X-Hub-Signature-256": signature if signature is not None else sign(body),
        },
    )


@pytest.fixture
def repositories(db, settings):
    """Catalog repositories for every repository the payloads name."""
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    project = ProjectFactory(slug="hello")
    names = {json.loads((FIXTURES / e / n).read_bytes())["repository"]["full_name"] for e, n in DELIVERIES}
    return {
        name: Repository.objects.create(
            project=project, forge="github", url=f"https://github.com/{name}".lower(), full_name=name
        )
        for name in sorted(names)
    }


def test_every_example_payload_has_its_folder_here():
    assert {event for event, _ in DELIVERIES} == {*RECORDED, "ping"}
    assert len(DELIVERIES) > 50


@pytest.mark.parametrize(("event", "name"), DELIVERIES)
def test_every_example_delivery_is_accepted_stored_and_processed(
    client, repositories, django_capture_on_commit_callbacks, event, name
):
    body = body_of(event, name)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event, body, delivery=f"{event}-{name}")

    if event == "ping":
        assert (response.status_code, response.json()["status"]) == (200, "pong")
        assert not WebhookDelivery.objects.exists()
        return
    assert response.status_code == 202
    delivery = WebhookDelivery.objects.get(delivery_id=f"{event}-{name}")
    assert (delivery.event, delivery.error) == (event, "")
    assert delivery.processed_at is not None
    assert delivery.repository.full_name == json.loads(body)["repository"]["full_name"]


def deliver(client, capture, event: str, name: str, **kwargs):
    with capture(execute=True):
        response = post(client, event, body_of(event, name), **kwargs)
    assert response.status_code == 202, response.content
    return response


def test_an_opened_pull_request_is_recorded(client, repositories, django_capture_on_commit_callbacks):
    deliver(client, django_capture_on_commit_callbacks, "pull_request", "opened.payload.json")

    pull = PullRequest.objects.select_related("author", "repository").get()
    assert (pull.number, pull.forge_id, pull.state, pull.draft) == (2, 279147437, "open", False)
    assert pull.title == "Update the README with new information."
    assert (pull.author.login, pull.additions, pull.deletions) == ("codertocat", 1, 1)
    assert pull.repository.full_name == "Codertocat/Hello-World"


def test_ready_for_review_stamps_the_time_and_later_deliveries_keep_it(
    client, repositories, django_capture_on_commit_callbacks
):
    deliver(client, django_capture_on_commit_callbacks, "pull_request", "ready_for_review.payload.json")
    ready_at = datetime.fromisoformat("2019-05-15T15:21:18Z")
    assert PullRequest.objects.get().ready_for_review_at == ready_at

    deliver(client, django_capture_on_commit_callbacks, "pull_request", "closed.payload.json")
    deliver(client, django_capture_on_commit_callbacks, "pull_request_review", "submitted.payload.json")

    pull = PullRequest.objects.get()
    assert (pull.state, pull.ready_for_review_at) == ("closed", ready_at)


def test_a_submitted_review_is_recorded_without_erasing_what_the_review_payload_lacks(
    client, repositories, django_capture_on_commit_callbacks
):
    deliver(client, django_capture_on_commit_callbacks, "pull_request", "opened.payload.json")
    PullRequest.objects.update(additions=120, deletions=7)

    deliver(client, django_capture_on_commit_callbacks, "pull_request_review", "submitted.payload.json")

    review = Review.objects.select_related("pull_request", "author").get()
    assert (review.forge_id, review.state, review.author.login) == (237895671, "commented", "codertocat")
    assert review.pull_request.number == 2
    assert (review.pull_request.additions, review.pull_request.deletions) == (120, 7)


def test_a_review_comment_is_attached_to_its_pull_request(
    client, repositories, django_capture_on_commit_callbacks
):
    deliver(client, django_capture_on_commit_callbacks, "pull_request_review_comment", "created.payload.json")

    comment = Comment.objects.select_related("pull_request").get()
    assert (comment.forge_id, comment.kind, comment.pull_request.number, comment.issue) == (
        284312630,
        "review",
        2,
        None,
    )


def test_an_issue_comment_is_recorded_with_its_issue(
    client, repositories, django_capture_on_commit_callbacks
):
    deliver(client, django_capture_on_commit_callbacks, "issue_comment", "created.payload.json")

    comment = Comment.objects.select_related("issue", "author").get()
    assert (comment.forge_id, comment.kind, comment.author.login) == (492700400, "issue", "codertocat")
    assert comment.issue == Issue.objects.get(number=1)
    assert comment.pull_request is None


def test_a_push_to_the_default_branch_records_its_commits_and_other_refs_do_not(
    client, repositories, django_capture_on_commit_callbacks
):
    deliver(client, django_capture_on_commit_callbacks, "push", "payload.json")  # a tag
    feature = json.loads(body_of("push", "with-new-branch.payload.json"))
    feature["ref"] = "refs/heads/feature"
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, "push", json.dumps(feature).encode()).status_code == 202
    assert not Commit.objects.exists()

    deliver(client, django_capture_on_commit_callbacks, "push", "with-new-branch.payload.json")

    commit = Commit.objects.select_related("author").get()
    assert commit.sha == "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
    assert (commit.author.login, commit.author_name) == ("codertocat", "Codertocat")
    assert commit.author_email == "21031067+Codertocat@users.noreply.github.com"
    assert commit.authored_at == datetime.fromisoformat("2019-05-15T15:19:25Z")


def test_a_published_release_is_recorded(client, repositories, django_capture_on_commit_callbacks):
    deliver(client, django_capture_on_commit_callbacks, "release", "published.payload.json")

    release = Release.objects.select_related("author").get()
    assert (release.forge_id, release.tag, release.name, release.draft) == ("17372790", "0.0.1", "", False)
    assert release.published_at == datetime.fromisoformat("2019-05-15T15:20:53Z")
    assert release.author.login == "codertocat"


def test_a_deleted_release_is_not_brought_back(client, repositories, django_capture_on_commit_callbacks):
    deliver(client, django_capture_on_commit_callbacks, "release", "deleted.payload.json")

    assert not Release.objects.exists()
    assert WebhookDelivery.objects.get().processed_at is not None


def test_a_repository_delivery_updates_the_statistics(
    client, repositories, django_capture_on_commit_callbacks
):
    repository = repositories["Octocoders/Hello-World"]
    Repository.objects.filter(pk=repository.pk).update(stars=99, watchers=4)

    deliver(client, django_capture_on_commit_callbacks, "repository", "edited.payload.json")

    repository.refresh_from_db()
    assert (repository.stars, repository.default_branch) == (0, "master")
    assert repository.watchers == 4  # webhooks do not say how many watch it: unchanged


def test_a_wrong_signature_is_refused_and_nothing_is_stored(client, repositories):
    body = body_of("pull_request", "opened.payload.json")

    response = post(client, "pull_request", body, signature=sign(body, "not-the-secret"))
    unsigned = post(client, "pull_request", body, signature="")

    assert (response.status_code, unsigned.status_code) == (401, 401)
    assert not WebhookDelivery.objects.exists()
    assert not PullRequest.objects.exists()


def test_a_malformed_body_is_a_bad_request(client, repositories):
    body = b'{"action": "opened", "repository": '

    response = post(client, "pull_request", body)

    assert response.status_code == 400
    assert not WebhookDelivery.objects.exists()


def test_an_event_that_is_not_recorded_is_acknowledged_and_ignored(client, repositories):
    response = post(client, "star", body_of("star", "created.payload.json"))

    assert (response.status_code, response.json()["status"]) == (202, "ignored")
    assert not WebhookDelivery.objects.exists()


def test_a_redelivery_changes_nothing(client, repositories, django_capture_on_commit_callbacks):
    deliver(client, django_capture_on_commit_callbacks, "issues", "opened.payload.json", delivery="same-id")
    Issue.objects.update(title="edited here since")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = post(client, "issues", body_of("issues", "opened.payload.json"), delivery="same-id")

    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert callbacks == []
    assert WebhookDelivery.objects.count() == 1
    assert Issue.objects.get().title == "edited here since"


def test_a_repositorys_own_secret_overrides_the_global_one(
    client, repositories, django_capture_on_commit_callbacks
):
    Repository.objects.filter(full_name="Codertocat/Hello-World").update(webhook_secret="repository-secret")
    body = body_of("issues", "opened.payload.json")

    with_global = post(client, "issues", body)
    own_unnamed = post(client, "issues", body, signature=sign(body, "repository-secret"))
    with django_capture_on_commit_callbacks(execute=True):
        with_own = post(
            client,
            "issues",
            body,
            signature=sign(body, "repository-secret"),
            repository="Codertocat/Hello-World",
        )

    # The repository's own secret is known before the body is read: the webhook's URL names it.
    assert (with_global.status_code, own_unnamed.status_code, with_own.status_code) == (401, 401, 202)
    assert Issue.objects.get().number == 1


def test_bot_senders_are_marked_as_bots(client, repositories, django_capture_on_commit_callbacks):
    payload = json.loads(body_of("issues", "opened.payload.json"))
    payload["issue"]["user"] = {"login": "renovate[bot]", "id": 29139614, "type": "Bot"}
    body = json.dumps(payload).encode()

    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, "issues", body).status_code == 202

    assert ForgeAccount.objects.get(login="renovate[bot]").is_bot is True


def test_the_signature_check_is_exact():
    body = b'{"zen": "Design for failure."}'

    assert github_webhooks.signature_valid(
        body=body, headers={"X-Hub-Signature-256": sign(body)}, secret=SECRET
    )
    assert not github_webhooks.signature_valid(
        body=body + b" ", headers={"X-Hub-Signature-256": sign(body)}, secret=SECRET
    )
    assert not github_webhooks.signature_valid(
        body=body, headers={"X-Hub-Signature-256": sign(body)}, secret=""
    )
    sha1 = "sha1=" + hmac.new(SECRET.encode(), body, hashlib.sha1).hexdigest()
    assert not github_webhooks.signature_valid(
        body=body, headers={"X-Hub-Signature-256": sha1}, secret=SECRET
    )


def test_the_pending_sweep_processes_deliveries_whose_task_never_ran(client, repositories):
    """A delivery stored but never processed (its task was not queued: broker down) is processed by the
    sweep once it is old enough; a recent one is left to its task, a failed one to a person."""
    from datetime import timedelta

    from django.utils import timezone

    from metrics.webhooks.deliveries import PENDING_AFTER, deliveries_process_pending

    body = body_of("issues", "opened.payload.json")
    payload = json.loads(body)
    repository = Repository.objects.get(full_name=payload["repository"]["full_name"])
    now = timezone.now()
    old = WebhookDelivery.objects.create(
        forge="github", delivery_id="lost", event="issues", repository=repository, payload=payload,
        received_at=now - PENDING_AFTER - timedelta(seconds=1),
    )  # fmt: skip
    recent = WebhookDelivery.objects.create(
        forge="github", delivery_id="recent", event="issues", repository=repository, payload=payload,
        received_at=now,
    )  # fmt: skip
    failed = WebhookDelivery.objects.create(
        forge="github", delivery_id="failed", event="issues", repository=repository, payload=payload,
        received_at=now - timedelta(hours=1), error="KeyError: 'issue'",
    )  # fmt: skip

    assert deliveries_process_pending(now=now) == 1
    old.refresh_from_db(), recent.refresh_from_db(), failed.refresh_from_db()
    assert old.processed_at is not None
    assert recent.processed_at is None and failed.processed_at is None
    assert Issue.objects.filter(repository=repository, number=payload["issue"]["number"]).exists()
    assert deliveries_process_pending(now=now) == 0


DEEP = b"[" * 100_000 + b"]" * 100_000


def padded(event: str, name: str, *, size: int) -> bytes:
    """A real delivery grown to exactly `size` bytes, as a push of many commits is."""
    payload = json.loads(body_of(event, name)) | {"padding": ""}
    payload["padding"] = "x" * (size - len(json.dumps(payload)))
    return json.dumps(payload).encode()


@pytest.mark.parametrize("body", [b"{not json", DEEP], ids=["malformed", "nested 100,000 deep"])
def test_an_unsigned_or_wrongly_signed_delivery_is_refused_before_its_body_is_parsed(
    client, repositories, body
):
    unsigned = post(client, "issues", body, signature="")
    wrong = post(client, "issues", body, signature=sign(body, "not-the-secret"))

    # 401, not the 400 a parse would give: the signature is checked first.
    assert (unsigned.status_code, wrong.status_code) == (401, 401)
    assert unsigned.json() == wrong.json() == {"error": "The signature does not match."}
    assert not WebhookDelivery.objects.exists()


def test_a_wrongly_signed_delivery_is_refused_when_repositories_have_their_own_secrets(client, repositories):
    Repository.objects.filter(full_name="Codertocat/Hello-World").update(webhook_secret="repository-secret")

    for body in (b"{not json", DEEP, body_of("issues", "opened.payload.json")):
        for repository in ("", "Codertocat/Hello-World", "nobody/nothing"):
            response = post(
                client, "issues", body, signature=sign(body, "not-the-secret"), repository=repository
            )
            assert (response.status_code, response.json()) == (
                401,
                {"error": "The signature does not match."},
            )
    assert not WebhookDelivery.objects.exists()


def test_a_signed_delivery_nested_too_deeply_is_a_json_400(client, repositories):
    response = post(client, "issues", DEEP)

    assert response.status_code == 400
    assert response.json() == {"error": "The JSON is nested deeper than 64 levels."}
    assert not WebhookDelivery.objects.exists()


def test_a_valid_five_megabyte_delivery_is_accepted(client, repositories, django_capture_on_commit_callbacks):
    body = padded("issues", "opened.payload.json", size=5 * 1024 * 1024)
    assert len(body) == 5 * 1024 * 1024

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "issues", body)

    assert response.status_code == 202, response.content[:200]
    assert Issue.objects.get().number == 1


def test_a_delivery_over_the_size_limit_is_a_json_413_signed_or_not(client, repositories, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 20_000
    body = padded("issues", "opened.payload.json", size=20_001)

    signed = post(client, "issues", body)
    unsigned = post(client, "issues", body, signature="")

    assert (signed.status_code, unsigned.status_code) == (413, 413)
    assert signed.json() == {"error": "The delivery is larger than 20000 bytes."}
    assert post(client, "issues", padded("issues", "opened.payload.json", size=20_000)).status_code == 202


def test_the_size_limit_is_githubs_25_mb_by_default(client, repositories):
    body = b" " * (25 * 1024 * 1024 + 1)

    response = post(client, "issues", body)

    assert response.status_code == 413
    assert response.json() == {"error": "The delivery is larger than 25 MB."}


def test_a_repositorys_own_secret_signs_only_that_repositorys_deliveries(client, repositories):
    Repository.objects.filter(full_name="Codertocat/Hello-World").update(webhook_secret="repository-secret")
    other = next(name for name in repositories if name != "Codertocat/Hello-World")
    payload = json.loads(body_of("issues", "opened.payload.json"))
    payload["repository"] |= {"full_name": other, "html_url": f"https://github.com/{other}"}
    body = json.dumps(payload).encode()

    response = post(
        client, "issues", body, signature=sign(body, "repository-secret"), repository="Codertocat/Hello-World"
    )

    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_a_delivery_finds_a_repository_registered_in_another_case_before_its_first_sync(
    db, client, settings, django_capture_on_commit_callbacks
):
    """GitHub's names are case-insensitive: html_url is Codertocat/Hello-World, the registration wrote it
    in lower case, and the full name (which would match too) is only known after a sync."""
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    repository = Repository.objects.create(
        project=ProjectFactory(), forge="github", url="https://github.com/codertocat/hello-world"
    )

    deliver(client, django_capture_on_commit_callbacks, "issues", "opened.payload.json")

    assert WebhookDelivery.objects.get().repository == repository
    assert Issue.objects.get().repository == repository


def closed_without_closed_at(name: str, key: str) -> bytes:
    body = json.loads(body_of("issues" if key == "issue" else "pull_request", name))
    body["action"] = "closed"
    body[key] |= {"state": "closed", "closed_at": None, "updated_at": "2019-05-20T08:30:00Z"}
    return json.dumps(body).encode()


def test_a_closed_issue_without_closed_at_is_closed_at_its_update(
    client, repositories, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "issues", closed_without_closed_at("opened.payload.json", "issue"))

    issue = Issue.objects.get()
    assert issue.state == "closed"
    assert issue.closed_at == datetime.fromisoformat("2019-05-20T08:30:00+00:00")


def test_a_closed_pull_request_without_closed_at_is_closed_at_its_update(
    client, repositories, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "pull_request", closed_without_closed_at("opened.payload.json", "pull_request"))

    pull = PullRequest.objects.get()
    assert (pull.state, pull.merged_at) == ("closed", None)
    assert pull.closed_at == datetime.fromisoformat("2019-05-20T08:30:00+00:00")


def test_a_later_edit_of_a_closed_issue_without_closed_at_keeps_the_stored_closing_time(
    client, repositories, django_capture_on_commit_callbacks
):
    closed = json.loads(closed_without_closed_at("opened.payload.json", "issue"))
    closed["issue"]["closed_at"] = "2019-05-20T08:30:00Z"
    edited = json.loads(json.dumps(closed))
    edited["action"] = "edited"
    edited["issue"] |= {"closed_at": None, "updated_at": "2019-06-01T12:00:00Z", "title": "Renamed"}

    with django_capture_on_commit_callbacks(execute=True):
        post(client, "issues", json.dumps(closed).encode())
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "issues", json.dumps(edited).encode())

    issue = Issue.objects.get()
    assert (issue.title, issue.state) == ("Renamed", "closed")
    assert issue.closed_at == datetime.fromisoformat("2019-05-20T08:30:00+00:00")
