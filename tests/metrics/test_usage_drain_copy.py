"""The drain's bulk path (COPY into a temporary table, one INSERT ... SELECT on PostgreSQL; the ORM on
SQLite): the same guarantees in both modes."""

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.models import Practitioner
from metrics import usage
from metrics.models import UsageEvent, UsageKind
from tests.factories import AssetFactory, BusinessUnitFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def push(queue, **fields) -> dict:
    event = usage.usage_event(**fields)
    queue.rpush(usage.EVENTS_KEY, json.dumps(event))
    return event


def download(queue, **fields) -> dict:
    """An asset download, pushed to the queue."""
    return push(queue, kind=UsageKind.ASSET_DOWNLOAD, **fields)


def test_slugs_and_the_persons_unit_are_resolved_when_the_batch_is_stored(queue):
    unit = BusinessUnitFactory()
    person = UserFactory()
    Practitioner.objects.create(user=person, display_name="Reader", business_unit=unit)
    asset = AssetFactory(slug="client")
    other = AssetFactory(slug="client")  # the same asset slug in another project
    push(queue, kind=UsageKind.PAGE_VIEW, user=person, project_slug=asset.project.slug, asset_slug="client")
    push(queue, kind=UsageKind.PAGE_VIEW, project_slug=other.project.slug, asset_slug="client")
    push(queue, kind=UsageKind.PAGE_VIEW, project_slug="no-such-project", asset_slug="client")
    assert usage.usage_drain() == 3
    rows = {(e.project_id, e.asset_id, e.business_unit_id, e.user_id) for e in UsageEvent.objects.all()}
    assert rows == {
        (asset.project_id, asset.pk, unit.pk, person.pk),
        (other.project_id, other.pk, None, None),
        (None, None, None, None),
    }


def test_an_explicit_unit_wins_over_the_persons_and_an_explicit_id_over_the_slug(queue):
    unit, own = BusinessUnitFactory(), BusinessUnitFactory()
    person = UserFactory()
    Practitioner.objects.create(user=person, display_name="Reader", business_unit=own)
    project, other = ProjectFactory(), ProjectFactory()
    download(queue, user=person, business_unit=unit, project=project.pk, project_slug=other.slug)
    assert usage.usage_drain() == 1
    event = UsageEvent.objects.get()
    assert (event.business_unit_id, event.project_id, event.user_id) == (unit.pk, project.pk, person.pk)


def test_references_deleted_before_the_drain_are_dropped_to_null(queue):
    unit = BusinessUnitFactory()
    person = UserFactory()
    asset = AssetFactory()
    kept = AssetFactory()
    download(queue, user=person, business_unit=unit, project=asset.project_id, asset=asset.pk)
    download(queue, project=kept.project_id, asset=kept.pk)
    asset.delete()
    asset.project.delete()
    person_pk = person.pk
    unit.delete()
    person.delete()
    assert usage.usage_drain() == 2
    rows = {
        (e.project_id, e.asset_id, e.business_unit_id, e.user_id, e.visitor) for e in UsageEvent.objects.all()
    }
    assert rows == {(None, None, None, None, f"u:{person_pk}"), (kept.project_id, kept.pk, None, None, "")}


def test_a_batch_with_an_event_twice_stores_it_once_and_a_re_drain_stores_nothing(queue):
    event = push(queue, kind=UsageKind.SEARCH, query="kafka", result_count=4, filters={"kind": "library"})
    queue.rpush(usage.EVENTS_KEY, json.dumps(event))
    push(queue, kind=UsageKind.PAGE_VIEW, path="/x/")
    assert usage.usage_drain() == 2
    stored = UsageEvent.objects.get(event_id=event["event_id"])
    assert (stored.query, stored.result_count, stored.filters) == ("kafka", 4, {"kind": "library"})
    queue.rpush(usage.EVENTS_KEY, json.dumps(event))
    assert usage.usage_drain() == 0
    assert UsageEvent.objects.count() == 2


