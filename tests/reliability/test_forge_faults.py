"""A forge that is down, slow, rate-limiting or sending garbage: the sync of that repository records the
error on it and when to come back, and every other repository of the same `sync_all` run still syncs.

tests/metrics/ covers single-repository answers already (a 403 rate limit with reset, a GitLab 429, a
502, JSON that does not parse, a non-list page); what is added here is the forge that does not answer at
all (connection refused, a timeout, a connection dropped, a truncated body, binary garbage), GitHub's 429
with Retry-After and 500, the back-off schedule, and the isolation of one repository's failure within a
`sync_all` run."""

import socket
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from catalog.models import Repository
from metrics.models import PullRequest, SyncState
from metrics.tasks import MAX_TRANSIENT_RETRIES, sync_all, sync_repository
from tests.factories import ProjectFactory
from tests.metrics.fakeforge import Answer
from tests.metrics.test_github_sync import serve
from tests.metrics.test_gitlab_sync import gitlab, now  # noqa: F401 - fixtures
from tests.reliability import forges
from tests.reliability.forges import MisbehavingForge

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

BROKEN = "/repos/acme/broken"


@pytest.fixture
def fake_forge():
    """The same local forge as tests/metrics use, able to misbehave on a path prefix."""
    forge = MisbehavingForge().start()
    yield forge
    forge.release_all()
    forge.stop()


@pytest.fixture
def forge(settings, fake_forge, gitlab):  # noqa: F811 - the GitLab project is served by the same forge
    settings.GITHUB_API_URL = fake_forge.url
    settings.GITHUB_TOKEN = "test-token"
    settings.FORGE_TIMEOUT_SECONDS = 0.5
    serve(fake_forge)  # acme/widgets: a healthy GitHub repository
    return fake_forge


def repository(slug: str, *, forge: str, full_name: str, host: str) -> Repository:
    return Repository.objects.create(
        project=ProjectFactory(slug=slug, name=slug.title()),
        forge=forge,
        url=f"https://{host}/{full_name}",
        full_name=full_name,
    )


@pytest.fixture
def repositories(db):
    """Listed in the order sync_all sends them: the broken one first, so that the others come after it."""
    return {
        "broken": repository("broken", forge="github", full_name="acme/broken", host="github.acme.example"),
        "widgets": repository("widgets", forge="github", full_name="acme/widgets", host="github.acme.example"),
        "gitlab": repository("platform", forge="gitlab", full_name="platform/widgets", host="gitlab.acme.example"),
    }  # fmt: skip


def assert_synced(*repos: Repository) -> None:
    for repo in repos:
        repo.refresh_from_db()
        assert repo.last_error == "", f"{repo.full_name}: {repo.last_error}"
        assert repo.last_synced_at is not None, repo.full_name
        assert PullRequest.objects.filter(repository=repo).count() == 4, repo.full_name


def failure(repo: Repository) -> tuple[str, SyncState]:
    repo.refresh_from_db()
    return repo.last_error, SyncState.objects.get(repository=repo)


