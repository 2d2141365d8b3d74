"""The calendar the rollup tests share: sixty days of usage whose first forty the rollup job has built (the
last twenty are raw events only), the periods each test reads (inside and across that line), and the
scopes they read them for."""

from datetime import UTC, date, datetime, timedelta

from catalog.models import Project
from metrics.rollups import rollup_day

FIRST = date(2026, 3, 1)
DAYS = 60
ROLLED = 40  # the rollup job has built the first 40 days; the last 20 are raw events only
TODAY = FIRST + timedelta(days=DAYS)
PERIODS = [
    (FIRST, TODAY),  # the whole history: rolled-up days and raw days
    (FIRST + timedelta(days=3), FIRST + timedelta(days=17)),  # rolled-up days only
    (FIRST + timedelta(days=35), FIRST + timedelta(days=45)),  # across the last rolled-up day
    (FIRST + timedelta(days=41), FIRST + timedelta(days=55)),  # raw days only
    (FIRST + timedelta(days=12), FIRST + timedelta(days=13)),  # one day
    (date(2020, 1, 1), date(2021, 1, 1)),  # before anything
]


def midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def roll_up_first_days() -> None:
    """The rollup job's work so far: the first ROLLED days, whatever the retention."""
    for n in range(ROLLED):
        rollup_day(day=FIRST + timedelta(days=n), retention_days=10_000)


def scopes_of(projects: list[Project]) -> list:
    """The program (None), the first project, and both projects."""
    return [
        None,
        Project.objects.filter(pk=projects[0].pk),
        Project.objects.filter(pk__in=[p.pk for p in projects]),
    ]
