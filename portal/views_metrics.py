"""The program and project dashboards (the same figures as JSON or CSV: portal/api/metrics.py).

Every signed-in person may read every figure ("open everything"); the figures are about projects and
teams, never rankings of individuals. Anonymous callers get 401 from the API and the sign-in page from
the dashboards.
"""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from catalog.models import Asset, BusinessUnit, Project
from community.models import STAGE_ORDER
from metrics.models import UsageEvent, UsageKind
from metrics.selectors import period_bounds
from portal import reports
from portal.charts import chart

PRESETS = (30, 90, 365)
DEFAULT_DAYS = 90
# Long enough for a three-year look back, short enough that one request stays cheap.
MAX_DAYS = 3 * 366

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


class PeriodError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message, self.field = message, field


def _date(params, name: str) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise PeriodError(f"{name} must be a date written YYYY-MM-DD.", name) from None


def parse_period(params) -> tuple[date, date, int | None]:
    """(start, end, preset) from `start`/`end` or a `days` preset. Defaults: the 90 whole days ending
    today (end exclusive, so today's unfinished day is not compared with full days)."""
    start, end = _date(params, "start"), _date(params, "end")
    preset = None
    if start is None and end is None:
        days = params.get("days") or str(DEFAULT_DAYS)
        if not days.isdigit() or int(days) not in PRESETS:
            raise PeriodError(f"days must be one of {', '.join(map(str, PRESETS))}.", "days")
        preset = int(days)
        end = timezone.now().date()
        start = end - timedelta(days=preset)
    end = end or timezone.now().date()
    start = start or end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise PeriodError("start must be before end (end is exclusive).", "start")
    if (end - start).days > MAX_DAYS:
        raise PeriodError(f"The period may span at most {MAX_DAYS} days.", "start")
    return start, end, preset


def parse_business_unit(params) -> BusinessUnit | None:
    slug = (params.get("business_unit") or "").strip()
    if not slug:
        return None
    unit = BusinessUnit.objects.filter(slug=slug).first()
    if unit is None:
        raise PeriodError(f"Unknown business unit “{slug}”.", "business_unit")
    return unit


def _csv_response(report: dict, name: str) -> HttpResponse:
    response = HttpResponse(reports.report_csv(report), content_type="text/csv; charset=utf-8")
    period = report["period"]
    response["Content-Disposition"] = (
        f'attachment; filename="metrics-{name}-{period["start"]}-{period["end"]}.csv"'
    )
    return response


def _change(current, previous, higher_is_better: bool) -> dict:
    """The change of a headline against the previous period, in words as well as an arrow."""
    if current is None or previous is None:
        return {"direction": "none", "arrow": "", "text": "no comparison: no data in one of the periods"}
    if previous == 0:
        text = "no change (0 before)" if current == 0 else "new: none in the previous period"
        return {
            "direction": "flat" if current == 0 else "up",
            "arrow": "" if current == 0 else "▲",
            "text": text,
        }
    percent = round((current - previous) / previous * 100)
    if percent == 0:
        return {"direction": "flat", "arrow": "▬", "text": f"no change (previously {previous:g})"}
    up = percent > 0
    better = up == higher_is_better
    return {
        "direction": "up" if up else "down",
        "arrow": "▲" if up else "▼",
        "good": better,
        "text": f"{'up' if up else 'down'} {abs(percent)}% ({'better' if better else 'worse'}; "
        f"previously {previous:g})",
    }


def _label(day: date) -> str:
    return f"{day.day} {day:%b}"


