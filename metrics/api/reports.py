"""Metrics of METRICS.md for the program and for one project, as JSON or CSV (`?format=csv`): the
dashboards' snapshot report when it is fresh, else computed at once (and stored for the dashboards)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Project
from metrics import reports, snapshots
from metrics.periods import PeriodError, parse_business_unit, parse_period
from metrics.scopes import viewer_scope


class ReportCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return reports.report_csv(data)


PERIOD_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (UTC) of the period."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Day after the period (exclusive)."),
    OpenApiParameter("days", int, enum=[30, 90, 365], description="A preset period ending today."),
    OpenApiParameter("format", str, enum=["json", "csv"], description="csv: the same figures as CSV."),
]
REPORT_RESPONSE = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="The report of METRICS.md: scope, period and one object per category of metrics.",
)


class _ReportView(APIView):
    renderer_classes = [JSONRenderer, ReportCSVRenderer]

    def handle_exception(self, exc):
        # Errors are JSON even when CSV was asked for: a client reads the message the same way always.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    def _period(self, request):
        try:
            return parse_period(request.query_params)
        except PeriodError as error:
            raise ValidationError({error.field: [error.message]}) from None

    def _answer(self, request, report: dict, name: str) -> Response:
        response = Response(report)
        if request.accepted_renderer.format == "csv":
            period = report["period"]
            response["Content-Disposition"] = (
                f'attachment; filename="metrics-{name}-{period["start"]}-{period["end"]}.csv"'
            )
        return response


class ProgramMetricsView(_ReportView):
    @extend_schema(
        operation_id="metrics_program",
        tags=["metrics"],
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("business_unit", str, description="Slug: narrow to one unit's projects."),
        ],
        responses={200: REPORT_RESPONSE},
    )
    def get(self, request):
        start, end, _preset = self._period(request)
        try:
            unit = parse_business_unit(request.query_params)
        except PeriodError as error:
            raise ValidationError({error.field: [error.message]}) from None
        scope = viewer_scope(business_unit=unit, viewer=request.user)
        report = snapshots.snapshot_report(scope=scope, start=start, end=end)
        return self._answer(request, report, unit.slug if unit else "program")


class ProjectMetricsView(_ReportView):
    @extend_schema(
        operation_id="metrics_project",
        tags=["metrics"],
        parameters=PERIOD_PARAMETERS,
        responses={200: REPORT_RESPONSE},
    )
    def get(self, request, slug: str):
        project = get_object_or_404(Project.objects.listed().visible_to(request.user), slug=slug)
        start, end, _preset = self._period(request)
        scope = viewer_scope(project=project, viewer=request.user)
        return self._answer(request, snapshots.snapshot_report(scope=scope, start=start, end=end), slug)
