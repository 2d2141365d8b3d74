"""The program and project dashboards (the same figures as JSON or CSV: metrics/api/reports.py).

Every signed-in person may read every figure ("open everything"); the figures are about projects and
teams, never rankings of individuals. Anonymous callers get 401 from the API and the sign-in page from
the dashboards.

The figures are computed ahead, in the background, into snapshots (metrics.tasks.snapshot_for): a
dashboard request reads one row, whatever the amount of activity behind it.
"""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from catalog.models import BusinessUnit, Project
from metrics import report_sections, reports, snapshots, tasks
from metrics.charts import chart
from metrics.periods import PeriodError, parse_business_unit, parse_period
from metrics.scopes import viewer_scope
from metrics.snapshots import PRESETS

# How often the "being computed" page reloads itself.
PENDING_REFRESH_SECONDS = 5

CATEGORY_TITLES = {
    "contribution_activity": "Contribution activity",
    "community_engagement": "Community engagement",
    "reuse_and_collaboration": "Reuse and collaboration",
    "time_to_value": "Time to value",
}
CATEGORY_HELP = {
    "contribution_activity": "Who contributes, and how much of it is merged.",
    "community_engagement": "How people use the portal to find and join projects.",
    "reuse_and_collaboration": "Who adopts and consumes what is shared.",
    "time_to_value": "How fast contributors hear back and get merged.",
}


def _csv_response(report: dict, name: str) -> HttpResponse:
    response = HttpResponse(reports.report_csv(report), content_type="text/csv; charset=utf-8")
    period = report["period"]
    response["Content-Disposition"] = (
        f'attachment; filename="metrics-{name}-{period["start"]}-{period["end"]}.csv"'
    )
    return response


NOT_OVER = "no comparison yet: no day of this period is over"
# How a bucket that is not complete is marked, on its chart and in its data table (reports.bucket_state).
BUCKET_NOTES = {reports.PARTIAL: "so far", reports.FUTURE: "not started"}


def _change(current, previous, higher_is_better: bool, *, complete_days: int | None = None) -> dict:
    """The change of a headline against the previous period, in words as well as an arrow.
    `complete_days`: the period is not over, and `current` and `previous` are the figures of its first
    complete days and of as many days of the previous period (reports.comparison_periods)."""
    if current is None or previous is None:
        return {"direction": "none", "arrow": "", "text": "no comparison: no data in one of the periods"}
    if complete_days is None:
        before = f"previously {previous:g}"
    else:
        days = f"{complete_days} day{'s' if complete_days != 1 else ''}"
        before = f"{current:g} in its first {days}, against {previous:g} in the first {days} of the previous period"
    if previous == 0:
        text = "no change (0 before)" if current == 0 else "new: none in the previous period"
        if complete_days is not None:
            text = f"{text} ({before})"
        return {
            "direction": "flat" if current == 0 else "up",
            "arrow": "" if current == 0 else "▲",
            "text": text,
        }
    percent = round((current - previous) / previous * 100)
    if percent == 0:
        return {"direction": "flat", "arrow": "▬", "text": f"no change ({before})"}
    up = percent > 0
    better = up == higher_is_better
    return {
        "direction": "up" if up else "down",
        "arrow": "▲" if up else "▼",
        "good": better,
        "text": f"{'up' if up else 'down'} {abs(percent)}% ({'better' if better else 'worse'}; {before})",
    }


def _label(day: date) -> str:
    return f"{day.day} {day:%b}"


def _headline_change(*, figure: str, value, data: dict, higher_is_better: bool) -> dict:
    """The change of one headline against the equally complete part of the previous period."""
    comparison = data["comparison"]
    if comparison is None:
        return {"direction": "none", "arrow": "", "text": NOT_OVER}
    previous = data["previous"][figure]
    if not comparison["partial"]:
        return _change(value, previous, higher_is_better)
    days = (comparison["end"] - comparison["start"]).days
    return _change(comparison["current"][figure], previous, higher_is_better, complete_days=days)


def _bucket_notes(trend: list[dict]) -> dict[int, str]:
    return {i: BUCKET_NOTES[b["state"]] for i, b in enumerate(trend) if b["state"] in BUCKET_NOTES}


def _categories(report: dict, data: dict) -> list[dict]:
    trend = data["trend"]
    notes = _bucket_notes(trend)
    categories = []
    for key in reports.CATEGORIES:
        headlines = []
        for figure, path, higher_is_better, label in reports.HEADLINES[key]:
            value = reports.headline_value(report, path)
            unit = "hours" if figure.endswith("_hours") else ""
            # A bucket after today has no figure yet (not a zero).
            rows = [(_label(b["start"]), None if b["state"] == reports.FUTURE else b[figure]) for b in trend]
            headlines.append(
                {
                    "label": label,
                    "value": value,
                    "unit": unit,
                    "change": _headline_change(
                        figure=figure, value=value, data=data, higher_is_better=higher_is_better
                    ),
                    "chart": chart(
                        title=f"{label} per period bucket",
                        rows=rows,
                        unit=unit,
                        kind="bar" if unit == "" else "line",
                        notes=notes,
                    ),
                }
            )
        figures = [(k, v) for _c, k, v in reports.report_rows({key: report[key]})]
        categories.append(
            {
                "key": key,
                "title": CATEGORY_TITLES[key],
                "help": CATEGORY_HELP[key],
                "headlines": headlines,
                "figures": figures,
            }
        )
    return categories


