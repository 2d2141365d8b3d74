from django.urls import path

from metrics.webhooks import views

app_name = "metrics"

urlpatterns = [
    path("webhooks/github/", views.github_webhook, name="github_webhook"),
    path("webhooks/gitlab/", views.gitlab_webhook, name="gitlab_webhook"),
]
