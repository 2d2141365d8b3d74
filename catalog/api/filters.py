"""Filters of the catalog API: word lists and the project, asset, adoption and name filters."""

from django import forms
from django.db.models import Q
from django_filters import rest_framework as filters
from django_filters.widgets import QueryArrayWidget
from drf_spectacular.utils import extend_schema_field

from catalog.models import (
    Adoption,
    AdoptionSource,
    Asset,
    AssetKind,
    Lifecycle,
    Project,
    ReviewStatus,
)

MAX_WORDS = 20


class WordListField(forms.Field):
    """A repeatable query parameter (`?topic=a&topic=b`), as on the catalog pages."""

    widget = QueryArrayWidget

    def clean(self, value) -> list[str]:
        words = [v.strip() for v in (value or []) if isinstance(v, str) and v.strip()]
        if len(words) > MAX_WORDS:
            raise forms.ValidationError(f"At most {MAX_WORDS} values.")
        if any(len(word) > 120 or "\x00" in word for word in words):
            raise forms.ValidationError("Each value is a word of at most 120 characters.")
        return words


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class WordsFilter(filters.Filter):
    """Matches any of the given words (OR), like the catalog's facets."""

    field_class = WordListField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value}).distinct()


def _text_filter(fields: tuple[str, ...]):
    def method(queryset, name, value):
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    return method


class ProjectFilter(filters.FilterSet):
    q = filters.CharFilter(
        method=_text_filter(("name", "slug", "description")),
        max_length=200,
        help_text="Words in the name or description (for ranked search with facets: /api/v1/search/).",
    )
    topic = WordsFilter(field_name="topics__name", help_text="Topic names (any of them).")
    language = WordsFilter(field_name="languages__name", help_text="Language names (any of them).")
    business_unit = WordsFilter(field_name="business_unit__slug", help_text="Business unit slugs.")
    lifecycle = filters.MultipleChoiceFilter(choices=Lifecycle.choices)
    review_status = filters.MultipleChoiceFilter(
        choices=ReviewStatus.choices, help_text="The program office sees every status; others their own."
    )
    wants_contributions = filters.BooleanFilter(method="filter_wants_contributions")
    featured = filters.BooleanFilter()
    verified = filters.BooleanFilter()

    class Meta:
        model = Project
        fields = ["q", "topic", "language", "business_unit", "lifecycle", "review_status"]

    def filter_wants_contributions(self, queryset, name, value):
        wanting = ~Q(contributions_wanted="")
        return queryset.filter(wanting) if value else queryset.exclude(wanting)


class AssetFilter(filters.FilterSet):
    q = filters.CharFilter(method=_text_filter(("name", "slug", "description")), max_length=200)
    project = filters.CharFilter(field_name="project__slug", max_length=120, help_text="Project slug.")
    kind = filters.MultipleChoiceFilter(choices=AssetKind.choices)
    topic = WordsFilter(field_name="topics__name")
    language = WordsFilter(field_name="languages__name")
    business_unit = WordsFilter(field_name="project__business_unit__slug")

    class Meta:
        model = Asset
        fields = ["q", "project", "kind", "topic", "language", "business_unit"]


class AdoptionFilter(filters.FilterSet):
    asset = filters.NumberFilter(field_name="asset_id", min_value=1, max_value=2**31 - 1)
    project = filters.CharFilter(field_name="asset__project__slug", max_length=120)
    business_unit = WordsFilter(field_name="business_unit__slug")
    active = filters.BooleanFilter(method="filter_active", help_text="Not ended (or ending in the future).")
    source = filters.ChoiceFilter(
        choices=AdoptionSource.choices, help_text="declared (a team said so) or detected (found in code)."
    )

    class Meta:
        model = Adoption
        fields = ["asset", "project", "business_unit", "source"]

    def filter_active(self, queryset, name, value):
        active_ids = Adoption.objects.active().values("pk")
        return queryset.filter(pk__in=active_ids) if value else queryset.exclude(pk__in=active_ids)


class NameFilter(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=60)
