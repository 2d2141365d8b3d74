"""The metrics report of METRICS.md (the API's JSON and the dashboards' figures), its trend over
buckets of the period, and its CSV form.

This lives in `portal` because the report crosses apps: metrics never imports community (DESIGN.md),
while the report needs the journey funnel and the onboardings that community computes.
"""

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from catalog.models import Asset, BusinessUnit, Project, SearchEntry, Visibility
from catalog.permissions import is_program_office
from catalog.selectors.search import text_match
from community import funnel
from metrics import engagement, selectors
from metrics.computations import duration_summary
from metrics.models import UsageEvent, UsageKind
from portal.models import ReportSnapshot

__all__ = [
    "CATEGORIES",
    "COMPLETE",
    "FUTURE",
    "HEADLINES",
    "PARTIAL",
    "bucket_state",
    "comparison_periods",
    "metrics_report",
    "previous_period",
    "report_csv",
    "report_rows",
    "report_trend",
    "snapshot_claim",
    "snapshot_compute",
    "snapshot_is_stale",
    "snapshots_prune",
    "split_period",
    "trend_buckets",
    "viewer_scope",
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

CATEGORIES = ("contribution_activity", "community_engagement", "reuse_and_collaboration", "time_to_value")

# The figure each category leads with on the dashboards, where to find it in the report, whether a rise
# is good news, and how it is labelled. The trend (report_trend) computes exactly these figures.
HEADLINES = {
    "contribution_activity": [
        ("contributors", ("contribution_activity", "contributors"), True, "Contributors"),
        (
            "change_requests_merged",
            ("contribution_activity", "change_requests_merged"),
            True,
            "Merged requests",
        ),
    ],
    "community_engagement": [
        ("page_views", ("community_engagement", "page_views"), True, "Page views"),
    ],
    "reuse_and_collaboration": [
        ("asset_consumptions", ("reuse_and_collaboration", "asset_consumptions"), True, "Asset consumptions"),
    ],
    "time_to_value": [
        (
            "first_response_median_hours",
            ("time_to_value", "time_to_first_response", "median_hours"),
            False,
            "Median hours to first response",
        ),
    ],
}


@dataclass(frozen=True)
class ReportScope:
    """Whose figures a report holds: one project, a business unit's listed projects, or the program, less
    the restricted projects hidden from the viewer. `hidden` is None when the viewer hides nothing (the
    program office, or no restricted project exists): the program is then every project (scope None)."""

    project_id: int | None = None
    business_unit_id: int | None = None
    hidden: tuple[int, ...] | None = None

    @property
    def key(self) -> str:
        """The snapshot key. Hidden sets are hashed: bounded length, and viewers hiding different projects
        never share figures."""
        if self.project_id is not None:
            key = f"project:{self.project_id}"
        elif self.business_unit_id is not None:
            key = f"unit:{self.business_unit_id}"
        else:
            key = "program"
        if self.hidden is not None:
            digest = hashlib.sha256(",".join(map(str, self.hidden)).encode()).hexdigest()[:16]
            key += f":hides:{digest}"
        return key

    def params(self) -> dict:
        return {
            "project": self.project_id,
            "business_unit": self.business_unit_id,
            "hidden": None if self.hidden is None else list(self.hidden),
        }

    @classmethod
    def from_params(cls, params: dict) -> "ReportScope":
        hidden = params.get("hidden")
        return cls(
            project_id=params.get("project"),
            business_unit_id=params.get("business_unit"),
            hidden=None if hidden is None else tuple(hidden),
        )

    def projects(self) -> QuerySet | None:
        if self.project_id is not None:
            return Project.objects.filter(pk=self.project_id)
        listed = Project.objects.listed()
        if self.hidden:
            listed = listed.exclude(pk__in=self.hidden)
        if self.business_unit_id is not None:
            return listed.filter(business_unit_id=self.business_unit_id)
        return None if self.hidden is None else listed


def viewer_scope(
    *, project: Project | None = None, business_unit: BusinessUnit | None = None, viewer=None
) -> ReportScope:
    """The scope of a report as `viewer` may read it. Program and unit figures leave out the restricted
    projects not shared with the viewer; no viewer: everything (the program office's view, commands)."""
    if project is not None:
        return ReportScope(project_id=project.pk)
    unit_id = business_unit.pk if business_unit is not None else None
    if (
        viewer is None
        or is_program_office(viewer)
        or not Project.objects.filter(visibility=Visibility.UNITS).exists()
    ):
        return ReportScope(business_unit_id=unit_id)
    restricted = Project.objects.listed().filter(visibility=Visibility.UNITS)
    if unit_id is not None:
        restricted = restricted.filter(business_unit_id=unit_id)
    seen = Project.objects.visible_to(viewer).values("pk")
    hidden = tuple(sorted(restricted.exclude(pk__in=seen).values_list("pk", flat=True)))
    if unit_id is not None:
        # Nothing of the unit hidden: the unit's figures are everyone's.
        return ReportScope(business_unit_id=unit_id, hidden=hidden or None)
    # A program scope of listed projects (even none hidden) differs from the unrestricted program, which
    # also counts usage outside projects: the empty set keeps its own key.
    return ReportScope(hidden=hidden)


def report_scope(project: Project | None, business_unit: BusinessUnit | None, viewer=None) -> QuerySet | None:
    """The projects a report covers: one project, a unit's listed projects, or None for the program
    (see viewer_scope)."""
    return viewer_scope(project=project, business_unit=business_unit, viewer=viewer).projects()


def metrics_report(
    *,
    project: Project | None = None,
    business_unit: BusinessUnit | None = None,
    start: date,
    end: date,
    viewer=None,
) -> dict:
    """The whole report of METRICS.md for [start, end): for one project, or for the program (narrowed to
    a business unit's projects when one is given). The journey funnel is part of the program report only."""
    return _report(
        projects=report_scope(project, business_unit, viewer),
        project=project,
        business_unit=business_unit,
        start=start,
        end=end,
    )


def _report(
    *,
    projects: QuerySet | None,
    project: Project | None,
    business_unit: BusinessUnit | None,
    start: date,
    end: date,
) -> dict:
    days = engagement.usage_by_day(projects=projects, start=start, end=end)
    report: dict = {"scope": "project" if project else "program"}
    if project is not None:
        report["slug"] = project.slug
    elif business_unit is not None:
        report["business_unit"] = business_unit.slug
    report["period"] = {"start": start.isoformat(), "end": end.isoformat()}
    report["contribution_activity"] = selectors.contribution_activity(projects=projects, start=start, end=end)
    report["community_engagement"] = engagement.community_engagement(
        projects=projects, start=start, end=end, days=days
    )
    report["reuse_and_collaboration"] = {
        **selectors.reuse_adoptions(projects=projects, start=start, end=end),
        **engagement.reuse_consumption(projects=projects, start=start, end=end, days=days),
        "new_onboardings": funnel.new_onboardings(start=start, end=end, projects=projects),
    }
    report["time_to_value"] = selectors.time_to_value(projects=projects, start=start, end=end)
    if project is None:
        report["journey"] = funnel.journey_funnel(end=end, business_unit=business_unit)
    return report


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before [start, end)."""
    return start - (end - start), start


# Whether every day of a bucket [start, end) is over: a day is complete once the next one has begun
# (UTC, as every period). "today" is the day the figures are computed on.
COMPLETE, PARTIAL, FUTURE = "complete", "partial", "future"


def bucket_state(start: date, end: date, *, today: date) -> str:
    """complete: every day is over (`end` <= today, `end` being exclusive; the default periods end
    today, so they are complete); partial: it holds today, whose figures are only those so far; future:
    it starts after today, nothing in it has happened yet."""
    if end <= today:
        return COMPLETE
    return PARTIAL if start <= today else FUTURE


def comparison_periods(
    start: date, end: date, *, today: date
) -> tuple[tuple[date, date], tuple[date, date]] | None:
    """What the change against the previous period compares: ((current), (previous)) as [start, end).

    A period compares only with an equally complete one. Over (`end` <= today): the whole period with
    the whole previous one. Not over yet: its complete days [start, today) with as many days from the
    start of the previous period, so that a partial period is never measured against a whole one (the
    day in progress is left out on both sides). None when no day of it is over: nothing to compare."""
    cut = min(end, today)
    if cut <= start:
        return None
    previous_start, _previous_end = previous_period(start, end)
    return (start, cut), (previous_start, previous_start + (cut - start))


def split_period(start: date, end: date, buckets: int) -> list[tuple[date, date]]:
    """[start, end) cut into at most `buckets` consecutive whole-day buckets of near-equal length (the
    first ones one day longer when the days do not divide evenly)."""
    days = (end - start).days
    buckets = max(1, min(buckets, days))
    size, extra = divmod(days, buckets)
    edges, at = [], start
    for i in range(buckets):
        following = at + timedelta(days=size + (1 if i < extra else 0))
        edges.append((at, following))
        at = following
    return edges


def report_trend(
    *,
    project: Project | None = None,
    business_unit: BusinessUnit | None = None,
    start: date,
    end: date,
    buckets: int,
    viewer=None,
    today: date | None = None,
) -> list[dict]:
    """The headline figures (HEADLINES) of each bucket of the period, computed as the report computes
    them, each with its `state` on `today` (default: the clock's UTC day; see bucket_state). Merged
    requests and usage come from one grouped query each for the whole period; contributors and first
    responses need the people machinery of metrics.selectors, which runs a fixed handful of queries per
    bucket: O(buckets) queries, independent of the amount of activity."""
    return _trend(
        projects=report_scope(project, business_unit, viewer),
        start=start,
        end=end,
        buckets=buckets,
        today=today or timezone.now().date(),
    )


def trend_buckets(start: date, end: date) -> int:
    """Weekly-ish buckets for a month or a quarter, monthly-ish for longer periods."""
    return 12 if (end - start).days > 180 else 6


def _trend(*, projects: QuerySet | None, start: date, end: date, buckets: int, today: date) -> list[dict]:
    edges = split_period(start, end, buckets)
    merged = selectors.merged_per_bucket(projects=projects, edges=edges)
    days = engagement.usage_by_day(projects=projects, start=start, end=end)

    trend = []
    for i, (b_start, b_end) in enumerate(edges):
        hours, unanswered = selectors.first_response_hours(projects=projects, start=b_start, end=b_end)
        usage = engagement.totals(days, lo=b_start, hi=b_end)
        trend.append(
            {
                "start": b_start,
                "end": b_end,
                "state": bucket_state(b_start, b_end, today=today),
                "contributors": selectors.contributor_count(projects=projects, start=b_start, end=b_end),
                "change_requests_merged": merged[i],
                "page_views": usage["page_view"],
                "asset_consumptions": usage["consumptions"],
                "first_response_median_hours": duration_summary(hours, unanswered=unanswered)["median_hours"],
            }
        )
    return trend


def headline_value(report: dict, path: tuple[str, ...]):
    value = report
    for part in path:
        value = value[part]
    return value


def report_rows(report: dict) -> list[tuple[str, str, object]]:
    """(category, key, value) for every figure of the report; nested figures (durations, the journey's
    stage counts) are flattened as "key.part", e.g. "time_to_first_response.median_hours"."""
    rows: list[tuple[str, str, object]] = []

    def walk(category: str, prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(category, f"{prefix}.{key}" if prefix else key, inner)
        else:
            rows.append((category, prefix, value))

    for category in (*CATEGORIES, "journey"):
        if category in report:
            walk(category, "", report[category])
    return rows


def report_csv(report: dict) -> str:
    """The report as CSV: a header, then one row per figure; null is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["category", "key", "value"])
    for category, key, value in report_rows(report):
        writer.writerow([category, key, "" if value is None else value])
    return out.getvalue()


# --- snapshots: what a dashboard shows, computed ahead ---------------------------------------------


# A search query is someone's words: a dashboard shows one only when at least this many different
# signed-in people typed it in the period. Anonymous visitors do not count: a fresh browser is a fresh
# pseudonymous visitor, so one person could pass for three.
SEARCH_QUERY_MIN_PEOPLE = 3
TOP_QUERIES = 10


def top_queries(
    *, start: date, end: date, hidden: tuple[int, ...] | None = None
) -> tuple[list[dict], list[dict]]:
    """The 10 most frequent searches, and the 10 most frequent with no result, in the period, among
    those typed by at least SEARCH_QUERY_MIN_PEOPLE different people; a query that finds one of the
    `hidden` projects (restricted ones the dashboard's readers do not see) is never shown."""
    lo, hi = selectors.period_bounds(start, end)
    searches = UsageEvent.objects.filter(
        kind=UsageKind.SEARCH, occurred_at__gte=lo, occurred_at__lt=hi
    ).exclude(query="")
    telling = _queries_finding(hidden)

    def ranked(events: QuerySet) -> list[dict]:
        rows = (
            events.values("query")
            .annotate(
                n=Count("pk"), people=Count("visitor", distinct=True, filter=Q(visitor__startswith="u:"))
            )
            .filter(people__gte=SEARCH_QUERY_MIN_PEOPLE)
            .order_by("-n", "query")
        )
        shown = []
        for row in rows[: TOP_QUERIES * 3]:
            if not telling(row["query"]):
                shown.append({"query": row["query"], "n": row["n"]})
                if len(shown) == TOP_QUERIES:
                    break
        return shown

    return ranked(searches), ranked(searches.filter(result_count=0))


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
    report = _report(projects=projects, project=project, business_unit=unit, start=start, end=end)
    trend = _trend(projects=projects, start=start, end=end, buckets=trend_buckets(start, end), today=today)
    data: dict = {
        "report": report,
        **_comparison(projects=projects, start=start, end=end, today=today),
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


def _comparison(*, projects: QuerySet | None, start: date, end: date, today: date) -> dict:
    """The figures the change against the previous period compares (comparison_periods): `previous`,
    the headline figures of the previous side (None: nothing to compare), and `comparison`, both sides'
    dates and, when the period is not over, `current`: the headlines of its complete days (the headline
    values themselves hold the day in progress too)."""
    periods = comparison_periods(start, end, today=today)
    if periods is None:
        return {"previous": None, "comparison": None}
    (current_start, current_end), (previous_start, previous_end) = periods
    previous = _trend(projects=projects, start=previous_start, end=previous_end, buckets=1, today=today)[0]
    current = None
    if current_end < end:
        current = _headlines(
            _trend(projects=projects, start=current_start, end=current_end, buckets=1, today=today)[0]
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
    (portal.tasks.snapshot_refresh_queue)."""
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
    stored (API clients can wait; the dashboard then finds it fresh)."""
    snapshot = ReportSnapshot.objects.filter(scope_key=scope.key, start=start, end=end).first()
    if snapshot is None or snapshot.data is None or snapshot_is_stale(snapshot):
        snapshot = snapshot_compute(scope=scope, start=start, end=end)
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