def test_the_same_batch_stored_twice_in_one_transaction_stores_nothing_the_second_time(queue):
    items = [json.dumps(usage.usage_event(kind=UsageKind.PAGE_VIEW, path=f"/{n}/")) for n in range(3)]
    assert usage._store(items) == 3
    assert usage._store(items) == 0
    assert UsageEvent.objects.count() == 3


def postgresql_refuses(change: dict):
    """What PostgreSQL refuses, while SQLite stores it as it is (or fails the batch as before)."""
    return pytest.param(change, marks=pytest.mark.postgres, id=next(iter(change)))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"event_id": "not-a-uuid"}, id="event_id"),
        pytest.param({"occurred_at": "yesterday"}, id="occurred_at"),
        pytest.param({"search_event_id": "nope"}, id="search_event_id"),
        postgresql_refuses({"result_count": "many"}),
        postgresql_refuses({"position": 2**40}),
        postgresql_refuses({"quantity": -1}),
        postgresql_refuses({"visitor": "v:" + "x" * 80}),
        postgresql_refuses({"path": "/a\u0000b/"}),
    ],
)
def test_an_event_the_database_would_refuse_goes_to_the_dead_letters_alone(queue, change):
    bad = usage.usage_event(kind=UsageKind.PAGE_VIEW, path="/bad/")
    bad.update(change)
    queue.rpush(usage.EVENTS_KEY, json.dumps(bad))
    good = push(queue, kind=UsageKind.PAGE_VIEW, path="/good/")
    assert usage.usage_drain() == 1
    assert str(UsageEvent.objects.get().event_id) == good["event_id"]
    assert queue.llen(usage.DEAD_KEY) == 1
    assert queue.llen(usage.PROCESSING_KEY) == 0


def test_a_literal_backslash_u0000_is_text_not_a_nul(queue):
    event = push(queue, kind=UsageKind.SEARCH, query="\\u0000 and more")
    assert usage.usage_drain() == 1
    assert UsageEvent.objects.get(event_id=event["event_id"]).query == "\\u0000 and more"
    assert queue.llen(usage.DEAD_KEY) == 0


def test_every_field_is_stored_as_recorded(queue):
    project = ProjectFactory()
    search_id = uuid.uuid4()
    when = timezone.now().replace(microsecond=123456)
    event = push(
        queue,
        kind=UsageKind.RESULT_CLICK,
        project=project,
        occurred_at=when,
        query="q" * 250,
        path="/p" * 300,
        consumer="c" * 200,
        position=3,
        result_count=12,
        search_event_id=search_id,
        filters={"kind": ["library", "service"], "note": "tab\there \\ backslash\nnewline"},
    )
    assert usage.usage_drain() == 1
    stored = UsageEvent.objects.get()
    assert str(stored.event_id) == event["event_id"]
    assert stored.occurred_at == when
    assert (stored.kind, stored.project_id, stored.position, stored.result_count) == (
        "result_click",
        project.pk,
        3,
        12,
    )
    assert stored.search_event_id == search_id
    assert (len(stored.query), len(stored.path), len(stored.consumer)) == (200, 500, 150)
    assert stored.filters == {"kind": ["library", "service"], "note": "tab\there \\ backslash\nnewline"}
    assert stored.quantity == 1


@pytest.mark.postgres  # the COPY path is PostgreSQL's
def test_on_postgresql_a_batch_is_one_insert_and_no_lookup_per_reference(queue):
    projects = [ProjectFactory() for _ in range(3)]
    for n in range(30):
        push(
            queue,
            kind=UsageKind.PAGE_VIEW,
            user=UserFactory() if n % 10 == 0 else None,
            project_slug=projects[n % 3].slug,
        )
    with CaptureQueriesContext(connection) as captured:
        assert usage.usage_drain() == 30
    statements = [q["sql"].lstrip().split()[0].upper() for q in captured.captured_queries]
    assert statements.count("INSERT") == 1
    assert "SELECT" not in statements
    assert UsageEvent.objects.filter(project__isnull=True).count() == 0
