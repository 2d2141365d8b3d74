"""The API's named lists: topics, languages and business units, with how many projects carry each."""

from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets

from catalog.api.filters import NameFilter
from catalog.api.serializers.common import BusinessUnitSerializer, LanguageSerializer, TopicSerializer
from catalog.api.views.common import AnnotationOrdering
from catalog.models import BusinessUnit, Language, Project, Topic


class _NamedViewSet(AnnotationOrdering, viewsets.ReadOnlyModelViewSet):
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    filterset_class = NameFilter
    ordering_fields = ["name", "projects"]
    ordering = ["name"]
    annotation_ordering = ("projects", "project_count", "name")

    # Whether a name with no project this person sees is listed at all: a topic or language used only
    # by restricted projects would tell of them; business units are the organisation's, not a secret.
    lists_unused = False

    def get_queryset(self):
        seen = Project.objects.listed().visible_to(self.request.user).values("pk")
        names = self.model.objects.annotate(
            project_count=Count("projects", filter=Q(projects__in=seen), distinct=True)
        )
        if self.lists_unused:
            return names
        in_use = Q(projects__in=seen) | Q(assets__project__in=seen)
        return names.filter(pk__in=self.model.objects.filter(in_use).values("pk"))


@extend_schema(tags=["catalog"])
class TopicViewSet(_NamedViewSet):
    """Topics with the number of listed projects that carry them."""

    model = Topic
    serializer_class = TopicSerializer


@extend_schema(tags=["catalog"])
class LanguageViewSet(_NamedViewSet):
    model = Language
    serializer_class = LanguageSerializer


@extend_schema(tags=["catalog"])
class BusinessUnitViewSet(_NamedViewSet):
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    lists_unused = True
    model = BusinessUnit
    serializer_class = BusinessUnitSerializer
