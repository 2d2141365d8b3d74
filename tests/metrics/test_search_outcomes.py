"""Zero-result searches and click-through read from the search rows of the rollups (metrics.rollups
.search_outcomes, filled by rollup_day) and from the raw searches after the last rolled-up day equal the
figures counted from every raw search, for any scope and any period; a click days after its search is
counted in its search's rolled-up day when it is stored (by the drain or written directly); and the
figures of rolled-up days outlive the pruning of their raw events."""

import random
import uuid
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext

from catalog.models import Project
from metrics import usage
from metrics.computations import ratio
from metrics.engagement import community_engagement
from metrics.models import DailyRollup, UsageEvent, UsageKind
from metrics.rollups import rollup_day, search_outcomes_fill, usage_prune
from tests.factories import BusinessUnitFactory, ProjectFactory
from tests.metrics.usage_history import (
    DAYS,
    FIRST,
    PERIODS,
    ROLLED,
    TODAY,
    midnight,
    roll_up_first_days,
    scopes_of,
)

pytestmark = pytest.mark.django_db


def raw_figures(projects, start: date, end: date) -> tuple[int, float | None]:
    """The oracle: zero-result searches and click-through of every raw search of the period, as
    community_engagement counted them before the rollups did."""
    events = UsageEvent.objects.filter(
        kind=UsageKind.SEARCH, occurred_at__gte=midnight(start), occurred_at__lt=midnight(end)
    )
    if projects is not None:
        events = events.filter(project__in=projects.values("pk"))
    clicked = Exists(
        UsageEvent.objects.filter(kind=UsageKind.RESULT_CLICK, search_event_id=OuterRef("event_id"))
    )
    n = events.aggregate(
        zero=Count("pk", filter=Q(result_count=0)),
        found=Count("pk", filter=Q(result_count__gt=0)),
        clicked=Count("pk", filter=Q(result_count__gt=0) & Q(clicked)),
    )
    return n["zero"], ratio(n["clicked"], n["found"])


def figures(projects, start: date, end: date) -> tuple[int, float | None]:
    report = community_engagement(projects=projects, start=start, end=end)
    return report["zero_result_searches"], report["search_click_through_rate"]


def seed_searches(seed: int) -> list[Project]:
    """Searches with and without results on two projects, a business unit and pages of no project; their
    clicks come within minutes, some days later (across the last rolled-up day too), some twice, and
    some name no stored search."""
    rng = random.Random(seed)
    projects = [ProjectFactory(), ProjectFactory()]
    unit = BusinessUnitFactory()
    for _ in range(300):
        when = midnight(FIRST) + timedelta(minutes=rng.randrange(DAYS * 24 * 60))
        search = UsageEvent.objects.create(
            event_id=uuid.uuid4(), kind=UsageKind.SEARCH, occurred_at=when, query="q",
            result_count=rng.choice([0, 0, 1, 3, 8]), project=rng.choice([None, *projects]),
            business_unit=rng.choice([None, unit]),
        )  # fmt: skip
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            later = when + rng.choice([timedelta(minutes=2), timedelta(days=rng.randrange(1, 9))])
            UsageEvent.objects.create(
                event_id=uuid.uuid4(), kind=UsageKind.RESULT_CLICK, occurred_at=later,
                search_event_id=search.event_id, position=1,
            )  # fmt: skip
    for _ in range(5):
        UsageEvent.objects.create(
            event_id=uuid.uuid4(), kind=UsageKind.RESULT_CLICK, occurred_at=midnight(FIRST + timedelta(days=2)),
            search_event_id=uuid.uuid4(), position=1,
        )  # fmt: skip
    return projects


@pytest.mark.parametrize("seed", [1, 2])
def test_search_figures_from_rollups_equal_those_from_every_raw_search(seed):
    projects = seed_searches(seed)
    roll_up_first_days()
    scopes = scopes_of(projects)
    expected = {}
    for scope in scopes:
        for start, end in PERIODS:
            expected[scope, start, end] = raw_figures(scope, start, end)
            assert figures(scope, start, end) == expected[scope, start, end], (scope, start, end)
    zero, rate = raw_figures(None, FIRST, TODAY)
    assert zero > 20 and 0 < rate < 1

    # The raw events of the rolled-up days pruned: the periods that end by the last rolled-up day keep
    # their figures, read from the rollups alone (those after it count the clicks left, as before).
    with time_machine.travel(midnight(FIRST + timedelta(days=ROLLED + 30)), tick=False):
        assert usage_prune(older_than_days=30) > 0
    assert not UsageEvent.objects.filter(occurred_at__lt=midnight(FIRST + timedelta(days=ROLLED))).exists()
    for scope in scopes:
        for start, end in PERIODS[1::3] + PERIODS[5:]:
            assert figures(scope, start, end) == expected[scope, start, end], (scope, start, end)


def test_the_search_rows_of_a_rollup_count_the_outcomes_and_other_kinds_none():
    day = FIRST
    found = [
        UsageEvent.objects.create(
            event_id=uuid.uuid4(),
            kind=UsageKind.SEARCH,
            occurred_at=midnight(day) + timedelta(hours=h),
            result_count=n,
        )  # fmt: skip
        for h, n in [(1, 4), (2, 1), (3, 2)]
    ]
    for h in (4, 5):
        UsageEvent.objects.create(
            event_id=uuid.uuid4(), kind=UsageKind.SEARCH, occurred_at=midnight(day) + timedelta(hours=h),
            result_count=0,
        )  # fmt: skip
    # Two clicks on the first search count it once; the second search's click comes the next day.
    for search, hours in [(found[0], 1), (found[0], 2), (found[1], 30)]:
        UsageEvent.objects.create(
            event_id=uuid.uuid4(), kind=UsageKind.RESULT_CLICK, occurred_at=midnight(day) + timedelta(hours=hours),
            search_event_id=search.event_id, position=1,
        )  # fmt: skip

    rollup_day(day=day, retention_days=10_000)

    rows = DailyRollup.objects.filter(day=day).values_list(
        "kind", "events", "zero_results", "with_results", "clicked"
    )
    assert sorted(rows) == [("result_click", 2, 0, 0, 0), ("search", 5, 2, 3, 2)]


