from django.urls import path

from metrics.views import dashboards, usage, value
from metrics.webhooks import views as webhooks

app_name = "metrics"

urlpatterns = [
    path("metrics/", dashboards.program_dashboard, name="dashboard"),
    path("metrics/value-settings/", value.value_settings, name="value_settings"),
    path("catalog/<slug:slug>/metrics/", dashboards.project_dashboard, name="project_dashboard"),
    path("webhooks/github/", webhooks.github_webhook, name="github_webhook"),
    path("webhooks/gitlab/", webhooks.gitlab_webhook, name="gitlab_webhook"),
    path("usage/beacon/", usage.beacon, name="usage_beacon"),
]
