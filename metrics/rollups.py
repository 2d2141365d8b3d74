"""Portal usage by day: the daily rollups, visitor days and search days the dashboards read (rebuilt
from the raw events, idempotent), and the retention of the raw events (metrics.usage records them)."""

import logging
import uuid
from collections.abc import Callable, Collection
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, Max, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils import timezone

from metrics.models import DailyRollup, SearchDay, SearchPersonDay, UsageEvent, UsageKind, VisitorDay

logger = logging.getLogger(__name__)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def visitor_key() -> Coalesce:
    """The person behind an event: the recorded visitor id, else the signed-in user ("u:<id>", as the
    recorder writes it), else nobody (NULL, which COUNT(DISTINCT) leaves out)."""
    # Concat reads NULL as "", so the user's key is built only where there is a user.
    user = Case(
        When(user__isnull=False, then=Concat(Value("u:"), Cast("user_id", CharField()))), default=None
    )
    return Coalesce(NullIf("visitor", Value("")), user, output_field=CharField())


def search_outcomes() -> dict[str, Count]:
    """What became of searches, as aggregates over usage events (other kinds count nowhere):
    `zero_results`, `with_results`, and `clicked`, those with results that got a result click. A click
    belongs to its search whenever it came, and several clicks count their search once."""
    clicks = UsageEvent.objects.filter(kind=UsageKind.RESULT_CLICK, search_event_id=OuterRef("event_id"))
    search = Q(kind=UsageKind.SEARCH)
    return {
        "zero_results": Count("pk", filter=search & Q(result_count=0)),
        "with_results": Count("pk", filter=search & Q(result_count__gt=0)),
        # Last in the filter: the subquery runs only for the searches that found something.
        "clicked": Count("pk", filter=search & Q(result_count__gt=0) & Q(Exists(clicks))),
    }


SEARCH_OUTCOMES = ("zero_results", "with_results", "clicked")
_GROUP = ("project_id", "asset_id", "business_unit_id")


def rolled_up_until(start: date, end: date) -> date:
    """Where [start, end) stops being rolled up: its days before the returned one are read from the
    rollups and visitor days, the others (after the last rolled-up day) from the raw events. Today is
    always read from the raw events: its rollup (rollup_recent rebuilds today too) holds only the events
    before it ran."""
    last = DailyRollup.objects.aggregate(last=Max("day"))["last"]
    today = timezone.now().astimezone(UTC).date()
    return max(start, min(end, last + timedelta(days=1), today)) if last else start


def _visitor_days(day: date) -> list[VisitorDay]:
    start, end = _day_bounds(day)
    found = (
        UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end, kind=UsageKind.PAGE_VIEW)
        .annotate(key=visitor_key())
        .filter(key__isnull=False)
        .values_list("project_id", "key")
        .distinct()
        .order_by()
    )
    return [VisitorDay(day=day, project_id=project, visitor=key) for project, key in found]


# A person, for the top searches: a signed-in visitor ("u:<user id>", as the recorder writes it).
# Anonymous visitors do not count: a fresh browser is a fresh pseudonymous visitor.
SIGNED_IN = Q(visitor__startswith="u:")


def _search_days(day: date) -> tuple[list[SearchDay], list[SearchPersonDay]]:
    """The day's searches by query (SearchDay) and the signed-in people who typed each (SearchPersonDay)."""
    start, end = _day_bounds(day)
    searches = UsageEvent.objects.filter(
        occurred_at__gte=start, occurred_at__lt=end, kind=UsageKind.SEARCH
    ).exclude(query="")
    zero = Q(result_count=0)
    per_query = (
        searches.values("query")
        .annotate(
            n=Count("pk"),
            n_zero=Count("pk", filter=zero),
            n_people=Count("visitor", distinct=True, filter=SIGNED_IN),
            n_zero_people=Count("visitor", distinct=True, filter=SIGNED_IN & zero),
        )
        .order_by()
    )
    per_person = (
        searches.filter(SIGNED_IN)
        .values("query", "visitor")
        .annotate(n_zero=Count("pk", filter=zero))
        .order_by()
        .values_list("query", "visitor", "n_zero")
    )
    return (
        [
            SearchDay(
                day=day,
                query=row["query"],
                searches=row["n"],
                zero_results=row["n_zero"],
                people=row["n_people"],
                zero_people=row["n_zero_people"],
            )
            for row in per_query
        ],
        [
            SearchPersonDay(day=day, query=query, person=visitor, zero=n_zero > 0)
            for query, visitor, n_zero in per_person
        ],
    )


