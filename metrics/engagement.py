"""The portal-usage figures of METRICS.md: Community Engagement, and the consumption side of Reuse and
Collaboration, for one project, a set of projects, or the program (`projects=None`: every event).

Where the figures come from, and why:
- Plain counts by kind and day (page views, searches, contribute clicks, consumption quantities) are read
  from DailyRollup, which is small. Days after the last rolled-up day (today, or the days since the
  rollup job last ran) are not in the rollups yet, so they are counted from the raw events of those
  days only: the figures are fresh without scanning the whole period's events.
- Zero-result searches and click-through are sums too: the search rows of the rollups count the
  searches with no result, with results, and with results and a click (metrics.rollups.search_outcomes;
  a click days after its search recounts the rollup of its search's day), and the raw searches after
  the last rolled-up day are counted by the same rule. Both therefore outlive the raw events' retention.
- Distinctness cannot be summed from rollups (a visitor of two days is one visitor): active visitors are
  the distinct visitors of the period's visitor days (VisitorDay, one row per visitor, day and project,
  rebuilt with the rollups), and of the raw page views after the last rolled-up day. Consumers read
  UsageEvent, always through its (kind, occurred_at) index and always one row per consumer.
- At project level, usage counts are the events carrying that project. `new_members` is "accounts
  created in P" at program level; an account belongs to no project, so for a set of projects it is the
  people who joined those projects' communities in P (read through the ORM: community is not imported).
"""

from collections import Counter
from datetime import UTC, date

from django.contrib.auth import get_user_model
from django.db.models import CharField, Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractIsoYear, ExtractWeek, NullIf, TruncDate

from catalog.models import Forge
from metrics import selectors
from metrics.computations import ratio
from metrics.models import CONSUMPTION_KINDS, DailyRollup, ForgeAccount, UsageEvent, UsageKind, VisitorDay
from metrics.rollups import SEARCH_OUTCOMES, rolled_up_until, search_outcomes, visitor_key

__all__ = ["community_engagement", "reuse_consumption", "search_outcomes_of", "usage_by_day"]

# (events, quantity) per kind, for one day.
DayCounts = dict[str, tuple[int, int]]


def _in(projects: QuerySet | None) -> Q:
    return Q() if projects is None else Q(project__in=projects.values("pk"))


def _events(projects: QuerySet | None, start: date, end: date, *kinds: str) -> QuerySet:
    lo, hi = selectors.rows.bounds(start, end)
    return UsageEvent.objects.filter(_in(projects), kind__in=kinds, occurred_at__gte=lo, occurred_at__lt=hi)


def usage_by_day(*, projects: QuerySet | None, start: date, end: date) -> dict[date, DayCounts]:
    """Events and quantity per day and kind in [start, end): rollups up to the last rolled-up day, raw
    events after it. Three queries whatever the period; at most one row per day and kind."""
    cut = rolled_up_until(start, end)
    days: dict[date, DayCounts] = {}
    if cut > start:
        rollups = (
            DailyRollup.objects.filter(_in(projects), day__gte=start, day__lt=cut)
            .values("day", "kind")
            .annotate(events=Sum("events"), quantity=Sum("quantity"))
            .order_by()
        )
        for row in rollups:
            days.setdefault(row["day"], {})[row["kind"]] = (row["events"], row["quantity"])
    if cut < end:
        lo, hi = selectors.rows.bounds(cut, end)
        raw = (
            UsageEvent.objects.filter(_in(projects), occurred_at__gte=lo, occurred_at__lt=hi)
            .annotate(day=TruncDate("occurred_at", tzinfo=UTC))
            .values("day", "kind")
            .annotate(events=Count("pk"), quantity=Sum("quantity"))
            .order_by()
        )
        for row in raw:
            days.setdefault(row["day"], {})[row["kind"]] = (row["events"], row["quantity"] or 0)
    return days


def search_outcomes_of(*, projects: QuerySet | None, start: date, end: date) -> dict[str, int]:
    """`zero_results`, `with_results` and `clicked` (metrics.rollups.search_outcomes) of the searches in
    [start, end): the rollups' counts up to the last rolled-up day, the raw searches after it (as
    usage_by_day splits the period). One query each side."""
    cut = rolled_up_until(start, end)
    counts = dict.fromkeys(SEARCH_OUTCOMES, 0)
    if cut > start:
        rolled = DailyRollup.objects.filter(_in(projects), kind=UsageKind.SEARCH, day__gte=start, day__lt=cut)
        sums = rolled.aggregate(**{f"n_{name}": Sum(name) for name in SEARCH_OUTCOMES})
        for name in SEARCH_OUTCOMES:
            counts[name] += sums[f"n_{name}"] or 0
    if cut < end:
        raw = _events(projects, cut, end, UsageKind.SEARCH).aggregate(**search_outcomes())
        for name in SEARCH_OUTCOMES:
            counts[name] += raw[name]
    return counts


def totals(days: dict[date, DayCounts], *, lo: date | None = None, hi: date | None = None) -> Counter:
    """Events per kind over the days in [lo, hi) of `usage_by_day`'s answer, plus "consumptions": the
    summed quantity of the consumption kinds (an API report of 5 downloads is 5 consumptions)."""
    counts: Counter = Counter()
    for day, kinds in days.items():
        if (lo is None or day >= lo) and (hi is None or day < hi):
            for kind, (events, quantity) in kinds.items():
                counts[kind] += events
                if kind in CONSUMPTION_KINDS:
                    counts["consumptions"] += quantity
    return counts


