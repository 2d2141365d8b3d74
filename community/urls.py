"""The community app's pages, one URL module per area so that each stays small."""

from django.urls import include, path

app_name = "community"

urlpatterns = [
    path("", include("community.urls_journey")),
    path("", include("community.urls_badges")),
    path("", include("community.urls_people")),
    path("", include("community.urls_library")),
]