def _visitor_days_write(day: date, visitors: list[VisitorDay]) -> int:
    """Replace the day's visitor days (inside the caller's transaction)."""
    VisitorDay.objects.filter(day=day).delete()
    VisitorDay.objects.bulk_create(visitors, batch_size=2000)
    return len(visitors)


def _search_days_write(day: date, found: tuple[list[SearchDay], list[SearchPersonDay]]) -> int:
    """Replace the day's search days (inside the caller's transaction)."""
    SearchDay.objects.filter(day=day).delete()
    SearchPersonDay.objects.filter(day=day).delete()
    SearchDay.objects.bulk_create(found[0], batch_size=2000)
    SearchPersonDay.objects.bulk_create(found[1], batch_size=2000)
    return len(found[0]) + len(found[1])


def rollup_day(*, day: date, retention_days: int | None = None) -> int:
    """Rebuild the rollups and visitor days of one UTC day from the raw events (delete, then insert);
    returns the rollup rows.

    A day whose raw events are past the retention (USAGE_RETENTION_DAYS unless given) is left alone:
    rebuilding it would erase its rollups."""
    retention = settings.USAGE_RETENTION_DAYS if retention_days is None else retention_days
    if day < timezone.now().date() - timedelta(days=retention):
        logger.warning("usage: %s is past the retention; its rollups are kept as they are", day)
        return DailyRollup.objects.filter(day=day).count()
    start, end = _day_bounds(day)
    groups = (
        UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        .values("kind", "project_id", "asset_id", "business_unit_id")
        .annotate(
            n_events=Count("id"),
            n_quantity=Sum("quantity"),
            n_visitors=Count("visitor", distinct=True, filter=~Q(visitor="")),
            **search_outcomes(),
        )
        .order_by()
    )
    rows = [
        DailyRollup(
            day=day,
            kind=group["kind"],
            project_id=group["project_id"],
            asset_id=group["asset_id"],
            business_unit_id=group["business_unit_id"],
            events=group["n_events"],
            quantity=group["n_quantity"] or 0,
            visitors=group["n_visitors"],
            **{name: group[name] for name in SEARCH_OUTCOMES},
        )
        for group in groups
    ]
    visitors = _visitor_days(day)
    searches = _search_days(day)
    with transaction.atomic():
        DailyRollup.objects.filter(day=day).delete()
        DailyRollup.objects.bulk_create(rows)
        _visitor_days_write(day, visitors)
        _search_days_write(day, searches)
    return len(rows)


def rollup_recent(*, days: int = 3, today: date | None = None) -> int:
    """Rebuild today and the days before: late events (a drain backlog) land in a day already rolled up."""
    today = today or timezone.now().date()
    return sum(rollup_day(day=today - timedelta(days=n)) for n in range(days))


def _fill[T](build: Callable[[date], T], write: Callable[[date, T], int]) -> int:
    """Build and write a table of days for every rolled-up day (a first fill, by the migration that adds
    the table), as rollup_day builds and writes it; days whose raw events were pruned get nothing."""
    written = 0
    for day in DailyRollup.objects.order_by("day").values_list("day", flat=True).distinct():
        found = build(day)
        with transaction.atomic():
            written += write(day, found)
    return written


def visitor_days_fill() -> int:
    """Visitor days for every rolled-up day whose raw events are kept. Returns the rows written."""
    return _fill(_visitor_days, _visitor_days_write)


def search_days_fill() -> int:
    """Search days for every rolled-up day whose raw events are kept. Returns the rows written."""
    return _fill(_search_days, _search_days_write)


