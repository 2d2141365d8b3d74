"""The catalog API's search: the catalog page's ranked, faceted, typo-tolerant search as JSON."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors
from catalog.api.serializers.common import names_of
from catalog.pagination import PortalPagination


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class SearchEntrySerializer(serializers.Serializer):
    type = serializers.CharField(source="entry_type")
    name = serializers.CharField()
    slug = serializers.CharField()
    project = serializers.CharField(source="project.slug")
    kind = serializers.CharField()
    summary = serializers.CharField()
    page = serializers.CharField(source="path")
    business_unit = serializers.CharField(source="business_unit.slug")
    lifecycle = serializers.CharField()
    languages = serializers.SerializerMethodField()
    activity_score = serializers.IntegerField()
    adoptions = serializers.IntegerField(source="adoption_count")
    wants_contributions = serializers.BooleanField()
    featured = serializers.BooleanField()
    verified = serializers.BooleanField()
    matched_by_meaning = serializers.SerializerMethodField(
        help_text="Whether the entry was found by meaning alone: close in meaning to q, holding none of its "
        "words. Always false when the results are not sorted by relevance or q is empty."
    )

    def get_matched_by_meaning(self, entry) -> bool:
        return bool(getattr(entry, "matched_by_meaning", False))

    def get_languages(self, entry) -> list[str]:
        return names_of(entry.languages)


class SearchResultsSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="The number of results; rounded to two significant figures when total_is_estimate."
    )
    total_is_estimate = serializers.BooleanField(
        help_text="Whether count is estimated, as it is for a broad search (thousands of matches)."
    )
    facet_counts_are_estimates = serializers.BooleanField(
        help_text="Whether the facet counts are estimated, as they are for a broad search."
    )
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    corrected_query = serializers.CharField(help_text="The typo-corrected query that was searched, if any.")
    suggestions = serializers.ListField(child=serializers.CharField())
    facets = serializers.DictField(child=FacetValueSerializer(many=True))
    results = SearchEntrySerializer(many=True)


SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q",
        str,
        description="Words; prefix matching, typos corrected. Sorted by relevance, the entries nearest in "
        "meaning to q are found too, and fused with the words' matches (exact names first); those found by "
        "meaning alone say so (matched_by_meaning).",
    ),
    *[
        OpenApiParameter(name, {"type": "array", "items": {"type": "string"}}, explode=True)
        for name in ("kind", "language", "topic", "business_unit", "lifecycle")
    ],
    OpenApiParameter("wants_contributions", bool),
    OpenApiParameter(
        "include_retired",
        bool,
        description="Include archived and deprecated projects and their assets, left out by default "
        "(a lifecycle filter naming one of them includes them too). The include_retired facet counts "
        "the matches left out.",
    ),
    OpenApiParameter("sort", str, enum=list(selectors.SORTS)),
    OpenApiParameter("page", int),
    OpenApiParameter("page_size", int, description="1 to 100; more gives 100."),
]


class SearchView(APIView):
    """The catalog page's search: ranked, typo-tolerant, with facet counts, over projects and assets."""

    @extend_schema(
        tags=["catalog"],
        operation_id="search",
        parameters=SEARCH_PARAMETERS,
        responses=SearchResultsSerializer,
    )
    def get(self, request):
        query = selectors.CatalogQuery.from_params(request.query_params)
        # The same page sizes as every list of the API: more than 100 gives 100, not a number is a 400.
        page_size = PortalPagination().get_page_size(request)
        results = selectors.catalog_search(query=query, viewer=request.user, page_size=page_size)
        facets = {
            name: [
                {"value": f.value, "label": f.label, "count": f.count, "selected": f.selected} for f in values
            ]
            for name, values in results.facets.items()
        }
        body = {
            "count": results.total,
            "total_is_estimate": results.total_is_estimate,
            "facet_counts_are_estimates": results.facet_counts_are_estimates,
            "page": results.page.number,
            "pages": results.page.paginator.num_pages,
            "corrected_query": results.corrected_query,
            "suggestions": results.suggestions,
            "facets": facets,
            "results": SearchEntrySerializer(results.entries, many=True).data,
        }
        return Response(body)