def test_the_first_fill_counts_the_search_outcomes_of_the_rolled_up_days():
    seed_searches(3)
    roll_up_first_days()
    outcomes = ("day", "project_id", "business_unit_id", "zero_results", "with_results", "clicked")
    built = sorted(DailyRollup.objects.filter(kind=UsageKind.SEARCH).values_list(*outcomes), key=repr)
    assert sum(row[-1] for row in built) > 10
    DailyRollup.objects.update(zero_results=0, with_results=0, clicked=0)

    assert search_outcomes_fill() == len([row for row in built if row[-3:] != (0, 0, 0)])
    assert sorted(DailyRollup.objects.filter(kind=UsageKind.SEARCH).values_list(*outcomes), key=repr) == built
    assert search_outcomes_fill() == 0


# --- a click days after its search ----------------------------------------------------------------

SEARCH_DAY = date(2026, 5, 4)
LATER = midnight(SEARCH_DAY + timedelta(days=6)) + timedelta(hours=10)  # long after rollup_recent's days


@pytest.fixture
def rolled_up_search():
    """A search with results on SEARCH_DAY by someone of a business unit and one that found nothing, on
    no project (as the catalog records them); the days up to the click's are rolled up (before the click
    came), so the period is read from the rollups alone."""
    search = UsageEvent.objects.create(
        event_id=uuid.uuid4(), kind=UsageKind.SEARCH, occurred_at=midnight(SEARCH_DAY) + timedelta(hours=9),
        result_count=3, business_unit=BusinessUnitFactory(),
    )  # fmt: skip
    UsageEvent.objects.create(
        event_id=uuid.uuid4(), kind=UsageKind.SEARCH, occurred_at=midnight(SEARCH_DAY) + timedelta(hours=9),
        result_count=0,
    )  # fmt: skip
    for n in range(6):
        rollup_day(day=SEARCH_DAY + timedelta(days=n), retention_days=10_000)
    return search


def click(search: UsageEvent) -> None:
    with time_machine.travel(LATER, tick=False):
        usage.usage_record(kind=UsageKind.RESULT_CLICK, search_event_id=search.event_id, position=1)


def clicked_in_rollup(search: UsageEvent) -> int:
    return DailyRollup.objects.get(
        day=SEARCH_DAY, kind=UsageKind.SEARCH, project=None, business_unit=search.business_unit
    ).clicked


@pytest.fixture(params=["written directly", "drained"])
def store(request, settings):
    """How a click reaches the database: written directly (the embedded mode) or through the drain."""
    if request.param == "written directly":
        settings.REDIS_URL = ""
        return lambda: None
    request.getfixturevalue("queue")
    return usage.usage_drain


def test_a_click_days_after_its_search_counts_in_the_rollup_of_the_searchs_day(rolled_up_search, store):
    period = (SEARCH_DAY, SEARCH_DAY + timedelta(days=1))
    assert figures(None, *period) == (1, 0.0)

    click(rolled_up_search)
    store()

    assert clicked_in_rollup(rolled_up_search) == 1
    assert figures(None, *period) == (1, 1.0)
    # A second click counts its search once, and rebuilding the day gives the same row.
    click(rolled_up_search)
    store()
    assert clicked_in_rollup(rolled_up_search) == 1
    rollup_day(day=SEARCH_DAY, retention_days=10_000)
    assert clicked_in_rollup(rolled_up_search) == 1
    assert figures(None, *period) == raw_figures(None, *period) == (1, 1.0)


def test_a_late_click_stored_again_after_a_crash_counts_once(rolled_up_search, queue):
    click(rolled_up_search)
    claimed = usage._claim(1000)
    assert usage._store(claimed) == 1
    # The worker dies before acknowledging the batch: the next drain stores it again.
    assert usage.usage_drain() == 0
    assert clicked_in_rollup(rolled_up_search) == 1


def test_clicks_on_todays_searches_cost_the_drain_one_query(queue):
    """Clicks follow their search within seconds: their search is today's, read from the raw events, so
    the drain only looks their searches up (one query for the batch) and writes no rollup."""
    with time_machine.travel(LATER, tick=False):
        searches = [
            usage.usage_record(kind=UsageKind.SEARCH, query="kafka", result_count=2) for _ in range(3)
        ]
        usage.usage_drain()
        for _ in searches:
            usage.usage_record(kind=UsageKind.PAGE_VIEW, path="/")
        with CaptureQueriesContext(connection) as views:
            usage.usage_drain()
        for search in searches:
            usage.usage_record(kind=UsageKind.RESULT_CLICK, search_event_id=search, position=1)
        with CaptureQueriesContext(connection) as clicks:
            usage.usage_drain()
    assert len(clicks.captured_queries) == len(views.captured_queries) + 1
    assert not any("metrics_dailyrollup" in query["sql"] for query in clicks.captured_queries)