def _active_visitors(projects: QuerySet | None, start: date, end: date) -> int:
    """Distinct visitors with a page view in [start, end): their visitor days up to the last rolled-up
    day, the raw page views after it (as usage_by_day splits the period)."""
    cut = rolled_up_until(start, end)
    if cut <= start:
        return _events(projects, start, end, UsageKind.PAGE_VIEW).aggregate(
            n=Count(visitor_key(), distinct=True)
        )["n"]
    rolled = VisitorDay.objects.filter(_in(projects), day__gte=start, day__lt=cut)
    if cut >= end:
        # COUNT(*) over SELECT DISTINCT: PostgreSQL hashes the visitors instead of sorting them for
        # COUNT(DISTINCT), four times faster over a quarter's visitor days at the large benchmark.
        return rolled.values("visitor").distinct().order_by().count()
    keys = set(rolled.values_list("visitor", flat=True).distinct().order_by())
    recent = _events(projects, cut, end, UsageKind.PAGE_VIEW).annotate(key=visitor_key())
    keys.update(recent.filter(key__isnull=False).values_list("key", flat=True).distinct().order_by())
    return len(keys)


def _contributor_business_units(projects: QuerySet | None, start: date, end: date) -> int:
    """Distinct business units among the period's contributors, the people exactly as
    `contribution_activity` identifies them, each with the unit metrics.selectors reads: their
    practitioner's, else the one the organisation directory gave their forge account."""
    keys, _per_person, _per_unit = selectors.contribution.contributors(
        projects=selectors.rows.projects_or_program(projects),
        start=start,
        end=end,
        people=selectors.rows.People(),
    )
    users = {int(key[2:]) for key in keys if key.startswith("u:")}
    accounts = {int(key[2:]) for key in keys if key.startswith("a:")}
    emails = {key[2:] for key in keys if key.startswith("e:")}
    if not (users or accounts or emails):
        return 0
    whose = Q(user_id__in=users) | Q(pk__in=accounts, user__isnull=True)
    whose |= Q(forge=Forge.GIT, login__in=emails, user__isnull=True)
    return (
        ForgeAccount.objects.filter(whose)
        .annotate(unit=selectors.rows.author_unit(""))
        .filter(unit__isnull=False)
        .aggregate(n=Count("unit", distinct=True))["n"]
    )


def _new_members(projects: QuerySet | None, start: date, end: date) -> int:
    lo, hi = selectors.rows.bounds(start, end)
    users = get_user_model().objects
    if projects is None:
        return users.filter(date_joined__gte=lo, date_joined__lt=hi).count()
    return (
        users.filter(
            memberships__project__in=projects.values("pk"),
            memberships__joined_at__gte=lo,
            memberships__joined_at__lt=hi,
        )
        .distinct()
        .count()
    )


def community_engagement(
    *, projects: QuerySet | None, start: date, end: date, days: dict[date, DayCounts] | None = None
) -> dict:
    """The Community Engagement figures of METRICS.md for [start, end). `days` is `usage_by_day`'s
    answer when the caller already has it."""
    counts = totals(days if days is not None else usage_by_day(projects=projects, start=start, end=end))
    # A click belongs to its search whenever it came (metrics.rollups.search_outcomes): it follows within
    # seconds, and cutting at `end` would only lose the clicks of the period's last seconds.
    searches = search_outcomes_of(projects=projects, start=start, end=end)
    return {
        "active_visitors": _active_visitors(projects, start, end),
        "page_views": counts[UsageKind.PAGE_VIEW],
        "searches": counts[UsageKind.SEARCH],
        "zero_result_searches": searches["zero_results"],
        "search_click_through_rate": ratio(searches["clicked"], searches["with_results"]),
        "contribute_clicks": counts[UsageKind.CONTRIBUTE_CLICK],
        "new_members": _new_members(projects, start, end),
        "contributor_business_units": _contributor_business_units(projects, start, end),
    }


def reuse_consumption(
    *, projects: QuerySet | None, start: date, end: date, days: dict[date, DayCounts] | None = None
) -> dict:
    """`asset_consumptions`, `repeat_consumers` and `one_time_consumers` of METRICS.md for [start, end).

    A consumer is the reporting team or system (`consumer`) when there is one, else the visitor; events
    with neither are counted as consumptions but belong to no consumer."""
    counts = totals(days if days is not None else usage_by_day(projects=projects, start=start, end=end))
    who = Coalesce(NullIf("consumer", Value("")), visitor_key(), output_field=CharField())
    # ISO year with ISO week, so that the week of 2026-12-31 and 2027-01-01 is one week.
    week = ExtractIsoYear("occurred_at", tzinfo=UTC) * 100 + ExtractWeek("occurred_at", tzinfo=UTC)
    weeks_per_consumer = (
        _events(projects, start, end, *CONSUMPTION_KINDS)
        .annotate(who=who, week=week)
        .filter(who__isnull=False)
        .values("who")
        .annotate(weeks=Count("week", distinct=True))
        .values_list("weeks", flat=True)
        .order_by()
    )
    weeks = list(weeks_per_consumer)
    return {
        "asset_consumptions": counts["consumptions"],
        "repeat_consumers": sum(1 for n in weeks if n >= 2),
        "one_time_consumers": sum(1 for n in weeks if n == 1),
    }
