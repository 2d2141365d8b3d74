from django.urls import path

from metrics import views_usage
from metrics.webhooks import views

app_name = "metrics"

urlpatterns = [
    path("webhooks/github/", views.github_webhook, name="github_webhook"),
    path("webhooks/gitlab/", views.gitlab_webhook, name="gitlab_webhook"),
    path("usage/beacon/", views_usage.beacon, name="usage_beacon"),
]
