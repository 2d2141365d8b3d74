"""Redis goes away: pages and the API keep answering, usage events are kept (written directly), and
what was queued before drains, exactly once, when Redis is back.

The portal runs against a private redis-server (tests/reliability/conftest.py), configured exactly as
portal/settings/ configures a production Redis (the settings are evaluated with REDIS_URL set),
so that a stop, a crash or a hang of that server is what production would see."""

import time
import uuid
from unittest import mock

import pytest
from django.urls import reverse

from catalog.search_index import entries_rebuild
from metrics import usage
from metrics.models import UsageEvent, UsageKind
from metrics.usage import queue as usage_queue
from tests.factories import ProjectFactory, UserFactory
from tests.settings_files import settings_evaluated

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def production_settings(redis_url: str) -> dict:
    """What the settings make of REDIS_URL (cache backend and its options included)."""
    return settings_evaluated(REDIS_URL=redis_url)


@pytest.fixture
def portal_on(settings):
    """Point the running portal at a Redis: the usage queue, the cache (throttles, locks) and the broker."""

    def point(server) -> None:
        configured = production_settings(server.url(0))
        settings.REDIS_URL = configured["REDIS_URL"]
        settings.CACHES = configured["CACHES"]
        settings.CELERY_BROKER_URL = configured["CELERY_BROKER_URL"]
        from django.core.cache import caches

        caches["default"].clear()  # the settings change dropped the old cache connection

    return point


@pytest.fixture
def catalog(db):
    project = ProjectFactory(name="Widgets", description="Reusable widgets for every team")
    entries_rebuild(project_ids=[project.pk])
    return project


@pytest.fixture
def visitor(client):
    client.defaults["HTTP_USER_AGENT"] = BROWSER
    return client


def beacon(client, slug: str = "widgets"):
    return client.post(
        reverse("metrics:usage_beacon"),
        data=f'{{"kind": "contribute_click", "project": "{slug}"}}',
        content_type="text/plain",
    )


def browse(client) -> dict[str, int]:
    """A visit that touches what Redis serves: pages (usage events, the cache), a search, the beacon
    (its rate limit counts in the cache), and the API as a signed-in person."""
    statuses = {
        "home": client.get("/").status_code,
        "catalog": client.get("/catalog/").status_code,
        "search": client.get("/catalog/", {"q": "widgets"}).status_code,
        "project": client.get("/catalog/widgets/").status_code,
        "beacon": beacon(client).status_code,
        "healthz": client.get("/healthz").status_code,
    }
    return statuses


OK = {"home": 200, "catalog": 200, "search": 200, "project": 200, "beacon": 204, "healthz": 200}


def stored_ids() -> list[str]:
    return [str(value) for value in UsageEvent.objects.values_list("event_id", flat=True)]


def test_with_redis_stopped_pages_and_api_answer_events_are_kept_and_the_queue_drains_once_back(
    persistent_redis, portal_on, catalog, visitor, caplog, monkeypatch
):
    # While it is up, every event must reach this Redis: on a loaded machine its fsync of every write can
    # outlast the recorder's 0.2 s timeout, whose fallback (write directly) is the hung-Redis test's below.
    # A stopped Redis refuses connections at once, whatever the timeout.
    monkeypatch.setattr(usage_queue, "REDIS_TIMEOUT_SECONDS", 2.0)
    portal_on(persistent_redis)
    queue = persistent_redis.client()
    queued = [usage.usage_record(kind=UsageKind.PAGE_VIEW, path=f"/queued/{n}/") for n in range(3)]
    assert browse(visitor) == OK
    queued_count = queue.llen(usage.EVENTS_KEY)
    assert queued_count >= 3 + 5  # 3 by hand, then home, catalog, search (a page view and a search)…
    assert not UsageEvent.objects.exists()

    persistent_redis.stop()  # SIGKILL: a crash, not a clean shutdown

    assert browse(visitor) == OK
    person = UserFactory(username="reader")
    visitor.force_login(person)
    assert visitor.get("/api/v1/projects/").status_code == 200
    assert visitor.get(f"/api/v1/projects/{catalog.slug}/").status_code == 200
    visitor.logout()
    direct = stored_ids()
    assert len(direct) >= 6  # every event of the visit was written to the database instead
    assert {UsageKind.PAGE_VIEW, UsageKind.SEARCH, UsageKind.CONTRIBUTE_CLICK} <= set(
        UsageEvent.objects.values_list("kind", flat=True)
    )
    assert "Redis unavailable" in caplog.text
    # Readiness says what is wrong (a probe may route around this replica); the pages still work.
    ready = visitor.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "ok" and ready.json()["checks"]["redis"].startswith("error")

    persistent_redis.start()  # the same port and append-only file: the queue is as it was

    assert queue.llen(usage.EVENTS_KEY) == queued_count
    assert usage.usage_drain() == queued_count
    assert usage.usage_drain() == 0
    everything = stored_ids()
    assert len(everything) == len(set(everything)) == len(direct) + queued_count
    assert set(queued) <= set(everything)
    assert queue.llen(usage.EVENTS_KEY) == queue.llen(usage.PROCESSING_KEY) == 0
    # And recording goes back to the queue by itself: no restart of the web process.
    assert visitor.get("/catalog/").status_code == 200
    assert queue.llen(usage.EVENTS_KEY) == 1