def _recount_searches(day: date, groups: Q) -> int:
    """Recount the search outcomes of the day's search rollup rows of `groups` (a filter on project,
    asset and business unit) from the raw searches, as rollup_day counts them; returns the rows changed.

    The rows are locked first, so that two writers recounting one row (the drain and a direct write)
    cannot both write a count that misses the other's click: the second counts after the first commits."""
    lo, hi = _day_bounds(day)
    with transaction.atomic():
        rows = {
            tuple(getattr(row, field) for field in _GROUP): row
            for row in DailyRollup.objects.select_for_update().filter(groups, day=day, kind=UsageKind.SEARCH)
        }
        if not rows:
            return 0
        counts = (
            UsageEvent.objects.filter(groups, kind=UsageKind.SEARCH, occurred_at__gte=lo, occurred_at__lt=hi)
            .values(*_GROUP)
            .annotate(**search_outcomes())
            .order_by()
        )
        changed = []
        for count in counts:
            row = rows.get(tuple(count[field] for field in _GROUP))
            if row is not None and any(getattr(row, name) != count[name] for name in SEARCH_OUTCOMES):
                for name in SEARCH_OUTCOMES:
                    setattr(row, name, count[name])
                changed.append(row)
        DailyRollup.objects.bulk_update(changed, SEARCH_OUTCOMES, batch_size=1000)
    return len(changed)


def search_outcomes_fill() -> int:
    """The search outcomes of every rolled-up day whose raw events are kept (the first fill, by the
    migration that adds them), counted as rollup_day counts them; a day whose events were pruned keeps
    0. Returns the rows changed."""
    days = DailyRollup.objects.filter(kind=UsageKind.SEARCH).order_by("day").values_list("day", flat=True)
    return sum(_recount_searches(day, Q()) for day in days.distinct())


def searches_clicked(*, search_event_ids: Collection[uuid.UUID]) -> int:
    """Count the result clicks just stored (metrics.usage, by the search ids they name) in the rollups
    of their searches' days; returns the rollup rows changed.

    A click belongs to its search whenever it came, but a day's rollup counts the clicks stored when it
    was built, and rollup_recent rebuilds only the last days: a click days after its search would be
    missed for good. So the rows of the searches that lie on a day before today are recounted (today is
    read from the raw events and rebuilt tomorrow; not only the days before rollup_recent's, whose daily
    run may have passed a search's day for the last time already). A recount counts a search once however
    many clicks it gets and is idempotent (a batch stored again after a crash changes nothing). One query
    for the clicks of a batch; clicks follow their search within seconds, so a recount is rare."""
    if not search_event_ids:
        return 0
    today = datetime.combine(timezone.now().astimezone(UTC).date(), time.min, tzinfo=UTC)
    searches = UsageEvent.objects.filter(
        kind=UsageKind.SEARCH, event_id__in=search_event_ids, result_count__gt=0, occurred_at__lt=today
    ).values_list("occurred_at", *_GROUP)
    groups_per_day: dict[date, Q] = {}
    for occurred_at, project, asset, unit in searches:
        day = occurred_at.astimezone(UTC).date()
        group = Q(project_id=project, asset_id=asset, business_unit_id=unit)
        groups_per_day[day] = groups_per_day[day] | group if day in groups_per_day else group
    return sum(_recount_searches(day, groups) for day, groups in sorted(groups_per_day.items()))


def usage_prune(*, older_than_days: int | None = None, chunk: int = 10_000) -> int:
    """Delete raw events older than the retention; rollups stay. Deletes in chunks to keep locks short."""
    days = settings.USAGE_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = datetime.combine(timezone.now().date() - timedelta(days=days), time.min, tzinfo=UTC)
    deleted = 0
    while True:
        ids = list(UsageEvent.objects.filter(occurred_at__lt=cutoff).values_list("pk", flat=True)[:chunk])
        if not ids:
            return deleted
        deleted += UsageEvent.objects.filter(pk__in=ids).delete()[0]
