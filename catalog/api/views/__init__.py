"""Views of the catalog API: projects (register, edit, review, curate), assets, adoptions and the
named lists (topics, languages, business units)."""

from catalog.api.views.assets import AdoptionViewSet, AssetViewSet
from catalog.api.views.names import BusinessUnitViewSet, LanguageViewSet, TopicViewSet
from catalog.api.views.projects import ProjectViewSet

__all__ = [
    "AdoptionViewSet",
    "AssetViewSet",
    "BusinessUnitViewSet",
    "LanguageViewSet",
    "ProjectViewSet",
    "TopicViewSet",
]
