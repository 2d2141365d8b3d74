"""The dashboards' snapshots: everything one dashboard shows for one scope and period, computed ahead
(by a worker, or inline in the embedded mode) and stored, so that a dashboard request reads one row.
Queuing the computations is metrics.tasks' (snapshot_for), so that this module never imports its tasks."""

from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from catalog.models import Asset, BusinessUnit, Project, SearchEntry
from catalog.selectors.words import text_match
from metrics import engagement, selectors
from metrics.models import ReportSnapshot
from metrics.reports import (
    bucket_state,
    comparison_periods,
    previous_period,
    report_compute,
    trend_buckets,
    trend_compute,
)
from metrics.scopes import ReportScope
from metrics.searches import top_searches
from metrics.selectors import FirstResponses

__all__ = [
    "DEFAULT_DAYS",
    "PRESETS",
    "most_adopted",
    "preset_periods",
    "snapshot_claim",
    "snapshot_compute",
    "snapshot_data",
    "snapshot_is_stale",
    "snapshot_report",
    "snapshots_prune",
    "top_queries",
    "warm_plan",
]

# The dashboards' preset periods (days ending today) and the default one; the warm-up precomputes them.
PRESETS = (30, 90, 365)
DEFAULT_DAYS = 90
# A claimed (re)computation that has not finished after this long is taken as lost (a worker died), and
# the next request claims it again. Longer than the slowest computation (a year of the program, large).
CLAIM_SECONDS = 30 * 60
# Snapshots untouched this long are nobody's any more: a requested one is recomputed once it is stale.
SNAPSHOT_KEEP_DAYS = 7

TOP_QUERIES = 10


def top_queries(
    *, start: date, end: date, hidden: tuple[int, ...] | None = None
) -> tuple[list[dict], list[dict]]:
    """The 10 most frequent searches, and the 10 most frequent with no result, in the period, among
    those typed by at least SEARCH_QUERY_MIN_PEOPLE different people (metrics.searches); a query that
    finds one of the `hidden` projects (restricted ones the dashboard's readers do not see) is never
    shown."""
    telling = _queries_finding(hidden)

    def ranked(zero: bool) -> list[dict]:
        shown = []
        for query, n in top_searches(start=start, end=end, zero=zero, count=TOP_QUERIES * 3):
            if not telling(query):
                shown.append({"query": query, "n": n})
                if len(shown) == TOP_QUERIES:
                    break
        return shown

    return ranked(False), ranked(True)


def _queries_finding(hidden: tuple[int, ...] | None):
    """A test of whether a query finds an entry of the hidden projects (the catalog's own text match)."""
    if not hidden:
        return lambda query: False
    entries = SearchEntry.objects.filter(project_id__in=hidden)
    return lambda query: text_match(entries, query).exists()


def most_adopted(*, projects: QuerySet, end: date) -> list[dict]:
    """The 10 assets of these projects with most adoptions active at `end`."""
    active = Q(adoptions__since__lte=end) & (
        Q(adoptions__ended_on__isnull=True) | Q(adoptions__ended_on__gt=end)
    )
    assets = (
        Asset.objects.filter(project__in=projects)
        .annotate(active=Count("adoptions", filter=active))
        .filter(active__gt=0)
        .select_related("project")
        .order_by("-active", "name")[:10]
    )
    return [
        {
            "id": a.pk,
            "name": a.name,
            "url": a.get_absolute_url(),
            "project_name": a.project.name,
            "active": a.active,
        }
        for a in assets
    ]


