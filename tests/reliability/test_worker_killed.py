"""A Celery worker killed (SIGKILL) in the middle of a repository sync or of a usage drain: running the
task again gives the same rows as a clean run, with nothing lost and nothing doubled.

The worker is a real `celery worker` process against the test database; its broker, result backend,
cache and usage queue are a private redis-server, so that the kill cannot disturb anyone else's worker
and no one else's worker can take these tasks. PostgreSQL and Redis mode only (DATABASE_URL, REDIS_URL):
in the embedded mode tasks run inline and there is no worker to kill."""

import os
import signal
import subprocess
import sys
import time
import uuid

import psycopg
import pytest
from celery import Celery
from django.conf import settings

from catalog.models import Repository
from metrics import usage
from metrics.models import (
    Comment,
    Commit,
    ForgeAccount,
    Issue,
    PullRequest,
    Release,
    Review,
    SyncState,
    UsageEvent,
    UsageKind,
)
from metrics.sync.runner import repository_sync
from tests.factories import ProjectFactory
from tests.metrics.test_github_sync import BASE, ISSUES, serve, snapshot
from tests.reliability.conftest import ROOT, terminate, wait_until
from tests.reliability.forges import MisbehavingForge

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL: a worker process shares the test database",
    ),
]

QUEUE = "reliability"


def worker_database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Worker:
    """`celery -A portal worker` on the private Redis, consuming only this test's queue."""

    def __init__(self, redis_url: str, *, forge_url: str, logfile) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": redis_url,
            "PORTAL_TESTING": "1",
            "GITHUB_API_URL": forge_url,
            "GITHUB_TOKEN": "test-token",
            "PORTAL_BOT_LOGINS": "ci-robot",
        }
        self.logfile = logfile
        self.name = f"reliability-{uuid.uuid4().hex[:8]}@localhost"
        self.process: subprocess.Popen | None = None

    def start(self, sender: Celery) -> "Worker":
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=warning",
                "-Q", QUEUE, "-n", self.name, "--without-heartbeat", "--without-gossip", "--without-mingle",
            ],
            cwd=ROOT, env=self.env, stdout=self.logfile, stderr=subprocess.STDOUT,
        )  # fmt: skip

        def answers() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError("the Celery worker exited at start-up")
            return bool(sender.control.ping(destination=[self.name], timeout=0.5))

        wait_until(answers, timeout=60, interval=0.2, what="the Celery worker to answer a ping")
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acknowledgement, the task's message stays unacknowledged."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        terminate(self.process, grace=20)


@pytest.fixture
def sender(private_redis):
    app = Celery("reliability-sender", broker=private_redis.url(), backend=private_redis.url())
    app.conf.broker_connection_retry_on_startup = True
    yield app
    app.close()


@pytest.fixture
def workers(private_redis, sender, tmp_path, forge):
    started: list[Worker] = []
    log = open(tmp_path / "worker.log", "w+b")  # noqa: SIM115 - closed below

    def start() -> Worker:
        worker = Worker(private_redis.url(), forge_url=forge.url, logfile=log).start(sender)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    log.close()


@pytest.fixture
def forge(settings):
    forge = MisbehavingForge().start()
    settings.GITHUB_API_URL = forge.url
    settings.GITHUB_TOKEN = "test-token"
    settings.PORTAL_BOT_LOGINS = {"ci-robot"}
    yield forge
    forge.release_all()
    forge.stop()


def run(sender: Celery, task: str, *args, timeout: float = 90):
    return sender.send_task(task, args=list(args), queue=QUEUE).get(timeout=timeout)


def expire_locks(private_redis, pattern: str) -> None:
    """What the locks' own expiry does after their time (30 min for a sync, 120 s for a drain)."""
    client = private_redis.client()
    for key in client.scan_iter(match=pattern):
        client.delete(key)


def wipe_activity(repository: Repository) -> None:
    for model in (Review, Comment, PullRequest, Issue, Commit, Release):
        model.objects.all().delete()
    ForgeAccount.objects.all().delete()
    SyncState.objects.filter(repository=repository).delete()


