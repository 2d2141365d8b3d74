"""Active visitors read from the visitor days (metrics.models.VisitorDay, rebuilt with the rollups by
metrics.rollups.rollup_day) and from the raw page views after the last rolled-up day equal the distinct
visitors counted from every raw page view, on a seeded history, for any scope and any period: before,
across and after the last rolled-up day."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count

from catalog.models import Project
from metrics.engagement import community_engagement
from metrics.models import UsageEvent, UsageKind, VisitorDay
from metrics.rollups import rollup_day, visitor_days_fill, visitor_key
from tests.factories import ProjectFactory, UserFactory
from tests.metrics.usage_history import (
    DAYS,
    FIRST,
    PERIODS,
    ROLLED,
    TODAY,
    roll_up_first_days,
    scopes_of,
)

pytestmark = pytest.mark.django_db


def raw_active_visitors(projects, start: date, end: date) -> int:
    """The oracle: distinct visitors of every raw page view of the period (as before the visitor days)."""
    lo, hi = (datetime.combine(d, datetime.min.time(), tzinfo=UTC) for d in (start, end))
    events = UsageEvent.objects.filter(kind=UsageKind.PAGE_VIEW, occurred_at__gte=lo, occurred_at__lt=hi)
    if projects is not None:
        events = events.filter(project__in=projects.values("pk"))
    return events.aggregate(n=Count(visitor_key(), distinct=True))["n"]


def seed_usage(seed: int) -> list[Project]:
    """Page views (and other events) by anonymous visitors, signed-in people with and without a
    recorded visitor id, and nobody known; on two projects and on pages of no project."""
    rng = random.Random(seed)
    projects = [ProjectFactory(), ProjectFactory()]
    users = [UserFactory() for _ in range(4)]
    for _ in range(400):
        when = datetime.combine(FIRST, datetime.min.time(), tzinfo=UTC) + timedelta(
            minutes=rng.randrange(DAYS * 24 * 60)
        )
        user = rng.choice([None, None, *users])
        visitor = (
            rng.choice(["", f"u:{user.pk}"]) if user else rng.choice(["", *(f"v:{i}" for i in range(12))])
        )
        UsageEvent.objects.create(
            event_id=uuid.uuid4(), kind=rng.choice([UsageKind.PAGE_VIEW] * 4 + [UsageKind.SEARCH]),
            occurred_at=when, project=rng.choice([None, *projects]), visitor=visitor, user=user,
        )  # fmt: skip
    return projects


@pytest.mark.parametrize("seed", [1, 2])
def test_active_visitors_from_visitor_days_equal_those_from_every_page_view(seed):
    projects = seed_usage(seed)
    roll_up_first_days()
    scopes = scopes_of(projects)
    for scope in scopes:
        for start, end in PERIODS:
            figures = community_engagement(projects=scope, start=start, end=end)
            assert figures["active_visitors"] == raw_active_visitors(scope, start, end), (scope, start, end)
    assert raw_active_visitors(None, FIRST, TODAY) > 10
    # Rolled-up days were read from the visitor days: emptied, the figure of those days drops to 0.
    VisitorDay.objects.all().delete()
    assert community_engagement(projects=None, start=PERIODS[1][0], end=PERIODS[1][1])["active_visitors"] == 0


def visitor_days() -> list[tuple]:
    return sorted(VisitorDay.objects.values_list("day", "project_id", "visitor"), key=repr)


def test_rollup_days_are_idempotent_and_the_first_fill_and_the_command_rebuild_them(settings):
    seed_usage(3)
    roll_up_first_days()
    kept = visitor_days()
    assert kept
    rollup_day(day=FIRST + timedelta(days=5), retention_days=10_000)
    assert visitor_days() == kept
    VisitorDay.objects.all().delete()
    assert visitor_days_fill() == len(kept)
    assert visitor_days() == kept
    VisitorDay.objects.filter(day=FIRST + timedelta(days=7)).delete()
    settings.USAGE_RETENTION_DAYS = 10_000
    call_command("rollup_metrics", "--date", (FIRST + timedelta(days=7)).isoformat(), "--no-drain")
    assert visitor_days() == kept


def test_todays_visits_after_todays_rollup_still_count():
    """The daily job rolls up today too: the visits after it ran are read from the raw events all the same."""
    project = ProjectFactory()
    today = FIRST + timedelta(days=ROLLED)
    morning, afternoon = (datetime.combine(today, hour, tzinfo=UTC) for hour in (dt_time(9), dt_time(15)))

    def visit(visitor: str, at: datetime) -> None:
        UsageEvent.objects.create(
            event_id=uuid.uuid4(), kind=UsageKind.PAGE_VIEW, occurred_at=at, project=project, visitor=visitor
        )

    with time_machine.travel(morning, tick=False):
        visit("v:early", morning)
        rollup_day(day=today, retention_days=10_000)
    with time_machine.travel(afternoon, tick=False):
        visit("v:late", afternoon)
        figures = community_engagement(projects=None, start=today, end=today + timedelta(days=1))
    assert figures["active_visitors"] == 2