def _money(value: float | None, currency: str) -> str:
    return "—" if value is None else f"{value:,.0f} {currency}"


def _value_section(report: dict, *, notes: dict[int, str]) -> dict | None:
    """The "Value of reuse" section from the report's value_of_reuse (metrics.selectors.reuse_value):
    its figures with money written out, and its chart of engineer-days saved per bucket. None for a
    snapshot stored before the section existed."""
    value = report.get("value_of_reuse")
    if value is None:
        return None
    currency = value["assumptions"]["currency"]
    rows = [(_label(date.fromisoformat(b["start"])), b["days"]) for b in value["over_time"]]
    return {
        **value,
        "currency": currency,
        "value_text": _money(value["value"], currency),
        "program_cost_text": _money(value["program_cost"], currency),
        "by_asset": [{**line, "value_text": _money(line["value"], currency)} for line in value["by_asset"]],
        "by_business_unit": [
            {
                **line,
                "provided_text": _money(line["provided_value"], currency),
                "received_text": _money(line["received_value"], currency),
            }
            for line in value["by_business_unit"]
        ],
        "over_time": [
            {**b, "start": date.fromisoformat(b["start"]), "value_text": _money(b["value"], currency)}
            for b in value["over_time"]
        ],
        "chart": chart(
            title="Engineer-days saved by reuse per period bucket",
            rows=rows,
            unit="",
            kind="bar",
            notes=notes,
        ),
    }


def _dashboard(request: HttpRequest, *, project: Project | None) -> HttpResponse:
    """A dashboard read from its snapshot (metrics.tasks.snapshot_for): a handful of queries whatever the
    amount of activity."""
    template = "metrics/project_dashboard.html" if project else "metrics/program_dashboard.html"
    units = list(BusinessUnit.objects.all()) if project is None else []
    context: dict = {"project": project, "business_units": units, "presets": PRESETS, "params": request.GET}
    try:
        start, end, preset = parse_period(request.GET)
        unit = None if project else parse_business_unit(request.GET)
    except PeriodError as error:
        context["error"] = error
        return render(request, template, context, status=400)
    scope = viewer_scope(project=project, business_unit=unit, viewer=request.user)

    if request.GET.get("format") == "csv":
        report = snapshots.snapshot_report(scope=scope, start=start, end=end)
        return _csv_response(report, project.slug if project else (unit.slug if unit else "program"))

    context.update(
        start=start,
        end=end,
        last_day=end - timedelta(days=1),
        # States (stages, active adoptions) are as of the period's last day, or today when that is to come.
        state_day=min(end - timedelta(days=1), timezone.now().date()),
        days=(end - start).days,
        preset=preset,
        unit=unit,
        csv_query=_csv_query(request),
    )
    snapshot = tasks.snapshot_for(scope=scope, start=start, end=end)
    if snapshot.data is None:
        # A worker computes it: the page says so and reloads itself (no script: a meta refresh).
        context.update(pending=True, refresh_seconds=PENDING_REFRESH_SECONDS)
        return render(request, template, context)

    data = snapshots.snapshot_data(snapshot)
    report = data["report"]
    comparison = data["comparison"]
    if comparison is not None:
        context.update(
            compared_days=(comparison["end"] - comparison["start"]).days,
            compared_partial=comparison["partial"],
            previous_start=comparison["previous_start"],
            previous_end=comparison["previous_end"] - timedelta(days=1),
        )
    context.update(
        report=report,
        comparison=comparison,
        computed_at=snapshot.computed_at,
        stale=snapshots.snapshot_is_stale(snapshot),
        categories=_categories(report, data),
        value=_value_section(
            report,
            # Its buckets are the trend's (reports.split_period of the same period and count).
            notes=_bucket_notes(data["trend"]),
        ),
        trend=data["trend"],
        ttv=report["time_to_value"],
        most_adopted=data["most_adopted"],
        innersource_ratio=reports.percent_text(report["contribution_activity"]["innersource_ratio"]),
        within_2_business_days=reports.percent_text(
            report["time_to_value"]["responded_within_2_business_days"]
        ),
    )
    if project is None:
        context.update(
            top_searches=data.get("top_searches", []),
            zero_searches=data.get("zero_searches", []),
            program_sections=[
                {"template": section.template, **section.present(report[section.key])}
                for section in report_sections.program_sections()
                # A snapshot stored before a section was registered does not hold it yet.
                if section.key in report
            ],
        )
    return render(request, template, context)


def _csv_query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params["format"] = "csv"
    return params.urlencode()


@require_GET
@login_required
def program_dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, project=None)


@require_GET
@login_required
def project_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_object_or_404(Project.objects.listed().visible_to(request.user), slug=slug)
    return _dashboard(request, project=project)