def test_a_drain_cut_off_by_redis_going_away_loses_and_duplicates_nothing(
    persistent_redis, portal_on, catalog
):
    portal_on(persistent_redis)
    ids = [usage.usage_record(kind=UsageKind.PAGE_VIEW, path=f"/d/{n}/") for n in range(30)]
    real_store = usage._store

    def store_then_crash(items):
        inserted = real_store(items)
        persistent_redis.stop()  # gone after the batch is stored, before it is acknowledged
        return inserted

    with mock.patch.object(usage.draining, "_store", store_then_crash), pytest.raises(Exception):  # noqa: B017
        usage.usage_drain(batch_size=10)
    assert UsageEvent.objects.count() == 10

    persistent_redis.start()
    persistent_redis.client().delete(usage.LOCK_KEY)  # the dead drain's lock, as if its 120 s had passed
    assert usage.usage_drain(batch_size=10) == 20
    assert sorted(stored_ids()) == sorted(ids)


def test_a_hung_redis_costs_a_request_a_bounded_delay_and_the_event_is_written_directly(
    private_redis, portal_on, catalog, visitor
):
    portal_on(private_redis)
    assert visitor.get("/catalog/widgets/").status_code == 200
    private_redis.pause()  # SIGSTOP: connections hang instead of being refused
    try:
        started = time.monotonic()
        statuses = browse(visitor)
        elapsed = time.monotonic() - started
    finally:
        private_redis.resume()
    assert statuses == OK
    # Each Redis call gives up after its socket timeout; a page never waits on Redis indefinitely.
    assert elapsed < 30, f"a visit took {elapsed:.1f} s with Redis hung"
    assert UsageEvent.objects.filter(kind=UsageKind.PAGE_VIEW, path="/catalog/widgets/").exists()


def test_an_event_recorded_while_redis_is_down_keeps_its_identity(private_redis, portal_on, catalog):
    portal_on(private_redis)
    private_redis.stop()
    event_id = str(uuid.uuid4())
    assert usage.usage_record(kind=UsageKind.SEARCH, query="widgets", result_count=1, event_id=event_id)
    private_redis.start()
    # The same event queued again later (a client retrying) is stored once.
    usage.usage_record(kind=UsageKind.SEARCH, query="widgets", result_count=1, event_id=event_id)
    assert usage.usage_drain() == 0
    assert stored_ids() == [event_id]


@pytest.fixture
def celery_broker(db):
    """Point the Celery app's publishing at a private Redis (its connection pools are rebuilt), tasks
    queued rather than run inline: what the web process of production does."""
    from portal.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager

    def reset_pools() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    def point(server) -> None:
        app.conf.broker_url, app.conf.task_always_eager = server.url(0), False
        reset_pools()

    yield point
    app.conf.broker_url, app.conf.task_always_eager = saved
    reset_pools()


def test_a_webhook_arriving_while_the_broker_is_down_is_kept_and_processed_once_it_is_back(
    persistent_redis, celery_broker, client, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from catalog.models import Repository
    from metrics.models import Issue, WebhookDelivery
    from metrics.webhooks.deliveries import PENDING_AFTER, deliveries_process_pending
    from tests.metrics.test_github_webhooks import SECRET, body_of, post

    settings.GITHUB_WEBHOOK_SECRET = SECRET
    body = body_of("issues", "opened.payload.json")
    payload = __import__("json").loads(body)
    repository = Repository.objects.create(
        project=ProjectFactory(slug="hooks"), forge="github", full_name=payload["repository"]["full_name"],
        url=f"https://github.com/{payload['repository']['full_name']}".lower(),
    )  # fmt: skip
    celery_broker(persistent_redis)
    broker = persistent_redis.client()

    # With the broker up, the processing is queued on the sync queue (nothing runs inline).
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, "issues", body, delivery="while-up").status_code == 202
    assert broker.llen("sync") == 1

    persistent_redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "issues", body, delivery="while-down")
    assert response.status_code == 202 and response.json()["status"] == "accepted"
    kept = WebhookDelivery.objects.get(delivery_id="while-down")
    assert kept.processed_at is None and kept.error == ""

    persistent_redis.start()
    later = timezone.now() + PENDING_AFTER + timedelta(seconds=1)
    # Both wait (the queued task has no worker here); the sweep processes them, each once.
    assert deliveries_process_pending(now=later) == 2
    assert deliveries_process_pending(now=later) == 0
    assert Issue.objects.filter(repository=repository, number=payload["issue"]["number"]).count() == 1
