"""The catalog's API: search, projects, assets, adoptions, topics, languages and business units.

Reads are for signed-in people; writes go through catalog.services with the pages' permissions: anyone
signed in registers a project (it waits for review) and adopts assets; owners, maintainers and the
program office edit a project and its assets; the program office reviews and curates.
"""

from django.urls import path

from catalog.api.radar import DuplicateDismissView, DuplicatesView, DuplicateTellView
from catalog.api.search import SearchView
from catalog.api.views import (
    AdoptionViewSet,
    AssetViewSet,
    BusinessUnitViewSet,
    LanguageViewSet,
    ProjectViewSet,
    TopicViewSet,
)

ROUTES = [
    ("projects", ProjectViewSet, "project"),
    ("assets", AssetViewSet, "asset"),
    ("adoptions", AdoptionViewSet, "adoption"),
    ("topics", TopicViewSet, "topic"),
    ("languages", LanguageViewSet, "language"),
    ("business-units", BusinessUnitViewSet, "business-unit"),
]
urlpatterns = [
    path("search/", SearchView.as_view(), name="search"),
    path("duplicates/", DuplicatesView.as_view(), name="duplicates"),
    path("duplicates/<str:key>/not-duplicates/", DuplicateDismissView.as_view(), name="duplicates_dismiss"),
    path("duplicates/<str:key>/tell-owners/", DuplicateTellView.as_view(), name="duplicates_tell"),
]
