"""The metrics API: the reports of METRICS.md for the program and for one project (JSON or CSV), and usage
reported by other systems (downloads and consumption of an asset)."""

from django.urls import path

from metrics.api.reports import ProgramMetricsView, ProjectMetricsView
from metrics.api.usage import UsageReportView

ROUTES: list = []
urlpatterns = [
    path("metrics/", ProgramMetricsView.as_view(), name="metrics"),
    path("projects/<slug:slug>/metrics/", ProjectMetricsView.as_view(), name="project_metrics"),
    path("usage/", UsageReportView.as_view(), name="usage_report"),
]