def _categories(report: dict, previous: dict, trend: list[dict]) -> list[dict]:
    categories = []
    for key in reports.CATEGORIES:
        headlines = []
        for figure, path, higher_is_better, label in reports.HEADLINES[key]:
            value = reports.headline_value(report, path)
            unit = "hours" if figure.endswith("_hours") else ""
            rows = [(_label(bucket["start"]), bucket[figure]) for bucket in trend]
            headlines.append(
                {
                    "label": label,
                    "value": value,
                    "unit": unit,
                    "change": _change(value, previous[figure], higher_is_better),
                    "chart": chart(
                        title=f"{label} per period bucket",
                        rows=rows,
                        unit=unit,
                        kind="bar" if unit == "" else "line",
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


def _top_queries(start: date, end: date) -> tuple[list[dict], list[dict]]:
    """The 10 most frequent searches, and the 10 most frequent with no result, in the period: two
    grouped queries on the (kind, occurred_at) index."""
    lo, hi = period_bounds(start, end)
    searches = UsageEvent.objects.filter(
        kind=UsageKind.SEARCH, occurred_at__gte=lo, occurred_at__lt=hi
    ).exclude(query="")
    top = list(searches.values("query").annotate(n=Count("pk")).order_by("-n", "query")[:10])
    zero = list(
        searches.filter(result_count=0).values("query").annotate(n=Count("pk")).order_by("-n", "query")[:10]
    )
    return top, zero


def _most_adopted(projects, end: date) -> list[Asset]:
    active = Q(adoptions__since__lte=end) & (
        Q(adoptions__ended_on__isnull=True) | Q(adoptions__ended_on__gt=end)
    )
    return list(
        Asset.objects.filter(project__in=projects)
        .annotate(active=Count("adoptions", filter=active))
        .filter(active__gt=0)
        .select_related("project")
        .order_by("-active", "name")[:10]
    )


def _dashboard(request: HttpRequest, *, project: Project | None) -> HttpResponse:
    template = "metrics/project_dashboard.html" if project else "metrics/program_dashboard.html"
    units = list(BusinessUnit.objects.all()) if project is None else []
    context: dict = {"project": project, "business_units": units, "presets": PRESETS, "params": request.GET}
    try:
        start, end, preset = parse_period(request.GET)
        unit = None if project else parse_business_unit(request.GET)
    except PeriodError as error:
        context["error"] = error
        return render(request, template, context, status=400)

    report = reports.metrics_report(
        project=project, business_unit=unit, start=start, end=end, viewer=request.user
    )
    if request.GET.get("format") == "csv":
        return _csv_response(report, project.slug if project else (unit.slug if unit else "program"))

    days = (end - start).days
    prev_start, prev_end = reports.previous_period(start, end)
    previous = reports.report_trend(
        project=project, business_unit=unit, start=prev_start, end=prev_end, buckets=1, viewer=request.user
    )[0]
    # Weekly-ish buckets for a month or a quarter, monthly-ish for longer periods.
    trend = reports.report_trend(
        project=project,
        business_unit=unit,
        start=start,
        end=end,
        buckets=12 if days > 180 else 6,
        viewer=request.user,
    )
    scope = reports.report_scope(project, unit, request.user)
    context.update(
        report=report,
        start=start,
        end=end,
        last_day=end - timedelta(days=1),
        days=days,
        preset=preset,
        unit=unit,
        previous_start=prev_start,
        previous_end=prev_end - timedelta(days=1),
        categories=_categories(report, previous, trend),
        trend=trend,
        ttv=report["time_to_value"],
        most_adopted=_most_adopted(scope if scope is not None else Project.objects.listed(), end),
        csv_query=_csv_query(request),
    )
    context["innersource_ratio"] = percent(report["contribution_activity"]["innersource_ratio"])
    context["within_2_business_days"] = percent(report["time_to_value"]["responded_within_2_business_days"])
    if project is None:
        context["top_searches"], context["zero_searches"] = _top_queries(start, end)
        context["journey"] = _journey(report["journey"])
    return render(request, template, context)


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def _journey(funnel: dict) -> dict:
    """The funnel with stage labels and the conversion into each stage, for one table."""
    stages = []
    for i, stage in enumerate(STAGE_ORDER):
        conversion = None
        if i:
            conversion = percent(funnel["stage_conversions"][f"{STAGE_ORDER[i - 1].value}_to_{stage.value}"])
        stages.append(
            {"label": stage.label, "count": funnel["stage_counts"][stage.value], "conversion": conversion}
        )
    return {"stages": stages, "median_days": funnel["median_days_explorer_to_contributor"]}


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