def test_a_worker_killed_in_the_middle_of_a_sync_then_run_again_gives_the_rows_of_a_clean_run(
    forge, workers, sender, private_redis
):
    serve(forge)
    del forge.routes[f"{BASE}/issues"]
    forge.paginate(f"{BASE}/issues", [ISSUES[:2], ISSUES[2:]])
    reached, release = forge.gate(f"{BASE}/issues", page="2")
    repository = Repository.objects.create(
        project=ProjectFactory(name="Widgets"),
        forge="github",
        url="https://github.acme.example/acme/widgets",
        full_name="acme/widgets",
    )

    first = workers()
    sender.send_task("metrics.tasks.sync_repository", args=[repository.pk], queue=QUEUE)
    assert reached.wait(timeout=90), "the worker never asked for the second page of issues"
    # Mid-sync: what came before the held page is written, with its cursors; the rest is not.
    assert PullRequest.objects.filter(repository=repository).count() == 4
    assert Commit.objects.filter(repository=repository).count() == 3
    assert Comment.objects.count() == 0
    first.kill()
    release.set()

    second = workers()
    # The dead worker's lock on the repository stays until it expires: a second sync does not overlap.
    assert run(sender, "metrics.tasks.sync_repository", repository.pk) == "busy"
    expire_locks(private_redis, "*metrics:sync-lock:*")
    assert run(sender, "metrics.tasks.sync_repository", repository.pk).startswith("ok")
    second.kill()  # not needed any more; a kill between tasks costs nothing either
    after_crash = snapshot(repository)
    repository.refresh_from_db()
    assert repository.last_error == "" and repository.last_synced_at is not None

    wipe_activity(repository)
    repository_sync(repository=repository)  # the clean run, in this process

    assert snapshot(repository) == after_crash
    assert len(after_crash["pulls"]) == 4 and len(after_crash["commits"]) == 3
    assert len(after_crash["comments"]) == 3 and len(after_crash["reviews"]) == 3


def test_a_worker_killed_in_the_middle_of_a_drain_then_run_again_stores_every_event_once(
    forge, workers, sender, private_redis, settings
):
    settings.REDIS_URL = private_redis.url()
    queue = private_redis.client()
    ids = [usage.usage_record(kind=UsageKind.PAGE_VIEW, path=f"/k/{n}/") for n in range(500)]
    assert queue.llen(usage.EVENTS_KEY) == 500

    worker = workers()
    # Hold the events table so that the worker's bulk INSERT waits: the worker has claimed its batch
    # (moved it to usage:processing) and is in the middle of storing it when it is killed.
    with psycopg.connect(worker_database_url(), autocommit=False) as holder:
        holder.execute(f"LOCK TABLE {UsageEvent._meta.db_table} IN EXCLUSIVE MODE")
        sender.send_task("metrics.tasks.usage_drain", queue=QUEUE)
        wait_until(lambda: queue.llen(usage.PROCESSING_KEY) > 0, timeout=60, what="the drain to claim")
        time.sleep(1)  # into the INSERT, waiting on the lock
        worker.kill()
        holder.rollback()
    assert queue.llen(usage.PROCESSING_KEY) + queue.llen(usage.EVENTS_KEY) == 500

    workers()
    # The dead drain's lock holds the next drains off for its 120 s: they store nothing, lose nothing.
    assert run(sender, "metrics.tasks.usage_drain") == 0
    assert queue.llen(usage.PROCESSING_KEY) + queue.llen(usage.EVENTS_KEY) == 500
    expire_locks(private_redis, usage.LOCK_KEY)
    assert run(sender, "metrics.tasks.usage_drain") == 500
    assert run(sender, "metrics.tasks.usage_drain") == 0

    stored = [str(value) for value in UsageEvent.objects.values_list("event_id", flat=True)]
    assert sorted(stored) == sorted(ids)
    assert queue.llen(usage.PROCESSING_KEY) == queue.llen(usage.EVENTS_KEY) == 0