FAULTS = {
    "slow (timeout)": (lambda f: f.fault(BROKEN, forges.slow(2.0)), "did not answer", True),
    "connection dropped": (lambda f: f.fault(BROKEN, forges.hang_up), "did not answer", True),
    "truncated body": (
        lambda f: f.fault(BROKEN, forges.truncated),
        "did not answer: ChunkedEncodingError",
        True,
    ),
    "binary garbage": (lambda f: f.fault(BROKEN, forges.garbage), "malformed answer", False),
    "500": (lambda f: f.script(f"{BROKEN}/events", Answer(500, {"message": "Server Error"})), "500", True),
    "html maintenance page": (
        lambda f: f.script(f"{BROKEN}/events", Answer(503, b"<html><h1>Down for maintenance</h1></html>")),
        "503",
        True,
    ),
    "a page that is not a list": (
        lambda f: (
            f.route(f"{BROKEN}/events", [{"id": "1"}]),
            f.route(f"{BROKEN}/commits", {"message": "an object"}),
        ),
        "malformed page",
        False,
    ),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_a_misbehaving_forge_fails_one_repository_and_the_others_of_the_run_still_sync(
    name, forge, repositories
):
    arrange, message, transient = FAULTS[name]
    arrange(forge)
    started = timezone.now()

    assert sync_all() == 3

    error, state = failure(repositories["broken"])
    assert error and message in error, error
    assert state.consecutive_failures == 1
    if transient:
        # Retried with back-off: not before 30 s (the first step), and the next run skips it until then.
        assert state.next_attempt_at is not None
        assert state.next_attempt_at >= started + timedelta(seconds=29)
    else:
        # Retrying now would not help: the next scheduled run tries again, the error shows meanwhile.
        assert state.next_attempt_at is None
    assert repositories["broken"].last_synced_at is None
    assert_synced(repositories["widgets"], repositories["gitlab"])

    if transient:
        before = forge.counts[f"{BROKEN}/events"]
        assert sync_all() == 2  # the broken repository waits out its back-off
        assert forge.counts[f"{BROKEN}/events"] == before


def test_a_forge_that_is_down_fails_its_repositories_and_the_other_forge_still_syncs(
    forge, repositories, settings
):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.GITHUB_API_URL = f"http://127.0.0.1:{port}"  # nothing listens: connection refused

    assert sync_all() == 3

    for name in ("broken", "widgets"):
        error, state = failure(repositories[name])
        assert "GitHub did not answer: ConnectionError" in error
        assert state.next_attempt_at is not None and state.consecutive_failures == 1
    assert_synced(repositories["gitlab"])

    # The forge comes back: once the back-off has passed, the next run syncs and clears the error.
    SyncState.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    settings.GITHUB_API_URL = forge.url
    assert sync_all() == 3
    assert_synced(repositories["widgets"], repositories["gitlab"])
    state = SyncState.objects.get(repository=repositories["widgets"])
    assert (state.consecutive_failures, state.next_attempt_at) == (0, None)


@pytest.mark.parametrize(
    ("answer", "wait"),
    [
        (Answer(429, {"message": "Too Many Requests"}, {"Retry-After": "90"}), 90),
        (Answer(403, {"message": "You have exceeded a secondary rate limit"}, {}), 60),
        (Answer(403, {"message": "API rate limit exceeded"}, {"X-RateLimit-Remaining": "0"}), 600),
    ],
    ids=["429 Retry-After", "secondary limit", "403 with reset"],
)
def test_a_rate_limit_reschedules_that_repository_when_the_forge_allows_and_the_others_sync(
    answer, wait, forge, repositories
):
    if "X-RateLimit-Remaining" in answer.headers:
        answer.headers = {**answer.headers, "X-RateLimit-Reset": str(int(time.time()) + wait)}
    started = timezone.now().replace(microsecond=0)
    forge.script(f"{BROKEN}/events", answer)

    assert sync_all() == 3

    error, state = failure(repositories["broken"])
    assert "rate limit" in error
    assert (
        started + timedelta(seconds=wait - 2)
        <= state.next_attempt_at
        <= timezone.now() + timedelta(seconds=wait + 2)
    )
    assert_synced(repositories["widgets"], repositories["gitlab"])


def test_transient_failures_back_off_exponentially_then_stop(forge, repositories):
    """With a worker, a transient failure re-queues the task for later (never sleeping in it): 30 s,
    60 s, 120 s… and after MAX_TRANSIENT_RETRIES it is recorded as failed until the next scheduled run."""
    forge.fault(BROKEN, forges.hang_up)
    broken = repositories["broken"]
    conf = sync_repository.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False  # as with a worker: _come_back requeues
    try:
        with mock.patch.object(sync_repository, "apply_async") as requeue:
            delays = []
            for attempt in range(MAX_TRANSIENT_RETRIES + 1):
                requeue.reset_mock()
                before = timezone.now()
                outcome = sync_repository.apply(args=[broken.pk], kwargs={"attempt": attempt}).get()
                after = timezone.now()
                if attempt < MAX_TRANSIENT_RETRIES:
                    assert outcome == "retrying"
                    (call,) = requeue.call_args_list
                    assert call.kwargs["kwargs"]["attempt"] == attempt + 1
                    # The delay counts from a moment within the call, however long the call took.
                    delays.append((before, call.kwargs["eta"], after))
                else:
                    assert outcome == "failed"
                    requeue.assert_not_called()
    finally:
        conf.task_always_eager = eager

    expected = [timedelta(seconds=30 * 2**n) for n in range(MAX_TRANSIENT_RETRIES)]
    assert len(delays) == len(expected)
    for (before, eta, after), delay in zip(delays, expected, strict=True):
        assert before + delay <= eta <= after + delay
    error, state = failure(broken)
    assert "did not answer" in error and state.consecutive_failures == MAX_TRANSIENT_RETRIES + 1