def snapshot_compute(*, scope: ReportScope, start: date, end: date) -> ReportSnapshot | None:
    """Compute everything a dashboard of this scope and period shows, and store it (replacing the
    previous snapshot). None when the project or unit is gone."""
    started = timezone.now()
    project = unit = None
    if scope.project_id is not None:
        project = Project.objects.select_related("business_unit").filter(pk=scope.project_id).first()
    if scope.business_unit_id is not None:
        unit = BusinessUnit.objects.filter(pk=scope.business_unit_id).first()
    if (scope.project_id is not None and project is None) or (
        scope.business_unit_id is not None and unit is None
    ):
        ReportSnapshot.objects.filter(scope_key=scope.key).delete()
        return None
    projects = scope.projects()
    today = started.date()  # UTC: the day whose figures are so far
    # The period's first responses and usage by day, read once for the report, its trend and its
    # complete days.
    responses = selectors.first_responses(projects=projects, start=start, end=end)
    days = engagement.usage_by_day(projects=projects, start=start, end=end)
    report = report_compute(
        projects=projects,
        project=project,
        business_unit=unit,
        start=start,
        end=end,
        responses=responses,
        days=days,
    )
    trend = trend_compute(
        projects=projects,
        start=start,
        end=end,
        buckets=trend_buckets(start, end),
        today=today,
        responses=responses,
        days=days,
    )
    data: dict = {
        "report": report,
        **_comparison(projects=projects, start=start, end=end, today=today, responses=responses, days=days),
        "trend": [{**b, "start": b["start"].isoformat(), "end": b["end"].isoformat()} for b in trend],
        "most_adopted": most_adopted(
            projects=projects if projects is not None else Project.objects.listed(), end=end
        ),
    }
    if project is None and unit is None:
        # Searches are the whole portal's (not a unit's): shown on the program's dashboard only, where
        # `hidden` is every restricted project its reader does not see.
        top, zero = top_queries(start=start, end=end, hidden=scope.hidden)
        data["top_searches"], data["zero_searches"] = top, zero
    snapshot, _created = ReportSnapshot.objects.update_or_create(
        scope_key=scope.key,
        start=start,
        end=end,
        defaults={"params": scope.params(), "data": data, "computed_at": started, "refreshing_since": None},
    )
    return snapshot


def _headlines(bucket: dict) -> dict:
    return {k: v for k, v in bucket.items() if k not in ("start", "end")}


def _comparison(
    *,
    projects: QuerySet | None,
    start: date,
    end: date,
    today: date,
    responses: FirstResponses,
    days: dict[date, engagement.DayCounts],
) -> dict:
    """The figures the change against the previous period compares (comparison_periods): `previous`,
    the headline figures of the previous side (None: nothing to compare), and `comparison`, both sides'
    dates and, when the period is not over, `current`: the headlines of its complete days (the headline
    values themselves hold the day in progress too). `responses` and `days` are the first responses and
    the usage by day of [start, end)."""
    periods = comparison_periods(start, end, today=today)
    if periods is None:
        return {"previous": None, "comparison": None}
    (current_start, current_end), (previous_start, previous_end) = periods
    previous = trend_compute(
        projects=projects, start=previous_start, end=previous_end, buckets=1, today=today
    )[0]
    current = None
    if current_end < end:
        current = _headlines(
            trend_compute(
                projects=projects,
                start=current_start,
                end=current_end,
                buckets=1,
                today=today,
                responses=responses,
                days=days,
            )[0]
        )
    return {
        "previous": _headlines(previous),
        "comparison": {
            "start": current_start.isoformat(),
            "end": current_end.isoformat(),
            "previous_start": previous_start.isoformat(),
            "previous_end": previous_end.isoformat(),
            "partial": current is not None,
            "current": current,
        },
    }


