"""The top searches of a period (metrics.searches), read from the search days up to the last rolled-up day
and from the raw searches after it, equal the ranking computed from every raw search of the period (the
oracle below, as the dashboards computed it before search days existed), for any period; a query typed
by too few different signed-in people never shows, however often they typed it; and the ranking of
rolled-up days outlives the pruning of their raw events."""

import random
import uuid
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db.models import Count, Q

from metrics.models import SearchDay, SearchPersonDay, UsageEvent, UsageKind
from metrics.rollups import rollup_day, search_days_fill, usage_prune
from metrics.searches import PAGE, SEARCH_QUERY_MIN_PEOPLE, top_searches
from tests.metrics.usage_history import (
    DAYS,
    FIRST,
    PERIODS,
    ROLLED,
    TODAY,
    midnight,
    roll_up_first_days,
)

pytestmark = pytest.mark.django_db


def oracle(start: date, end: date, *, zero: bool, count: int) -> list[tuple[str, int]]:
    """Every raw search of the period grouped by query, those typed by enough signed-in people, most
    searched first, then by query."""
    searches = UsageEvent.objects.filter(
        kind=UsageKind.SEARCH, occurred_at__gte=midnight(start), occurred_at__lt=midnight(end)
    ).exclude(query="")
    if zero:
        searches = searches.filter(result_count=0)
    rows = searches.values("query").annotate(
        n=Count("pk"), people=Count("visitor", distinct=True, filter=Q(visitor__startswith="u:"))
    )
    ranked = sorted((-row["n"], row["query"]) for row in rows if row["people"] >= SEARCH_QUERY_MIN_PEOPLE)
    return [(query, -n) for n, query in ranked[:count]]


def search(query: str, *, at: datetime, visitor: str, found: int) -> UsageEvent:
    return UsageEvent(
        event_id=uuid.uuid4(), kind=UsageKind.SEARCH, occurred_at=at, visitor=visitor, query=query,
        result_count=found,
    )  # fmt: skip


def seed_searches(seed: int) -> None:
    """Queries typed by many people, by a few (some only across days, some only once each), by one person
    many times (never shown), and anonymously; with and without results; plus the empty query."""
    rng = random.Random(seed)
    words = ["retry", "Retry", "auth", "ledger", "design tokens", "zebra", "é-mail", "ci templates", "kafka"]
    people = [f"u:{n}" for n in range(8)] + ["v:anon1", "v:anon2", ""]
    events = []
    for _ in range(900):
        at = midnight(FIRST) + timedelta(minutes=rng.randrange(DAYS * 24 * 60))
        query = rng.choice(words + [""])
        visitor = rng.choice(people[: rng.choice([2, 4, 11])])
        events.append(search(query, at=at, visitor=visitor, found=rng.choice([0, 0, 1, 5])))
    # One person typing a query very often: the most searched, never shown.
    events += [
        search("my secret", at=midnight(FIRST + timedelta(days=d)), visitor="u:7", found=0) for d in range(50)
    ]
    # Three people, each on another day: no day alone has enough people, the period does.
    events += [
        search(
            "spread out",
            at=midnight(FIRST + timedelta(days=d)) + timedelta(hours=1),
            visitor=f"u:{d}",
            found=0,
        )
        for d in (2, 20, 44)
    ]
    UsageEvent.objects.bulk_create(events)


@pytest.mark.parametrize("seed", [1, 2])
def test_top_searches_from_search_days_equal_those_from_every_raw_search(seed):
    seed_searches(seed)
    roll_up_first_days()
    assert SearchDay.objects.exists() and SearchPersonDay.objects.exists()
    with time_machine.travel(midnight(TODAY) + timedelta(hours=12), tick=False):
        for start, end in PERIODS:
            for zero in (False, True):
                for count in (3, 30):
                    assert top_searches(start=start, end=end, zero=zero, count=count) == oracle(
                        start, end, zero=zero, count=count
                    ), (start, end, zero, count)
        whole = top_searches(start=FIRST, end=TODAY, zero=True, count=30)
    shown = [query for query, _n in whole]
    # Something was compared: the query typed by three people on three days shows, the one typed by a
    # single person fifty times does not, and ties are ordered by code point ("Retry" before "retry").
    assert "spread out" in shown and "my secret" not in shown and "" not in shown
    assert len(shown) >= 5


def test_the_ranking_of_rolled_up_days_outlives_their_raw_events():
    seed_searches(3)
    roll_up_first_days()
    start, end = FIRST, FIRST + timedelta(days=ROLLED)
    with time_machine.travel(midnight(TODAY) + timedelta(hours=12), tick=False):
        before = top_searches(start=start, end=end, zero=False, count=30)
        assert before == oracle(start, end, zero=False, count=30) and before
        usage_prune(older_than_days=DAYS - ROLLED)
        assert not UsageEvent.objects.filter(occurred_at__lt=midnight(end)).exists()
        assert top_searches(start=start, end=end, zero=False, count=30) == before


def test_a_long_ranking_is_read_a_page_at_a_time_and_the_first_fill_builds_the_search_days():
    # More queries than a page, each typed by three people, each once more than the next.
    day = FIRST
    events = [
        search(f"query {i:04d}", at=midnight(day) + timedelta(minutes=k), visitor=f"u:{k % 3}", found=1)
        for i in range(PAGE + 40)
        for k in range(3 + (PAGE + 40 - i))
    ]
    UsageEvent.objects.bulk_create(events)
    rollup_day(day=day, retention_days=10_000)
    SearchDay.objects.all().delete()
    SearchPersonDay.objects.all().delete()
    assert search_days_fill() > 0
    with time_machine.travel(midnight(TODAY), tick=False):
        found = top_searches(start=day, end=day + timedelta(days=1), zero=False, count=PAGE + 10)
    assert found == oracle(day, day + timedelta(days=1), zero=False, count=PAGE + 10)
    assert len(found) == PAGE + 10
