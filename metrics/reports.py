"""The metrics report of METRICS.md (the API's JSON and the dashboards' figures), its trend over
buckets of the period, and its CSV form. Figures other apps compute (community's onboardings and journey
funnel) come through metrics.report_sections, which they fill when they start.
"""

import csv
import io
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from catalog.models import BusinessUnit, Project
from metrics import engagement, report_sections, selectors
from metrics.computations import duration_summary
from metrics.scopes import report_scope

__all__ = [
    "CATEGORIES",
    "COMPLETE",
    "FUTURE",
    "HEADLINES",
    "PARTIAL",
    "bucket_state",
    "comparison_periods",
    "metrics_report",
    "percent_text",
    "previous_period",
    "report_compute",
    "report_csv",
    "report_rows",
    "report_trend",
    "split_period",
    "trend_buckets",
    "trend_compute",
]

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
    return report_compute(
        projects=report_scope(project, business_unit, viewer),
        project=project,
        business_unit=business_unit,
        start=start,
        end=end,
    )


def report_compute(
    *,
    projects: QuerySet | None,
    project: Project | None,
    business_unit: BusinessUnit | None,
    start: date,
    end: date,
    responses: selectors.FirstResponses | None = None,
    days: dict[date, engagement.DayCounts] | None = None,
) -> dict:
    """metrics_report's figures; `responses` (selectors.first_responses) and `days`
    (engagement.usage_by_day) are their answers for [start, end) when the caller already has them."""
    if days is None:
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
    }
    value = selectors.reuse_value(
        projects=projects, start=start, end=end, buckets=split_period(start, end, trend_buckets(start, end))
    )
    report["reuse_and_collaboration"].update(
        estimated_effort_saved_days=value["effort_saved_days"], estimated_value=value["value"]
    )
    report["value_of_reuse"] = value
    report["time_to_value"] = selectors.time_to_value(
        projects=projects, start=start, end=end, responses=responses
    )
    for category in CATEGORIES:
        report[category].update(
            report_sections.compute_period_figures(category=category, start=start, end=end, projects=projects)
        )
    if project is None:
        for section in report_sections.program_sections():
            report[section.key] = section.compute(end=end, business_unit=business_unit)
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
    requests, contributors and usage come from one grouped query each for the whole period, and the first
    responses from one computation of the period's items, sliced by bucket: a fixed number of queries
    whatever the buckets."""
    return trend_compute(
        projects=report_scope(project, business_unit, viewer),
        start=start,
        end=end,
        buckets=buckets,
        today=today or timezone.now().date(),
    )


def trend_buckets(start: date, end: date) -> int:
    """Weekly-ish buckets for a month or a quarter, monthly-ish for longer periods."""
    return 12 if (end - start).days > 180 else 6


def trend_compute(
    *,
    projects: QuerySet | None,
    start: date,
    end: date,
    buckets: int,
    today: date,
    responses: selectors.FirstResponses | None = None,
    days: dict[date, engagement.DayCounts] | None = None,
) -> list[dict]:
    """report_trend's figures; `responses` (selectors.first_responses) and `days`
    (engagement.usage_by_day) are their answers for a period holding [start, end) when the caller
    already has them."""
    edges = split_period(start, end, buckets)
    merged = selectors.merged_per_bucket(projects=projects, edges=edges)
    contributors = selectors.contributors_per_bucket(projects=projects, edges=edges)
    if responses is None:
        responses = selectors.first_responses(projects=projects, start=start, end=end)
    if days is None:
        days = engagement.usage_by_day(projects=projects, start=start, end=end)

    trend = []
    for i, (b_start, b_end) in enumerate(edges):
        hours, _within, unanswered = responses.of(b_start, b_end)
        usage = engagement.totals(days, lo=b_start, hi=b_end)
        trend.append(
            {
                "start": b_start,
                "end": b_end,
                "state": bucket_state(b_start, b_end, today=today),
                "contributors": contributors[i],
                "change_requests_merged": merged[i],
                "page_views": usage["page_view"],
                "asset_consumptions": usage["consumptions"],
                "first_response_median_hours": duration_summary(hours, unanswered=unanswered)["median_hours"],
            }
        )
    return trend


def percent_text(share: float | None) -> str:
    """A share as the dashboards write it: "42%", or "—" when there is none (nobody to divide by)."""
    return "—" if share is None else f"{share * 100:.0f}%"


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

    for category in (*CATEGORIES, *(section.key for section in report_sections.program_sections())):
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