def snapshot_data(snapshot: ReportSnapshot) -> dict:
    """The snapshot's figures with the trend's and the comparison's dates as dates again, as the
    dashboards compute them. Snapshots stored before buckets had a state and periods a comparison get
    them as they were then: states on the day they were computed, the whole previous period."""
    if snapshot.data is None:
        raise ValueError(f"The snapshot {snapshot} is still being computed.")
    data = dict(snapshot.data)
    start, end = snapshot.start, snapshot.end
    computed_on = (snapshot.computed_at or timezone.now()).astimezone(UTC).date()
    data["trend"] = [
        {
            **b,
            "start": date.fromisoformat(b["start"]),
            "end": date.fromisoformat(b["end"]),
            "state": b.get("state")
            or bucket_state(date.fromisoformat(b["start"]), date.fromisoformat(b["end"]), today=computed_on),
        }
        for b in data["trend"]
    ]
    if "comparison" not in data:
        previous_start, previous_end = previous_period(start, end)
        data["comparison"] = {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "previous_start": previous_start.isoformat(),
            "previous_end": previous_end.isoformat(),
            "partial": False,
            "current": None,
        }
    if data["comparison"] is not None:
        data["comparison"] = {
            **data["comparison"],
            **{
                k: date.fromisoformat(data["comparison"][k])
                for k in ("start", "end", "previous_start", "previous_end")
            },
        }
    return data


def snapshot_is_stale(snapshot: ReportSnapshot, *, now: datetime | None = None) -> bool:
    if snapshot.computed_at is None:
        return True
    age = ((now or timezone.now()) - snapshot.computed_at).total_seconds()
    return age > settings.METRICS_SNAPSHOT_MAX_AGE


def snapshot_claim(snapshot: ReportSnapshot) -> bool:
    """Mark a snapshot's (re)computation as under way unless one already is: the conditional UPDATE
    lets exactly one of concurrent requests claim it. True when this call claimed it, and must queue it
    (metrics.tasks.snapshot_refresh_queue)."""
    now = timezone.now()
    claimed = (
        ReportSnapshot.objects.filter(pk=snapshot.pk)
        .filter(
            Q(refreshing_since__isnull=True) | Q(refreshing_since__lt=now - timedelta(seconds=CLAIM_SECONDS))
        )
        .update(refreshing_since=now)
    )
    return bool(claimed)


def snapshot_report(*, scope: ReportScope, start: date, end: date) -> dict:
    """The report alone, for the API and CSV downloads: the snapshot's when fresh, else computed now and
    stored (API clients can wait; the dashboard then finds it fresh). 404 when the project or unit has
    just been deleted."""
    snapshot = ReportSnapshot.objects.filter(scope_key=scope.key, start=start, end=end).first()
    if snapshot is None or snapshot.data is None or snapshot_is_stale(snapshot):
        snapshot = snapshot_compute(scope=scope, start=start, end=end)
    if snapshot is None or snapshot.data is None:
        raise Http404("The project or business unit of this report no longer exists.")
    return snapshot.data["report"]


def warm_plan(*, today: date) -> list[tuple[ReportScope, date, date]]:
    """What the scheduled warm-up precomputes, as the program office (and everyone, when no project is
    restricted) sees it: every preset period of the program, and each business unit's default period.
    Units' other presets and projects are computed on demand: at 100,000 entries a unit's report takes
    seconds and the program's a minute, so warming every preset of 40 units would keep a worker busy."""
    units = BusinessUnit.objects.order_by("pk").values_list("pk", flat=True)
    plan = [(ReportScope(), start, end) for start, end in preset_periods(today=today)]
    plan += [(ReportScope(business_unit_id=pk), today - timedelta(days=DEFAULT_DAYS), today) for pk in units]
    return plan


def preset_periods(*, today: date) -> list[tuple[date, date]]:
    """The preset periods ending today (end exclusive), as the dashboards' `days` parameter gives them."""
    return [(today - timedelta(days=n), today) for n in PRESETS]


def snapshots_prune(*, now: datetime | None = None) -> int:
    """Delete snapshots not computed for SNAPSHOT_KEEP_DAYS: a requested snapshot is recomputed as soon
    as it is stale, so these are of periods nobody looks at any more."""
    cutoff = (now or timezone.now()) - timedelta(days=SNAPSHOT_KEEP_DAYS)
    forgotten = Q(computed_at__lt=cutoff) | Q(computed_at__isnull=True, refreshing_since__lt=cutoff)
    deleted, _ = ReportSnapshot.objects.filter(forgotten).delete()
    return deleted
